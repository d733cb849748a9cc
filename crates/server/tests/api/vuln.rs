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
