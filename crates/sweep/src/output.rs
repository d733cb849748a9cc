//! Output formats over hits. Pure functions: the caller owns the writer and the policy (the CLI
//! prints, the server stores sightings).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hikeshi_ioc::Kind;

use crate::hit::Hit;

/// One JSON object per hit (no trailing newline). Fields: `file`, `line`, `offset`,
/// `timestamp`, `source`, `destination`, `field`, `kind`, `indicator`, `value`.
pub fn json_line(hit: &Hit) -> String {
    // Serialising a struct of strings and integers cannot fail.
    serde_json::to_string(hit).unwrap_or_default()
}

/// The CSV header matching [`csv_row`].
pub const CSV_HEADER: &str =
    "file,line,offset,timestamp,source,destination,field,kind,indicator,value";

/// One RFC 4180 CSV record (no trailing newline).
pub fn csv_row(hit: &Hit) -> String {
    let line = hit.line.to_string();
    let offset = hit.offset.to_string();
    let cells: [&str; 10] = [
        &hit.file,
        &line,
        &offset,
        hit.timestamp.as_deref().unwrap_or(""),
        hit.source.as_deref().unwrap_or(""),
        hit.destination.as_deref().unwrap_or(""),
        &hit.field,
        hit.kind.as_str(),
        &hit.indicator,
        &hit.value,
    ];
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_cell(c, &mut out);
    }
    out
}

fn csv_cell(v: &str, out: &mut String) {
    // A leading `=`, `+`, `-` or `@` would run as a formula in a spreadsheet; log values are
    // attacker-controlled, so such cells are prefixed with `'` (OWASP CSV injection advice).
    let formula = v.starts_with(['=', '+', '-', '@']) && v != "-";
    if formula || v.contains([',', '"', '\n', '\r']) {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// Column titles of [`table_row`].
pub const TABLE_HEADER: [&str; 6] = ["LOCATION", "TIME", "SOURCE", "FIELD", "KIND", "INDICATOR"];

/// The cells of a human-readable table row; the caller pads columns to width.
pub fn table_row(hit: &Hit) -> [String; 6] {
    [
        format!("{}:{}", hit.file, hit.line),
        hit.timestamp.clone().unwrap_or_else(|| "-".into()),
        hit.source.clone().unwrap_or_else(|| "-".into()),
        hit.field.clone(),
        hit.kind.as_str().to_owned(),
        hit.indicator.clone(),
    ]
}

/// Pads rows into aligned columns separated by two spaces; control characters from the log are
/// shown escaped so a hostile line cannot drive the terminal.
pub fn render_table<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let clean = |s: &str| s.escape_default().to_string();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.as_ref().iter().map(|c| clean(c)).collect())
        .collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, (c, w)) in cells.zip(&widths).enumerate() {
            if i + 1 == widths.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<w$}  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for r in &rows {
        line(&mut r.iter().map(String::as_str));
    }
    out
}

/// Hits and distinct lines per indicator and per internal host, with first and last time seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub by_indicator: BTreeMap<(Kind, String), Tally>,
    pub by_source: BTreeMap<String, Tally>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub hits: u64,
    /// Timestamps as the logs wrote them; the smallest and largest by text order, which is time
    /// order for the epoch and ISO 8601 forms logs use.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

impl Tally {
    fn add(&mut self, ts: Option<&str>) {
        self.hits += 1;
        if let Some(ts) = ts {
            if self.first_seen.as_deref().is_none_or(|f| ts < f) {
                self.first_seen = Some(ts.to_owned());
            }
            if self.last_seen.as_deref().is_none_or(|l| ts > l) {
                self.last_seen = Some(ts.to_owned());
            }
        }
    }
}

impl Summary {
    pub fn add(&mut self, hit: &Hit) {
        let ts = hit.timestamp.as_deref();
        self.by_indicator
            .entry((hit.kind, hit.indicator.clone()))
            .or_default()
            .add(ts);
        let source = hit.source.clone().unwrap_or_else(|| "-".into());
        self.by_source.entry(source).or_default().add(ts);
    }

    pub fn from_hits<'a>(hits: impl IntoIterator<Item = &'a Hit>) -> Summary {
        let mut s = Summary::default();
        for h in hits {
            s.add(h);
        }
        s
    }

    /// Two tables: per indicator, then per internal host, busiest first.
    pub fn render(&self) -> String {
        let row = |name: String, t: &Tally| {
            vec![
                name,
                t.hits.to_string(),
                t.first_seen.clone().unwrap_or_else(|| "-".into()),
                t.last_seen.clone().unwrap_or_else(|| "-".into()),
            ]
        };
        let mut ind: Vec<_> = self.by_indicator.iter().collect();
        ind.sort_by(|a, b| b.1.hits.cmp(&a.1.hits).then(a.0.cmp(b.0)));
        let ind: Vec<Vec<String>> = ind
            .into_iter()
            .map(|((k, v), t)| row(format!("{k} {v}"), t))
            .collect();
        let mut src: Vec<_> = self.by_source.iter().collect();
        src.sort_by(|a, b| b.1.hits.cmp(&a.1.hits).then(a.0.cmp(b.0)));
        let src: Vec<Vec<String>> = src.into_iter().map(|(s, t)| row(s.clone(), t)).collect();
        let mut out = render_table(&["INDICATOR", "HITS", "FIRST", "LAST"], &ind);
        out.push('\n');
        out.push_str(&render_table(&["SOURCE", "HITS", "FIRST", "LAST"], &src));
        out
    }
}
