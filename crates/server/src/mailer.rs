//! The sender: a background task of `hikeshi serve` that claims due messages from the outgoing
//! queue and hands them to the SMTP server with lettre.
//!
//! The queue holds finished bytes, so the sender only needs the envelope: nothing is rendered
//! or re-encoded here. A message the SMTP server did not accept (connection refused, 4xx, 5xx,
//! timeout) is marked failed with the server's answer and retried with backoff; it is never
//! dropped, because a 5xx today is often a misconfiguration fixed tomorrow, and a handler can
//! see the reason in the report's list. A sender that dies between the SMTP server's "250"
//! and `mark_sent` sends that message again once its lease runs out: at least once, as with
//! any queue that cannot share a transaction with the SMTP server.

use crate::mail_config::{Security, SmtpConfig};
use hikeshi_store::{Claimed, Store};
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{SmtpTransport, Transport as _};
use std::time::Duration;

/// How often the queue is looked at when idle.
const POLL: Duration = Duration::from_secs(2);
/// Messages claimed at once.
const BATCH: u32 = 10;

/// lettre's blocking transport, run on the blocking pool: its tokio transport would turn on
/// lettre's tokio feature for the whole build, pure hikeshi-mail included (DESIGN.md §4).
type Transport = SmtpTransport;

/// The SMTP transport for `c`; `hello` is the name we greet with (our mail domain).
pub fn transport(c: &SmtpConfig, hello: &str) -> Result<Transport, String> {
    let mut b = Transport::builder_dangerous(c.host.as_str())
        .port(c.port)
        .timeout(Some(Duration::from_secs(c.timeout_secs.max(1))))
        .hello_name(ClientId::Domain(hello.to_owned()));
    let params = || -> Result<TlsParameters, String> {
        let mut p = TlsParameters::builder(c.host.clone());
        if !c.ca_pem.is_empty() {
            let ca =
                Certificate::from_pem(&c.ca_pem).map_err(|e| format!("mail.smtp.ca_file: {e}"))?;
            p = p.add_root_certificate(ca);
        }
        p.build_rustls().map_err(|e| e.to_string())
    };
    b = match c.security {
        Security::Tls => b.tls(Tls::Wrapper(params()?)),
        Security::StartTls => b.tls(Tls::Required(params()?)),
        Security::Plain => b.tls(Tls::None),
    };
    if !c.username.is_empty() {
        b = b.credentials(Credentials::new(c.username.clone(), c.password.clone()));
    }
    Ok(b.build())
}

/// Send one claimed message; `Err` carries the reason to record.
async fn send(t: &Transport, m: &Claimed) -> Result<(), String> {
    let from: Address = m
        .sender
        .parse()
        .map_err(|e| format!("sender {:?}: {e}", m.sender))?;
    let to = m
        .recipients
        .iter()
        .map(|r| {
            r.parse::<Address>()
                .map_err(|e| format!("recipient {r:?}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let envelope = Envelope::new(Some(from), to).map_err(|e| e.to_string())?;
    let (t, raw) = (t.clone(), m.raw.clone());
    tokio::task::spawn_blocking(move || t.send_raw(&envelope, &raw))
        .await
        .map_err(|e| e.to_string())?
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Claim and send what is due once; returns how many were sent.
pub async fn send_due(store: &Store, t: &Transport, owner: &str, timeout_secs: u64) -> usize {
    // The lease covers the whole batch at the transport's timeout, with room to record.
    let lease_ms = i64::from(BATCH) * (timeout_secs.max(1) as i64 + 5) * 1_000;
    let batch = match store.claim_outgoing(owner, BATCH, lease_ms).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "claiming outgoing mail failed");
            return 0;
        }
    };
    let mut sent = 0;
    for m in batch {
        match send(t, &m).await {
            Ok(()) => {
                sent += 1;
                crate::crash::point("mail.sent");
                if let Err(e) = store.mark_sent(m.id).await {
                    tracing::warn!(id = m.id, error = %e, "sent, but could not record it");
                }
            }
            Err(reason) => match store.mark_failed(m.id, &reason).await {
                Ok(next) => {
                    tracing::warn!(id = m.id, attempts = m.attempts, %reason, next_attempt_at = next, "mail not sent; will retry")
                }
                Err(e) => {
                    tracing::warn!(id = m.id, error = %e, %reason, "mail not sent, and the failure could not be recorded")
                }
            },
        }
    }
    sent
}

/// Send queued mail until `stop` changes.
pub async fn run(
    store: Store,
    smtp: SmtpConfig,
    hello: String,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let t = match transport(&smtp, &hello) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "mail.smtp is unusable; outgoing mail stays queued");
            return;
        }
    };
    let owner = format!(
        "sender-{}-{}",
        std::process::id(),
        hex::encode(crate::auth::random_bytes(4))
    );
    tracing::info!(host = %smtp.host, port = smtp.port, security = ?smtp.security, "sending queued mail");
    loop {
        // Keep going while there is a full batch; otherwise wait.
        while send_due(&store, &t, &owner, smtp.timeout_secs).await >= BATCH as usize {}
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikeshi_domain::Actor;
    use hikeshi_store::{NewOutgoing, OutKind, StoreOptions};

    #[tokio::test]
    async fn a_refused_connection_keeps_the_message_queued_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/h.sqlite3?mode=rwc", dir.path().display());
        let store = Store::connect(&url, StoreOptions::default()).await.unwrap();
        store.migrate().await.unwrap();
        let r = store
            .submit_report(
                &Actor::System,
                hikeshi_domain::NewReport {
                    body: "x".into(),
                    raw: b"x".to_vec(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        store
            .enqueue_outgoing(
                &Actor::System,
                &NewOutgoing {
                    kind: OutKind::Ack,
                    report_id: Some(r.id),
                    incident_id: None,
                    sender: "csirt@example.org".into(),
                    recipients: vec!["taro@example.jp".into()],
                    subject: "Re: [hikeshi #1] x".into(),
                    lang: "en".into(),
                    message_id: "ack.1.t@example.org".into(),
                    raw: b"Subject: x\r\n\r\nx\r\n".to_vec(),
                },
                None,
            )
            .await
            .unwrap();
        // Nothing listens on a port we just bound and released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let smtp = SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: Security::Plain,
            username: String::new(),
            password: String::new(),
            timeout_secs: 5,
            ca_pem: Vec::new(),
        };
        let t = transport(&smtp, "example.org").unwrap();
        assert_eq!(send_due(&store, &t, "test", 5).await, 0);
        let rows = store
            .report_outgoing(hikeshi_store::Viewer::System, r.id)
            .await
            .unwrap();
        assert_eq!(rows[0].status, "failed");
        assert_eq!(rows[0].attempts, 1);
        assert!(!rows[0].last_error.is_empty());
        assert!(rows[0].next_attempt_at > rows[0].created_at + 50_000);
        // Not due again before the backoff: the next round sends nothing and changes nothing.
        assert_eq!(send_due(&store, &t, "test", 5).await, 0);
        let again = store
            .report_outgoing(hikeshi_store::Viewer::System, r.id)
            .await
            .unwrap();
        assert_eq!(again[0].attempts, 1);
    }
}
