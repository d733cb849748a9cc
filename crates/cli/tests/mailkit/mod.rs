//! What the mail end-to-end tests share: the real servers' addresses (from
//! `scripts/mail-test-server.sh`), a minimal SMTP client, reading a mailbox over IMAP, and
//! `hikeshi serve` with a mail configuration that polls the CSIRT's mailbox and sends through
//! Postfix.

#![allow(dead_code)]

use crate::common::{bin, hikeshi, hikeshi_stdin, stdout};
use futures_util::StreamExt;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// (SMTP address, IMAP address, the CA that signed their certificate).
pub fn servers() -> Option<(String, String, String)> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    match (
        var("HIKESHI_TEST_SMTP"),
        var("HIKESHI_TEST_IMAP"),
        var("HIKESHI_TEST_MAIL_CA"),
    ) {
        (Some(s), Some(i), Some(ca)) => Some((s, i, ca)),
        _ if std::env::var("HIKESHI_REQUIRE_MAIL").is_ok_and(|v| v == "1") => panic!(
            "HIKESHI_REQUIRE_MAIL=1 but HIKESHI_TEST_SMTP/HIKESHI_TEST_IMAP/HIKESHI_TEST_MAIL_CA \
             are not set: start the servers with scripts/mail-test-server.sh start"
        ),
        _ => {
            eprintln!(
                "SKIPPED mail end-to-end test: HIKESHI_TEST_SMTP/HIKESHI_TEST_IMAP/HIKESHI_TEST_MAIL_CA \
                 are not set (scripts/mail-test-server.sh start prints them; scripts/test.sh sets them)"
            );
            None
        }
    }
}

/// A minimal SMTP client: enough to hand one message to our own Postfix on loopback.
pub fn smtp_send(addr: &str, from: &str, to: &str, data: &str) {
    let s = TcpStream::connect(addr).expect("connect to SMTP");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut w = s;
    let mut expect = |code: &str| loop {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert!(
            line.starts_with(code),
            "SMTP: expected {code}, got {line:?}"
        );
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    };
    expect("220");
    for (cmd, code) in [
        ("EHLO reporter.example.jp".to_owned(), "250"),
        (format!("MAIL FROM:<{from}>"), "250"),
        (format!("RCPT TO:<{to}>"), "250"),
        ("DATA".to_owned(), "354"),
    ] {
        write!(w, "{cmd}\r\n").unwrap();
        expect(code);
    }
    for line in data.split("\r\n") {
        let dot = if line.starts_with('.') { "." } else { "" };
        write!(w, "{dot}{line}\r\n").unwrap();
    }
    write!(w, ".\r\n").unwrap();
    expect("250");
    write!(w, "QUIT\r\n").unwrap();
}

/// Every message in INBOX of `user`: (flags, raw bytes), read without setting \Seen.
pub fn imap_messages(addr: &str, user: &str, pw: &str) -> Vec<(Vec<String>, Vec<u8>)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connect to IMAP");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        let mut s = client.login(user, pw).await.map_err(|(e, _)| e).unwrap();
        s.select("INBOX").await.unwrap();
        let mut out = Vec::new();
        {
            let mut f = s.uid_fetch("1:*", "(FLAGS BODY.PEEK[])").await.unwrap();
            while let Some(m) = f.next().await {
                let m = m.unwrap();
                let flags = m.flags().map(|f| format!("{f:?}")).collect();
                out.push((flags, m.body().unwrap_or_default().to_vec()));
            }
        }
        s.logout().await.ok();
        out
    })
}

pub fn is_seen(flags: &[String]) -> bool {
    flags.iter().any(|f| f == "Seen")
}

/// Kills `hikeshi serve` when dropped.
pub struct Kill(pub std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// `hikeshi serve` with the mail configuration; its base URL.
pub fn serve(data: &std::path::Path, config: &std::path::Path) -> (Kill, String) {
    serve_as(data, config, "csirt-pw")
}

/// [`serve`] polling a mailbox whose IMAP password is `imap_password`.
pub fn serve_as(
    data: &std::path::Path,
    config: &std::path::Path,
    imap_password: &str,
) -> (Kill, String) {
    let mut child = Command::new(bin())
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HIKESHI_LOG", "info")
        .env("HIKESHI_E2E_IMAP_PASSWORD", imap_password)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start hikeshi serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(a) = line.strip_prefix("hikeshi listening on ") {
            break a.trim().to_owned();
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Kill(child), base)
}

/// The configuration file for `hikeshi serve`: our address, Postfix for sending, and the
/// CSIRT's mailbox polled every second, all over STARTTLS with the script's CA.
pub fn write_config(dir: &std::path::Path, smtp: &str, imap: &str, ca: &str) -> std::path::PathBuf {
    write_mailbox_config(dir, smtp, imap, ca, "csirt@example.org", "abuse", "")
}

/// [`write_config`] for the mailbox `address` (our address too) labelled `label`, with
/// `smtp_extra` (TOML lines, e.g. `timeout_seconds = 2\n`) added to `[mail.smtp]`.
pub fn write_mailbox_config(
    dir: &std::path::Path,
    smtp: &str,
    imap: &str,
    ca: &str,
    address: &str,
    label: &str,
    smtp_extra: &str,
) -> std::path::PathBuf {
    let (imap_host, imap_port) = imap.rsplit_once(':').unwrap();
    let (smtp_host, smtp_port) = smtp.rsplit_once(':').unwrap();
    let config = dir.join("hikeshi.toml");
    std::fs::write(
        &config,
        format!(
            "[mail]\naddress = \"{address}\"\ndisplay_name = \"Example CSIRT\"\n\
             [mail.smtp]\nhost = \"{smtp_host}\"\nport = {smtp_port}\nsecurity = \"starttls\"\n\
             ca_file = \"{ca}\"\n{smtp_extra}\
             [[mail.imap]]\nlabel = \"{label}\"\nhost = \"{imap_host}\"\nport = {imap_port}\n\
             security = \"starttls\"\nca_file = \"{ca}\"\nusername = \"{address}\"\n\
             password_env = \"HIKESHI_E2E_IMAP_PASSWORD\"\npoll_seconds = 1\n"
        ),
    )
    .unwrap();
    config
}

/// A handler (`sato`) in the data directory `data`, and an API token of theirs.
pub fn handler_token(data: &std::path::Path) -> String {
    let add = hikeshi_stdin(
        data,
        &[
            "user",
            "add",
            "sato",
            "--role",
            "handler",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    stdout(&hikeshi(data, &["user", "token", "sato", "--name", "e2e"]))
        .trim()
        .to_owned()
}
