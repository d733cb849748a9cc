//! Administration over the API, admin role only: change an account (role, disabled, name,
//! address), reset its password, see and revoke anyone's API tokens, and watch mail — the
//! SMTP settings (never the password), each IMAP mailbox's poller, the outgoing queue — with
//! "poll now" and "retry now". The web pages in `ui/admin_system.rs` call the same functions.

use super::{ApiJson, views};
use crate::AppState;
use crate::auth::{CurrentUser, generate_password, hash_password_off_runtime};
use crate::error::{AppError, AppResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use hikeshi_domain::{Actor, Role, User};
use hikeshi_store::UserPatch;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/{username}", patch(update_user))
        .route("/api/v1/users/{username}/password", post(reset_password))
        .route("/api/v1/tokens", get(tokens))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
        .route("/api/v1/mail/status", get(mail_status))
        .route("/api/v1/mail/mailboxes/{label}/poll", post(poll_now))
        .route("/api/v1/mail/outbox/{id}/retry", post(retry_now))
}

/// The fields an administrator may change, as the API and the web form send them.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserChange {
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub display_name: Option<String>,
    pub email: Option<String>,
}

/// Apply a change to `username`'s account.
pub(crate) async fn change_user(
    st: &AppState,
    actor: &Actor,
    username: &str,
    c: UserChange,
) -> AppResult<User> {
    let u = st.store.user_by_name(username).await?;
    let role: Option<Role> = super::opt_named("role", c.role.as_deref())?;
    if let Some(e) = c.email.as_deref().map(str::trim) {
        if !e.is_empty() && !e.contains('@') {
            return Err(AppError::bad_request(format!(
                "email {e:?} is not an e-mail address"
            )));
        }
    }
    let p = UserPatch {
        role,
        disabled: c.disabled,
        display_name: c.display_name,
        email: c.email,
    };
    Ok(st.store.update_user(actor, u.id, &p).await?)
}

/// Give `username` a generated password, to be changed at the next login; their sessions end.
/// The password is returned to be shown once; only its hash is kept.
pub(crate) async fn new_password_for(
    st: &AppState,
    actor: &Actor,
    username: &str,
) -> AppResult<String> {
    let u = st.store.user_by_name(username).await?;
    let password = generate_password();
    let hash = hash_password_off_runtime(password.clone()).await?;
    st.store.set_password(actor, u.id, &hash, true).await?;
    Ok(password)
}

/// Revoke any user's token.
pub(crate) async fn revoke_any_token(st: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let owner = st.store.token_owner(id).await?;
    st.store.revoke_api_token(actor, owner, id).await?;
    Ok(())
}

/// Mail as the administrator sees it: settings without secrets, pollers, the queue.
pub(crate) async fn mail_view(st: &AppState, user: &CurrentUser) -> AppResult<Value> {
    let m = &st.config.mail;
    let smtp = m.smtp.as_ref().map(|s| {
        json!({"host": s.host, "port": s.port, "security": format!("{:?}", s.security).to_lowercase(),
               "username": s.username, "password_set": !s.password.is_empty(),
               "private_ca": !s.ca_pem.is_empty(), "timeout_secs": s.timeout_secs})
    });
    let mailboxes: Vec<Value> = m
        .imap
        .iter()
        .map(|b| {
            json!({"label": b.label, "host": b.host, "port": b.port,
                   "security": format!("{:?}", b.security).to_lowercase(), "username": b.username,
                   "password_set": !b.password.is_empty(), "folder": b.folder,
                   "poll_seconds": b.poll_seconds, "status": st.mail_status.get(&b.label)})
        })
        .collect();
    let now = hikeshi_domain::time::now_ms();
    let outbox = st.store.outbox_overview(user.viewer(), now).await?;
    Ok(json!({
        "address": m.address, "display_name": m.display_name, "also_ours": m.also_ours,
        "acknowledge": m.acknowledge, "ack_per_hour": m.ack_per_hour,
        "smtp": smtp, "mailboxes": mailboxes, "outbox": outbox,
    }))
}

#[derive(Deserialize)]
struct UserPath {
    username: String,
}

async fn update_user(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(p): Path<UserPath>,
    ApiJson(c): ApiJson<UserChange>,
) -> AppResult<Json<Value>> {
    let actor = user.admin()?;
    let u = change_user(&st, &actor, &p.username, c).await?;
    Ok(Json(views::user(&u)))
}

async fn reset_password(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(p): Path<UserPath>,
) -> AppResult<Response> {
    let actor = user.admin()?;
    let password = new_password_for(&st, &actor, &p.username).await?;
    Ok(crate::ui::no_store(
        Json(json!({"username": p.username, "password": password, "must_change": true}))
            .into_response(),
    ))
}

async fn tokens(State(st): State<AppState>, user: CurrentUser) -> AppResult<Json<Value>> {
    user.admin()?;
    Ok(Json(json!({"items": st.store.all_api_tokens().await?})))
}

async fn revoke_token(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let actor = user.admin()?;
    revoke_any_token(&st, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn mail_status(State(st): State<AppState>, user: CurrentUser) -> AppResult<Json<Value>> {
    user.admin()?;
    Ok(Json(mail_view(&st, &user).await?))
}

async fn poll_now(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(label): Path<String>,
) -> AppResult<StatusCode> {
    user.admin()?;
    if !st.mail_status.poll_now(&label) {
        return Err(AppError::not_found(format!(
            "no mailbox labelled {label:?}"
        )));
    }
    tracing::info!(mailbox = %label, by = %user.user.username, "poll requested");
    Ok(StatusCode::ACCEPTED)
}

async fn retry_now(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    let actor = user.admin()?;
    st.store.retry_outgoing_now(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
