//! Vuls scan results (`results/<date>/<server>.json`): the server's identity and its packages.
//! Vuls keeps RPM versions as `version` + `release` and Debian versions whole in `version`.

use serde_json::Value;

use super::{Asset, package};
use crate::ecosystem::Platform;
use crate::error::{Parsed, RecordError};

pub fn parse_vuls(file: &str, bytes: &[u8]) -> Parsed<Asset> {
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Parsed::fail(file, "file", format!("not JSON: {e}")),
    };
    let s = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let name = s("serverName");
    if name.is_empty() {
        return Parsed::fail(file, "file", "no serverName");
    }
    let family = s("family");
    let release = s("release");
    let platform = Platform::from_os_label(&format!("{family}-{release}"));
    let mut asset = Asset::new(&name);
    asset.os = format!("{family}-{release}");
    if let Some(addrs) = doc.get("ipv4Addrs").and_then(Value::as_array) {
        asset.addresses = addrs
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
    }
    let mut out = Parsed::default();
    let Some(packages) = doc.get("packages").and_then(Value::as_object) else {
        out.records.push(asset);
        return out;
    };
    for (key, p) in packages {
        let field = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").trim();
        let pname = if field("name").is_empty() {
            key.as_str()
        } else {
            field("name")
        };
        let version = match field("release") {
            "" => field("version").to_owned(),
            r => format!("{}-{r}", field("version")),
        };
        match package(pname, &version, &platform) {
            Ok(pkg) => asset.packages.push(pkg),
            Err(reason) => {
                out.errors
                    .push(RecordError::new(file, format!("package {key:?}"), reason))
            }
        }
    }
    out.records.push(asset);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vuls_result_becomes_one_asset_with_its_packages() {
        let text = br#"{"serverName": "mail01", "family": "redhat", "release": "6.5", "ipv4Addrs": ["192.0.2.20"],
            "packages": {"openssl": {"name": "openssl", "version": "1.0.1e", "release": "16.el6_5"},
                         "bad": {"name": "bad", "version": ""}}}"#;
        let parsed = parse_vuls("mail01.json", text);
        let a = &parsed.records[0];
        assert_eq!(
            (a.name.as_str(), a.packages[0].version.as_str()),
            ("mail01", "1.0.1e-16.el6_5")
        );
        assert_eq!(a.packages[0].release.as_deref(), Some("6"));
        assert_eq!(parsed.errors[0].record, "package \"bad\"");
    }
}
