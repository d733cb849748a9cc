//! STIX 2.1 in and out: bundles written from a [`ShareSet`](crate::share::ShareSet) and read
//! into an [`Imported`](crate::share::Imported), both streaming, plus the STIX patterning
//! language and a per-object check a TAXII server uses before storing an object as it came.
//!
//! - [`write_bundle`] writes one object at a time: the producer `identity`, the TLP 2.0
//!   marking-definitions in use, an `indicator` + SCO (once per value) + an `observed-data`
//!   wrapping it + a `based-on` relationship indicator → observed-data per shared indicator (a
//!   `vulnerability` for a CVE; a `malware` + `indicates` for payload, dropper and
//!   malware-distribution roles), and a `report` per incident. Every id is deterministic, so a
//!   re-export writes the same objects. Indicators of kind `other` cannot be expressed and are
//!   listed in [`ExportSummary::skipped`], never dropped silently. [`ExportOptions::tlp_max`]
//!   withholds anything above it even if the caller forgot [`ShareSet::cap`](crate::share::ShareSet::cap).
//! - [`read_bundle`] / [`read_envelope`] visit the `objects` array element by element (memory
//!   is one object plus the result, whatever the file size, bounded by [`ImportLimits`]).
//!   Patterns are parsed with a real parser ([`pattern`]); every equality on a path we model
//!   becomes an indicator, normalised by hikeshi-ioc; known SCOs become indicators too; reports
//!   become groups; relationships become relations; everything else is kept whole. Objects
//!   that are wrong (a bad pattern, a bad value, a marking nobody defined) are rejected one by
//!   one with their id and reason; input that is not a STIX 2.1 bundle at all is a
//!   [`StixError`].
//! - [`check_object`] validates one object and reads its id, versions and TLP.
//!
//! The tables (kind → pattern/SCO, role → indicator_types, TLP ids) are in docs/stix.md.
//!
//! ```
//! use hikeshi_domain::indicator::IndicatorRole;
//! use hikeshi_domain::tlp::Tlp;
//! use hikeshi_exchange::share::{Producer, ShareIndicator, ShareSet};
//! use hikeshi_exchange::stix::{ExportOptions, ImportLimits, read_bundle, write_bundle};
//! use hikeshi_ioc::parse_indicator;
//!
//! let set = ShareSet {
//!     producer: Producer { name: "Example CSIRT".into(), uuid: "5e0f8c3a-9a43-4c4e-8f0e-1b2d3c4d5e6f".into() },
//!     incidents: vec![],
//!     indicators: vec![ShareIndicator {
//!         uuid: "0b1d7f1e-3c6a-4d59-9a55-2f1f0a6c7b11".into(),
//!         indicator: parse_indicator("evil[.]example[.]com").unwrap(),
//!         role: IndicatorRole::C2,
//!         tlp: Tlp::Green,
//!         incident: None,
//!         comment: "C2 of the campaign".into(),
//!         created: 1_764_000_000_000,
//!         modified: 1_764_000_000_000,
//!         first_seen: None,
//!         last_seen: None,
//!     }],
//! };
//! let mut bytes = Vec::new();
//! let opts = ExportOptions { tlp_max: Tlp::Amber, ..ExportOptions::default() };
//! let summary = write_bundle(&set, &mut bytes, &opts).unwrap();
//! assert_eq!(summary.indicators, 1);
//!
//! let back = read_bundle(&bytes[..], &ImportLimits::default()).unwrap();
//! assert_eq!(back.indicators.len(), 1);
//! assert_eq!(back.indicators[0].indicator.value, "evil.example.com");
//! assert_eq!(back.indicators[0].tlp, Some(Tlp::Green));
//! assert_eq!(back.indicators[0].role, IndicatorRole::C2);
//! ```

mod check;
mod convert;
mod export;
pub mod ids;
mod import;
mod json;
pub mod mapping;
pub mod markings;
pub mod pattern;
mod plan;
mod stamp;

pub use check::{ObjectInfo, SCO_TYPES, SDO_TYPES, check_object, is_sco_type};
pub use export::{ExportOptions, ExportSummary, Skipped, write_bundle};
pub use import::{Envelope, ImportLimits, read_bundle, read_envelope};

/// Why an input is not something we can import at all (problems with single objects are
/// [`Rejected`](crate::share::Rejected) entries instead, and the rest is imported).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StixError {
    #[error("not JSON: line {line}, column {column}: {reason}")]
    Json {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("not a STIX 2.1 bundle: {0}")]
    NotABundle(String),
    #[error("STIX 2.0 is not supported, only STIX 2.1: {0}")]
    Stix20(String),
    #[error("more than {limit} objects (ImportLimits::max_objects)")]
    TooManyObjects { limit: usize },
    #[error(
        "object objects[{index}] is larger than {limit} bytes (ImportLimits::max_object_bytes)"
    )]
    ObjectTooLarge { index: usize, limit: usize },
    #[error("reading the input: {0}")]
    Io(String),
}
