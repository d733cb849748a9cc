//! Bulk import of indicator lists: plain text (one per line) and CSV. Every line is either
//! accepted or rejected with its line number, its text and the reason, so an import can be
//! all-or-nothing or partial by the caller's choice, and never silently lossy (DESIGN.md §3.1).

use serde::Serialize;

use crate::parse::{parse_as, parse_indicator};
use crate::{Indicator, IocError, Kind};

/// An accepted line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    /// 1-based line number in the input.
    pub line: usize,
    pub indicator: Indicator,
}

/// A rejected line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// 1-based line number in the input.
    pub line: usize,
    /// The line (or the CSV value) as it was.
    pub text: String,
    pub reason: String,
}

/// What a list import found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BulkResult {
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<Rejected>,
}

/// A plain list, one indicator per line as a handler writes it (defanged forms welcome). Blank
/// lines and lines starting with `#` are skipped; invalid UTF-8 is replaced, and the line is
/// then rejected or accepted on what remains.
///
/// ```
/// let r = hikeshi_ioc::parse_lines(b"# from the advisory\nevil[.]example[.]com\nnot an ioc\n");
/// assert_eq!(r.accepted[0].indicator.value, "evil.example.com");
/// assert_eq!((r.rejected[0].line, r.rejected[0].text.as_str()), (3, "not an ioc"));
/// ```
pub fn parse_lines(data: &[u8]) -> BulkResult {
    let mut out = BulkResult::default();
    for (i, raw) in data.split(|&b| b == b'\n').enumerate() {
        let text = String::from_utf8_lossy(raw);
        let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        push(&mut out, i + 1, t, parse_indicator(t));
    }
    out
}

fn push(out: &mut BulkResult, line: usize, text: &str, r: Result<Indicator, IocError>) {
    match r {
        Ok(indicator) => out.accepted.push(Accepted { line, indicator }),
        Err(e) => out.rejected.push(Rejected {
            line,
            text: text.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// Column names taken as the indicator's value, and as its kind (case-insensitive).
const VALUE_COLUMNS: &[&str] = &["value", "indicator", "ioc", "observable", "attribute", "値"];
const KIND_COLUMNS: &[&str] = &["kind", "type", "種別"];

/// A kind column's text as a kind: our names, and the MISP attribute types people export.
/// `None` means "recognise it from the value" (MISP's `ip-dst` is either family, say).
fn kind_of(name: &str) -> Result<Option<Kind>, String> {
    let n = name.trim().to_ascii_lowercase();
    if n.is_empty() {
        return Ok(None);
    }
    if let Ok(k) = n.parse::<Kind>() {
        return Ok(Some(k));
    }
    Ok(match n.as_str() {
        "ip" | "ip-src" | "ip-dst" | "ip-src|port" | "ip-dst|port" => None,
        "hostname" | "fqdn" => Some(Kind::Domain),
        "uri" | "link" => Some(Kind::Url),
        "email-src" | "email-dst" | "email-reply-to" | "e-mail" | "mail" => Some(Kind::Email),
        "as" => Some(Kind::Asn),
        "vulnerability" => Some(Kind::Cve),
        "file" | "file-name" | "attachment" => Some(Kind::Filename),
        "text" | "comment" | "mutex" | "regkey" => Some(Kind::Other),
        other => return Err(format!("unknown indicator type {other:?}")),
    })
}

/// A CSV list. With a header naming a value column (`value`, `indicator`, `ioc`, …) that column
/// is read, and a `kind`/`type` column, if present, says what each value must be. Without one,
/// rows are `kind,value` when the first field is a kind name, else the first field is the value.
///
/// ```
/// let csv = b"type,value,comment\ndomain,evil[.]example[.]com,C2\nmd5,nothex,bad\n";
/// let r = hikeshi_ioc::parse_csv(csv);
/// assert_eq!(r.accepted[0].indicator.value, "evil.example.com");
/// assert_eq!(r.rejected[0].line, 3);
/// ```
pub fn parse_csv(data: &[u8]) -> BulkResult {
    let mut out = BulkResult::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(data);
    let mut columns: Option<(usize, Option<usize>)> = None;
    let mut first = true;
    for record in reader.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                out.rejected.push(Rejected {
                    line,
                    text: String::new(),
                    reason: format!("not CSV: {e}"),
                });
                // The csv reader cannot resume after an I/O-level error; a field error it can.
                if e.is_io_error() {
                    break;
                }
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let fields: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if first {
            first = false;
            let lower: Vec<String> = fields
                .iter()
                .map(|f| f.trim_start_matches('\u{feff}').to_lowercase())
                .collect();
            let find = |names: &[&str]| lower.iter().position(|f| names.contains(&f.as_str()));
            if let Some(v) = find(VALUE_COLUMNS) {
                columns = Some((v, find(KIND_COLUMNS)));
                continue;
            }
        }
        if fields.iter().all(|f| f.is_empty()) || fields[0].starts_with('#') {
            continue;
        }
        let (value_col, kind_col) = columns.unwrap_or_else(|| {
            if fields.len() >= 2 && kind_of(&fields[0]).is_ok_and(|k| k.is_some()) {
                (1, Some(0))
            } else {
                (0, None)
            }
        });
        let value = fields.get(value_col).map_or("", String::as_str);
        let kind = kind_col.and_then(|k| fields.get(k)).map(|k| kind_of(k));
        let result = match kind {
            Some(Err(reason)) => {
                out.rejected.push(Rejected {
                    line,
                    text: value.to_owned(),
                    reason,
                });
                continue;
            }
            Some(Ok(Some(k))) => parse_as(k, value),
            Some(Ok(None)) | None => parse_indicator(value),
        };
        push(&mut out, line, value, result);
    }
    out
}
