//! Counts for statistics: reports, incidents and coordinated cases in a period, by
//! classification and constituency. Exercises never count as real incidents.
//!
//! Two ways to the same numbers: [`Store::counts`] asks the tables directly for any time range;
//! [`Store::period_counts`] reads the monthly rollups (`stats_incident_months`,
//! `stats_report_months`, kept by triggers in the same transaction as every write, see migration
//! 0018) for a [`Period`] and its months, a few hundred rows whatever the size of the tables.
//! The contract tests hold the two equal on random data on both backends.
//!
//! A *coordinated* case (調整, as JPCERT/CC counts them) is an incident about which the team
//! wrote to a party outside (a site administrator, an owner, another CSIRT): it counts once, in
//! the month its first notification was *sent*. Merged incidents are not counted (their reports
//! moved to the incident they were merged into), as for the incidents opened.

use crate::{Result, Store, Tx};
use hikeshi_domain::period::{Month, Period};
use hikeshi_domain::{IncidentId, ReportId};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// What happened in one period. Every map leaves out what counted zero.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub reports: i64,
    pub incidents: i64,
    pub by_category: BTreeMap<String, i64>,
    pub by_priority: BTreeMap<String, i64>,
    pub by_attacker: BTreeMap<String, i64>,
    pub by_rsit: BTreeMap<String, i64>,
    /// Incidents opened by constituency (empty: not known).
    pub by_constituency: BTreeMap<String, i64>,
    /// Reports by the mailbox label they came through (empty: another door).
    pub reports_by_constituency: BTreeMap<String, i64>,
    pub exercises: i64,
    /// Incidents whose first notification was sent in the period (exercises left out).
    pub coordinated: i64,
    pub coordinated_by_category: BTreeMap<String, i64>,
    pub coordinated_by_priority: BTreeMap<String, i64>,
    pub coordinated_by_constituency: BTreeMap<String, i64>,
}

/// The dimensions of a group of incidents.
struct Group {
    category: String,
    priority: String,
    attacker: String,
    rsit: String,
    constituency: String,
    exercise: bool,
}

impl Group {
    fn read(r: &AnyRow) -> Result<Group> {
        Ok(Group {
            category: r.try_get("category")?,
            priority: r.try_get("priority")?,
            attacker: r.try_get("attacker_class")?,
            rsit: format!(
                "{}/{}",
                r.try_get::<String, _>("rsit_class")?,
                r.try_get::<String, _>("rsit_type")?
            ),
            constituency: r.try_get("constituency")?,
            exercise: r.try_get::<i64, _>("is_exercise")? != 0,
        })
    }
}

fn add(map: &mut BTreeMap<String, i64>, key: &str, n: i64) {
    *map.entry(key.to_string()).or_default() += n;
}

impl Counts {
    fn add_opened(&mut self, g: &Group, n: i64) {
        if g.exercise {
            self.exercises += n;
            return;
        }
        self.incidents += n;
        add(&mut self.by_category, &g.category, n);
        add(&mut self.by_priority, &g.priority, n);
        add(&mut self.by_attacker, &g.attacker, n);
        add(&mut self.by_rsit, &g.rsit, n);
        add(&mut self.by_constituency, &g.constituency, n);
    }

    fn add_coordinated(&mut self, g: &Group, n: i64) {
        if g.exercise {
            return;
        }
        self.coordinated += n;
        add(&mut self.coordinated_by_category, &g.category, n);
        add(&mut self.coordinated_by_priority, &g.priority, n);
        add(&mut self.coordinated_by_constituency, &g.constituency, n);
    }

    fn add_reports(&mut self, constituency: &str, n: i64) {
        self.reports += n;
        add(&mut self.reports_by_constituency, constituency, n);
    }
}

const DIMS: &str =
    "category, priority, attacker_class, rsit_class, rsit_type, constituency, is_exercise";

/// 202604 for April 2026: the rollups' month key.
fn month_key(m: Month) -> i64 {
    i64::from(m.year()) * 100 + i64::from(m.month())
}

impl Store {
    /// Reports received, incidents opened (first report received) and cases coordinated (first
    /// notification sent) in `[start, end)`, Unix ms, straight from the tables.
    pub async fn counts(&self, start: i64, end: i64) -> Result<Counts> {
        let mut c = Counts::default();
        let reports = sqlx::query(
            "SELECT mailbox, COUNT(*) AS n FROM reports WHERE received_at >= $1 AND received_at < $2 \
             GROUP BY mailbox",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        for r in &reports {
            c.add_reports(&r.try_get::<String, _>("mailbox")?, r.try_get("n")?);
        }
        let opened = sqlx::query(&format!(
            "SELECT {DIMS}, COUNT(*) AS n FROM incidents \
             WHERE reported_at >= $1 AND reported_at < $2 AND phase <> 'merged' GROUP BY {DIMS}"
        ))
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        for r in &opened {
            c.add_opened(&Group::read(r)?, r.try_get("n")?);
        }
        // From the notifications themselves, not the incidents' coordinated_at the trigger
        // keeps: the contract tests compare this with the rollups.
        let coordinated = sqlx::query(&format!(
            "SELECT {DIMS}, COUNT(*) AS n FROM incidents i JOIN ( \
               SELECT n.incident_id, MIN(o.sent_at) AS first_sent FROM notifications n \
               JOIN outbox o ON o.id = n.outbox_id WHERE o.status = 'sent' GROUP BY n.incident_id \
             ) f ON f.incident_id = i.id \
             WHERE f.first_sent >= $1 AND f.first_sent < $2 AND i.phase <> 'merged' GROUP BY {DIMS}"
        ))
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        for r in &coordinated {
            c.add_coordinated(&Group::read(r)?, r.try_get("n")?);
        }
        Ok(c)
    }

    /// The counts of `period` and of each of its months, from the monthly rollups.
    pub async fn period_counts(&self, period: Period) -> Result<(Counts, Vec<(Month, Counts)>)> {
        let (first, last) = (
            month_key(period.first_month()),
            month_key(period.last_month()),
        );
        let mut months: BTreeMap<i64, (Month, Counts)> = period
            .months()
            .map(|m| (month_key(m), (m, Counts::default())))
            .collect();
        let mut total = Counts::default();
        let rows = sqlx::query(&format!(
            "SELECT measure, month, {DIMS}, n FROM stats_incident_months \
             WHERE measure IN ('opened', 'coordinated') AND month >= $1 AND month <= $2 AND n <> 0"
        ))
        .bind(first)
        .bind(last)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let g = Group::read(r)?;
            let n: i64 = r.try_get("n")?;
            let month: i64 = r.try_get("month")?;
            let coordinated = r.try_get::<String, _>("measure")? == "coordinated";
            for c in [Some(&mut total), months.get_mut(&month).map(|m| &mut m.1)]
                .into_iter()
                .flatten()
            {
                if coordinated {
                    c.add_coordinated(&g, n);
                } else {
                    c.add_opened(&g, n);
                }
            }
        }
        let rows = sqlx::query(
            "SELECT month, constituency, n FROM stats_report_months \
             WHERE month >= $1 AND month <= $2 AND n <> 0",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let (month, label, n): (i64, String, i64) = (
                r.try_get("month")?,
                r.try_get("constituency")?,
                r.try_get("n")?,
            );
            total.add_reports(&label, n);
            if let Some((_, c)) = months.get_mut(&month) {
                c.add_reports(&label, n);
            }
        }
        Ok((total, months.into_values().collect()))
    }
}

/// Set a new incident's constituency from the mailbox label of the first report it is created
/// from; returns what was set (empty when there is no report or no label).
pub(crate) async fn constituency_from_report(
    tx: &mut Tx<'_>,
    id: IncidentId,
    reports: &[ReportId],
) -> Result<String> {
    let Some(first) = reports.first() else {
        return Ok(String::new());
    };
    let label: Option<String> = sqlx::query("SELECT mailbox FROM reports WHERE id = $1")
        .bind(first.0)
        .fetch_optional(&mut *tx.tx)
        .await?
        .map(|r| r.try_get("mailbox"))
        .transpose()?;
    let label = label.unwrap_or_default().trim().to_string();
    if !label.is_empty() {
        sqlx::query("UPDATE incidents SET constituency = $1 WHERE id = $2")
            .bind(&label)
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(label)
}
