//! osquery results: `osqueryi --json` output (a JSON array of rows) or scheduled-query result
//! logs (one JSON object per line, rows under `columns`), from the `deb_packages`,
//! `rpm_packages` and `programs` tables.
//!
//! The table is recognised from the row: a `release` column means `rpm_packages` (version is
//! then `[epoch:]version-release`); otherwise the row's `version` is used as is, under the
//! caller's platform (Debian for `deb_packages`, upstream for Windows `programs`).

use serde_json::Value;

use super::package;
use crate::ecosystem::Platform;
use crate::error::{Parsed, RecordError};
use crate::matching::Package;

pub fn parse_osquery(file: &str, bytes: &[u8], platform: &Platform) -> Parsed<Package> {
    let rows: Vec<(String, Value)> = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("row {i}"), v))
            .collect(),
        Ok(other) => vec![("row 0".to_owned(), other)],
        // Not one JSON document: result logs are JSON lines.
        Err(_) => {
            let mut rows = Vec::new();
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match serde_json::from_slice::<Value>(line) {
                    Ok(v) => rows.push((format!("line {}", i + 1), v)),
                    Err(e) => rows.push((
                        format!("line {}", i + 1),
                        Value::String(format!("not JSON: {e}")),
                    )),
                }
            }
            rows
        }
    };
    let mut out = Parsed::default();
    for (at, row) in rows {
        match read_row(&row, platform) {
            Ok(p) => out.records.push(p),
            Err(reason) => out.errors.push(RecordError::new(file, at, reason)),
        }
    }
    out
}

fn read_row(row: &Value, platform: &Platform) -> Result<Package, String> {
    if let Value::String(why) = row {
        return Err(why.clone());
    }
    let row = row.get("columns").unwrap_or(row);
    let field = |k: &str| row.get(k).and_then(Value::as_str).unwrap_or("").trim();
    if !row.is_object() {
        return Err("a row must be a JSON object".to_owned());
    }
    let version = if row.get("release").is_some() {
        let (v, r, e) = (field("version"), field("release"), field("epoch"));
        match (e.is_empty() || e == "0", r.is_empty()) {
            (true, true) => v.to_owned(),
            (true, false) => format!("{v}-{r}"),
            (false, true) => format!("{e}:{v}"),
            (false, false) => format!("{e}:{v}-{r}"),
        }
    } else {
        field("version").to_owned()
    };
    package(field("name"), &version, platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osqueryi_json_and_result_logs_are_both_read() {
        let rhel = Platform::from_os_label("rhel-6");
        let text = br#"[{"name": "openssl", "version": "1.0.1e", "release": "16.el6_5", "epoch": "", "arch": "x86_64"},
                        {"name": "", "version": "1"}]"#;
        let parsed = parse_osquery("q.json", text, &rhel);
        assert_eq!(parsed.records[0].version, "1.0.1e-16.el6_5");
        assert_eq!(parsed.errors[0].record, "row 1");
        let log = b"{\"name\":\"pack_deb\",\"hostIdentifier\":\"www01\",\"columns\":{\"name\":\"openssl\",\"version\":\"1.0.1e-2+deb7u4\"}}\n{oops\n";
        let parsed = parse_osquery("r.log", log, &Platform::from_os_label("debian-7"));
        assert_eq!(parsed.records[0].version, "1.0.1e-2+deb7u4");
        assert_eq!(parsed.errors[0].record, "line 2");
    }
}
