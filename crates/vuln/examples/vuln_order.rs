//! Prints hikeshi's ordering of version pairs, for the cross-check against independent
//! implementations (`scripts/external/version_crosscheck.py`).
//!
//! Reads `ECOSYSTEM<TAB>A<TAB>B` lines on stdin (ECOSYSTEM as OSV spells it, e.g. `Debian`,
//! `Red Hat`, `npm`, `PyPI`, `Generic`) and prints one line per pair: `<`, `=`, `>`, or
//! `error: <reason>`.

use std::cmp::Ordering;
use std::io::{self, BufRead, Write};

use hikeshi_vuln::{Ecosystem, compare};

fn main() -> io::Result<()> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let mut f = line.splitn(3, '\t');
        let (Some(eco), Some(a), Some(b)) = (f.next(), f.next(), f.next()) else {
            writeln!(out, "error: expected ECOSYSTEM<TAB>A<TAB>B")?;
            continue;
        };
        let Some(eco) = Ecosystem::from_osv_name(eco) else {
            writeln!(out, "error: unknown ecosystem {eco:?}")?;
            continue;
        };
        match compare(eco, a, b) {
            Ok(Ordering::Less) => writeln!(out, "<")?,
            Ok(Ordering::Equal) => writeln!(out, "=")?,
            Ok(Ordering::Greater) => writeln!(out, ">")?,
            Err(e) => writeln!(out, "error: {e}")?,
        }
    }
    out.flush()
}
