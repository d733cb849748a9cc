//! Log formats: detection and the per-format field readers.
//!
//! Each reader turns one line into `(field name, role, value)` triples without allocating, and on
//! request (only for lines that hit, which are rare) into the line's time, source and
//! destination.

mod combined;
mod csv;
mod jsonl;
mod squid;
mod text;
mod zeek;

use crate::fields::FieldMap;
use crate::matcher::Role;

/// The log formats the sweep reads field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Squid native `access.log`.
    Squid,
    /// Apache/nginx combined (and common) log format.
    Combined,
    /// Zeek TSV with a `#fields` header (conn, dns, http, ssl, files, …).
    Zeek,
    /// One JSON object per line.
    Jsonl,
    /// CSV (or `;`/tab separated) with a header line.
    Csv,
    /// Plain text or syslog: indicators found at token boundaries.
    Text,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Squid,
        Format::Combined,
        Format::Zeek,
        Format::Jsonl,
        Format::Csv,
        Format::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Squid => "squid",
            Format::Combined => "combined",
            Format::Zeek => "zeek",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Text => "text",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown log format {s:?} (squid, combined, zeek, jsonl, csv, text)")
            })
    }
}

/// The line is not what its format says; the caller matches it as text instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// The time, internal host and destination of a line, as written in the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Context {
    pub timestamp: Option<String>,
    pub source: Option<String>,
    pub destination: Option<String>,
}

pub(crate) fn lossy(v: &[u8]) -> Option<String> {
    (!v.is_empty() && v != b"-").then(|| String::from_utf8_lossy(v).into_owned())
}

/// A reader for one file, set up from its first lines (header, separator, column names).
#[derive(Debug, Clone)]
pub(crate) enum Parser {
    Squid,
    Combined,
    Zeek(zeek::Layout),
    Jsonl(jsonl::Layout),
    Csv(csv::Layout),
    Text,
}

impl Parser {
    /// Sets up the reader for `format` (or the detected one) from the start of the file.
    pub(crate) fn new(format: Option<Format>, head: &[u8], map: &FieldMap) -> Parser {
        let format = format.unwrap_or_else(|| detect(head));
        match format {
            Format::Squid => Parser::Squid,
            Format::Combined => Parser::Combined,
            Format::Zeek => Parser::Zeek(zeek::Layout::from_head(head, map)),
            Format::Jsonl => Parser::Jsonl(jsonl::Layout::new(map)),
            Format::Csv => Parser::Csv(csv::Layout::from_head(head, map)),
            Format::Text => Parser::Text,
        }
    }

    pub(crate) fn format(&self) -> Format {
        match self {
            Parser::Squid => Format::Squid,
            Parser::Combined => Format::Combined,
            Parser::Zeek(_) => Format::Zeek,
            Parser::Jsonl(_) => Format::Jsonl,
            Parser::Csv(_) => Format::Csv,
            Parser::Text => Format::Text,
        }
    }

    /// Calls `f(field, role, value)` for each matchable field of the line.
    pub(crate) fn scan<F>(&self, line: &[u8], f: &mut F) -> Result<(), Malformed>
    where
        F: FnMut(&str, Role, &[u8]),
    {
        match self {
            Parser::Squid => squid::scan(line, f),
            Parser::Combined => combined::scan(line, f),
            Parser::Zeek(l) => l.scan(line, f),
            Parser::Jsonl(l) => l.scan(line, f),
            Parser::Csv(l) => l.scan(line, f),
            Parser::Text => {
                f("line", Role::Text, line);
                Ok(())
            }
        }
    }

    /// Time, source and destination of a line (called only for lines that hit).
    pub(crate) fn context(&self, line: &[u8]) -> Context {
        match self {
            Parser::Squid => squid::context(line),
            Parser::Combined => combined::context(line),
            Parser::Zeek(l) => l.context(line),
            Parser::Jsonl(l) => l.context(line),
            Parser::Csv(l) => l.context(line),
            Parser::Text => text::context(line),
        }
    }
}

/// Guesses the format from the first lines of a file. Every check is on the shape of the line,
/// not on a file name, because logs are renamed, rotated and concatenated.
pub fn detect(head: &[u8]) -> Format {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let Some(first) = lines.next() else {
        return Format::Text;
    };
    if first.starts_with(b"#separator") || first.starts_with(b"#fields") {
        return Format::Zeek;
    }
    let trimmed = first.trim_ascii();
    if trimmed.starts_with(b"{") && trimmed.ends_with(b"}") {
        return Format::Jsonl;
    }
    if squid::looks_like(first) {
        return Format::Squid;
    }
    if combined::looks_like(first) {
        return Format::Combined;
    }
    if csv::looks_like_header(first, lines.next()) {
        return Format::Csv;
    }
    Format::Text
}

/// Splits at runs of spaces (Squid pads columns with several).
pub(crate) fn words(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b' ' || b == b'\t')
        .filter(|w| !w.is_empty())
}
