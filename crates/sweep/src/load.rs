//! Reading indicator files: one indicator per line, in any form `hikeshi_ioc::parse_indicator`
//! accepts (defanged, full-width, with or without scheme).

use std::io::{self, BufRead};

use hikeshi_ioc::parse_indicator;

use crate::set::{IndicatorSet, IndicatorSetBuilder};

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
/// tab is ignored, so `indicator<TAB>comment` lists load as is (not at commas: URLs contain them).
pub fn read_indicators<R: BufRead>(mut reader: R) -> io::Result<Loaded> {
    let mut builder = IndicatorSetBuilder::default();
    let mut rejected = Vec::new();
    let mut raw = Vec::new();
    let mut line_no = 0u64;
    loop {
        raw.clear();
        if reader.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        line_no += 1;
        let text = String::from_utf8_lossy(&raw);
        let text = text.split('\t').next().unwrap_or_default().trim();
        let text = text.trim_start_matches('\u{feff}');
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let reject = |reason: String| Rejected {
            line: line_no,
            text: text.to_owned(),
            reason,
        };
        match parse_indicator(text) {
            Ok(ind) => {
                if let Err(e) = builder.insert(ind.kind, &ind.value) {
                    rejected.push(reject(e.to_string()));
                }
            }
            Err(e) => rejected.push(reject(e.to_string())),
        }
    }
    Ok(Loaded {
        set: builder.build(),
        rejected,
    })
}
