//! hikeshi (火消し): the binary and composition root. Reads the configuration (the only crate
//! that touches flags, files and the environment), opens the store and runs a subcommand.

mod cmd;
mod config;
mod demo;
mod mail_config;
mod sweep_config;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "hikeshi",
    version,
    about = "hikeshi 火消し — incident response for CSIRTs"
)]
struct Cli {
    /// Data directory: the SQLite database, configuration file and uploads live here.
    #[arg(long, global = true, env = "HIKESHI_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (default: DATA_DIR/hikeshi.toml when it exists).
    #[arg(long, global = true, env = "HIKESHI_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (UI, API, public report form).
    Serve(cmd::serve::ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(cmd::user::UserCmd),
    /// Reports: submit one from a file; write one incident's report (HTML or PDF).
    #[command(subcommand)]
    Report(cmd::report::ReportCmd),
    /// The audit log.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCmd),
    /// The asset inventory: hosts, owners, installed software.
    #[command(subcommand)]
    Asset(AssetCmd),
    /// Vulnerability advisories: OSV, CVE JSON 5, CSAF 2.0, JVN.
    #[command(subcommand)]
    Advisory(AdvisoryCmd),
    /// Vulnerability response: which assets an advisory affects.
    #[command(subcommand)]
    Vuln(cmd::vuln::VulnCmd),
    /// Statistics: national figures from JPCERT/CC.
    #[command(subcommand)]
    Stats(cmd::stats::StatsCmd),
    /// Import data: mail (.eml, mbox, Maildir), STIX 2.1 bundles, MISP events and feeds.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Export indicators to share: STIX 2.1, MISP, CSV, defanged text (TLP-capped).
    #[command(subcommand)]
    Export(cmd::sharing::ExportCmd),
    /// Sharing groups: the audiences of TAXII collections and the MISP API.
    #[command(subcommand)]
    Sharing(cmd::sharing::SharingCmd),
    /// TAXII 2.1 feeds pulled on a schedule.
    #[command(subcommand)]
    Feed(cmd::sharing::FeedCmd),
    /// Take one mail message on standard input (for an MTA to pipe to, like rt-mailgate).
    Mailgate(cmd::mail::MailgateArgs),
    /// Sweep logs for indicators: every internal host that touched one (exit 0 hits, 1 none,
    /// 2 error, as grep).
    Sweep(cmd::sweep::SweepArgs),
    /// Indicators: extract from text, defang.
    #[command(subcommand)]
    Ioc(cmd::ioc::IocCmd),
}

#[derive(Subcommand)]
enum AssetCmd {
    /// Import an inventory; re-importing a host updates it instead of duplicating it.
    Import(cmd::vuln::AssetImportArgs),
}

#[derive(Subcommand)]
enum AdvisoryCmd {
    /// Import advisory documents; each bad record is named and the rest are kept.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// Mail messages: files, mbox files, Maildir directories.
    Mail(cmd::mail::ImportMailArgs),
    /// STIX 2.1 bundles: indicators linked to the file as their source; unknown objects
    /// counted as kept, bad ones named (exit 1).
    Stix(cmd::sharing::ImportArgs),
    /// MISP events (JSON, restSearch output) or MISP feed directories.
    Misp(cmd::sharing::ImportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HIKESHI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Tests of "nothing acknowledged is ever lost" kill the process at a named step.
    if let Ok(at) = std::env::var("HIKESHI_CRASH_AT") {
        hikeshi_server::crash::arm(&at);
    }
    let result = (|| -> anyhow::Result<ExitCode> {
        // Commands that need no database run without one.
        let command = match cli.command {
            Command::Ioc(c) if !c.needs_store() => return cmd::ioc::run(c),
            // Synchronous and CPU-bound: no runtime, no database.
            Command::Sweep(a) if a.incident.is_none() => return cmd::sweep::run(a),
            other => other,
        };
        let settings = config::Settings::load(cli.data_dir.as_deref(), cli.config.as_deref())?;
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(async {
            match command {
                Command::Serve(a) => cmd::serve::run(settings, a).await,
                Command::Migrate => cmd::migrate(&settings).await,
                Command::User(c) => cmd::user::run(settings, c).await,
                Command::Report(c) => cmd::report::run(settings, c).await,
                Command::Audit(c) => cmd::audit::run(settings, c).await,
                Command::Ioc(c) => cmd::ioc::import(settings, c).await,
                Command::Import(ImportCmd::Mail(a)) => cmd::mail::import(settings, a).await,
                Command::Import(ImportCmd::Stix(a)) => {
                    cmd::sharing::import(settings, hikeshi_server::sharing::Format::Stix, a).await
                }
                Command::Import(ImportCmd::Misp(a)) => {
                    cmd::sharing::import(settings, hikeshi_server::sharing::Format::Misp, a).await
                }
                Command::Export(c) => cmd::sharing::export(settings, c).await,
                Command::Sharing(c) => cmd::sharing::sharing(settings, c).await,
                Command::Feed(c) => cmd::sharing::feed(settings, c).await,
                Command::Mailgate(a) => cmd::mail::mailgate(settings, a).await,
                Command::Stats(c) => cmd::stats::run(settings, c).await,
                Command::Asset(AssetCmd::Import(a)) => cmd::vuln::import_assets(settings, a).await,
                Command::Advisory(AdvisoryCmd::Import { files }) => {
                    cmd::vuln::import_advisories(settings, files).await
                }
                Command::Vuln(c) => cmd::vuln::run(settings, c).await,
                Command::Sweep(a) => cmd::sweep::run_for_incident(settings, a).await,
            }
        })
    })();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hikeshi: {e:#}");
            ExitCode::from(2)
        }
    }
}
