//! Contacts through the API and the web pages, and the notify page a handler previews and
//! sends from (the rules themselves are specified in `notify.rs`).

use crate::harness::Browser;
use crate::notify::{incident, notifying_app};
use crate::schema::check_response;
use serde_json::json;

#[tokio::test]
async fn contacts_are_managed_by_handlers_and_read_by_everyone() {
    let a = notifying_app().await;
    let body = json!({"email": "cert@cert.example", "lang": "en", "kind": "cert"});
    assert_eq!(
        a.post("/api/v1/contacts", &a.viewer, body.clone())
            .await
            .status,
        403
    );
    let r = a.post("/api/v1/contacts", &a.handler, body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let c = r.json();
    assert_eq!(c["tlp_max"], "green", "the default clearance");
    assert_eq!(
        a.post("/api/v1/contacts", &a.handler, body).await.status,
        409
    );
    for bad in [
        json!({"email": "nope"}),
        json!({"email": "a@b.example", "lang": "fr"}),
        json!({"email": "a@b.example", "tlp_max": "red"}),
    ] {
        let r = a.post("/api/v1/contacts", &a.handler, bad.clone()).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text());
    }
    let id = c["id"].as_i64().unwrap();
    let path = format!("/api/v1/contacts/{id}");
    let r = a.get("/api/v1/contacts", &a.viewer).await;
    check_response("GET", "/api/v1/contacts", 200, &r.body);
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
    let r = a
        .call("PUT", &path, Some(&a.handler), Some(json!({"email": "desk@cert.example", "lang": "ja", "kind": "cert", "tlp_max": "amber"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("PUT", "/api/v1/contacts/{id}", 200, &r.body);
    let got = a.get(&path, &a.viewer).await;
    check_response("GET", "/api/v1/contacts/{id}", 200, &got.body);
    assert_eq!(
        (got.json()["email"].clone(), got.json()["tlp_max"].clone()),
        (json!("desk@cert.example"), json!("amber"))
    );
    assert_eq!(
        a.call("DELETE", &path, Some(&a.viewer), None).await.status,
        403
    );
    assert_eq!(
        a.call("DELETE", &path, Some(&a.handler), None).await.status,
        204
    );
    assert_eq!(a.get(&path, &a.viewer).await.status, 404);
}

#[tokio::test]
async fn a_handler_keeps_contacts_previews_and_sends_in_the_web_ui() {
    let a = notifying_app().await;
    let (number, report) =
        incident(&a, "phishing", "green", &[("phish.example.com", "green")]).await;
    let viewer = Browser::login(&a, "viewer").await;
    assert_eq!(viewer.get("/contacts").await.status, 200);
    let r = viewer
        .post(
            "/contacts",
            &[
                ("email", "x@y.example"),
                ("lang", "ja"),
                ("kind", "isp"),
                ("tlp_max", "green"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        viewer
            .get(&format!("/incidents/{number}/notify"))
            .await
            .status,
        403
    );

    let b = Browser::login(&a, "handler").await;
    let r = b
        .post(
            "/contacts",
            &[
                ("organisation", "Example ISP"),
                ("name", "NOC"),
                ("email", "noc@isp.example"),
                ("lang", "ja"),
                ("kind", "isp"),
                ("tlp_max", "green"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = b.get("/contacts").await.text();
    assert!(
        page.contains("noc@isp.example") && page.contains("Example ISP"),
        "{page}"
    );
    let id = a.get("/api/v1/contacts", &a.viewer).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let id_s = id.to_string();

    let form = format!("/incidents/{number}/notify");
    let page = b.get(&form).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("noc@isp.example"));
    let pre = b
        .post(
            &form,
            &[
                ("contact", &id_s),
                ("template", "notification.phishing"),
                ("note", "至急"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(pre.status, 200);
    let text = pre.text();
    assert!(
        text.contains("id=\"preview\"") && text.contains("phish[.]example[.]com"),
        "{text}"
    );
    assert!(text.contains(&format!("[hikeshi #{report}]")), "{text}");
    assert!(
        a.get(
            &format!("/api/v1/incidents/{number}/notifications"),
            &a.viewer
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "a preview sends nothing"
    );
    // Nothing chosen: the page says why instead of sending.
    let none = b.post(&form, &[("action", "send")]).await;
    assert!(none.text().contains("id=\"refused\""), "{}", none.text());
    let sent = b
        .post(
            &form,
            &[
                ("contact", &id_s),
                ("indicators_shown", "1"),
                ("action", "send"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303);
    let list = a
        .get(
            &format!("/api/v1/incidents/{number}/notifications"),
            &a.viewer,
        )
        .await
        .json();
    assert_eq!(
        list["items"][0]["indicators"], 0,
        "no indicator ticked: none sent"
    );
    let inc_page = b.get(&format!("/incidents/{number}")).await.text();
    assert!(
        inc_page.contains("id=\"notifications\"") && inc_page.contains("noc@isp.example"),
        "{inc_page}"
    );
    // Deleting from the page.
    assert_eq!(
        b.post(&format!("/contacts/{id}/delete"), &[]).await.status,
        303
    );
    assert_eq!(
        a.get(&format!("/api/v1/contacts/{id}"), &a.viewer)
            .await
            .status,
        404
    );
}
