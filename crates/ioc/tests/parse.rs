//! parse_indicator as a specification: what a handler types, and what it becomes.

use hikeshi_ioc::{Kind, parse_as, parse_indicator};

#[test]
fn each_typed_form_becomes_its_kind_and_normal_form() {
    let table: &[(&str, Kind, &str)] = &[
        // URLs: refanged, scheme and host lower case, default port dropped, path kept
        (
            "hxxp://evil[.]example[.]com/a",
            Kind::Url,
            "http://evil.example.com/a",
        ),
        (
            "hXXps://Evil.Example.COM:443/Path?q=A#F",
            Kind::Url,
            "https://evil.example.com/Path?q=A#F",
        ),
        (
            "http://evil.example.com",
            Kind::Url,
            "http://evil.example.com/",
        ),
        (
            "http://evil.example.com:8080/x",
            Kind::Url,
            "http://evil.example.com:8080/x",
        ),
        (
            "fxp://files.example.net/a.zip",
            Kind::Url,
            "ftp://files.example.net/a.zip",
        ),
        (
            "http[://]evil[.]example[.]com/",
            Kind::Url,
            "http://evil.example.com/",
        ),
        (
            "http[:]//evil(.)example{.}com/",
            Kind::Url,
            "http://evil.example.com/",
        ),
        (
            "ｈｔｔｐ：／／ｅｘａｍｐｌｅ．ｊｐ",
            Kind::Url,
            "http://example.jp/",
        ),
        (
            "http://[2001:DB8::1]:8443/x",
            Kind::Url,
            "http://[2001:db8::1]:8443/x",
        ),
        (
            "http://192.0.2.1/gate.php",
            Kind::Url,
            "http://192.0.2.1/gate.php",
        ),
        ("http://intranet/login", Kind::Url, "http://intranet/login"),
        (
            "https://例え.テスト.jp/",
            Kind::Url,
            "https://xn--r8jz45g.xn--zckzah.jp/",
        ),
        // IPs
        ("192.0.2.1", Kind::Ipv4, "192.0.2.1"),
        ("１９２．０．２．１", Kind::Ipv4, "192.0.2.1"),
        ("198[.]51[.]100[.]7", Kind::Ipv4, "198.51.100.7"),
        (
            "2001:0DB8:0000:0000:0000:0000:0000:0001",
            Kind::Ipv6,
            "2001:db8::1",
        ),
        ("[2001:db8::1]", Kind::Ipv6, "2001:db8::1"),
        ("2001[:]db8[:][:]1", Kind::Ipv6, "2001:db8::1"),
        // networks: the network address is the normal form
        ("10.0.0.0/8", Kind::Cidr, "10.0.0.0/8"),
        ("10.1.2.3/8", Kind::Cidr, "10.0.0.0/8"),
        ("2001:db8:1:2::/32", Kind::Cidr, "2001:db8::/32"),
        // a network address of all zeros is still a network (found by the ioc_parse fuzz target:
        // `9::/9` normalised to `::/9`, which did not parse back)
        ("9::/9", Kind::Cidr, "::/9"),
        ("::/9", Kind::Cidr, "::/9"),
        ("1.2.3.4/0", Kind::Cidr, "0.0.0.0/0"),
        ("0.0.0.0/0", Kind::Cidr, "0.0.0.0/0"),
        // domains
        ("Evil.Example.COM.", Kind::Domain, "evil.example.com"),
        ("evil[.]co[.]jp", Kind::Domain, "evil.co.jp"),
        ("evil dot example dot com", Kind::Domain, "evil.example.com"),
        ("ｅｘａｍｐｌｅ．ｊｐ", Kind::Domain, "example.jp"),
        ("example。jp", Kind::Domain, "example.jp"),
        ("例え.jp", Kind::Domain, "xn--r8jz45g.jp"),
        ("www.example.zip", Kind::Domain, "www.example.zip"),
        ("<evil.example.net>", Kind::Domain, "evil.example.net"),
        // e-mail
        ("Tanaka@Example.CO.JP", Kind::Email, "tanaka@example.co.jp"),
        ("user[@]example[.]com", Kind::Email, "user@example.com"),
        ("user(at)example(dot)com", Kind::Email, "user@example.com"),
        (
            "ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｊｐ",
            Kind::Email,
            "user@example.jp",
        ),
        // hashes: lower case
        (
            "D41D8CD98F00B204E9800998ECF8427E",
            Kind::Md5,
            "d41d8cd98f00b204e9800998ecf8427e",
        ),
        (
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            Kind::Sha1,
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        ),
        (
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            Kind::Sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        // identifiers
        ("cve-2014-0160", Kind::Cve, "CVE-2014-0160"),
        ("CVE-2021-44228", Kind::Cve, "CVE-2021-44228"),
        ("AS64496", Kind::Asn, "AS64496"),
        ("asn 64496", Kind::Asn, "AS64496"),
        // file names: base name, as written
        ("update.exe", Kind::Filename, "update.exe"),
        ("請求書.exe", Kind::Filename, "請求書.exe"),
        (
            "C:\\Users\\Public\\svchost32.exe",
            Kind::Filename,
            "svchost32.exe",
        ),
        ("invoice.zip", Kind::Filename, "invoice.zip"),
    ];
    for (text, kind, value) in table {
        let got = parse_indicator(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(
            (got.kind, got.value.as_str()),
            (*kind, *value),
            "input {text:?}"
        );
    }
}

#[test]
fn text_that_is_no_indicator_is_refused_with_a_reason() {
    for text in [
        "",
        "   ",
        "hello",
        "index.html",
        "1.2.3.4.5",
        "256.1.1.1",
        "010.1.1.1",
        "evil.notatld",
        "co.jp",
        "::",
        "10.0.0.0/33",
        "gopher://example.com/",
        "http://exa mple.com/",
        "user@localhost",
        "CVE-14-0160",
        "AS0",
        "abcdef0123",
    ] {
        assert!(parse_indicator(text).is_err(), "{text:?} should be refused");
    }
}

#[test]
fn a_chosen_kind_must_match_except_other_and_a_single_address_as_a_network() {
    assert_eq!(
        parse_as(Kind::Other, "  mutex Global\\xyz ").unwrap().value,
        "mutex Global\\xyz"
    );
    assert_eq!(
        parse_as(Kind::Cidr, "192.0.2.1").unwrap().value,
        "192.0.2.1/32"
    );
    assert!(parse_as(Kind::Domain, "192.0.2.1").is_err());
    assert_eq!(
        parse_as(Kind::Domain, "evil[.]com").unwrap().value,
        "evil.com"
    );
}

#[test]
fn kind_names_round_trip() {
    for k in Kind::ALL {
        assert_eq!(k.as_str().parse::<Kind>().unwrap(), k);
    }
    assert!("ip".parse::<Kind>().is_err());
}
