//! Bad input gets a clear error with file and line and never stops the rest of the sweep.

use std::io::Write;

use hikeshi_ioc::Kind;
use hikeshi_sweep::{Format, IndicatorSet, SweepError, SweepOptions, Sweeper, VecSink};

fn set() -> IndicatorSet {
    let mut b = IndicatorSet::builder();
    b.insert(Kind::Domain, "evil.com").expect("valid");
    b.build()
}

fn squid_line(host: &str) -> String {
    format!("1700000000.000      5 10.0.0.1 TCP_TUNNEL/200 1 CONNECT {host}:443 - HIER_NONE/- -\n")
}

fn sweep_dir(files: &[(&str, Vec<u8>)], opts: SweepOptions) -> (tempfile::TempDir, VecSink) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    }
    let set = set();
    let mut sink = VecSink::default();
    Sweeper::new(&set, opts).sweep_paths(&[dir.path()], &mut sink);
    (dir, sink)
}

fn names(sink: &VecSink) -> Vec<(String, u64)> {
    sink.hits
        .iter()
        .map(|h| {
            (
                h.file.rsplit('/').next().unwrap_or_default().to_owned(),
                h.line,
            )
        })
        .collect()
}

#[test]
fn a_truncated_gzip_keeps_its_hits_reports_where_it_broke_and_the_next_file_is_swept() {
    let mut log = String::new();
    for i in 0..20_000 {
        log.push_str(&squid_line(if i == 10 {
            "evil.com"
        } else {
            "fine.example"
        }));
    }
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(log.as_bytes()).expect("gzip");
    let gz = e.finish().expect("gzip");
    let cut = gz[..gz.len() / 2].to_vec();
    let files = [
        ("a.log.gz", cut),
        ("b.log", squid_line("x.evil.com").into_bytes()),
    ];
    for threads in [1, 2] {
        let opts = SweepOptions {
            threads,
            ..SweepOptions::default()
        };
        let (_dir, sink) = sweep_dir(&files, opts);
        assert_eq!(
            names(&sink),
            [("a.log.gz".to_owned(), 11), ("b.log".to_owned(), 1)]
        );
        assert_eq!(sink.errors.len(), 1, "{:?}", sink.errors);
        let e = &sink.errors[0];
        assert!(matches!(e, SweepError::Read { .. }), "{e}");
        assert!(e.file().ends_with("a.log.gz"));
        let line = e.line().expect("line");
        assert!(line > 11 && line <= 20_000, "{line}");
        assert!(e.to_string().contains("a.log.gz:"), "{e}");
    }
}

#[test]
fn binary_files_and_missing_paths_are_reported_and_skipped() {
    let mut junk = vec![0u8, 1, 2, 0, 255];
    junk.extend_from_slice(b"evil.com\n");
    let files = [
        ("0.bin", junk),
        ("1.log", squid_line("evil.com").into_bytes()),
    ];
    let (dir, sink) = sweep_dir(&files, SweepOptions::default());
    assert_eq!(names(&sink), [("1.log".to_owned(), 1)]);
    assert!(
        matches!(&sink.errors[..], [SweepError::Binary { .. }]),
        "{:?}",
        sink.errors
    );

    let set = set();
    let mut sink = VecSink::default();
    let missing = dir.path().join("nope.log");
    let stats = Sweeper::new(&set, SweepOptions::default())
        .sweep_paths(&[missing, dir.path().join("1.log")], &mut sink);
    assert_eq!(stats.hit_lines, 1);
    assert!(
        matches!(&sink.errors[..], [SweepError::Open { file, .. }] if file.ends_with("nope.log"))
    );
}

#[test]
fn malformed_lines_are_reported_then_counted_and_still_matched_as_text() {
    let mut log = squid_line("ok.example");
    for _ in 0..10 {
        log.push_str("garbage line about evil.com\n");
    }
    log.push_str(&squid_line("www.evil.com"));
    let opts = SweepOptions {
        format: Some(Format::Squid),
        ..SweepOptions::default()
    };
    let set = set();
    let mut sink = VecSink::default();
    let stats = Sweeper::new(&set, opts).sweep_reader("s.log", log.as_bytes(), &mut sink);
    assert_eq!(stats.hit_lines, 11);
    assert_eq!(stats.malformed_lines, 10);
    let lines: Vec<_> = sink.errors.iter().map(SweepError::line).collect();
    assert_eq!(lines, [Some(2), Some(3), Some(4), Some(5), Some(6), None]);
    assert!(matches!(
        sink.errors[5],
        SweepError::MoreMalformed { count: 5, .. }
    ));
    assert!(
        sink.errors[0]
            .to_string()
            .starts_with("s.log:2: not a valid squid line")
    );
}

#[test]
fn over_long_lines_are_skipped_and_line_numbers_stay_right() {
    let mut log = squid_line("a.evil.com");
    log.push_str(&"x".repeat(300_000));
    log.push('\n');
    log.push_str(&squid_line("b.evil.com"));
    for threads in [1, 2] {
        let opts = SweepOptions {
            threads,
            block_size: 4096,
            max_line: 100_000,
            ..SweepOptions::default()
        };
        let set = set();
        let mut sink = VecSink::default();
        let stats = Sweeper::new(&set, opts).sweep_reader("l", log.as_bytes(), &mut sink);
        let lines: Vec<_> = sink.hits.iter().map(|h| (h.line, h.offset)).collect();
        assert_eq!(
            lines,
            [
                (1, 0),
                (3, (log.len() - squid_line("b.evil.com").len()) as u64)
            ]
        );
        assert!(
            matches!(&sink.errors[..], [SweepError::LineTooLong { line: 2, .. }]),
            "{:?}",
            sink.errors
        );
        assert_eq!(stats.lines, 3);
    }
}

#[test]
fn a_line_of_megabytes_is_read_whole() {
    let mut log = "word ".repeat(1_000_000);
    log.push_str("evil.com\nnext line\n");
    let set = set();
    let mut sink = VecSink::default();
    let opts = SweepOptions {
        block_size: 64 * 1024,
        ..SweepOptions::default()
    };
    let stats = Sweeper::new(&set, opts).sweep_reader("big", log.as_bytes(), &mut sink);
    assert_eq!(stats.lines, 2);
    assert_eq!(sink.hits.len(), 1);
    assert_eq!(sink.hits[0].line, 1);
}

#[test]
fn directories_are_walked_recursively_in_name_order() {
    let files = [
        ("b/2.log", squid_line("evil.com").into_bytes()),
        ("a/1.log", squid_line("evil.com").into_bytes()),
        ("a/deeper/0.log", squid_line("evil.com").into_bytes()),
    ];
    let (_dir, sink) = sweep_dir(
        &files,
        SweepOptions {
            threads: 2,
            ..SweepOptions::default()
        },
    );
    let got: Vec<_> = names(&sink).into_iter().map(|(n, _)| n).collect();
    assert_eq!(got, ["1.log", "0.log", "2.log"]);
}

#[test]
fn many_files_on_many_threads_report_exactly_as_one_thread_does() {
    let mut files = Vec::new();
    for i in 0..9 {
        let mut log = String::new();
        for j in 0..(200 + i * 50) {
            log.push_str(&squid_line(if j % 37 == i {
                "www.evil.com"
            } else {
                "fine.example"
            }));
        }
        if i == 4 {
            log.push_str("garbage\n");
        }
        let bytes = if i % 2 == 0 {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(log.as_bytes()).expect("gzip");
            e.finish().expect("gzip")
        } else {
            log.into_bytes()
        };
        files.push((format!("{i}.log"), bytes));
    }
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let opts = |threads| SweepOptions {
        format: Some(Format::Squid),
        threads,
        ..SweepOptions::default()
    };
    let (_d1, one) = sweep_dir(&files, opts(1));
    let (_d2, many) = sweep_dir(&files, opts(3));
    assert_eq!(names(&one), names(&many));
    assert!(names(&one).len() >= 9 * 5, "{}", names(&one).len());
    let errs = |s: &VecSink| {
        s.errors
            .iter()
            .map(|e| (e.file().rsplit('/').next().map(str::to_owned), e.line()))
            .collect::<Vec<_>>()
    };
    assert_eq!(errs(&one), errs(&many));
    assert_eq!(errs(&one).len(), 1);
}
