//! `hikeshi asset import`, `hikeshi advisory import`, `hikeshi vuln affected ID`: which of our
//! hosts run a vulnerable version, who owns them, and what the fixed version is.

use crate::config::Settings;
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use hikeshi_domain::{Actor, AssetRecord, Software};
use hikeshi_vuln::{Parsed, Platform, RecordError};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum InventoryFormat {
    /// CSV with hostname, ip, owner, department, criticality, os, package, version columns.
    Csv,
    /// Vuls scan results (JSON).
    Vuls,
    /// `dpkg-query -W` output of one host (--host, --os).
    Dpkg,
    /// `rpm -qa` output of one host (--host, --os).
    Rpm,
    /// osquery JSON (deb_packages, rpm_packages, programs) of one host (--host, --os).
    Osquery,
}

#[derive(Args)]
pub struct AssetImportArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Default: by file name (.csv, .json = Vuls); package lists need --format, --host, --os.
    #[arg(long, value_enum)]
    format: Option<InventoryFormat>,
    /// The host a package list belongs to.
    #[arg(long)]
    host: Option<String>,
    /// The host's operating system: debian-7, rhel-6, ubuntu-22.04 …
    #[arg(long, default_value = "")]
    os: String,
}

#[derive(Subcommand)]
pub enum VulnCmd {
    /// Every asset running an affected version of advisory ID (a CVE, GHSA, JVNDB … id or alias),
    /// one line each with owner, package, installed and fixed versions. Exit 1 when none is.
    Affected {
        id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
        /// Also open a vulnerability-response incident with, per owner, the playbook's tasks
        /// (assess, decide on stopping the service and who decides, patch, verify); prints its
        /// number on standard error.
        #[arg(long)]
        open_incident: bool,
    },
    /// Match what changed since the last run (advisories and assets imported since), as
    /// `hikeshi serve` does in the background; prints what it did.
    Rematch,
    /// One asset's open advisories (what matches its installed software now).
    Asset {
        name: String,
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutFormat {
    Jsonl,
    Table,
}

fn report_errors(errors: &[RecordError]) -> usize {
    for e in errors {
        eprintln!("{}: record {}: {}", e.file, e.record, e.reason);
    }
    errors.len()
}

fn to_record(a: hikeshi_vuln::Asset) -> AssetRecord {
    AssetRecord {
        name: a.name,
        addresses: a.addresses,
        owner: a.owner,
        department: a.department,
        criticality: a.criticality,
        location: a.location,
        os: a.os,
        software: a
            .packages
            .into_iter()
            .map(|p| Software {
                name: p.name,
                version: p.version,
                ecosystem: p.ecosystem.osv_name().to_owned(),
                release: p.release,
            })
            .collect(),
    }
}

pub async fn import_assets(settings: Settings, a: AssetImportArgs) -> anyhow::Result<ExitCode> {
    let mut assets = Vec::new();
    let mut bad = 0;
    for f in &a.files {
        let name = f.display().to_string();
        let bytes = std::fs::read(f).with_context(|| format!("reading {name}"))?;
        let fmt = a
            .format
            .unwrap_or(if name.to_ascii_lowercase().ends_with(".json") {
                InventoryFormat::Vuls
            } else {
                InventoryFormat::Csv
            });
        let parsed: Parsed<hikeshi_vuln::Asset> = match fmt {
            InventoryFormat::Csv => hikeshi_vuln::inventory::parse_csv(&name, &bytes),
            InventoryFormat::Vuls => hikeshi_vuln::inventory::parse_vuls(&name, &bytes),
            InventoryFormat::Dpkg | InventoryFormat::Rpm | InventoryFormat::Osquery => {
                let host = a
                    .host
                    .as_deref()
                    .context("a package list needs --host NAME (and --os)")?;
                let platform = Platform::from_os_label(&a.os);
                let pkgs = match fmt {
                    InventoryFormat::Dpkg => {
                        hikeshi_vuln::inventory::parse_dpkg(&name, &bytes, &platform)
                    }
                    InventoryFormat::Rpm => {
                        hikeshi_vuln::inventory::parse_rpm(&name, &bytes, &platform)
                    }
                    _ => hikeshi_vuln::inventory::parse_osquery(&name, &bytes, &platform),
                };
                let mut asset = hikeshi_vuln::Asset::new(host);
                asset.os = a.os.clone();
                asset.packages = pkgs.records;
                Parsed {
                    records: vec![asset],
                    errors: pkgs.errors,
                }
            }
        };
        bad += report_errors(&parsed.errors);
        println!(
            "{name}: {} assets read, {} records rejected",
            parsed.records.len(),
            parsed.errors.len()
        );
        assets.extend(parsed.records.into_iter().map(to_record));
    }
    let store = settings.open_store().await?;
    let (created, updated) = store.upsert_assets(&Actor::Cli, &assets).await?;
    println!("{created} assets created, {updated} updated");
    store.close().await;
    Ok(if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub async fn import_advisories(
    settings: Settings,
    files: Vec<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let store = settings.open_store().await?;
    let mut bad = 0;
    let mut docs = Vec::new();
    for f in &files {
        // Documents are read first (files, directories, zip dumps), then stored one by one.
        super::advisory_files::for_each_doc(
            f,
            &mut |msg| {
                eprintln!("{msg}");
                bad += 1;
            },
            &mut |d| {
                docs.push(d);
                Ok(())
            },
        )?;
    }
    for d in docs {
        let name = d.name;
        let Some(format) = hikeshi_server::vuln::advisory_format(&d.bytes) else {
            eprintln!("{name}: not an OSV, CVE JSON 5, CSAF or JVN document");
            bad += 1;
            continue;
        };
        let parsed = hikeshi_server::vuln::parse_advisories(format, &name, &d.bytes);
        bad += report_errors(&parsed.errors);
        let ids: Vec<String> = parsed
            .records
            .iter()
            .flat_map(|a| std::iter::once(a.id.clone()).chain(a.aliases.iter().cloned()))
            .collect();
        if !parsed.records.is_empty() {
            store
                .put_advisory_doc(&Actor::Cli, &d.key, format, &ids, &d.bytes)
                .await?;
        }
        println!(
            "{name}: {format}, {} advisories ({}), {} records rejected",
            parsed.records.len(),
            ids.join(" "),
            parsed.errors.len()
        );
    }
    store.close().await;
    Ok(if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub async fn run(settings: Settings, cmd: VulnCmd) -> anyhow::Result<ExitCode> {
    let (id, format, open_incident) = match cmd {
        VulnCmd::Affected {
            id,
            format,
            open_incident,
        } => (id, format, open_incident),
        VulnCmd::Rematch => {
            let store = settings.open_store().await?;
            let s = hikeshi_server::vuln::rematch(&store).await?;
            println!("{}", serde_json::to_string(&s)?);
            return Ok(ExitCode::SUCCESS);
        }
        VulnCmd::Asset { name, format } => {
            let store = settings.open_store().await?;
            let (_, open) = hikeshi_server::vuln::asset_advisories(&store, &name).await?;
            let mut out = std::io::stdout().lock();
            for a in &open {
                match format {
                    OutFormat::Jsonl => writeln!(out, "{}", serde_json::to_string(a)?)?,
                    OutFormat::Table => writeln!(
                        out,
                        "{:<24} {:<16} {:<24} {:<24} {}",
                        a.advisory,
                        a.package,
                        a.installed,
                        a.fixed.as_deref().unwrap_or("-"),
                        a.confidence
                    )?,
                }
            }
            return Ok(if open.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
    };
    let store = settings.open_store().await?;
    let (advisories, affected) = hikeshi_server::vuln::affected(&store, &id)
        .await
        .map_err(|e| anyhow::anyhow!("{e} (hikeshi advisory import FILE)"))?;
    let mut out = std::io::stdout().lock();
    match format {
        OutFormat::Jsonl => {
            for a in &affected {
                writeln!(out, "{}", serde_json::to_string(a)?)?;
            }
        }
        OutFormat::Table => {
            writeln!(
                out,
                "{:<16} {:<14} {:<16} {:<12} {:<24} {:<24} confidence",
                "asset", "owner", "department", "package", "installed", "fixed"
            )?;
            for a in &affected {
                writeln!(
                    out,
                    "{:<16} {:<14} {:<16} {:<12} {:<24} {:<24} {}",
                    a.asset,
                    a.owner,
                    a.department,
                    a.package,
                    a.installed,
                    a.fixed.as_deref().unwrap_or("-"),
                    a.confidence
                )?;
            }
        }
    }
    if open_incident && !affected.is_empty() {
        let (number, _, tasks) =
            hikeshi_server::vuln::respond(&store, &Actor::Cli, &id, &advisories, &affected).await?;
        let owners = tasks / hikeshi_server::vuln::PLAYBOOK.len();
        eprintln!("opened {number} with {tasks} tasks for {owners} owners");
    }
    store.close().await;
    Ok(if affected.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
