//! CSAF 2.0 documents (OASIS; what Red Hat, SUSE, Cisco, Siemens and JPCERT/CC's tools publish).
//!
//! Products are resolved through the product tree (`branches` with vendor / product_name /
//! product_version / product_version_range, `full_product_names`, and `relationships`, whose
//! combined product stands for its component on the platform it relates to). Each
//! vulnerability becomes one [`Advisory`]:
//! - a `fixed` or `first_fixed` product identified by a purl becomes a range of its package:
//!   builds before the fixed one are affected (what distribution CSAF means by a fixed build);
//! - a `known_affected` product with a purl version becomes an exact affected version;
//! - a product known only by name becomes a product-name statement (version, `vers:` range,
//!   or any version), matched with [`Confidence::ProductNameOnly`](crate::Confidence).
//!
//! `known_not_affected` and `under_investigation` make no statement. Remediations are kept as
//! text.

use std::collections::HashMap;

use serde_json::Value;

use crate::advisory::{Advisory, Affected, Event, PackageRef, Range, RangeKind};
use crate::cpe::{Cpe, CpeMatch};
use crate::cvss;
use crate::ecosystem::Platform;
use crate::error::{Parsed, RecordError};
use crate::purl::Purl;

#[derive(Debug, Clone, Default)]
struct Product {
    vendor: String,
    name: String,
    version: Option<String>,
    range: Option<String>,
    purl: Option<String>,
    /// Release of the platform a relationship puts the component on (`6` for RHEL 6).
    release: Option<String>,
}

fn walk(branches: &Value, ctx: Product, out: &mut HashMap<String, Product>) {
    for b in branches.as_array().into_iter().flatten() {
        let mut here = ctx.clone();
        let name = b
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        match b.get("category").and_then(Value::as_str) {
            Some("vendor") => here.vendor = name,
            Some("product_name") => here.name = name,
            Some("product_version") => here.version = Some(name),
            Some("product_version_range") => here.range = Some(name),
            _ => {}
        }
        if let Some(p) = b.get("product") {
            add(p, here.clone(), out);
        }
        if let Some(children) = b.get("branches") {
            walk(children, here, out);
        }
    }
}

fn add(p: &Value, mut info: Product, out: &mut HashMap<String, Product>) {
    let Some(id) = p.get("product_id").and_then(Value::as_str) else {
        return;
    };
    let helper = p.get("product_identification_helper");
    info.purl = helper
        .and_then(|h| h.get("purl"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if info.name.is_empty() {
        info.name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
    }
    if let Some(cpe) = helper.and_then(|h| h.get("cpe")).and_then(Value::as_str) {
        // A platform CPE (`cpe:/o:redhat:enterprise_linux:6::server`) names the release.
        let fields: Vec<&str> = cpe
            .trim_start_matches("cpe:2.3:")
            .trim_start_matches("cpe:/")
            .split(':')
            .collect();
        info.release = fields
            .get(3)
            .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
            .map(|v| v.to_string());
    }
    out.insert(id.to_owned(), info);
}

fn products(doc: &Value) -> HashMap<String, Product> {
    let mut out = HashMap::new();
    let Some(tree) = doc.get("product_tree") else {
        return out;
    };
    if let Some(b) = tree.get("branches") {
        walk(b, Product::default(), &mut out);
    }
    for p in tree
        .get("full_product_names")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add(p, Product::default(), &mut out);
    }
    for r in tree
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let get = |k: &str| r.get(k).and_then(Value::as_str);
        let (Some(component), Some(platform)) = (
            get("product_reference"),
            get("relates_to_product_reference"),
        ) else {
            continue;
        };
        let Some(id) = r
            .pointer("/full_product_name/product_id")
            .and_then(Value::as_str)
        else {
            continue;
        };
        if let Some(mut info) = out.get(component).cloned() {
            info.release = out
                .get(platform)
                .and_then(|p| p.release.clone())
                .or(info.release);
            out.insert(id.to_owned(), info);
        }
    }
    out
}

/// Parses one CSAF 2.0 document; each vulnerability is a record.
pub fn parse_csaf(file: &str, bytes: &[u8]) -> Parsed<Advisory> {
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Parsed::fail(file, "file", format!("not JSON: {e}")),
    };
    if doc
        .pointer("/document/csaf_version")
        .and_then(Value::as_str)
        != Some("2.0")
    {
        return Parsed::fail(file, "document", "document.csaf_version is not 2.0");
    }
    let Some(tracking) = doc.pointer("/document/tracking/id").and_then(Value::as_str) else {
        return Parsed::fail(file, "document", "no document.tracking.id");
    };
    let products = products(&doc);
    let mut out = Parsed::default();
    for (i, v) in doc
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let cve = v.get("cve").and_then(Value::as_str);
        let label = cve.map_or_else(
            || format!("vulnerability {i}"),
            |c| format!("vulnerability {i} ({c})"),
        );
        match convert(&doc, tracking, i, v, &products) {
            Ok(a) => out.records.push(a),
            Err(reason) => out.errors.push(RecordError::new(file, label, reason)),
        }
    }
    out
}

fn convert(
    doc: &Value,
    tracking: &str,
    i: usize,
    v: &Value,
    products: &HashMap<String, Product>,
) -> Result<Advisory, String> {
    let id = v
        .get("cve")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{tracking}#{i}"), str::to_owned);
    let mut affected: Vec<Affected> = Vec::new();
    let status = v.get("product_status");
    let ids = |k: &str| {
        status
            .and_then(|s| s.get(k))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
    };
    let lookup = |pid: &str| {
        products
            .get(pid)
            .ok_or_else(|| format!("product_status names unknown product {pid:?}"))
    };
    for pid in ids("fixed").chain(ids("first_fixed")) {
        let p = lookup(pid)?;
        let Some(purl) = p.purl.as_deref().and_then(Purl::parse) else {
            continue;
        };
        let Some(version) = purl.version.clone().or(p.version.clone()) else {
            continue;
        };
        let platform = purl.platform.clone().map(|pl| Platform {
            release: pl.release.or(p.release.clone()),
            ..pl
        });
        let package = PackageRef {
            ecosystem_raw: platform
                .as_ref()
                .map_or(String::new(), |pl| pl.ecosystem.to_string()),
            platform,
            name: purl.name.clone(),
            purl: p.purl.clone(),
        };
        let range = Range {
            kind: RangeKind::Ecosystem,
            events: vec![Event::Introduced("0".into()), Event::Fixed(version)],
        };
        if !affected
            .iter()
            .any(|a| a.package.as_ref() == Some(&package) && a.ranges.first() == Some(&range))
        {
            affected.push(Affected {
                package: Some(package),
                ranges: vec![range],
                versions: Vec::new(),
                cpes: Vec::new(),
            });
        }
    }
    for pid in ids("known_affected") {
        let p = lookup(pid)?;
        let purl = p.purl.as_deref().and_then(Purl::parse);
        if let Some(purl) =
            purl.filter(|u| u.platform.is_some() && (u.version.is_some() || p.version.is_some()))
        {
            let version = purl
                .version
                .clone()
                .or(p.version.clone())
                .unwrap_or_default();
            let platform = purl.platform.clone().map(|pl| Platform {
                release: pl.release.or(p.release.clone()),
                ..pl
            });
            let package = PackageRef {
                ecosystem_raw: platform
                    .as_ref()
                    .map_or(String::new(), |pl| pl.ecosystem.to_string()),
                platform,
                name: purl.name,
                purl: p.purl.clone(),
            };
            affected.push(Affected {
                package: Some(package),
                ranges: Vec::new(),
                versions: vec![version],
                cpes: Vec::new(),
            });
            continue;
        }
        let field = |s: &str| {
            s.trim()
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("_")
        };
        if p.name.trim().is_empty() {
            return Err(format!("product {pid:?} has neither a purl nor a name"));
        }
        let base = Cpe {
            part: "a".into(),
            vendor: field(&p.vendor),
            product: field(&p.name),
            version: "*".into(),
            update: "*".into(),
        };
        let cpes = match (&p.version, &p.range) {
            (Some(ver), _) => vec![CpeMatch {
                criteria: Cpe {
                    version: ver.clone(),
                    ..base.clone()
                },
                ..CpeMatch::new(base)
            }],
            (None, Some(r)) => {
                crate::purl::vers_to_cpes(&base, r).map_err(|e| format!("product {pid:?}: {e}"))?
            }
            (None, None) => vec![CpeMatch::new(base)],
        };
        for c in &cpes {
            crate::prepared::PreparedCpe::new(c).map_err(|e| format!("product {pid:?}: {e}"))?;
        }
        affected.push(Affected {
            package: None,
            ranges: Vec::new(),
            versions: Vec::new(),
            cpes,
        });
    }
    let mut severity = Vec::new();
    for s in v
        .get("scores")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(vector) = s.pointer("/cvss_v3/vectorString").and_then(Value::as_str) {
            severity.push(cvss::parse_vector(vector).map_err(|e| e.to_string())?);
        }
    }
    let remediations = v
        .get("remediations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            let g = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
            format!("{}: {} {}", g("category"), g("details"), g("url"))
                .trim()
                .to_owned()
        })
        .collect();
    let mut aliases = vec![tracking.to_owned()];
    aliases.retain(|a| *a != id);
    Ok(Advisory {
        id,
        aliases,
        summary: v
            .get("title")
            .and_then(Value::as_str)
            .or(doc.pointer("/document/title").and_then(Value::as_str))
            .unwrap_or("")
            .to_owned(),
        published: doc
            .pointer("/document/tracking/initial_release_date")
            .and_then(Value::as_str)
            .map(str::to_owned),
        modified: doc
            .pointer("/document/tracking/current_release_date")
            .and_then(Value::as_str)
            .map(str::to_owned),
        severity,
        affected,
        references: v
            .get("references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("url").and_then(Value::as_str).map(str::to_owned))
            .collect(),
        remediations,
    })
}
