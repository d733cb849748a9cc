//! Reading and verifying the audit log.

use crate::{Result, Store};
use hikeshi_domain::audit::{AuditEntry, ChainError, verify_chain};
use sqlx::Row;

impl Store {
    /// The newest `limit` entries, newest first (for the admin page).
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, object_type, object_id, detail, prev_hash, hash \
             FROM audit_log ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }

    /// Check the whole chain in storage order (by the physical sequence column), and against the
    /// head row. `Ok(n)` is the number of entries verified.
    pub async fn verify_audit(&self) -> Result<Result<i64, ChainError>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, object_type, object_id, detail, prev_hash, hash \
             FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let entries: Vec<AuditEntry> = rows.iter().map(entry).collect::<Result<_>>()?;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        Ok(verify_chain(&entries, (head_seq, &head_hash)))
    }
}

fn entry(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}
