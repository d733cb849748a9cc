//! Changing an incident: classification and fields, phases, merging, the people named on it.

use crate::incidents::{IncidentPatch, load, set_priority};
use crate::timeline::add_event;
use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, Incident, IncidentId, Named, Phase, ReportStatus, UserId};
use serde_json::json;

impl Store {
    /// Apply a patch. A change of classification is recorded as a `classified` event with the old
    /// and new values (the reclassification history); priority and SLA due times are recomputed
    /// from the impact factors.
    pub async fn update_incident(
        &self,
        actor: &Actor,
        id: IncidentId,
        patch: IncidentPatch,
    ) -> Result<Incident> {
        let mut tx = self.write().await?;
        let old = load(&mut tx, id).await?;
        let mut c = old.classification;
        if let Some(cat) = patch.category {
            if cat != c.category {
                c = hikeshi_domain::Classification::from_category(cat);
                // Keep what the handler had set on the other axes unless the category implies it.
                if cat.implied_attacker().is_none() {
                    c.attacker = old.classification.attacker;
                }
                if cat.implied_asset().is_none() {
                    c.asset = old.classification.asset;
                }
            }
        }
        if let Some(r) = patch.rsit {
            c.rsit = r;
        }
        c.attacker = patch.attacker.unwrap_or(c.attacker);
        c.asset = patch.asset.unwrap_or(c.asset);
        let tlp = patch.tlp.unwrap_or(old.tlp);
        let impact = patch.impact.unwrap_or(old.impact);
        let title = patch.title.clone().unwrap_or_else(|| old.title.clone());
        let summary = patch.summary.clone().unwrap_or_else(|| old.summary.clone());
        let owner = patch.owner.unwrap_or(old.owner);
        let constituency = patch
            .constituency
            .as_deref()
            .map_or_else(|| old.constituency.clone(), |c| c.trim().to_string());
        sqlx::query(
            "UPDATE incidents SET title = $1, summary = $2, category = $3, rsit_class = $4, rsit_type = $5, \
             attacker_class = $6, asset_class = $7, tlp = $8, functional_impact = $9, information_impact = $10, \
             recoverability = $11, criticality = $12, owner_id = $13, updated_at = $14, constituency = $16 \
             WHERE id = $15",
        )
        .bind(&title)
        .bind(&summary)
        .bind(c.category.as_str())
        .bind(c.rsit.class)
        .bind(c.rsit.kind)
        .bind(c.attacker.as_str())
        .bind(c.asset.as_str())
        .bind(tlp.as_str())
        .bind(impact.functional.as_str())
        .bind(impact.information.as_str())
        .bind(impact.recoverability.as_str())
        .bind(impact.criticality.as_str())
        .bind(owner.map(|u| u.0))
        .bind(tx.now)
        .bind(id.0)
        .bind(&constituency)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| crate::timeline::fk_error(e, "owner does not exist"))?;
        let priority = tx.policy.rule.priority(&impact, c.attacker);
        set_priority(&mut tx, id, priority, old.reported_at).await?;

        let mut changed = serde_json::Map::new();
        if c != old.classification {
            add_event(
                &mut tx,
                actor,
                id,
                "classified",
                json!({"from": old.classification, "to": c}),
            )
            .await?;
            changed.insert("classification".into(), json!(c));
        }
        if constituency != old.constituency {
            changed.insert(
                "constituency".into(),
                json!({"from": old.constituency, "to": constituency}),
            );
        }
        if tlp != old.tlp {
            changed.insert("tlp".into(), json!({"from": old.tlp, "to": tlp}));
        }
        if impact != old.impact || priority != old.priority {
            changed.insert(
                "impact".into(),
                json!({"impact": impact, "priority": {"from": old.priority, "to": priority}}),
            );
        }
        if owner != old.owner {
            changed.insert("owner".into(), json!({"from": old.owner, "to": owner}));
        }
        if title != old.title {
            changed.insert("title".into(), json!(title));
        }
        if summary != old.summary {
            changed.insert("summary".into(), json!(true));
        }
        let other: serde_json::Map<_, _> = changed
            .iter()
            .filter(|(k, _)| *k != "classification")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !other.is_empty() {
            add_event(
                &mut tx,
                actor,
                id,
                "updated",
                serde_json::Value::Object(other),
            )
            .await?;
        }
        tx.audit(
            actor,
            "incident.update",
            "incident",
            id.0,
            serde_json::Value::Object(changed),
        )
        .await?;
        let inc = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(inc)
    }

    /// Move to another phase, with who and why. The first time a clock's milestone is reached its
    /// timestamp is set (acknowledged, first response, contained, closed).
    pub async fn change_phase(
        &self,
        actor: &Actor,
        id: IncidentId,
        to: Phase,
        reason: &str,
    ) -> Result<Incident> {
        let mut tx = self.write().await?;
        let old = load(&mut tx, id).await?;
        old.phase.check_move(to)?;
        let m = old.milestones_reached(to);
        let now = tx.now;
        let at = |reached: bool, prev: Option<i64>| if reached { Some(now) } else { prev };
        // Reopening clears the closing time; the first acknowledgement etc. stay as facts.
        let closed_at = if m.closed {
            Some(now)
        } else if to.is_open() {
            None
        } else {
            old.closed_at
        };
        sqlx::query(
            "UPDATE incidents SET phase = $1, acknowledged_at = $2, first_response_at = $3, contained_at = $4, \
             closed_at = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(to.as_str())
        .bind(at(m.acknowledged, old.acknowledged_at))
        .bind(at(m.first_response, old.first_response_at))
        .bind(at(m.contained, old.contained_at))
        .bind(closed_at)
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await?;
        let detail = json!({"from": old.phase, "to": to, "reason": reason});
        add_event(&mut tx, actor, id, "phase", detail.clone()).await?;
        tx.audit(actor, "incident.phase", "incident", id.0, detail)
            .await?;
        let inc = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(inc)
    }

    /// Merge `from` into `into`: its reports move over, it becomes `merged` and points at the
    /// other, and both timelines say so.
    pub async fn merge_incidents(
        &self,
        actor: &Actor,
        from: IncidentId,
        into: IncidentId,
        reason: &str,
    ) -> Result<Incident> {
        if from == into {
            return Err(StoreError::Conflict(
                "an incident cannot be merged into itself".into(),
            ));
        }
        let mut tx = self.write().await?;
        let src = load(&mut tx, from).await?;
        let dst = load(&mut tx, into).await?;
        for (inc, role) in [(&src, "merged"), (&dst, "target")] {
            if inc.phase == Phase::Merged {
                return Err(StoreError::Conflict(format!(
                    "the {role} incident {} is already merged into another",
                    inc.number
                )));
            }
        }
        let moved =
            sqlx::query("UPDATE reports SET incident_id = $1, status = $2 WHERE incident_id = $3")
                .bind(into.0)
                .bind(ReportStatus::Linked.as_str())
                .bind(from.0)
                .execute(&mut *tx.tx)
                .await?
                .rows_affected();
        sqlx::query(
            "UPDATE incidents SET phase = $1, merged_into = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(Phase::Merged.as_str())
        .bind(into.0)
        .bind(tx.now)
        .bind(from.0)
        .execute(&mut *tx.tx)
        .await?;
        crate::incidents::touch(&mut tx, into).await?;
        add_event(
            &mut tx,
            actor,
            from,
            "merged",
            json!({"into": dst.number.to_string(), "into_id": into.0, "reason": reason, "from_phase": src.phase}),
        )
        .await?;
        add_event(
            &mut tx,
            actor,
            into,
            "merged-in",
            json!({"from": src.number.to_string(), "from_id": from.0, "reason": reason, "reports": moved}),
        )
        .await?;
        crate::incidents::refresh_clock(&mut tx, into).await?;
        tx.audit(
            actor,
            "incident.merge",
            "incident",
            from.0,
            json!({"into": into.0, "reason": reason}),
        )
        .await?;
        let inc = load(&mut tx, into).await?;
        tx.commit().await?;
        Ok(inc)
    }

    /// Name a person on the incident, so they see it even at TLP:RED.
    pub async fn add_member(&self, actor: &Actor, id: IncidentId, user: UserId) -> Result<()> {
        let mut tx = self.write().await?;
        crate::incidents::touch(&mut tx, id).await?;
        sqlx::query(
            "INSERT INTO incident_members (incident_id, user_id) VALUES ($1, $2) ON CONFLICT (incident_id, user_id) DO NOTHING",
        )
        .bind(id.0)
        .bind(user.0)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| crate::timeline::fk_error(e, "user does not exist"))?;
        add_event(&mut tx, actor, id, "member-added", json!({"user": user.0})).await?;
        tx.audit(
            actor,
            "incident.member",
            "incident",
            id.0,
            json!({"user": user.0}),
        )
        .await?;
        tx.commit().await
    }
}
