//! Indicators over the API: extract from text (the review step), attach to an incident with its
//! context, list an incident's indicators with their correlations, accept a report's proposals.

use super::incidents::resolve;
use super::{ApiJson, opt_named};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hikeshi_domain::time::{parse_rfc3339, rfc3339};
use hikeshi_domain::*;
use hikeshi_ioc::{DefangStyle, defang};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/extract", post(extract))
        .route("/api/v1/incidents/{id}/indicators", get(list).post(attach))
        .route(
            "/api/v1/incidents/{id}/indicators/{indicator}",
            delete(detach),
        )
        .route(
            "/api/v1/indicators/{indicator}/correlations",
            get(correlations),
        )
        .route("/api/v1/reports/{id}/indicators", get(report_indicators))
        .route("/api/v1/incidents/{id}/sightings", get(sightings))
        .route("/api/v1/reports/{id}/indicators/accept", post(accept))
}

pub(crate) fn link_json(l: &IncidentLink) -> Value {
    json!({"incident_id": l.incident.0, "number": l.number.to_string(), "title": l.title, "phase": l.phase.as_str()})
}

pub(crate) fn correlations_json(c: &Correlations) -> Value {
    json!({
        "incidents": c.incidents.iter().map(link_json).collect::<Vec<_>>(),
        "reports": c.reports.iter().map(|r| json!({"report_id": r.report.0, "subject": r.subject, "received_at": rfc3339(r.received_at)})).collect::<Vec<_>>(),
        "weak": c.weak.iter().map(|w| json!({
            "link": w.link, "key": w.key, "kind": w.indicator.kind.as_str(), "value": w.indicator.value,
            "incidents": w.incidents.iter().map(link_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "sources": c.sources.iter().map(|s| json!({
            "source": s.source, "source_ref": s.source_ref, "tlp": s.tlp,
            "first_at": rfc3339(s.first_at), "last_at": rfc3339(s.last_at),
        })).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtractBody {
    text: String,
}

/// Every indicator in a text, with normal form, the text as written, byte offsets and warnings;
/// nothing is stored (the review step before attaching).
async fn extract(
    State(st): State<AppState>,
    _: CurrentUser,
    ApiJson(b): ApiJson<ExtractBody>,
) -> Json<Value> {
    let found = st.extractor.extract(&b.text);
    Json(json!({"items": found.iter().map(|x| json!({
        "kind": x.kind.as_str(), "value": x.value, "raw": x.raw, "start": x.start, "end": x.end,
        "defanged": defang(&x.indicator(), DefangStyle::default()),
        "warnings": x.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })).collect::<Vec<_>>()}))
}

async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let inc = resolve(&st, &user, &id).await?;
    let items = st.store.incident_indicators(user.viewer(), inc.id).await?;
    let mut out = Vec::with_capacity(items.len());
    for i in &items {
        let c = st
            .store
            .correlations(user.viewer(), i.id, Some(inc.id))
            .await?;
        out.push(json!({
            "id": i.id.0,
            "kind": i.indicator.kind.as_str(),
            "value": i.indicator.value,
            "defanged": defang(&i.indicator, DefangStyle::default()),
            "role": i.role.as_str(),
            "tlp": i.tlp.as_str(),
            "note": i.note,
            "first_seen": i.first_seen.map(rfc3339),
            "last_seen": i.last_seen.map(rfc3339),
            "added_at": rfc3339(i.added_at),
            "sightings": i.sighting_count,
            "correlations": correlations_json(&c),
        }));
    }
    Ok(Json(json!({"items": out})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachItem {
    /// As a handler writes it: defanged and full-width forms are accepted.
    value: String,
    /// Force a kind instead of recognising it.
    kind: Option<String>,
    role: Option<String>,
    tlp: Option<String>,
    #[serde(default)]
    note: String,
    first_seen: Option<String>,
    last_seen: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachBody {
    items: Vec<AttachItem>,
}

/// Parse every item; if any is bad, refuse all of them and say which and why.
fn parse_items(items: Vec<AttachItem>) -> AppResult<Vec<(Indicator, IndicatorContext)>> {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (n, it) in items.into_iter().enumerate() {
        let parsed = (|| -> Result<(Indicator, IndicatorContext), String> {
            let ind = match it.kind.as_deref() {
                Some(k) => {
                    let k: Kind = k
                        .parse()
                        .map_err(|e: hikeshi_ioc::IocError| e.to_string())?;
                    hikeshi_ioc::parse_as(k, &it.value).map_err(|e| e.to_string())?
                }
                None => hikeshi_ioc::parse_indicator(&it.value).map_err(|e| e.to_string())?,
            };
            let ctx = IndicatorContext {
                role: opt_named("role", it.role.as_deref())
                    .map_err(|e| e.message)?
                    .unwrap_or(IndicatorRole::Unknown),
                tlp: it
                    .tlp
                    .as_deref()
                    .map(Tlp::parse)
                    .transpose()
                    .map_err(|e| e.to_string())?
                    .unwrap_or(Tlp::Amber),
                note: it.note,
                first_seen: it
                    .first_seen
                    .as_deref()
                    .map(parse_rfc3339)
                    .transpose()
                    .map_err(|e| e.to_string())?,
                last_seen: it
                    .last_seen
                    .as_deref()
                    .map(parse_rfc3339)
                    .transpose()
                    .map_err(|e| e.to_string())?,
            };
            Ok((ind, ctx))
        })();
        match parsed {
            Ok(p) => ok.push(p),
            Err(why) => bad.push(format!("items[{n}]: {why}")),
        }
    }
    if !bad.is_empty() {
        return Err(AppError::bad_request(format!(
            "nothing attached; fix these: {}",
            bad.join("; ")
        )));
    }
    Ok(ok)
}

async fn attach(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AttachBody>,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let inc = resolve(&st, &user, &id).await?;
    if b.items.is_empty() {
        return Err(AppError::bad_request("items is empty"));
    }
    let items = parse_items(b.items)?;
    let ids = st.store.attach_indicators(&actor, inc.id, &items).await?;
    let out: Vec<Value> = ids
        .iter()
        .zip(&items)
        .map(|(id, (ind, _))| json!({"id": id.0, "kind": ind.kind.as_str(), "value": ind.value}))
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({"attached": out.len(), "items": out})),
    )
        .into_response())
}

async fn detach(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, indicator)): Path<(String, i64)>,
) -> AppResult<StatusCode> {
    let actor = user.writer()?;
    let inc = resolve(&st, &user, &id).await?;
    st.store
        .detach_indicator(&actor, inc.id, IndicatorId(indicator))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn correlations(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(indicator): Path<i64>,
) -> AppResult<Json<Value>> {
    let c = st
        .store
        .correlations(user.viewer(), IndicatorId(indicator), None)
        .await?;
    Ok(Json(correlations_json(&c)))
}

async fn report_indicators(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let items = st
        .store
        .report_indicators(user.viewer(), ReportId(id))
        .await?;
    Ok(Json(json!({"items": items.iter().map(|i| json!({
        "id": i.id.0, "kind": i.indicator.kind.as_str(), "value": i.indicator.value,
        "defanged": defang(&i.indicator, DefangStyle::default()),
        "source": i.source, "raw": i.raw, "start": i.start, "end": i.end,
        "warnings": i.warnings, "status": i.status,
    })).collect::<Vec<_>>()})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    /// The incident (id or number) to attach them to; default: the report's incident.
    incident: Option<Value>,
    indicators: Vec<i64>,
    role: Option<String>,
    tlp: Option<String>,
    #[serde(default)]
    dismiss_rest: bool,
}

async fn accept(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AcceptBody>,
) -> AppResult<Json<Value>> {
    let actor = user.writer()?;
    let report = st.store.report(user.viewer(), ReportId(id)).await?;
    let inc = match (&b.incident, report.incident_id) {
        (Some(v), _) => super::incidents::resolve_value(&st, &user, "incident", v).await?,
        (None, Some(linked)) => st.store.incident(user.viewer(), linked).await?,
        (None, None) => {
            return Err(AppError::bad_request(
                "the report is not linked to an incident; say which incident",
            ));
        }
    };
    let ctx = IndicatorContext {
        role: opt_named("role", b.role.as_deref())?.unwrap_or(IndicatorRole::Unknown),
        tlp: b
            .tlp
            .as_deref()
            .map(Tlp::parse)
            .transpose()?
            .unwrap_or(inc.tlp),
        ..Default::default()
    };
    let ids: Vec<IndicatorId> = b.indicators.into_iter().map(IndicatorId).collect();
    let n = st
        .store
        .accept_report_indicators(&actor, report.id, inc.id, &ids, &ctx, b.dismiss_rest)
        .await?;
    Ok(Json(
        json!({"accepted": n, "incident": inc.number.to_string()}),
    ))
}

/// Where the incident's indicators were seen in the logs swept for it, with the internal host
/// and the asset it belongs to.
async fn sightings(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let inc = resolve(&st, &user, &id).await?;
    let items = st.store.incident_sightings(user.viewer(), inc.id).await?;
    Ok(Json(json!({"items": items.iter().map(|s| json!({
        "kind": s.indicator.kind.as_str(), "value": s.indicator.value,
        "defanged": defang(&s.indicator, DefangStyle::default()),
        "source": s.source, "line": s.line, "field": s.field, "host": s.host,
        "destination": s.destination, "seen_at": s.seen_at, "asset": s.asset,
        "recorded_at": rfc3339(s.recorded_at),
    })).collect::<Vec<_>>()})))
}
