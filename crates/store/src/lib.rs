//! hikeshi-store: the only crate that speaks SQL.
//!
//! One concrete [`Store`] over an `sqlx` Any pool chosen by URL scheme (`sqlite://…` or
//! `postgres://…`). Each query is written once in the dialect both backends share (numbered
//! `$N` placeholders, `RETURNING`, `ON CONFLICT`, integer times) and branches only where they
//! differ; the same contract tests (`tests/contract.rs`) run on a fresh SQLite file and on a fresh
//! PostgreSQL database. Migrations live per backend under `migrations/` with the same numbered
//! names, are embedded in the binary and run at start.
//!
//! Every write goes through a [`Tx`], which begins by serialising itself against every other
//! writer — `BEGIN IMMEDIATE` on SQLite (no "database is locked" upgrade failures), a row lock
//! on the audit chain's head on PostgreSQL, in the same round trip as `BEGIN` — which keeps the
//! hash chain linear, and appends its audit entries before committing (`tx.rs`). An operation
//! that needs several statements to be atomic is one `Store` method.
//!
//! ```no_run
//! # async fn demo() -> Result<(), hikeshi_store::StoreError> {
//! use hikeshi_store::{Store, StoreOptions};
//! let store = Store::connect("sqlite:///var/lib/hikeshi/hikeshi.sqlite3?mode=rwc", StoreOptions::default()).await?;
//! store.migrate().await?;
//! # Ok(()) }
//! ```

mod assets;
mod audit;
mod contacts;
mod correlate;
mod feeds;
mod graph;
mod incident_ops;
mod incident_writeup;
mod incidents;
mod indicator_facts;
pub(crate) mod indicators;
mod mail_intake;
mod misp_events;
mod msg_templates;
mod national;
mod notifications;
pub(crate) mod outbox;
mod outbox_admin;
mod query;
mod reports;
mod rows;
mod saved_filters;
mod search;
mod shared_objects;
mod sharing;
mod sightings;
mod stats;
mod stats_time;
mod sweep_jobs;
mod timeline;
mod tx;
mod user_admin;
mod users;
mod visibility;
mod vuln_matches;

pub use contacts::{CONTACT_KINDS, CONTACT_LANGS, Contact, NewContact};
pub use feeds::{Feed, NewFeed, Poll};
pub use graph::{EdgeView, GraphNode, NEIGHBOUR_LIMIT, Neighbourhood, NodeView};
pub use incident_writeup::WriteupPatch;
pub use incidents::{IncidentFilter, IncidentPatch, NewIncident};
pub use indicator_facts::Fact;
pub use mail_intake::{AckBuilder, AckOutcome, MailAction, MailIntake};
pub use misp_events::{MispAttr, MispEventRow, MispQuery, MispReader, NewMispEvent};
pub use msg_templates::TemplateOverride;
pub use notifications::{NewNotification, Notification};
pub use outbox::{Claimed, Enqueued, NewOutgoing, OutKind, Outgoing, SendLimit, backoff_ms};
pub use outbox_admin::{OUTBOX_LIST_LIMIT, OutboxOverview};
pub use reports::ReportFilter;
pub use rows::{Cursor, Page, Paged, Seek, TOTAL_CAP};
pub use saved_filters::{FILTER_NAME_MAX, FILTER_QUERY_MAX, FILTER_SCOPES, SavedFilter};
pub use search::{IndicatorHit, MIN_INDEXED_TEXT, Matched, SEARCH_LIMIT, SHORT_TEXT_ROWS};
pub use shared_objects::{
    AddOutcome, NewSharedObject, ObjectPage, ObjectQuery, SharedObject, TaxiiStatus, Versions,
};
pub use sharing::{
    Access, IndicatorSource, KeptObject, Member, Principal, SharingGroup, SourcedIndicator,
};
pub use sightings::Recorded;
pub use stats::Counts;
pub use sweep_jobs::{NewSweepJob, SweepJob, SweepOutcome, SweepProgress, SweepState};
pub use tx::Tx;
pub use user_admin::{TokenRow, UserPatch};
pub use users::NewUser;
pub use visibility::Viewer;
pub use vuln_matches::{Queued, Rematch, VulnMatch};

use hikeshi_domain::{PriorityRule, SlaPolicy};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Why a store operation failed. `NotFound` and `Conflict` are the caller's fault and safe to
/// show; `Database` carries the driver's cause for the log and is never shown to clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Domain(#[from] hikeshi_domain::DomainError),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How to open the store, and the rules it applies when it computes priorities and SLA clocks.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub max_connections: u32,
    pub priority_rule: PriorityRule,
    pub sla: SlaPolicy,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 8,
            priority_rule: PriorityRule::default(),
            sla: SlaPolicy::default(),
        }
    }
}

/// The policy the store applies on every incident write.
#[derive(Debug)]
pub(crate) struct Policy {
    pub rule: PriorityRule,
    pub sla: SlaPolicy,
}

/// The database of one hikeshi installation. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    policy: Arc<Policy>,
    /// The audit head this process last wrote (see `tx.rs`).
    head: tx::HeadCache,
    /// For the few large reads whose best plan does not depend on their arguments (one
    /// indicator's correlations): on PostgreSQL these connections use each statement's generic
    /// plan from its first call. PostgreSQL otherwise plans a prepared statement for its
    /// arguments on its first five calls on every connection, and planning the correlation
    /// statement takes 2.5–7 ms where running it takes 0.4 ms; with a pool of connections
    /// that is one correlation in a few dozen, which is the p99. On SQLite the same pool.
    generic: AnyPool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: never print it.
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

/// How often the SQLite write-ahead log is copied back into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Copy the SQLite write-ahead log into the database file every [`CHECKPOINT_EVERY`], in the
/// background, until the pool closes. SQLite's automatic checkpoint (turned off on every
/// connection) runs inside whichever commit crosses 1,000 WAL pages and makes that one request
/// wait for the copy and the fsyncs of the database file: about one commit in a hundred, the
/// p99 of a write. A `PASSIVE` checkpoint takes no lock writers wait for. Durability does not
/// change: a commit is on disk once its WAL frames are synced (`synchronous = FULL`), and a
/// WAL left behind by a crash is recovered when the database is next opened.
async fn checkpointer(pool: sqlx::AnyPool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        // A checkpoint that cannot run now (the database busy, a read in the way) is simply
        // tried again at the next tick; nothing is lost meanwhile, the WAL only grows.
        let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await;
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Open a pool for `url`. SQLite connections are set to WAL with full synchronous commits,
    /// so a report that was given a ticket survives a crash or power loss.
    pub async fn connect(url: &str, opts: StoreOptions) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(redact_url(url)));
        };
        let mut pool_opts = AnyPoolOptions::new().max_connections(opts.max_connections);
        if backend == Backend::Sqlite {
            pool_opts = pool_opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 15000",
                        // Checkpoints run beside the writers (see `checkpointer`), not inside the
                        // commit that happens to cross the WAL's size threshold.
                        "PRAGMA wal_autocheckpoint = 0",
                    ] {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = pool_opts.connect(url).await?;
        if backend == Backend::Sqlite {
            tokio::spawn(checkpointer(pool.clone()));
        }
        let generic = match backend {
            // SQLite plans a statement once when it is prepared: nothing to choose.
            Backend::Sqlite => pool.clone(),
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(opts.max_connections.div_ceil(2))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute("SET plan_cache_mode = force_generic_plan")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        Ok(Store {
            pool,
            backend,
            policy: Arc::new(Policy {
                rule: opts.priority_rule,
                sla: opts.sla,
            }),
            head: Default::default(),
            generic,
        })
    }

    /// Apply the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Cheap liveness check for `/health`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.generic.close().await;
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }
}

/// A database URL fit for logs and error messages: the password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}
