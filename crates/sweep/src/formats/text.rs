//! Plain text and syslog: the whole line is free text (see `Role::Text`); only the timestamp is
//! recognised for the hit report.

use super::{Context, lossy};

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

pub(super) fn context(line: &[u8]) -> Context {
    // BSD syslog `Nov 26 04:22:34 host …` is 15 bytes; RFC 5424 and most other logs open with an
    // ISO 8601 or epoch timestamp as the first token.
    let timestamp = if line.len() >= 15 && MONTHS.contains(&&line[..3]) {
        lossy(&line[..15])
    } else if line.first().is_some_and(u8::is_ascii_digit) {
        line.split(|&b| b == b' ' || b == b'\t')
            .next()
            .and_then(lossy)
    } else {
        None
    };
    Context {
        timestamp,
        ..Context::default()
    }
}
