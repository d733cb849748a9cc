//! Extraction on arbitrary bytes: no panic, no hang, and spans that describe the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let found = hikeshi_ioc::extract_bytes(data);
    let mut last_start = 0;
    for e in &found {
        assert!(
            e.start < e.end && e.end <= data.len(),
            "span out of bounds: {e:?}"
        );
        assert!(e.start >= last_start, "not in order of position");
        last_start = e.start;
        assert_eq!(
            e.raw,
            String::from_utf8_lossy(&data[e.start..e.end]),
            "raw is not the input slice"
        );
        // What the extractor found, typed by hand, is the same indicator.
        let again = hikeshi_ioc::parse_indicator(&e.value);
        assert_eq!(
            again.as_ref().ok(),
            Some(&e.indicator()),
            "{e:?} parses as {again:?}"
        );
    }
});
