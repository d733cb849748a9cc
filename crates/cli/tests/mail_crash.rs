//! "Nothing acknowledged is ever lost", tested by killing: for each step of mail intake
//! (message read; report and acknowledgement committed; message flagged `\Seen`; the
//! acknowledgement accepted by the SMTP server) `hikeshi serve` is started with that crash point
//! armed and aborts there, as a power cut would stop it; a second, normal run then finishes the
//! work. Every time: exactly one report, the message `\Seen`, and the acknowledgement delivered
//! (once; twice only when the process died between the SMTP server's answer and recording it,
//! the documented at-least-once case). Real Postfix and Dovecot, a mailbox of its own
//! (`crash@example.org`) so no other test's server reads these messages.

mod common;
mod mailkit;
use common::*;
use mailkit::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run `hikeshi serve` with the crash point armed until it dies there.
fn run_until_crash(data: &std::path::Path, config: &std::path::Path, at: &str) {
    let mut child = Command::new(bin())
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HIKESHI_CRASH_AT", at)
        .env("HIKESHI_E2E_IMAP_PASSWORD", "crash-pw")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hikeshi serve");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("hikeshi serve never reached the crash point {at}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).ok();
    assert!(
        err.contains(&format!("crash point {at} reached")),
        "{at}: serve ended otherwise ({status:?}):\n{err}"
    );
    assert!(!status.success(), "{at}: an abort is not a clean exit");
}

fn acks(imap: &str, mid: &str) -> usize {
    imap_messages(imap, "reporter@example.jp", "reporter-pw")
        .into_iter()
        .filter_map(|(_, raw)| hikeshi_mail::parse(&raw).ok())
        .filter(|m| m.in_reply_to.iter().any(|i| i == mid))
        .count()
}

#[test]
fn a_kill_at_each_step_of_mail_intake_loses_nothing_and_doubles_no_report() {
    let Some((smtp, imap, ca)) = servers() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = write_mailbox_config(
        dir.path(),
        &smtp,
        &imap,
        &ca,
        "crash@example.org",
        "crash",
        "timeout_seconds = 2\n",
    );
    let token = handler_token(dir.path());
    let a = agent();

    for step in [
        "imap.fetched",
        "imap.committed",
        "imap.flagged",
        "mail.sent",
    ] {
        let nonce = format!(
            "{step}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let mid = format!("crash-{nonce}@example.jp");
        smtp_send(
            &smtp,
            "reporter@example.jp",
            "crash@example.org",
            &format!(
                "From: reporter@example.jp\r\nTo: crash@example.org\r\nSubject: phishing report {nonce}\r\n\
                 Message-ID: <{mid}>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\n\
                 Content-Type: text/plain; charset=UTF-8\r\n\r\nhxxp://phish[.]example[.]net/ ref {nonce}\r\n"
            ),
        );
        let ours = || {
            imap_messages(&imap, "crash@example.org", "crash-pw")
                .into_iter()
                .find(|(_, raw)| String::from_utf8_lossy(raw).contains(&mid))
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while ours().is_none() {
            assert!(Instant::now() < deadline, "{step}: Postfix did not deliver");
            std::thread::sleep(Duration::from_millis(200));
        }

        run_until_crash(dir.path(), &config, step);
        let seen_after_crash = ours().is_some_and(|(f, _)| is_seen(&f));
        assert_eq!(
            seen_after_crash,
            matches!(step, "imap.flagged" | "mail.sent"),
            "{step}: \\Seen only once the report is committed and flagged"
        );

        // The normal run finishes the work.
        let (server, base) = serve_as(dir.path(), &config, "crash-pw");
        let url = format!("{base}/api/v1/reports?q={nonce}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let ticket = loop {
            let (status, list) = call(&a, "GET", &url, &token, None);
            assert_eq!(status, 200, "{list}");
            let seen = ours().is_some_and(|(f, _)| is_seen(&f));
            if seen && list["total"] == 1 && acks(&imap, &mid) >= 1 {
                break list["items"][0]["id"].as_i64().unwrap();
            }
            assert!(
                list["total"].as_i64().unwrap_or(0) <= 1,
                "{step}: the report was doubled: {list}"
            );
            assert!(
                Instant::now() < deadline,
                "{step}: not finished after the restart (seen {seen}, acks {}): {list}",
                acks(&imap, &mid)
            );
            std::thread::sleep(Duration::from_millis(300));
        };
        // Recorded as sent. After a death between the SMTP server's answer and the record, that
        // is after the claim's lease ran out (10 × (2 s timeout + 5 s) here) and a second send.
        let mail_url = format!("{base}/api/v1/reports/{ticket}/mail");
        let deadline = Instant::now() + Duration::from_secs(150);
        loop {
            let (status, q) = call(&a, "GET", &mail_url, &token, None);
            assert_eq!(status, 200, "{q}");
            if q["items"][0]["status"] == "sent" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{step}: never recorded as sent: {q}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        // Longer than the sender's and the poller's intervals: nothing more arrives.
        std::thread::sleep(Duration::from_secs(4));
        let (_, list) = call(&a, "GET", &url, &token, None);
        assert_eq!(list["total"], 1, "{step}: {list}");
        let delivered = acks(&imap, &mid);
        let (_, q) = call(&a, "GET", &mail_url, &token, None);
        assert_eq!(
            q["items"].as_array().map(Vec::len),
            Some(1),
            "{step}: one queued ack: {q}"
        );
        assert_eq!(q["items"][0]["status"], "sent", "{step}: {q}");
        if step == "mail.sent" {
            // The SMTP server had accepted it when the process died: sent again, at least once.
            assert_eq!(delivered, 2, "{step}: at least once, here twice");
        } else {
            assert_eq!(delivered, 1, "{step}: exactly one acknowledgement");
        }
        drop(server);
    }
}
