//! The incident page's "Sweep logs" section: start a sweep over an allowed root (a plain form,
//! post/redirect/get), cancel one, and the list of jobs with their progress (refreshed by
//! `static/app.js` from the JSON API while a job runs) and the sightings they recorded. Uploads
//! go straight to the API from the page's script, with the CSRF token as a header, because
//! `auth::require_login` reads the token from URL-encoded forms only.

use super::{UiError, see_other};
use crate::AppState;
use crate::api::sweeps::{SourceBody, cancel_job, start_paths, startable, view};
use crate::auth::CurrentUser;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::{Form, Router};
use hikeshi_domain::Incident;
use minijinja::Value;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/sweeps", post(start))
        .route("/sweeps/{job}/cancel", post(cancel))
}

/// Sightings shown on the page (the API lists up to 1,000).
const SHOWN_SIGHTINGS: usize = 200;

/// What the section needs: the allowed roots, the jobs, the sightings.
pub(super) async fn incident_vars(
    st: &AppState,
    user: &CurrentUser,
    inc: &Incident,
    vars: &mut BTreeMap<&'static str, Value>,
) -> Result<(), UiError> {
    let v = user.viewer();
    let jobs = st.store.sweep_jobs(v, inc.id).await?;
    let jobs: Vec<serde_json::Value> = jobs
        .iter()
        .map(|j| {
            let mut x = view(j);
            x["mb_done"] = json!(format!("{:.1}", j.progress.bytes_done as f64 / 1e6));
            x["mb_total"] = json!(format!("{:.1}", j.progress.bytes_total as f64 / 1e6));
            // Shown with the page's `dt` filter, in the reader's time zone.
            x["created_ms"] = json!(j.created_at);
            x
        })
        .collect();
    let sightings = st.store.incident_sightings(v, inc.id).await?;
    let total = sightings.len();
    let shown: Vec<serde_json::Value> = sightings
        .iter()
        .take(SHOWN_SIGHTINGS)
        .map(|s| {
            json!({
                "kind": s.indicator.kind.as_str(),
                "defanged": hikeshi_ioc::defang(&s.indicator, hikeshi_ioc::DefangStyle::default()),
                "host": s.host, "asset": s.asset, "source": s.source, "line": s.line,
                "field": s.field, "seen_at": s.seen_at,
            })
        })
        .collect();
    vars.insert(
        "sweep_roots",
        Value::from_serialize(st.config.sweep.roots.keys().collect::<Vec<_>>()),
    );
    vars.insert("sweeps", Value::from_serialize(&jobs));
    vars.insert("sightings", Value::from_serialize(&shown));
    vars.insert("sightings_total", Value::from(total));
    Ok(())
}

#[derive(Deserialize)]
struct StartForm {
    root: String,
    #[serde(default)]
    path: String,
}

async fn start(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<StartForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = startable(&st, &user, &id).await?;
    let src = [SourceBody {
        root: f.root,
        path: f.path,
    }];
    start_paths(&st, &user, &actor, &inc, &src).await?;
    Ok(see_other(&format!("/incidents/{}#sweeps", inc.number)))
}

async fn cancel(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(job): Path<i64>,
) -> Result<Response, UiError> {
    let j = cancel_job(&st, &user, job).await?;
    Ok(see_other(&format!("/incidents/{}#sweeps", j.incident_id)))
}
