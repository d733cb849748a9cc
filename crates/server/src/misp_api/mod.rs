//! A MISP-compatible API subset under `/misp/`, large enough for PyMISP and the MISP tools built
//! on it: connect (`servers/getVersion`, `users/view/me`), push an event with attributes
//! (`events/add`, `events/edit`), fetch it (`events/view`), search (`events/restSearch`,
//! `attributes/restSearch`), list (`events/index`) and delete (`events/delete`).
//!
//! Authentication is MISP's own: the API key (a hikeshi API token) in `Authorization` or
//! `X-MISP-AUTH`, with no `Bearer` prefix. Session cookies are not accepted. Events are kept as
//! the JSON they were given, so a client reads back what it wrote; they are readable by their
//! writer, the sharing group they were written to, and admins, and a group never holds an
//! event marked above its ceiling. Unmarked events count as TLP:AMBER.

use crate::AppState;
use crate::auth::{self, CurrentUser, Via};
use crate::error::AppError;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use hikeshi_domain::Tlp;
use hikeshi_domain::time::now_ms;
use hikeshi_store::{MispAttr, MispEventRow, MispQuery, MispReader, NewMispEvent};
use serde_json::{Map, Value, json};

mod events;
mod search;
use events::*;
use search::*;

/// The MISP version we answer with: the API shape we follow.
pub const MISP_VERSION: &str = "2.5.0";
/// Events without a TLP tag are treated as this.
pub const UNMARKED: Tlp = Tlp::Amber;

/// MISP's error shape: `{"name", "message", "url", "errors"}` with the status.
pub(super) struct MispError(StatusCode, String);

impl IntoResponse for MispError {
    fn into_response(self) -> Response {
        (
            self.0,
            Json(json!({"name": self.1, "message": self.1, "url": "", "errors": [self.1]})),
        )
            .into_response()
    }
}

impl From<AppError> for MispError {
    fn from(e: AppError) -> MispError {
        MispError(e.status, e.message)
    }
}

impl From<hikeshi_store::StoreError> for MispError {
    fn from(e: hikeshi_store::StoreError) -> MispError {
        AppError::from(e).into()
    }
}

pub(super) type MResult<T> = Result<T, MispError>;

pub(super) type Body = Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>;

/// The request body, or MISP's error shape (a too-large body is a 413 that says the limit).
pub(super) fn body_of(b: Body) -> MResult<axum::body::Bytes> {
    b.map_err(|e| MispError(e.status(), e.to_string()))
}

pub(super) fn bad(msg: impl Into<String>) -> MispError {
    MispError(StatusCode::BAD_REQUEST, msg.into())
}

pub(super) async fn misp_auth(
    State(st): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let key = key_of(req.headers());
    let found = match key {
        Some(k) => match st.store.token_user(&auth::hash_token(&k)).await {
            Ok(Some((user, id))) => Some(CurrentUser {
                user,
                via: Via::Token { id },
            }),
            _ => None,
        },
        None => None,
    };
    match found {
        Some(u) => {
            req.extensions_mut().insert(u);
            next.run(req).await
        }
        None => MispError(
            StatusCode::FORBIDDEN,
            "Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.".into(),
        )
        .into_response(),
    }
}

pub(super) fn key_of(h: &HeaderMap) -> Option<String> {
    let v = h
        .get("x-misp-auth")
        .or_else(|| h.get(header::AUTHORIZATION))?
        .to_str()
        .ok()?
        .trim();
    let v = v.strip_prefix("Bearer ").unwrap_or(v).trim();
    (!v.is_empty()).then(|| v.to_owned())
}

pub fn mounted(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/misp/servers/getVersion", get(version))
        .route("/misp/servers/getVersion.json", get(version))
        .route("/misp/servers/getPyMISPVersion.json", get(pymisp_version))
        .route("/misp/users/view/{me}", get(me))
        .route("/misp/events/add", post(add_event))
        .route("/misp/events/edit/{id}", post(edit_event).put(edit_event))
        .route("/misp/events/view/{id}", get(view_event))
        .route("/misp/events/{id}", get(view_event))
        .route("/misp/events/index", get(index).post(index))
        .route(
            "/misp/events/restSearch",
            post(search_events).get(search_events_get),
        )
        .route("/misp/attributes/restSearch", post(search_attributes))
        .route(
            "/misp/events/delete/{id}",
            post(delete_event).delete(delete_event),
        )
        .route_layer(middleware::from_fn_with_state(state, misp_auth))
}

pub(super) fn reader(u: &CurrentUser) -> MispReader {
    MispReader {
        user: u.user.id,
        token: u.token_id(),
        admin: u.user.role.is_admin(),
    }
}

pub(super) async fn version() -> Json<Value> {
    Json(json!({
        "version": MISP_VERSION,
        "pymisp_recommended_version": MISP_VERSION,
        "perm_sync": false,
        "perm_sighting": false,
        "perm_galaxy_editor": false,
        "request_encoding": ["gzip"],
        "filter_sightings": true,
    }))
}

pub(super) async fn pymisp_version() -> Json<Value> {
    Json(json!({"version": MISP_VERSION}))
}

pub(super) async fn me(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(who): Path<String>,
) -> MResult<Json<Value>> {
    if who != "me" && who != u.user.id.0.to_string() {
        return Err(MispError(
            StatusCode::FORBIDDEN,
            "only `me` can be viewed here".into(),
        ));
    }
    let writer = u.user.role.can_write();
    let admin = u.user.role.is_admin();
    let instance = st.store.instance_uuid().await?;
    Ok(Json(json!({
        "User": {
            "id": u.user.id.0.to_string(),
            "email": if u.user.email.is_empty() { format!("{}@hikeshi.invalid", u.user.username) } else { u.user.email.clone() },
            "org_id": "1",
            "role_id": if admin { "1" } else if writer { "3" } else { "6" },
            "disabled": false,
            "autoalert": false,
            "termsaccepted": true,
            "change_pw": u.user.must_change_password,
        },
        "Role": {
            "id": if admin { "1" } else if writer { "3" } else { "6" },
            "name": hikeshi_domain::Named::as_str(u.user.role),
            "perm_add": writer,
            "perm_modify": writer,
            "perm_modify_org": writer,
            "perm_publish": writer,
            "perm_sync": false,
            "perm_admin": admin,
            "perm_site_admin": admin,
            "perm_auth": true,
            "perm_tagger": writer,
            "perm_tag_editor": false,
            "perm_sighting": false,
        },
        "Organisation": {"id": "1", "name": st.config.team_name, "uuid": instance},
        "UserSetting": {},
    })))
}
