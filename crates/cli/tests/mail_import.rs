//! `hikeshi import mail` and `hikeshi mailgate`: real sample mails (Japanese charsets included),
//! duplicates, threading by ticket tag and by reply headers, mbox line numbers.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn data(name: &str) -> String {
    format!("{}/tests/data/mail/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn lines(o: &std::process::Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn import(dir: &Path, paths: &[&str]) -> Vec<Value> {
    let mut args = vec!["import", "mail", "--format", "jsonl"];
    args.extend_from_slice(paths);
    let o = hikeshi(dir, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    lines(&o)
}

#[test]
fn sample_mails_open_reports_and_a_second_import_is_all_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        data("scan-report-en.eml"),
        data("malware-site-ja.eml"),
        data("attack-warning-ja-iso2022.eml"),
    ];
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let first = import(dir.path(), &refs);
    let actions: Vec<&str> = first
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["new", "new", "new"]);
    assert_eq!(first[1]["file"], files[1].as_str());
    let again = import(dir.path(), &refs);
    let actions: Vec<&str> = again
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["duplicate", "duplicate", "duplicate"]);
    assert_eq!(
        again[2]["ticket"], first[2]["ticket"],
        "a duplicate names the report it duplicates"
    );
}

#[test]
fn replies_join_their_thread_by_ticket_tag_or_reply_headers() {
    let dir = tempfile::tempdir().unwrap();
    let first = import(dir.path(), &[&data("scan-report-en.eml")]);
    let t = first[0]["ticket"].as_i64().unwrap();
    let tagged = dir.path().join("tagged.eml");
    std::fs::write(&tagged, format!("From: abuse@isp.example.net\r\nSubject: Re: [hikeshi #{t}] Scan activity\r\nMessage-ID: <r1@isp.example.net>\r\n\r\nAny news?\r\n")).unwrap();
    let by_headers = dir.path().join("headers.eml");
    std::fs::write(&by_headers, "From: abuse@isp.example.net\r\nSubject: Re: Scan activity from your network\r\nMessage-ID: <r2@isp.example.net>\r\nIn-Reply-To: <s1@isp.example.net>\r\n\r\nStill scanning.\r\n").unwrap();
    let unrelated = dir.path().join("other.eml");
    std::fs::write(&unrelated, "From: someone@example.org\r\nSubject: Re: [other #3] hello\r\nMessage-ID: <x@example.org>\r\nIn-Reply-To: <unknown@example.org>\r\n\r\nhi\r\n").unwrap();
    let out = import(
        dir.path(),
        &[
            tagged.to_str().unwrap(),
            by_headers.to_str().unwrap(),
            unrelated.to_str().unwrap(),
        ],
    );
    let actions: Vec<&str> = out.iter().map(|l| l["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["joined", "joined", "new"]);
}

#[test]
fn an_mbox_is_split_with_line_numbers_and_mailgate_takes_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mbox = dir.path().join("inbox.mbox");
    std::fs::write(
        &mbox,
        "From a@example.org Thu Nov 26 00:00:00 2026\nFrom: a@example.org\nSubject: one\nMessage-ID: <m1@example.org>\n\n>From the logs: 192.0.2.9\n\nFrom b@example.org Thu Nov 26 00:01:00 2026\nFrom: b@example.org\nSubject: two\nMessage-ID: <m2@example.org>\n\nsecond\n",
    )
    .unwrap();
    let out = import(dir.path(), &[mbox.to_str().unwrap()]);
    let files: Vec<&str> = out.iter().map(|l| l["file"].as_str().unwrap()).collect();
    assert!(
        files[0].ends_with("inbox.mbox:1") && files[1].ends_with("inbox.mbox:8"),
        "{files:?}"
    );

    let raw = std::fs::read(data("malware-site-ja.eml")).unwrap();
    let o = hikeshi_stdin_bytes(dir.path(), &["mailgate", "--format", "jsonl"], &raw);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(lines(&o)[0]["action"], "new");
    let empty = hikeshi_stdin_bytes(dir.path(), &["mailgate"], b"");
    assert_eq!(
        empty.status.code(),
        Some(65),
        "not a message: the MTA should bounce, not retry"
    );
}
