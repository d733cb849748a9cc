//! From the store to the neutral sharing model of hikeshi-exchange, and back.
//!
//! Every export path (API downloads, the command line, TAXII collections, the MISP API) builds
//! its [`ShareSet`] here, reading as the viewer it serves — so TLP:RED incidents the viewer may
//! not see are never read at all — and then applies the audience's ceiling with
//! [`ShareSet::cap`] before any format writer sees it.
//!
//! Identifiers are deterministic UUIDv5s under the instance's own UUID, so exporting the same
//! incident twice gives the same STIX ids and MISP uuids, and a receiver updates rather than
//! duplicates.

use crate::error::AppResult;
use hikeshi_domain::{Incident, IncidentId, Named, Tlp};
use hikeshi_exchange::share::{Imported, Producer, ShareIncident, ShareIndicator, ShareSet};
use hikeshi_store::{IncidentFilter, Page, SourcedIndicator, Store, Viewer};
use uuid::Uuid;

/// A stable UUID for `what` under this instance.
pub fn stable_uuid(instance: &str, what: &str) -> String {
    let ns = Uuid::parse_str(instance).unwrap_or(Uuid::NAMESPACE_OID);
    Uuid::new_v5(&ns, what.as_bytes()).to_string()
}

/// What to export: the given incidents, or every incident the viewer may see.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub incidents: Vec<IncidentId>,
    /// Leave out incidents marked as exercises (drills are not shared by default).
    pub include_exercises: bool,
}

fn share_incident(instance: &str, i: &Incident) -> ShareIncident {
    ShareIncident {
        uuid: stable_uuid(instance, &format!("incident:{}", i.id.0)),
        number: i.number.to_string(),
        title: i.title.clone(),
        category: i.classification.category.as_str().to_owned(),
        rsit_class: i.classification.rsit.class.to_owned(),
        rsit_type: i.classification.rsit.kind.to_owned(),
        tlp: i.tlp,
        created: i.created_at,
        modified: i.updated_at,
        // Summaries and notes are internal; what is shared is the indicators and the title.
        description: String::new(),
    }
}

/// Build the set for `viewer`, then cap it at `tlp_max`. Returns the set and how many items
/// the ceiling withheld.
pub async fn share_set(
    store: &Store,
    viewer: Viewer,
    team_name: &str,
    sel: &Selection,
    tlp_max: Tlp,
) -> AppResult<(ShareSet, usize)> {
    let instance = store.instance_uuid().await?;
    let mut incidents = Vec::new();
    if sel.incidents.is_empty() {
        // By keyset: the total is a lower bound past TOTAL_CAP, so it cannot say when to stop.
        let mut seek = None;
        loop {
            let p = store
                .list_incidents(
                    viewer,
                    &IncidentFilter::default(),
                    Page::new(None, Some(Page::MAX_PER_PAGE)).seek(seek),
                )
                .await?;
            incidents.extend(p.items);
            match p.next {
                Some(c) => seek = Some(hikeshi_store::Seek::After(c)),
                None => break,
            }
        }
    } else {
        for id in &sel.incidents {
            incidents.push(store.incident(viewer, *id).await?);
        }
    }
    incidents.retain(|i| i.merged_into.is_none() && (sel.include_exercises || !i.is_exercise));
    let mut set = ShareSet {
        producer: Producer {
            name: team_name.to_owned(),
            uuid: instance.clone(),
        },
        incidents: Vec::with_capacity(incidents.len()),
        indicators: Vec::new(),
    };
    for (idx, inc) in incidents.iter().enumerate() {
        set.incidents.push(share_incident(&instance, inc));
        for ii in store.incident_indicators(viewer, inc.id).await? {
            set.indicators.push(ShareIndicator {
                uuid: stable_uuid(
                    &instance,
                    &format!("incident:{}:indicator:{}", inc.id.0, ii.id.0),
                ),
                indicator: ii.indicator,
                role: ii.role,
                // An indicator is never shared more widely than its incident.
                tlp: ii.tlp.max(inc.tlp),
                incident: Some(idx),
                comment: String::new(),
                created: ii.added_at,
                modified: ii.added_at,
                first_seen: ii.first_seen,
                last_seen: ii.last_seen,
            });
        }
    }
    let withheld = set.cap(tlp_max);
    Ok((set, withheld))
}

/// The indicators of an import, as the store links them to their source. Indicators that came
/// unmarked get `default_tlp`; a group's marking applies to its indicators when stricter.
pub fn sourced(imported: &Imported, default_tlp: Tlp) -> Vec<SourcedIndicator> {
    imported
        .indicators
        .iter()
        .map(|i| {
            let group_tlp = i
                .group
                .and_then(|g| imported.groups.get(g))
                .and_then(|g| g.tlp);
            let tlp = match (i.tlp, group_tlp) {
                (Some(a), Some(b)) => a.max(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => default_tlp,
            };
            SourcedIndicator {
                indicator: i.indicator.clone(),
                source_ref: i.source_id.clone(),
                tlp,
                comment: i.comment.chars().take(2000).collect(),
            }
        })
        .collect()
}

/// What the caller may do with a sharing group (admins everything; otherwise their own and
/// their token's memberships).
pub async fn access(
    store: &Store,
    user: &crate::auth::CurrentUser,
    group: i64,
) -> AppResult<hikeshi_store::Access> {
    Ok(store
        .sharing_access(
            group,
            user.user.id,
            user.user.role.is_admin(),
            user.token_id(),
        )
        .await?)
}

/// Every sharing group with what the caller may do with it.
pub async fn groups_with_access(
    store: &Store,
    user: &crate::auth::CurrentUser,
) -> AppResult<Vec<(hikeshi_store::SharingGroup, hikeshi_store::Access)>> {
    let mut out = Vec::new();
    for g in store.sharing_groups().await? {
        let a = access(store, user, g.id).await?;
        out.push((g, a));
    }
    Ok(out)
}

/// The objects of an import that are not indicators, as the store keeps them: a STIX object by
/// its `id`; a MISP item (`{"event_uuid", "<What>": …}`) by its event, kind and position.
pub fn kept(imported: &Imported) -> Vec<hikeshi_store::KeptObject> {
    imported
        .kept
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
            let what = v
                .as_object()
                .and_then(|m| m.keys().find(|k| *k != "event_uuid").cloned())
                .unwrap_or_default();
            let (object_id, object_type) = match (s("id"), s("type")) {
                (Some(id), Some(ty)) => (id, ty),
                _ => (
                    format!("{}#{what}#{i}", s("event_uuid").unwrap_or_default()),
                    format!("misp:{what}"),
                ),
            };
            hikeshi_store::KeptObject {
                object_id,
                object_type,
                body: v.to_string(),
            }
        })
        .collect()
}

/// The formats a set can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Stix,
    Misp,
    Csv,
    Text,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stix" | "stix2" | "stix2.1" => Some(Format::Stix),
            "misp" | "misp-json" => Some(Format::Misp),
            "csv" => Some(Format::Csv),
            "text" | "txt" | "defanged" => Some(Format::Text),
            _ => None,
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Stix => "application/stix+json;version=2.1",
            Format::Misp => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Text => "text/plain; charset=utf-8",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Stix => "stix.json",
            Format::Misp => "misp.json",
            Format::Csv => "csv",
            Format::Text => "txt",
        }
    }
}

/// Write an (already capped) set in a format. `lang` is for the text format's headings.
pub fn render<W: std::io::Write>(
    set: &ShareSet,
    format: Format,
    tlp_max: Tlp,
    lang: &str,
    mut out: W,
) -> std::io::Result<()> {
    use hikeshi_exchange::{misp, stix, text};
    match format {
        Format::Stix => {
            let opts = stix::ExportOptions {
                tlp_max,
                ..Default::default()
            };
            stix::write_bundle(set, &mut out, &opts)?;
        }
        Format::Misp => {
            let events: Vec<serde_json::Value> = misp::export_events(set)
                .iter()
                .map(misp::event_to_value)
                .collect();
            let body = if events.len() == 1 {
                events.into_iter().next().unwrap_or_default()
            } else {
                serde_json::json!({ "response": events })
            };
            serde_json::to_writer_pretty(&mut out, &body)?;
            out.write_all(b"\n")?;
        }
        Format::Csv => {
            text::write_csv(set, &mut out)?;
        }
        Format::Text => {
            text::write_defanged(set, &mut out, lang)?;
        }
    }
    Ok(())
}

/// Read an outside file in a format (STIX bundle or MISP event JSON).
pub fn read(format: Format, bytes: &[u8]) -> Result<Imported, String> {
    use hikeshi_exchange::{misp, stix};
    match format {
        Format::Stix => {
            stix::read_bundle(bytes, &stix::ImportLimits::default()).map_err(|e| e.to_string())
        }
        Format::Misp => misp::read_event(bytes).map_err(|e| e.to_string()),
        Format::Csv | Format::Text => {
            Err("CSV and text are export formats; import them with `hikeshi ioc import`".into())
        }
    }
}

/// What publishing an incident into a sharing group did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Published {
    /// Items the group's ceiling kept out before anything was written.
    pub withheld: usize,
    pub stix_added: usize,
    pub stix_unchanged: usize,
    pub stix_refused: usize,
    /// The MISP event written for the incident, if it had anything to share.
    pub misp_event: Option<String>,
}

/// Publish incidents into a sharing group: their STIX objects into the group's TAXII
/// collection and one MISP event each for the MISP API — all capped at the group's ceiling.
pub async fn publish(
    store: &Store,
    actor: &hikeshi_domain::Actor,
    viewer: Viewer,
    team_name: &str,
    group: &hikeshi_store::SharingGroup,
    incident: IncidentId,
) -> AppResult<Published> {
    let sel = Selection {
        incidents: vec![incident],
        include_exercises: true,
    };
    let (set, withheld) = share_set(store, viewer, team_name, &sel, group.tlp_max).await?;
    let mut out = Published {
        withheld,
        ..Default::default()
    };
    if set.incidents.is_empty() {
        return Ok(out);
    }
    let mut bytes = Vec::new();
    render(&set, Format::Stix, group.tlp_max, "en", &mut bytes)
        .map_err(|e| crate::error::AppError::bad_request(e.to_string()))?;
    let bundle: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| crate::error::AppError::bad_request(e.to_string()))?;
    let mut objs = Vec::new();
    for o in bundle["objects"].as_array().into_iter().flatten() {
        let obj = crate::stix_meta::shared_object(o)
            .map_err(|e| crate::error::AppError::bad_request(format!("our own bundle: {e}")))?;
        objs.push(obj);
    }
    let source = format!("incident:{}", incident.0);
    for r in store
        .add_shared_objects(actor, group.id, &source, &objs)
        .await?
    {
        match r {
            hikeshi_store::AddOutcome::Added => out.stix_added += 1,
            hikeshi_store::AddOutcome::Exists => out.stix_unchanged += 1,
            hikeshi_store::AddOutcome::Refused(_) => out.stix_refused += 1,
        }
    }
    for ev in hikeshi_exchange::misp::export_events(&set) {
        let wrapped = hikeshi_exchange::misp::event_to_value(&ev);
        let v = wrapped.get("Event").cloned().unwrap_or_default();
        let m = v.as_object().cloned().unwrap_or_default();
        let get = |k: &str| m.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
        let attributes = m
            .get("Attribute")
            .and_then(|a| a.as_array())
            .into_iter()
            .flatten()
            .map(|a| hikeshi_store::MispAttr {
                uuid: a["uuid"].as_str().unwrap_or("").to_owned(),
                attr_type: a["type"].as_str().unwrap_or("").to_owned(),
                category: a["category"].as_str().unwrap_or("").to_owned(),
                value: a["value"].as_str().unwrap_or("").to_owned(),
            })
            .collect();
        let tlp = set.incidents.first().map_or(Tlp::Clear, |i| i.tlp);
        let new = hikeshi_store::NewMispEvent {
            uuid: get("uuid"),
            info: get("info"),
            tlp,
            published: true,
            event_ts: get("timestamp").parse().unwrap_or(0),
            body: v.to_string(),
            attributes,
        };
        store
            .save_misp_event(actor, Some(group.id), &source, None, &new)
            .await?;
        out.misp_event = Some(new.uuid);
    }
    store
        .record_share(
            actor,
            incident,
            serde_json::json!({
                "group": group.name, "tlp_max": group.tlp_max, "indicators": set.indicators.len(),
                "withheld": out.withheld, "stix_added": out.stix_added, "misp_event": out.misp_event,
            }),
        )
        .await?;
    Ok(out)
}
