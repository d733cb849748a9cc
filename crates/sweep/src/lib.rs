//! hikeshi-sweep: indicators × logs → hits.
//!
//! A retro-hunt engine shaped like ripgrep's searcher, but field-aware: it knows where the host,
//! the address and the URL are in each log format, so `evil.com` matches `a.b.evil.com` and
//! never `notevil.com`, `evil.com.other.net` or `?q=evil.com`, and a CIDR indicator matches every
//! address inside it, which no substring search can do.
//!
//! - [`IndicatorSet`]: indicators built once into hash sets (domains on every parent label),
//!   sorted CIDR ranges and normalised URLs; [`read_indicators`] loads a handler's list.
//! - [`Sweeper`]: reads files, directories, standard input or any `io::Read` (gzip, zstd and
//!   bzip2 detected by magic bytes), detects the [`Format`] (Squid, combined, Zeek, JSON lines,
//!   CSV, text) and matches blocks of lines on `threads` threads; one large plain file is split
//!   into segments, and the members of a multi-member gzip file are inflated in parallel.
//! - [`Hit`] and [`SweepError`] go to a [`Sink`], in file and line order; problems never abort
//!   the sweep.
//! - [`output`]: JSON lines, CSV, table rows and per-indicator / per-host summaries.
//!
//! The crate is pure and synchronous: no async runtime, no I/O besides reading its inputs.
//!
//! ```
//! use hikeshi_ioc::Kind;
//! use hikeshi_sweep::{IndicatorSet, SweepOptions, Sweeper, VecSink};
//!
//! let mut b = IndicatorSet::builder();
//! b.insert(Kind::Domain, "evil.com").unwrap();
//! b.insert(Kind::Cidr, "203.0.113.0/24").unwrap();
//! let set = b.build();
//!
//! let log = "\
//! 1700000000.001    120 10.0.0.7 TCP_TUNNEL/200 900 CONNECT cdn.evil.com:443 - HIER_DIRECT/198.51.100.9 -
//! 1700000000.002    120 10.0.0.8 TCP_TUNNEL/200 900 CONNECT notevil.com:443 - HIER_DIRECT/198.51.100.9 -
//! 1700000000.003    120 10.0.0.9 TCP_MISS/200 900 GET http://x.example/ - HIER_DIRECT/203.0.113.5 text/html
//! ";
//! let mut sink = VecSink::default();
//! let stats = Sweeper::new(&set, SweepOptions::default())
//!     .sweep_reader("access.log", log.as_bytes(), &mut sink);
//!
//! assert_eq!(stats.hit_lines, 2);
//! let found: Vec<_> = sink.hits.iter()
//!     .map(|h| (h.line, h.field.as_str(), h.indicator.as_str(), h.source.as_deref()))
//!     .collect();
//! assert_eq!(found, [
//!     (1, "url", "evil.com", Some("10.0.0.7")),
//!     (3, "peer", "203.0.113.0/24", Some("10.0.0.9")),
//! ]);
//! ```

mod bits;
mod chunk;
mod emit;
mod error;
mod fields;
mod files;
mod formats;
mod hit;
mod input;
mod load;
mod matcher;
mod multigz;
mod norm;
pub mod output;
mod quiet;
mod ranges;
mod segments;
mod set;
mod strset;
mod sweeper;

pub use error::{SetError, SweepError};
pub use fields::FieldMap;
pub use formats::{Format, detect};
pub use hit::{Hit, Sink, Stats, VecSink};
pub use input::{Compression, Source, decode};
pub use load::{Loaded, Rejected, read_indicators};
pub use matcher::Role;
pub use set::{IndicatorSet, IndicatorSetBuilder};
pub use sweeper::{SweepOptions, Sweeper};
