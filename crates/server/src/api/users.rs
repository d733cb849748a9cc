//! `/api/v1/me`, `/api/v1/users`, API tokens and the audit check.

use super::{ApiJson, views};
use crate::AppState;
use crate::auth::{CurrentUser, generate_password, hash_token, random_token};
use crate::error::{AppError, AppResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hikeshi_domain::{Role, check_password};
use hikeshi_store::NewUser;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me).patch(set_preferences))
        .route("/api/v1/me/tokens", post(create_token))
        .route("/api/v1/me/tokens/{id}", delete(revoke_token))
        .route("/api/v1/users", get(list).post(create))
        .route("/api/v1/audit/verify", get(verify_audit))
}

/// Who I am; with a session, also the CSRF token that cookie-authenticated writes must send
/// in `X-CSRF-Token`.
async fn me(user: CurrentUser) -> Json<Value> {
    let mut v = views::user(&user.user);
    if !user.csrf().is_empty() {
        v["csrf_token"] = json!(user.csrf());
    }
    Json(v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Preferences {
    pub lang: Option<String>,
    pub time_zone: Option<String>,
}

/// Check and save a user's language and display zone (the settings page uses it too).
pub(crate) async fn save_preferences(
    st: &AppState,
    user: &CurrentUser,
    p: &Preferences,
) -> AppResult<()> {
    if let Some(lang) = &p.lang {
        if !matches!(lang.as_str(), "" | "ja" | "en") {
            return Err(AppError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("lang {lang:?}: use ja, en or empty"),
            ));
        }
    }
    if let Some(z) = &p.time_zone {
        if !z.is_empty() && !crate::tz::valid(z) {
            return Err(AppError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!(
                    "time_zone {z:?} is not a zone of the tz database (use an IANA name such as Asia/Tokyo)"
                ),
            ));
        }
    }
    let actor = user.actor();
    if let Some(lang) = &p.lang {
        st.store.set_user_lang(&actor, user.user.id, lang).await?;
    }
    if let Some(z) = &p.time_zone {
        st.store.set_user_time_zone(&actor, user.user.id, z).await?;
    }
    Ok(())
}

async fn set_preferences(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(p): ApiJson<Preferences>,
) -> AppResult<Json<Value>> {
    save_preferences(&st, &user, &p).await?;
    Ok(Json(views::user(&st.store.user(user.user.id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    name: String,
}

/// The token is shown once, in this response; only its hash is kept.
async fn create_token(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<TokenBody>,
) -> AppResult<Response> {
    if b.name.trim().is_empty() {
        return Err(AppError::bad_request("name is required"));
    }
    let token = random_token();
    let id = st
        .store
        .create_api_token(
            &user.actor(),
            user.user.id,
            b.name.trim(),
            &hash_token(&token),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "name": b.name.trim(), "token": token})),
    )
        .into_response())
}

async fn revoke_token(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    st.store
        .revoke_api_token(&user.actor(), user.user.id, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list(State(st): State<AppState>, user: CurrentUser) -> AppResult<Json<Value>> {
    user.admin()?;
    let users = st.store.list_users().await?;
    Ok(Json(
        json!({"items": users.iter().map(views::user).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserBody {
    username: String,
    role: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    lang: String,
    /// When absent a password is generated, returned once, and must be changed at first login.
    password: Option<String>,
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewUserBody>,
) -> AppResult<Response> {
    let actor = user.admin()?;
    let role: Role = super::opt_named("role", Some(&b.role))?
        .ok_or_else(|| AppError::bad_request("role is required"))?;
    let (password, generated) = match b.password {
        Some(p) => {
            check_password(&p)?;
            (p, false)
        }
        None => (generate_password(), true),
    };
    let hash = crate::auth::hash_password_off_runtime(password.clone()).await?;
    let new = NewUser {
        username: b.username.trim().to_owned(),
        display_name: b.display_name,
        email: b.email,
        role,
        lang: b.lang,
        password_hash: hash,
        must_change_password: generated,
    };
    let u = st.store.create_user(&actor, &new).await?;
    let mut body = views::user(&u);
    if generated {
        // Shown once, here; only its hash is kept.
        body["password"] = json!(password);
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn verify_audit(State(st): State<AppState>, user: CurrentUser) -> AppResult<Json<Value>> {
    user.admin()?;
    Ok(Json(match st.store.verify_audit().await? {
        Ok(n) => json!({"ok": true, "entries": n}),
        Err(e) => json!({"ok": false, "error": e.to_string()}),
    }))
}
