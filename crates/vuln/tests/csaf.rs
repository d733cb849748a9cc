//! CSAF 2.0: a Red Hat-style document resolves through its product tree to package ranges and
//! product-name statements.

use hikeshi_vuln::csaf::parse_csaf;
use hikeshi_vuln::{Confidence, Ecosystem, Package, match_package};

const DOC: &[u8] = include_bytes!("data/csaf/rhsa-2014-0376.json");

fn rhel(version: &str, release: &str) -> Package {
    Package {
        name: "openssl".into(),
        version: version.into(),
        ecosystem: Ecosystem::RedHat,
        release: Some(release.into()),
    }
}

#[test]
fn a_fixed_rpm_build_makes_earlier_builds_on_that_release_affected() {
    let parsed = parse_csaf("rhsa-2014-0376.json", DOC);
    let adv = &parsed.records[0];
    assert_eq!(
        (adv.id.as_str(), adv.aliases.as_slice()),
        ("CVE-2014-0160", &["RHSA-2014:0376".to_owned()][..])
    );
    assert_eq!(adv.severity[0].base_score, 7.5);
    assert!(
        adv.remediations[0].starts_with("vendor_fix: Update openssl"),
        "{:?}",
        adv.remediations
    );
    let m = match_package(adv, &rhel("1.0.1e-16.el6_5", "6")).expect("mail01's build is affected");
    assert_eq!(
        (m.confidence, m.fixed.as_deref()),
        (Confidence::Exact, Some("1.0.1e-16.el6_5.7"))
    );
    assert!(match_package(adv, &rhel("1.0.1e-16.el6_5.7", "6")).is_none());
    // The relationship puts the fix on RHEL 6 only; a RHEL 7 package is not judged by it.
    assert!(match_package(adv, &rhel("1.0.1e-16.el6_5", "7")).is_none());
}

#[test]
fn a_vers_range_on_a_named_product_matches_by_name_only() {
    let adv = &parse_csaf("rhsa-2014-0376.json", DOC).records[0];
    let vpn = |v: &str| Package {
        name: "Edge_VPN".into(),
        version: v.into(),
        ecosystem: Ecosystem::Generic,
        release: None,
    };
    let m = match_package(adv, &vpn("4.1.9")).expect("4.1.9 is in [4.0, 4.2.1)");
    assert_eq!(
        (m.confidence, m.fixed.as_deref()),
        (Confidence::ProductNameOnly, Some("4.2.1"))
    );
    assert!(match_package(adv, &vpn("4.2.1")).is_none());
    assert!(match_package(adv, &vpn("3.9")).is_none());
}

#[test]
fn a_vulnerability_naming_an_unknown_product_is_rejected_alone() {
    let parsed = parse_csaf("rhsa-2014-0376.json", DOC);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].record, "vulnerability 1 (CVE-2099-0001)");
    assert!(
        parsed.errors[0].reason.contains("no-such-product"),
        "{}",
        parsed.errors[0]
    );
    let not_csaf = parse_csaf("x.json", br#"{"document": {"csaf_version": "1.2"}}"#);
    assert_eq!(not_csaf.errors[0].record, "document");
}
