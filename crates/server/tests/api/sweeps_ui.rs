//! The incident page's "Sweep logs" section: start over an allowed root, cancel from a job's
//! row, the jobs and sightings shown (defanged), refusals and CSRF.

use crate::harness::Browser;
use crate::sweeps::{ended, sweeping_idle};
use axum::body::Body;
use axum::http::{Request, header};

#[tokio::test]
async fn the_incident_page_starts_lists_and_cancels_sweeps() {
    let s = sweeping_idle("amber", 1 << 20).await;
    let b = Browser::login(&s.a, "handler").await;
    let n = &s.number;
    let page = b.get(&format!("/incidents/{n}")).await.text();
    assert!(
        page.contains("id=\"sweeps\"") && page.contains("ログのスイープ"),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"proxy\">proxy</option>"),
        "the allowed root is offered"
    );
    assert!(
        page.contains("data-sweep-upload"),
        "the upload form is there"
    );
    assert!(!page.contains("<script>"), "no inline script");

    let url = format!("/incidents/{n}/sweeps");
    let start = |path: &'static str| {
        let url = url.clone();
        let b = &b;
        async move { b.post(&url, &[("root", "proxy"), ("path", path)]).await }
    };
    let r = start("squid/access.log").await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), format!("/incidents/{n}#sweeps"));
    assert_eq!(start(".").await.status, 303);
    let list =
        s.a.get(&format!("/api/v1/incidents/{n}/sweeps"), &s.a.handler)
            .await
            .json();
    let (second, first) = (
        list["items"][0]["id"].as_i64().unwrap(),
        list["items"][1]["id"].as_i64().unwrap(),
    );
    let page = b.get(&format!("/incidents/{n}")).await.text();
    assert!(
        page.contains(&format!("action=\"/sweeps/{second}/cancel\"")),
        "queued jobs can be cancelled"
    );

    // Cancelled from its row while queued: it never runs.
    let c = b.post(&format!("/sweeps/{second}/cancel"), &[]).await;
    assert_eq!(c.status, 303, "{}", c.text());
    s.start_runner();
    let done = s.wait(first, ended).await;
    assert_eq!(done["state"], "done");
    let page = b.get(&format!("/incidents/{n}")).await.text();
    assert!(
        page.contains(&format!("data-job=\"{first}\" data-state=\"done\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("data-job=\"{second}\" data-state=\"cancelled\"")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("action=\"/sweeps/{second}/cancel\"")),
        "ended jobs have no cancel button"
    );
    // (minijinja escapes '/' in HTML text.)
    assert!(
        page.contains("<code>proxy:squid&#x2f;access.log</code>"),
        "{page}"
    );
    assert!(
        page.contains("<code>proxy:squid&#x2f;access.log:1</code>"),
        "the sighting's line"
    );
    assert!(
        page.contains("evil[.]example[.]net"),
        "sightings are shown defanged"
    );
    assert!(!page.contains("<code>evil.example.net</code>"));
    assert!(
        page.contains("href=\"/assets/pc-7\""),
        "linked to the asset"
    );

    // A refused path comes back with its reason; without the CSRF token nothing starts.
    let bad = start("../secret.log").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.text().contains("is not allowed in a path"),
        "{}",
        bad.text()
    );
    let no_csrf =
        s.a.send(
            Request::builder()
                .method("POST")
                .uri(format!("/incidents/{n}/sweeps"))
                .header(header::COOKIE, &b.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("root=proxy&path=squid%2Faccess.log"))
                .unwrap(),
        )
        .await;
    assert_eq!(no_csrf.status, 403);
    let list =
        s.a.get(&format!("/api/v1/incidents/{n}/sweeps"), &s.a.handler)
            .await
            .json();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "nothing more was queued"
    );
}
