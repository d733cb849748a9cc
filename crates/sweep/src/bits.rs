//! A one-hash bit filter in front of the indicator hash sets.
//!
//! Nearly every field of a log matches nothing. With a million indicators the hash tables are
//! tens of MiB and every probe is a cache miss; this filter (16 bits per key, one hash, about 6%
//! false positives) stays in cache and turns most probes into one bit test. Rejected
//! alternative: a real Bloom filter with several hashes, which costs more per probe than it
//! saves at this false-positive rate.

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

#[derive(Debug, Clone, Default)]
pub(crate) struct Bits {
    words: Vec<u64>,
    shift: u32,
}

/// FxHash of a byte string.
pub(crate) fn hash(b: &[u8]) -> u64 {
    FxBuildHasher.hash_one(b)
}

impl Bits {
    /// A filter for `keys` keys.
    pub(crate) fn with_keys(keys: usize) -> Bits {
        let bits = (keys.max(64) * 16).next_power_of_two();
        Bits {
            words: vec![0; bits / 64],
            shift: 64 - bits.trailing_zeros(),
        }
    }

    fn index(&self, h: u64) -> usize {
        // Fibonacci hashing: the top bits of a multiplication mix every input bit, where FxHash's
        // low bits alone would not.
        (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    pub(crate) fn insert(&mut self, h: u64) {
        let i = self.index(h);
        self.words[i >> 6] |= 1 << (i & 63);
    }

    /// False means the key is certainly absent; an empty filter says false to everything.
    #[inline]
    pub(crate) fn maybe(&self, h: u64) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let i = self.index(h);
        self.words[i >> 6] & (1 << (i & 63)) != 0
    }
}

/// The last two labels of a host name (`evil.com` of `a.b.evil.com`), or all of it. Every domain
/// indicator that can match a host at a label boundary has the same last two labels as the host,
/// so filtering on them is exact about absence.
pub(crate) fn tail(host: &[u8]) -> &[u8] {
    match crate::norm::rfind_byte(host, b'.') {
        Some(last) => match crate::norm::rfind_byte(&host[..last], b'.') {
            Some(prev) => &host[prev + 1..],
            None => host,
        },
        None => host,
    }
}

/// A small per-thread memory of keys the filter rejected.
///
/// Log traffic is heavily skewed (a few hundred sites and resolvers make most lines), and with a
/// million indicators the filter itself is about a MiB, so most probes missed the CPU cache. The
/// filter's verdict depends only on the key (a hash, or an address), so remembering it can never
/// hide a hit. Direct-mapped, 4096 entries (32 KiB, stays in L1/L2).
#[derive(Debug, Clone)]
pub(crate) struct Rejected {
    keys: Vec<u64>,
}

/// Marks an empty slot; a key equal to it is simply never remembered.
const EMPTY: u64 = u64::MAX;

impl Default for Rejected {
    fn default() -> Self {
        Rejected {
            keys: vec![EMPTY; 4096],
        }
    }
}

impl Rejected {
    /// `filter(key)`, answered from memory when `key` was rejected before.
    #[inline]
    pub(crate) fn maybe(&mut self, key: u64, filter: impl FnOnce() -> bool) -> bool {
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize;
        if self.keys[slot] == key {
            return false;
        }
        let verdict = filter();
        if !verdict && key != EMPTY {
            self.keys[slot] = key;
        }
        verdict
    }
}
