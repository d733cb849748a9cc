//! What an administrator changes on another account: role, disabled, name and address; and
//! every user's API tokens. A change that would leave no enabled administrator is refused, so
//! the team can never lock itself out of its own station. Disabling ends the user's sessions
//! at once; their tokens are refused while the account stays disabled (the login and token
//! checks in `users.rs` both require `disabled = 0`) and work again if it is enabled.

use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, Named, Role, User, UserId};
use serde_json::{Map, Value, json};
use sqlx::Row;

/// The fields an administrator may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub display_name: Option<String>,
    pub email: Option<String>,
}

/// One API token as an administrator sees it: never the secret, which is not stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Change an account. The audit entry names each changed field with its new value.
    pub async fn update_user(&self, actor: &Actor, id: UserId, p: &UserPatch) -> Result<User> {
        let before = self.user(id).await?;
        let mut tx = self.write().await?;
        let mut changed = Map::new();
        if let Some(role) = p.role.filter(|r| *r != before.role) {
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role.as_str())
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
            changed.insert("role".into(), json!(role.as_str()));
        }
        if let Some(off) = p.disabled.filter(|d| *d != before.disabled) {
            sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(i64::from(off))
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
            if off {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            changed.insert("disabled".into(), json!(off));
        }
        for (col, new, old) in [
            ("display_name", &p.display_name, &before.display_name),
            ("email", &p.email, &before.email),
        ] {
            let Some(v) = new.as_deref().map(str::trim).filter(|v| *v != old) else {
                continue;
            };
            sqlx::query(&format!("UPDATE users SET {col} = $1 WHERE id = $2"))
                .bind(v)
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
            changed.insert(col.into(), Value::String(v.to_owned()));
        }
        if changed.is_empty() {
            return Ok(before);
        }
        let admins: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(&mut *tx.tx)
                .await?
                .try_get("n")?;
        if admins == 0 {
            return Err(StoreError::Conflict(
                "at least one enabled administrator must remain".into(),
            ));
        }
        let mut details = Map::new();
        details.insert("username".into(), json!(before.username));
        details.extend(changed);
        tx.audit(actor, "user.update", "user", id.0, Value::Object(details))
            .await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Every user's API tokens, newest first, for the administration page.
    pub async fn all_api_tokens(&self) -> Result<Vec<TokenRow>> {
        let rows = sqlx::query(
            "SELECT t.id, u.username, t.name, t.created_at, t.revoked_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenRow {
                    id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// The owner of a token, for an administrator revoking someone else's.
    pub async fn token_owner(&self, token_id: i64) -> Result<UserId> {
        let r = sqlx::query("SELECT user_id FROM api_tokens WHERE id = $1")
            .bind(token_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("token {token_id}")))?;
        Ok(UserId(r.try_get("user_id")?))
    }
}
