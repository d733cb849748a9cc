//! National statistics files, stored as imported (one row per file name).

use crate::{Result, Store};
use hikeshi_domain::Actor;
use serde_json::json;
use sqlx::Row;

impl Store {
    /// Store (or replace) one statistics file.
    pub async fn put_national_file(&self, actor: &Actor, name: &str, content: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO national_stats_files (name, content, imported_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET content = excluded.content, imported_at = excluded.imported_at",
        )
        .bind(name)
        .bind(content)
        .bind(tx.now)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            actor,
            "stats.import",
            "national_stats_file",
            name,
            json!({"bytes": content.len()}),
        )
        .await?;
        tx.commit().await
    }

    /// Every stored statistics file as (name, content), by name.
    pub async fn national_files(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT name, content FROM national_stats_files ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("content")?)))
            .collect()
    }
}
