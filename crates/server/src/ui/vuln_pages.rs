//! Vulnerability response in the web UI: the asset inventory with open advisories, one asset's
//! software and advisories, and one advisory's affected assets grouped by owner and department
//! with the action that opens the response incident.

use super::{PageCtx, UiError, render, see_other};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::vuln::{affected, asset_advisories, respond};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::Value;
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets", get(assets))
        .route("/assets/{name}", get(asset))
        .route("/advisories/{id}", get(advisory))
        .route("/advisories/{id}/respond", post(open_incident))
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
    q: Option<String>,
}

async fn assets(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    crate::vuln::rematch(&st.store)
        .await
        .map_err(AppError::from)?;
    let counts: HashMap<String, i64> = st.store.open_advisory_counts().await?.into_iter().collect();
    let needle = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let items: Vec<serde_json::Value> = st
        .store
        .assets()
        .await?
        .iter()
        .filter(|a| {
            needle.is_empty()
                || a.name.to_lowercase().contains(&needle)
                || a.owner.to_lowercase().contains(&needle)
                || a.addresses.iter().any(|x| x.contains(&needle))
        })
        .map(|a| {
            json!({"name": a.name, "addresses": a.addresses.join(" "), "owner": a.owner, "department": a.department,
                   "criticality": a.criticality, "software": a.software.len(), "open": counts.get(&a.name).copied().unwrap_or(0)})
        })
        .collect();
    let mut vars = BTreeMap::new();
    vars.insert("assets", Value::from_serialize(&items));
    vars.insert("q", Value::from(q.q.unwrap_or_default()));
    Ok(render(&st, &ctx, "assets.html", vars))
}

async fn asset(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let (a, open) = asset_advisories(&st.store, &name).await?;
    let mut vars = BTreeMap::new();
    vars.insert("asset", Value::from_serialize(&a));
    vars.insert("open", Value::from_serialize(&open));
    Ok(render(&st, &ctx, "asset.html", vars))
}

async fn advisory(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    let can_write = user.user.role.can_write();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let (advisories, items) = affected(&st.store, &id).await.map_err(AppError::from)?;
    // Grouped by owner and department, as the people who must act.
    let mut groups: BTreeMap<(String, String), Vec<&crate::vuln::AffectedAsset>> = BTreeMap::new();
    for i in &items {
        groups
            .entry((i.owner.clone(), i.department.clone()))
            .or_default()
            .push(i);
    }
    let groups: Vec<serde_json::Value> = groups
        .into_iter()
        .map(|((owner, department), rows)| json!({"owner": owner, "department": department, "rows": rows}))
        .collect();
    let mut vars = BTreeMap::new();
    vars.insert("id", Value::from(id.clone()));
    vars.insert(
        "advisories",
        Value::from_serialize(
            advisories
                .iter()
                .map(|a| json!({"id": a.id, "aliases": a.aliases, "summary": a.summary}))
                .collect::<Vec<_>>(),
        ),
    );
    vars.insert("groups", Value::from_serialize(&groups));
    vars.insert("count", Value::from(items.len()));
    vars.insert("can_write", Value::from(can_write));
    Ok(render(&st, &ctx, "advisory.html", vars))
}

async fn open_incident(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let (advisories, items) = affected(&st.store, &id).await.map_err(AppError::from)?;
    if items.is_empty() {
        return Err(AppError::bad_request(format!("no asset is affected by {id}")).into());
    }
    let (number, _, _) = respond(&st.store, &actor, &id, &advisories, &items).await?;
    Ok(see_other(&format!("/incidents/{number}")))
}
