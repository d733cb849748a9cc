//! `hikeshi report submit FILE`: store a report from a file (a mail message or plain text) and
//! print its ticket number.

use crate::config::Settings;
use anyhow::Context;
use clap::Subcommand;
use hikeshi_domain::{Actor, Channel, NewReport};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Store FILE (`-` for stdin) as a new report and print its ticket number. A mail message
    /// (.eml) is read with its headers, charsets and attachments; anything else is text.
    Submit {
        file: PathBuf,
        /// Print the report as JSON instead of the ticket number alone.
        #[arg(long)]
        json: bool,
    },
}

/// The report a file makes: a parsed mail message when it is one, plain text otherwise.
/// Invalid UTF-8 in plain text is shown with replacement characters; the raw bytes are kept.
pub fn report_from_bytes(name: &str, raw: Vec<u8>) -> NewReport {
    if let Ok(m) = hikeshi_mail::parse(&raw) {
        if m.from.is_some() || !m.subject.is_empty() {
            return hikeshi_server::intake::report_from_mail(&m, raw, Channel::Cli);
        }
    }
    let body = String::from_utf8_lossy(&raw).into_owned();
    NewReport {
        channel: Some(Channel::Cli),
        subject: body
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(name)
            .chars()
            .take(80)
            .collect(),
        body,
        raw_content_type: "text/plain".into(),
        raw,
        ..Default::default()
    }
}

pub async fn run(settings: Settings, cmd: ReportCmd) -> anyhow::Result<ExitCode> {
    let ReportCmd::Submit { file, json } = cmd;
    let (name, raw) = if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading stdin")?;
        ("stdin".to_owned(), buf)
    } else {
        let raw = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        (file.display().to_string(), raw)
    };
    anyhow::ensure!(
        !raw.is_empty(),
        "{name}: the file is empty; nothing to report"
    );
    let store = settings.open_store().await?;
    let mut new = report_from_bytes(&name, raw);
    new.extract_indicators(&settings.extractor()?);
    let found = new.indicators.len();
    let r = store.submit_report(&Actor::Cli, new).await?;
    if json {
        println!(
            "{}",
            serde_json::json!({"ticket": r.id.0, "tag": r.ticket, "subject": r.subject, "lang": r.lang, "indicators": found})
        );
    } else {
        println!("{}", r.id.0);
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
