//! CIDR indicators as sorted address ranges, found by binary search.
//!
//! CIDR blocks are either nested or disjoint, so the outermost blocks form a sorted list of
//! disjoint ranges: one binary search answers "is this address inside any block". Blocks nested
//! inside another are kept apart and only looked at after an outer hit (rare), to report the most
//! specific block. Rejected alternative: one hash set per prefix length, which costs up to 33
//! (IPv4) or 129 (IPv6) probes for every address in the log instead of one search.

#[derive(Debug, Clone)]
struct Block<T> {
    start: T,
    end: T,
    text: Box<str>,
}

/// An address type whose top 16 bits index the prefilter.
pub(crate) trait Addr: Copy + Ord {
    fn top16(self) -> usize;
}

impl Addr for u32 {
    fn top16(self) -> usize {
        (self >> 16) as usize
    }
}

impl Addr for u128 {
    fn top16(self) -> usize {
        (self >> 112) as usize
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Ranges<T> {
    outer: Vec<Block<T>>,
    nested: Vec<Block<T>>,
    /// One bit per value of the top 16 address bits, set where some block may start or reach.
    /// Almost every address in a log is outside every block; this 8 KiB table (it stays in L1
    /// cache) rejects those without the binary search, which profiling showed at 15% of a
    /// Squid sweep.
    top: Vec<u64>,
    /// With many blocks, `first[t]` is the number of outer blocks starting below top value `t`:
    /// the search for an address then covers only the blocks starting in its own /16 (usually
    /// one or two) instead of all of them. With 20,000 CIDR indicators the full binary search
    /// was 15 dependent cache misses for every first sight of an address near one.
    first: Vec<u32>,
}

/// Outer blocks from which the `first` index is built (256 KiB).
const INDEX_MIN: usize = 256;

impl<T> Default for Ranges<T> {
    fn default() -> Self {
        Ranges {
            outer: Vec::new(),
            nested: Vec::new(),
            top: Vec::new(),
            first: Vec::new(),
        }
    }
}

impl<T: Addr> Ranges<T> {
    /// Adds a block; call [`Ranges::build`] before looking anything up.
    pub(crate) fn push(&mut self, start: T, end: T, text: Box<str>) {
        self.outer.push(Block { start, end, text });
    }

    /// Takes in the blocks of another, unbuilt, collection.
    pub(crate) fn extend(&mut self, other: Ranges<T>) {
        self.outer.extend(other.outer);
        self.nested.extend(other.nested);
    }

    /// Sorts the blocks and separates nested ones from outer ones.
    pub(crate) fn build(&mut self) {
        let mut all = std::mem::take(&mut self.outer);
        all.extend(std::mem::take(&mut self.nested));
        // Wider block first at equal start, so it becomes the outer one.
        all.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        all.dedup_by(|b, a| a.start == b.start && a.end == b.end);
        for block in all {
            match self.outer.last() {
                Some(last) if block.start <= last.end => self.nested.push(block),
                _ => self.outer.push(block),
            }
        }
        self.outer.shrink_to_fit();
        self.nested.shrink_to_fit();
        self.top = vec![0; 1 << 10];
        for b in &self.outer {
            for t in b.start.top16()..=b.end.top16() {
                self.top[t >> 6] |= 1 << (t & 63);
            }
        }
        self.first = Vec::new();
        if self.outer.len() >= INDEX_MIN {
            self.first = vec![0; (1 << 16) + 1];
            for b in &self.outer {
                self.first[b.start.top16() + 1] += 1;
            }
            for t in 1..self.first.len() {
                self.first[t] += self.first[t - 1];
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.outer.len() + self.nested.len()
    }

    /// The most specific block containing `x`, as its indicator text.
    pub(crate) fn find(&self, x: T) -> Option<&str> {
        let t = x.top16();
        if self
            .top
            .get(t >> 6)
            .is_none_or(|w| w & (1 << (t & 63)) == 0)
        {
            return None;
        }
        let i = match self.first.get(t..t + 2) {
            // Blocks starting before this /16 all start at or below x, later ones above it.
            Some(&[lo, hi]) => {
                let (lo, hi) = (lo as usize, hi as usize);
                lo + self.outer[lo..hi].partition_point(|b| b.start <= x)
            }
            _ => self.outer.partition_point(|b| b.start <= x),
        };
        let outer = self.outer.get(i.checked_sub(1)?)?;
        if x > outer.end {
            return None;
        }
        if self.nested.is_empty() {
            return Some(&outer.text);
        }
        let lo = self.nested.partition_point(|b| b.start < outer.start);
        let hi = self.nested.partition_point(|b| b.start <= x);
        let best = self.nested[lo..hi]
            .iter()
            .filter(|b| x <= b.end && b.end <= outer.end)
            .min_by_key(|b| (b.end, std::cmp::Reverse(b.start)));
        // Among blocks starting at or before x that contain x: blocks are nested, so the one
        // ending first is the narrowest, and of two ending together (a /10 at the end of a
        // /9) the one starting last.
        Some(best.map_or(&outer.text, |b| &b.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(blocks: &[(u32, u32, &str)]) -> Ranges<u32> {
        let mut r = Ranges::default();
        for &(s, e, t) in blocks {
            r.push(s, e, t.into());
        }
        r.build();
        r
    }

    #[test]
    fn disjoint_blocks_are_found_by_their_bounds() {
        let r = ranges(&[(100, 199, "b"), (10, 19, "a"), (300, 300, "c")]);
        let found: Vec<_> = [9, 10, 19, 20, 150, 199, 200, 300, 301]
            .into_iter()
            .map(|x| r.find(x))
            .collect();
        assert_eq!(
            found,
            [
                None,
                Some("a"),
                Some("a"),
                None,
                Some("b"),
                Some("b"),
                None,
                Some("c"),
                None
            ]
        );
    }

    #[test]
    fn nested_blocks_report_the_most_specific() {
        let r = ranges(&[
            (0, 255, "/24"),
            (16, 31, "/28"),
            (20, 21, "/31"),
            (128, 255, "/25"),
        ]);
        assert_eq!(r.find(5), Some("/24"));
        assert_eq!(r.find(17), Some("/28"));
        assert_eq!(r.find(20), Some("/31"));
        assert_eq!(r.find(200), Some("/25"));
        assert_eq!(r.find(256), None);
        assert_eq!(r.len(), 4);
    }

    #[test]
    fn of_nested_blocks_ending_together_the_narrowest_is_reported() {
        let r = ranges(&[(0, 255, "/24"), (128, 255, "/25"), (192, 255, "/26")]);
        assert_eq!(r.find(130), Some("/25"));
        assert_eq!(r.find(200), Some("/26"));
        assert_eq!(r.find(255), Some("/26"));
    }

    #[test]
    fn the_per_16_index_finds_what_a_brute_force_search_finds() {
        // Blocks of every size from /8 to /32, wide ones spanning many /16s, nested ones too.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut blocks = Vec::new();
        for i in 0..3000 {
            let len = 8 + (next() % 25) as u32;
            let mask = if len == 32 {
                u32::MAX
            } else {
                !(u32::MAX >> len)
            };
            let start = (next() as u32) & mask;
            blocks.push((start, start | !mask, format!("{i}/{len}")));
        }
        let mut r = Ranges::default();
        for (s, e, t) in &blocks {
            r.push(*s, *e, t.as_str().into());
        }
        r.build();
        assert!(!r.first.is_empty());
        let brute = |a: u32| {
            blocks
                .iter()
                .filter(|(s, e, _)| *s <= a && a <= *e)
                .min_by_key(|(s, e, _)| (e - s, *s))
                .map(|(_, _, t)| t.as_str())
        };
        for (s, e, _) in blocks.iter().take(500) {
            for a in [
                *s,
                *e,
                s.wrapping_sub(1),
                e.wrapping_add(1),
                s + (e - s) / 2,
            ] {
                let (got, want) = (r.find(a), brute(a));
                // Duplicate ranges keep one text: compare the ranges found, not the names.
                let span = |t: Option<&str>| {
                    t.map(|t| blocks.iter().find(|b| b.2 == t).map(|b| (b.0, b.1)))
                };
                assert_eq!(span(got), span(want), "{a:#x}");
            }
        }
        for _ in 0..20_000 {
            let a = next() as u32;
            assert_eq!(r.find(a).is_some(), brute(a).is_some(), "{a:#x}");
        }
    }
}
