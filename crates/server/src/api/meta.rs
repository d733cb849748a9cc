//! Health, the OpenAPI document and the classification vocabularies.

use crate::AppState;
use crate::auth::CurrentUser;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hikeshi_domain::*;
use serde_json::{Value, json};

/// The API description served at `/api/v1/openapi.json`, kept beside the code and checked
/// against the router by a test.
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub fn public_routes() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/taxonomy", get(taxonomy))
}

/// Public: whether the server and its database answer. Says nothing else.
async fn health(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => Json(json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

async fn openapi(_: CurrentUser) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

fn vocab<T: Named>() -> Value {
    json!(names::<T>())
}

/// Every vocabulary the API accepts, and the default RSIT mapping of each category.
async fn taxonomy(_: CurrentUser) -> Json<Value> {
    let mapping: serde_json::Map<String, Value> = Category::all()
        .iter()
        .map(|c| {
            let r = c.default_rsit();
            (
                c.as_str().to_owned(),
                json!({"class": r.class, "type": r.kind}),
            )
        })
        .collect();
    Json(json!({
        "categories": vocab::<Category>(),
        "default_rsit": mapping,
        "rsit": RSIT.iter().map(|(c, t)| json!({"class": c, "types": t})).collect::<Vec<_>>(),
        "phases": vocab::<Phase>(),
        "tlp": vocab::<Tlp>(),
        "priorities": vocab::<Priority>(),
        "attacker_classes": vocab::<AttackerClass>(),
        "asset_classes": vocab::<AssetClass>(),
        "impact": {
            "functional": vocab::<FunctionalImpact>(),
            "information": vocab::<InformationImpact>(),
            "recoverability": vocab::<Recoverability>(),
            "criticality": vocab::<Criticality>(),
        },
        "roles": vocab::<Role>(),
    }))
}
