//! The STIX patterning parser: what it accepts, what it refuses and where, and what it finds.

use hikeshi_exchange::stix::pattern::{
    Comparison, Literal, Observation, Op, Qualifier, equalities, parse, quote,
};

#[test]
fn valid_patterns_from_the_specification_parse() {
    let valid = [
        "[ipv4-addr:value = '198.51.100.1']",
        "[ipv4-addr:value == '198.51.100.1']",
        "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']",
        "[domain-name:value = 'example.com' OR domain-name:value = 'example.net']",
        "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:subject LIKE 'Invoice%']",
        "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
        "[ipv4-addr:value ISSUPERSET '198.51.100.7']",
        "[network-traffic:dst_port IN (80, 443, 8080)]",
        "[network-traffic:dst_port NOT IN (80, 443)]",
        "[file:size > 1024 AND file:size <= 2048]",
        "[file:size >= 1.5]",
        "[x-custom-object:flag = true]",
        "[artifact:payload_bin = b'VGhpcyBpcyBhIHRlc3Q=']",
        "[file:magic_number_hex = h'ffd8']",
        "[file:created = t'2014-01-13T07:03:17Z']",
        "[file:created > t'2014-01-13T07:03:17.123Z']",
        "[file:name != 'a.exe']",
        "[file:name <> 'a.exe']",
        "[file:name NOT = 'a.exe']",
        "[EXISTS windows-registry-key:values]",
        "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\System\\\\Foo']",
        "[network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' = 'gzip']",
        "[email-message:to_refs[*].value = 'a@example.com']",
        "[x509-certificate:extensions[0].x = 1]",
        "[x509-certificate:extensions[-1].x = -1]",
        "([file:name = 'a.exe'] AND [file:name = 'b.exe'])",
        "[file:name = 'a.exe'] FOLLOWEDBY [file:name = 'b.exe'] WITHIN 300 SECONDS",
        "([file:name = 'a.exe'] OR [file:name = 'b.exe']) REPEATS 5 TIMES",
        "[file:name = 'a.exe'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
        "([a-b:c = 1] AND ([d-e:f = 2] OR [g-h:i = 3])) FOLLOWEDBY [j-k:l = 'x'] WITHIN 2.5 SECONDS REPEATS 2 TIMES",
        "[(file:name = 'a' OR file:name = 'b') AND file:size = 0]",
        "[url:value = '']",
    ];
    for p in valid {
        assert!(parse(p).is_ok(), "{p}: {:?}", parse(p).err());
    }
}

#[test]
fn invalid_patterns_are_refused_with_the_position() {
    // (pattern, byte offset of the error)
    let invalid: [(&str, usize); 22] = [
        ("", 0),
        ("ipv4-addr:value = '1.2.3.4'", 0),
        ("[ipv4-addr:value = '1.2.3.4'", 28),
        ("[ipv4-addr:value = '1.2.3.4]", 19),
        ("[ipv4-addr:value '1.2.3.4']", 17),
        ("[ipv4-addr = '1.2.3.4']", 11),
        ("[:value = 'x']", 1),
        ("[IPV4-Addr:value = 'x']", 1),
        ("[file:hashes.SHA-256 = 'x']", 13),
        ("[file:name = 'a\\x']", 13),
        ("[file:name = 'a'] AND", 21),
        ("[file:name = 'a'] and [file:name = 'b']", 18),
        ("[file:name LIKE 5]", 16),
        ("[file:name IN 'a']", 14),
        ("[file:name = 'a'] WITHIN 0 SECONDS", 25),
        ("[file:name = 'a'] WITHIN 5", 26),
        ("[file:name = 'a'] REPEATS 1.5 TIMES", 26),
        ("[file:created = t'2014-01-13']", 16),
        ("[file:magic_number_hex = h'fff']", 25),
        ("[file:name = 'a'] ]", 18),
        ("[file:size = 007]", 13),
        ("[file:name = 'a' # ]", 17),
    ];
    for (p, at) in invalid {
        let e = parse(p).expect_err(p);
        assert_eq!(e.offset, at, "{p}: {e}");
        assert!(!e.reason.is_empty());
        if p.contains("LIKE") {
            assert_eq!(e.reason, "LIKE needs a string");
        }
    }
}

#[test]
fn equalities_are_found_inside_ors_followedbys_and_qualifiers() {
    let p = parse(
        "([ipv4-addr:value = '192.0.2.1' OR domain-name:value != 'x.example'] AND \
         [url:value = 'http://a.example/']) FOLLOWEDBY [file:hashes.'SHA-1' = 'aa'] WITHIN 60 SECONDS",
    )
    .unwrap();
    let found: Vec<(String, Op, bool)> = equalities(&p)
        .iter()
        .map(|t| (t.path.dotted(), t.op, t.negated))
        .collect();
    assert_eq!(
        found,
        [
            ("ipv4-addr:value".to_owned(), Op::Eq, false),
            ("domain-name:value".to_owned(), Op::Ne, false),
            ("url:value".to_owned(), Op::Eq, false),
            ("file:hashes.SHA-1".to_owned(), Op::Eq, false),
        ]
    );
    // A qualifier binds to the observation just before it.
    let Observation::FollowedBy(_, right) = p else {
        panic!("FOLLOWEDBY outermost")
    };
    assert!(matches!(*right, Observation::Qualified(_, Qualifier::Within(s)) if s == 60.0));
}

#[test]
fn precedence_is_and_over_or_over_followedby() {
    let p = parse("[a-a:x = 1] OR [b-b:x = 2] AND [c-c:x = 3] FOLLOWEDBY [d-d:x = 4]").unwrap();
    let Observation::FollowedBy(left, _) = p else {
        panic!("FOLLOWEDBY should be outermost")
    };
    let Observation::Or(_, right) = *left else {
        panic!("OR next")
    };
    assert!(matches!(*right, Observation::And(_, _)));
    let c = parse("[a-a:x = 1 OR a-a:y = 2 AND a-a:z = 3]").unwrap();
    let Observation::Simple(Comparison::Or(_, r)) = c else {
        panic!("OR outermost inside brackets")
    };
    assert!(matches!(*r, Comparison::And(_, _)));
}

#[test]
fn quoting_escapes_quote_and_backslash_and_parses_back() {
    for s in ["it's", "a\\b", "'\\'", "日本語のパス", ""] {
        let q = quote(s);
        let p = parse(&format!("[file:name = {q}]")).unwrap();
        let t = equalities(&p)[0];
        assert_eq!(t.value, Literal::Str(s.to_owned()), "{q}");
    }
    assert_eq!(quote("it's a\\b"), "'it\\'s a\\\\b'");
}

#[test]
fn literals_keep_their_types() {
    let p = parse("[x-a:b IN (1, -2, 2.5, true, 'x', h'00ff', b'AA==', t'2020-01-01T00:00:00Z')]")
        .unwrap();
    let t = equalities(&p)[0];
    assert_eq!(t.op, Op::In);
    assert_eq!(
        t.value,
        Literal::Set(vec![
            Literal::Int(1),
            Literal::Int(-2),
            Literal::Float(2.5),
            Literal::Bool(true),
            Literal::Str("x".into()),
            Literal::Hex("00ff".into()),
            Literal::Binary("AA==".into()),
            Literal::Timestamp("2020-01-01T00:00:00Z".into()),
        ])
    );
}

/// The shared table that scripts/external/stix_check.sh also runs through the reference grammar
/// (stix2-patterns): the same verdict on every line, except the `strict` lines, which the
/// grammar lets through and we refuse on purpose (upper-case type names can never match an
/// object; WITHIN 0 SECONDS can never be satisfied).
#[test]
fn the_shared_pattern_table_gives_the_same_verdicts_as_the_reference_grammar() {
    let table = include_str!("data/stix/patterns.tsv");
    let mut n = 0;
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (verdict, p) = line.split_once('\t').expect("verdict TAB pattern");
        let ours = parse(p);
        match verdict {
            "ok" => assert!(ours.is_ok(), "{p}: {:?}", ours.err()),
            "err" | "strict" => assert!(ours.is_err(), "{p} should be refused"),
            other => panic!("unknown verdict {other}"),
        }
        n += 1;
    }
    assert!(n > 50);
}
