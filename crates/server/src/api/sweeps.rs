//! `/api/v1/incidents/{id}/sweeps` and `/api/v1/sweeps/{job}`: start a sweep of an incident's
//! indicators over allowed server-side paths (JSON) or uploaded logs (multipart), follow its
//! progress, cancel it. The job runs in the background (`sweep_runner`); its hits become
//! sightings on the incident.

use super::incidents::resolve;
use super::parse_json;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::sweep_jobs::{UPLOAD_PREFIX, indicator_set, source_name, upload_name};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hikeshi_domain::time::rfc3339;
use hikeshi_domain::{Actor, Incident};
use hikeshi_store::{NewSweepJob, SweepJob};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

/// Sources one request may name.
const MAX_SOURCES: usize = 100;
/// A JSON request is small; only uploads may be large.
const MAX_JSON_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/incidents/{id}/sweeps",
            get(list)
                .post(start)
                // Uploads are limited by `sweep.max_upload_bytes` while they stream to disk,
                // not by the general body limit.
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/sweeps/{job}", get(show))
        .route("/api/v1/sweeps/{job}/cancel", post(cancel))
}

/// A job as the API shows it.
pub(crate) fn view(j: &SweepJob) -> Value {
    let percent = (j.progress.bytes_total > 0).then(|| {
        (j.progress.bytes_done.min(j.progress.bytes_total) * 100) / j.progress.bytes_total
    });
    json!({
        "id": j.id,
        "incident_id": j.incident_id,
        "requested_by": j.requested_by,
        "requested_by_name": j.requested_by_name,
        "sources": j.sources,
        "state": j.state,
        "bytes_done": j.progress.bytes_done,
        "bytes_total": j.progress.bytes_total,
        "percent": percent,
        "lines": j.progress.lines,
        "hits": j.progress.hits,
        "new_sightings": j.new_sightings,
        "error": j.error,
        "cancel_requested": j.cancel_requested,
        "attempts": j.attempts,
        "created_at": rfc3339(j.created_at),
        "started_at": j.started_at.map(rfc3339),
        "finished_at": j.finished_at.map(rfc3339),
    })
}

async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let inc = resolve(&st, &user, &id).await?;
    let jobs = st.store.sweep_jobs(user.viewer(), inc.id).await?;
    Ok(Json(
        json!({"items": jobs.iter().map(view).collect::<Vec<_>>()}),
    ))
}

fn job_id(s: &str) -> AppResult<i64> {
    s.parse()
        .map_err(|_| AppError::bad_request(format!("{s:?} is not a sweep job id")))
}

async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(job): Path<String>,
) -> AppResult<Json<Value>> {
    let j = st.store.sweep_job(user.viewer(), job_id(&job)?).await?;
    Ok(Json(view(&j)))
}

async fn cancel(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(job): Path<String>,
) -> AppResult<Json<Value>> {
    let j = cancel_job(&st, &user, job_id(&job)?).await?;
    Ok(Json(view(&j)))
}

/// Ask a job to stop; a queued job ends at once, and its uploads go with it.
pub(crate) async fn cancel_job(st: &AppState, user: &CurrentUser, job: i64) -> AppResult<SweepJob> {
    let actor = user.writer()?;
    let j = st
        .store
        .request_sweep_cancel(&actor, user.viewer(), job)
        .await?;
    if j.state.is_final() {
        crate::sweep_runner::remove_uploads(&st.config.sweep, &j.upload_key);
    }
    Ok(j)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceBody {
    pub root: String,
    #[serde(default)]
    pub path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    sources: Vec<SourceBody>,
}

async fn start(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    req: Request,
) -> AppResult<Response> {
    let actor = user.writer()?;
    let inc = startable(&st, &user, &id).await?;
    let ct = crate::util::content_type(req.headers());
    let job = if ct.starts_with("multipart/form-data") {
        let mp = Multipart::from_request(req, &st)
            .await
            .map_err(|e| AppError::bad_request(format!("not a multipart upload: {e}")))?;
        start_upload(&st, &user, &actor, &inc, mp).await?
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_JSON_BYTES)
            .await
            .map_err(|_| AppError::too_large("the request body is larger than the limit"))?;
        let body: StartBody = parse_json(&ct, &bytes)?;
        start_paths(&st, &user, &actor, &inc, &body.sources).await?
    };
    Ok((StatusCode::ACCEPTED, Json(view(&job))).into_response())
}

/// The incident, if the caller may see it and it has something to sweep for.
pub(crate) async fn startable(st: &AppState, user: &CurrentUser, id: &str) -> AppResult<Incident> {
    let inc = resolve(st, user, id).await?;
    let inds = st.store.incident_indicators(user.viewer(), inc.id).await?;
    let (set, _) = indicator_set(inds.iter().map(|i| &i.indicator));
    if set.is_empty() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_to_sweep",
            "the incident has no indicator that can be swept for (domains, addresses, networks, URLs, hashes, e-mail addresses)",
        ));
    }
    Ok(inc)
}

/// Queue a sweep of allowed server-side paths.
pub(crate) async fn start_paths(
    st: &AppState,
    user: &CurrentUser,
    actor: &Actor,
    inc: &Incident,
    sources: &[SourceBody],
) -> AppResult<SweepJob> {
    if sources.is_empty() || sources.len() > MAX_SOURCES {
        return Err(AppError::bad_request(format!(
            "name between 1 and {MAX_SOURCES} sources ({{\"root\": …, \"path\": …}})"
        )));
    }
    let mut names = Vec::new();
    for s in sources {
        let name = source_name(&st.config.sweep, s.root.trim(), s.path.trim())
            .map_err(|e| AppError::bad_request(e.to_string()))?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let new = NewSweepJob {
        sources: names,
        upload_key: String::new(),
    };
    Ok(st
        .store
        .create_sweep_job(actor, user.viewer(), inc.id, &new)
        .await?)
}

/// Store the uploaded files (fields named `file`; others, such as a form's `csrf`, are ignored)
/// in a directory of their own, then queue the job. Nothing is kept when anything fails.
pub(crate) async fn start_upload(
    st: &AppState,
    user: &CurrentUser,
    actor: &Actor,
    inc: &Incident,
    mut mp: Multipart,
) -> AppResult<SweepJob> {
    let cfg = &st.config.sweep;
    let key = hex::encode(crate::auth::random_bytes(16));
    let dir = cfg.upload_dir.join(&key);
    let stored = async {
        tokio::fs::create_dir_all(&dir).await.map_err(|e| {
            tracing::error!(dir = %dir.display(), error = %e, "creating the upload directory failed");
            AppError::internal()
        })?;
        let mut names: Vec<String> = Vec::new();
        let mut total: u64 = 0;
        while let Some(mut field) = mp
            .next_field()
            .await
            .map_err(|e| AppError::bad_request(format!("reading the upload failed: {e}")))?
        {
            if field.name() != Some("file") {
                continue;
            }
            let sent = field.file_name().unwrap_or("").to_owned();
            if sent.is_empty() {
                // A form submitted with no file chosen sends an empty, nameless part.
                continue;
            }
            let name = upload_name(&sent).ok_or_else(|| {
                AppError::bad_request(format!("{sent:?} is not a usable file name"))
            })?;
            if names.contains(&name) {
                return Err(AppError::bad_request(format!(
                    "two uploaded files are named {name:?}"
                )));
            }
            let path = dir.join(&name);
            let mut f = tokio::fs::File::create(&path).await.map_err(|e| {
                tracing::error!(file = %path.display(), error = %e, "storing an upload failed");
                AppError::internal()
            })?;
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| AppError::bad_request(format!("reading the upload failed: {e}")))?
            {
                total += chunk.len() as u64;
                if total > cfg.max_upload_bytes {
                    return Err(AppError::too_large(format!(
                        "the uploaded logs are larger than the limit of {} MB",
                        cfg.max_upload_bytes / (1024 * 1024)
                    )));
                }
                f.write_all(&chunk).await.map_err(|e| {
                    tracing::error!(file = %path.display(), error = %e, "storing an upload failed");
                    AppError::internal()
                })?;
            }
            f.flush().await.map_err(|_| AppError::internal())?;
            names.push(name);
        }
        if names.is_empty() {
            return Err(AppError::bad_request(
                "no file uploaded: send the logs as multipart fields named \"file\"",
            ));
        }
        let new = NewSweepJob {
            sources: names.iter().map(|n| format!("{UPLOAD_PREFIX}{n}")).collect(),
            upload_key: key.clone(),
        };
        Ok(st
            .store
            .create_sweep_job(actor, user.viewer(), inc.id, &new)
            .await?)
    }
    .await;
    if stored.is_err() {
        let _ = tokio::fs::remove_dir_all(&dir).await;
    }
    stored
}
