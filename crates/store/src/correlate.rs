//! "Where else has this been seen", in one statement: the indicator itself, the other
//! incidents holding it, the reports holding it, the weakly linked indicators (same registrable
//! domain, network, URL host, or a recorded fact) with their incidents, and the outside
//! sources. Each part keeps its own TLP rule (the same clauses as everywhere else, from
//! `visibility`); they are put together with `UNION ALL` over one column layout, so a
//! correlation costs one round trip to the database instead of six (five of them at once on
//! separate connections before), which is most of its latency on PostgreSQL and of its tail on
//! two cores.

use crate::indicators::{kind, link};
use crate::query::{Arg, Where, bind_all};
use crate::rows::named;
use crate::{Result, Store, StoreError, Viewer};
use hikeshi_domain::{
    Correlations, IncidentId, IncidentLink, IncidentNumber, Indicator, IndicatorId, ReportId,
    ReportLink, SourceLink, WeakLink,
};
use sqlx::Row;
use sqlx::any::AnyRow;

/// How many weakly linked indicators a correlation lists: a CDN's /24 can hold thousands, and
/// the handler needs the first few, not a page that takes seconds.
const WEAK_LIMIT: i64 = 20;
const LINK_LIMIT: i64 = 100;

/// The SELECT of (indicator id, incident) pairs for the indicators `ids_clause` names, as the
/// viewer may see them (incident TLP and the link's own TLP both apply), except `exclude`,
/// newest first. Its clauses go into `w`, after any arguments `w` already holds.
fn incident_links_sql(
    viewer: Viewer,
    w: &mut Where,
    ids_clause: String,
    exclude: Option<IncidentId>,
) -> String {
    w.and_raw(ids_clause);
    if let Some(x) = exclude {
        w.and("i.id <> ?", Arg::Int(x.0));
    }
    viewer.restrict(w, "i");
    viewer.restrict_marked(w, "i", "l.tlp");
    format!(
        "SELECT l.indicator_id, i.id, i.year, i.seq, i.title, i.phase, i.updated_at FROM incident_indicators l \
         JOIN incidents i ON i.id = l.incident_id{} ORDER BY i.updated_at DESC, i.id DESC LIMIT {LINK_LIMIT}",
        w.sql()
    )
}

const NO_INT: &str = "CAST(NULL AS BIGINT)";
const NO_TEXT: &str = "CAST(NULL AS TEXT)";

/// The parts, in the order they are returned.
const FOUND: i64 = 0;
const INCIDENTS: i64 = 1;
const REPORTS: i64 = 2;
const WEAK: i64 = 3;
const SOURCES: i64 = 4;

/// One part's select list in the common layout: `part`, `ord` (the row's place in its part),
/// four integers and six texts.
fn cols(part: i64, ord: &str, n: [&str; 4], t: [&str; 6]) -> String {
    let n: Vec<String> = n
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} AS n{}", i + 1))
        .collect();
    let t: Vec<String> = t
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} AS t{}", i + 1))
        .collect();
    format!(
        "CAST({part} AS BIGINT) AS part, {ord} AS ord, {}, {}",
        n.join(", "),
        t.join(", ")
    )
}

/// The next part's clauses, numbering its arguments after the previous parts'.
fn next(w: &mut Where) -> Where {
    Where {
        args: std::mem::take(&mut w.args),
        ..Default::default()
    }
}

/// An incident link in the common layout (n2 id, n3 year, n4 number, t1 title, t2 phase).
fn incident(r: &AnyRow) -> Result<IncidentLink> {
    Ok(IncidentLink {
        incident: IncidentId(r.try_get("n2")?),
        number: IncidentNumber {
            year: r.try_get::<i64, _>("n3")? as i32,
            seq: r.try_get("n4")?,
        },
        title: r.try_get("t1")?,
        phase: named(r, "t2")?,
    })
}

impl Store {
    /// Where else an indicator has been seen: other incidents and reports with the same
    /// indicator, and indicators linked weakly (same registrable domain, network, URL host)
    /// with their incidents. TLP applies to every row.
    pub async fn correlations(
        &self,
        viewer: Viewer,
        id: IndicatorId,
        exclude: Option<IncidentId>,
    ) -> Result<Correlations> {
        let mut w = Where::default();
        let me = w.arg(Arg::Int(id.0));
        let found = format!(
            "SELECT {} FROM indicators WHERE id = {me}",
            cols(
                FOUND,
                "CAST(0 AS BIGINT)",
                ["id", NO_INT, NO_INT, NO_INT],
                [NO_TEXT; 6]
            )
        );

        let mut w = next(&mut w);
        let links = incident_links_sql(viewer, &mut w, format!("l.indicator_id = {me}"), exclude);
        let incidents = format!(
            "SELECT {} FROM ({links}) p",
            cols(
                INCIDENTS,
                "ROW_NUMBER() OVER (ORDER BY p.updated_at DESC, p.id DESC)",
                ["p.indicator_id", "p.id", "p.year", "p.seq"],
                ["p.title", "p.phase", NO_TEXT, NO_TEXT, NO_TEXT, NO_TEXT]
            )
        );

        let mut w = next(&mut w);
        w.and_raw(format!("ri.indicator_id = {me}"));
        viewer.restrict_reports(&mut w, "r");
        let reports = format!(
            "SELECT {} FROM (SELECT DISTINCT r.id, r.subject, r.received_at FROM report_indicators ri \
             JOIN reports r ON r.id = ri.report_id{} ORDER BY r.received_at DESC, r.id DESC LIMIT {LINK_LIMIT}) q",
            cols(
                REPORTS,
                "ROW_NUMBER() OVER (ORDER BY q.received_at DESC, q.id DESC)",
                [NO_INT, "q.id", "q.received_at", NO_INT],
                ["q.subject", NO_TEXT, NO_TEXT, NO_TEXT, NO_TEXT, NO_TEXT]
            ),
            w.sql()
        );

        // The weakly linked indicators (`wk`) and the incidents holding them (`wx`, the same
        // rule as the incidents part); an indicator known to the viewer only from TLP:RED
        // context is left out.
        let mut w = next(&mut w);
        w.and_raw(format!("k1.indicator_id = {me}"));
        viewer.restrict_indicators(&mut w, "d.id");
        let wk = format!(
            "SELECT k2.indicator_id, k1.link, k1.key, d.kind, d.value FROM indicator_keys k1 \
             JOIN indicator_keys k2 ON k2.link = k1.link AND k2.key = k1.key AND k2.indicator_id <> k1.indicator_id \
             JOIN indicators d ON d.id = k2.indicator_id{} ORDER BY d.id LIMIT {WEAK_LIMIT}",
            w.sql()
        );
        let mut w = next(&mut w);
        let wx = incident_links_sql(
            viewer,
            &mut w,
            "l.indicator_id IN (SELECT indicator_id FROM wk)".into(),
            None,
        );
        let weak = format!(
            "SELECT {} FROM wk LEFT JOIN wx ON wx.indicator_id = wk.indicator_id",
            cols(
                WEAK,
                "ROW_NUMBER() OVER (ORDER BY wk.indicator_id, wk.link, wk.key, wx.updated_at DESC, wx.id DESC)",
                ["wk.indicator_id", "wx.id", "wx.year", "wx.seq"],
                [
                    "wx.title", "wx.phase", "wk.link", "wk.key", "wk.kind", "wk.value"
                ]
            )
        );

        let mut w = next(&mut w);
        w.and_raw(format!("s.indicator_id = {me}"));
        if matches!(viewer, Viewer::User(_)) {
            w.and_raw("s.tlp <> 'red'".into());
        }
        let sources = format!(
            "SELECT {} FROM (SELECT s.source, s.source_ref, s.tlp, s.first_at, s.last_at FROM indicator_sources s{} \
             ORDER BY s.last_at DESC, s.source, s.source_ref LIMIT {LINK_LIMIT}) s",
            cols(
                SOURCES,
                "ROW_NUMBER() OVER (ORDER BY s.last_at DESC, s.source, s.source_ref)",
                [NO_INT, NO_INT, "s.first_at", "s.last_at"],
                [
                    "s.source",
                    "s.source_ref",
                    "s.tlp",
                    NO_TEXT,
                    NO_TEXT,
                    NO_TEXT
                ]
            ),
            w.sql()
        );

        let sql = format!(
            "WITH wk AS MATERIALIZED ({wk}), wx AS ({wx}) \
             SELECT * FROM ({found} UNION ALL {incidents} UNION ALL {reports} UNION ALL {weak} UNION ALL {sources}) u \
             ORDER BY part, ord"
        );
        let rows = bind_all(sqlx::query(&sql), &w.args)
            .fetch_all(&self.generic)
            .await?;
        let mut found = false;
        let mut out = Correlations::default();
        let mut weak: Vec<(i64, WeakLink)> = Vec::new();
        for r in &rows {
            match r.try_get::<i64, _>("part")? {
                FOUND => found = true,
                INCIDENTS => out.incidents.push(incident(r)?),
                REPORTS => out.reports.push(ReportLink {
                    report: ReportId(r.try_get("n2")?),
                    subject: r.try_get("t1")?,
                    received_at: r.try_get("n3")?,
                }),
                WEAK => {
                    let wid: i64 = r.try_get("n1")?;
                    let link = link(r, "t3")?;
                    let key: String = r.try_get("t4")?;
                    let same = weak
                        .last()
                        .is_some_and(|(i, l)| *i == wid && l.link == link && l.key == key);
                    if !same {
                        weak.push((
                            wid,
                            WeakLink {
                                link,
                                key,
                                indicator: Indicator {
                                    kind: kind(r, "t5")?,
                                    value: r.try_get("t6")?,
                                },
                                incidents: Vec::new(),
                            },
                        ));
                    }
                    if r.try_get::<Option<i64>, _>("n2")?.is_some() {
                        let l = incident(r)?;
                        weak.last_mut().expect("pushed above").1.incidents.push(l);
                    }
                }
                SOURCES => out.sources.push(SourceLink {
                    source: r.try_get("t1")?,
                    source_ref: r.try_get("t2")?,
                    tlp: named(r, "t3")?,
                    first_at: r.try_get("n3")?,
                    last_at: r.try_get("n4")?,
                }),
                p => return Err(StoreError::Corrupt(format!("correlation part {p}"))),
            }
        }
        if !found {
            return Err(StoreError::NotFound(format!("indicator {}", id.0)));
        }
        out.weak = weak.into_iter().map(|(_, l)| l).collect();
        Ok(out)
    }
}
