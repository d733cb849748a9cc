//! Which series a file holds, and the names a series goes by.

use std::fmt;

use hikeshi_domain::Category;
use hikeshi_domain::named::Named;
use serde::{Serialize, Serializer};

/// One of JPCERT/CC's published series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Series {
    /// Reports received (web form and e-mail): `incident-reports.csv`.
    Reports,
    /// Cases JPCERT/CC coordinated with a site administrator: `incident-cases-coordinated.csv`.
    Coordinated,
    /// Reports of one category. JPCERT/CC publishes no file for [`Category::Ics`].
    Category(Category),
}

impl Series {
    /// The series JPCERT/CC publishes, in the order of its reports.
    pub const PUBLISHED: [Series; 9] = [
        Series::Reports,
        Series::Coordinated,
        Series::Category(Category::Phishing),
        Series::Category(Category::Defacement),
        Series::Category(Category::MalwareSite),
        Series::Category(Category::Scan),
        Series::Category(Category::Dos),
        Series::Category(Category::Targeted),
        Series::Category(Category::Other),
    ];

    /// The series a file holds, from its name: any directory part and the `.csv` extension are
    /// ignored, case is not. The name decides because every header but phishing's is the same.
    pub fn from_file_name(name: &str) -> Option<Series> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let lower = base.to_ascii_lowercase();
        let stem = lower.strip_suffix(".csv").unwrap_or(&lower);
        Series::PUBLISHED
            .into_iter()
            .find(|s| s.file_name().and_then(|f| f.strip_suffix(".csv")) == Some(stem))
    }

    /// The upstream file name.
    pub fn file_name(self) -> Option<&'static str> {
        Some(match self {
            Series::Reports => "incident-reports.csv",
            Series::Coordinated => "incident-cases-coordinated.csv",
            Series::Category(Category::Phishing) => "phishing.csv",
            Series::Category(Category::Defacement) => "web-defacement.csv",
            Series::Category(Category::MalwareSite) => "malware.csv",
            Series::Category(Category::Scan) => "scan.csv",
            Series::Category(Category::Dos) => "dos.csv",
            Series::Category(Category::Targeted) => "apt.csv",
            Series::Category(Category::Other) => "other.csv",
            Series::Category(Category::Ics) => return None,
        })
    }

    /// The machine name used in JSON and on the command line: `reports`, `coordinated`, or the
    /// category's name (`phishing`, `malware-site`, …).
    pub fn key(self) -> &'static str {
        match self {
            Series::Reports => "reports",
            Series::Coordinated => "coordinated",
            Series::Category(c) => c.as_str(),
        }
    }

    pub fn from_key(key: &str) -> Option<Series> {
        match key {
            "reports" => Some(Series::Reports),
            "coordinated" => Some(Series::Coordinated),
            other => hikeshi_domain::parse_named(other)
                .ok()
                .map(Series::Category),
        }
    }
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl Serialize for Series {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}
