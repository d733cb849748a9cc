//! Search through the API and its page: indicators found as pasted (defanged, full-width), by
//! registrable domain, with TLP applied; saved filters kept per user, and the save form needs
//! its CSRF token.

use crate::harness::{App, Browser, app};
use crate::schema::check_response;
use axum::body::Body;
use axum::http::{Request, header};
use serde_json::{Value, json};

fn values(r: &Value) -> Vec<(String, String)> {
    r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["value"].as_str().unwrap().to_owned(),
                d["matched"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn titles(r: &Value) -> Vec<&str> {
    r["incidents"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect()
}

async fn search(a: &App, token: &str, q: &str) -> Value {
    let path = format!(
        "/api/v1/search?q={}",
        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    let r = a.get(&path, token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("GET", "/api/v1/search", 200, &r.body);
    r.json()
}

#[tokio::test]
async fn search_finds_indicators_as_pasted_and_respects_tlp() {
    let a = app().await;
    let (open, _) = a
        .incident_with(
            "C2 beacon",
            "green",
            &[
                "c2.evil-search.example.com",
                "http://dl.evil-search.example.com/x.exe",
            ],
        )
        .await;
    a.incident_with("Secret case", "red", &["hidden.evil-search.example.com"])
        .await;

    // Defanged and full-width: the incident holding it, the indicator, its graph link.
    for q in [
        "c2[.]evil-search[.]example[.]com",
        "ｃ２．ｅｖｉｌ－ｓｅａｒｃｈ．ｅｘａｍｐｌｅ．ｃｏｍ",
    ] {
        let r = search(&a, &a.viewer, q).await;
        assert_eq!(titles(&r), ["C2 beacon"], "{q}");
        assert_eq!(r["incidents"]["total"], 1);
        assert_eq!(
            values(&r),
            [
                ("c2.evil-search.example.com".into(), "exact".into()),
                (
                    "http://dl.evil-search.example.com/x.exe".into(),
                    "domain".into()
                ),
            ],
            "{q}"
        );
        let d = &r["indicators"][0];
        assert_eq!(d["incidents"], 1);
        assert_eq!(d["defanged"], "c2[.]evil-search[.]example[.]com");
        assert_eq!(d["graph"], format!("/graph?node=d:{}", d["id"]));
    }
    // By registrable domain: the viewer is not named on the red incident and does not see its
    // indicator; the admin who created it does.
    let r = search(&a, &a.viewer, "evil-search.example.com").await;
    assert_eq!(r["indicators"].as_array().unwrap().len(), 2, "{r}");
    assert!(!r.to_string().contains("hidden"), "{r}");
    let r = search(&a, &a.viewer, "hxxp://hidden[.]evil-search[.]example[.]com").await;
    assert!(
        titles(&r).is_empty() && !r.to_string().contains("hidden.evil"),
        "{r}"
    );
    let r = search(&a, &a.admin, "hidden[.]evil-search[.]example[.]com").await;
    assert_eq!(titles(&r), ["Secret case"]);
    assert_eq!(
        values(&r)[0],
        ("hidden.evil-search.example.com".into(), "exact".into())
    );
    // A prefix, and text in the title.
    let r = search(&a, &a.handler, "http://dl.evil-search").await;
    assert_eq!(values(&r)[0].1, "prefix");
    assert_eq!(
        titles(&search(&a, &a.handler, "beacon").await),
        ["C2 beacon"]
    );
    assert_eq!(
        search(&a, &a.handler, "beacon").await["incidents"]["href"],
        "/incidents?q=beacon"
    );
    // The full list the section links to finds the same incident.
    let r = a
        .get(
            "/api/v1/incidents?q=c2%5B.%5Devil-search%5B.%5Dexample%5B.%5Dcom",
            &a.viewer,
        )
        .await
        .json();
    assert_eq!(r["items"][0]["id"], open["id"]);
    // No query is a clear error; no token, no search.
    assert_eq!(a.get("/api/v1/search?q=%20", &a.viewer).await.status, 400);
    assert_eq!(
        a.call("GET", "/api/v1/search?q=x", None, None).await.status,
        401
    );

    // The page shows the three sections, with the query in the header's box.
    let b = Browser::login(&a, "viewer").await;
    let page = b
        .get("/search?q=c2%5B.%5Devil-search%5B.%5Dexample%5B.%5Dcom")
        .await;
    assert_eq!(page.status, 200);
    // minijinja escapes '/' in attribute values.
    let html = page.text().replace("&#x2f;", "/");
    for needle in [
        "id=\"search-incidents\"",
        "id=\"search-reports\"",
        "id=\"search-indicators\"",
        "C2 beacon",
        "c2[.]evil-search[.]example[.]com",
        "/graph?node=d:",
        "value=\"c2[.]evil-search[.]example[.]com\"",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    assert!(!html.contains("hidden[.]evil") && !html.contains("Secret case"));
}

#[tokio::test]
async fn saved_filters_are_kept_per_user_and_the_form_needs_csrf() {
    let a = app().await;
    let r = a
        .post(
            "/api/v1/saved-filters",
            &a.handler,
            json!({"name": "朝の確認", "scope": "incidents", "query": "open=1&q=evil"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    check_response("POST", "/api/v1/saved-filters", 201, &r.body);
    let mine = r.json();
    assert_eq!(mine["href"], "/incidents?open=1&q=evil");
    let again = a
        .post(
            "/api/v1/saved-filters",
            &a.handler,
            json!({"name": "朝の確認", "scope": "incidents", "query": "q=x"}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text());
    let bad = a
        .post(
            "/api/v1/saved-filters",
            &a.handler,
            json!({"name": "x", "scope": "tasks"}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());

    // Another user neither lists nor deletes it.
    let theirs = a.get("/api/v1/saved-filters", &a.viewer).await;
    check_response("GET", "/api/v1/saved-filters", 200, &theirs.body);
    assert_eq!(theirs.json()["items"], json!([]));
    let path = format!("/api/v1/saved-filters/{}", mine["id"]);
    assert_eq!(
        a.call("DELETE", &path, Some(&a.viewer), None).await.status,
        404
    );
    let list = a
        .get("/api/v1/saved-filters?scope=incidents", &a.handler)
        .await
        .json();
    assert_eq!(list["items"][0]["name"], "朝の確認");
    assert_eq!(
        a.call("DELETE", &path, Some(&a.handler), None).await.status,
        204
    );
    assert_eq!(
        a.get("/api/v1/saved-filters", &a.handler).await.json()["items"],
        json!([])
    );

    // The form on the incident list saves the page's query (not its page number) and lists it.
    let b = Browser::login(&a, "handler").await;
    let page = b.get("/incidents?open=1&q=evil&page=2").await.text();
    assert!(
        page.contains("name=\"query\" value=\"open=1&amp;q=evil\""),
        "{page}"
    );
    let saved = b
        .post(
            "/saved-filters",
            &[
                ("name", "open evil"),
                ("scope", "incidents"),
                ("query", "open=1&q=evil"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(saved.header("location"), "/incidents?open=1&q=evil");
    let page = b.get("/incidents").await.text().replace("&#x2f;", "/");
    assert!(
        page.contains("href=\"/incidents?open=1&amp;q=evil\">open evil</a>"),
        "{page}"
    );
    let id = a.get("/api/v1/saved-filters", &a.handler).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    // Without the CSRF token the form is refused, and nothing is saved or deleted.
    for (uri, body) in [
        (
            "/saved-filters".to_owned(),
            "name=x&scope=search&query=q%3Dx",
        ),
        (format!("/saved-filters/{id}/delete"), "scope=incidents"),
    ] {
        let r = a
            .send(
                Request::builder()
                    .method("POST")
                    .uri(uri)
                    .header(header::COOKIE, &b.cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 403);
    }
    assert_eq!(
        a.get("/api/v1/saved-filters", &a.handler).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The viewer's form cannot delete the handler's filter; the handler's can.
    let v = Browser::login(&a, "viewer").await;
    let r = v
        .post(
            &format!("/saved-filters/{id}/delete"),
            &[("scope", "incidents")],
        )
        .await;
    assert_eq!(r.status, 404);
    let r = b
        .post(
            &format!("/saved-filters/{id}/delete"),
            &[("scope", "incidents")],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.header("location")),
        (303, "/incidents".into())
    );
    assert_eq!(
        a.get("/api/v1/saved-filters", &a.handler).await.json()["items"],
        json!([])
    );
}
