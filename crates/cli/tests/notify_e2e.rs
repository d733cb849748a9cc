//! A notification end to end on real servers (Postfix and Dovecot from
//! `scripts/mail-test-server.sh`): a handler notifies a Japanese contact about a phishing
//! incident with a long indicator list; `hikeshi serve` sends it through Postfix; we read it
//! from the contact's mailbox over IMAP (Japanese, tagged, marked, the list as a defanged CSV
//! attachment); the contact replies to it, hikeshi's IMAP poll takes the reply in, and the
//! notification shows as answered with the reply joined to the incident.
//!
//! The contact's mailbox is the script's second account (reporter@example.jp), so the test
//! needs no change to the servers. Skipped without the servers, like `mail_e2e.rs`.

mod common;
mod mailkit;
use common::*;
use mailkit::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CONTACT: &str = "reporter@example.jp";

/// Poll `f` every 300 ms until it gives a value, or fail with `what` after `secs`.
fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what} within {secs} s");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn a_notification_reaches_the_contact_and_their_reply_marks_it_answered() {
    let Some((smtp, imap, ca)) = servers() else {
        return;
    };
    let nonce = format!(
        "{}x{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &smtp, &imap, &ca);
    let token = handler_token(dir.path());
    let (_server, base) = serve(dir.path(), &config);
    let a = agent();
    let api = |method: &str, path: &str, body: Option<Value>| {
        call(&a, method, &format!("{base}{path}"), &token, body)
    };

    // A phishing incident from a web report, with 25 indicators (more than fit in a body).
    let (s, r) = api(
        "POST",
        "/api/v1/reports",
        Some(json!({"subject": format!("phishing {nonce}"), "body": "偽の銀行サイト"})),
    );
    assert_eq!(s, 201, "{r}");
    let ticket = r["id"].as_i64().unwrap();
    let (s, inc) = api(
        "POST",
        "/api/v1/incidents",
        Some(
            json!({"title": "銀行を装うフィッシングサイト", "category": "phishing", "tlp": "green", "reports": [ticket]}),
        ),
    );
    assert_eq!(s, 201, "{inc}");
    let number = inc["number"].as_str().unwrap().to_owned();
    let phish = format!("login-{nonce}.example.com");
    let mut items =
        vec![json!({"value": format!("https://{phish}/"), "role": "phishing", "tlp": "green"})];
    items.extend(
        (1..=24).map(
            |i| json!({"value": format!("198.51.100.{i}"), "role": "phishing", "tlp": "green"}),
        ),
    );
    let (s, r) = api(
        "POST",
        &format!("/api/v1/incidents/{number}/indicators"),
        Some(json!({"items": items})),
    );
    assert_eq!(s, 201, "{r}");
    let (s, c) = api(
        "POST",
        "/api/v1/contacts",
        Some(
            json!({"organisation": "Example JP", "name": "山田", "email": CONTACT, "lang": "ja", "kind": "hosting"}),
        ),
    );
    assert_eq!(s, 201, "{c}");
    let contact = c["id"].as_i64().unwrap();

    let path = format!("/api/v1/incidents/{number}/notifications");
    let (s, sent) = api("POST", &path, Some(json!({"contacts": [contact]})));
    assert_eq!(s, 201, "{sent}");
    let mid = sent["items"][0]["message_id"].as_str().unwrap().to_owned();

    // Delivered through Postfix to the contact's mailbox.
    let mail = wait_for(60, "the notification in the contact's mailbox", || {
        imap_messages(&imap, CONTACT, "reporter-pw")
            .into_iter()
            .map(|(_, raw)| hikeshi_mail::parse(&raw).unwrap())
            .find(|m| m.message_id.as_deref() == Some(mid.as_str()))
    });
    let tag = format!("[hikeshi #{ticket}]");
    assert!(
        mail.subject.starts_with(&format!("{tag} TLP:GREEN")),
        "{}",
        mail.subject
    );
    assert!(
        mail.subject.contains("フィッシングサイト"),
        "{}",
        mail.subject
    );
    assert_eq!(mail.language, hikeshi_mail::Language::Ja);
    assert_eq!(mail.from.as_ref().unwrap().address, "csirt@example.org");
    assert!(mail.text.contains("山田 様"), "{}", mail.text);
    assert!(
        mail.text.contains("25 件の指標は添付ファイル"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains(&number), "{}", mail.text);
    let csv = mail
        .attachments
        .iter()
        .find(|x| x.filename.as_deref() == Some(format!("{number}-indicators.csv").as_str()))
        .expect("the CSV attachment");
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    let text = String::from_utf8(csv.data.clone()).unwrap();
    let defanged = format!("hxxps://login-{nonce}[.]example[.]com/");
    assert!(text.contains(&defanged), "{text}");
    assert!(text.contains("198[.]51[.]100[.]24"), "{text}");
    assert!(
        !text.contains(&phish) && !text.contains("198.51.100.24"),
        "nothing live: {text}"
    );

    // Recorded as sent.
    wait_for(30, "the notification recorded as sent", || {
        let (_, l) = api("GET", &path, None);
        (l["items"][0]["status"] == "sent").then_some(())
    });

    // The contact replies; hikeshi's IMAP poll takes it in and marks the notification.
    let reply = format!(
        "From: =?UTF-8?B?5bGx55Sw?= <{CONTACT}>\r\n\
         To: csirt@example.org\r\n\
         Subject: Re: {tag} takedown\r\n\
         Message-ID: <reply-{nonce}@example.jp>\r\n\
         In-Reply-To: <{mid}>\r\n\
         References: <{mid}>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         サイトを停止しました。\r\n"
    );
    smtp_send(&smtp, CONTACT, "csirt@example.org", &reply);
    let answered = wait_for(90, "the notification marked answered", || {
        let (_, l) = api("GET", &path, None);
        (l["items"][0]["status"] == "answered").then(|| l["items"][0].clone())
    });
    assert!(answered["answered_at"].as_i64().is_some(), "{answered}");
    let (_, reports) = api("GET", &format!("/api/v1/incidents/{number}/reports"), None);
    assert_eq!(
        reports["total"], 2,
        "the reply joined the incident: {reports}"
    );
    let (_, tl) = api("GET", &format!("/api/v1/incidents/{number}/timeline"), None);
    let kinds: Vec<&str> = tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"notification") && kinds.contains(&"notification-answered"),
        "{kinds:?}"
    );
}
