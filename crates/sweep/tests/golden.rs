//! The golden test: logs written by the benchmark generator (`shared/bench/gen_logs.py`), with
//! the hit-line count of its reference verifier. The sweep must report exactly those lines: no
//! decoy (`notevil.com`, `1.2.3.45`, a bad domain in a query string), every CIDR hit.

use std::collections::BTreeSet;
use std::io::{BufReader, Write};
use std::path::PathBuf;

use hikeshi_sweep::{Format, IndicatorSet, Stats, SweepOptions, Sweeper, VecSink, read_indicators};

const LOGS: [(&str, Format); 3] = [
    ("squid.log", Format::Squid),
    ("zeek.log", Format::Zeek),
    ("fwjson.jsonl", Format::Jsonl),
];

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn indicators() -> IndicatorSet {
    let f = std::fs::File::open(data("iocs_1k.txt")).expect("indicator list");
    let loaded = read_indicators(BufReader::new(f)).expect("readable");
    // The generator's list has 1000 lines; only its user-agent strings are not indicators.
    assert!(loaded.set.len() >= 990, "{} indicators", loaded.set.len());
    loaded.set
}

fn truth(log: &str) -> u64 {
    let text = std::fs::read_to_string(data(&format!("{log}.truth.json"))).expect("truth file");
    let v: serde_json::Value = serde_json::from_str(&text).expect("truth json");
    v["hit_lines"].as_u64().expect("hit_lines")
}

fn sweep_bytes(set: &IndicatorSet, bytes: &[u8], opts: SweepOptions) -> (Stats, VecSink) {
    let mut sink = VecSink::default();
    let stats = Sweeper::new(set, opts).sweep_reader("log", bytes, &mut sink);
    (stats, sink)
}

fn hit_lines(sink: &VecSink) -> BTreeSet<u64> {
    sink.hits.iter().map(|h| h.line).collect()
}

#[test]
fn every_format_reports_exactly_the_verified_hit_lines() {
    let set = indicators();
    for (log, _) in LOGS {
        let mut sink = VecSink::default();
        let stats =
            Sweeper::new(&set, SweepOptions::default()).sweep_paths(&[data(log)], &mut sink);
        assert_eq!(stats.hit_lines, truth(log), "{log}");
        assert_eq!(hit_lines(&sink).len() as u64, stats.hit_lines, "{log}");
        assert_eq!(
            stats.lines,
            2000 + if log == "zeek.log" { 8 } else { 0 },
            "{log}"
        );
        assert!(sink.errors.is_empty(), "{log}: {:?}", sink.errors);
    }
}

#[test]
fn decoys_are_present_in_the_data_and_never_reported() {
    let set = indicators();
    let list = std::fs::read_to_string(data("iocs_1k.txt")).expect("list");
    let literals: Vec<&str> = list
        .lines()
        .filter(|l| !l.contains('/') || l.contains("://"))
        .collect();
    for (log, _) in LOGS {
        let text = std::fs::read_to_string(data(log)).expect("log");
        let (_, sink) = sweep_bytes(&set, text.as_bytes(), SweepOptions::default());
        let hits = hit_lines(&sink);
        let substring_only: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| literals.iter().any(|i| l.contains(i)))
            .map(|(n, _)| n + 1)
            .filter(|n| !hits.contains(&(*n as u64)))
            .collect();
        // A substring tool would report these lines; the generator planted them as decoys.
        assert!(
            substring_only.len() >= 10,
            "{log}: only {} decoys",
            substring_only.len()
        );
    }
}

#[test]
fn explicit_format_matches_detection() {
    let set = indicators();
    for (log, format) in LOGS {
        let bytes = std::fs::read(data(log)).expect("log");
        let (_, auto) = sweep_bytes(&set, &bytes, SweepOptions::default());
        let opts = SweepOptions {
            format: Some(format),
            ..SweepOptions::default()
        };
        let (_, forced) = sweep_bytes(&set, &bytes, opts);
        assert_eq!(auto.hits, forced.hits, "{log}");
        assert_eq!(hikeshi_sweep::detect(&bytes[..4096]), format, "{log}");
    }
}

#[test]
fn threads_and_small_blocks_give_the_same_hits_in_the_same_order() {
    let set = indicators();
    for (log, _) in LOGS {
        let bytes = std::fs::read(data(log)).expect("log");
        let (s1, one) = sweep_bytes(&set, &bytes, SweepOptions::default());
        for threads in [2, 3] {
            let opts = SweepOptions {
                threads,
                block_size: 4096,
                ..SweepOptions::default()
            };
            let (s2, many) = sweep_bytes(&set, &bytes, opts);
            assert_eq!(one.hits, many.hits, "{log} with {threads} threads");
            assert_eq!(s1, s2, "{log}");
        }
    }
}

#[test]
fn offsets_and_line_numbers_point_at_the_hit_line() {
    let set = indicators();
    for (log, _) in LOGS {
        let bytes = std::fs::read(data(log)).expect("log");
        let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
        let opts = SweepOptions {
            threads: 2,
            block_size: 8192,
            ..SweepOptions::default()
        };
        let (_, sink) = sweep_bytes(&set, &bytes, opts);
        for h in &sink.hits {
            let at = &bytes[h.offset as usize..];
            let line = at.split(|&b| b == b'\n').next().expect("line");
            assert_eq!(line, lines[h.line as usize - 1], "{log}:{}", h.line);
            assert!(
                String::from_utf8_lossy(line).contains(&h.value),
                "{log}:{} {}",
                h.line,
                h.value
            );
        }
    }
}

#[test]
fn compressed_logs_give_the_same_hits() {
    let set = indicators();
    let bytes = std::fs::read(data("squid.log")).expect("log");
    let (_, plain) = sweep_bytes(&set, &bytes, SweepOptions::default());

    let gz = |part: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(part).expect("gzip");
        e.finish().expect("gzip")
    };
    // Two members, as `cat a.gz b.gz` or pigz write: both must be read.
    let mid = bytes.len() / 2;
    let multi = [gz(&bytes[..mid]), gz(&bytes[mid..])].concat();
    let zst = zstd::encode_all(&bytes[..], 1).expect("zstd");
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&bytes).expect("bzip2");
    let bz = bz.finish().expect("bzip2");

    for (name, packed) in [
        ("gzip", gz(&bytes)),
        ("multi-member gzip", multi),
        ("zstd", zst),
        ("bzip2", bz),
    ] {
        let (stats, sink) = sweep_bytes(&set, &packed, SweepOptions::default());
        assert_eq!(sink.hits, plain.hits, "{name}");
        assert_eq!(stats.bytes, bytes.len() as u64, "{name}");
        assert!(sink.errors.is_empty(), "{name}: {:?}", sink.errors);
    }
}
