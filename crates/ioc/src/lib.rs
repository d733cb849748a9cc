//! hikeshi-ioc: indicators of compromise.
//!
//! (This page is completed by the indicators work: kinds, normal forms, refang/defang,
//! extraction from free text, warning lists.)
//!
//! The stable core API other crates rely on:
//! - [`Kind`]: the indicator kinds,
//! - [`Indicator`]: a kind plus its one normal form,
//! - [`parse_indicator`]: one indicator as a handler writes it (refanged, normalised).

mod bulk;
mod candidates;
mod context;
mod correlate;
mod defang;
mod extract;
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
