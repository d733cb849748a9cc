//! A blocked bit filter in front of the indicator hash sets.
//!
//! Nearly every field of a log matches nothing. With a million indicators the hash tables are
//! tens of MiB and every probe is a cache miss; this filter turns most probes into one word
//! test. Each key sets two bits in one 64-bit word, 8 bits per key: about 5% false positives,
//! as the earlier one-bit filter had at 16 bits per key, in half the memory, so that the domain,
//! URL-host and address filters of a million-indicator list (900 KiB together instead of
//! 1.8 MiB) stay in a core's L2 cache. Profiling the 1M list showed the first probe of each
//! distinct host or address waiting on that load more than on anything else. Rejected
//! alternative: a real Bloom filter with bits in several words, a cache miss per bit.

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
        let bits = (keys.max(64) * 8).next_power_of_two();
        Bits {
            words: vec![0; bits / 64],
            shift: 64 - (bits / 64).trailing_zeros(),
        }
    }

    /// The word of a key and its two bits. Fibonacci hashing: the top bits of a multiplication
    /// mix every input bit, where FxHash's low bits alone (or an address used as its own key)
    /// would not; the bits come from a second multiplication, independent of the word.
    #[inline]
    fn place(&self, h: u64) -> (usize, u64) {
        let word = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        let b = (h ^ h >> 31).wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 52;
        (word, 1 << (b & 63) | 1 << (b >> 6))
    }

    pub(crate) fn insert(&mut self, h: u64) {
        let (w, m) = self.place(h);
        self.words[w] |= m;
    }

    /// False means the key is certainly absent; an empty filter says false to everything.
    #[inline]
    pub(crate) fn maybe(&self, h: u64) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let (w, m) = self.place(h);
        self.words[w] & m == m
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_missed_and_few_others_pass() {
        for n in [10usize, 1000, 100_000] {
            let mut f = Bits::with_keys(n);
            let key = |i: usize| hash(format!("host{i}.example").as_bytes());
            for i in 0..n {
                f.insert(key(i));
            }
            assert!((0..n).all(|i| f.maybe(key(i))), "{n}");
            // Addresses are their own keys: consecutive integers must spread too.
            let mut a = Bits::with_keys(n);
            for i in 0..n as u64 {
                a.insert(0x0a00_0000 + i);
            }
            let probes = 200_000u64;
            let fp = (0..probes)
                .filter(|i| f.maybe(hash(&i.to_le_bytes())))
                .count();
            let fpa = (0..probes).filter(|i| a.maybe(0xc000_0000 + i)).count();
            for (what, count) in [("hashes", fp), ("addresses", fpa)] {
                let rate = count as f64 / probes as f64;
                assert!(rate < 0.08, "{n} {what}: {rate}");
            }
        }
        assert!(!Bits::default().maybe(1));
    }
}
