//! The single-value parsers on arbitrary text: parse_indicator (idempotent on its own output,
//! and on every defanged form of it), bulk lists, MISP warninglists, public suffix lists, and
//! facts (each kind's normal form is stable).
#![no_main]

use hikeshi_ioc::{
    DefangStyle, Link, SuffixList, WarningList, defang, normalise_fact, parse_csv, parse_indicator,
    parse_lines,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(ind) = parse_indicator(&text) {
        assert_eq!(
            parse_indicator(&ind.value).as_ref(),
            Ok(&ind),
            "normal form is not stable"
        );
        for style in [
            DefangStyle::Brackets,
            DefangStyle::Parens,
            DefangStyle::Words,
        ] {
            let out = defang(&ind, style);
            assert_eq!(
                parse_indicator(&out).as_ref(),
                Ok(&ind),
                "defanged {out:?} does not parse back"
            );
        }
    }
    let lines = parse_lines(data);
    for a in &lines.accepted {
        assert!(a.line >= 1);
    }
    let _ = parse_csv(data);
    let _ = WarningList::from_misp_json(&text);
    for link in Link::ALL {
        if let Ok(v) = normalise_fact(link, &text) {
            assert_eq!(normalise_fact(link, &v).as_ref(), Ok(&v), "{link:?} fact not stable");
        }
    }
    if let Ok(list) = SuffixList::parse(&text) {
        let _ = list.registrable("a.b.example.com");
    }
});
