//! Feeds: remote TAXII 2.1 collections hikeshi pulls from on a schedule. The secret a feed
//! needs is stored for the poller and never returned with the feed.

use crate::rows::{flag, named};
use crate::sharing::{KeptObject, SourcedIndicator, import_in, keep_in};
use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, Named, Tlp};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A feed to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    pub name: String,
    /// "taxii" (the only kind so far).
    pub kind: String,
    /// The API root URL.
    pub url: String,
    /// The collection id under the API root.
    pub collection: String,
    pub username: String,
    pub secret: String,
    /// The marking given to what arrives unmarked.
    pub default_tlp: Tlp,
    pub interval_s: i64,
}

/// A feed as shown (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feed {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub url: String,
    pub collection: String,
    pub username: String,
    pub has_secret: bool,
    pub default_tlp: Tlp,
    pub interval_s: i64,
    pub enabled: bool,
    /// The `added_after` to ask for next (the last X-TAXII-Date-Added-Last seen).
    pub cursor: String,
    pub last_polled_at: Option<i64>,
    pub last_error: String,
    pub last_count: i64,
    pub created_at: i64,
}

/// The result of one poll, recorded with what came in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Poll {
    pub cursor: String,
    pub error: String,
    pub items: Vec<SourcedIndicator>,
    /// What came in that is not an indicator, kept whole.
    pub kept: Vec<KeptObject>,
}

const FEED_COLS: &str = "id, name, kind, url, collection, username, secret, default_tlp, interval_s, enabled, cursor, last_polled_at, last_error, last_count, created_at";

fn feed_row(r: &AnyRow) -> Result<Feed> {
    Ok(Feed {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        url: r.try_get("url")?,
        collection: r.try_get("collection")?,
        username: r.try_get("username")?,
        has_secret: !r.try_get::<String, _>("secret")?.is_empty(),
        default_tlp: named(r, "default_tlp")?,
        interval_s: r.try_get("interval_s")?,
        enabled: flag(r, "enabled")?,
        cursor: r.try_get("cursor")?,
        last_polled_at: r.try_get("last_polled_at")?,
        last_error: r.try_get("last_error")?,
        last_count: r.try_get("last_count")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    pub async fn add_feed(&self, actor: &Actor, f: &NewFeed) -> Result<Feed> {
        if f.name.trim().is_empty() || f.url.trim().is_empty() {
            return Err(StoreError::Conflict("a feed needs a name and a URL".into()));
        }
        let mut tx = self.write().await?;
        let r = sqlx::query(&format!(
            "INSERT INTO feeds (name, kind, url, collection, username, secret, default_tlp, interval_s, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (name) DO NOTHING RETURNING {FEED_COLS}"
        ))
        .bind(f.name.trim())
        .bind(&f.kind)
        .bind(f.url.trim())
        .bind(&f.collection)
        .bind(&f.username)
        .bind(&f.secret)
        .bind(f.default_tlp.as_str())
        .bind(f.interval_s.max(60))
        .bind(tx.now)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("a feed named {:?} exists already", f.name)))?;
        let feed = feed_row(&r)?;
        // The secret is never audited.
        tx.audit(
            actor,
            "feed.create",
            "feed",
            feed.id,
            json!({"name": feed.name, "url": feed.url, "collection": feed.collection, "interval_s": feed.interval_s}),
        )
        .await?;
        tx.commit().await?;
        Ok(feed)
    }

    pub async fn feeds(&self) -> Result<Vec<Feed>> {
        let rows = sqlx::query(&format!("SELECT {FEED_COLS} FROM feeds ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(feed_row).collect()
    }

    /// A feed by id or name, with its secret (for the poller only).
    pub async fn feed_with_secret(&self, key: &str) -> Result<(Feed, String)> {
        let id = key.parse::<i64>().unwrap_or(-1);
        let r = sqlx::query(&format!(
            "SELECT {FEED_COLS} FROM feeds WHERE id = $1 OR name = $2"
        ))
        .bind(id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("feed {key:?}")))?;
        Ok((feed_row(&r)?, r.try_get("secret")?))
    }

    /// Enabled feeds whose interval has passed at `now` (ms).
    pub async fn feeds_due(&self, now: i64) -> Result<Vec<Feed>> {
        let rows = sqlx::query(&format!(
            "SELECT {FEED_COLS} FROM feeds WHERE enabled = 1 AND \
             (last_polled_at IS NULL OR last_polled_at + interval_s * 1000 <= $1) ORDER BY id"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(feed_row).collect()
    }

    /// Record a poll: what came in (linked to the feed as its source), the new cursor, or the
    /// error. Returns how many indicator links are new.
    pub async fn record_feed_poll(&self, actor: &Actor, feed: i64, poll: &Poll) -> Result<usize> {
        let mut tx = self.write().await?;
        let source = format!("feed:{feed}");
        let new = import_in(&mut tx, &source, &poll.items).await?;
        keep_in(&mut tx, &source, &poll.kept).await?;
        let n = sqlx::query(
            "UPDATE feeds SET last_polled_at = $2, last_error = $3, last_count = $4, \
             cursor = CASE WHEN $5 = '' THEN cursor ELSE $5 END WHERE id = $1",
        )
        .bind(feed)
        .bind(tx.now)
        .bind(&poll.error)
        .bind(poll.items.len() as i64)
        .bind(&poll.cursor)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("feed {feed}")));
        }
        tx.audit(
            actor,
            "feed.poll",
            "feed",
            feed,
            json!({"items": poll.items.len(), "new": new, "error": poll.error}),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }
}
