//! Bad input gets a 4xx with a reason, never a 500.

use crate::harness::{app, app_with};
use axum::body::Body;
use axum::http::{Request, header};
use hikeshi_server::ServerConfig;
use serde_json::json;

async fn raw_post(
    a: &crate::harness::App,
    path: &str,
    ct: &str,
    body: Vec<u8>,
) -> crate::harness::Resp {
    a.send(
        Request::builder()
            .method("POST")
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", a.handler))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn malformed_bodies_get_a_4xx_that_says_what_was_wrong() {
    let a = app().await;
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "/api/v1/reports",
            "application/json",
            b"{\"body\": ".to_vec(),
            400,
            "line 1",
        ),
        (
            "/api/v1/reports",
            "application/json",
            b"{\"body\": \"\xff\xfe\"}".to_vec(),
            400,
            "invalid",
        ),
        (
            "/api/v1/reports",
            "text/plain",
            b"hello".to_vec(),
            415,
            "application/json",
        ),
        (
            "/api/v1/reports",
            "application/json",
            br#"{"body": "x", "colour": "red"}"#.to_vec(),
            400,
            "colour",
        ),
        (
            "/api/v1/reports",
            "application/json",
            br#"{"body": "   "}"#.to_vec(),
            400,
            "body",
        ),
        (
            "/api/v1/reports",
            "application/json",
            br#"{"body": "x", "reporter_email": "not-an-address"}"#.to_vec(),
            400,
            "e-mail",
        ),
        (
            "/api/v1/reports",
            "application/json",
            br#"{"body": "x", "attachments": [{"filename": "a", "data": "***"}]}"#.to_vec(),
            400,
            "base64",
        ),
        (
            "/api/v1/incidents",
            "application/json",
            br#"{"title": "t", "category": "spam"}"#.to_vec(),
            400,
            "category",
        ),
        (
            "/api/v1/incidents",
            "application/json",
            br#"{"title": "t", "category": "scan", "tlp": "purple"}"#.to_vec(),
            400,
            "tlp",
        ),
        (
            "/api/v1/incidents",
            "application/json",
            br#"{"title": "t", "category": "scan", "rsit": {"class": "fraud", "type": "scanner"}}"#
                .to_vec(),
            422,
            "fraud/scanner",
        ),
        (
            "/api/v1/incidents",
            "application/json",
            br#"{"title": "t", "category": "scan", "reports": [424242]}"#.to_vec(),
            404,
            "report",
        ),
    ];
    for (path, ct, body, want, says) in cases {
        let r = raw_post(&a, path, ct, body.clone()).await;
        assert_eq!(
            r.status.as_u16(),
            want,
            "{path} {}: {}",
            String::from_utf8_lossy(&body),
            r.text()
        );
        let j = r.json();
        let msg = j["error"]["message"].as_str().unwrap_or_default();
        assert!(
            msg.contains(says),
            "{path}: message {msg:?} should mention {says:?}"
        );
    }
}

#[tokio::test]
async fn invalid_phase_moves_and_queries_are_refused_with_reasons() {
    let a = app().await;
    let i = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "t", "category": "dos"}),
        )
        .await
        .json();
    let n = i["number"].as_str().unwrap();
    let same = a
        .post(
            &format!("/api/v1/incidents/{n}/phase"),
            &a.handler,
            json!({"to": "new"}),
        )
        .await;
    assert_eq!(same.status, 409);
    assert!(
        same.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already")
    );
    let bad = a
        .post(
            &format!("/api/v1/incidents/{n}/phase"),
            &a.handler,
            json!({"to": "done"}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.text().contains("triage"),
        "lists the valid phases: {}",
        bad.text()
    );
    let q = a.get("/api/v1/incidents?phase=nonsense", &a.handler).await;
    assert_eq!(q.status, 400);
    let q = a.get("/api/v1/incidents?page=abc", &a.handler).await;
    assert_eq!(q.status, 400, "{}", q.text());
    let q = a.get("/api/v1/incidents/HK-20-1", &a.handler).await;
    assert_eq!(q.status, 400);
    assert_eq!(
        a.get("/api/v1/incidents/HK-2026-999999", &a.handler)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn oversized_bodies_and_attachments_are_refused_with_the_limit() {
    let a = app_with(ServerConfig {
        max_body_bytes: 64 * 1024,
        max_attachment_bytes: 1024,
        ..Default::default()
    })
    .await;
    let big = json!({"body": "x".repeat(100 * 1024)})
        .to_string()
        .into_bytes();
    let r = raw_post(&a, "/api/v1/reports", "application/json", big).await;
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("65536")
    );
    // 2 KiB attachment, limit 1 KiB.
    let data = base64_of(&[7u8; 2048]);
    let r = a
        .post(
            "/api/v1/reports",
            &a.handler,
            json!({"body": "x", "attachments": [{"filename": "dump.bin", "data": data}]}),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("dump.bin") && r.text().contains("1024"));
    assert_eq!(
        a.get("/api/v1/reports", &a.viewer).await.json()["total"],
        0,
        "nothing half-stored"
    );
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}
