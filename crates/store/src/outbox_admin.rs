//! The outgoing queue as an administrator watches it: how many messages wait, fail or went out
//! lately, the unsent ones with their last error, and "retry now" for one that is waiting out
//! its backoff. Rows of an incident or report the viewer may not see (TLP:RED they are not
//! named on) are left out of the list; the counts are totals and name nothing.

use crate::outbox::{OUT_COLS, Outgoing, outgoing};
use crate::query::{Where, bind_all};
use crate::{Result, Store, StoreError, Viewer};
use hikeshi_domain::Actor;
use serde_json::json;
use sqlx::Row;

/// How many unsent messages the overview lists.
pub const OUTBOX_LIST_LIMIT: i64 = 50;

/// The queue at a glance.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OutboxOverview {
    pub queued: i64,
    pub sending: i64,
    pub failed: i64,
    /// Sent within the last 24 hours.
    pub sent_24h: i64,
    /// When the oldest message still unsent was queued.
    pub oldest_unsent_at: Option<i64>,
    /// Unsent messages the viewer may see, failed first, then oldest first.
    pub unsent: Vec<Outgoing>,
}

impl Store {
    pub async fn outbox_overview(&self, viewer: Viewer, now: i64) -> Result<OutboxOverview> {
        let r = sqlx::query(
            "SELECT \
               COUNT(CASE WHEN status = 'queued' THEN 1 END) AS queued, \
               COUNT(CASE WHEN status = 'sending' THEN 1 END) AS sending, \
               COUNT(CASE WHEN status = 'failed' THEN 1 END) AS failed, \
               MIN(CASE WHEN status <> 'sent' THEN created_at END) AS oldest \
             FROM outbox WHERE status <> 'sent'",
        )
        .fetch_one(&self.pool)
        .await?;
        let sent_24h: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent' AND sent_at >= $1")
                .bind(now - 86_400_000)
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?;
        let mut w = Where::default();
        w.and_raw("o.status <> 'sent'".into());
        if let Some(c) = viewer.marked_clause(&mut w, "i", "i.tlp") {
            w.and_raw(format!("(o.incident_id IS NULL OR {c})"));
        }
        if let Some(c) = viewer.reports_clause(&mut w, "r") {
            w.and_raw(format!("(o.report_id IS NULL OR {c})"));
        }
        let cols = OUT_COLS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id \
             LEFT JOIN reports r ON r.id = o.report_id{} \
             ORDER BY CASE WHEN o.status = 'failed' THEN 0 ELSE 1 END, o.created_at, o.id LIMIT {OUTBOX_LIST_LIMIT}",
            w.sql()
        );
        let unsent = bind_all(sqlx::query(&sql), &w.args)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(outgoing)
            .collect::<Result<Vec<_>>>()?;
        Ok(OutboxOverview {
            queued: r.try_get("queued")?,
            sending: r.try_get("sending")?,
            failed: r.try_get("failed")?,
            sent_24h,
            oldest_unsent_at: r.try_get("oldest")?,
            unsent,
        })
    }

    /// Make a failed message due now instead of after its backoff. Audited.
    pub async fn retry_outgoing_now(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND status = 'failed'",
        )
        .bind(tx.now)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "failed outgoing message {id}"
            )));
        }
        tx.audit(actor, "mail.retry", "outbox", id, json!({}))
            .await?;
        tx.commit().await
    }
}
