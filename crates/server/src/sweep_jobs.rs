//! Sweeps as background jobs, the part shared by the API, the UI, the runner and `hikeshi sweep
//! --incident`: what the server may read ([`SweepConfig`]: named roots an administrator allowed,
//! the upload directory), how a requested `root` + relative path becomes files without leaving
//! its root ([`resolve`]), and the mapping between the domain and the engine (an incident's
//! indicators to an [`IndicatorSet`], a [`Hit`] back to a [`NewSighting`]): the engine never
//! learns what an incident is (DESIGN.md §4). The runner itself is in `sweep_runner.rs`.
//!
//! Source names are stable, so a rerun records the same sighting keys and adds nothing: a file
//! under a root is `ROOT:relative/path`, an uploaded file `upload:NAME`.

use hikeshi_domain::{Indicator, NewSighting};
use hikeshi_sweep::{Hit, IndicatorSet};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// What sweep jobs may read and where uploads go (from the `[sweep]` configuration).
#[derive(Debug, Clone)]
pub struct SweepConfig {
    /// Named directories an administrator allowed: requests name a root and a path inside it.
    pub roots: BTreeMap<String, PathBuf>,
    /// Where uploaded logs are kept, one directory per job.
    pub upload_dir: PathBuf,
    /// Largest upload (all files of one request together), bytes.
    pub max_upload_bytes: u64,
    /// Keep uploaded files after their job ended (default: delete them).
    pub keep_uploads: bool,
    /// Matching threads per job.
    pub threads: usize,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            roots: BTreeMap::new(),
            upload_dir: PathBuf::from("hikeshi-data/sweep-uploads"),
            max_upload_bytes: 512 * 1024 * 1024,
            keep_uploads: false,
            threads: 2,
        }
    }
}

/// Why a requested path cannot be swept. The messages name the root and the path, never the
/// directory the root stands for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("no sweep root named {0:?} is allowed (allowed: {1})")]
    UnknownRoot(String, String),
    #[error("{0:?}: an absolute path is not allowed; give a path relative to the root")]
    Absolute(String),
    #[error("{0:?}: '..' is not allowed in a path")]
    Parent(String),
    #[error("{root}:{path}: does not exist or cannot be read")]
    Missing { root: String, path: String },
    #[error("{root}:{path}: leads outside the root through a symbolic link")]
    Escapes { root: String, path: String },
    #[error("{0:?}: not a source name (ROOT:path or upload:NAME)")]
    BadSource(String),
}

/// A file to sweep: the name hits are recorded under, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepFile {
    pub label: String,
    pub path: PathBuf,
}

/// The prefix of uploaded files' source names.
pub const UPLOAD_PREFIX: &str = "upload:";

/// Check a requested `root` + `path` and give its source name (`ROOT:normal/path`, `ROOT:.` for
/// the whole root). Refuses unknown roots, absolute paths, `..`, paths that do not exist and
/// paths whose canonical form leaves the root (a symbolic link pointing out).
pub fn source_name(cfg: &SweepConfig, root: &str, path: &str) -> Result<String, PathError> {
    let (base, rel) = checked(cfg, root, path)?;
    let full = base.join(&rel);
    let canon = full.canonicalize().map_err(|_| PathError::Missing {
        root: root.to_owned(),
        path: path.to_owned(),
    })?;
    if !canon.starts_with(&base) {
        return Err(PathError::Escapes {
            root: root.to_owned(),
            path: path.to_owned(),
        });
    }
    Ok(format!("{root}:{}", label_of(&rel)))
}

/// The root's canonical directory and the path's normal components.
fn checked(cfg: &SweepConfig, root: &str, path: &str) -> Result<(PathBuf, PathBuf), PathError> {
    let dir = cfg.roots.get(root).ok_or_else(|| {
        PathError::UnknownRoot(
            root.to_owned(),
            cfg.roots.keys().cloned().collect::<Vec<_>>().join(", "),
        )
    })?;
    let mut rel = PathBuf::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(n) => rel.push(n),
            Component::CurDir => {}
            Component::ParentDir => return Err(PathError::Parent(path.to_owned())),
            Component::RootDir | Component::Prefix(_) => {
                return Err(PathError::Absolute(path.to_owned()));
            }
        }
    }
    let base = dir.canonicalize().map_err(|_| PathError::Missing {
        root: root.to_owned(),
        path: ".".into(),
    })?;
    Ok((base, rel))
}

fn label_of(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// The files a job's sources stand for, in a stable order: a directory is walked recursively
/// (sorted by name). Problems (a file that went away, a link inside a directory that leads out
/// of the root) are returned next to the files rather than failing the whole job.
pub fn resolve(
    cfg: &SweepConfig,
    upload_key: &str,
    sources: &[String],
) -> (Vec<SweepFile>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for s in sources {
        if let Some(name) = s.strip_prefix(UPLOAD_PREFIX) {
            if upload_name(name).as_deref() != Some(name) {
                problems.push(PathError::BadSource(s.clone()).to_string());
                continue;
            }
            files.push(SweepFile {
                label: s.clone(),
                path: cfg.upload_dir.join(upload_key).join(name),
            });
            continue;
        }
        let Some((root, path)) = s.split_once(':') else {
            problems.push(PathError::BadSource(s.clone()).to_string());
            continue;
        };
        if let Err(e) = source_name(cfg, root, path) {
            problems.push(e.to_string());
            continue;
        }
        let Ok((base, rel)) = checked(cfg, root, path) else {
            continue;
        };
        walk(&base, &base.join(&rel), root, &mut files, &mut problems);
    }
    (files, problems)
}

fn walk(
    base: &Path,
    at: &Path,
    root: &str,
    files: &mut Vec<SweepFile>,
    problems: &mut Vec<String>,
) {
    let rel = at.strip_prefix(base).unwrap_or(at);
    let Ok(canon) = at.canonicalize() else {
        problems.push(
            PathError::Missing {
                root: root.into(),
                path: label_of(rel),
            }
            .to_string(),
        );
        return;
    };
    if !canon.starts_with(base) {
        problems.push(
            PathError::Escapes {
                root: root.into(),
                path: label_of(rel),
            }
            .to_string(),
        );
        return;
    }
    if canon.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(at) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                problems.push(format!("{root}:{}: {e}", label_of(rel)));
                return;
            }
        };
        entries.sort();
        for e in entries {
            walk(base, &e, root, files, problems);
        }
    } else {
        files.push(SweepFile {
            label: format!("{root}:{}", label_of(rel)),
            path: canon,
        });
    }
}

/// A file name fit for the upload directory: the last path component of what the browser sent,
/// with anything but letters, digits, `.`, `-` and `_` replaced; `None` when nothing is left.
pub fn upload_name(sent: &str) -> Option<String> {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let clean = crate::util::safe_file_name(last);
    let clean = clean.trim_start_matches('.').to_owned();
    (!clean.is_empty()).then_some(clean)
}

/// An incident's indicators as the engine's set; the second value counts the indicators that
/// cannot appear in a log field (ASNs, CVEs, file names) or were not valid for it.
pub fn indicator_set<'a>(
    indicators: impl IntoIterator<Item = &'a Indicator>,
) -> (IndicatorSet, usize) {
    let mut b = IndicatorSet::builder();
    let mut unusable = 0;
    for i in indicators {
        if b.insert(i.kind, &i.value).is_err() {
            unusable += 1;
        }
    }
    let set = b.build();
    let skipped = unusable + set.skipped();
    (set, skipped)
}

/// A hit as a sighting: recorded under the hit's file name, with the log's own timestamp.
pub fn sighting(h: Hit) -> NewSighting {
    NewSighting {
        indicator: Indicator {
            kind: h.kind,
            value: h.indicator,
        },
        source: h.file.to_string(),
        line: h.line as i64,
        offset: h.offset as i64,
        field: h.field,
        host: h.source.unwrap_or_default(),
        destination: h.destination.unwrap_or_default(),
        seen_at: h.timestamp.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dir: &Path) -> SweepConfig {
        SweepConfig {
            roots: [("logs".to_owned(), dir.to_path_buf())].into(),
            ..SweepConfig::default()
        }
    }

    #[test]
    fn requested_paths_stay_inside_their_root() {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join("logs");
        std::fs::create_dir_all(logs.join("squid")).unwrap();
        std::fs::write(logs.join("squid/access.log"), "x\n").unwrap();
        std::fs::write(tmp.path().join("secret"), "x\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path().join("secret"), logs.join("out")).unwrap();
        let c = cfg(&logs);
        let table: &[(&str, &str, Result<&str, &str>)] = &[
            ("logs", "squid/access.log", Ok("logs:squid/access.log")),
            ("logs", "./squid//access.log", Ok("logs:squid/access.log")),
            ("logs", "", Ok("logs:.")),
            ("logs", "squid", Ok("logs:squid")),
            ("logs", "../secret", Err("'..' is not allowed")),
            ("logs", "squid/../../secret", Err("'..' is not allowed")),
            (
                "logs",
                "/etc/passwd",
                Err("an absolute path is not allowed"),
            ),
            ("logs", "nope.log", Err("does not exist")),
            (
                "other",
                "a.log",
                Err("no sweep root named \"other\" is allowed (allowed: logs)"),
            ),
            #[cfg(unix)]
            (
                "logs",
                "out",
                Err("leads outside the root through a symbolic link"),
            ),
        ];
        for (root, path, want) in table {
            let got = source_name(&c, root, path).map_err(|e| e.to_string());
            match (want, &got) {
                (Ok(w), Ok(g)) => assert_eq!(w, g, "{root}:{path}"),
                (Err(w), Err(g)) => assert!(g.contains(w), "{root}:{path}: {g}"),
                _ => panic!("{root}:{path}: {got:?}"),
            }
        }
    }

    #[test]
    fn a_directory_is_walked_in_order_and_links_out_of_the_root_are_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join("logs");
        std::fs::create_dir_all(logs.join("b")).unwrap();
        std::fs::write(logs.join("b/2.log"), "x\n").unwrap();
        std::fs::write(logs.join("a.log"), "x\n").unwrap();
        std::fs::write(tmp.path().join("secret"), "x\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path().join("secret"), logs.join("c.log")).unwrap();
        let (files, problems) = resolve(&cfg(&logs), "", &["logs:.".into()]);
        let labels: Vec<&str> = files.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["logs:a.log", "logs:b/2.log"]);
        #[cfg(unix)]
        assert_eq!(
            problems,
            ["logs:c.log: leads outside the root through a symbolic link"]
        );
    }

    #[test]
    fn upload_names_lose_their_directories_and_odd_characters() {
        let table = [
            ("access.log.gz", Some("access.log.gz")),
            ("C:\\logs\\proxy 1.log", Some("proxy_1.log")),
            ("../../etc/passwd", Some("passwd")),
            ("..", None),
            ("", None),
            ("ログ.txt", Some("__.txt")),
        ];
        for (sent, want) in table {
            assert_eq!(upload_name(sent).as_deref(), want, "{sent:?}");
        }
    }
}
