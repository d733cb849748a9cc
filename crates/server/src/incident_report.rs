//! The report of one incident (インシデント報告書): an executive summary for management (what
//! happened, classification, priority, phase, key times), the timeline, impact, scope (hosts
//! from sightings, accounts, data), actions and decisions, indicators (defanged) and lessons
//! learned, as HTML and, through the periodic report's Chromium path
//! ([`crate::stats_report::html_to_pdf`]), as PDF.
//!
//! TLP: everything is read as the asking viewer may see it (a TLP:RED incident is a 404 to
//! anyone not named on it); the document carries the incident's marking on every page; an
//! indicator marked above the incident never appears, neither in the indicator list, nor in
//! the timeline, nor in free text (handler notes, summary, write-up), where its value is
//! replaced by a "withheld" mark and the others by their defanged form.

use crate::i18n::{self, Lang};
use crate::stats_report::{REPORT_CSS, ReportError};
use crate::stats_view::fmt_duration;
use hikeshi_domain::{Decision, Incident, IncidentIndicator, Named, Sighting, Task, TimelineEvent};
use hikeshi_ioc::{DefangStyle, Indicator, defang};
use hikeshi_store::{Store, StoreError, Viewer};
use minijinja::{Environment, Value};
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};

/// Everything the report shows, read as one viewer may see it.
pub struct IncidentDoc {
    pub incident: Incident,
    pub owner: Option<String>,
    pub timeline: Vec<TimelineEvent>,
    pub tasks: Vec<Task>,
    pub decisions: Vec<Decision>,
    /// At or below the incident's TLP.
    pub indicators: Vec<IncidentIndicator>,
    /// Marked above the incident's TLP: never shown, only replaced where they occur in text.
    pub withheld: Vec<Indicator>,
    pub sightings: Vec<Sighting>,
}

/// Read the incident and what hangs off it. NotFound when the viewer may not see it.
pub async fn gather(
    store: &Store,
    viewer: Viewer,
    incident: Incident,
) -> Result<IncidentDoc, StoreError> {
    let id = incident.id;
    let owner = match incident.owner {
        Some(u) => store.user(u).await.ok().map(|u| {
            if u.display_name.is_empty() {
                u.username
            } else {
                u.display_name
            }
        }),
        None => None,
    };
    let (indicators, withheld): (Vec<_>, Vec<_>) = store
        .incident_indicators(viewer, id)
        .await?
        .into_iter()
        .partition(|i| i.tlp <= incident.tlp);
    Ok(IncidentDoc {
        owner,
        timeline: store.timeline(viewer, id).await?,
        tasks: store.tasks(viewer, id).await?,
        decisions: store.decisions(viewer, id).await?,
        withheld: withheld.into_iter().map(|i| i.indicator).collect(),
        indicators,
        sightings: store.incident_sightings(viewer, id).await?,
        incident,
    })
}

fn defanged(i: &Indicator) -> String {
    defang(i, DefangStyle::default())
}

/// Replaces indicator values in free text: withheld ones by a mark, the others by their
/// defanged form. Longest values first, and only at a boundary, so `192.0.2.1` does not eat
/// into `192.0.2.10` and a URL is replaced before the domain inside it.
struct Scrubber {
    pairs: Vec<(String, String)>,
}

impl Scrubber {
    fn new(doc: &IncidentDoc, withheld_mark: &str) -> Scrubber {
        let mut pairs: Vec<(String, String)> = doc
            .withheld
            .iter()
            .map(|i| (i.value.clone(), withheld_mark.to_owned()))
            .chain(
                doc.indicators
                    .iter()
                    .map(|i| (i.indicator.value.clone(), defanged(&i.indicator))),
            )
            .filter(|(v, _)| v.len() >= 3)
            .collect();
        pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        pairs.dedup_by(|a, b| a.0 == b.0);
        Scrubber { pairs }
    }

    fn text(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for (value, with) in &self.pairs {
            out = replace_bounded(&out, value, with);
        }
        out
    }

    /// Every string in a JSON value.
    fn json(&self, v: &mut Json) {
        match v {
            Json::String(s) => *s = self.text(s),
            Json::Array(a) => a.iter_mut().for_each(|x| self.json(x)),
            Json::Object(o) => o.values_mut().for_each(|x| self.json(x)),
            _ => {}
        }
    }
}

fn replace_bounded(s: &str, value: &str, with: &str) -> String {
    let inner = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_');
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(value) {
        let before = rest[..at].chars().next_back().or(out.chars().next_back());
        let after = rest[at + value.len()..].chars().next();
        // A trailing dot ends a sentence, not a name.
        let after_ok = match after {
            Some('.') => rest[at + value.len() + 1..]
                .chars()
                .next()
                .is_none_or(|c| !inner(c)),
            Some(c) => !inner(c),
            None => true,
        };
        out.push_str(&rest[..at]);
        if before.is_none_or(|c| !inner(c)) && after_ok {
            out.push_str(with);
        } else {
            out.push_str(value);
        }
        rest = &rest[at + value.len()..];
    }
    out.push_str(rest);
    out
}

/// One timeline event in words (its kind's label is added by the template).
fn event_text(e: &TimelineEvent, doc: &IncidentDoc, lang: Lang) -> String {
    let t = |k: &str| i18n::t(lang, k);
    let d = &e.data;
    let s = |k: &str| {
        d.get(k)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let label = |prefix: &str, k: &str| t(&format!("{prefix}.{}", s(k)));
    let joined = |a: &[String]| {
        a.iter()
            .filter(|x| !x.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(": ")
    };
    match e.kind.as_str() {
        "phase" => joined(&[
            format!("{} → {}", label("phase", "from"), label("phase", "to")),
            s("reason"),
        ]),
        "note" => s("text"),
        "classified" => {
            let cat = |side: &str| {
                d[side]["category"]
                    .as_str()
                    .map(|c| t(&format!("category.{c}")))
                    .unwrap_or_default()
            };
            format!("{} → {}", cat("from"), cat("to"))
        }
        "task-added" | "task-done" | "task-reopened" => s("title"),
        "decision" => format!(
            "{}: {} ({})",
            s("subject"),
            s("decision_text"),
            s("decided_by")
        ),
        "report-linked" => format!("#{}", d["report"]),
        "merged" => joined(&[format!("→ {}", s("into")), s("reason")]),
        "merged-in" => joined(&[format!("← {}", s("from")), s("reason")]),
        "created" => s("number"),
        "indicator-added" => {
            let tlp = hikeshi_domain::Tlp::parse(&s("tlp")).unwrap_or(hikeshi_domain::Tlp::Red);
            let ind = s("kind").parse().ok().map(|kind| Indicator {
                kind,
                value: s("value"),
            });
            match ind {
                Some(i) if tlp <= doc.incident.tlp => format!("{} {}", s("kind"), defanged(&i)),
                _ => format!("{} {}", s("kind"), t("incrpt.withheld_mark")),
            }
        }
        "sweep" => format!("{} {}", d["new"], t("incrpt.new_sightings")),
        "writeup" => d["fields"]
            .as_object()
            .map(|o| {
                o.keys()
                    .map(|k| t(&format!("writeup.{k}")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        "owner-reached" => s("note"),
        "shared" => s("group"),
        _ => String::new(),
    }
}

/// Hosts in scope: the internal hosts sightings were recorded on, with their asset, how many
/// sightings and which (visible) indicators.
fn hosts(doc: &IncidentDoc) -> Vec<Json> {
    let visible: BTreeMap<&str, String> = doc
        .indicators
        .iter()
        .map(|i| (i.indicator.value.as_str(), defanged(&i.indicator)))
        .collect();
    let mut by_host: BTreeMap<&str, (Option<&str>, usize, BTreeSet<String>)> = BTreeMap::new();
    for s in doc.sightings.iter().filter(|s| !s.host.is_empty()) {
        let e = by_host.entry(&s.host).or_insert((None, 0, BTreeSet::new()));
        e.0 = e.0.or(s.asset.as_deref());
        e.1 += 1;
        if let Some(v) = visible.get(s.indicator.value.as_str()) {
            e.2.insert(v.clone());
        }
    }
    by_host
        .into_iter()
        .map(|(host, (asset, n, inds))| json!({"host": host, "asset": asset, "sightings": n, "indicators": inds}))
        .collect()
}

/// Template values for the report in `lang`.
pub fn view(doc: &IncidentDoc, lang: Lang) -> Json {
    let t = |k: &str| i18n::t(lang, k);
    let i = &doc.incident;
    let c = &i.classification;
    let since = |at: Option<i64>| at.map(|a| fmt_duration(Some((a - i.reported_at).max(0)), lang));
    let times: Vec<Json> = [
        ("received", Some(i.reported_at)),
        ("acknowledged", i.acknowledged_at),
        ("triaged", i.first_response_at),
        ("owner_reached", i.owner_reached_at),
        ("contained", i.contained_at),
        ("closed", i.closed_at),
    ]
    .into_iter()
    .map(|(k, at)| json!({"label": t(&format!("incrpt.time.{k}")), "at": at, "since": since(at)}))
    .collect();
    let timeline: Vec<Json> = doc
        .timeline
        .iter()
        .map(|e| {
            json!({"at": e.at, "actor": e.actor_name, "label": t(&format!("event.{}", e.kind)), "text": event_text(e, doc, lang)})
        })
        .collect();
    let indicators: Vec<Json> = doc
        .indicators
        .iter()
        .map(|x| {
            json!({"kind": x.indicator.kind.as_str(), "defanged": defanged(&x.indicator),
                "role": t(&format!("indicator-role.{}", x.role.as_str())), "tlp": x.tlp.label(),
                "note": x.note, "sightings": x.sighting_count})
        })
        .collect();
    let mut v = json!({
        "number": i.number.to_string(),
        "title": i.title,
        "summary": i.summary,
        "tlp": i.tlp.as_str(),
        "tlp_label": i.tlp.label(),
        "category": t(&format!("category.{}", c.category.as_str())),
        "rsit": format!("{}/{}", c.rsit.class, c.rsit.kind),
        "attacker": t(&format!("attacker.{}", c.attacker.as_str())),
        "asset_class": t(&format!("asset-class.{}", c.asset.as_str())),
        "priority": t(&format!("priority.{}", i.priority.as_str())),
        "phase": t(&format!("phase.{}", i.phase.as_str())),
        "owner": doc.owner,
        "exercise": i.is_exercise,
        "impact_levels": [
            {"label": t("impact.functional"), "value": t(&format!("functional.{}", i.impact.functional.as_str()))},
            {"label": t("impact.information"), "value": t(&format!("information.{}", i.impact.information.as_str()))},
            {"label": t("impact.recoverability"), "value": t(&format!("recoverability.{}", i.impact.recoverability.as_str()))},
            {"label": t("impact.criticality"), "value": t(&format!("criticality.{}", i.impact.criticality.as_str()))},
        ],
        "times": times,
        "timeline": timeline,
        "writeup": i.writeup,
        "hosts": hosts(doc),
        "tasks": doc.tasks.iter().map(|k| json!({"title": k.title, "assignee": k.assignee_name, "due": k.due_at, "done": k.done_at})).collect::<Vec<_>>(),
        "decisions": doc.decisions.iter().map(|d| json!({"subject": d.subject, "decision": d.decision, "by": d.decided_by, "at": d.decided_at, "note": d.note})).collect::<Vec<_>>(),
        "indicators": indicators,
        "withheld": doc.withheld.len(),
    });
    scrub_json(doc, lang, &mut v);
    v
}

/// Apply the report's indicator rule to every string of `v`: withheld values replaced by a
/// mark, the others defanged (also used for the notice drafts).
pub fn scrub_json(doc: &IncidentDoc, lang: Lang, v: &mut Json) {
    Scrubber::new(doc, &i18n::t(lang, "incrpt.withheld_mark")).json(v);
}

/// Render the report. `tz` is the zone times are shown in (an IANA name; empty: the configured
/// offset); `standalone` embeds the stylesheet (for a file or the PDF engine).
pub fn report_html(
    env: &Environment<'static>,
    doc: &IncidentDoc,
    lang: Lang,
    tz: &str,
    issuer: &str,
    standalone: bool,
) -> Result<String, ReportError> {
    let mut vars: BTreeMap<&str, Value> = BTreeMap::new();
    vars.insert("lang", Value::from(lang.code()));
    vars.insert("tz", Value::from(tz));
    vars.insert("r", Value::from_serialize(view(doc, lang)));
    vars.insert("issuer", Value::from(issuer));
    vars.insert("issued_at", Value::from(hikeshi_domain::time::now_ms()));
    if standalone {
        vars.insert("inline_css", Value::from(REPORT_CSS));
    }
    Ok(env.get_template("incident_report.html")?.render(&vars)?)
}

#[cfg(test)]
mod tests {
    use super::replace_bounded;

    #[test]
    fn values_are_replaced_only_as_whole_names() {
        let r = |s: &str| replace_bounded(s, "192.0.2.1", "X");
        assert_eq!(r("from 192.0.2.1 and 192.0.2.10"), "from X and 192.0.2.10");
        assert_eq!(r("seen at 192.0.2.1."), "seen at X.");
        assert_eq!(r("a192.0.2.1"), "a192.0.2.1");
        assert_eq!(
            replace_bounded("evil.example,notevil.example", "evil.example", "E"),
            "E,notevil.example"
        );
    }
}
