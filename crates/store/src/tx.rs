//! Write transactions that carry their own audit entries.

use crate::{Result, Store};
use hikeshi_domain::Actor;
use hikeshi_domain::audit::entry_hash;
use hikeshi_domain::time::now_ms;
use sqlx::{Any, Row, Transaction};

/// A write transaction. Created by [`Store::write`]; every change made through it is recorded
/// with [`Tx::audit`] and lands, with its audit entries, at [`Tx::commit`] or not at all.
pub struct Tx<'a> {
    pub(crate) tx: Transaction<'a, Any>,
    head_seq: i64,
    head_hash: String,
    appended: bool,
    /// One clock reading per transaction, so every row and audit entry of one change agree.
    pub(crate) now: i64,
    pub(crate) policy: std::sync::Arc<crate::Policy>,
}

impl Store {
    /// Begin a write transaction. Its first statement locks the audit head row (see the crate
    /// page for why).
    pub async fn write(&self) -> Result<Tx<'_>> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        Ok(Tx {
            head_seq: row.try_get("seq")?,
            head_hash: row.try_get("hash")?,
            tx,
            appended: false,
            now: now_ms(),
            policy: self.policy.clone(),
        })
    }
}

impl Tx<'_> {
    /// Append one entry to the audit chain.
    pub async fn audit(
        &mut self,
        actor: &Actor,
        action: &str,
        object_type: &str,
        object_id: impl ToString,
        detail: serde_json::Value,
    ) -> Result<()> {
        let seq = self.head_seq + 1;
        let actor = actor.to_string();
        let object_id = object_id.to_string();
        let detail = detail.to_string();
        let hash = entry_hash(
            seq,
            self.now,
            &actor,
            action,
            object_type,
            &object_id,
            &detail,
            &self.head_hash,
        );
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(seq)
        .bind(self.now)
        .bind(actor)
        .bind(action)
        .bind(object_type)
        .bind(object_id)
        .bind(detail)
        .bind(&self.head_hash)
        .bind(&hash)
        .execute(&mut *self.tx)
        .await?;
        self.head_seq = seq;
        self.head_hash = hash;
        self.appended = true;
        Ok(())
    }

    /// Move the chain head and commit everything.
    pub async fn commit(mut self) -> Result<()> {
        if self.appended {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.head_seq)
                .bind(&self.head_hash)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}
