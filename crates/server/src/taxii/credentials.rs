//! TAXII errors, media types and times, and TAXII's own authentication (Basic or a token).

use super::TAXII_MEDIA;
use crate::AppState;
use crate::auth::{self, CurrentUser, Via};
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hikeshi_domain::time::rfc3339;
use serde_json::{Value, json};

/// A TAXII error message, with the TAXII media type.
pub struct TaxiiError {
    status: StatusCode,
    title: String,
    description: String,
}

impl TaxiiError {
    pub(super) fn new(
        status: StatusCode,
        title: &str,
        description: impl Into<String>,
    ) -> TaxiiError {
        TaxiiError {
            status,
            title: title.into(),
            description: description.into(),
        }
    }
    pub(super) fn not_found(what: impl Into<String>) -> TaxiiError {
        Self::new(StatusCode::NOT_FOUND, "Not found", what)
    }
    pub(super) fn bad(what: impl Into<String>) -> TaxiiError {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", what)
    }
}

impl IntoResponse for TaxiiError {
    fn into_response(self) -> Response {
        let body = json!({
            "title": self.title,
            "description": self.description,
            "http_status": self.status.as_u16().to_string(),
        });
        let mut r = (self.status, taxii_json(&body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"hikeshi TAXII\""),
            );
        }
        r
    }
}

impl From<AppError> for TaxiiError {
    fn from(e: AppError) -> TaxiiError {
        TaxiiError::new(
            e.status,
            e.status.canonical_reason().unwrap_or("Error"),
            e.message,
        )
    }
}

impl From<hikeshi_store::StoreError> for TaxiiError {
    fn from(e: hikeshi_store::StoreError) -> TaxiiError {
        AppError::from(e).into()
    }
}

pub(super) type TResult<T> = Result<T, TaxiiError>;

pub(super) fn taxii_json(v: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(TAXII_MEDIA))],
        v.to_string(),
    )
        .into_response()
}

/// TAXII 2.1 timestamps: RFC 3339 in UTC with microseconds.
pub fn taxii_time(us: i64) -> String {
    let ms = us.div_euclid(1000);
    let base = rfc3339(ms);
    // rfc3339 gives ".mmmZ"; add the microseconds.
    format!("{}{:03}Z", base.trim_end_matches('Z'), us.rem_euclid(1000))
}

/// Parse a TAXII/STIX timestamp (any sub-second precision) to microseconds.
pub fn parse_taxii_time(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).ok()
}

/// Authenticate a TAXII request: Basic (user + password or token) or a bearer token.
pub(super) async fn taxii_auth(
    State(st): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let found = match req.extensions().get::<CurrentUser>() {
        Some(u) if matches!(u.via, Via::Token { .. }) => Some(u.clone()),
        _ => basic_user(&st, req.headers()).await,
    };
    match found {
        Some(u) => {
            req.extensions_mut().insert(u);
            let accept_ok = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|a| {
                    a.contains("application/taxii+json")
                        || a.contains("*/*")
                        || a.contains("application/*")
                        || a.contains("application/json")
                });
            if !accept_ok {
                return TaxiiError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    "Not acceptable",
                    format!("this server speaks {TAXII_MEDIA}"),
                )
                .into_response();
            }
            next.run(req).await
        }
        None => TaxiiError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "HTTP Basic (user name and password or API token) or a bearer token is needed",
        )
        .into_response(),
    }
}

pub(super) async fn basic_user(st: &AppState, headers: &HeaderMap) -> Option<CurrentUser> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (name, secret) = raw.split_once(':')?;
    // An API token as the password: it names its own user, which must match.
    if let Ok(Some((user, id))) = st.store.token_user(&auth::hash_token(secret)).await
        && user.username == name
    {
        return Some(CurrentUser {
            user,
            via: Via::Token { id },
        });
    }
    let (user, hash) = st.store.user_for_login(name).await.ok()??;
    if user.must_change_password || user.disabled {
        return None;
    }
    let secret = secret.to_owned();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&secret, &hash))
        .await
        .ok()?;
    // A password login over TAXII acts like a session without CSRF: only Basic, never a
    // cookie, so another site cannot ride on it. It is recorded as the user.
    ok.then_some(CurrentUser {
        user,
        via: Via::Basic,
    })
}
