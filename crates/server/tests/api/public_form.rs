//! The public report form: no login, CSRF-protected, rate-limited, nothing typed ever lost.

use crate::harness::{App, Resp, app, app_with, cookie_of};
use axum::body::Body;
use axum::http::{Request, header};
use hikeshi_server::ServerConfig;

const BOUNDARY: &str = "----hikeshi-test-boundary";

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, data)) = file {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
        );
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// Open the form like a browser: the nonce cookie and the token in the page.
async fn open_form(a: &App) -> (String, String) {
    let r = a
        .send(
            Request::builder()
                .uri("/report")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200);
    let cookie = cookie_of(&r, "hikeshi_form").expect("form cookie");
    let html = r.text();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (cookie, token)
}

async fn submit(a: &App, cookie: &str, body: Vec<u8>) -> Resp {
    a.send(
        Request::builder()
            .method("POST")
            .uri("/report")
            .header(header::COOKIE, cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_reporter_without_an_account_gets_a_ticket_and_the_raw_submission_is_kept() {
    let a = app().await;
    let (cookie, token) = open_form(&a).await;
    let body = multipart(
        &[
            ("csrf", &token),
            ("lang", "ja"),
            ("name", "鈴木"),
            ("email", "suzuki@example.jp"),
            ("organisation", "Example"),
            ("subject", "フィッシング"),
            ("description", "hxxps://phish[.]example/ を確認"),
        ],
        Some(("urls.txt", b"https://phish.example/login\n")),
    );
    let r = submit(&a, &cookie, body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let ticket: i64 = r
        .text()
        .split("[hikeshi #")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        r.text().contains("受付番号"),
        "answered in the reporter's language"
    );
    let stored = a
        .get(&format!("/api/v1/reports/{ticket}"), &a.viewer)
        .await
        .json();
    assert_eq!(stored["channel"], "web");
    assert_eq!(stored["reporter"]["email"], "suzuki@example.jp");
    assert_eq!(stored["attachments"][0]["filename"], "urls.txt");
    let raw = a
        .get(&format!("/api/v1/reports/{ticket}/raw"), &a.viewer)
        .await;
    assert_eq!(raw.body, body, "the raw submission, byte for byte");
}

#[tokio::test]
async fn a_forged_or_expired_form_is_refused_and_what_was_typed_comes_back() {
    let a = app().await;
    let (cookie, _token) = open_form(&a).await;
    let r = submit(
        &a,
        &cookie,
        multipart(
            &[("csrf", "forged"), ("description", "本文は失われない")],
            None,
        ),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("本文は失われない"),
        "the description is put back in the form"
    );
    let (_, token) = open_form(&a).await;
    let r = submit(
        &a,
        "hikeshi_form=someone-elses-nonce-00000000000000000000000000",
        multipart(&[("csrf", &token), ("description", "x")], None),
    )
    .await;
    assert_eq!(r.status, 403, "a token is bound to its own cookie");
    assert_eq!(a.get("/api/v1/reports", &a.viewer).await.json()["total"], 0);
}

#[tokio::test]
async fn the_form_is_rate_limited_per_client_address() {
    let a = app_with(ServerConfig {
        report_rate_per_minute: 2,
        ..Default::default()
    })
    .await;
    let (cookie, token) = open_form(&a).await;
    let mut statuses = Vec::new();
    for i in 0..3 {
        let r = submit(
            &a,
            &cookie,
            multipart(
                &[("csrf", &token), ("description", &format!("report {i}"))],
                None,
            ),
        )
        .await;
        statuses.push(r.status.as_u16());
        if r.status == 429 {
            assert!(r.text().contains("report 2"), "kept what was typed");
        }
    }
    assert_eq!(statuses, [201, 201, 429]);
}

#[tokio::test]
async fn an_empty_description_or_oversized_file_is_explained_in_the_form() {
    let a = app_with(ServerConfig {
        max_attachment_bytes: 100,
        ..Default::default()
    })
    .await;
    let (cookie, token) = open_form(&a).await;
    let r = submit(
        &a,
        &cookie,
        multipart(
            &[
                ("csrf", &token),
                ("subject", "keep me"),
                ("description", "  "),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("keep me"));
    let r = submit(
        &a,
        &cookie,
        multipart(
            &[("csrf", &token), ("description", "big file")],
            Some(("big.log", &[b'a'; 500])),
        ),
    )
    .await;
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("big.log"));
}
