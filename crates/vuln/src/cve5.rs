//! CVE JSON 5 records (the CVE List's `CVE_RECORD` format, 5.0 and 5.1).
//!
//! The CNA's `affected` entries name products by vendor and product, rarely by package, so
//! each becomes a product-name statement ([`CpeMatch`] with `a:vendor:product`) carrying the
//! record's version bounds: `version` + `lessThan` → [version, lessThan), `lessThanOrEqual` →
//! [version, lessThanOrEqual], no bound → exactly `version`. Matches from these are
//! [`Confidence::ProductNameOnly`](crate::Confidence::ProductNameOnly). `unaffected` entries
//! and `git` version types are not turned into statements (an exclusion list cannot be
//! expressed as a CPE range without guessing); `cpes` strings are used as given.

use serde_json::Value;

use crate::advisory::Advisory;
use crate::cpe::{Cpe, CpeMatch};
use crate::cvss;
use crate::error::{Parsed, RecordError};

/// Parses one CVE JSON 5 record, or a JSON array of them.
pub fn parse_cve5(file: &str, bytes: &[u8]) -> Parsed<Advisory> {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Parsed::fail(file, "file", format!("not JSON: {e}")),
    };
    let items = match value {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut out = Parsed::default();
    for (i, item) in items.iter().enumerate() {
        let id = item.pointer("/cveMetadata/cveId").and_then(Value::as_str);
        let label = id.map_or_else(|| format!("record {i}"), |id| format!("record {i} ({id})"));
        match convert(item) {
            Ok(a) => out.records.push(a),
            Err(reason) => out.errors.push(RecordError::new(file, label, reason)),
        }
    }
    out
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Turns a free-text vendor or product name into a CPE-style field (`Apache HTTP Server` →
/// `apache_http_server`), so it meets inventory package names the same way CPE products do.
fn cpe_field(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
}

fn convert(item: &Value) -> Result<Advisory, String> {
    if item.get("dataType").and_then(Value::as_str) != Some("CVE_RECORD") {
        return Err("dataType is not CVE_RECORD".to_owned());
    }
    let id = text(item, "/cveMetadata/cveId").ok_or("no cveMetadata.cveId")?;
    if !id.starts_with("CVE-") {
        return Err(format!("cveId {id:?} does not start with CVE-"));
    }
    match text(item, "/cveMetadata/state").as_deref() {
        Some("PUBLISHED") => {}
        Some("REJECTED") => return Err("rejected".to_owned()),
        other => return Err(format!("unknown state {other:?}")),
    }
    let cna = item.pointer("/containers/cna").ok_or("no containers.cna")?;
    let summary = cna
        .get("descriptions")
        .and_then(Value::as_array)
        .and_then(|d| {
            d.iter()
                .find(|x| {
                    x.get("lang")
                        .and_then(Value::as_str)
                        .is_some_and(|l| l.starts_with("en"))
                })
                .or(d.first())
        })
        .and_then(|d| d.get("value"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();

    let mut severity = Vec::new();
    let adp = item
        .pointer("/containers/adp")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for container in std::iter::once(cna).chain(adp.iter()) {
        for m in container
            .get("metrics")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for key in ["cvssV4_0", "cvssV3_1", "cvssV3_0"] {
                if let Some(vector) = m
                    .get(key)
                    .and_then(|c| c.get("vectorString"))
                    .and_then(Value::as_str)
                {
                    severity.push(cvss::parse_vector(vector).map_err(|e| e.to_string())?);
                }
            }
        }
    }

    let mut affected = Vec::new();
    for (ai, a) in cna
        .get("affected")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let vendor = a
            .get("vendor")
            .and_then(Value::as_str)
            .map(cpe_field)
            .unwrap_or_else(|| "*".to_owned());
        let product = a
            .get("product")
            .and_then(Value::as_str)
            .or_else(|| a.get("packageName").and_then(Value::as_str));
        let mut cpes = Vec::new();
        for c in a
            .get("cpes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            cpes.push(CpeMatch::new(
                Cpe::parse(c).map_err(|e| format!("affected[{ai}]: {e}"))?,
            ));
        }
        if let Some(product) = product.map(cpe_field).filter(|p| !p.is_empty()) {
            let base = Cpe {
                part: "a".into(),
                vendor: vendor.clone(),
                product,
                version: "*".into(),
                update: "*".into(),
            };
            for (vi, v) in a
                .get("versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let at = format!("affected[{ai}].versions[{vi}]");
                if v.get("status").and_then(Value::as_str) != Some("affected") {
                    continue;
                }
                if v.get("versionType").and_then(Value::as_str) == Some("git") {
                    continue;
                }
                let version = v
                    .get("version")
                    .and_then(Value::as_str)
                    .ok_or(format!("{at}: no version"))?;
                let less = v.get("lessThan").and_then(Value::as_str);
                let less_eq = v.get("lessThanOrEqual").and_then(Value::as_str);
                let open_start = matches!(version, "0" | "*" | "");
                let mut m = CpeMatch::new(base.clone());
                match (less, less_eq) {
                    (None, None) => m.criteria.version = version.to_owned(),
                    (lt, le) => {
                        // `lessThan: "*"` means every later version too.
                        m.end_excluding = lt.filter(|x| *x != "*").map(str::to_owned);
                        m.end_including = le.filter(|x| *x != "*").map(str::to_owned);
                        if !open_start {
                            m.start_including = Some(version.to_owned());
                        }
                    }
                }
                crate::prepared::PreparedCpe::new(&m).map_err(|e| format!("{at}: {e}"))?;
                cpes.push(m);
            }
        }
        affected.push(crate::advisory::Affected {
            package: None,
            ranges: Vec::new(),
            versions: Vec::new(),
            cpes,
        });
    }
    Ok(Advisory {
        id,
        aliases: Vec::new(),
        summary,
        published: text(item, "/cveMetadata/datePublished"),
        modified: text(item, "/cveMetadata/dateUpdated"),
        severity,
        affected,
        references: cna
            .get("references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("url").and_then(Value::as_str).map(str::to_owned))
            .collect(),
        remediations: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Confidence, Ecosystem, Package, match_package};

    const RECORD: &str = r#"{"dataType": "CVE_RECORD", "dataVersion": "5.1",
      "cveMetadata": {"cveId": "CVE-2014-0160", "state": "PUBLISHED"},
      "containers": {"cna": {
        "descriptions": [{"lang": "en", "value": "Heartbleed"}],
        "affected": [{"vendor": "OpenSSL", "product": "OpenSSL",
          "versions": [{"version": "1.0.1", "status": "affected", "lessThan": "1.0.1g", "versionType": "custom"}]}],
        "metrics": [{"cvssV3_1": {"vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}],
        "references": [{"url": "https://www.openssl.org/news/secadv/20140407.txt"}]}}}"#;

    fn pkg(version: &str, ecosystem: Ecosystem) -> Package {
        Package {
            name: "openssl".into(),
            version: version.into(),
            ecosystem,
            release: None,
        }
    }

    #[test]
    fn a_cna_version_range_matches_by_product_name_only() {
        let parsed = parse_cve5("CVE-2014-0160.json", RECORD.as_bytes());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let adv = &parsed.records[0];
        assert_eq!(
            (adv.summary.as_str(), adv.severity[0].base_score),
            ("Heartbleed", 7.5)
        );
        let m = match_package(adv, &pkg("1.0.1f", Ecosystem::Generic)).unwrap();
        assert_eq!(
            (m.confidence, m.fixed.as_deref()),
            (Confidence::ProductNameOnly, Some("1.0.1g"))
        );
        assert!(match_package(adv, &pkg("1.0.1g", Ecosystem::Generic)).is_none());
        assert!(match_package(adv, &pkg("1.0.0l", Ecosystem::Generic)).is_none());
        // A distribution build is compared on its upstream part, and only ever as "check this".
        let deb = match_package(adv, &pkg("1.0.1e-2+deb7u5", Ecosystem::Debian)).unwrap();
        assert_eq!(deb.confidence, Confidence::ProductNameOnly);
    }

    #[test]
    fn rejected_and_malformed_records_are_reported_per_record() {
        let text = format!(
            r#"[{RECORD}, {{"dataType": "CVE_RECORD", "cveMetadata": {{"cveId": "CVE-2000-0001", "state": "REJECTED"}}}}, {{"dataType": "X"}}]"#
        );
        let parsed = parse_cve5("bulk.json", text.as_bytes());
        assert_eq!(parsed.records.len(), 1);
        let got: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.record.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("record 1 (CVE-2000-0001)", "rejected"),
                ("record 2", "dataType is not CVE_RECORD")
            ]
        );
    }
}
