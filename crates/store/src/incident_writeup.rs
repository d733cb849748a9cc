//! What a handler writes about an incident for its report (the impact in words, the accounts and
//! data in scope, the lessons learned) and the moment the owner of the affected system was
//! reached. Both are timeline events, so the history stays on the timeline while the incident
//! row holds the current values.

use crate::incidents::load;
use crate::timeline::add_event;
use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, Incident, IncidentId};
use serde_json::json;

/// A partial change of the write-up; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WriteupPatch {
    pub impact: Option<String>,
    pub accounts: Option<String>,
    pub data: Option<String>,
    pub lessons: Option<String>,
}

/// How far ahead of the server's clock a recorded time may be (clocks of laptops drift).
const FUTURE_SLACK_MS: i64 = 5 * 60_000;

impl Store {
    /// Change the write-up. Each changed field's new text goes on the timeline (a `writeup`
    /// event), which is its history; a patch that changes nothing writes nothing.
    pub async fn update_writeup(
        &self,
        actor: &Actor,
        id: IncidentId,
        patch: WriteupPatch,
    ) -> Result<Incident> {
        let mut tx = self.write().await?;
        let old = load(&mut tx, id).await?;
        let mut new = old.writeup.clone();
        for (slot, value) in [
            (&mut new.impact, patch.impact),
            (&mut new.accounts, patch.accounts),
            (&mut new.data, patch.data),
            (&mut new.lessons, patch.lessons),
        ] {
            if let Some(v) = value {
                *slot = v.trim().to_owned();
            }
        }
        let changed: serde_json::Map<String, serde_json::Value> = new
            .fields()
            .iter()
            .zip(old.writeup.fields())
            .filter(|((_, n), (_, o))| n != o)
            .map(|((k, n), _)| ((*k).to_owned(), json!(n)))
            .collect();
        if changed.is_empty() {
            return Ok(old);
        }
        sqlx::query(
            "UPDATE incidents SET impact_text = $1, scope_accounts = $2, scope_data = $3, lessons = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(&new.impact)
        .bind(&new.accounts)
        .bind(&new.data)
        .bind(&new.lessons)
        .bind(tx.now)
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await?;
        let names: Vec<&String> = changed.keys().collect();
        tx.audit(
            actor,
            "incident.writeup",
            "incident",
            id.0,
            json!({"fields": names}),
        )
        .await?;
        add_event(&mut tx, actor, id, "writeup", json!({"fields": changed})).await?;
        let inc = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(inc)
    }

    /// Record that the owner of the affected system was reached, at `at` (default: now), with
    /// an optional note (who, how). Recording again corrects the time; the timeline keeps every
    /// recording with the time it replaced.
    pub async fn record_owner_reached(
        &self,
        actor: &Actor,
        id: IncidentId,
        at: Option<i64>,
        note: &str,
    ) -> Result<Incident> {
        let mut tx = self.write().await?;
        let old = load(&mut tx, id).await?;
        let at = at.unwrap_or(tx.now);
        if at > tx.now + FUTURE_SLACK_MS {
            return Err(StoreError::Conflict(
                "the owner cannot have been reached in the future".into(),
            ));
        }
        sqlx::query("UPDATE incidents SET owner_reached_at = $1, updated_at = $2 WHERE id = $3")
            .bind(at)
            .bind(tx.now)
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
        let detail = json!({"at": at, "note": note.trim(), "previous": old.owner_reached_at});
        add_event(&mut tx, actor, id, "owner-reached", detail.clone()).await?;
        tx.audit(actor, "incident.owner_reached", "incident", id.0, detail)
            .await?;
        let inc = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(inc)
    }
}
