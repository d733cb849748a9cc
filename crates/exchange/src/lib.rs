//! hikeshi-exchange: formats in and out (pure).
//!
//! Each format lives in its own module and turns outside data into domain types (or domain
//! types into the format), with errors that name the file, record or line and what was wrong.
//! Sharing formats (STIX 2.1, MISP JSON and feeds, CSV, defanged text) all meet in [`share`]:
//! exports take a [`share::ShareSet`] whose TLP ceiling is applied before any writer sees it,
//! imports return a [`share::Imported`] that keeps unknown objects and names every rejection.

pub mod jpcert_stats;
pub mod misp;
pub mod share;
pub mod stix;
pub mod text;
