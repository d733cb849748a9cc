//! The infrastructure graph through the API and its page: neighbours across incidents, TLP
//! applied, bad node names refused.

use crate::harness::app;
use crate::schema::check_response;
use serde_json::Value;

fn ids(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_graph_expands_across_incidents_and_hides_red() {
    let a = app().await;
    let mut made = Vec::new();
    for (title, tlp, values) in [
        (
            "A",
            "amber",
            vec!["www.evil.example.org", "http://dl.evil.example.org/x.exe"],
        ),
        ("B", "green", vec!["www.evil.example.org"]),
        ("S", "red", vec!["secret.evil.example.org"]),
    ] {
        made.push(a.incident_with(title, tlp, &values).await);
    }
    let (a_inc, a_ind) = &made[0];
    let www = a_ind["items"][0]["id"].as_i64().unwrap();
    let secret = made[2].1["items"][0]["id"].as_i64().unwrap();

    let r = a
        .get(&format!("/api/v1/graph?node=i:{}", a_inc["id"]), &a.viewer)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("GET", "/api/v1/graph", 200, &r.body);
    let g = r.json();
    assert_eq!(g["center"]["group"], "incident");
    assert_eq!(
        g["center"]["href"],
        format!("/incidents/{}", a_inc["number"].as_str().unwrap())
    );
    assert_eq!(ids(&g).len(), 2, "{g}");

    // From the domain to the other incident holding it and to the shared registrable domain.
    let g = a
        .get(&format!("/api/v1/graph?node=d:{www}"), &a.viewer)
        .await
        .json();
    let got = ids(&g);
    assert!(got.contains(&format!("i:{}", made[1].0["id"])), "{got:?}");
    assert!(
        got.contains(&"k:registrable-domain:example.org".to_owned()),
        "{got:?}"
    );
    assert!(
        g["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["rel"].is_string()),
        "{g}"
    );

    // The shared key lists the siblings the viewer may see; the RED-only one only for the
    // people named on its incident (the admin created it).
    let key = "/api/v1/graph?node=k:registrable-domain:example.org";
    let for_viewer = ids(&a.get(key, &a.viewer).await.json());
    assert!(
        !for_viewer.contains(&format!("d:{secret}")),
        "{for_viewer:?}"
    );
    let for_admin = ids(&a.get(key, &a.admin).await.json());
    assert!(for_admin.contains(&format!("d:{secret}")), "{for_admin:?}");
    assert_eq!(
        a.get(&format!("/api/v1/graph?node=d:{secret}"), &a.viewer)
            .await
            .status,
        404
    );
    assert_eq!(
        a.get(
            &format!("/api/v1/graph?node=i:{}", made[2].0["id"]),
            &a.viewer
        )
        .await
        .status,
        404
    );

    for bad in ["x:1", "i:abc", "k:whois:example.org", ""] {
        let r = a.get(&format!("/api/v1/graph?node={bad}"), &a.viewer).await;
        assert_eq!(r.status, 400, "{bad:?}: {}", r.text());
        assert!(r.text().contains("i:ID"), "{}", r.text());
    }
    assert_eq!(a.get("/api/v1/graph", &a.viewer).await.status, 400);
    assert_eq!(a.get("/api/v1/graph?node=i:1", "").await.status, 401);

    // The page: the neighbours as a table of links that works without script.
    let page = a
        .get(&format!("/graph?node=d:{www}&lang=ja"), &a.viewer)
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("インフラストラクチャグラフ"), "{html}");
    assert!(
        html.contains("/graph?node=k%3Aregistrable-domain%3Aexample.org"),
        "{html}"
    );
    assert!(html.contains("/static/vendor/cytoscape.min.js"));
    assert!(!html.contains("secret.evil"), "RED leaked into the page");
    let js = a.get("/static/vendor/cytoscape.min.js", &a.viewer).await;
    assert_eq!(js.status, 200);
    assert!(js.text().contains("Cytoscape Consortium"));
    assert_eq!(a.get("/graph?node=nonsense", &a.viewer).await.status, 400);
}
