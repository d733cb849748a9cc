//! Sharing over the REST API: exports (STIX 2.1, MISP JSON, CSV, defanged text) capped at a TLP
//! ceiling, imports of STIX bundles and MISP events, sharing groups and their members,
//! publishing an incident into a group (its TAXII collection and MISP events), and feeds.

use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::sharing::{Format, Selection, publish, read, render, share_set, sourced};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hikeshi_domain::time::rfc3339;
use hikeshi_domain::{Tlp, UserId};
use hikeshi_store::{Access, NewFeed, Principal};
use serde::Deserialize;
use serde_json::{Value, json};

/// A feed with its times in RFC 3339, like every time in the API.
fn feed_json(f: &hikeshi_store::Feed) -> Value {
    let mut v = json!(f);
    v["created_at"] = json!(rfc3339(f.created_at));
    v["last_polled_at"] = json!(f.last_polled_at.map(rfc3339));
    v
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/export", get(export))
        .route("/api/v1/import", post(import))
        .route("/api/v1/sharing-groups", get(groups).post(create_group))
        .route(
            "/api/v1/sharing-groups/{id}/members",
            get(members).put(set_member),
        )
        .route(
            "/api/v1/sharing-groups/{id}/publish",
            post(publish_incident),
        )
        .route("/api/v1/feeds", get(feeds).post(add_feed))
        .route("/api/v1/feeds/{id}/poll", post(poll_feed))
}

fn tlp_param(name: &str, v: Option<&str>, default: Tlp) -> AppResult<Tlp> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => Tlp::parse(s).map_err(|_| {
            AppError::bad_request(format!(
                "{name}={s:?} is not a TLP level: clear, green, amber, amber+strict, red"
            ))
        }),
    }
}

fn format_param(v: Option<&str>) -> AppResult<Format> {
    let s = v.unwrap_or("stix");
    Format::parse(s).ok_or_else(|| {
        AppError::bad_request(format!("format={s:?} is not one of: stix, misp, csv, text"))
    })
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    format: Option<String>,
    tlp_max: Option<String>,
    incident: Option<String>,
    lang: Option<String>,
}

/// The export, as a download. Without `tlp_max` nothing above TLP:AMBER leaves.
async fn export(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> AppResult<Response> {
    let format = format_param(q.format.as_deref())?;
    let tlp_max = tlp_param("tlp_max", q.tlp_max.as_deref(), Tlp::Amber)?;
    let mut sel = Selection::default();
    if let Some(i) = q.incident.as_deref().filter(|s| !s.is_empty()) {
        sel.incidents
            .push(super::resolve_incident(&st, &user, i).await?.id);
    }
    let (set, withheld) = share_set(
        &st.store,
        user.viewer(),
        &st.config.team_name,
        &sel,
        tlp_max,
    )
    .await?;
    let lang = match q.lang.as_deref() {
        Some("ja") => "ja",
        Some(_) => "en",
        None if user.user.lang == "ja" => "ja",
        None => "en",
    };
    let mut body = Vec::new();
    render(&set, format, tlp_max, lang, &mut body).map_err(|e| {
        tracing::error!(error = %e, "export failed");
        AppError::internal()
    })?;
    let name = format!("hikeshi-export.{}", format.extension());
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&withheld.to_string()) {
        h.insert("x-hikeshi-withheld", v);
    }
    Ok(r)
}

#[derive(Debug, Deserialize)]
struct ImportQuery {
    format: Option<String>,
    default_tlp: Option<String>,
}

/// Import a STIX bundle or MISP event: its indicators are linked to the file as their source,
/// and the answer lists what was kept whole and what was rejected, with why.
async fn import(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let format = format_param(q.format.as_deref())?;
    let default_tlp = tlp_param("default_tlp", q.default_tlp.as_deref(), Tlp::Amber)?;
    let imported = read(format, &body).map_err(AppError::bad_request)?;
    let items = sourced(&imported, default_tlp);
    let source = format!(
        "import:{}:{}",
        if format == Format::Stix {
            "stix"
        } else {
            "misp"
        },
        imported.groups.first().map_or("", |g| g.source_id.as_str())
    );
    let kept = crate::sharing::kept(&imported);
    let new = st
        .store
        .import_indicators(&actor, &source, &items, &kept)
        .await?;
    Ok((
        StatusCode::OK,
        Json(json!({
            "source": source,
            "indicators": items.len(),
            "new_links": new,
            "groups": imported.groups.len(),
            "relations": imported.relations.len(),
            "kept": imported.kept.len(),
            "rejected": imported.rejected,
        })),
    )
        .into_response())
}

async fn groups(State(st): State<AppState>, user: CurrentUser) -> AppResult<Json<Value>> {
    let mut items = Vec::new();
    for (g, a) in crate::sharing::groups_with_access(&st.store, &user).await? {
        if a.read || a.write {
            items.push(json!({
                "id": g.id, "uuid": g.uuid, "name": g.name, "description": g.description,
                "tlp_max": g.tlp_max, "created_at": rfc3339(g.created_at), "can_read": a.read, "can_write": a.write,
            }));
        }
    }
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGroup {
    name: String,
    #[serde(default)]
    description: String,
    tlp_max: String,
}

async fn create_group(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewGroup>,
) -> AppResult<Response> {
    let actor = user.admin()?;
    let tlp = tlp_param("tlp_max", Some(&b.tlp_max), Tlp::Amber)?;
    let g = st
        .store
        .create_sharing_group(&actor, &b.name, &b.description, tlp)
        .await?;
    let mut v = json!(g);
    v["created_at"] = json!(rfc3339(g.created_at));
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn members(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    user.admin()?;
    let g = st.store.sharing_group(&id).await?;
    Ok(Json(
        json!({ "items": st.store.sharing_members(g.id).await? }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberBody {
    user: Option<String>,
    token: Option<i64>,
    read: bool,
    write: bool,
}

async fn set_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MemberBody>,
) -> AppResult<Json<Value>> {
    let actor = user.admin()?;
    let g = st.store.sharing_group(&id).await?;
    let who = match (b.user.as_deref(), b.token) {
        (Some(name), None) => {
            let u = match name.parse::<i64>() {
                Ok(n) => st.store.user(UserId(n)).await?,
                Err(_) => st.store.user_by_name(name).await?,
            };
            Principal::User(u.id)
        }
        (None, Some(t)) => Principal::Token(t),
        _ => {
            return Err(AppError::bad_request(
                "name exactly one of user (id or name) or token (id)",
            ));
        }
    };
    st.store
        .set_sharing_member(
            &actor,
            g.id,
            who,
            Access {
                read: b.read,
                write: b.write,
            },
        )
        .await?;
    Ok(Json(
        json!({ "items": st.store.sharing_members(g.id).await? }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    incident: Value,
}

async fn publish_incident(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PublishBody>,
) -> AppResult<Json<Value>> {
    let actor = user.writer()?;
    let g = st.store.sharing_group(&id).await?;
    let a = crate::sharing::access(&st.store, &user, g.id).await?;
    if !a.write {
        return Err(AppError::forbidden(format!(
            "you may not write to sharing group {:?}",
            g.name
        )));
    }
    let inc = super::incidents::resolve_value(&st, &user, "incident", &b.incident).await?;
    let out = publish(
        &st.store,
        &actor,
        user.viewer(),
        &st.config.team_name,
        &g,
        inc.id,
    )
    .await?;
    Ok(Json(json!({
        "group": g.name, "incident": inc.number.to_string(), "tlp_max": g.tlp_max, "result": out,
    })))
}

async fn feeds(State(st): State<AppState>, user: CurrentUser) -> AppResult<Json<Value>> {
    user.writer()?;
    let items: Vec<Value> = st.store.feeds().await?.iter().map(feed_json).collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedBody {
    name: String,
    url: String,
    collection: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
    default_tlp: Option<String>,
    interval_s: Option<i64>,
}

async fn add_feed(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<FeedBody>,
) -> AppResult<Response> {
    let actor = user.admin()?;
    let f = st
        .store
        .add_feed(
            &actor,
            &NewFeed {
                name: b.name,
                kind: "taxii".into(),
                url: b.url,
                collection: b.collection,
                username: b.username,
                secret: b.secret,
                default_tlp: tlp_param("default_tlp", b.default_tlp.as_deref(), Tlp::Amber)?,
                interval_s: b.interval_s.unwrap_or(3600),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(feed_json(&f))).into_response())
}

async fn poll_feed(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let actor = user.writer()?;
    let r = crate::taxii_client::poll_feed(&st.store, &actor, &id).await?;
    Ok(Json(json!(r)))
}
