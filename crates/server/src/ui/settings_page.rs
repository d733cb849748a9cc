//! `/settings`: the signed-in user's own language and display time zone.

use super::{PageCtx, UiError, render, see_other};
use crate::AppState;
use crate::api::users::{Preferences, save_preferences};
use crate::auth::CurrentUser;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use minijinja::Value;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new().route("/settings", get(page).post(save))
}

#[derive(Deserialize)]
struct PageQuery {
    lang: Option<String>,
    saved: Option<String>,
    error: Option<String>,
}

async fn page(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<Response, UiError> {
    let mine = user.user.time_zone.clone();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let mut vars = BTreeMap::new();
    let mut zones: Vec<&str> = crate::tz::COMMON.to_vec();
    let other = if mine.is_empty() || zones.contains(&mine.as_str()) {
        String::new()
    } else {
        mine.clone()
    };
    zones.sort_unstable();
    vars.insert("zones", Value::from_serialize(&zones));
    vars.insert("other", Value::from(other));
    vars.insert("now", Value::from(hikeshi_domain::time::now_ms()));
    vars.insert("saved", Value::from(q.saved.is_some()));
    vars.insert("error", Value::from(q.error.is_some()));
    Ok(render(&st, &ctx, "settings.html", vars))
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    time_zone: String,
    /// A zone typed in by hand wins over the list.
    #[serde(default)]
    time_zone_other: String,
}

async fn save(
    State(st): State<AppState>,
    user: CurrentUser,
    Form(f): Form<SettingsForm>,
) -> Result<Response, UiError> {
    let zone = match f.time_zone_other.trim() {
        "" => f.time_zone.trim().to_owned(),
        other => other.to_owned(),
    };
    if !zone.is_empty() && !crate::tz::valid(&zone) {
        return Ok(see_other("/settings?error=tz"));
    }
    let p = Preferences {
        lang: Some(f.lang),
        time_zone: Some(zone),
    };
    save_preferences(&st, &user, &p).await?;
    Ok(see_other("/settings?saved=1"))
}
