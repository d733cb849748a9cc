//! The asset inventory and advisory documents.

use crate::{Result, Store};
use hikeshi_domain::{Actor, AssetRecord, Software};
use serde_json::json;
use sqlx::Row;

impl Store {
    /// Create or update assets by name, replacing each one's software list, all in one
    /// transaction. Returns (created, updated).
    pub async fn upsert_assets(
        &self,
        actor: &Actor,
        assets: &[AssetRecord],
    ) -> Result<(usize, usize)> {
        let mut tx = self.write().await?;
        let (mut created, mut updated) = (0, 0);
        for a in assets {
            let existing = sqlx::query("SELECT id FROM assets WHERE name = $1")
                .bind(&a.name)
                .fetch_optional(&mut *tx.tx)
                .await?;
            let id: i64 = match existing {
                Some(r) => {
                    updated += 1;
                    let id: i64 = r.try_get("id")?;
                    sqlx::query(
                        "UPDATE assets SET addresses = $1, owner = $2, department = $3, criticality = $4, location = $5, \
                         os = $6, updated_at = $7 WHERE id = $8",
                    )
                    .bind(a.addresses.join(" "))
                    .bind(&a.owner)
                    .bind(&a.department)
                    .bind(&a.criticality)
                    .bind(&a.location)
                    .bind(&a.os)
                    .bind(tx.now)
                    .bind(id)
                    .execute(&mut *tx.tx)
                    .await?;
                    sqlx::query("DELETE FROM asset_software WHERE asset_id = $1")
                        .bind(id)
                        .execute(&mut *tx.tx)
                        .await?;
                    id
                }
                None => {
                    created += 1;
                    sqlx::query(
                        "INSERT INTO assets (name, addresses, owner, department, criticality, location, os, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(&a.name)
                    .bind(a.addresses.join(" "))
                    .bind(&a.owner)
                    .bind(&a.department)
                    .bind(&a.criticality)
                    .bind(&a.location)
                    .bind(&a.os)
                    .bind(tx.now)
                    .fetch_one(&mut *tx.tx)
                    .await?
                    .try_get("id")?
                }
            };
            crate::vuln_matches::queue_rematch(&mut tx, "asset", &a.name).await?;
            for s in &a.software {
                sqlx::query(
                    "INSERT INTO asset_software (asset_id, name, version, ecosystem, release) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (asset_id, ecosystem, name, version) DO NOTHING",
                )
                .bind(id)
                .bind(&s.name)
                .bind(&s.version)
                .bind(&s.ecosystem)
                .bind(s.release.clone().unwrap_or_default())
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        tx.audit(
            actor,
            "asset.import",
            "asset",
            "*",
            json!({"created": created, "updated": updated}),
        )
        .await?;
        tx.commit().await?;
        Ok((created, updated))
    }

    /// Every asset with its software, by name.
    pub async fn assets(&self) -> Result<Vec<AssetRecord>> {
        self.assets_where("", None).await
    }

    /// One asset with its software, by name.
    pub async fn asset(&self, name: &str) -> Result<AssetRecord> {
        self.assets_where(" WHERE name = $1", Some(name))
            .await?
            .pop()
            .ok_or_else(|| crate::StoreError::NotFound(format!("asset {name:?}")))
    }

    async fn assets_where(&self, filter: &str, name: Option<&str>) -> Result<Vec<AssetRecord>> {
        let sql = format!(
            "SELECT id, name, addresses, owner, department, criticality, location, os FROM assets{filter} ORDER BY name"
        );
        let rows = match name {
            Some(n) => sqlx::query(&sql).bind(n).fetch_all(&self.pool).await?,
            None => sqlx::query(&sql).fetch_all(&self.pool).await?,
        };
        let sw_sql = if name.is_some() {
            "SELECT s.asset_id, s.name, s.version, s.ecosystem, s.release FROM asset_software s \
             JOIN assets a ON a.id = s.asset_id WHERE a.name = $1 ORDER BY s.asset_id, s.name"
        } else {
            "SELECT asset_id, name, version, ecosystem, release FROM asset_software ORDER BY asset_id, name"
        };
        let sw = match name {
            Some(n) => sqlx::query(sw_sql).bind(n).fetch_all(&self.pool).await?,
            None => sqlx::query(sw_sql).fetch_all(&self.pool).await?,
        };
        let mut by_asset: std::collections::HashMap<i64, Vec<Software>> =
            std::collections::HashMap::new();
        for r in &sw {
            let release: String = r.try_get("release")?;
            by_asset
                .entry(r.try_get("asset_id")?)
                .or_default()
                .push(Software {
                    name: r.try_get("name")?,
                    version: r.try_get("version")?,
                    ecosystem: r.try_get("ecosystem")?,
                    release: (!release.is_empty()).then_some(release),
                });
        }
        rows.iter()
            .map(|r| {
                let addresses: String = r.try_get("addresses")?;
                Ok(AssetRecord {
                    name: r.try_get("name")?,
                    addresses: addresses.split_whitespace().map(str::to_owned).collect(),
                    owner: r.try_get("owner")?,
                    department: r.try_get("department")?,
                    criticality: r.try_get("criticality")?,
                    location: r.try_get("location")?,
                    os: r.try_get("os")?,
                    software: by_asset
                        .remove(&r.try_get::<i64, _>("id")?)
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Store (or replace) an advisory document under its file name, with the advisory ids and
    /// aliases it contains.
    pub async fn put_advisory_doc(
        &self,
        actor: &Actor,
        file: &str,
        format: &str,
        ids: &[String],
        content: &[u8],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let ids_text = format!(" {} ", ids.join(" "));
        sqlx::query(
            "INSERT INTO advisory_docs (file, format, ids, content, imported_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (file) DO UPDATE SET format = excluded.format, ids = excluded.ids, content = excluded.content, \
             imported_at = excluded.imported_at",
        )
        .bind(file)
        .bind(format)
        .bind(&ids_text)
        .bind(content.to_vec())
        .bind(tx.now)
        .execute(&mut *tx.tx)
        .await?;
        crate::vuln_matches::queue_rematch(&mut tx, "doc", file).await?;
        tx.audit(
            actor,
            "advisory.import",
            "advisory_doc",
            file,
            json!({"format": format, "ids": ids}),
        )
        .await?;
        tx.commit().await
    }

    /// The documents that contain advisory `id` (as id or alias): (file, format, content).
    pub async fn advisory_docs_for(&self, id: &str) -> Result<Vec<(String, String, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT file, format, content FROM advisory_docs WHERE ids LIKE $1 ORDER BY file",
        )
        .bind(format!("% {} %", id.replace(['%', '_'], "")))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("file")?,
                    r.try_get("format")?,
                    r.try_get("content")?,
                ))
            })
            .collect()
    }
}
