//! The HTTP layer's one error type: a status, a stable code and a message fit for the client.
//! Internal causes are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hikeshi_store::StoreError;
use serde_json::json;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> AppError {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn unauthorized() -> AppError {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "log in or send an API token",
        )
    }
    pub fn forbidden(message: impl Into<String>) -> AppError {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn not_found(message: impl Into<String>) -> AppError {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn too_large(message: impl Into<String>) -> AppError {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }
    pub fn internal() -> AppError {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the cause has been logged",
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound(what) => AppError::not_found(format!("{what} not found")),
            StoreError::Conflict(why) => AppError::new(StatusCode::CONFLICT, "conflict", why),
            StoreError::Domain(d) => d.into(),
            other => {
                tracing::error!(error = %other, "store error");
                AppError::internal()
            }
        }
    }
}

impl From<hikeshi_domain::DomainError> for AppError {
    fn from(e: hikeshi_domain::DomainError) -> AppError {
        use hikeshi_domain::DomainError as D;
        let code = match e {
            D::InvalidTransition { .. } => {
                return AppError::new(StatusCode::CONFLICT, "invalid_transition", e.to_string());
            }
            D::Unknown { .. } => "unknown_value",
            D::BadIncidentNumber(_) => "bad_incident_number",
            D::Invalid { .. } => "invalid",
        };
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, e.to_string())
    }
}
