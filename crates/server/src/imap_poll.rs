//! IMAP polling: each configured mailbox is read on its own schedule; every unseen message is
//! taken in through [`crate::ack::take_mail`] (the function `hikeshi mailgate` uses) and only
//! then flagged `\Seen`.
//!
//! Nothing is lost: the message is fetched with `BODY.PEEK[]`, which leaves it unseen, and the
//! flag is set only after the report (and its acknowledgement) is committed. A crash between
//! the commit and the flag makes the next poll offer the message again; the Message-ID
//! duplicate check then recognises it and only the flag is set. A message that cannot be
//! parsed stays unseen in the mailbox, for a person to look at, and is logged once per run.
//! A new connection is made for every poll: simpler than IDLE, and it recovers from every
//! server restart without state.

use crate::mail_config::{ImapMailbox, MailConfig, Security};
use futures_util::StreamExt;
use hikeshi_store::{MailAction, Store};
use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A plain or TLS connection, one type for async-imap.
#[derive(Debug)]
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

type Session = async_imap::Session<Conn>;

async fn tls(host: &str, ca_pem: &[u8], tcp: TcpStream) -> Result<Conn, String> {
    use tokio_rustls::rustls::pki_types::CertificateDer;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        let cert = cert.map_err(|e| format!("ca_file: {e}"))?;
        roots.add(cert).map_err(|e| format!("ca_file: {e}"))?;
    }
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| format!("{host:?}: {e}"))?;
    let s = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {host}: {e}"))?;
    Ok(Conn::Tls(Box::new(s)))
}

/// Connect, secure and log in.
pub async fn login(m: &ImapMailbox) -> Result<Session, String> {
    let tcp = tokio::time::timeout(
        Duration::from_secs(30),
        TcpStream::connect((m.host.as_str(), m.port)),
    )
    .await
    .map_err(|_| "connect timed out".to_owned())?
    .map_err(|e| format!("connect to {}:{}: {e}", m.host, m.port))?;
    let conn = match m.security {
        Security::Tls => tls(&m.host, &m.ca_pem, tcp).await?,
        Security::Plain | Security::StartTls => Conn::Plain(tcp),
    };
    let mut client = async_imap::Client::new(conn);
    client
        .read_response()
        .await
        .map_err(|e| format!("greeting: {e}"))?
        .ok_or("the server closed the connection before greeting")?;
    if m.security == Security::StartTls {
        client
            .run_command_and_check_ok("STARTTLS", None)
            .await
            .map_err(|e| format!("STARTTLS: {e}"))?;
        let Conn::Plain(tcp) = client.into_inner() else {
            return Err("STARTTLS on a TLS connection".into());
        };
        client = async_imap::Client::new(tls(&m.host, &m.ca_pem, tcp).await?);
    }
    client
        .login(&m.username, &m.password)
        .await
        .map_err(|(e, _)| format!("login as {}: {e}", m.username))
}

/// What one poll did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Polled {
    pub new: usize,
    pub joined: usize,
    pub duplicate: usize,
    /// Left unseen because they could not be read as mail.
    pub unreadable: usize,
}

/// Everything a poll needs besides the mailbox.
#[derive(Clone)]
pub struct Intake {
    pub store: Store,
    pub extractor: Arc<hikeshi_ioc::Extractor>,
    pub mail: Arc<MailConfig>,
    pub team_name: String,
    pub offset_minutes: i32,
    /// What each poller last did, shown on the administration page, which can also wake one.
    pub status: Arc<crate::mail_status::MailStatus>,
}

/// Read every unseen message of `m` once. A store failure stops the poll with the message
/// still unseen.
pub async fn poll_once(
    i: &Intake,
    m: &ImapMailbox,
    reported: &mut HashSet<u32>,
) -> Result<Polled, String> {
    let mut s = login(m).await?;
    s.select(&m.folder)
        .await
        .map_err(|e| format!("select {:?}: {e}", m.folder))?;
    let mut uids: Vec<u32> = s
        .uid_search("UNSEEN")
        .await
        .map_err(|e| format!("search: {e}"))?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut out = Polled::default();
    for uid in uids {
        let raw = {
            let mut fetched = s
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await
                .map_err(|e| format!("fetch {uid}: {e}"))?;
            let mut raw = None;
            while let Some(f) = fetched.next().await {
                let f = f.map_err(|e| format!("fetch {uid}: {e}"))?;
                if let Some(b) = f.body() {
                    raw = Some(b.to_vec());
                }
            }
            raw
        };
        let Some(raw) = raw else { continue };
        crate::crash::point("imap.fetched");
        let taken = crate::ack::take_mail(
            &i.store,
            &hikeshi_domain::Actor::System,
            &i.extractor,
            raw,
            &m.label,
            Some(&i.mail),
            &i.team_name,
            i.offset_minutes,
        )
        .await;
        match taken {
            Ok(t) => {
                match t.action {
                    MailAction::New => out.new += 1,
                    MailAction::Joined => out.joined += 1,
                    MailAction::Duplicate => out.duplicate += 1,
                }
                tracing::info!(mailbox = %m.label, uid, ticket = t.report.id.0, action = t.action.as_str(), ack = ?t.ack, "mail taken in");
            }
            Err(crate::ack::TakeError::Unreadable(e)) => {
                out.unreadable += 1;
                if reported.insert(uid) {
                    tracing::warn!(mailbox = %m.label, uid, error = %e, "not a mail message; left unseen");
                }
                continue;
            }
            Err(e) => return Err(format!("storing uid {uid}: {e}")),
        }
        crate::crash::point("imap.committed");
        // Only now, with the report committed, is the message marked seen.
        let mut stored = s
            .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
            .await
            .map_err(|e| format!("flag {uid}: {e}"))?;
        while let Some(r) = stored.next().await {
            r.map_err(|e| format!("flag {uid}: {e}"))?;
        }
        crate::crash::point("imap.flagged");
    }
    let _ = s.logout().await;
    Ok(out)
}

/// Poll every mailbox on its schedule until `stop` changes.
pub async fn run(i: Intake, stop: tokio::sync::watch::Receiver<bool>) {
    let mut tasks = Vec::new();
    for m in i.mail.imap.clone() {
        let i = i.clone();
        let mut stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            tracing::info!(mailbox = %m.label, host = %m.host, port = m.port, folder = %m.folder, "polling IMAP");
            let mut reported = HashSet::new();
            let wake = i.status.waker(&m.label).unwrap_or_default();
            loop {
                let outcome = poll_once(&i, &m, &mut reported).await;
                i.status
                    .record(&m.label, hikeshi_domain::time::now_ms(), &outcome);
                match outcome {
                    Ok(p) if p != Polled::default() => {
                        tracing::debug!(mailbox = %m.label, ?p, "polled");
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(mailbox = %m.label, error = %e, "IMAP poll failed; will retry");
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(m.poll_seconds.max(1))) => {}
                    _ = wake.notified() => {}
                    _ = stop.changed() => return,
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}
