//! hikeshi-exchange: formats in and out (pure).
//!
//! Each format lives in its own module and turns outside data into domain types (or domain
//! types into the format), with errors that name the file, record or line and what was wrong.
//! Modules are added by the issues that need them (statistics, vulnerability response, sharing).

pub mod jpcert_stats;
