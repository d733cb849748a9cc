//! The recorded times of a period's incidents, for the time metrics of
//! [`hikeshi_domain::time_metrics`]. Percentiles are computed in Rust over what is fetched here,
//! so SQLite and PostgreSQL give the same numbers.

use crate::query::{Arg, Where, bind_all};
use crate::{Result, Store, Viewer};
use hikeshi_domain::time_metrics::IncidentTimes;
use hikeshi_domain::{Incident, Named, Priority};
use sqlx::Row;
use std::collections::HashSet;

impl Store {
    /// One [`IncidentTimes`] per incident whose first report was received in `[start, end)`
    /// (Unix ms). Exercises, merged incidents and rejected ones (not incidents) are left out.
    /// `reopened` is read from the phase history: a `phase` event moving out of `closed`.
    pub async fn incident_times(&self, start: i64, end: i64) -> Result<Vec<IncidentTimes>> {
        let rows = sqlx::query(
            "SELECT id, reported_at, acknowledged_at, first_response_at, contained_at, closed_at, \
             owner_reached_at, ack_due, first_response_due, containment_due FROM incidents \
             WHERE reported_at >= $1 AND reported_at < $2 AND is_exercise = 0 \
             AND phase NOT IN ('merged', 'rejected') ORDER BY id",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        // Phase events that mention `closed` at all, then read properly: only a move *from*
        // closed is a reopening.
        let events = sqlx::query(
            "SELECT e.incident_id, e.data FROM events e JOIN incidents i ON i.id = e.incident_id \
             WHERE e.kind = 'phase' AND e.data LIKE '%closed%' \
             AND i.reported_at >= $1 AND i.reported_at < $2 AND i.is_exercise = 0",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        let mut reopened = HashSet::new();
        for e in &events {
            let data: String = e.try_get("data")?;
            let v: serde_json::Value = serde_json::from_str(&data).map_err(|err| {
                crate::StoreError::Corrupt(format!("phase event data is not JSON: {err}"))
            })?;
            if v.get("from").and_then(|f| f.as_str()) == Some("closed") {
                reopened.insert(e.try_get::<i64, _>("incident_id")?);
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            out.push(IncidentTimes {
                reported_at: r.try_get("reported_at")?,
                acknowledged_at: r.try_get("acknowledged_at")?,
                first_response_at: r.try_get("first_response_at")?,
                contained_at: r.try_get("contained_at")?,
                closed_at: r.try_get("closed_at")?,
                owner_reached_at: r.try_get("owner_reached_at")?,
                ack_due: r.try_get("ack_due")?,
                first_response_due: r.try_get("first_response_due")?,
                containment_due: r.try_get("containment_due")?,
                reopened: reopened.contains(&id),
            });
        }
        Ok(out)
    }
}

impl Store {
    /// The period's most pressing incidents for a report meant for distribution: highest priority
    /// first, then earliest reported; exercises, merged and rejected ones left out. Only what
    /// `viewer` may see, and never an incident marked TLP:RED, whoever asks (a report leaves the
    /// people named on a RED incident).
    pub async fn notable_incidents(
        &self,
        viewer: Viewer,
        start: i64,
        end: i64,
        limit: i64,
    ) -> Result<Vec<Incident>> {
        // One priority at a time, each an index range read (priority, reported_at) that stops at
        // the limit: no count and no sort of the whole period.
        let mut out = Vec::new();
        for p in Priority::all() {
            let want = limit - out.len() as i64;
            if want <= 0 {
                break;
            }
            let mut w = Where::default();
            w.and("i.priority = ?", Arg::Text(p.as_str().into()));
            w.and("i.reported_at >= ?", Arg::Int(start));
            w.and("i.reported_at < ?", Arg::Int(end));
            w.and_raw("i.is_exercise = 0".into());
            w.and_raw("i.phase NOT IN ('merged', 'rejected')".into());
            w.and_raw("i.tlp <> 'red'".into());
            viewer.restrict(&mut w, "i");
            let sql = format!(
                "SELECT {} FROM incidents i{} ORDER BY i.reported_at, i.id LIMIT {}",
                crate::incidents::COLS,
                w.sql(),
                w.next()
            );
            let rows = bind_all(sqlx::query(&sql), &w.args)
                .bind(want)
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                out.push(crate::incidents::incident(r)?);
            }
        }
        Ok(out)
    }
}
