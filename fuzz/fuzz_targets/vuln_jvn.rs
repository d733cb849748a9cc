//! The JVN VULDEF advisory parser on arbitrary bytes (see common/advisory.rs).
#![no_main]

#[path = "common/advisory.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check(
    "fuzz.xml",
    hikeshi_vuln::jvn::parse_jvn,
    data
));
