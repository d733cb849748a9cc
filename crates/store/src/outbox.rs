//! The outgoing mail queue: every message is stored (rendered, byte for byte) before anyone
//! tries to send it, so a down SMTP server delays mail and never drops it.
//!
//! Senders [`Store::claim_outgoing`] due messages with a lease: on PostgreSQL the candidate rows
//! are locked `FOR UPDATE SKIP LOCKED`, so two nodes never claim the same message; on SQLite the
//! write lock every [`crate::Tx`] takes serialises the claims. A sender that dies mid-send lets
//! its lease expire and the message is tried again (at least once, never zero times). Failed
//! attempts are retried with exponential backoff capped at [`MAX_BACKOFF_MS`], never given up:
//! a handler sees the failure and its reason in the report's or incident's list.

use crate::{Backend, Result, Store, StoreError, Viewer};
use hikeshi_domain::{Actor, IncidentId, ReportId};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The first retry waits this long; each further one twice as long as the one before.
pub const FIRST_BACKOFF_MS: i64 = 60_000;
/// No retry waits longer than this (6 hours).
pub const MAX_BACKOFF_MS: i64 = 6 * 3_600_000;

/// What kind of message a queued row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutKind {
    /// The automatic acknowledgement of a new report.
    Ack,
    /// A message from an incident to a contact.
    Notification,
}

impl OutKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutKind::Ack => "ack",
            OutKind::Notification => "notification",
        }
    }
}

/// A message to queue. `raw` is the finished RFC 5322 message (CRLF line ends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutgoing {
    pub kind: OutKind,
    pub report_id: Option<ReportId>,
    pub incident_id: Option<IncidentId>,
    /// Envelope sender (MAIL FROM).
    pub sender: String,
    /// Envelope recipients (RCPT TO).
    pub recipients: Vec<String>,
    pub subject: String,
    pub lang: String,
    /// Our Message-ID, without angle brackets.
    pub message_id: String,
    pub raw: Vec<u8>,
}

/// At most `max` messages of one kind to one recipient within `window_ms`, counted in the
/// database so a restart does not reset it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimit {
    pub max: u32,
    pub window_ms: i64,
}

/// What queueing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    Queued(i64),
    /// The recipient already had `max` messages of this kind within the window: not queued.
    RateLimited,
}

/// One queued message as handlers see it (without the bytes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outgoing {
    pub id: i64,
    pub kind: String,
    pub report_id: Option<i64>,
    pub incident_id: Option<i64>,
    pub recipients: Vec<String>,
    pub subject: String,
    pub lang: String,
    pub message_id: String,
    /// `queued`, `sending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub answered_by: Option<i64>,
}

/// A message claimed for sending: the envelope and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub sender: String,
    pub recipients: Vec<String>,
    pub raw: Vec<u8>,
    /// Including this one.
    pub attempts: i64,
}

/// The wait before retrying after the `attempts`-th failed attempt.
pub fn backoff_ms(attempts: i64) -> i64 {
    let shift = attempts.clamp(1, 20) - 1;
    (FIRST_BACKOFF_MS << shift).min(MAX_BACKOFF_MS)
}

pub(crate) const OUT_COLS: &str = "id, kind, report_id, incident_id, recipients, subject, lang, message_id, status, \
    attempts, next_attempt_at, last_error, created_at, sent_at, answered_at, answered_by";

pub(crate) fn outgoing(r: &AnyRow) -> Result<Outgoing> {
    let recipients: String = r.try_get("recipients")?;
    Ok(Outgoing {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        report_id: r.try_get("report_id")?,
        incident_id: r.try_get("incident_id")?,
        recipients: recipients.split_whitespace().map(str::to_owned).collect(),
        subject: r.try_get("subject")?,
        lang: r.try_get("lang")?,
        message_id: r.try_get("message_id")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        answered_at: r.try_get("answered_at")?,
        answered_by: r.try_get("answered_by")?,
    })
}

/// Queue `m` inside `tx`, honouring `limit`.
pub(crate) async fn enqueue_in(
    tx: &mut crate::Tx<'_>,
    actor: &Actor,
    m: &NewOutgoing,
    limit: Option<SendLimit>,
) -> Result<Enqueued> {
    let recipients: Vec<String> = m
        .recipients
        .iter()
        .map(|r| r.trim().to_lowercase())
        .collect();
    if recipients.is_empty() || recipients.iter().any(|r| r.is_empty() || r.contains(' ')) {
        return Err(StoreError::Conflict(format!(
            "outgoing mail needs recipient addresses, got {:?}",
            m.recipients
        )));
    }
    let joined = recipients.join(" ");
    if let Some(l) = limit {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox WHERE kind = $1 AND recipients = $2 AND created_at > $3",
        )
        .bind(m.kind.as_str())
        .bind(&joined)
        .bind(tx.now - l.window_ms)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("n")?;
        if n >= i64::from(l.max) {
            return Ok(Enqueued::RateLimited);
        }
    }
    let id: i64 = sqlx::query(
        "INSERT INTO outbox (kind, report_id, incident_id, sender, recipients, subject, lang, message_id, raw, \
         status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', 0, $10, $10) RETURNING id",
    )
    .bind(m.kind.as_str())
    .bind(m.report_id.map(|r| r.0))
    .bind(m.incident_id.map(|i| i.0))
    .bind(m.sender.trim())
    .bind(&joined)
    .bind(&m.subject)
    .bind(&m.lang)
    .bind(&m.message_id)
    .bind(&m.raw)
    .bind(tx.now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get("id")?;
    tx.audit(
        actor,
        "mail.queue",
        "outbox",
        id,
        json!({"kind": m.kind.as_str(), "report": m.report_id.map(|r| r.0),
               "incident": m.incident_id.map(|i| i.0), "recipients": recipients}),
    )
    .await?;
    Ok(Enqueued::Queued(id))
}

/// Mark the queued messages a reply answers (its In-Reply-To/References name their
/// Message-ID); returns the report the first of them belongs to, for threading.
pub(crate) async fn answered_in(
    tx: &mut crate::Tx<'_>,
    actor: &Actor,
    thread_ids: &[String],
    by: ReportId,
) -> Result<Option<ReportId>> {
    let mut report = None;
    for mid in thread_ids {
        let row = sqlx::query(
            "SELECT id, kind, report_id, incident_id, recipients, answered_at FROM outbox WHERE message_id = $1",
        )
        .bind(mid.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else { continue };
        let id: i64 = row.try_get("id")?;
        if report.is_none() {
            report = row.try_get::<Option<i64>, _>("report_id")?.map(ReportId);
        }
        if row.try_get::<Option<i64>, _>("answered_at")?.is_none() {
            sqlx::query("UPDATE outbox SET answered_at = $1, answered_by = $2 WHERE id = $3")
                .bind(tx.now)
                .bind(by.0)
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            tx.audit(
                actor,
                "mail.answered",
                "outbox",
                id,
                json!({"report": by.0}),
            )
            .await?;
            let kind: String = row.try_get("kind")?;
            let incident: Option<i64> = row.try_get("incident_id")?;
            if let Some(inc) = incident.filter(|_| kind == OutKind::Notification.as_str()) {
                let recipients: String = row.try_get("recipients")?;
                crate::timeline::add_event(
                    tx,
                    actor,
                    IncidentId(inc),
                    "notification-answered",
                    json!({"outbox": id, "recipient": recipients, "report": by.0}),
                )
                .await?;
            }
        }
    }
    Ok(report)
}

/// Rows a sender may take at `now`: waiting and due, or leased by a sender that did not finish.
const DUE: &str = "((status IN ('queued', 'failed') AND next_attempt_at <= $1) \
    OR (status = 'sending' AND lease_until < $1))";

impl Store {
    /// Queue one message (all or nothing, audited). With a `limit`, a recipient who already
    /// had that many messages of this kind within the window gets nothing more.
    pub async fn enqueue_outgoing(
        &self,
        actor: &Actor,
        m: &NewOutgoing,
        limit: Option<SendLimit>,
    ) -> Result<Enqueued> {
        let mut tx = self.write().await?;
        let out = enqueue_in(&mut tx, actor, m, limit).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Claim up to `max` due messages for `owner` until `now + lease_ms`. Each claim counts as
    /// an attempt. Messages claimed by one sender are not claimed by another until the lease
    /// runs out.
    pub async fn claim_outgoing(
        &self,
        owner: &str,
        max: u32,
        lease_ms: i64,
    ) -> Result<Vec<Claimed>> {
        let now = hikeshi_domain::time::now_ms();
        // A cheap read first, so an idle sender does not take the write lock every poll.
        let any = sqlx::query(&format!("SELECT 1 AS one FROM outbox WHERE {DUE} LIMIT 1"))
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.write().await?;
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET status = 'sending', lease_owner = $2, lease_until = $3, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE {DUE} ORDER BY next_attempt_at, id LIMIT $4{lock}) \
             RETURNING id, sender, recipients, raw, attempts"
        );
        let rows = sqlx::query(&sql)
            .bind(tx.now)
            .bind(owner)
            .bind(tx.now + lease_ms)
            .bind(i64::from(max.max(1)))
            .fetch_all(&mut *tx.tx)
            .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                let recipients: String = r.try_get("recipients")?;
                Ok(Claimed {
                    id: r.try_get("id")?,
                    sender: r.try_get("sender")?,
                    recipients: recipients.split_whitespace().map(str::to_owned).collect(),
                    raw: r.try_get("raw")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|c| c.id);
        if !out.is_empty() {
            let ids: Vec<i64> = out.iter().map(|c| c.id).collect();
            tx.audit(
                &Actor::System,
                "mail.claim",
                "outbox",
                ids[0],
                json!({"ids": ids, "owner": owner}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The SMTP server accepted the message.
    pub async fn mark_sent(&self, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, lease_owner = NULL, lease_until = NULL, \
             last_error = '' WHERE id = $2 AND status <> 'sent'",
        )
        .bind(tx.now)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "unsent outgoing message {id}"
            )));
        }
        tx.audit(&Actor::System, "mail.sent", "outbox", id, json!({}))
            .await?;
        tx.commit().await
    }

    /// The attempt failed: keep the reason and try again after the backoff for the number of
    /// attempts made so far. Returns when the next attempt is due (ms since the epoch).
    pub async fn mark_failed(&self, id: i64, reason: &str) -> Result<i64> {
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT attempts FROM outbox WHERE id = $1 AND status <> 'sent'")
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("unsent outgoing message {id}")))?;
        let attempts: i64 = row.try_get("attempts")?;
        let next = tx.now + backoff_ms(attempts);
        let reason: String = reason.chars().take(1_000).collect();
        sqlx::query(
            "UPDATE outbox SET status = 'failed', next_attempt_at = $1, last_error = $2, \
             lease_owner = NULL, lease_until = NULL WHERE id = $3",
        )
        .bind(next)
        .bind(&reason)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            &Actor::System,
            "mail.failed",
            "outbox",
            id,
            json!({"attempts": attempts, "next_attempt_at": next, "reason": reason}),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Mark the messages a reply answers (by Message-ID in `thread_ids`) as answered by
    /// report `by`. Intake does this itself; this is for replies threaded another way.
    pub async fn mark_answered(
        &self,
        actor: &Actor,
        thread_ids: &[String],
        by: ReportId,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        answered_in(&mut tx, actor, thread_ids, by).await?;
        tx.commit().await
    }

    /// Messages queued for a report, oldest first.
    pub async fn report_outgoing(&self, viewer: Viewer, report: ReportId) -> Result<Vec<Outgoing>> {
        self.report(viewer, report).await?;
        let rows = sqlx::query(&format!(
            "SELECT {OUT_COLS} FROM outbox WHERE report_id = $1 ORDER BY id"
        ))
        .bind(report.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outgoing).collect()
    }

    /// Messages queued for an incident or for any of its reports, oldest first.
    pub async fn incident_outgoing(
        &self,
        viewer: Viewer,
        incident: IncidentId,
    ) -> Result<Vec<Outgoing>> {
        self.check_visible(viewer, incident).await?;
        let rows = sqlx::query(&format!(
            "SELECT {OUT_COLS} FROM outbox WHERE incident_id = $1 \
             OR report_id IN (SELECT id FROM reports WHERE incident_id = $1) ORDER BY id"
        ))
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outgoing).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_from_a_minute_up_to_six_hours() {
        let table = [
            (0, 60_000),
            (1, 60_000),
            (2, 120_000),
            (3, 240_000),
            (9, 15_360_000),
            (10, 6 * 3_600_000),
            (500, 6 * 3_600_000),
        ];
        for (attempts, wait) in table {
            assert_eq!(super::backoff_ms(attempts), wait, "{attempts}");
        }
    }
}
