//! `/api/v1/search?q=`: incidents, reports and indicators matching one query, as the signed-in
//! user may see them (the store applies TLP); and `/api/v1/saved-filters`, each user's named
//! query strings for the search page and the incident and report lists. The search page
//! (`ui/search_pages.rs`) shows the same [`search`] result.

use super::{ApiJson, ApiQuery, views};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use hikeshi_domain::{Incident, Report};
use hikeshi_store::{IncidentFilter, IndicatorHit, Page, Paged, ReportFilter, SavedFilter};
use serde::Deserialize;
use serde_json::{Value, json};

/// How many incidents and reports a search shows; the rest are one link away.
pub const SECTION_SIZE: i64 = 20;
/// How many indicators a search shows.
pub const INDICATOR_LIMIT: i64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/search", get(find))
        .route("/api/v1/saved-filters", get(list).post(create))
        .route("/api/v1/saved-filters/{id}", delete(remove))
}

/// Where a saved filter's scope lives in the UI.
pub(crate) fn scope_path(scope: &str) -> &'static str {
    match scope {
        "incidents" => "/incidents",
        "reports" => "/reports",
        _ => "/search",
    }
}

/// The link that opens a list with the query string `query`.
pub(crate) fn href_of(scope: &str, query: &str) -> String {
    let path = scope_path(scope);
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// What one search found: the first [`SECTION_SIZE`] incidents and reports (the list queries
/// with `q`, so the link to the full list shows the same) with their totals, and the indicators.
pub(crate) struct Found {
    pub q: String,
    pub incidents: Paged<Incident>,
    pub reports: Paged<Report>,
    pub indicators: Vec<IndicatorHit>,
}

pub(crate) async fn search(st: &AppState, user: &CurrentUser, q: &str) -> AppResult<Found> {
    let q = q.trim().to_owned();
    let v = user.viewer();
    let first = Page::new(Some(1), Some(SECTION_SIZE));
    let incidents = IncidentFilter {
        text: Some(q.clone()),
        ..Default::default()
    };
    let reports = ReportFilter {
        text: Some(q.clone()),
        ..Default::default()
    };
    // Three independent reads on three pooled connections at once: the page waits for the
    // slowest, not for their sum.
    let (incidents, reports, indicators) = tokio::try_join!(
        st.store.list_incidents(v, &incidents, first),
        st.store.list_reports(v, &reports, first),
        st.store.search_indicators(v, &q, INDICATOR_LIMIT),
    )?;
    Ok(Found {
        incidents,
        reports,
        indicators,
        q,
    })
}

impl Found {
    /// The full incident or report list for the same query.
    pub(crate) fn href(&self, path: &str) -> String {
        format!(
            "{path}?q={}",
            crate::ui::urlencode(&self.q).replace('+', "%20")
        )
    }

    /// The indicators, each defanged too and linked to its graph.
    pub(crate) fn indicators_json(&self) -> Vec<Value> {
        self.indicators
            .iter()
            .map(|h| {
                let ind = hikeshi_domain::Indicator {
                    kind: h.kind,
                    value: h.value.clone(),
                };
                json!({
                    "id": h.id.0, "kind": h.kind.as_str(), "value": h.value,
                    "defanged": hikeshi_ioc::defang(&ind, hikeshi_ioc::DefangStyle::default()),
                    "matched": h.matched, "incidents": h.incidents,
                    "graph": format!("/graph?node=d:{}", h.id.0),
                })
            })
            .collect()
    }

    fn json(&self) -> Value {
        json!({
            "q": self.q,
            "incidents": {
                "items": self.incidents.items.iter().map(|i| json!(views::IncidentView::from(i))).collect::<Vec<_>>(),
                "total": self.incidents.total,
                "total_exact": self.incidents.total_exact,
                "href": self.href("/incidents"),
            },
            "reports": {
                "items": self.reports.items.iter().map(views::report).collect::<Vec<_>>(),
                "total": self.reports.total,
                "total_exact": self.reports.total_exact,
                "href": self.href("/reports"),
            },
            "indicators": self.indicators_json(),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchQuery {
    q: String,
}

async fn find(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> AppResult<Json<Value>> {
    if q.q.trim().is_empty() {
        return Err(AppError::bad_request("q must not be empty"));
    }
    Ok(Json(search(&st, &user, &q.q).await?.json()))
}

pub(crate) fn saved_json(f: &SavedFilter) -> Value {
    json!({
        "id": f.id, "name": f.name, "scope": f.scope, "query": f.query,
        "href": href_of(&f.scope, &f.query),
        "created_at": hikeshi_domain::time::rfc3339(f.created_at),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeQuery {
    scope: Option<String>,
}

async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ScopeQuery>,
) -> AppResult<Json<Value>> {
    let scope = q.scope.as_deref().filter(|s| !s.is_empty());
    let items = st.store.saved_filters(user.user.id, scope).await?;
    Ok(Json(
        json!({"items": items.iter().map(saved_json).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSaved {
    name: String,
    scope: String,
    #[serde(default)]
    query: String,
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<NewSaved>,
) -> AppResult<Response> {
    // A saved filter is the user's own preference: any signed-in role may keep some.
    let f = st
        .store
        .create_saved_filter(&user.actor(), user.user.id, &b.name, &b.scope, &b.query)
        .await?;
    Ok((StatusCode::CREATED, Json(saved_json(&f))).into_response())
}

async fn remove(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    st.store
        .delete_saved_filter(&user.actor(), user.user.id, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
