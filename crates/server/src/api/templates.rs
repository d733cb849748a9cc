//! `/api/v1/templates`: the message templates in force (anyone signed in may read them, since
//! handlers pick them), saving an override and resetting to the default (admins only), and a
//! preview against the template's sample context. A text that does not compile or names a
//! variable the template does not get is refused with 422 and `part`/`line` in the error.

use super::ApiJson;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::msg_templates::{self as mt, TemplateError, Text};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/templates", get(list))
        .route(
            "/api/v1/templates/{name}/{lang}",
            get(one).put(save).delete(reset),
        )
        .route("/api/v1/templates/{name}/{lang}/preview", post(preview))
}

/// A refused template as the client sees it: 422 with where and what, or the usual mapping.
pub(crate) fn template_error(e: TemplateError) -> Response {
    match e {
        TemplateError::Invalid {
            part,
            line,
            message,
        } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": {
                "code": "invalid_template",
                "message": format!("{part} line {line}: {message}"),
                "part": part, "line": line,
            }})),
        )
            .into_response(),
        TemplateError::UnknownTemplate(_) | TemplateError::UnknownLang(_) => {
            AppError::not_found(e.to_string()).into_response()
        }
        TemplateError::Store(s) => AppError::from(s).into_response(),
    }
}

fn view(c: &mt::Current) -> Value {
    json!({
        "name": c.name, "lang": c.lang, "subject": c.text.subject, "body": c.text.body,
        "overridden": c.overridden.is_some(),
        "updated_by": c.overridden.as_ref().and_then(|o| o.updated_by),
        "updated_at": c.overridden.as_ref().map(|o| o.updated_at),
        "variables": c.variables,
    })
}

async fn list(State(st): State<AppState>, _: CurrentUser) -> Result<Json<Value>, Response> {
    let all = mt::all(&st.store).await.map_err(template_error)?;
    Ok(Json(
        json!({"items": all.iter().map(view).collect::<Vec<_>>()}),
    ))
}

async fn one(
    State(st): State<AppState>,
    _: CurrentUser,
    Path((name, lang)): Path<(String, String)>,
) -> Result<Json<Value>, Response> {
    let c = mt::current(&st.store, &name, &lang)
        .await
        .map_err(template_error)?;
    Ok(Json(view(&c)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBody {
    subject: String,
    body: String,
}

impl From<TextBody> for Text {
    fn from(b: TextBody) -> Text {
        Text {
            subject: b.subject,
            body: b.body,
        }
    }
}

async fn save(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((name, lang)): Path<(String, String)>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<Json<Value>, Response> {
    let actor = user.admin().map_err(IntoResponse::into_response)?;
    let sample = mt::save(&st.store, &actor, &name, &lang, &b.into())
        .await
        .map_err(template_error)?;
    let c = mt::current(&st.store, &name, &lang)
        .await
        .map_err(template_error)?;
    let mut v = view(&c);
    v["preview"] = json!(sample);
    Ok(Json(v))
}

async fn reset(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((name, lang)): Path<(String, String)>,
) -> Result<Json<Value>, Response> {
    let actor = user.admin().map_err(IntoResponse::into_response)?;
    mt::reset(&st.store, &actor, &name, &lang)
        .await
        .map_err(template_error)?;
    one(State(st), user, Path((name, lang))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewBody {
    subject: Option<String>,
    body: Option<String>,
}

/// The sample rendering of the posted text (`{}` for the template in force; a part left out is
/// taken from the template in force).
async fn preview(
    State(st): State<AppState>,
    _: CurrentUser,
    Path((name, lang)): Path<(String, String)>,
    ApiJson(b): ApiJson<PreviewBody>,
) -> AppResult<Response> {
    let text = if b.subject.is_none() && b.body.is_none() {
        None
    } else {
        let cur = match mt::current(&st.store, &name, &lang).await {
            Ok(c) => c,
            Err(e) => return Ok(template_error(e)),
        };
        Some(Text {
            subject: b.subject.unwrap_or(cur.text.subject),
            body: b.body.unwrap_or(cur.text.body),
        })
    };
    Ok(
        match mt::preview(&st.store, &name, &lang, text.as_ref()).await {
            Ok(t) => {
                Json(json!({"name": name, "lang": lang, "subject": t.subject, "body": t.body}))
                    .into_response()
            }
            Err(e) => template_error(e),
        },
    )
}
