//! `hikeshi report submit FILE`: store a report from a file (a mail message or plain text) and
//! print its ticket number. `hikeshi report incident N --lang ja --out FILE.pdf`: write one
//! incident's report (インシデント報告書) as HTML or PDF.

use super::stats::{ReportFormat, ReportLang, engine_for, write_document};
use crate::config::Settings;
use anyhow::Context;
use clap::Subcommand;
use hikeshi_domain::{Actor, Channel, NewReport};
use hikeshi_server::i18n::Lang;
use hikeshi_server::incident_report;
use hikeshi_server::util::IncidentRef;
use hikeshi_store::Viewer;
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
    /// Write the report of one incident (executive summary, timeline, impact, scope, actions and
    /// decisions, defanged indicators, lessons learned) marked with its TLP. INCIDENT is a
    /// number (HK-2026-000123) or an id. The format follows --out's extension (.pdf: PDF
    /// printed by headless Chromium — HIKESHI_CHROMIUM names the program, default chromium on
    /// PATH — anything else: a standalone HTML file) unless --format says otherwise.
    Incident {
        incident: String,
        #[arg(long, value_enum, default_value = "ja")]
        lang: ReportLang,
        #[arg(long, value_enum)]
        format: Option<ReportFormat>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 60)]
        timeout: u64,
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
    match cmd {
        ReportCmd::Submit { file, json } => submit(settings, file, json).await,
        ReportCmd::Incident {
            incident,
            lang,
            format,
            out,
            timeout,
        } => {
            let format = format.unwrap_or(
                if out
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
                {
                    ReportFormat::Pdf
                } else {
                    ReportFormat::Html
                },
            );
            let engine = engine_for(format)?;
            let store = settings.open_store().await?;
            let html = incident_html(&store, &settings, &incident, lang.into()).await;
            store.close().await;
            write_document(html?, engine, timeout, &out).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The incident's report as the command line sees it (everything: it runs on the server).
async fn incident_html(
    store: &hikeshi_store::Store,
    settings: &Settings,
    incident: &str,
    lang: Lang,
) -> anyhow::Result<String> {
    let inc = match hikeshi_server::util::incident_ref(incident)
        .map_err(|e| anyhow::anyhow!(e.message))?
    {
        IncidentRef::Id(id) => store.incident(Viewer::System, id).await?,
        IncidentRef::Number(n) => store.incident_by_number(Viewer::System, n).await?,
    };
    let doc = incident_report::gather(store, Viewer::System, inc).await?;
    let env = hikeshi_server::ui::templates(settings.display_offset_minutes);
    // Times in the configured display offset, as the periodic report shows them.
    Ok(incident_report::report_html(
        &env,
        &doc,
        lang,
        "",
        &settings.team_name,
        true,
    )?)
}

async fn submit(settings: Settings, file: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
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
