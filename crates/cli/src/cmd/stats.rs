//! `hikeshi stats import-jpcert DIR`, `hikeshi stats summary --period P [--format json|csv]`,
//! `hikeshi stats national --period P [--format json|csv]`,
//! `hikeshi stats times --period P [--format json|csv]`,
//! `hikeshi stats report --period P --lang ja|en --format html|pdf --out FILE`.

use crate::config::Settings;
use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use hikeshi_domain::Actor;
use hikeshi_domain::period::Period;
use hikeshi_domain::time_metrics::TimeMetrics;
use hikeshi_exchange::jpcert_stats::{Series, national_totals, parse_file};
use hikeshi_server::i18n::Lang;
use hikeshi_server::{stats_report, stats_view};
use hikeshi_store::Viewer;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Html,
    Pdf,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportLang {
    Ja,
    En,
}

#[derive(Subcommand)]
pub enum StatsCmd {
    /// Import JPCERT/CC's public monthly statistics (phishing.csv, scan.csv, …, incident-reports.csv)
    /// from a directory. Every clean row is read exactly; each malformed row is printed with file,
    /// line and reason and left out (its month becomes a gap). Exit 1 when any row was rejected.
    ImportJpcert { dir: PathBuf },
    /// Our own reports, incidents and coordinated cases (first notification sent) of a period
    /// by category, priority, attacker class, RSIT type and constituency, with each month's
    /// counts (exercises counted apart, never as incidents).
    Summary {
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
    /// Time metrics of the period's incidents: report to acknowledgement, first response,
    /// containment and closure (count, median, p90, max), SLA compliance per clock and the
    /// reopen rate, with a monthly trend. Exercises, merged and rejected incidents are left out.
    Times {
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
    /// The periodic report (インシデント報告対応レポート) of a period: totals, categories with
    /// charts, time metrics and notable incidents (never TLP:RED; TLP:AMBER titles withheld).
    /// PDF is printed by headless Chromium (HIKESHI_CHROMIUM names the program; default: chromium
    /// on PATH), stopped after --timeout seconds.
    Report {
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value = "ja")]
        lang: ReportLang,
        #[arg(long, value_enum, default_value = "html")]
        format: ReportFormat,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Each national series' total for a period: FY2015, 2015, 2015Q2, 2015-04, FY2015Q1 …
    National {
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
}

impl From<ReportLang> for Lang {
    fn from(l: ReportLang) -> Lang {
        match l {
            ReportLang::Ja => Lang::Ja,
            ReportLang::En => Lang::En,
        }
    }
}

/// The PDF engine a format needs, resolved before any work so a missing Chromium fails fast
/// and clearly: HIKESHI_CHROMIUM, else chromium on PATH.
pub(crate) fn engine_for(format: ReportFormat) -> anyhow::Result<Option<PathBuf>> {
    Ok(match format {
        ReportFormat::Html => None,
        ReportFormat::Pdf => Some(
            std::env::var_os("HIKESHI_CHROMIUM")
                .map(PathBuf::from)
                .or_else(stats_report::find_chromium)
                .ok_or(stats_report::PdfError::NoEngine)?,
        ),
    })
}

/// Write `html` to `out`, printed to PDF first when an engine is given.
pub(crate) async fn write_document(
    html: String,
    engine: Option<PathBuf>,
    timeout: u64,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let bytes = match engine {
        None => html.into_bytes(),
        Some(program) => {
            tokio::task::spawn_blocking(move || {
                stats_report::html_to_pdf(&html, &program, Duration::from_secs(timeout))
            })
            .await??
        }
    };
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("{}: {} bytes", out.display(), bytes.len());
    Ok(())
}

pub async fn run(settings: Settings, cmd: StatsCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        StatsCmd::ImportJpcert { dir } => {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                .with_context(|| format!("reading {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
                .collect();
            entries.sort();
            let store = settings.open_store().await?;
            let (mut files, mut rejected) = (0, 0);
            for path in entries {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if Series::from_file_name(&name).is_none() {
                    eprintln!(
                        "{}: not a JPCERT/CC statistics file name; skipped",
                        path.display()
                    );
                    continue;
                }
                let bytes =
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                let text = String::from_utf8(bytes)
                    .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text: {e}", path.display()))?;
                let import =
                    parse_file(&name, &text).with_context(|| format!("{}", path.display()))?;
                for r in &import.rejected {
                    eprintln!("{}", r);
                }
                rejected += import.rejected.len();
                println!(
                    "{name}: {} months read, {} not counted, {} rejected",
                    import.rows.len(),
                    import.not_counted.len(),
                    import.rejected.len()
                );
                store.put_national_file(&Actor::Cli, &name, &text).await?;
                files += 1;
            }
            store.close().await;
            anyhow::ensure!(
                files > 0,
                "{}: no JPCERT/CC statistics files found",
                dir.display()
            );
            Ok(if rejected > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        StatsCmd::Summary { period, format } => {
            let p: Period = period
                .parse()
                .map_err(|e| anyhow::anyhow!("--period {period:?}: {e}"))?;
            let store = settings.open_store().await?;
            let (counts, months) = store.period_counts(p).await?;
            store.close().await;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&stats_view::summary_json(p, &counts, &months))?
                ),
                Format::Csv => print!("{}", stats_view::summary_csv(&counts)),
            }
            Ok(ExitCode::SUCCESS)
        }
        StatsCmd::Times { period, format } => {
            let p: Period = period
                .parse()
                .map_err(|e| anyhow::anyhow!("--period {period:?}: {e}"))?;
            let store = settings.open_store().await?;
            let items = store
                .incident_times(p.start_ms_jst(), p.end_ms_jst())
                .await?;
            store.close().await;
            let m = TimeMetrics::compute(p, &items, hikeshi_domain::time::now_ms());
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&m)?),
                Format::Csv => print!("{}", m.to_csv()),
            }
            Ok(ExitCode::SUCCESS)
        }
        StatsCmd::Report {
            period,
            lang,
            format,
            out,
            timeout,
        } => {
            let p: Period = period
                .parse()
                .map_err(|e| anyhow::anyhow!("--period {period:?}: {e}"))?;
            let lang = Lang::from(lang);
            let engine = engine_for(format)?;
            let store = settings.open_store().await?;
            let env = hikeshi_server::ui::templates(settings.display_offset_minutes);
            let html = stats_report::report_html(
                &store,
                &env,
                p,
                lang,
                Viewer::System,
                &settings.team_name,
                true,
            )
            .await;
            store.close().await;
            write_document(html?, engine, timeout, &out).await?;
            Ok(ExitCode::SUCCESS)
        }
        StatsCmd::National { period, format } => {
            let period: Period = period
                .parse()
                .map_err(|e| anyhow::anyhow!("--period {period:?}: {e}"))?;
            let store = settings.open_store().await?;
            let files = store.national_files().await?;
            store.close().await;
            anyhow::ensure!(
                !files.is_empty(),
                "no national statistics imported yet: run 'hikeshi stats import-jpcert DIR'"
            );
            let imports = files
                .iter()
                .map(|(name, text)| parse_file(name, text).with_context(|| name.clone()))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let totals = national_totals(&imports, period)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&totals)?),
                Format::Csv => print!("{}", totals.to_csv()),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
