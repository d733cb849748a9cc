//! Writing a [`ShareSet`] as a STIX 2.1 bundle, one object at a time.
//!
//! Order: the producer `identity`, the TLP 2.0 marking-definitions in use, then per indicator
//! its `indicator` (or `vulnerability` for a CVE), SCO, `based-on` relationship and, for
//! malware roles, a `malware` and an `indicates` relationship; the `report`s come last, because
//! a report lists every object of its incident and only then are all their ids known. Memory is
//! the ids of each report's objects and the set of SCO ids written (for dedup), never the
//! bundle.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{self, BufWriter, Write};

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::time::rfc3339;
use hikeshi_domain::tlp::Tlp;
use hikeshi_ioc::Kind;
use md5::{Digest, Md5};
use serde::Serialize;

use super::ids::{derived_uuid, object_uuid};
use super::json::Obj;
use super::mapping::{indicator_type, is_malware_role, observable};
use super::markings::{tlp2_id, write_tlp2};
use crate::share::{ShareIndicator, ShareSet};

/// How to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// Nothing marked above this is written (the caller applies [`ShareSet::cap`] first; this
    /// is the second lock on the same door).
    pub tlp_max: Tlp,
    /// `created`/`modified` of the producer identity, ms since the epoch. A constant (default
    /// 0, the epoch) so the identity is the same object version on every export.
    pub producer_created: i64,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            tlp_max: Tlp::Clear,
            producer_created: 0,
        }
    }
}

/// An indicator that could not be expressed in STIX, and why (never dropped silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The [`ShareIndicator::uuid`].
    pub uuid: String,
    pub kind: Kind,
    pub reason: String,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub bundle_id: String,
    /// Every object in the bundle.
    pub objects: usize,
    pub indicators: usize,
    pub observables: usize,
    pub vulnerabilities: usize,
    pub malware: usize,
    pub relationships: usize,
    pub reports: usize,
    /// The TLP levels whose marking-definitions were written.
    pub markings: Vec<Tlp>,
    /// Incidents and indicators above `tlp_max` (or in an incident above it), not written.
    pub withheld: usize,
    pub skipped: Vec<Skipped>,
}

/// Write `set` as a STIX 2.1 bundle to `out`. See the module documentation for the layout and
/// docs/stix.md for the mapping tables.
pub fn write_bundle<W: Write>(
    set: &ShareSet,
    out: W,
    opts: &ExportOptions,
) -> Result<ExportSummary, io::Error> {
    let mut w = BufWriter::with_capacity(64 * 1024, out);
    let max = opts.tlp_max;
    let incident_ok: Vec<bool> = set.incidents.iter().map(|i| i.tlp <= max).collect();
    let included = |ind: &ShareIndicator| {
        ind.tlp <= max
            && ind
                .incident
                .is_none_or(|i| incident_ok.get(i).copied().unwrap_or(false))
    };
    let mut summary = ExportSummary::default();

    // Pass 1 (no output): what is in, which markings are used, each SCO's least restrictive
    // marking (the value is known at that level, whichever indicator brings it first).
    let mut used: BTreeSet<Tlp> = BTreeSet::new();
    let mut sco_tlp: HashMap<String, Tlp> = HashMap::new();
    let mut hasher = Md5::new();
    hasher.update(set.producer.uuid.as_bytes());
    for (inc, ok) in set.incidents.iter().zip(&incident_ok) {
        if *ok {
            used.insert(inc.tlp);
            hasher.update(format!("|r:{}:{}", inc.uuid, inc.modified).as_bytes());
        } else {
            summary.withheld += 1;
        }
    }
    for ind in &set.indicators {
        if !included(ind) {
            summary.withheld += 1;
            continue;
        }
        hasher.update(format!("|i:{}:{}", ind.uuid, ind.modified).as_bytes());
        if let Ok(o) = observable(&ind.indicator) {
            used.insert(ind.tlp);
            sco_tlp
                .entry(o.id)
                .and_modify(|t| *t = (*t).min(ind.tlp))
                .or_insert(ind.tlp);
        } else if ind.indicator.kind == Kind::Cve {
            used.insert(ind.tlp);
        }
    }
    let digest: [u8; 16] = hasher.finalize().into();
    let bundle_uuid = derived_uuid(&format!("bundle:{}", hex16(&digest)));
    summary.bundle_id = format!("bundle--{bundle_uuid}");
    summary.markings = used.iter().copied().collect();

    writeln!(
        w,
        "{{\"type\":\"bundle\",\"id\":\"{}\",\"objects\":[",
        summary.bundle_id
    )?;
    let identity = format!("identity--{}", object_uuid("identity", &set.producer.uuid));
    let t0 = rfc3339(opts.producer_created);
    let mut o = Obj::begin(&mut w)?;
    o.str("type", "identity")?
        .str("spec_version", "2.1")?
        .str("id", &identity)?
        .str("created", &t0)?
        .str("modified", &t0)?
        .str("name", &set.producer.name)?
        .str("identity_class", "organization")?;
    o.end()?;
    summary.objects += 1;
    for t in &used {
        w.write_all(b",\n")?;
        write_tlp2(&mut w, *t)?;
        summary.objects += 1;
    }

    let mut ctx = Ctx {
        w: &mut w,
        identity: &identity,
        summary: &mut summary,
        written_scos: HashSet::new(),
        sco_tlp: &sco_tlp,
    };
    let mut report_refs: Vec<Vec<String>> = vec![Vec::new(); set.incidents.len()];
    for ind in &set.indicators {
        if !included(ind) {
            continue;
        }
        let refs = ctx.indicator(ind)?;
        if let Some(r) = ind.incident.and_then(|i| report_refs.get_mut(i)) {
            r.extend(refs);
        }
    }

    for ((inc, ok), refs) in set.incidents.iter().zip(&incident_ok).zip(&report_refs) {
        if !ok {
            continue;
        }
        let id = format!("report--{}", object_uuid("report", &inc.uuid));
        let (created, modified) = (inc.created, inc.modified.max(inc.created));
        let name = format!("{} {}", inc.number, inc.title);
        let description = if inc.description.trim().is_empty() {
            name.clone()
        } else {
            inc.description.clone()
        };
        ctx.w.write_all(b",\n")?;
        let mut o = Obj::begin(&mut *ctx.w)?;
        o.str("type", "report")?
            .str("spec_version", "2.1")?
            .str("id", &id)?
            .str("created_by_ref", &identity)?
            .str("created", &rfc3339(created))?
            .str("modified", &rfc3339(modified))?
            .str("name", name.trim())?
            .str("description", &description)?
            .strs("report_types", ["threat-report"])?
            .str("published", &rfc3339(modified))?;
        // A report must reference at least one object: an incident with nothing shareable
        // in it points at its producer.
        if refs.is_empty() {
            o.strs("object_refs", [identity.as_str()])?;
        } else {
            // Two indicators of one incident may share an observable: list it once.
            let mut seen = HashSet::with_capacity(refs.len());
            o.strs(
                "object_refs",
                refs.iter().map(String::as_str).filter(|r| seen.insert(*r)),
            )?;
        }
        o.strs("object_marking_refs", [tlp2_id(inc.tlp)])?;
        o.end()?;
        ctx.summary.reports += 1;
        ctx.summary.objects += 1;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()?;
    Ok(summary)
}

struct Ctx<'a, W: Write> {
    w: &'a mut W,
    identity: &'a str,
    summary: &'a mut ExportSummary,
    written_scos: HashSet<String>,
    sco_tlp: &'a HashMap<String, Tlp>,
}

impl<W: Write> Ctx<'_, W> {
    /// Write the objects of one indicator; returns their ids (for the report).
    fn indicator(&mut self, ind: &ShareIndicator) -> io::Result<Vec<String>> {
        let created = rfc3339(ind.created);
        let modified = rfc3339(ind.modified.max(ind.created));
        let marking = tlp2_id(ind.tlp);
        let value = ind.indicator.value.as_str();
        if ind.indicator.kind == Kind::Cve {
            let id = format!("vulnerability--{}", object_uuid("vulnerability", &ind.uuid));
            self.w.write_all(b",\n")?;
            let mut o = Obj::begin(&mut *self.w)?;
            o.str("type", "vulnerability")?
                .str("spec_version", "2.1")?
                .str("id", &id)?
                .str("created_by_ref", self.identity)?
                .str("created", &created)?
                .str("modified", &modified)?
                .str("name", value)?;
            if !ind.comment.trim().is_empty() {
                o.str("description", &ind.comment)?;
            }
            let ext = serde_json::json!([{"source_name": "cve", "external_id": value}]);
            o.raw("external_references", &ext.to_string())?
                .strs("object_marking_refs", [marking])?;
            o.end()?;
            self.summary.vulnerabilities += 1;
            self.summary.objects += 1;
            return Ok(vec![id]);
        }
        let obs = match observable(&ind.indicator) {
            Ok(o) => o,
            Err(reason) => {
                self.summary.skipped.push(Skipped {
                    uuid: ind.uuid.clone(),
                    kind: ind.indicator.kind,
                    reason: reason.to_owned(),
                });
                return Ok(Vec::new());
            }
        };
        let id = format!("indicator--{}", object_uuid("indicator", &ind.uuid));
        let description = if ind.comment.trim().is_empty() {
            value
        } else {
            ind.comment.as_str()
        };
        let valid_from = rfc3339(ind.first_seen.unwrap_or(ind.created));
        use hikeshi_domain::named::Named;
        self.w.write_all(b",\n")?;
        let mut o = Obj::begin(&mut *self.w)?;
        o.str("type", "indicator")?
            .str("spec_version", "2.1")?
            .str("id", &id)?
            .str("created_by_ref", self.identity)?
            .str("created", &created)?
            .str("modified", &modified)?
            .str("name", value)?
            .str("description", description)?
            .strs("indicator_types", [indicator_type(ind.role)])?
            .strs("labels", [ind.role.as_str()])?
            .str("pattern", &obs.pattern)?
            .str("pattern_type", "stix")?
            .str("pattern_version", "2.1")?
            .str("valid_from", &valid_from)?
            .strs("object_marking_refs", [marking])?;
        o.end()?;
        self.summary.indicators += 1;
        self.summary.objects += 1;
        let mut refs = vec![id.clone()];

        if !self.written_scos.contains(&obs.id) {
            let sco_tlp = self.sco_tlp.get(&obs.id).copied().unwrap_or(ind.tlp);
            self.w.write_all(b",\n")?;
            let mut o = Obj::begin(&mut *self.w)?;
            o.str("type", obs.sco_type)?
                .str("spec_version", "2.1")?
                .str("id", &obs.id)?
                .members(&obs.members)?
                .strs("object_marking_refs", [tlp2_id(sco_tlp)])?;
            o.end()?;
            self.summary.observables += 1;
            self.summary.objects += 1;
            self.written_scos.insert(obs.id.clone());
        }
        refs.push(obs.id.clone());
        let rel = self.relationship(&id, "based-on", &obs.id, ind, &created, &modified)?;
        refs.push(rel);

        if is_malware_role(ind.role) {
            let mid = format!(
                "malware--{}",
                derived_uuid(&format!("malware:{}", ind.uuid))
            );
            let malware_type = if ind.role == IndicatorRole::Dropper {
                "dropper"
            } else {
                "unknown"
            };
            self.w.write_all(b",\n")?;
            let mut o = Obj::begin(&mut *self.w)?;
            o.str("type", "malware")?
                .str("spec_version", "2.1")?
                .str("id", &mid)?
                .str("created_by_ref", self.identity)?
                .str("created", &created)?
                .str("modified", &modified)?
                .str("name", value)?
                .strs("malware_types", [malware_type])?
                .raw("is_family", "false")?
                .strs("object_marking_refs", [marking])?;
            o.end()?;
            self.summary.malware += 1;
            self.summary.objects += 1;
            refs.push(mid.clone());
            let rel = self.relationship(&id, "indicates", &mid, ind, &created, &modified)?;
            refs.push(rel);
        }
        Ok(refs)
    }

    fn relationship(
        &mut self,
        source: &str,
        ty: &str,
        target: &str,
        ind: &ShareIndicator,
        created: &str,
        modified: &str,
    ) -> io::Result<String> {
        let id = format!(
            "relationship--{}",
            derived_uuid(&format!("{ty}:{source}:{target}"))
        );
        self.w.write_all(b",\n")?;
        let mut o = Obj::begin(&mut *self.w)?;
        o.str("type", "relationship")?
            .str("spec_version", "2.1")?
            .str("id", &id)?
            .str("created_by_ref", self.identity)?
            .str("created", created)?
            .str("modified", modified)?
            .str("relationship_type", ty)?
            .str("source_ref", source)?
            .str("target_ref", target)?
            .strs("object_marking_refs", [tlp2_id(ind.tlp)])?;
        o.end()?;
        self.summary.relationships += 1;
        self.summary.objects += 1;
        Ok(id)
    }
}

fn hex16(b: &[u8; 16]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
