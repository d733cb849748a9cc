//! Writing a [`ShareSet`] as a STIX 2.1 bundle, one object at a time.
//!
//! Order: the producer `identity`, the TLP 2.0 marking-definitions in use, then per indicator
//! its `indicator` (or `vulnerability` for a CVE), SCO (once per value), an `observed-data`
//! wrapping that SCO, a `based-on` relationship from the indicator to the observed-data and, for
//! malware roles, a `malware` and an `indicates` relationship; the `report`s come last, because
//! a report lists every object of its incident and only then are all their ids known. Memory is
//! the ids of each report's objects and about 20 bytes per indicator (its SCO's id and whether
//! it writes it; about 40 more while planning), never the bundle.
//!
//! Speed (docs/PERFORMANCE.md, issue 6): a first pass (plan.rs) hashes each SCO once and
//! decides which indicator writes it; the second writes every object straight into a large
//! buffer with ids, timestamps and patterns formatted on the stack or in one reused string,
//! and strings that need no JSON escape (nearly all) copied as they are.

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::tlp::Tlp;
use hikeshi_ioc::Kind;
use serde::Serialize;

use super::ids::{StixId, derived_uuid, object_uuid};
use super::json::{Obj, write_str};
use super::mapping::{Sco, indicator_type, is_malware_role};
use super::markings::{tlp2_id, write_tlp2};
use super::plan::{Planned, plan};
use super::stamp::Stamp;
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
    /// `observed-data` objects: one per indicator with an SCO (the SCO itself is written once).
    pub observed_data: usize,
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
    let mut w = BufWriter::with_capacity(256 * 1024, out);
    let plan = plan(set, opts.tlp_max);
    let mut summary = ExportSummary {
        bundle_id: format!("bundle--{}", plan.bundle_uuid),
        markings: plan.used.iter().copied().collect(),
        withheld: plan.withheld,
        ..ExportSummary::default()
    };

    w.write_all(b"{\"type\":\"bundle\",\"id\":\"")?;
    w.write_all(summary.bundle_id.as_bytes())?;
    w.write_all(b"\",\"objects\":[\n")?;
    let identity = StixId::new("identity", &object_uuid("identity", &set.producer.uuid));
    let t0 = Stamp::new(opts.producer_created);
    let mut o = Obj::begin(&mut w)?;
    o.str("type", "identity")?
        .str("spec_version", "2.1")?
        .id("id", &identity)?
        .stamp("created", &t0)?
        .stamp("modified", &t0)?
        .str("name", &set.producer.name)?
        .str("identity_class", "organization")?;
    o.end()?;
    summary.objects += 1;
    for t in &plan.used {
        w.write_all(b",\n")?;
        write_tlp2(&mut w, *t)?;
        summary.objects += 1;
    }

    let mut ctx = Ctx {
        w: &mut w,
        identity: &identity,
        summary: &mut summary,
        pattern: String::new(),
        name: String::new(),
    };
    let mut report_refs: Vec<Vec<String>> = vec![Vec::new(); set.incidents.len()];
    for (ind, planned) in set.indicators.iter().zip(&plan.indicators) {
        let Some(planned) = planned else {
            continue;
        };
        let refs = ind.incident.and_then(|i| report_refs.get_mut(i));
        ctx.indicator(ind, planned, refs)?;
    }

    for ((inc, ok), refs) in set
        .incidents
        .iter()
        .zip(&plan.incident_ok)
        .zip(&report_refs)
    {
        if !ok {
            continue;
        }
        let id = StixId::new("report", &object_uuid("report", &inc.uuid));
        let (created, modified) = (inc.created, inc.modified.max(inc.created));
        let modified = Stamp::new(modified);
        let name = format!("{} {}", inc.number, inc.title);
        let description = if blank(&inc.description) {
            name.as_str()
        } else {
            inc.description.as_str()
        };
        ctx.w.write_all(b",\n")?;
        let mut o = Obj::begin(&mut *ctx.w)?;
        o.str("type", "report")?
            .str("spec_version", "2.1")?
            .id("id", &id)?
            .id("created_by_ref", &identity)?
            .stamp("created", &Stamp::new(created))?
            .stamp("modified", &modified)?
            .str("name", name.trim())?
            .str("description", description)?
            .strs("report_types", ["threat-report"])?
            .stamp("published", &modified)?;
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
    identity: &'a StixId,
    summary: &'a mut ExportSummary,
    /// Reused for each indicator's pattern.
    pattern: String,
    /// Reused for the names derived ids are hashed from.
    name: String,
}

impl<W: Write> Ctx<'_, W> {
    /// Write the objects of one indicator; their ids go to `refs` when it is in an incident
    /// (for the report).
    fn indicator(
        &mut self,
        ind: &ShareIndicator,
        planned: &Planned,
        mut refs: Option<&mut Vec<String>>,
    ) -> io::Result<()> {
        let mut note = |id: &StixId| {
            if let Some(r) = refs.as_deref_mut() {
                r.push(id.as_str().to_owned());
            }
        };
        let created = Stamp::new(ind.created);
        let modified = Stamp::new(ind.modified.max(ind.created));
        let marking = tlp2_id(ind.tlp);
        let value = ind.indicator.value.as_str();
        if ind.indicator.kind == Kind::Cve {
            let id = StixId::new("vulnerability", &object_uuid("vulnerability", &ind.uuid));
            self.w.write_all(b",\n")?;
            let mut o = Obj::begin(&mut *self.w)?;
            o.str("type", "vulnerability")?
                .str("spec_version", "2.1")?
                .id("id", &id)?
                .id("created_by_ref", self.identity)?
                .stamp("created", &created)?
                .stamp("modified", &modified)?
                .str("name", value)?;
            if !blank(&ind.comment) {
                o.str("description", &ind.comment)?;
            }
            // Keys in sorted order, as serde_json's `json!` wrote them before.
            o.with_members(|w| {
                w.write_all(b"\"external_references\":[{\"external_id\":")?;
                write_str(w, value)?;
                w.write_all(b",\"source_name\":\"cve\"}]")
            })?
            .strs("object_marking_refs", [marking])?;
            o.end()?;
            self.summary.vulnerabilities += 1;
            self.summary.objects += 1;
            note(&id);
            return Ok(());
        }
        let sco = match Sco::of(&ind.indicator) {
            Ok(s) => s,
            Err(reason) => {
                self.summary.skipped.push(Skipped {
                    uuid: ind.uuid.clone(),
                    kind: ind.indicator.kind,
                    reason: reason.to_owned(),
                });
                return Ok(());
            }
        };
        // The plan hashed every SCO already; hashing here again would only cost time.
        let sco_uuid = planned
            .sco_uuid
            .unwrap_or_else(|| sco.uuid(&mut Vec::new()));
        let sco_id = StixId::new(sco.sco_type, &sco_uuid);
        let id = StixId::new("indicator", &object_uuid("indicator", &ind.uuid));
        let description = if blank(&ind.comment) {
            value
        } else {
            ind.comment.as_str()
        };
        let valid_from = Stamp::new(ind.first_seen.unwrap_or(ind.created));
        self.pattern.clear();
        sco.push_pattern(&mut self.pattern);
        use hikeshi_domain::named::Named;
        self.w.write_all(b",\n")?;
        let mut o = Obj::begin(&mut *self.w)?;
        o.str("type", "indicator")?
            .str("spec_version", "2.1")?
            .id("id", &id)?
            .id("created_by_ref", self.identity)?
            .stamp("created", &created)?
            .stamp("modified", &modified)?
            .str("name", value)?
            .str("description", description)?
            .strs("indicator_types", [indicator_type(ind.role)])?
            .strs("labels", [ind.role.as_str()])?
            .str("pattern", &self.pattern)?
            .str("pattern_type", "stix")?
            .str("pattern_version", "2.1")?
            .stamp("valid_from", &valid_from)?
            .strs("object_marking_refs", [marking])?;
        o.end()?;
        self.summary.indicators += 1;
        self.summary.objects += 1;
        note(&id);

        if let Some(sco_tlp) = planned.writes_sco {
            self.w.write_all(b",\n")?;
            let mut o = Obj::begin(&mut *self.w)?;
            o.str("type", sco.sco_type)?
                .str("spec_version", "2.1")?
                .id("id", &sco_id)?;
            o.with_members(|w| sco.write_members(w))?
                .strs("object_marking_refs", [tlp2_id(sco_tlp)])?;
            o.end()?;
            self.summary.observables += 1;
            self.summary.objects += 1;
        }
        note(&sco_id);
        let od = self.observed_data(&sco_id, ind, &created, &modified)?;
        note(&od);
        // Based on what the team observed (a suggested target of `based-on`; an SCO is only
        // a permitted one, which stix2-validator --strict refuses, check 202).
        let rel = self.relationship(&id, "based-on", &od, ind, &created, &modified)?;
        note(&rel);

        if is_malware_role(ind.role) {
            self.name.clear();
            self.name.push_str("malware:");
            self.name.push_str(&ind.uuid);
            let mid = StixId::new("malware", &derived_uuid(&self.name));
            let malware_type = if ind.role == IndicatorRole::Dropper {
                "dropper"
            } else {
                "unknown"
            };
            self.w.write_all(b",\n")?;
            let mut o = Obj::begin(&mut *self.w)?;
            o.str("type", "malware")?
                .str("spec_version", "2.1")?
                .id("id", &mid)?
                .id("created_by_ref", self.identity)?
                .stamp("created", &created)?
                .stamp("modified", &modified)?
                .str("name", value)?
                .strs("malware_types", [malware_type])?
                .raw("is_family", "false")?
                .strs("object_marking_refs", [marking])?;
            o.end()?;
            self.summary.malware += 1;
            self.summary.objects += 1;
            note(&mid);
            let rel = self.relationship(&id, "indicates", &mid, ind, &created, &modified)?;
            note(&rel);
        }
        Ok(())
    }

    /// The `observed-data` saying the team saw `sco` during the incident: from `first_seen`
    /// (else `created`) to `last_seen` (else `created`, never before the first), once, at the
    /// indicator's marking. One per indicator, id derived from the indicator's uuid.
    fn observed_data(
        &mut self,
        sco: &StixId,
        ind: &ShareIndicator,
        created: &Stamp,
        modified: &Stamp,
    ) -> io::Result<StixId> {
        self.name.clear();
        self.name.push_str("observed-data:");
        self.name.push_str(&ind.uuid);
        let id = StixId::new("observed-data", &derived_uuid(&self.name));
        let first = ind.first_seen.unwrap_or(ind.created);
        let last = ind.last_seen.unwrap_or(ind.created).max(first);
        self.w.write_all(b",\n")?;
        let mut o = Obj::begin(&mut *self.w)?;
        o.str("type", "observed-data")?
            .str("spec_version", "2.1")?
            .id("id", &id)?
            .id("created_by_ref", self.identity)?
            .stamp("created", created)?
            .stamp("modified", modified)?
            .stamp("first_observed", &Stamp::new(first))?
            .stamp("last_observed", &Stamp::new(last))?
            .raw("number_observed", "1")?
            .strs("object_refs", [sco.as_str()])?
            .strs("object_marking_refs", [tlp2_id(ind.tlp)])?;
        o.end()?;
        self.summary.observed_data += 1;
        self.summary.objects += 1;
        Ok(id)
    }

    fn relationship(
        &mut self,
        source: &StixId,
        ty: &str,
        target: &StixId,
        ind: &ShareIndicator,
        created: &Stamp,
        modified: &Stamp,
    ) -> io::Result<StixId> {
        self.name.clear();
        for part in [ty, ":", source.as_str(), ":", target.as_str()] {
            self.name.push_str(part);
        }
        let id = StixId::new("relationship", &derived_uuid(&self.name));
        self.w.write_all(b",\n")?;
        let mut o = Obj::begin(&mut *self.w)?;
        o.str("type", "relationship")?
            .str("spec_version", "2.1")?
            .id("id", &id)?
            .id("created_by_ref", self.identity)?
            .stamp("created", created)?
            .stamp("modified", modified)?
            .str("relationship_type", ty)?
            .id("source_ref", source)?
            .id("target_ref", target)?
            .strs("object_marking_refs", [tlp2_id(ind.tlp)])?;
        o.end()?;
        self.summary.relationships += 1;
        self.summary.objects += 1;
        Ok(id)
    }
}

/// Empty or only white space (`s.trim().is_empty()`, which stops at the first other character
/// instead of trimming from both ends).
fn blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}
