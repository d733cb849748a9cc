//! `/api/v1/incidents/{id}/report` (JSON, or standalone HTML with `format=html`),
//! `report.pdf`, `drafts` (the customer notice and press release in both languages),
//! `writeup` (impact, accounts, data, lessons learned) and `owner-reached`. Everything is read
//! as the caller may see it: an incident they may not see is a 404.

use super::views::IncidentView;
use super::{ApiJson, ApiQuery, resolve_incident};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::incident_report;
use crate::stats_report::report_error;
use crate::ui::incident_docs::{doc_for, drafts_of, pdf_of};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use hikeshi_store::WriteupPatch;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/incidents/{id}/report", get(report))
        .route("/api/v1/incidents/{id}/report.pdf", get(report_pdf))
        .route("/api/v1/incidents/{id}/drafts", get(drafts))
        .route("/api/v1/incidents/{id}/writeup", patch(writeup))
        .route("/api/v1/incidents/{id}/owner-reached", post(owner_reached))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    lang: Option<String>,
    /// `json` (default) or `html`.
    format: Option<String>,
}

fn lang_of(q: Option<&str>, user: &CurrentUser, headers: &HeaderMap) -> AppResult<Lang> {
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Lang::parse(s)
            .ok_or_else(|| AppError::bad_request(format!("lang={s:?} is not one of: ja, en"))),
        None => Ok(i18n::negotiate(None, Some(&user.user.lang), headers)),
    }
}

async fn report(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> AppResult<Response> {
    let lang = lang_of(q.lang.as_deref(), &user, &headers)?;
    let doc = doc_for(&st, &user, &id).await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(json!({
            "lang": lang.code(),
            "report": incident_report::view(&doc, lang),
        }))
        .into_response()),
        "html" => {
            let html = incident_report::report_html(
                &st.templates,
                &doc,
                lang,
                &zone_of(&user, lang),
                &st.config.team_name,
                true,
            )
            .map_err(report_error)?;
            Ok(Html(html).into_response())
        }
        other => Err(AppError::bad_request(format!(
            "format={other:?} is not one of: json, html"
        ))),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LangQuery {
    lang: Option<String>,
}

async fn report_pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> AppResult<Response> {
    let lang = lang_of(q.lang.as_deref(), &user, &headers)?;
    let doc = doc_for(&st, &user, &id).await?;
    pdf_of(&st, &doc, lang, &zone_of(&user, lang)).await
}

/// The caller's display zone, as their pages use it.
fn zone_of(user: &CurrentUser, lang: Lang) -> String {
    crate::tz::page_zone(Some(user.user.time_zone.as_str()), lang)
}

async fn drafts(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let doc = doc_for(&st, &user, &id).await?;
    let items = drafts_of(&st, &doc).await?;
    Ok(Json(json!({"items": items})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteupBody {
    impact: Option<String>,
    accounts: Option<String>,
    data: Option<String>,
    lessons: Option<String>,
}

async fn writeup(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<WriteupBody>,
) -> AppResult<Json<IncidentView>> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let patch = WriteupPatch {
        impact: b.impact,
        accounts: b.accounts,
        data: b.data,
        lessons: b.lessons,
    };
    Ok(Json(IncidentView::from(
        &st.store.update_writeup(&actor, inc.id, patch).await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerReachedBody {
    /// RFC 3339; default now.
    at: Option<String>,
    #[serde(default)]
    note: String,
}

async fn owner_reached(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<OwnerReachedBody>,
) -> AppResult<Json<IncidentView>> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let at =
        b.at.as_deref()
            .map(|s| {
                hikeshi_domain::time::parse_rfc3339(s).map_err(|e| {
                    AppError::bad_request(format!("at={s:?} is not an RFC 3339 time: {e}"))
                })
            })
            .transpose()?;
    if at.is_some_and(|t| t > hikeshi_domain::time::now_ms() + 5 * 60_000) {
        return Err(AppError::bad_request(
            "at is in the future: the owner cannot have been reached yet",
        ));
    }
    Ok(Json(IncidentView::from(
        &st.store
            .record_owner_reached(&actor, inc.id, at, &b.note)
            .await?,
    )))
}
