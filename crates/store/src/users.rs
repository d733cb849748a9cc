//! Users, sessions and API tokens. Secrets arrive here already hashed: the store never sees a
//! password or a token in clear.

use crate::rows::{flag, named};
use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, Named, Role, User, UserId};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub lang: String,
    pub password_hash: String,
    pub must_change_password: bool,
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.email, u.role, u.lang, u.time_zone, \
                         u.must_change_password, u.disabled, u.created_at";

fn user(r: &AnyRow) -> Result<User> {
    Ok(User {
        id: UserId(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        email: r.try_get("email")?,
        role: named(r, "role")?,
        lang: r.try_get("lang")?,
        time_zone: r.try_get("time_zone")?,
        must_change_password: flag(r, "must_change_password")?,
        disabled: flag(r, "disabled")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    pub async fn create_user(&self, actor: &Actor, u: &NewUser) -> Result<User> {
        hikeshi_domain::check_username(&u.username)?;
        let mut tx = self.write().await?;
        let exists = sqlx::query("SELECT 1 FROM users WHERE username = $1")
            .bind(&u.username)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "a user named {:?} already exists",
                u.username
            )));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO users (username, display_name, email, role, lang, password_hash, must_change_password, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.email)
        .bind(u.role.as_str())
        .bind(&u.lang)
        .bind(&u.password_hash)
        .bind(i64::from(u.must_change_password))
        .bind(tx.now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        tx.audit(
            actor,
            "user.create",
            "user",
            id,
            json!({"username": u.username, "role": u.role.as_str()}),
        )
        .await?;
        tx.commit().await?;
        self.user(UserId(id)).await
    }

    pub async fn user(&self, id: UserId) -> Result<User> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1");
        let r = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {}", id.0)))?;
        user(&r)
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u ORDER BY u.username");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(user).collect()
    }

    /// The user and their password hash, for checking a login.
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.username = $1");
        let Some(r) = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((user(&r)?, r.try_get("password_hash")?)))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<User> {
        Ok(self
            .user_for_login(username)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {username:?}")))?
            .0)
    }

    pub async fn set_password(
        &self,
        actor: &Actor,
        id: UserId,
        password_hash: &str,
        must_change: bool,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {}", id.0)));
        }
        // Changing a password ends every session of that user.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            actor,
            "user.password",
            "user",
            id.0,
            json!({"must_change": must_change}),
        )
        .await?;
        tx.commit().await
    }

    pub async fn set_user_lang(&self, actor: &Actor, id: UserId, lang: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(actor, "user.lang", "user", id.0, json!({"lang": lang}))
            .await?;
        tx.commit().await
    }

    /// Set the user's display zone (an IANA name the caller has checked, or empty for the
    /// default).
    pub async fn set_user_time_zone(&self, actor: &Actor, id: UserId, zone: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
            .bind(zone)
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            actor,
            "user.time_zone",
            "user",
            id.0,
            json!({"time_zone": zone}),
        )
        .await?;
        tx.commit().await
    }

    /// Record a login. The cookie holds the token; the store keeps only its hash.
    pub async fn create_session(
        &self,
        user_id: UserId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id.0)
        .bind(csrf_token)
        .bind(tx.now)
        .bind(expires_at)
        .execute(&mut *tx.tx)
        .await?;
        // Expired sessions are swept at each login rather than by a timer.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(tx.now)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            &Actor::User(user_id),
            "session.login",
            "user",
            user_id.0,
            json!({}),
        )
        .await?;
        tx.commit().await
    }

    /// The user and CSRF token of a live session; disabled users have none.
    pub async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<(User, String)>> {
        let sql = format!(
            "SELECT {USER_COLS}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        );
        let Some(r) = sqlx::query(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((user(&r)?, r.try_get("csrf_token")?)))
    }

    pub async fn delete_session(&self, user_id: UserId, token_hash: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            &Actor::User(user_id),
            "session.logout",
            "user",
            user_id.0,
            json!({}),
        )
        .await?;
        tx.commit().await
    }

    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user_id: UserId,
        name: &str,
        token_hash: &str,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id.0)
        .bind(name)
        .bind(token_hash)
        .bind(tx.now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        tx.audit(
            actor,
            "token.create",
            "token",
            id,
            json!({"user": user_id.0, "name": name}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user behind an unrevoked token, and the token's id.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<(User, i64)>> {
        let sql = format!(
            "SELECT {USER_COLS}, t.id AS token_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0"
        );
        let Some(r) = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((user(&r)?, r.try_get("token_id")?)))
    }

    /// A user's API tokens: (id, name, created_at, revoked_at), newest first. Never the secret
    /// (only its hash is stored).
    pub async fn api_tokens_of(
        &self,
        user_id: UserId,
    ) -> Result<Vec<(i64, String, i64, Option<i64>)>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("name")?,
                    r.try_get("created_at")?,
                    r.try_get("revoked_at")?,
                ))
            })
            .collect()
    }

    pub async fn revoke_api_token(
        &self,
        actor: &Actor,
        user_id: UserId,
        token_id: i64,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(tx.now)
        .bind(token_id)
        .bind(user_id.0)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("token {token_id}")));
        }
        tx.audit(actor, "token.revoke", "token", token_id, json!({}))
            .await?;
        tx.commit().await
    }
}
