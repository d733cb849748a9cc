//! `/search`: incidents, reports and indicators matching one query (the header's search box on
//! every page submits here), and the saved-filter forms shown on the search page and the
//! incident and report lists: "save this filter" stores the page's current query string under
//! a name, and the user's saved filters are listed as links with a delete button.

use super::pages::{incident_value, report_value};
use super::{PageCtx, UiError, render, see_other};
use crate::AppState;
use crate::api::search::{href_of, saved_json, scope_path, search};
use crate::auth::CurrentUser;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::Value;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(page))
        .route("/saved-filters", post(save))
        .route("/saved-filters/{id}/delete", post(remove))
}

/// A page's query string as a filter keeps it: without the page number or cursor and the
/// language, which are where the user was, not what they asked for.
pub(super) fn kept_query(raw: Option<&str>) -> String {
    let pairs = form_urlencoded::parse(raw.unwrap_or("").as_bytes()).filter(|(k, v)| {
        !matches!(k.as_ref(), "page" | "after" | "before" | "lang") && !v.trim().is_empty()
    });
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The saved-filter block's variables for a list page of `scope` (`search`, `incidents`,
/// `reports`) whose query string is `raw`: the user's saved filters there and what "save this
/// filter" would store.
pub(super) async fn saved_vars(
    st: &AppState,
    user: &CurrentUser,
    scope: &'static str,
    raw: Option<&str>,
    vars: &mut BTreeMap<&'static str, Value>,
) -> Result<(), UiError> {
    let saved = st.store.saved_filters(user.user.id, Some(scope)).await?;
    vars.insert(
        "saved",
        Value::from_serialize(saved.iter().map(saved_json).collect::<Vec<_>>()),
    );
    vars.insert("saved_scope", Value::from(scope));
    vars.insert("saved_query", Value::from(kept_query(raw)));
    Ok(())
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    lang: Option<String>,
}

async fn page(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    Query(q): Query<SearchQuery>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user.clone()));
    let text = q.q.unwrap_or_default();
    let mut vars = BTreeMap::new();
    vars.insert("q", Value::from(text.trim()));
    // The header's search box shows what was searched for.
    vars.insert("search_q", Value::from(text.trim()));
    let n = text.trim().chars().count();
    vars.insert(
        "short_text",
        Value::from(n > 0 && n < hikeshi_store::MIN_INDEXED_TEXT),
    );
    if !text.trim().is_empty() {
        let found = search(&st, &user, &text).await?;
        let section = |items: Vec<Value>, total: i64, exact: bool, href: String| {
            Value::from_serialize(
                serde_json::json!({"items": items, "total": total, "total_exact": exact, "href": href}),
            )
        };
        vars.insert(
            "incidents",
            section(
                found.incidents.items.iter().map(incident_value).collect(),
                found.incidents.total,
                found.incidents.total_exact,
                found.href("/incidents"),
            ),
        );
        vars.insert(
            "reports",
            section(
                found.reports.items.iter().map(report_value).collect(),
                found.reports.total,
                found.reports.total_exact,
                found.href("/reports"),
            ),
        );
        vars.insert("indicators", Value::from_serialize(found.indicators_json()));
    }
    saved_vars(&st, &user, "search", raw.as_deref(), &mut vars).await?;
    Ok(render(&st, &ctx, "search.html", vars))
}

#[derive(Deserialize)]
struct SaveForm {
    name: String,
    scope: String,
    #[serde(default)]
    query: String,
}

async fn save(
    State(st): State<AppState>,
    user: CurrentUser,
    Form(f): Form<SaveForm>,
) -> Result<Response, UiError> {
    let saved = st
        .store
        .create_saved_filter(&user.actor(), user.user.id, &f.name, &f.scope, &f.query)
        .await?;
    Ok(see_other(&href_of(&saved.scope, &saved.query)))
}

#[derive(Deserialize)]
struct DeleteForm {
    scope: String,
}

async fn remove(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, UiError> {
    st.store
        .delete_saved_filter(&user.actor(), user.user.id, id)
        .await?;
    Ok(see_other(scope_path(&f.scope)))
}

#[cfg(test)]
mod tests {
    use super::kept_query;

    #[test]
    fn a_kept_query_drops_the_page_the_language_and_empty_fields() {
        assert_eq!(
            kept_query(Some(
                "phase=&q=evil%5B.%5Dexample&page=3&lang=ja&open=1&after=p2.1764115200000.42"
            )),
            "q=evil%5B.%5Dexample&open=1"
        );
        assert_eq!(kept_query(None), "");
    }
}
