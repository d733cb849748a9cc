//! The MISP feed manifest parser on arbitrary bytes: it must not panic, and a manifest it
//! accepts must read back the same after being written out as `write_feed` writes it.
#![no_main]

use hikeshi_exchange::misp::{manifest_to_vec, parse_manifest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(m) = parse_manifest(data) else {
        return;
    };
    let again = parse_manifest(&manifest_to_vec(&m)).expect("our own output reads back");
    assert_eq!(again, m);
});
