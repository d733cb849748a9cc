//! Fresh databases for the contract tests: a new SQLite file always, and a new PostgreSQL
//! database whenever HIKESHI_TEST_POSTGRES_URL is set (CI always sets it; with
//! HIKESHI_REQUIRE_POSTGRES=1 its absence is a failure, not a skip).

use hikeshi_store::{Store, StoreOptions};
use sqlx::Executor;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct Fresh {
    pub store: Store,
    /// The URL of this fresh database, for tests that tamper with it directly.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/hikeshi.sqlite3?mode=rwc", dir.path().display());
    let store = Store::connect(&url, StoreOptions::default())
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    Fresh {
        store,
        url,
        _dir: Some(dir),
    }
}

/// `None` when PostgreSQL is not configured and not required.
pub async fn postgres() -> Option<Fresh> {
    let Ok(admin) = std::env::var("HIKESHI_TEST_POSTGRES_URL") else {
        if std::env::var("HIKESHI_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
            || std::env::var("CI").is_ok_and(|v| v == "true")
        {
            panic!(
                "HIKESHI_TEST_POSTGRES_URL is not set but PostgreSQL is required (CI or HIKESHI_REQUIRE_POSTGRES=1)"
            );
        }
        eprintln!(
            "SKIPPED on PostgreSQL: HIKESHI_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"
        );
        return None;
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "hikeshi_t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        hikeshi_domain::time::now_ms() % 1_000_000
    );
    sqlx::any::install_default_drivers();
    let mut admin_conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("connect to the PostgreSQL admin URL");
    admin_conn
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let store = Store::connect(&url, StoreOptions::default())
        .await
        .expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    Some(Fresh {
        store,
        url,
        _dir: None,
    })
}
