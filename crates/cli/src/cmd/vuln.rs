//! `hikeshi asset import`, `hikeshi advisory import`, `hikeshi vuln affected ID`: which of our
//! hosts run a vulnerable version, who owns them, and what the fixed version is.

use crate::config::Settings;
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use hikeshi_domain::{Actor, AssetRecord, Software};
use hikeshi_vuln::{Advisory, Ecosystem, Package, Parsed, Platform, RecordError, match_package};
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

/// Which parser reads a document, judged from its content.
fn advisory_format(bytes: &[u8]) -> Option<&'static str> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let t = head.trim_start();
    if t.starts_with('<') {
        return Some("jvn");
    }
    if head.contains("\"csaf_version\"") {
        Some("csaf")
    } else if head.contains("\"dataType\"") && head.contains("CVE_RECORD")
        || head.contains("\"cveMetadata\"")
    {
        Some("cve5")
    } else if t.starts_with('{') || t.starts_with('[') {
        Some("osv")
    } else {
        None
    }
}

fn parse_advisories(format: &str, file: &str, bytes: &[u8]) -> Parsed<Advisory> {
    match format {
        "jvn" => hikeshi_vuln::jvn::parse_jvn(file, bytes),
        "csaf" => hikeshi_vuln::csaf::parse_csaf(file, bytes),
        "cve5" => hikeshi_vuln::cve5::parse_cve5(file, bytes),
        _ => hikeshi_vuln::osv::parse_osv(file, bytes),
    }
}

pub async fn import_advisories(
    settings: Settings,
    files: Vec<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let store = settings.open_store().await?;
    let mut bad = 0;
    for f in &files {
        let name = f.display().to_string();
        let bytes = std::fs::read(f).with_context(|| format!("reading {name}"))?;
        let Some(format) = advisory_format(&bytes) else {
            eprintln!("{name}: not an OSV, CVE JSON 5, CSAF or JVN document");
            bad += 1;
            continue;
        };
        let parsed = parse_advisories(format, &name, &bytes);
        bad += report_errors(&parsed.errors);
        let ids: Vec<String> = parsed
            .records
            .iter()
            .flat_map(|a| std::iter::once(a.id.clone()).chain(a.aliases.iter().cloned()))
            .collect();
        if !parsed.records.is_empty() {
            let key = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(name.clone());
            store
                .put_advisory_doc(&Actor::Cli, &key, format, &ids, &bytes)
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
    let VulnCmd::Affected {
        id,
        format,
        open_incident,
    } = cmd;
    let store = settings.open_store().await?;
    let docs = store.advisory_docs_for(&id).await?;
    anyhow::ensure!(
        !docs.is_empty(),
        "advisory {id} is not imported (hikeshi advisory import FILE)"
    );
    let advisories: Vec<Advisory> = docs
        .iter()
        .flat_map(|(file, fmt, bytes)| parse_advisories(fmt, file, bytes).records)
        .filter(|a| a.id == id || a.aliases.iter().any(|x| *x == id))
        .collect();
    let assets = store.assets().await?;
    let mut out = std::io::stdout().lock();
    if matches!(format, OutFormat::Table) {
        writeln!(
            out,
            "{:<16} {:<14} {:<16} {:<12} {:<24} {:<24} {}",
            "asset", "owner", "department", "package", "installed", "fixed", "confidence"
        )?;
    }
    let mut found = 0;
    // owner → affected hosts, for the response incident.
    let mut by_owner: std::collections::BTreeMap<String, Vec<String>> =
        std::collections::BTreeMap::new();
    for asset in &assets {
        for s in &asset.software {
            let Some(eco) = Ecosystem::from_osv_name(&s.ecosystem) else {
                continue;
            };
            let pkg = Package {
                name: s.name.clone(),
                version: s.version.clone(),
                ecosystem: eco,
                release: s.release.clone(),
            };
            for adv in &advisories {
                let Some(m) = match_package(adv, &pkg) else {
                    continue;
                };
                found += 1;
                let owner = if asset.owner.is_empty() {
                    "(no owner)".to_owned()
                } else {
                    asset.owner.clone()
                };
                by_owner.entry(owner).or_default().push(asset.name.clone());
                match format {
                    OutFormat::Jsonl => writeln!(
                        out,
                        "{}",
                        serde_json::json!({"asset": asset.name, "addresses": asset.addresses, "owner": asset.owner,
                            "department": asset.department, "package": m.package, "installed": m.installed,
                            "fixed": m.fixed, "advisory": m.advisory, "confidence": m.confidence, "rule": m.rule})
                    )?,
                    OutFormat::Table => writeln!(
                        out,
                        "{:<16} {:<14} {:<16} {:<12} {:<24} {:<24} {}",
                        asset.name,
                        asset.owner,
                        asset.department,
                        m.package,
                        m.installed,
                        m.fixed.clone().unwrap_or_else(|| "-".into()),
                        serde_json::to_value(m.confidence)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    )?,
                }
            }
        }
    }
    if open_incident && found > 0 {
        let number = respond(&store, &id, &advisories, &by_owner).await?;
        eprintln!(
            "opened {number} with {} tasks for {} owners",
            by_owner.len() * PLAYBOOK.len(),
            by_owner.len()
        );
    }
    store.close().await;
    Ok(if found > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The vulnerability-response playbook: one task of each per owner.
const PLAYBOOK: [&str; 4] = [
    "assess exposure and impact",
    "decide on stopping the service (and record who decides)",
    "patch to the fixed version",
    "verify the fix",
];

/// Open the response incident: one set of playbook tasks per owner, naming their hosts.
async fn respond(
    store: &hikeshi_store::Store,
    id: &str,
    advisories: &[Advisory],
    by_owner: &std::collections::BTreeMap<String, Vec<String>>,
) -> anyhow::Result<String> {
    let summary = advisories
        .first()
        .map(|a| a.summary.clone())
        .unwrap_or_default();
    let hosts: usize = by_owner.values().map(Vec::len).sum();
    let inc = store
        .create_incident(
            &Actor::Cli,
            hikeshi_store::NewIncident {
                title: format!("{id}: {hosts} affected assets"),
                summary,
                category: hikeshi_domain::Category::Other,
                rsit: Some(hikeshi_domain::Rsit::new(
                    "vulnerable",
                    "vulnerable-system",
                )?),
                attacker: None,
                asset: None,
                tlp: hikeshi_domain::Tlp::Amber,
                impact: hikeshi_domain::Impact::default(),
                owner: None,
                reports: vec![],
                is_exercise: false,
            },
        )
        .await?;
    for (owner, hosts) in by_owner {
        for step in PLAYBOOK {
            store
                .add_task(
                    &Actor::Cli,
                    inc.id,
                    &format!("{owner}: {step} — {}", hosts.join(", ")),
                    None,
                    None,
                )
                .await?;
        }
    }
    Ok(inc.number.to_string())
}
