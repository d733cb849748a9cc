//! The pages anyone may open: the public report form, the login page, static assets.

use super::{PageCtx, UiError, render, see_other};
use crate::AppState;
use crate::auth::{self, MaybeUser, SESSION_COOKIE};
use crate::error::AppError;
use crate::intake::{Submission, submit};
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRequest, Multipart, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use hikeshi_domain::{Actor, Channel, NewAttachment};
use hmac::{Hmac, Mac};
use minijinja::Value;
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/report", get(report_form).post(report_submit))
        .route("/login", get(login_form).post(login))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
}

const FORM_COOKIE: &str = "hikeshi_form";

#[derive(Deserialize, Default)]
pub struct LangQuery {
    pub lang: Option<String>,
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.js"),
    )
        .into_response()
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when configured to
/// sit behind a reverse proxy.
fn client_ip(st: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
    if st.config.trust_forwarded_for {
        if let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
        {
            return Some(ip);
        }
    }
    peer.map(|p| p.ip())
}

/// The public form's CSRF protection: a random nonce in a cookie, and its HMAC under the server's
/// key in the form. Another site can make a browser post the form but can neither read the
/// cookie nor compute the HMAC.
fn form_token(st: &AppState, nonce: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&st.config.form_secret).expect("HMAC takes any key length");
    mac.update(nonce.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn form_page(
    st: &AppState,
    ctx: &PageCtx,
    nonce: &str,
    values: &BTreeMap<&str, String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let mut vars = BTreeMap::new();
    vars.insert("form_token", Value::from(form_token(st, nonce)));
    vars.insert("values", Value::from_serialize(values));
    vars.insert(
        "max_attachment_mb",
        Value::from(st.config.max_attachment_bytes / (1024 * 1024)),
    );
    if let Some(e) = error {
        vars.insert("error", Value::from(e));
    }
    let mut res = render(st, ctx, "report_form.html", vars);
    *res.status_mut() = status;
    let secure = if st.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FORM_COOKIE}={nonce}; Path=/report; HttpOnly; SameSite=Strict{secure}"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn report_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    MaybeUser(user): MaybeUser,
    Query(q): Query<LangQuery>,
) -> Response {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), user);
    let nonce = auth::cookie(&headers, FORM_COOKIE)
        .filter(|n| n.len() == 43)
        .unwrap_or_else(auth::random_token);
    form_page(&st, &ctx, &nonce, &BTreeMap::new(), None, StatusCode::OK)
}

/// Take a report from the public form. The raw request body is stored with the report before the
/// ticket page is rendered; on any error the form comes back with what was typed, so nothing is
/// lost.
async fn report_submit(
    State(st): State<AppState>,
    MaybeUser(user): MaybeUser,
    req: Request,
) -> Result<Response, UiError> {
    // The socket peer; MockConnectInfo is how router tests without a socket say who is asking.
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| {
            req.extensions()
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|m| m.0)
        });
    let headers = req.headers().clone();
    let mut ctx = PageCtx::new(&headers, None, user);
    let ip = client_ip(&st, &headers, peer);
    let nonce = auth::cookie(&headers, FORM_COOKIE).unwrap_or_default();
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (parts, body) = req.into_parts();
    let raw = axum::body::to_bytes(body, st.config.max_body_bytes)
        .await
        .map_err(|_| {
            AppError::too_large(format!(
                "the report is larger than {} MB; send large files separately",
                st.config.max_body_bytes / (1024 * 1024)
            ))
        })?;
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    let mut attachments = Vec::new();
    let mut token = String::new();
    let mut lang = String::new();
    let req = Request::from_parts(parts, axum::body::Body::from(raw.clone()));
    let mut mp = Multipart::from_request(req, &st).await.map_err(|e| {
        AppError::bad_request(format!("the form could not be read: {}", e.body_text()))
    })?;
    let fail = |ctx: &PageCtx, values: &BTreeMap<&str, String>, msg: String, status: StatusCode| {
        let n = if nonce.len() == 43 {
            nonce.clone()
        } else {
            auth::random_token()
        };
        form_page(&st, ctx, &n, values, Some(msg), status)
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Ok(fail(
                    &ctx,
                    &values,
                    format!(
                        "{}: {}",
                        crate::i18n::t(ctx.lang, "form.unreadable"),
                        e.body_text()
                    ),
                    StatusCode::BAD_REQUEST,
                ));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "attachments" {
            let filename = field.file_name().unwrap_or("").to_owned();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let data = match field.bytes().await {
                Ok(d) => d,
                Err(e) => return Ok(fail(&ctx, &values, e.body_text(), StatusCode::BAD_REQUEST)),
            };
            if filename.is_empty() && data.is_empty() {
                continue; // the empty file input of a form sent without a file
            }
            attachments.push(NewAttachment {
                filename,
                content_type,
                data: data.to_vec(),
            });
            continue;
        }
        let text = match field.text().await {
            Ok(t) => t,
            Err(e) => return Ok(fail(&ctx, &values, e.body_text(), StatusCode::BAD_REQUEST)),
        };
        match name.as_str() {
            "csrf" => token = text,
            "lang" => lang = text,
            "name" | "email" | "organisation" | "subject" | "description" => {
                let key = match name.as_str() {
                    "name" => "name",
                    "email" => "email",
                    "organisation" => "organisation",
                    "subject" => "subject",
                    _ => "description",
                };
                values.insert(key, text);
            }
            _ => {}
        }
    }
    // Answer in the language the form was shown in.
    if let Some(l) = crate::i18n::Lang::parse(&lang) {
        ctx.lang = l;
    }
    if nonce.len() != 43 || !crate::util::ct_eq(&token, &form_token(&st, &nonce)) {
        return Ok(fail(
            &ctx,
            &values,
            crate::i18n::t(ctx.lang, "form.csrf"),
            StatusCode::FORBIDDEN,
        ));
    }
    if let Some(ip) = ip {
        if st.report_limiter.check_key(&ip).is_err() {
            return Ok(fail(
                &ctx,
                &values,
                crate::i18n::t(ctx.lang, "form.rate_limited"),
                StatusCode::TOO_MANY_REQUESTS,
            ));
        }
    }
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let s = Submission {
        reporter_name: get("name"),
        reporter_email: get("email"),
        reporter_org: get("organisation"),
        subject: get("subject"),
        body: get("description"),
        lang: if lang.is_empty() { String::new() } else { lang },
        attachments,
    };
    let addr = ip.map(|i| i.to_string()).unwrap_or_default();
    match submit(
        &st.store,
        &st.extractor,
        &Actor::Public,
        Channel::Web,
        s,
        raw.to_vec(),
        &ct,
        &addr,
        st.config.max_attachment_bytes,
    )
    .await
    {
        Ok(r) => {
            let mut vars = BTreeMap::new();
            vars.insert("ticket", Value::from(r.id.0));
            vars.insert("tag", Value::from(r.ticket.clone()));
            let mut res = render(&st, &ctx, "report_thanks.html", vars);
            *res.status_mut() = StatusCode::CREATED;
            Ok(res)
        }
        Err(e) if e.status.is_client_error() => Ok(fail(&ctx, &values, e.message, e.status)),
        Err(e) => Err(UiError(e)),
    }
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// Only local paths: never send someone to another site after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_page(
    st: &AppState,
    ctx: &PageCtx,
    next: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let mut vars = BTreeMap::new();
    vars.insert("next", Value::from(next));
    if let Some(e) = error {
        vars.insert("error", Value::from(e));
    }
    let mut res = render(st, ctx, "login.html", vars);
    *res.status_mut() = status;
    res
}

async fn login_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let ctx = PageCtx::new(&headers, q.lang.as_deref(), None);
    login_page(
        &st,
        &ctx,
        &safe_next(q.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(b): Form<LoginBody>,
) -> Result<Response, UiError> {
    let ctx = PageCtx::new(&headers, None, None);
    let next = safe_next(b.next.as_deref());
    let found = st.store.user_for_login(b.username.trim()).await?;
    let password = b.password;
    // Verify even for unknown users, against a fixed hash, so timing does not reveal which
    // usernames exist.
    let (user, hash) = match found {
        Some((u, h)) if !u.disabled => (Some(u), h),
        _ => (None, dummy_hash().to_owned()),
    };
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|_| AppError::internal())?;
    let Some(user) = user.filter(|_| ok) else {
        return Ok(login_page(
            &st,
            &ctx,
            &next,
            Some(crate::i18n::t(ctx.lang, "login.failed")),
            StatusCode::UNAUTHORIZED,
        ));
    };
    let token = auth::random_token();
    let expires = hikeshi_domain::time::now_ms() + st.config.session_hours * 3_600_000;
    st.store
        .create_session(
            user.id,
            &auth::hash_token(&token),
            &auth::random_token(),
            expires,
        )
        .await?;
    let secure = if st.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        st.config.session_hours * 3600
    );
    let to = if user.must_change_password {
        "/password".to_owned()
    } else {
        next
    };
    let mut res = see_other(&to);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| auth::hash_password("not a password anyone has"))
}
