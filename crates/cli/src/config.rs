//! Configuration, read in one place: defaults, then the TOML file, then `HIKESHI_*` environment
//! variables (for example `HIKESHI_LISTEN`, `HIKESHI_DATABASE_URL`, `HIKESHI_SLA__P1__ACKNOWLEDGE`).
//! Secrets are redacted whenever settings are printed.

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use hikeshi_domain::{PriorityRule, SlaPolicy};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use crate::mail_config::MailSettings;
pub use crate::sweep_config::SweepSettings;

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the data lives; set from `--data-dir`, not from the file.
    #[serde(skip)]
    pub data_dir: PathBuf,
    pub listen: String,
    /// Empty: SQLite in the data directory.
    pub database_url: String,
    pub max_body_mb: usize,
    pub max_attachment_mb: usize,
    pub report_rate_per_minute: u32,
    pub session_hours: i64,
    pub secure_cookies: bool,
    pub trust_forwarded_for: bool,
    /// Hex key for the public form's CSRF tokens; share it between nodes behind one load
    /// balancer. Empty: random per start.
    pub form_secret: String,
    /// Display time zone, minutes east of UTC (JST = 540).
    pub display_offset_minutes: i32,
    /// The team's name in what it shares (STIX identity, MISP organisation).
    pub team_name: String,
    /// Extra warning lists (MISP warninglist JSON files) for the indicator extractor, on top of
    /// the built-in ones.
    pub warninglists: Vec<PathBuf>,
    pub priority: PriorityRule,
    pub sla: SlaPolicy,
    /// Mail: the team's address, acknowledgements, SMTP for sending, IMAP mailboxes to poll.
    pub mail: MailSettings,
    /// Sweep jobs: the server-side directories they may read, uploads.
    pub sweep: SweepSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("hikeshi-data"),
            listen: "127.0.0.1:8080".into(),
            database_url: String::new(),
            max_body_mb: 25,
            max_attachment_mb: 10,
            report_rate_per_minute: 10,
            session_hours: 12,
            secure_cookies: false,
            trust_forwarded_for: false,
            form_secret: String::new(),
            display_offset_minutes: 540,
            team_name: "hikeshi CSIRT".into(),
            warninglists: Vec::new(),
            priority: PriorityRule::default(),
            sla: SlaPolicy::default(),
            mail: MailSettings::default(),
            sweep: SweepSettings::default(),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field(
                "database_url",
                &hikeshi_store::redact_url(&self.database_url),
            )
            .field(
                "form_secret",
                &if self.form_secret.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .field("mail", &self.mail)
            .finish_non_exhaustive()
    }
}

/// The top-level keys of [`Settings`] that the environment may set.
const SETTING_KEYS: &[&str] = &[
    "listen",
    "database_url",
    "max_body_mb",
    "max_attachment_mb",
    "report_rate_per_minute",
    "session_hours",
    "secure_cookies",
    "trust_forwarded_for",
    "form_secret",
    "display_offset_minutes",
    "team_name",
    "warninglists",
    "priority",
    "sla",
    "mail",
    "sweep",
];

impl Settings {
    pub fn load(data_dir: Option<&Path>, file: Option<&Path>) -> anyhow::Result<Settings> {
        let data_dir = data_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("hikeshi-data"));
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        let default_file = data_dir.join("hikeshi.toml");
        match file {
            Some(f) => {
                anyhow::ensure!(
                    f.exists(),
                    "configuration file {} does not exist",
                    f.display()
                );
                fig = fig.merge(Toml::file(f));
            }
            None if default_file.exists() => fig = fig.merge(Toml::file(&default_file)),
            None => {}
        }
        // Only the settings' own keys: other HIKESHI_* variables (HIKESHI_LOG, the test
        // suite's HIKESHI_TEST_*) belong to someone else.
        fig = fig.merge(
            Env::prefixed("HIKESHI_")
                .filter(|k| {
                    let top = k
                        .as_str()
                        .split("__")
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    SETTING_KEYS.contains(&top.as_str())
                })
                .split("__"),
        );
        let mut s: Settings = fig.extract().context("reading the configuration")?;
        s.data_dir = data_dir;
        Ok(s)
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("hikeshi.sqlite3").display()
            )
        } else {
            self.database_url.clone()
        }
    }

    /// Open (creating the data directory and database if needed) and migrate.
    pub async fn open_store(&self) -> anyhow::Result<hikeshi_store::Store> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        let url = self.database_url();
        let opts = hikeshi_store::StoreOptions {
            priority_rule: self.priority.clone(),
            sla: self.sla.clone(),
            ..Default::default()
        };
        let store = hikeshi_store::Store::connect(&url, opts)
            .await
            .with_context(|| format!("opening the database {}", hikeshi_store::redact_url(&url)))?;
        store.migrate().await.context("applying migrations")?;
        Ok(store)
    }

    /// The extractor with the built-in warning lists plus the configured files; a list that
    /// cannot be read is an error naming the file, not a silent omission.
    pub fn extractor(&self) -> anyhow::Result<hikeshi_ioc::Extractor> {
        let mut set = hikeshi_ioc::WarningSet::builtin();
        for f in &self.warninglists {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("reading warning list {}", f.display()))?;
            set.push(
                hikeshi_ioc::WarningList::from_misp_json(&text)
                    .with_context(|| format!("{}: not a MISP warning list", f.display()))?,
            );
        }
        Ok(hikeshi_ioc::Extractor::new().with_warnings(set))
    }

    pub fn server_config(&self) -> anyhow::Result<hikeshi_server::ServerConfig> {
        let mut c = hikeshi_server::ServerConfig {
            max_body_bytes: self.max_body_mb * 1024 * 1024,
            max_attachment_bytes: self.max_attachment_mb * 1024 * 1024,
            report_rate_per_minute: self.report_rate_per_minute,
            session_hours: self.session_hours,
            secure_cookies: self.secure_cookies,
            trust_forwarded_for: self.trust_forwarded_for,
            display_offset_minutes: self.display_offset_minutes,
            team_name: self.team_name.clone(),
            ..Default::default()
        };
        c.mail = self.mail.server_config()?;
        c.sweep = self.sweep.server_config(&self.data_dir)?;
        if !self.form_secret.is_empty() {
            c.form_secret = hex::decode(&self.form_secret).context("form_secret must be hex")?;
        }
        Ok(c)
    }
}
