//! `hikeshi export`, `import`, `sharing` and `feed` on a real data directory: the TLP ceiling
//! holds on every output, imports name what they reject and exit 1, unreadable files exit 2,
//! and a feed's secret never shows.

mod common;
use common::*;
use serde_json::json;

fn out(o: &std::process::Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        stdout(o),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn exports_imports_groups_and_feeds_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Incidents with indicators, made through the API.
    let server = Server::start(d, &[]);
    let token = stdout(&hikeshi(d, &["user", "token", "admin"]))
        .trim()
        .to_owned();
    let a = agent();
    let mut numbers = Vec::new();
    for (tlp, value) in [
        ("green", "green-share.example.com"),
        ("red", "red-share.example.com"),
    ] {
        let (st, inc) = call(
            &a,
            "POST",
            &server.url("/api/v1/incidents"),
            &token,
            Some(
                json!({"title": format!("{tlp} インシデント"), "category": "phishing", "tlp": tlp}),
            ),
        );
        assert_eq!(st, 201, "{inc}");
        let n = inc["number"].as_str().unwrap().to_owned();
        let (st, r) = call(
            &a,
            "POST",
            &server.url(&format!("/api/v1/incidents/{n}/indicators")),
            &token,
            Some(json!({"items": [{"value": value, "tlp": tlp, "role": "phishing"}]})),
        );
        assert_eq!(st, 201, "{r}");
        numbers.push(n);
    }
    server.kill();

    // Export: nothing above the ceiling, the default ceiling is amber.
    let f = d.join("green.json");
    let (code, _, err) = out(&hikeshi(
        d,
        &[
            "export",
            "stix",
            "--tlp-max",
            "green",
            "--out",
            f.to_str().unwrap(),
        ],
    ));
    assert_eq!(code, 0, "{err}");
    let body = std::fs::read_to_string(&f).unwrap();
    assert!(body.contains("green-share.example.com"));
    assert!(!body.contains("red-share.example.com"));
    assert!(err.contains("left out"), "{err}");
    let (code, csv, _) = out(&hikeshi(d, &["export", "csv"]));
    assert_eq!(code, 0);
    assert!(csv.contains("green-share.example.com") && !csv.contains("red-share"));
    let (_, text, _) = out(&hikeshi(
        d,
        &["export", "text", "--tlp-max", "red", "--lang", "ja"],
    ));
    assert!(text.contains("red-share[.]example[.]com"), "{text}");
    let (code, _, err) = out(&hikeshi(d, &["export", "stix", "--tlp-max", "purple"]));
    assert_eq!(code, 2);
    assert!(err.contains("not a TLP level"), "{err}");
    let feed = d.join("feed");
    let (code, _, err) = out(&hikeshi(
        d,
        &[
            "export",
            "misp",
            "--tlp-max",
            "green",
            "--feed",
            feed.to_str().unwrap(),
        ],
    ));
    assert_eq!(code, 0, "{err}");
    let manifest = std::fs::read_to_string(feed.join("manifest.json")).unwrap();
    assert!(manifest.contains("green インシデント") && !manifest.contains("red インシデント"));

    // Import: our own bundle back (exit 0), a feed directory, a bundle with one bad object
    // (exit 1, named), a STIX 2.0 bundle and a missing file (exit 2, named).
    let (code, o, err) = out(&hikeshi(d, &["import", "stix", f.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    assert!(o.contains("1 indicators"), "{o}");
    let (code, o, err) = out(&hikeshi(d, &["import", "misp", feed.to_str().unwrap()]));
    assert_eq!(code, 0, "{err}");
    assert!(o.contains("indicators"), "{o}");
    let bad = d.join("bad.json");
    std::fs::write(
        &bad,
        json!({"type": "bundle", "id": "bundle--6b8bd1c4-8d9e-4c2e-9a57-bd1a1d6f3b10", "objects": [
            {"type": "indicator", "spec_version": "2.1", "id": "indicator--00f0a4f4-6b1f-4c7e-8d7b-0b5e4c7f5a01",
             "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
             "pattern": "[domain-name:value = 'ok-share.example.com']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"},
            {"type": "indicator", "spec_version": "2.1", "id": "indicator--5a3f7a1e-2b8c-4d0e-9f1a-6c2d3e4f5a6b",
             "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
             "pattern": "[domain-name:value = ", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}]})
        .to_string(),
    )
    .unwrap();
    let (code, o, err) = out(&hikeshi(d, &["import", "stix", bad.to_str().unwrap()]));
    assert_eq!(code, 1, "{o}{err}");
    assert!(
        err.contains("indicator--5a3f7a1e-2b8c-4d0e-9f1a-6c2d3e4f5a6b"),
        "{err}"
    );
    assert!(
        o.contains("1 indicators") && o.contains("1 rejected"),
        "{o}"
    );
    let old = d.join("stix20.json");
    std::fs::write(
        &old,
        r#"{"type": "bundle", "id": "bundle--1b1d1c4a-8d9e-4c2e-9a57-bd1a1d6f3b10", "spec_version": "2.0", "objects": []}"#,
    )
    .unwrap();
    let (code, _, err) = out(&hikeshi(
        d,
        &["import", "stix", old.to_str().unwrap(), "/nonexistent.json"],
    ));
    assert_eq!(code, 2);
    assert!(err.contains("stix20.json") && err.contains("2.0"), "{err}");
    assert!(err.contains("/nonexistent.json"), "{err}");

    // A sharing group never receives what is above its ceiling.
    let (code, o, err) = out(&hikeshi(
        d,
        &["sharing", "add", "ISAC", "--tlp-max", "green"],
    ));
    assert_eq!(code, 0, "{err}");
    assert!(o.contains("TLP:GREEN"), "{o}");
    let (code, o, err) = out(&hikeshi(
        d,
        &["sharing", "publish", "ISAC", "--incident", &numbers[1]],
    ));
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(r["stix_added"], 0, "the RED incident is withheld: {r}");
    assert!(r["withheld"].as_u64().unwrap() >= 2);
    let (_, o, _) = out(&hikeshi(
        d,
        &["sharing", "publish", "ISAC", "--incident", &numbers[0]],
    ));
    let r: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert!(r["stix_added"].as_u64().unwrap() > 0, "{r}");
    let (code, _, err) = out(&hikeshi(
        d,
        &["sharing", "member", "ISAC", "--user", "nobody", "--read"],
    ));
    assert_eq!(code, 2, "{err}");

    // A feed's secret is read from the environment and never shown.
    let add = std::process::Command::new(bin())
        .arg("--data-dir")
        .arg(d)
        .args([
            "feed",
            "add",
            "isac",
            "--url",
            "http://127.0.0.1:9/api1/",
            "--collection",
            "c1",
            "--user",
            "hk",
            "--secret-env",
            "ISAC_SECRET",
        ])
        .env("ISAC_SECRET", "s3cr3t-value")
        .output()
        .unwrap();
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let (_, list, _) = out(&hikeshi(d, &["feed", "list"]));
    assert!(list.contains("isac") && !list.contains("s3cr3t"), "{list}");
    // Nothing listens on port 9: the poll fails, says why, and exits 1.
    let (code, o, _) = out(&hikeshi(d, &["feed", "poll", "isac"]));
    assert_eq!(code, 1, "{o}");
    let r: serde_json::Value = serde_json::from_str(o.trim()).unwrap();
    assert!(r["error"].as_str().unwrap().contains("127.0.0.1:9"), "{r}");
    assert!(!o.contains("s3cr3t"));
    let (code, _, err) = out(&hikeshi(d, &["audit", "verify"]));
    assert_eq!(code, 0, "{err}");
}
