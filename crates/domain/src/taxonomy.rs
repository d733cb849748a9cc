//! Classification: the JPCERT/CC report category (what Japanese teams are measured against) and
//! the RSIT class/type (what MISP and IntelMQ exchange), plus attacker and asset classes.
//!
//! The two taxonomies do not map one to one (標的型攻撃 is an actor trait, 制御システム関連 an
//! asset trait), so both are stored. The default mapping lives only here ([`Category::default_rsit`]);
//! a handler can override the RSIT type, and every change is kept in the incident's history.

use crate::named::Named;
use serde::{Deserialize, Serialize};

/// JPCERT/CC インシデント報告対応レポート categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// フィッシングサイト
    Phishing,
    /// Webサイト改ざん
    Defacement,
    /// マルウエアサイト
    MalwareSite,
    /// スキャン
    Scan,
    /// DoS/DDoS
    Dos,
    /// 制御システム関連
    Ics,
    /// 標的型攻撃
    Targeted,
    /// その他
    Other,
}

impl Named for Category {
    const WHAT: &'static str = "category";
    fn all() -> &'static [Self] {
        &[
            Category::Phishing,
            Category::Defacement,
            Category::MalwareSite,
            Category::Scan,
            Category::Dos,
            Category::Ics,
            Category::Targeted,
            Category::Other,
        ]
    }
    fn as_str(self) -> &'static str {
        match self {
            Category::Phishing => "phishing",
            Category::Defacement => "defacement",
            Category::MalwareSite => "malware-site",
            Category::Scan => "scan",
            Category::Dos => "dos",
            Category::Ics => "ics",
            Category::Targeted => "targeted",
            Category::Other => "other",
        }
    }
}

impl Category {
    /// The default RSIT classification for a category (DESIGN.md §2, reasons in
    /// `reference/domain-jp.md` §1.3). ICS-related has no RSIT class of its own: the underlying
    /// event's type is unknown at this point, so it defaults to other/undetermined with asset
    /// class ICS, and the handler sets the real type.
    pub fn default_rsit(self) -> Rsit {
        let (class, kind) = match self {
            Category::Phishing => ("fraud", "phishing"),
            Category::Defacement => (
                "information-content-security",
                "unauthorised-information-modification",
            ),
            Category::MalwareSite => ("malicious-code", "malware-distribution"),
            Category::Scan => ("information-gathering", "scanner"),
            Category::Dos => ("availability", "ddos"),
            Category::Ics => ("other", "undetermined"),
            Category::Targeted => ("intrusions", "system-compromise"),
            Category::Other => ("other", "other"),
        };
        Rsit { class, kind }
    }

    /// Traits the category implies on the other axes, applied when it is chosen.
    pub fn implied_attacker(self) -> Option<AttackerClass> {
        (self == Category::Targeted).then_some(AttackerClass::Targeted)
    }

    pub fn implied_asset(self) -> Option<AssetClass> {
        (self == Category::Ics).then_some(AssetClass::Ics)
    }
}

/// The Reference Security Incident Taxonomy (version 1003): every valid (class, type) pair.
pub const RSIT: &[(&str, &[&str])] = &[
    ("abusive-content", &["spam", "harmful-speech", "violence"]),
    (
        "malicious-code",
        &[
            "infected-system",
            "c2-server",
            "malware-distribution",
            "malware-configuration",
        ],
    ),
    (
        "information-gathering",
        &["scanner", "sniffing", "social-engineering"],
    ),
    (
        "intrusion-attempts",
        &["ids-alert", "brute-force", "exploit"],
    ),
    (
        "intrusions",
        &[
            "privileged-account-compromise",
            "unprivileged-account-compromise",
            "application-compromise",
            "system-compromise",
            "burglary",
        ],
    ),
    (
        "availability",
        &["dos", "ddos", "misconfiguration", "sabotage", "outage"],
    ),
    (
        "information-content-security",
        &[
            "unauthorised-information-access",
            "unauthorised-information-modification",
            "data-loss",
            "data-leak",
        ],
    ),
    (
        "fraud",
        &[
            "unauthorised-use-of-resources",
            "copyright",
            "masquerade",
            "phishing",
        ],
    ),
    (
        "vulnerable",
        &[
            "weak-crypto",
            "ddos-amplifier",
            "potentially-unwanted-accessible",
            "information-disclosure",
            "vulnerable-system",
        ],
    ),
    ("other", &["other", "undetermined"]),
    ("test", &["test"]),
];

/// A validated RSIT class and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rsit {
    pub class: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl Rsit {
    /// Validate a (class, type) pair against the taxonomy.
    pub fn new(class: &str, kind: &str) -> Result<Rsit, crate::DomainError> {
        let (c, types) =
            RSIT.iter()
                .find(|(c, _)| *c == class)
                .ok_or_else(|| crate::DomainError::Unknown {
                    what: "RSIT class",
                    value: class.to_owned(),
                })?;
        let t = types
            .iter()
            .find(|t| **t == kind)
            .ok_or_else(|| crate::DomainError::Unknown {
                what: "RSIT type for this class",
                value: format!("{class}/{kind}"),
            })?;
        Ok(Rsit { class: c, kind: t })
    }

    /// The MISP machine tag, `rsit:fraud="phishing"`.
    pub fn machine_tag(self) -> String {
        format!("rsit:{}=\"{}\"", self.class, self.kind)
    }
}

/// Who is behind it, as far as the handler can tell (the lecture's attacker classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttackerClass {
    Unknown,
    Hacktivist,
    Financial,
    Targeted,
}

impl Named for AttackerClass {
    const WHAT: &'static str = "attacker";
    fn all() -> &'static [Self] {
        &[
            AttackerClass::Unknown,
            AttackerClass::Hacktivist,
            AttackerClass::Financial,
            AttackerClass::Targeted,
        ]
    }
    fn as_str(self) -> &'static str {
        match self {
            AttackerClass::Unknown => "unknown",
            AttackerClass::Hacktivist => "hacktivist",
            AttackerClass::Financial => "financial",
            AttackerClass::Targeted => "targeted",
        }
    }
}

/// What kind of system was hit: office IT or industrial control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetClass {
    It,
    Ics,
}

impl Named for AssetClass {
    const WHAT: &'static str = "asset-class";
    fn all() -> &'static [Self] {
        &[AssetClass::It, AssetClass::Ics]
    }
    fn as_str(self) -> &'static str {
        match self {
            AssetClass::It => "it",
            AssetClass::Ics => "ics",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named::parse_named;

    #[test]
    fn every_default_mapping_is_a_valid_rsit_pair() {
        for c in Category::all() {
            let r = c.default_rsit();
            assert_eq!(Rsit::new(r.class, r.kind).unwrap(), r, "{c:?}");
        }
    }

    #[test]
    fn design_md_default_mapping_table() {
        let table = [
            ("phishing", "fraud", "phishing"),
            (
                "defacement",
                "information-content-security",
                "unauthorised-information-modification",
            ),
            ("malware-site", "malicious-code", "malware-distribution"),
            ("scan", "information-gathering", "scanner"),
            ("dos", "availability", "ddos"),
            ("targeted", "intrusions", "system-compromise"),
            ("other", "other", "other"),
        ];
        for (cat, class, kind) in table {
            let r = parse_named::<Category>(cat).unwrap().default_rsit();
            assert_eq!((r.class, r.kind), (class, kind), "{cat}");
        }
        assert_eq!(
            Category::Targeted.implied_attacker(),
            Some(AttackerClass::Targeted)
        );
        assert_eq!(Category::Ics.implied_asset(), Some(AssetClass::Ics));
    }

    #[test]
    fn unknown_categories_and_mismatched_rsit_pairs_are_refused_with_the_value() {
        let e = parse_named::<Category>("spam").unwrap_err().to_string();
        assert!(e.contains("spam") && e.contains("category"), "{e}");
        assert!(Rsit::new("fraud", "scanner").is_err());
        assert!(Rsit::new("nonsense", "other").is_err());
        assert_eq!(
            Rsit::new("fraud", "phishing").unwrap().machine_tag(),
            "rsit:fraud=\"phishing\""
        );
    }
}
