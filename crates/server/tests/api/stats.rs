//! Statistics over the API: our own counts per period (exercises apart) and the national series.

use crate::harness::app;
use crate::schema::check_response;
use hikeshi_domain::Actor;
use serde_json::json;

#[tokio::test]
async fn a_period_counts_reports_and_incidents_by_category_and_keeps_exercises_apart() {
    let a = app().await;
    for body in ["one", "two", "three"] {
        a.post("/api/v1/reports", &a.handler, json!({"body": body}))
            .await;
    }
    for (cat, exercise) in [
        ("phishing", false),
        ("phishing", false),
        ("scan", false),
        ("dos", true),
    ] {
        let r = a
            .post(
                "/api/v1/incidents",
                &a.handler,
                json!({"title": "t", "category": cat, "exercise": exercise}),
            )
            .await;
        assert_eq!(r.status, 201);
    }
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
    let c = &r.json()["counts"];
    assert_eq!(
        (
            c["reports"].as_i64(),
            c["incidents"].as_i64(),
            c["exercises"].as_i64()
        ),
        (Some(3), Some(3), Some(1))
    );
    assert_eq!(c["by_category"], json!({"phishing": 2, "scan": 1}));
    let csv = a
        .get(
            &format!("/api/v1/stats/summary?period={fy}&format=csv"),
            &a.viewer,
        )
        .await
        .text();
    assert!(
        csv.contains("category,phishing,2\n") && csv.contains("total,exercises,1\n"),
        "{csv}"
    );
    assert_eq!(
        a.get("/api/v1/stats/summary?period=FY15", &a.viewer)
            .await
            .status,
        400
    );
    let empty = a
        .get("/api/v1/stats/summary?period=FY2001", &a.viewer)
        .await
        .json();
    assert_eq!(empty["counts"]["incidents"], 0);
}

#[tokio::test]
async fn the_national_series_are_summed_per_period() {
    let a = app().await;
    assert_eq!(
        a.get("/api/v1/stats/national?period=FY2015", &a.viewer)
            .await
            .status,
        404
    );
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../exchange/tests/data/jpcert");
    for f in std::fs::read_dir(dir).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "csv") {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            a.store
                .put_national_file(&Actor::System, &name, &std::fs::read_to_string(&p).unwrap())
                .await
                .unwrap();
        }
    }
    let r = a
        .get("/api/v1/stats/national?period=FY2015", &a.viewer)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["totals"]["reports"], 17342);
    let csv = a
        .get(
            "/api/v1/stats/national?period=2015-04&format=csv",
            &a.viewer,
        )
        .await;
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(csv.text().contains("reports,2098,1,"));
}

#[tokio::test]
async fn time_metrics_are_served_as_json_and_csv_with_a_monthly_trend() {
    let a = app().await;
    let mut numbers = Vec::new();
    for (title, exercise) in [("real", false), ("drill", true)] {
        let r = a
            .post(
                "/api/v1/incidents",
                &a.handler,
                json!({"title": title, "category": "scan", "exercise": exercise}),
            )
            .await;
        assert_eq!(r.status, 201);
        numbers.push(r.json()["number"].as_str().unwrap().to_string());
    }
    for (n, to) in [(0, "closed"), (0, "analysis"), (1, "closed")] {
        let r = a
            .post(
                &format!("/api/v1/incidents/{}/phase", numbers[n]),
                &a.handler,
                json!({"to": to, "reason": "test"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let fy = hikeshi_domain::period::Period::containing_ms_jst(
        hikeshi_domain::period::PeriodKind::FiscalYear,
        hikeshi_domain::time::now_ms(),
    )
    .unwrap()
    .to_string();
    let r = a
        .get(&format!("/api/v1/stats/times?period={fy}"), &a.viewer)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    check_response("GET", "/api/v1/stats/times", 200, &r.body);
    let v = r.json();
    assert_eq!(v["incidents"], 1, "the exercise is left out: {v}");
    assert_eq!(
        (v["reopened"].as_u64(), v["ever_closed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(v["durations"]["acknowledge"]["count"], 1);
    assert_eq!(v["sla"]["acknowledge"]["met"], 1);
    assert_eq!(v["trend"].as_array().map(Vec::len), Some(12));
    let csv = a
        .get(
            &format!("/api/v1/stats/times?period={fy}&format=csv"),
            &a.viewer,
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    assert!(text.starts_with("scope,metric,statistic,value\n"), "{text}");
    assert!(
        text.contains(&format!("{fy},reopen,reopened,1\n")),
        "{text}"
    );
    assert_eq!(
        a.get(
            &format!("/api/v1/stats/times?period={fy}&format=xml"),
            &a.viewer
        )
        .await
        .status,
        400
    );
}
