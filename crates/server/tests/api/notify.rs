//! Contacts and notifications through the API: one message per recipient in their language
//! from the category's template, defanged indicators filtered by the recipient's TLP
//! clearance, a CSV attachment for long lists, aggregation across routes, the queued message
//! with our tag and Message-ID, and "answered" once a reply threads back.

use crate::harness::{App, app_with};
use crate::schema::check_response;
use hikeshi_domain::{Actor, AssetRecord};
use hikeshi_server::ServerConfig;
use hikeshi_server::mail_config::MailConfig;
use serde_json::{Value, json};

pub(crate) async fn notifying_app() -> App {
    app_with(ServerConfig {
        team_name: "Example CSIRT".into(),
        mail: MailConfig {
            address: "csirt@example.org".into(),
            ..MailConfig::default()
        },
        ..ServerConfig::default()
    })
    .await
}

/// An incident opened from a report, with `indicators` as (value, tlp).
pub(crate) async fn incident(
    a: &App,
    category: &str,
    tlp: &str,
    indicators: &[(&str, &str)],
) -> (String, i64) {
    let r = a
        .post(
            "/api/v1/reports",
            &a.handler,
            json!({"subject": "報告", "body": "詳細は添付"}),
        )
        .await
        .json();
    let report = r["id"].as_i64().unwrap();
    let inc = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "Fake bank login", "category": category, "tlp": tlp, "reports": [report]}),
        )
        .await;
    assert_eq!(inc.status, 201, "{}", inc.text());
    let number = inc.json()["number"].as_str().unwrap().to_owned();
    if !indicators.is_empty() {
        let items: Vec<Value> = indicators
            .iter()
            .map(|(v, t)| json!({"value": v, "tlp": t, "role": "phishing"}))
            .collect();
        let r = a
            .post(
                &format!("/api/v1/incidents/{number}/indicators"),
                &a.handler,
                json!({"items": items}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    (number, report)
}

pub(crate) async fn contact(a: &App, email: &str, lang: &str, tlp_max: &str) -> i64 {
    let r = a
        .post(
            "/api/v1/contacts",
            &a.handler,
            json!({"organisation": "Example Hosting", "name": "Abuse desk", "email": email,
                   "lang": lang, "kind": "hosting", "tlp_max": tlp_max}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    check_response("POST", "/api/v1/contacts", 201, &r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn preview(a: &App, number: &str, body: Value) -> Vec<Value> {
    let r = a
        .post(
            &format!("/api/v1/incidents/{number}/notifications/preview"),
            &a.handler,
            body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response(
        "POST",
        "/api/v1/incidents/{id}/notifications/preview",
        200,
        &r.body,
    );
    r.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn each_recipient_gets_the_category_template_in_their_language_defanged() {
    let a = notifying_app().await;
    let (number, report) = incident(
        &a,
        "phishing",
        "green",
        &[
            ("https://login.example-bank.test/", "green"),
            ("198.51.100.7", "green"),
        ],
    )
    .await;
    let ja = contact(&a, "abuse@hosting.example", "ja", "green").await;
    let en = contact(&a, "noc@isp.example", "en", "green").await;
    let items = preview(
        &a,
        &number,
        json!({"contacts": [ja, en], "note": "至急ご確認ください"}),
    )
    .await;
    assert_eq!(items.len(), 2);
    let (j, e) = (&items[0], &items[1]);
    assert_eq!(
        (
            j["recipient"]["lang"].as_str(),
            e["recipient"]["lang"].as_str()
        ),
        (Some("ja"), Some("en"))
    );
    assert_eq!(j["template"], "notification.phishing");
    let tag = format!("[hikeshi #{report}]");
    for d in [j, e] {
        let subject = d["subject"].as_str().unwrap();
        let body = d["body"].as_str().unwrap();
        assert!(
            subject.starts_with(&format!("{tag} TLP:GREEN")),
            "{subject}"
        );
        assert!(
            body.contains("hxxps://login[.]example-bank[.]test/"),
            "{body}"
        );
        assert!(body.contains("198[.]51[.]100[.]7"), "{body}");
        assert!(
            !body.contains("example-bank.test") && !body.contains("198.51.100.7"),
            "{body}"
        );
        assert!(
            body.contains(&number) && body.contains("至急ご確認ください"),
            "{body}"
        );
        assert_eq!(d["indicators"], 2);
        assert!(d["attachment"].is_null());
    }
    assert!(
        j["subject"]
            .as_str()
            .unwrap()
            .contains("フィッシングサイト")
    );
    assert!(j["body"].as_str().unwrap().contains("フィッシングサイトが"));
    assert!(e["subject"].as_str().unwrap().contains("Phishing site"));
    assert!(e["body"].as_str().unwrap().contains("take it down"));

    // Another category, another template; an unknown template is refused.
    let (scan, _) = incident(&a, "scan", "green", &[("203.0.113.9", "green")]).await;
    let items = preview(&a, &scan, json!({"contacts": [en]})).await;
    assert_eq!(items[0]["template"], "notification.scan");
    assert!(
        items[0]["body"]
            .as_str()
            .unwrap()
            .contains("scanning other networks")
    );
    let items = preview(
        &a,
        &scan,
        json!({"contacts": [en], "template": "notification.other"}),
    )
    .await;
    assert_eq!(items[0]["template"], "notification.other");
    let r = a
        .post(
            &format!("/api/v1/incidents/{scan}/notifications/preview"),
            &a.handler,
            json!({"contacts": [en], "template": "nope"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    // An administrator's override is what is sent.
    let r = a
        .call(
            "PUT",
            "/api/v1/templates/notification.scan/en",
            Some(&a.admin),
            Some(json!({"subject": "Scan from your network", "body": "{{ indicator_count }} hosts\n"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let items = preview(&a, &scan, json!({"contacts": [en]})).await;
    assert_eq!(items[0]["body"], "1 hosts\n");
    let subject = items[0]["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("[hikeshi #")
            && subject.contains("TLP:GREEN")
            && subject.ends_with("Scan from your network"),
        "tag and marking are kept: {subject}"
    );
}

#[tokio::test]
async fn only_what_the_recipient_may_receive_goes_out_and_red_never() {
    let a = notifying_app().await;
    let (number, _) = incident(
        &a,
        "malware-site",
        "green",
        &[
            ("evil.example.com", "green"),
            ("bad.example.net", "amber"),
            ("secret.example.org", "red"),
        ],
    )
    .await;
    let green = contact(&a, "green@example.jp", "en", "green").await;
    let amber = contact(&a, "amber@example.jp", "en", "amber+strict").await;
    let items = preview(&a, &number, json!({"contacts": [green, amber]})).await;
    let body = |i: usize| items[i]["body"].as_str().unwrap().to_owned();
    assert!(
        body(0).contains("evil[.]example[.]com") && !body(0).contains("bad[.]example"),
        "{}",
        body(0)
    );
    assert_eq!(
        (items[0]["tlp"].as_str(), items[0]["withheld"].as_i64()),
        (Some("green"), Some(2))
    );
    assert!(items[0]["subject"].as_str().unwrap().contains("TLP:GREEN"));
    assert!(
        body(1).contains("bad[.]example[.]net") && body(1).contains("TLP:AMBER"),
        "{}",
        body(1)
    );
    assert_eq!(items[1]["tlp"], "amber");
    for i in 0..2 {
        assert!(
            !body(i).contains("secret"),
            "TLP:RED never goes out: {}",
            body(i)
        );
    }
    // A chosen subset only.
    let list = a
        .get(&format!("/api/v1/incidents/{number}/indicators"), &a.viewer)
        .await
        .json();
    let first = list["items"][0]["id"].as_i64().unwrap();
    let items = preview(
        &a,
        &number,
        json!({"contacts": [amber], "indicators": [first]}),
    )
    .await;
    assert_eq!(items[0]["indicators"], 1);
    // An AMBER incident is not notified to a GREEN contact; a RED one to nobody.
    let (amber_inc, _) = incident(&a, "other", "amber", &[]).await;
    let r = a
        .post(
            &format!("/api/v1/incidents/{amber_inc}/notifications"),
            &a.handler,
            json!({"contacts": [green]}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(
        r.text().contains("green@example.jp") && r.text().contains("TLP:AMBER"),
        "{}",
        r.text()
    );
    let (red_inc, _) = incident(&a, "other", "red", &[]).await;
    let r = a
        .post(
            &format!("/api/v1/incidents/{red_inc}/notifications"),
            &a.handler,
            json!({"contacts": [amber]}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(
        a.get(
            &format!("/api/v1/incidents/{amber_inc}/notifications"),
            &a.viewer
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_long_list_goes_as_a_csv_attachment() {
    let a = notifying_app().await;
    let values: Vec<String> = (1..=25).map(|i| format!("198.51.100.{i}")).collect();
    let inds: Vec<(&str, &str)> = values.iter().map(|v| (v.as_str(), "green")).collect();
    let (number, _) = incident(&a, "scan", "green", &inds).await;
    let c = contact(&a, "noc@isp.example", "ja", "green").await;
    let items = preview(&a, &number, json!({"contacts": [c]})).await;
    let att = &items[0]["attachment"];
    assert_eq!(att["filename"], format!("{number}-indicators.csv"));
    let body = items[0]["body"].as_str().unwrap();
    assert!(body.contains("25 件の指標は添付ファイル"), "{body}");
    assert!(
        !body.contains("198[.]51[.]100[.]25"),
        "the list is in the file, not the body"
    );
    let r = a
        .post(
            &format!("/api/v1/incidents/{number}/notifications"),
            &a.handler,
            json!({"contacts": [c]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let claimed = a.store.claim_outgoing("test", 10, 60_000).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let raw = String::from_utf8_lossy(&claimed[0].raw).to_string();
    assert!(raw.contains("text/csv"), "{raw}");
    assert!(raw.contains(&format!("{number}-indicators.csv")), "{raw}");
    let parsed = hikeshi_mail::parse(&claimed[0].raw).unwrap();
    let csv = parsed
        .attachments
        .iter()
        .find(|x| x.filename.as_deref().is_some_and(|f| f.ends_with(".csv")))
        .expect("csv attached");
    let text = String::from_utf8(csv.data.clone()).unwrap();
    assert!(text.starts_with("\u{feff}kind,defanged,tlp"), "{text}");
    assert!(text.contains("ipv4,198[.]51[.]100[.]25,green"), "{text}");
    assert!(!text.contains("198.51.100.25"), "{text}");
}

fn asset(name: &str, owner: &str, department: &str) -> AssetRecord {
    AssetRecord {
        name: name.into(),
        addresses: vec![],
        owner: owner.into(),
        department: department.into(),
        criticality: String::new(),
        location: String::new(),
        os: String::new(),
        software: vec![],
    }
}

#[tokio::test]
async fn a_recipient_chosen_twice_gets_one_message_queued_tracked_and_answered() {
    let a = notifying_app().await;
    let (number, report) = incident(
        &a,
        "defacement",
        "green",
        &[("defaced.example.jp", "green")],
    )
    .await;
    let c = contact(&a, "web@example.jp", "ja", "green").await;
    a.store
        .upsert_assets(
            &Actor::System,
            &[
                asset("web01", "Web team <WEB@example.jp>", ""),
                asset("db01", "dba@example.jp", "情報システム部"),
                asset("nomail", "Somebody", ""),
            ],
        )
        .await
        .unwrap();
    let req = json!({"contacts": [c], "assets": ["web01", "db01"]});
    let items = preview(&a, &number, req.clone()).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0]["recipient"]["email"], "web@example.jp");
    assert_eq!(
        items[0]["recipient"]["routes"],
        json!([format!("contact:{c}"), "asset:web01"])
    );
    assert_eq!(items[1]["recipient"]["email"], "dba@example.jp");
    assert_eq!(items[1]["recipient"]["contact_id"], Value::Null);
    let r = a
        .post(
            &format!("/api/v1/incidents/{number}/notifications/preview"),
            &a.handler,
            json!({"assets": ["nomail"]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let r = a
        .post(
            &format!("/api/v1/incidents/{number}/notifications/preview"),
            &a.handler,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());

    // Viewers may not send; handlers may.
    let path = format!("/api/v1/incidents/{number}/notifications");
    assert_eq!(a.post(&path, &a.viewer, req.clone()).await.status, 403);
    let r = a.post(&path, &a.handler, req).await;
    assert_eq!(r.status, 201, "{}", r.text());
    check_response("POST", "/api/v1/incidents/{id}/notifications", 201, &r.body);
    let list = a.get(&path, &a.viewer).await;
    check_response(
        "GET",
        "/api/v1/incidents/{id}/notifications",
        200,
        &list.body,
    );
    let list = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["status"], "queued");
    assert!(
        list[0]["subject"]
            .as_str()
            .unwrap()
            .starts_with(&format!("[hikeshi #{report}] TLP:GREEN"))
    );
    let mid = list[0]["message_id"].as_str().unwrap().to_owned();
    assert!(
        mid.starts_with("notify.") && mid.ends_with("@example.org"),
        "{mid}"
    );
    // The queued bytes carry our Message-ID, the tag and the language.
    let claimed = a.store.claim_outgoing("test", 10, 60_000).await.unwrap();
    let first = claimed
        .iter()
        .find(|m| m.recipients == ["web@example.jp"])
        .unwrap();
    let parsed = hikeshi_mail::parse(&first.raw).unwrap();
    assert_eq!(parsed.message_id.as_deref(), Some(mid.as_str()));
    assert!(
        parsed.subject.contains(&format!("[hikeshi #{report}]")),
        "{}",
        parsed.subject
    );
    assert!(parsed.text.contains("defaced[.]example[.]jp"));
    a.store.mark_failed(first.id, "421 busy").await.unwrap();
    let list = a.get(&path, &a.viewer).await.json();
    assert_eq!(list["items"][0]["status"], "failed");
    assert_eq!(list["items"][0]["last_error"], "421 busy");
    // The timeline has one event per message.
    let tl = a
        .get(&format!("/api/v1/incidents/{number}/timeline"), &a.viewer)
        .await
        .json();
    let sends = tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "notification")
        .count();
    assert_eq!(sends, 2);

    // The owner replies without the tag: In-Reply-To finds the notification.
    let mail = MailConfig {
        address: "csirt@example.org".into(),
        ..MailConfig::default()
    };
    let raw = format!(
        "From: Web team <web@example.jp>\r\nTo: csirt@example.org\r\nSubject: Re: 改ざんについて\r\n\
         Message-ID: <reply.1@example.jp>\r\nIn-Reply-To: <{mid}>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n復旧しました。\r\n"
    );
    let taken = hikeshi_server::ack::take_mail(
        &a.store,
        &Actor::System,
        &hikeshi_ioc::Extractor::new(),
        raw.into_bytes(),
        "",
        Some(&mail),
        "Example CSIRT",
        540,
    )
    .await
    .unwrap();
    assert_eq!(taken.action.as_str(), "joined");
    let list = a.get(&path, &a.viewer).await.json();
    assert_eq!(list["items"][0]["status"], "answered");
    assert_eq!(list["items"][0]["answered_by"], taken.report.id.0);
    assert_eq!(
        list["items"][1]["status"], "sending",
        "claimed above, not yet done"
    );
    let reports = a
        .get(&format!("/api/v1/incidents/{number}/reports"), &a.viewer)
        .await
        .json();
    assert_eq!(reports["total"], 2, "the reply joined the incident");
}
