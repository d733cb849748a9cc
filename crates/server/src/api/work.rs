//! The work on an incident: its timeline, notes, tasks and decisions, and its reports.

use super::incidents::{resolve, user_ref};
use super::{ApiJson, views};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use hikeshi_domain::TaskId;
use hikeshi_domain::time::{now_ms, parse_rfc3339};
use hikeshi_store::{Page, ReportFilter};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/incidents/{id}/timeline", get(timeline))
        .route("/api/v1/incidents/{id}/notes", axum::routing::post(note))
        .route("/api/v1/incidents/{id}/tasks", get(tasks).post(add_task))
        .route(
            "/api/v1/incidents/{id}/decisions",
            get(decisions).post(add_decision),
        )
        .route("/api/v1/incidents/{id}/reports", get(reports))
        .route("/api/v1/tasks/{id}", patch(update_task))
}

async fn timeline(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let inc = resolve(&st, &user, &id).await?;
    let events = st.store.timeline(user.viewer(), inc.id).await?;
    Ok(Json(
        json!({"items": events.iter().map(views::event).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    text: String,
}

async fn note(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let inc = resolve(&st, &user, &id).await?;
    if b.text.trim().is_empty() {
        return Err(AppError::bad_request("text is required"));
    }
    st.store.add_note(&actor, inc.id, b.text.trim()).await?;
    Ok(StatusCode::CREATED.into_response())
}

async fn tasks(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let inc = resolve(&st, &user, &id).await?;
    let t = st.store.tasks(user.viewer(), inc.id).await?;
    Ok(Json(
        json!({"items": t.iter().map(views::task).collect::<Vec<_>>()}),
    ))
}

fn opt_time(field: &str, v: Option<&str>) -> AppResult<Option<i64>> {
    v.map(|s| parse_rfc3339(s).map_err(|e| AppError::bad_request(format!("{field}: {e}"))))
        .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskBody {
    title: String,
    assignee: Option<Value>,
    /// RFC 3339.
    due_at: Option<String>,
}

async fn add_task(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TaskBody>,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let inc = resolve(&st, &user, &id).await?;
    if b.title.trim().is_empty() {
        return Err(AppError::bad_request("title is required"));
    }
    let assignee = match &b.assignee {
        Some(v) if !v.is_null() => Some(user_ref(&st, &user, v).await?),
        _ => None,
    };
    let due = opt_time("due_at", b.due_at.as_deref())?;
    let t = st
        .store
        .add_task(&actor, inc.id, b.title.trim(), assignee, due)
        .await?;
    Ok((StatusCode::CREATED, Json(views::task(&t))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskPatch {
    done: bool,
}

async fn update_task(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<TaskPatch>,
) -> AppResult<Json<Value>> {
    let actor = user.writer()?;
    let t = st.store.task(TaskId(id)).await?;
    // The task is visible only through its incident.
    st.store.incident(user.viewer(), t.incident_id).await?;
    Ok(Json(views::task(
        &st.store.set_task_done(&actor, TaskId(id), b.done).await?,
    )))
}

async fn decisions(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let inc = resolve(&st, &user, &id).await?;
    let d = st.store.decisions(user.viewer(), inc.id).await?;
    Ok(Json(
        json!({"items": d.iter().map(views::decision).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    subject: String,
    decision: String,
    decided_by: String,
    /// RFC 3339; now when absent.
    decided_at: Option<String>,
    #[serde(default)]
    note: String,
}

async fn add_decision(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let inc = resolve(&st, &user, &id).await?;
    for (name, v) in [
        ("subject", &b.subject),
        ("decision", &b.decision),
        ("decided_by", &b.decided_by),
    ] {
        if v.trim().is_empty() {
            return Err(AppError::bad_request(format!("{name} is required")));
        }
    }
    let at = opt_time("decided_at", b.decided_at.as_deref())?.unwrap_or_else(now_ms);
    let d = st
        .store
        .add_decision(
            &actor,
            inc.id,
            b.subject.trim(),
            b.decision.trim(),
            b.decided_by.trim(),
            at,
            b.note.trim(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(views::decision(&d))).into_response())
}

async fn reports(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let inc = resolve(&st, &user, &id).await?;
    let f = ReportFilter {
        incident: Some(inc.id),
        ..Default::default()
    };
    let p = st
        .store
        .list_reports(
            user.viewer(),
            &f,
            Page::new(Some(1), Some(Page::MAX_PER_PAGE)),
        )
        .await?;
    Ok(Json(views::paged(&p, views::report)))
}
