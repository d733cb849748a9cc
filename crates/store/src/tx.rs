//! Write transactions that carry their own audit entries.
//!
//! A write costs as few round trips as the backends allow, because on two cores each one is a
//! chance for the scheduler to add a millisecond to the tail:
//!
//! - **Begin and lock in one.** SQLite begins with `BEGIN IMMEDIATE`, which takes the write lock
//!   at once; PostgreSQL sends `BEGIN` and the row lock on the audit head
//!   (`UPDATE audit_head SET seq = seq`) in one simple query. Either way writers are serialised
//!   from their first statement, and the hash chain stays linear.
//! - **The head is remembered, and checked.** The store keeps the audit head its last commit
//!   wrote. At commit the entries are hashed from it and written by a statement that first moves
//!   the head *only if it is still the remembered one*, and inserts the entries only if that
//!   move happened. Another process writing in between (several nodes on one PostgreSQL) makes
//!   the move find nothing; the head is then read under the lock already held, the entries are
//!   hashed again and written. The chain is the same either way; only the common case is a
//!   round trip shorter.
//! - **Generic plans.** A write finds and changes rows by key, so the plan that does not depend
//!   on its arguments is the right one; on PostgreSQL the transaction says so
//!   (`SET LOCAL plan_cache_mode = force_generic_plan`, in the same round trip as `BEGIN`).
//!   Otherwise each connection plans every statement for its arguments on its first five
//!   calls, and planning the indicator attach statement takes 2–3 ms where running it takes a
//!   fraction of that.
//! - **Entries wait for the commit.** Nothing reads the chain inside a write, so all entries of
//!   one change go in one statement, together with the head move.

use crate::{Backend, Result, Store};
use hikeshi_domain::Actor;
use hikeshi_domain::audit::entry_hash;
use hikeshi_domain::time::now_ms;
use sqlx::{Any, Row, Transaction};
use std::sync::{Arc, Mutex};

/// The audit head (sequence number, hash) the last commit of this process wrote, if known.
pub(crate) type HeadCache = Arc<Mutex<Option<(i64, String)>>>;

/// A write transaction. Created by [`Store::write`]; every change made through it is recorded
/// with [`Tx::audit`] and lands, with its audit entries, at [`Tx::commit`] or not at all.
pub struct Tx<'a> {
    pub(crate) tx: Transaction<'a, Any>,
    /// Entries appended since `write`, hashed and written at `commit`.
    pending: Vec<Entry>,
    head: HeadCache,
    pub(crate) backend: Backend,
    /// One clock reading per transaction, so every row and audit entry of one change agree.
    pub(crate) now: i64,
    pub(crate) policy: std::sync::Arc<crate::Policy>,
}

impl Store {
    /// Begin a write transaction: one round trip that also serialises it against every other
    /// writer (see the module page).
    pub async fn write(&self) -> Result<Tx<'_>> {
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => {
                "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; \
                 UPDATE audit_head SET seq = seq WHERE id = 1"
            }
        };
        let tx = self.pool.begin_with(begin).await?;
        Ok(Tx {
            tx,
            pending: Vec::new(),
            head: self.head.clone(),
            backend: self.backend,
            now: now_ms(),
            policy: self.policy.clone(),
        })
    }
}

/// One audit entry waiting for the commit; its place in the chain is given then.
struct Entry {
    actor: String,
    action: String,
    object_type: String,
    object_id: String,
    detail: String,
}

/// Entries per `INSERT`: 9 parameters each, far below both backends' parameter limits.
const AUDIT_BATCH: usize = 500;

/// The pending entries chained after `head`: (seq, prev_hash, hash) each, and the new head.
fn chain(
    entries: &[Entry],
    at: i64,
    head: &(i64, String),
) -> (Vec<(i64, String, String)>, (i64, String)) {
    let (mut seq, mut prev) = head.clone();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let hash = entry_hash(
            seq,
            at,
            &e.actor,
            &e.action,
            &e.object_type,
            &e.object_id,
            &e.detail,
            &prev,
        );
        out.push((seq, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    (out, (seq, prev))
}

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
        self.pending.push(Entry {
            actor: actor.to_string(),
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id: object_id.to_string(),
            detail: detail.to_string(),
        });
        Ok(())
    }

    /// Write the pending audit entries, move the chain head and commit everything.
    pub async fn commit(mut self) -> Result<()> {
        let head = self.head.clone();
        let result = match self.write_pending().await {
            Ok(new_head) => self.tx.commit().await.map(|_| new_head).map_err(Into::into),
            Err(e) => Err(e),
        };
        let mut cache = head.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(Some(new_head)) => *cache = Some(new_head),
            Ok(None) => {}
            // A failed commit may or may not have moved the head: forget it.
            Err(e) => {
                *cache = None;
                return Err(e);
            }
        }
        Ok(())
    }

    /// Writes the pending entries; the new head when there were any.
    async fn write_pending(&mut self) -> Result<Option<(i64, String)>> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return Ok(None);
        }
        let remembered = self.head.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let head = match remembered {
            Some(h) => h,
            None => self.read_head().await?,
        };
        if let Some(h) = self.write_entries(&pending, &head).await? {
            return Ok(Some(h));
        }
        // Someone else moved the head since this process last wrote it; the lock this
        // transaction holds keeps it still now.
        let head = self.read_head().await?;
        let h = self.write_entries(&pending, &head).await?;
        h.map(Some)
            .ok_or_else(|| crate::StoreError::Corrupt("the audit head moved while locked".into()))
    }

    async fn read_head(&mut self) -> Result<(i64, String)> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.tx)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    /// Writes the entries chained after `head`, moving the head first and only if it is still
    /// `head`. `None` when it was not (nothing written then).
    async fn write_entries(
        &mut self,
        pending: &[Entry],
        head: &(i64, String),
    ) -> Result<Option<(i64, String)>> {
        let (links, new_head) = chain(pending, self.now, head);
        let mut first = true;
        for (batch, links) in pending.chunks(AUDIT_BATCH).zip(links.chunks(AUDIT_BATCH)) {
            let rows: Vec<String> = (0..batch.len())
                .map(|r| {
                    let p: Vec<String> = (1..=9).map(|c| format!("${}", r * 9 + c)).collect();
                    format!("({})", p.join(", "))
                })
                .collect();
            let n = batch.len() * 9;
            let cols = "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, prev_hash, hash)";
            let values = format!("SELECT * FROM (VALUES {}) AS v", rows.join(", "));
            // The first statement moves the head, guarded; its entries go in only if it moved.
            let move_head = format!(
                "UPDATE audit_head SET seq = ${}, hash = ${} WHERE id = 1 AND seq = ${} AND hash = ${}",
                n + 1,
                n + 2,
                n + 3,
                n + 4
            );
            let sql = match (first, self.backend) {
                (false, _) => format!("{cols} {values}"),
                (true, Backend::Postgres) => format!(
                    "WITH h AS ({move_head} RETURNING 1) {cols} {values} WHERE EXISTS (SELECT 1 FROM h)"
                ),
                // SQLite has no data-modifying CTEs; the two statements go as one query, and
                // the insert looks for the head the update wrote.
                (true, Backend::Sqlite) => format!(
                    "{move_head}; {cols} {values} WHERE EXISTS (SELECT 1 FROM audit_head WHERE id = 1 AND seq = ${} AND hash = ${})",
                    n + 1,
                    n + 2
                ),
            };
            let mut q = sqlx::query(&sql);
            for (e, (seq, prev, hash)) in batch.iter().zip(links) {
                q = q
                    .bind(*seq)
                    .bind(self.now)
                    .bind(&e.actor)
                    .bind(&e.action)
                    .bind(&e.object_type)
                    .bind(&e.object_id)
                    .bind(&e.detail)
                    .bind(prev)
                    .bind(hash);
            }
            if first {
                q = q
                    .bind(new_head.0)
                    .bind(&new_head.1)
                    .bind(head.0)
                    .bind(&head.1);
            }
            let written = q.execute(&mut *self.tx).await?.rows_affected();
            if first && written == 0 {
                return Ok(None);
            }
            first = false;
        }
        Ok(Some(new_head))
    }
}
