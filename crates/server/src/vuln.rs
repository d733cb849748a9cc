//! Vulnerability response shared by the API and the command line: which assets an advisory
//! affects (stored documents parsed by hikeshi-vuln, matched against the stored inventory), and
//! the response incident with the playbook's tasks per owner.

use hikeshi_domain::{Actor, IncidentNumber};
use hikeshi_store::{Store, StoreError};
use hikeshi_vuln::{Advisory, Ecosystem, Package, Parsed, match_package};
use serde::Serialize;
use std::collections::BTreeMap;

/// Which parser reads a document, judged from its content.
pub fn advisory_format(bytes: &[u8]) -> Option<&'static str> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let t = head.trim_start();
    if t.starts_with('<') {
        Some("jvn")
    } else if head.contains("\"csaf_version\"") {
        Some("csaf")
    } else if head.contains("\"cveMetadata\"")
        || (head.contains("\"dataType\"") && head.contains("CVE_RECORD"))
    {
        Some("cve5")
    } else if t.starts_with('{') || t.starts_with('[') {
        Some("osv")
    } else {
        None
    }
}

pub fn parse_advisories(format: &str, file: &str, bytes: &[u8]) -> Parsed<Advisory> {
    match format {
        "jvn" => hikeshi_vuln::jvn::parse_jvn(file, bytes),
        "csaf" => hikeshi_vuln::csaf::parse_csaf(file, bytes),
        "cve5" => hikeshi_vuln::cve5::parse_cve5(file, bytes),
        _ => hikeshi_vuln::osv::parse_osv(file, bytes),
    }
}

/// One affected asset: who owns it, what is installed, what fixes it, and why it matched.
#[derive(Debug, Clone, Serialize)]
pub struct AffectedAsset {
    pub asset: String,
    pub addresses: Vec<String>,
    pub owner: String,
    pub department: String,
    pub criticality: String,
    pub package: String,
    pub installed: String,
    pub fixed: Option<String>,
    pub advisory: String,
    pub confidence: hikeshi_vuln::Confidence,
    pub rule: hikeshi_vuln::Rule,
}

/// Why `affected` could not answer.
#[derive(Debug, thiserror::Error)]
pub enum VulnError {
    #[error("advisory {0} is not imported")]
    NotImported(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The advisories stored under `id` (as id or alias) and every asset they affect.
pub async fn affected(
    store: &Store,
    id: &str,
) -> Result<(Vec<Advisory>, Vec<AffectedAsset>), VulnError> {
    let docs = store.advisory_docs_for(id).await?;
    if docs.is_empty() {
        return Err(VulnError::NotImported(id.to_owned()));
    }
    let advisories: Vec<Advisory> = docs
        .iter()
        .flat_map(|(file, fmt, bytes)| parse_advisories(fmt, file, bytes).records)
        .filter(|a| a.id == id || a.aliases.iter().any(|x| x == id))
        .collect();
    let mut out = Vec::new();
    for asset in store.assets().await? {
        for s in &asset.software {
            let Some(ecosystem) = Ecosystem::from_osv_name(&s.ecosystem) else {
                continue;
            };
            let pkg = Package {
                name: s.name.clone(),
                version: s.version.clone(),
                ecosystem,
                release: s.release.clone(),
            };
            for adv in &advisories {
                if let Some(m) = match_package(adv, &pkg) {
                    out.push(AffectedAsset {
                        asset: asset.name.clone(),
                        addresses: asset.addresses.clone(),
                        owner: asset.owner.clone(),
                        department: asset.department.clone(),
                        criticality: asset.criticality.clone(),
                        package: m.package,
                        installed: m.installed,
                        fixed: m.fixed,
                        advisory: m.advisory,
                        confidence: m.confidence,
                        rule: m.rule,
                    });
                }
            }
        }
    }
    Ok((advisories, out))
}

/// The vulnerability-response playbook: one task of each per owner.
pub const PLAYBOOK: [&str; 4] = [
    "assess exposure and impact",
    "decide on stopping the service (and record who decides)",
    "patch to the fixed version",
    "verify the fix",
];

/// Open the response incident: the playbook's tasks for each owner, naming their hosts.
/// Returns its number and the number of tasks.
pub async fn respond(
    store: &Store,
    actor: &Actor,
    id: &str,
    advisories: &[Advisory],
    affected: &[AffectedAsset],
) -> Result<(IncidentNumber, hikeshi_domain::IncidentId, usize), StoreError> {
    let mut by_owner: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in affected {
        let owner = if a.owner.is_empty() {
            "(no owner)"
        } else {
            a.owner.as_str()
        };
        let hosts = by_owner.entry(owner).or_default();
        if !hosts.contains(&a.asset.as_str()) {
            hosts.push(&a.asset);
        }
    }
    let hosts: usize = by_owner.values().map(Vec::len).sum();
    let inc = store
        .create_incident(
            actor,
            hikeshi_store::NewIncident {
                title: format!("{id}: {hosts} affected assets"),
                summary: advisories
                    .first()
                    .map(|a| a.summary.clone())
                    .unwrap_or_default(),
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
    let mut tasks = 0;
    for (owner, hosts) in &by_owner {
        for step in PLAYBOOK {
            store
                .add_task(
                    actor,
                    inc.id,
                    &format!("{owner}: {step} — {}", hosts.join(", ")),
                    None,
                    None,
                )
                .await?;
            tasks += 1;
        }
    }
    Ok((inc.number, inc.id, tasks))
}
