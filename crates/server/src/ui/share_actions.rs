//! Sharing from the incident page: publish the incident into a sharing group (its TAXII
//! collection and MISP scope). Downloads go straight to `GET /api/v1/export`, which the session
//! cookie authenticates like any other read.

use super::{UiError, see_other};
use crate::AppState;
use crate::api::resolve_incident;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::post;
use hikeshi_store::SharingGroup;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/incidents/{id}/publish", post(publish))
}

/// The sharing groups the user may write to (where they may publish).
pub async fn writable_groups(st: &AppState, user: &CurrentUser) -> AppResult<Vec<SharingGroup>> {
    Ok(crate::sharing::groups_with_access(&st.store, user)
        .await?
        .into_iter()
        .filter(|(_, a)| a.write)
        .map(|(g, _)| g)
        .collect())
}

#[derive(Deserialize)]
struct PublishForm {
    group: String,
}

async fn publish(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<PublishForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let group = writable_groups(&st, &user)
        .await?
        .into_iter()
        .find(|g| g.id.to_string() == f.group)
        .ok_or_else(|| AppError::forbidden("you may not publish to that sharing group"))?;
    crate::sharing::publish(
        &st.store,
        &actor,
        user.viewer(),
        &st.config.team_name,
        &group,
        inc.id,
    )
    .await?;
    Ok(see_other(&format!("/incidents/{}#timeline", inc.number)))
}
