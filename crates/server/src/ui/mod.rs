//! The web UI: server-rendered pages from templates compiled into the binary, with no inline
//! script (the Content-Security-Policy forbids it) and every form CSRF-protected.
//!
//! This is the foundation's minimal workspace (login, report queue, incident list, incident
//! page, the public report form); the full handler's workspace grows on it.

mod actions;
mod admin_pages;
pub(crate) use admin_pages::no_store;
mod admin_system;
mod fact_actions;
mod graph_page;
pub(crate) mod incident_docs;
mod indicator_actions;
mod notify_pages;
mod pages;
mod public;
mod search_pages;
mod settings_page;
pub(crate) mod share_actions;
mod stats_pages;
mod sweep_ui;
mod template_pages;
mod vuln_pages;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, State, Value};
use std::collections::BTreeMap;

pub fn public_routes() -> Router<AppState> {
    public::routes()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(actions::routes())
        .merge(indicator_actions::routes())
        .merge(share_actions::routes())
        .merge(vuln_pages::routes())
        .merge(stats_pages::routes())
        .merge(admin_pages::routes())
        .merge(admin_system::routes())
        .merge(fact_actions::routes())
        .merge(incident_docs::routes())
        .merge(sweep_ui::routes())
        .merge(settings_page::routes())
        .merge(template_pages::routes())
        .merge(notify_pages::routes())
        .merge(graph_page::routes())
        .merge(search_pages::routes())
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    (
        "password.html",
        include_str!("../../templates/password.html"),
    ),
    (
        "report_form.html",
        include_str!("../../templates/report_form.html"),
    ),
    (
        "report_thanks.html",
        include_str!("../../templates/report_thanks.html"),
    ),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    ("reports.html", include_str!("../../templates/reports.html")),
    ("report.html", include_str!("../../templates/report.html")),
    (
        "incidents.html",
        include_str!("../../templates/incidents.html"),
    ),
    (
        "incident.html",
        include_str!("../../templates/incident.html"),
    ),
    ("macros.html", include_str!("../../templates/macros.html")),
    (
        "incident_report.html",
        include_str!("../../templates/incident_report.html"),
    ),
    (
        "incident_drafts.html",
        include_str!("../../templates/incident_drafts.html"),
    ),
    (
        "incident_sweeps.html",
        include_str!("../../templates/incident_sweeps.html"),
    ),
    (
        "settings.html",
        include_str!("../../templates/settings.html"),
    ),
    ("graph.html", include_str!("../../templates/graph.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("stats.html", include_str!("../../templates/stats.html")),
    (
        "stats_report.html",
        include_str!("../../templates/stats_report.html"),
    ),
    ("assets.html", include_str!("../../templates/assets.html")),
    ("admin.html", include_str!("../../templates/admin.html")),
    (
        "admin_mail.html",
        include_str!("../../templates/admin_mail.html"),
    ),
    (
        "admin_settings.html",
        include_str!("../../templates/admin_settings.html"),
    ),
    ("tokens.html", include_str!("../../templates/tokens.html")),
    (
        "msg_templates.html",
        include_str!("../../templates/msg_templates.html"),
    ),
    (
        "msg_template.html",
        include_str!("../../templates/msg_template.html"),
    ),
    (
        "contacts.html",
        include_str!("../../templates/contacts.html"),
    ),
    ("notify.html", include_str!("../../templates/notify.html")),
    (
        "notify_status.html",
        include_str!("../../templates/notify_status.html"),
    ),
    ("asset.html", include_str!("../../templates/asset.html")),
    (
        "advisory.html",
        include_str!("../../templates/advisory.html"),
    ),
    (
        "indicator_review.html",
        include_str!("../../templates/indicator_review.html"),
    ),
];

/// The template environment: every template, `t(key)` for catalog messages in the page's
/// language, and `dt` to show a Unix-millisecond time in the display time zone.
pub fn templates(offset_minutes: i32) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    for (name, src) in TEMPLATES {
        env.add_template(name, src)
            .expect("templates compile (checked by a test)");
    }
    env.add_function("t", |state: &State, key: &str| -> String {
        let lang = state
            .lookup("lang")
            .and_then(|v| v.as_str().and_then(Lang::parse))
            .unwrap_or(Lang::En);
        i18n::t(lang, key)
    });
    // Times in the page's zone (`tz`, an IANA name set by `render`), else the configured offset.
    env.add_filter("dt", move |state: &State, ms: Option<i64>| -> String {
        let Some(ms) = ms else { return String::new() };
        crate::tz::format_ms(ms, &page_tz(state, offset_minutes))
    });
    // A path segment or query value: percent-encoded (a space as %20, not `+`).
    env.add_filter("urlencode", |s: String| -> String {
        urlencode(&s).replace('+', "%20")
    });
    env.add_filter("dtlocal", move |state: &State, ms: Option<i64>| -> String {
        // The value of an <input type="datetime-local">, in the page's zone.
        let Some(ms) = ms else { return String::new() };
        crate::tz::local_input(ms, &page_tz(state, offset_minutes))
    });
    env
}

fn page_tz(state: &State, offset_minutes: i32) -> jiff::tz::TimeZone {
    let name = state.lookup("tz");
    crate::tz::zone(
        name.as_ref().and_then(|v| v.as_str()).unwrap_or(""),
        offset_minutes,
    )
}

/// Parse an `<input type="datetime-local">` value given in the form's zone (`tz`, the hidden
/// field the page rendered it with), else in the configured offset.
pub fn parse_local_in(s: &str, zone: &str, offset_minutes: i32) -> Option<i64> {
    crate::tz::parse_local(s, &crate::tz::zone(zone, offset_minutes))
}

/// Parse an `<input type="datetime-local">` value given in the display zone.
pub fn parse_local(s: &str, offset_minutes: i32) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.abs();
    let full = format!("{s}:00{sign}{:02}:{:02}", off / 60, off % 60);
    hikeshi_domain::time::parse_rfc3339(&full).ok()
}

/// What every page gets: its language, the signed-in user and their CSRF token.
pub struct PageCtx {
    pub lang: Lang,
    pub user: Option<CurrentUser>,
    /// The zone dates are shown in (IANA name; empty = the configured offset).
    pub tz: String,
}

impl PageCtx {
    pub fn new(
        headers: &HeaderMap,
        query_lang: Option<&str>,
        user: Option<CurrentUser>,
    ) -> PageCtx {
        let lang = i18n::negotiate(
            query_lang,
            user.as_ref().map(|u| u.user.lang.as_str()),
            headers,
        );
        let tz = crate::tz::page_zone(user.as_ref().map(|u| u.user.time_zone.as_str()), lang);
        PageCtx { lang, user, tz }
    }
}

/// Render a page. Template errors are ours, logged, and shown as a plain 500.
pub fn render(
    st: &AppState,
    ctx: &PageCtx,
    name: &str,
    mut vars: BTreeMap<&'static str, Value>,
) -> Response {
    vars.insert("lang", Value::from(ctx.lang.code()));
    vars.insert("tz", Value::from(ctx.tz.as_str()));
    if let Some(u) = &ctx.user {
        vars.insert(
            "me",
            Value::from_serialize(crate::api::views::user(&u.user)),
        );
        vars.insert("csrf", Value::from(u.csrf()));
    }
    match st
        .templates
        .get_template(name)
        .and_then(|t| t.render(&vars))
    {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template failed");
            UiError(AppError::internal()).into_response()
        }
    }
}

/// An error shown as a small page in both languages (errors can happen before we know who is
/// asking or which language they read).
pub struct UiError(pub AppError);

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        UiError(e)
    }
}

impl From<hikeshi_store::StoreError> for UiError {
    fn from(e: hikeshi_store::StoreError) -> Self {
        UiError(e.into())
    }
}

impl From<hikeshi_domain::DomainError> for UiError {
    fn from(e: hikeshi_domain::DomainError) -> Self {
        UiError(e.into())
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let msg = html_escape(&self.0.message);
        let body = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{code} — hikeshi</title>\
             <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"narrow\">\
             <h1>エラー / Error {code}</h1><p class=\"error\">{msg}</p><p><a href=\"/\">hikeshi</a></p></main></body></html>",
            code = self.0.status.as_u16()
        );
        (self.0.status, Html(body)).into_response()
    }
}

pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub async fn not_found() -> UiError {
    UiError(AppError::not_found("no such page"))
}

/// Headers on every response: a strict Content-Security-Policy (no inline script or style, no
/// framing), no MIME sniffing, no referrer leaks; and remembering a `?lang=` choice in a cookie.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let lang = req
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang"))
        .and_then(|(_, v)| Lang::parse(&v));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if let Some(l) = lang {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            i18n::LANG_COOKIE,
            l.code()
        )) {
            h.append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A redirect after a successful form post (303, so the browser follows with GET).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// Warning-list hits as the templates show them: the category (translated in the catalogs under
/// `warn.*`) and the list's own name (shown as a tooltip; lists are named in English upstream).
pub fn warning_values(ws: &[hikeshi_ioc::Warning]) -> Vec<serde_json::Value> {
    ws.iter()
        .map(|w| serde_json::json!({"list": w.list, "category": w.category}))
        .collect()
}
