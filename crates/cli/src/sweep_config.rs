//! The `[sweep]` part of the configuration: which server-side directories sweep jobs started
//! from the web UI or the API may read, and where uploaded logs go.
//!
//! ```toml
//! [sweep]
//! max_upload_mb = 512        # all files of one upload together
//! keep_uploads = false       # delete uploaded logs when their job ends (default)
//! threads = 2                # matching threads per job (0: half the CPUs)
//! # upload_dir = "/srv/hikeshi/sweep-uploads"   # default: DATA_DIR/sweep-uploads
//!
//! [sweep.allowed_paths]      # named roots; requests name a root and a path inside it
//! squid = "/var/log/squid"
//! zeek = "/opt/zeek/logs"
//! ```
//!
//! From the environment: `HIKESHI_SWEEP__ALLOWED_PATHS__SQUID=/var/log/squid`.

use anyhow::{Context, bail};
use hikeshi_server::sweep_jobs::SweepConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SweepSettings {
    /// Root name → directory. Names are letters, digits, `-` and `_`.
    pub allowed_paths: BTreeMap<String, PathBuf>,
    /// Empty: `sweep-uploads` in the data directory.
    pub upload_dir: PathBuf,
    pub max_upload_mb: u64,
    pub keep_uploads: bool,
    /// 0: half the CPUs (at least one).
    pub threads: usize,
}

impl Default for SweepSettings {
    fn default() -> Self {
        SweepSettings {
            allowed_paths: BTreeMap::new(),
            upload_dir: PathBuf::new(),
            max_upload_mb: 512,
            keep_uploads: false,
            threads: 0,
        }
    }
}

impl SweepSettings {
    /// The server's view; a root that is not an existing directory, or a badly named one, is an
    /// error naming it rather than a sweep that fails later.
    pub fn server_config(&self, data_dir: &Path) -> anyhow::Result<SweepConfig> {
        for (name, dir) in &self.allowed_paths {
            let ok_name = !name.is_empty()
                && name != "upload"
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok_name {
                bail!(
                    "sweep.allowed_paths: {name:?} is not a usable root name (letters, digits, '-', '_'; not \"upload\")"
                );
            }
            if !dir.is_dir() {
                bail!(
                    "sweep.allowed_paths.{name}: {} is not a directory",
                    dir.display()
                );
            }
        }
        let upload_dir = if self.upload_dir.as_os_str().is_empty() {
            data_dir.join("sweep-uploads")
        } else {
            self.upload_dir.clone()
        };
        std::fs::create_dir_all(&upload_dir)
            .with_context(|| format!("sweep.upload_dir: creating {}", upload_dir.display()))?;
        let threads = match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
            n => n,
        };
        Ok(SweepConfig {
            roots: self.allowed_paths.clone(),
            upload_dir,
            max_upload_bytes: self.max_upload_mb.saturating_mul(1024 * 1024),
            keep_uploads: self.keep_uploads,
            threads,
        })
    }
}
