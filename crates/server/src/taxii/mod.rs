//! TAXII 2.1 server: discovery, one API root, a collection per sharing group, objects with
//! paging and filters, manifests, versions, and status resources for written envelopes.
//!
//! TAXII has its own authentication (the spec requires HTTP Basic): a user's name and either
//! their password or one of their API tokens, or a bearer token. Session cookies are not
//! accepted here, so no other site can write through a signed-in browser. A caller sees the
//! collections of the sharing groups they may read or write; objects marked above a group's
//! ceiling are refused at the write (see hikeshi-store), so they can never be read back.

mod credentials;
mod query;
use credentials::{TResult, taxii_auth, taxii_json};
pub use credentials::{TaxiiError, parse_taxii_time, taxii_time};
use query::{ObjectsParams, date_headers, envelope, object_query};

use crate::AppState;
use crate::auth::CurrentUser;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use hikeshi_domain::time::now_ms;
use hikeshi_store::{
    Access, AddOutcome, NewSharedObject, SharedObject, SharingGroup, TaxiiStatus, Versions,
};
use serde_json::{Value, json};

pub const TAXII_MEDIA: &str = "application/taxii+json;version=2.1";
pub const STIX_MEDIA: &str = "application/stix+json;version=2.1";
/// Objects per page when the client does not ask for fewer.
const PAGE: i64 = 1000;

fn base_url(st: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let proto = if st.config.trust_forwarded_for {
        headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(if st.config.secure_cookies {
                "https"
            } else {
                "http"
            })
    } else if st.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{proto}://{host}")
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/taxii2/", get(discovery))
        .route("/taxii2/root/", get(api_root))
        .route("/taxii2/root/status/{status}/", get(status))
        .route("/taxii2/root/collections/", get(collections))
        .route("/taxii2/root/collections/{coll}/", get(collection))
        .route("/taxii2/root/collections/{coll}/manifest/", get(manifest))
        .route(
            "/taxii2/root/collections/{coll}/objects/",
            get(get_objects).post(add_objects),
        )
        .route(
            "/taxii2/root/collections/{coll}/objects/{id}/",
            get(get_object),
        )
        .route(
            "/taxii2/root/collections/{coll}/objects/{id}/versions/",
            get(versions),
        )
}

/// The TAXII routes with their own authentication layer.
pub fn mounted(state: AppState) -> Router<AppState> {
    routes().route_layer(middleware::from_fn_with_state(state, taxii_auth))
}

async fn discovery(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&st, &headers);
    taxii_json(&json!({
        "title": format!("{} — hikeshi TAXII 2.1", st.config.team_name),
        "description": "Indicators shared by this CSIRT, one collection per sharing group.",
        "default": format!("{base}/taxii2/root/"),
        "api_roots": [format!("{base}/taxii2/root/")],
    }))
}

async fn api_root(State(st): State<AppState>) -> Response {
    taxii_json(&json!({
        "title": format!("{} sharing groups", st.config.team_name),
        "description": "Each collection is a sharing group; what it holds never exceeds its TLP ceiling.",
        "versions": [TAXII_MEDIA],
        "max_content_length": st.config.max_body_bytes,
    }))
}

fn collection_json(g: &SharingGroup, a: Access) -> Value {
    json!({
        "id": g.uuid,
        "title": g.name,
        "description": if g.description.is_empty() {
            format!("Ceiling {}", g.tlp_max.label())
        } else {
            format!("{} (ceiling {})", g.description, g.tlp_max.label())
        },
        "can_read": a.read,
        "can_write": a.write,
        "media_types": [STIX_MEDIA],
    })
}

async fn access(st: &AppState, u: &CurrentUser, g: &SharingGroup) -> TResult<Access> {
    Ok(crate::sharing::access(&st.store, u, g.id).await?)
}

/// The group behind a collection id, if the caller may see it at all.
async fn group_for(st: &AppState, u: &CurrentUser, coll: &str) -> TResult<(SharingGroup, Access)> {
    let missing = || TaxiiError::not_found(format!("no collection {coll} here"));
    let g = match st.store.sharing_group(coll).await {
        Ok(g) if g.uuid == coll => g,
        _ => return Err(missing()),
    };
    let a = access(st, u, &g).await?;
    if !a.read && !a.write {
        return Err(missing());
    }
    Ok((g, a))
}

async fn collections(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
) -> TResult<Response> {
    let mut out = Vec::new();
    for g in st.store.sharing_groups().await? {
        let a = access(&st, &u, &g).await?;
        if a.read || a.write {
            out.push(collection_json(&g, a));
        }
    }
    Ok(taxii_json(&if out.is_empty() {
        json!({})
    } else {
        json!({ "collections": out })
    }))
}

async fn collection(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(coll): Path<String>,
) -> TResult<Response> {
    let (g, a) = group_for(&st, &u, &coll).await?;
    Ok(taxii_json(&collection_json(&g, a)))
}

/// The group behind a collection the caller may read.
async fn readable(st: &AppState, u: &CurrentUser, coll: &str) -> TResult<SharingGroup> {
    let (g, a) = group_for(st, u, coll).await?;
    if !a.read {
        return Err(TaxiiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "you may write to this collection but not read it",
        ));
    }
    Ok(g)
}

async fn get_objects(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(coll): Path<String>,
    Query(p): Query<ObjectsParams>,
) -> TResult<Response> {
    let g = readable(&st, &u, &coll).await?;
    let q = object_query(&p, Versions::Last)?;
    let page = st.store.shared_objects(g.id, &q).await?;
    Ok(date_headers(taxii_json(&envelope(&page)?), &page.objects))
}

async fn get_object(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path((coll, id)): Path<(String, String)>,
    Query(p): Query<ObjectsParams>,
) -> TResult<Response> {
    let g = readable(&st, &u, &coll).await?;
    let mut q = object_query(&p, Versions::Last)?;
    q.ids = vec![id.clone()];
    let page = st.store.shared_objects(g.id, &q).await?;
    if page.objects.is_empty() && q.after_seq.is_none() {
        return Err(TaxiiError::not_found(format!(
            "no object {id} in this collection"
        )));
    }
    Ok(date_headers(taxii_json(&envelope(&page)?), &page.objects))
}

async fn versions(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path((coll, id)): Path<(String, String)>,
    Query(p): Query<ObjectsParams>,
) -> TResult<Response> {
    let g = readable(&st, &u, &coll).await?;
    let mut q = object_query(&p, Versions::All)?;
    q.ids = vec![id.clone()];
    q.versions = Versions::All;
    let page = st.store.shared_objects(g.id, &q).await?;
    if page.objects.is_empty() && q.after_seq.is_none() {
        return Err(TaxiiError::not_found(format!(
            "no object {id} in this collection"
        )));
    }
    let mut body = json!({
        "more": page.more,
        "versions": page.objects.iter().map(version_of).collect::<Vec<_>>(),
    });
    if page.more
        && let Some(last) = page.objects.last()
    {
        body["next"] = json!(last.seq.to_string());
    }
    Ok(date_headers(taxii_json(&body), &page.objects))
}

fn version_of(o: &SharedObject) -> String {
    if o.version.is_empty() {
        taxii_time(o.added_us)
    } else {
        o.version.clone()
    }
}

async fn manifest(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(coll): Path<String>,
    Query(p): Query<ObjectsParams>,
) -> TResult<Response> {
    let g = readable(&st, &u, &coll).await?;
    let q = object_query(&p, Versions::Last)?;
    let page = st.store.shared_objects(g.id, &q).await?;
    let objects: Vec<Value> = page
        .objects
        .iter()
        .map(|o| {
            json!({
                "id": o.stix_id,
                "date_added": taxii_time(o.added_us),
                "version": version_of(o),
                "media_type": format!("application/stix+json;version={}", o.spec_version),
            })
        })
        .collect();
    let mut body = json!({ "more": page.more });
    if page.more
        && let Some(last) = page.objects.last()
    {
        body["next"] = json!(last.seq.to_string());
    }
    if !objects.is_empty() {
        body["objects"] = Value::Array(objects);
    }
    Ok(date_headers(taxii_json(&body), &page.objects))
}

async fn add_objects(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(coll): Path<String>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> TResult<Response> {
    let (g, a) = group_for(&st, &u, &coll).await?;
    let body = body.map_err(|e| {
        let status = e.status();
        TaxiiError::new(
            status,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                "Envelope too large"
            } else {
                "Bad request"
            },
            format!(
                "{e}; this server takes envelopes up to {} bytes (see max_content_length)",
                st.config.max_body_bytes
            ),
        )
    })?;
    if !a.write {
        return Err(TaxiiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "you may read this collection but not write to it",
        ));
    }
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ctype.starts_with("application/taxii+json") {
        return Err(TaxiiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            format!("send an envelope as {TAXII_MEDIA}, not {ctype:?}"),
        ));
    }
    let env: Value = serde_json::from_slice(&body).map_err(|e| {
        TaxiiError::bad(format!(
            "the envelope is not JSON: line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let objects = match env.get("objects") {
        Some(Value::Array(a)) => a,
        Some(_) => return Err(TaxiiError::bad("\"objects\" must be an array")),
        None => return Err(TaxiiError::bad("an envelope needs an \"objects\" array")),
    };
    let mut checked: Vec<NewSharedObject> = Vec::new();
    let mut failures = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        match crate::stix_meta::shared_object(o) {
            Ok(obj) => {
                checked.push(obj);
            }
            Err(reason) => {
                let id = o
                    .get("id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("objects[{i}]"));
                failures.push(json!({"id": id, "message": reason}));
            }
        }
    }
    let outcomes = st
        .store
        .add_shared_objects(&u.actor(), g.id, &format!("user:{}", u.user.id.0), &checked)
        .await?;
    let mut successes = Vec::new();
    for (obj, out) in checked.iter().zip(&outcomes) {
        let mut entry = json!({"id": obj.stix_id});
        if !obj.version.is_empty() {
            entry["version"] = json!(obj.version);
        }
        match out {
            AddOutcome::Added => successes.push(entry),
            AddOutcome::Exists => {
                entry["message"] = json!("already present: nothing changed");
                successes.push(entry);
            }
            AddOutcome::Refused(m) => {
                entry["message"] = json!(m);
                failures.push(entry);
            }
        }
    }
    let status = TaxiiStatus {
        id: uuid::Uuid::new_v4().to_string(),
        group_id: g.id,
        request_ms: now_ms(),
        total: objects.len() as i64,
        success_count: successes.len() as i64,
        failure_count: failures.len() as i64,
        successes: Value::Array(successes),
        failures: Value::Array(failures),
        created_by: Some(u.user.id.0),
    };
    st.store.save_taxii_status(&u.actor(), &status).await?;
    Ok((StatusCode::ACCEPTED, taxii_json(&status_json(&status))).into_response())
}

fn status_json(s: &TaxiiStatus) -> Value {
    json!({
        "id": s.id,
        "status": "complete",
        "request_timestamp": taxii_time(s.request_ms * 1000),
        "total_count": s.total,
        "success_count": s.success_count,
        "successes": s.successes,
        "failure_count": s.failure_count,
        "failures": s.failures,
        "pending_count": 0,
        "pendings": [],
    })
}

async fn status(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> TResult<Response> {
    let who = (!u.user.role.is_admin()).then_some(u.user.id);
    let s = st
        .store
        .taxii_status(&id, who)
        .await
        .map_err(|_| TaxiiError::not_found(format!("no status {id}")))?;
    Ok(taxii_json(&status_json(&s)))
}
