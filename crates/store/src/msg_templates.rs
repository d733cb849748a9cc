//! Administrators' overrides of the built-in message templates, keyed by (name, lang). The
//! defaults live in the server binary; the store only keeps what an administrator changed, so
//! deleting the row is "reset to default". Which names exist and whether a text compiles is
//! the server's business (it owns the template engine); the store keeps and audits.

use crate::{Result, Store, StoreError};
use hikeshi_domain::Actor;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One stored override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateOverride {
    pub name: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
    pub updated_by: Option<i64>,
    pub updated_at: i64,
}

const COLS: &str = "name, lang, subject, body, updated_by, updated_at";

fn row(r: &AnyRow) -> Result<TemplateOverride> {
    Ok(TemplateOverride {
        name: r.try_get("name")?,
        lang: r.try_get("lang")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Every override, by name then language.
    pub async fn template_overrides(&self) -> Result<Vec<TemplateOverride>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM message_templates ORDER BY name, lang"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row).collect()
    }

    /// The override of `name` in `lang`, if an administrator saved one.
    pub async fn template_override(
        &self,
        name: &str,
        lang: &str,
    ) -> Result<Option<TemplateOverride>> {
        let r = sqlx::query(&format!(
            "SELECT {COLS} FROM message_templates WHERE name = $1 AND lang = $2"
        ))
        .bind(name)
        .bind(lang)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(row).transpose()
    }

    /// Save (create or replace) the override of `name` in `lang`. The caller has checked that
    /// the template exists and compiles.
    pub async fn save_template(
        &self,
        actor: &Actor,
        name: &str,
        lang: &str,
        subject: &str,
        body: &str,
    ) -> Result<TemplateOverride> {
        if name.trim().is_empty() || lang.trim().is_empty() {
            return Err(StoreError::Conflict(
                "a template override needs a name and a language".into(),
            ));
        }
        let mut tx = self.write().await?;
        let r = sqlx::query(&format!(
            "INSERT INTO message_templates (name, lang, subject, body, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name, lang) DO UPDATE SET \
             subject = excluded.subject, body = excluded.body, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at RETURNING {COLS}"
        ))
        .bind(name)
        .bind(lang)
        .bind(subject)
        .bind(body)
        .bind(actor.user().map(|u| u.0))
        .bind(tx.now)
        .fetch_one(&mut *tx.tx)
        .await?;
        let saved = row(&r)?;
        tx.audit(
            actor,
            "template.save",
            "message_template",
            format!("{name}/{lang}"),
            json!({"subject": subject, "body": body}),
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Drop the override of `name` in `lang` (back to the built-in default). Returns whether
    /// there was one.
    pub async fn reset_template(&self, actor: &Actor, name: &str, lang: &str) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM message_templates WHERE name = $1 AND lang = $2")
            .bind(name)
            .bind(lang)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if n > 0 {
            tx.audit(
                actor,
                "template.reset",
                "message_template",
                format!("{name}/{lang}"),
                json!({}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }
}
