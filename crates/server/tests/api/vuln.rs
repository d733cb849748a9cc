//! Vulnerability response over the API: who an advisory affects, and the response incident.

use crate::harness::app;
use crate::schema::check_response;
use hikeshi_domain::{Actor, AssetRecord, Software};

fn host(
    name: &str,
    owner: &str,
    ecosystem: &str,
    release: Option<&str>,
    version: &str,
) -> AssetRecord {
    AssetRecord {
        name: name.into(),
        addresses: vec!["192.0.2.1".into()],
        owner: owner.into(),
        department: "IT".into(),
        criticality: "high".into(),
        location: String::new(),
        os: String::new(),
        software: vec![Software {
            name: "openssl".into(),
            version: version.into(),
            ecosystem: ecosystem.into(),
            release: release.map(Into::into),
        }],
    }
}

#[tokio::test]
async fn an_advisory_lists_affected_assets_and_opens_a_response_incident() {
    let a = app().await;
    let osv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vuln/tests/data/heartbleed/CVE-2014-0160.osv.json"
    ))
    .unwrap();
    a.store
        .put_advisory_doc(
            &Actor::System,
            "hb.json",
            "osv",
            &["CVE-2014-0160".into()],
            &osv,
        )
        .await
        .unwrap();
    a.store
        .upsert_assets(
            &Actor::System,
            &[
                host("web1", "Sato", "Debian", Some("7"), "1.0.1e-2+deb7u4"),
                host("web2", "Sato", "Debian", Some("7"), "1.0.1e-2+deb7u5"),
                host("vpn1", "Kato", "Generic", None, "1.0.1f"),
            ],
        )
        .await
        .unwrap();
    let r = a
        .get("/api/v1/advisories/CVE-2014-0160/affected", &a.viewer)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("GET", "/api/v1/advisories/{id}/affected", 200, &r.body);
    let mut hosts: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["asset"].as_str().unwrap().to_owned())
        .collect();
    hosts.sort();
    assert_eq!(hosts, ["vpn1", "web1"]);
    assert_eq!(
        a.get("/api/v1/advisories/CVE-1999-0001/affected", &a.viewer)
            .await
            .status,
        404
    );

    assert_eq!(
        a.post(
            "/api/v1/advisories/CVE-2014-0160/respond",
            &a.viewer,
            serde_json::json!({})
        )
        .await
        .status,
        403
    );
    let inc = a
        .call(
            "POST",
            "/api/v1/advisories/CVE-2014-0160/respond",
            Some(&a.handler),
            None,
        )
        .await;
    assert_eq!(inc.status, 201, "{}", inc.text());
    check_response("POST", "/api/v1/advisories/{id}/respond", 201, &inc.body);
    let inc = inc.json();
    assert_eq!(inc["rsit"]["type"], "vulnerable-system");
    let tasks = a
        .get(
            &format!(
                "/api/v1/incidents/{}/tasks",
                inc["number"].as_str().unwrap()
            ),
            &a.viewer,
        )
        .await
        .json();
    let titles: Vec<String> = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        titles.len(),
        8,
        "four playbook tasks for each of two owners: {titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Kato: patch") && t.ends_with("vpn1"))
    );
}

#[tokio::test]
async fn an_asset_lists_its_open_advisories_and_a_patch_closes_them_incrementally() {
    let a = app().await;
    let osv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vuln/tests/data/heartbleed/CVE-2014-0160.osv.json"
    ))
    .unwrap();
    // The inventory first, the advisory afterwards: the new advisory is matched against it.
    a.store
        .upsert_assets(
            &Actor::System,
            &[
                host("web1", "Sato", "Debian", Some("7"), "1.0.1e-2+deb7u4"),
                host("web2", "Sato", "Debian", Some("7"), "1.0.1e-2+deb7u5"),
            ],
        )
        .await
        .unwrap();
    let list = a.get("/api/v1/assets", &a.viewer).await;
    check_response("GET", "/api/v1/assets", 200, &list.body);
    assert_eq!(list.json()["items"][0]["open_advisories"], 0);
    a.store
        .put_advisory_doc(
            &Actor::System,
            "hb.json",
            "osv",
            &["CVE-2014-0160".into()],
            &osv,
        )
        .await
        .unwrap();
    let r = a.get("/api/v1/assets/web1", &a.viewer).await;
    check_response("GET", "/api/v1/assets/{name}", 200, &r.body);
    let open = r.json()["open_advisories"].clone();
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    assert_eq!(open[0]["package"], "openssl");
    assert_eq!(open[0]["fixed"], "1.0.1e-2+deb7u5");
    let r = a.get("/api/v1/assets/web2", &a.viewer).await.json();
    assert_eq!(
        r["open_advisories"].as_array().unwrap().len(),
        0,
        "already fixed"
    );
    assert!(a.store.rematch_queue().await.unwrap().is_empty());
    // web1 is patched: re-importing it re-matches just that asset, and the advisory closes.
    a.store
        .upsert_assets(
            &Actor::System,
            &[host("web1", "Sato", "Debian", Some("7"), "1.0.1e-2+deb7u5")],
        )
        .await
        .unwrap();
    let queued = a.store.rematch_queue().await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].kind.as_str(), queued[0].key.as_str()),
        ("asset", "web1")
    );
    let r = a.get("/api/v1/assets/web1", &a.viewer).await.json();
    assert_eq!(r["open_advisories"].as_array().unwrap().len(), 0);
    let aff = a
        .get("/api/v1/advisories/CVE-2014-0160/affected", &a.viewer)
        .await
        .json();
    assert_eq!(aff["items"].as_array().unwrap().len(), 0, "{aff}");
    assert_eq!(a.get("/api/v1/assets/nope", &a.viewer).await.status, 404);
}

#[tokio::test]
async fn the_advisory_page_groups_affected_assets_by_owner_and_opens_the_response() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let a = app().await;
    let osv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vuln/tests/data/heartbleed/CVE-2014-0160.osv.json"
    ))
    .unwrap();
    a.store
        .put_advisory_doc(
            &Actor::System,
            "hb.json",
            "osv",
            &["CVE-2014-0160".into()],
            &osv,
        )
        .await
        .unwrap();
    a.store
        .upsert_assets(
            &Actor::System,
            &[
                host("web1", "佐藤", "Debian", Some("7"), "1.0.1e-2+deb7u4"),
                host("vpn1", "加藤", "Generic", None, "1.0.1f"),
                host("web2", "佐藤", "Debian", Some("7"), "1.0.1e-2+deb7u5"),
            ],
        )
        .await
        .unwrap();
    let login = a.login("handler", crate::harness::PASSWORD).await;
    let cookie = crate::harness::cookie_of(&login, "hikeshi_session").unwrap();
    let get = |path: String| {
        Request::builder()
            .uri(path)
            .header(header::COOKIE, &cookie)
            .header(header::ACCEPT_LANGUAGE, "ja")
            .body(Body::empty())
            .unwrap()
    };
    let page = a.send(get("/advisories/CVE-2014-0160".into())).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("影響を受ける資産") && html.contains("佐藤") && html.contains("加藤"));
    assert!(
        html.contains("web1") && html.contains("vpn1") && !html.contains(">web2<"),
        "{html}"
    );
    assert!(html.contains("id=\"respond-form\""));
    let list = a.send(get("/assets".into())).await.text();
    assert!(list.contains("/assets/web1") && list.contains("class=\"affected\""));
    let one = a.send(get("/assets/vpn1".into())).await.text();
    assert!(
        one.contains("CVE-2014-0160") && one.contains("1.0.1f"),
        "{one}"
    );
    // The one action: a response incident with the playbook's tasks per owner.
    let me = a.send(get("/api/v1/me".into())).await.json();
    let r = a
        .send(
            Request::builder()
                .method("POST")
                .uri("/advisories/CVE-2014-0160/respond")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "csrf={}",
                    me["csrf_token"].as_str().unwrap()
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let to = r.header("location");
    assert!(to.starts_with("/incidents/HK-"), "{to}");
    let tasks = a
        .get(
            &format!(
                "/api/v1/incidents/{}/tasks",
                to.trim_start_matches("/incidents/")
            ),
            &a.viewer,
        )
        .await
        .json();
    assert_eq!(
        tasks["items"].as_array().unwrap().len(),
        8,
        "4 steps × 2 owners"
    );
}
