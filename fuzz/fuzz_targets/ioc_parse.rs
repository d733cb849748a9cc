//! The single-value parsers on arbitrary text: parse_indicator (idempotent on its own output,
//! and on every defanged form of it), bulk lists, MISP warninglists, public suffix lists.
#![no_main]

use hikeshi_ioc::{
    DefangStyle, SuffixList, WarningList, defang, parse_csv, parse_indicator, parse_lines,
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
    if let Ok(list) = SuffixList::parse(&text) {
        let _ = list.registrable("a.b.example.com");
    }
});
