//! The signed-in pages: dashboard, report queue and report page, incident list and incident
//! page, password change.

use super::{PageCtx, UiError, render};
use crate::AppState;
use crate::api::opt_named;
use crate::api::views::{self, IncidentView};
use crate::auth::CurrentUser;
use axum::Router;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use hikeshi_domain::*;
use hikeshi_store::{IncidentFilter, Page, ReportFilter};
use minijinja::Value;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/reports", get(reports))
        .route("/reports/{id}", get(report))
        .route("/reports/{id}/raw", get(report_raw))
        .route("/incidents", get(incidents))
        .route("/incidents/{id}", get(incident))
        .route("/password", get(password))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    lang: Option<String>,
    status: Option<String>,
    phase: Option<String>,
    category: Option<String>,
    priority: Option<String>,
    q: Option<String>,
    open: Option<String>,
    page: Option<i64>,
    after: Option<String>,
    before: Option<String>,
}

/// The list page's own query string (the filter as a saved filter keeps it) with `key=cursor`
/// for the page: the next and previous links keep the filter.
fn page_href(raw: Option<&str>, key: &str, cursor: hikeshi_store::Cursor) -> String {
    let kept = super::search_pages::kept_query(raw);
    let sep = if kept.is_empty() { "" } else { "&" };
    format!("?{kept}{sep}{key}={cursor}")
}

/// The classification vocabularies every form needs.
fn vocab() -> Value {
    Value::from_serialize(json!({
        "phases": names::<Phase>(),
        "loop": Phase::LOOP.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "categories": names::<Category>(),
        "tlp": names::<Tlp>(),
        "priorities": names::<Priority>(),
        "attackers": names::<AttackerClass>(),
        "assets": names::<AssetClass>(),
        "functional": names::<FunctionalImpact>(),
        "information": names::<InformationImpact>(),
        "recoverability": names::<Recoverability>(),
        "criticality": names::<Criticality>(),
        "report_status": names::<ReportStatus>(),
        "roles": names::<IndicatorRole>(),
        "rsit": RSIT.iter().flat_map(|(c, ts)| ts.iter().map(move |t| format!("{c}/{t}"))).collect::<Vec<_>>(),
    }))
}

pub(super) fn incident_value(i: &Incident) -> Value {
    let mut v = json!(IncidentView::from(i));
    v["reported_ms"] = json!(i.reported_at);
    v["updated_ms"] = json!(i.updated_at);
    v["sla_ms"] = json!({"acknowledge": i.sla.acknowledge, "first_response": i.sla.first_response, "containment": i.sla.containment});
    v["done_ms"] = json!({"acknowledge": i.acknowledged_at, "first_response": i.first_response_at, "containment": i.contained_at, "closed": i.closed_at});
    v["owner_reached_ms"] = json!(i.owner_reached_at);
    v["coordinated_ms"] = json!(i.coordinated_at);
    Value::from_serialize(v)
}

/// What every list page gets: its items, the total (a lower bound past
/// [`hikeshi_store::TOTAL_CAP`]), the next and previous links, the filter as given, the
/// vocabularies.
fn list_vars<T>(
    name: &'static str,
    p: &hikeshi_store::Paged<T>,
    value: fn(&T) -> Value,
    raw: Option<&str>,
    filter: serde_json::Value,
) -> BTreeMap<&'static str, Value> {
    let mut vars = BTreeMap::new();
    vars.insert(
        name,
        Value::from(p.items.iter().map(value).collect::<Vec<_>>()),
    );
    vars.insert("total", Value::from(p.total));
    vars.insert("total_exact", Value::from(p.total_exact));
    let href = |key, c: Option<hikeshi_store::Cursor>| c.map(|c| page_href(raw, key, c));
    vars.insert("prev_href", Value::from(href("before", p.prev)));
    vars.insert("next_href", Value::from(href("after", p.next)));
    let q = filter["q"].as_str().unwrap_or("").trim();
    vars.insert(
        "short_text",
        Value::from(!q.is_empty() && q.chars().count() < hikeshi_store::MIN_INDEXED_TEXT),
    );
    vars.insert("filter", Value::from_serialize(filter));
    vars.insert("vocab", vocab());
    vars
}

/// 50 rows from `?after=`/`?before=` (or an old link's `?page=`).
fn list_page(q: &ListQuery, lead: bool) -> Result<Page, UiError> {
    let seek = crate::api::seek(q.after.as_deref(), q.before.as_deref(), lead)?;
    Ok(Page::new(q.page, Some(50)).seek(seek))
}

pub(super) fn report_value(r: &Report) -> Value {
    let mut v = views::report(r);
    v["received_ms"] = json!(r.received_at);
    Value::from_serialize(v)
}

async fn dashboard(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user.clone()));
    let waiting_filter = ReportFilter {
        status: Some(ReportStatus::New),
        ..Default::default()
    };
    let open_filter = IncidentFilter {
        open_only: true,
        ..Default::default()
    };
    let mine_filter = IncidentFilter {
        open_only: true,
        assignee: Some(user.user.id),
        ..Default::default()
    };
    // Three independent reads, each on its own pool connection.
    let (waiting, open, mine) = tokio::try_join!(
        st.store
            .list_reports(user.viewer(), &waiting_filter, Page::new(Some(1), Some(20))),
        st.store
            .list_incidents(user.viewer(), &open_filter, Page::new(Some(1), Some(50))),
        st.store
            .list_incidents(user.viewer(), &mine_filter, Page::new(Some(1), Some(20))),
    )?;
    let mut vars = BTreeMap::new();
    vars.insert(
        "waiting",
        Value::from(waiting.items.iter().map(report_value).collect::<Vec<_>>()),
    );
    vars.insert("waiting_total", Value::from(waiting.total));
    vars.insert("waiting_total_exact", Value::from(waiting.total_exact));
    vars.insert(
        "open",
        Value::from(open.items.iter().map(incident_value).collect::<Vec<_>>()),
    );
    vars.insert("open_total", Value::from(open.total));
    vars.insert("open_total_exact", Value::from(open.total_exact));
    vars.insert(
        "mine",
        Value::from(mine.items.iter().map(incident_value).collect::<Vec<_>>()),
    );
    Ok(render(&st, &ctx, "dashboard.html", vars))
}

async fn reports(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user.clone()));
    let f = ReportFilter {
        status: opt_named("status", q.status.as_deref())?,
        incident: None,
        text: q.q.clone(),
    };
    let p = st
        .store
        .list_reports(user.viewer(), &f, list_page(&q, false)?)
        .await?;
    let mut vars = list_vars(
        "reports",
        &p,
        report_value,
        raw.as_deref(),
        json!({"status": q.status, "q": q.q}),
    );
    super::search_pages::saved_vars(&st, &user, "reports", raw.as_deref(), &mut vars).await?;
    Ok(render(&st, &ctx, "reports.html", vars))
}

async fn report(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user.clone()));
    let r = st.store.report(user.viewer(), ReportId(id)).await?;
    let mut vars = BTreeMap::new();
    if let Some(i) = r.incident_id {
        if let Ok(inc) = st.store.incident(user.viewer(), i).await {
            vars.insert("incident", incident_value(&inc));
        }
    }
    let proposals: Vec<serde_json::Value> = st
        .store
        .report_indicators(user.viewer(), r.id)
        .await?
        .iter()
        .map(|x| {
            json!({
                "id": x.id.0, "kind": x.indicator.kind.as_str(), "value": x.indicator.value,
                "defanged": hikeshi_ioc::defang(&x.indicator, hikeshi_ioc::DefangStyle::default()),
                "raw": x.raw, "source": x.source, "status": x.status,
            // Checked against the lists in force now, so the page says which kind of list.
            "warnings": super::warning_values(&st.extractor.warnings().check(x.indicator.kind, &x.indicator.value)),
            })
        })
        .collect();
    vars.insert("proposals", Value::from_serialize(&proposals));
    vars.insert("report", report_value(&r));
    vars.insert("vocab", vocab());
    Ok(render(&st, &ctx, "report.html", vars))
}

async fn report_raw(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let (bytes, _) = st.store.report_raw(user.viewer(), ReportId(id)).await?;
    Ok(crate::api::download_raw(bytes, id))
}

async fn incidents(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user.clone()));
    let f = IncidentFilter {
        phase: opt_named("phase", q.phase.as_deref())?,
        open_only: q.open.as_deref() == Some("1"),
        category: opt_named("category", q.category.as_deref())?,
        priority: opt_named("priority", q.priority.as_deref())?,
        assignee: None,
        text: q.q.clone(),
    };
    let p = st
        .store
        .list_incidents(user.viewer(), &f, list_page(&q, true)?)
        .await?;
    let mut vars = list_vars(
        "incidents",
        &p,
        incident_value,
        raw.as_deref(),
        json!({"phase": q.phase, "category": q.category, "priority": q.priority, "q": q.q, "open": q.open}),
    );
    super::search_pages::saved_vars(&st, &user, "incidents", raw.as_deref(), &mut vars).await?;
    Ok(render(&st, &ctx, "incidents.html", vars))
}

async fn incident(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user.clone()));
    let inc = crate::api::resolve_incident(&st, &user, &id).await?;
    let v = user.viewer();
    // The page's reads are independent: each on its own pool connection, so the page costs the
    // slowest rather than the sum of a dozen round trips.
    let of_incident = ReportFilter {
        incident: Some(inc.id),
        ..Default::default()
    };
    let (timeline, tasks, decisions, reports, users, notifications, linked) = tokio::try_join!(
        st.store.timeline(v, inc.id),
        st.store.tasks(v, inc.id),
        st.store.decisions(v, inc.id),
        st.store.list_reports(
            v,
            &of_incident,
            Page::new(Some(1), Some(Page::MAX_PER_PAGE)),
        ),
        st.store.list_users(),
        st.store.incident_notifications(v, inc.id),
        st.store.incident_indicators(v, inc.id),
    )?;
    let correlations = futures_util::future::try_join_all(
        linked
            .iter()
            .map(|i| st.store.correlations(v, i.id, Some(inc.id))),
    )
    .await?;
    let mut indicators = Vec::new();
    for (i, c) in linked.iter().zip(&correlations) {
        let mut correlations = crate::api::correlations_json(c);
        if let Some(weak) = correlations["weak"].as_array_mut() {
            for w in weak {
                w["defanged"] = json!(defanged_of(w));
            }
        }
        indicators.push(json!({
            "id": i.id.0, "kind": i.indicator.kind.as_str(), "value": i.indicator.value,
            "defanged": hikeshi_ioc::defang(&i.indicator, hikeshi_ioc::DefangStyle::default()),
            "role": i.role.as_str(), "tlp": i.tlp.as_str(), "note": i.note,
            "correlations": correlations,
        }));
    }
    let mut vars = BTreeMap::new();
    vars.insert("indicators", Value::from_serialize(&indicators));
    vars.insert("incident", incident_value(&inc));
    vars.insert(
        "timeline",
        Value::from_serialize(timeline.iter().map(|e| json!({"at_ms": e.at, "actor": e.actor_name, "kind": e.kind, "data": e.data, "defanged": defanged_of(&e.data)})).collect::<Vec<_>>()),
    );
    vars.insert(
        "tasks",
        Value::from_serialize(tasks.iter().map(|t| json!({"id": t.id.0, "title": t.title, "assignee": t.assignee_name, "due_ms": t.due_at, "done_ms": t.done_at})).collect::<Vec<_>>()),
    );
    vars.insert(
        "decisions",
        Value::from_serialize(decisions.iter().map(|d| json!({"subject": d.subject, "decision": d.decision, "decided_by": d.decided_by, "decided_ms": d.decided_at, "note": d.note})).collect::<Vec<_>>()),
    );
    vars.insert(
        "reports",
        Value::from(reports.items.iter().map(report_value).collect::<Vec<_>>()),
    );
    vars.insert(
        "users",
        Value::from_serialize(
            users
                .iter()
                .map(|u| json!({"id": u.id.0, "username": u.username}))
                .collect::<Vec<_>>(),
        ),
    );
    vars.insert("vocab", vocab());
    vars.insert("can_write", Value::from(user.user.role.can_write()));
    let groups = super::share_actions::writable_groups(&st, &user).await?;
    vars.insert(
        "share_groups",
        Value::from_serialize(
            groups
                .iter()
                .map(|g| json!({"id": g.id, "name": g.name, "tlp_max": g.tlp_max}))
                .collect::<Vec<_>>(),
        ),
    );
    vars.insert("notifications", Value::from_serialize(notifications));
    super::sweep_ui::incident_vars(&st, &user, &inc, &mut vars).await?;
    Ok(render(&st, &ctx, "incident.html", vars))
}

async fn password(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Response {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    render(&st, &ctx, "password.html", BTreeMap::new())
}

/// The defanged form of an indicator given as `{"kind", "value"}` (a timeline event's data, a weak
/// correlation), so the incident page never shows a live URL or address.
fn defanged_of(data: &serde_json::Value) -> Option<String> {
    let kind = data.get("kind")?.as_str()?.parse().ok()?;
    let value = data.get("value")?.as_str()?.to_owned();
    let ind = hikeshi_ioc::Indicator { kind, value };
    Some(hikeshi_ioc::defang(
        &ind,
        hikeshi_ioc::DefangStyle::default(),
    ))
}
