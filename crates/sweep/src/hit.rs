//! What a sweep finds and where it goes.

use std::sync::Arc;

use hikeshi_ioc::Kind;
use serde::Serialize;

use crate::error::SweepError;

/// One indicator found in one field of one log line.
///
/// A line can give several hits (a URL indicator and the domain indicator of its host); counting
/// hit *lines* is the sink's business ([`Stats::hit_lines`] does it for the whole sweep).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// The path as given (or `-` for standard input); for a directory, the file inside it.
    #[serde(serialize_with = "ser_arc_str")]
    pub file: Arc<str>,
    /// 1-based line number in the decompressed stream.
    pub line: u64,
    /// Byte offset of the start of the line in the decompressed stream.
    pub offset: u64,
    /// The line's timestamp exactly as the log wrote it (not reinterpreted: a sweep must not
    /// guess time zones).
    pub timestamp: Option<String>,
    /// The internal (client) host of the connection, when the format has one.
    pub source: Option<String>,
    /// The destination host, name or address, when the format has one.
    pub destination: Option<String>,
    /// The field the indicator was found in (format's own name: `url`, `id.resp_h`, `dst_ip`…).
    pub field: String,
    /// The kind of the indicator that matched.
    pub kind: Kind,
    /// The indicator that matched, in its normal form.
    pub indicator: String,
    /// The field's value as it appears in the log (lossily decoded as UTF-8).
    pub value: String,
}

/// Where hits and problems go. The sweep calls it from one thread, in file and line order, so an
/// implementation needs no locking and its output is deterministic whatever `threads` is.
pub trait Sink {
    fn hit(&mut self, hit: Hit);
    fn error(&mut self, error: SweepError);
    /// Called after each chunk with the running totals (for a progress bar or a job's status).
    fn progress(&mut self, _stats: &Stats) {}
    /// Polled before each chunk is read; returning true stops the sweep early (a cancelled
    /// job). What was found so far has been delivered.
    fn cancelled(&self) -> bool {
        false
    }
}

/// A sink that keeps everything, for tests and small sweeps.
#[derive(Debug, Default)]
pub struct VecSink {
    pub hits: Vec<Hit>,
    pub errors: Vec<SweepError>,
}

impl Sink for VecSink {
    fn hit(&mut self, hit: Hit) {
        self.hits.push(hit);
    }
    fn error(&mut self, error: SweepError) {
        self.errors.push(error);
    }
}

/// Counts of a finished sweep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Files (or streams) opened.
    pub files: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    pub lines: u64,
    /// Lines with at least one hit.
    pub hit_lines: u64,
    pub hits: u64,
    /// Lines the format's reader could not split, matched as plain text instead.
    pub malformed_lines: u64,
    /// Problems reported to the sink, malformed lines excluded.
    pub errors: u64,
}

impl Stats {
    /// Adds the counts of another part of the same sweep.
    pub fn add(&mut self, o: &Stats) {
        self.files += o.files;
        self.bytes += o.bytes;
        self.lines += o.lines;
        self.hit_lines += o.hit_lines;
        self.hits += o.hits;
        self.malformed_lines += o.malformed_lines;
        self.errors += o.errors;
    }
}

/// serde's `Arc` support sits behind its `rc` feature, which would change serde for the whole
/// workspace; one path string does not justify that.
fn ser_arc_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}
