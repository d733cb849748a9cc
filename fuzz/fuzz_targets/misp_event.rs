//! The MISP event reader on arbitrary bytes: it must not panic, every imported indicator must
//! point at a group that exists, and an event accepted by `event_from_slice` must come back the
//! same through `event_to_value` (what the MISP-compatible API answers with).
#![no_main]

use hikeshi_exchange::misp::{event_from_slice, event_from_value, event_to_value, read_event};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(got) = read_event(data) {
        for ind in &got.indicators {
            assert!(ind.group.is_some_and(|g| g < got.groups.len()));
            assert!(!ind.indicator.value.is_empty());
        }
    }
    if let Ok(ev) = event_from_slice(data) {
        let again = event_from_value(event_to_value(&ev)).expect("our own output reads back");
        assert_eq!(again, ev);
    }
});
