//! The TAXII 2.1 client behind feeds: pull a remote collection's objects added since the last
//! poll, page by page, and link every indicator in them to the feed as its source.
//!
//! The cursor is the remote's own `X-TAXII-Date-Added-Last`, so nothing is fetched twice and
//! nothing is skipped between polls; within a poll, pages follow the server's `next`. A failed
//! poll is recorded with its reason (never the secret) and leaves the cursor where it was.

use crate::error::{AppError, AppResult};
use base64::Engine;
use hikeshi_domain::Actor;
use hikeshi_exchange::share::Imported;
use hikeshi_store::{Feed, Poll, Store};
use serde::Serialize;
use std::io::Read;
use std::time::Duration;

/// Largest page body accepted from a remote server.
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Pages per poll, so one poll cannot run forever.
const MAX_PAGES: usize = 1000;
/// Objects asked for per page (servers may give fewer).
const PAGE_LIMIT: usize = 500;

/// What one poll did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PollResult {
    pub feed: String,
    pub pages: usize,
    pub objects: usize,
    pub indicators: usize,
    pub new_links: usize,
    pub kept: usize,
    pub rejected: usize,
    pub cursor: String,
    pub error: String,
}

fn objects_url(feed: &Feed) -> String {
    let root = if feed.url.ends_with('/') {
        feed.url.clone()
    } else {
        format!("{}/", feed.url)
    };
    format!("{root}collections/{}/objects/", feed.collection)
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Fetch everything added after `cursor`: the objects' import and the new cursor.
fn fetch(feed: &Feed, secret: &str) -> Result<(Imported, usize, usize, String), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let auth = if feed.username.is_empty() {
        (!secret.is_empty()).then(|| format!("Bearer {secret}"))
    } else {
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", feed.username))
        ))
    };
    let base = objects_url(feed);
    let mut all = Imported::default();
    let (mut pages, mut objects) = (0, 0);
    let mut cursor = feed.cursor.clone();
    let mut next: Option<String> = None;
    loop {
        let mut url = base.clone();
        // The same limit on every page: servers (medallion among them) check that the filter
        // parameters of a `next` request are the ones the paging started with.
        let mut q = vec![format!("limit={PAGE_LIMIT}")];
        if !feed.cursor.is_empty() {
            q.push(format!("added_after={}", enc(&feed.cursor)));
        }
        if let Some(n) = &next {
            q.push(format!("next={}", enc(n)));
        }
        url = format!("{url}?{}", q.join("&"));
        let mut req = agent.get(&url).header("Accept", crate::taxii::TAXII_MEDIA);
        if let Some(a) = &auth {
            req = req.header("Authorization", a);
        }
        let mut res = req.call().map_err(|e| format!("GET {url}: {e}"))?;
        let status = res.status().as_u16();
        if status == 204 || status == 404 && pages > 0 {
            break;
        }
        if status != 200 {
            let body = res.body_mut().read_to_string().unwrap_or_default();
            return Err(format!(
                "GET {url}: HTTP {status}: {}",
                body.chars().take(300).collect::<String>()
            ));
        }
        if let Some(last) = res
            .headers()
            .get("x-taxii-date-added-last")
            .and_then(|v| v.to_str().ok())
        {
            cursor = last.to_owned();
        }
        let mut bytes = Vec::new();
        res.body_mut()
            .as_reader()
            .take(MAX_PAGE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("reading {url}: {e}"))?;
        if bytes.len() as u64 > MAX_PAGE_BYTES {
            return Err(format!("{url}: a page larger than {MAX_PAGE_BYTES} bytes"));
        }
        let env: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("{url}: not JSON: {e}"))?;
        objects += env["objects"].as_array().map_or(0, Vec::len);
        let page = hikeshi_exchange::stix::read_envelope(
            bytes.as_slice(),
            &hikeshi_exchange::stix::ImportLimits::default(),
        )
        .map_err(|e| format!("{url}: {e}"))?;
        merge(&mut all, page.imported);
        pages += 1;
        next = page.next;
        if !page.more || next.is_none() || pages >= MAX_PAGES {
            break;
        }
    }
    Ok((all, pages, objects, cursor))
}

fn merge(all: &mut Imported, mut page: Imported) {
    let offset = all.groups.len();
    for i in &mut page.indicators {
        i.group = i.group.map(|g| g + offset);
    }
    all.groups.append(&mut page.groups);
    all.indicators.append(&mut page.indicators);
    all.relations.append(&mut page.relations);
    all.kept.append(&mut page.kept);
    all.rejected.append(&mut page.rejected);
}

/// Poll one feed now (by id or name) and record the result.
pub async fn poll_feed(store: &Store, actor: &Actor, key: &str) -> AppResult<PollResult> {
    let (feed, secret) = store.feed_with_secret(key).await?;
    let f2 = feed.clone();
    let fetched = tokio::task::spawn_blocking(move || fetch(&f2, &secret))
        .await
        .map_err(|_| AppError::internal())?;
    let mut r = PollResult {
        feed: feed.name.clone(),
        ..Default::default()
    };
    let poll = match fetched {
        Ok((imported, pages, objects, cursor)) => {
            r.pages = pages;
            r.objects = objects;
            r.kept = imported.kept.len();
            r.rejected = imported.rejected.len();
            r.cursor = cursor.clone();
            let items = crate::sharing::sourced(&imported, feed.default_tlp);
            r.indicators = items.len();
            Poll {
                cursor,
                error: String::new(),
                items,
                kept: crate::sharing::kept(&imported),
            }
        }
        Err(e) => {
            tracing::warn!(feed = %feed.name, error = %e, "feed poll failed");
            r.error = e.clone();
            Poll {
                cursor: String::new(),
                error: e,
                ..Default::default()
            }
        }
    };
    r.new_links = store.record_feed_poll(actor, feed.id, &poll).await?;
    Ok(r)
}

/// Poll every feed that is due, once a minute, until `stop` is set.
pub async fn run(store: Store, stop: tokio::sync::watch::Receiver<bool>) {
    let mut stop = stop;
    loop {
        match store.feeds_due(hikeshi_domain::time::now_ms()).await {
            Ok(due) => {
                for f in due {
                    if let Err(e) = poll_feed(&store, &Actor::System, &f.id.to_string()).await {
                        tracing::warn!(feed = %f.name, error = %e.message, "feed poll could not be recorded");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "listing due feeds failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stop.changed() => return,
        }
    }
}
