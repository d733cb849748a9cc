//! JVN iPedia VULDEF: product-name statements from Japanese version phrases, CVE aliases,
//! CVSS v3, and per-Vulinfo rejection.

use hikeshi_vuln::jvn::parse_jvn;
use hikeshi_vuln::{Confidence, Ecosystem, Package, match_package};

const DOC: &[u8] = include_bytes!("data/jvn/vuldef-heartbleed.xml");

fn openssl(version: &str) -> Package {
    Package {
        name: "openssl".into(),
        version: version.into(),
        ecosystem: Ecosystem::Generic,
        release: None,
    }
}

#[test]
fn a_jvndb_entry_matches_openssl_by_product_name_in_its_version_range() {
    let parsed = parse_jvn("vuldef.xml", DOC);
    let adv = &parsed.records[0];
    assert_eq!(
        (adv.id.as_str(), adv.aliases.as_slice()),
        ("JVNDB-2014-001920", &["CVE-2014-0160".to_owned()][..])
    );
    assert_eq!(
        adv.severity.len(),
        1,
        "the v2 vector is skipped, the v3 one scored"
    );
    assert_eq!(adv.severity[0].base_score, 7.5);
    for affected in ["1.0.1", "1.0.1f", "1.0.2-beta1"] {
        let m = match_package(adv, &openssl(affected))
            .unwrap_or_else(|| panic!("{affected} should match"));
        assert_eq!(m.confidence, Confidence::ProductNameOnly);
    }
    for unaffected in ["1.0.1g", "1.0.0l", "0.9.8y", "1.0.2"] {
        assert!(
            match_package(adv, &openssl(unaffected)).is_none(),
            "{unaffected} should not match"
        );
    }
}

#[test]
fn bad_vulinfo_entries_are_rejected_one_by_one() {
    let parsed = parse_jvn("vuldef.xml", DOC);
    assert_eq!(parsed.records.len(), 1);
    let got: Vec<_> = parsed.errors.iter().map(|e| e.record.as_str()).collect();
    assert_eq!(got, ["Vulinfo 1", "Vulinfo 2 (JVNDB-2099-000001)"]);
    assert!(
        parsed.errors[1].reason.contains("cpe:/"),
        "{}",
        parsed.errors[1]
    );
    assert_eq!(
        parse_jvn("x.xml", b"<rss/>").errors[0].reason,
        "root element is not VULDEF-Document"
    );
    assert!(
        parse_jvn("x.xml", b"<VULDEF-Document>").errors[0]
            .reason
            .starts_with("not XML")
    );
}
