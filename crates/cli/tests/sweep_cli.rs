//! `hikeshi sweep`, the grep-like contract: exit 0 with hits, 1 with none, 2 on error; exactly
//! the generator's truth on its logs.

mod common;
use common::*;

fn sweep_data(name: &str) -> String {
    format!("{}/../sweep/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn truth(name: &str) -> u64 {
    let t: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sweep_data(&format!("{name}.truth.json"))).unwrap(),
    )
    .unwrap();
    t["hit_lines"].as_u64().unwrap()
}

#[test]
fn sweep_counts_exactly_the_true_hit_lines_and_exits_like_grep() {
    let dir = tempfile::tempdir().unwrap();
    let iocs = sweep_data("iocs_1k.txt");
    for log in ["squid.log", "zeek.log", "fwjson.jsonl"] {
        let o = hikeshi(
            dir.path(),
            &["sweep", "--indicators", &iocs, "--count", &sweep_data(log)],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{log}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let n: u64 = stdout(&o)
            .trim()
            .rsplit(|c: char| c.is_whitespace() || c == ':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(n, truth(log), "{log}");
    }
    let o = hikeshi(
        dir.path(),
        &[
            "sweep",
            "--indicators",
            &iocs,
            "--output",
            "jsonl",
            &sweep_data("squid.log"),
        ],
    );
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    for k in [
        "file",
        "line",
        "offset",
        "indicator",
        "kind",
        "field",
        "source",
    ] {
        assert!(first.get(k).is_some(), "JSON lines carry {k}: {first}");
    }
    let none = dir.path().join("none.txt");
    std::fs::write(&none, "no-such-indicator.example.org\n").unwrap();
    let o = hikeshi(
        dir.path(),
        &[
            "sweep",
            "--indicators",
            none.to_str().unwrap(),
            &sweep_data("squid.log"),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "no hits");
    let o = hikeshi(
        dir.path(),
        &["sweep", "--indicators", &iocs, "/nonexistent/log"],
    );
    assert_eq!(o.status.code(), Some(2), "error");
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/log"));
}

#[test]
fn threads_split_one_file_and_report_exactly_what_one_thread_reports() {
    let dir = tempfile::tempdir().unwrap();
    let iocs = sweep_data("iocs_1k.txt");
    // About 1 MB: several blocks, so two or three threads each read their own segments.
    let one = std::fs::read(sweep_data("squid.log")).unwrap();
    let log = dir.path().join("big.log");
    std::fs::write(&log, one.repeat(4)).unwrap();
    let run = |threads: &str| {
        let o = hikeshi(
            dir.path(),
            &[
                "sweep",
                "--indicators",
                &iocs,
                "--output",
                "jsonl",
                "--threads",
                threads,
                log.to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{threads} threads");
        stdout(&o)
    };
    let single = run("1");
    assert_eq!(single.lines().count() as u64, 4 * truth_hits(), "hits");
    for threads in ["2", "3"] {
        assert_eq!(run(threads), single, "{threads} threads");
    }
}

/// Hits (not hit lines) in the small Squid log, counted by one sweep of it.
fn truth_hits() -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let o = hikeshi(
        dir.path(),
        &[
            "sweep",
            "--indicators",
            &sweep_data("iocs_1k.txt"),
            "--output",
            "jsonl",
            &sweep_data("squid.log"),
        ],
    );
    stdout(&o).lines().count() as u64
}
