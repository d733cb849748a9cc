//! The indicator forms: paste text → review what was found → attach; remove; accept a report's
//! proposals.

use super::{PageCtx, UiError, render, see_other};
use crate::AppState;
use crate::api::{opt_named, resolve_incident};
use crate::auth::CurrentUser;
use crate::error::AppError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use hikeshi_domain::*;
use hikeshi_ioc::{DefangStyle, defang};
use minijinja::Value;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/indicators/extract", post(review))
        .route("/incidents/{id}/indicators", post(attach))
        .route(
            "/incidents/{id}/indicators/{indicator}/remove",
            post(remove),
        )
        .route("/reports/{id}/indicators", post(accept))
}

/// Form fields, keeping repeated keys (checkbox lists), which the derive-based Form cannot.
fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn context(f: &[(String, String)], default_tlp: Tlp) -> Result<IndicatorContext, UiError> {
    Ok(IndicatorContext {
        role: opt_named("role", field(f, "role"))?.unwrap_or(IndicatorRole::Unknown),
        tlp: field(f, "tlp")
            .filter(|t| !t.is_empty())
            .map(Tlp::parse)
            .transpose()?
            .unwrap_or(default_tlp),
        ..Default::default()
    })
}

/// Show what the pasted text contains, for the handler to choose; nothing is stored yet.
async fn review(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, UiError> {
    user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let f = fields(&body);
    let text = field(&f, "text").unwrap_or("");
    let found: Vec<serde_json::Value> = st
        .extractor
        .extract(text)
        .iter()
        .map(|x| {
            json!({
                "kind": x.kind.as_str(), "value": x.value, "raw": x.raw,
                "defanged": defang(&x.indicator(), DefangStyle::default()),
                "warnings": super::warning_values(&x.warnings),
            })
        })
        .collect();
    let ctx = PageCtx::new(&headers, None, Some(user));
    let mut vars = BTreeMap::new();
    vars.insert(
        "incident",
        Value::from_serialize(json!({"number": inc.number.to_string()})),
    );
    vars.insert("found", Value::from_serialize(&found));
    vars.insert("role", Value::from(field(&f, "role").unwrap_or("unknown")));
    vars.insert("tlp", Value::from(field(&f, "tlp").unwrap_or("")));
    Ok(render(&st, &ctx, "indicator_review.html", vars))
}

/// Attach the chosen `value` fields (`kind:value`, as the review page writes them).
async fn attach(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let f = fields(&body);
    let ctx = context(&f, inc.tlp)?;
    let mut items = Vec::new();
    for (_, v) in f.iter().filter(|(k, _)| k == "value") {
        let (kind, value) = v
            .split_once(':')
            .ok_or_else(|| AppError::bad_request(format!("{v:?} is not kind:value")))?;
        let kind: Kind = kind
            .parse()
            .map_err(|_| AppError::bad_request(format!("unknown indicator kind in {v:?}")))?;
        let ind =
            hikeshi_ioc::parse_as(kind, value).map_err(|e| AppError::bad_request(e.to_string()))?;
        items.push((ind, ctx.clone()));
    }
    if !items.is_empty() {
        st.store.attach_indicators(&actor, inc.id, &items).await?;
    }
    Ok(see_other(&format!("/incidents/{}#indicators", inc.number)))
}

async fn remove(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, indicator)): Path<(String, i64)>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    st.store
        .detach_indicator(&actor, inc.id, IndicatorId(indicator))
        .await?;
    Ok(see_other(&format!("/incidents/{}#indicators", inc.number)))
}

/// Attach a report's checked proposals to the incident it is linked to; the rest are dismissed.
async fn accept(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let report = st.store.report(user.viewer(), ReportId(id)).await?;
    let incident = report
        .incident_id
        .ok_or_else(|| AppError::bad_request("link the report to an incident first"))?;
    let inc = st.store.incident(user.viewer(), incident).await?;
    let f = fields(&body);
    let chosen: Vec<IndicatorId> = f
        .iter()
        .filter(|(k, _)| k == "indicator")
        .map(|(_, v)| {
            v.parse()
                .map(IndicatorId)
                .map_err(|_| AppError::bad_request(format!("{v:?} is not an indicator id")))
        })
        .collect::<Result<_, _>>()?;
    let ctx = IndicatorContext {
        tlp: inc.tlp,
        ..Default::default()
    };
    st.store
        .accept_report_indicators(&actor, report.id, inc.id, &chosen, &ctx, true)
        .await?;
    Ok(see_other(&format!("/incidents/{}#indicators", inc.number)))
}
