//! hikeshi-server: everything HTTP.
//!
//! [`router`] builds the whole application from an [`AppState`], so tests drive it without a
//! socket; [`serve`] binds it to an address. Routes sit next to their handlers in `api/` (the
//! REST API under `/api/v1`, described by `openapi.json`) and `ui/` (server-rendered pages and
//! the public report form).
//!
//! Deny by default: every route is behind [`auth::require_login`] except `/health`, the public
//! report form (`/report`), the login page and static assets.
//!
//! ```no_run
//! # async fn demo(store: hikeshi_store::Store) -> std::io::Result<()> {
//! let state = hikeshi_server::AppState::new(store, hikeshi_server::ServerConfig::default());
//! hikeshi_server::serve(state, "127.0.0.1:8080".parse().unwrap(), std::future::pending()).await
//! # }
//! ```

pub mod ack;
pub mod api;
pub mod auth;
pub mod charts;
pub mod config;
pub mod crash;
pub mod error;
pub mod i18n;
pub mod imap_poll;
pub mod incident_report;
pub mod intake;
pub mod mail_config;
pub mod mail_status;
pub mod mailer;
pub mod misp_api;
pub mod msg_templates;
pub mod notice_drafts;
pub mod notify;
pub mod sharing;
pub mod stats_report;
pub mod stats_view;
mod stix_meta;
pub mod sweep_jobs;
pub mod sweep_runner;
pub mod taxii;
pub mod taxii_client;
pub mod tz;
pub mod ui;
pub mod util;
pub mod vuln;

pub use config::ServerConfig;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hikeshi_store::Store;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Shared by every request. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub templates: Arc<minijinja::Environment<'static>>,
    /// Public form submissions per client address.
    pub report_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// The indicator extractor, with the built-in warning lists and the team's own.
    pub extractor: Arc<hikeshi_ioc::Extractor>,
    /// What the IMAP pollers of this node last did; the admin page reads it and can wake one.
    pub mail_status: Arc<mail_status::MailStatus>,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> AppState {
        Self::with_extractor(store, config, hikeshi_ioc::Extractor::new())
    }

    /// With an extractor carrying extra warning lists (read by the `cli` crate from files).
    pub fn with_extractor(
        store: Store,
        config: ServerConfig,
        extractor: hikeshi_ioc::Extractor,
    ) -> AppState {
        let per_minute =
            NonZeroU32::new(config.report_rate_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        AppState {
            store,
            templates: Arc::new(ui::templates(config.display_offset_minutes)),
            report_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            extractor: Arc::new(extractor),
            mail_status: Arc::new(mail_status::MailStatus::new(
                config.mail.imap.iter().map(|m| m.label.as_str()),
            )),
            config: Arc::new(config),
        }
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .merge(api::routes())
        .merge(ui::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_login,
        ));
    Router::new()
        .merge(ui::public_routes())
        .merge(api::public_routes())
        // TAXII and the MISP API check their own credentials (Basic / the MISP key).
        .merge(taxii::mounted(state.clone()))
        .merge(misp_api::mounted(state.clone()))
        .merge(protected)
        .fallback(ui::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn(ui::security_headers))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .with_state(state)
}

/// Serve until `shutdown` resolves, then finish the requests in flight.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(state, listener, shutdown).await
}

pub async fn serve_on(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
