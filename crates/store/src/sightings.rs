//! Sightings from sweeps, linked to the incident and, through the internal host, to assets.

use crate::{Result, Store, Viewer};
use hikeshi_domain::{Actor, IncidentId, Indicator, NewSighting, Sighting};
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

/// What recording a batch of sightings did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recorded {
    /// New sightings (hits already recorded for this incident are not counted again).
    pub new: usize,
    /// Of those, how many were linked to an asset.
    pub on_assets: usize,
}

/// Record sweep hits on an incident inside a caller's transaction, with a `sweep` timeline
/// event and an audit entry whose detail also carries `extra` (a sweep job's id and outcome).
pub(crate) async fn record_in(
    tx: &mut crate::Tx<'_>,
    actor: &Actor,
    incident: IncidentId,
    hits: &[NewSighting],
    extra: serde_json::Map<String, serde_json::Value>,
) -> Result<Recorded> {
    crate::incidents::touch(tx, incident).await?;
    let mut assets: HashMap<String, Option<i64>> = HashMap::new();
    let mut out = Recorded::default();
    let mut files: Vec<&str> = Vec::new();
    for h in hits {
        let ind = crate::indicators::upsert_indicator(tx, &h.indicator).await?;
        let asset = match assets.get(&h.host) {
            Some(a) => *a,
            None => {
                let a = if h.host.is_empty() {
                    None
                } else {
                    sqlx::query(
                            "SELECT id FROM assets WHERE name = $1 OR (' ' || addresses || ' ') LIKE $2 ORDER BY id LIMIT 1",
                        )
                        .bind(&h.host)
                        .bind(format!("% {} %", h.host.replace(['%', '_'], "")))
                        .fetch_optional(&mut *tx.tx)
                        .await?
                        .map(|r| r.try_get::<i64, _>("id"))
                        .transpose()?
                };
                assets.insert(h.host.clone(), a);
                a
            }
        };
        let inserted = sqlx::query(
                "INSERT INTO sightings (indicator_id, incident_id, source, line, byte_offset, field, host, destination, seen_at, asset_id, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (indicator_id, incident_id, source, line, field) DO NOTHING",
            )
            .bind(ind.0)
            .bind(incident.0)
            .bind(&h.source)
            .bind(h.line)
            .bind(h.offset)
            .bind(&h.field)
            .bind(&h.host)
            .bind(&h.destination)
            .bind(&h.seen_at)
            .bind(asset)
            .bind(tx.now)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if inserted > 0 {
            out.new += 1;
            out.on_assets += usize::from(asset.is_some());
            sqlx::query(
                    "UPDATE indicators SET sighting_count = sighting_count + 1, \
                     first_sighting = COALESCE(first_sighting, $2), last_sighting = $2 WHERE id = $1",
                )
                .bind(ind.0)
                .bind(tx.now)
                .execute(&mut *tx.tx)
                .await?;
        }
        if !files.contains(&h.source.as_str()) {
            files.push(&h.source);
        }
    }
    let mut detail =
        json!({"hits": hits.len(), "new": out.new, "on_assets": out.on_assets, "files": files});
    if let Some(d) = detail.as_object_mut() {
        d.extend(extra);
    }
    crate::timeline::add_event(tx, actor, incident, "sweep", detail.clone()).await?;
    tx.audit(actor, "incident.sightings", "incident", incident.0, detail)
        .await?;
    Ok(out)
}

impl Store {
    /// Record sweep hits on an incident, all or nothing. Re-recording the same log line adds
    /// nothing; each new sighting bumps its indicator's sighting count.
    pub async fn record_sightings(
        &self,
        actor: &Actor,
        incident: IncidentId,
        hits: &[NewSighting],
    ) -> Result<Recorded> {
        let mut tx = self.write().await?;
        let out = record_in(&mut tx, actor, incident, hits, Default::default()).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The incident's sightings, newest first (at most 1,000).
    pub async fn incident_sightings(
        &self,
        viewer: Viewer,
        incident: IncidentId,
    ) -> Result<Vec<Sighting>> {
        self.check_visible(viewer, incident).await?;
        let rows = sqlx::query(
            "SELECT d.kind, d.value, s.source, s.line, s.field, s.host, s.destination, s.seen_at, a.name AS asset, s.recorded_at \
             FROM sightings s JOIN indicators d ON d.id = s.indicator_id LEFT JOIN assets a ON a.id = s.asset_id \
             WHERE s.incident_id = $1 ORDER BY s.recorded_at DESC, s.id DESC LIMIT 1000",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(Sighting {
                    indicator: Indicator {
                        kind: kind.parse().map_err(|_| {
                            crate::StoreError::Corrupt(format!("indicator kind {kind:?}"))
                        })?,
                        value: r.try_get("value")?,
                    },
                    source: r.try_get("source")?,
                    line: r.try_get("line")?,
                    field: r.try_get("field")?,
                    host: r.try_get("host")?,
                    destination: r.try_get("destination")?,
                    seen_at: r.try_get("seen_at")?,
                    asset: r.try_get("asset")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }
}
