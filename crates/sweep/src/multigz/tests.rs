//! The parts of the parallel path a sweep's result cannot show: that it is taken at all, and
//! that false candidates are caught and redone rather than trusted.

use std::io::Write;
use std::sync::Arc;

use hikeshi_ioc::Kind;

use super::{plan, sweep};
use crate::emit::{Emitter, Event};
use crate::hit::VecSink;
use crate::set::IndicatorSet;
use crate::sweeper::SweepOptions;

fn member(part: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(part).expect("gzip");
    e.finish().expect("gzip")
}

fn log(lines: usize, fake_every: usize) -> Vec<u8> {
    let mut text = Vec::new();
    for i in 0..lines {
        if fake_every > 0 && i > 100 && i % fake_every == 0 {
            text.extend_from_slice(&[0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 0, 3, b'\n']);
        }
        writeln!(
            text,
            "2026-01-01 host{i} visited site{}.example.com",
            i % 97
        )
        .expect("write");
    }
    text
}

/// Sweeps `gz` through the parallel path; `None` when it is not planned.
fn run(gz: &[u8], threads: usize) -> Option<(u64, VecSink, u64)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.log.gz");
    std::fs::write(&path, gz).expect("write");
    let opts = SweepOptions {
        threads,
        block_size: 4096,
        ..SweepOptions::default()
    };
    let plan = plan(&path, &opts)?;
    let mut b = IndicatorSet::builder();
    b.insert(Kind::Domain, "site7.example.com")
        .expect("indicator");
    let set = b.build();
    let mut sink = VecSink::default();
    let mut emitter = Emitter::new(&mut sink);
    let name: Arc<str> = Arc::from("a.log.gz");
    let mut seq = 1;
    emitter.accept(0, Event::FileStart(Arc::clone(&name)));
    let redone = sweep(plan, &set, &opts, &name, &mut seq, &mut emitter);
    emitter.accept(seq, Event::FileEnd);
    let lines = emitter.stats.lines;
    Some((redone, sink, lines))
}

#[test]
fn multi_member_files_are_planned_and_single_member_ones_are_not() {
    let text = log(20_000, 0);
    assert!(run(&member(&text, 6), 2).is_none());
    let multi: Vec<u8> = text.chunks(10_000).flat_map(|p| member(p, 6)).collect();
    let (redone, sink, lines) = run(&multi, 2).expect("planned");
    assert_eq!(redone, 0);
    assert_eq!(lines, 20_000);
    let hits: Vec<u64> = sink.hits.iter().map(|h| h.line).collect();
    let expect: Vec<u64> = (0..20_000u64)
        .filter(|i| i % 97 == 7)
        .map(|i| i + 1)
        .collect();
    assert_eq!(hits, expect);
}

#[test]
fn false_candidates_are_redone_from_where_the_previous_member_ended() {
    // Stored members: the fake headers in the text appear as they are in the compressed data.
    let text = log(20_000, 50);
    let gz: Vec<u8> = text.chunks(50_000).flat_map(|p| member(p, 0)).collect();
    for threads in [1, 2] {
        let (redone, sink, lines) = run(&gz, threads).expect("planned");
        assert!(redone > 0, "{threads}");
        assert_eq!(
            lines,
            20_000 + (101..20_000).filter(|i| i % 50 == 0).count() as u64
        );
        assert_eq!(sink.hits.len(), (0..20_000).filter(|i| i % 97 == 7).count());
        assert!(sink.errors.is_empty(), "{:?}", sink.errors);
    }
}
