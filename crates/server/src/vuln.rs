//! Vulnerability response shared by the API and the command line: which assets an advisory
//! affects and which advisories an asset has open (matches kept in the store and brought up to
//! date incrementally by [`rematch`]: imports queue what changed, the job matches only that, with
//! hikeshi-vuln's indexes), and the response incident with the playbook's tasks per owner.

use hikeshi_domain::{Actor, AssetRecord, IncidentNumber};
use hikeshi_store::{Rematch, Store, StoreError, VulnMatch};
use hikeshi_vuln::{
    Advisory, AdvisoryIndex, Asset as VulnAsset, Ecosystem, InventoryIndex, Match, Package, Parsed,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// `exact`, `product-name-only`, `needs-review`.
    pub confidence: String,
    /// Why it matched: which range of the advisory, which rule.
    pub rule: serde_json::Value,
}

/// Why `affected` could not answer.
#[derive(Debug, thiserror::Error)]
pub enum VulnError {
    #[error("advisory {0} is not imported")]
    NotImported(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one re-match did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RematchSummary {
    pub docs: usize,
    pub assets: usize,
    pub matches: usize,
}

fn to_vuln_asset(a: &AssetRecord) -> VulnAsset {
    let mut v = VulnAsset::new(&a.name);
    v.packages = a
        .software
        .iter()
        .filter_map(|s| {
            Some(Package {
                name: s.name.clone(),
                version: s.version.clone(),
                ecosystem: Ecosystem::from_osv_name(&s.ecosystem)?,
                release: s.release.clone(),
            })
        })
        .collect();
    v
}

fn row(asset: &str, doc: &str, m: &Match) -> VulnMatch {
    VulnMatch {
        asset: asset.to_owned(),
        advisory: m.advisory.clone(),
        doc: doc.to_owned(),
        package: m.package.clone(),
        installed: m.installed.clone(),
        fixed: m.fixed.clone().unwrap_or_default(),
        confidence: serde_json::to_value(m.confidence)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        rule: serde_json::to_string(&m.rule).unwrap_or_default(),
    }
}

/// Match what changed since the last run (queued by the imports): each new or changed advisory
/// document against the whole inventory, each new or changed asset against every advisory; the
/// rest of the stored matches stay as they are. Cheap when nothing is queued.
pub async fn rematch(store: &Store) -> Result<RematchSummary, StoreError> {
    let queue = store.rematch_queue().await?;
    if queue.is_empty() {
        return Ok(RematchSummary::default());
    }
    let dirty = |kind: &str| -> HashSet<String> {
        queue
            .iter()
            .filter(|q| q.kind == kind)
            .map(|q| q.key.clone())
            .collect()
    };
    let (dirty_docs, dirty_assets) = (dirty("doc"), dirty("asset"));
    let parsed: Vec<(String, Vec<Advisory>)> = store
        .advisory_docs()
        .await?
        .iter()
        .map(|(file, fmt, bytes)| (file.clone(), parse_advisories(fmt, file, bytes).records))
        .collect();
    let records = store.assets().await?;
    let assets: Vec<VulnAsset> = records.iter().map(to_vuln_asset).collect();
    let mut r = Rematch::default();
    if !dirty_docs.is_empty() {
        let inventory = InventoryIndex::new(&assets);
        for file in &dirty_docs {
            let mut rows = Vec::new();
            // A document that is gone clears its rows.
            for (_, advs) in parsed.iter().filter(|(f, _)| f == file) {
                for adv in advs {
                    for m in inventory.affected_by(&assets, adv) {
                        rows.push(row(&assets[m.asset].name, file, &m.found));
                    }
                }
            }
            r.docs.push((file.clone(), rows));
        }
    }
    if !dirty_assets.is_empty() {
        let mut index = AdvisoryIndex::new();
        let mut doc_of: HashMap<String, String> = HashMap::new();
        for (file, advs) in &parsed {
            for adv in advs {
                doc_of.entry(adv.id.clone()).or_insert_with(|| file.clone());
                index.insert(adv.clone());
            }
        }
        for name in &dirty_assets {
            let mut rows = Vec::new();
            if let Some(a) = assets.iter().find(|a| &a.name == name) {
                for p in &a.packages {
                    for m in index.matches(p) {
                        let doc = doc_of.get(&m.advisory).cloned().unwrap_or_default();
                        rows.push(row(name, &doc, &m));
                    }
                }
            }
            r.assets.push((name.clone(), rows));
        }
    }
    let matches = store.apply_rematch(&Actor::System, &queue, &r).await?;
    Ok(RematchSummary {
        docs: r.docs.len(),
        assets: r.assets.len(),
        matches,
    })
}

/// Re-match in the background while the server runs: every `every` and at once at start.
pub async fn run_rematch(
    store: Store,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match rematch(&store).await {
            Ok(s) if s.docs + s.assets > 0 => {
                tracing::info!(
                    docs = s.docs,
                    assets = s.assets,
                    matches = s.matches,
                    "vulnerability re-match"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "vulnerability re-match failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

fn affected_of(m: VulnMatch, a: &AssetRecord) -> AffectedAsset {
    AffectedAsset {
        asset: m.asset,
        addresses: a.addresses.clone(),
        owner: a.owner.clone(),
        department: a.department.clone(),
        criticality: a.criticality.clone(),
        package: m.package,
        installed: m.installed,
        fixed: (!m.fixed.is_empty()).then_some(m.fixed),
        advisory: m.advisory,
        confidence: m.confidence,
        rule: serde_json::from_str(&m.rule).unwrap_or(serde_json::Value::Null),
    }
}

/// The advisories stored under `id` (as id or alias) and every asset they affect, by owner and
/// department. Anything still queued is matched first, so the answer is never stale.
pub async fn affected(
    store: &Store,
    id: &str,
) -> Result<(Vec<Advisory>, Vec<AffectedAsset>), VulnError> {
    let docs = store.advisory_docs_for(id).await?;
    if docs.is_empty() {
        return Err(VulnError::NotImported(id.to_owned()));
    }
    rematch(store).await?;
    let advisories: Vec<Advisory> = docs
        .iter()
        .flat_map(|(file, fmt, bytes)| parse_advisories(fmt, file, bytes).records)
        .filter(|a| a.id == id || a.aliases.iter().any(|x| x == id))
        .collect();
    let mut ids: Vec<String> = advisories.iter().map(|a| a.id.clone()).collect();
    ids.sort();
    ids.dedup();
    let out = store
        .matches_for_advisories(&ids)
        .await?
        .into_iter()
        .map(|(m, a)| affected_of(m, &a))
        .collect();
    Ok((advisories, out))
}

/// One asset and its open advisories (what matches its installed software now).
pub async fn asset_advisories(
    store: &Store,
    name: &str,
) -> Result<(AssetRecord, Vec<AffectedAsset>), StoreError> {
    rematch(store).await?;
    let asset = store.asset(name).await?;
    let open = store
        .matches_for_asset(name)
        .await?
        .into_iter()
        .map(|m| affected_of(m, &asset))
        .collect();
    Ok((asset, open))
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
