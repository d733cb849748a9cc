//! Sharing from the incident page: publish the incident into a sharing group (its TAXII
//! collection and MISP scope). Downloads go straight to `GET /api/v1/export`, which the session
//! cookie authenticates like any other read.

use super::{UiError, see_other};
use crate::AppState;
use crate::api::resolve_incident;
use crate::auth::{CurrentUser, Via};
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
    let token = match user.via {
        Via::Token { id } => Some(id),
        _ => None,
    };
    let mut out = Vec::new();
    for g in st.store.sharing_groups().await? {
        let a = st
            .store
            .sharing_access(g.id, user.user.id, user.user.role.is_admin(), token)
            .await?;
        if a.write {
            out.push(g);
        }
    }
    Ok(out)
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
