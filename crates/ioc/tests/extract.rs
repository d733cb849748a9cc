//! Extraction as a specification: text in, (kind, value, raw) out, nothing invented.

use hikeshi_ioc::{Category, Kind, extract, extract_bytes};

/// Text, and what it must give: kind, normal form, raw text.
type Row<'a> = (&'a str, &'a [(Kind, &'a str, &'a str)]);

fn found(text: &str) -> Vec<(Kind, String, String)> {
    extract(text)
        .into_iter()
        .map(|e| (e.kind, e.value, e.raw))
        .collect()
}

#[track_caller]
fn expect(text: &str, want: &[(Kind, &str, &str)]) {
    let got = found(text);
    let want: Vec<(Kind, String, String)> = want
        .iter()
        .map(|(k, v, r)| (*k, (*v).to_owned(), (*r).to_owned()))
        .collect();
    assert_eq!(got, want, "text: {text:?}");
}

#[test]
fn defanged_and_full_width_forms_are_found_with_their_raw_text() {
    use Kind::*;
    let table: &[Row] = &[
        (
            "C2 は hxxp://evil[.]example[.]com/gate.php です",
            &[(
                Url,
                "http://evil.example.com/gate.php",
                "hxxp://evil[.]example[.]com/gate.php",
            )],
        ),
        (
            "通信先１９２．０．２．１へ",
            &[(Ipv4, "192.0.2.1", "１９２．０．２．１")],
        ),
        (
            "「ｅｘａｍｐｌｅ．ｊｐ」",
            &[(Domain, "example.jp", "ｅｘａｍｐｌｅ．ｊｐ")],
        ),
        (
            "ｈｔｔｐ：／／ｅｘａｍｐｌｅ．ｊｐ／ａ",
            &[(
                Url,
                "http://example.jp/a",
                "ｈｔｔｐ：／／ｅｘａｍｐｌｅ．ｊｐ／ａ",
            )],
        ),
        (
            "to 198[.]51[.]100[.]7, then",
            &[(Ipv4, "198.51.100.7", "198[.]51[.]100[.]7")],
        ),
        (
            "evil(.)co(dot)jp",
            &[(Domain, "evil.co.jp", "evil(.)co(dot)jp")],
        ),
        (
            "from user[@]evil[.]co[.]jp today",
            &[(Email, "user@evil.co.jp", "user[@]evil[.]co[.]jp")],
        ),
        (
            "mail tanaka(at)evil.ne.jp",
            &[(Email, "tanaka@evil.ne.jp", "tanaka(at)evil.ne.jp")],
        ),
        (
            "http[:]//evil.example.net/x",
            &[(
                Url,
                "http://evil.example.net/x",
                "http[:]//evil.example.net/x",
            )],
        ),
        (
            "hxxps[://]evil.example.net",
            &[(
                Url,
                "https://evil.example.net/",
                "hxxps[://]evil.example.net",
            )],
        ),
        (
            "evil.example。com",
            &[(Domain, "evil.example.com", "evil.example。com")],
        ),
        (
            "ｕｓｅｒ＠ｅｖｉｌ．ｊｐ",
            &[(Email, "user@evil.jp", "ｕｓｅｒ＠ｅｖｉｌ．ｊｐ")],
        ),
    ];
    for (text, want) in table {
        expect(text, want);
    }
}

#[test]
fn every_kind_is_found_in_prose() {
    use Kind::*;
    let table: &[Row] = &[
        (
            "C2: https://evil.example.com/a.php（１９８．５１．１００．７）",
            &[
                (
                    Url,
                    "https://evil.example.com/a.php",
                    "https://evil.example.com/a.php",
                ),
                (Ipv4, "198.51.100.7", "１９８．５１．１００．７"),
            ],
        ),
        (
            "ブロック: 2001:DB8::1 と 10.1.2.3/8。",
            &[
                (Ipv6, "2001:db8::1", "2001:DB8::1"),
                (Cidr, "10.0.0.0/8", "10.1.2.3/8"),
            ],
        ),
        (
            "net 2001:db8:1::/48 seen",
            &[(Cidr, "2001:db8:1::/48", "2001:db8:1::/48")],
        ),
        (
            "hash D41D8CD98F00B204E9800998ECF8427E.",
            &[(
                Md5,
                "d41d8cd98f00b204e9800998ecf8427e",
                "D41D8CD98F00B204E9800998ECF8427E",
            )],
        ),
        (
            "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
            &[(
                Sha1,
                "da39a3ee5e6b4b0d3255bfef95601890afd80709",
                "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            )],
        ),
        (
            "exploited CVE-2021-44228 via AS64496",
            &[
                (Cve, "CVE-2021-44228", "CVE-2021-44228"),
                (Asn, "AS64496", "AS64496"),
            ],
        ),
        (
            "添付ファイル invoice.docm を開いた",
            &[(Filename, "invoice.docm", "invoice.docm")],
        ),
        (
            "ファイル「請求書.exe」が",
            &[(Filename, "請求書.exe", "請求書.exe")],
        ),
        (
            "See <https://evil.example.com/a?b=1&c=2>.",
            &[(
                Url,
                "https://evil.example.com/a?b=1&c=2",
                "https://evil.example.com/a?b=1&c=2",
            )],
        ),
        (
            "(see http://evil.example.com/x)",
            &[(
                Url,
                "http://evil.example.com/x",
                "http://evil.example.com/x",
            )],
        ),
        (
            "http://evil.example.com/wiki/A_(b)",
            &[(
                Url,
                "http://evil.example.com/wiki/A_(b)",
                "http://evil.example.com/wiki/A_(b)",
            )],
        ),
        (
            "Connect to evil.example.com:443 now",
            &[(Domain, "evil.example.com", "evil.example.com")],
        ),
        (
            "src=203.0.113.9 dst=evil.example.org",
            &[
                (Ipv4, "203.0.113.9", "203.0.113.9"),
                (Domain, "evil.example.org", "evil.example.org"),
            ],
        ),
        (
            "http://[2001:db8::2]:8080/x",
            &[(
                Url,
                "http://[2001:db8::2]:8080/x",
                "http://[2001:db8::2]:8080/x",
            )],
        ),
        (
            "as1234, asn1234, AS 1234, ASN 1234",
            &[
                (Asn, "AS1234", "as1234"),
                (Asn, "AS1234", "asn1234"),
                (Asn, "AS1234", "AS 1234"),
                (Asn, "AS1234", "ASN 1234"),
            ],
        ),
        ("just as 2014 people", &[]),
        (
            "cve 2014-0160 and CVE 2021-44228",
            &[
                (Cve, "CVE-2014-0160", "cve 2014-0160"),
                (Cve, "CVE-2021-44228", "CVE 2021-44228"),
            ],
        ),
        (
            "https://evil.example.com/abc,False,False",
            &[(
                Url,
                "https://evil.example.com/abc",
                "https://evil.example.com/abc",
            )],
        ),
        (
            "user@xmpp_chat.example.com",
            // not an address (mail domains are LDH), but the host name is one
            &[(Domain, "xmpp_chat.example.com", "xmpp_chat.example.com")],
        ),
    ];
    for (text, want) in table {
        expect(text, want);
    }
}

#[test]
fn prose_glued_to_an_indicator_is_not_part_of_it() {
    use Kind::*;
    let h = "0663d5b901a5966754d5e8db88c9d87fd4d5b81187ea352c1f0252efa21a7c0a";
    let glued = format!("by the hash {h}.Analysts recommend");
    expect(&glued, &[(Sha256, h, h)]);
    expect(
        "exploitation of CVE-2017-14730.DNSクエリで",
        &[(Cve, "CVE-2017-14730", "CVE-2017-14730")],
    );
    expect(
        "to CVE-2023-22712.ＥＤＲの検知",
        &[(Cve, "CVE-2023-22712", "CVE-2023-22712")],
    );
    expect(
        "directed to admin@evil.co.jp.ＥＤＲの",
        &[(Email, "admin@evil.co.jp", "admin@evil.co.jp")],
    );
    expect("a scheduled task.No evidence", &[]);
    expect(
        "scheduled task.185.162.73[.]245は",
        &[(Ipv4, "185.162.73.245", "185.162.73[.]245")],
    );
    expect(
        "です。2001:db8::a31e:eaf8は",
        &[(Ipv6, "2001:db8::a31e:eaf8", "2001:db8::a31e:eaf8")],
    );
    expect(
        "攻撃者はevil.example.comへの通信",
        &[(Domain, "evil.example.com", "evil.example.com")],
    );
}

#[test]
fn distractors_are_not_indicators() {
    for text in [
        "index.html default.htm style.css favicon.ico index.php",
        "version 1.2.3.4 of the product",
        "バージョン1.2.3.4の環境",
        "Firmware 14.5.2.14.12 and earlier",
        "v1.2.3 and 1.2.3.4.5",
        "2024-03-15, 2024/03/15, 2024年3月15日",
        // a 70-character hex run holds no hash
        "blob 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345 in hex",
        "the dot com era, e.g. i.e. U.S.A. Mr.Smith",
        "std::vector and 12:30:45 and 00:1a:2b:3c:4d:5e",
        "readme.txt, config.json, payload.bin.bak",
        "README.md lib.rs clip.mov, ver.1.2.3.4 and v.1.2.3.4",
        "evil.notatld and co.jp alone",
        "010.1.1.1 and 256.1.1.1",
        "[.][.][.][.]((..)){{.}}",
    ] {
        let got = found(text);
        assert!(got.is_empty(), "{text:?} gave {got:?}");
    }
}

#[test]
fn spans_point_into_the_input_and_raw_is_that_slice() {
    let text = "前文 hxxp://evil[.]example[.]com/a と user[@]evil[.]jp、１９２．０．２．１。";
    let all = extract(text);
    assert_eq!(all.len(), 3);
    for e in &all {
        assert_eq!(&text[e.start..e.end], e.raw);
    }
    let starts: Vec<_> = all.iter().map(|e| e.start).collect();
    assert!(
        starts.windows(2).all(|w| w[0] < w[1]),
        "in order of position"
    );
}

#[test]
fn invalid_utf8_ends_a_run_and_offsets_stay_byte_offsets() {
    let mut bytes = b"\xff\xfeevil.example.com\xc3(192.0.2.1)\xe3\x81".to_vec();
    bytes.extend_from_slice(b" tail");
    let all = extract_bytes(&bytes);
    let got: Vec<_> = all
        .iter()
        .map(|e| (e.kind, e.value.as_str(), e.start, e.end))
        .collect();
    assert_eq!(
        got,
        [
            (Kind::Domain, "evil.example.com", 2, 18),
            (Kind::Ipv4, "192.0.2.1", 20, 29)
        ]
    );
}

#[test]
fn warnings_flag_but_never_drop() {
    let all = extract(
        "dns 8.8.8.8, doc 192.0.2.1, lan 10.0.0.1, www.example.com, x.cloudfront.net, evil-c2.top",
    );
    let cats: Vec<(&str, Vec<Category>)> = all
        .iter()
        .map(|e| {
            (
                e.value.as_str(),
                e.warnings.iter().map(|w| w.category).collect(),
            )
        })
        .collect();
    assert_eq!(
        cats,
        [
            ("8.8.8.8", vec![Category::PublicResolver]),
            ("192.0.2.1", vec![Category::Documentation]),
            ("10.0.0.1", vec![Category::Private]),
            ("www.example.com", vec![Category::Documentation]),
            ("x.cloudfront.net", vec![Category::Cdn]),
            ("evil-c2.top", vec![]),
        ]
    );
}

#[test]
fn pathological_input_is_handled_in_linear_time_without_panic() {
    // Each of these is megabytes of one run.
    let inputs = [
        "[.]".repeat(400_000),
        "a.".repeat(600_000),
        "http://a".repeat(150_000),
        "a://a".repeat(250_000),
        "@a.".repeat(400_000),
        "1.".repeat(600_000),
        ":".repeat(1_200_000),
        format!("http://evil.example.com/{}", ")".repeat(1_000_000)),
        "ｈｔｔｐ：／／".repeat(100_000),
        "a".repeat(3_000_000),
    ];
    // No timing is asserted (DESIGN.md §5.10): a quadratic step would turn this test from
    // seconds into hours, which the test runner's timeout reports. What is asserted is that
    // every span found still describes the input.
    for input in &inputs {
        for e in extract(input) {
            assert!(e.start < e.end && e.end <= input.len());
            assert_eq!(&input[e.start..e.end], e.raw);
        }
    }
}
