//! Sets of byte strings kept in one buffer, for the domain, URL, digest and e-mail indicators.
//!
//! A million indicators as one boxed string each in a hash set cost a million allocations to
//! load, a million frees at the end, and three dependent memory reads per probe of a value that
//! passed the bit filter: the control byte, the slot, then the boxed bytes. Here the loader
//! appends every value to one buffer ([`Strings`]; merging two is two appends), and the set
//! ([`StrSet`]) is an open-addressing table, at most half full, whose slots are split in two
//! arrays as hashbrown's are: a byte per slot (empty, or seven bits of the value's hash) and the
//! value's index. A probe for a value that is not there reads the byte array only (linear
//! probing keeps the next slots in the same cache line), a byte per slot, so that this array
//! stays in cache far longer than the table of 8-byte slots tried first did (which made the
//! sweep with 100,000 indicators 3% slower than hashbrown); the index and the buffer are read
//! only when the seven bits agree, one time in 128 per occupied slot passed.

use crate::bits;

/// Byte strings back to back in one buffer, in the order they were pushed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Strings {
    bytes: Vec<u8>,
    /// End of each string in `bytes`; a string starts where the previous one ends.
    ends: Vec<usize>,
}

impl Strings {
    pub(crate) fn push(&mut self, v: &[u8]) {
        self.bytes.extend_from_slice(v);
        self.ends.push(self.bytes.len());
    }

    /// Pushes `v` lower-cased (ASCII).
    pub(crate) fn push_lower(&mut self, v: &[u8]) {
        let start = self.bytes.len();
        self.push(v);
        self.bytes[start..].make_ascii_lowercase();
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// Every string, duplicates included, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Moves `other`'s strings to the end of these.
    pub(crate) fn append(&mut self, other: Strings) {
        let base = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }
}

/// A set of byte strings: see the module documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct StrSet {
    /// Every string given, duplicates included (a duplicate gets no slot).
    strings: Strings,
    /// Per slot: 0 when empty, else 0x80 and seven bits of the value's hash.
    tags: Vec<u8>,
    /// Per slot: the index of its string in `strings`.
    index: Vec<u32>,
    shift: u32,
    len: usize,
}

impl StrSet {
    /// The set of `strings`, at most half full.
    ///
    /// # Panics
    /// With 2^32 strings or more (64 GiB of memory for their ends alone).
    pub(crate) fn new(strings: Strings) -> StrSet {
        let n = strings.len();
        let cap = (2 * n).next_power_of_two().max(16);
        let mut set = StrSet {
            strings: Strings::default(),
            tags: vec![0; cap],
            index: vec![0; cap],
            shift: 64 - cap.trailing_zeros(),
            len: 0,
        };
        for i in 0..n {
            let (slot, tag) = set.find(strings.get(i), &strings);
            if set.tags[slot] == 0 {
                set.tags[slot] = tag;
                set.index[slot] = u32::try_from(i).expect("fewer than 2^32 strings");
                set.len += 1;
            }
        }
        set.strings = strings;
        set
    }

    /// Number of distinct strings.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn contains(&self, v: &[u8]) -> bool {
        if self.len == 0 {
            return false;
        }
        let (slot, _) = self.find(v, &self.strings);
        self.tags[slot] != 0
    }

    /// Every distinct string, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (self.tags.iter().zip(&self.index))
            .filter(|&(&t, _)| t != 0)
            .map(|(_, &i)| self.strings.get(i as usize))
    }

    /// The slot holding `v` (its strings in `strings`), or the empty slot where it would go,
    /// and its tag. Fibonacci hashing places the value; the tag comes from the hash's other
    /// bits, mixed again, so that values of one slot rarely share it.
    #[inline]
    fn find(&self, v: &[u8], strings: &Strings) -> (usize, u8) {
        let h = bits::hash(v);
        let mask = self.tags.len() - 1;
        let mut i = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        let tag = 0x80 | ((h ^ h >> 29).wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 57) as u8;
        loop {
            let t = self.tags[i];
            if t == 0 || (t == tag && strings.get(self.index[i] as usize) == v) {
                return (i, tag);
            }
            i = (i + 1) & mask;
        }
    }
}

impl PartialEq for StrSet {
    fn eq(&self, other: &StrSet) -> bool {
        self.len == other.len && self.iter().all(|v| other.contains(v))
    }
}

impl Eq for StrSet {}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// A small xorshift generator, so the test needs no dependency and can be repeated.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        /// A short string over a small alphabet, so that duplicates and near misses are common.
        fn string(&mut self) -> Vec<u8> {
            let len = (self.next() % 6) as usize;
            (0..len)
                .map(|_| b"ab.-"[(self.next() % 4) as usize])
                .collect()
        }
    }

    #[test]
    fn agrees_with_a_std_hash_set_on_random_strings() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for n in [0usize, 1, 7, 100, 3000] {
            // Built from two halves appended, as the loader's threads do.
            let (mut a, mut b, mut reference) =
                (Strings::default(), Strings::default(), HashSet::new());
            for i in 0..n {
                let v = rng.string();
                if i % 2 == 0 {
                    a.push(&v)
                } else {
                    b.push(&v)
                }
                reference.insert(v);
            }
            a.append(b);
            assert_eq!(a.len(), n);
            let set = StrSet::new(a);
            assert_eq!(set.len(), reference.len(), "{n}");
            assert_eq!(set.is_empty(), reference.is_empty());
            let listed: HashSet<Vec<u8>> = set.iter().map(<[u8]>::to_vec).collect();
            assert_eq!(listed, reference, "{n}");
            assert_eq!(set.iter().count(), reference.len(), "{n}");
            for _ in 0..5000 {
                let probe = rng.string();
                assert_eq!(
                    set.contains(&probe),
                    reference.contains(&probe),
                    "{n} {probe:?}"
                );
            }
        }
    }

    #[test]
    fn lower_cases_and_compares_as_sets() {
        let mut a = Strings::default();
        a.push_lower(b"Evil.COM");
        a.push(b"x");
        let mut b = Strings::default();
        b.push(b"x");
        b.push(b"evil.com");
        b.push(b"x");
        let (a, b) = (StrSet::new(a), StrSet::new(b));
        assert!(a.contains(b"evil.com") && !a.contains(b"Evil.COM"));
        assert_eq!(a, b);
        let mut c = Strings::default();
        c.push(b"x");
        c.push(b"evil.co");
        assert_ne!(a, StrSet::new(c));
        assert_eq!(StrSet::default(), StrSet::new(Strings::default()));
        assert!(!StrSet::default().contains(b""));
    }
}
