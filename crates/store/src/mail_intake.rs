//! Taking in a mail message as one atomic decision: a duplicate (same Message-ID) is
//! recognised, a reply (ticket tag in the subject, or In-Reply-To/References naming a stored
//! message) joins its thread and incident, anything else opens a new report.

use crate::outbox::{Enqueued, NewOutgoing, SendLimit};
use crate::{Result, Store, Viewer};
use hikeshi_domain::{Actor, IncidentId, NewReport, Report, ReportId};
use serde_json::json;
use sqlx::Row;

/// What happened to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailAction {
    /// A new report (a new thread).
    New,
    /// A reply stored as a report in an existing thread (and its incident, if any).
    Joined,
    /// The same Message-ID was already stored: nothing was written.
    Duplicate,
}

impl MailAction {
    pub fn as_str(self) -> &'static str {
        match self {
            MailAction::New => "new",
            MailAction::Joined => "joined",
            MailAction::Duplicate => "duplicate",
        }
    }
}

impl Store {
    /// Store one message. `ticket` is the number found in a `[hikeshi #N]` subject tag;
    /// `thread_ids` are the message ids it replies to, most specific first. Returns the report
    /// (the existing one for a duplicate) and what was done.
    pub async fn intake_mail(
        &self,
        actor: &Actor,
        new: NewReport,
        ticket: Option<i64>,
        thread_ids: &[String],
    ) -> Result<(Report, MailAction)> {
        let how = MailIntake {
            ticket,
            thread_ids,
            ..MailIntake::default()
        };
        let (report, action, _) = self.intake_mail_with(actor, new, how).await?;
        Ok((report, action))
    }

    /// [`Store::intake_mail`] for live intake: the report remembers the mailbox it came
    /// through, and a new report's acknowledgement is queued in the same transaction, so a
    /// committed report always has its acknowledgement queued (or a recorded reason why not).
    pub async fn intake_mail_with(
        &self,
        actor: &Actor,
        new: NewReport,
        how: MailIntake<'_>,
    ) -> Result<(Report, MailAction, AckOutcome)> {
        let MailIntake {
            ticket,
            thread_ids,
            mailbox,
            ack,
            ack_limit,
        } = how;
        let mut tx = self.write().await?;
        if let Some(mid) = new.message_id.as_deref().filter(|m| !m.is_empty()) {
            let dup =
                sqlx::query("SELECT id FROM reports WHERE message_id = $1 ORDER BY id LIMIT 1")
                    .bind(mid)
                    .fetch_optional(&mut *tx.tx)
                    .await?;
            if let Some(r) = dup {
                let id = ReportId(r.try_get("id")?);
                drop(tx);
                return Ok((
                    self.report(Viewer::System, id).await?,
                    MailAction::Duplicate,
                    AckOutcome::NotAsked,
                ));
            }
        }
        // The report this one replies to: the ticket tag wins, then the reply headers.
        let mut parent: Option<ThreadRow> = None;
        if let Some(t) = ticket {
            let q = sqlx::query("SELECT id, thread_root, incident_id FROM reports WHERE id = $1")
                .bind(t);
            parent = thread_row(q.fetch_optional(&mut *tx.tx).await?)?;
        }
        for mid in thread_ids {
            if parent.is_some() {
                break;
            }
            let q = sqlx::query("SELECT id, thread_root, incident_id FROM reports WHERE message_id = $1 ORDER BY id LIMIT 1")
                .bind(mid.as_str());
            parent = thread_row(q.fetch_optional(&mut *tx.tx).await?)?;
        }
        if parent.is_none() {
            // A reply to one of our own messages (the acknowledgement, a notification) names
            // its Message-ID, which is in the outbox rather than among the reports.
            for mid in thread_ids {
                let q = sqlx::query("SELECT r.id, r.thread_root, r.incident_id FROM outbox o JOIN reports r ON r.id = o.report_id WHERE o.message_id = $1")
                    .bind(mid.as_str());
                parent = thread_row(q.fetch_optional(&mut *tx.tx).await?)?;
                if parent.is_some() {
                    break;
                }
            }
        }
        let (root, mut incident) = match parent {
            Some((id, root, incident)) => (Some(root.unwrap_or(id)), incident.map(IncidentId)),
            None => (None, None),
        };
        // A reply to a notification from an incident that has no report to thread onto joins
        // the incident itself.
        let mut joined = root.is_some();
        if parent.is_none() {
            for mid in thread_ids {
                let r = sqlx::query(
                    "SELECT incident_id FROM outbox WHERE message_id = $1 AND incident_id IS NOT NULL",
                )
                .bind(mid.as_str())
                .fetch_optional(&mut *tx.tx)
                .await?;
                if let Some(r) = r {
                    incident = Some(IncidentId(r.try_get("incident_id")?));
                    joined = true;
                    break;
                }
            }
        }
        let id = crate::reports::insert_report(&mut tx, actor, &new).await?;
        // The label is the report's constituency in the statistics: kept trimmed.
        let mailbox = mailbox.trim();
        if !mailbox.is_empty() {
            sqlx::query("UPDATE reports SET mailbox = $1 WHERE id = $2")
                .bind(mailbox)
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
        }
        crate::outbox::answered_in(&mut tx, actor, thread_ids, id).await?;
        if let Some(root) = root {
            sqlx::query("UPDATE reports SET thread_root = $1 WHERE id = $2")
                .bind(root)
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
        }
        if let Some(inc) = incident {
            crate::reports::link_report_in(&mut tx, actor, id, inc).await?;
        }
        let action = if joined {
            MailAction::Joined
        } else {
            MailAction::New
        };
        tx.audit(
            actor,
            "report.mail",
            "report",
            id.0,
            json!({"action": action.as_str(), "thread_root": root}),
        )
        .await?;
        let mut outcome = AckOutcome::NotAsked;
        if let (MailAction::New, Some(make)) = (action, ack) {
            outcome = match make(id) {
                Ok(m) => match crate::outbox::enqueue_in(&mut tx, actor, &m, ack_limit).await? {
                    Enqueued::Queued(q) => AckOutcome::Queued(q),
                    Enqueued::RateLimited => AckOutcome::Skipped("rate limit".into()),
                },
                Err(reason) => AckOutcome::Skipped(reason),
            };
            if let AckOutcome::Skipped(reason) = &outcome {
                tx.audit(
                    actor,
                    "mail.no_ack",
                    "report",
                    id.0,
                    json!({"reason": reason}),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok((self.report(Viewer::System, id).await?, action, outcome))
    }
}

/// Builds the acknowledgement of a new report once its ticket number is known, or says why
/// none is sent (loop prevention, no address). Called inside the intake transaction.
pub type AckBuilder<'a> =
    &'a (dyn Fn(ReportId) -> std::result::Result<NewOutgoing, String> + Send + Sync);

/// How a live mail message is taken in.
#[derive(Default, Clone, Copy)]
pub struct MailIntake<'a> {
    /// The number found in a `[hikeshi #N]` subject tag.
    pub ticket: Option<i64>,
    /// The message ids it replies to, most specific first.
    pub thread_ids: &'a [String],
    /// The queue or constituency label of the mailbox it came through.
    pub mailbox: &'a str,
    /// The acknowledgement to queue if the message opens a new report.
    pub ack: Option<AckBuilder<'a>>,
    /// Acknowledgements per recipient within a window.
    pub ack_limit: Option<SendLimit>,
}

/// What happened to a report's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckOutcome {
    /// No acknowledgement was asked for (or the message was not a new report).
    NotAsked,
    /// Queued as this outbox row.
    Queued(i64),
    /// Not sent, and why (recorded in the audit log).
    Skipped(String),
}

/// (id, thread_root, incident_id) of a found report.
type ThreadRow = (i64, Option<i64>, Option<i64>);

fn thread_row(r: Option<sqlx::any::AnyRow>) -> Result<Option<ThreadRow>> {
    let Some(r) = r else { return Ok(None) };
    Ok(Some((
        r.try_get("id")?,
        r.try_get("thread_root")?,
        r.try_get("incident_id")?,
    )))
}
