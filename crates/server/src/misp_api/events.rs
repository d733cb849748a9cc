//! Events in and out: what MISP fills on write, who may write where, the stored JSON served back.

use super::*;

/// Strip the `{"Event": …}` wrapper if there is one.
pub(super) fn unwrap_event(v: Value) -> MResult<Map<String, Value>> {
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

pub(super) fn attributes_of(ev: &Map<String, Value>) -> Vec<&Map<String, Value>> {
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

pub(super) fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// Fill what MISP fills on write: uuids, timestamps, date, the creating organisation.
pub(super) fn complete(ev: &mut Map<String, Value>, team: &str, instance: &str) {
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
pub(super) fn event_out(row: &MispEventRow) -> MResult<Value> {
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
pub(super) async fn target_group(
    st: &AppState,
    u: &CurrentUser,
    ev: &Map<String, Value>,
) -> MResult<Option<i64>> {
    let r = reader(u);
    let named = text(ev.get("sharing_group_id"));
    let mut writable = Vec::new();
    for (g, a) in crate::sharing::groups_with_access(&st.store, u).await? {
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

pub(super) async fn store_event(
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
        .import_indicators(
            &actor,
            &format!("misp:event:{}", row.uuid),
            &items,
            &crate::sharing::kept(&imported),
        )
        .await?;
    event_out(&row)
}

pub(super) async fn add_event(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    body: Body,
) -> MResult<Json<Value>> {
    let body = body_of(body)?;
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

pub(super) async fn editable(st: &AppState, u: &CurrentUser, id: &str) -> MResult<MispEventRow> {
    let r = reader(u);
    let row = st.store.misp_event(r, id).await?;
    let mine = row.created_by == Some(u.user.id.0);
    let in_writable_group = match row.group_id {
        Some(g) => crate::sharing::access(&st.store, u, g).await?.write,
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

pub(super) async fn edit_event(
    State(st): State<AppState>,
    Extension(u): Extension<CurrentUser>,
    Path(id): Path<String>,
    body: Body,
) -> MResult<Json<Value>> {
    let body = body_of(body)?;
    let old = editable(&st, &u, &id).await?;
    let v: Value = serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?;
    let ev = unwrap_event(v)?;
    Ok(Json(store_event(&st, &u, ev, Some(&old)).await?))
}

pub(super) async fn view_event(
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

pub(super) async fn delete_event(
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
