//! The subcommands. Each is a thin layer: parse arguments, call the store or a library crate,
//! print.

pub mod advisory_files;
pub mod audit;
pub mod ioc;
pub mod mail;
pub mod report;
pub mod serve;
pub mod sharing;
pub mod stats;
pub mod sweep;
pub mod user;
pub mod vuln;

use crate::config::Settings;
use std::process::ExitCode;

/// `hikeshi migrate`: apply migrations and say where.
pub async fn migrate(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = settings.open_store().await?;
    println!(
        "database {} is up to date",
        hikeshi_store::redact_url(&settings.database_url())
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
