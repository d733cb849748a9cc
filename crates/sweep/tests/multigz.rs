//! One multi-member gzip file on several threads (members inflated in parallel) must report
//! exactly what the sequential inflater on one thread reports: the same hits in the same order,
//! line numbers and offsets, problems and counts — with members of one byte, empty members,
//! member boundaries inside lines, BGZF blocks, and false member headers inside the compressed
//! data. A truncated or corrupt member gives an error naming the file and the member's offset,
//! and the next file is still swept.

use std::io::Write;
use std::path::Path;

use hikeshi_sweep::{IndicatorSet, Stats, SweepOptions, VecSink};

mod common;

use common::{data, errors, indicators, sweep};

fn member(part: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(part).expect("gzip");
    e.finish().expect("gzip")
}

/// A BGZF block: a member whose extra field holds its own size minus one.
fn bgzf(part: &[u8]) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new()
        .extra(vec![b'B', b'C', 2, 0, 0, 0])
        .write(Vec::new(), flate2::Compression::fast());
    e.write_all(part).expect("gzip");
    let mut m = e.finish().expect("gzip");
    let size = u16::try_from(m.len() - 1).expect("BGZF blocks are under 64 KiB");
    m[16..18].copy_from_slice(&size.to_le_bytes());
    m
}

/// Cuts `bytes` into parts of pseudo-random sizes (from one byte to `max`), empty parts among
/// them, deterministically.
fn parts(bytes: &[u8], max: usize, seed: u64) -> Vec<&[u8]> {
    let mut x = seed;
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let n = match (x >> 33) % 16 {
            0 => 0,
            1 => 1,
            _ => 1 + (x >> 40) as usize % max,
        };
        let end = (at + n).min(bytes.len());
        out.push(&bytes[at..end]);
        at = end;
    }
    out
}

/// Sweeps `path` on one thread (the sequential inflater) and on several with small pieces, and
/// asserts the same results; returns the one-thread sweep.
fn same_as_one_thread(set: &IndicatorSet, path: &Path, what: &str) -> (Stats, VecSink) {
    let (s1, one) = sweep(set, &[path], SweepOptions::default());
    for block_size in [4096, 4099, 7000, 65536] {
        for threads in [2, 3] {
            let opts = SweepOptions {
                threads,
                block_size,
                ..SweepOptions::default()
            };
            let (s2, many) = sweep(set, &[path], opts);
            let what = format!("{what}, {threads} threads, pieces of {block_size}");
            assert_eq!(one.hits, many.hits, "{what}");
            assert_eq!(errors(&one), errors(&many), "{what}");
            assert_eq!(s1, s2, "{what}");
        }
    }
    (s1, one)
}

#[test]
fn members_of_every_size_give_the_hits_of_one_thread_and_of_the_plain_log() {
    let set = indicators();
    let dir = tempfile::tempdir().expect("tempdir");
    for log in ["squid.log", "zeek.log", "fwjson.jsonl"] {
        let bytes = std::fs::read(data(log)).expect("log");
        let plain = sweep(&set, &[data(log)], SweepOptions::default()).1;
        for (k, max) in [(0u64, 3000), (1, 200), (2, 40_000)] {
            // Members cut anywhere: inside lines, of one byte, empty.
            let gz: Vec<u8> = parts(&bytes, max, k)
                .iter()
                .flat_map(|p| member(p, 1 + k as u32))
                .collect();
            let path = dir.path().join(format!("{k}-{log}.gz"));
            std::fs::write(&path, &gz).expect("write");
            let (stats, one) = same_as_one_thread(&set, &path, &format!("{log} {k}"));
            assert!(stats.hit_lines > 0 && one.errors.is_empty(), "{log}");
            assert_eq!(stats.bytes, bytes.len() as u64, "{log}");
            let offsets = |s: &VecSink| {
                s.hits
                    .iter()
                    .map(|h| (h.line, h.offset))
                    .collect::<Vec<_>>()
            };
            assert_eq!(offsets(&one), offsets(&plain), "{log} {k}");
        }
    }
}

#[test]
fn bgzf_blocks_give_the_hits_of_one_thread() {
    let set = indicators();
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(data("squid.log")).expect("log");
    let mut gz: Vec<u8> = bytes.chunks(5000).flat_map(bgzf).collect();
    gz.extend(bgzf(b"")); // bgzip's end-of-file marker: an empty block
    let path = dir.path().join("squid.log.bgz");
    std::fs::write(&path, &gz).expect("write");
    let (stats, _) = same_as_one_thread(&set, &path, "bgzf");
    assert_eq!(stats.bytes, bytes.len() as u64);
}

#[test]
fn false_member_headers_inside_compressed_data_do_not_change_the_result() {
    let set = indicators();
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(data("squid.log")).expect("log");
    // Stored (level 0) members keep their text as it is, so a line holding a gzip header puts
    // a plausible member start in the middle of a member; a BGZF-looking one too. Not in the
    // first lines, which would make the file look binary (NUL bytes).
    let fake = [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 0, 3];
    let fake_bgzf = [
        0x1f, 0x8b, 8, 4, 1, 2, 3, 4, 0, 255, 6, 0, b'B', b'C', 2, 0, 9, 0,
    ];
    let mut text = Vec::new();
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        if i > 100 && i % 7 == 3 {
            text.extend_from_slice(b"junk ");
            text.extend_from_slice(if i % 2 == 0 {
                &fake[..]
            } else {
                &fake_bgzf[..]
            });
            text.push(b'\n');
        }
        text.extend_from_slice(line);
    }
    let gz: Vec<u8> = text.chunks(30_000).flat_map(|p| member(p, 0)).collect();
    assert!(gz.windows(fake.len()).filter(|w| *w == fake).count() > 100);
    let path = dir.path().join("fake.log.gz");
    std::fs::write(&path, &gz).expect("write");
    let (stats, one) = same_as_one_thread(&set, &path, "fake headers");
    assert!(stats.hit_lines > 0);
    assert_eq!(stats.bytes, text.len() as u64);
    assert!(
        one.errors.iter().all(|e| !e.is_fatal_for_input()),
        "{:?}",
        errors(&one)
    );
}

/// A multi-member log, the compressed offset of each member, and the plain text.
fn members(bytes: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let mut gz = Vec::new();
    let mut starts = Vec::new();
    for p in bytes.chunks(20_000) {
        starts.push(gz.len());
        gz.extend(member(p, 6));
    }
    (gz, starts)
}

#[test]
fn a_truncated_or_corrupt_member_is_reported_with_its_offset_and_the_next_file_is_swept() {
    let set = indicators();
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(data("squid.log")).expect("log");
    let (gz, starts) = members(&bytes);
    let broken = starts.len() - 3;
    let next = dir.path().join("b.log");
    std::fs::write(&next, &bytes).expect("write");
    let (_, whole) = sweep(&set, &[&next], SweepOptions::default());

    let truncated = gz[..starts[broken] + 100].to_vec();
    let mut corrupt = gz.clone();
    for b in &mut corrupt[starts[broken] + 40..starts[broken] + 60] {
        *b ^= 0x5a;
    }
    for (name, body) in [("cut.log.gz", truncated), ("bad.log.gz", corrupt)] {
        let path = dir.path().join(name);
        std::fs::write(&path, &body).expect("write");
        for threads in [1, 2] {
            let opts = SweepOptions {
                threads,
                block_size: 4096,
                ..SweepOptions::default()
            };
            let (_, sink) = sweep(&set, &[&path, &next], opts);
            let fatal: Vec<_> = sink
                .errors
                .iter()
                .filter(|e| e.is_fatal_for_input())
                .collect();
            assert_eq!(fatal.len(), 1, "{name}, {threads}: {:?}", errors(&sink));
            let msg = fatal[0].to_string();
            assert!(msg.starts_with(&path.display().to_string()), "{msg}");
            if threads > 1 {
                let at = format!("gzip member at compressed byte {}", starts[broken]);
                assert!(msg.contains(&at), "{msg}");
            }
            // Every hit before the broken member is kept, then the whole next file.
            let lines_before = bytes[..broken * 20_000]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            let ours: Vec<_> = sink
                .hits
                .iter()
                .filter(|h| h.file.ends_with(name))
                .collect();
            let expect = whole
                .hits
                .iter()
                .filter(|h| h.line as usize <= lines_before)
                .count();
            assert!(
                ours.len() >= expect,
                "{name}, {threads}: {} < {expect}",
                ours.len()
            );
            let after: Vec<_> = sink
                .hits
                .iter()
                .filter(|h| h.file.ends_with("b.log"))
                .collect();
            assert_eq!(after.len(), whole.hits.len(), "{name}, {threads}");
        }
    }
}

#[test]
fn over_long_lines_across_members_are_skipped_as_on_one_thread() {
    let set = indicators();
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(data("squid.log")).expect("log");
    let mut text = Vec::new();
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        // Not near the end: there the one-thread reader matches whatever is left in its last
        // block, however long the line (it cuts lines only while more data follows).
        if i % 300 == 150 && i < 1800 {
            // Longer than the limit, spread over several members.
            text.extend(std::iter::repeat_n(b'x', 9000 + i));
            text.push(b'\n');
        }
        text.extend_from_slice(line);
    }
    let gz: Vec<u8> = parts(&text, 3000, 7)
        .iter()
        .flat_map(|p| member(p, 1))
        .collect();
    let path = dir.path().join("long.log.gz");
    std::fs::write(&path, &gz).expect("write");
    // Which lines count as too long depends on the block size (a line is cut off when a block
    // holds no line end), so both sides use the same blocks; these lines are all far longer.
    let one_thread = SweepOptions {
        max_line: 4000,
        block_size: 4096,
        ..SweepOptions::default()
    };
    let (s1, one) = sweep(&set, &[&path], one_thread);
    assert!(
        one.errors
            .iter()
            .any(|e| e.to_string().contains("longer than 4000"))
    );
    for threads in [2, 3] {
        let opts = SweepOptions {
            threads,
            block_size: 4096,
            max_line: 4000,
            ..SweepOptions::default()
        };
        let (s2, many) = sweep(&set, &[&path], opts);
        assert_eq!(one.hits, many.hits, "{threads}");
        assert_eq!(errors(&one), errors(&many), "{threads}");
        assert_eq!(
            (s1.lines, s1.hit_lines, s1.errors),
            (s2.lines, s2.hit_lines, s2.errors)
        );
    }
}
