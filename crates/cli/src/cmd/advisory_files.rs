//! The advisory documents behind the paths given to `hikeshi advisory import`: a file, every
//! `.json`/`.xml` file under a directory (an unpacked OSV dump), or every such entry of a zip
//! file (OSV's per-ecosystem `all.zip`). Each document keeps a stable key (its file name, its
//! path under the directory, or `ZIP!entry`) so importing the same dump again replaces instead of
//! duplicating.

use anyhow::Context;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest single document read from a zip (a guard against zip bombs).
const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;

/// One document: a name for messages, the key it is stored under, its bytes.
pub struct Doc {
    pub name: String,
    pub key: String,
    pub bytes: Vec<u8>,
}

fn is_doc(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("xml"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if is_doc(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Call `each` with every document behind `path`. A zip entry that cannot be read is reported
/// through `bad` (with the entry named) and the rest continue.
pub fn for_each_doc(
    path: &Path,
    bad: &mut dyn FnMut(String),
    each: &mut dyn FnMut(Doc) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let shown = path.display().to_string();
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        for f in files {
            let rel = f.strip_prefix(path).unwrap_or(&f).display().to_string();
            let bytes = std::fs::read(&f).with_context(|| format!("reading {}", f.display()))?;
            each(Doc {
                name: f.display().to_string(),
                key: rel,
                bytes,
            })?;
        }
        return Ok(());
    }
    let is_zip = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !is_zip {
        let bytes = std::fs::read(path).with_context(|| format!("reading {shown}"))?;
        let key = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        return each(Doc {
            name: shown,
            key,
            bytes,
        });
    }
    let file = std::fs::File::open(path).with_context(|| format!("opening {shown}"))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .with_context(|| format!("{shown}: not a readable zip file"))?;
    let zip_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                bad(format!("{shown}: entry {i}: {e}"));
                continue;
            }
        };
        let entry_name = entry.name().to_owned();
        if entry.is_dir() || !is_doc(Path::new(&entry_name)) {
            continue;
        }
        if entry.size() > MAX_ENTRY_BYTES {
            bad(format!(
                "{shown}!{entry_name}: {} bytes, larger than the {MAX_ENTRY_BYTES}-byte limit",
                entry.size()
            ));
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        if let Err(e) = (&mut entry)
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            bad(format!("{shown}!{entry_name}: {e}"));
            continue;
        }
        drop(entry);
        each(Doc {
            name: format!("{shown}!{entry_name}"),
            key: format!("{zip_name}!{entry_name}"),
            bytes,
        })?;
    }
    Ok(())
}
