//! Write transactions that carry their own audit entries.

use crate::{Backend, Result, Store};
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
    /// Entries appended since `write`, written at `commit` together with the new head: nothing
    /// reads the chain inside a write, and one statement instead of one per entry is a round
    /// trip less per change on PostgreSQL.
    pending: Vec<Entry>,
    pub(crate) backend: Backend,
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
            pending: Vec::new(),
            backend: self.backend,
            now: now_ms(),
            policy: self.policy.clone(),
        })
    }
}

/// One audit entry waiting for the commit.
struct Entry {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    object_type: String,
    object_id: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

/// Entries per `INSERT`: 9 parameters each, far below both backends' parameter limits.
const AUDIT_BATCH: usize = 500;

impl Tx<'_> {
    /// Append one entry to the audit chain (written at [`Tx::commit`]).
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
        let prev_hash = std::mem::replace(&mut self.head_hash, hash.clone());
        self.head_seq = seq;
        self.pending.push(Entry {
            seq,
            at: self.now,
            actor,
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id,
            detail,
            prev_hash,
            hash,
        });
        Ok(())
    }

    /// Write the pending audit entries, move the chain head and commit everything. On
    /// PostgreSQL the last batch of entries and the head move are one statement.
    pub async fn commit(mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        let batches: Vec<&[Entry]> = pending.chunks(AUDIT_BATCH).collect();
        for (i, batch) in batches.iter().enumerate() {
            let last = i + 1 == batches.len();
            let rows: Vec<String> = (0..batch.len())
                .map(|r| {
                    let p: Vec<String> = (1..=9).map(|c| format!("${}", r * 9 + c)).collect();
                    format!("({})", p.join(", "))
                })
                .collect();
            let insert = format!(
                "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, prev_hash, hash) \
                 VALUES {}",
                rows.join(", ")
            );
            let n = batch.len() * 9;
            let fold = last && self.backend == Backend::Postgres;
            let sql = if fold {
                format!(
                    "WITH a AS ({insert}) UPDATE audit_head SET seq = ${}, hash = ${} WHERE id = 1",
                    n + 1,
                    n + 2
                )
            } else {
                insert
            };
            let mut q = sqlx::query(&sql);
            for e in batch.iter() {
                q = q
                    .bind(e.seq)
                    .bind(e.at)
                    .bind(&e.actor)
                    .bind(&e.action)
                    .bind(&e.object_type)
                    .bind(&e.object_id)
                    .bind(&e.detail)
                    .bind(&e.prev_hash)
                    .bind(&e.hash);
            }
            if fold {
                q = q.bind(self.head_seq).bind(&self.head_hash);
            }
            q.execute(&mut *self.tx).await?;
        }
        if !pending.is_empty() && self.backend == Backend::Sqlite {
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
