//! TAXII 2.1 server: discovery, one API root, a collection per sharing group, objects with
//! paging and filters, manifests, versions, and status resources for written envelopes.
//!
//! TAXII has its own authentication (the spec requires HTTP Basic): a user's name and either
//! their password or one of their API tokens, or a bearer token. Session cookies are not
//! accepted here, so no other site can write through a signed-in browser. A caller sees the
//! collections of the sharing groups they may read or write; objects marked above a group's
//! ceiling are refused at the write (see hikeshi-store), so they can never be read back.

use crate::AppState;
use crate::auth::{self, CurrentUser, Via};
use crate::error::AppError;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use base64::Engine;
use hikeshi_domain::time::{now_ms, rfc3339};
use hikeshi_store::{
    Access, AddOutcome, NewSharedObject, ObjectQuery, SharedObject, SharingGroup, TaxiiStatus,
    Versions,
};
use serde::Deserialize;
use serde_json::{Value, json};

pub const TAXII_MEDIA: &str = "application/taxii+json;version=2.1";
pub const STIX_MEDIA: &str = "application/stix+json;version=2.1";
/// Objects per page when the client does not ask for fewer.
const PAGE: i64 = 1000;

/// A TAXII error message, with the TAXII media type.
pub struct TaxiiError {
    status: StatusCode,
    title: String,
    description: String,
}

impl TaxiiError {
    fn new(status: StatusCode, title: &str, description: impl Into<String>) -> TaxiiError {
        TaxiiError {
            status,
            title: title.into(),
            description: description.into(),
        }
    }
    fn not_found(what: impl Into<String>) -> TaxiiError {
        Self::new(StatusCode::NOT_FOUND, "Not found", what)
    }
    fn bad(what: impl Into<String>) -> TaxiiError {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", what)
    }
}

impl IntoResponse for TaxiiError {
    fn into_response(self) -> Response {
        let body = json!({
            "title": self.title,
            "description": self.description,
            "http_status": self.status.as_u16().to_string(),
        });
        let mut r = (self.status, taxii_json(&body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"hikeshi TAXII\""),
            );
        }
        r
    }
}

impl From<AppError> for TaxiiError {
    fn from(e: AppError) -> TaxiiError {
        TaxiiError::new(
            e.status,
            e.status.canonical_reason().unwrap_or("Error"),
            e.message,
        )
    }
}

impl From<hikeshi_store::StoreError> for TaxiiError {
    fn from(e: hikeshi_store::StoreError) -> TaxiiError {
        AppError::from(e).into()
    }
}

type TResult<T> = Result<T, TaxiiError>;

fn taxii_json(v: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(TAXII_MEDIA))],
        v.to_string(),
    )
        .into_response()
}

/// TAXII 2.1 timestamps: RFC 3339 in UTC with microseconds.
pub fn taxii_time(us: i64) -> String {
    let ms = us.div_euclid(1000);
    let base = rfc3339(ms);
    // rfc3339 gives ".mmmZ"; add the microseconds.
    format!("{}{:03}Z", base.trim_end_matches('Z'), us.rem_euclid(1000))
}

/// Parse a TAXII/STIX timestamp (any sub-second precision) to microseconds.
pub fn parse_taxii_time(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).ok()
}

/// Authenticate a TAXII request: Basic (user + password or token) or a bearer token.
async fn taxii_auth(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let found = match req.extensions().get::<CurrentUser>() {
        Some(u) if matches!(u.via, Via::Token { .. }) => Some(u.clone()),
        _ => basic_user(&st, req.headers()).await,
    };
    match found {
        Some(u) => {
            req.extensions_mut().insert(u);
            let accept_ok = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|a| {
                    a.contains("application/taxii+json")
                        || a.contains("*/*")
                        || a.contains("application/*")
                        || a.contains("application/json")
                });
            if !accept_ok {
                return TaxiiError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    "Not acceptable",
                    format!("this server speaks {TAXII_MEDIA}"),
                )
                .into_response();
            }
            next.run(req).await
        }
        None => TaxiiError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "HTTP Basic (user name and password or API token) or a bearer token is needed",
        )
        .into_response(),
    }
}

async fn basic_user(st: &AppState, headers: &HeaderMap) -> Option<CurrentUser> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (name, secret) = raw.split_once(':')?;
    // An API token as the password: it names its own user, which must match.
    if let Ok(Some((user, id))) = st.store.token_user(&auth::hash_token(secret)).await
        && user.username == name
    {
        return Some(CurrentUser {
            user,
            via: Via::Token { id },
        });
    }
    let (user, hash) = st.store.user_for_login(name).await.ok()??;
    if user.must_change_password || user.disabled {
        return None;
    }
    let secret = secret.to_owned();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&secret, &hash))
        .await
        .ok()?;
    // A password login over TAXII acts like a session without CSRF: only Basic, never a
    // cookie, so another site cannot ride on it. It is recorded as the user.
    ok.then(|| CurrentUser {
        user,
        via: Via::Basic,
    })
}

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
    let token = match u.via {
        Via::Token { id } => Some(id),
        _ => None,
    };
    Ok(st
        .store
        .sharing_access(g.id, u.user.id, u.user.role.is_admin(), token)
        .await?)
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

/// The query parameters of the objects, manifest and versions endpoints.
#[derive(Debug, Default, Deserialize)]
struct ObjectsParams {
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

fn list(s: &Option<String>) -> Vec<String> {
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

fn object_query(p: &ObjectsParams, default_version: Versions) -> TResult<ObjectQuery> {
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

fn date_headers(mut r: Response, objs: &[SharedObject]) -> Response {
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

fn envelope(page: &hikeshi_store::ObjectPage) -> TResult<Value> {
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
        "versions": page.objects.iter().map(|o| version_of(o)).collect::<Vec<_>>(),
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
    body: axum::body::Bytes,
) -> TResult<Response> {
    let (g, a) = group_for(&st, &u, &coll).await?;
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
