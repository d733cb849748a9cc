//! Who is asking: sessions (cookie) and API tokens (bearer), passwords, CSRF.
//!
//! Deny by default: [`authenticate`] runs on every request and records who is asking;
//! [`require_login`] wraps every route except the public ones and refuses the rest. Secrets
//! (passwords, session and API tokens) are stored only as hashes; tokens are 256 random bits, so
//! a plain SHA-256 is enough for them, while passwords get argon2id.

use crate::AppState;
use crate::error::{AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use hikeshi_domain::{Actor, User};
use hikeshi_store::Viewer;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "hikeshi_session";

/// Bytes from the operating system's generator. Failing to get randomness is not recoverable.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b
}

/// A URL-safe random token of 256 bits.
pub fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// argon2id with the crate's defaults (RFC 9106's second recommended setting).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes(16)).expect("16 bytes is a valid salt");
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters does not fail")
        .to_string()
}

/// [`hash_password`] on a blocking thread: argon2 takes tens of milliseconds of CPU, which
/// must not stall the async workers.
pub async fn hash_password_off_runtime(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| AppError::internal())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A password for a new account or a reset: 20 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    random_bytes(20)
        .into_iter()
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect()
}

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session {
        token_hash: String,
        csrf: String,
    },
    Token {
        id: i64,
    },
    /// HTTP Basic with the user's password, accepted only by the TAXII endpoints (the spec
    /// requires Basic); never by the web UI or the REST API.
    Basic,
}

/// The person behind a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub via: Via,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        match self.via {
            Via::Session { .. } | Via::Basic => Actor::User(self.user.id),
            Via::Token { id } => Actor::Token {
                user: self.user.id,
                token: id,
            },
        }
    }
    pub fn viewer(&self) -> Viewer {
        Viewer::User(self.user.id)
    }
    /// Handlers and admins change things; viewers only read.
    pub fn writer(&self) -> AppResult<Actor> {
        if self.user.role.can_write() {
            Ok(self.actor())
        } else {
            Err(AppError::forbidden(
                "your role may read but not change anything",
            ))
        }
    }
    pub fn admin(&self) -> AppResult<Actor> {
        if self.user.role.is_admin() {
            Ok(self.actor())
        } else {
            Err(AppError::forbidden("this needs the admin role"))
        }
    }
    /// The API token the request came with, if it came with one.
    pub fn token_id(&self) -> Option<i64> {
        match self.via {
            Via::Token { id } => Some(id),
            _ => None,
        }
    }
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token { .. } | Via::Basic => "",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(AppError::unauthorized)
    }
}

/// The caller, if any, for pages that show something different to signed-in people.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(parts.extensions.get::<CurrentUser>().cloned()))
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Find out who is asking, on every request. Never refuses: that is [`require_login`]'s job.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let found = if let Some(token) = bearer {
        match state.store.token_user(&hash_token(&token)).await {
            Ok(Some((user, id))) => Some(CurrentUser {
                user,
                via: Via::Token { id },
            }),
            Ok(None) => None,
            Err(e) => return AppError::from(e).into_response(),
        }
    } else if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let token_hash = hash_token(&token);
        match state
            .store
            .session_user(&token_hash, hikeshi_domain::time::now_ms())
            .await
        {
            Ok(Some((user, csrf))) => Some(CurrentUser {
                user,
                via: Via::Session { token_hash, csrf },
            }),
            Ok(None) => None,
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        None
    };
    if let Some(u) = found {
        req.extensions_mut().insert(u);
    }
    next.run(req).await
}

/// Refuse anyone not signed in; check CSRF on state-changing requests that ride on the session
/// cookie (a bearer token cannot be sent by another site, a cookie can).
pub async fn require_login(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let is_api = path.starts_with("/api/");
    let Some(user) = req.extensions().get::<CurrentUser>().cloned() else {
        return if is_api {
            AppError::unauthorized().into_response()
        } else {
            let next_q =
                crate::ui::urlencode(req.uri().path_and_query().map_or("/", |p| p.as_str()));
            Redirect::to(&format!("/login?next={next_q}")).into_response()
        };
    };
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let Via::Session { csrf, .. } = &user.via else {
        return next.run(req).await;
    };
    if safe {
        // Someone who must change their password may do only that first.
        if user.user.must_change_password && !is_api && path != "/password" {
            return Redirect::to("/password").into_response();
        }
        return next.run(req).await;
    }
    let header_ok = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| crate::util::ct_eq(v, csrf));
    if header_ok {
        return next.run(req).await;
    }
    // HTML forms carry the token as a field: read the (small) body, check, and pass it on.
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
            Ok(b) => b,
            Err(_) => return AppError::too_large("the form is too large").into_response(),
        };
        let field_ok = form_urlencoded::parse(&bytes)
            .any(|(k, v)| k == "csrf" && crate::util::ct_eq(&v, csrf));
        if field_ok {
            return next
                .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await;
        }
    }
    AppError::forbidden("missing or wrong CSRF token (reload the page and try again)")
        .into_response()
}
