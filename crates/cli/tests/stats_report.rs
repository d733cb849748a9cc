//! `hikeshi stats report`: the periodic report as HTML and as PDF. The PDF is checked the way a
//! reader would see it: `pdftotext` must find the Japanese text, `pdffonts` must show every font
//! embedded with a Unicode map, and `pdftoppm` must draw a page that is not blank. Without
//! Chromium or poppler the PDF test skips locally and fails under CI=true.

mod common;
use common::pdf::*;
use common::*;
use std::process::Command;

#[test]
fn the_report_is_written_as_html_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let o = hikeshi(
        dir.path(),
        &[
            "stats",
            "report",
            "--period",
            "FY2026",
            "--lang",
            "ja",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("インシデント報告対応レポート") && html.contains("2026年度"));
    assert!(html.contains("コンスティチュエンシー別") && html.contains("調整件数"));
    assert!(
        html.contains("<style>") && html.contains("@page"),
        "the file stands alone"
    );
    assert!(html.contains("<svg"));
    let o = hikeshi(
        dir.path(),
        &[
            "stats",
            "report",
            "--period",
            "2026Q2",
            "--lang",
            "en",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("Incident Response Report")
    );
    let bad = hikeshi(
        dir.path(),
        &[
            "stats",
            "report",
            "--period",
            "FY26",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_missing_pdf_engine_is_named_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.pdf");
    let o = Command::new(bin())
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "stats", "report", "--period", "FY2026", "--format", "pdf", "--out",
        ])
        .arg(&out)
        .env("HIKESHI_CHROMIUM", dir.path().join("no-such-chromium"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no-such-chromium") && err.contains("could not run"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn the_pdf_report_has_japanese_text_in_embedded_fonts_and_draws_a_page() {
    if tools_or_skip().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    let o = Command::new(bin())
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "stats", "report", "--period", "FY2026", "--lang", "ja", "--format", "pdf", "--out",
        ])
        .arg(&pdf)
        .env("HIKESHI_CHROMIUM", chromium().unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));

    let text = pdf_text(&pdf);
    for want in [
        "インシデント報告対応レポート",
        "2026年度",
        "カテゴリ別インシデント件数",
        "フィッシングサイト",
        "調整件数",
        "コンスティチュエンシー別",
        "受付確認まで",
        "主なインシデント",
    ] {
        assert!(text.contains(want), "{want} not in the PDF text:\n{text}");
    }

    assert_fonts_embedded_with_unicode_maps(&pdf);

    // First page as a greyscale image: a real page has plenty of ink.
    assert_first_page_has_ink(&pdf, dir.path());
}
