//! Nothing acknowledged is ever lost: reports stream in from several clients, the server is
//! killed with SIGKILL mid-stream, and after a restart every ticket that was handed out is
//! there with its content, and the audit chain is intact.

mod common;
use common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn a_server_killed_mid_stream_loses_no_acknowledged_report() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let token = stdout(&hikeshi(dir.path(), &["user", "token", "admin"]))
        .trim()
        .to_owned();
    let acked: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let stop_at = Instant::now() + Duration::from_secs(30);
    let mut clients = Vec::new();
    for c in 0..4 {
        let (url, token, acked) = (server.url("/api/v1/reports"), token.clone(), acked.clone());
        clients.push(std::thread::spawn(move || {
            let a = agent();
            let mut i = 0;
            // Bounded: at most 30 s or until the server is gone.
            while Instant::now() < stop_at {
                let body = format!("client {c} report {i}: 192.0.2.{}", i % 250);
                let res = a
                    .post(&url)
                    .header("Authorization", &format!("Bearer {token}"))
                    .send_json(json!({"body": body}));
                match res {
                    Ok(mut r) if r.status().as_u16() == 201 => {
                        let v: serde_json::Value = serde_json::from_str(
                            &r.body_mut().read_to_string().unwrap_or_default(),
                        )
                        .unwrap_or_default();
                        // Only a complete answer with a ticket counts as acknowledged.
                        if let Some(t) = v["id"].as_i64() {
                            acked.lock().unwrap().push((t, body));
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break, // the server is gone
                }
                i += 1;
            }
        }));
    }
    // Let the stream run, then kill the server in the middle of it.
    let t0 = Instant::now();
    while acked.lock().unwrap().len() < 40 && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill();
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 40,
        "the stream was running when the server was killed ({} acknowledged)",
        acked.len()
    );

    let again = Server::start(dir.path(), &[]);
    let a = agent();
    for (ticket, body) in &acked {
        let (s, r) = call(
            &a,
            "GET",
            &again.url(&format!("/api/v1/reports/{ticket}")),
            &token,
            None,
        );
        assert_eq!(
            s, 200,
            "acknowledged ticket {ticket} is missing after the crash"
        );
        assert_eq!(
            r["body"].as_str(),
            Some(body.as_str()),
            "ticket {ticket} has the wrong content"
        );
    }
    let v = hikeshi(dir.path(), &["audit", "verify"]);
    assert!(
        v.status.success(),
        "audit chain after the crash: {}",
        String::from_utf8_lossy(&v.stderr)
    );
}
