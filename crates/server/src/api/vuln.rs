//! `/api/v1/advisories/{id}/affected` and `/respond`: who is affected by an advisory, and one
//! action that opens the response incident with the playbook's tasks per owner.

use super::views::IncidentView;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::vuln::{VulnError, affected, respond};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/advisories/{id}/affected", get(list))
        .route("/api/v1/advisories/{id}/respond", post(open))
        .route("/api/v1/assets", get(assets))
        .route("/api/v1/assets/{name}", get(asset))
}

/// Every asset with its open-advisory count.
async fn assets(State(st): State<AppState>, _: CurrentUser) -> AppResult<Json<Value>> {
    crate::vuln::rematch(&st.store).await?;
    let counts: std::collections::HashMap<String, i64> =
        st.store.open_advisory_counts().await?.into_iter().collect();
    let items: Vec<Value> = st
        .store
        .assets()
        .await?
        .iter()
        .map(|a| {
            json!({
                "name": a.name, "addresses": a.addresses, "owner": a.owner, "department": a.department,
                "criticality": a.criticality, "location": a.location, "os": a.os,
                "software": a.software.len(), "open_advisories": counts.get(&a.name).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// One asset: its installed software and its open advisories.
async fn asset(
    State(st): State<AppState>,
    _: CurrentUser,
    Path(name): Path<String>,
) -> AppResult<Json<Value>> {
    let (a, open) = crate::vuln::asset_advisories(&st.store, &name).await?;
    Ok(Json(json!({
        "name": a.name, "addresses": a.addresses, "owner": a.owner, "department": a.department,
        "criticality": a.criticality, "location": a.location, "os": a.os,
        "software": a.software, "open_advisories": open,
    })))
}

impl From<VulnError> for AppError {
    fn from(e: VulnError) -> AppError {
        match e {
            VulnError::NotImported(id) => {
                AppError::not_found(format!("advisory {id} is not imported"))
            }
            VulnError::Store(s) => s.into(),
        }
    }
}

async fn list(
    State(st): State<AppState>,
    _: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let (_, items) = affected(&st.store, &id).await?;
    Ok(Json(json!({"advisory": id, "items": items})))
}

async fn open(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let (advisories, items) = affected(&st.store, &id).await?;
    if items.is_empty() {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("no asset is affected by {id}"),
        ));
    }
    let (_, inc, _) = respond(&st.store, &actor, &id, &advisories, &items).await?;
    let inc = st.store.incident(user.viewer(), inc).await?;
    Ok((StatusCode::CREATED, Json(IncidentView::from(&inc))).into_response())
}
