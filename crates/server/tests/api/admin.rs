//! Administration: editing accounts (role, disabled, password reset) takes effect at once and
//! never removes the last administrator; anyone's API tokens can be revoked; the mail and
//! settings pages show the configuration without a secret. All of it behind the admin role.

use crate::harness::{Browser, PASSWORD, app, app_with};
use crate::schema::check_response;
use hikeshi_domain::Named;
use hikeshi_server::ServerConfig;
use hikeshi_server::mail_config::{ImapMailbox, Security, SmtpConfig};
use serde_json::json;

#[tokio::test]
async fn admins_change_roles_disable_accounts_and_reset_passwords() {
    let a = app().await;
    // Only admins.
    for t in [&a.handler, &a.viewer] {
        let r = a
            .call(
                "PATCH",
                "/api/v1/users/viewer",
                Some(t),
                Some(json!({"role": "admin"})),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.text());
        assert_eq!(
            a.call("GET", "/api/v1/tokens", Some(t), None).await.status,
            403
        );
    }
    // Promote the viewer: it can now write.
    let r = a
        .call(
            "PATCH",
            "/api/v1/users/viewer",
            Some(&a.admin),
            Some(json!({"role": "handler", "display_name": "閲覧 担当"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("PATCH", "/api/v1/users/{username}", 200, &r.body);
    assert_eq!(
        (r.json()["role"].as_str(), r.json()["display_name"].as_str()),
        (Some("handler"), Some("閲覧 担当"))
    );
    let r = a
        .post(
            "/api/v1/incidents",
            &a.viewer,
            json!({"title": "昇格後", "category": "scan"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    // A bad role or an unknown field is refused with the reason.
    let r = a
        .call(
            "PATCH",
            "/api/v1/users/viewer",
            Some(&a.admin),
            Some(json!({"role": "root"})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("root"), "{}", r.text());
    let r = a
        .call(
            "PATCH",
            "/api/v1/users/nobody",
            Some(&a.admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(r.status, 404);

    // Disable the handler: its token and its session stop working at once.
    let b = Browser::login(&a, "handler").await;
    assert_eq!(b.get("/incidents").await.status, 200);
    let r = a
        .call(
            "PATCH",
            "/api/v1/users/handler",
            Some(&a.admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(a.get("/api/v1/incidents", &a.handler).await.status, 401);
    assert_ne!(b.get("/incidents").await.status, 200);
    assert_ne!(
        a.login("handler", PASSWORD).await.status,
        303,
        "a disabled account cannot log in"
    );

    // The last enabled admin can neither step down nor be disabled.
    for body in [json!({"role": "viewer"}), json!({"disabled": true})] {
        let r = a
            .call("PATCH", "/api/v1/users/admin", Some(&a.admin), Some(body))
            .await;
        assert_eq!(r.status, 409, "{}", r.text());
        assert!(r.text().contains("administrator"), "{}", r.text());
    }

    // Reset the viewer's password: shown once, not cached, the old one no longer works.
    let r = a
        .post("/api/v1/users/viewer/password", &a.admin, json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("POST", "/api/v1/users/{username}/password", 200, &r.body);
    assert_eq!(r.header("cache-control"), "no-store");
    let pw = r.json()["password"].as_str().unwrap().to_owned();
    assert!(pw.len() >= 20);
    assert_ne!(a.login("viewer", PASSWORD).await.status, 303);
    assert_eq!(a.login("viewer", &pw).await.status, 303);

    // Every change is in the audit log, and the chain holds.
    let audit = a.store.recent_audit(20).await.unwrap();
    let n = |act: &str| audit.iter().filter(|e| e.action == act).count();
    assert_eq!((n("user.update"), n("user.password")), (2, 1));
    assert!(a.store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn admins_see_and_revoke_anyones_tokens_on_the_page_and_the_api() {
    let a = app().await;
    let r = a.get("/api/v1/tokens", &a.admin).await;
    assert_eq!(r.status, 200);
    check_response("GET", "/api/v1/tokens", 200, &r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3, "one per test user");
    assert!(!r.text().contains(&a.handler), "never the secret");
    let handlers = items.iter().find(|t| t["username"] == "handler").unwrap()["id"]
        .as_i64()
        .unwrap();
    let viewers = items.iter().find(|t| t["username"] == "viewer").unwrap()["id"]
        .as_i64()
        .unwrap();
    // Through the API.
    let r = a
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{handlers}"),
            Some(&a.admin),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(a.get("/api/v1/incidents", &a.handler).await.status, 401);
    // Through the page, with CSRF.
    let b = Browser::login(&a, "admin").await;
    let page = b.get("/admin").await.text();
    assert!(
        page.contains(&format!("/admin/tokens/{viewers}/revoke")),
        "a revoke button"
    );
    assert!(
        !page.contains(&format!("/admin/tokens/{handlers}/revoke")),
        "none for a revoked one"
    );
    let r = b
        .post(&format!("/admin/tokens/{viewers}/revoke"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(a.get("/api/v1/incidents", &a.viewer).await.status, 401);
    // The edit form on the page changes the role; without the CSRF token nothing happens.
    let r = b
        .post(
            "/admin/users/viewer",
            &[
                ("role", "handler"),
                ("display_name", "V"),
                ("email", "v@example.jp"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let u = a.store.user_by_name("viewer").await.unwrap();
    assert_eq!((u.role.as_str(), u.disabled), ("handler", false));
    let forged = Browser {
        app: b.app,
        cookie: b.cookie.clone(),
        csrf: "forged".into(),
    };
    let r = forged
        .post(
            "/admin/users/viewer",
            &[("role", "viewer"), ("disabled", "1")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(!a.store.user_by_name("viewer").await.unwrap().disabled);
    // Password reset from the page shows the one-time password once, not cached.
    let r = b.post("/admin/users/viewer/password", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), "no-store");
    assert!(r.text().contains(r#"id="once""#));
}

fn mail_config() -> ServerConfig {
    let mut c = ServerConfig::default();
    c.mail.address = "csirt@example.org".into();
    c.mail.smtp = Some(SmtpConfig {
        host: "smtp.example.org".into(),
        port: 587,
        security: Security::StartTls,
        username: "csirt".into(),
        password: "smtp-secret-4711".into(),
        timeout_secs: 30,
        ca_pem: Vec::new(),
    });
    c.mail.imap = vec![ImapMailbox {
        label: "abuse".into(),
        host: "imap.example.org".into(),
        port: 993,
        security: Security::Tls,
        username: "abuse@example.org".into(),
        password: "imap-secret-0815".into(),
        folder: "INBOX".into(),
        poll_seconds: 60,
        ca_pem: Vec::new(),
    }];
    c
}

#[tokio::test]
async fn the_mail_and_settings_pages_show_configuration_and_status_but_no_secret() {
    let a = app_with(mail_config()).await;
    for t in [&a.handler, &a.viewer] {
        assert_eq!(a.get("/api/v1/mail/status", t).await.status, 403);
    }
    let r = a.get("/api/v1/mail/status", &a.admin).await;
    assert_eq!(r.status, 200);
    check_response("GET", "/api/v1/mail/status", 200, &r.body);
    let v = r.json();
    assert_eq!(v["smtp"]["host"], "smtp.example.org");
    assert_eq!(v["smtp"]["password_set"], true);
    assert_eq!(v["mailboxes"][0]["label"], "abuse");
    assert!(
        v["mailboxes"][0]["status"]["last_poll_at"].is_null(),
        "not polled in this test"
    );
    for secret in ["smtp-secret-4711", "imap-secret-0815"] {
        assert!(!r.text().contains(secret));
    }
    // Poll now: accepted for a configured mailbox, 404 otherwise.
    let r = a
        .post("/api/v1/mail/mailboxes/abuse/poll", &a.admin, json!({}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(
        a.post("/api/v1/mail/mailboxes/other/poll", &a.admin, json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        a.post("/api/v1/mail/mailboxes/abuse/poll", &a.handler, json!({}))
            .await
            .status,
        403
    );

    let b = Browser::login(&a, "admin").await;
    for path in ["/admin/mail", "/admin/settings"] {
        let r = b.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        let page = r.text();
        for secret in ["smtp-secret-4711", "imap-secret-0815"] {
            assert!(!page.contains(secret), "{path} shows a secret");
        }
        assert!(
            !page.contains("admin.") && !page.contains("common.y"),
            "{path}: an untranslated key"
        );
    }
    let page = b.get("/admin/mail").await.text();
    assert!(page.contains("imap.example.org") && page.contains(r#"id="mailbox-abuse""#));
    assert!(
        page.contains("まだ取得していません"),
        "Japanese: not polled yet"
    );
    let r = b.post("/admin/mail/abuse/poll", &[]).await;
    assert_eq!(r.status, 303);
    let page = b.get("/admin/settings").await.text();
    assert!(page.contains("SQLite") && page.contains("hikeshi CSIRT"));
    let hb = Browser::login(&a, "handler").await;
    for path in ["/admin/mail", "/admin/settings"] {
        assert_eq!(hb.get(path).await.status, 403, "{path}");
    }
}
