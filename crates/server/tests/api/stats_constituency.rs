//! Counts by constituency and coordinated cases (issue 9): the constituency edited through the
//! API and the incident page's form, a notification sent, then the same numbers in the summary
//! (JSON and CSV), on the statistics page and in the periodic report, in both languages.

use crate::harness::Browser;
use crate::notify::{contact, incident, notifying_app};
use crate::schema::check_response;
use hikeshi_domain::IncidentNumber;
use hikeshi_store::Viewer;
use serde_json::json;

#[tokio::test]
async fn constituencies_and_coordinated_cases_are_counted_everywhere() {
    let a = notifying_app().await;
    let (tokyo, _) = incident(&a, "phishing", "green", &[]).await;
    let (osaka, _) = incident(&a, "scan", "green", &[]).await;
    let (unknown, _) = incident(&a, "scan", "amber", &[]).await;

    // Through the API, trimmed; then through the incident page's classification form.
    let r = a
        .call(
            "PATCH",
            &format!("/api/v1/incidents/{tokyo}"),
            Some(&a.handler),
            Some(json!({"constituency": "  東京本社 "})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("PATCH", "/api/v1/incidents/{id}", 200, &r.body);
    assert_eq!(r.json()["constituency"], "東京本社");
    assert_eq!(r.json()["coordinated_at"], serde_json::Value::Null);
    let b = Browser::login(&a, "handler").await;
    let page = b.get(&format!("/incidents/{osaka}")).await.text();
    assert!(
        page.contains("id=\"constituency\""),
        "the form has the field"
    );
    assert!(page.contains("未（通知未送信）"), "not coordinated yet");
    let r = b
        .post(
            &format!("/incidents/{osaka}/edit"),
            &[("title", "Scan"), ("constituency", "=Osaka, branch")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let inc = a
        .get(&format!("/api/v1/incidents/{osaka}"), &a.viewer)
        .await;
    assert_eq!(inc.json()["constituency"], "=Osaka, branch");

    // Tokyo's incident is coordinated: its notification sent.
    let c = contact(&a, "abuse@hosting.example", "ja", "green").await;
    let r = a
        .post(
            &format!("/api/v1/incidents/{tokyo}/notifications"),
            &a.handler,
            json!({"contacts": [c]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let n: IncidentNumber = tokyo.parse().unwrap();
    let id = a
        .store
        .incident_by_number(Viewer::System, n)
        .await
        .unwrap()
        .id;
    let sent = a
        .store
        .incident_notifications(Viewer::System, id)
        .await
        .unwrap();
    a.store.mark_sent(sent[0].outbox_id).await.unwrap();
    let inc = a
        .get(&format!("/api/v1/incidents/{tokyo}"), &a.viewer)
        .await;
    assert!(inc.json()["coordinated_at"].is_string(), "{}", inc.text());

    let fy = hikeshi_domain::period::Period::containing_ms_jst(
        hikeshi_domain::period::PeriodKind::FiscalYear,
        hikeshi_domain::time::now_ms(),
    )
    .unwrap()
    .to_string();
    let r = a
        .get(&format!("/api/v1/stats/summary?period={fy}"), &a.viewer)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("GET", "/api/v1/stats/summary", 200, &r.body);
    let v = r.json();
    let counts = &v["counts"];
    assert_eq!(
        counts["by_constituency"],
        json!({"": 1, "=Osaka, branch": 1, "東京本社": 1})
    );
    assert_eq!(counts["coordinated"], 1);
    assert_eq!(
        counts["coordinated_by_constituency"],
        json!({"東京本社": 1})
    );
    assert_eq!(counts["coordinated_by_category"], json!({"phishing": 1}));
    assert_eq!(counts["reports_by_constituency"], json!({"": 3}));
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(
        months
            .iter()
            .map(|m| m["counts"]["coordinated"].as_i64().unwrap())
            .sum::<i64>(),
        1
    );
    let csv = a
        .get(
            &format!("/api/v1/stats/summary?period={fy}&format=csv"),
            &a.viewer,
        )
        .await
        .text();
    for line in [
        "total,coordinated,1\n",
        "constituency,東京本社,1\n",
        "constituency,\"'=Osaka, branch\",1\n",
        "coordinated_constituency,東京本社,1\n",
        "coordinated_category,phishing,1\n",
    ] {
        assert!(csv.contains(line), "{line} missing from {csv}");
    }

    for (lang, want) in [
        ("ja", ["コンスティチュエンシー別", "調整件数", "（不明）"]),
        (
            "en",
            ["By constituency", "Coordinated cases", "(not known)"],
        ),
    ] {
        let html = b.get(&format!("/stats?lang={lang}")).await.text();
        for w in want
            .iter()
            .chain(&["東京本社", "=Osaka, branch", "id=\"chart-constituency\""])
        {
            assert!(html.contains(w), "{w} missing from /stats?lang={lang}");
        }
        assert!(html.contains("<td id=\"coordinated-total\">1</td>"));
        let report = b.get(&format!("/stats/report?lang={lang}")).await.text();
        for w in want
            .iter()
            .chain(&["東京本社", "id=\"report-constituencies\""])
        {
            assert!(report.contains(w), "{w} missing from the {lang} report");
        }
    }
    let _ = unknown;
}
