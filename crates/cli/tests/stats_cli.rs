//! `hikeshi stats import-jpcert` and `stats national` on JPCERT/CC's real public files (with the
//! real flaw in phishing.csv).

mod common;
use common::*;

fn jpcert_dir() -> String {
    format!(
        "{}/../exchange/tests/data/jpcert",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn national_statistics_are_imported_with_the_malformed_row_named_and_summed_per_period() {
    let dir = tempfile::tempdir().unwrap();
    let before = hikeshi(dir.path(), &["stats", "national", "--period", "FY2015"]);
    assert_eq!(before.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&before.stderr).contains("import-jpcert"));

    let o = hikeshi(dir.path(), &["stats", "import-jpcert", &jpcert_dir()]);
    assert_eq!(o.status.code(), Some(1), "one row is rejected");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("phishing.csv:242:"), "{err}");
    assert_eq!(
        stdout(&o).lines().count(),
        9,
        "nine series files: {}",
        stdout(&o)
    );

    let o = hikeshi(
        dir.path(),
        &[
            "stats", "national", "--period", "FY2015", "--format", "json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // The FY2015 figures JPCERT/CC published (reports 17,342 as in DESIGN.md).
    let want = serde_json::json!({"reports": 17342, "coordinated": 9659, "phishing": 2132, "defacement": 3335,
        "malware-site": 500, "scan": 7607, "dos": 189, "targeted": 137, "other": 1321});
    assert_eq!(v["totals"], want);
    let o = hikeshi(
        dir.path(),
        &[
            "stats", "national", "--period", "2015-04", "--format", "csv",
        ],
    );
    assert!(stdout(&o).contains("reports,2098,1,"), "{}", stdout(&o));
    let fy24 = hikeshi(dir.path(), &["stats", "national", "--period", "FY2024"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&fy24)).unwrap();
    assert!(
        v["gaps"]["phishing"].to_string().contains("2024-04"),
        "the rejected month is a named gap: {}",
        v["gaps"]
    );
    let bad = hikeshi(dir.path(), &["stats", "national", "--period", "FY15"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("FY15"));
}

#[test]
fn our_own_counts_for_a_period() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.txt");
    std::fs::write(&f, "scan from 192.0.2.1").unwrap();
    for _ in 0..2 {
        assert!(
            hikeshi(dir.path(), &["report", "submit", f.to_str().unwrap()])
                .status
                .success()
        );
    }
    let fy = hikeshi_domain::period::Period::containing_ms_jst(
        hikeshi_domain::period::PeriodKind::FiscalYear,
        hikeshi_domain::time::now_ms(),
    )
    .unwrap()
    .to_string();
    let o = hikeshi(dir.path(), &["stats", "summary", "--period", &fy]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (
            v["counts"]["reports"].as_i64(),
            v["counts"]["incidents"].as_i64()
        ),
        (Some(2), Some(0))
    );
    assert_eq!(
        v["counts"]["reports_by_constituency"],
        serde_json::json!({"": 2})
    );
    assert_eq!(v["months"].as_array().map(Vec::len), Some(12));
    let o = hikeshi(
        dir.path(),
        &["stats", "summary", "--period", &fy, "--format", "csv"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = stdout(&o);
    for line in [
        "total,reports,2\n",
        "total,coordinated,0\n",
        "report_constituency,,2\n",
    ] {
        assert!(csv.contains(line), "{line} missing from {csv}");
    }
    let old = hikeshi(dir.path(), &["stats", "summary", "--period", "FY2001"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&old)).unwrap();
    assert_eq!(v["counts"]["reports"], 0);
}

#[test]
fn time_metrics_are_printed_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let o = hikeshi(
        dir.path(),
        &["stats", "times", "--period", "FY2026", "--format", "json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["period"], "FY2026");
    assert_eq!(v["label_ja"], "2026年度");
    assert_eq!(v["incidents"], 0);
    assert_eq!(v["trend"][0]["month"], "2026-04");
    let o = hikeshi(
        dir.path(),
        &["stats", "times", "--period", "2026Q2", "--format", "csv"],
    );
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("scope,metric,statistic,value\n2026Q2,incidents,count,0\n"));
    let bad = hikeshi(dir.path(), &["stats", "times", "--period", "FY26"]);
    assert_eq!(bad.status.code(), Some(2));
}
