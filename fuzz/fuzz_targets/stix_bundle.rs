//! Fuzzes the STIX 2.1 reader and the patterning parser: whatever the bytes, no panic; every
//! rejection names its object and a reason; every indicator that comes in is a normalised,
//! non-empty value; a pattern that parses has a quoted form that parses back to the same string.
#![no_main]

use hikeshi_exchange::stix::pattern::{equalities, parse, quote};
use hikeshi_exchange::stix::{ImportLimits, read_bundle, read_envelope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ImportLimits {
        max_objects: 1000,
        max_object_bytes: 64 * 1024,
    };
    if let Ok(imported) = read_bundle(data, &limits) {
        for r in &imported.rejected {
            assert!(!r.object.is_empty() && !r.reason.is_empty());
        }
        for i in &imported.indicators {
            assert!(!i.indicator.value.is_empty());
            assert!(!i.source_id.is_empty());
            assert!(i.group.is_none_or(|g| g < imported.groups.len()));
        }
    }
    if let Ok(env) = read_envelope(data, &limits) {
        assert!(env.imported.rejected.iter().all(|r| !r.reason.is_empty()));
    }

    let text = String::from_utf8_lossy(data);
    if let Ok(p) = parse(&text) {
        for t in equalities(&p) {
            assert!(!t.path.object_type.is_empty());
        }
    }
    // Whatever string we quote must come back unchanged from a pattern.
    let q = quote(&text);
    let p = parse(&format!("[file:name = {q}]")).expect("a quoted string always parses");
    let found = equalities(&p);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].value,
        hikeshi_exchange::stix::pattern::Literal::Str(text.into_owned())
    );
});
