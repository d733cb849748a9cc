//! `hikeshi report incident N`: one incident's report as HTML and as PDF, checked the way a
//! reader sees it (pdftotext finds the Japanese and English text, the fonts are embedded, the
//! first page has ink) and never showing an indicator marked above the incident. Without
//! Chromium or poppler the PDF test skips locally and fails under CI=true.

mod common;
use common::pdf::*;
use common::*;
use hikeshi_domain::*;
use hikeshi_store::{NewIncident, Store, StoreOptions, WriteupPatch};
use std::path::Path;
use std::process::Command;

const RED_URL: &str = "https://c2.red-only.example.com/gate.php";

/// A data directory with one AMBER incident carrying an AMBER and a RED indicator, a note
/// naming the RED one, a finished task, a decision, the write-up and the owner reached.
fn seed(dir: &Path) -> String {
    assert!(hikeshi(dir, &["migrate"]).status.success());
    let url = format!("sqlite://{}/hikeshi.sqlite3", dir.display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let s = Store::connect(&url, StoreOptions::default()).await.unwrap();
        let a = Actor::Cli;
        let i = s
            .create_incident(
                &a,
                NewIncident {
                    title: "会員サイトを装うフィッシング".into(),
                    summary: "偽の会員サイトで ID とパスワードが盗まれた。".into(),
                    category: Category::Phishing,
                    rsit: None,
                    attacker: None,
                    asset: None,
                    tlp: Tlp::Amber,
                    impact: Impact::default(),
                    owner: None,
                    reports: vec![],
                    is_exercise: false,
                },
            )
            .await
            .unwrap();
        let ind = |v: &str| hikeshi_ioc::parse_indicator(v).unwrap();
        let ctx = |tlp| IndicatorContext {
            tlp,
            ..Default::default()
        };
        s.attach_indicators(
            &a,
            i.id,
            &[
                (ind("login.amber-phish.example.net"), ctx(Tlp::Amber)),
                (ind(RED_URL), ctx(Tlp::Red)),
            ],
        )
        .await
        .unwrap();
        s.add_note(&a, i.id, &format!("C2: {RED_URL}"))
            .await
            .unwrap();
        let t = s
            .add_task(&a, i.id, "ホスティング事業者に削除を依頼", None, None)
            .await
            .unwrap();
        s.set_task_done(&a, t.id, true).await.unwrap();
        s.add_decision(&a, i.id, "会員への周知", "承認", "CISO", i.reported_at, "")
            .await
            .unwrap();
        s.update_writeup(
            &a,
            i.id,
            WriteupPatch {
                impact: Some("会員 42 名が ID を入力した可能性".into()),
                accounts: Some("会員 42 名".into()),
                data: Some("会員 ID とパスワード".into()),
                lessons: Some("ブランド監視を導入する".into()),
            },
        )
        .await
        .unwrap();
        s.record_owner_reached(&a, i.id, None, "電話")
            .await
            .unwrap();
        s.close().await;
        i.number.to_string()
    })
}

#[test]
fn the_incident_report_is_written_as_standalone_html_and_refuses_unknown_incidents() {
    let dir = tempfile::tempdir().unwrap();
    let n = seed(dir.path());
    let out = dir.path().join("r.html");
    let o = hikeshi(
        dir.path(),
        &[
            "report",
            "incident",
            &n,
            "--lang",
            "en",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&out).unwrap();
    for want in [
        "Incident Report",
        "Executive summary",
        "TLP:AMBER",
        "login[.]amber-phish[.]example[.]net",
        "[withheld]",
        "<style>",
    ] {
        assert!(html.contains(want), "{want} missing");
    }
    assert!(!html.contains("red-only") && !html.contains("/static/"));

    let o = hikeshi(
        dir.path(),
        &[
            "report",
            "incident",
            "HK-2026-999999",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("HK-2026-999999"));
    let o = hikeshi(
        dir.path(),
        &[
            "report",
            "incident",
            "nonsense",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nonsense"));
}

#[test]
fn the_incident_report_pdf_has_its_text_in_both_languages_and_draws_a_page() {
    if tools_or_skip().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let n = seed(dir.path());
    for (lang, wants) in [
        (
            "ja",
            &[
                "インシデント報告書",
                "概要（経営層向け）",
                "会員サイトを装うフィッシング",
                "管理者への連絡",
                "会員 ID とパスワード",
                "ブランド監視を導入する",
                "ホスティング事業者に削除を依頼",
                "TLP:AMBER",
                "［非開示］",
            ][..],
        ),
        (
            "en",
            &[
                "Incident Report",
                "Executive summary",
                "Owner reached",
                "Lessons learned",
                "Actions and decisions",
                "TLP:AMBER",
            ][..],
        ),
    ] {
        // The extension chooses PDF.
        let pdf = dir.path().join(format!("report-{lang}.pdf"));
        let o = Command::new(bin())
            .arg("--data-dir")
            .arg(dir.path())
            .args(["report", "incident", &n, "--lang", lang, "--out"])
            .arg(&pdf)
            .env("HIKESHI_CHROMIUM", chromium().unwrap())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
        let text = pdf_text(&pdf);
        for want in wants {
            assert!(text.contains(want), "{want} not in the {lang} PDF:\n{text}");
        }
        // The marking is on the page itself, not only in the document's title.
        assert!(text.matches("TLP:AMBER").count() >= 2, "{text}");
        assert!(!text.contains("red-only"), "{text}");
        assert_fonts_embedded_with_unicode_maps(&pdf);
        assert_first_page_has_ink(&pdf, dir.path());
    }
}
