//! Roles, sessions, CSRF, TLP, and the security headers.

use crate::harness::{PASSWORD, app, cookie_of};
use axum::body::Body;
use axum::http::{Request, header};
use serde_json::json;

#[tokio::test]
async fn viewers_read_but_cannot_write() {
    let a = app().await;
    let r = a
        .post(
            "/api/v1/incidents",
            &a.viewer,
            json!({"title": "t", "category": "scan"}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(a.get("/api/v1/incidents", &a.viewer).await.status, 200);
    assert_eq!(
        a.get("/api/v1/users", &a.handler).await.status,
        403,
        "users are admin-only"
    );
    assert_eq!(a.get("/api/v1/users", &a.admin).await.status, 200);
}

#[tokio::test]
async fn bad_or_revoked_tokens_are_refused() {
    let a = app().await;
    assert_eq!(a.get("/api/v1/me", "not-a-token").await.status, 401);
    let t = a
        .post("/api/v1/me/tokens", &a.handler, json!({"name": "ci"}))
        .await
        .json();
    let tok = t["token"].as_str().unwrap().to_owned();
    assert_eq!(
        a.get("/api/v1/me", &tok).await.json()["username"],
        "handler"
    );
    assert_eq!(
        a.call(
            "DELETE",
            &format!("/api/v1/me/tokens/{}", t["id"]),
            Some(&tok),
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(a.get("/api/v1/me", &tok).await.status, 401);
}

#[tokio::test]
async fn session_writes_need_the_csrf_token_and_bearer_writes_do_not() {
    let a = app().await;
    let bad = a.login("handler", "wrong password!").await;
    assert_eq!(bad.status, 401);
    let ok = a.login("handler", PASSWORD).await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let cookie = cookie_of(&ok, "hikeshi_session").expect("session cookie");
    assert!(ok.header("set-cookie").contains("HttpOnly"));
    let me = a
        .send(
            Request::builder()
                .uri("/api/v1/me")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .json();
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let post = |with_csrf: bool| {
        let mut b = Request::builder()
            .method("POST")
            .uri("/api/v1/incidents")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if with_csrf {
            b = b.header("x-csrf-token", &csrf);
        }
        b.body(Body::from(
            json!({"title": "t", "category": "scan"}).to_string(),
        ))
        .unwrap()
    };
    assert_eq!(
        a.send(post(false)).await.status,
        403,
        "cookie without CSRF token refused"
    );
    assert_eq!(a.send(post(true)).await.status, 201);
    // An HTML form post without the field is refused too.
    let form = a
        .send(
            Request::builder()
                .method("POST")
                .uri("/incidents")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("title=x&category=scan"))
                .unwrap(),
        )
        .await;
    assert_eq!(form.status, 403);
    let form_ok = a
        .send(
            Request::builder()
                .method("POST")
                .uri("/incidents")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("title=x&category=scan&csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(form_ok.status, 303, "{}", form_ok.text());
    assert!(form_ok.header("location").starts_with("/incidents/HK-"));
    // Logging out ends the session.
    let out = a
        .send(
            Request::builder()
                .method("POST")
                .uri("/logout")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(out.status, 303);
    let after = a
        .send(
            Request::builder()
                .uri("/api/v1/me")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(after.status, 401);
}

#[tokio::test]
async fn pages_redirect_to_login_and_carry_strict_security_headers() {
    let a = app().await;
    for p in ["/", "/incidents", "/reports", "/incidents/1", "/reports/1"] {
        let r = a
            .send(Request::builder().uri(p).body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.status, 303, "{p}");
        assert!(r.header("location").starts_with("/login?next="), "{p}");
    }
    let r = a
        .send(
            Request::builder()
                .uri("/login")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let csp = r.header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.header("x-frame-options"), "DENY");
    // A login redirect never leaves the site.
    let ok = a
        .send(
            Request::builder()
                .method("POST")
                .uri("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=admin&password={}&next=//evil.example/",
                    PASSWORD.replace(' ', "+")
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(ok.header("location"), "/");
}

#[tokio::test]
async fn tlp_red_incidents_are_hidden_from_people_not_named_on_them() {
    let a = app().await;
    let red = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "red one", "category": "targeted", "tlp": "red"}),
        )
        .await
        .json();
    let id = red["id"].as_i64().unwrap();
    assert_eq!(
        a.get(&format!("/api/v1/incidents/{id}"), &a.handler)
            .await
            .status,
        200,
        "creator sees it"
    );
    assert_eq!(
        a.get(&format!("/api/v1/incidents/{id}"), &a.viewer)
            .await
            .status,
        404,
        "others do not even learn it exists"
    );
    assert_eq!(
        a.get(&format!("/api/v1/incidents/{id}/timeline"), &a.viewer)
            .await
            .status,
        404
    );
    assert_eq!(
        a.get("/api/v1/incidents", &a.viewer).await.json()["total"],
        0
    );
    assert_eq!(
        a.post(
            &format!("/api/v1/incidents/{id}/members"),
            &a.handler,
            json!({"user": "viewer"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        a.get(&format!("/api/v1/incidents/{id}"), &a.viewer)
            .await
            .status,
        200,
        "named people see it"
    );
}

#[tokio::test]
async fn pages_follow_the_language_of_the_browser_or_the_choice() {
    let a = app().await;
    let ja = a
        .send(
            Request::builder()
                .uri("/report")
                .header(header::ACCEPT_LANGUAGE, "ja,en;q=0.5")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        ja.text().contains("セキュリティインシデントの報告"),
        "{}",
        ja.text()
    );
    assert!(ja.text().contains("<html lang=\"ja\">"));
    let en = a
        .send(
            Request::builder()
                .uri("/report?lang=en")
                .header(header::ACCEPT_LANGUAGE, "ja")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(en.text().contains("Report a security incident"));
    assert!(en.header("set-cookie").contains("hikeshi_lang=en"));
}
