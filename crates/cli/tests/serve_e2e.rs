//! The real binary, end to end: first run, a report over HTTP, an incident walked to closed.

mod common;
use common::*;
use serde_json::json;

#[test]
fn first_run_then_a_report_over_http_walks_to_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let first = server
        .banner
        .iter()
        .find(|l| l.contains("one-time password"))
        .expect("first-run password printed");
    assert!(first.contains("'admin'"));
    let pw = first.rsplit(' ').next().unwrap();
    assert_eq!(pw.len(), 20);

    // A second start prints no password.
    let a = agent();
    assert_eq!(
        call(&a, "GET", &server.url("/health"), "", None),
        (200, json!({"status": "ok"}))
    );
    assert_eq!(
        call(&a, "GET", &server.url("/api/v1/incidents"), "", None).0,
        401
    );

    let add = hikeshi_stdin(
        dir.path(),
        &[
            "user",
            "add",
            "kobayashi",
            "--role",
            "handler",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let token = stdout(&hikeshi(
        dir.path(),
        &["user", "token", "kobayashi", "--name", "e2e"],
    ))
    .trim()
    .to_owned();
    assert_eq!(token.len(), 43);

    let (s, rep) = call(
        &a,
        "POST",
        &server.url("/api/v1/reports"),
        &token,
        Some(
            json!({"reporter_email": "soc@example.jp", "subject": "不正アクセスの疑い", "body": "203.0.113.5 からのログイン試行"}),
        ),
    );
    assert_eq!(s, 201, "{rep}");
    let ticket = rep["id"].as_i64().unwrap();
    let (s, inc) = call(
        &a,
        "POST",
        &server.url("/api/v1/incidents"),
        &token,
        Some(json!({"title": "不正アクセス", "category": "other", "reports": [ticket]})),
    );
    assert_eq!(s, 201, "{inc}");
    let n = inc["number"].as_str().unwrap();
    for to in [
        "triage",
        "analysis",
        "containment",
        "eradication",
        "recovery",
        "lessons",
        "closed",
    ] {
        let (s, body) = call(
            &a,
            "POST",
            &server.url(&format!("/api/v1/incidents/{n}/phase")),
            &token,
            Some(json!({"to": to, "reason": "e2e"})),
        );
        assert_eq!(s, 200, "{to}: {body}");
    }
    let (_, inc) = call(
        &a,
        "GET",
        &server.url(&format!("/api/v1/incidents/{n}")),
        &token,
        None,
    );
    assert_eq!(inc["phase"], "closed");

    // Import an indicator list into the incident from the command line, rejected lines named.
    let list = dir.path().join("iocs.txt");
    std::fs::write(
        &list,
        "# from the advisory\nevil[.]example[.]net\nnot an indicator\n151.80.1.23\n",
    )
    .unwrap();
    let o = hikeshi(
        dir.path(),
        &[
            "ioc",
            "import",
            "--incident",
            n,
            "--role",
            "c2",
            list.to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a rejected line makes the exit status 1"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("iocs.txt:3: \"not an indicator\""), "{err}");
    assert!(stdout(&o).contains("2 imported"), "{}", stdout(&o));
    let strict = hikeshi(
        dir.path(),
        &[
            "ioc",
            "import",
            "--incident",
            n,
            "--strict",
            list.to_str().unwrap(),
        ],
    );
    assert!(stdout(&strict).contains("nothing imported"));
    let (_, inds) = call(
        &a,
        "GET",
        &server.url(&format!("/api/v1/incidents/{n}/indicators")),
        &token,
        None,
    );
    let values: Vec<&str> = inds["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["evil.example.net", "151.80.1.23"]);

    // Sweep logs for the incident: hits become sightings, linked to the asset whose address is
    // the internal host; sweeping again adds nothing.
    let inv = dir.path().join("assets.csv");
    std::fs::write(&inv, "hostname,ip,owner,department,criticality,os,package,version\npc-049,10.0.139.49,Ito,Sales,low,debian-12,bash,5.2\n").unwrap();
    assert!(
        hikeshi(dir.path(), &["asset", "import", inv.to_str().unwrap()])
            .status
            .success()
    );
    let data = format!("{}/../sweep/tests/data", env!("CARGO_MANIFEST_DIR"));
    let sweep = |dir: &std::path::Path| {
        hikeshi(
            dir,
            &[
                "sweep",
                "--incident",
                n,
                "--count",
                "-i",
                &format!("{data}/iocs_1k.txt"),
                &format!("{data}/squid.log"),
            ],
        )
    };
    let first = sweep(dir.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(
        err.contains(" new sightings on ") && !err.contains(" 0 new sightings"),
        "{err}"
    );
    assert!(
        !err.contains("(0 on known assets)"),
        "pc-049 is a known asset: {err}"
    );
    let again = sweep(dir.path());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains(" 0 new sightings"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let (_, sightings) = call(
        &a,
        "GET",
        &server.url(&format!("/api/v1/incidents/{n}/sightings")),
        &token,
        None,
    );
    let items = sightings["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|x| x["asset"] == "pc-049" && x["host"] == "10.0.139.49"),
        "{sightings}"
    );
    drop(server);

    let again = Server::start(dir.path(), &[]);
    assert!(
        again
            .banner
            .iter()
            .all(|l| !l.contains("one-time password")),
        "the password is shown only on first run"
    );
    let (_, inc) = call(
        &a,
        "GET",
        &again.url(&format!("/api/v1/incidents/{n}")),
        &token,
        None,
    );
    assert_eq!(inc["phase"], "closed", "state survives a restart");
    let v = hikeshi(dir.path(), &["audit", "verify"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

#[test]
fn demo_data_loads_once_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &["--demo"]);
    assert!(
        s.banner.iter().any(|l| l.contains("loaded 4 incidents")),
        "{:?}",
        s.banner
    );
    drop(s);
    let s = Server::start(dir.path(), &["--demo"]);
    assert!(
        s.banner.iter().any(|l| l.contains("nothing loaded")),
        "{:?}",
        s.banner
    );
    let token = stdout(&hikeshi(dir.path(), &["user", "token", "admin"]))
        .trim()
        .to_owned();
    let a = agent();
    let (status, list) = call(
        &a,
        "GET",
        &s.url("/api/v1/incidents?per_page=50"),
        &token,
        None,
    );
    assert_eq!(status, 200, "{list} token={token}");
    let phases: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["phase"].as_str().unwrap())
        .collect();
    assert!(
        phases.contains(&"closed") && phases.contains(&"containment") && phases.contains(&"triage"),
        "{phases:?}"
    );
    let titles: String = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains("フィッシング") && titles.contains("Scanning"),
        "{titles}"
    );
}
