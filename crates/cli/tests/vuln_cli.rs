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

#[test]
fn advisory_dumps_import_from_directories_and_zip_files_and_rematch_incrementally() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        hikeshi(d, &["asset", "import", &data("assets.csv")])
            .status
            .success()
    );
    // An unpacked OSV dump: the Heartbleed record and a second, unrelated one.
    let dump = d.join("osv");
    std::fs::create_dir_all(dump.join("Debian")).unwrap();
    std::fs::copy(
        data("CVE-2014-0160.osv.json"),
        dump.join("Debian/CVE-2014-0160.json"),
    )
    .unwrap();
    let other = serde_json::json!({"schema_version": "1.6.0", "id": "OSV-TEST-0001", "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "not-installed-anywhere"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}]}]});
    std::fs::write(dump.join("OSV-TEST-0001.json"), other.to_string()).unwrap();
    std::fs::write(dump.join("README.txt"), "not a document").unwrap();
    let o = hikeshi(d, &["advisory", "import", dump.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    // The same records in a zip, with one broken entry that is named and skipped.
    let zip_path = d.join("all.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("CVE-2014-0160.json", opts).unwrap();
    z.write_all(&std::fs::read(data("CVE-2014-0160.osv.json")).unwrap())
        .unwrap();
    z.start_file("broken.json", opts).unwrap();
    z.write_all(b"{\"id\": ").unwrap();
    z.finish().unwrap();
    let o = hikeshi(d, &["advisory", "import", zip_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "one entry is bad");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("all.zip!broken.json"), "{err}");
    assert!(
        stdout(&o).contains("all.zip!CVE-2014-0160.json: osv"),
        "{}",
        stdout(&o)
    );
    // Matching happened through the queue; nothing is left to do.
    let o = hikeshi(d, &["vuln", "rematch"]);
    assert!(o.status.success());
    let o = hikeshi(d, &["vuln", "rematch"]);
    assert_eq!(stdout(&o).trim(), r#"{"docs":0,"assets":0,"matches":0}"#);
    let o = hikeshi(
        d,
        &["vuln", "affected", "CVE-2014-0160", "--format", "jsonl"],
    );
    assert!(o.status.success());
    let hosts: std::collections::BTreeSet<String> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["asset"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(!hosts.is_empty());
    // One affected host's open advisories, from the asset's side.
    let host = hosts.iter().next().unwrap();
    let o = hikeshi(d, &["vuln", "asset", host, "--format", "jsonl"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("CVE-2014-0160"));
}
