//! Sweeps as background jobs, through the API and the real runner: over an allowed path, over
//! uploads, cancelled, refused outside the roots, hidden from people who cannot see the incident.

use crate::harness::{App, app_with};
use crate::schema::check_response;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hikeshi_domain::{Actor, AssetRecord};
use hikeshi_server::ServerConfig;
use hikeshi_server::sweep_jobs::SweepConfig;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LOG: &str = "\
1700000000.001    120 10.0.0.7 TCP_TUNNEL/200 900 CONNECT cdn.evil.example.net:443 - HIER_DIRECT/198.51.100.9 -
1700000000.002    120 10.0.0.8 TCP_TUNNEL/200 900 CONNECT notevil.example.org:443 - HIER_DIRECT/198.51.100.9 -
1700000000.003    120 10.0.0.9 TCP_MISS/200 900 GET http://evil.example.net/gate.php - HIER_DIRECT/203.0.113.5 text/html
";

/// An app whose sweep jobs may read `root` (as `proxy`), with its runner going unless `runner`
/// is false, and an incident (TLP `tlp`, by the handler) holding the indicator `evil.example.net`.
pub(crate) struct Sweeping {
    pub(crate) a: App,
    pub(crate) number: String,
    uploads: PathBuf,
    sweep: SweepConfig,
    stop: tokio::sync::watch::Sender<bool>,
    _tmp: tempfile::TempDir,
}

async fn sweeping(tlp: &str, max_upload_bytes: u64) -> Sweeping {
    let s = sweeping_idle(tlp, max_upload_bytes).await;
    s.start_runner();
    s
}

pub(crate) async fn sweeping_idle(tlp: &str, max_upload_bytes: u64) -> Sweeping {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("logs");
    std::fs::create_dir_all(root.join("squid")).unwrap();
    std::fs::write(root.join("squid/access.log"), LOG).unwrap();
    std::fs::write(tmp.path().join("secret.log"), LOG).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("secret.log"), root.join("out.log")).unwrap();
    let uploads = tmp.path().join("uploads");
    let sweep = SweepConfig {
        roots: [("proxy".to_owned(), root)].into(),
        upload_dir: uploads.clone(),
        max_upload_bytes,
        keep_uploads: false,
        threads: 1,
    };
    let a = app_with(ServerConfig {
        sweep: sweep.clone(),
        ..ServerConfig::default()
    })
    .await;
    let (stop, _) = tokio::sync::watch::channel(false);
    a.store
        .upsert_assets(
            &Actor::Cli,
            &[AssetRecord {
                name: "pc-7".into(),
                addresses: vec!["10.0.0.7".into()],
                owner: "Ito".into(),
                department: "Sales".into(),
                criticality: "low".into(),
                location: String::new(),
                os: String::new(),
                software: vec![],
            }],
        )
        .await
        .unwrap();
    let inc = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "C2", "category": "malware-site", "tlp": tlp}),
        )
        .await;
    assert_eq!(inc.status, StatusCode::CREATED, "{}", inc.text());
    let number = inc.json()["number"].as_str().unwrap().to_owned();
    let att = a
        .post(
            &format!("/api/v1/incidents/{number}/indicators"),
            &a.handler,
            json!({"items": [{"value": "evil[.]example[.]net"}]}),
        )
        .await;
    assert!(att.status.is_success(), "{}", att.text());
    Sweeping {
        a,
        number,
        uploads,
        sweep,
        stop,
        _tmp: tmp,
    }
}

impl Sweeping {
    pub(crate) fn start_runner(&self) {
        tokio::spawn(hikeshi_server::sweep_runner::run(
            self.a.store.clone(),
            Arc::new(self.sweep.clone()),
            self.stop.subscribe(),
        ));
    }

    async fn start(&self, sources: Value) -> crate::harness::Resp {
        self.a
            .post(
                &format!("/api/v1/incidents/{}/sweeps", self.number),
                &self.a.handler,
                json!({ "sources": sources }),
            )
            .await
    }

    /// Poll the job until `until` holds (at most a minute).
    pub(crate) async fn wait(&self, id: i64, until: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let r = self
                .a
                .get(&format!("/api/v1/sweeps/{id}"), &self.a.handler)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let j = r.json();
            if until(&j) {
                check_response("GET", "/api/v1/sweeps/{job}", 200, &r.body);
                return j;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "job stuck: {j}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn sightings(&self) -> Vec<Value> {
        let r = self
            .a
            .get(
                &format!("/api/v1/incidents/{}/sightings", self.number),
                &self.a.handler,
            )
            .await;
        r.json()["items"].as_array().unwrap().clone()
    }
}

pub(crate) fn ended(j: &Value) -> bool {
    ["done", "failed", "cancelled"].contains(&j["state"].as_str().unwrap_or(""))
}

#[tokio::test]
async fn a_sweep_over_an_allowed_path_records_sightings_once_linked_to_assets() {
    let s = sweeping("amber", 1 << 20).await;
    let r = s
        .start(json!([{"root": "proxy", "path": "squid/access.log"}]))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    check_response("POST", "/api/v1/incidents/{id}/sweeps", 202, &r.body);
    let job = r.json();
    assert_eq!(job["sources"], json!(["proxy:squid/access.log"]));
    let id = job["id"].as_i64().unwrap();

    let done = s.wait(id, ended).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["bytes_total"], LOG.len());
    assert_eq!(done["bytes_done"], LOG.len());
    assert_eq!(done["percent"], 100);
    assert_eq!(done["lines"], 3);
    assert_eq!(done["hits"], 2);
    assert_eq!(done["new_sightings"], 2);
    assert_eq!(done["requested_by_name"], "handler");

    let seen = s.sightings().await;
    let mut rows: Vec<(i64, String, Option<String>)> = seen
        .iter()
        .map(|x| {
            (
                x["line"].as_i64().unwrap(),
                x["source"].as_str().unwrap().to_owned(),
                x["asset"].as_str().map(str::to_owned),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            (1, "proxy:squid/access.log".into(), Some("pc-7".into())),
            (3, "proxy:squid/access.log".into(), None),
        ]
    );
    let tl =
        s.a.get(
            &format!("/api/v1/incidents/{}/timeline", s.number),
            &s.a.handler,
        )
        .await
        .json();
    let ev = tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "sweep")
        .expect("a sweep event on the timeline")
        .clone();
    assert_eq!(ev["data"]["job"], id);
    assert_eq!(ev["data"]["new"], 2);

    // The whole root again (a directory, walked): the same lines add nothing.
    let again = s
        .start(json!([{"root": "proxy", "path": "."}]))
        .await
        .json();
    let d2 = s.wait(again["id"].as_i64().unwrap(), ended).await;
    assert_eq!(
        (d2["state"].as_str(), d2["hits"].as_i64()),
        (Some("done"), Some(2)),
        "{d2}"
    );
    assert_eq!(d2["new_sightings"], 0);
    assert!(
        d2["error"]
            .as_str()
            .unwrap()
            .contains("proxy:out.log: leads outside the root"),
        "{d2}"
    );
    assert_eq!(s.sightings().await.len(), 2);

    let list =
        s.a.get(
            &format!("/api/v1/incidents/{}/sweeps", s.number),
            &s.a.viewer,
        )
        .await;
    check_response("GET", "/api/v1/incidents/{id}/sweeps", 200, &list.body);
    let ids: Vec<i64> = list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [again["id"].as_i64().unwrap(), id]);
}

#[tokio::test]
async fn paths_outside_the_allowed_roots_are_refused_with_the_reason() {
    let s = sweeping("amber", 1 << 20).await;
    let table = [
        (
            json!({"root": "proxy", "path": "../secret.log"}),
            "'..' is not allowed",
        ),
        (
            json!({"root": "proxy", "path": "/etc/passwd"}),
            "an absolute path is not allowed",
        ),
        (
            json!({"root": "proxy", "path": "out.log"}),
            "leads outside the root through a symbolic link",
        ),
        (
            json!({"root": "proxy", "path": "nope.log"}),
            "proxy:nope.log: does not exist",
        ),
        (
            json!({"root": "etc", "path": "passwd"}),
            "no sweep root named \"etc\" is allowed (allowed: proxy)",
        ),
    ];
    for (src, why) in table {
        if cfg!(not(unix)) && why.contains("symbolic") {
            continue;
        }
        let r = s.start(json!([src])).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{src}: {}", r.text());
        let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(msg.contains(why), "{src}: {msg}");
        assert!(
            !msg.contains("/tmp"),
            "the root's directory is not shown: {msg}"
        );
    }
    let list =
        s.a.get(
            &format!("/api/v1/incidents/{}/sweeps", s.number),
            &s.a.handler,
        )
        .await
        .json();
    assert_eq!(list["items"], json!([]), "nothing was queued");

    // Viewers read but do not start sweeps.
    let r =
        s.a.post(
            &format!("/api/v1/incidents/{}/sweeps", s.number),
            &s.a.viewer,
            json!({"sources": [{"root": "proxy", "path": "squid/access.log"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An incident without indicators has nothing to sweep for.
    let bare =
        s.a.post(
            "/api/v1/incidents",
            &s.a.handler,
            json!({"title": "bare", "category": "scan"}),
        )
        .await
        .json();
    let r =
        s.a.post(
            &format!(
                "/api/v1/incidents/{}/sweeps",
                bare["number"].as_str().unwrap()
            ),
            &s.a.handler,
            json!({"sources": [{"root": "proxy", "path": "squid/access.log"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "nothing_to_sweep");
}

fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "hikeshi-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    child.wait_with_output().unwrap().stdout
}

fn dir_entries(p: &Path) -> usize {
    std::fs::read_dir(p).map_or(0, |d| d.count())
}

#[tokio::test]
async fn uploaded_logs_are_swept_and_removed_after_the_job() {
    let s = sweeping("amber", 64 * 1024).await;
    let upload = |files: &[(&str, &[u8])]| {
        let (ct, body) = multipart(files);
        Request::builder()
            .method("POST")
            .uri(format!("/api/v1/incidents/{}/sweeps", s.number))
            .header(header::AUTHORIZATION, format!("Bearer {}", s.a.handler))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let gz = gzip(LOG.as_bytes());
    let r =
        s.a.send(upload(&[
            ("C:\\logs\\access.log.gz", &gz),
            ("proxy 2.log", LOG.as_bytes()),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let job = r.json();
    assert_eq!(
        job["sources"],
        json!(["upload:access.log.gz", "upload:proxy_2.log"])
    );
    let done = s.wait(job["id"].as_i64().unwrap(), ended).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        done["bytes_total"],
        gz.len() + LOG.len(),
        "compressed files count as stored"
    );
    assert_eq!(done["hits"], 4);
    assert_eq!(done["new_sightings"], 4);
    let mut sources: Vec<String> = s
        .sightings()
        .await
        .iter()
        .map(|x| x["source"].as_str().unwrap().to_owned())
        .collect();
    sources.sort();
    sources.dedup();
    assert_eq!(sources, ["upload:access.log.gz", "upload:proxy_2.log"]);
    assert_eq!(
        dir_entries(&s.uploads),
        0,
        "uploads are deleted when the job ends"
    );

    // Over the limit: refused, nothing kept.
    let big = vec![b'x'; 100 * 1024];
    let r = s.a.send(upload(&[("big.log", &big)])).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert_eq!(dir_entries(&s.uploads), 0);
    let r = s.a.send(upload(&[])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
}

#[cfg(unix)]
#[tokio::test]
async fn a_long_sweep_is_cancelled_and_ends_cancelled() {
    let s = sweeping("amber", 1 << 20).await;
    // A log that never ends: a named pipe fed until the sweep closes it.
    let root = s._tmp.path().join("logs");
    let fifo = root.join("endless.log");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let feeder = fifo.clone();
    std::thread::spawn(move || {
        use std::io::Write;
        let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&feeder) else {
            return;
        };
        let line = b"1700000000.002    120 10.0.0.8 TCP_MISS/200 900 GET http://benign.example.org/ - HIER_DIRECT/198.51.100.9 text/html\n";
        while f.write_all(line).is_ok() {}
    });
    let job = s
        .start(json!([{"root": "proxy", "path": "endless.log"}]))
        .await
        .json();
    let id = job["id"].as_i64().unwrap();
    s.wait(id, |j| {
        j["state"] == "running" && j["bytes_done"].as_i64() > Some(0)
    })
    .await;
    let c =
        s.a.post(
            &format!("/api/v1/sweeps/{id}/cancel"),
            &s.a.handler,
            json!({}),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    check_response("POST", "/api/v1/sweeps/{job}/cancel", 200, &c.body);
    assert_eq!(c.json()["cancel_requested"], true);
    let end = s.wait(id, ended).await;
    assert_eq!(end["state"], "cancelled", "{end}");
    assert!(end["lines"].as_i64() > Some(0), "{end}");
    let again =
        s.a.post(
            &format!("/api/v1/sweeps/{id}/cancel"),
            &s.a.handler,
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
}

#[tokio::test]
async fn people_who_cannot_see_the_incident_get_404_for_its_sweeps() {
    let s = sweeping("red", 1 << 20).await;
    let job = s
        .start(json!([{"root": "proxy", "path": "squid/access.log"}]))
        .await;
    assert_eq!(job.status, StatusCode::ACCEPTED, "{}", job.text());
    let id = job.json()["id"].as_i64().unwrap();
    // The admin is not named on the TLP:RED incident.
    let outsider = &s.a.admin;
    let n = &s.number;
    for (method, path) in [
        ("GET", format!("/api/v1/sweeps/{id}")),
        ("POST", format!("/api/v1/sweeps/{id}/cancel")),
        ("GET", format!("/api/v1/incidents/{n}/sweeps")),
        ("POST", format!("/api/v1/incidents/{n}/sweeps")),
    ] {
        let body = (method == "POST")
            .then(|| json!({"sources": [{"root": "proxy", "path": "squid/access.log"}]}));
        let r = s.a.call(method, &path, Some(outsider), body).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            r.text()
        );
    }
    let done = s.wait(id, ended).await;
    assert_eq!(done["state"], "done");
}
