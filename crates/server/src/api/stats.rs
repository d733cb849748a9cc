//! `/api/v1/stats/summary` (our counts: reports, incidents and coordinated cases by category,
//! priority, attacker class, RSIT and constituency, from the monthly rollups) and `/api/v1/stats/national` (JPCERT/CC's public
//! figures), `/api/v1/stats/times` (time metrics, SLA compliance and reopen rate with a monthly
//! trend), for a period such as FY2015, 2015, 2015Q2, 2015-04; JSON or CSV.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::stats_view;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hikeshi_domain::period::Period;
use hikeshi_domain::time_metrics::TimeMetrics;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/stats/summary", get(summary))
        .route("/api/v1/stats/national", get(national))
        .route("/api/v1/stats/times", get(times))
}

#[derive(Deserialize)]
struct PeriodQuery {
    period: String,
    format: Option<String>,
}

fn period(q: &PeriodQuery) -> AppResult<Period> {
    q.period
        .parse()
        .map_err(|e| AppError::bad_request(format!("period={:?}: {e}", q.period)))
}

fn csv(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
}

async fn summary(
    State(st): State<AppState>,
    _: CurrentUser,
    super::ApiQuery(q): super::ApiQuery<PeriodQuery>,
) -> AppResult<Response> {
    let p = period(&q)?;
    let (c, months) = st.store.period_counts(p).await?;
    if q.format.as_deref() == Some("csv") {
        return Ok(csv(stats_view::summary_csv(&c)));
    }
    Ok(Json(stats_view::summary_json(p, &c, &months)).into_response())
}

async fn times(
    State(st): State<AppState>,
    _: CurrentUser,
    super::ApiQuery(q): super::ApiQuery<PeriodQuery>,
) -> AppResult<Response> {
    let p = period(&q)?;
    let csv_out = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(f) => {
            return Err(AppError::bad_request(format!(
                "format={f:?}: use json or csv"
            )));
        }
    };
    let items = st
        .store
        .incident_times(p.start_ms_jst(), p.end_ms_jst())
        .await?;
    let m = TimeMetrics::compute(p, &items, hikeshi_domain::time::now_ms());
    if csv_out {
        return Ok(csv(m.to_csv()));
    }
    Ok(Json(serde_json::to_value(&m).map_err(|_| AppError::internal())?).into_response())
}

async fn national(
    State(st): State<AppState>,
    _: CurrentUser,
    super::ApiQuery(q): super::ApiQuery<PeriodQuery>,
) -> AppResult<Response> {
    let p = period(&q)?;
    let files = st.store.national_files().await?;
    if files.is_empty() {
        return Err(AppError::not_found(
            "no national statistics imported (hikeshi stats import-jpcert DIR)",
        ));
    }
    let mut imports = Vec::with_capacity(files.len());
    for (name, text) in &files {
        imports.push(hikeshi_exchange::jpcert_stats::parse_file(name, text).map_err(|e| {
            tracing::error!(file = %name, error = %e, "stored statistics file no longer parses");
            AppError::internal()
        })?);
    }
    let totals = hikeshi_exchange::jpcert_stats::national_totals(&imports, p)
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    if q.format.as_deref() == Some("csv") {
        return Ok(csv(totals.to_csv()));
    }
    Ok(Json(serde_json::to_value(&totals).map_err(|_| AppError::internal())?).into_response())
}
