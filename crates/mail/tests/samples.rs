//! Golden tests on the shared sample reports (copies of shared/samples/mail, made by
//! make_samples.py), so the suite does not depend on a directory beside the repository.

use hikeshi_mail::{Language, Mailbox, ParseWarning, parse};

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn english_scan_report_decodes_quoted_printable_and_keeps_log_line() {
    let mail = parse(&sample("scan-report-en.eml")).unwrap();
    assert_eq!(mail.subject, "Scan activity from your network");
    assert_eq!(mail.from, Some(Mailbox::new("noc@isp.example.net")));
    assert_eq!(mail.to, vec![Mailbox::new("csirt@uni.example.ac.jp")]);
    assert_eq!(mail.message_id.as_deref(), Some("s1@isp.example.net"));
    assert_eq!(mail.date, Some(1_456_881_600));
    assert_eq!(mail.date_rfc3339.as_deref(), Some("2016-03-02T01:20:00Z"));
    assert_eq!(mail.language, Language::En);
    // The soft line break "att=\nempts" is joined and "=3D" decoded.
    assert!(
        mail.text.contains("(about 41,000 attempts)."),
        "{}",
        mail.text
    );
    assert!(
        mail.text
            .contains("2016-03-01T22:03:11Z DROP src=198.51.100.14 dst=203.0.113.9 dport=22\n")
    );
    assert!(mail.attachments.is_empty());
    assert!(mail.warnings.is_empty(), "{:?}", mail.warnings);
}

#[test]
fn japanese_utf8_base64_report_decodes_exactly_and_keeps_defanged_url() {
    let mail = parse(&sample("malware-site-ja.eml")).unwrap();
    assert_eq!(mail.subject, "マルウエア配布サイトのご連絡");
    assert_eq!(
        mail.from,
        Some(Mailbox::new("analyst@research.example.org"))
    );
    assert_eq!(mail.language, Language::Ja);
    assert_eq!(
        mail.date_rfc3339.as_deref(),
        Some("2016-07-08T14:00:00+09:00")
    );
    assert_eq!(mail.date, Some(1_467_954_000));
    let expected = "お世話になっております。

御社ドメイン配下の以下の URL でマルウエアが配布されていることを確認しました。

  hxxp://www[.]shop-sample[.]example[.]jp/images/update.exe
  SHA-1: 0a4d55a8d778e5022fab701977c5d840bbc486d0
  配布元 IP: 192.0.2.150

閲覧者がドライブバイダウンロード攻撃を受ける可能性があります。
ご対応をお願いいたします。
";
    assert_eq!(mail.text, expected);
}

#[test]
fn iso_2022_jp_attack_warning_decodes_subject_and_body() {
    let mail = parse(&sample("attack-warning-ja-iso2022.eml")).unwrap();
    assert_eq!(mail.subject, "9月18日前後の攻撃予告について");
    assert_eq!(mail.from, Some(Mailbox::new("alert@cert.example.jp")));
    assert_eq!(mail.language, Language::Ja);
    let expected = "【注意喚起】9月18日前後に、国内の Web サイトを狙った改ざんや DDoS 攻撃が
予想されます。攻撃予告が掲示板 hxxp://board[.]attack-forum[.]example/thread/918 に
書き込まれています。対象リストには example-city[.]lg[.]jp が含まれています。
";
    assert_eq!(mail.text, expected);
    assert!(!mail.warnings.contains(&ParseWarning::MissingMessageId));
}
