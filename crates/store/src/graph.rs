//! The infrastructure graph: indicators and what links them (incidents holding them, the
//! registrable domains, networks and URL hosts they share, the internal hosts that touched them
//! and the assets those hosts are), read one node's neighbourhood at a time so a handler can
//! start from one incident and expand outward across incidents.
//!
//! TLP applies to every node: an incident the viewer may not see is not a neighbour, and an
//! indicator known only from TLP:RED context never appears (see
//! [`Viewer::restrict_indicators`]). Each relation returns at most [`NEIGHBOUR_LIMIT`] nodes;
//! `truncated` says when more exist.

use crate::query::{Arg, Where, bind_all};
use crate::{Result, Store, StoreError, Viewer};
use hikeshi_domain::{IncidentId, IncidentNumber, IndicatorId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeSet;

/// Most neighbours returned per relation of one expansion.
pub const NEIGHBOUR_LIMIT: i64 = 100;

/// A node of the graph, as named in URLs: `i:ID` incident, `d:ID` indicator, `k:LINK:VALUE`
/// shared key (registrable domain, network, URL host), `h:NAME` internal host, `a:ID` asset.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum GraphNode {
    Incident(IncidentId),
    Indicator(IndicatorId),
    Key { link: String, value: String },
    Host(String),
    Asset(i64),
}

impl GraphNode {
    /// Parse the URL form; `None` for anything else.
    pub fn parse(s: &str) -> Option<GraphNode> {
        let (t, rest) = s.split_once(':')?;
        match t {
            "i" => rest
                .parse()
                .ok()
                .map(|i| GraphNode::Incident(IncidentId(i))),
            "d" => rest
                .parse()
                .ok()
                .map(|i| GraphNode::Indicator(IndicatorId(i))),
            "a" => rest.parse().ok().map(GraphNode::Asset),
            "h" if !rest.is_empty() => Some(GraphNode::Host(rest.to_owned())),
            "k" => {
                let (link, value) = rest.split_once(':')?;
                (hikeshi_ioc::Link::parse(link).is_some() && !value.is_empty()).then(|| {
                    GraphNode::Key {
                        link: link.to_owned(),
                        value: value.to_owned(),
                    }
                })
            }
            _ => None,
        }
    }

    /// The URL form [`GraphNode::parse`] reads.
    pub fn key(&self) -> String {
        match self {
            GraphNode::Incident(i) => format!("i:{}", i.0),
            GraphNode::Indicator(i) => format!("d:{}", i.0),
            GraphNode::Key { link, value } => format!("k:{link}:{value}"),
            GraphNode::Host(h) => format!("h:{h}"),
            GraphNode::Asset(a) => format!("a:{a}"),
        }
    }
}

/// A node as drawn: `group` is `incident`, `indicator`, `key`, `host` or `asset`; `kind` the
/// indicator kind, the key's link, the incident's phase, or the asset's criticality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeView {
    pub id: String,
    pub group: &'static str,
    pub kind: String,
    pub label: String,
    /// Secondary text: an incident's title, an asset's owner.
    pub detail: String,
    /// The incident's TLP or the indicator link's TLP, when there is one.
    pub tlp: Option<String>,
}

/// An undirected edge; `rel` says what links the two (`holds`, `shares`, `touched`, `is`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EdgeView {
    pub source: String,
    pub target: String,
    pub rel: &'static str,
}

/// One node and its neighbours.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Neighbourhood {
    pub center: Option<NodeView>,
    pub nodes: Vec<NodeView>,
    pub edges: Vec<EdgeView>,
    /// Some relation had more than [`NEIGHBOUR_LIMIT`] neighbours.
    pub truncated: bool,
}

impl Neighbourhood {
    fn add(&mut self, from: &str, node: NodeView, rel: &'static str) {
        self.edge(from, &node.id, rel);
        if !self.nodes.iter().any(|n| n.id == node.id) {
            self.nodes.push(node);
        }
    }

    fn edge(&mut self, a: &str, b: &str, rel: &'static str) {
        let (source, target) = if a <= b { (a, b) } else { (b, a) };
        let e = EdgeView {
            source: source.to_owned(),
            target: target.to_owned(),
            rel,
        };
        if !self.edges.contains(&e) {
            self.edges.push(e);
        }
    }

    fn note(&mut self, n: usize) {
        if n as i64 > NEIGHBOUR_LIMIT {
            self.truncated = true;
        }
    }
}

fn incident_view(r: &AnyRow) -> Result<NodeView> {
    let number = IncidentNumber {
        year: r.try_get::<i64, _>("year")? as i32,
        seq: r.try_get("seq")?,
    };
    Ok(NodeView {
        id: format!("i:{}", r.try_get::<i64, _>("id")?),
        group: "incident",
        kind: r.try_get("phase")?,
        label: number.to_string(),
        detail: r.try_get("title")?,
        tlp: Some(r.try_get("tlp")?),
    })
}

fn indicator_view(r: &AnyRow, tlp: Option<String>) -> Result<NodeView> {
    Ok(NodeView {
        id: format!("d:{}", r.try_get::<i64, _>("id")?),
        group: "indicator",
        kind: r.try_get("kind")?,
        label: r.try_get("value")?,
        detail: String::new(),
        tlp,
    })
}

fn key_view(link: &str, value: &str) -> NodeView {
    NodeView {
        id: format!("k:{link}:{value}"),
        group: "key",
        kind: link.to_owned(),
        label: value.to_owned(),
        detail: String::new(),
        tlp: None,
    }
}

fn host_view(host: &str) -> NodeView {
    NodeView {
        id: format!("h:{host}"),
        group: "host",
        kind: "host".into(),
        label: host.to_owned(),
        detail: String::new(),
        tlp: None,
    }
}

fn asset_view(r: &AnyRow) -> Result<NodeView> {
    let owner: String = r.try_get("owner")?;
    let dept: String = r.try_get("department")?;
    Ok(NodeView {
        id: format!("a:{}", r.try_get::<i64, _>("id")?),
        group: "asset",
        kind: r.try_get("criticality")?,
        label: r.try_get("name")?,
        detail: [owner, dept]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" / "),
        tlp: None,
    })
}

const INCIDENT_COLS: &str = "i.id, i.year, i.seq, i.title, i.phase, i.tlp";
const LIMIT_PLUS: i64 = NEIGHBOUR_LIMIT + 1;

impl Store {
    async fn graph_rows(&self, sql: &str, w: &Where) -> Result<Vec<AnyRow>> {
        Ok(bind_all(sqlx::query(sql), &w.args)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A node and its neighbours as the viewer may see them; `NotFound` for a node that does
    /// not exist or that the viewer may not see.
    pub async fn graph_neighbours(
        &self,
        viewer: Viewer,
        node: &GraphNode,
    ) -> Result<Neighbourhood> {
        let mut n = Neighbourhood::default();
        match node {
            GraphNode::Incident(id) => self.incident_neighbours(viewer, *id, &mut n).await?,
            GraphNode::Indicator(id) => self.indicator_neighbours(viewer, *id, &mut n).await?,
            GraphNode::Key { link, value } => {
                self.key_neighbours(viewer, link, value, &mut n).await?
            }
            GraphNode::Host(h) => self.host_neighbours(viewer, h, &mut n).await?,
            GraphNode::Asset(a) => self.asset_neighbours(viewer, *a, &mut n).await?,
        }
        Ok(n)
    }

    async fn incident_neighbours(
        &self,
        viewer: Viewer,
        id: IncidentId,
        n: &mut Neighbourhood,
    ) -> Result<()> {
        let mut w = Where::default();
        w.and("i.id = ?", Arg::Int(id.0));
        viewer.restrict(&mut w, "i");
        let sql = format!("SELECT {INCIDENT_COLS} FROM incidents i{}", w.sql());
        let row = self.graph_rows(&sql, &w).await?;
        let row = row
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("incident {}", id.0)))?;
        let me = incident_view(row)?;
        let me_id = me.id.clone();
        n.center = Some(me);

        let mut w = Where::default();
        w.and("l.incident_id = ?", Arg::Int(id.0));
        viewer.restrict_marked(&mut w, "i", "l.tlp");
        let sql = format!(
            "SELECT d.id, d.kind, d.value, l.tlp FROM incident_indicators l JOIN indicators d ON d.id = l.indicator_id \
             JOIN incidents i ON i.id = l.incident_id{} ORDER BY l.added_at, d.id LIMIT {LIMIT_PLUS}",
            w.sql()
        );
        let rows = self.graph_rows(&sql, &w).await?;
        n.note(rows.len());
        let mut shown = BTreeSet::new();
        for r in rows.iter().take(NEIGHBOUR_LIMIT as usize) {
            let v = indicator_view(r, Some(r.try_get("tlp")?))?;
            shown.insert(v.id.clone());
            n.add(&me_id, v, "holds");
        }

        // The internal hosts that touched the incident's indicators, and which ones they touched.
        let rows = sqlx::query(
            "SELECT DISTINCT s.host, s.indicator_id FROM sightings s WHERE s.incident_id = $1 AND s.host <> '' \
             ORDER BY s.host, s.indicator_id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        let mut hosts = BTreeSet::new();
        for r in &rows {
            let host: String = r.try_get("host")?;
            let ind = format!("d:{}", r.try_get::<i64, _>("indicator_id")?);
            if !shown.contains(&ind) {
                continue;
            }
            if hosts.len() as i64 >= NEIGHBOUR_LIMIT && !hosts.contains(&host) {
                n.truncated = true;
                continue;
            }
            hosts.insert(host.clone());
            let hv = host_view(&host);
            n.edge(&hv.id, &ind, "touched");
            n.add(&me_id, hv, "holds");
        }
        Ok(())
    }

    /// The indicator's row if the viewer may know of it.
    pub(crate) async fn visible_indicator(
        &self,
        viewer: Viewer,
        id: IndicatorId,
    ) -> Result<AnyRow> {
        let mut w = Where::default();
        w.and("d.id = ?", Arg::Int(id.0));
        viewer.restrict_indicators(&mut w, "d.id");
        let sql = format!("SELECT d.id, d.kind, d.value FROM indicators d{}", w.sql());
        self.graph_rows(&sql, &w)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound(format!("indicator {}", id.0)))
    }

    async fn indicator_neighbours(
        &self,
        viewer: Viewer,
        id: IndicatorId,
        n: &mut Neighbourhood,
    ) -> Result<()> {
        let row = self.visible_indicator(viewer, id).await?;
        let me = indicator_view(&row, None)?;
        let me_id = me.id.clone();
        let value = me.label.clone();
        let is_host = matches!(me.kind.as_str(), "domain" | "ipv4" | "ipv6");
        n.center = Some(me);

        let mut w = Where::default();
        w.and("l.indicator_id = ?", Arg::Int(id.0));
        viewer.restrict(&mut w, "i");
        viewer.restrict_marked(&mut w, "i", "l.tlp");
        let sql = format!(
            "SELECT {INCIDENT_COLS} FROM incident_indicators l JOIN incidents i ON i.id = l.incident_id{} \
             ORDER BY i.updated_at DESC, i.id DESC LIMIT {LIMIT_PLUS}",
            w.sql()
        );
        let rows = self.graph_rows(&sql, &w).await?;
        n.note(rows.len());
        for r in rows.iter().take(NEIGHBOUR_LIMIT as usize) {
            n.add(&me_id, incident_view(r)?, "holds");
        }

        let rows = sqlx::query(
            "SELECT link, key FROM indicator_keys WHERE indicator_id = $1 ORDER BY link, key",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let (link, key): (String, String) = (r.try_get("link")?, r.try_get("key")?);
            n.add(&me_id, key_view(&link, &key), "shares");
        }
        // A domain or address is the host of the URLs that share the URL-host key of its value.
        if is_host {
            let row = sqlx::query(
                "SELECT 1 AS one FROM indicator_keys WHERE link = 'url-host' AND key = $1 LIMIT 1",
            )
            .bind(&value)
            .fetch_optional(&self.pool)
            .await?;
            if row.is_some() {
                n.add(&me_id, key_view("url-host", &value), "is");
            }
        }

        let mut w = Where::default();
        w.and("s.indicator_id = ?", Arg::Int(id.0));
        w.and_raw("s.host <> ''".into());
        viewer.restrict(&mut w, "i");
        let sql = format!(
            "SELECT DISTINCT s.host FROM sightings s JOIN incidents i ON i.id = s.incident_id{} ORDER BY s.host LIMIT {LIMIT_PLUS}",
            w.sql()
        );
        let rows = self.graph_rows(&sql, &w).await?;
        n.note(rows.len());
        for r in rows.iter().take(NEIGHBOUR_LIMIT as usize) {
            let host: String = r.try_get("host")?;
            n.add(&me_id, host_view(&host), "touched");
        }
        Ok(())
    }

    async fn key_neighbours(
        &self,
        viewer: Viewer,
        link: &str,
        value: &str,
        n: &mut Neighbourhood,
    ) -> Result<()> {
        let me = key_view(link, value);
        let me_id = me.id.clone();
        let mut w = Where::default();
        w.and("k.link = ?", Arg::Text(link.to_owned()));
        w.and("k.key = ?", Arg::Text(value.to_owned()));
        viewer.restrict_indicators(&mut w, "d.id");
        let sql = format!(
            "SELECT d.id, d.kind, d.value FROM indicator_keys k JOIN indicators d ON d.id = k.indicator_id{} \
             ORDER BY d.id LIMIT {LIMIT_PLUS}",
            w.sql()
        );
        let rows = self.graph_rows(&sql, &w).await?;
        n.note(rows.len());
        for r in rows.iter().take(NEIGHBOUR_LIMIT as usize) {
            n.add(&me_id, indicator_view(r, None)?, "shares");
        }
        if link == "url-host" {
            let mut w = Where::default();
            w.and("d.value = ?", Arg::Text(value.to_owned()));
            w.and_raw("d.kind IN ('domain', 'ipv4', 'ipv6')".into());
            viewer.restrict_indicators(&mut w, "d.id");
            let sql = format!("SELECT d.id, d.kind, d.value FROM indicators d{}", w.sql());
            for r in &self.graph_rows(&sql, &w).await? {
                n.add(&me_id, indicator_view(r, None)?, "is");
            }
        }
        if n.nodes.is_empty() {
            return Err(StoreError::NotFound(format!("{link} {value}")));
        }
        n.center = Some(me);
        Ok(())
    }

    async fn host_neighbours(
        &self,
        viewer: Viewer,
        host: &str,
        n: &mut Neighbourhood,
    ) -> Result<()> {
        let me = host_view(host);
        let me_id = me.id.clone();
        // Indicators the host touched in incidents (and under links) the viewer may see.
        let mut w = Where::default();
        w.and("s.host = ?", Arg::Text(host.to_owned()));
        viewer.restrict(&mut w, "i");
        viewer.restrict_marked(&mut w, "i", "l.tlp");
        let sql = format!(
            "SELECT DISTINCT d.id AS did, d.kind AS dkind, d.value AS dvalue, l.tlp AS ltlp, {INCIDENT_COLS} FROM sightings s \
             JOIN incidents i ON i.id = s.incident_id JOIN indicators d ON d.id = s.indicator_id \
             JOIN incident_indicators l ON l.incident_id = s.incident_id AND l.indicator_id = s.indicator_id{} \
             ORDER BY i.id, d.id LIMIT {LIMIT_PLUS}",
            w.sql()
        );
        let rows = self.graph_rows(&sql, &w).await?;
        n.note(rows.len());
        for r in rows.iter().take(NEIGHBOUR_LIMIT as usize) {
            let ind = NodeView {
                id: format!("d:{}", r.try_get::<i64, _>("did")?),
                group: "indicator",
                kind: r.try_get("dkind")?,
                label: r.try_get("dvalue")?,
                detail: String::new(),
                tlp: Some(r.try_get("ltlp")?),
            };
            let inc = incident_view(r)?;
            n.edge(&ind.id, &inc.id, "holds");
            n.add(&me_id, ind, "touched");
            n.add(&me_id, inc, "holds");
        }
        let rows = sqlx::query(
            "SELECT id, name, owner, department, criticality FROM assets WHERE name = $1 \
             OR id IN (SELECT asset_id FROM sightings WHERE host = $1 AND asset_id IS NOT NULL)",
        )
        .bind(host)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            n.add(&me_id, asset_view(r)?, "is");
        }
        if n.nodes.is_empty() {
            return Err(StoreError::NotFound(format!("host {host}")));
        }
        n.center = Some(me);
        Ok(())
    }

    async fn asset_neighbours(&self, viewer: Viewer, id: i64, n: &mut Neighbourhood) -> Result<()> {
        let row = sqlx::query(
            "SELECT id, name, owner, department, criticality FROM assets WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("asset {id}")))?;
        let me = asset_view(&row)?;
        let me_id = me.id.clone();
        let name = me.label.clone();
        n.center = Some(me);
        let mut w = Where::default();
        let p = w.arg(Arg::Int(id));
        let q = w.arg(Arg::Text(name.clone()));
        w.and_raw(format!(
            "(s.asset_id = {p} OR s.host = {q}) AND s.host <> ''"
        ));
        viewer.restrict(&mut w, "i");
        let sql = format!(
            "SELECT DISTINCT s.host FROM sightings s JOIN incidents i ON i.id = s.incident_id{} ORDER BY s.host LIMIT {LIMIT_PLUS}",
            w.sql()
        );
        let rows = self.graph_rows(&sql, &w).await?;
        n.note(rows.len());
        for r in rows.iter().take(NEIGHBOUR_LIMIT as usize) {
            let host: String = r.try_get("host")?;
            n.add(&me_id, host_view(&host), "is");
        }
        Ok(())
    }
}
