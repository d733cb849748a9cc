//! `hikeshi ioc extract [FILE|-] [--format jsonl|table]` and `hikeshi ioc defang`.

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use hikeshi_ioc::{DefangStyle, Extractor, WarningList, WarningSet, default_extractor};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum IocCmd {
    /// Find every indicator in free text (defanged and full-width forms too) and print one per
    /// line: kind, normal form, the text as written, byte offsets and warnings.
    Extract(ExtractArgs),
    /// Import indicator lists (one per line, or CSV with a header) into an incident; prints
    /// every rejected line with its number and reason. Exit 1 when any line was rejected.
    Import {
        /// The incident: id or number (HK-2026-000123).
        #[arg(long)]
        incident: String,
        #[arg(long, default_value = "unknown")]
        role: String,
        #[arg(long, default_value = "amber")]
        tlp: String,
        /// Import nothing from a file that has any rejected line.
        #[arg(long)]
        strict: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print indicators (one per line, any accepted form) defanged for mail and chat.
    Defang {
        /// `-` or absent: standard input.
        file: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "brackets")]
        style: Style,
    },
}

#[derive(Args)]
pub struct ExtractArgs {
    /// `-` or absent: standard input. Invalid UTF-8 is read with replacement characters;
    /// offsets always refer to the input bytes.
    file: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Extra warning lists in MISP warninglist JSON format.
    #[arg(long = "warninglist", value_name = "FILE")]
    warninglists: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Jsonl,
    Table,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Style {
    Brackets,
    Parens,
    Words,
}

fn read_input(file: Option<&PathBuf>) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match file {
        Some(f) if f.as_os_str() != "-" => {
            buf = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("reading standard input")?;
        }
    }
    Ok(buf)
}

impl IocCmd {
    /// Whether the command works on the database (the others are pure text tools).
    pub fn needs_store(&self) -> bool {
        matches!(self, IocCmd::Import { .. })
    }
}

/// `hikeshi ioc import`: each file is parsed whole first; its accepted lines are attached in
/// one transaction, so a file is never half-imported.
pub async fn import(settings: crate::config::Settings, cmd: IocCmd) -> anyhow::Result<ExitCode> {
    let IocCmd::Import {
        incident,
        role,
        tlp,
        strict,
        files,
    } = cmd
    else {
        anyhow::bail!("not an import command");
    };
    let store = settings.open_store().await?;
    let inc = match incident.parse::<i64>() {
        Ok(id) => {
            store
                .incident(
                    hikeshi_store::Viewer::System,
                    hikeshi_domain::IncidentId(id),
                )
                .await?
        }
        Err(_) => {
            store
                .incident_by_number(hikeshi_store::Viewer::System, incident.parse()?)
                .await?
        }
    };
    let ctx = hikeshi_domain::IndicatorContext {
        role: hikeshi_domain::parse_named(&role)?,
        tlp: hikeshi_domain::Tlp::parse(&tlp)?,
        ..Default::default()
    };
    let mut any_rejected = false;
    for f in &files {
        let data = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        let is_csv = f.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let r = if is_csv {
            hikeshi_ioc::parse_csv(&data)
        } else {
            hikeshi_ioc::parse_lines(&data)
        };
        for rej in &r.rejected {
            eprintln!(
                "{}:{}: {:?}: {}",
                f.display(),
                rej.line,
                rej.text,
                rej.reason
            );
        }
        any_rejected |= !r.rejected.is_empty();
        if strict && !r.rejected.is_empty() {
            println!(
                "{}: nothing imported ({} lines rejected, --strict)",
                f.display(),
                r.rejected.len()
            );
            continue;
        }
        let items: Vec<_> = r
            .accepted
            .iter()
            .map(|a| (a.indicator.clone(), ctx.clone()))
            .collect();
        if !items.is_empty() {
            store
                .attach_indicators(&hikeshi_domain::Actor::Cli, inc.id, &items)
                .await?;
        }
        println!(
            "{}: {} imported into {}, {} rejected",
            f.display(),
            items.len(),
            inc.number,
            r.rejected.len()
        );
    }
    store.close().await;
    Ok(if any_rejected {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn run(cmd: IocCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        IocCmd::Import { .. } => anyhow::bail!("import needs the database; use import()"),
        IocCmd::Extract(a) => extract(a),
        IocCmd::Defang { file, style } => {
            let style = match style {
                Style::Brackets => DefangStyle::Brackets,
                Style::Parens => DefangStyle::Parens,
                Style::Words => DefangStyle::Words,
            };
            let text = String::from_utf8_lossy(&read_input(file.as_ref())?).into_owned();
            let mut out = std::io::stdout().lock();
            let mut bad = 0;
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match hikeshi_ioc::parse_indicator(line.trim()) {
                    Ok(i) => writeln!(out, "{}", hikeshi_ioc::defang(&i, style))?,
                    Err(e) => {
                        bad += 1;
                        eprintln!("line {}: {e}", n + 1);
                    }
                }
            }
            Ok(if bad > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn extract(a: ExtractArgs) -> anyhow::Result<ExitCode> {
    let input = read_input(a.file.as_ref())?;
    let custom;
    let extractor: &Extractor = if a.warninglists.is_empty() {
        default_extractor()
    } else {
        let mut set = WarningSet::builtin();
        for f in &a.warninglists {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            set.push(
                WarningList::from_misp_json(&text)
                    .with_context(|| format!("{}: not a MISP warning list", f.display()))?,
            );
        }
        custom = Extractor::new().with_warnings(set);
        &custom
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let found = extractor.extract_bytes(&input);
    match a.format {
        Format::Jsonl => {
            for x in &found {
                serde_json::to_writer(&mut out, x)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Table => {
            writeln!(
                out,
                "{:<9} {:<50} {:>8} {:>8}  warnings",
                "kind", "value", "start", "end"
            )?;
            for x in &found {
                let w: Vec<String> = x.warnings.iter().map(|w| w.to_string()).collect();
                writeln!(
                    out,
                    "{:<9} {:<50} {:>8} {:>8}  {}",
                    x.kind.as_str(),
                    x.value,
                    x.start,
                    x.end,
                    w.join(", ")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
