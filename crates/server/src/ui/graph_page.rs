//! `/graph`: the infrastructure graph. The page lists the start node's neighbours (it works
//! without script, each neighbour a link to its own graph page); `static/graph.js` draws the
//! same data with Cytoscape.js (pinned, unmodified, shipped in the binary) and expands nodes
//! through `/api/v1/graph`.

use super::{PageCtx, UiError, render};
use crate::AppState;
use crate::api::graph::{href, parse_node};
use crate::auth::CurrentUser;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::Value;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The Cytoscape.js release shipped (npm `cytoscape`, MIT; integrity checked when vendored, see
/// `static/vendor/README.md`).
const CYTOSCAPE: &str = include_str!("../../static/vendor/cytoscape-3.35.0.min.js");
const GRAPH_JS: &str = include_str!("../../static/graph.js");
const GRAPH_CSS: &str = include_str!("../../static/graph.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/graph", get(page))
        .route(
            "/static/graph.js",
            get(|| asset("text/javascript", GRAPH_JS)),
        )
        .route("/static/graph.css", get(|| asset("text/css", GRAPH_CSS)))
        .route(
            "/static/vendor/cytoscape.min.js",
            get(|| asset("text/javascript", CYTOSCAPE)),
        )
}

async fn asset(mime: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, format!("{mime}; charset=utf-8")),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
struct GraphQuery {
    node: Option<String>,
    lang: Option<String>,
}

async fn page(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<GraphQuery>,
) -> Result<Response, UiError> {
    let viewer = user.viewer();
    let can_write = user.writer().is_ok();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let mut vars = BTreeMap::new();
    let start = q.node.unwrap_or_default();
    vars.insert("node", Value::from(start.as_str()));
    vars.insert("can_write", Value::from(can_write));
    if !start.trim().is_empty() {
        let node = parse_node(start.trim())?;
        let n = st.store.graph_neighbours(viewer, &node).await?;
        if let hikeshi_store::GraphNode::Indicator(id) = node {
            let facts = st.store.indicator_facts(viewer, id).await?;
            vars.insert("facts", Value::from_serialize(&facts));
            vars.insert("indicator_id", Value::from(id.0));
            let kinds: Vec<&str> = hikeshi_ioc::Link::ALL
                .into_iter()
                .filter(|l| l.is_fact())
                .map(hikeshi_ioc::Link::as_str)
                .collect();
            vars.insert("fact_kinds", Value::from_serialize(kinds));
        }
        let with_href = |v: &hikeshi_store::NodeView| {
            json!({"id": v.id, "group": v.group, "kind": v.kind, "label": v.label,
                   "detail": v.detail, "tlp": v.tlp, "href": href(v)})
        };
        vars.insert(
            "center",
            Value::from_serialize(n.center.as_ref().map(with_href)),
        );
        let mut nodes: Vec<_> = n.nodes.iter().map(with_href).collect();
        nodes.sort_by(|a, b| {
            (a["group"].as_str(), a["label"].as_str())
                .cmp(&(b["group"].as_str(), b["label"].as_str()))
        });
        vars.insert("nodes", Value::from_serialize(nodes));
        vars.insert("truncated", Value::from(n.truncated));
    }
    Ok(render(&st, &ctx, "graph.html", vars))
}
