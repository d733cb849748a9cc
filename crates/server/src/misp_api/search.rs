//! `restSearch` on events and attributes, and the event index.

use super::events::{attributes_of, event_out, text};
use super::*;

pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
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

pub(super) fn query_of(body: &Map<String, Value>) -> MResult<MispQuery> {
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

/// Parse a search body (empty means everything) and run it for the caller.
async fn run_search(
    st: &AppState,
    u: &CurrentUser,
    body: &[u8],
) -> MResult<(MispQuery, Vec<hikeshi_store::MispEventRow>)> {
    let b: Map<String, Value> = if body.is_empty() {
        Map::new()
    } else {
        serde_json::from_slice(body)
            .map_err(|e| bad(format!("the search is not a JSON object: {e}")))?
    };
    let q = query_of(&b)?;
    let rows = st.store.search_misp_events(reader(u), &q).await?;
    Ok((q, rows))
}

pub(super) async fn search_events(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    body: axum::body::Bytes,
) -> MResult<Json<Value>> {
    let (_, rows) = run_search(&st, &u, &body).await?;
    let out = rows.iter().map(event_out).collect::<MResult<Vec<_>>>()?;
    Ok(Json(json!({ "response": out })))
}

pub(super) async fn search_events_get(
    st: State<AppState>,
    u: Extension<CurrentUser>,
) -> MResult<Json<Value>> {
    search_events(st, u, axum::body::Bytes::new()).await
}

pub(super) async fn search_attributes(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    body: axum::body::Bytes,
) -> MResult<Json<Value>> {
    let (q, rows) = run_search(&st, &u, &body).await?;
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
pub(super) fn like(value: &str, pattern: &str) -> bool {
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

pub(super) async fn index(
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
