//! MISP: the core JSON format (events, attributes, objects), MISP feeds, and the mapping to and
//! from hikeshi's sharing model ([`crate::share`]). Users' documentation: `docs/misp.md`.
//!
//! - [`types`]: [`Event`], [`Attribute`], [`MispObject`], [`Tag`], [`Org`] as serde types that
//!   keep every field they do not model, so an event read and written back is the same JSON.
//! - [`mapping`]: the one table between hikeshi kinds/roles and MISP types/categories, TLP tags
//!   and `distribution`.
//! - [`export_events`]: a capped [`ShareSet`](crate::share::ShareSet) → one event per incident
//!   (plus one for indicators without an incident), deterministic.
//! - [`read_event`] / [`import_events`]: MISP JSON (an event, a restSearch answer, a list) →
//!   [`Imported`](crate::share::Imported), rejecting bad values with the attribute named.
//! - [`write_feed`] / [`read_feed`] / [`parse_manifest`]: the feed directory MISP fetches.
//! - [`event_from_value`] / [`event_to_value`]: for a MISP-compatible REST API.
//!
//! ```
//! use hikeshi_exchange::misp::{read_event, event_from_value, event_to_value};
//! use hikeshi_domain::tlp::Tlp;
//!
//! let json = r#"{"Event": {"uuid": "5f0a0e55-1b1c-4a4e-9d0c-2b3a4c5d6e7f", "info": "フィッシング",
//!   "Tag": [{"name": "tlp:amber"}], "threat_level_id": "2", "x-custom": [1, 2],
//!   "Attribute": [
//!     {"uuid": "0b6c7d8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "type": "url", "category": "Network activity",
//!      "value": "hxxps://evil[.]example[.]jp/login", "to_ids": true},
//!     {"type": "ip-dst", "value": "not an address"}]}}"#;
//! let got = read_event(json.as_bytes()).unwrap();
//! assert_eq!(got.indicators[0].indicator.value, "https://evil.example.jp/login");
//! assert_eq!(got.indicators[0].tlp, Some(Tlp::Amber));
//! assert_eq!(got.rejected[0].object, "Attribute[1]");
//!
//! // Fields hikeshi does not model survive a round trip.
//! let v: serde_json::Value = serde_json::from_str(json).unwrap();
//! assert_eq!(event_to_value(&event_from_value(v.clone()).unwrap()), v);
//! ```

pub mod export;
pub mod feed;
pub mod import;
pub mod mapping;
mod parse;
pub mod types;

pub use export::{ORPHAN_EVENT_NAME, export_events, orphan_event_uuid};
pub use feed::{
    FeedSummary, manifest_entry, manifest_to_vec, parse_manifest, read_feed, value_hashes,
    write_feed,
};
pub use import::{event_from_slice, event_from_value, event_to_value, import_events, read_event};
pub use types::{Attribute, Event, ManifestEntry, MispBool, MispInt, MispObject, Org, Tag};

/// Why MISP input could not be read at all (single bad attributes are
/// [`Rejected`](crate::share::Rejected) instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MispError {
    #[error("not JSON: {message} (line {line}, column {column})")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not a MISP event: {0}")]
    NotAnEvent(String),
    #[error("feed manifest.json: {0}")]
    Manifest(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}
