//! A per-thread memory of short field values that matched nothing.
//!
//! A log repeats itself: a few thousand internal clients, the same resolvers and proxies' peers,
//! the same popular sites. Matching a value of a given role depends only on the value, so a
//! value that matched nothing once never will; remembering it skips the port stripping, address
//! parsing, lower-casing, hashing and filter probes the next time. Values up to 24 bytes (every
//! IPv4 address, most `host:port` pairs and peer names) are kept whole as the key, so the memory
//! can never confuse two values. Direct-mapped, 8192 entries of 32 bytes (256 KiB, in L2).

use crate::matcher::Role;

/// Longest value remembered; the last word of the key holds the length and the role.
pub(crate) const MAX: usize = 24;
const SLOTS: usize = 8192;

type Key = [u64; 4];

#[derive(Debug, Clone)]
pub(crate) struct Quiet {
    keys: Vec<Key>,
}

impl Default for Quiet {
    fn default() -> Self {
        // An all-zero key is never built (the length in the last word is at least 1).
        Quiet {
            keys: vec![[0; 4]; SLOTS],
        }
    }
}

/// The key of a value of 1 to [`MAX`] bytes under `role`: up to three (overlapping) words of
/// the value and its length, which together determine every byte of it. Built from fixed-size
/// reads only, because a copy of variable length costs more than the lookup saves.
#[inline]
pub(crate) fn key(role: Role, v: &[u8]) -> Key {
    debug_assert!(!v.is_empty() && v.len() <= MAX);
    let n = v.len();
    let tag = n as u64 | (role as u64) << 8;
    let w8 = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&v[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let w4 = |at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&v[at..at + 4]);
        u64::from(u32::from_le_bytes(w))
    };
    match n {
        0..4 => {
            let b = u64::from(v[0]) | u64::from(v[n / 2]) << 8 | u64::from(v[n - 1]) << 16;
            [b, 0, 0, tag]
        }
        4..8 => [w4(0) | w4(n - 4) << 32, 0, 0, tag],
        8..=16 => [w8(0), w8(n - 8), 0, tag],
        _ => [w8(0), w8(8), w8(n - 8), tag],
    }
}

#[inline]
fn slot(k: &Key) -> usize {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let h = (k[0].wrapping_mul(K) ^ k[1]).wrapping_mul(K) ^ k[2].rotate_left(17) ^ k[3];
    (h.wrapping_mul(K) >> (64 - SLOTS.trailing_zeros())) as usize
}

impl Quiet {
    /// True when the value was seen before and matched nothing.
    #[inline]
    pub(crate) fn known(&self, k: &Key) -> bool {
        self.keys[slot(k)] == *k
    }

    pub(crate) fn remember(&mut self, k: Key) {
        let s = slot(&k);
        self.keys[s] = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_values_and_roles_apart() {
        assert_ne!(key(Role::Host, b"1.2.3.4"), key(Role::Ip, b"1.2.3.4"));
        assert_ne!(key(Role::Host, b"a"), key(Role::Host, b"a\0"));
        // Every length, and values that differ in a single byte anywhere, get different keys.
        let base: Vec<u8> = (b'a'..).take(MAX).collect();
        let mut seen = std::collections::HashSet::new();
        for n in 1..=MAX {
            assert!(seen.insert(key(Role::Host, &base[..n])));
            for i in 0..n {
                let mut v = base[..n].to_vec();
                v[i] = b'0';
                assert!(seen.insert(key(Role::Host, &v)), "{n} {i}");
            }
        }
        let mut q = Quiet::default();
        let k = key(Role::Host, b"example.com:443");
        assert!(!q.known(&k));
        q.remember(k);
        assert!(q.known(&key(Role::Host, b"example.com:443")));
        assert!(!q.known(&key(Role::Host, b"example.com:444")));
    }
}
