//! Mail end to end on real servers (Postfix and Dovecot from Debian, started on loopback by
//! `scripts/mail-test-server.sh`): a reporter's Japanese message goes through SMTP to the
//! CSIRT's mailbox, `hikeshi serve` picks it up over IMAP, opens a report, and sends the
//! acknowledgement through SMTP; we read it from the reporter's mailbox over IMAP. hikeshi
//! talks STARTTLS to both servers (certificate from the script's throwaway CA, `ca_file`).
//!
//! Needs HIKESHI_TEST_SMTP, HIKESHI_TEST_IMAP (host:port) and HIKESHI_TEST_MAIL_CA (printed by
//! the script; set by scripts/test.sh). Without them the test is skipped, with a reason,
//! unless HIKESHI_REQUIRE_MAIL=1, when it fails.

mod common;
mod mailkit;
use common::*;
use futures_util::StreamExt;
use mailkit::*;
use std::time::{Duration, Instant};

const SUBJECT_B64: &str = "5LiN5a+p44Gq44Oh44O844Or44Gu5aCx5ZGK"; // 不審なメールの報告
const NAME_B64: &str = "5bGx55SwIOWkqumDjg=="; // 山田 太郎

/// Clear \Seen on the message containing `needle`, as if hikeshi had died between storing
/// the report and setting the flag.
fn imap_unsee(addr: &str, user: &str, pw: &str, needle: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        let mut s = client.login(user, pw).await.map_err(|(e, _)| e).unwrap();
        s.select("INBOX").await.unwrap();
        let mut uid = None;
        {
            let mut f = s.uid_fetch("1:*", "(UID BODY.PEEK[])").await.unwrap();
            while let Some(m) = f.next().await {
                let m = m.unwrap();
                if String::from_utf8_lossy(m.body().unwrap_or_default()).contains(needle) {
                    uid = m.uid;
                }
            }
        }
        let uid = uid.expect("the message is in the mailbox");
        {
            let mut st = s
                .uid_store(uid.to_string(), "-FLAGS.SILENT (\\Seen)")
                .await
                .unwrap();
            while let Some(r) = st.next().await {
                r.unwrap();
            }
        }
        s.logout().await.ok();
    });
}

fn acks_for(imap: &str, mid: &str) -> Vec<hikeshi_mail::ParsedMail> {
    imap_messages(imap, "reporter@example.jp", "reporter-pw")
        .into_iter()
        .map(|(_, raw)| hikeshi_mail::parse(&raw).unwrap())
        .filter(|m| m.in_reply_to.iter().any(|i| i == mid))
        .collect()
}

#[test]
fn a_japanese_report_by_mail_is_taken_in_over_imap_and_acknowledged_over_smtp() {
    let Some((smtp, imap, ca)) = servers() else {
        return;
    };
    let nonce = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mid = format!("e2e-{nonce}@example.jp");
    let message = format!(
        "From: =?UTF-8?B?{NAME_B64}?= <reporter@example.jp>\r\n\
         To: csirt@example.org\r\n\
         Subject: =?UTF-8?B?{SUBJECT_B64}?=\r\n\
         Message-ID: <{mid}>\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0900\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         お世話になっております。\r\n\
         本日、添付ファイル付きの不審なメールを受信しました。\r\n\
         送信元: hxxp://evil[.]example[.]net/login\r\n\
         参照番号: {nonce}\r\n"
    );
    smtp_send(&smtp, "reporter@example.jp", "csirt@example.org", &message);

    // Delivered, and unseen before hikeshi runs.
    let ours = |msgs: &[(Vec<String>, Vec<u8>)]| {
        msgs.iter()
            .find(|(_, raw)| String::from_utf8_lossy(raw).contains(&mid))
            .cloned()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let delivered = loop {
        if let Some(m) = ours(&imap_messages(&imap, "csirt@example.org", "csirt-pw")) {
            break m;
        }
        assert!(
            Instant::now() < deadline,
            "Postfix did not deliver to the CSIRT mailbox"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(!is_seen(&delivered.0), "{:?}", delivered.0);

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &smtp, &imap, &ca);
    let token = handler_token(dir.path());

    let (server, base) = serve(dir.path(), &config);

    // The report appears; the message is never \Seen before it exists (the flag is read
    // first, so a seen flag with no report would be caught).
    let a = agent();
    let url = format!("{base}/api/v1/reports?q={nonce}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let report = loop {
        let seen = ours(&imap_messages(&imap, "csirt@example.org", "csirt-pw"))
            .is_some_and(|(flags, _)| is_seen(&flags));
        let (status, list) = call(&a, "GET", &url, &token, None);
        assert_eq!(status, 200, "{list}");
        let found = list["items"].as_array().and_then(|i| i.first()).cloned();
        assert!(
            !(seen && found.is_none()),
            "the message was marked seen before its report existed"
        );
        if let (Some(r), true) = (&found, seen) {
            break r.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no report (and \\Seen) within 60 s: {list}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    let ticket = report["id"].as_i64().unwrap();
    assert_eq!(report["lang"], "ja", "{report}");
    assert_eq!(report["subject"], "不審なメールの報告");
    assert_eq!(report["reporter"]["email"], "reporter@example.jp");
    assert_eq!(report["reporter"]["name"], "山田 太郎");
    assert_eq!(report["channel"], "mail");
    assert_eq!(report["mailbox"], "abuse", "the mailbox's label");

    // The acknowledgement reaches the reporter: Japanese, tagged, threaded.
    let deadline = Instant::now() + Duration::from_secs(60);
    let ack = loop {
        if let Some(m) = acks_for(&imap, &mid).pop() {
            break m;
        }
        assert!(
            Instant::now() < deadline,
            "no acknowledgement in the reporter's mailbox within 60 s"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(
        ack.subject,
        format!("Re: [hikeshi #{ticket}] 不審なメールの報告")
    );
    assert_eq!(
        hikeshi_mail::TicketTag::default().find(&ack.subject),
        Some(ticket as u64)
    );
    assert_eq!(ack.references, vec![mid.clone()]);
    assert_eq!(ack.language, hikeshi_mail::Language::Ja);
    assert!(ack.text.contains("ご報告をお受けしました"), "{}", ack.text);
    assert!(
        ack.text.contains(&format!("[hikeshi #{ticket}]")),
        "{}",
        ack.text
    );
    assert_eq!(
        ack.loop_headers.auto_submitted.as_deref(),
        Some("auto-replied")
    );
    let from = ack.from.unwrap();
    assert_eq!(from.address, "csirt@example.org");

    // The queue records it as sent (right after the SMTP server's answer).
    let mail_url = format!("{base}/api/v1/reports/{ticket}/mail");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, q) = call(&a, "GET", &mail_url, &token, None);
        assert_eq!(status, 200, "{q}");
        assert_eq!(q["items"].as_array().map(Vec::len), Some(1), "{q}");
        assert_eq!(q["items"][0]["kind"], "ack");
        if q["items"][0]["status"] == "sent" {
            break;
        }
        assert!(Instant::now() < deadline, "not recorded as sent: {q}");
        std::thread::sleep(Duration::from_millis(200));
    }

    // A crash after the report was stored but before \Seen was set: the next run sees the
    // message again, recognises the Message-ID, and only sets the flag. Still one report, one
    // acknowledgement.
    drop(server);
    imap_unsee(&imap, "csirt@example.org", "csirt-pw", &mid);
    let unseen = ours(&imap_messages(&imap, "csirt@example.org", "csirt-pw")).unwrap();
    assert!(!is_seen(&unseen.0), "{:?}", unseen.0);
    let (_server, base) = serve(dir.path(), &config);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ours(&imap_messages(&imap, "csirt@example.org", "csirt-pw"))
        .is_some_and(|(flags, _)| is_seen(&flags))
    {
        assert!(
            Instant::now() < deadline,
            "not marked seen again after the restart"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    // Longer than the sender's poll, so a second acknowledgement would have gone out.
    std::thread::sleep(Duration::from_secs(4));
    let url = format!("{base}/api/v1/reports?q={nonce}");
    let (_, list) = call(&a, "GET", &url, &token, None);
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(acks_for(&imap, &mid).len(), 1);
    let (_, q) = call(
        &a,
        "GET",
        &format!("{base}/api/v1/reports/{ticket}/mail"),
        &token,
        None,
    );
    assert_eq!(q["items"].as_array().map(Vec::len), Some(1), "{q}");
}
