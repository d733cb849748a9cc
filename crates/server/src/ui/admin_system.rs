//! Administration pages beyond `admin_pages.rs`: editing an existing account (role, disabled,
//! name, address, password reset), everyone's API tokens, mail (settings, each mailbox's
//! poller with "poll now", the outgoing queue with "retry now") and the server's effective
//! settings. The settings come from the configuration file and environment, which only the
//! `cli` crate reads; this page shows them read-only and never shows a secret, only whether
//! one is set. Every form carries the CSRF token; every change is audited by the store.

use super::public::LangQuery;
use super::{PageCtx, UiError, render, see_other};
use crate::AppState;
use crate::api::admin::{UserChange, change_user, mail_view, new_password_for, revoke_any_token};
use crate::auth::CurrentUser;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::Value;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users/{username}", post(edit_user))
        .route("/admin/users/{username}/password", post(reset_password))
        .route("/admin/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/mail", get(mail))
        .route("/admin/mail/{label}/poll", post(poll_now))
        .route("/admin/mail/outbox/{id}/retry", post(retry_now))
        .route("/admin/settings", get(settings))
}

#[derive(Deserialize)]
struct EditForm {
    role: String,
    /// A checkbox: present when ticked.
    disabled: Option<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
}

async fn edit_user(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(username): Path<String>,
    Form(f): Form<EditForm>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    let change = UserChange {
        role: Some(f.role),
        disabled: Some(f.disabled.is_some()),
        display_name: Some(f.display_name),
        email: Some(f.email),
    };
    change_user(&st, &actor, &username, change).await?;
    Ok(see_other("/admin#users"))
}

async fn reset_password(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(username): Path<String>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    let password = new_password_for(&st, &actor, &username).await?;
    let once = json!({"kind": "password", "user": username, "secret": password});
    super::admin_pages::admin_page(&st, &headers, user, None, Some(once)).await
}

async fn revoke_token(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    revoke_any_token(&st, &actor, id).await?;
    Ok(see_other("/admin#tokens"))
}

async fn mail(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    user.admin()?;
    let view = mail_view(&st, &user).await?;
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let mut vars = BTreeMap::new();
    vars.insert("mail", Value::from_serialize(&view));
    Ok(render(&st, &ctx, "admin_mail.html", vars))
}

async fn poll_now(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(label): Path<String>,
) -> Result<Response, UiError> {
    user.admin()?;
    if !st.mail_status.poll_now(&label) {
        return Err(
            crate::error::AppError::not_found(format!("no mailbox labelled {label:?}")).into(),
        );
    }
    tracing::info!(mailbox = %label, by = %user.user.username, "poll requested");
    Ok(see_other("/admin/mail#mailboxes"))
}

async fn retry_now(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    st.store.retry_outgoing_now(&actor, id).await?;
    Ok(see_other("/admin/mail#outbox"))
}

const MIB: usize = 1024 * 1024;

async fn settings(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    user.admin()?;
    let c = &st.config;
    let view = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "database": match st.store.backend() {
            hikeshi_store::Backend::Sqlite => "SQLite",
            hikeshi_store::Backend::Postgres => "PostgreSQL",
        },
        "team_name": c.team_name,
        "display_offset_minutes": c.display_offset_minutes,
        "session_hours": c.session_hours,
        "secure_cookies": c.secure_cookies,
        "trust_forwarded_for": c.trust_forwarded_for,
        "max_body_mb": c.max_body_bytes / MIB,
        "max_attachment_mb": c.max_attachment_bytes / MIB,
        "report_rate_per_minute": c.report_rate_per_minute,
        "mail_address": c.mail.address,
        "smtp": c.mail.smtp.is_some(),
        "mailboxes": c.mail.imap.len(),
        "sweep_roots": c.sweep.roots,
        "sweep_upload_dir": c.sweep.upload_dir,
        "sweep_max_upload_mb": c.sweep.max_upload_bytes / MIB as u64,
        "sweep_keep_uploads": c.sweep.keep_uploads,
        "sweep_threads": c.sweep.threads,
    });
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let mut vars = BTreeMap::new();
    vars.insert("s", Value::from_serialize(&view));
    Ok(render(&st, &ctx, "admin_settings.html", vars))
}
