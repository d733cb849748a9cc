//! Notifications from an incident: one row per message, linking the incident, the recipient
//! (a contact, or an address taken from an asset's owner), the template and language, and the
//! queued message in the outbox. Status is the outbox's (queued, sending, sent, failed with
//! its reason) until a reply names the message's Message-ID: then it is answered, and the
//! reply joins the incident (see `mail_intake`).

use crate::outbox::{Enqueued, NewOutgoing, OutKind, enqueue_in};
use crate::rows::named;
use crate::{Result, Store, StoreError, Viewer};
use hikeshi_domain::{Actor, IncidentId, Named, ReportId, Tlp};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One message to queue and record. `outgoing` is the finished message (kind notification,
/// the incident's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub outgoing: NewOutgoing,
    pub contact_id: Option<i64>,
    pub recipient: String,
    pub recipient_name: String,
    /// How the recipient was chosen: `contact:3`, `asset:web01`.
    pub routes: Vec<String>,
    pub template: String,
    pub lang: String,
    /// The marking the message carries.
    pub tlp: Tlp,
    /// How many indicators it carries.
    pub indicators: i64,
}

/// A notification as handlers see it, with its message's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub incident_id: i64,
    pub outbox_id: i64,
    pub contact_id: Option<i64>,
    pub recipient: String,
    pub recipient_name: String,
    pub routes: Vec<String>,
    pub template: String,
    pub lang: String,
    pub tlp: Tlp,
    pub indicators: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub subject: String,
    pub message_id: String,
    /// `queued`, `sending`, `sent`, `failed` or `answered`.
    pub status: String,
    pub attempts: i64,
    /// Why the last attempt failed (empty once sent).
    pub last_error: String,
    pub sent_at: Option<i64>,
    pub answered_at: Option<i64>,
    /// The report the answer was stored as.
    pub answered_by: Option<i64>,
}

fn notification(r: &AnyRow) -> Result<Notification> {
    let routes: String = r.try_get("routes")?;
    let answered_at: Option<i64> = r.try_get("answered_at")?;
    let status: String = r.try_get("status")?;
    Ok(Notification {
        id: r.try_get("id")?,
        incident_id: r.try_get("incident_id")?,
        outbox_id: r.try_get("outbox_id")?,
        contact_id: r.try_get("contact_id")?,
        recipient: r.try_get("recipient")?,
        recipient_name: r.try_get("recipient_name")?,
        routes: routes.split_whitespace().map(str::to_owned).collect(),
        template: r.try_get("template")?,
        lang: r.try_get("lang")?,
        tlp: named(r, "tlp")?,
        indicators: r.try_get("indicators")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        subject: r.try_get("subject")?,
        message_id: r.try_get("message_id")?,
        status: if answered_at.is_some() {
            "answered".into()
        } else {
            status
        },
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        sent_at: r.try_get("sent_at")?,
        answered_at,
        answered_by: r.try_get("answered_by")?,
    })
}

impl Store {
    /// Queue every message and record its notification, all or nothing: each gets a timeline
    /// event on the incident and an audit entry. Returns the notifications' ids.
    pub async fn queue_notifications(
        &self,
        actor: &Actor,
        incident: IncidentId,
        items: &[NewNotification],
    ) -> Result<Vec<i64>> {
        if items.is_empty() {
            return Err(StoreError::Conflict("no recipient to notify".into()));
        }
        let mut tx = self.write().await?;
        crate::incidents::touch(&mut tx, incident).await?;
        let mut ids = Vec::with_capacity(items.len());
        for n in items {
            if n.outgoing.kind != OutKind::Notification || n.outgoing.incident_id != Some(incident)
            {
                return Err(StoreError::Conflict(
                    "a notification's message must be a notification of its incident".into(),
                ));
            }
            if n.tlp == Tlp::Red {
                return Err(StoreError::Conflict(
                    "TLP:RED never leaves the people named on it".into(),
                ));
            }
            let Enqueued::Queued(outbox) = enqueue_in(&mut tx, actor, &n.outgoing, None).await?
            else {
                return Err(StoreError::Corrupt(
                    "an unlimited enqueue was limited".into(),
                ));
            };
            let id: i64 = sqlx::query(
                "INSERT INTO notifications (incident_id, outbox_id, contact_id, recipient, recipient_name, routes, \
                 template, lang, tlp, indicators, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(incident.0)
            .bind(outbox)
            .bind(n.contact_id)
            .bind(n.recipient.trim().to_lowercase())
            .bind(&n.recipient_name)
            .bind(n.routes.join(" "))
            .bind(&n.template)
            .bind(&n.lang)
            .bind(n.tlp.as_str())
            .bind(n.indicators)
            .bind(actor.user().map(|u| u.0))
            .bind(tx.now)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("id")?;
            let detail = json!({"notification": id, "recipient": n.recipient, "name": n.recipient_name,
                "template": n.template, "lang": n.lang, "tlp": n.tlp.as_str(), "indicators": n.indicators,
                "routes": n.routes});
            crate::timeline::add_event(&mut tx, actor, incident, "notification", detail.clone())
                .await?;
            tx.audit(actor, "notification.queue", "notification", id, detail)
                .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// The incident's notifications, oldest first, with their messages' state.
    pub async fn incident_notifications(
        &self,
        viewer: Viewer,
        incident: IncidentId,
    ) -> Result<Vec<Notification>> {
        self.check_visible(viewer, incident).await?;
        let rows = sqlx::query(
            "SELECT n.id, n.incident_id, n.outbox_id, n.contact_id, n.recipient, n.recipient_name, n.routes, \
             n.template, n.lang, n.tlp, n.indicators, n.created_by, n.created_at, o.subject, o.message_id, \
             o.status, o.attempts, o.last_error, o.sent_at, o.answered_at, o.answered_by \
             FROM notifications n JOIN outbox o ON o.id = n.outbox_id WHERE n.incident_id = $1 ORDER BY n.id",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(notification).collect()
    }

    /// The ticket a notification about the incident carries in its subject: the incident's
    /// first report, so a reply that keeps the tag threads onto it and joins the incident.
    /// `None` for an incident opened without a report.
    pub async fn incident_ticket(
        &self,
        viewer: Viewer,
        incident: IncidentId,
    ) -> Result<Option<ReportId>> {
        self.check_visible(viewer, incident).await?;
        let r = sqlx::query("SELECT MIN(id) AS id FROM reports WHERE incident_id = $1")
            .bind(incident.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get::<Option<i64>, _>("id")?.map(ReportId))
    }
}
