//! Facts about indicators through the API and the graph page: recorded in normal form by
//! handlers (not viewers), linking indicators across incidents in correlations and the graph,
//! refused with the reason when malformed, invisible to someone who may not see the indicator.

use crate::harness::{Browser, app};
use crate::schema::check_response;
use serde_json::json;

#[tokio::test]
async fn facts_are_recorded_shown_and_link_indicators_in_the_graph() {
    let a = app().await;
    let (inc_a, ia) = a.incident_with("A", "amber", &["198.51.100.7"]).await;
    let (_inc_b, ib) = a
        .incident_with("B", "green", &["login-check.example.org"])
        .await;
    let (_inc_r, ir) = a.incident_with("R", "red", &["secret.example.org"]).await;
    let x = ia["items"][0]["id"].as_i64().unwrap();
    let y = ib["items"][0]["id"].as_i64().unwrap();
    let z = ir["items"][0]["id"].as_i64().unwrap();

    let r = a
        .post(
            &format!("/api/v1/indicators/{x}/facts"),
            &a.handler,
            json!({"link": "asn", "value": "as64500"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    check_response("POST", "/api/v1/indicators/{id}/facts", 201, &r.body);
    assert_eq!(r.json()["value"], "AS64500");
    a.post(
        &format!("/api/v1/indicators/{y}/facts"),
        &a.handler,
        json!({"link": "asn", "value": "64500"}),
    )
    .await;
    // Refusals name what was wrong; viewers cannot write.
    for (body, status, want) in [
        (
            json!({"link": "network", "value": "198.51.100.0/24"}),
            400,
            "not a kind of fact",
        ),
        (json!({"link": "asn", "value": "AS-what"}), 422, "AS-what"),
    ] {
        let r = a
            .post(&format!("/api/v1/indicators/{x}/facts"), &a.handler, body)
            .await;
        assert_eq!(r.status, status, "{}", r.text());
        assert!(r.text().contains(want), "{}", r.text());
    }
    let r = a
        .post(
            &format!("/api/v1/indicators/{x}/facts"),
            &a.viewer,
            json!({"link": "malware", "value": "PlugX"}),
        )
        .await;
    assert_eq!(r.status, 403);

    let r = a
        .get(&format!("/api/v1/indicators/{y}/facts"), &a.viewer)
        .await;
    assert_eq!(r.status, 200);
    check_response("GET", "/api/v1/indicators/{id}/facts", 200, &r.body);
    assert_eq!(
        r.json()["items"],
        json!([{"link": "asn", "value": "AS64500"}])
    );

    // The shared AS joins the two in the graph.
    let g = a.get("/api/v1/graph?node=k:asn:AS64500", &a.viewer).await;
    assert_eq!(g.status, 200, "{}", g.text());
    let ids: Vec<String> = g.json()["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.contains(&format!("d:{x}")) && ids.contains(&format!("d:{y}")),
        "{ids:?}"
    );

    // The RED incident's indicator: the viewer may not see it, so neither its facts.
    let r = a
        .get(&format!("/api/v1/indicators/{z}/facts"), &a.viewer)
        .await;
    assert_eq!(r.status, 404);

    // The graph page of an indicator lists its facts with a form; the form records one.
    let b = Browser::login(&a, "handler").await;
    let page = b.get(&format!("/graph?node=d:{y}")).await.text();
    assert!(page.contains(r#"id="fact-form""#) && page.contains("AS64500"));
    let r = b
        .post(
            &format!("/indicators/{y}/facts"),
            &[("link", "registrant"), ("value", "Bad@Evil.Example")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), format!("/graph?node=d:{y}#facts"));
    let page = b.get(&format!("/graph?node=d:{y}")).await.text();
    assert!(
        page.contains("bad@evil.example") && page.contains("登録者"),
        "Japanese kind label"
    );
    let r = b
        .post(
            &format!("/indicators/{y}/facts/remove"),
            &[("link", "asn"), ("value", "AS64500")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = a
        .call(
            "DELETE",
            &format!("/api/v1/indicators/{y}/facts?link=registrant&value=bad%40evil.example"),
            Some(&a.handler),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(
        a.get(&format!("/api/v1/indicators/{y}/facts"), &a.viewer)
            .await
            .json()["items"],
        json!([])
    );
    // The incident page names the link kind of a weak link through a fact.
    a.post(
        &format!("/api/v1/indicators/{y}/facts"),
        &a.handler,
        json!({"link": "malware", "value": "PlugX"}),
    )
    .await;
    a.post(
        &format!("/api/v1/indicators/{x}/facts"),
        &a.handler,
        json!({"link": "malware", "value": "plugx"}),
    )
    .await;
    let page = b
        .get(&format!("/incidents/{}", inc_a["number"].as_str().unwrap()))
        .await
        .text();
    assert!(
        page.contains("同じマルウェアファミリー") || page.contains("PlugX"),
        "the weak link through the malware fact"
    );
    let viewer = Browser::login(&a, "viewer").await;
    assert!(
        !viewer
            .get(&format!("/graph?node=d:{y}"))
            .await
            .text()
            .contains(r#"id="fact-form""#)
    );
}
