//! STIX objects held in sharing groups (what the TAXII 2.1 collections serve), and the status
//! resources of envelopes written to them.

use crate::query::{Arg, Where, bind_all};
use crate::rows::named;
use crate::sharing::group_ceiling;
use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, Named, Tlp, UserId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An object to add, already checked by the caller (hikeshi-exchange's STIX reader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSharedObject {
    pub stix_id: String,
    pub stix_type: String,
    pub spec_version: String,
    /// `modified`, `created` or '' as written in the object.
    pub version: String,
    pub version_ms: i64,
    pub tlp: Tlp,
    /// The object's JSON, stored and served as given.
    pub body: String,
}

/// What happened to one object of a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "message", rename_all = "lowercase")]
pub enum AddOutcome {
    Added,
    /// The same id and version was there already: nothing changed.
    Exists,
    /// Refused, with the reason (its marking is above the group's ceiling).
    Refused(String),
}

/// A stored object version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedObject {
    pub seq: i64,
    pub stix_id: String,
    pub stix_type: String,
    pub spec_version: String,
    pub version: String,
    pub version_ms: i64,
    pub added_us: i64,
    pub tlp: Tlp,
    pub body: String,
}

/// Which versions of each object a read returns (TAXII `match[version]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Versions {
    #[default]
    Last,
    First,
    All,
    /// These exact versions, in ms.
    At(Vec<i64>),
}

/// A read of a group's objects (TAXII filters and paging).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectQuery {
    /// Only objects added strictly after this time (µs).
    pub added_after_us: Option<i64>,
    /// Paging cursor: only objects with a larger `seq` (the `next` of the previous page).
    pub after_seq: Option<i64>,
    pub ids: Vec<String>,
    pub types: Vec<String>,
    pub spec_versions: Vec<String>,
    pub versions: Versions,
    pub limit: i64,
}

/// One page of objects; `more` when another page follows (its cursor is the last `seq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectPage {
    pub objects: Vec<SharedObject>,
    pub more: bool,
}

/// A TAXII status resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaxiiStatus {
    pub id: String,
    pub group_id: i64,
    pub request_ms: i64,
    pub total: i64,
    pub success_count: i64,
    pub failure_count: i64,
    pub successes: serde_json::Value,
    pub failures: serde_json::Value,
    pub created_by: Option<i64>,
}

const OBJ_COLS: &str = "o.seq, o.stix_id, o.stix_type, o.spec_version, o.version, o.version_ms, o.added_us, o.tlp, o.body";

fn object_row(r: &AnyRow) -> Result<SharedObject> {
    Ok(SharedObject {
        seq: r.try_get("seq")?,
        stix_id: r.try_get("stix_id")?,
        stix_type: r.try_get("stix_type")?,
        spec_version: r.try_get("spec_version")?,
        version: r.try_get("version")?,
        version_ms: r.try_get("version_ms")?,
        added_us: r.try_get("added_us")?,
        tlp: named(r, "tlp")?,
        body: r.try_get("body")?,
    })
}

fn in_list(w: &mut Where, col: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let ps: Vec<String> = values.iter().map(|v| w.arg(Arg::Text(v.clone()))).collect();
    w.and_raw(format!("{col} IN ({})", ps.join(", ")));
}

impl Store {
    /// Add objects to a group, all in one transaction. Each object marked above the group's
    /// ceiling is refused (and nothing of it stored); an id and version already present is left
    /// as it is. Returns one outcome per object, in order.
    pub async fn add_shared_objects(
        &self,
        actor: &Actor,
        group: i64,
        source: &str,
        objects: &[NewSharedObject],
    ) -> Result<Vec<AddOutcome>> {
        let mut tx = self.write().await?;
        let ceiling = group_ceiling(&mut tx, group).await?;
        let last: Option<i64> =
            sqlx::query("SELECT MAX(added_us) AS m FROM shared_objects WHERE group_id = $1")
                .bind(group)
                .fetch_one(&mut *tx.tx)
                .await?
                .try_get("m")?;
        let mut added_us = (tx.now * 1000).max(last.unwrap_or(0) + 1);
        let mut out = Vec::with_capacity(objects.len());
        let (mut added, mut refused) = (0usize, 0usize);
        for o in objects {
            if o.tlp > ceiling {
                refused += 1;
                out.push(AddOutcome::Refused(format!(
                    "marked {}, above this collection's ceiling {}",
                    o.tlp.label(),
                    ceiling.label()
                )));
                continue;
            }
            let n = sqlx::query(
                "INSERT INTO shared_objects (group_id, stix_id, stix_type, spec_version, version, version_ms, added_us, tlp, body, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (group_id, stix_id, version) DO NOTHING",
            )
            .bind(group)
            .bind(&o.stix_id)
            .bind(&o.stix_type)
            .bind(&o.spec_version)
            .bind(&o.version)
            .bind(o.version_ms)
            .bind(added_us)
            .bind(o.tlp.as_str())
            .bind(&o.body)
            .bind(source)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            if n > 0 {
                added += 1;
                added_us += 1;
                out.push(AddOutcome::Added);
            } else {
                out.push(AddOutcome::Exists);
            }
        }
        tx.audit(
            actor,
            "sharing_group.objects",
            "sharing_group",
            group,
            json!({"source": source, "objects": objects.len(), "added": added, "refused": refused}),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One page of a group's objects, oldest addition first.
    pub async fn shared_objects(&self, group: i64, q: &ObjectQuery) -> Result<ObjectPage> {
        let mut w = Where::default();
        w.and("o.group_id = ?", Arg::Int(group));
        if let Some(t) = q.added_after_us {
            w.and("o.added_us > ?", Arg::Int(t));
        }
        if let Some(s) = q.after_seq {
            w.and("o.seq > ?", Arg::Int(s));
        }
        in_list(&mut w, "o.stix_id", &q.ids);
        in_list(&mut w, "o.stix_type", &q.types);
        in_list(&mut w, "o.spec_version", &q.spec_versions);
        match &q.versions {
            Versions::All => {}
            Versions::Last => w.and_raw(
                "NOT EXISTS (SELECT 1 FROM shared_objects n WHERE n.group_id = o.group_id \
                 AND n.stix_id = o.stix_id AND n.version_ms > o.version_ms)"
                    .into(),
            ),
            Versions::First => w.and_raw(
                "NOT EXISTS (SELECT 1 FROM shared_objects n WHERE n.group_id = o.group_id \
                 AND n.stix_id = o.stix_id AND n.version_ms < o.version_ms)"
                    .into(),
            ),
            Versions::At(v) => {
                if v.is_empty() {
                    w.and_raw("1 = 0".into());
                } else {
                    let ps: Vec<String> = v.iter().map(|t| w.arg(Arg::Int(*t))).collect();
                    w.and_raw(format!("o.version_ms IN ({})", ps.join(", ")));
                }
            }
        }
        let limit = q.limit.clamp(1, 10_000);
        let lim = w.arg(Arg::Int(limit + 1));
        let sql = format!(
            "SELECT {OBJ_COLS} FROM shared_objects o{} ORDER BY o.seq LIMIT {lim}",
            w.sql()
        );
        let rows = bind_all(sqlx::query(&sql), &w.args)
            .fetch_all(&self.pool)
            .await?;
        let mut objects = rows.iter().map(object_row).collect::<Result<Vec<_>>>()?;
        let more = objects.len() as i64 > limit;
        objects.truncate(limit as usize);
        Ok(ObjectPage { objects, more })
    }

    /// Record the status of an envelope written to a group.
    pub async fn save_taxii_status(&self, actor: &Actor, st: &TaxiiStatus) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO taxii_status (id, group_id, request_ms, total, success_count, failure_count, successes, failures, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&st.id)
        .bind(st.group_id)
        .bind(st.request_ms)
        .bind(st.total)
        .bind(st.success_count)
        .bind(st.failure_count)
        .bind(st.successes.to_string())
        .bind(st.failures.to_string())
        .bind(st.created_by)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            "taxii.status",
            "sharing_group",
            st.group_id,
            json!({"status": st.id, "total": st.total, "failures": st.failure_count}),
        )
        .await?;
        tx.commit().await
    }

    /// A status resource, only for the user who wrote it (or `None` for any).
    pub async fn taxii_status(&self, id: &str, who: Option<UserId>) -> Result<TaxiiStatus> {
        let r = sqlx::query(
            "SELECT id, group_id, request_ms, total, success_count, failure_count, successes, failures, created_by \
             FROM taxii_status WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("status {id}")))?;
        let created_by: Option<i64> = r.try_get("created_by")?;
        if let Some(u) = who
            && created_by != Some(u.0)
        {
            return Err(StoreError::NotFound(format!("status {id}")));
        }
        let js = |c: &str| -> Result<serde_json::Value> {
            let s: String = r.try_get(c)?;
            serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{c}: {e}")))
        };
        Ok(TaxiiStatus {
            id: r.try_get("id")?,
            group_id: r.try_get("group_id")?,
            request_ms: r.try_get("request_ms")?,
            total: r.try_get("total")?,
            success_count: r.try_get("success_count")?,
            failure_count: r.try_get("failure_count")?,
            successes: js("successes")?,
            failures: js("failures")?,
            created_by,
        })
    }
}
