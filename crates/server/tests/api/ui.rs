//! The web pages through a real session: triage a report, handle an incident, review and
//! attach indicators — the forms as a browser sends them.

use crate::harness::{Browser, app};
use axum::body::Body;
use axum::http::{Request, header};
use serde_json::json;

#[tokio::test]
async fn a_handler_triages_and_handles_an_incident_in_the_web_ui() {
    let a = app().await;
    let r = a.post("/api/v1/reports", &a.viewer, json!({"subject": "不審なメール", "body": "添付ファイルを開いた後 evil[.]example[.]com へ通信"})).await.json();
    let ticket = r["id"].as_i64().unwrap();
    let b = Browser::login(&a, "handler").await;

    let dash = b.get("/").await;
    assert_eq!(dash.status, 200);
    assert!(dash.text().contains("不審なメール") && dash.text().contains("トリアージ待ちの報告"));
    let page = b.get(&format!("/reports/{ticket}")).await;
    assert!(
        page.text().contains("evil[.]example[.]com"),
        "proposals are shown defanged"
    );

    let made = b
        .post(
            "/incidents",
            &[
                ("report", &ticket.to_string()),
                ("title", "標的型メール"),
                ("category", "targeted"),
                ("tlp", "amber"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.text());
    let inc_url = made.header("location");
    let number = inc_url.trim_start_matches("/incidents/").to_owned();

    // Accept the report's proposals into the incident.
    let ind_id = a
        .get(&format!("/api/v1/reports/{ticket}/indicators"), &a.viewer)
        .await
        .json()["items"][0]["id"]
        .to_string();
    assert_eq!(
        b.post(
            &format!("/reports/{ticket}/indicators"),
            &[("indicator", &ind_id)]
        )
        .await
        .status,
        303
    );

    // Paste more text, review, attach the ticked ones.
    let review = b
        .post(
            &format!("/incidents/{number}/indicators/extract"),
            &[
                ("text", "C2: 151.80.1.23 と 10.0.0.5 と 198.51.100.23"),
                ("role", "c2"),
                ("tlp", "green"),
            ],
        )
        .await;
    assert_eq!(review.status, 200);
    let html = review.text();
    assert!(
        html.contains("ipv4:151.80.1.23\" checked"),
        "a public address is ticked"
    );
    assert!(
        html.contains("ipv4:10.0.0.5\">") && html.contains("ipv4:198.51.100.23\">"),
        "private and documentation addresses are shown but not ticked"
    );
    let att = b
        .post(
            &format!("/incidents/{number}/indicators"),
            &[
                ("role", "c2"),
                ("tlp", "green"),
                ("value", "ipv4:151.80.1.23"),
            ],
        )
        .await;
    assert_eq!(att.status, 303);

    for (to, why) in [
        ("triage", "確認"),
        ("analysis", ""),
        ("containment", "隔離"),
    ] {
        assert_eq!(
            b.post(
                &format!("/incidents/{number}/phase"),
                &[("to", to), ("reason", why)]
            )
            .await
            .status,
            303
        );
    }
    assert_eq!(
        b.post(
            &format!("/incidents/{number}/task"),
            &[
                ("title", "端末を隔離"),
                ("assignee", "handler"),
                ("due", "2026-12-01T09:00")
            ]
        )
        .await
        .status,
        303
    );
    assert_eq!(
        b.post(
            &format!("/incidents/{number}/decision"),
            &[
                ("subject", "PC-042 のネットワーク遮断"),
                ("decision", "承認"),
                ("decided_by", "CISO")
            ]
        )
        .await
        .status,
        303
    );
    assert_eq!(
        b.post(
            &format!("/incidents/{number}/note"),
            &[("text", "EDR で隔離済み")]
        )
        .await
        .status,
        303
    );
    let edit = b
        .post(
            &format!("/incidents/{number}/edit"),
            &[
                ("functional", "high"),
                ("criticality", "critical"),
                ("category", "targeted"),
            ],
        )
        .await;
    assert_eq!(edit.status, 303, "{}", edit.text());

    let page = b.get(&format!("/incidents/{number}")).await.text();
    for expect in [
        "evil[.]example[.]com",
        "151[.]80[.]1[.]23",
        "端末を隔離",
        "2026-12-01 09:00 JST",
        "PC-042 のネットワーク遮断",
        "EDR で隔離済み",
        "封じ込め",
        "P1 緊急",
    ] {
        assert!(page.contains(expect), "incident page lacks {expect:?}");
    }
    let inc = a
        .get(&format!("/api/v1/incidents/{number}"), &a.viewer)
        .await
        .json();
    assert_eq!(
        (inc["phase"].as_str(), inc["priority"].as_str()),
        (Some("containment"), Some("p1"))
    );

    // A viewer sees the page without any form.
    let v = Browser::login(&a, "viewer").await;
    let vp = v.get(&format!("/incidents/{number}")).await.text();
    assert!(!vp.contains("id=\"phase-form\"") && vp.contains("端末を隔離"));
    assert_eq!(
        v.post(&format!("/incidents/{number}/note"), &[("text", "x")])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn report_text_is_shown_inert() {
    let a = app().await;
    let r = a
        .post(
            "/api/v1/reports",
            &a.viewer,
            json!({"subject": "<script>alert(1)</script>", "body": "<img src=x onerror=alert(1)>"}),
        )
        .await
        .json();
    let b = Browser::login(&a, "handler").await;
    let page = b.get(&format!("/reports/{}", r["id"])).await.text();
    assert!(
        !page.contains("<script>alert") && !page.contains("<img src=x"),
        "markup is escaped"
    );
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[tokio::test]
async fn an_incident_is_downloaded_and_published_from_its_page() {
    let a = app().await;
    let inc = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "フィッシング", "category": "phishing", "tlp": "green"}),
        )
        .await
        .json();
    let n = inc["number"].as_str().unwrap().to_owned();
    a.post(
        &format!("/api/v1/incidents/{n}/indicators"),
        &a.handler,
        json!({"items": [{"value": "hxxps://login-example[.]com/verify", "tlp": "green", "role": "phishing"}]}),
    )
    .await;
    let b = Browser::login(&a, "handler").await;
    let page = b.get(&format!("/incidents/{n}")).await.text();
    assert!(page.contains("id=\"export-form\"") && page.contains("指標の共有"));
    assert!(
        page.contains("公開できる共有グループがありません"),
        "no group yet"
    );

    let g = a
        .post(
            "/api/v1/sharing-groups",
            &a.admin,
            json!({"name": "NISC 連携", "tlp_max": "green"}),
        )
        .await
        .json();
    a.call(
        "PUT",
        &format!("/api/v1/sharing-groups/{}/members", g["id"]),
        Some(&a.admin),
        Some(json!({"user": "handler", "read": true, "write": true})),
    )
    .await;
    let page = b.get(&format!("/incidents/{n}")).await.text();
    assert!(page.contains("NISC 連携"), "the group is offered");
    let r = b
        .post(
            &format!("/incidents/{n}/publish"),
            &[("group", &g["id"].to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = b.get(&format!("/incidents/{n}")).await.text();
    assert!(
        page.contains("ev-shared") && page.contains("NISC 連携"),
        "on the timeline"
    );
    // Without the CSRF token the publish is refused.
    let no_csrf = a
        .send(
            Request::builder()
                .method("POST")
                .uri(format!("/incidents/{n}/publish"))
                .header(header::COOKIE, &b.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("group={}", g["id"])))
                .unwrap(),
        )
        .await;
    assert_eq!(no_csrf.status, 403);
    // The download the export form makes, with the session cookie.
    let dl = b
        .get(&format!(
            "/api/v1/export?incident={n}&format=text&tlp_max=green&lang=ja"
        ))
        .await;
    assert_eq!(dl.status, 200);
    assert!(dl.header("content-disposition").starts_with("attachment"));
    assert!(dl.text().contains("login-example[.]com"), "{}", dl.text());
}

#[tokio::test]
async fn admins_manage_users_sharing_groups_and_feeds_and_everyone_their_tokens() {
    let a = app().await;
    let b = Browser::login(&a, "admin").await;
    let page = b.get("/admin").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("共有グループ") && page.text().contains("TAXII フィード"));
    let r = b
        .post(
            "/admin/users",
            &[
                ("username", "suzuki"),
                ("role", "handler"),
                ("display_name", "鈴木"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), "no-store");
    let html = r.text();
    let i = html.find("<code>").unwrap() + 6;
    let password = &html[i..i + html[i..].find("</code>").unwrap()];
    assert_eq!(password.len(), 20, "{password}");
    let login = a.login("suzuki", password).await;
    assert_eq!(login.status, 303, "the one-time password works");
    let bad = b
        .post(
            "/admin/users",
            &[("username", "bad name!"), ("role", "viewer")],
        )
        .await;
    assert_eq!(bad.status, 400);

    let r = b
        .post(
            "/admin/sharing",
            &[("name", "地域 ISAC"), ("tlp_max", "green")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let g = a.store.sharing_group("地域 ISAC").await.unwrap();
    let r = b
        .post(
            &format!("/admin/sharing/{}/members", g.id),
            &[("username", "suzuki"), ("read", "1")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        a.store.sharing_members(g.id).await.unwrap()[0].name,
        "suzuki"
    );
    let r = b
        .post(
            "/admin/feeds",
            &[
                ("name", "isac"),
                ("url", "http://127.0.0.1:9/api1/"),
                ("collection", "c1"),
                ("default_tlp", "amber"),
                ("secret", "feed-s3cret"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = b.get("/admin").await.text();
    assert!(page.contains("127.0.0.1:9"), "the feed is listed");
    assert!(!page.contains("feed-s3cret"), "the secret is never shown");
    let feed = a.store.feeds().await.unwrap()[0].id;
    let r = b.post(&format!("/admin/feeds/{feed}/poll"), &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("127.0.0.1:9"), "the failed poll says why");

    // Not for handlers or viewers.
    let h = Browser::login(&a, "handler").await;
    assert_eq!(h.get("/admin").await.status, 403);
    assert_eq!(
        h.post("/admin/sharing", &[("name", "x"), ("tlp_max", "red")])
            .await
            .status,
        403
    );

    // Everyone's own tokens: shown once, usable, revocable.
    let r = h.post("/tokens", &[("name", "siem")]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), "no-store");
    let html = r.text();
    let i = html.find("<code>").unwrap() + 6;
    let token = html[i..i + html[i..].find("</code>").unwrap()].to_owned();
    assert_eq!(
        a.get("/api/v1/me", &token).await.json()["username"],
        "handler"
    );
    let list = h.get("/tokens").await.text();
    assert!(
        list.contains("siem") && !list.contains(&token),
        "listed, never shown again"
    );
    let id = a
        .store
        .api_tokens_of(hikeshi_domain::UserId(2))
        .await
        .unwrap()[0]
        .0;
    assert_eq!(
        h.post(&format!("/tokens/{id}/revoke"), &[]).await.status,
        303
    );
    assert_eq!(a.get("/api/v1/me", &token).await.status, 401);
}
