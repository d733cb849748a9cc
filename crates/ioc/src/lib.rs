//! hikeshi-ioc: indicators of compromise, pure (no I/O, no async).
//!
//! What a CSIRT pastes (mails, chat logs, advisories in English and Japanese) goes in; typed
//! indicators in one normal form come out, with where they were written and which warning lists
//! they are on. The rules are documented for users in `docs/indicators.md`.
//!
//! - [`Kind`] and [`Indicator`]: a kind plus its one normal form (lower-case hosts, punycode,
//!   canonical IPv6, network addresses for CIDRs, …).
//! - [`parse_indicator`] / [`parse_as`]: one value as a handler types it, refanged
//!   (`hxxp`, `[.]`, `(dot)`, `[@]`, full-width `ｅｘａｍｐｌｅ．ｊｐ`, `。`) and normalised.
//! - [`extract`] / [`Extractor`]: every indicator in free text with kind, normal form, raw text
//!   and byte span; one linear pass, no backtracking, never a panic (fuzzed).
//! - [`defang`] with a [`DefangStyle`] on the way out; [`refang`] for text.
//! - [`WarningList`] / [`WarningSet`]: MISP warninglist JSON, flag (never drop) private,
//!   documentation, resolver, CDN and popular indicators; a small built-in set.
//! - [`weak_keys`]: the weaker links the store correlates on (registrable domain, /24 and /48,
//!   URL host). [`parse_lines`] / [`parse_csv`]: bulk lists with per-line rejections.
//! - [`SuffixList`]: the public suffix list, built in or loaded from a newer file.
//!
//! ```
//! use hikeshi_ioc::{defang, extract, Category, DefangStyle, Kind};
//!
//! let report = "C2 は hxxps://evil[.]example[.]co[.]jp/gate.php（１９８．５１．１００．７）、\
//!               検体 SHA256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
//! let found = extract(report);
//! let kinds: Vec<(Kind, &str)> = found.iter().map(|e| (e.kind, e.value.as_str())).collect();
//! assert_eq!(kinds, [
//!     (Kind::Url, "https://evil.example.co.jp/gate.php"),
//!     (Kind::Ipv4, "198.51.100.7"),
//!     (Kind::Sha256, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
//! ]);
//! // Where it was written, byte for byte, and a flag for a documentation address.
//! assert_eq!(&report[found[1].start..found[1].end], "１９８．５１．１００．７");
//! assert_eq!(found[1].warnings[0].category, Category::Documentation);
//! // And safe to paste into a notification mail.
//! assert_eq!(defang(&found[0].indicator(), DefangStyle::Brackets), "hxxps://evil[.]example[.]co[.]jp/gate.php");
//! ```

mod bulk;
mod candidates;
mod context;
mod correlate;
mod defang;
mod extract;
mod facts;
mod files;
mod kind;
mod lists;
mod normalize;
mod parse;
mod refang;
mod suffix;
mod warn;

pub use bulk::{Accepted, BulkResult, Rejected, parse_csv, parse_lines};
pub use correlate::{
    Link, WeakKey, network_key, registrable_domain, registrable_domain_with, url_host, weak_keys,
};
pub use defang::{DefangStyle, defang};
pub use extract::{Extracted, Extractor, default_extractor, extract, extract_bytes};
pub use facts::{FACT_MAX_CHARS, FactError, normalise_fact};
pub use kind::Kind;
pub use parse::{parse_as, parse_indicator, parse_indicator_with};
pub use refang::refang;
pub use suffix::SuffixList;
pub use warn::{Category, Warning, WarningList, WarningSet};

use serde::{Deserialize, Serialize};

/// One observable: a kind and its normal form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Indicator {
    pub kind: Kind,
    pub value: String,
}

/// Why a piece of text is not an indicator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IocError {
    #[error("unknown indicator kind {0:?}")]
    UnknownKind(String),
    #[error("{0:?} is not a recognisable indicator")]
    NotAnIndicator(String),
    #[error("{text:?} looks like a {kind} but is not valid: {reason}")]
    Invalid {
        kind: Kind,
        text: String,
        reason: &'static str,
    },
    #[error("{text:?} is a {found}, not a {expected}")]
    KindMismatch {
        expected: Kind,
        found: Kind,
        text: String,
    },
    #[error("public suffix list: {0}")]
    SuffixList(String),
    #[error("warning list: {0}")]
    WarningList(String),
}
