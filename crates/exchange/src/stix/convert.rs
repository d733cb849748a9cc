//! What each incoming STIX object becomes: the per-object half of the import, fed one object
//! at a time by the streaming reader in `import.rs`.
//!
//! Markings may be defined anywhere in a bundle, also after the objects that use them; an
//! object whose marking is not known yet waits (in `deferred`) until the end of the bundle and
//! is then resolved or refused. Report membership is resolved at the end for the same reason,
//! and so is what an `observed-data` says about the SCOs it lists (when they were seen, and
//! the report it belongs to).

use std::collections::{HashMap, HashSet};

use hikeshi_domain::time::parse_rfc3339;
use hikeshi_domain::tlp::Tlp;
use hikeshi_ioc::{Kind, parse_as};
use serde_json::Value;

use super::StixError;
use super::check::{SDO_TYPES, check_object};
use super::import::ImportLimits;
use super::mapping::{comparison_kind, is_modelled_sco, role_of, sco_values};
use super::markings::{MarkingMeaning, meaning};
use super::pattern::{self, Literal, Op, Test};
use crate::share::{Imported, InGroup, InIndicator, InRelation, Rejected};

pub(super) struct State {
    pub limits: ImportLimits,
    /// Objects seen so far.
    pub count: usize,
    /// A problem with the whole input: reading stops.
    pub fatal: Option<StixError>,
    out: Imported,
    /// Parallel to `out.indicators`: whether it came from an SCO (deduplicated against those
    /// from patterns at the end).
    from_sco: Vec<bool>,
    defined: HashMap<String, MarkingMeaning>,
    deferred: Vec<(usize, Value)>,
    /// Object id → index of the first report listing it.
    member_of: HashMap<String, usize>,
    /// SCO id → the first `observed-data` listing it: its id and observation window.
    observed_in: HashMap<String, Observed>,
}

/// What an `observed-data` says about each SCO in its `object_refs`.
struct Observed {
    id: String,
    first: Option<i64>,
    last: Option<i64>,
}

impl State {
    pub fn new(limits: ImportLimits) -> Self {
        State {
            limits,
            count: 0,
            fatal: None,
            out: Imported::default(),
            from_sco: Vec::new(),
            defined: HashMap::new(),
            deferred: Vec::new(),
            member_of: HashMap::new(),
            observed_in: HashMap::new(),
        }
    }

    /// One element of `objects`, at position `index`.
    pub fn object(&mut self, index: usize, v: Value) {
        let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
        let label = label(index, &v);
        match v.get("spec_version") {
            Some(Value::String(s)) if s == "2.0" => {
                self.fatal = Some(StixError::Stix20(format!(
                    "{label} has spec_version \"2.0\""
                )));
                return;
            }
            None if SDO_TYPES.contains(&ty) => {
                self.fatal = Some(StixError::Stix20(format!(
                    "{label} ({ty}) has no spec_version, as in STIX 2.0"
                )));
                return;
            }
            _ => {}
        }
        self.process(index, v, false);
    }

    fn reject(&mut self, object: String, reason: String) {
        self.out.rejected.push(Rejected { object, reason });
    }

    fn process(&mut self, index: usize, v: Value, last_pass: bool) {
        let info = match check_object(&v) {
            Ok(i) => i,
            Err(reason) => return self.reject(label(index, &v), reason),
        };
        if info.object_type == "marking-definition" {
            let m = meaning(&v);
            self.defined.insert(info.id, m);
            if !matches!(m, MarkingMeaning::Tlp(_)) {
                self.out.kept.push(v);
            }
            return;
        }
        let mut tlp = info.tlp;
        for r in &info.other_markings {
            match self.defined.get(r) {
                Some(MarkingMeaning::Tlp(t)) => tlp = Some(tlp.map_or(*t, |x| x.max(*t))),
                Some(_) => {}
                None if last_pass => {
                    return self.reject(
                        info.id,
                        format!(
                            "unknown marking-definition {r}: not a TLP marking and not defined \
                             in the bundle, so what it allows cannot be known"
                        ),
                    );
                }
                None => return self.deferred.push((index, v)),
            }
        }
        let id = info.id;
        match info.object_type.as_str() {
            "indicator" => self.indicator(id, v, tlp),
            "report" => self.report(id, v, tlp, info.created),
            "relationship" => {
                let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
                match (s("source_ref"), s("relationship_type"), s("target_ref")) {
                    (Some(source_ref), Some(relationship_type), Some(target_ref)) => {
                        self.out.relations.push(InRelation {
                            source_ref,
                            relationship_type,
                            target_ref,
                        });
                        self.out.kept.push(v);
                    }
                    _ => self.reject(
                        id,
                        "relationship without source_ref, relationship_type and target_ref".into(),
                    ),
                }
            }
            "vulnerability" => self.vulnerability(id, v, tlp),
            "observed-data" => {
                self.observed_data(id, &v);
                self.out.kept.push(v);
            }
            t if is_modelled_sco(t) => self.sco(id, v, tlp),
            _ => self.out.kept.push(v),
        }
    }

    fn push(&mut self, ind: InIndicator, from_sco: bool) {
        self.out.indicators.push(ind);
        self.from_sco.push(from_sco);
    }

    fn indicator(&mut self, id: String, v: Value, tlp: Option<Tlp>) {
        let Some(pattern) = v.get("pattern").and_then(Value::as_str) else {
            return self.reject(id, "indicator without a pattern".into());
        };
        if v.get("pattern_type").and_then(Value::as_str) != Some("stix") {
            // A Sigma/YARA/Snort pattern: valid, not ours to read.
            return self.out.kept.push(v);
        }
        let obs = match pattern::parse(pattern) {
            Ok(o) => o,
            Err(e) => return self.reject(id, format!("pattern {pattern:?}: {e}")),
        };
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        let desc = v.get("description").and_then(Value::as_str).unwrap_or("");
        let first_seen = v
            .get("valid_from")
            .and_then(Value::as_str)
            .and_then(|s| parse_rfc3339(s).ok());
        let role = role_of(&v);
        let mut tests: Vec<Test> = Vec::new();
        for t in pattern::equalities(&obs) {
            match (&t.op, &t.value) {
                (Op::In, Literal::Set(items)) if !t.negated => {
                    for item in items {
                        tests.push(Test {
                            path: t.path.clone(),
                            negated: false,
                            op: Op::Eq,
                            value: item.clone(),
                        });
                    }
                }
                _ => tests.push(t.clone()),
            }
        }
        let mut known = 0;
        for t in &tests {
            let Some((kind, text)) = comparison_kind(t) else {
                continue;
            };
            known += 1;
            match parse_as(kind, &text) {
                Ok(indicator) => {
                    let comment = if !desc.trim().is_empty() && desc != name && desc != text {
                        desc
                    } else if name != text {
                        name
                    } else {
                        ""
                    };
                    self.push(
                        InIndicator {
                            source_id: id.clone(),
                            indicator,
                            tlp,
                            role,
                            comment: comment.to_owned(),
                            first_seen,
                            last_seen: None,
                            group: None,
                        },
                        false,
                    );
                }
                Err(e) => self.reject(id.clone(), format!("{}: {e}", t.path.dotted())),
            }
        }
        if known == 0 {
            // A valid pattern on paths we do not model (process names, registry keys, …).
            self.out.kept.push(v);
        }
    }

    fn report(&mut self, id: String, v: Value, tlp: Option<Tlp>, created: Option<i64>) {
        let index = self.out.groups.len();
        if let Some(refs) = v.get("object_refs").and_then(Value::as_array) {
            for r in refs.iter().filter_map(Value::as_str) {
                self.member_of.entry(r.to_owned()).or_insert(index);
            }
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        self.out.groups.push(InGroup {
            source_id: id,
            title: s("name"),
            tlp,
            created,
            description: s("description"),
        });
    }

    /// Note the window and id of an `observed-data` for the SCOs it lists (STIX 2.1
    /// `object_refs`; the SCOs themselves are objects of the bundle and become indicators on
    /// their own). The deprecated embedded `objects` of STIX 2.0 style is not read.
    fn observed_data(&mut self, id: String, v: &Value) {
        let time = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .and_then(|s| parse_rfc3339(s).ok())
        };
        let (first, last) = (time("first_observed"), time("last_observed"));
        let Some(refs) = v.get("object_refs").and_then(Value::as_array) else {
            return;
        };
        for r in refs.iter().filter_map(Value::as_str) {
            self.observed_in
                .entry(r.to_owned())
                .or_insert_with(|| Observed {
                    id: id.clone(),
                    first,
                    last,
                });
        }
    }

    fn vulnerability(&mut self, id: String, v: Value, tlp: Option<Tlp>) {
        let from_refs = v
            .get("external_references")
            .and_then(Value::as_array)
            .and_then(|refs| {
                refs.iter().find_map(|r| {
                    (r.get("source_name").and_then(Value::as_str) == Some("cve"))
                        .then(|| r.get("external_id").and_then(Value::as_str))
                        .flatten()
                })
            });
        let name = v.get("name").and_then(Value::as_str);
        let cve = [name, from_refs]
            .into_iter()
            .flatten()
            .find_map(|t| parse_as(Kind::Cve, t).ok());
        match cve {
            Some(indicator) => {
                let comment = v
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                self.push(
                    InIndicator {
                        source_id: id,
                        indicator,
                        tlp,
                        role: hikeshi_domain::indicator::IndicatorRole::Unknown,
                        comment,
                        first_seen: None,
                        last_seen: None,
                        group: None,
                    },
                    false,
                );
            }
            None => self.out.kept.push(v),
        }
    }

    fn sco(&mut self, id: String, v: Value, tlp: Option<Tlp>) {
        let values = sco_values(&v);
        if values.is_empty() {
            return self.out.kept.push(v);
        }
        for (kind, text) in values {
            match parse_as(kind, &text) {
                Ok(indicator) => self.push(
                    InIndicator {
                        source_id: id.clone(),
                        indicator,
                        tlp,
                        role: hikeshi_domain::indicator::IndicatorRole::Unknown,
                        comment: String::new(),
                        first_seen: None,
                        last_seen: None,
                        group: None,
                    },
                    true,
                ),
                Err(e) => self.reject(id.clone(), e.to_string()),
            }
        }
    }

    /// Resolve what had to wait for the whole bundle, and return the result.
    pub fn finish(mut self) -> Imported {
        for (index, v) in std::mem::take(&mut self.deferred) {
            self.process(index, v, true);
        }
        for ind in &mut self.out.indicators {
            let observed = self.observed_in.get(&ind.source_id);
            if ind.group.is_none() {
                // Listed by a report itself, else through the observed-data listing it.
                ind.group = self
                    .member_of
                    .get(&ind.source_id)
                    .or_else(|| observed.and_then(|o| self.member_of.get(&o.id)))
                    .copied();
            }
            if let Some(o) = observed {
                ind.first_seen = ind.first_seen.or(o.first);
                ind.last_seen = ind.last_seen.or(o.last);
            }
        }
        // An SCO repeats what an indicator's pattern already said: keep one of each value,
        // preferring the indicator (it carries the role, name and validity).
        let mut seen: HashSet<(Kind, String)> = self
            .out
            .indicators
            .iter()
            .zip(&self.from_sco)
            .filter(|(_, sco)| !**sco)
            .map(|(i, _)| (i.indicator.kind, i.indicator.value.clone()))
            .collect();
        let from_sco = std::mem::take(&mut self.from_sco);
        let mut k = 0;
        self.out.indicators.retain(|i| {
            let sco = from_sco[k];
            k += 1;
            !sco || seen.insert((i.indicator.kind, i.indicator.value.clone()))
        });
        self.out
    }
}

/// How a rejected object is named: its id, else its position.
fn label(index: usize, v: &Value) -> String {
    match v.get("id").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => format!("objects[{index}]"),
    }
}
