//! Sharing end to end through the router: exports, TAXII 2.1, the MISP API, and the TLP matrix
//! that proves no path lets an item out above its audience's ceiling.

use crate::harness::{App, PASSWORD, app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use serde_json::{Value, json};

/// Values planted at each marking: one incident per level, each with its own indicator at the
/// incident's level, plus an AMBER incident carrying one RED and one AMBER+STRICT indicator.
const LEVELS: [(&str, &str); 5] = [
    ("clear", "clear-c2.example.com"),
    ("green", "green-c2.example.com"),
    ("amber", "amber-c2.example.com"),
    ("amber+strict", "strict-c2.example.com"),
    ("red", "red-c2.example.com"),
];
const RED_IN_AMBER: &str = "red-inside-amber.example.com";
const STRICT_IN_AMBER: &str = "strict-inside-amber.example.com";

async fn seed(a: &App) -> Vec<String> {
    let mut numbers = Vec::new();
    for (tlp, value) in LEVELS {
        let inc = a
            .post(
                "/api/v1/incidents",
                &a.handler,
                json!({"title": format!("{tlp} の事案"), "category": "malware-site", "tlp": tlp}),
            )
            .await;
        assert_eq!(inc.status, StatusCode::CREATED, "{}", inc.text());
        let id = inc.json()["id"].as_i64().unwrap();
        let mut items = vec![json!({"value": value, "tlp": tlp, "role": "c2"})];
        if tlp == "amber" {
            items.push(json!({"value": RED_IN_AMBER, "tlp": "red", "role": "c2"}));
            items.push(json!({"value": STRICT_IN_AMBER, "tlp": "amber+strict", "role": "payload"}));
        }
        let r = a
            .post(
                &format!("/api/v1/incidents/{id}/indicators"),
                &a.handler,
                json!({"items": items}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        numbers.push(inc.json()["number"].as_str().unwrap().to_owned());
    }
    numbers
}

fn rank(t: &str) -> usize {
    ["clear", "green", "amber", "amber+strict", "red"]
        .iter()
        .position(|x| *x == t)
        .unwrap()
}

/// Every planted value above `max` is absent from `text`, every one at or below it present
/// (when `expect_all`).
fn check(path: &str, max: &str, text: &str, expect_all: bool) {
    let m = rank(max);
    for (tlp, value) in LEVELS {
        let present = text.contains(value);
        if rank(tlp) > m {
            assert!(
                !present,
                "{path} with ceiling {max} leaked {tlp} value {value}"
            );
        } else if expect_all {
            assert!(
                present,
                "{path} with ceiling {max} lost {tlp} value {value}"
            );
        }
    }
    if m < rank("red") {
        assert!(
            !text.contains(RED_IN_AMBER),
            "{path} {max}: RED indicator leaked"
        );
    }
    if m < rank("amber+strict") {
        assert!(
            !text.contains(STRICT_IN_AMBER),
            "{path} {max}: AMBER+STRICT indicator leaked"
        );
    }
}

#[tokio::test]
async fn every_export_path_respects_the_tlp_ceiling() {
    let a = app().await;
    seed(&a).await;
    for max in ["clear", "green", "amber", "amber+strict", "red"] {
        for format in ["stix", "misp", "csv", "text"] {
            let r = a
                .get(
                    &format!(
                        "/api/v1/export?format={format}&tlp_max={}",
                        max.replace('+', "%2B")
                    ),
                    // The handler created every incident, so is named on the RED one.
                    &a.handler,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{format} {max}: {}", r.text());
            // Text and CSV carry defanged or plain values; compare refanged text.
            let text = r.text().replace("[.]", ".");
            check(&format!("export {format}"), max, &text, true);
        }
    }
    // Without tlp_max nothing above AMBER leaves.
    let r = a.get("/api/v1/export?format=stix", &a.handler).await;
    check("export default", "amber", &r.text(), true);
    assert_eq!(
        r.header("content-type"),
        "application/stix+json;version=2.1"
    );
    assert!(r.header("x-hikeshi-withheld").parse::<usize>().unwrap() >= 4);
}

#[tokio::test]
async fn a_viewer_exports_only_what_they_may_see() {
    let a = app().await;
    seed(&a).await;
    // The RED incident is the handler's; the viewer is not named on it.
    let r = a
        .get("/api/v1/export?format=csv&tlp_max=red", &a.viewer)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("red-c2.example.com"), "{}", r.text());
    assert!(r.text().contains("strict-c2.example.com"));
}

fn basic(user: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
    )
}

async fn taxii(
    a: &App,
    method: &str,
    path: &str,
    auth: &str,
    body: Option<Value>,
) -> crate::harness::Resp {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ACCEPT, "application/taxii+json;version=2.1")
        .header(header::AUTHORIZATION, auth);
    let body = match body {
        Some(v) => {
            b = b.header(header::CONTENT_TYPE, "application/taxii+json;version=2.1");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    a.send(b.body(body).unwrap()).await
}

#[tokio::test]
async fn taxii_collections_hold_nothing_above_their_ceiling() {
    let a = app().await;
    let numbers = seed(&a).await;
    let g = a
        .post(
            "/api/v1/sharing-groups",
            &a.admin,
            json!({"name": "地域 ISAC", "tlp_max": "green"}),
        )
        .await;
    assert_eq!(g.status, StatusCode::CREATED, "{}", g.text());
    crate::schema::check_response("POST", "/api/v1/sharing-groups", 201, &g.body);
    let gl = a.get("/api/v1/sharing-groups", &a.admin).await;
    crate::schema::check_response("GET", "/api/v1/sharing-groups", 200, &gl.body);
    let coll = g.json()["uuid"].as_str().unwrap().to_owned();
    let m = a
        .call(
            "PUT",
            "/api/v1/sharing-groups/1/members",
            Some(&a.admin),
            Some(json!({"user": "viewer", "read": true, "write": false})),
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text());
    let p = a
        .post(
            "/api/v1/sharing-groups/1/publish",
            &a.handler,
            json!({"incident": numbers[0]}),
        )
        .await;
    assert_eq!(
        p.status,
        StatusCode::FORBIDDEN,
        "the handler is not a member yet"
    );
    let m = a
        .call(
            "PUT",
            "/api/v1/sharing-groups/1/members",
            Some(&a.admin),
            Some(json!({"user": "handler", "read": false, "write": true})),
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text());
    for n in &numbers {
        let p = a
            .post(
                "/api/v1/sharing-groups/1/publish",
                &a.handler,
                json!({"incident": n}),
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text());
        crate::schema::check_response("POST", "/api/v1/sharing-groups/{id}/publish", 200, &p.body);
    }

    // No credentials: 401 with a Basic challenge and a TAXII error body.
    let r = a
        .send(
            Request::builder()
                .uri("/taxii2/")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("www-authenticate").starts_with("Basic"));
    assert_eq!(r.json()["http_status"], "401");
    // Basic with the password, and with a token as the password.
    let viewer = basic("viewer", PASSWORD);
    let d = taxii(&a, "GET", "/taxii2/", &viewer, None).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
    assert_eq!(
        d.header("content-type"),
        "application/taxii+json;version=2.1"
    );
    assert!(
        d.json()["api_roots"][0]
            .as_str()
            .unwrap()
            .ends_with("/taxii2/root/")
    );
    assert_eq!(
        taxii(&a, "GET", "/taxii2/", &basic("viewer", "wrong"), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        taxii(
            &a,
            "GET",
            "/taxii2/root/",
            &basic("viewer", &a.viewer),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    let cs = taxii(&a, "GET", "/taxii2/root/collections/", &viewer, None)
        .await
        .json();
    assert_eq!(cs["collections"][0]["id"], coll);
    assert_eq!(cs["collections"][0]["can_write"], false);
    // The handler may write but not read.
    let hc = taxii(
        &a,
        "GET",
        &format!("/taxii2/root/collections/{coll}/objects/"),
        &basic("handler", PASSWORD),
        None,
    )
    .await;
    assert_eq!(hc.status, StatusCode::FORBIDDEN, "{}", hc.text());

    // Page through with limit and next; every object within the ceiling.
    let mut next: Option<String> = None;
    let mut all = String::new();
    let mut pages = 0;
    loop {
        let q = match &next {
            Some(n) => format!("?limit=3&next={n}"),
            None => "?limit=3".into(),
        };
        let r = taxii(
            &a,
            "GET",
            &format!("/taxii2/root/collections/{coll}/objects/{q}"),
            &viewer,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(!r.header("x-taxii-date-added-first").is_empty());
        let env = r.json();
        all.push_str(&env.to_string());
        pages += 1;
        if env["more"] == true {
            next = Some(env["next"].as_str().unwrap().to_owned());
        } else {
            break;
        }
    }
    assert!(pages > 1);
    check("taxii objects", "green", &all, true);
    assert!(
        !all.contains("e828b379-4e03-4974-9ac4-e53a884c97c1"),
        "no TLP:RED marking"
    );
    assert!(
        !all.contains("55d920b0-5e8b-4f79-9ee9-91f868d9b421"),
        "no TLP:AMBER marking"
    );

    // Manifest and a single object's versions.
    let man = taxii(
        &a,
        "GET",
        &format!("/taxii2/root/collections/{coll}/manifest/"),
        &viewer,
        None,
    )
    .await
    .json();
    let first = man["objects"][0]["id"].as_str().unwrap().to_owned();
    let v = taxii(
        &a,
        "GET",
        &format!("/taxii2/root/collections/{coll}/objects/{first}/versions/"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text());
    assert_eq!(v.json()["versions"].as_array().unwrap().len(), 1);

    // The viewer may not write; an admin may, and a RED object is refused in the status.
    let env = json!({"objects": [
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[domain-name:value = 'pushed-green.example.com']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0d3b7c7e-3a57-4d6e-9d50-4b0b7e2ef0a1",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[domain-name:value = 'pushed-red.example.com']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]},
        {"type": "indicator", "id": "not-an-id"}
    ]});
    let objects = format!("/taxii2/root/collections/{coll}/objects/");
    assert_eq!(
        taxii(&a, "POST", &objects, &viewer, Some(env.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let st = taxii(&a, "POST", &objects, &basic("admin", &a.admin), Some(env)).await;
    assert_eq!(st.status, StatusCode::ACCEPTED, "{}", st.text());
    let st = st.json();
    assert_eq!(st["status"], "complete");
    assert_eq!(st["total_count"], 3);
    assert_eq!(st["success_count"], 1);
    assert_eq!(st["failure_count"], 2);
    assert!(st["failures"].to_string().contains("TLP:RED"));
    let again = taxii(
        &a,
        "GET",
        &format!("/taxii2/root/status/{}/", st["id"].as_str().unwrap()),
        &basic("admin", &a.admin),
        None,
    )
    .await;
    assert_eq!(again.json()["id"], st["id"]);
    let got = taxii(
        &a,
        "GET",
        &format!("{objects}?match[type]=indicator&added_after=2000-01-01T00:00:00Z"),
        &viewer,
        None,
    )
    .await
    .text();
    assert!(got.contains("pushed-green.example.com"));
    assert!(!got.contains("pushed-red.example.com"));
    // Wrong media type and a malformed envelope are clear 4xx errors.
    let bad = a
        .send(
            Request::builder()
                .method("POST")
                .uri(&objects)
                .header(header::AUTHORIZATION, basic("admin", &a.admin))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let bad = a
        .send(
            Request::builder()
                .method("POST")
                .uri(&objects)
                .header(header::AUTHORIZATION, basic("admin", &a.admin))
                .header(header::CONTENT_TYPE, "application/taxii+json;version=2.1")
                .body(Body::from("{\"objects\": [1,"))
                .unwrap(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.json()["description"]
            .as_str()
            .unwrap()
            .contains("line 1")
    );
    // Session cookies are not TAXII credentials.
    let login = a.login("viewer", PASSWORD).await;
    let cookie = crate::harness::cookie_of(&login, "hikeshi_session").unwrap();
    let r = a
        .send(
            Request::builder()
                .uri("/taxii2/")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The MISP API serves the same group's events, within the ceiling, to members only.
    let misp = |token: &str, method: &str, path: &str, body: Option<Value>| {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, token.to_owned())
            .header(header::ACCEPT, "application/json");
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        b.body(body).unwrap()
    };
    let s = a
        .send(misp(
            &a.viewer,
            "POST",
            "/misp/events/restSearch",
            Some(json!({"returnFormat": "json"})),
        ))
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text());
    let text = s.text();
    check("misp restSearch", "green", &text, true);
    let s = a
        .send(misp(
            &a.handler,
            "POST",
            "/misp/events/restSearch",
            Some(json!({})),
        ))
        .await;
    assert_eq!(
        s.json()["response"].as_array().unwrap().len(),
        0,
        "may write, not read"
    );
    assert_eq!(
        a.send(misp("nonsense", "GET", "/misp/servers/getVersion", None))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_imported_bundle_links_its_indicators_to_the_source() {
    let a = app().await;
    let numbers = seed(&a).await;
    let bundle = json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[domain-name:value = 'green-c2.example.com'] OR [ipv4-addr:value = '198.51.100.1']",
         "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"type": "x-acme-thing", "spec_version": "2.1", "id": "x-acme-thing--0b9c0e4e-8d5b-4a8b-9c53-0b0e0e0e0e0e",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--9d3a1a5e-0d2b-4c55-8f47-6d0c8f1c5a11",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[domain-name:value = ", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}
    ]});
    let r = a
        .send(
            Request::builder()
                .method("POST")
                .uri("/api/v1/import?format=stix")
                .header(header::AUTHORIZATION, format!("Bearer {}", a.handler))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(bundle.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    crate::schema::check_response("POST", "/api/v1/import", 200, &r.body);
    let j = r.json();
    assert_eq!(j["indicators"], 2);
    assert_eq!(j["kept"], 1, "the unknown object is kept, not dropped");
    let stored = a
        .store
        .kept_objects(j["source"].as_str().unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].object_type, "x-acme-thing");
    assert!(stored[0].body.contains("x-acme-thing--0b9c0e4e"));
    assert_eq!(
        j["rejected"][0]["object"],
        "indicator--9d3a1a5e-0d2b-4c55-8f47-6d0c8f1c5a11"
    );
    // The GREEN incident's indicator now says where else it came from.
    let l = a
        .get(
            &format!("/api/v1/incidents/{}/indicators", numbers[1]),
            &a.viewer,
        )
        .await;
    crate::schema::check_response("GET", "/api/v1/incidents/{id}/indicators", 200, &l.body);
    let sources = l.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["value"] == "green-c2.example.com")
        .unwrap()["correlations"]["sources"]
        .clone();
    assert_eq!(sources[0]["tlp"], "green", "{sources}");
    assert!(
        sources[0]["source"]
            .as_str()
            .unwrap()
            .starts_with("import:stix")
    );
    // A viewer may not import.
    let r = a
        .post("/api/v1/import?format=stix", &a.viewer, bundle)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_huge_envelope_is_a_taxii_413_that_names_the_limit() {
    let a = crate::harness::app_with(hikeshi_server::ServerConfig {
        max_body_bytes: 4096,
        ..Default::default()
    })
    .await;
    let g = a
        .post(
            "/api/v1/sharing-groups",
            &a.admin,
            json!({"name": "small", "tlp_max": "amber"}),
        )
        .await
        .json();
    let big = json!({"objects": [{"type": "x-big", "id": "x-big--1", "pad": "x".repeat(10_000)}]});
    let r = taxii(
        &a,
        "POST",
        &format!(
            "/taxii2/root/collections/{}/objects/",
            g["uuid"].as_str().unwrap()
        ),
        &basic("admin", &a.admin),
        Some(big),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        "application/taxii+json;version=2.1"
    );
    assert!(r.json()["description"].as_str().unwrap().contains("4096"));
}
