//! `hikeshi stats report`: the periodic report as HTML and as PDF. The PDF is checked the way a
//! reader would see it: `pdftotext` must find the Japanese text, `pdffonts` must show every font
//! embedded with a Unicode map, and `pdftoppm` must draw a page that is not blank. Without
//! Chromium or poppler the PDF test skips locally and fails under CI=true.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty() || !o.stdout.is_empty())
}

fn chromium() -> Option<String> {
    if let Ok(p) = std::env::var("HIKESHI_CHROMIUM") {
        return Some(p);
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| Path::new(p).is_file())
    .map(str::to_string)
}

/// `None` (skip) when a tool is missing outside CI; a failure under CI=true.
fn tools_or_skip() -> Option<()> {
    let mut missing = Vec::new();
    if chromium().is_none() {
        missing.push("chromium");
    }
    for tool in ["pdftotext", "pdftoppm", "pdffonts"] {
        if !have(tool) {
            missing.push(tool);
        }
    }
    if missing.is_empty() {
        return Some(());
    }
    let msg = format!(
        "the PDF report test needs {} (Debian: apt-get install chromium fonts-noto-cjk poppler-utils)",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg}; CI=true, so this fails instead of skipping");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

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

    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    for want in [
        "インシデント報告対応レポート",
        "2026年度",
        "カテゴリ別インシデント件数",
        "フィッシングサイト",
        "受付確認まで",
        "主なインシデント",
    ] {
        assert!(text.contains(want), "{want} not in the PDF text:\n{text}");
    }

    let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    // Chromium embeds its glyphs as Type 3 fonts with a Unicode map: every font must be
    // embedded (nothing left to the reader's machine) and mapped (so the text is searchable).
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts in the PDF");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(
            n >= 5 && cols[n - 5] == "yes" && cols[n - 3] == "yes",
            "font not embedded with a Unicode map: {row}"
        );
    }

    // First page as a greyscale image: a real page has plenty of ink.
    let prefix = dir.path().join("page");
    let o = Command::new("pdftoppm")
        .args(["-gray", "-r", "50", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let image = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "pgm"))
        .expect("pdftoppm wrote a page image");
    let raw = std::fs::read(&image).unwrap();
    let (w, h, pixels) = pgm(&raw);
    assert!(w > 300 && h > 400, "{w}x{h}");
    let ink = pixels.iter().filter(|&&p| p < 128).count();
    assert!(
        ink > w * h / 200,
        "the page is nearly blank: {ink} dark pixels of {}",
        w * h
    );
}

/// A binary PGM (P5, 8 bit): width, height and the pixels.
fn pgm(data: &[u8]) -> (usize, usize, &[u8]) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&data[start..i]).unwrap().to_string());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, &data[i + 1..i + 1 + w * h])
}
