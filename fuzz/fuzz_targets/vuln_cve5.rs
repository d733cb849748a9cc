//! The CVE JSON 5 advisory parser on arbitrary bytes (see common/advisory.rs).
#![no_main]

#[path = "common/advisory.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check(
    "fuzz.json",
    hikeshi_vuln::cve5::parse_cve5,
    data
));
