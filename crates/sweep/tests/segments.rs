//! One plain file on several threads (each reading its own segments with positional reads) must
//! report exactly what one thread reports: the same hits in the same order, the same line
//! numbers and offsets, the same problems and counts, whatever the block size, including lines
//! that straddle a segment boundary.

use hikeshi_sweep::{SweepError, SweepOptions};

mod common;

use common::{data, errors, indicators, sweep};

#[test]
fn segments_give_the_same_hits_in_the_same_order_as_one_thread() {
    let set = indicators();
    let dir = tempfile::tempdir().expect("tempdir");
    for log in ["squid.log", "zeek.log", "fwjson.jsonl"] {
        let bytes = std::fs::read(data(log)).expect("log");
        // Without the final newline too: the last line must still be read.
        for (name, body) in [
            (log.to_owned(), &bytes[..]),
            (format!("cut-{log}"), &bytes[..bytes.len() - 1]),
        ] {
            let path = dir.path().join(&name);
            std::fs::write(&path, body).expect("write");
            let (s1, one) = sweep(&set, &[&path], SweepOptions::default());
            assert!(s1.hit_lines > 0, "{name}");
            // Odd block sizes put segment boundaries at every position within a line.
            for block_size in [4096, 4097, 4133, 5000, 8191, 65536] {
                for threads in [2, 3] {
                    let opts = SweepOptions {
                        threads,
                        block_size,
                        ..SweepOptions::default()
                    };
                    let (s2, many) = sweep(&set, &[&path], opts);
                    let what = format!("{name}, {threads} threads, blocks of {block_size}");
                    assert_eq!(one.hits, many.hits, "{what}");
                    assert_eq!(errors(&one), errors(&many), "{what}");
                    assert_eq!(s1, s2, "{what}");
                }
            }
        }
    }
}

#[test]
fn a_line_on_a_segment_boundary_is_read_once() {
    let set = indicators();
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(data("squid.log")).expect("log");
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let path = dir.path().join("b.log");
    std::fs::write(&path, &bytes).expect("write");
    let (_, whole) = sweep(&set, &[&path], SweepOptions::default());
    let first = whole.hits[0].offset as usize;
    // Put the boundary on the hit line's first byte, on its newline, and just after it.
    let hit_len = lines[whole.hits[0].line as usize - 1].len();
    for boundary in [first, first + 1, first + hit_len - 1, first + hit_len] {
        let block_size = boundary.max(4096);
        if block_size != boundary {
            continue;
        }
        let opts = SweepOptions {
            threads: 2,
            block_size,
            ..SweepOptions::default()
        };
        let (_, many) = sweep(&set, &[&path], opts);
        assert_eq!(whole.hits, many.hits, "boundary at {boundary}");
    }
}

#[test]
fn over_long_lines_inside_a_file_are_skipped_as_one_thread_skips_them() {
    let set = indicators();
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(data("squid.log")).expect("log");
    let mut body = bytes[..100_000].to_vec();
    let cut = memchr_last_newline(&body);
    body.truncate(cut + 1);
    body.extend(std::iter::repeat_n(b'x', 300_000));
    body.push(b'\n');
    body.extend_from_slice(&bytes);
    let path = dir.path().join("long.log");
    std::fs::write(&path, &body).expect("write");
    let opts = |threads, block_size| SweepOptions {
        threads,
        block_size,
        max_line: 100_000,
        ..SweepOptions::default()
    };
    let (s1, one) = sweep(&set, &[&path], opts(1, 4096));
    assert!(
        matches!(&one.errors[..], [SweepError::LineTooLong { .. }]),
        "{:?}",
        one.errors
    );
    for block_size in [4096, 5003, 65536] {
        let (s2, many) = sweep(&set, &[&path], opts(2, block_size));
        assert_eq!(one.hits, many.hits, "blocks of {block_size}");
        assert_eq!(errors(&one), errors(&many), "blocks of {block_size}");
        assert_eq!(s1, s2, "blocks of {block_size}");
    }
}

fn memchr_last_newline(b: &[u8]) -> usize {
    b.iter().rposition(|&c| c == b'\n').expect("a newline")
}
