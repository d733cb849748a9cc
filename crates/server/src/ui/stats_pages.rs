//! The statistics page (`/stats`: counts, charts, national comparison, time metrics, links to
//! JSON and CSV) and the periodic report (`/stats/report`, printable HTML; `/stats/report.pdf`
//! prints it with headless Chromium when the server has it, one at a time, with a timeout).

use super::{PageCtx, UiError, render};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::stats_report::{
    REPORT_CSS, pdf_download, pdf_engine, print_pdf, report_error, report_html,
};
use crate::stats_view;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use hikeshi_domain::period::{Period, PeriodKind};
use minijinja::Value;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/stats", get(stats))
        .route("/stats/report", get(report))
        .route("/stats/report.pdf", get(report_pdf))
        .route("/static/report.css", get(css))
}

#[derive(Deserialize)]
struct StatsQuery {
    lang: Option<String>,
    period: Option<String>,
    /// Typed in the page's free field; wins over the selector when not empty.
    custom: Option<String>,
}

/// The period asked for, or the current fiscal year.
fn period_of(q: &StatsQuery, now: i64) -> Result<Period, AppError> {
    let asked = q
        .custom
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or(q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()));
    match asked {
        Some(s) => s
            .parse()
            .map_err(|e| AppError::bad_request(format!("period={s:?}: {e}"))),
        None => Period::containing_ms_jst(PeriodKind::FiscalYear, now)
            .map_err(|e| AppError::bad_request(e.to_string())),
    }
}

async fn stats(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, UiError> {
    let viewer = user.viewer();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let now = hikeshi_domain::time::now_ms();
    let p = period_of(&q, now)?;
    let data = stats_view::gather(&st.store, p, viewer, now).await?;
    let mut vars = BTreeMap::new();
    vars.insert(
        "s",
        Value::from_serialize(stats_view::view(&data, ctx.lang)),
    );
    vars.insert(
        "choices",
        Value::from_serialize(stats_view::period_choices(now)),
    );
    Ok(render(&st, &ctx, "stats.html", vars))
}

async fn report(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, UiError> {
    let viewer = user.viewer();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let p = period_of(&q, hikeshi_domain::time::now_ms())?;
    let html = report_html(
        &st.store,
        &st.templates,
        p,
        ctx.lang,
        viewer,
        &st.config.team_name,
        false,
    )
    .await
    .map_err(report_error)?;
    Ok(Html(html).into_response())
}

async fn report_pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, UiError> {
    let viewer = user.viewer();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let p = period_of(&q, hikeshi_domain::time::now_ms())?;
    let program = pdf_engine()?;
    let html = report_html(
        &st.store,
        &st.templates,
        p,
        ctx.lang,
        viewer,
        &st.config.team_name,
        true,
    )
    .await
    .map_err(report_error)?;
    let pdf = print_pdf(html, program).await?;
    Ok(pdf_download(
        pdf,
        &format!("hikeshi-report-{p}-{}.pdf", ctx.lang.code()),
    ))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        REPORT_CSS,
    )
        .into_response()
}
