//! Matching one chunk of whole lines: the work each thread does.

use std::sync::Arc;

use crate::error::Problem;
use crate::formats::{Context, Parser};
use crate::hit::Hit;
use crate::matcher::{Match, Matcher, Role};

/// Malformed lines reported one by one per chunk; the rest are counted. A corrupt file must not
/// bury the hits under a million identical messages.
const MALFORMED_REPORTS_PER_CHUNK: usize = 5;

/// What one chunk produced. Line numbers in `hits[..].line` and `problems` are 0-based within
/// the chunk until the emitter, which knows how many lines came before, makes them absolute.
#[derive(Debug, Default)]
pub(crate) struct ChunkOut {
    pub hits: Vec<Hit>,
    pub problems: Vec<(u64, Problem)>,
    pub bytes: u64,
    pub lines: u64,
    pub hit_lines: u64,
    pub malformed: u64,
}

struct Pending {
    field: String,
    value: String,
    m: Match,
}

pub(crate) fn scan_chunk(
    parser: &Parser,
    matcher: &mut Matcher<'_>,
    file: &Arc<str>,
    data: &[u8],
    base_offset: u64,
) -> ChunkOut {
    let mut out = ChunkOut {
        bytes: data.len() as u64,
        ..ChunkOut::default()
    };
    let mut matches: Vec<Match> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        let raw = &data[start..end];
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let rel = out.lines;
        out.lines += 1;
        let offset = base_offset + start as u64;
        start = end + 1;

        pending.clear();
        let parsed = parser.scan(line, &mut |field, role, value| {
            record(matcher, &mut matches, &mut pending, field, role, value);
        });
        let text_fallback = parsed.is_err();
        if text_fallback {
            // Whatever the reader could not split is still searched, at token boundaries.
            out.malformed += 1;
            if out.problems.len() < MALFORMED_REPORTS_PER_CHUNK {
                out.problems
                    .push((rel, Problem::Malformed(parser.format())));
            }
            pending.clear();
            record(
                matcher,
                &mut matches,
                &mut pending,
                "line",
                Role::Text,
                line,
            );
        }
        if pending.is_empty() {
            continue;
        }
        out.hit_lines += 1;
        let cx = if text_fallback {
            Context::default()
        } else {
            parser.context(line)
        };
        for p in pending.drain(..) {
            out.hits.push(Hit {
                file: Arc::clone(file),
                line: rel,
                offset,
                timestamp: cx.timestamp.clone(),
                source: cx.source.clone(),
                destination: cx.destination.clone(),
                field: p.field,
                kind: p.m.kind,
                indicator: p.m.indicator,
                value: p.value,
            });
        }
    }
    out
}

fn record(
    matcher: &mut Matcher<'_>,
    matches: &mut Vec<Match>,
    pending: &mut Vec<Pending>,
    field: &str,
    role: Role,
    value: &[u8],
) {
    matches.clear();
    matcher.match_value(role, value, matches);
    for m in matches.drain(..) {
        // The same indicator twice in one field of one line is one hit.
        if !pending.iter().any(|p| p.field == field && p.m == m) {
            pending.push(Pending {
                field: field.to_owned(),
                value: String::from_utf8_lossy(value).into_owned(),
                m,
            });
        }
    }
}
