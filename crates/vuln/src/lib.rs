//! hikeshi-vuln: which of our assets run vulnerable software.
//!
//! The pure core of vulnerability response (issue 7): an asset's installed packages
//! ([`Package`], read by the [`inventory`] parsers), advisories ([`Advisory`], read from OSV,
//! CVE JSON 5, CSAF 2.0 and JVN VULDEF), each ecosystem's version rules ([`compare`],
//! [`Ecosystem`]), and matching that says why and how sure ([`match_package`], [`Match`],
//! [`Confidence`]). [`AdvisoryIndex`] and [`InventoryIndex`] make a full re-match and a
//! one-advisory match lookups rather than nested loops. No I/O happens here: parsers take bytes
//! and a file name for their error messages; storage and commands live in `store` and `cli`.
//!
//! ```
//! use hikeshi_vuln::{osv, match_package, Confidence, Ecosystem, Package};
//!
//! let advisory = r#"{"id": "CVE-2014-0160", "affected": [{
//!     "package": {"ecosystem": "Generic", "name": "openssl"},
//!     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0.1"}, {"fixed": "1.0.1g"}]}]}]}"#;
//! let parsed = osv::parse_osv("heartbleed.json", advisory.as_bytes());
//! let advisory = &parsed.records[0];
//!
//! let installed = |v: &str| Package {
//!     name: "openssl".into(), version: v.into(), ecosystem: Ecosystem::Generic, release: None,
//! };
//! let m = match_package(advisory, &installed("1.0.1f")).expect("1.0.1f is affected");
//! assert_eq!((m.fixed.as_deref(), m.confidence), (Some("1.0.1g"), Confidence::Exact));
//! assert!(match_package(advisory, &installed("1.0.1g")).is_none());
//! ```

pub mod advisory;
pub mod cpe;
pub mod csaf;
pub mod cve5;
pub mod cvss;
pub mod ecosystem;
pub mod error;
pub mod index;
pub mod inventory;
pub mod jvn;
pub mod matching;
pub mod osv;
mod prepared;
pub mod purl;
pub mod version;

pub use advisory::{Advisory, Affected, Event, PackageRef, Range, RangeKind};
pub use ecosystem::{Ecosystem, Platform, Scheme};
pub use error::{Parsed, RecordError};
pub use index::{AdvisoryIndex, AssetMatch, IndexWarning, InventoryIndex};
pub use inventory::Asset;
pub use matching::{Confidence, Match, Package, PreparedAdvisory, Rule, match_package};
pub use version::{Version, VersionError, compare};
