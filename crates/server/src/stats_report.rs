//! The periodic report in the style of JPCERT/CC's インシデント報告対応レポート: totals, category
//! breakdown with charts, time metrics and notable incidents (TLP rule in [`crate::stats_view`]),
//! as HTML, and as PDF through headless Chromium run as a subprocess with a timeout.
//!
//! Chromium is the engine because it is packaged by Debian, renders Japanese with the
//! system's Noto CJK fonts, prints CSS paged media faithfully and needs no network service; it
//! is only ever run on HTML we rendered ourselves from a private temporary directory.

use crate::i18n::Lang;
use crate::stats_view::{self, StatsData};
use hikeshi_domain::period::Period;
use hikeshi_store::{Store, StoreError, Viewer};
use minijinja::{Environment, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The report's stylesheet, linked by the served page and embedded in standalone files.
pub const REPORT_CSS: &str = include_str!("../static/report.css");

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("report template failed: {0}")]
    Template(#[from] minijinja::Error),
}

/// Render the report. `standalone` embeds the stylesheet (for a file or the PDF engine) instead
/// of linking `/static/report.css`.
pub async fn report_html(
    store: &Store,
    env: &Environment<'static>,
    period: Period,
    lang: Lang,
    viewer: Viewer,
    issuer: &str,
    standalone: bool,
) -> Result<String, ReportError> {
    let now = hikeshi_domain::time::now_ms();
    let data: StatsData = stats_view::gather(store, period, viewer, now).await?;
    let mut vars: BTreeMap<&str, Value> = BTreeMap::new();
    vars.insert("lang", Value::from(lang.code()));
    vars.insert("s", Value::from_serialize(stats_view::view(&data, lang)));
    vars.insert("issuer", Value::from(issuer));
    vars.insert("issued_at", Value::from(now));
    if standalone {
        vars.insert("inline_css", Value::from(REPORT_CSS));
    }
    Ok(env.get_template("stats_report.html")?.render(&vars)?)
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "PDF output needs Chromium and was not found: install it (Debian: apt-get install chromium \
         fonts-noto-cjk) or name the program with HIKESHI_CHROMIUM"
    )]
    NoEngine,
    #[error("{program}: could not run: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} did not finish the PDF within {secs} s and was stopped")]
    Timeout { program: String, secs: u64 },
    #[error("{program} failed ({status}) without writing a PDF: {stderr}")]
    Failed {
        program: String,
        status: String,
        stderr: String,
    },
    #[error("temporary files: {0}")]
    Io(#[from] std::io::Error),
}

/// The first of `chromium`, `chromium-browser`, `google-chrome` found on PATH.
pub fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Print `html` to PDF with headless Chromium (`program`), stopping it after `timeout`.
pub fn html_to_pdf(html: &str, program: &Path, timeout: Duration) -> Result<Vec<u8>, PdfError> {
    let name = program.display().to_string();
    let dir = TempDir::new()?;
    let input = dir.0.join("report.html");
    let output = dir.0.join("report.pdf");
    std::fs::write(&input, html)?;
    let mut child = Command::new(program)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.0.join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", output.display()))
        .arg(format!("file://{}", input.display()))
        .env("HOME", &dir.0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| PdfError::Spawn {
            program: name.clone(),
            source,
        })?;
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::Timeout {
                program: name,
                secs: timeout.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    match std::fs::read(&output) {
        Ok(pdf) if status.success() && pdf.starts_with(b"%PDF") => Ok(pdf),
        _ => Err(PdfError::Failed {
            program: name,
            status: status.to_string(),
            stderr: stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | "),
        }),
    }
}

/// One PDF at a time, whichever report: Chromium is heavy, and a burst of clicks must not start
/// a browser each.
static PDF_SLOT: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
const PDF_TIMEOUT: Duration = Duration::from_secs(60);

/// The server's PDF engine, or a 503 that says what to install. Called before any rendering, so
/// a missing engine fails fast.
pub fn pdf_engine() -> Result<PathBuf, crate::error::AppError> {
    find_chromium().ok_or_else(|| {
        crate::error::AppError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "pdf_unavailable",
            PdfError::NoEngine.to_string(),
        )
    })
}

/// Print `html` with `program` on the blocking pool, one at a time, with the timeout; a failure
/// is logged and answered 503.
pub async fn print_pdf(html: String, program: PathBuf) -> Result<Vec<u8>, crate::error::AppError> {
    use crate::error::AppError;
    let _slot = PDF_SLOT.acquire().await.map_err(|_| AppError::internal())?;
    tokio::task::spawn_blocking(move || html_to_pdf(&html, &program, PDF_TIMEOUT))
        .await
        .map_err(|_| AppError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "PDF report failed");
            AppError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "pdf_failed",
                e.to_string(),
            )
        })
}

/// A PDF as a download named `name`.
pub fn pdf_download(pdf: Vec<u8>, name: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        pdf,
    )
        .into_response()
}

/// A report template failure is ours (logged, a plain 500); a store failure maps as usual.
pub fn report_error(e: ReportError) -> crate::error::AppError {
    match e {
        ReportError::Store(e) => crate::error::AppError::from(e),
        ReportError::Template(e) => {
            tracing::error!(error = %e, "report template failed");
            crate::error::AppError::internal()
        }
    }
}

/// A private temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!("hikeshi-pdf-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&p)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
