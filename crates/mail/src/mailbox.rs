//! Mailbox files for `hikeshi import mail`: mbox (mboxrd and mboxo) and Maildir.
//!
//! Both yield one result per message, so one broken message is reported with its line or
//! file and the rest still import (DESIGN.md §3.2). Messages come out as raw bytes; parsing
//! is [`crate::parse`]'s job, so the raw form the store keeps is exactly what was in the file
//! (minus mbox's own framing and escaping).

use std::fs;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Errors reading a mailbox, with the file or line they belong to.
#[derive(Debug, Error)]
pub enum MailboxError {
    #[error("{}: not a Maildir (it has neither cur/ nor new/)", path.display())]
    NotMaildir { path: PathBuf },
    #[error("line {line}: not an mbox: expected a line starting with \"From \", found {found:?}")]
    NotMbox { line: usize, found: String },
    #[error("line {line}: message larger than {limit} bytes, skipped")]
    TooLarge { line: usize, limit: usize },
    #[error("line {line}: read error: {source}")]
    Read { line: usize, source: io::Error },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Which escaping the mbox writer used for body lines starting with `From `.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MboxFormat {
    /// `>From ` lines at any depth are escaped once more: `>>From ` reads as `>From `.
    #[default]
    Mboxrd,
    /// Only `From ` was escaped, to `>From `; `>>From ` stays as it is.
    Mboxo,
}

/// One message of an mbox, with the 1-based line of its `From ` separator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxMessage {
    pub line: usize,
    /// The separator line without `From ` (envelope sender and date), lossily decoded.
    pub envelope: String,
    pub raw: Vec<u8>,
}

/// Splits an mbox read from `reader` into messages, as an iterator.
pub struct MboxReader<R> {
    reader: R,
    format: MboxFormat,
    max_message_bytes: usize,
    line: usize,
    /// Separator line number and envelope of the message being read.
    next: Option<(usize, String)>,
    started: bool,
    done: bool,
}

/// Reads mboxrd (the common default) with a 128 MiB limit per message.
pub fn split_mbox<R: BufRead>(reader: R) -> MboxReader<R> {
    MboxReader {
        reader,
        format: MboxFormat::default(),
        max_message_bytes: 128 * 1024 * 1024,
        line: 0,
        next: None,
        started: false,
        done: false,
    }
}

impl<R: BufRead> MboxReader<R> {
    pub fn format(mut self, format: MboxFormat) -> Self {
        self.format = format;
        self
    }

    /// Messages larger than this are skipped with [`MailboxError::TooLarge`].
    pub fn max_message_bytes(mut self, limit: usize) -> Self {
        self.max_message_bytes = limit;
        self
    }

    fn read_line(&mut self, buf: &mut Vec<u8>) -> Result<bool, MailboxError> {
        buf.clear();
        let n = self
            .reader
            .read_until(b'\n', buf)
            .map_err(|source| MailboxError::Read {
                line: self.line + 1,
                source,
            })?;
        if n > 0 {
            self.line += 1;
        }
        Ok(n > 0)
    }

    /// Finds the first separator, skipping leading blank lines.
    fn start(&mut self) -> Result<bool, MailboxError> {
        let mut buf = Vec::new();
        while self.read_line(&mut buf)? {
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if let Some(envelope) = separator(&buf) {
                self.next = Some((self.line, envelope));
                return Ok(true);
            }
            return Err(MailboxError::NotMbox {
                line: self.line,
                found: String::from_utf8_lossy(&buf[..buf.len().min(60)])
                    .trim_end()
                    .to_owned(),
            });
        }
        Ok(false)
    }

    fn read_message(&mut self, line: usize, envelope: String) -> Result<MboxMessage, MailboxError> {
        let mut raw = Vec::new();
        let mut buf = Vec::new();
        let mut too_large = false;
        while self.read_line(&mut buf)? {
            if let Some(next_envelope) = separator(&buf) {
                self.next = Some((self.line, next_envelope));
                break;
            }
            if too_large {
                continue;
            }
            raw.extend_from_slice(unescape(&buf, self.format));
            if raw.len() > self.max_message_bytes {
                too_large = true;
                raw = Vec::new();
            }
        }
        if too_large {
            return Err(MailboxError::TooLarge {
                line,
                limit: self.max_message_bytes,
            });
        }
        // The writer's blank line before the next separator is framing, not message.
        if raw.ends_with(b"\r\n\r\n") {
            raw.truncate(raw.len() - 2);
        } else if raw.ends_with(b"\n\n") {
            raw.truncate(raw.len() - 1);
        }
        Ok(MboxMessage {
            line,
            envelope,
            raw,
        })
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = Result<MboxMessage, MailboxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            match self.start() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    // Not an mbox at all: one error, then nothing, rather than a guess.
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        let Some((line, envelope)) = self.next.take() else {
            self.done = true;
            return None;
        };
        let result = self.read_message(line, envelope);
        if matches!(result, Err(MailboxError::Read { .. })) {
            self.done = true;
        }
        Some(result)
    }
}

/// `From ` separator line → envelope text.
fn separator(line: &[u8]) -> Option<String> {
    let rest = line.strip_prefix(b"From ")?;
    Some(String::from_utf8_lossy(rest).trim_end().to_owned())
}

/// Removes one `>` from an escaped `From ` line.
fn unescape(line: &[u8], format: MboxFormat) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    let escaped = match format {
        MboxFormat::Mboxrd => quotes >= 1,
        MboxFormat::Mboxo => quotes == 1,
    };
    if escaped && line[quotes..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

/// Opens an mbox file for [`split_mbox`]-style reading.
pub fn open_mbox(path: &Path) -> Result<MboxReader<BufReader<fs::File>>, MailboxError> {
    let file = fs::File::open(path).map_err(|source| MailboxError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(split_mbox(BufReader::new(file)))
}

/// One message file of a Maildir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirMessage {
    pub path: PathBuf,
    pub raw: Vec<u8>,
}

/// The message files of a Maildir: `new/` and `cur/` (never `tmp/`, whose files are still
/// being written), sorted by path so imports are repeatable. Dot files are skipped.
pub fn maildir_paths(dir: &Path) -> Result<Vec<PathBuf>, MailboxError> {
    let subdirs: Vec<PathBuf> = ["cur", "new"]
        .iter()
        .map(|s| dir.join(s))
        .filter(|p| p.is_dir())
        .collect();
    if subdirs.is_empty() {
        return Err(MailboxError::NotMaildir {
            path: dir.to_owned(),
        });
    }
    let mut paths = Vec::new();
    for subdir in subdirs {
        let io_err = |source| MailboxError::Io {
            path: subdir.clone(),
            source,
        };
        for entry in fs::read_dir(&subdir).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && path.is_file() {
                paths.push(path);
            }
        }
    }
    paths.sort();
    Ok(paths)
}

/// Reads a Maildir's messages one by one; an unreadable file is an error for that file only.
pub fn read_maildir(
    dir: &Path,
) -> Result<impl Iterator<Item = Result<MaildirMessage, MailboxError>>, MailboxError> {
    let paths = maildir_paths(dir)?;
    Ok(paths.into_iter().map(|path| match fs::read(&path) {
        Ok(raw) => Ok(MaildirMessage { path, raw }),
        Err(source) => Err(MailboxError::Io { path, source }),
    }))
}

/// What a path given to `hikeshi import mail` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailSource {
    Maildir,
    Mbox,
    /// A single message (`.eml` or anything else that is not an mbox).
    Message,
}

/// Tells a Maildir (directory with cur/ or new/), an mbox (first non-blank line starts with
/// `From `) and a single message apart.
pub fn detect_source(path: &Path) -> Result<MailSource, MailboxError> {
    if path.is_dir() {
        maildir_paths(path)?;
        return Ok(MailSource::Maildir);
    }
    let file = fs::File::open(path).map_err(|source| MailboxError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| MailboxError::Io {
                path: path.to_owned(),
                source,
            })?;
        if n == 0 {
            return Ok(MailSource::Message);
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            return Ok(if line.starts_with(b"From ") {
                MailSource::Mbox
            } else {
                MailSource::Message
            });
        }
    }
}
