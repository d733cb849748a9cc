//! `/api/v1/incidents`: create (from reports), list with filters, read, classify, move through
//! phases, merge.

use super::views::IncidentView;
use super::{ApiJson, ApiQuery, PageQuery, opt_named};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::util::{IncidentRef, incident_ref};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hikeshi_domain::*;
use hikeshi_store::{IncidentFilter, IncidentPatch, NewIncident};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/incidents", get(list).post(create))
        .route("/api/v1/incidents/{id}", get(show).patch(update))
        .route("/api/v1/incidents/{id}/phase", post(phase))
        .route("/api/v1/incidents/{id}/merge", post(merge))
        .route("/api/v1/incidents/{id}/members", post(add_member))
}

/// Find an incident by id or number, as the caller may see it.
pub(crate) async fn resolve(st: &AppState, user: &CurrentUser, s: &str) -> AppResult<Incident> {
    Ok(match incident_ref(s)? {
        IncidentRef::Id(id) => st.store.incident(user.viewer(), id).await?,
        IncidentRef::Number(n) => st.store.incident_by_number(user.viewer(), n).await?,
    })
}

/// An incident named in a JSON body by id (a number) or number (`HK-2026-000123`); `field` is
/// the body's field, for the error message.
pub(crate) async fn resolve_value(
    st: &AppState,
    user: &CurrentUser,
    field: &str,
    v: &Value,
) -> AppResult<Incident> {
    let s = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => {
            return Err(AppError::bad_request(format!(
                "{field} must be an incident id or a number like HK-2026-000123"
            )));
        }
    };
    resolve(st, user, &s).await
}

/// A user named by id or username ("me" is the caller).
pub(crate) async fn user_ref(st: &AppState, me: &CurrentUser, v: &Value) -> AppResult<UserId> {
    match v {
        Value::Number(n) => {
            let id = n
                .as_i64()
                .ok_or_else(|| AppError::bad_request("user id must be an integer"))?;
            Ok(st.store.user(UserId(id)).await?.id)
        }
        Value::String(s) if s == "me" => Ok(me.user.id),
        Value::String(s) => Ok(st.store.user_by_name(s).await?.id),
        _ => Err(AppError::bad_request("a user is an id or a username")),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ImpactBody {
    functional: Option<String>,
    information: Option<String>,
    recoverability: Option<String>,
    criticality: Option<String>,
}

impl ImpactBody {
    fn apply(&self, base: Impact) -> AppResult<Impact> {
        Ok(Impact {
            functional: opt_named("impact.functional", self.functional.as_deref())?
                .unwrap_or(base.functional),
            information: opt_named("impact.information", self.information.as_deref())?
                .unwrap_or(base.information),
            recoverability: opt_named("impact.recoverability", self.recoverability.as_deref())?
                .unwrap_or(base.recoverability),
            criticality: opt_named("impact.criticality", self.criticality.as_deref())?
                .unwrap_or(base.criticality),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RsitBody {
    class: String,
    #[serde(rename = "type")]
    kind: String,
}

fn tlp(v: Option<&str>) -> AppResult<Option<Tlp>> {
    v.map(|s| {
        Tlp::parse(s).map_err(|_| {
            AppError::bad_request(format!(
                "tlp={s:?} is not one of: clear, green, amber, amber+strict, red"
            ))
        })
    })
    .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewIncidentBody {
    title: String,
    #[serde(default)]
    summary: String,
    category: String,
    rsit: Option<RsitBody>,
    attacker: Option<String>,
    asset: Option<String>,
    tlp: Option<String>,
    #[serde(default)]
    impact: ImpactBody,
    owner: Option<Value>,
    /// Ticket numbers of the reports this incident is made from.
    #[serde(default)]
    reports: Vec<i64>,
    #[serde(default)]
    exercise: bool,
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewIncidentBody>,
) -> AppResult<Response> {
    let actor = user.writer()?;
    if b.title.trim().is_empty() {
        return Err(AppError::bad_request("title is required"));
    }
    for r in &b.reports {
        st.store.report(user.viewer(), ReportId(*r)).await?;
    }
    let owner = match &b.owner {
        Some(v) if !v.is_null() => Some(user_ref(&st, &user, v).await?),
        _ => None,
    };
    let new = NewIncident {
        title: b.title.trim().to_owned(),
        summary: b.summary,
        category: opt_named("category", Some(&b.category))?
            .ok_or_else(|| AppError::bad_request("category is required"))?,
        rsit: b.rsit.map(|r| Rsit::new(&r.class, &r.kind)).transpose()?,
        attacker: opt_named("attacker", b.attacker.as_deref())?,
        asset: opt_named("asset", b.asset.as_deref())?,
        tlp: tlp(b.tlp.as_deref())?.unwrap_or(Tlp::Amber),
        impact: b.impact.apply(Impact::default())?,
        owner,
        reports: b.reports.into_iter().map(ReportId).collect(),
        is_exercise: b.exercise,
    };
    let inc = st.store.create_incident(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(IncidentView::from(&inc))).into_response())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    phase: Option<String>,
    /// `true`: only incidents someone still has to act on.
    open: Option<bool>,
    category: Option<String>,
    priority: Option<String>,
    /// A user id, a username, or `me`.
    assignee: Option<String>,
    q: Option<String>,
    // Not `#[serde(flatten)]`: flattening makes serde_urlencoded read every value as a
    // string, so `per_page=50` would be refused.
    page: Option<i64>,
    per_page: Option<i64>,
    /// Keyset paging: a list response's `next` (or `prev` as `before`).
    after: Option<String>,
    before: Option<String>,
}

async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Value>> {
    let assignee = match q
        .assignee
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(a) => Some(match a.parse::<i64>() {
            Ok(n) => user_ref(&st, &user, &json!(n)).await?,
            Err(_) => user_ref(&st, &user, &json!(a)).await?,
        }),
    };
    let f = IncidentFilter {
        phase: opt_named("phase", q.phase.as_deref())?,
        open_only: q.open.unwrap_or(false),
        category: opt_named("category", q.category.as_deref())?,
        priority: opt_named("priority", q.priority.as_deref())?,
        assignee,
        text: q.q,
    };
    let p = st
        .store
        .list_incidents(
            user.viewer(),
            &f,
            PageQuery {
                page: q.page,
                per_page: q.per_page,
            }
            .page()
            .seek(super::seek(q.after.as_deref(), q.before.as_deref(), true)?),
        )
        .await?;
    Ok(Json(super::views::paged(&p, |i| {
        json!(IncidentView::from(i))
    })))
}

async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<IncidentView>> {
    Ok(Json(IncidentView::from(&resolve(&st, &user, &id).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    title: Option<String>,
    summary: Option<String>,
    category: Option<String>,
    rsit: Option<RsitBody>,
    attacker: Option<String>,
    /// Free text, trimmed; "" clears it.
    constituency: Option<String>,
    asset: Option<String>,
    tlp: Option<String>,
    impact: Option<ImpactBody>,
    /// A user id or username; `null` clears the owner.
    #[serde(default, with = "double_option")]
    owner: Option<Option<Value>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<serde_json::Value>>, D::Error> {
        Ok(Some(Option::deserialize(d)?))
    }
}

async fn update(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PatchBody>,
) -> AppResult<Json<IncidentView>> {
    let actor = user.writer()?;
    let inc = resolve(&st, &user, &id).await?;
    if b.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(AppError::bad_request("title cannot be empty"));
    }
    let owner = match b.owner {
        None => None,
        Some(None) => Some(None),
        Some(Some(v)) => Some(Some(user_ref(&st, &user, &v).await?)),
    };
    let patch = IncidentPatch {
        title: b.title.map(|t| t.trim().to_owned()),
        summary: b.summary,
        category: opt_named("category", b.category.as_deref())?,
        rsit: b.rsit.map(|r| Rsit::new(&r.class, &r.kind)).transpose()?,
        attacker: opt_named("attacker", b.attacker.as_deref())?,
        asset: opt_named("asset", b.asset.as_deref())?,
        tlp: tlp(b.tlp.as_deref())?,
        impact: b.impact.map(|i| i.apply(inc.impact)).transpose()?,
        owner,
        constituency: b.constituency,
    };
    Ok(Json(IncidentView::from(
        &st.store.update_incident(&actor, inc.id, patch).await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseBody {
    to: String,
    #[serde(default)]
    reason: String,
}

async fn phase(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PhaseBody>,
) -> AppResult<Json<IncidentView>> {
    let actor = user.writer()?;
    let inc = resolve(&st, &user, &id).await?;
    let to: Phase =
        opt_named("to", Some(&b.to))?.ok_or_else(|| AppError::bad_request("to is required"))?;
    Ok(Json(IncidentView::from(
        &st.store
            .change_phase(&actor, inc.id, to, b.reason.trim())
            .await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    /// The incident (id or number) this one is merged into.
    into: Value,
    #[serde(default)]
    reason: String,
}

async fn merge(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> AppResult<Json<IncidentView>> {
    let actor = user.writer()?;
    let from = resolve(&st, &user, &id).await?;
    let into = resolve_value(&st, &user, "into", &b.into).await?;
    Ok(Json(IncidentView::from(
        &st.store
            .merge_incidents(&actor, from.id, into.id, b.reason.trim())
            .await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberBody {
    user: Value,
}

async fn add_member(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MemberBody>,
) -> AppResult<Json<Value>> {
    let actor = user.writer()?;
    let inc = resolve(&st, &user, &id).await?;
    let u = user_ref(&st, &user, &b.user).await?;
    st.store.add_member(&actor, inc.id, u).await?;
    Ok(Json(json!({"incident": inc.id.0, "user": u.0})))
}
