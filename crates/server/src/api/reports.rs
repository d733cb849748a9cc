//! `/api/v1/reports`: submit, list, read (parsed and raw), reject, link.

use super::{ApiJson, ApiQuery, PageQuery, opt_named, views};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::intake::{Submission, submit};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use hikeshi_domain::{Channel, NewAttachment, ReportId};
use hikeshi_store::ReportFilter;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports", get(list).post(create))
        .route("/api/v1/reports/{id}", get(show))
        .route("/api/v1/reports/{id}/raw", get(raw))
        .route(
            "/api/v1/reports/{id}/attachments/{attachment}",
            get(attachment),
        )
        .route("/api/v1/reports/{id}/mail", get(mail))
        .route("/api/v1/reports/{id}/reject", post(reject))
        .route("/api/v1/reports/{id}/link", post(link))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewReportBody {
    #[serde(default)]
    reporter_name: String,
    #[serde(default)]
    reporter_email: String,
    #[serde(default)]
    reporter_org: String,
    #[serde(default)]
    subject: String,
    body: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    attachments: Vec<AttachmentBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentBody {
    filename: String,
    #[serde(default = "octet_stream")]
    content_type: String,
    /// Base64 (standard alphabet, padding optional).
    data: String,
}

fn octet_stream() -> String {
    "application/octet-stream".into()
}

async fn create(
    State(st): State<AppState>,
    user: CurrentUser,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let ct = crate::util::content_type(req.headers());
    let raw = axum::body::to_bytes(req.into_body(), st.config.max_body_bytes)
        .await
        .map_err(|_| {
            AppError::too_large(format!(
                "the request body is larger than {} bytes",
                st.config.max_body_bytes
            ))
        })?;
    let b: NewReportBody = super::parse_json(&ct, &raw)?;
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut attachments = Vec::new();
    for (i, a) in b.attachments.into_iter().enumerate() {
        let data = engine
            .decode(a.data.trim_end_matches('=').as_bytes())
            .map_err(|e| {
                AppError::bad_request(format!(
                    "attachments[{i}] ({:?}): data is not base64: {e}",
                    a.filename
                ))
            })?;
        attachments.push(NewAttachment {
            filename: a.filename,
            content_type: a.content_type,
            data,
        });
    }
    let s = Submission {
        reporter_name: b.reporter_name,
        reporter_email: b.reporter_email,
        reporter_org: b.reporter_org,
        subject: b.subject,
        body: b.body,
        lang: b.lang,
        attachments,
    };
    let r = submit(
        &st.store,
        &st.extractor,
        &user.actor(),
        Channel::Api,
        s,
        raw.to_vec(),
        &ct,
        "",
        st.config.max_attachment_bytes,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(views::report(&r))).into_response())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    incident: Option<i64>,
    q: Option<String>,
    // Not `#[serde(flatten)]`: flattening makes serde_urlencoded read every value as a
    // string, so `per_page=50` would be refused.
    page: Option<i64>,
    per_page: Option<i64>,
    /// Keyset paging: a list response's `next` (or `prev` as `before`).
    after: Option<String>,
    before: Option<String>,
}

async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Value>> {
    let f = ReportFilter {
        status: opt_named("status", q.status.as_deref())?,
        incident: q.incident.map(hikeshi_domain::IncidentId),
        text: q.q,
    };
    let p = st
        .store
        .list_reports(
            user.viewer(),
            &f,
            PageQuery {
                page: q.page,
                per_page: q.per_page,
            }
            .page()
            .seek(super::seek(q.after.as_deref(), q.before.as_deref(), false)?),
        )
        .await?;
    Ok(Json(views::paged(&p, views::report)))
}

async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(views::report(
        &st.store.report(user.viewer(), ReportId(id)).await?,
    )))
}

/// The mail sent about a report (its acknowledgement), oldest first.
async fn mail(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let rows = st
        .store
        .report_outgoing(user.viewer(), ReportId(id))
        .await?;
    Ok(Json(
        json!({"items": rows.iter().map(views::outgoing).collect::<Vec<_>>()}),
    ))
}

/// Exactly the bytes that arrived, as a download.
async fn raw(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (bytes, ct) = st.store.report_raw(user.viewer(), ReportId(id)).await?;
    Ok(download(
        bytes,
        &format!("report-{id}.raw"),
        if ct.is_empty() {
            "application/octet-stream"
        } else {
            &ct
        },
    ))
}

async fn attachment(
    State(st): State<AppState>,
    user: CurrentUser,
    Path((id, att)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (name, _ct, bytes) = st
        .store
        .report_attachment(user.viewer(), ReportId(id), att)
        .await?;
    // Always a download of opaque bytes: an attachment from outside is never rendered inline.
    Ok(download(bytes, &name, "application/octet-stream"))
}

pub(crate) fn download(bytes: Vec<u8>, filename: &str, content_type: &str) -> Response {
    let safe = crate::util::safe_file_name(filename);
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectBody {
    reason: String,
}

async fn reject(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RejectBody>,
) -> AppResult<Json<Value>> {
    let actor = user.writer()?;
    st.store.report(user.viewer(), ReportId(id)).await?;
    st.store
        .reject_report(&actor, ReportId(id), b.reason.trim())
        .await?;
    Ok(Json(views::report(
        &st.store.report(user.viewer(), ReportId(id)).await?,
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkBody {
    /// An incident id or number.
    incident: Value,
}

async fn link(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<LinkBody>,
) -> AppResult<Json<Value>> {
    let actor = user.writer()?;
    st.store.report(user.viewer(), ReportId(id)).await?;
    let inc = super::incidents::resolve_value(&st, &user, "incident", &b.incident).await?;
    st.store.link_report(&actor, ReportId(id), inc.id).await?;
    Ok(Json(
        json!({"report": views::report(&st.store.report(user.viewer(), ReportId(id)).await?), "incident": views::IncidentView::from(&inc)}),
    ))
}
