//! Charts as SVG drawn on the server: they print, need no JavaScript (the pages' CSP allows no
//! inline script) and read the same in every browser. Callers pass labels already in the page's
//! language; every label and title is XML-escaped here.
//!
//! Three shapes:
//! - [`hbars`]: horizontal bars, one row per label, one or more series side by side (counts per
//!   category; ours next to the national series as shares of each total);
//! - [`columns`]: vertical bars over a sequence such as months (monthly trend);
//! - [`ranges`]: per clock a bar to the median, a line to p90 and a mark at the maximum (time
//!   metrics).
//!
//! The output is an `<svg>` element with `role="img"`, a `<title>` and fixed colours that
//! stay distinct in greyscale print.

use std::fmt::Write;

/// Fill colours of series 1, 2, … (dark blue, orange, grey: distinct when printed in grey).
const COLOURS: [&str; 3] = ["#1f4e79", "#e07b00", "#7f7f7f"];
const FONT: &str = "'Noto Sans CJK JP','Noto Sans JP','Hiragino Sans','Yu Gothic',sans-serif";

/// Escape text for XML character data and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A named series of values, one per row or column.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<f64>,
    /// Text drawn at the end of each bar; the plain value when `None`.
    pub texts: Option<Vec<String>>,
}

fn open(out: &mut String, w: u32, h: u32, title: &str) {
    let t = esc(title);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{t}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="{FONT}" font-size="12"><title>{t}</title><text x="8" y="18" font-size="14" font-weight="bold">{t}</text>"#
    );
}

fn legend(out: &mut String, series: &[Series<'_>], x: f64, y: f64) {
    if series.len() < 2 {
        return;
    }
    let mut x = x;
    for (i, s) in series.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{y:.1}">{}</text>"#,
            y - 9.0,
            COLOURS[i % COLOURS.len()],
            x + 14.0,
            esc(s.name)
        );
        x += 24.0 + 7.5 * s.name.chars().map(char_width).sum::<f64>();
    }
}

/// Approximate width of a character in units of half an em (CJK is full width).
fn char_width(c: char) -> f64 {
    if c.is_ascii() { 1.0 } else { 2.0 }
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

fn text_of(s: &Series<'_>, i: usize) -> String {
    s.texts
        .as_ref()
        .and_then(|t| t.get(i).cloned())
        .unwrap_or_else(|| fmt_value(s.values.get(i).copied().unwrap_or(0.0)))
}

/// Horizontal bars: one row per label, the series side by side within the row.
pub fn hbars(title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let label_w = labels
        .iter()
        .map(|l| l.chars().map(char_width).sum::<f64>() * 6.5)
        .fold(60.0, f64::max)
        .min(260.0);
    let (w, bar_h, gap) = (720.0, 14.0, 10.0);
    let row_h = bar_h * series.len().max(1) as f64 + gap;
    let top = if series.len() > 1 { 48.0 } else { 32.0 };
    let h = top + row_h * labels.len().max(1) as f64 + 8.0;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let plot_w = w - label_w - 16.0 - 90.0;
    let mut out = String::new();
    open(&mut out, w as u32, h as u32, title);
    legend(&mut out, series, label_w + 16.0, 38.0);
    if labels.is_empty() {
        let _ = write!(out, r#"<text x="8" y="{:.1}">–</text>"#, top + 12.0);
    }
    for (r, label) in labels.iter().enumerate() {
        let y0 = top + r as f64 * row_h;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w + 8.0,
            y0 + row_h / 2.0,
            esc(label)
        );
        for (i, s) in series.iter().enumerate() {
            let v = s.values.get(r).copied().unwrap_or(0.0).max(0.0);
            let bw = if max > 0.0 { v / max * plot_w } else { 0.0 };
            let y = y0 + i as f64 * bar_h;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{y:.1}" width="{bw:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
                label_w + 16.0,
                bar_h - 2.0,
                COLOURS[i % COLOURS.len()],
                label_w + 20.0 + bw,
                y + bar_h - 4.0,
                esc(&text_of(s, r))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Vertical bars over a sequence (months), the series side by side in each slot.
pub fn columns(title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let (w, h, left, top, bottom) = (720.0, 260.0, 40.0, 48.0, 40.0);
    let n = labels.len().max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let bw = (slot * 0.8) / series.len().max(1) as f64;
    let plot_h = h - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let mut out = String::new();
    open(&mut out, w as u32, h as u32, title);
    legend(&mut out, series, left, 38.0);
    let base = top + plot_h;
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{base}" x2="{:.1}" y2="{base}" stroke="#333"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="10">{}</text>"##,
        w - 8.0,
        left - 4.0,
        top + 8.0,
        fmt_value(max)
    );
    for (c, label) in labels.iter().enumerate() {
        let x0 = left + c as f64 * slot + slot * 0.1;
        for (i, s) in series.iter().enumerate() {
            let v = s.values.get(c).copied().unwrap_or(0.0).max(0.0);
            let bh = if max > 0.0 { v / max * plot_h } else { 0.0 };
            let x = x0 + i as f64 * bw;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                base - bh,
                (bw - 1.0).max(1.0),
                COLOURS[i % COLOURS.len()],
                esc(label),
                esc(&text_of(s, c))
            );
            if v > 0.0 {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="9">{}</text>"#,
                    x + bw / 2.0,
                    base - bh - 2.0,
                    esc(&text_of(s, c))
                );
            }
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10">{}</text>"#,
            left + c as f64 * slot + slot / 2.0,
            base + 14.0,
            esc(label)
        );
    }
    out.push_str("</svg>");
    out
}

/// One row of a [`ranges`] chart: median, p90 and maximum in one unit (hours, say).
pub struct Range {
    pub label: String,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub max: Option<f64>,
    /// Shown at the right of the row, e.g. "n=12 · median 1.5 h · p90 3.0 h · max 9.0 h".
    pub text: String,
}

/// Per row a bar from zero to the median, a line on to p90 and a mark at the maximum; the
/// legend names the three.
pub fn ranges(title: &str, rows: &[Range], legend_names: [&str; 3]) -> String {
    let (w, row_h, top, label_w) = (720.0, 34.0, 48.0, 170.0);
    let h = top + row_h * rows.len().max(1) as f64 + 8.0;
    let plot_w = w - label_w - 24.0;
    let max = rows
        .iter()
        .filter_map(|r| r.max.or(r.p90).or(r.median))
        .fold(0.0, f64::max);
    let sx = |v: f64| label_w + 16.0 + if max > 0.0 { v / max * plot_w } else { 0.0 };
    let mut out = String::new();
    open(&mut out, w as u32, h as u32, title);
    let legend_series: Vec<Series<'_>> = legend_names
        .iter()
        .map(|n| Series {
            name: n,
            values: vec![],
            texts: None,
        })
        .collect();
    legend(&mut out, &legend_series, label_w + 16.0, 38.0);
    for (r, row) in rows.iter().enumerate() {
        let y = top + r as f64 * row_h;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w + 8.0,
            y + 12.0,
            esc(&row.label)
        );
        if let Some(m) = row.median {
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="10" fill="{}"/>"#,
                sx(0.0),
                y + 3.0,
                sx(m) - sx(0.0),
                COLOURS[0]
            );
            if let Some(p) = row.p90 {
                let _ = write!(
                    out,
                    r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="3"/>"#,
                    sx(m),
                    y + 8.0,
                    sx(p),
                    y + 8.0,
                    COLOURS[1]
                );
            }
            if let Some(x) = row.max {
                let _ = write!(
                    out,
                    r#"<rect x="{:.1}" y="{:.1}" width="4" height="14" fill="{}"/>"#,
                    sx(x) - 2.0,
                    y + 1.0,
                    COLOURS[2]
                );
            }
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="10">{}</text>"#,
            sx(0.0),
            y + 26.0,
            esc(&row.text)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests;
