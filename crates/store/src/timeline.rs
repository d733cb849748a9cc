//! An incident's timeline, tasks and decisions.

use crate::query::{Arg, Where};
use crate::{Result, Store, StoreError, Viewer};
use hikeshi_domain::{
    Actor, Decision, DecisionId, EventId, IncidentId, Task, TaskId, TimelineEvent, UserId,
};
use serde_json::json;
use sqlx::Row;

/// Append a timeline event inside a caller's transaction.
pub(crate) async fn add_event(
    tx: &mut crate::Tx<'_>,
    actor: &Actor,
    incident: IncidentId,
    kind: &str,
    data: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (incident_id, at, actor_id, kind, data) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(incident.0)
    .bind(tx.now)
    .bind(actor.user().map(|u| u.0))
    .bind(kind)
    .bind(data.to_string())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

impl Store {
    /// Fail with NotFound unless the incident exists and the viewer may see it.
    pub(crate) async fn check_visible(&self, viewer: Viewer, id: IncidentId) -> Result<()> {
        let mut w = Where::default();
        w.and("i.id = ?", Arg::Int(id.0));
        viewer.restrict(&mut w, "i");
        let sql = format!("SELECT 1 AS one FROM incidents i{}", w.sql());
        crate::query::bind_all(sqlx::query(&sql), &w.args)
            .fetch_optional(&self.pool)
            .await?
            .map(|_| ())
            .ok_or_else(|| StoreError::NotFound(format!("incident {}", id.0)))
    }

    /// A free-text note on the timeline.
    pub async fn add_note(&self, actor: &Actor, id: IncidentId, text: &str) -> Result<()> {
        let mut tx = self.write().await?;
        crate::incidents::touch(&mut tx, id).await?;
        add_event(&mut tx, actor, id, "note", json!({"text": text})).await?;
        tx.audit(
            actor,
            "incident.note",
            "incident",
            id.0,
            json!({"length": text.len()}),
        )
        .await?;
        tx.commit().await
    }

    /// Every event of the incident, oldest first.
    pub async fn timeline(&self, viewer: Viewer, id: IncidentId) -> Result<Vec<TimelineEvent>> {
        self.check_visible(viewer, id).await?;
        let rows = sqlx::query(
            "SELECT e.id, e.at, e.actor_id, e.kind, e.data, u.display_name, u.username FROM events e \
             LEFT JOIN users u ON u.id = e.actor_id WHERE e.incident_id = $1 ORDER BY e.at, e.id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let data: String = r.try_get("data")?;
                Ok(TimelineEvent {
                    id: EventId(r.try_get("id")?),
                    incident_id: id,
                    at: r.try_get("at")?,
                    actor: r.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
                    actor_name: display(r)?,
                    kind: r.try_get("kind")?,
                    data: serde_json::from_str(&data)
                        .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?,
                })
            })
            .collect()
    }

    pub async fn add_task(
        &self,
        actor: &Actor,
        id: IncidentId,
        title: &str,
        assignee: Option<UserId>,
        due_at: Option<i64>,
    ) -> Result<Task> {
        let mut tx = self.write().await?;
        crate::incidents::touch(&mut tx, id).await?;
        let task_id: i64 = sqlx::query(
            "INSERT INTO tasks (incident_id, title, assignee_id, due_at, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id.0)
        .bind(title)
        .bind(assignee.map(|u| u.0))
        .bind(due_at)
        .bind(tx.now)
        .bind(actor.user().map(|u| u.0))
        .fetch_one(&mut *tx.tx)
        .await
        .map_err(|e| fk_error(e, "assignee does not exist"))?
        .try_get("id")?;
        add_event(
            &mut tx,
            actor,
            id,
            "task-added",
            json!({"task": task_id, "title": title, "assignee": assignee.map(|u| u.0), "due_at": due_at}),
        )
        .await?;
        tx.audit(
            actor,
            "task.create",
            "task",
            task_id,
            json!({"incident": id.0}),
        )
        .await?;
        tx.commit().await?;
        self.task(TaskId(task_id)).await
    }

    pub async fn task(&self, id: TaskId) -> Result<Task> {
        let r = sqlx::query(
            "SELECT t.id, t.incident_id, t.title, t.assignee_id, t.due_at, t.done_at, t.created_at, \
             u.display_name, u.username FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("task {}", id.0)))?;
        task(&r)
    }

    /// Mark a task done (or not done again).
    pub async fn set_task_done(&self, actor: &Actor, id: TaskId, done: bool) -> Result<Task> {
        let mut tx = self.write().await?;
        let r = sqlx::query("SELECT incident_id, title FROM tasks WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("task {}", id.0)))?;
        let incident = IncidentId(r.try_get("incident_id")?);
        let title: String = r.try_get("title")?;
        let done_at = done.then_some(tx.now);
        sqlx::query("UPDATE tasks SET done_at = $1 WHERE id = $2")
            .bind(done_at)
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
        crate::incidents::touch(&mut tx, incident).await?;
        let kind = if done { "task-done" } else { "task-reopened" };
        add_event(
            &mut tx,
            actor,
            incident,
            kind,
            json!({"task": id.0, "title": title}),
        )
        .await?;
        tx.audit(actor, "task.update", "task", id.0, json!({"done": done}))
            .await?;
        tx.commit().await?;
        self.task(id).await
    }

    pub async fn tasks(&self, viewer: Viewer, id: IncidentId) -> Result<Vec<Task>> {
        self.check_visible(viewer, id).await?;
        let rows = sqlx::query(
            "SELECT t.id, t.incident_id, t.title, t.assignee_id, t.due_at, t.done_at, t.created_at, \
             u.display_name, u.username FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id \
             WHERE t.incident_id = $1 ORDER BY t.id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(task).collect()
    }

    pub async fn add_decision(
        &self,
        actor: &Actor,
        id: IncidentId,
        subject: &str,
        decision: &str,
        decided_by: &str,
        decided_at: i64,
        note: &str,
    ) -> Result<Decision> {
        let mut tx = self.write().await?;
        crate::incidents::touch(&mut tx, id).await?;
        let did: i64 = sqlx::query(
            "INSERT INTO decisions (incident_id, subject, decision, decided_by, decided_at, recorded_by, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id.0)
        .bind(subject)
        .bind(decision)
        .bind(decided_by)
        .bind(decided_at)
        .bind(actor.user().map(|u| u.0))
        .bind(note)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        add_event(
            &mut tx,
            actor,
            id,
            "decision",
            json!({"decision": did, "subject": subject, "decision_text": decision, "decided_by": decided_by, "decided_at": decided_at}),
        )
        .await?;
        tx.audit(
            actor,
            "decision.create",
            "decision",
            did,
            json!({"incident": id.0, "subject": subject, "decided_by": decided_by}),
        )
        .await?;
        tx.commit().await?;
        Ok(Decision {
            id: DecisionId(did),
            incident_id: id,
            subject: subject.into(),
            decision: decision.into(),
            decided_by: decided_by.into(),
            decided_at,
            recorded_by: actor.user(),
            note: note.into(),
        })
    }

    pub async fn decisions(&self, viewer: Viewer, id: IncidentId) -> Result<Vec<Decision>> {
        self.check_visible(viewer, id).await?;
        let rows = sqlx::query(
            "SELECT id, subject, decision, decided_by, decided_at, recorded_by, note FROM decisions \
             WHERE incident_id = $1 ORDER BY decided_at, id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Decision {
                    id: DecisionId(r.try_get("id")?),
                    incident_id: id,
                    subject: r.try_get("subject")?,
                    decision: r.try_get("decision")?,
                    decided_by: r.try_get("decided_by")?,
                    decided_at: r.try_get("decided_at")?,
                    recorded_by: r.try_get::<Option<i64>, _>("recorded_by")?.map(UserId),
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }
}

fn display(r: &sqlx::any::AnyRow) -> Result<Option<String>> {
    let name: Option<String> = r.try_get("display_name")?;
    let user: Option<String> = r.try_get("username")?;
    Ok(name.filter(|n| !n.is_empty()).or(user))
}

fn task(r: &sqlx::any::AnyRow) -> Result<Task> {
    Ok(Task {
        id: TaskId(r.try_get("id")?),
        incident_id: IncidentId(r.try_get("incident_id")?),
        title: r.try_get("title")?,
        assignee: r.try_get::<Option<i64>, _>("assignee_id")?.map(UserId),
        assignee_name: display(r)?,
        due_at: r.try_get("due_at")?,
        done_at: r.try_get("done_at")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Foreign-key violations are the caller naming something that does not exist.
pub(crate) fn fk_error(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            StoreError::Conflict(what.to_owned())
        }
        _ => StoreError::Database(e),
    }
}
