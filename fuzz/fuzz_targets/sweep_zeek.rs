//! Fuzzes the zeek log reader through the public sweep API (see common/sweep.rs).
#![no_main]

#[path = "common/sweep.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::sweep(hikeshi_sweep::Format::Zeek, data));
