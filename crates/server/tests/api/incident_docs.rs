//! One incident's documents through the API and the pages: the report (JSON, HTML, PDF), its
//! TLP rule, the write-up and "owner reached" with their history, the notice drafts from the
//! editable templates, and the owner-reached clock in the time metrics.

use crate::harness::{App, Browser, app};
use serde_json::{Value, json};

const RED_URL: &str = "https://c2.red-only.example.com/gate.php";
const AMBER_DOMAIN: &str = "login.amber-phish.example.net";

/// An AMBER incident with an AMBER and a RED indicator, a note naming both, a finished task,
/// a decision, the write-up and the owner reached. Returns its number.
async fn incident(a: &App) -> String {
    let r = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "会員サイトを装うフィッシング", "category": "phishing", "tlp": "amber",
                   "summary": "会員サイトを装うサイトが login.amber-phish.example.net で見つかった。"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let n = r.json()["number"].as_str().unwrap().to_owned();
    let r = a
        .post(
            &format!("/api/v1/incidents/{n}/indicators"),
            &a.handler,
            json!({"items": [{"value": AMBER_DOMAIN, "tlp": "amber"}, {"value": RED_URL, "tlp": "red"}]}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = a
        .post(
            &format!("/api/v1/incidents/{n}/notes"),
            &a.handler,
            json!({"text": format!("C2 は {RED_URL} 、誘導先は {AMBER_DOMAIN}")}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = a
        .post(
            &format!("/api/v1/incidents/{n}/tasks"),
            &a.handler,
            json!({"title": "ホスティング事業者に削除を依頼"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let task = r.json()["id"].as_i64().unwrap();
    let r = a
        .call(
            "PATCH",
            &format!("/api/v1/tasks/{task}"),
            Some(&a.handler),
            Some(json!({"done": true})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = a
        .post(
            &format!("/api/v1/incidents/{n}/decisions"),
            &a.handler,
            json!({"subject": "会員への周知", "decision": "承認: 本日中に公表", "decided_by": "CISO"}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = a
        .call(
            "PATCH",
            &format!("/api/v1/incidents/{n}/writeup"),
            Some(&a.handler),
            Some(
                json!({"impact": "会員 42 名が偽サイトに ID を入力した可能性",
                        "accounts": "会員 42 名", "data": "会員 ID とパスワード",
                        "lessons": "ブランド監視を導入する"}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["writeup"]["data"], "会員 ID とパスワード");
    let r = a
        .post(
            &format!("/api/v1/incidents/{n}/owner-reached"),
            &a.handler,
            json!({"note": "電話で管理者に連絡"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["owner_reached_at"].is_string());
    n
}

/// Neither the RED value nor its parts may appear anywhere.
fn no_red(text: &str) {
    for part in [RED_URL, "red-only", "gate.php"] {
        assert!(!text.contains(part), "{part} leaked:\n{text}");
    }
}

#[tokio::test]
async fn the_incident_report_shows_every_section_and_never_an_indicator_above_its_tlp() {
    let a = app().await;
    let n = incident(&a).await;

    let r = a
        .get(&format!("/api/v1/incidents/{n}/report?lang=ja"), &a.viewer)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let rep = &v["report"];
    assert_eq!(rep["tlp_label"], "TLP:AMBER");
    assert_eq!(rep["writeup"]["accounts"], "会員 42 名");
    let times: Vec<&Value> = rep["times"].as_array().unwrap().iter().collect();
    assert_eq!(times.len(), 6);
    assert_eq!(times[3]["label"], "管理者への連絡");
    assert!(times[3]["at"].is_i64(), "owner reached is recorded");
    let inds = rep["indicators"].as_array().unwrap();
    assert_eq!(inds.len(), 1);
    assert_eq!(inds[0]["defanged"], "login[.]amber-phish[.]example[.]net");
    assert_eq!(rep["withheld"], 1);
    assert_eq!(rep["tasks"][0]["title"], "ホスティング事業者に削除を依頼");
    assert_eq!(rep["decisions"][0]["by"], "CISO");
    let text = v.to_string();
    no_red(&text);
    assert!(!text.contains(AMBER_DOMAIN), "free text is defanged too");
    assert!(
        text.contains("［非開示］"),
        "the note's RED value is marked withheld"
    );
    let kinds: Vec<&str> = rep["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["label"].as_str())
        .collect();
    assert!(kinds.contains(&"報告書の記述を更新") && kinds.contains(&"管理者に連絡"));

    let html = a
        .get(
            &format!("/api/v1/incidents/{n}/report?lang=en&format=html"),
            &a.viewer,
        )
        .await;
    assert_eq!(html.status, 200);
    assert!(html.header("content-type").starts_with("text/html"));
    let html = html.text();
    for want in [
        "Incident Report",
        "Executive summary",
        "Owner reached",
        "Lessons learned",
        "ブランド監視を導入する",
        "id=\"tlp-header\"",
        "id=\"tlp-footer\"",
        "TLP:AMBER",
        "[withheld]",
        "<style>",
    ] {
        assert!(html.contains(want), "{want} missing from the HTML report");
    }
    no_red(&html);
    assert!(!html.contains("<script"));

    // The page as a signed-in person sees it, in the language asked for.
    let b = Browser::login(&a, "viewer").await;
    let p = b.get(&format!("/incidents/{n}/report?lang=ja")).await;
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.text().contains("インシデント報告書") && p.text().contains("/static/report.css"));
    no_red(&p.text());
    let bad = a
        .get(
            &format!("/api/v1/incidents/{n}/report?format=docx"),
            &a.viewer,
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn a_red_incident_report_and_drafts_are_not_found_for_people_not_named_on_it() {
    let a = app().await;
    let r = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "Red secret", "category": "targeted", "tlp": "red", "owner": "me"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let n = r.json()["number"].as_str().unwrap().to_owned();
    for path in ["report", "report.pdf", "report?format=html", "drafts"] {
        let url = format!("/api/v1/incidents/{n}/{path}");
        assert_eq!(a.get(&url, &a.viewer).await.status, 404, "{url}");
        assert_eq!(a.get(&url, &a.admin).await.status, 404, "{url}");
    }
    assert_eq!(
        a.get(&format!("/api/v1/incidents/{n}/report"), &a.handler)
            .await
            .status,
        200
    );
    let b = Browser::login(&a, "viewer").await;
    for path in ["report", "report.pdf", "drafts"] {
        let p = b.get(&format!("/incidents/{n}/{path}")).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(!p.text().contains("Red secret"));
    }
    // Writing needs both sight and a writing role.
    let w = a
        .call(
            "PATCH",
            &format!("/api/v1/incidents/{n}/writeup"),
            Some(&a.viewer),
            Some(json!({"lessons": "x"})),
        )
        .await;
    assert!(matches!(w.status.as_u16(), 403 | 404), "{}", w.status);
    let o = a
        .post(
            &format!("/api/v1/incidents/{n}/owner-reached"),
            &a.admin,
            json!({}),
        )
        .await;
    assert_eq!(o.status, 404);
}

#[tokio::test]
async fn owner_reached_refuses_bad_times_and_feeds_the_time_metrics() {
    let a = app().await;
    let n = incident(&a).await;
    let url = format!("/api/v1/incidents/{n}/owner-reached");
    let r = a.post(&url, &a.handler, json!({"at": "yesterday"})).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = a
        .post(&url, &a.handler, json!({"at": "2999-01-01T00:00:00Z"}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = a.post(&url, &a.viewer, json!({})).await;
    assert_eq!(r.status, 403);
    let r = a
        .post(&url, &a.handler, json!({"note": "x", "when": "now"}))
        .await;
    assert_eq!(r.status, 400, "unknown fields are refused");

    let tl = a
        .get(&format!("/api/v1/incidents/{n}/timeline"), &a.viewer)
        .await
        .json();
    let reached: Vec<&Value> = tl["items"]
        .as_array()
        .or(tl.as_array())
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "owner-reached")
        .collect();
    assert_eq!(reached.len(), 1, "refused requests left no event");
    assert_eq!(reached[0]["data"]["note"], "電話で管理者に連絡");

    let now = hikeshi_domain::time::now_ms();
    let fy = hikeshi_domain::period::Period::containing_ms_jst(
        hikeshi_domain::period::PeriodKind::FiscalYear,
        now,
    )
    .unwrap();
    let t = a
        .get(&format!("/api/v1/stats/times?period={fy}"), &a.viewer)
        .await;
    assert_eq!(t.status, 200, "{}", t.text());
    assert_eq!(t.json()["durations"]["owner_reached"]["count"], 1);
    let csv = a
        .get(
            &format!("/api/v1/stats/times?period={fy}&format=csv"),
            &a.viewer,
        )
        .await
        .text();
    assert!(
        csv.contains(&format!("{fy},owner_reached,count,1")),
        "{csv}"
    );

    // The statistics page shows the clock.
    let b = Browser::login(&a, "viewer").await;
    let p = b.get("/stats?lang=ja").await;
    assert!(p.text().contains("管理者への連絡"));
}

#[tokio::test]
async fn notice_drafts_come_from_the_editable_templates_in_both_languages() {
    let a = app().await;
    let n = incident(&a).await;
    let r = a
        .get(&format!("/api/v1/incidents/{n}/drafts"), &a.viewer)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let items = r.json()["items"].as_array().unwrap().clone();
    let got: Vec<(String, String)> = items
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["lang"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("notice.customer", "ja"),
            ("notice.customer", "en"),
            ("notice.press", "ja"),
            ("notice.press", "en")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let customer_ja = &items[0];
    assert!(
        customer_ja["subject"]
            .as_str()
            .unwrap()
            .contains("お詫びとお知らせ")
    );
    let body = customer_ja["body"].as_str().unwrap();
    for want in [
        "会員サイトを装うフィッシング",
        "会員 ID とパスワード",
        "会員 42 名",
        "ホスティング事業者に削除を依頼",
        "会員への周知: 承認: 本日中に公表",
        "ブランド監視を導入する",
        "お問い合わせ窓口",
        &n,
    ] {
        assert!(body.contains(want), "{want} missing from:\n{body}");
    }
    assert!(items[3]["body"].as_str().unwrap().contains("Media contact"));
    let all = r.text();
    no_red(&all);
    assert!(
        !all.contains(AMBER_DOMAIN),
        "the summary's domain is defanged"
    );

    // An administrator changes the template; the draft follows, and reset brings it back.
    let put = a
        .call(
            "PUT",
            "/api/v1/templates/notice.customer/ja",
            Some(&a.admin),
            Some(json!({"subject": "【重要】{{ incident_title }}", "body": "{{ organisation }}より: {{ data }}\n"})),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text());
    let d = a
        .get(&format!("/api/v1/incidents/{n}/drafts"), &a.viewer)
        .await
        .json();
    assert_eq!(
        d["items"][0]["subject"],
        "【重要】会員サイトを装うフィッシング"
    );
    assert!(
        d["items"][0]["body"]
            .as_str()
            .unwrap()
            .ends_with("より: 会員 ID とパスワード\n")
    );
    let bad = a
        .call(
            "PUT",
            "/api/v1/templates/notice.press/en",
            Some(&a.admin),
            Some(json!({"subject": "x", "body": "{{ secret_field }}"})),
        )
        .await;
    assert_eq!(
        bad.status.as_u16() / 100,
        4,
        "an unknown variable is refused"
    );

    // The page: both drafts in both languages, editable, with copy buttons.
    let b = Browser::login(&a, "handler").await;
    let p = b.get(&format!("/incidents/{n}/drafts?lang=ja")).await;
    assert_eq!(p.status, 200, "{}", p.text());
    let html = p.text();
    assert_eq!(html.matches("<textarea").count(), 4);
    assert_eq!(html.matches("data-copy-from=").count(), 8);
    assert!(html.contains("プレスリリース") && html.contains("TLP:AMBER"));
    no_red(&html);
}

#[tokio::test]
async fn the_incident_page_edits_the_writeup_records_owner_reached_and_links_the_documents() {
    let a = app().await;
    let r = a
        .post(
            "/api/v1/incidents",
            &a.handler,
            json!({"title": "Web 改ざん", "category": "defacement", "tlp": "green"}),
        )
        .await;
    let n = r.json()["number"].as_str().unwrap().to_owned();
    let b = Browser::login(&a, "handler").await;
    let page = b.get(&format!("/incidents/{n}?lang=ja")).await.text();
    for want in [
        "id=\"writeup-form\"",
        "id=\"owner-reached-form\"",
        &format!("/incidents/{n}/report"),
        &format!("/incidents/{n}/report.pdf"),
        &format!("/incidents/{n}/drafts"),
        "未記録",
    ] {
        assert!(page.contains(want), "{want} missing from the incident page");
    }
    let r = b
        .post(
            &format!("/incidents/{n}/writeup"),
            &[
                ("impact", "トップページが 3 時間改ざんされた"),
                ("accounts", ""),
                ("data", "なし"),
                ("lessons", "CMS を自動更新にする"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    // A time typed in the page's zone (Japan for a Japanese page without a choice).
    let r = b
        .post(
            &format!("/incidents/{n}/owner-reached"),
            &[
                ("at", "2026-04-02T09:30"),
                ("note", "サイト管理者に電話"),
                ("tz", "Asia/Tokyo"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let inc = a
        .get(&format!("/api/v1/incidents/{n}"), &a.viewer)
        .await
        .json();
    assert_eq!(
        inc["writeup"]["impact"],
        "トップページが 3 時間改ざんされた"
    );
    assert_eq!(inc["writeup"]["lessons"], "CMS を自動更新にする");
    assert_eq!(inc["owner_reached_at"], "2026-04-02T00:30:00.000Z");
    let page = b.get(&format!("/incidents/{n}?lang=ja")).await.text();
    assert!(page.contains("ev-writeup") && page.contains("ev-owner-reached"));
    assert!(page.contains("サイト管理者に電話") && page.contains("CMS を自動更新にする"));
    let bad = b
        .post(
            &format!("/incidents/{n}/owner-reached"),
            &[("at", "not a time")],
        )
        .await;
    assert_eq!(bad.status, 400);
    // A viewer reads the page but may not write.
    let v = Browser::login(&a, "viewer").await;
    let r = v
        .post(&format!("/incidents/{n}/writeup"), &[("lessons", "x")])
        .await;
    assert_eq!(r.status, 403);
}
