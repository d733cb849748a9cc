//! Errors of the sweep. Every variant names the file and, where it is known, the line, because a
//! handler sweeping a directory of a hundred logs must know which one to look at (DESIGN.md §3.2).

use std::io;

use crate::formats::Format;

/// Why an indicator could not be put into an [`IndicatorSet`](crate::IndicatorSet).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    #[error("{value:?} is not a valid {kind} indicator")]
    Invalid {
        kind: hikeshi_ioc::Kind,
        value: String,
    },
}

/// A problem met while sweeping. The sweep reports it to the sink and goes on with the next
/// line or file; none of these aborts a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{file}: cannot open: {source}")]
    Open { file: String, source: io::Error },
    #[error("{file}:{line}: read failed after line {after}: {source}", after = line.saturating_sub(1))]
    Read {
        file: String,
        line: u64,
        source: io::Error,
    },
    #[error("{file}:{line}: line longer than {limit} bytes, skipped")]
    LineTooLong {
        file: String,
        line: u64,
        limit: usize,
    },
    #[error("{file}:{line}: not a valid {format} line, matched as plain text instead")]
    Malformed {
        file: String,
        line: u64,
        format: Format,
    },
    #[error("{file}: {count} further malformed lines not reported one by one")]
    MoreMalformed { file: String, count: u64 },
    #[error("{file}: binary data (NUL bytes) near line {line}, file skipped")]
    Binary { file: String, line: u64 },
}

impl SweepError {
    /// The file the problem is in.
    pub fn file(&self) -> &str {
        match self {
            SweepError::Open { file, .. }
            | SweepError::Read { file, .. }
            | SweepError::LineTooLong { file, .. }
            | SweepError::Malformed { file, .. }
            | SweepError::MoreMalformed { file, .. }
            | SweepError::Binary { file, .. } => file,
        }
    }

    /// The line the problem is at, when there is one (1-based).
    pub fn line(&self) -> Option<u64> {
        match self {
            SweepError::Read { line, .. }
            | SweepError::LineTooLong { line, .. }
            | SweepError::Malformed { line, .. }
            | SweepError::Binary { line, .. } => Some(*line),
            SweepError::Open { .. } | SweepError::MoreMalformed { .. } => None,
        }
    }

    /// True for problems that mean part of the input was not swept at all (a command line tool
    /// exits 2 on these); false for malformed lines, which were still matched as text.
    pub fn is_fatal_for_input(&self) -> bool {
        !matches!(
            self,
            SweepError::Malformed { .. } | SweepError::MoreMalformed { .. }
        )
    }
}

/// A problem found inside a chunk, before the chunk's place in the file (and so the absolute
/// line number) is known.
#[derive(Debug)]
pub(crate) enum Problem {
    Read(io::Error),
    LineTooLong(usize),
    Malformed(Format),
    Binary,
}

impl Problem {
    pub(crate) fn into_error(self, file: &str, line: u64) -> SweepError {
        let file = file.to_owned();
        match self {
            Problem::Read(source) => SweepError::Read { file, line, source },
            Problem::LineTooLong(limit) => SweepError::LineTooLong { file, line, limit },
            Problem::Malformed(format) => SweepError::Malformed { file, line, format },
            Problem::Binary => SweepError::Binary { file, line },
        }
    }
}
