//! Golden tests of the JPCERT/CC statistics importer against the real public files in
//! `tests/data/jpcert/` (copied unmodified from JPCERTCC/JPCERT-IR-Statistics commit f46812a, see
//! the README there), flaws included.
//!
//! The expected numbers were not produced by this importer. They were computed once with awk,
//! which splits on every comma and drops spaces, skipping the one row whose field count differs
//! from its header's (the rule the importer must follow):
//!
//! ```sh
//! awk -F, 'NR==1{nf=NF;next} NF!=nf{next} {c=$2; gsub(/ /,"",c); if(c=="")next;
//!   m=$1; y=substr(m,1,4)+0; mo=substr(m,5,2)+0; fy=(mo>=4)?y:y-1; s[fy]+=c; n[fy]++}
//!   END{print s[2015], n[2015]}' incident-reports.csv
//! ```
//!
//! and the same with the condition changed for calendar years, quarters and single months. The
//! FY2015 report count, 17,342, is also the figure JPCERT/CC published for that year.

use hikeshi_domain::Category;
use hikeshi_domain::period::{Month, Period};
use hikeshi_exchange::jpcert_stats::{
    Gap, GapReason, Import, ImportError, NoteKind, RejectReason, Series, national_totals,
    parse_file,
};

const FILES: [(&str, &str); 9] = [
    (
        "incident-reports.csv",
        include_str!("data/jpcert/incident-reports.csv"),
    ),
    (
        "incident-cases-coordinated.csv",
        include_str!("data/jpcert/incident-cases-coordinated.csv"),
    ),
    ("phishing.csv", include_str!("data/jpcert/phishing.csv")),
    (
        "web-defacement.csv",
        include_str!("data/jpcert/web-defacement.csv"),
    ),
    ("malware.csv", include_str!("data/jpcert/malware.csv")),
    ("scan.csv", include_str!("data/jpcert/scan.csv")),
    ("dos.csv", include_str!("data/jpcert/dos.csv")),
    ("apt.csv", include_str!("data/jpcert/apt.csv")),
    ("other.csv", include_str!("data/jpcert/other.csv")),
];

fn all() -> Vec<Import> {
    FILES
        .iter()
        .map(|(name, text)| parse_file(name, text).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn import(key: &str) -> Import {
    let series = Series::from_key(key).unwrap();
    all().into_iter().find(|i| i.series == series).unwrap()
}

fn period(s: &str) -> Period {
    s.parse().unwrap()
}

fn month(s: &str) -> Month {
    s.parse().unwrap()
}

/// The sums of every series over `p`, in the order of `Series::PUBLISHED`.
fn sums(p: &str) -> Vec<(&'static str, Option<u64>)> {
    let totals = national_totals(&all(), period(p)).unwrap();
    totals
        .totals
        .iter()
        .map(|t| (t.series.key(), t.value()))
        .collect()
}

/// file, series, clean rows, months not counted yet, rejected lines, first clean row (line, month)
type Expected = (
    &'static str,
    Series,
    usize,
    usize,
    &'static [usize],
    (usize, &'static str),
);

#[test]
fn every_real_file_is_identified_and_every_line_is_accounted_for() {
    // Each file has 255 data lines, 2004-04 to 2025-06.
    #[rustfmt::skip]
    let table: [Expected; 9] = [
        ("incident-reports.csv", Series::Reports, 255, 0, &[], (2, "2004-04")),
        ("incident-cases-coordinated.csv", Series::Coordinated, 255, 0, &[], (2, "2004-04")),
        ("phishing.csv", Series::Category(Category::Phishing), 254, 0, &[242], (2, "2004-04")),
        ("web-defacement.csv", Series::Category(Category::Defacement), 255, 0, &[], (2, "2004-04")),
        ("malware.csv", Series::Category(Category::MalwareSite), 255, 0, &[], (2, "2004-04")),
        ("scan.csv", Series::Category(Category::Scan), 255, 0, &[], (2, "2004-04")),
        ("dos.csv", Series::Category(Category::Dos), 183, 72, &[], (74, "2010-04")),
        ("apt.csv", Series::Category(Category::Targeted), 123, 132, &[], (134, "2015-04")),
        ("other.csv", Series::Category(Category::Other), 255, 0, &[], (2, "2004-04")),
    ];
    for ((name, series, clean, blank, rejected, first), got) in table.into_iter().zip(all()) {
        assert_eq!((got.file.as_str(), got.series), (name, series));
        let lines: Vec<usize> = got.rejected.iter().map(|r| r.line).collect();
        let shape = (got.rows.len(), got.not_counted.len(), lines.as_slice());
        assert_eq!(shape, (clean, blank, rejected), "{name}");
        assert_eq!(
            got.rows.first().map(|r| (r.line, r.month)),
            Some((first.0, month(first.1)))
        );
        let last = got.rows.last().map(|r| (r.line, r.month));
        assert_eq!(last, Some((256, month("2025-06"))), "{name}");
    }
}

#[test]
fn the_one_malformed_row_is_rejected_whole_with_file_line_and_reason() {
    let rejected: Vec<_> = all().into_iter().flat_map(|i| i.rejected).collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    let r = &rejected[0];
    assert_eq!(
        (r.file.as_str(), r.line, r.month),
        ("phishing.csv", 242, Some(month("2024-04")))
    );
    assert_eq!(
        r.reason,
        RejectReason::FieldCount {
            expected: 5,
            found: 6
        }
    );
    assert_eq!(r.text, "202404,1685,1,101,293,291");
    assert_eq!(
        r.to_string(),
        "phishing.csv:242: 6 fields where the header has 5; an unquoted thousands separator or \
         stray comma moves the columns, so none of them is trusted in \"202404,1685,1,101,293,291\""
    );
    // Neither the count 1685 nor a shifted 1 is taken for April 2024.
    let phishing = import("phishing");
    assert!(!phishing.counts().contains_key(&month("2024-04")));
    assert_eq!(phishing.counts().get(&month("2024-05")), Some(&1733));
}

#[test]
fn counts_with_trailing_spaces_are_read_exactly_and_noted() {
    let coordinated = import("coordinated");
    let counts = coordinated.counts();
    assert_eq!(
        [month("2023-01"), month("2023-02"), month("2023-03")].map(|m| counts[&m]),
        [1401, 1241, 1684]
    );
    let trimmed: Vec<(usize, &NoteKind)> = coordinated
        .notes
        .iter()
        .map(|n| (n.line, &n.kind))
        .collect();
    let count = NoteKind::Trimmed {
        column: "count".into(),
    };
    assert_eq!(trimmed, [(227, &count), (228, &count), (229, &count)]);
}

#[test]
fn the_data_header_is_read_as_date_and_noted() {
    for (key, typo) in [
        ("reports", false),
        ("coordinated", false),
        ("phishing", false),
        ("defacement", true),
        ("malware-site", false),
        ("scan", true),
        ("dos", false),
        ("targeted", false),
        ("other", true),
    ] {
        let notes = import(key).notes;
        let header_note = notes.iter().any(|n| {
            n.line == 1
                && n.kind
                    == NoteKind::HeaderSpelling {
                        found: "data".into(),
                    }
        });
        assert_eq!(header_note, typo, "{key}: {notes:?}");
    }
}

#[test]
fn fiscal_year_2015_totals_match_the_independent_computation() {
    #[rustfmt::skip]
    let want = [
        ("reports", Some(17342)), ("coordinated", Some(9659)), ("phishing", Some(2132)),
        ("defacement", Some(3335)), ("malware-site", Some(500)), ("scan", Some(7607)),
        ("dos", Some(189)), ("targeted", Some(137)), ("other", Some(1321)),
    ];
    assert_eq!(sums("FY2015"), want);
    assert!(
        national_totals(&all(), period("FY2015"))
            .unwrap()
            .totals
            .iter()
            .all(|t| t.complete())
    );
}

#[test]
fn calendar_year_quarter_month_and_fiscal_quarter_totals() {
    let s = |xs: [u64; 9]| -> Vec<Option<u64>> { xs.into_iter().map(Some).collect() };
    let values = |p: &str| sums(p).into_iter().map(|(_, v)| v).collect::<Vec<_>>();
    // reports, coordinated, phishing, defacement, malware-site, scan, dos, targeted, other
    assert_eq!(
        values("2015"),
        s([19624, 9792, 1953, 2859, 660, 8933, 135, 131, 1898])
    );
    assert_eq!(
        values("2015Q2"),
        s([5187, 2593, 491, 649, 197, 2442, 71, 60, 274])
    );
    assert_eq!(
        values("2015-04"),
        s([2098, 1069, 191, 209, 56, 976, 61, 12, 116])
    );
    assert_eq!(
        values("FY2015Q4"),
        s([4587, 2955, 645, 1268, 100, 1654, 86, 6, 373])
    );
    assert_eq!(import("coordinated").total(period("FY2022")).sum, 24419);
}

#[test]
fn a_total_over_a_rejected_month_is_partial_and_says_which_line() {
    let fy2024 = import("phishing").total(period("FY2024"));
    assert_eq!(
        (fy2024.sum, fy2024.months_counted, fy2024.complete()),
        (17621, 11, false)
    );
    assert_eq!(
        fy2024.gaps,
        [Gap {
            month: month("2024-04"),
            reason: GapReason::Rejected { line: 242 }
        }]
    );
    assert_eq!(import("reports").total(period("FY2024")).sum, 46038);
}

#[test]
fn months_not_counted_yet_are_gaps_not_zeros() {
    // Targeted attacks were first counted in April 2015: FY2014 has no value at all, and
    // calendar 2015 lacks January to March.
    let targeted = import("targeted");
    let fy2014 = targeted.total(period("FY2014"));
    assert_eq!((fy2014.value(), fy2014.gaps.len()), (None, 12));
    assert_eq!(
        fy2014.gaps[0],
        Gap {
            month: month("2014-04"),
            reason: GapReason::NotCounted { line: 122 }
        }
    );
    let cy2015 = targeted.total(period("2015"));
    assert_eq!((cy2015.value(), cy2015.months_counted), (Some(131), 9));
    let gap_months: Vec<String> = cy2015.gaps.iter().map(|g| g.month.to_string()).collect();
    assert_eq!(gap_months, ["2015-01", "2015-02", "2015-03"]);
    assert_eq!(import("dos").total(period("FY2009")).value(), None);
    // awk -F, '$1>=201004 && $1<=201103 {s+=$2} END {print s}' dos.csv
    assert_eq!(import("dos").total(period("FY2010")).value(), Some(14));
}

#[test]
fn months_after_the_last_row_are_absent() {
    // The files end at 2025-06: FY2025 has three months.
    #[rustfmt::skip]
    let want = [
        ("reports", Some(14558)), ("coordinated", Some(3544)), ("phishing", Some(7356)),
        ("defacement", Some(231)), ("malware-site", Some(28)), ("scan", Some(240)),
        ("dos", Some(2)), ("targeted", Some(5)), ("other", Some(484)),
    ];
    assert_eq!(sums("FY2025"), want);
    let total = import("reports").total(period("FY2025"));
    assert_eq!(total.months_counted, 3);
    assert_eq!(
        total.gaps.first(),
        Some(&Gap {
            month: month("2025-07"),
            reason: GapReason::Absent
        })
    );
    assert_eq!(total.gaps.len(), 9);
    assert_eq!(import("reports").total(period("2003")).value(), None);
}

#[test]
fn national_totals_print_as_the_documented_json() {
    let fy2015 = serde_json::to_value(national_totals(&all(), period("FY2015")).unwrap()).unwrap();
    assert_eq!(
        fy2015,
        serde_json::json!({
            "period": "FY2015", "label_en": "FY2015", "label_ja": "2015年度",
            "first_month": "2015-04", "last_month": "2016-03",
            "totals": {"reports": 17342, "coordinated": 9659, "phishing": 2132, "defacement": 3335,
                       "malware-site": 500, "scan": 7607, "dos": 189, "targeted": 137, "other": 1321},
            "gaps": {}
        })
    );
    let fy2024 = serde_json::to_value(national_totals(&all(), period("FY2024")).unwrap()).unwrap();
    assert_eq!(fy2024["totals"]["phishing"], 17621);
    assert_eq!(
        fy2024["gaps"],
        serde_json::json!({"phishing": [{"month": "2024-04", "reason": "rejected", "line": 242}]})
    );
    let fy2014 = serde_json::to_value(national_totals(&all(), period("FY2014")).unwrap()).unwrap();
    assert_eq!(fy2014["totals"]["targeted"], serde_json::Value::Null);
    assert_eq!(
        fy2014["gaps"]["targeted"][0],
        serde_json::json!({"month": "2014-04", "reason": "not-counted", "line": 122})
    );
}

#[test]
fn national_totals_print_as_csv_with_gap_months() {
    let fy2024 = national_totals(&all(), period("FY2024")).unwrap().to_csv();
    let lines: Vec<&str> = fy2024.lines().collect();
    assert_eq!(lines[0], "series,total,months_counted,gaps");
    assert_eq!(lines[1], "reports,46038,12,");
    assert_eq!(lines[3], "phishing,17621,11,2024-04");
    assert_eq!(lines.len(), 10);
    let fy2014 = national_totals(&all(), period("FY2014")).unwrap().to_csv();
    let targeted = fy2014.lines().find(|l| l.starts_with("targeted,")).unwrap();
    assert!(
        targeted.starts_with("targeted,,0,2014-04 2014-05 "),
        "{targeted}"
    );
    assert!(targeted.ends_with(" 2015-03"), "{targeted}");
}

#[test]
fn the_same_series_twice_is_refused() {
    let mut imports = all();
    imports.push(parse_file("other/incident-reports.csv", "date,count\n201504,1\n").unwrap());
    let err = national_totals(&imports, period("FY2015")).unwrap_err();
    assert_eq!(
        err,
        ImportError::DuplicateSeries {
            series: Series::Reports,
            first: "incident-reports.csv".into(),
            second: "other/incident-reports.csv".into()
        }
    );
}
