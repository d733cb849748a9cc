//! Administration in the web UI: users, sharing groups and their members, TAXII feeds — and,
//! for everyone, their own API tokens. Every form carries the CSRF token (checked by the login
//! middleware) and every write goes through the same store calls as the API, so it is audited.
//! Secrets shown once (a new user's password, a new token) are rendered into that one response
//! and never stored in clear.

use super::public::LangQuery;
use super::{PageCtx, UiError, render, see_other};
use crate::AppState;
use crate::auth::{CurrentUser, generate_password, hash_token, random_token};
use crate::error::AppError;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use hikeshi_domain::{Named, Role, Tlp, parse_named};
use hikeshi_store::{Access, NewFeed, NewUser, Principal};
use minijinja::Value;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin))
        .route("/admin/users", post(add_user))
        .route("/admin/sharing", post(add_group))
        .route("/admin/sharing/{id}/members", post(set_member))
        .route("/admin/feeds", post(add_feed))
        .route("/admin/feeds/{id}/poll", post(poll_feed))
        .route("/tokens", get(tokens).post(add_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
}

/// A page that may carry a secret shown once: no cache may keep it.
pub(crate) fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}

/// The admin page, with an optional one-time message (a generated password, a poll result).
pub(super) async fn admin_page(
    st: &AppState,
    headers: &HeaderMap,
    user: CurrentUser,
    lang: Option<&str>,
    once: Option<serde_json::Value>,
) -> Result<Response, UiError> {
    user.admin()?;
    let ctx = PageCtx::new(headers, lang, Some(user));
    let users = st.store.list_users().await?;
    let mut groups = Vec::new();
    for g in st.store.sharing_groups().await? {
        let members = st.store.sharing_members(g.id).await?;
        groups.push(
            json!({"id": g.id, "uuid": g.uuid, "name": g.name, "description": g.description,
                           "tlp_max": g.tlp_max, "members": members}),
        );
    }
    let feeds = st.store.feeds().await?;
    let tokens = st.store.all_api_tokens().await?;
    let mut vars = BTreeMap::new();
    vars.insert(
        "users",
        Value::from_serialize(
            users
                .iter()
                .map(|u| json!({"username": u.username, "display_name": u.display_name, "email": u.email,
                                "role": u.role.as_str(), "disabled": u.disabled, "must_change": u.must_change_password}))
                .collect::<Vec<_>>(),
        ),
    );
    vars.insert("groups", Value::from_serialize(&groups));
    vars.insert("feeds", Value::from_serialize(&feeds));
    vars.insert("tokens", Value::from_serialize(&tokens));
    let shows_secret = once.is_some();
    vars.insert("once", Value::from_serialize(&once));
    let r = render(st, &ctx, "admin.html", vars);
    Ok(if shows_secret { no_store(r) } else { r })
}

async fn admin(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    admin_page(&st, &headers, user, q.lang.as_deref(), None).await
}

#[derive(Deserialize)]
struct UserForm {
    username: String,
    role: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
}

async fn add_user(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Form(f): Form<UserForm>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    let role: Role = parse_named(f.role.trim()).map_err(|_| {
        AppError::bad_request(format!("role {:?} is not admin, handler or viewer", f.role))
    })?;
    let name = f.username.trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(
            AppError::bad_request("a user name is 1–64 letters, digits, '.', '_' or '-'").into(),
        );
    }
    let password = generate_password();
    let hash = crate::auth::hash_password_off_runtime(password.clone()).await?;
    st.store
        .create_user(
            &actor,
            &NewUser {
                username: name.to_owned(),
                display_name: f.display_name.trim().to_owned(),
                email: f.email.trim().to_owned(),
                role,
                lang: String::new(),
                password_hash: hash,
                must_change_password: true,
            },
        )
        .await?;
    let once = json!({"kind": "password", "user": name, "secret": password});
    admin_page(&st, &headers, user, None, Some(once)).await
}

fn tlp_field(s: &str) -> Result<Tlp, AppError> {
    Tlp::parse(s).map_err(|_| AppError::bad_request(format!("{s:?} is not a TLP level")))
}

#[derive(Deserialize)]
struct GroupForm {
    name: String,
    tlp_max: String,
    #[serde(default)]
    description: String,
}

async fn add_group(
    State(st): State<AppState>,
    user: CurrentUser,
    Form(f): Form<GroupForm>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    st.store
        .create_sharing_group(
            &actor,
            &f.name,
            f.description.trim(),
            tlp_field(&f.tlp_max)?,
        )
        .await?;
    Ok(see_other("/admin#sharing"))
}

#[derive(Deserialize)]
struct MemberForm {
    username: String,
    read: Option<String>,
    write: Option<String>,
}

async fn set_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    let who = st.store.user_by_name(f.username.trim()).await?;
    let access = Access {
        read: f.read.is_some(),
        write: f.write.is_some(),
    };
    st.store
        .set_sharing_member(&actor, id, Principal::User(who.id), access)
        .await?;
    Ok(see_other("/admin#sharing"))
}

#[derive(Deserialize)]
struct FeedForm {
    name: String,
    url: String,
    collection: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
    default_tlp: String,
    interval_s: Option<i64>,
}

async fn add_feed(
    State(st): State<AppState>,
    user: CurrentUser,
    Form(f): Form<FeedForm>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    st.store
        .add_feed(
            &actor,
            &NewFeed {
                name: f.name,
                kind: "taxii".into(),
                url: f.url,
                collection: f.collection.trim().to_owned(),
                username: f.username.trim().to_owned(),
                secret: f.secret,
                default_tlp: tlp_field(&f.default_tlp)?,
                interval_s: f.interval_s.unwrap_or(3600),
            },
        )
        .await?;
    Ok(see_other("/admin#feeds"))
}

async fn poll_feed(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    let r = crate::taxii_client::poll_feed(&st.store, &actor, &id.to_string()).await?;
    let once = json!({"kind": "poll", "result": r});
    admin_page(&st, &headers, user, None, Some(once)).await
}

async fn tokens_page(
    st: &AppState,
    headers: &HeaderMap,
    user: CurrentUser,
    lang: Option<&str>,
    new_token: Option<(String, String)>,
) -> Result<Response, UiError> {
    let list = st.store.api_tokens_of(user.user.id).await?;
    let ctx = PageCtx::new(headers, lang, Some(user));
    let mut vars = BTreeMap::new();
    vars.insert(
        "tokens",
        Value::from_serialize(
            list.iter()
                .map(|(id, name, created, revoked)| json!({"id": id, "name": name, "created_ms": created, "revoked_ms": revoked}))
                .collect::<Vec<_>>(),
        ),
    );
    vars.insert(
        "new_token",
        Value::from_serialize(new_token.map(|(n, t)| json!({"name": n, "token": t}))),
    );
    Ok(no_store(render(st, &ctx, "tokens.html", vars)))
}

async fn tokens(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    tokens_page(&st, &headers, user, q.lang.as_deref(), None).await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn add_token(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Form(f): Form<TokenForm>,
) -> Result<Response, UiError> {
    let name = f.name.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::bad_request("a token needs a name").into());
    }
    let token = random_token();
    st.store
        .create_api_token(&user.actor(), user.user.id, &name, &hash_token(&token))
        .await?;
    tokens_page(&st, &headers, user, None, Some((name, token))).await
}

async fn revoke_token(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    st.store
        .revoke_api_token(&user.actor(), user.user.id, id)
        .await?;
    Ok(see_other("/tokens"))
}
