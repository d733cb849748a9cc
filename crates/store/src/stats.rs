//! Counts for statistics: reports and incidents in a time range, by classification. Exercises
//! never count as real incidents.

use crate::{Result, Store};
use sqlx::Row;
use std::collections::BTreeMap;

/// What happened in one period.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    pub reports: i64,
    pub incidents: i64,
    pub by_category: BTreeMap<String, i64>,
    pub by_priority: BTreeMap<String, i64>,
    pub by_attacker: BTreeMap<String, i64>,
    pub by_rsit: BTreeMap<String, i64>,
    pub exercises: i64,
}

impl Store {
    /// Reports received and incidents opened (first report received) in `[start, end)`, Unix ms.
    pub async fn counts(&self, start: i64, end: i64) -> Result<Counts> {
        let mut c = Counts {
            reports: sqlx::query(
                "SELECT COUNT(*) AS n FROM reports WHERE received_at >= $1 AND received_at < $2",
            )
            .bind(start)
            .bind(end)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?,
            ..Default::default()
        };
        let rows = sqlx::query(
            "SELECT category, priority, attacker_class, rsit_class, rsit_type, is_exercise, COUNT(*) AS n FROM incidents \
             WHERE reported_at >= $1 AND reported_at < $2 AND phase <> 'merged' \
             GROUP BY category, priority, attacker_class, rsit_class, rsit_type, is_exercise",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            if r.try_get::<i64, _>("is_exercise")? != 0 {
                c.exercises += n;
                continue;
            }
            c.incidents += n;
            *c.by_category.entry(r.try_get("category")?).or_default() += n;
            *c.by_priority.entry(r.try_get("priority")?).or_default() += n;
            *c.by_attacker
                .entry(r.try_get("attacker_class")?)
                .or_default() += n;
            let rsit = format!(
                "{}/{}",
                r.try_get::<String, _>("rsit_class")?,
                r.try_get::<String, _>("rsit_type")?
            );
            *c.by_rsit.entry(rsit).or_default() += n;
        }
        Ok(c)
    }
}
