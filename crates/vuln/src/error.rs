//! Per-record import results: what was read, and what was rejected with where and why.

use std::fmt;

/// One rejected record: which file, which record (index, id or line), and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RecordError {
    pub file: String,
    /// `line 7`, `record 3 (GHSA-xxxx)`, `vulnerability 2 (CVE-2014-0160)`.
    pub record: String,
    pub reason: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.record, self.reason)
    }
}

impl RecordError {
    pub fn new(file: &str, record: impl Into<String>, reason: impl Into<String>) -> Self {
        RecordError {
            file: file.to_owned(),
            record: record.into(),
            reason: reason.into(),
        }
    }
}

/// What a parser read from one file: every good record, and every bad one with its reason.
/// One bad record never stops the others.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub errors: Vec<RecordError>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            records: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl<T> Parsed<T> {
    pub(crate) fn fail(file: &str, record: impl Into<String>, reason: impl Into<String>) -> Self {
        Parsed {
            records: Vec::new(),
            errors: vec![RecordError::new(file, record, reason)],
        }
    }
}
