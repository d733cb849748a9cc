//! The statistics page (`/stats`: counts, charts, national comparison, time metrics, links to
//! JSON and CSV) and the periodic report (`/stats/report`, printable HTML; `/stats/report.pdf`
//! prints it with headless Chromium when the server has it, one at a time, with a timeout).

use super::{PageCtx, UiError, render};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::stats_report::{
    PdfError, REPORT_CSS, ReportError, find_chromium, html_to_pdf, report_html,
};
use crate::stats_view;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use hikeshi_domain::period::{Period, PeriodKind};
use minijinja::Value;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

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

/// One PDF at a time: Chromium is heavy, and a burst of clicks must not start a browser each.
static PDF_SLOT: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
const PDF_TIMEOUT: Duration = Duration::from_secs(60);

async fn report_pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, UiError> {
    let viewer = user.viewer();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let p = period_of(&q, hikeshi_domain::time::now_ms())?;
    let Some(program) = find_chromium() else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "pdf_unavailable",
            PdfError::NoEngine.to_string(),
        )
        .into());
    };
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
    let _slot = PDF_SLOT.acquire().await.map_err(|_| AppError::internal())?;
    let pdf = tokio::task::spawn_blocking(move || html_to_pdf(&html, &program, PDF_TIMEOUT))
        .await
        .map_err(|_| AppError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "PDF report failed");
            AppError::new(StatusCode::SERVICE_UNAVAILABLE, "pdf_failed", e.to_string())
        })?;
    let name = format!("hikeshi-report-{p}-{}.pdf", ctx.lang.code());
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

fn report_error(e: ReportError) -> AppError {
    match e {
        ReportError::Store(e) => AppError::from(e),
        ReportError::Template(e) => {
            tracing::error!(error = %e, "report template failed");
            AppError::internal()
        }
    }
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
