//! What every sweep fuzz target does, for the one format it names: whatever the bytes, the sweep
//! must not panic, and every hit must point inside the input.

use std::sync::OnceLock;

use hikeshi_ioc::Kind;
use hikeshi_sweep::{Compression, Format, IndicatorSet, SweepOptions, Sweeper, VecSink};

pub fn set() -> &'static IndicatorSet {
    static SET: OnceLock<IndicatorSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut b = IndicatorSet::builder();
        for (kind, value) in [
            (Kind::Domain, "evil.com"),
            (Kind::Ipv4, "198.51.100.7"),
            (Kind::Cidr, "203.0.113.0/24"),
            (Kind::Ipv6, "2001:db8::7"),
            (Kind::Url, "http://evil.com/a.php"),
            (Kind::Md5, "d41d8cd98f00b204e9800998ecf8427e"),
            (Kind::Email, "a@evil.com"),
        ] {
            let _ = b.insert(kind, value);
        }
        b.build()
    })
}

pub fn sweep(format: Format, data: &[u8]) {
    // Small blocks and a small line limit reach the block-joining and over-long-line paths.
    let opts = SweepOptions {
        format: Some(format),
        block_size: 4096,
        max_line: 1 << 16,
        ..SweepOptions::default()
    };
    let mut sink = VecSink::default();
    let stats = Sweeper::new(set(), opts).sweep_reader("fuzz", data, &mut sink);
    for h in &sink.hits {
        assert!(h.line >= 1 && h.line <= stats.lines);
        if Compression::from_magic(data) == Compression::None {
            assert!((h.offset as usize) < data.len());
        }
    }
}
