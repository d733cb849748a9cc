//! The indexes give the same answers as asking every advisory about every package.

use hikeshi_vuln::{
    AdvisoryIndex, Asset, Ecosystem, InventoryIndex, Package, PreparedAdvisory, match_package, osv,
};

/// Forty advisories over ten npm packages and a Debian one, and 1,000 assets with a spread of
/// versions, enough to exercise the threaded path (more than 64 package keys).
fn world() -> (Vec<hikeshi_vuln::Advisory>, Vec<Asset>) {
    let mut records = Vec::new();
    for i in 0..40 {
        let name = format!("lib{}", i % 10);
        let (lo, hi) = (i % 7, i % 7 + 1 + i % 3);
        records.push(format!(
            r#"{{"id": "ADV-{i}", "affected": [{{"package": {{"ecosystem": "npm", "name": "{name}"}},
               "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "{lo}.0.0"}}, {{"fixed": "{hi}.2.0"}}]}}]}},
               {{"package": {{"ecosystem": "Debian:12", "name": "{name}"}},
               "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{hi}.0-1"}}]}}]}}]}}"#
        ));
    }
    let mut parsed = osv::parse_osv("world.json", format!("[{}]", records.join(",")).as_bytes());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    // A CVE record naming `lib3` only as a product: found through the product keys, and only
    // for packages no other entry of that record names.
    let cve = r#"{"dataType": "CVE_RECORD", "cveMetadata": {"cveId": "CVE-2099-0003", "state": "PUBLISHED"},
      "containers": {"cna": {"affected": [{"vendor": "x", "product": "lib3",
        "versions": [{"version": "2.0.0", "status": "affected", "lessThan": "5.0.0"}]}]}}}"#;
    let cve = hikeshi_vuln::cve5::parse_cve5("cve.json", cve.as_bytes());
    assert!(cve.errors.is_empty(), "{:?}", cve.errors);
    parsed.records.extend(cve.records);
    let mut assets = Vec::new();
    for a in 0..1_000 {
        let mut asset = Asset::new(&format!("host{a}"));
        for p in 0..12 {
            let (ecosystem, release, version) = if p % 2 == 0 {
                (Ecosystem::Npm, None, format!("{}.{}.0", (a + p) % 9, a % 4))
            } else {
                (
                    Ecosystem::Debian,
                    Some("12".to_owned()),
                    format!("{}.0-{}", (a * p) % 9, a % 3),
                )
            };
            // Unique names per asset bucket give the index many keys; lib0..lib9 meet advisories.
            let name = if p < 10 {
                format!("lib{p}")
            } else {
                format!("other{}", a % 97)
            };
            asset.packages.push(Package {
                name,
                version,
                ecosystem,
                release,
            });
        }
        assets.push(asset);
    }
    (parsed.records, assets)
}

#[test]
fn full_rematch_one_advisory_and_per_package_matching_agree() {
    let (advisories, assets) = world();
    let mut index = AdvisoryIndex::new();
    for a in advisories.iter().cloned() {
        assert!(index.insert(a).is_empty());
    }
    let full = index.match_assets(&assets);

    // `match_package` is `PreparedAdvisory::new(..).evaluate(..)`; preparing once per advisory
    // keeps this brute force quick in debug builds.
    let prepared: Vec<_> = advisories
        .iter()
        .map(|a| PreparedAdvisory::new(a.clone()).0)
        .collect();
    assert_eq!(
        match_package(&advisories[3], &assets[5].packages[3]),
        prepared[3].evaluate(&assets[5].packages[3])
    );
    let mut brute = Vec::new();
    for (ai, asset) in assets.iter().enumerate() {
        for (pi, p) in asset.packages.iter().enumerate() {
            for adv in &prepared {
                if let Some(m) = adv.evaluate(p) {
                    brute.push((ai, pi, m));
                }
            }
        }
    }
    assert!(
        brute.len() > 1_000,
        "the world should have many matches, has {}",
        brute.len()
    );
    assert!(
        brute.iter().any(|(_, _, m)| m.advisory == "CVE-2099-0003"),
        "the product-name record should match something"
    );
    let from_index: Vec<_> = full
        .iter()
        .map(|m| (m.asset, m.package, m.found.clone()))
        .collect();
    assert_eq!(from_index, brute);

    let inv = InventoryIndex::new(&assets);
    for adv in &advisories {
        let one: Vec<_> = inv
            .affected_by(&assets, adv)
            .into_iter()
            .map(|m| (m.asset, m.package, m.found))
            .collect();
        let want: Vec<_> = brute
            .iter()
            .filter(|(_, _, m)| m.advisory == adv.id)
            .cloned()
            .collect();
        assert_eq!(one, want, "{}", adv.id);
    }
}
