//! The command-line contract other tools rely on.

mod common;
use common::*;
use sqlx::Executor;

#[test]
fn report_submit_prints_the_ticket_number_for_text_and_mail() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("note.txt");
    std::fs::write(&text, "Scan from 198.51.100.20 against our VPN gateway\n").unwrap();
    let o = hikeshi(dir.path(), &["report", "submit", text.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o).trim(), "1");

    // An ISO-2022-JP mail: subject and body decoded, language detected, raw kept.
    let eml = dir.path().join("report.eml");
    std::fs::write(
        &eml,
        b"From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\nSubject: =?ISO-2022-JP?B?GyRCOTY3YhsoQg==?=\r\nMessage-ID: <m1@example.jp>\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B hxxp://evil[.]example[.]org/\r\n",
    )
    .unwrap();
    let o = hikeshi(
        dir.path(),
        &["report", "submit", "--json", eml.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        (
            v["ticket"].as_i64(),
            v["subject"].as_str(),
            v["lang"].as_str()
        ),
        (Some(2), Some("攻撃"), Some("ja"))
    );
    assert_eq!(
        v["indicators"], 1,
        "the defanged URL in the mail is proposed"
    );

    let missing = hikeshi(dir.path(), &["report", "submit", "/nonexistent/file.txt"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/file.txt"));
}

#[test]
fn users_are_added_listed_and_given_passwords() {
    let dir = tempfile::tempdir().unwrap();
    assert!(hikeshi(dir.path(), &["migrate"]).status.success());
    assert!(
        hikeshi(dir.path(), &["migrate"]).status.success(),
        "migrate is idempotent"
    );
    let o = hikeshi(dir.path(), &["user", "add", "tanaka", "--role", "viewer"]);
    assert!(stdout(&o).contains("one-time password: "), "{}", stdout(&o));
    let short = hikeshi_stdin(
        dir.path(),
        &["user", "add", "x", "--password-stdin"],
        "short\n",
    );
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("12 characters"));
    let bad_role = hikeshi(dir.path(), &["user", "add", "y", "--role", "boss"]);
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("role"));
    let list = stdout(&hikeshi(dir.path(), &["user", "list"]));
    assert!(list.contains("tanaka\tviewer"), "{list}");
    let o = hikeshi_stdin(
        dir.path(),
        &["user", "set-password", "tanaka", "--password-stdin"],
        "another long password\n",
    );
    assert!(o.status.success());
    let o = hikeshi(dir.path(), &["user", "set-password", "nobody"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn audit_verify_names_the_first_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.txt");
    std::fs::write(&f, "one").unwrap();
    for _ in 0..3 {
        assert!(
            hikeshi(dir.path(), &["report", "submit", f.to_str().unwrap()])
                .status
                .success()
        );
    }
    let ok = hikeshi(dir.path(), &["audit", "verify"]);
    assert!(ok.status.success());
    assert!(stdout(&ok).contains("3 entries"));

    let url = format!("sqlite://{}/hikeshi.sqlite3", dir.path().display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        c.execute("UPDATE audit_log SET actor = 'user:99' WHERE seq = 2")
            .await
            .unwrap();
    });
    let bad = hikeshi(dir.path(), &["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("entry 2"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn configuration_comes_from_the_file_then_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let run = |envs: &[(&str, &str)]| {
        std::process::Command::new(bin())
            .arg("--data-dir")
            .arg(dir.path())
            .arg("migrate")
            .envs(envs.iter().copied())
            .output()
            .unwrap()
    };
    // Other programs' HIKESHI_* variables are not settings and are left alone.
    assert!(run(&[("HIKESHI_TEST_SOMETHING", "1")]).status.success());
    // A setting from the environment is used (and a password in it never printed).
    let o = run(&[("HIKESHI_DATABASE_URL", "mysql://root:hunter2@db/x")]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("unsupported database URL") && !err.contains("hunter2"),
        "{err}"
    );
    // The file is read, and an unknown key in it is an error that names the key.
    std::fs::write(dir.path().join("hikeshi.toml"), "listne = \"0.0.0.0:80\"\n").unwrap();
    let o = run(&[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("listne"));
}

#[test]
fn indicators_are_extracted_from_text_and_lists_imported_with_rejected_lines_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("mail.txt");
    std::fs::write(
        &text,
        "C2 は hxxps://evil[.]example[.]com/a と １９２．０．２．１ です。version 1.2.3.4\n",
    )
    .unwrap();
    let o = hikeshi(
        dir.path(),
        &[
            "ioc",
            "extract",
            "--format",
            "jsonl",
            text.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let values: Vec<&str> = lines.iter().map(|l| l["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["https://evil.example.com/a", "192.0.2.1"]);
    let raw = std::fs::read(&text).unwrap();
    for l in &lines {
        let (s, e) = (
            l["start"].as_u64().unwrap() as usize,
            l["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            String::from_utf8_lossy(&raw[s..e]),
            l["raw"].as_str().unwrap(),
            "offsets point at the text as written"
        );
    }
}
