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

async fn add(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<FactForm>,
) -> Result<Response, UiError> {
    change(&st, &user, id, f, false).await
}

async fn remove(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<FactForm>,
) -> Result<Response, UiError> {
    change(&st, &user, id, f, true).await
}

/// Record (or, with `remove`, remove) the form's fact, then back to the indicator's graph page.
async fn change(
    st: &AppState,
    user: &CurrentUser,
    id: i64,
    f: FactForm,
    remove: bool,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let link = fact_link(&f.link)?;
    let (viewer, id) = (user.viewer(), IndicatorId(id));
    if remove {
        st.store
            .remove_indicator_fact(&actor, viewer, id, link, &f.value)
            .await?;
    } else {
        st.store
            .add_indicator_fact(&actor, viewer, id, link, &f.value)
            .await?;
    }
    Ok(see_other(&format!("/graph?node=d:{}#facts", id.0)))
}
