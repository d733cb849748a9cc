//! Administering accounts: role and disabled changes take effect at once, the last enabled
//! administrator cannot be removed, and every change is audited.

use super::*;
use hikeshi_domain::time;

pub async fn administrators_change_roles_and_disable_accounts_but_keep_one_admin(f: &Fresh) {
    let s = &f.store;
    let root = user(s, "root", Role::Admin).await;
    let alice = user(s, "alice", Role::Handler).await;
    let by = Actor::User(root.id);
    let now = time::now_ms();
    s.create_session(alice.id, "alice-sess", "c", now + 60_000)
        .await
        .unwrap();
    let tok = s
        .create_api_token(&Actor::User(alice.id), alice.id, "script", "alice-tok")
        .await
        .unwrap();
    assert!(s.token_user("alice-tok").await.unwrap().is_some());

    // Promote, rename; an unchanged field is not recorded.
    let a = s
        .update_user(
            &by,
            alice.id,
            &UserPatch {
                role: Some(Role::Admin),
                display_name: Some("  Alice Example ".into()),
                email: Some(alice.email.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (a.role, a.display_name.as_str()),
        (Role::Admin, "Alice Example")
    );
    let e = &s.recent_audit(1).await.unwrap()[0];
    assert_eq!(e.action, "user.update");
    let d: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
    assert_eq!(d["role"], "admin");
    assert_eq!(d["display_name"], "Alice Example");
    assert!(d.get("email").is_none(), "{d}");

    // Disabling ends the session and refuses the token; enabling brings the token back.
    s.update_user(
        &by,
        alice.id,
        &UserPatch {
            disabled: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(s.session_user("alice-sess", now).await.unwrap().is_none());
    assert!(s.token_user("alice-tok").await.unwrap().is_none());
    s.update_user(
        &by,
        alice.id,
        &UserPatch {
            disabled: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        s.session_user("alice-sess", now).await.unwrap().is_none(),
        "sessions stay ended"
    );
    assert_eq!(s.token_user("alice-tok").await.unwrap().unwrap().1, tok);

    // Two admins: one may step down; the last one may neither step down nor be disabled.
    s.update_user(
        &by,
        root.id,
        &UserPatch {
            role: Some(Role::Handler),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for p in [
        UserPatch {
            role: Some(Role::Viewer),
            ..Default::default()
        },
        UserPatch {
            disabled: Some(true),
            ..Default::default()
        },
    ] {
        let e = s.update_user(&by, alice.id, &p).await.unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
        assert!(e.to_string().contains("administrator"), "{e}");
    }
    let after = s.user(alice.id).await.unwrap();
    assert_eq!(
        (after.role, after.disabled),
        (Role::Admin, false),
        "refused change left nothing"
    );
    assert!(matches!(
        s.update_user(&by, UserId(9_999), &UserPatch::default())
            .await,
        Err(StoreError::NotFound(_))
    ));

    // Tokens of everyone, with their owner; revoking someone else's through its owner.
    let all = s.all_api_tokens().await.unwrap();
    assert_eq!(
        all.iter()
            .map(|t| (t.username.as_str(), t.name.as_str()))
            .collect::<Vec<_>>(),
        [("alice", "script")]
    );
    assert_eq!(s.token_owner(tok).await.unwrap(), alice.id);
    s.revoke_api_token(&by, s.token_owner(tok).await.unwrap(), tok)
        .await
        .unwrap();
    assert!(s.token_user("alice-tok").await.unwrap().is_none());
    assert!(s.all_api_tokens().await.unwrap()[0].revoked_at.is_some());
    assert!(s.verify_audit().await.unwrap().is_ok());
}
