//! The inventory CSV: one row per installed package, a header naming the columns.
//!
//! Required columns: `hostname`, `package`, `version`. Optional: `ip` (several separated by
//! spaces or `;`), `owner`, `department`, `criticality`, `location`, `os` (decides the ecosystem:
//! `debian-7` → Debian 7 rules, `rhel-6` → RPM, anything else upstream), and `ecosystem` (an OSV
//! ecosystem string such as `PyPI` or `Debian:12`, which wins over `os`). Rows of one host are
//! merged into one asset in first-seen order.

use std::collections::HashMap;

use super::{Asset, package};
use crate::ecosystem::Platform;
use crate::error::{Parsed, RecordError};

pub fn parse_csv(file: &str, bytes: &[u8]) -> Parsed<Asset> {
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(false)
        .trim(::csv::Trim::All)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.to_ascii_lowercase()).collect::<Vec<_>>(),
        Err(e) => return Parsed::fail(file, "line 1", format!("unreadable header: {e}")),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(host_i), Some(pkg_i), Some(ver_i)) =
        (col("hostname"), col("package"), col("version"))
    else {
        return Parsed::fail(
            file,
            "line 1",
            "header must name hostname, package and version",
        );
    };
    let optional = [
        "ip",
        "owner",
        "department",
        "criticality",
        "location",
        "os",
        "ecosystem",
    ]
    .map(col);
    let mut out: Parsed<Asset> = Parsed::default();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for row in reader.records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.errors.push(RecordError::new(
                    file,
                    format!("line {line}"),
                    e.to_string(),
                ));
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        let get = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or("");
        let host = get(Some(host_i));
        if host.is_empty() {
            out.errors.push(RecordError::new(
                file,
                format!("line {line}"),
                "empty hostname",
            ));
            continue;
        }
        let [ip, owner, department, criticality, location, os, ecosystem] = optional.map(get);
        let platform = if ecosystem.is_empty() {
            Platform::from_os_label(os)
        } else {
            match Platform::from_osv(ecosystem) {
                Some(p) => p,
                None => {
                    let reason = format!("unknown ecosystem {ecosystem:?}");
                    out.errors
                        .push(RecordError::new(file, format!("line {line}"), reason));
                    continue;
                }
            }
        };
        let pkg = match package(get(Some(pkg_i)), get(Some(ver_i)), &platform) {
            Ok(p) => p,
            Err(reason) => {
                out.errors
                    .push(RecordError::new(file, format!("line {line}"), reason));
                continue;
            }
        };
        let idx = *by_name.entry(host.to_owned()).or_insert_with(|| {
            out.records.push(Asset::new(host));
            out.records.len() - 1
        });
        let asset = &mut out.records[idx];
        for addr in ip.split([' ', ';']).filter(|a| !a.is_empty()) {
            if !asset.addresses.iter().any(|a| a == addr) {
                asset.addresses.push(addr.to_owned());
            }
        }
        for (field, value) in [
            (&mut asset.owner, owner),
            (&mut asset.department, department),
            (&mut asset.criticality, criticality),
            (&mut asset.location, location),
            (&mut asset.os, os),
        ] {
            if field.is_empty() {
                value.clone_into(field);
            }
        }
        asset.packages.push(pkg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ecosystem;

    #[test]
    fn rows_of_one_host_become_one_asset_and_bad_rows_are_reported_by_line() {
        let text = "hostname,ip,owner,os,package,version\n\
                    web,192.0.2.1,Sato,debian-7,openssl,1.0.1e-2+deb7u4\n\
                    web,192.0.2.1,Sato,debian-7,bash,4.2+dfsg-0.1\n\
                    ,192.0.2.9,Ito,debian-7,bash,4.2\n\
                    db,192.0.2.2,Ito,rhel-6,openssl,\n\
                    app,192.0.2.3,Ito,debian-7,openssl,abc\n";
        let parsed = parse_csv("assets.csv", text.as_bytes());
        assert_eq!(parsed.records.len(), 1);
        let web = &parsed.records[0];
        assert_eq!((web.name.as_str(), web.packages.len()), ("web", 2));
        assert_eq!(web.packages[0].ecosystem, Ecosystem::Debian);
        assert_eq!(web.packages[0].release.as_deref(), Some("7"));
        let lines: Vec<_> = parsed.errors.iter().map(|e| e.record.as_str()).collect();
        assert_eq!(lines, ["line 4", "line 5", "line 6"]);
        assert!(
            parsed.errors[2].reason.contains("digit"),
            "{}",
            parsed.errors[2]
        );
    }

    #[test]
    fn optional_columns_fill_the_asset_and_an_ecosystem_column_wins_over_os() {
        let text = "Hostname,Location,Criticality,OS,Ecosystem,Package,Version\n\
                    app1,Tokyo DC,high,debian-12,PyPI,Django,4.2.16\n";
        let parsed = parse_csv("apps.csv", text.as_bytes());
        let a = &parsed.records[0];
        assert_eq!(
            (a.location.as_str(), a.criticality.as_str()),
            ("Tokyo DC", "high")
        );
        assert_eq!(a.packages[0].ecosystem, Ecosystem::PyPI);
    }

    #[test]
    fn a_header_without_the_required_columns_is_refused() {
        let parsed = parse_csv("x.csv", b"host,pkg\nweb,openssl\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].record, "line 1");
    }
}
