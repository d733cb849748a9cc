//! The REST API under `/api/v1`: JSON in and out, errors as `{"error": {"code", "message"}}`,
//! lists paginated with `page` and `per_page` and returned as `{items, page, per_page, total}`.
//! `openapi.json` beside this crate describes it; a test checks the two agree.

pub(crate) mod admin;
pub(crate) mod facts;
pub(crate) mod graph;
mod incident_docs;
mod incidents;
mod indicators;
mod meta;
mod notify;
pub use meta::OPENAPI;
mod reports;
pub(crate) mod search;
mod sharing;
mod stats;
pub(crate) mod sweeps;
mod templates;
pub(crate) mod users;
pub mod views;
mod vuln;
mod work;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(reports::routes())
        .merge(incidents::routes())
        .merge(incident_docs::routes())
        .merge(indicators::routes())
        .merge(work::routes())
        .merge(users::routes())
        .merge(admin::routes())
        .merge(facts::routes())
        .merge(vuln::routes())
        .merge(stats::routes())
        .merge(sharing::routes())
        .merge(sweeps::routes())
        .merge(templates::routes())
        .merge(notify::routes())
        .merge(graph::routes())
        .merge(search::routes())
        .merge(meta::routes())
}

pub fn public_routes() -> Router<AppState> {
    meta::public_routes()
}

/// A JSON body, with every failure (wrong content type, invalid UTF-8, syntax, a missing or
/// unknown field, a wrong type) turned into a 400 that says where and what.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| match e.status() {
                axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    AppError::too_large("the request body is larger than the configured limit")
                }
                _ => AppError::bad_request(format!("could not read the request body: {e}")),
            })?;
        parse_json(&ct, &bytes).map(ApiJson)
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(
    content_type: &str,
    bytes: &[u8],
) -> Result<T, AppError> {
    if !content_type.starts_with("application/json") {
        return Err(AppError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        AppError::bad_request(format!(
            "invalid JSON body at line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })
}

/// `?page=&per_page=` on every list.
#[derive(Debug, serde::Deserialize, Default)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl PageQuery {
    pub fn page(&self) -> hikeshi_store::Page {
        hikeshi_store::Page::new(self.page, self.per_page)
    }
}

/// `?after=` / `?before=` on a keyset-paged list (incidents: `lead` cursors carrying the
/// priority; reports: without): where the page starts, from a list response's `next` or
/// `prev`. Both at once, or a cursor of another list, is a client error.
pub(crate) fn seek(
    after: Option<&str>,
    before: Option<&str>,
    lead: bool,
) -> Result<Option<hikeshi_store::Seek>, AppError> {
    use hikeshi_store::{Cursor, Seek};
    let parse = |name: &str, v: &str| {
        v.trim()
            .parse::<Cursor>()
            .ok()
            .filter(|c| c.lead.is_some() == lead)
            .ok_or_else(|| {
                AppError::bad_request(format!(
                    "{name}={v:?} is not a cursor of this list: pass a list response's next or prev"
                ))
            })
    };
    let (after, before) = (
        after.filter(|v| !v.trim().is_empty()),
        before.filter(|v| !v.trim().is_empty()),
    );
    match (after, before) {
        (None, None) => Ok(None),
        (Some(a), None) => Ok(Some(Seek::After(parse("after", a)?))),
        (None, Some(b)) => Ok(Some(Seek::Before(parse("before", b)?))),
        (Some(_), Some(_)) => Err(AppError::bad_request("give after or before, not both")),
    }
}

/// Parse an optional vocabulary value from a query string, naming the parameter when it is
/// wrong.
pub(crate) fn opt_named<T: hikeshi_domain::Named>(
    param: &str,
    v: Option<&str>,
) -> Result<Option<T>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => hikeshi_domain::parse_named(s).map(Some).map_err(|_| {
            AppError::bad_request(format!(
                "{param}={s:?} is not one of: {}",
                hikeshi_domain::names::<T>().join(", ")
            ))
        }),
    }
}

/// A query extractor whose failures are JSON 400s like everything else.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded_like(q).map(ApiQuery)
    }
}

fn serde_urlencoded_like<T: DeserializeOwned>(q: &str) -> Result<T, AppError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{q}")
            .parse()
            .map_err(|_| AppError::bad_request("malformed query string"))?,
    )
    .map(|axum::extract::Query(v)| v)
    .map_err(|e| AppError::bad_request(format!("invalid query parameters: {}", e.body_text())))
}

pub(crate) use incidents::resolve as resolve_incident;
pub(crate) use indicators::correlations_json;
pub(crate) use notify::ContactBody;

/// A report's raw bytes as a download that no browser will render.
pub(crate) fn download_raw(bytes: Vec<u8>, id: i64) -> axum::response::Response {
    reports::download(
        bytes,
        &format!("report-{id}.raw"),
        "application/octet-stream",
    )
}
