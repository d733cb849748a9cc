//! Reading indicator files: one indicator per line, in any form `hikeshi_ioc::parse_indicator`
//! accepts (defanged, full-width, with or without scheme).

use std::io::{self, Read};

use hikeshi_ioc::parse_indicator;

use crate::set::{IndicatorSet, IndicatorSetBuilder};

/// Most threads the loader uses; parsing is the cost, and merging grows with the thread count.
const MAX_LOAD_THREADS: usize = 4;

/// A line of an indicator file that was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line number.
    pub line: u64,
    pub text: String,
    pub reason: String,
}

/// What an indicator file gave.
#[derive(Debug)]
pub struct Loaded {
    pub set: IndicatorSet,
    /// Lines that are not indicators, or not valid for their kind. The caller decides whether
    /// they are fatal (the CLI reports them and goes on, as a handler's list is often messy).
    pub rejected: Vec<Rejected>,
}

/// Reads an indicator list. Blank lines and lines starting with `#` are skipped; text after a
/// tab is ignored, so `indicator<TAB>comment` lists load as is (not at commas: URLs contain
/// them).
///
/// The list is read whole (26 MB for a million indicators) and parsed on up to four threads,
/// each filling its own builder, merged at the end: parsing (refanging, public-suffix checks)
/// is most of the load time, and one thread took over a second for a million lines.
pub fn read_indicators<R: Read>(mut reader: R) -> io::Result<Loaded> {
    let mut all = Vec::new();
    reader.read_to_end(&mut all)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_LOAD_THREADS);
    let parts = split_at_lines(&all, threads);
    let results: Vec<(IndicatorSetBuilder, Vec<Rejected>)> = if parts.len() == 1 {
        parts
            .iter()
            .map(|&(first, bytes)| load_part(bytes, first))
            .collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|&(first, bytes)| scope.spawn(move || load_part(bytes, first)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };
    // The first part's builder is kept as it is and the others are merged into it: merging
    // into an empty builder re-inserted every indicator once more, on one thread.
    let mut parts = results.into_iter();
    let (mut builder, mut rejected) = parts.next().unwrap_or_default();
    for (b, r) in parts {
        builder.merge(b);
        rejected.extend(r);
    }
    Ok(Loaded {
        set: builder.build(),
        rejected,
    })
}

/// Up to `n` parts cut after a newline, each with the 1-based number of its first line.
fn split_at_lines(all: &[u8], n: usize) -> Vec<(u64, &[u8])> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut line = 1u64;
    for i in 1..=n {
        if start >= all.len() {
            break;
        }
        let target = (all.len() * i / n).max(start);
        let end = if i == n {
            all.len()
        } else {
            memchr::memchr(b'\n', &all[target..]).map_or(all.len(), |p| target + p + 1)
        };
        parts.push((line, &all[start..end]));
        line += memchr::memchr_iter(b'\n', &all[start..end]).count() as u64;
        start = end;
    }
    parts
}

fn load_part(bytes: &[u8], first_line: u64) -> (IndicatorSetBuilder, Vec<Rejected>) {
    let mut builder = IndicatorSetBuilder::default();
    let mut rejected = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let text = String::from_utf8_lossy(raw);
        let text = text.split('\t').next().unwrap_or_default().trim();
        let text = text.trim_start_matches('\u{feff}');
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let reject = |reason: String| Rejected {
            line: first_line + i as u64,
            text: text.to_owned(),
            reason,
        };
        match parse_indicator(text) {
            Ok(ind) => {
                if let Err(e) = builder.insert_owned(ind.kind, ind.value) {
                    rejected.push(reject(e.to_string()));
                }
            }
            Err(e) => rejected.push(reject(e.to_string())),
        }
    }
    (builder, rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_every_line_once_with_the_right_numbers() {
        let text = b"a\nbb\n\nccc\nd";
        for n in 1..=6 {
            let parts = split_at_lines(text, n);
            let joined: Vec<u8> = parts.iter().flat_map(|(_, p)| p.iter().copied()).collect();
            assert_eq!(joined, text, "{n}");
            let mut expect = 1;
            for (first, p) in &parts {
                assert_eq!(*first, expect, "{n}");
                expect += p.iter().filter(|&&b| b == b'\n').count() as u64;
            }
        }
    }
}
