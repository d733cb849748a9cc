//! Contacts and notifications in the web UI: the contact directory (everyone reads it,
//! handlers and admins add, change and remove), and an incident's notify page, where a handler
//! picks recipients (contacts, owners of the incident's assets or any asset by name), the
//! template and the indicators, previews every message and sends them. The same code as the
//! API (`crate::notify`), so the same TLP rules, aggregation and audit.

use super::public::LangQuery;
use super::{PageCtx, UiError, render, see_other, urlencode};
use crate::AppState;
use crate::api::{ContactBody, resolve_incident};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::msg_templates::REGISTRY;
use crate::notify::{NotifyRequest, drafts, send};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use hikeshi_domain::{Incident, Named};
use hikeshi_store::{CONTACT_KINDS, CONTACT_LANGS, NewContact};
use minijinja::Value;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(contacts).post(add_contact))
        .route("/contacts/{id}", post(edit_contact))
        .route("/contacts/{id}/delete", post(delete_contact))
        .route(
            "/incidents/{id}/notify",
            get(notify_page).post(notify_submit),
        )
}

async fn contacts(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    let list = st.store.contacts().await?;
    let can_write = user.user.role.can_write();
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let mut vars = BTreeMap::new();
    vars.insert("contacts", Value::from_serialize(&list));
    vars.insert("kinds", Value::from_serialize(CONTACT_KINDS));
    vars.insert("langs", Value::from_serialize(CONTACT_LANGS));
    vars.insert(
        "tlps",
        Value::from_serialize(["clear", "green", "amber", "amber+strict"]),
    );
    vars.insert("can_write", Value::from(can_write));
    Ok(render(&st, &ctx, "contacts.html", vars))
}

#[derive(Deserialize)]
struct ContactForm {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    name: String,
    email: String,
    lang: String,
    kind: String,
    #[serde(default)]
    notes: String,
    tlp_max: String,
}

impl ContactForm {
    /// Checked as the API checks a contact.
    fn into_new(self) -> Result<NewContact, UiError> {
        Ok(ContactBody {
            organisation: self.organisation,
            name: self.name,
            email: self.email,
            lang: Some(self.lang),
            kind: Some(self.kind),
            notes: self.notes,
            tlp_max: Some(self.tlp_max),
        }
        .into_new()?)
    }
}

async fn add_contact(
    State(st): State<AppState>,
    user: CurrentUser,
    Form(f): Form<ContactForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    st.store.create_contact(&actor, &f.into_new()?).await?;
    Ok(see_other("/contacts"))
}

async fn edit_contact(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ContactForm>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    st.store.update_contact(&actor, id, &f.into_new()?).await?;
    Ok(see_other(&format!("/contacts#contact-{id}")))
}

async fn delete_contact(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    let actor = user.writer()?;
    st.store.delete_contact(&actor, id).await?;
    Ok(see_other("/contacts"))
}

/// The notify page: the form as `req` left it, the notifications so far, and either the
/// preview of `req` or why it cannot be sent.
async fn notify_view(
    st: &AppState,
    ctx: &PageCtx,
    user: &CurrentUser,
    inc: &Incident,
    req: Option<&NotifyRequest>,
    outcome: Option<Result<Vec<crate::notify::Draft>, AppError>>,
) -> Result<Response, UiError> {
    let v = user.viewer();
    let mut assets: Vec<String> = st
        .store
        .incident_sightings(v, inc.id)
        .await?
        .into_iter()
        .filter_map(|s| s.asset)
        .collect();
    assets.sort();
    assets.dedup();
    let indicators: Vec<serde_json::Value> = st
        .store
        .incident_indicators(v, inc.id)
        .await?
        .iter()
        .map(|i| {
            json!({"id": i.id.0, "kind": i.indicator.kind.as_str(), "tlp": i.tlp.as_str(),
            "defanged": hikeshi_ioc::defang(&i.indicator, hikeshi_ioc::DefangStyle::Brackets)})
        })
        .collect();
    let default_template = format!("notification.{}", inc.classification.category.as_str());
    let mut vars = BTreeMap::new();
    vars.insert(
        "incident",
        Value::from_serialize(
            json!({"number": inc.number.to_string(), "title": inc.title, "tlp": inc.tlp.as_str()}),
        ),
    );
    vars.insert(
        "contacts",
        Value::from_serialize(st.store.contacts().await?),
    );
    vars.insert("assets", Value::from_serialize(&assets));
    vars.insert("indicators", Value::from_serialize(&indicators));
    vars.insert(
        "templates",
        Value::from_serialize(
            REGISTRY
                .iter()
                .filter(|d| d.name.starts_with("notification."))
                .map(|d| d.name)
                .collect::<Vec<_>>(),
        ),
    );
    vars.insert(
        "chosen",
        Value::from_serialize(json!({
            "contacts": req.map(|r| r.contacts.clone()).unwrap_or_default(),
            "assets": req.map(|r| r.assets.clone()).unwrap_or_default(),
            "template": req.and_then(|r| r.template.clone()).unwrap_or(default_template),
            "indicators": req.and_then(|r| r.indicators.clone()),
            "note": req.map(|r| r.note.clone()).unwrap_or_default(),
        })),
    );
    vars.insert(
        "notifications",
        Value::from_serialize(st.store.incident_notifications(v, inc.id).await?),
    );
    match outcome {
        Some(Ok(d)) => {
            vars.insert("preview", Value::from_serialize(&d));
        }
        Some(Err(e)) => {
            vars.insert("refused", Value::from(e.message));
        }
        None => {}
    }
    Ok(render(st, ctx, "notify.html", vars))
}

async fn notify_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user.clone()));
    notify_view(&st, &ctx, &user, &inc, None, None).await
}

/// The form's repeated fields (`contact`, `asset`, `indicator`) as a request.
fn request_of(form: &[(String, String)]) -> Result<(NotifyRequest, String), UiError> {
    let mut req = NotifyRequest::default();
    let mut action = String::new();
    let mut picked_indicators = false;
    let mut indicators = Vec::new();
    let int = |k: &str, v: &str| {
        v.parse::<i64>()
            .map_err(|_| UiError::from(AppError::bad_request(format!("{k}={v:?} is not a number"))))
    };
    for (k, v) in form {
        match k.as_str() {
            "contact" => req.contacts.push(int(k, v)?),
            "asset" => req.assets.push(v.trim().to_owned()),
            "asset_names" => req.assets.extend(
                v.split([',', ' ', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            ),
            "indicator" => indicators.push(int(k, v)?),
            // Marks that the indicator list was on the form, so an empty choice means none.
            "indicators_shown" => picked_indicators = true,
            "template" => req.template = Some(v.clone()).filter(|t| !t.is_empty()),
            "note" => req.note = v.replace("\r\n", "\n"),
            "action" => action = v.clone(),
            _ => {}
        }
    }
    req.assets.dedup();
    if picked_indicators {
        req.indicators = Some(indicators);
    }
    Ok((req, action))
}

async fn notify_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    user.writer()?;
    let inc = resolve_incident(&st, &user, &id).await?;
    let (req, action) = request_of(&form)?;
    let outcome = match (action.as_str(), drafts(&st, &user, &inc, &req).await) {
        ("send", Ok(d)) => {
            send(&st, &user, &inc, d).await?;
            return Ok(see_other(&format!(
                "/incidents/{}/notify#notifications",
                urlencode(&inc.number.to_string())
            )));
        }
        // A refused send shows why, like a preview.
        ("send" | "preview", o) => o,
        (other, _) => {
            return Err(AppError::bad_request(format!("unknown action {other:?}")).into());
        }
    };
    let ctx = PageCtx::new(&headers, None, Some(user.clone()));
    notify_view(&st, &ctx, &user, &inc, Some(&req), Some(outcome)).await
}
