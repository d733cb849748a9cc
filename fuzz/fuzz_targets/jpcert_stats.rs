//! Fuzzes the JPCERT/CC statistics importer: whatever the text, it must not panic, every line
//! after the header must land in exactly one of clean, not counted or rejected, and a total must
//! account for every month of its period.
#![no_main]

use hikeshi_domain::period::Period;
use hikeshi_exchange::jpcert_stats::{Series, parse_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file name, so phishing's five-column header is reached too.
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let series = Series::PUBLISHED[usize::from(pick) % Series::PUBLISHED.len()];
    let name = series.file_name().unwrap_or("incident-reports.csv");
    let text = String::from_utf8_lossy(rest);
    let Ok(import) = parse_file(name, &text) else {
        return;
    };
    assert_eq!(import.series, series);

    let mut lines: Vec<usize> = import.rows.iter().map(|r| r.line).collect();
    lines.extend(import.not_counted.iter().map(|n| n.line));
    lines.extend(import.rejected.iter().map(|r| r.line));
    let total_lines = lines.len();
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), total_lines, "a line landed in two places");
    // Blank lines are skipped and the header is not a row, so at most all lines but one.
    let physical = text.split(['\n', '\r']).count().max(1);
    assert!(lines.last().is_none_or(|&l| l <= physical));
    assert!(
        import
            .rejected
            .iter()
            .all(|r| r.text.chars().count() <= 120)
    );

    let counts = import.counts();
    assert_eq!(counts.len(), import.rows.len(), "a month was counted twice");
    if let Some(first) = import.rows.first() {
        for kind in ["FY", "", "Q"] {
            let label = match kind {
                "FY" => format!("FY{}", first.month.fiscal_year()),
                "Q" => format!("{}Q{}", first.month.year(), first.month.quarter()),
                _ => first.month.year().to_string(),
            };
            let Ok(period) = label.parse::<Period>() else {
                continue;
            };
            let total = import.total(period);
            let months = period.months().len();
            assert_eq!(total.months_counted as usize + total.gaps.len(), months);
            let want: u64 = counts
                .range(period.first_month()..=period.last_month())
                .map(|(_, &c)| u64::from(c))
                .sum();
            assert_eq!(total.sum, want);
        }
    }
});
