//! What the forms of the signed-in pages post to. Each checks the role, does one store
//! operation and redirects back (post/redirect/get). CSRF is checked before any of this runs
//! (`auth::require_login`).

use super::{UiError, see_other};
use crate::AppState;
use crate::api::{opt_named, resolve_incident};
use crate::auth::{self, CurrentUser};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::{Form, Router};
use hikeshi_domain::*;
use hikeshi_store::{IncidentPatch, NewIncident};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents", post(create_incident))
        .route("/incidents/{id}/edit", post(edit))
        .route("/incidents/{id}/phase", post(phase))
        .route("/incidents/{id}/note", post(note))
        .route("/incidents/{id}/task", post(add_task))
        .route("/incidents/{id}/decision", post(add_decision))
        .route("/incidents/{id}/merge", post(merge))
        .route("/tasks/{id}/done", post(task_done))
        .route("/reports/{id}/reject", post(reject))
        .route("/reports/{id}/link", post(link))
        .route("/password", post(change_password))
        .route("/logout", post(logout))
}

fn href(i: &Incident) -> String {
    format!("/incidents/{}", i.number)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Deserialize)]
struct CreateForm {
    title: String,
    category: String,
    tlp: Option<String>,
    report: Option<i64>,
}

async fn create_incident(
    State(st): State<AppState>,
    user: CurrentUser,
    Form(f): Form<CreateForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    if f.title.trim().is_empty() {
        return Err(AppError::bad_request("title is required").into());
    }
    let reports = match f.report {
        Some(r) => {
            st.store.report(user.viewer(), ReportId(r)).await?;
            vec![ReportId(r)]
        }
        None => vec![],
    };
    let tlp = match non_empty(f.tlp) {
        Some(t) => Tlp::parse(&t)?,
        None => Tlp::Amber,
    };
    let new = NewIncident {
        title: f.title.trim().to_owned(),
        summary: String::new(),
        category: parse_named(&f.category)?,
        rsit: None,
        attacker: None,
        asset: None,
        tlp,
        impact: Impact::default(),
        owner: Some(user.user.id),
        reports,
        is_exercise: false,
    };
    let inc = st.store.create_incident(&actor, new).await?;
    Ok(see_other(&href(&inc)))
}

#[derive(Deserialize)]
struct EditForm {
    title: Option<String>,
    constituency: Option<String>,
    summary: Option<String>,
    category: Option<String>,
    rsit: Option<String>,
    attacker: Option<String>,
    asset: Option<String>,
    tlp: Option<String>,
    functional: Option<String>,
    information: Option<String>,
    recoverability: Option<String>,
    criticality: Option<String>,
    owner: Option<String>,
}

async fn edit(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let category: Option<Category> = opt_named("category", f.category.as_deref())?;
    // The RSIT select shows the current pair; only a pair that differs from what the category
    // change would set is an explicit override.
    let rsit = match non_empty(f.rsit) {
        Some(pair) => {
            let (c, t) = pair
                .split_once('/')
                .ok_or_else(|| AppError::bad_request("rsit must be class/type"))?;
            let r = Rsit::new(c, t)?;
            let changed_category = category.is_some_and(|c| c != inc.classification.category);
            (!changed_category && r != inc.classification.rsit).then_some(r)
        }
        None => None,
    };
    let impact = Impact {
        functional: opt_named("functional", f.functional.as_deref())?
            .unwrap_or(inc.impact.functional),
        information: opt_named("information", f.information.as_deref())?
            .unwrap_or(inc.impact.information),
        recoverability: opt_named("recoverability", f.recoverability.as_deref())?
            .unwrap_or(inc.impact.recoverability),
        criticality: opt_named("criticality", f.criticality.as_deref())?
            .unwrap_or(inc.impact.criticality),
    };
    let owner = match f.owner.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(o) => Some(Some(st.store.user_by_name(o).await?.id)),
    };
    let patch = IncidentPatch {
        title: non_empty(f.title),
        summary: f.summary.map(|s| s.trim().to_owned()),
        category,
        rsit,
        attacker: opt_named("attacker", f.attacker.as_deref())?,
        asset: opt_named("asset", f.asset.as_deref())?,
        tlp: non_empty(f.tlp).map(|t| Tlp::parse(&t)).transpose()?,
        impact: Some(impact),
        owner,
        constituency: f.constituency,
    };
    let inc = st.store.update_incident(&actor, inc.id, patch).await?;
    Ok(see_other(&href(&inc)))
}

#[derive(Deserialize)]
struct PhaseForm {
    to: String,
    #[serde(default)]
    reason: String,
}

async fn phase(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<PhaseForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let inc = st
        .store
        .change_phase(&actor, inc.id, parse_named(&f.to)?, f.reason.trim())
        .await?;
    Ok(see_other(&href(&inc)))
}

#[derive(Deserialize)]
struct NoteForm {
    text: String,
}

async fn note(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    if !f.text.trim().is_empty() {
        st.store.add_note(&actor, inc.id, f.text.trim()).await?;
    }
    Ok(see_other(&href(&inc)))
}

#[derive(Deserialize)]
struct TaskForm {
    title: String,
    assignee: Option<String>,
    due: Option<String>,
    /// The zone the page showed the form in.
    #[serde(default)]
    tz: String,
}

async fn add_task(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<TaskForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    if f.title.trim().is_empty() {
        return Err(AppError::bad_request("title is required").into());
    }
    let assignee = match non_empty(f.assignee) {
        Some(a) => Some(st.store.user_by_name(&a).await?.id),
        None => None,
    };
    let due = f
        .due
        .as_deref()
        .and_then(|d| super::parse_local_in(d, &f.tz, st.config.display_offset_minutes));
    st.store
        .add_task(&actor, inc.id, f.title.trim(), assignee, due)
        .await?;
    Ok(see_other(&href(&inc)))
}

async fn task_done(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let t = st.store.task(TaskId(id)).await?;
    let inc = st.store.incident(user.viewer(), t.incident_id).await?;
    st.store
        .set_task_done(&actor, t.id, t.done_at.is_none())
        .await?;
    Ok(see_other(&href(&inc)))
}

#[derive(Deserialize)]
struct DecisionForm {
    subject: String,
    decision: String,
    decided_by: String,
    decided_at: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    tz: String,
}

async fn add_decision(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    if f.subject.trim().is_empty() || f.decision.trim().is_empty() || f.decided_by.trim().is_empty()
    {
        return Err(AppError::bad_request("subject, decision and who decided are required").into());
    }
    let at = f
        .decided_at
        .as_deref()
        .and_then(|d| super::parse_local_in(d, &f.tz, st.config.display_offset_minutes))
        .unwrap_or_else(time::now_ms);
    st.store
        .add_decision(
            &actor,
            inc.id,
            f.subject.trim(),
            f.decision.trim(),
            f.decided_by.trim(),
            at,
            f.note.trim(),
        )
        .await?;
    Ok(see_other(&href(&inc)))
}

#[derive(Deserialize)]
struct MergeForm {
    into: String,
    #[serde(default)]
    reason: String,
}

async fn merge(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<MergeForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    let from = resolve_incident(&st, &user, &id).await?;
    let into = resolve_incident(&st, &user, f.into.trim()).await?;
    let inc = st
        .store
        .merge_incidents(&actor, from.id, into.id, f.reason.trim())
        .await?;
    Ok(see_other(&href(&inc)))
}

#[derive(Deserialize)]
struct RejectForm {
    reason: String,
}

async fn reject(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<RejectForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    st.store.report(user.viewer(), ReportId(id)).await?;
    st.store
        .reject_report(&actor, ReportId(id), f.reason.trim())
        .await?;
    Ok(see_other(&format!("/reports/{id}")))
}

#[derive(Deserialize)]
struct LinkForm {
    incident: String,
}

async fn link(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<LinkForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    st.store.report(user.viewer(), ReportId(id)).await?;
    let inc = resolve_incident(&st, &user, f.incident.trim()).await?;
    st.store.link_report(&actor, ReportId(id), inc.id).await?;
    Ok(see_other(&href(&inc)))
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(st): State<AppState>,
    user: CurrentUser,
    Form(f): Form<PasswordForm>,
) -> Result<Response, UiError> {
    if f.new != f.confirm {
        return Err(AppError::bad_request("the new passwords differ").into());
    }
    check_password(&f.new)?;
    let (_, hash) = st
        .store
        .user_for_login(&user.user.username)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    let (current, new) = (f.current, f.new);
    let new_hash = tokio::task::spawn_blocking(move || {
        auth::verify_password(&current, &hash).then(|| auth::hash_password(&new))
    })
    .await
    .map_err(|_| AppError::internal())?
    .ok_or_else(|| AppError::forbidden("the current password is wrong"))?;
    // Changing the password ends every session, this one included: log in again.
    st.store
        .set_password(&user.actor(), user.user.id, &new_hash, false)
        .await?;
    Ok(see_other("/login"))
}

async fn logout(State(st): State<AppState>, user: CurrentUser) -> Result<Response, UiError> {
    if let auth::Via::Session { token_hash, .. } = &user.via {
        st.store.delete_session(user.user.id, token_hash).await?;
    }
    let mut res = see_other("/login");
    res.headers_mut().append(
        axum::http::header::SET_COOKIE,
        axum::http::HeaderValue::from_static(
            "hikeshi_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        ),
    );
    Ok(res)
}
