//! The output helpers: field names and escaping are part of the CLI contract.

use std::sync::Arc;

use hikeshi_ioc::Kind;
use hikeshi_sweep::Hit;
use hikeshi_sweep::output::{self, Summary};

fn hit(line: u64, source: &str, ts: &str, value: &str) -> Hit {
    Hit {
        file: Arc::from("logs/a,b.log"),
        line,
        offset: 10 * line,
        timestamp: Some(ts.to_owned()),
        source: Some(source.to_owned()),
        destination: None,
        field: "url".to_owned(),
        kind: Kind::Domain,
        indicator: "evil.com".to_owned(),
        value: value.to_owned(),
    }
}

#[test]
fn json_lines_carry_the_contract_fields() {
    let v: serde_json::Value =
        serde_json::from_str(&output::json_line(&hit(3, "10.0.0.1", "t1", "x.evil.com")))
            .expect("json");
    assert_eq!(v["file"], "logs/a,b.log");
    assert_eq!(v["line"], 3);
    assert_eq!(v["offset"], 30);
    assert_eq!(v["kind"], "domain");
    assert_eq!(v["indicator"], "evil.com");
    assert_eq!(v["field"], "url");
    assert_eq!(v["source"], "10.0.0.1");
    assert_eq!(v["destination"], serde_json::Value::Null);
}

#[test]
fn csv_quotes_separators_and_defuses_formulas() {
    let row = output::csv_row(&hit(1, "10.0.0.1", "t", "=HYPERLINK(\"x\")"));
    assert_eq!(
        row,
        "\"logs/a,b.log\",1,10,t,10.0.0.1,,url,domain,evil.com,\"'=HYPERLINK(\"\"x\"\")\""
    );
}

#[test]
fn tables_align_columns_and_escape_control_characters() {
    let rows = vec![
        output::table_row(&hit(12, "10.0.0.1", "t", "v")),
        output::table_row(&hit(7, "h\x1b[31m", "t", "v")),
    ];
    let table = output::render_table(&output::TABLE_HEADER, &rows);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("LOCATION"));
    assert!(!table.contains('\x1b'), "{table}");
    let col = lines[0].find("TIME").expect("TIME");
    assert!(
        lines.iter().skip(1).all(|l| l[col..].starts_with('t')),
        "{table}"
    );
}

#[test]
fn the_summary_counts_per_indicator_and_per_host_with_first_and_last_seen() {
    let hits = [
        hit(1, "10.0.0.1", "1700000002", "v"),
        hit(2, "10.0.0.2", "1700000001", "v"),
        hit(3, "10.0.0.1", "1700000003", "v"),
    ];
    let s = Summary::from_hits(&hits);
    let t = &s.by_indicator[&(Kind::Domain, "evil.com".to_owned())];
    assert_eq!(
        (t.hits, t.first_seen.as_deref(), t.last_seen.as_deref()),
        (3, Some("1700000001"), Some("1700000003"))
    );
    assert_eq!(s.by_source["10.0.0.1"].hits, 2);
    assert_eq!(s.by_source["10.0.0.2"].hits, 1);
    let text = s.render();
    assert!(text.contains("domain evil.com  3"), "{text}");
}
