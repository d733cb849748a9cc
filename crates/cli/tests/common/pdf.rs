//! Checking a PDF the way a reader sees it: the tools (Chromium to print, poppler to read), the
//! text `pdftotext` finds, the fonts `pdffonts` lists, and the ink on a page `pdftoppm` draws.

use std::path::Path;
use std::process::Command;

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty() || !o.stdout.is_empty())
}

/// HIKESHI_CHROMIUM, else the first Chromium or Chrome installed in /usr/bin.
pub fn chromium() -> Option<String> {
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
pub fn tools_or_skip() -> Option<()> {
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
        "the PDF test needs {} (Debian: apt-get install chromium fonts-noto-cjk poppler-utils)",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg}; CI=true, so this fails instead of skipping");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

/// The text of every page, as `pdftotext` reads it.
pub fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Chromium embeds its glyphs as Type 3 fonts with a Unicode map: every font must be embedded
/// (nothing left to the reader's machine) and mapped (so the text is searchable).
pub fn assert_fonts_embedded_with_unicode_maps(pdf: &Path) {
    let fonts = Command::new("pdffonts").arg(pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
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
}

/// Draw the first page as a greyscale image in `dir`: a real page has plenty of ink.
pub fn assert_first_page_has_ink(pdf: &Path, dir: &Path) {
    let prefix = dir.join("page");
    let o = Command::new("pdftoppm")
        .args(["-gray", "-r", "50", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let image = std::fs::read_dir(dir)
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
    std::fs::remove_file(&image).unwrap();
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
