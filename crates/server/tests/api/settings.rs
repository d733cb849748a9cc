//! Each user's language and display time zone: set through the settings page or the API,
//! checked against the tz database, and used for every date shown and read from forms.

use crate::harness::{Browser, app};
use crate::schema::check_response;
use serde_json::json;

#[tokio::test]
async fn dates_follow_the_users_zone_and_forms_are_read_in_it() {
    let a = app().await;
    let inc = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "時刻の確認", "category": "scan"}),
        )
        .await
        .json();
    let number = inc["number"].as_str().unwrap().to_owned();
    // 2026-07-01 00:00 UTC.
    let r = a
        .post(
            &format!("/api/v1/incidents/{number}/tasks"),
            &a.handler,
            json!({"title": "ログ保全", "due_at": "2026-07-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    let b = Browser::login(&a, "handler").await;
    // No choice yet: a Japanese page shows JST.
    let page = b.get(&format!("/incidents/{number}")).await.text();
    assert!(page.contains("2026-07-01 09:00 JST"), "JST by default");

    // The settings page: Europe/Paris (daylight saving time in July).
    let r = b
        .post(
            "/settings",
            &[
                ("lang", "ja"),
                ("time_zone", "Europe/Paris"),
                ("time_zone_other", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), "/settings?saved=1");
    let page = b.get(&format!("/incidents/{number}")).await.text();
    assert!(
        page.contains("2026-07-01 02:00 CEST"),
        "shown in Paris time"
    );
    assert!(!page.contains("2026-07-01 09:00 JST"));
    // (minijinja writes `/` in attributes as `&#x2f;`, which the browser reads back as `/`.)
    let settings = b.get("/settings").await.text().replace("&#x2f;", "/");
    assert!(settings.contains(r#"<option value="Europe/Paris" selected>"#));
    assert!(
        settings.contains("CET") || settings.contains("CEST"),
        "the time now, in the zone"
    );

    // A form's time is read in the zone the page showed it in.
    let form_page = b
        .get(&format!("/incidents/{number}"))
        .await
        .text()
        .replace("&#x2f;", "/");
    assert!(form_page.contains(r#"name="tz" value="Europe/Paris""#));
    let r = b
        .post(
            &format!("/incidents/{number}/task"),
            &[
                ("title", "封じ込め"),
                ("due", "2026-07-01T09:30"),
                ("tz", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let tasks = a
        .get(&format!("/api/v1/incidents/{number}/tasks"), &a.handler)
        .await
        .json();
    let due = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "封じ込め")
        .unwrap()["due_at"]
        .clone();
    assert_eq!(due, "2026-07-01T07:30:00.000Z", "09:30 CEST is 07:30 UTC");

    // A zone typed by hand; an unknown one is refused and nothing changes.
    let r = b
        .post(
            "/settings",
            &[
                ("lang", ""),
                ("time_zone", ""),
                ("time_zone_other", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(r.header("location"), "/settings?error=tz");
    let me = a.get("/api/v1/me", &a.handler).await.json();
    assert_eq!(
        (me["time_zone"].as_str(), me["lang"].as_str()),
        (Some("Europe/Paris"), Some("ja"))
    );

    // The API: PATCH /api/v1/me.
    let r = a
        .call(
            "PATCH",
            "/api/v1/me",
            Some(&a.handler),
            Some(json!({"time_zone": "America/New_York", "lang": "en"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("PATCH", "/api/v1/me", 200, &r.body);
    assert_eq!(r.json()["time_zone"], "America/New_York");
    let page = b.get(&format!("/incidents/{number}")).await.text();
    assert!(page.contains("2026-06-30 20:00 EDT"), "New York time");
    for (body, what) in [
        (json!({"time_zone": "JST"}), "time_zone"),
        (json!({"lang": "fr"}), "lang"),
    ] {
        let r = a
            .call("PATCH", "/api/v1/me", Some(&a.handler), Some(body))
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(what));
    }
    let r = a
        .call(
            "PATCH",
            "/api/v1/me",
            Some(&a.handler),
            Some(json!({"colour": "red"})),
        )
        .await;
    assert_eq!(r.status, 400);
    // Back to the default: JST on Japanese pages again.
    let r = a
        .call(
            "PATCH",
            "/api/v1/me",
            Some(&a.handler),
            Some(json!({"time_zone": ""})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        b.get(&format!("/incidents/{number}"))
            .await
            .text()
            .contains("2026-07-01 09:00 JST")
    );
    // Every change is audited.
    let trail = a.store.recent_audit(10_000).await.unwrap();
    let zones = trail
        .iter()
        .filter(|e| e.action == "user.time_zone")
        .count();
    assert_eq!(zones, 3, "Paris, New York, default");
}
