//! The Heartbleed check (issue 7): an OSV advisory written for CVE-2014-0160 and the sample
//! inventory must give exactly the affected and unaffected hosts the sample's README lists.

use std::collections::BTreeSet;

use hikeshi_vuln::{
    AdvisoryIndex, Confidence, InventoryIndex, Rule, inventory, match_package, osv,
};

const ADVISORY: &[u8] = include_bytes!("data/heartbleed/CVE-2014-0160.osv.json");
const ASSETS: &[u8] = include_bytes!("data/heartbleed/assets.csv");
const README: &str = include_str!("data/heartbleed/README.md");

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The README's sentence "the affected hosts are `a`, `b` … ; `c`, `d` … are not", read back so
/// this test follows the sample if the sample changes.
fn readme_lists() -> (BTreeSet<String>, BTreeSet<String>) {
    let flat = README.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = flat
        .find("the affected hosts are")
        .expect("README names the affected hosts");
    let rest = &flat[start..];
    let end = rest
        .find("are not")
        .expect("README names the unaffected hosts");
    let (affected, unaffected) = rest[..end].split_once(';').expect("two lists split by ';'");
    let ticks = |s: &str| {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect::<BTreeSet<_>>()
    };
    (ticks(affected), ticks(unaffected))
}

#[test]
fn the_readme_lists_are_the_ones_this_test_expects() {
    let (affected, unaffected) = readme_lists();
    assert_eq!(affected, set(&["www01", "mail01", "vpn01", "dev01"]));
    assert_eq!(
        unaffected,
        set(&["www02", "mail02", "vpn02", "legacy01", "ldap01"])
    );
}

#[test]
fn heartbleed_affects_exactly_the_hosts_the_readme_lists() {
    let advisories = osv::parse_osv("CVE-2014-0160.osv.json", ADVISORY);
    assert!(advisories.errors.is_empty(), "{:?}", advisories.errors);
    let assets = inventory::parse_csv("assets.csv", ASSETS);
    assert!(assets.errors.is_empty(), "{:?}", assets.errors);
    assert_eq!(assets.records.len(), 9);

    let mut index = AdvisoryIndex::new();
    for a in advisories.records.clone() {
        assert!(index.insert(a).is_empty());
    }
    let matches = index.match_assets(&assets.records);
    let affected: BTreeSet<String> = matches
        .iter()
        .map(|m| assets.records[m.asset].name.clone())
        .collect();
    let all: BTreeSet<String> = assets.records.iter().map(|a| a.name.clone()).collect();
    let unaffected: BTreeSet<String> = all.difference(&affected).cloned().collect();

    let (want_affected, want_unaffected) = readme_lists();
    assert_eq!(affected, want_affected);
    assert_eq!(unaffected, want_unaffected);
    assert!(
        matches
            .iter()
            .all(|m| m.found.confidence == Confidence::Exact)
    );

    // The one-advisory path and the single-package function agree with the full re-match.
    let inv = InventoryIndex::new(&assets.records);
    assert_eq!(
        inv.affected_by(&assets.records, &advisories.records[0]),
        matches
    );
    for m in &matches {
        let pkg = &assets.records[m.asset].packages[m.package];
        assert_eq!(
            match_package(&advisories.records[0], pkg).as_ref(),
            Some(&m.found)
        );
    }
}

#[test]
fn each_heartbleed_match_says_which_range_and_fixed_version() {
    let advisory = &osv::parse_osv("a.json", ADVISORY).records[0];
    let assets = inventory::parse_csv("assets.csv", ASSETS).records;
    let find = |host: &str| {
        let a = assets
            .iter()
            .find(|a| a.name == host)
            .expect("host in sample");
        match_package(advisory, &a.packages[0]).expect("affected")
    };
    let www01 = find("www01");
    assert_eq!(
        (www01.affected_index, www01.fixed.as_deref()),
        (1, Some("1.0.1e-2+deb7u5"))
    );
    assert_eq!(find("mail01").fixed.as_deref(), Some("1.0.1e-16.el6_5.7"));
    assert_eq!(find("vpn01").fixed.as_deref(), Some("1.0.1g"));
    let dev01 = find("dev01");
    match dev01.rule {
        Rule::Range {
            range_index,
            ref last_affected,
            ..
        } => {
            assert_eq!(
                (range_index, last_affected.as_deref()),
                (1, Some("1.0.2-beta1"))
            )
        }
        ref other => panic!("dev01 matched by {other:?}"),
    }
    assert_eq!(dev01.fixed, None);
}

#[test]
fn the_naive_string_comparison_the_readme_warns_about_would_be_wrong() {
    // Shows the test data can tell a wrong matcher from a right one: comparing strings marks the
    // patched distribution builds (www02, mail02) as affected.
    let assets = inventory::parse_csv("assets.csv", ASSETS).records;
    let naive: BTreeSet<String> = assets
        .iter()
        .filter(|a| {
            let v = a.packages[0].version.as_str();
            ("1.0.1".."1.0.1g").contains(&v)
        })
        .map(|a| a.name.clone())
        .collect();
    let (want, _) = readme_lists();
    assert_ne!(naive, want);
    assert!(naive.contains("www02") && naive.contains("mail02"));
}
