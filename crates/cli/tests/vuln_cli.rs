//! `hikeshi asset import`, `advisory import`, `vuln affected` on the Heartbleed sample: exactly
//! the hosts the sample says are affected.

mod common;
use common::*;

fn data(name: &str) -> String {
    format!(
        "{}/../vuln/tests/data/heartbleed/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn heartbleed_affects_exactly_the_vulnerable_hosts_with_owners_and_fixed_versions() {
    let dir = tempfile::tempdir().unwrap();
    let o = hikeshi(dir.path(), &["asset", "import", &data("assets.csv")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).contains("9 assets created, 0 updated"),
        "{}",
        stdout(&o)
    );
    let again = hikeshi(dir.path(), &["asset", "import", &data("assets.csv")]);
    assert!(
        stdout(&again).contains("0 assets created, 9 updated"),
        "re-import updates: {}",
        stdout(&again)
    );

    let before = hikeshi(dir.path(), &["vuln", "affected", "CVE-2014-0160"]);
    assert_eq!(before.status.code(), Some(2), "not imported yet");
    let o = hikeshi(
        dir.path(),
        &["advisory", "import", &data("CVE-2014-0160.osv.json")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let o = hikeshi(
        dir.path(),
        &["vuln", "affected", "CVE-2014-0160", "--format", "jsonl"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut hosts: Vec<&str> = lines.iter().map(|l| l["asset"].as_str().unwrap()).collect();
    hosts.sort_unstable();
    assert_eq!(hosts, ["dev01", "mail01", "vpn01", "www01"]);
    let www01 = lines.iter().find(|l| l["asset"] == "www01").unwrap();
    for k in [
        "asset",
        "owner",
        "package",
        "installed",
        "fixed",
        "advisory",
    ] {
        assert!(www01.get(k).is_some(), "{k} in {www01}");
    }
    assert_eq!(
        (www01["owner"].as_str(), www01["fixed"].as_str()),
        (Some("Sato"), Some("1.0.1e-2+deb7u5"))
    );

    let o = hikeshi(
        dir.path(),
        &["vuln", "affected", "CVE-2014-0160", "--open-incident"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("opened HK-") && err.contains("with 16 tasks for 4 owners"),
        "{err}"
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"id\": \"X-1\", \"affected\": \"not a list\"}").unwrap();
    let o = hikeshi(dir.path(), &["advisory", "import", bad.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a bad record is named: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.json"));
}
