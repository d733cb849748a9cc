//! Sweeps as background jobs: a handler queues one on an incident, a runner (hikeshi-server)
//! claims it with a lease, reports progress, honours a cancel request and finishes it by
//! recording the hits as sightings in the same transaction that marks the job done.
//!
//! Claims follow the outgoing mail queue ([`crate::outbox`]): on PostgreSQL the candidate row is
//! locked `FOR UPDATE SKIP LOCKED`, so two nodes never run the same job; on SQLite the write lock
//! every [`crate::Tx`] takes serialises the claims. A runner renews its lease with every progress
//! report; a node that dies lets it expire and the job is claimed again from the start (hits are
//! only recorded when a job finishes, and the sightings' key makes recording twice harmless),
//! until it has been claimed `max_attempts` times: then it is marked failed rather than retried
//! for ever on a log that kills its runner.
//!
//! Creating, claiming, cancelling and finishing are audited. Progress reports are not: they are
//! the job's telemetry, overwritten about once a second, and auditing each would add thousands
//! of entries an hour to the hash chain without recording any decision; the claim before and the
//! finish after them are audited.

use crate::query::{Arg, Where};
use crate::sightings::Recorded;
use crate::{Backend, Result, Store, StoreError, Tx, Viewer};
use hikeshi_domain::{Actor, IncidentId, NewSighting};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SweepState {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl SweepState {
    pub fn as_str(self) -> &'static str {
        match self {
            SweepState::Queued => "queued",
            SweepState::Running => "running",
            SweepState::Done => "done",
            SweepState::Failed => "failed",
            SweepState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<SweepState> {
        Ok(match s {
            "queued" => SweepState::Queued,
            "running" => SweepState::Running,
            "done" => SweepState::Done,
            "failed" => SweepState::Failed,
            "cancelled" => SweepState::Cancelled,
            other => return Err(StoreError::Corrupt(format!("sweep job state {other:?}"))),
        })
    }

    /// Done, failed or cancelled: nothing will change any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SweepState::Done | SweepState::Failed | SweepState::Cancelled
        )
    }
}

/// A sweep to queue. The store does not interpret the sources: they are the names the runner
/// resolves (`ROOT:relative/path`, `upload:NAME`) and the names sightings are recorded under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewSweepJob {
    pub sources: Vec<String>,
    /// The directory (under the server's upload directory) holding this job's uploaded files;
    /// empty when nothing was uploaded.
    pub upload_key: String,
}

/// How far a running sweep has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepProgress {
    /// Bytes of the files read so far, as stored (compressed files count compressed).
    pub bytes_done: i64,
    /// Bytes of all the job's files, as stored.
    pub bytes_total: i64,
    pub lines: i64,
    /// Hits so far.
    pub hits: i64,
}

/// One sweep job as handlers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepJob {
    pub id: i64,
    pub incident_id: i64,
    pub requested_by: Option<i64>,
    /// The requester's display name (empty for a job queued by the system).
    pub requested_by_name: String,
    pub sources: Vec<String>,
    #[serde(skip)]
    pub upload_key: String,
    pub state: SweepState,
    #[serde(flatten)]
    pub progress: SweepProgress,
    /// Sightings the finished job added (hits already recorded are not counted again).
    pub new_sightings: i64,
    /// Why it failed, or what it could not read.
    pub error: String,
    pub cancel_requested: bool,
    pub attempts: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// How a claimed job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepOutcome {
    /// `Done`, `Failed` or `Cancelled`.
    pub state: SweepState,
    pub progress: SweepProgress,
    /// Problems worth showing (unreadable files, the reason of a failure); empty when none.
    pub error: String,
}

const JOB_COLS: &str = "j.id, j.incident_id, j.requested_by, u.display_name AS requested_by_name, \
    j.sources, j.upload_key, j.state, j.bytes_done, j.bytes_total, j.lines, j.hits, j.new_sightings, \
    j.error, j.cancel_requested, j.attempts, j.created_at, j.started_at, j.finished_at";
const JOB_FROM: &str = "sweep_jobs j JOIN incidents i ON i.id = j.incident_id \
    LEFT JOIN users u ON u.id = j.requested_by";

fn job(r: &AnyRow) -> Result<SweepJob> {
    let sources: String = r.try_get("sources")?;
    Ok(SweepJob {
        id: r.try_get("id")?,
        incident_id: r.try_get("incident_id")?,
        requested_by: r.try_get("requested_by")?,
        requested_by_name: r
            .try_get::<Option<String>, _>("requested_by_name")?
            .unwrap_or_default(),
        sources: serde_json::from_str(&sources)
            .map_err(|e| StoreError::Corrupt(format!("sweep job sources: {e}")))?,
        upload_key: r.try_get("upload_key")?,
        state: SweepState::parse(&r.try_get::<String, _>("state")?)?,
        progress: SweepProgress {
            bytes_done: r.try_get("bytes_done")?,
            bytes_total: r.try_get("bytes_total")?,
            lines: r.try_get("lines")?,
            hits: r.try_get("hits")?,
        },
        new_sightings: r.try_get("new_sightings")?,
        error: r.try_get("error")?,
        cancel_requested: crate::rows::flag(r, "cancel_requested")?,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get("created_at")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

/// The job as anyone (the system) sees it, inside a transaction.
async fn job_in(tx: &mut Tx<'_>, id: i64) -> Result<SweepJob> {
    let row = sqlx::query(&format!(
        "SELECT {JOB_COLS} FROM {JOB_FROM} WHERE j.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("sweep job {id}")))?;
    job(&row)
}

/// Running jobs whose runner stopped renewing its lease.
const EXPIRED: &str = "state = 'running' AND lease_until < $1";

impl Store {
    /// Queue a sweep of `incident`'s indicators. The viewer must be able to see the incident.
    pub async fn create_sweep_job(
        &self,
        actor: &Actor,
        viewer: Viewer,
        incident: IncidentId,
        new: &NewSweepJob,
    ) -> Result<SweepJob> {
        self.check_visible(viewer, incident).await?;
        if new.sources.is_empty() {
            return Err(StoreError::Conflict(
                "a sweep needs at least one log file".into(),
            ));
        }
        let sources = serde_json::to_string(&new.sources)
            .map_err(|e| StoreError::Corrupt(format!("sweep job sources: {e}")))?;
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO sweep_jobs (incident_id, requested_by, sources, upload_key, state, created_at) \
             VALUES ($1, $2, $3, $4, 'queued', $5) RETURNING id",
        )
        .bind(incident.0)
        .bind(actor.user().map(|u| u.0))
        .bind(&sources)
        .bind(&new.upload_key)
        .bind(tx.now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        tx.audit(
            actor,
            "sweep.create",
            "sweep_job",
            id,
            json!({"incident": incident.0, "sources": new.sources}),
        )
        .await?;
        let out = job_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One job, if the viewer may see its incident.
    pub async fn sweep_job(&self, viewer: Viewer, id: i64) -> Result<SweepJob> {
        let mut w = Where::default();
        w.and("j.id = ?", Arg::Int(id));
        viewer.restrict(&mut w, "i");
        let sql = format!("SELECT {JOB_COLS} FROM {JOB_FROM}{}", w.sql());
        let row = crate::query::bind_all(sqlx::query(&sql), &w.args)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("sweep job {id}")))?;
        job(&row)
    }

    /// The incident's jobs, newest first (at most 200).
    pub async fn sweep_jobs(&self, viewer: Viewer, incident: IncidentId) -> Result<Vec<SweepJob>> {
        self.check_visible(viewer, incident).await?;
        let rows = sqlx::query(&format!(
            "SELECT {JOB_COLS} FROM {JOB_FROM} WHERE j.incident_id = $1 ORDER BY j.id DESC LIMIT 200"
        ))
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(job).collect()
    }

    /// Claim the oldest job that is queued or whose runner's lease ran out, for `owner` until
    /// `now + lease_ms`. First, jobs whose lease ran out are ended instead when they were
    /// cancelled meanwhile (`cancelled`) or have been claimed `max_attempts` times (`failed`).
    pub async fn claim_sweep_job(
        &self,
        owner: &str,
        lease_ms: i64,
        max_attempts: i64,
    ) -> Result<Option<SweepJob>> {
        let now = hikeshi_domain::time::now_ms();
        // A cheap read first, so an idle runner does not take the write lock every poll.
        let any = sqlx::query(&format!(
            "SELECT 1 AS one FROM sweep_jobs WHERE state = 'queued' OR ({EXPIRED}) LIMIT 1"
        ))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if any.is_none() {
            return Ok(None);
        }
        let mut tx = self.write().await?;
        for (cond, state, why) in [
            ("cancel_requested = 1", "cancelled", String::new()),
            (
                "attempts >= $3",
                "failed",
                format!(
                    "the node running this sweep stopped {max_attempts} times before it finished"
                ),
            ),
        ] {
            let ended = sqlx::query(&format!(
                "UPDATE sweep_jobs SET state = $2, finished_at = $1, lease_owner = NULL, lease_until = NULL, \
                 error = $4 WHERE {EXPIRED} AND {cond} RETURNING id"
            ))
            .bind(tx.now)
            .bind(state)
            .bind(max_attempts)
            .bind(&why)
            .fetch_all(&mut *tx.tx)
            .await?;
            for r in ended {
                let id: i64 = r.try_get("id")?;
                tx.audit(
                    &Actor::System,
                    "sweep.expire",
                    "sweep_job",
                    id,
                    json!({"state": state, "error": why}),
                )
                .await?;
            }
        }
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let claimed = sqlx::query(&format!(
            "UPDATE sweep_jobs SET state = 'running', lease_owner = $2, lease_until = $3, \
             attempts = attempts + 1, started_at = $1, bytes_done = 0, lines = 0, hits = 0 \
             WHERE id IN (SELECT id FROM sweep_jobs WHERE state = 'queued' OR ({EXPIRED}) \
             ORDER BY id LIMIT 1{lock}) RETURNING id, attempts"
        ))
        .bind(tx.now)
        .bind(owner)
        .bind(tx.now + lease_ms)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let out = match claimed {
            Some(r) => {
                let id: i64 = r.try_get("id")?;
                let attempts: i64 = r.try_get("attempts")?;
                tx.audit(
                    &Actor::System,
                    "sweep.claim",
                    "sweep_job",
                    id,
                    json!({"owner": owner, "attempt": attempts}),
                )
                .await?;
                Some(job_in(&mut tx, id).await?)
            }
            None => None,
        };
        tx.commit().await?;
        Ok(out)
    }

    /// Report progress on a job `owner` holds and renew its lease. Returns whether a cancel was
    /// requested; fails with `Conflict` when the lease was lost (another runner has the job).
    pub async fn sweep_job_progress(
        &self,
        id: i64,
        owner: &str,
        p: &SweepProgress,
        lease_ms: i64,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "UPDATE sweep_jobs SET bytes_done = $1, bytes_total = $2, lines = $3, hits = $4, lease_until = $5 \
             WHERE id = $6 AND lease_owner = $7 AND state = 'running' RETURNING cancel_requested",
        )
        .bind(p.bytes_done)
        .bind(p.bytes_total)
        .bind(p.lines)
        .bind(p.hits)
        .bind(tx.now + lease_ms)
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("sweep job {id} is no longer held by {owner}")))?;
        let cancel = crate::rows::flag(&row, "cancel_requested")?;
        tx.commit().await?;
        Ok(cancel)
    }

    /// Ask for a job to stop. A queued job is cancelled at once; a running one when its runner
    /// next looks (within about a second). Asking again is harmless; a finished job is a
    /// `Conflict`.
    pub async fn request_sweep_cancel(
        &self,
        actor: &Actor,
        viewer: Viewer,
        id: i64,
    ) -> Result<SweepJob> {
        self.sweep_job(viewer, id).await?;
        let mut tx = self.write().await?;
        let current = job_in(&mut tx, id).await?;
        if current.state.is_final() {
            return Err(StoreError::Conflict(format!(
                "sweep job {id} has already ended ({})",
                current.state.as_str()
            )));
        }
        sqlx::query(
            "UPDATE sweep_jobs SET cancel_requested = 1, \
             state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END, \
             finished_at = CASE WHEN state = 'queued' THEN $1 ELSE finished_at END WHERE id = $2",
        )
        .bind(tx.now)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            "sweep.cancel",
            "sweep_job",
            id,
            json!({"incident": current.incident_id, "was": current.state.as_str()}),
        )
        .await?;
        let out = job_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// End a job `owner` holds and record its hits as sightings on the job's incident, all in
    /// one transaction: either the job is finished with its sightings, or neither happened (and
    /// the lease lets another runner take it again).
    pub async fn finish_sweep_job(
        &self,
        id: i64,
        owner: &str,
        outcome: &SweepOutcome,
        hits: &[NewSighting],
    ) -> Result<Recorded> {
        if !outcome.state.is_final() {
            return Err(StoreError::Conflict(format!(
                "a sweep job cannot finish as {}",
                outcome.state.as_str()
            )));
        }
        let mut tx = self.write().await?;
        let held = sqlx::query(
            "SELECT incident_id FROM sweep_jobs WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("sweep job {id} is no longer held by {owner}")))?;
        let incident = IncidentId(held.try_get("incident_id")?);
        let error: String = outcome.error.chars().take(4_000).collect();
        let mut extra = serde_json::Map::new();
        extra.insert("job".into(), json!(id));
        extra.insert("state".into(), json!(outcome.state.as_str()));
        if !error.is_empty() {
            extra.insert("error".into(), json!(error));
        }
        let rec =
            crate::sightings::record_in(&mut tx, &Actor::System, incident, hits, extra).await?;
        let p = &outcome.progress;
        sqlx::query(
            "UPDATE sweep_jobs SET state = $1, bytes_done = $2, bytes_total = $3, lines = $4, hits = $5, \
             new_sightings = $6, error = $7, finished_at = $8, lease_owner = NULL, lease_until = NULL \
             WHERE id = $9",
        )
        .bind(outcome.state.as_str())
        .bind(p.bytes_done)
        .bind(p.bytes_total)
        .bind(p.lines)
        .bind(p.hits)
        .bind(rec.new as i64)
        .bind(&error)
        .bind(tx.now)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            &Actor::System,
            "sweep.finish",
            "sweep_job",
            id,
            json!({"state": outcome.state.as_str(), "hits": p.hits, "new": rec.new}),
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }
}
