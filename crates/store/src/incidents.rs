//! Incidents: creation from reports, classification with history, phases, merging.

use crate::query::{Arg, Where, bind_all};
use crate::rows::{Page, Paged, flag, named};
use crate::timeline::add_event;
use crate::{Result, Store, StoreError, Tx, Viewer};
use hikeshi_domain::{
    Actor, AssetClass, AttackerClass, Category, Classification, Impact, Incident, IncidentId,
    IncidentNumber, Phase, Priority, ReportId, Rsit, SlaDue, Tlp, UserId, Writeup,
};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: String,
    pub summary: String,
    pub category: Category,
    /// Overrides the category's default RSIT pair.
    pub rsit: Option<Rsit>,
    pub attacker: Option<AttackerClass>,
    pub asset: Option<AssetClass>,
    pub tlp: Tlp,
    pub impact: Impact,
    pub owner: Option<UserId>,
    /// Reports to link; the SLA clocks start at the earliest of them.
    pub reports: Vec<ReportId>,
    /// A drill: kept out of real statistics.
    pub is_exercise: bool,
}

/// A partial update; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct IncidentPatch {
    pub title: Option<String>,
    pub summary: Option<String>,
    /// A new category resets the RSIT pair to its default unless `rsit` is given too.
    pub category: Option<Category>,
    pub rsit: Option<Rsit>,
    pub attacker: Option<AttackerClass>,
    pub asset: Option<AssetClass>,
    pub tlp: Option<Tlp>,
    pub impact: Option<Impact>,
    /// `Some(None)` clears the owner.
    pub owner: Option<Option<UserId>>,
    /// Trimmed; empty clears it.
    pub constituency: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub phase: Option<Phase>,
    pub open_only: bool,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    /// Owned by, or with a task assigned to, this user.
    pub assignee: Option<UserId>,
    /// Case-insensitive text in number, title or summary, or an indicator (defanged or
    /// full-width as pasted) the incident holds.
    pub text: Option<String>,
}

pub(crate) const COLS: &str = "i.id, i.year, i.seq, i.title, i.summary, i.phase, i.category, i.rsit_class, \
    i.rsit_type, i.attacker_class, i.asset_class, i.tlp, i.functional_impact, i.information_impact, \
    i.recoverability, i.criticality, i.priority, i.ack_due, i.first_response_due, i.containment_due, \
    i.owner_id, i.reported_at, i.created_at, i.updated_at, i.acknowledged_at, i.first_response_at, \
    i.contained_at, i.closed_at, i.merged_into, i.is_exercise, i.created_by, i.owner_reached_at, \
    i.impact_text, i.scope_accounts, i.scope_data, i.lessons, i.constituency, i.coordinated_at";

pub(crate) fn incident(r: &AnyRow) -> Result<Incident> {
    let class: String = r.try_get("rsit_class")?;
    let kind: String = r.try_get("rsit_type")?;
    Ok(Incident {
        id: IncidentId(r.try_get("id")?),
        number: IncidentNumber {
            year: r.try_get::<i64, _>("year")? as i32,
            seq: r.try_get("seq")?,
        },
        title: r.try_get("title")?,
        summary: r.try_get("summary")?,
        phase: named(r, "phase")?,
        classification: Classification {
            category: named(r, "category")?,
            rsit: Rsit::new(&class, &kind).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            attacker: named(r, "attacker_class")?,
            asset: named(r, "asset_class")?,
        },
        tlp: named(r, "tlp")?,
        impact: Impact {
            functional: named(r, "functional_impact")?,
            information: named(r, "information_impact")?,
            recoverability: named(r, "recoverability")?,
            criticality: named(r, "criticality")?,
        },
        priority: named(r, "priority")?,
        sla: SlaDue {
            acknowledge: r.try_get("ack_due")?,
            first_response: r.try_get("first_response_due")?,
            containment: r.try_get("containment_due")?,
        },
        owner: r.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
        reported_at: r.try_get("reported_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        first_response_at: r.try_get("first_response_at")?,
        contained_at: r.try_get("contained_at")?,
        closed_at: r.try_get("closed_at")?,
        merged_into: r.try_get::<Option<i64>, _>("merged_into")?.map(IncidentId),
        is_exercise: flag(r, "is_exercise")?,
        created_by: r.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        owner_reached_at: r.try_get("owner_reached_at")?,
        writeup: Writeup {
            impact: r.try_get("impact_text")?,
            accounts: r.try_get("scope_accounts")?,
            data: r.try_get("scope_data")?,
            lessons: r.try_get("lessons")?,
        },
        constituency: r.try_get("constituency")?,
        coordinated_at: r.try_get("coordinated_at")?,
    })
}

/// The incident as it is inside a transaction (no visibility check: callers have checked).
pub(crate) async fn load(tx: &mut Tx<'_>, id: IncidentId) -> Result<Incident> {
    let sql = format!("SELECT {COLS} FROM incidents i WHERE i.id = $1");
    let r = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("incident {}", id.0)))?;
    incident(&r)
}

/// Bump `updated_at`, failing if the incident does not exist.
pub(crate) async fn touch(tx: &mut Tx<'_>, id: IncidentId) -> Result<()> {
    let n = sqlx::query("UPDATE incidents SET updated_at = $1 WHERE id = $2")
        .bind(tx.now)
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound(format!("incident {}", id.0)));
    }
    Ok(())
}

/// Recompute the SLA clock start (the earliest linked report) and the due times from the
/// incident's current priority.
pub(crate) async fn refresh_clock(tx: &mut Tx<'_>, id: IncidentId) -> Result<()> {
    let inc = load(tx, id).await?;
    let earliest: Option<i64> =
        sqlx::query("SELECT MIN(received_at) AS m FROM reports WHERE incident_id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("m")?;
    let reported_at = earliest.map_or(inc.reported_at, |e| e.min(inc.reported_at));
    set_priority(tx, id, inc.priority, reported_at).await
}

pub(crate) async fn set_priority(
    tx: &mut Tx<'_>,
    id: IncidentId,
    p: Priority,
    reported_at: i64,
) -> Result<()> {
    let due = tx.policy.sla.due(p, reported_at);
    sqlx::query(
        "UPDATE incidents SET priority = $1, reported_at = $2, ack_due = $3, first_response_due = $4, \
         containment_due = $5 WHERE id = $6",
    )
    .bind(p.as_str())
    .bind(reported_at)
    .bind(due.acknowledge)
    .bind(due.first_response)
    .bind(due.containment)
    .bind(id.0)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

use hikeshi_domain::Named;

impl Store {
    pub async fn create_incident(&self, actor: &Actor, new: NewIncident) -> Result<Incident> {
        let mut c = Classification::from_category(new.category);
        if let Some(r) = new.rsit {
            c.rsit = r;
        }
        c.attacker = new.attacker.unwrap_or(c.attacker);
        c.asset = new.asset.unwrap_or(c.asset);
        let priority = self.policy().rule.priority(&new.impact, c.attacker);
        let mut tx = self.write().await?;
        let now = tx.now;
        let year = i64::from(hikeshi_domain::time::year_jst(now));
        let seq: i64 = sqlx::query(
            "INSERT INTO incident_counters (year, last) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last = incident_counters.last + 1 RETURNING last",
        )
        .bind(year)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("last")?;
        let due = self.policy().sla.due(priority, now);
        let id: i64 = sqlx::query(
            "INSERT INTO incidents (year, seq, title, summary, phase, category, rsit_class, rsit_type, attacker_class, \
             asset_class, tlp, functional_impact, information_impact, recoverability, criticality, priority, ack_due, \
             first_response_due, containment_due, owner_id, reported_at, created_at, updated_at, is_exercise, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23, $24) \
             RETURNING id",
        )
        .bind(year)
        .bind(seq)
        .bind(&new.title)
        .bind(&new.summary)
        .bind(Phase::New.as_str())
        .bind(c.category.as_str())
        .bind(c.rsit.class)
        .bind(c.rsit.kind)
        .bind(c.attacker.as_str())
        .bind(c.asset.as_str())
        .bind(new.tlp.as_str())
        .bind(new.impact.functional.as_str())
        .bind(new.impact.information.as_str())
        .bind(new.impact.recoverability.as_str())
        .bind(new.impact.criticality.as_str())
        .bind(priority.as_str())
        .bind(due.acknowledge)
        .bind(due.first_response)
        .bind(due.containment)
        .bind(new.owner.map(|u| u.0))
        .bind(now)
        .bind(now)
        .bind(i64::from(new.is_exercise))
        .bind(actor.user().map(|u| u.0))
        .fetch_one(&mut *tx.tx)
        .await
        .map_err(|e| crate::timeline::fk_error(e, "owner does not exist"))?
        .try_get("id")?;
        let id = IncidentId(id);
        let constituency =
            crate::stats::constituency_from_report(&mut tx, id, &new.reports).await?;
        let number = IncidentNumber {
            year: year as i32,
            seq,
        };
        add_event(
            &mut tx,
            actor,
            id,
            "created",
            json!({"number": number.to_string(), "category": c.category.as_str(), "priority": priority.as_str(), "tlp": new.tlp.as_str()}),
        )
        .await?;
        tx.audit(
            actor,
            "incident.create",
            "incident",
            id.0,
            json!({"number": number.to_string(), "reports": new.reports.iter().map(|r| r.0).collect::<Vec<_>>(), "constituency": constituency}),
        )
        .await?;
        for r in &new.reports {
            crate::reports::report_status(&mut tx, *r).await?;
            crate::reports::link_report_in(&mut tx, actor, *r, id).await?;
        }
        if !new.reports.is_empty() {
            refresh_clock(&mut tx, id).await?;
        }
        let inc = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(inc)
    }

    /// One incident, if the viewer may see it.
    pub async fn incident(&self, viewer: Viewer, id: IncidentId) -> Result<Incident> {
        let mut w = Where::default();
        w.and("i.id = ?", Arg::Int(id.0));
        self.one_incident(viewer, w, || format!("incident {}", id.0))
            .await
    }

    pub async fn incident_by_number(&self, viewer: Viewer, n: IncidentNumber) -> Result<Incident> {
        let mut w = Where::default();
        w.and("i.year = ?", Arg::Int(i64::from(n.year)));
        w.and("i.seq = ?", Arg::Int(n.seq));
        self.one_incident(viewer, w, || format!("incident {n}"))
            .await
    }

    async fn one_incident(
        &self,
        viewer: Viewer,
        mut w: Where,
        what: impl FnOnce() -> String,
    ) -> Result<Incident> {
        viewer.restrict(&mut w, "i");
        let sql = format!("SELECT {COLS} FROM incidents i{}", w.sql());
        let r = bind_all(sqlx::query(&sql), &w.args)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(what()))?;
        incident(&r)
    }

    pub async fn list_incidents(
        &self,
        viewer: Viewer,
        f: &IncidentFilter,
        page: Page,
    ) -> Result<Paged<Incident>> {
        let mut w = Where::default();
        if let Some(p) = f.phase {
            w.and("i.phase = ?", Arg::Text(p.as_str().into()));
        }
        if f.open_only {
            w.and_raw(OPEN_ONLY.into());
        }
        if let Some(c) = f.category {
            w.and("i.category = ?", Arg::Text(c.as_str().into()));
        }
        if let Some(p) = f.priority {
            w.and("i.priority = ?", Arg::Text(p.as_str().into()));
        }
        if let Some(u) = f.assignee {
            // Owned or holding a task assigned: one set of ids read through the owner and task
            // assignee indexes, where an `OR EXISTS` probed the tasks of every open incident.
            let p = w.arg(Arg::Int(u.0));
            let open = if f.open_only {
                format!(" AND {}", OPEN_ONLY.replace("i.", "o."))
            } else {
                String::new()
            };
            w.and_raw(format!(
                "i.id IN (SELECT o.id FROM incidents o WHERE o.owner_id = {p}{open} \
                 UNION SELECT t.incident_id FROM tasks t WHERE t.assignee_id = {p})"
            ));
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            if let Ok(n) = t.parse::<IncidentNumber>() {
                w.and("i.year = ?", Arg::Int(i64::from(n.year)));
                w.and("i.seq = ?", Arg::Int(n.seq));
            } else {
                // Or holding the indicator the text is, however it was pasted.
                let holding = crate::search::holding_ids(&mut w, viewer, t, false);
                let text =
                    crate::search::text_clause(&mut w, self.backend, &INCIDENT_TEXT, t, holding);
                w.and_raw(text);
            }
        }
        viewer.restrict(&mut w, "i");
        LIST.page(&self.pool, &w, page, incident).await
    }
}

/// Not closed, rejected or merged, as the partial indexes on open incidents (migrations 0018,
/// 0019) say it, so the planners use them.
const OPEN_ONLY: &str = "i.phase NOT IN ('closed', 'rejected', 'merged')";

/// The incident list's order: priority, then most recently updated, then id (migration 0017's
/// `incidents_list` index).
const LIST: crate::query::Keyset<'static, Incident> = crate::query::Keyset {
    cols: COLS,
    from: "incidents i",
    keys: &[
        ("i.priority", false),
        ("i.updated_at", true),
        ("i.id", true),
    ],
    key_of: |i| crate::Cursor {
        lead: Some(i.priority),
        at: i.updated_at,
        id: i.id.0,
    },
    args_of: |c| {
        vec![
            Arg::Text(c.lead.map(|p| p.as_str()).unwrap_or_default().into()),
            Arg::Int(c.at),
            Arg::Int(c.id),
        ]
    },
};

/// The searched text of incidents.
const INCIDENT_TEXT: crate::search::Searched = crate::search::Searched {
    table: "incidents",
    alias: "i",
    index: "incidents_text",
    columns: &["title", "summary"],
    address: None,
};
