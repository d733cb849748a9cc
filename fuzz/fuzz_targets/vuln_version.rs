//! Version ordering on arbitrary pairs: no panic, and a total order (antisymmetric, and equal
//! to itself) in every ecosystem.
#![no_main]

use std::cmp::Ordering;

use hikeshi_vuln::{Ecosystem, compare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\t').unwrap_or((&text, "1.0"));
    for eco in [
        Ecosystem::Debian,
        Ecosystem::RedHat,
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Generic,
    ] {
        if let (Ok(x), Ok(y)) = (compare(eco, a, b), compare(eco, b, a)) {
            assert_eq!(x, y.reverse(), "{eco:?}: {a:?} vs {b:?}");
        }
        if let Ok(same) = compare(eco, a, a) {
            assert_eq!(same, Ordering::Equal, "{eco:?}: {a:?}");
        }
    }
});
