//! The real binary: `serve` reads `[sweep.allowed_paths]`, runs sweep jobs in the background and
//! records their hits as sightings; a root that is not a directory stops it at start.

mod common;
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

const LOG: &str = "\
1700000000.001    120 10.0.0.7 TCP_TUNNEL/200 900 CONNECT cdn.evil.example.net:443 - HIER_DIRECT/198.51.100.9 -
1700000000.002    120 10.0.0.8 TCP_TUNNEL/200 900 CONNECT notevil.example.org:443 - HIER_DIRECT/198.51.100.9 -
1700000000.003    120 10.0.0.9 TCP_MISS/200 900 GET http://evil.example.net/gate.php - HIER_DIRECT/203.0.113.5 text/html
";

#[test]
fn serve_runs_a_sweep_job_over_a_configured_root() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("access.log"), LOG).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("hikeshi.toml"),
        format!(
            "[sweep]\nthreads = 1\n\n[sweep.allowed_paths]\nproxy = {:?}\n",
            logs.display().to_string()
        ),
    )
    .unwrap();
    let server = Server::start(&data, &[]);
    let add = hikeshi_stdin(
        &data,
        &[
            "user",
            "add",
            "sato",
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
    let token = stdout(&hikeshi(&data, &["user", "token", "sato", "--name", "e2e"]))
        .trim()
        .to_owned();
    let a = agent();
    let (s, inc) = call(
        &a,
        "POST",
        &server.url("/api/v1/incidents"),
        &token,
        Some(json!({"title": "C2", "category": "malware-site"})),
    );
    assert_eq!(s, 201, "{inc}");
    let n = inc["number"].as_str().unwrap().to_owned();
    let (s, _) = call(
        &a,
        "POST",
        &server.url(&format!("/api/v1/incidents/{n}/indicators")),
        &token,
        Some(json!({"items": [{"value": "evil.example.net"}]})),
    );
    assert!(s < 300);
    let (s, job) = call(
        &a,
        "POST",
        &server.url(&format!("/api/v1/incidents/{n}/sweeps")),
        &token,
        Some(json!({"sources": [{"root": "proxy", "path": "access.log"}]})),
    );
    assert_eq!(s, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    let started = Instant::now();
    let done = loop {
        let (_, j) = call(
            &a,
            "GET",
            &server.url(&format!("/api/v1/sweeps/{id}")),
            &token,
            None,
        );
        if ["done", "failed", "cancelled"].contains(&j["state"].as_str().unwrap_or("")) {
            break j;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "stuck: {j}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["new_sightings"], 2);
    let (_, seen) = call(
        &a,
        "GET",
        &server.url(&format!("/api/v1/incidents/{n}/sightings")),
        &token,
        None,
    );
    assert_eq!(seen["items"].as_array().unwrap().len(), 2, "{seen}");
    assert!(
        data.join("sweep-uploads").is_dir(),
        "the upload directory defaults to the data directory"
    );
}

#[test]
fn a_sweep_root_that_is_not_a_directory_stops_serve_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(bin())
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env(
            "HIKESHI_SWEEP__ALLOWED_PATHS__SQUID",
            dir.path().join("nope"),
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sweep.allowed_paths.squid") && err.contains("is not a directory"),
        "{err}"
    );
}
