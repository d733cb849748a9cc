//! The importer against flaws the real files do not have yet but a re-export, an editor or a
//! spreadsheet easily adds: every one is either read exactly or rejected with line and reason.

use hikeshi_domain::Category;
use hikeshi_exchange::jpcert_stats::{
    Import, ImportError, NoteKind, RejectReason, Series, parse_file, parse_series,
};

fn reports(text: &str) -> Import {
    parse_file("incident-reports.csv", text).unwrap_or_else(|e| panic!("{e}"))
}

fn clean(import: &Import) -> Vec<(usize, String, u32)> {
    let rows = import.rows.iter();
    rows.map(|r| (r.line, r.month.to_string(), r.count))
        .collect()
}

fn rejected(import: &Import) -> Vec<(usize, RejectReason)> {
    let rows = import.rejected.iter();
    rows.map(|r| (r.line, r.reason.clone())).collect()
}

#[test]
fn bom_crlf_and_blank_lines_keep_editor_line_numbers() {
    let import = reports("\u{feff}date,count\r\n\r\n201504,2098\r\n   \r\n201505,1609\r\n");
    assert_eq!(
        clean(&import),
        [(3, "2015-04".into(), 2098), (5, "2015-05".into(), 1609)]
    );
    assert_eq!(import.notes[0].kind, NoteKind::ByteOrderMark);
    let old_mac = reports("date,count\r201504,2098\r201505,1609");
    assert_eq!(
        clean(&old_mac),
        [(2, "2015-04".into(), 2098), (3, "2015-05".into(), 1609)]
    );
}

#[test]
fn each_malformed_row_is_rejected_with_its_reason_and_the_rest_are_read() {
    let text = "date,count\n\
                201504,2098\n\
                201505,1,609\n\
                201506,\n\
                201507,-3\n\
                201508,12.0\n\
                201509,4294967296\n\
                2015-10,7\n\
                201513,7\n\
                201511,\"12\n\
                201512,\"12\"3\n\
                201601,\"1,176\"\n\
                201602,１４０５\n\
                201603,2006,\n";
    let import = reports(text);
    let bad = |column: &str, value: &str| RejectReason::BadNumber {
        column: column.into(),
        value: value.into(),
    };
    let field_count = RejectReason::FieldCount {
        expected: 2,
        found: 3,
    };
    let too_large = RejectReason::TooLarge {
        column: "count".into(),
        value: "4294967296".into(),
    };
    let month = |value: &str| RejectReason::BadMonth {
        value: value.into(),
    };
    #[rustfmt::skip]
    let want = [
        (3, field_count.clone()),
        (5, bad("count", "-3")),
        (6, bad("count", "12.0")),
        (7, too_large),
        (8, month("2015-10")),
        (9, month("201513")),
        (10, RejectReason::UnterminatedQuote),
        (11, RejectReason::TextAfterQuote),
        (13, bad("count", "１４０５")),
        (14, field_count),
    ];
    assert_eq!(rejected(&import), want);
    // A correctly quoted thousands separator is unambiguous, so it is read (and noted).
    assert_eq!(
        clean(&import),
        [(2, "2015-04".into(), 2098), (12, "2016-01".into(), 1176)]
    );
    assert!(import.notes.iter().any(|n| n.line == 12
        && n.kind
            == NoteKind::ThousandsSeparator {
                column: "count".into()
            }));
    assert_eq!(import.not_counted.len(), 1);
    assert_eq!(import.not_counted[0].line, 4);
    // Gaps name the rejected line when the month was readable.
    let total = import.total("2015Q2".parse().unwrap());
    let gaps: Vec<String> = total
        .gaps
        .iter()
        .map(|g| format!("{} {:?}", g.month, g.reason))
        .collect();
    assert_eq!(
        gaps,
        [
            "2015-05 Rejected { line: 3 }",
            "2015-06 NotCounted { line: 4 }"
        ]
    );
}

#[test]
fn a_month_written_twice_is_trusted_on_neither_line() {
    let import = reports("date,count\n201504,10\n201505,20\n201504,10\n201506,\n201506,\n");
    let dup = |month: &str, lines: &[usize]| RejectReason::DuplicateMonth {
        month: month.parse().unwrap(),
        lines: lines.to_vec(),
    };
    assert_eq!(
        rejected(&import),
        [
            (2, dup("2015-04", &[2, 4])),
            (4, dup("2015-04", &[2, 4])),
            (5, dup("2015-06", &[5, 6])),
            (6, dup("2015-06", &[5, 6])),
        ]
    );
    assert_eq!(clean(&import), [(3, "2015-05".into(), 20)]);
    assert!(import.not_counted.is_empty());
    // A malformed row for a month also makes a clean row for that month untrustworthy.
    let mixed = reports("date,count\n201504,1,0\n201504,5\n201505,7\n");
    let bad_then_good = [
        (
            2,
            RejectReason::FieldCount {
                expected: 2,
                found: 3,
            },
        ),
        (3, dup("2015-04", &[2, 3])),
    ];
    assert_eq!(rejected(&mixed), bad_then_good);
    assert_eq!(clean(&mixed), [(4, "2015-05".into(), 7)]);
}

#[test]
fn detail_columns_must_be_counts_and_need_a_count() {
    let phishing = Series::Category(Category::Phishing);
    let header = "date,count,domestic brands,overseas brands,unknown brands\n";
    let text =
        format!("{header}200404,3,,,\n200701,48,0,40,8\n200702,,1,26,75\n200703,58,6,x,23\n");
    let import = parse_series(phishing, "phishing.csv", &text).unwrap();
    assert_eq!(
        clean(&import),
        [(2, "2004-04".into(), 3), (3, "2007-01".into(), 48)]
    );
    assert_eq!(
        rejected(&import),
        [
            (
                4,
                RejectReason::DetailWithoutCount {
                    column: "domestic brands".into()
                }
            ),
            (
                5,
                RejectReason::BadNumber {
                    column: "overseas brands".into(),
                    value: "x".into()
                }
            ),
        ]
    );
}

#[test]
fn a_file_that_is_not_one_of_the_series_is_refused_whole() {
    let unknown = parse_file("incidents.csv", "date,count\n").unwrap_err();
    assert!(matches!(unknown, ImportError::UnknownFile { .. }));
    assert!(unknown.to_string().contains("apt.csv"), "{unknown}");
    let empty = parse_file("apt.csv", "\u{feff}\r\n \n").unwrap_err();
    assert_eq!(
        empty,
        ImportError::Empty {
            file: "apt.csv".into()
        }
    );
    let headless = parse_file("apt.csv", "\n201504,12\n201505,21\n").unwrap_err();
    assert_eq!(
        headless,
        ImportError::BadHeader {
            file: "apt.csv".into(),
            line: 2,
            found: "201504,12".into()
        }
    );
    assert_eq!(
        headless.to_string(),
        "apt.csv:2: header \"201504,12\" is not `date,count[,…]`"
    );
    assert!(parse_file("apt.csv", "month,count\n").is_err());
    assert!(parse_file("apt.csv", "date\n").is_err());
}

#[test]
fn series_are_named_by_file_name_whatever_the_directory_or_case() {
    let targeted = Some(Series::Category(Category::Targeted));
    assert_eq!(Series::from_file_name("data/2025/APT.CSV"), targeted);
    assert_eq!(Series::from_file_name("C:\\stats\\apt.csv"), targeted);
    assert_eq!(Series::from_file_name("apt"), targeted);
    assert_eq!(Series::from_file_name("apt.csv.bak"), None);
    assert_eq!(
        Series::from_file_name("web-defacement.csv"),
        Some(Series::Category(Category::Defacement))
    );
    for series in Series::PUBLISHED {
        assert_eq!(Series::from_key(series.key()), Some(series));
        let file = series.file_name().unwrap();
        assert_eq!(Series::from_file_name(file), Some(series));
    }
    assert_eq!(Series::Category(Category::Ics).file_name(), None);
    assert_eq!(
        Series::from_key("malware"),
        None,
        "the key is the category name, malware-site"
    );
}

#[test]
fn every_line_after_the_header_lands_in_exactly_one_place() {
    let text = "data,count\n200404,1\n\n200405,\n200406,x\n200404,2\nrubbish\n200407,3 \n";
    let import = reports(text);
    let mut lines: Vec<usize> = import.rows.iter().map(|r| r.line).collect();
    lines.extend(import.not_counted.iter().map(|n| n.line));
    lines.extend(import.rejected.iter().map(|r| r.line));
    lines.sort_unstable();
    assert_eq!(lines, [2, 4, 5, 6, 7, 8]);
    let rubbish = import.rejected.iter().find(|r| r.line == 7).unwrap();
    assert_eq!(
        rubbish.reason,
        RejectReason::FieldCount {
            expected: 2,
            found: 1
        }
    );
    assert_eq!(rubbish.month, None);
}
