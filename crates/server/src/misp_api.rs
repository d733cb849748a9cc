//! A MISP-compatible API subset under `/misp/`, large enough for PyMISP and the MISP tools built
//! on it: connect (`servers/getVersion`, `users/view/me`), push an event with attributes
//! (`events/add`, `events/edit`), fetch it (`events/view`), search (`events/restSearch`,
//! `attributes/restSearch`), list (`events/index`) and delete (`events/delete`).
//!
//! Authentication is MISP's own: the API key (a hikeshi API token) in `Authorization` or
//! `X-MISP-AUTH`, with no `Bearer` prefix. Session cookies are not accepted. Events are kept as
//! the JSON they were given, so a client reads back what it wrote; they are readable by their
//! writer, the sharing group they were written to, and admins, and a group never holds an
//! event marked above its ceiling. Unmarked events count as TLP:AMBER.

use crate::AppState;
use crate::auth::{self, CurrentUser, Via};
use crate::error::AppError;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use hikeshi_domain::Tlp;
use hikeshi_domain::time::now_ms;
use hikeshi_store::{MispAttr, MispEventRow, MispQuery, MispReader, NewMispEvent};
use serde_json::{Map, Value, json};

/// The MISP version we answer with: the API shape we follow.
pub const MISP_VERSION: &str = "2.5.0";
/// Events without a TLP tag are treated as this.
pub const UNMARKED: Tlp = Tlp::Amber;

/// MISP's error shape: `{"name", "message", "url", "errors"}` with the status.
struct MispError(StatusCode, String);

impl IntoResponse for MispError {
    fn into_response(self) -> Response {
        (
            self.0,
            Json(json!({"name": self.1, "message": self.1, "url": "", "errors": [self.1]})),
        )
            .into_response()
    }
}

impl From<AppError> for MispError {
    fn from(e: AppError) -> MispError {
        MispError(e.status, e.message)
    }
}

impl From<hikeshi_store::StoreError> for MispError {
    fn from(e: hikeshi_store::StoreError) -> MispError {
        AppError::from(e).into()
    }
}

type MResult<T> = Result<T, MispError>;

fn bad(msg: impl Into<String>) -> MispError {
    MispError(StatusCode::BAD_REQUEST, msg.into())
}

async fn misp_auth(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let key = key_of(req.headers());
    let found = match key {
        Some(k) => match st.store.token_user(&auth::hash_token(&k)).await {
            Ok(Some((user, id))) => Some(CurrentUser {
                user,
                via: Via::Token { id },
            }),
            _ => None,
        },
        None => None,
    };
    match found {
        Some(u) => {
            req.extensions_mut().insert(u);
            next.run(req).await
        }
        None => MispError(
            StatusCode::FORBIDDEN,
            "Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.".into(),
        )
        .into_response(),
    }
}

fn key_of(h: &HeaderMap) -> Option<String> {
    let v = h
        .get("x-misp-auth")
        .or_else(|| h.get(header::AUTHORIZATION))?
        .to_str()
        .ok()?
        .trim();
    let v = v.strip_prefix("Bearer ").unwrap_or(v).trim();
    (!v.is_empty()).then(|| v.to_owned())
}

pub fn mounted(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/misp/servers/getVersion", get(version))
        .route("/misp/servers/getVersion.json", get(version))
        .route("/misp/servers/getPyMISPVersion.json", get(pymisp_version))
        .route("/misp/users/view/{me}", get(me))
        .route("/misp/events/add", post(add_event))
        .route("/misp/events/edit/{id}", post(edit_event).put(edit_event))
        .route("/misp/events/view/{id}", get(view_event))
        .route("/misp/events/{id}", get(view_event))
        .route("/misp/events/index", get(index).post(index))
        .route(
            "/misp/events/restSearch",
            post(search_events).get(search_events_get),
        )
        .route("/misp/attributes/restSearch", post(search_attributes))
        .route(
            "/misp/events/delete/{id}",
            post(delete_event).delete(delete_event),
        )
        .route_layer(middleware::from_fn_with_state(state, misp_auth))
}

fn reader(u: &CurrentUser) -> MispReader {
    MispReader {
        user: u.user.id,
        token: match u.via {
            Via::Token { id } => Some(id),
            _ => None,
        },
        admin: u.user.role.is_admin(),
    }
}

async fn version() -> Json<Value> {
    Json(json!({
        "version": MISP_VERSION,
        "pymisp_recommended_version": MISP_VERSION,
        "perm_sync": false,
        "perm_sighting": false,
        "perm_galaxy_editor": false,
        "request_encoding": ["gzip"],
        "filter_sightings": true,
    }))
}

async fn pymisp_version() -> Json<Value> {
    Json(json!({"version": MISP_VERSION}))
}

async fn me(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(who): Path<String>,
) -> MResult<Json<Value>> {
    if who != "me" && who != u.user.id.0.to_string() {
        return Err(MispError(
            StatusCode::FORBIDDEN,
            "only `me` can be viewed here".into(),
        ));
    }
    let writer = u.user.role.can_write();
    let admin = u.user.role.is_admin();
    let instance = st.store.instance_uuid().await?;
    Ok(Json(json!({
        "User": {
            "id": u.user.id.0.to_string(),
            "email": if u.user.email.is_empty() { format!("{}@hikeshi.invalid", u.user.username) } else { u.user.email.clone() },
            "org_id": "1",
            "role_id": if admin { "1" } else if writer { "3" } else { "6" },
            "disabled": false,
            "autoalert": false,
            "termsaccepted": true,
            "change_pw": u.user.must_change_password,
        },
        "Role": {
            "id": if admin { "1" } else if writer { "3" } else { "6" },
            "name": hikeshi_domain::Named::as_str(u.user.role),
            "perm_add": writer,
            "perm_modify": writer,
            "perm_modify_org": writer,
            "perm_publish": writer,
            "perm_sync": false,
            "perm_admin": admin,
            "perm_site_admin": admin,
            "perm_auth": true,
            "perm_tagger": writer,
            "perm_tag_editor": false,
            "perm_sighting": false,
        },
        "Organisation": {"id": "1", "name": st.config.team_name, "uuid": instance},
        "UserSetting": {},
    })))
}

/// Strip the `{"Event": …}` wrapper if there is one.
fn unwrap_event(v: Value) -> MResult<Map<String, Value>> {
    let v = match v {
        Value::Object(mut m) if m.contains_key("Event") && m.len() == 1 => {
            m.remove("Event").unwrap_or(Value::Null)
        }
        other => other,
    };
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(bad("the request is not a MISP event object")),
    }
}

fn attributes_of(ev: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    let mut out = Vec::new();
    if let Some(Value::Array(a)) = ev.get("Attribute") {
        out.extend(a.iter().filter_map(Value::as_object));
    }
    if let Some(Value::Array(objs)) = ev.get("Object") {
        for o in objs {
            if let Some(Value::Array(a)) = o.get("Attribute") {
                out.extend(a.iter().filter_map(Value::as_object));
            }
        }
    }
    out
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// Fill what MISP fills on write: uuids, timestamps, date, the creating organisation.
fn complete(ev: &mut Map<String, Value>, team: &str, instance: &str) {
    let now_s = (now_ms() / 1000).to_string();
    ev.remove("id");
    if text(ev.get("uuid")).is_empty() {
        ev.insert("uuid".into(), json!(uuid::Uuid::new_v4().to_string()));
    }
    if text(ev.get("date")).is_empty() {
        let d = hikeshi_domain::time::rfc3339(now_ms());
        ev.insert("date".into(), json!(&d[..10]));
    }
    ev.insert("timestamp".into(), json!(now_s));
    for (k, d) in [
        ("published", json!(false)),
        ("analysis", json!("0")),
        ("threat_level_id", json!("4")),
        ("distribution", json!("1")),
    ] {
        ev.entry(k).or_insert(d);
    }
    ev.entry("Orgc")
        .or_insert_with(|| json!({"id": "1", "name": team, "uuid": instance}));
    ev.insert(
        "Org".into(),
        json!({"id": "1", "name": team, "uuid": instance}),
    );
    let fill = |a: &mut Value| {
        if let Some(m) = a.as_object_mut() {
            m.remove("id");
            m.remove("event_id");
            if text(m.get("uuid")).is_empty() {
                m.insert("uuid".into(), json!(uuid::Uuid::new_v4().to_string()));
            }
            m.entry("timestamp").or_insert(json!(now_s));
        }
    };
    if let Some(Value::Array(a)) = ev.get_mut("Attribute") {
        a.iter_mut().for_each(fill);
    }
    if let Some(Value::Array(objs)) = ev.get_mut("Object") {
        for o in objs.iter_mut() {
            if let Some(om) = o.as_object_mut() {
                om.remove("id");
                om.remove("event_id");
                if text(om.get("uuid")).is_empty() {
                    om.insert("uuid".into(), json!(uuid::Uuid::new_v4().to_string()));
                }
                if let Some(Value::Array(a)) = om.get_mut("Attribute") {
                    a.iter_mut().for_each(fill);
                }
            }
        }
    }
}

/// The event as served: the stored JSON with the server's ids put back in.
fn event_out(row: &MispEventRow) -> MResult<Value> {
    let mut ev: Map<String, Value> = serde_json::from_str(&row.body)
        .map_err(|e| AppError::from(hikeshi_store::StoreError::Corrupt(e.to_string())))?;
    let eid = row.id.to_string();
    ev.insert("id".into(), json!(eid));
    ev.insert("published".into(), json!(row.published));
    let mut n = 0u64;
    let mut set_ids = |a: &mut Value| {
        if let Some(m) = a.as_object_mut() {
            n += 1;
            m.insert("id".into(), json!(format!("{}{:05}", row.id, n)));
            m.insert("event_id".into(), json!(eid));
        }
    };
    if let Some(Value::Array(a)) = ev.get_mut("Attribute") {
        a.iter_mut().for_each(&mut set_ids);
    }
    if let Some(Value::Array(objs)) = ev.get_mut("Object") {
        for o in objs.iter_mut() {
            if let Some(Value::Array(a)) = o.get_mut("Attribute") {
                a.iter_mut().for_each(&mut set_ids);
            }
        }
    }
    ev.insert("attribute_count".into(), json!(n.to_string()));
    Ok(json!({ "Event": Value::Object(ev) }))
}

/// Which group a written event goes to: the one named by `sharing_group_id` (distribution 4),
/// else the caller's only writable group, else none (private to the writer).
async fn target_group(
    st: &AppState,
    u: &CurrentUser,
    ev: &Map<String, Value>,
) -> MResult<Option<i64>> {
    let r = reader(u);
    let named = text(ev.get("sharing_group_id"));
    let mut writable = Vec::new();
    for g in st.store.sharing_groups().await? {
        let a = st
            .store
            .sharing_access(g.id, r.user, r.admin, r.token)
            .await?;
        if a.write {
            if !named.is_empty() && (named == g.id.to_string() || named == g.uuid) {
                return Ok(Some(g.id));
            }
            writable.push(g.id);
        }
    }
    if !named.is_empty() && named != "0" {
        return Err(MispError(
            StatusCode::FORBIDDEN,
            format!("you may not write to sharing group {named}"),
        ));
    }
    Ok(if writable.len() == 1 && !r.admin {
        Some(writable[0])
    } else {
        None
    })
}

async fn store_event(
    st: &AppState,
    u: &CurrentUser,
    mut ev: Map<String, Value>,
    replacing: Option<&MispEventRow>,
) -> MResult<Value> {
    let actor = u
        .writer()
        .map_err(|e| MispError(StatusCode::FORBIDDEN, e.message))?;
    let instance = st.store.instance_uuid().await?;
    complete(&mut ev, &st.config.team_name, &instance);
    if let Some(old) = replacing {
        ev.insert("uuid".into(), json!(old.uuid));
    }
    let body = Value::Object(ev.clone());
    let bytes = serde_json::to_vec(&json!({ "Event": body })).map_err(|e| bad(e.to_string()))?;
    let imported = hikeshi_exchange::misp::read_event(&bytes)
        .map_err(|e| bad(format!("the event is not valid MISP: {e}")))?;
    let tlp = imported
        .groups
        .first()
        .and_then(|g| g.tlp)
        .unwrap_or(UNMARKED);
    let group = match replacing {
        Some(old) => old.group_id,
        None => target_group(st, u, &ev).await?,
    };
    let info = text(ev.get("info"));
    if info.trim().is_empty() {
        return Err(bad("an event needs an info"));
    }
    let attributes = attributes_of(&ev)
        .into_iter()
        .map(|a| MispAttr {
            uuid: text(a.get("uuid")),
            attr_type: text(a.get("type")),
            category: text(a.get("category")),
            value: text(a.get("value")),
        })
        .collect();
    let new = NewMispEvent {
        uuid: text(ev.get("uuid")),
        info,
        tlp,
        published: matches!(ev.get("published"), Some(Value::Bool(true)))
            || text(ev.get("published")) == "1",
        event_ts: text(ev.get("timestamp")).parse().unwrap_or(0),
        body: body.to_string(),
        attributes,
    };
    let (row, _) = st
        .store
        .save_misp_event(&actor, group, "misp-api", Some(u.user.id), &new)
        .await
        .map_err(|e| match e {
            hikeshi_store::StoreError::Conflict(m) => MispError(StatusCode::FORBIDDEN, m),
            other => other.into(),
        })?;
    // What came in is linked to its source, like any other import.
    let items = crate::sharing::sourced(&imported, tlp);
    st.store
        .import_indicators(&actor, &format!("misp:event:{}", row.uuid), &items)
        .await?;
    event_out(&row)
}

async fn add_event(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    body: axum::body::Bytes,
) -> MResult<Json<Value>> {
    let v: Value = serde_json::from_slice(&body).map_err(|e| {
        bad(format!(
            "the request is not JSON: line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let ev = unwrap_event(v)?;
    let uuid = text(ev.get("uuid"));
    if !uuid.is_empty()
        && st
            .store
            .misp_event(
                MispReader {
                    admin: true,
                    ..reader(&u)
                },
                &uuid,
            )
            .await
            .is_ok()
    {
        return Err(MispError(
            StatusCode::FORBIDDEN,
            format!("an event with uuid {uuid} already exists"),
        ));
    }
    Ok(Json(store_event(&st, &u, ev, None).await?))
}

async fn editable(st: &AppState, u: &CurrentUser, id: &str) -> MResult<MispEventRow> {
    let r = reader(u);
    let row = st.store.misp_event(r, id).await?;
    let mine = row.created_by == Some(u.user.id.0);
    let in_writable_group = match row.group_id {
        Some(g) => {
            st.store
                .sharing_access(g, r.user, r.admin, r.token)
                .await?
                .write
        }
        None => false,
    };
    if !(mine || r.admin || in_writable_group) {
        return Err(MispError(
            StatusCode::FORBIDDEN,
            format!("you may read event {id} but not change it"),
        ));
    }
    Ok(row)
}

async fn edit_event(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> MResult<Json<Value>> {
    let old = editable(&st, &u, &id).await?;
    let v: Value = serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?;
    let ev = unwrap_event(v)?;
    Ok(Json(store_event(&st, &u, ev, Some(&old)).await?))
}

async fn view_event(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> MResult<Json<Value>> {
    let row = st
        .store
        .misp_event(reader(&u), &id)
        .await
        .map_err(|_| MispError(StatusCode::NOT_FOUND, "Invalid event".into()))?;
    Ok(Json(event_out(&row)?))
}

async fn delete_event(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> MResult<Json<Value>> {
    let row = editable(&st, &u, &id).await?;
    let actor = u
        .writer()
        .map_err(|e| MispError(StatusCode::FORBIDDEN, e.message))?;
    st.store.delete_misp_event(&actor, row.id).await?;
    Ok(Json(json!({
        "saved": true, "success": true, "name": "Event deleted.",
        "message": "Event deleted.", "url": format!("/events/delete/{}", row.id), "id": row.id.to_string(),
    })))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| text(Some(x)))
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::Object(m)) => strings(m.get("OR")),
        Some(x) => {
            let s = text(Some(x));
            if s.is_empty() { Vec::new() } else { vec![s] }
        }
    }
}

fn query_of(body: &Map<String, Value>) -> MResult<MispQuery> {
    let fmt = text(body.get("returnFormat"));
    if !fmt.is_empty() && fmt != "json" {
        return Err(bad(format!(
            "returnFormat {fmt:?} is not served here; use json (or hikeshi's own STIX/CSV exports)"
        )));
    }
    let mut q = MispQuery {
        values: strings(body.get("value")),
        types: strings(body.get("type")),
        uuids: strings(body.get("uuid")),
        limit: text(body.get("limit")).parse().unwrap_or(0),
        page: text(body.get("page")).parse().unwrap_or(1),
        ..Default::default()
    };
    for e in strings(body.get("eventid")) {
        match e.parse::<i64>() {
            Ok(i) => q.event_ids.push(i),
            Err(_) => q.uuids.push(e),
        }
    }
    match body.get("published") {
        Some(Value::Bool(b)) => q.published = Some(*b),
        Some(v) if !text(Some(v)).is_empty() => q.published = Some(text(Some(v)) == "1"),
        _ => {}
    }
    if let Some(ts) = body
        .get("timestamp")
        .or_else(|| body.get("event_timestamp"))
    {
        let s = text(Some(ts));
        q.since_ts = Some(
            s.parse()
                .map_err(|_| bad(format!("timestamp {s:?}: give seconds since the epoch")))?,
        );
    }
    Ok(q)
}

async fn search_events(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    body: axum::body::Bytes,
) -> MResult<Json<Value>> {
    let b: Map<String, Value> = if body.is_empty() {
        Map::new()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| bad(format!("the search is not a JSON object: {e}")))?
    };
    let q = query_of(&b)?;
    let rows = st.store.search_misp_events(reader(&u), &q).await?;
    let out = rows.iter().map(event_out).collect::<MResult<Vec<_>>>()?;
    Ok(Json(json!({ "response": out })))
}

async fn search_events_get(st: State<AppState>, u: Extension<CurrentUser>) -> MResult<Json<Value>> {
    search_events(st, u, axum::body::Bytes::new()).await
}

async fn search_attributes(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    body: axum::body::Bytes,
) -> MResult<Json<Value>> {
    let b: Map<String, Value> = if body.is_empty() {
        Map::new()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| bad(format!("the search is not a JSON object: {e}")))?
    };
    let q = query_of(&b)?;
    let rows = st.store.search_misp_events(reader(&u), &q).await?;
    let mut attrs = Vec::new();
    for row in &rows {
        let ev = event_out(row)?;
        let Some(em) = ev.get("Event").and_then(Value::as_object) else {
            continue;
        };
        for a in attributes_of(em) {
            let value = text(a.get("value"));
            let ty = text(a.get("type"));
            let value_ok = q.values.is_empty()
                || q.values.iter().any(|v| {
                    if v.contains('%') {
                        like(&value.to_lowercase(), &v.to_lowercase())
                    } else {
                        *v == value
                    }
                });
            let type_ok = q.types.is_empty() || q.types.contains(&ty);
            if value_ok && type_ok {
                let mut a = a.clone();
                a.insert(
                    "Event".into(),
                    json!({"id": row.id.to_string(), "uuid": row.uuid, "info": row.info,
                           "org_id": "1", "orgc_id": "1", "distribution": em.get("distribution").cloned().unwrap_or(json!("1"))}),
                );
                attrs.push(Value::Object(a));
            }
        }
    }
    Ok(Json(json!({ "response": { "Attribute": attrs } })))
}

/// SQL LIKE with `%` only (MISP's wildcard).
fn like(value: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('%').collect();
    let mut rest = value;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(p) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            match rest.find(p) {
                Some(pos) => rest = &rest[pos + p.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

async fn index(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
) -> MResult<Json<Value>> {
    let rows = st
        .store
        .search_misp_events(reader(&u), &MispQuery::default())
        .await?;
    let mut out = Vec::new();
    for row in &rows {
        let ev = event_out(row)?;
        let mut m = ev
            .get("Event")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        m.remove("Attribute");
        m.remove("Object");
        out.push(Value::Object(m));
    }
    Ok(Json(Value::Array(out)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_matches_misp_wildcards() {
        assert!(super::like("evil.example.jp", "%.example.jp"));
        assert!(super::like("evil.example.jp", "evil%"));
        assert!(super::like("evil.example.jp", "%example%"));
        assert!(!super::like("evil.example.jp", "%.example.com"));
        assert!(super::like("abc", "abc"));
    }
}
