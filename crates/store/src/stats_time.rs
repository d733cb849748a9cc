//! The recorded times of a period's incidents, for the time metrics of
//! [`hikeshi_domain::time_metrics`]: one row per incident ([`Store::incident_times`], for the
//! monthly trend), or the period's summary aggregated in the database ([`Store::time_summary`],
//! for the statistics page and the report). Percentiles are computed in Rust over every
//! duration in both cases, so SQLite and PostgreSQL give the same numbers.

use crate::query::{Arg, Where, bind_all};
use crate::{Result, Store, Viewer};
use hikeshi_domain::time_metrics::{
    DurationStats, Durations, IncidentTimes, Sla, SlaStats, TimeSummary, ratio,
};
use hikeshi_domain::{Incident, Named, Priority};
use sqlx::Row;

impl Store {
    /// One [`IncidentTimes`] per incident whose first report was received in `[start, end)`
    /// (Unix ms). Exercises, merged incidents and rejected ones (not incidents) are left out.
    /// `reopened` is the flag migration 0019's trigger keeps from the phase history: a `phase`
    /// event moving out of `closed`.
    pub async fn incident_times(&self, start: i64, end: i64) -> Result<Vec<IncidentTimes>> {
        let rows = sqlx::query(&format!(
            "SELECT reported_at, acknowledged_at, first_response_at, contained_at, closed_at, \
             owner_reached_at, ack_due, first_response_due, containment_due, reopened \
             FROM incidents WHERE {PERIOD} ORDER BY id"
        ))
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
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
                reopened: r.try_get::<i64, _>("reopened")? != 0,
            });
        }
        Ok(out)
    }
}

/// The incidents the time metrics count: first report received in `[$1, $2)`, not an exercise,
/// not merged or rejected (read through the covering index `incidents_times`).
const PERIOD: &str = "reported_at >= $1 AND reported_at < $2 AND is_exercise = 0 \
                      AND phase NOT IN ('merged', 'rejected')";

/// The five clocks: the column of the milestone, and its due column for the three with an SLA.
const CLOCKS: [(&str, Option<&str>); 5] = [
    ("acknowledged_at", Some("ack_due")),
    ("first_response_at", Some("first_response_due")),
    ("owner_reached_at", None),
    ("contained_at", Some("containment_due")),
    ("closed_at", None),
];

impl Store {
    /// [`TimeSummary::of`] the period's [`Store::incident_times`] at `now`, computed inside the
    /// database: the counts and SLA verdicts are aggregates, and each clock's durations come
    /// back as one list, so a year of incidents is one row to transfer instead of one per
    /// incident (what cost the statistics page most of its time). The median and p90 stay exact:
    /// [`DurationStats::of`] over every duration. The contract tests hold this equal to the
    /// per-incident computation on random data on both backends.
    pub async fn time_summary(&self, start: i64, end: i64, now: i64) -> Result<TimeSummary> {
        let mut cols = vec![
            "COUNT(*) AS n".to_string(),
            "COUNT(CASE WHEN closed_at IS NOT NULL OR reopened <> 0 THEN 1 END) AS ever_closed"
                .into(),
            "COUNT(CASE WHEN reopened <> 0 THEN 1 END) AS reopened".into(),
        ];
        for (j, (at, due)) in CLOCKS.iter().enumerate() {
            // A milestone stamped before the receipt counts as zero.
            cols.push(format!(
                "string_agg(CAST(CASE WHEN {at} >= reported_at THEN {at} - reported_at \
                 WHEN {at} IS NOT NULL THEN 0 END AS TEXT), ',') AS d{j}"
            ));
            if let Some(due) = due {
                cols.push(format!(
                    "COUNT(CASE WHEN {at} <= {due} THEN 1 END) AS met{j}"
                ));
                cols.push(format!(
                    "COUNT(CASE WHEN {at} > {due} OR ({at} IS NULL AND {due} < $3) THEN 1 END) AS missed{j}"
                ));
            }
        }
        let r = sqlx::query(&format!(
            "SELECT {} FROM incidents WHERE {PERIOD}",
            cols.join(", ")
        ))
        .bind(start)
        .bind(end)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        let count = |c: &str| -> Result<u64> { Ok(r.try_get::<i64, _>(c)?.max(0) as u64) };
        let mut d = Vec::new();
        let mut sla = Vec::new();
        for (j, (_, due)) in CLOCKS.iter().enumerate() {
            let list: Option<String> = r.try_get(format!("d{j}").as_str())?;
            let values = list
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter(|v| !v.is_empty())
                .map(|v| {
                    v.parse::<i64>().map_err(|e| {
                        crate::StoreError::Corrupt(format!("duration {v:?} is not a number: {e}"))
                    })
                })
                .collect::<Result<Vec<i64>>>()?;
            d.push(DurationStats::of(values));
            if due.is_some() {
                let (met, missed) = (count(&format!("met{j}"))?, count(&format!("missed{j}"))?);
                // Every incident is exactly one of met, missed and open.
                sla.push(SlaStats {
                    met,
                    missed,
                    open: count("n")?.saturating_sub(met + missed),
                    compliance: ratio(met, met + missed),
                });
            }
        }
        let (ever_closed, reopened) = (count("ever_closed")?, count("reopened")?);
        Ok(TimeSummary {
            incidents: count("n")?,
            ever_closed,
            reopened,
            reopen_rate: ratio(reopened, ever_closed),
            durations: Durations {
                acknowledge: d[0],
                first_response: d[1],
                owner_reached: d[2],
                containment: d[3],
                closure: d[4],
            },
            sla: Sla {
                acknowledge: sla[0],
                first_response: sla[1],
                containment: sla[2],
            },
        })
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
