//! The graph page's facts form for an indicator: record or remove a fact (AS, organisation,
//! registrant, name server, malware), then back to the indicator's graph page.

use super::{UiError, see_other};
use crate::AppState;
use crate::api::facts::fact_link;
use crate::auth::CurrentUser;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::post;
use hikeshi_domain::IndicatorId;
use serde::Deserialize;

/// The form's fields (beside its CSRF token).
#[derive(Deserialize)]
struct FactForm {
    link: String,
    value: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/indicators/{id}/facts", post(add))
        .route("/indicators/{id}/facts/remove", post(remove))
}

fn back(id: i64) -> Response {
    see_other(&format!("/graph?node=d:{id}#facts"))
}

async fn add(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<FactForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let link = fact_link(&f.link)?;
    st.store
        .add_indicator_fact(&actor, user.viewer(), IndicatorId(id), link, &f.value)
        .await?;
    Ok(back(id))
}

async fn remove(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<FactForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let link = fact_link(&f.link)?;
    st.store
        .remove_indicator_fact(&actor, user.viewer(), IndicatorId(id), link, &f.value)
        .await?;
    Ok(back(id))
}
