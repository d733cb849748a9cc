//! Saved filters: a user's named query string for the search page or the incident or report
//! list, so a search they run every morning is one click. Each belongs to one user; nobody
//! else lists or deletes it. The query string is kept as the page reads it and is applied by
//! that page with the viewer's own rights, so a saved filter never widens what anyone sees.

use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, UserId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The lists a filter can be saved for.
pub const FILTER_SCOPES: [&str; 3] = ["search", "incidents", "reports"];
/// Longest name and query string kept.
pub const FILTER_NAME_MAX: usize = 100;
pub const FILTER_QUERY_MAX: usize = 2000;

/// One saved filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedFilter {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub scope: String,
    /// The query string, without the leading `?`.
    pub query: String,
    pub created_at: i64,
}

const COLS: &str = "id, user_id, name, scope, query, created_at";

fn row(r: &AnyRow) -> Result<SavedFilter> {
    Ok(SavedFilter {
        id: r.try_get("id")?,
        user_id: UserId(r.try_get("user_id")?),
        name: r.try_get("name")?,
        scope: r.try_get("scope")?,
        query: r.try_get("query")?,
        created_at: r.try_get("created_at")?,
    })
}

fn invalid(field: &'static str, why: String) -> StoreError {
    StoreError::Domain(hikeshi_domain::DomainError::Invalid { field, why })
}

impl Store {
    /// Save `query` for `scope` under `name` for `user`. A name is unique per user and scope:
    /// a second filter of the same name is a conflict, not a silent replacement.
    pub async fn create_saved_filter(
        &self,
        actor: &Actor,
        user: UserId,
        name: &str,
        scope: &str,
        query: &str,
    ) -> Result<SavedFilter> {
        let name = name.trim();
        let query = query.trim().trim_start_matches('?');
        if name.is_empty() || name.chars().count() > FILTER_NAME_MAX {
            return Err(invalid(
                "name",
                format!("a saved filter needs a name of 1 to {FILTER_NAME_MAX} characters"),
            ));
        }
        if !FILTER_SCOPES.contains(&scope) {
            return Err(invalid(
                "scope",
                format!("{scope:?} is not one of: {}", FILTER_SCOPES.join(", ")),
            ));
        }
        if query.len() > FILTER_QUERY_MAX {
            return Err(invalid(
                "query",
                format!("a saved query string is at most {FILTER_QUERY_MAX} bytes"),
            ));
        }
        let mut tx = self.write().await?;
        // Writers are serialised by the audit head lock, so this check cannot race.
        let taken = sqlx::query(
            "SELECT 1 AS one FROM saved_filters WHERE user_id = $1 AND scope = $2 AND name = $3",
        )
        .bind(user.0)
        .bind(scope)
        .bind(name)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "you already have a saved filter named {name:?} for {scope}"
            )));
        }
        let r = sqlx::query(&format!(
            "INSERT INTO saved_filters (user_id, name, scope, query, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {COLS}"
        ))
        .bind(user.0)
        .bind(name)
        .bind(scope)
        .bind(query)
        .bind(tx.now)
        .fetch_one(&mut *tx.tx)
        .await?;
        let saved = row(&r)?;
        tx.audit(
            actor,
            "saved_filter.create",
            "saved_filter",
            saved.id,
            json!({"user": user.0, "name": name, "scope": scope, "query": query}),
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The user's saved filters, of one scope or all, by scope then name.
    pub async fn saved_filters(
        &self,
        user: UserId,
        scope: Option<&str>,
    ) -> Result<Vec<SavedFilter>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM saved_filters WHERE user_id = $1 AND ($2 = '' OR scope = $2) \
             ORDER BY scope, name, id"
        ))
        .bind(user.0)
        .bind(scope.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row).collect()
    }

    /// Delete one of the user's own saved filters; `NotFound` for another user's (whose
    /// existence is not revealed) or a missing one.
    pub async fn delete_saved_filter(&self, actor: &Actor, user: UserId, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let r = sqlx::query(&format!(
            "DELETE FROM saved_filters WHERE id = $1 AND user_id = $2 RETURNING {COLS}"
        ))
        .bind(id)
        .bind(user.0)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("saved filter {id}")))?;
        let gone = row(&r)?;
        tx.audit(
            actor,
            "saved_filter.delete",
            "saved_filter",
            id,
            json!({"user": user.0, "name": gone.name, "scope": gone.scope}),
        )
        .await?;
        tx.commit().await
    }
}
