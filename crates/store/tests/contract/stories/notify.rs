//! Message template overrides, contacts and notifications (issue 5, "Out 2").

use super::*;

pub async fn template_overrides_are_saved_replaced_reset_and_audited(f: &Fresh) {
    let s = &f.store;
    let admin = user(s, "admin", Role::Admin).await;
    let actor = Actor::User(admin.id);
    assert!(s.template_overrides().await.unwrap().is_empty());
    assert_eq!(
        s.template_override("notification.scan", "ja")
            .await
            .unwrap(),
        None
    );

    let saved = s
        .save_template(
            &actor,
            "notification.scan",
            "ja",
            "件名 {{ ticket_tag }}",
            "本文\n",
        )
        .await
        .unwrap();
    assert_eq!(saved.updated_by, Some(admin.id.0));
    assert!(saved.updated_at > 0);
    // Saving again replaces, per (name, lang).
    s.save_template(&actor, "notification.scan", "ja", "二度目", "本文2\n")
        .await
        .unwrap();
    s.save_template(
        &Actor::System,
        "notification.scan",
        "en",
        "second",
        "body\n",
    )
    .await
    .unwrap();
    let all = s.template_overrides().await.unwrap();
    let keys: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|o| (o.name.as_str(), o.lang.as_str(), o.subject.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("notification.scan", "en", "second"),
            ("notification.scan", "ja", "二度目")
        ]
    );
    assert_eq!(all[0].updated_by, None, "the system has no user id");
    let ja = s
        .template_override("notification.scan", "ja")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ja.body, "本文2\n");

    assert!(
        s.reset_template(&actor, "notification.scan", "ja")
            .await
            .unwrap()
    );
    assert!(
        !s.reset_template(&actor, "notification.scan", "ja")
            .await
            .unwrap()
    );
    assert_eq!(
        s.template_override("notification.scan", "ja")
            .await
            .unwrap(),
        None
    );
    assert!(s.save_template(&actor, " ", "ja", "s", "b").await.is_err());

    let audit = s.recent_audit(100).await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e.object_type == "message_template")
        .map(|e| (e.action.as_str(), e.object_id.as_str()))
        .collect();
    assert_eq!(actions.len(), 4, "{actions:?}");
    assert!(actions.contains(&("template.reset", "notification.scan/ja")));
    assert_eq!(s.verify_audit().await.unwrap(), Ok(audit.len() as i64));
}
