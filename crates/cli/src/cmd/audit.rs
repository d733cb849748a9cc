//! `hikeshi audit verify`.

use crate::config::Settings;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the hash chain of the audit log; exits 1 naming the first bad entry.
    Verify,
}

pub async fn run(settings: Settings, cmd: AuditCmd) -> anyhow::Result<ExitCode> {
    let store = settings.open_store().await?;
    match cmd {
        AuditCmd::Verify => match store.verify_audit().await? {
            Ok(n) => {
                println!("audit log intact: {n} entries verified");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("audit log BROKEN: {e}");
                Ok(ExitCode::from(1))
            }
        },
    }
}
