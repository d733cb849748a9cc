//! `/api/v1/contacts` (the directory: everyone signed in reads it, handlers and admins change
//! it) and `/api/v1/incidents/{id}/notifications`: the incident's notifications with their
//! status, a preview of what a request would send, and sending (see `crate::notify`).

use super::{ApiJson, resolve_incident};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::notify::{NotifyRequest, drafts, send};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hikeshi_domain::Tlp;
use hikeshi_store::NewContact;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/contacts", get(contacts).post(create_contact))
        .route(
            "/api/v1/contacts/{id}",
            get(contact).put(update_contact).delete(delete_contact),
        )
        .route(
            "/api/v1/incidents/{id}/notifications",
            get(list).post(notify),
        )
        .route(
            "/api/v1/incidents/{id}/notifications/preview",
            post(preview),
        )
}

async fn contacts(State(st): State<AppState>, _: CurrentUser) -> AppResult<Json<Value>> {
    Ok(Json(json!({"items": st.store.contacts().await?})))
}

async fn contact(
    State(st): State<AppState>,
    _: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(st.store.contact(id).await?)))
}

/// A contact as the API takes it; the clearance defaults to TLP:GREEN.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactBody {
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub tlp_max: Option<String>,
}

impl ContactBody {
    pub(crate) fn into_new(self) -> AppResult<NewContact> {
        let d = NewContact::default();
        let tlp_max = match self
            .tlp_max
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => d.tlp_max,
            Some(s) => Tlp::parse(s)
                .map_err(|_| AppError::bad_request(format!("tlp_max {s:?} is not a TLP level")))?,
        };
        Ok(NewContact {
            organisation: self.organisation,
            name: self.name,
            email: self.email,
            lang: self.lang.filter(|l| !l.trim().is_empty()).unwrap_or(d.lang),
            kind: self.kind.filter(|k| !k.trim().is_empty()).unwrap_or(d.kind),
            notes: self.notes,
            tlp_max,
        })
    }
}

async fn create_contact(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<ContactBody>,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let c = st.store.create_contact(&actor, &b.into_new()?).await?;
    Ok((StatusCode::CREATED, Json(json!(c))).into_response())
}

async fn update_contact(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ContactBody>,
) -> AppResult<Json<Value>> {
    let actor = user.writer()?;
    let c = st.store.update_contact(&actor, id, &b.into_new()?).await?;
    Ok(Json(json!(c)))
}

async fn delete_contact(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let actor = user.writer()?;
    st.store.delete_contact(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let inc = resolve_incident(&st, &user, &id).await?;
    let items = st
        .store
        .incident_notifications(user.viewer(), inc.id)
        .await?;
    Ok(Json(json!({"items": items})))
}

async fn preview(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NotifyRequest>,
) -> AppResult<Json<Value>> {
    user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let items = drafts(&st, &user, &inc, &req).await?;
    Ok(Json(json!({"items": items})))
}

async fn notify(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NotifyRequest>,
) -> AppResult<Response> {
    user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let d = drafts(&st, &user, &inc, &req).await?;
    let ids = send(&st, &user, &inc, d).await?;
    let items: Vec<_> = st
        .store
        .incident_notifications(user.viewer(), inc.id)
        .await?
        .into_iter()
        .filter(|n| ids.contains(&n.id))
        .collect();
    Ok((StatusCode::CREATED, Json(json!({"items": items}))).into_response())
}
