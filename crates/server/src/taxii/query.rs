//! The query parameters of the objects, manifest and versions endpoints, and envelopes.

use super::PAGE;
use super::credentials::{TResult, TaxiiError, parse_taxii_time, taxii_time};
use crate::error::AppError;
use axum::http::HeaderValue;
use axum::response::Response;
use hikeshi_store::{ObjectQuery, SharedObject, Versions};
use serde::Deserialize;
use serde_json::{Value, json};

/// The query parameters of the objects, manifest and versions endpoints.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ObjectsParams {
    added_after: Option<String>,
    limit: Option<String>,
    next: Option<String>,
    #[serde(rename = "match[id]")]
    ids: Option<String>,
    #[serde(rename = "match[type]")]
    types: Option<String>,
    #[serde(rename = "match[version]")]
    version: Option<String>,
    #[serde(rename = "match[spec_version]")]
    spec_version: Option<String>,
}

pub(super) fn list(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn object_query(p: &ObjectsParams, default_version: Versions) -> TResult<ObjectQuery> {
    let limit = match p.limit.as_deref() {
        None => PAGE,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| TaxiiError::bad(format!("limit {l:?} is not a positive integer")))?
            .min(PAGE),
    };
    let added_after_us = match p.added_after.as_deref() {
        None => None,
        Some(t) => Some(parse_taxii_time(t).ok_or_else(|| {
            TaxiiError::bad(format!("added_after {t:?} is not an RFC 3339 timestamp"))
        })?),
    };
    let after_seq = match p.next.as_deref() {
        None => None,
        Some(n) => Some(n.parse::<i64>().map_err(|_| {
            TaxiiError::bad(format!("next {n:?} is not a cursor this server gave"))
        })?),
    };
    let versions = match p.version.as_deref() {
        None => default_version,
        Some(v) => {
            let parts = list(&Some(v.to_owned()));
            if parts.iter().any(|x| x == "all") {
                Versions::All
            } else if parts.len() == 1 && parts[0] == "last" {
                Versions::Last
            } else if parts.len() == 1 && parts[0] == "first" {
                Versions::First
            } else {
                let mut at = Vec::new();
                for x in parts {
                    let us = parse_taxii_time(&x).ok_or_else(|| {
                        TaxiiError::bad(format!(
                            "match[version] {x:?} is not last, first, all or a timestamp"
                        ))
                    })?;
                    at.push(us.div_euclid(1000));
                }
                Versions::At(at)
            }
        }
    };
    Ok(ObjectQuery {
        added_after_us,
        after_seq,
        ids: list(&p.ids),
        types: list(&p.types),
        spec_versions: list(&p.spec_version),
        versions,
        limit,
    })
}

pub(super) fn date_headers(mut r: Response, objs: &[SharedObject]) -> Response {
    if let (Some(first), Some(last)) = (objs.first(), objs.last()) {
        let h = r.headers_mut();
        for (k, us) in [
            ("x-taxii-date-added-first", first.added_us),
            ("x-taxii-date-added-last", last.added_us),
        ] {
            if let Ok(v) = HeaderValue::from_str(&taxii_time(us)) {
                h.insert(k, v);
            }
        }
    }
    r
}

pub(super) fn envelope(page: &hikeshi_store::ObjectPage) -> TResult<Value> {
    let mut objects = Vec::with_capacity(page.objects.len());
    for o in &page.objects {
        objects.push(
            serde_json::from_str::<Value>(&o.body)
                .map_err(|e| AppError::from(hikeshi_store::StoreError::Corrupt(e.to_string())))?,
        );
    }
    let mut env = json!({ "more": page.more });
    if page.more
        && let Some(last) = page.objects.last()
    {
        env["next"] = json!(last.seq.to_string());
    }
    if !objects.is_empty() {
        env["objects"] = Value::Array(objects);
    }
    Ok(env)
}
