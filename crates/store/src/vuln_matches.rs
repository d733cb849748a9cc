//! Vulnerability matches and the queue of what changed since the last re-match.
//!
//! Imports queue their documents and assets in the same transaction that stores them
//! ([`queue_rematch`]); the re-match job (hikeshi-server) reads the queue, computes, and hands
//! the result to [`Store::apply_rematch`], which replaces the rows of exactly what it matched and
//! removes only the queue entries it saw — an import that lands during the computation stays
//! queued for the next run.

use crate::{Result, Store, Tx};
use hikeshi_domain::{Actor, AssetRecord};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One affected package of one asset by one advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VulnMatch {
    pub asset: String,
    pub advisory: String,
    /// The advisory document it came from.
    pub doc: String,
    pub package: String,
    pub installed: String,
    /// Empty when no fixed version is known.
    pub fixed: String,
    /// `exact`, `product-name-only`, `needs-review`.
    pub confidence: String,
    /// Why it matched (JSON: which range, which rule).
    pub rule: String,
}

/// A queued change: `("doc", file)` or `("asset", name)`, with when it was queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub kind: String,
    pub key: String,
    pub queued_at: i64,
}

/// What a re-match computed: the full new set of rows for each document and each asset it
/// covered.
#[derive(Debug, Clone, Default)]
pub struct Rematch {
    pub docs: Vec<(String, Vec<VulnMatch>)>,
    pub assets: Vec<(String, Vec<VulnMatch>)>,
}

pub(crate) async fn queue_rematch(tx: &mut Tx<'_>, kind: &str, key: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO rematch_queue (kind, key, queued_at) VALUES ($1, $2, $3) \
         ON CONFLICT (kind, key) DO UPDATE SET queued_at = excluded.queued_at",
    )
    .bind(kind)
    .bind(key)
    .bind(tx.now)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

const MATCH_COLS: &str =
    "m.asset_name, m.advisory, m.doc, m.package, m.installed, m.fixed, m.confidence, m.rule";

fn match_row(r: &AnyRow) -> Result<VulnMatch> {
    Ok(VulnMatch {
        asset: r.try_get("asset_name")?,
        advisory: r.try_get("advisory")?,
        doc: r.try_get("doc")?,
        package: r.try_get("package")?,
        installed: r.try_get("installed")?,
        fixed: r.try_get("fixed")?,
        confidence: r.try_get("confidence")?,
        rule: r.try_get("rule")?,
    })
}

async fn insert_matches(tx: &mut Tx<'_>, rows: &[VulnMatch]) -> Result<()> {
    for m in rows {
        sqlx::query(
            "INSERT INTO vuln_matches (asset_name, advisory, doc, package, installed, fixed, confidence, rule, matched_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (asset_name, advisory, package, installed) DO UPDATE SET doc = excluded.doc, \
             fixed = excluded.fixed, confidence = excluded.confidence, rule = excluded.rule, matched_at = excluded.matched_at",
        )
        .bind(&m.asset)
        .bind(&m.advisory)
        .bind(&m.doc)
        .bind(&m.package)
        .bind(&m.installed)
        .bind(&m.fixed)
        .bind(&m.confidence)
        .bind(&m.rule)
        .bind(tx.now)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// What changed since the last re-match, oldest first.
    pub async fn rematch_queue(&self) -> Result<Vec<Queued>> {
        let rows = sqlx::query(
            "SELECT kind, key, queued_at FROM rematch_queue ORDER BY queued_at, kind, key",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Queued {
                    kind: r.try_get("kind")?,
                    key: r.try_get("key")?,
                    queued_at: r.try_get("queued_at")?,
                })
            })
            .collect()
    }

    /// Store a re-match: each covered document's and asset's rows are replaced by the new ones,
    /// and the queue entries `seen` are removed unless they were queued again meanwhile.
    pub async fn apply_rematch(
        &self,
        actor: &Actor,
        seen: &[Queued],
        r: &Rematch,
    ) -> Result<usize> {
        let mut tx = self.write().await?;
        let mut n = 0;
        for (doc, rows) in &r.docs {
            sqlx::query("DELETE FROM vuln_matches WHERE doc = $1")
                .bind(doc)
                .execute(&mut *tx.tx)
                .await?;
            insert_matches(&mut tx, rows).await?;
            n += rows.len();
        }
        for (asset, rows) in &r.assets {
            sqlx::query("DELETE FROM vuln_matches WHERE asset_name = $1")
                .bind(asset)
                .execute(&mut *tx.tx)
                .await?;
            insert_matches(&mut tx, rows).await?;
            n += rows.len();
        }
        for q in seen {
            sqlx::query(
                "DELETE FROM rematch_queue WHERE kind = $1 AND key = $2 AND queued_at <= $3",
            )
            .bind(&q.kind)
            .bind(&q.key)
            .bind(q.queued_at)
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.audit(
            actor,
            "vuln.rematch",
            "rematch",
            0,
            json!({"docs": r.docs.len(), "assets": r.assets.len(), "matches": n}),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Every advisory document: (file, format, content), for building the advisory index.
    pub async fn advisory_docs(&self) -> Result<Vec<(String, String, Vec<u8>)>> {
        let rows = sqlx::query("SELECT file, format, content FROM advisory_docs ORDER BY file")
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

    /// The assets affected by any of these advisory ids, by owner, department and asset.
    pub async fn matches_for_advisories(
        &self,
        ids: &[String],
    ) -> Result<Vec<(VulnMatch, AssetRecord)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ps: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {MATCH_COLS} FROM vuln_matches m JOIN assets a ON a.name = m.asset_name \
             WHERE m.advisory IN ({}) ORDER BY a.owner, a.department, m.asset_name, m.package, m.advisory",
            ps.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut seen: std::collections::HashMap<String, AssetRecord> = Default::default();
        for r in &rows {
            let m = match_row(r)?;
            let asset = match seen.get(&m.asset) {
                Some(a) => a.clone(),
                None => {
                    let a = self.asset(&m.asset).await?;
                    seen.insert(m.asset.clone(), a.clone());
                    a
                }
            };
            out.push((m, asset));
        }
        Ok(out)
    }

    /// An asset's open advisories (what matches its installed software now).
    pub async fn matches_for_asset(&self, name: &str) -> Result<Vec<VulnMatch>> {
        let rows = sqlx::query(&format!(
            "SELECT {MATCH_COLS} FROM vuln_matches m WHERE m.asset_name = $1 ORDER BY m.advisory, m.package"
        ))
        .bind(name)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(match_row).collect()
    }

    /// Open advisory counts per asset name (assets with none are absent).
    pub async fn open_advisory_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT asset_name, COUNT(DISTINCT advisory) AS n FROM vuln_matches GROUP BY asset_name ORDER BY asset_name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("asset_name")?, r.try_get("n")?)))
            .collect()
    }
}
