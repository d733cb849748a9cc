//! Sharing groups (the audiences indicators are shared with), who may read or write them, the
//! instance's stable identity, and indicators that came in from outside with their source.
//!
//! A group's `tlp_max` is enforced here, at the write: [`Store::add_shared_objects`] and
//! [`Store::save_misp_event`] refuse anything marked above it, whoever writes, so no read path
//! can leak what was never stored.

use crate::rows::{flag, named};
use crate::{Result, Store, StoreError, Tx};
use hikeshi_domain::{Actor, Indicator, Named, Tlp, UserId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An audience: a TAXII collection, a MISP sharing scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharingGroup {
    pub id: i64,
    /// The TAXII collection id.
    pub uuid: String,
    pub name: String,
    pub description: String,
    /// The most restrictive marking its members may receive.
    pub tlp_max: Tlp,
    pub created_at: i64,
}

/// What a caller may do with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Access {
    pub read: bool,
    pub write: bool,
}

/// Who a membership is for: a user (all their sessions and tokens) or one API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Principal {
    User(UserId),
    Token(i64),
}

/// A membership as listed for an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub principal: Principal,
    /// The user's name, or the token's owner and name ("alice/feed-bot").
    pub name: String,
    pub access: Access,
}

/// An indicator that came in from outside, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedIndicator {
    pub indicator: Indicator,
    /// The id of the object it came in (a STIX id, a MISP attribute uuid).
    pub source_ref: String,
    pub tlp: Tlp,
    pub comment: String,
}

/// An object that came with an import and is kept whole (not an indicator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptObject {
    /// Its id in the source (a STIX id, a MISP uuid), unique per source.
    pub object_id: String,
    pub object_type: String,
    /// The object's JSON as it came.
    pub body: String,
}

/// One source of an indicator, as shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorSource {
    pub source: String,
    pub source_ref: String,
    pub tlp: Tlp,
    pub comment: String,
    pub first_at: i64,
    pub last_at: i64,
}

const GROUP_COLS: &str = "id, uuid, name, description, tlp_max, created_at";

fn group_row(r: &AnyRow) -> Result<SharingGroup> {
    Ok(SharingGroup {
        id: r.try_get("id")?,
        uuid: r.try_get("uuid")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        tlp_max: named(r, "tlp_max")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The group's ceiling, read inside a write transaction.
pub(crate) async fn group_ceiling(tx: &mut Tx<'_>, group: i64) -> Result<Tlp> {
    let r = sqlx::query("SELECT tlp_max FROM sharing_groups WHERE id = $1")
        .bind(group)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("sharing group {group}")))?;
    named(&r, "tlp_max")
}

impl Store {
    /// The instance's stable UUID: the STIX identity and MISP organisation of this team,
    /// created on first use and never changed.
    pub async fn instance_uuid(&self) -> Result<String> {
        if let Some(r) = sqlx::query("SELECT value FROM settings WHERE key = 'instance_uuid'")
            .fetch_optional(&self.pool)
            .await?
        {
            return Ok(r.try_get("value")?);
        }
        let fresh = uuid::Uuid::new_v4().to_string();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('instance_uuid', $1) ON CONFLICT (key) DO NOTHING",
        )
        .bind(&fresh)
        .execute(&mut *tx.tx)
        .await?;
        let v: String = sqlx::query("SELECT value FROM settings WHERE key = 'instance_uuid'")
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("value")?;
        tx.audit(
            &Actor::System,
            "instance.uuid",
            "settings",
            0,
            json!({"uuid": v}),
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Create a sharing group. Its UUID (the TAXII collection id) is generated here.
    pub async fn create_sharing_group(
        &self,
        actor: &Actor,
        name: &str,
        description: &str,
        tlp_max: Tlp,
    ) -> Result<SharingGroup> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict("a sharing group needs a name".into()));
        }
        let mut tx = self.write().await?;
        let taken = sqlx::query("SELECT 1 AS x FROM sharing_groups WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "a sharing group named {name:?} exists already"
            )));
        }
        let uuid = uuid::Uuid::new_v4().to_string();
        let r = sqlx::query(&format!(
            "INSERT INTO sharing_groups (uuid, name, description, tlp_max, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {GROUP_COLS}"
        ))
        .bind(&uuid)
        .bind(name)
        .bind(description)
        .bind(tlp_max.as_str())
        .bind(tx.now)
        .fetch_one(&mut *tx.tx)
        .await?;
        let g = group_row(&r)?;
        tx.audit(
            actor,
            "sharing_group.create",
            "sharing_group",
            g.id,
            json!({"name": name, "uuid": uuid, "tlp_max": tlp_max}),
        )
        .await?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn sharing_groups(&self) -> Result<Vec<SharingGroup>> {
        let rows = sqlx::query(&format!(
            "SELECT {GROUP_COLS} FROM sharing_groups ORDER BY name"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(group_row).collect()
    }

    /// A group by its numeric id, UUID or name.
    pub async fn sharing_group(&self, key: &str) -> Result<SharingGroup> {
        let id = key.parse::<i64>().unwrap_or(-1);
        sqlx::query(&format!(
            "SELECT {GROUP_COLS} FROM sharing_groups WHERE id = $1 OR uuid = $2 OR name = $2"
        ))
        .bind(id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| group_row(&r))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("sharing group {key:?}")))
    }

    /// Grant (or change, or with no access remove) a principal's access to a group.
    pub async fn set_sharing_member(
        &self,
        actor: &Actor,
        group: i64,
        who: Principal,
        access: Access,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        group_ceiling(&mut tx, group).await?;
        let (user, token) = match who {
            Principal::User(u) => (Some(u.0), None),
            Principal::Token(t) => (None, Some(t)),
        };
        sqlx::query(
            "DELETE FROM sharing_members WHERE group_id = $1 AND \
             ((user_id = $2) OR (token_id = $3))",
        )
        .bind(group)
        .bind(user.unwrap_or(-1))
        .bind(token.unwrap_or(-1))
        .execute(&mut *tx.tx)
        .await?;
        if access.read || access.write {
            sqlx::query(
                "INSERT INTO sharing_members (group_id, user_id, token_id, can_read, can_write) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(group)
            .bind(user)
            .bind(token)
            .bind(i64::from(access.read))
            .bind(i64::from(access.write))
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.audit(
            actor,
            "sharing_group.member",
            "sharing_group",
            group,
            json!({"principal": who, "read": access.read, "write": access.write}),
        )
        .await?;
        tx.commit().await
    }

    pub async fn sharing_members(&self, group: i64) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT m.user_id, m.token_id, m.can_read, m.can_write, u.username, t.name AS token_name, tu.username AS token_owner \
             FROM sharing_members m LEFT JOIN users u ON u.id = m.user_id \
             LEFT JOIN api_tokens t ON t.id = m.token_id LEFT JOIN users tu ON tu.id = t.user_id \
             WHERE m.group_id = $1 ORDER BY m.id",
        )
        .bind(group)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let user: Option<i64> = r.try_get("user_id")?;
                let access = Access {
                    read: flag(r, "can_read")?,
                    write: flag(r, "can_write")?,
                };
                Ok(match user {
                    Some(u) => Member {
                        principal: Principal::User(UserId(u)),
                        name: r
                            .try_get::<Option<String>, _>("username")?
                            .unwrap_or_default(),
                        access,
                    },
                    None => Member {
                        principal: Principal::Token(r.try_get("token_id")?),
                        name: format!(
                            "{}/{}",
                            r.try_get::<Option<String>, _>("token_owner")?
                                .unwrap_or_default(),
                            r.try_get::<Option<String>, _>("token_name")?
                                .unwrap_or_default()
                        ),
                        access,
                    },
                })
            })
            .collect()
    }

    /// What a caller (a user, through a session or one of their tokens) may do with a group.
    /// Admins may do everything; otherwise the user's membership and the token's own add up.
    pub async fn sharing_access(
        &self,
        group: i64,
        user: UserId,
        admin: bool,
        token: Option<i64>,
    ) -> Result<Access> {
        if admin {
            return Ok(Access {
                read: true,
                write: true,
            });
        }
        let rows = sqlx::query(
            "SELECT can_read, can_write FROM sharing_members WHERE group_id = $1 AND (user_id = $2 OR token_id = $3)",
        )
        .bind(group)
        .bind(user.0)
        .bind(token.unwrap_or(-1))
        .fetch_all(&self.pool)
        .await?;
        let mut a = Access::default();
        for r in &rows {
            a.read |= flag(r, "can_read")?;
            a.write |= flag(r, "can_write")?;
        }
        Ok(a)
    }

    /// Record indicators that came in from `source` ("feed:2", "import:stix", "taxii:group:1",
    /// "misp:event:7"), creating the global indicators as needed. Returns how many
    /// (indicator, source, ref) links are new.
    /// The objects of the import that are not indicators are kept whole with it.
    pub async fn import_indicators(
        &self,
        actor: &Actor,
        source: &str,
        items: &[SourcedIndicator],
        kept: &[KeptObject],
    ) -> Result<usize> {
        let mut tx = self.write().await?;
        let n = import_in(&mut tx, source, items).await?;
        keep_in(&mut tx, source, kept).await?;
        tx.audit(
            actor,
            "indicators.import",
            "source",
            0,
            json!({"source": source, "items": items.len(), "new": n, "kept": kept.len()}),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Record on the incident's timeline that it was shared (with whom, at which ceiling, what
    /// went out), so the team sees every disclosure in order.
    pub async fn record_share(
        &self,
        actor: &Actor,
        incident: hikeshi_domain::IncidentId,
        detail: serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        crate::incidents::touch(&mut tx, incident).await?;
        crate::timeline::add_event(&mut tx, actor, incident, "shared", detail.clone()).await?;
        tx.audit(actor, "incident.shared", "incident", incident.0, detail)
            .await?;
        tx.commit().await
    }

    /// Where an indicator came from outside, most recent first.
    /// The objects kept from a source's imports, oldest first (at most `limit`).
    pub async fn kept_objects(&self, source: &str, limit: i64) -> Result<Vec<KeptObject>> {
        let rows = sqlx::query(
            "SELECT object_id, object_type, body FROM imported_objects WHERE source = $1 ORDER BY id LIMIT $2",
        )
        .bind(source)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KeptObject {
                    object_id: r.try_get("object_id")?,
                    object_type: r.try_get("object_type")?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    pub async fn indicator_sources(&self, ind: &Indicator) -> Result<Vec<IndicatorSource>> {
        let rows = sqlx::query(
            "SELECT s.source, s.source_ref, s.tlp, s.comment, s.first_at, s.last_at FROM indicator_sources s \
             JOIN indicators d ON d.id = s.indicator_id WHERE d.kind = $1 AND d.value = $2 \
             ORDER BY s.last_at DESC LIMIT 200",
        )
        .bind(ind.kind.as_str())
        .bind(&ind.value)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IndicatorSource {
                    source: r.try_get("source")?,
                    source_ref: r.try_get("source_ref")?,
                    tlp: named(r, "tlp")?,
                    comment: r.try_get("comment")?,
                    first_at: r.try_get("first_at")?,
                    last_at: r.try_get("last_at")?,
                })
            })
            .collect()
    }
}

/// Keep the objects of an import whole, one row per object per source (a re-import replaces).
pub(crate) async fn keep_in(tx: &mut Tx<'_>, source: &str, kept: &[KeptObject]) -> Result<()> {
    for k in kept {
        sqlx::query(
            "INSERT INTO imported_objects (source, object_id, object_type, body, imported_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (source, object_id) DO UPDATE SET object_type = excluded.object_type, body = excluded.body, imported_at = excluded.imported_at",
        )
        .bind(source)
        .bind(&k.object_id)
        .bind(&k.object_type)
        .bind(&k.body)
        .bind(tx.now)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

/// Link indicators to a source inside a write transaction; returns the count of new links.
pub(crate) async fn import_in(
    tx: &mut Tx<'_>,
    source: &str,
    items: &[SourcedIndicator],
) -> Result<usize> {
    let mut new = 0;
    for it in items {
        let id = crate::indicators::upsert_indicator(tx, &it.indicator).await?;
        let done = sqlx::query(
            "UPDATE indicator_sources SET last_at = $4, tlp = $5, comment = $6 \
             WHERE indicator_id = $1 AND source = $2 AND source_ref = $3",
        )
        .bind(id.0)
        .bind(source)
        .bind(&it.source_ref)
        .bind(tx.now)
        .bind(it.tlp.as_str())
        .bind(&it.comment)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if done == 0 {
            sqlx::query(
                "INSERT INTO indicator_sources (indicator_id, source, source_ref, tlp, comment, first_at, last_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(id.0)
            .bind(source)
            .bind(&it.source_ref)
            .bind(it.tlp.as_str())
            .bind(&it.comment)
            .bind(tx.now)
            .execute(&mut *tx.tx)
            .await?;
            new += 1;
        }
    }
    Ok(new)
}
