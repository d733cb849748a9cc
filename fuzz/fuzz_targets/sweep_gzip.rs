//! Fuzzes gzip input on the parallel member path. The input's text is cut into gzip members at
//! places the input chooses (some stored, so gzip headers in the text appear as they are in the
//! compressed data) and swept from a file on one thread (the stream inflater) and on two
//! (members inflated in parallel, pieces of 4 KiB): same hits, errors and counts. Raw bytes are
//! also appended to valid members, as a corrupt or truncated member: no panic, hits in range.
#![no_main]

use std::io::Write;

use hikeshi_sweep::{SweepOptions, Sweeper, VecSink};

#[path = "common/sweep.rs"]
mod common;

fn member(part: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(part).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}

fn sweep(path: &std::path::Path, threads: usize) -> (hikeshi_sweep::Stats, VecSink) {
    let opts = SweepOptions {
        threads,
        block_size: 4096,
        max_line: 1 << 16,
        ..SweepOptions::default()
    };
    let mut sink = VecSink::default();
    let stats = Sweeper::new(common::set(), opts).sweep_paths(&[path], &mut sink);
    (stats, sink)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&seed, text)) = data.split_first() else {
        return;
    };
    if text.is_empty() {
        return;
    }
    // At least a few pieces: the text repeated to 24 KiB.
    let mut body = Vec::new();
    while body.len() < 24 << 10 {
        body.extend_from_slice(text);
    }
    let mut gz = Vec::new();
    let mut x = u64::from(seed) | 1;
    let mut at = 0;
    while at < body.len() {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let n = ((x >> 33) % 6000) as usize;
        let end = (at + n).min(body.len());
        gz.extend(member(&body[at..end], if seed & 1 == 0 { 0 } else { 1 }));
        at = end;
    }
    let path = std::env::temp_dir().join(format!("hikeshi-fuzz-gz-{}.gz", std::process::id()));
    std::fs::write(&path, &gz).expect("temp file");
    let (s1, one) = sweep(&path, 1);
    let (s2, two) = sweep(&path, 2);
    assert_eq!(one.hits, two.hits);
    assert_eq!(s1, s2);
    let errors = |s: &VecSink| s.errors.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(errors(&one), errors(&two));

    // The raw input as a broken last member, from the file on two threads and as a stream.
    gz.extend_from_slice(data);
    std::fs::write(&path, &gz).expect("temp file");
    let (stats, sink) = sweep(&path, 2);
    assert!(
        sink.hits
            .iter()
            .all(|h| h.line >= 1 && h.line <= stats.lines)
    );
    let _ = std::fs::remove_file(&path);
    common::sweep(hikeshi_sweep::Format::Squid, &gz);
});
