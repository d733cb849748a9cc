//! `/api/v1/graph?node=…`: one node of the infrastructure graph and its neighbours, as the
//! signed-in user may see them (the store applies TLP). The graph page expands nodes with it.

use super::ApiQuery;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hikeshi_store::{GraphNode, NEIGHBOUR_LIMIT, Neighbourhood, NodeView};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/graph", get(neighbours))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeQuery {
    node: String,
}

/// The page a node opens, when it has one.
pub(crate) fn href(n: &NodeView) -> Option<String> {
    match n.group {
        "incident" => Some(format!("/incidents/{}", n.label)),
        "asset" => Some(format!(
            "/assets/{}",
            crate::ui::urlencode(&n.label).replace('+', "%20")
        )),
        _ => None,
    }
}

fn node_json(n: &NodeView) -> Value {
    let mut v = serde_json::to_value(n).unwrap_or(Value::Null);
    if let (Some(h), Some(o)) = (href(n), v.as_object_mut()) {
        o.insert("href".into(), Value::String(h));
    }
    v
}

pub(crate) fn neighbourhood_json(n: &Neighbourhood) -> Value {
    json!({
        "center": n.center.as_ref().map(node_json),
        "nodes": n.nodes.iter().map(node_json).collect::<Vec<_>>(),
        "edges": n.edges,
        "truncated": n.truncated,
        "limit": NEIGHBOUR_LIMIT,
    })
}

pub(crate) fn parse_node(s: &str) -> AppResult<GraphNode> {
    GraphNode::parse(s).ok_or_else(|| {
        AppError::bad_request(format!(
            "node {s:?}: expected i:ID (incident), d:ID (indicator), k:LINK:VALUE (registrable-domain, network, url-host), h:HOST or a:ID (asset)"
        ))
    })
}

async fn neighbours(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<NodeQuery>,
) -> AppResult<Json<Value>> {
    let node = parse_node(&q.node)?;
    let n = st.store.graph_neighbours(user.viewer(), &node).await?;
    Ok(Json(neighbourhood_json(&n)))
}
