//! The documents of one incident: its report (`/incidents/{id}/report`, printable HTML, and
//! `report.pdf` through the periodic report's Chromium path), the customer notice and press
//! release drafts (`/incidents/{id}/drafts`), and the forms that feed them: the write-up
//! (impact, accounts, data, lessons) and "owner reached".

use super::public::LangQuery;
use super::{PageCtx, UiError, render, see_other};
use crate::AppState;
use crate::api::resolve_incident;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::incident_report::{self, IncidentDoc};
use crate::notice_drafts;
use crate::stats_report::{pdf_download, pdf_engine, print_pdf, report_error};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hikeshi_store::WriteupPatch;
use minijinja::Value;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/report", get(report))
        .route("/incidents/{id}/report.pdf", get(report_pdf))
        .route("/incidents/{id}/drafts", get(drafts))
        .route("/incidents/{id}/writeup", post(writeup))
        .route("/incidents/{id}/owner-reached", post(owner_reached))
}

/// The incident and everything the documents show, as this user may see it (404 otherwise).
pub(crate) async fn doc_for(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<IncidentDoc, AppError> {
    let inc = resolve_incident(st, user, id).await?;
    Ok(incident_report::gather(&st.store, user.viewer(), inc).await?)
}

async fn report(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    let doc = doc_for(&st, &user, &id).await?;
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let html = incident_report::report_html(
        &st.templates,
        &doc,
        ctx.lang,
        &ctx.tz,
        &st.config.team_name,
        false,
    )
    .map_err(report_error)?;
    Ok(Html(html).into_response())
}

async fn report_pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    let doc = doc_for(&st, &user, &id).await?;
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    Ok(pdf_of(&st, &doc, ctx.lang, &ctx.tz).await?)
}

/// The report of `doc` in `lang`, times in `tz`, as a PDF download (shared with the API).
pub(crate) async fn pdf_of(
    st: &AppState,
    doc: &IncidentDoc,
    lang: crate::i18n::Lang,
    tz: &str,
) -> Result<Response, AppError> {
    let program = pdf_engine()?;
    let html =
        incident_report::report_html(&st.templates, doc, lang, tz, &st.config.team_name, true)
            .map_err(report_error)?;
    let pdf = print_pdf(html, program).await?;
    Ok(pdf_download(
        pdf,
        &format!("{}-report-{}.pdf", doc.incident.number, lang.code()),
    ))
}

/// Both drafts in both languages (shared with the API).
pub(crate) async fn drafts_of(
    st: &AppState,
    doc: &IncidentDoc,
) -> Result<Vec<notice_drafts::Draft>, AppError> {
    notice_drafts::drafts(
        &st.store,
        doc,
        &st.config.team_name,
        st.config.display_offset_minutes,
    )
    .await
    .map_err(|e| {
        // The templates were validated when saved; failing now is ours.
        tracing::error!(error = %e, "notice draft failed");
        AppError::internal()
    })
}

async fn drafts(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    let doc = doc_for(&st, &user, &id).await?;
    let drafts = drafts_of(&st, &doc).await?;
    let is_admin = user.user.role.is_admin();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let mut vars = BTreeMap::new();
    vars.insert(
        "incident",
        Value::from_serialize(crate::api::views::IncidentView::from(&doc.incident)),
    );
    vars.insert("drafts", Value::from_serialize(&drafts));
    vars.insert("is_admin", Value::from(is_admin));
    Ok(render(&st, &ctx, "incident_drafts.html", vars))
}

#[derive(Deserialize)]
struct WriteupForm {
    impact: Option<String>,
    accounts: Option<String>,
    data: Option<String>,
    lessons: Option<String>,
}

async fn writeup(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<WriteupForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let patch = WriteupPatch {
        impact: f.impact,
        accounts: f.accounts,
        data: f.data,
        lessons: f.lessons,
    };
    let inc = st.store.update_writeup(&actor, inc.id, patch).await?;
    Ok(see_other(&format!("/incidents/{}#writeup", inc.number)))
}

#[derive(Deserialize)]
struct OwnerReachedForm {
    at: Option<String>,
    #[serde(default)]
    note: String,
    /// The zone the page showed the form in.
    #[serde(default)]
    tz: String,
}

async fn owner_reached(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<OwnerReachedForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let at = match f.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            super::parse_local_in(s, &f.tz, st.config.display_offset_minutes)
                .ok_or_else(|| AppError::bad_request(format!("at={s:?} is not a date and time")))?,
        ),
    };
    let inc = st
        .store
        .record_owner_reached(&actor, inc.id, at, &f.note)
        .await?;
    Ok(see_other(&format!("/incidents/{}", inc.number)))
}
