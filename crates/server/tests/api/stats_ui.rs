//! The statistics page and the periodic report through a real session: charts as inline SVG,
//! Japanese and English labels, links to the data, and the report's TLP rule.

use crate::harness::{App, PASSWORD, Resp, app, cookie_of};
use axum::body::Body;
use axum::http::{Request, header};
use serde_json::json;

async fn page(a: &App, cookie: &str, path: &str) -> Resp {
    a.send(
        Request::builder()
            .uri(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_statistics_page_draws_charts_and_the_report_never_lists_red() {
    let a = app().await;
    for (title, tlp, cat) in [
        ("例銀行を装うフィッシングサイト", "green", "phishing"),
        ("Amber secret title", "amber", "scan"),
        ("Red secret title", "red", "targeted"),
    ] {
        let r = a
            .post(
                "/api/v1/incidents",
                &a.handler,
                json!({"title": title, "category": cat, "tlp": tlp}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let r = a.login("handler", PASSWORD).await;
    let cookie = cookie_of(&r, "hikeshi_session").unwrap();

    let ja = page(&a, &cookie, "/stats?lang=ja").await;
    assert_eq!(ja.status, 200, "{}", ja.text());
    let html = ja.text();
    for want in [
        "<svg",
        "カテゴリ別インシデント件数",
        "フィッシングサイト",
        "月別インシデント件数",
        "対応時間",
        "受付確認まで",
        "全国統計はまだ取り込まれていません",
        "/api/v1/stats/times?period=",
        "format=csv",
        "href=\"/stats\"",
    ] {
        assert!(html.contains(want), "{want} missing from the page");
    }
    assert!(
        html.match_indices("<script").all(|(i, _)| html[i..]
            .split('>')
            .next()
            .unwrap_or("")
            .contains(" src=")),
        "no inline script on the page"
    );
    assert!(
        ja.header("content-security-policy")
            .contains("script-src 'self'")
    );

    let en = page(&a, &cookie, "/stats?lang=en&period=2026Q1")
        .await
        .text();
    assert!(en.contains("Incidents by category") && en.contains("Phishing site"));
    assert!(
        en.contains("selected>2026Q1<"),
        "the selector keeps the period"
    );
    let custom = page(&a, &cookie, "/stats?lang=en&period=FY2026&custom=2015-04").await;
    assert!(custom.text().contains("April 2015") || custom.text().contains("2015-04"));
    assert_eq!(page(&a, &cookie, "/stats?period=FY15").await.status, 400);

    // The handler created all three and may see the red one; the report still never lists it.
    let report = page(&a, &cookie, "/stats/report?lang=ja").await;
    assert_eq!(report.status, 200);
    let html = report.text();
    assert!(html.contains("インシデント報告対応レポート"));
    assert!(html.contains("例銀行を装うフィッシングサイト"));
    assert!(html.contains("件名非公開"), "the amber title is withheld");
    assert!(!html.contains("Amber secret title"));
    assert!(!html.contains("Red secret title"));
    assert!(html.contains("href=\"/static/report.css\""));
    let en = page(&a, &cookie, "/stats/report?lang=en").await.text();
    assert!(en.contains("Incident Response Report") && en.contains("Notable incidents"));
    let css = page(&a, &cookie, "/static/report.css").await;
    assert_eq!(css.status, 200);
    assert!(css.text().contains("@page"));

    // The PDF, printed by the server's Chromium when it has one; a clear 503 when not.
    let pdf = page(&a, &cookie, "/stats/report.pdf?lang=ja&period=FY2026").await;
    if hikeshi_server::stats_report::find_chromium().is_some() {
        assert_eq!(pdf.status, 200, "{}", pdf.text());
        assert_eq!(pdf.header("content-type"), "application/pdf");
        assert!(
            pdf.header("content-disposition")
                .contains("hikeshi-report-FY2026-ja.pdf")
        );
        assert!(pdf.body.starts_with(b"%PDF"));
    } else {
        assert_eq!(pdf.status, 503);
        assert!(pdf.text().contains("Chromium"));
    }
    let csv = page(&a, &cookie, "/api/v1/stats/times?period=FY2026&format=csv").await;
    assert_eq!(
        csv.status, 200,
        "the page's data links work with the session"
    );

    // Not signed in: no statistics.
    let anon = a
        .send(
            Request::builder()
                .uri("/stats")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_ne!(anon.status, 200);
}
