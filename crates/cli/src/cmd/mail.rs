//! `hikeshi import mail PATH...` (.eml files, mbox, Maildir) and `hikeshi mailgate` (one message
//! on standard input, for an MTA to pipe to). Each message is stored whole before it is
//! reported; replies join their thread and incident; a Message-ID seen before is a duplicate.
//! Mailgate is live intake and queues the acknowledgement of a new report (sent by `serve`);
//! imports read old mail and never acknowledge.

use crate::config::Settings;
use anyhow::Context;
use clap::{Args, ValueEnum};
use hikeshi_mail::MailSource;
use hikeshi_server::ack::TakeError;
use hikeshi_store::{AckOutcome, MailAction, Store};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Jsonl,
}

#[derive(Args)]
pub struct ImportMailArgs {
    /// Message files, mbox files or Maildir directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Args)]
pub struct MailgateArgs {
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

struct Intake {
    store: Store,
    extractor: hikeshi_ioc::Extractor,
    /// Set for mailgate (live intake, acknowledged); `None` for imports.
    mail: Option<hikeshi_server::mail_config::MailConfig>,
    team_name: String,
    offset_minutes: i32,
    out: std::io::Stdout,
    format: Format,
    failed: usize,
}

impl Intake {
    /// Store one message and print one line about it; a message that cannot be read is reported
    /// with where it came from and does not stop the others.
    async fn one(&mut self, origin: &str, raw: Vec<u8>) -> anyhow::Result<()> {
        let taken = hikeshi_server::ack::take_mail(
            &self.store,
            &hikeshi_domain::Actor::Cli,
            &self.extractor,
            raw,
            "",
            self.mail.as_ref(),
            &self.team_name,
            self.offset_minutes,
        )
        .await;
        let (report, action, ack) = match taken {
            Ok(t) => (t.report, t.action, t.ack),
            Err(TakeError::Unreadable(e)) => {
                self.failed += 1;
                eprintln!("{origin}: not stored: {e}");
                return Ok(());
            }
            Err(TakeError::Store(e)) => return Err(e.into()),
        };
        if let AckOutcome::Skipped(reason) = &ack {
            tracing::info!(origin, ticket = report.id.0, %reason, "no acknowledgement");
        }
        let mut o = self.out.lock();
        match self.format {
            Format::Text => writeln!(o, "{origin}\t{}\t{}", report.id.0, action.as_str())?,
            Format::Jsonl => writeln!(
                o,
                "{}",
                serde_json::json!({"file": origin, "ticket": report.id.0, "action": action.as_str(),
                                   "incident": report.incident_id.map(|i| i.0), "ack": ack_text(&ack)})
            )?,
        }
        if action == MailAction::Duplicate {
            tracing::debug!(origin, "duplicate message id");
        }
        Ok(())
    }
}

/// `live`: mailgate, which acknowledges new reports like IMAP polling does; imports read old
/// mail and never do.
async fn intake(settings: &Settings, format: Format, live: bool) -> anyhow::Result<Intake> {
    let mail = if live {
        Some(settings.mail.server_config()?)
    } else {
        None
    };
    Ok(Intake {
        store: settings.open_store().await?,
        extractor: settings.extractor()?,
        mail,
        team_name: settings.team_name.clone(),
        offset_minutes: settings.display_offset_minutes,
        out: std::io::stdout(),
        format,
        failed: 0,
    })
}

pub async fn import(settings: Settings, a: ImportMailArgs) -> anyhow::Result<ExitCode> {
    let mut i = intake(&settings, a.format, false).await?;
    for path in &a.paths {
        let shown = path.display().to_string();
        match hikeshi_mail::detect_source(path).with_context(|| format!("{shown}: cannot read"))? {
            MailSource::Message => {
                let raw = std::fs::read(path).with_context(|| format!("reading {shown}"))?;
                i.one(&shown, raw).await?;
            }
            MailSource::Mbox => {
                for m in hikeshi_mail::open_mbox(path)? {
                    match m {
                        Ok(m) => i.one(&format!("{shown}:{}", m.line), m.raw).await?,
                        Err(e) => {
                            i.failed += 1;
                            eprintln!("{shown}: {e}");
                        }
                    }
                }
            }
            MailSource::Maildir => {
                for m in hikeshi_mail::read_maildir(path)? {
                    match m {
                        Ok(m) => i.one(&m.path.display().to_string(), m.raw).await?,
                        Err(e) => {
                            i.failed += 1;
                            eprintln!("{e}");
                        }
                    }
                }
            }
        }
    }
    i.store.close().await;
    Ok(if i.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Exit status follows the MTA convention: 0 delivered, 75 (EX_TEMPFAIL) when the message could
/// not be stored so the MTA keeps it and retries — a message is never dropped.
pub async fn mailgate(settings: Settings, a: MailgateArgs) -> anyhow::Result<ExitCode> {
    let mut raw = Vec::new();
    std::io::stdin()
        .read_to_end(&mut raw)
        .context("reading the message from standard input")?;
    let run = async {
        let mut i = intake(&settings, a.format, true).await?;
        i.one("stdin", raw).await?;
        i.store.close().await;
        anyhow::Ok(i.failed)
    };
    match run.await {
        Ok(0) => Ok(ExitCode::SUCCESS),
        Ok(_) => Ok(ExitCode::from(65)), // EX_DATAERR: not a message; retrying will not help
        Err(e) => {
            eprintln!("hikeshi mailgate: {e:#}");
            Ok(ExitCode::from(75))
        }
    }
}

/// `queued`, `skipped: REASON`, or null when none was asked for (imports, replies).
fn ack_text(a: &AckOutcome) -> serde_json::Value {
    match a {
        AckOutcome::NotAsked => serde_json::Value::Null,
        AckOutcome::Queued(_) => "queued".into(),
        AckOutcome::Skipped(r) => format!("skipped: {r}").into(),
    }
}
