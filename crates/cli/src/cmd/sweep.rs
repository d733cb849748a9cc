//! `hikeshi sweep`: sweep logs for indicators, offline. A thin layer over `hikeshi_sweep`: flags
//! become `SweepOptions`, hits are printed as they arrive, and the exit status follows grep
//! (0 hits found, 1 none, 2 error).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use hikeshi_sweep::output::{self, Summary};
use hikeshi_sweep::{FieldMap, Format, Hit, Sink, Stats, SweepError, SweepOptions, Sweeper};

/// Sweep logs for indicators (Squid, Apache/nginx combined, Zeek, JSON lines, CSV, syslog/text;
/// gzip, zstd and bzip2 read transparently). Exit status: 0 hits found, 1 none, 2 error.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Indicator list, one per line, in any form (also defanged: hxxp://evil[.]com).
    #[arg(long, short = 'i', value_name = "FILE")]
    pub indicators: PathBuf,
    /// Log format; `auto` detects it per file from its first lines.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// How hits are printed on standard output.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputArg::Jsonl)]
    pub output: OutputArg,
    /// Matching threads (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Print only the number of lines with a hit.
    #[arg(long, short = 'c')]
    pub count: bool,
    /// Also print hits per indicator and per internal host (on standard error).
    #[arg(long)]
    pub summary: bool,
    /// Meaning of a JSON/CSV/Zeek field: NAME=ROLE, ROLE one of host, ip, url, hash, email,
    /// auto, text, ignore (repeatable; dotted names for nested JSON: source.ip=ip).
    #[arg(long = "field", value_name = "NAME=ROLE")]
    pub fields: Vec<String>,
    /// Also record the hits as sightings on this incident (id or number), linked to the assets
    /// whose name or address is the internal host; sweeping the same logs again adds nothing.
    #[arg(long, value_name = "INCIDENT")]
    pub incident: Option<String>,
    /// Log files or directories (recursive); `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Auto,
    Squid,
    Combined,
    Zeek,
    Jsonl,
    Csv,
    Text,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputArg {
    Jsonl,
    Csv,
    Table,
}

impl FormatArg {
    fn format(self) -> Option<Format> {
        match self {
            FormatArg::Auto => None,
            FormatArg::Squid => Some(Format::Squid),
            FormatArg::Combined => Some(Format::Combined),
            FormatArg::Zeek => Some(Format::Zeek),
            FormatArg::Jsonl => Some(Format::Jsonl),
            FormatArg::Csv => Some(Format::Csv),
            FormatArg::Text => Some(Format::Text),
        }
    }
}

/// Prints hits as they come, keeps what the table and the summary need, shows progress on a
/// terminal.
struct Printer<W: Write> {
    out: W,
    output: OutputArg,
    count_only: bool,
    table: Vec<[String; 6]>,
    summary: Option<Summary>,
    /// Input was left unswept (unreadable, truncated, binary): exit 2 as grep does.
    failed: bool,
    /// Standard output is gone (a closed pipe): stop sweeping.
    broken: bool,
    progress: Option<(Instant, Instant)>,
    /// Hits kept for recording as sightings (`--incident`).
    kept: Option<Vec<Hit>>,
}

impl<W: Write> Printer<W> {
    fn write_line(&mut self, line: &str) {
        if self.broken {
            return;
        }
        if writeln!(self.out, "{line}").is_err() {
            self.broken = true;
        }
    }
}

impl<W: Write> Sink for Printer<W> {
    fn hit(&mut self, hit: Hit) {
        if let Some(s) = &mut self.summary {
            s.add(&hit);
        }
        if let Some(k) = &mut self.kept {
            k.push(hit.clone());
        }
        if self.count_only {
            return;
        }
        match self.output {
            OutputArg::Jsonl => self.write_line(&output::json_line(&hit)),
            OutputArg::Csv => self.write_line(&output::csv_row(&hit)),
            OutputArg::Table => self.table.push(output::table_row(&hit)),
        }
    }

    fn error(&mut self, error: SweepError) {
        self.failed |= error.is_fatal_for_input();
        clear_progress(self.progress.is_some());
        eprintln!("hikeshi sweep: {error}");
    }

    fn progress(&mut self, stats: &Stats) {
        let Some((start, last)) = &mut self.progress else {
            return;
        };
        if last.elapsed() < Duration::from_millis(250) {
            return;
        }
        *last = Instant::now();
        let secs = start.elapsed().as_secs_f64().max(1e-9);
        let mb = stats.bytes as f64 / 1e6;
        eprint!(
            "\r{:>10.1} MB  {:>8.1} MB/s  {} files  {} hit lines ",
            mb,
            mb / secs,
            stats.files,
            stats.hit_lines
        );
    }

    fn cancelled(&self) -> bool {
        self.broken
    }
}

fn clear_progress(shown: bool) {
    if shown {
        eprint!("\r\x1b[2K");
    }
}

/// Runs `hikeshi sweep`. Errors are printed here and become exit status 2 (grep's contract),
/// rather than returned, so the caller's generic error status cannot change the contract; the
/// `Result` is kept for the uniform subcommand signature.
pub fn run(args: SweepArgs) -> anyhow::Result<ExitCode> {
    match sweep(args) {
        Ok((code, _)) => Ok(code),
        Err(e) => {
            eprintln!("hikeshi sweep: {e:#}");
            Ok(ExitCode::from(2))
        }
    }
}

/// `hikeshi sweep --incident …`: sweep as usual, then record the hits as sightings.
pub async fn run_for_incident(
    settings: crate::config::Settings,
    args: SweepArgs,
) -> anyhow::Result<ExitCode> {
    let Some(incident) = args.incident.clone() else {
        return run(args);
    };
    let store = match settings.open_store().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("hikeshi sweep: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let inc = match incident.parse::<i64>() {
        Ok(id) => {
            store
                .incident(
                    hikeshi_store::Viewer::System,
                    hikeshi_domain::IncidentId(id),
                )
                .await
        }
        Err(_) => match incident.parse() {
            Ok(n) => {
                store
                    .incident_by_number(hikeshi_store::Viewer::System, n)
                    .await
            }
            Err(e) => {
                eprintln!("hikeshi sweep: --incident {incident:?}: {e}");
                return Ok(ExitCode::from(2));
            }
        },
    };
    let inc = match inc {
        Ok(i) => i,
        Err(e) => {
            eprintln!("hikeshi sweep: --incident {incident:?}: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let (code, hits) = match tokio::task::spawn_blocking(move || sweep(args)).await? {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hikeshi sweep: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    // Hits become sightings the way the server maps them for sweep jobs (DESIGN.md §4).
    let sightings: Vec<hikeshi_domain::NewSighting> = hits
        .into_iter()
        .map(hikeshi_server::sweep_jobs::sighting)
        .collect();
    let r = store
        .record_sightings(&hikeshi_domain::Actor::Cli, inc.id, &sightings)
        .await?;
    eprintln!(
        "hikeshi sweep: {} hits, {} new sightings on {} ({} on known assets)",
        sightings.len(),
        r.new,
        inc.number,
        r.on_assets
    );
    store.close().await;
    Ok(code)
}

fn sweep(args: SweepArgs) -> anyhow::Result<(ExitCode, Vec<Hit>)> {
    let file = File::open(&args.indicators)
        .with_context(|| format!("cannot open indicator list {}", args.indicators.display()))?;
    let loaded = hikeshi_sweep::read_indicators(BufReader::new(file))
        .with_context(|| format!("cannot read indicator list {}", args.indicators.display()))?;
    // A messy list should not drown the terminal: the first few lines say what is wrong.
    const SHOWN: usize = 10;
    for r in loaded.rejected.iter().take(SHOWN) {
        eprintln!(
            "hikeshi sweep: {}:{}: skipped {:?}: {}",
            args.indicators.display(),
            r.line,
            r.text,
            r.reason
        );
    }
    if loaded.rejected.len() > SHOWN {
        eprintln!(
            "hikeshi sweep: {}: {} more lines skipped",
            args.indicators.display(),
            loaded.rejected.len() - SHOWN
        );
    }
    if loaded.set.is_empty() {
        bail!(
            "{}: no indicator that can be swept for",
            args.indicators.display()
        );
    }

    let mut field_map = FieldMap::new();
    for f in &args.fields {
        field_map.parse_entry(f).map_err(anyhow::Error::msg)?;
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let opts = SweepOptions {
        format: args.format.format(),
        threads,
        field_map,
        ..SweepOptions::default()
    };

    let stdout = io::stdout();
    let mut printer = Printer {
        out: BufWriter::new(stdout.lock()),
        output: args.output,
        count_only: args.count,
        table: Vec::new(),
        summary: args.summary.then(Summary::default),
        failed: false,
        broken: false,
        progress: io::stderr()
            .is_terminal()
            .then(|| (Instant::now(), Instant::now())),
        kept: args.incident.is_some().then(Vec::new),
    };
    if !args.count && args.output == OutputArg::Csv {
        printer.write_line(output::CSV_HEADER);
    }
    let stats = Sweeper::new(&loaded.set, opts).sweep_paths(&args.paths, &mut printer);
    clear_progress(printer.progress.is_some());

    if args.count {
        printer.write_line(&stats.hit_lines.to_string());
    } else if args.output == OutputArg::Table && !printer.table.is_empty() {
        let table = output::render_table(&output::TABLE_HEADER, &printer.table);
        printer.write_line(table.trim_end());
    }
    if let Some(summary) = &printer.summary {
        eprint!("{}", summary.render());
    }
    if printer.out.flush().is_err() {
        printer.broken = true;
    }
    let code = if printer.failed {
        ExitCode::from(2)
    } else if stats.hit_lines > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    Ok((code, printer.kept.take().unwrap_or_default()))
}
