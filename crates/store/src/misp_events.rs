//! MISP events held for the MISP-compatible API: kept as the JSON they were given, with their
//! attribute values indexed for `restSearch`, and readable only by their writer, the members of
//! their sharing group who may read it, and admins.

use crate::query::{Arg, Where, bind_all};
use crate::rows::{flag, named};
use crate::sharing::group_ceiling;
use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, Named, Tlp, UserId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One attribute value of an event, for searching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MispAttr {
    pub uuid: String,
    pub attr_type: String,
    pub category: String,
    pub value: String,
}

/// An event to store (insert, or replace the one with the same UUID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMispEvent {
    pub uuid: String,
    pub info: String,
    pub tlp: Tlp,
    pub published: bool,
    /// The event's own `timestamp` (seconds).
    pub event_ts: i64,
    /// The event object's JSON (without the `{"Event": …}` wrapper).
    pub body: String,
    pub attributes: Vec<MispAttr>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MispEventRow {
    pub id: i64,
    pub uuid: String,
    pub group_id: Option<i64>,
    pub info: String,
    pub tlp: Tlp,
    pub published: bool,
    pub event_ts: i64,
    pub body: String,
    pub source: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Who reads: a user through a session or a token, or an admin (everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MispReader {
    pub user: UserId,
    pub token: Option<i64>,
    pub admin: bool,
}

/// A `restSearch`: every given criterion must hold; values match exactly, or as a `%` pattern.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MispQuery {
    pub values: Vec<String>,
    pub types: Vec<String>,
    pub event_ids: Vec<i64>,
    pub uuids: Vec<String>,
    pub published: Option<bool>,
    /// Only events whose `timestamp` is at least this (seconds).
    pub since_ts: Option<i64>,
    pub limit: i64,
    pub page: i64,
}

const EVENT_COLS: &str = "e.id, e.uuid, e.group_id, e.info, e.tlp, e.published, e.event_ts, e.body, e.source, e.created_by, e.created_at, e.updated_at";

fn event_row(r: &AnyRow) -> Result<MispEventRow> {
    Ok(MispEventRow {
        id: r.try_get("id")?,
        uuid: r.try_get("uuid")?,
        group_id: r.try_get("group_id")?,
        info: r.try_get("info")?,
        tlp: named(r, "tlp")?,
        published: flag(r, "published")?,
        event_ts: r.try_get("event_ts")?,
        body: r.try_get("body")?,
        source: r.try_get("source")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn readable(w: &mut Where, who: MispReader) {
    if who.admin {
        return;
    }
    let u = w.arg(Arg::Int(who.user.0));
    let t = w.arg(Arg::Int(who.token.unwrap_or(-1)));
    w.and_raw(format!(
        "(e.created_by = {u} OR e.group_id IN (SELECT m.group_id FROM sharing_members m \
         WHERE (m.user_id = {u} OR m.token_id = {t}) AND m.can_read = 1))"
    ));
}

impl Store {
    /// Store an event (replacing the one with the same UUID, which must then be the writer's
    /// own or in a group the caller may write — checked by the caller). An event in a group
    /// must not be marked above the group's ceiling. Returns the row and whether it was new.
    pub async fn save_misp_event(
        &self,
        actor: &Actor,
        group: Option<i64>,
        source: &str,
        created_by: Option<UserId>,
        ev: &NewMispEvent,
    ) -> Result<(MispEventRow, bool)> {
        let mut tx = self.write().await?;
        if let Some(g) = group {
            let ceiling = group_ceiling(&mut tx, g).await?;
            if ev.tlp > ceiling {
                return Err(StoreError::Conflict(format!(
                    "the event is marked {}, above the sharing group's ceiling {}",
                    ev.tlp.label(),
                    ceiling.label()
                )));
            }
        }
        let existing: Option<i64> = sqlx::query("SELECT id FROM misp_events WHERE uuid = $1")
            .bind(&ev.uuid)
            .fetch_optional(&mut *tx.tx)
            .await?
            .map(|r| r.try_get("id"))
            .transpose()?;
        let id = match existing {
            Some(id) => {
                sqlx::query(
                    "UPDATE misp_events SET group_id = $2, info = $3, tlp = $4, published = $5, event_ts = $6, \
                     body = $7, updated_at = $8 WHERE id = $1",
                )
                .bind(id)
                .bind(group)
                .bind(&ev.info)
                .bind(ev.tlp.as_str())
                .bind(i64::from(ev.published))
                .bind(ev.event_ts)
                .bind(&ev.body)
                .bind(tx.now)
                .execute(&mut *tx.tx)
                .await?;
                sqlx::query("DELETE FROM misp_attributes WHERE event_id = $1")
                    .bind(id)
                    .execute(&mut *tx.tx)
                    .await?;
                id
            }
            None => sqlx::query(
                "INSERT INTO misp_events (uuid, group_id, info, tlp, published, event_ts, body, source, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(&ev.uuid)
            .bind(group)
            .bind(&ev.info)
            .bind(ev.tlp.as_str())
            .bind(i64::from(ev.published))
            .bind(ev.event_ts)
            .bind(&ev.body)
            .bind(source)
            .bind(created_by.map(|u| u.0))
            .bind(tx.now)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("id")?,
        };
        for a in &ev.attributes {
            sqlx::query(
                "INSERT INTO misp_attributes (event_id, uuid, attr_type, category, value) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (event_id, uuid) DO NOTHING",
            )
            .bind(id)
            .bind(&a.uuid)
            .bind(&a.attr_type)
            .bind(&a.category)
            .bind(&a.value)
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.audit(
            actor,
            if existing.is_some() {
                "misp_event.update"
            } else {
                "misp_event.create"
            },
            "misp_event",
            id,
            json!({"uuid": ev.uuid, "group": group, "tlp": ev.tlp, "attributes": ev.attributes.len(), "source": source}),
        )
        .await?;
        let r = sqlx::query(&format!(
            "SELECT {EVENT_COLS} FROM misp_events e WHERE e.id = $1"
        ))
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
        let row = event_row(&r)?;
        tx.commit().await?;
        Ok((row, existing.is_none()))
    }

    /// An event by id or UUID, if the reader may see it.
    pub async fn misp_event(&self, who: MispReader, key: &str) -> Result<MispEventRow> {
        let mut w = Where::default();
        let id = key.parse::<i64>().unwrap_or(-1);
        let a = w.arg(Arg::Int(id));
        let b = w.arg(Arg::Text(key.to_owned()));
        w.and_raw(format!("(e.id = {a} OR e.uuid = {b})"));
        readable(&mut w, who);
        let sql = format!("SELECT {EVENT_COLS} FROM misp_events e{}", w.sql());
        bind_all(sqlx::query(&sql), &w.args)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| event_row(&r))
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("event {key}")))
    }

    /// Events the reader may see that match every criterion, newest first.
    pub async fn search_misp_events(
        &self,
        who: MispReader,
        q: &MispQuery,
    ) -> Result<Vec<MispEventRow>> {
        let mut w = Where::default();
        readable(&mut w, who);
        if !q.values.is_empty() || !q.types.is_empty() {
            let mut sub = Vec::new();
            if !q.values.is_empty() {
                let ors: Vec<String> = q
                    .values
                    .iter()
                    .map(|v| {
                        if v.contains('%') {
                            format!("LOWER(a.value) LIKE {}", w.arg(Arg::Text(v.to_lowercase())))
                        } else {
                            format!("a.value = {}", w.arg(Arg::Text(v.clone())))
                        }
                    })
                    .collect();
                sub.push(format!("({})", ors.join(" OR ")));
            }
            if !q.types.is_empty() {
                let ps: Vec<String> = q
                    .types
                    .iter()
                    .map(|t| w.arg(Arg::Text(t.clone())))
                    .collect();
                sub.push(format!("a.attr_type IN ({})", ps.join(", ")));
            }
            w.and_raw(format!(
                "e.id IN (SELECT a.event_id FROM misp_attributes a WHERE {})",
                sub.join(" AND ")
            ));
        }
        if !q.event_ids.is_empty() {
            let ps: Vec<String> = q.event_ids.iter().map(|i| w.arg(Arg::Int(*i))).collect();
            w.and_raw(format!("e.id IN ({})", ps.join(", ")));
        }
        if !q.uuids.is_empty() {
            let ps: Vec<String> = q
                .uuids
                .iter()
                .map(|u| w.arg(Arg::Text(u.clone())))
                .collect();
            w.and_raw(format!("e.uuid IN ({})", ps.join(", ")));
        }
        if let Some(p) = q.published {
            w.and("e.published = ?", Arg::Int(i64::from(p)));
        }
        if let Some(t) = q.since_ts {
            w.and("e.event_ts >= ?", Arg::Int(t));
        }
        let limit = if q.limit <= 0 {
            1000
        } else {
            q.limit.min(10_000)
        };
        let off = (q.page.max(1) - 1).saturating_mul(limit);
        let (l, o) = (w.arg(Arg::Int(limit)), w.arg(Arg::Int(off)));
        let sql = format!(
            "SELECT {EVENT_COLS} FROM misp_events e{} ORDER BY e.event_ts DESC, e.id DESC LIMIT {l} OFFSET {o}",
            w.sql()
        );
        let rows = bind_all(sqlx::query(&sql), &w.args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(event_row).collect()
    }

    /// Delete an event the caller may delete (checked by the caller).
    pub async fn delete_misp_event(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM misp_attributes WHERE event_id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        let n = sqlx::query("DELETE FROM misp_events WHERE id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("event {id}")));
        }
        tx.audit(actor, "misp_event.delete", "misp_event", id, json!({}))
            .await?;
        tx.commit().await
    }
}
