//! `/api/v1/indicators/{id}/facts`: what a handler knows about an indicator beyond its value —
//! its AS, network organisation, registrant, name server, malware family. Indicators sharing a
//! fact are linked in correlations and the graph. Reading needs sight of the indicator (TLP),
//! changing it the handler role; every change is audited by the store.

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hikeshi_domain::IndicatorId;
use hikeshi_ioc::Link;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/indicators/{id}/facts",
        get(list).post(add).delete(remove),
    )
}

/// A fact as the API and the web form send it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactBody {
    link: String,
    value: String,
}

/// The fact kind named `s`, refusing the derived ones with the list of those that can be given.
pub(crate) fn fact_link(s: &str) -> AppResult<Link> {
    Link::parse(s).filter(|l| l.is_fact()).ok_or_else(|| {
        let kinds: Vec<&str> = Link::ALL
            .into_iter()
            .filter(|l| l.is_fact())
            .map(Link::as_str)
            .collect();
        AppError::bad_request(format!(
            "link {s:?} is not a kind of fact (one of: {})",
            kinds.join(", ")
        ))
    })
}

async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let facts = st
        .store
        .indicator_facts(user.viewer(), IndicatorId(id))
        .await?;
    Ok(Json(json!({"items": facts})))
}

async fn add(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<FactBody>,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let link = fact_link(&b.link)?;
    let f = st
        .store
        .add_indicator_fact(&actor, user.viewer(), IndicatorId(id), link, &b.value)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(f))).into_response())
}

async fn remove(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(b): ApiQuery<FactBody>,
) -> AppResult<StatusCode> {
    let actor = user.writer()?;
    let link = fact_link(&b.link)?;
    st.store
        .remove_indicator_fact(&actor, user.viewer(), IndicatorId(id), link, &b.value)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
