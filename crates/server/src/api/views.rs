//! What the API returns: the domain records with times as RFC 3339 strings and names instead of
//! internal shapes. One place, so every endpoint shows an object the same way.

use hikeshi_domain::time::rfc3339;
use hikeshi_domain::*;
use serde::Serialize;
use serde_json::{Value, json};

fn ts(ms: i64) -> String {
    rfc3339(ms)
}

fn opt_ts(ms: Option<i64>) -> Option<String> {
    ms.map(rfc3339)
}

#[derive(Serialize)]
pub struct IncidentView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub summary: String,
    pub phase: &'static str,
    pub category: &'static str,
    pub rsit: Value,
    pub attacker: &'static str,
    pub asset: &'static str,
    pub tlp: &'static str,
    pub impact: Value,
    pub priority: &'static str,
    pub sla: Value,
    pub owner: Option<i64>,
    pub reported_at: String,
    pub created_at: String,
    pub updated_at: String,
    pub acknowledged_at: Option<String>,
    pub first_response_at: Option<String>,
    pub contained_at: Option<String>,
    pub closed_at: Option<String>,
    /// When the owner of the affected system was reached (recorded by a handler).
    pub owner_reached_at: Option<String>,
    pub merged_into: Option<i64>,
    pub exercise: bool,
    /// Impact in words, accounts and data in scope, lessons learned.
    pub writeup: Writeup,
    /// The constituency it belongs to (empty: not known).
    pub constituency: String,
    /// When its first notification was sent (a coordinated case from then on).
    pub coordinated_at: Option<String>,
}

/// Which SLA clocks have run out: a clock is breached when its milestone came after its due
/// time, or has not come and the due time has passed.
pub fn breaches(i: &Incident, now: i64) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (name, due, done) in [
        ("acknowledge", i.sla.acknowledge, i.acknowledged_at),
        ("first_response", i.sla.first_response, i.first_response_at),
        ("containment", i.sla.containment, i.contained_at),
    ] {
        let late = match done {
            Some(t) => t > due,
            None => i.phase.is_open() && now > due,
        };
        if late {
            out.push(name);
        }
    }
    out
}

impl From<&Incident> for IncidentView {
    fn from(i: &Incident) -> Self {
        let c = &i.classification;
        IncidentView {
            id: i.id.0,
            number: i.number.to_string(),
            title: i.title.clone(),
            summary: i.summary.clone(),
            phase: i.phase.as_str(),
            category: c.category.as_str(),
            rsit: json!({"class": c.rsit.class, "type": c.rsit.kind}),
            attacker: c.attacker.as_str(),
            asset: c.asset.as_str(),
            tlp: i.tlp.as_str(),
            impact: json!({
                "functional": i.impact.functional.as_str(),
                "information": i.impact.information.as_str(),
                "recoverability": i.impact.recoverability.as_str(),
                "criticality": i.impact.criticality.as_str(),
            }),
            priority: i.priority.as_str(),
            sla: json!({
                "acknowledge_due": ts(i.sla.acknowledge),
                "first_response_due": ts(i.sla.first_response),
                "containment_due": ts(i.sla.containment),
                "breached": breaches(i, time::now_ms()),
            }),
            owner: i.owner.map(|u| u.0),
            reported_at: ts(i.reported_at),
            created_at: ts(i.created_at),
            updated_at: ts(i.updated_at),
            acknowledged_at: opt_ts(i.acknowledged_at),
            first_response_at: opt_ts(i.first_response_at),
            contained_at: opt_ts(i.contained_at),
            closed_at: opt_ts(i.closed_at),
            owner_reached_at: opt_ts(i.owner_reached_at),
            merged_into: i.merged_into.map(|m| m.0),
            exercise: i.is_exercise,
            writeup: i.writeup.clone(),
            constituency: i.constituency.clone(),
            coordinated_at: opt_ts(i.coordinated_at),
        }
    }
}

/// One queued or sent message (never its bytes).
pub fn outgoing(o: &hikeshi_store::Outgoing) -> Value {
    json!({
        "id": o.id,
        "kind": o.kind,
        "recipients": o.recipients,
        "subject": o.subject,
        "lang": o.lang,
        "message_id": o.message_id,
        "status": o.status,
        "attempts": o.attempts,
        "next_attempt_at": ts(o.next_attempt_at),
        "last_error": o.last_error,
        "created_at": ts(o.created_at),
        "sent_at": o.sent_at.map(ts),
        "answered_at": o.answered_at.map(ts),
        "answered_by": o.answered_by,
    })
}

pub fn report(r: &Report) -> Value {
    json!({
        "id": r.id.0,
        "ticket": r.ticket,
        "received_at": ts(r.received_at),
        "channel": r.channel.as_str(),
        "reporter": {"name": r.reporter_name, "email": r.reporter_email, "organisation": r.reporter_org},
        "subject": r.subject,
        "body": r.body,
        "lang": r.lang,
        "status": r.status.as_str(),
        "incident_id": r.incident_id.map(|i| i.0),
        "reject_reason": r.reject_reason,
        "mailbox": r.mailbox,
        "raw_size": r.raw_size,
        "raw_content_type": r.raw_content_type,
        "attachments": r.attachments.iter().map(|a| json!({
            "id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size
        })).collect::<Vec<_>>(),
    })
}

pub fn event(e: &TimelineEvent) -> Value {
    json!({
        "id": e.id.0,
        "at": ts(e.at),
        "actor": e.actor.map(|u| u.0),
        "actor_name": e.actor_name,
        "kind": e.kind,
        "data": e.data,
    })
}

pub fn task(t: &Task) -> Value {
    json!({
        "id": t.id.0,
        "incident_id": t.incident_id.0,
        "title": t.title,
        "assignee": t.assignee.map(|u| u.0),
        "assignee_name": t.assignee_name,
        "due_at": opt_ts(t.due_at),
        "done_at": opt_ts(t.done_at),
        "created_at": ts(t.created_at),
    })
}

pub fn decision(d: &Decision) -> Value {
    json!({
        "id": d.id.0,
        "incident_id": d.incident_id.0,
        "subject": d.subject,
        "decision": d.decision,
        "decided_by": d.decided_by,
        "decided_at": ts(d.decided_at),
        "recorded_by": d.recorded_by.map(|u| u.0),
        "note": d.note,
    })
}

pub fn user(u: &User) -> Value {
    json!({
        "id": u.id.0,
        "username": u.username,
        "display_name": u.display_name,
        "email": u.email,
        "role": u.role.as_str(),
        "lang": u.lang,
        "time_zone": u.time_zone,
        "must_change_password": u.must_change_password,
        "disabled": u.disabled,
        "created_at": ts(u.created_at),
    })
}

pub fn paged<T>(p: &hikeshi_store::Paged<T>, f: impl Fn(&T) -> Value) -> Value {
    json!({
        "items": p.items.iter().map(f).collect::<Vec<_>>(),
        "page": p.page,
        "per_page": p.per_page,
        "total": p.total,
        "total_exact": p.total_exact,
        "next": p.next,
        "prev": p.prev,
    })
}
