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

pub fn run(cmd: IocCmd) -> anyhow::Result<ExitCode> {
    match cmd {
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
