//! Message templates: everyone signed in reads them, only admins change them; a text that does
//! not compile or names an unknown variable is refused with the part and line; reset brings
//! the built-in default back. Through the API and through the admin pages.

use crate::harness::{Browser, app};
use crate::schema::check_response;
use serde_json::json;

const P: &str = "/api/v1/templates/notification.phishing/ja";

#[tokio::test]
async fn templates_are_listed_in_both_languages_with_their_variables() {
    let a = app().await;
    let r = a.get("/api/v1/templates", &a.viewer).await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("GET", "/api/v1/templates", 200, &r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    for cat in ["phishing", "scan", "other"] {
        for lang in ["ja", "en"] {
            let t = items
                .iter()
                .find(|t| t["name"] == format!("notification.{cat}") && t["lang"] == lang)
                .unwrap_or_else(|| panic!("notification.{cat} {lang} missing"));
            assert_eq!(t["overridden"], false);
            assert!(t["subject"].as_str().unwrap().contains("{{ ticket_tag }}"));
            let vars = t["variables"].as_array().unwrap();
            assert!(vars.contains(&json!("indicators")), "{vars:?}");
        }
    }
    let r = a.get(P, &a.handler).await;
    check_response("GET", "/api/v1/templates/{name}/{lang}", 200, &r.body);
    assert!(
        r.json()["body"]
            .as_str()
            .unwrap()
            .contains("フィッシングサイト")
    );
    assert_eq!(
        a.get("/api/v1/templates/nope/ja", &a.viewer).await.status,
        404
    );
    assert_eq!(
        a.get("/api/v1/templates/notification.scan/fr", &a.viewer)
            .await
            .status,
        404
    );
    assert_eq!(a.get("/api/v1/templates", "").await.status, 401);
}

#[tokio::test]
async fn an_admin_saves_an_override_that_renders_until_reset() {
    let a = app().await;
    let text = json!({"subject": "{{ ticket_tag }} 至急: {{ incident_title }}",
                      "body": "{{ recipient_name }} 様\n{% for i in indicators %}{{ i.value }}\n{% endfor %}"});
    // Handlers and viewers may not.
    for who in [&a.handler, &a.viewer] {
        let r = a.call("PUT", P, Some(who), Some(text.clone())).await;
        assert_eq!(r.status, 403, "{}", r.text());
    }
    let r = a.call("PUT", P, Some(&a.admin), Some(text.clone())).await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("PUT", "/api/v1/templates/{name}/{lang}", 200, &r.body);
    let v = r.json();
    assert_eq!(v["overridden"], true);
    assert!(v["updated_at"].as_i64().is_some());
    assert_eq!(
        v["preview"]["subject"],
        "[hikeshi #42] 至急: 銀行を装うフィッシングサイト"
    );
    assert!(
        v["preview"]["body"]
            .as_str()
            .unwrap()
            .contains("hxxps://login[.]example-bank[.]test/")
    );
    let r = a.get(P, &a.viewer).await.json();
    assert_eq!(r["subject"], text["subject"]);
    // The other language is untouched.
    let en = a
        .get("/api/v1/templates/notification.phishing/en", &a.viewer)
        .await
        .json();
    assert_eq!(en["overridden"], false);
    // The change is audited.
    assert_eq!(audited(&a, "template.save").await, 1);

    assert_eq!(
        a.call("DELETE", P, Some(&a.handler), None).await.status,
        403
    );
    let r = a.call("DELETE", P, Some(&a.admin), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("DELETE", "/api/v1/templates/{name}/{lang}", 200, &r.body);
    assert_eq!(r.json()["overridden"], false);
    assert!(
        r.json()["subject"]
            .as_str()
            .unwrap()
            .contains("{{ category }}")
    );
}

async fn audited(a: &crate::harness::App, action: &str) -> usize {
    let entries = a.store.recent_audit(1_000).await.unwrap();
    entries.iter().filter(|e| e.action == action).count()
}

#[tokio::test]
async fn an_invalid_template_is_refused_with_its_part_and_line() {
    let a = app().await;
    let cases = [
        (
            json!({"subject": "ok", "body": "one\n{{ recipient_nam }}\n"}),
            "body",
            2,
            "recipient_nam",
        ),
        (
            json!({"subject": "{{ ticket_tag ", "body": "x"}),
            "subject",
            1,
            "syntax",
        ),
        (
            json!({"subject": "s", "body": "a\nb\n{% for i in indicators %}\n"}),
            "body",
            3,
            "end of input",
        ),
    ];
    for (body, part, line, word) in cases {
        let r = a.call("PUT", P, Some(&a.admin), Some(body.clone())).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text());
        check_response("PUT", "/api/v1/templates/{name}/{lang}", 422, &r.body);
        let e = r.json()["error"].clone();
        assert_eq!(e["code"], "invalid_template");
        assert_eq!(
            (e["part"].as_str().unwrap(), e["line"].as_i64().unwrap()),
            (part, line),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().contains(word), "{e}");
        // Preview refuses the same way, and nothing was saved.
        let p = a.post(&format!("{P}/preview"), &a.viewer, body).await;
        assert_eq!(p.status, 422, "{}", p.text());
    }
    assert_eq!(a.get(P, &a.viewer).await.json()["overridden"], false);
    let p = a.post(&format!("{P}/preview"), &a.viewer, json!({})).await;
    assert_eq!(p.status, 200, "{}", p.text());
    check_response(
        "POST",
        "/api/v1/templates/{name}/{lang}/preview",
        200,
        &p.body,
    );
    assert!(
        p.json()["subject"]
            .as_str()
            .unwrap()
            .starts_with("[hikeshi #42] TLP:GREEN")
    );
}

#[tokio::test]
async fn admins_edit_preview_and_reset_templates_in_the_web_ui() {
    let a = app().await;
    let handler = Browser::login(&a, "handler").await;
    assert_eq!(handler.get("/admin/templates").await.status, 403);
    let form = "/admin/templates/notification.scan/en";
    assert_eq!(handler.get(form).await.status, 403);
    let r = handler
        .post(form, &[("subject", "x"), ("body", "y"), ("action", "save")])
        .await;
    assert_eq!(r.status, 403);

    let b = Browser::login(&a, "admin").await;
    let list = b.get("/admin/templates").await;
    assert_eq!(list.status, 200);
    assert!(list.text().contains("notification.scan"), "{}", list.text());
    let page = b.get(form).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("id=\"preview\""));
    assert!(
        page.text().contains("indicator_count"),
        "variables are listed"
    );

    let bad = b
        .post(
            form,
            &[
                ("subject", "{{ ticket_tag }}"),
                ("body", "Hi\r\n{{ nobody }}"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("id=\"invalid\""), "{}", bad.text());
    assert!(bad.text().contains("nobody"));

    let pre = b
        .post(
            form,
            &[
                ("subject", "{{ ticket_tag }} scan"),
                ("body", "To {{ recipient_organisation }}"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(pre.status, 200);
    assert!(pre.text().contains("To Example Hosting"), "{}", pre.text());
    let api = a
        .get("/api/v1/templates/notification.scan/en", &a.viewer)
        .await
        .json();
    assert_eq!(api["overridden"], false, "a preview saves nothing");

    let ok = b
        .post(
            form,
            &[
                ("subject", "{{ ticket_tag }} scan"),
                ("body", "To {{ recipient_organisation }}\r\n"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200);
    assert!(ok.text().contains("id=\"saved\""));
    let api = a
        .get("/api/v1/templates/notification.scan/en", &a.viewer)
        .await
        .json();
    assert_eq!(api["body"], "To {{ recipient_organisation }}\n");

    let r = b.post(&format!("{form}/reset"), &[]).await;
    assert_eq!(r.status, 303);
    let api = a
        .get("/api/v1/templates/notification.scan/en", &a.viewer)
        .await
        .json();
    assert_eq!(api["overridden"], false);
    // A form without the CSRF token is refused.
    let no_csrf = b
        .app
        .send(
            axum::http::Request::builder()
                .method("POST")
                .uri(format!("{form}/reset"))
                .header(axum::http::header::COOKIE, &b.cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(no_csrf.status, 403);
}
