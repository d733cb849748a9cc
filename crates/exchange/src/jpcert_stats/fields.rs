//! The lexical layer of the JPCERT/CC files: lines, comma-separated fields, months and counts.
//! Everything here either reads a value exactly or says why it cannot.

use std::borrow::Cow;

use hikeshi_domain::period::Month;

use super::{NoteKind, RejectReason};

/// The lines of `text` with their 1-based numbers. `\r\n`, `\n` and a lone `\r` all end a
/// line, so files saved on Windows or classic Mac OS number their lines as an editor does.
pub(super) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = Some(text);
    let mut number = 0;
    std::iter::from_fn(move || {
        let current = rest?;
        number += 1;
        match current.find(['\r', '\n']) {
            Some(i) => {
                let after = &current[i + 1..];
                // The terminators are ASCII, so these byte offsets are character boundaries.
                let after = match (current.as_bytes()[i], after.strip_prefix('\n')) {
                    (b'\r', Some(crlf_rest)) => crlf_rest,
                    _ => after,
                };
                rest = (!after.is_empty()).then_some(after);
                Some((number, &current[..i]))
            }
            None => {
                rest = None;
                Some((number, current))
            }
        }
    })
}

/// Split one line into fields. Quoted fields follow RFC 4180 (`""` is a quote inside quotes),
/// so a correctly quoted `"1,101"` stays one field; an unquoted comma always separates fields.
/// A record never spans lines in these files, so an unclosed quote rejects the row.
pub(super) fn split(line: &str) -> Result<Vec<Cow<'_, str>>, RejectReason> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let lead = rest.trim_start_matches([' ', '\t']);
        if let Some(quoted) = lead.strip_prefix('"') {
            let (value, after) = unquote(quoted)?;
            fields.push(Cow::Owned(value));
            let after = after.trim_start_matches([' ', '\t']);
            if after.is_empty() {
                return Ok(fields);
            }
            rest = after
                .strip_prefix(',')
                .ok_or(RejectReason::TextAfterQuote)?;
        } else {
            match rest.split_once(',') {
                Some((field, after)) => {
                    fields.push(Cow::Borrowed(field));
                    rest = after;
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

/// The value of a quoted field whose opening quote is already consumed, and what follows the
/// closing quote.
fn unquote(s: &str) -> Result<(String, &str), RejectReason> {
    let mut value = String::new();
    let mut rest = s;
    loop {
        let i = rest.find('"').ok_or(RejectReason::UnterminatedQuote)?;
        value.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        match rest.strip_prefix('"') {
            Some(after) => {
                value.push('"');
                rest = after;
            }
            None => return Ok((value, rest)),
        }
    }
}

/// Spaces and tabs around a value are layout, not data (the real files have `1401 `); anything
/// else, including a no-break or full-width space, is left in and makes the value unreadable.
fn trim<'a>(column: &str, raw: &'a str, notes: &mut Vec<NoteKind>) -> &'a str {
    let t = raw.trim_matches([' ', '\t']);
    if t.len() != raw.len() {
        notes.push(NoteKind::Trimmed {
            column: column.to_owned(),
        });
    }
    t
}

/// A `YYYYMM` month: six ASCII digits, month 01–12.
pub(super) fn month(
    column: &str,
    raw: &str,
    notes: &mut Vec<NoteKind>,
) -> Result<Month, RejectReason> {
    let t = trim(column, raw, notes);
    let bad = || RejectReason::BadMonth {
        value: super::cut(raw),
    };
    if t.len() != 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i32 = t[..4].parse().map_err(|_| bad())?;
    let month: u8 = t[4..].parse().map_err(|_| bad())?;
    Month::new(year, month).map_err(|_| bad())
}

/// A count: `None` when empty (JPCERT/CC leaves a month blank before it counted a category),
/// else ASCII digits. Thousands separators are read only in correct groups of three, which can
/// only reach here from a quoted field; a sign, a decimal point or any other character rejects.
pub(super) fn count(
    column: &str,
    raw: &str,
    notes: &mut Vec<NoteKind>,
) -> Result<Option<u32>, RejectReason> {
    let t = trim(column, raw, notes);
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || RejectReason::BadNumber {
        column: column.to_owned(),
        value: super::cut(raw),
    };
    let digits: Cow<'_, str> = if t.contains(',') {
        let mut groups = t.split(',');
        let head = groups.next().unwrap_or_default();
        let grouped = (1..=3).contains(&head.len()) && groups.all(|g| g.len() == 3);
        if !grouped {
            return Err(bad());
        }
        notes.push(NoteKind::ThousandsSeparator {
            column: column.to_owned(),
        });
        Cow::Owned(t.replace(',', ""))
    } else {
        Cow::Borrowed(t)
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Only digits are left, so the one way to fail is overflow.
    digits
        .parse()
        .map(Some)
        .map_err(|_| RejectReason::TooLarge {
            column: column.to_owned(),
            value: super::cut(raw),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_ending_counts_as_one_line() {
        let got: Vec<_> = lines("a\r\nb\nc\rd\r\n\r\ne").collect();
        assert_eq!(
            got,
            [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, ""), (6, "e")]
        );
        assert_eq!(lines("a\n").collect::<Vec<_>>(), [(1, "a")]);
        assert_eq!(lines("").collect::<Vec<_>>(), [(1, "")]);
    }

    #[test]
    fn quoted_fields_keep_their_commas_and_unquoted_ones_do_not() {
        let f = |s| split(s).map(|v| v.into_iter().map(|c| c.into_owned()).collect::<Vec<_>>());
        assert_eq!(
            f("202404,\"1,101\",2"),
            Ok(vec!["202404".into(), "1,101".into(), "2".into()])
        );
        assert_eq!(
            f("202404,1,101,2"),
            Ok(vec!["202404".into(), "1".into(), "101".into(), "2".into()])
        );
        assert_eq!(f("a,\"x\"\"y\""), Ok(vec!["a".into(), "x\"y".into()]));
        assert_eq!(f("a,"), Ok(vec!["a".into(), "".into()]));
        assert_eq!(f("a,\"12"), Err(RejectReason::UnterminatedQuote));
        assert_eq!(f("a,\"12\"3"), Err(RejectReason::TextAfterQuote));
    }

    #[test]
    fn counts_are_read_exactly_or_refused() {
        let mut notes = vec![];
        let mut c = |s: &str| count("count", s, &mut notes).map_err(|e| e.to_string());
        assert_eq!(c("1401"), Ok(Some(1401)));
        assert_eq!(c("1401 "), Ok(Some(1401)));
        assert_eq!(c(""), Ok(None));
        assert_eq!(c("007"), Ok(Some(7)));
        assert_eq!(c("1,101"), Ok(Some(1101)));
        assert_eq!(c("4294967295"), Ok(Some(u32::MAX)));
        for bad in [
            "1,10", "1,1011", ",101", "-1", "+1", "1.0", "1 401", "１２", "12\u{a0}", "0x10",
        ] {
            assert!(c(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(c("4294967296").unwrap_err().contains("larger"));
        assert_eq!(notes.len(), 2, "one trim, one separator: {notes:?}");
    }

    #[test]
    fn months_are_six_digits_with_a_real_month() {
        let mut notes = vec![];
        let mut m = |s: &str| month("date", s, &mut notes).map(|m| m.to_string()).ok();
        assert_eq!(m("201504"), Some("2015-04".into()));
        assert_eq!(m(" 201504"), Some("2015-04".into()));
        for bad in [
            "201513",
            "201500",
            "2015-04",
            "20154",
            "2015040",
            "000001",
            "ＹＹＹＹＭＭ",
        ] {
            assert_eq!(m(bad), None, "{bad:?}");
        }
    }
}
