//! Facts recorded about an indicator — its AS, network organisation, registrant, name server,
//! malware family — kept as weak-link keys beside the derived ones (registrable domain,
//! network, URL host), so correlations and the graph link indicators sharing a fact with no
//! further code. Facts are global to the indicator, like its value: they describe the thing
//! observed, not one incident's view of it (a per-incident note is where confidential context
//! goes). Only someone who may see the indicator may read or change its facts; every change is
//! audited.

use crate::{Result, Store, StoreError, Viewer};
use hikeshi_domain::{Actor, DomainError, IndicatorId};
use hikeshi_ioc::{Link, normalise_fact};
use serde_json::json;
use sqlx::Row;

/// One recorded fact, in normal form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fact {
    pub link: Link,
    pub value: String,
}

fn checked(link: Link, value: &str) -> Result<String> {
    normalise_fact(link, value).map_err(|e| {
        StoreError::Domain(DomainError::Invalid {
            field: "fact",
            why: e.to_string(),
        })
    })
}

impl Store {
    /// The facts recorded about an indicator, by kind then value.
    pub async fn indicator_facts(&self, viewer: Viewer, id: IndicatorId) -> Result<Vec<Fact>> {
        self.visible_indicator(viewer, id).await?;
        let rows = sqlx::query(
            "SELECT link, key FROM indicator_keys WHERE indicator_id = $1 ORDER BY link, key",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let link = crate::indicators::link(r, "link")?;
            if link.is_fact() {
                out.push(Fact {
                    link,
                    value: r.try_get("key")?,
                });
            }
        }
        Ok(out)
    }

    /// Record a fact (in normal form; recording it again changes nothing). Returns the fact as
    /// stored.
    pub async fn add_indicator_fact(
        &self,
        actor: &Actor,
        viewer: Viewer,
        id: IndicatorId,
        link: Link,
        value: &str,
    ) -> Result<Fact> {
        let value = checked(link, value)?;
        self.visible_indicator(viewer, id).await?;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "INSERT INTO indicator_keys (indicator_id, link, key) VALUES ($1, $2, $3) \
             ON CONFLICT (indicator_id, link, key) DO NOTHING",
        )
        .bind(id.0)
        .bind(link.as_str())
        .bind(&value)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n > 0 {
            tx.audit(
                actor,
                "indicator.fact_add",
                "indicator",
                id.0,
                json!({"link": link.as_str(), "value": value}),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(Fact { link, value })
    }

    /// Remove a recorded fact. Derived keys cannot be removed (they follow from the value).
    pub async fn remove_indicator_fact(
        &self,
        actor: &Actor,
        viewer: Viewer,
        id: IndicatorId,
        link: Link,
        value: &str,
    ) -> Result<()> {
        let value = checked(link, value)?;
        self.visible_indicator(viewer, id).await?;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "DELETE FROM indicator_keys WHERE indicator_id = $1 AND link = $2 AND key = $3",
        )
        .bind(id.0)
        .bind(link.as_str())
        .bind(&value)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "{} {value:?} on indicator {}",
                link.as_str(),
                id.0
            )));
        }
        tx.audit(
            actor,
            "indicator.fact_remove",
            "indicator",
            id.0,
            json!({"link": link.as_str(), "value": value}),
        )
        .await?;
        tx.commit().await
    }
}
