//! Indicators: one global row per (kind, normal form), the per-incident context kept apart, the
//! weak-link keys, and the correlation queries ("where else has this been seen").

use crate::rows::named;
use crate::timeline::add_event;
use crate::{Result, Store, StoreError, Tx, Viewer};
use hikeshi_domain::{
    Actor, IncidentId, IncidentIndicator, Indicator, IndicatorContext, IndicatorId, Kind, Named,
    ReportId,
};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) fn kind(r: &AnyRow, col: &str) -> Result<Kind> {
    let s: String = r.try_get(col)?;
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("indicator kind {s:?}")))
}

/// A stored weak-link kind (`registrable-domain`, `asn`, …).
pub(crate) fn link(r: &AnyRow, col: &str) -> Result<hikeshi_ioc::Link> {
    let s: String = r.try_get(col)?;
    hikeshi_ioc::Link::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("link kind {s:?}")))
}

/// An indicator's derived weak-link keys as stored in `indicator_keys`: (link, key).
fn stored_keys(ind: &Indicator) -> Vec<(&'static str, String)> {
    hikeshi_ioc::weak_keys(ind)
        .into_iter()
        .map(|k| (k.link.as_str(), k.value))
        .collect()
}

/// Find or create the global indicator, with its weak-link keys.
pub(crate) async fn upsert_indicator(tx: &mut Tx<'_>, ind: &Indicator) -> Result<IndicatorId> {
    // The no-op update makes RETURNING give the id on both backends when the row exists.
    let id: i64 = sqlx::query(
        "INSERT INTO indicators (kind, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (kind, value) DO UPDATE SET kind = excluded.kind RETURNING id",
    )
    .bind(ind.kind.as_str())
    .bind(&ind.value)
    .bind(tx.now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get("id")?;
    // All weak-link keys in one statement: one round trip however many keys there are.
    let keys = stored_keys(ind);
    if !keys.is_empty() {
        let values: Vec<String> = (0..keys.len())
            .map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO indicator_keys (indicator_id, link, key) VALUES {} \
             ON CONFLICT (indicator_id, link, key) DO NOTHING",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(id);
        for (link, key) in keys {
            q = q.bind(link).bind(key);
        }
        q.execute(&mut *tx.tx).await?;
    }
    Ok(IndicatorId(id))
}

/// A second attach of the same indicator updates its context on the incident.
const LINK_CONFLICT: &str = "ON CONFLICT (incident_id, indicator_id) DO UPDATE SET role = excluded.role, \
     tlp = excluded.tlp, note = excluded.note, \
     first_seen = COALESCE(excluded.first_seen, incident_indicators.first_seen), \
     last_seen = COALESCE(excluded.last_seen, incident_indicators.last_seen)";

fn added_event(ind: &Indicator, ctx: &IndicatorContext) -> serde_json::Value {
    json!({"kind": ind.kind.as_str(), "value": ind.value, "role": ctx.role.as_str(), "tlp": ctx.tlp.as_str()})
}

/// Link an indicator (found or created, with its weak-link keys) to an incident with its
/// context, and record the timeline event — with `touch`, also the incident's `updated_at` —
/// in one round trip instead of five: on PostgreSQL one statement of data-modifying CTEs, on SQLite (which
/// has none) the same steps as one multi-statement query, each finding the indicator by its
/// unique (kind, value). An incident that does not exist makes every step a no-op and the
/// result say so, and the caller's transaction is rolled back.
async fn link_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    incident: IncidentId,
    ind: &Indicator,
    ctx: &IndicatorContext,
    touch: bool,
) -> Result<IndicatorId> {
    let keys = stored_keys(ind);
    let values: Vec<String> = (0..keys.len())
        .map(|i| format!("(${}, ${})", 2 * i + 12, 2 * i + 13))
        .collect();
    let values = values.join(", ");
    let sql = match tx.backend {
        crate::Backend::Postgres => {
            let t = if touch {
                "UPDATE incidents SET updated_at = $1 WHERE id = $2 RETURNING id"
            } else {
                "SELECT id FROM incidents WHERE id = $2"
            };
            let k = if keys.is_empty() {
                String::new()
            } else {
                format!(
                    "k AS (INSERT INTO indicator_keys (indicator_id, link, key) SELECT d.id, x.link, x.key \
                     FROM d, (VALUES {values}) AS x(link, key) ON CONFLICT (indicator_id, link, key) DO NOTHING), "
                )
            };
            format!(
                "WITH t AS ({t}), \
                 d AS (INSERT INTO indicators (kind, value, created_at) VALUES ($3, $4, $1) \
                       ON CONFLICT (kind, value) DO UPDATE SET kind = excluded.kind RETURNING id), {k}\
                 l AS (INSERT INTO incident_indicators (incident_id, indicator_id, role, tlp, note, first_seen, last_seen, added_at, added_by) \
                       SELECT t.id, d.id, $5, $6, $7, $8, $9, $1, $10 FROM t, d {LINK_CONFLICT}), \
                 e AS (INSERT INTO events (incident_id, at, actor_id, kind, data) \
                       SELECT t.id, $1, $10, 'indicator-added', $11 FROM t) \
                 SELECT (SELECT id FROM t) AS incident, (SELECT id FROM d) AS indicator"
            )
        }
        crate::Backend::Sqlite => {
            let t = if touch {
                "UPDATE incidents SET updated_at = $1 WHERE id = $2 RETURNING id AS incident"
            } else {
                "SELECT id AS incident FROM incidents WHERE id = $2"
            };
            // Every step after the first checks the incident itself, so a missing one links
            // nothing; `WHERE` before `ON CONFLICT` keeps SQLite from reading `ON` as a join's.
            let there = "EXISTS (SELECT 1 FROM incidents WHERE id = $2)";
            let d = "(SELECT id FROM indicators WHERE kind = $3 AND value = $4)";
            let k = if keys.is_empty() {
                String::new()
            } else {
                format!(
                    "INSERT INTO indicator_keys (indicator_id, link, key) SELECT {d}, x.column1, x.column2 \
                     FROM (VALUES {values}) AS x WHERE {there} ON CONFLICT (indicator_id, link, key) DO NOTHING; "
                )
            };
            format!(
                "{t}; \
                 INSERT INTO indicators (kind, value, created_at) SELECT $3, $4, $1 WHERE {there} \
                   ON CONFLICT (kind, value) DO UPDATE SET kind = excluded.kind RETURNING id AS indicator; {k}\
                 INSERT INTO incident_indicators (incident_id, indicator_id, role, tlp, note, first_seen, last_seen, added_at, added_by) \
                   SELECT $2, {d}, $5, $6, $7, $8, $9, $1, $10 WHERE {there} {LINK_CONFLICT}; \
                 INSERT INTO events (incident_id, at, actor_id, kind, data) \
                   SELECT $2, $1, $10, 'indicator-added', $11 WHERE {there}"
            )
        }
    };
    let mut q = sqlx::query(&sql)
        .bind(tx.now)
        .bind(incident.0)
        .bind(ind.kind.as_str())
        .bind(&ind.value)
        .bind(ctx.role.as_str())
        .bind(ctx.tlp.as_str())
        .bind(&ctx.note)
        .bind(ctx.first_seen)
        .bind(ctx.last_seen)
        .bind(actor.user().map(|u| u.0))
        .bind(added_event(ind, ctx).to_string());
    for (link, key) in keys {
        q = q.bind(link).bind(key);
    }
    // PostgreSQL answers one row with both columns; SQLite one row per step that returns one.
    let (mut found, mut id) = (false, None);
    for row in q.fetch_all(&mut *tx.tx).await? {
        for col in sqlx::Row::columns(&row) {
            match sqlx::Column::name(col) {
                "incident" => found |= row.try_get::<Option<i64>, _>("incident")?.is_some(),
                "indicator" => id = row.try_get::<Option<i64>, _>("indicator")?.or(id),
                _ => {}
            }
        }
    }
    match (found, id) {
        (true, Some(id)) => Ok(IndicatorId(id)),
        (false, _) => Err(StoreError::NotFound(format!("incident {}", incident.0))),
        (true, None) => Err(StoreError::Corrupt(format!(
            "indicator {} {} was not stored",
            ind.kind.as_str(),
            ind.value
        ))),
    }
}

impl Store {
    /// Attach indicators to an incident (or update their context there), all or nothing.
    pub async fn attach_indicators(
        &self,
        actor: &Actor,
        incident: IncidentId,
        items: &[(Indicator, IndicatorContext)],
    ) -> Result<Vec<IndicatorId>> {
        let mut tx = self.write().await?;
        if items.is_empty() {
            crate::incidents::touch(&mut tx, incident).await?;
        }
        let mut ids = Vec::with_capacity(items.len());
        for (i, (ind, ctx)) in items.iter().enumerate() {
            ids.push(link_in(&mut tx, actor, incident, ind, ctx, i == 0).await?);
        }
        tx.audit(
            actor,
            "incident.indicators",
            "incident",
            incident.0,
            json!({"attached": items.len()}),
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn detach_indicator(
        &self,
        actor: &Actor,
        incident: IncidentId,
        id: IndicatorId,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "DELETE FROM incident_indicators WHERE incident_id = $1 AND indicator_id = $2",
        )
        .bind(incident.0)
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "indicator {} on incident {}",
                id.0, incident.0
            )));
        }
        crate::incidents::touch(&mut tx, incident).await?;
        add_event(
            &mut tx,
            actor,
            incident,
            "indicator-removed",
            json!({"indicator": id.0}),
        )
        .await?;
        tx.audit(
            actor,
            "incident.indicator.remove",
            "incident",
            incident.0,
            json!({"indicator": id.0}),
        )
        .await?;
        tx.commit().await
    }

    /// The incident's indicators with its own context, oldest first.
    pub async fn incident_indicators(
        &self,
        viewer: Viewer,
        incident: IncidentId,
    ) -> Result<Vec<IncidentIndicator>> {
        self.check_visible(viewer, incident).await?;
        let rows = sqlx::query(
            "SELECT d.id, d.kind, d.value, d.sighting_count, l.role, l.tlp, l.note, l.first_seen, l.last_seen, l.added_at \
             FROM incident_indicators l JOIN indicators d ON d.id = l.indicator_id \
             WHERE l.incident_id = $1 ORDER BY l.added_at, d.id",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IncidentIndicator {
                    id: IndicatorId(r.try_get("id")?),
                    indicator: Indicator {
                        kind: kind(r, "kind")?,
                        value: r.try_get("value")?,
                    },
                    role: named(r, "role")?,
                    tlp: named(r, "tlp")?,
                    note: r.try_get("note")?,
                    first_seen: r.try_get("first_seen")?,
                    last_seen: r.try_get("last_seen")?,
                    added_at: r.try_get("added_at")?,
                    sighting_count: r.try_get("sighting_count")?,
                })
            })
            .collect()
    }

    /// The stored id of an indicator, if it is known.
    pub async fn indicator_id(&self, ind: &Indicator) -> Result<Option<IndicatorId>> {
        Ok(
            sqlx::query("SELECT id FROM indicators WHERE kind = $1 AND value = $2")
                .bind(ind.kind.as_str())
                .bind(&ind.value)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("id"))
                .transpose()?
                .map(IndicatorId),
        )
    }
}

impl Store {
    /// The indicators found in a report, in the order they appear.
    pub async fn report_indicators(
        &self,
        viewer: Viewer,
        report: ReportId,
    ) -> Result<Vec<hikeshi_domain::ReportIndicator>> {
        self.report(viewer, report).await?;
        let rows = sqlx::query(
            "SELECT d.id, d.kind, d.value, ri.source, ri.raw, ri.start_offset, ri.end_offset, ri.warnings, ri.status \
             FROM report_indicators ri JOIN indicators d ON d.id = ri.indicator_id WHERE ri.report_id = $1 \
             ORDER BY ri.source DESC, ri.start_offset",
        )
        .bind(report.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(hikeshi_domain::ReportIndicator {
                    id: IndicatorId(r.try_get("id")?),
                    indicator: Indicator {
                        kind: kind(r, "kind")?,
                        value: r.try_get("value")?,
                    },
                    source: r.try_get("source")?,
                    raw: r.try_get("raw")?,
                    start: r.try_get("start_offset")?,
                    end: r.try_get("end_offset")?,
                    warnings: r.try_get("warnings")?,
                    status: r.try_get("status")?,
                })
            })
            .collect()
    }

    /// Accept the chosen proposals of a report: attach them to `incident` with `ctx`, mark them
    /// accepted, and mark the report's other proposals dismissed when `dismiss_rest`.
    pub async fn accept_report_indicators(
        &self,
        actor: &Actor,
        report: ReportId,
        incident: IncidentId,
        chosen: &[IndicatorId],
        ctx: &IndicatorContext,
        dismiss_rest: bool,
    ) -> Result<usize> {
        let mut tx = self.write().await?;
        crate::incidents::touch(&mut tx, incident).await?;
        let mut n = 0;
        for id in chosen {
            let r = sqlx::query(
                "SELECT d.kind, d.value FROM report_indicators ri JOIN indicators d ON d.id = ri.indicator_id \
                 WHERE ri.report_id = $1 AND ri.indicator_id = $2 LIMIT 1",
            )
            .bind(report.0)
            .bind(id.0)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("indicator {} in report {}", id.0, report.0)))?;
            let ind = Indicator {
                kind: kind(&r, "kind")?,
                value: r.try_get("value")?,
            };
            link_in(&mut tx, actor, incident, &ind, ctx, false).await?;
            sqlx::query("UPDATE report_indicators SET status = 'accepted' WHERE report_id = $1 AND indicator_id = $2")
                .bind(report.0)
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
            n += 1;
        }
        if dismiss_rest {
            sqlx::query("UPDATE report_indicators SET status = 'dismissed' WHERE report_id = $1 AND status = 'proposed'")
                .bind(report.0)
                .execute(&mut *tx.tx)
                .await?;
        }
        tx.audit(
            actor,
            "report.indicators.accept",
            "report",
            report.0,
            json!({"incident": incident.0, "accepted": n}),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
