//! JPCERT/CC's public monthly incident statistics
//! (<https://github.com/JPCERTCC/JPCERT-IR-Statistics>): one CSV per series, `date,count[,...]`
//! with the month as `YYYYMM`.
//!
//! A row is read exactly or not at all. A clean row gives its month and count as written; a row
//! that cannot be read exactly is rejected whole, with file, line and reason, and its month then
//! shows as a gap in every [`Total`] that covers it. Nothing is guessed: the real `phishing.csv`
//! has `202404,1685,1,101,293,291`, six fields under a five-column header, and although the
//! brand split makes `1,101` the likely culprit, no column of such a row can be trusted once one
//! has moved. Layout slips that lose no information are read and recorded as [`Note`]s: a byte
//! order mark, any line ending, blank lines, the header spelled `data`, spaces around a count.
//!
//! ```
//! use hikeshi_exchange::jpcert_stats::{parse_file, RejectReason, Series};
//!
//! let text = "date,count\r\n201504,2098\r\n201505,1609 \r\n\r\n201506,1,480\r\n";
//! let import = parse_file("incident-reports.csv", text).unwrap();
//! assert_eq!(import.series, Series::Reports);
//! assert_eq!(import.rows.len(), 2);
//! assert_eq!((import.rejected[0].line, &import.rejected[0].reason),
//!            (5, &RejectReason::FieldCount { expected: 2, found: 3 }));
//! let q = import.total("2015Q2".parse().unwrap());
//! assert_eq!((q.sum, q.months_counted, q.gaps.len()), (3707, 2, 1));
//! ```

mod fields;
mod series;
mod totals;

use std::collections::BTreeMap;
use std::fmt;

use hikeshi_domain::period::Month;
use serde::{Serialize, Serializer};

pub use series::Series;
pub use totals::{Gap, GapReason, NationalTotals, Total, national_totals};

/// A clean row: the month and its count exactly as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Row {
    pub line: usize,
    pub month: Month,
    pub count: u32,
}

/// A row whose count is empty: JPCERT/CC did not count the category that month yet (targeted
/// attacks before 2015-04, DoS before 2010-04). Not zero, and not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NotCounted {
    pub line: usize,
    pub month: Month,
}

/// A row that could not be read exactly, left out whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub file: String,
    pub line: usize,
    /// The month, when the first field is a readable one, so totals can name the gap.
    pub month: Option<Month>,
    #[serde(serialize_with = "as_display")]
    pub reason: RejectReason,
    /// The line as written, cut at 120 characters.
    pub text: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} in {:?}",
            self.file, self.line, self.reason, self.text
        )
    }
}

/// Why a row was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    #[error(
        "{found} fields where the header has {expected}; an unquoted thousands separator or \
         stray comma moves the columns, so none of them is trusted"
    )]
    FieldCount { expected: usize, found: usize },
    #[error("{value:?} is not a month written YYYYMM")]
    BadMonth { value: String },
    #[error("{column} {value:?} is not a whole number")]
    BadNumber { column: String, value: String },
    #[error("{column} {value:?} is larger than any monthly count")]
    TooLarge { column: String, value: String },
    #[error("the count is empty but {column} is not")]
    DetailWithoutCount { column: String },
    #[error("month {month} appears on lines {lines:?}; none of them is trusted over the others")]
    DuplicateMonth { month: Month, lines: Vec<usize> },
    #[error("a quoted field is not closed on its line")]
    UnterminatedQuote,
    #[error("text follows a closing quote before the next comma")]
    TextAfterQuote,
}

/// Something read correctly that was not written as the format says, kept so an import report
/// can show that nothing was silently changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub line: usize,
    #[serde(serialize_with = "as_display")]
    pub kind: NoteKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteKind {
    #[error("the header names the month column {found:?}; read as \"date\"")]
    HeaderSpelling { found: String },
    #[error("spaces around {column} ignored")]
    Trimmed { column: String },
    #[error("thousands separator in quoted {column} read")]
    ThousandsSeparator { column: String },
    #[error("byte order mark at the start of the file ignored")]
    ByteOrderMark,
}

/// A file that cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: not a JPCERT/CC statistics file name (expected one of {expected})")]
    UnknownFile { file: String, expected: String },
    #[error("{file}: no header line (expected `date,count`)")]
    Empty { file: String },
    #[error("{file}:{line}: header {found:?} is not `date,count[,…]`")]
    BadHeader {
        file: String,
        line: usize,
        found: String,
    },
    #[error("{first} and {second} both hold the {series} series")]
    DuplicateSeries {
        series: Series,
        first: String,
        second: String,
    },
}

/// One imported file: every non-blank line after the header is exactly one of `rows`,
/// `not_counted` or `rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Import {
    pub file: String,
    pub series: Series,
    /// The header's column names, trimmed and lower-cased.
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub not_counted: Vec<NotCounted>,
    pub rejected: Vec<Rejected>,
    pub notes: Vec<Note>,
}

/// Import a file whose series is known from its name (see [`Series::from_file_name`]).
pub fn parse_file(name: &str, text: &str) -> Result<Import, ImportError> {
    let series = Series::from_file_name(name).ok_or_else(|| ImportError::UnknownFile {
        file: name.to_owned(),
        expected: Series::PUBLISHED
            .iter()
            .filter_map(|s| s.file_name())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    parse_series(series, name, text)
}

/// Import `text` as `series`, naming it `name` in every rejection.
pub fn parse_series(series: Series, name: &str, text: &str) -> Result<Import, ImportError> {
    let mut notes = Vec::new();
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            notes.push(Note {
                line: 1,
                kind: NoteKind::ByteOrderMark,
            });
            rest
        }
        None => text,
    };
    let mut lines = fields::lines(text).filter(|(_, l)| !l.trim().is_empty());
    let (header_line, header) = lines.next().ok_or_else(|| ImportError::Empty {
        file: name.to_owned(),
    })?;
    let columns = read_header(name, header_line, header, &mut notes)?;
    let mut import = Import {
        file: name.to_owned(),
        series,
        columns,
        rows: Vec::new(),
        not_counted: Vec::new(),
        rejected: Vec::new(),
        notes,
    };
    // Rows are held back until every month is known, because a later duplicate also
    // disqualifies an earlier row.
    let mut read = Vec::new();
    for (line, text) in lines {
        let mut kinds = Vec::new();
        match read_row(&import.columns, text, &mut kinds) {
            Ok((month, count)) => read.push((line, text, month, count)),
            Err(reason) => import.rejected.push(rejection(name, line, text, reason)),
        }
        let kinds = kinds.into_iter().map(|kind| Note { line, kind });
        import.notes.extend(kinds);
    }
    // A rejected row with a readable month counts too: a bad and a good row for one month
    // leave it unknown which one JPCERT/CC meant.
    let readable = read.iter().map(|&(line, _, month, _)| (month, line));
    let rejected = import
        .rejected
        .iter()
        .filter_map(|r| r.month.map(|m| (m, r.line)));
    let duplicates = duplicate_months(readable.chain(rejected));
    for (line, text, month, count) in read {
        match (duplicates.get(&month), count) {
            (Some(lines), _) => {
                let reason = RejectReason::DuplicateMonth {
                    month,
                    lines: lines.clone(),
                };
                import.rejected.push(rejection(name, line, text, reason));
            }
            (None, Some(count)) => import.rows.push(Row { line, month, count }),
            (None, None) => import.not_counted.push(NotCounted { line, month }),
        }
    }
    import.rejected.sort_by_key(|r| r.line);
    Ok(import)
}

impl Import {
    /// The clean counts by month.
    pub fn counts(&self) -> BTreeMap<Month, u32> {
        self.rows.iter().map(|r| (r.month, r.count)).collect()
    }
}

/// The header: `date` (or the `data` the real files also use) then `count`, then any further
/// columns, whose number every row must then match.
fn read_header(
    file: &str,
    line: usize,
    text: &str,
    notes: &mut Vec<Note>,
) -> Result<Vec<String>, ImportError> {
    let bad = || ImportError::BadHeader {
        file: file.to_owned(),
        line,
        found: cut(text),
    };
    let columns: Vec<String> = fields::split(text)
        .map_err(|_| bad())?
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    match columns.as_slice() {
        [date, count, ..] if date == "date" && count == "count" => {}
        [data, count, ..] if data == "data" && count == "count" => notes.push(Note {
            line,
            kind: NoteKind::HeaderSpelling {
                found: data.clone(),
            },
        }),
        _ => return Err(bad()),
    }
    Ok(columns)
}

/// One data row: its month and its count (`None` when not counted yet). Every column after the
/// count must be empty or a count too, because a malformed neighbour means the layout of the
/// row is not what the header says.
fn read_row(
    columns: &[String],
    text: &str,
    notes: &mut Vec<NoteKind>,
) -> Result<(Month, Option<u32>), RejectReason> {
    let values = fields::split(text)?;
    if values.len() != columns.len() {
        return Err(RejectReason::FieldCount {
            expected: columns.len(),
            found: values.len(),
        });
    }
    let month = fields::month(&columns[0], &values[0], notes)?;
    let count = fields::count(&columns[1], &values[1], notes)?;
    for (column, value) in columns.iter().zip(&values).skip(2) {
        let detail = fields::count(column, value, notes)?;
        if count.is_none() && detail.is_some() {
            return Err(RejectReason::DetailWithoutCount {
                column: column.clone(),
            });
        }
    }
    Ok((month, count))
}

fn rejection(file: &str, line: usize, text: &str, reason: RejectReason) -> Rejected {
    // The month only labels the gap; it is read leniently from the first comma-separated field.
    let first = text.split(',').next().unwrap_or_default();
    let month = fields::month("date", first, &mut Vec::new()).ok();
    Rejected {
        file: file.to_owned(),
        line,
        month,
        reason,
        text: cut(text),
    }
}

/// Months on more than one line, with those lines. Two rows for one month contradict or
/// repeat each other; either way picking one would be a guess, so all of them are rejected.
fn duplicate_months(months: impl Iterator<Item = (Month, usize)>) -> BTreeMap<Month, Vec<usize>> {
    let mut lines: BTreeMap<Month, Vec<usize>> = BTreeMap::new();
    for (month, line) in months {
        lines.entry(month).or_default().push(line);
    }
    lines.retain(|_, l| l.len() > 1);
    lines.values_mut().for_each(|l| l.sort_unstable());
    lines
}

/// Enough of a line to recognise it, never a whole hostile input.
pub(crate) fn cut(text: &str) -> String {
    text.chars().take(120).collect()
}

fn as_display<T: fmt::Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}
