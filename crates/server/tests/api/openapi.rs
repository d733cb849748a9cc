//! openapi.json says what the server does: every documented operation is routed, every routed
//! API operation is documented, and nothing in /api answers without credentials.

use crate::harness::app;
use crate::schema::doc;
use serde_json::Value;

fn documented() -> Vec<(String, String)> {
    let d = doc();
    let mut ops = Vec::new();
    for (path, item) in d["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.push((method.to_uppercase(), path.clone()));
        }
    }
    ops.sort();
    ops
}

/// The API routes as the source declares them: `.route("/api/v1/…", get(x).post(y))`, however
/// rustfmt has wrapped the call.
fn routed() -> Vec<(String, String)> {
    let mut ops = Vec::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    for entry in std::fs::read_dir(dir).unwrap() {
        let src = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for chunk in src.split(".route(").skip(1) {
            // The call's arguments: up to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let end = chunk
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(chunk.len(), |(i, _)| i);
            let call = &chunk[..end];
            let path = call.split('"').nth(1).unwrap();
            let handlers = call.splitn(3, '"').nth(2).unwrap();
            for m in ["get", "post", "patch", "delete", "put"] {
                if handlers.contains(&format!("{m}(")) {
                    ops.push((m.to_uppercase(), path.to_owned()));
                }
            }
        }
    }
    ops.sort();
    ops
}

#[test]
fn every_routed_api_operation_is_documented_and_every_documented_one_is_routed() {
    assert_eq!(routed(), documented());
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{attachment}", "1")
        .replace("{indicator}", "999999")
}

#[tokio::test]
async fn every_documented_operation_answers_and_none_but_health_without_credentials() {
    let a = app().await;
    for (method, path) in documented() {
        let body = (method != "GET" && method != "DELETE").then(|| serde_json::json!({}));
        // Without credentials: refused (only /health is public).
        let anon = a.call(&method, &concrete(&path), None, body.clone()).await;
        if path == "/health" {
            assert_eq!(anon.status, 200);
            continue;
        }
        assert_eq!(
            anon.status, 401,
            "{method} {path} must refuse anonymous callers"
        );
        // With credentials: the route exists (a JSON answer, not the router's own 404/405).
        let r = a
            .call(&method, &concrete(&path), Some(&a.admin), body)
            .await;
        assert_ne!(r.status, 405, "{method} {path} is not routed");
        let json: Value = serde_json::from_slice(&r.body)
            .unwrap_or_else(|_| panic!("{method} {path}: {} {}", r.status, r.text()));
        if r.status == 404 {
            assert_eq!(json["error"]["code"], "not_found", "{method} {path}");
            assert_ne!(json["error"]["message"], "no such page");
        }
        crate::schema::check_response(&method, &path, r.status.as_u16(), &r.body);
    }
}
