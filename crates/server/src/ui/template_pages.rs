//! Message templates in the web UI (admins only): the list of templates in both languages,
//! an edit form with a preview against the template's sample context, saving (refused with
//! the part, line and message when the text does not compile or names an unknown variable)
//! and reset to the built-in default. The same checks as the API (`crate::msg_templates`).

use super::{PageCtx, UiError, render, see_other, urlencode};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::msg_templates::{self as mt, TemplateError, Text};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::Value;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/templates", get(list))
        .route("/admin/templates/{name}/{lang}", get(edit).post(submit))
        .route("/admin/templates/{name}/{lang}/reset", post(reset))
}

#[derive(Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

fn ui_error(e: TemplateError) -> UiError {
    match e {
        TemplateError::Store(s) => s.into(),
        TemplateError::Invalid { .. } => AppError::bad_request(e.to_string()).into(),
        other => AppError::not_found(other.to_string()).into(),
    }
}

async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    user.admin()?;
    let all = mt::all(&st.store).await.map_err(ui_error)?;
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    let mut vars = BTreeMap::new();
    vars.insert("templates", Value::from_serialize(&all));
    Ok(render(&st, &ctx, "msg_templates.html", vars))
}

/// The edit page for `cur`, showing `text` (what is being edited), and either its preview or
/// why it was refused.
fn edit_page(
    st: &AppState,
    ctx: &PageCtx,
    cur: &mt::Current,
    text: &Text,
    outcome: Result<Text, TemplateError>,
    saved: bool,
) -> Result<Response, UiError> {
    let mut vars = BTreeMap::new();
    vars.insert("tmpl", Value::from_serialize(cur));
    vars.insert("text", Value::from_serialize(text));
    vars.insert("saved", Value::from(saved));
    let refused = match outcome {
        Ok(p) => {
            vars.insert("preview", Value::from_serialize(&p));
            false
        }
        Err(TemplateError::Invalid {
            part,
            line,
            message,
        }) => {
            vars.insert(
                "invalid",
                Value::from_serialize(
                    serde_json::json!({"part": part, "line": line, "message": message}),
                ),
            );
            true
        }
        Err(e) => return Err(ui_error(e)),
    };
    let r = render(st, ctx, "msg_template.html", vars);
    Ok(if refused {
        (StatusCode::UNPROCESSABLE_ENTITY, r).into_response()
    } else {
        r
    })
}

async fn edit(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path((name, lang)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, UiError> {
    user.admin()?;
    let cur = mt::current(&st.store, &name, &lang)
        .await
        .map_err(ui_error)?;
    let preview = mt::preview(&st.store, &name, &lang, None).await;
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), Some(user));
    edit_page(&st, &ctx, &cur, &cur.text.clone(), preview, false)
}

#[derive(Deserialize)]
struct TemplateForm {
    subject: String,
    body: String,
    /// `preview` or `save`.
    action: String,
}

async fn submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    Path((name, lang)): Path<(String, String)>,
    Form(f): Form<TemplateForm>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    // Browsers send CRLF from a textarea; the defaults and the API use LF.
    let text = Text {
        subject: f.subject.replace("\r\n", "\n"),
        body: f.body.replace("\r\n", "\n"),
    };
    let outcome = match f.action.as_str() {
        "save" => mt::save(&st.store, &actor, &name, &lang, &text).await,
        "preview" => mt::preview(&st.store, &name, &lang, Some(&text)).await,
        other => {
            return Err(AppError::bad_request(format!("unknown action {other:?}")).into());
        }
    };
    let saved = f.action == "save" && outcome.is_ok();
    let cur = mt::current(&st.store, &name, &lang)
        .await
        .map_err(ui_error)?;
    let ctx = PageCtx::new(&headers, None, Some(user));
    edit_page(&st, &ctx, &cur, &text, outcome, saved)
}

async fn reset(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((name, lang)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let actor = user.admin()?;
    mt::reset(&st.store, &actor, &name, &lang)
        .await
        .map_err(ui_error)?;
    Ok(see_other(&format!(
        "/admin/templates/{}/{}",
        urlencode(&name),
        urlencode(&lang)
    )))
}
