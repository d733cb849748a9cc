//! Warning lists: indicators that are probably benign or useless (private ranges, documentation
//! examples, public resolvers, CDNs, very popular sites). They are flagged, never dropped: a
//! handler decides, and an attacker can use a CDN too.
//!
//! The list format is MISP's warninglist JSON, so the lists the MISP project maintains can be
//! imported as they are; the small built-in set lives in `lists/` in the same format.

use rustc_hash::{FxHashMap, FxHashSet};
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::{IocError, Kind};

/// Why an indicator is on a list, for the handler deciding what to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Private, loopback, link-local and shared address space (RFC 1918, 6598, 4193 …).
    Private,
    /// Reserved, multicast, benchmarking and unspecified space.
    Reserved,
    /// Reserved for documentation (RFC 5737, 3849, 9637; example.com, example.jp …).
    Documentation,
    /// Well-known public DNS resolvers.
    PublicResolver,
    /// Content delivery networks: shared by countless sites.
    Cdn,
    /// Very popular sites: blocking them breaks work, matching them floods a sweep.
    Popular,
    /// Values that are never specific to an attack (hashes of the empty file …).
    KnownBenign,
    /// A list the team imported or wrote.
    Custom,
}

/// One list an indicator is on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    /// The list's name (MISP's `name`).
    pub list: String,
    pub category: Category,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.list)
    }
}

/// Address ranges, kept sorted with a running maximum of ends so one binary search answers
/// "is this range inside any listed range" even when listed ranges overlap (MISP's cloud lists
/// have thousands of entries; a linear scan per indicator would not do).
#[derive(Debug, Clone, Default)]
pub(crate) struct Ranges {
    v4: Vec<(u128, u128)>,
    v6: Vec<(u128, u128)>,
    v4_max_end: Vec<u128>,
    v6_max_end: Vec<u128>,
}

/// The first and last address of an address or network.
pub(crate) fn span(value: &str) -> Option<(bool, u128, u128)> {
    let (addr, len) = match value.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
        None => (value, None),
    };
    let ip: IpAddr = addr
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    let (v4, bits, n) = match ip {
        IpAddr::V4(a) => (true, 32u32, u128::from(u32::from(a))),
        IpAddr::V6(a) => (false, 128u32, u128::from(a)),
    };
    let len = u32::from(len.unwrap_or(bits as u8));
    if len > bits {
        return None;
    }
    let host_bits = bits - len;
    let host_mask = if host_bits == 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    Some((v4, n & !host_mask, (n & !host_mask) | host_mask))
}

impl Ranges {
    fn build(mut v: Vec<(u128, u128)>) -> (Vec<(u128, u128)>, Vec<u128>) {
        v.sort_unstable();
        let mut max = 0;
        let ends = v
            .iter()
            .map(|&(_, e)| {
                max = max.max(e);
                max
            })
            .collect();
        (v, ends)
    }

    pub(crate) fn new(entries: impl IntoIterator<Item = (bool, u128, u128)>) -> Self {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for (is_v4, s, e) in entries {
            if is_v4 {
                v4.push((s, e))
            } else {
                v6.push((s, e))
            }
        }
        let (v4, v4_max_end) = Self::build(v4);
        let (v6, v6_max_end) = Self::build(v6);
        Ranges {
            v4,
            v6,
            v4_max_end,
            v6_max_end,
        }
    }

    pub(crate) fn contains(&self, is_v4: bool, lo: u128, hi: u128) -> bool {
        let (v, ends) = if is_v4 {
            (&self.v4, &self.v4_max_end)
        } else {
            (&self.v6, &self.v6_max_end)
        };
        let idx = v.partition_point(|&(s, _)| s <= lo);
        idx > 0 && ends[idx - 1] >= hi
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
}

/// How a list matches, after MISP's `type`.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    /// `cidr`: addresses and networks inside a listed network.
    Cidr(Ranges),
    /// `string`: the value (or a URL's host, an address's domain) equals an entry.
    Exact(FxHashSet<String>),
    /// `hostname`: the host equals an entry or is below it.
    Hostname(FxHashSet<String>),
    /// `substring`: the value contains an entry.
    Substring(Vec<String>),
}

/// One warning list.
#[derive(Debug, Clone)]
pub struct WarningList {
    pub name: String,
    pub description: String,
    pub category: Category,
    pub(crate) matcher: Matcher,
}

/// The host part of a domain, URL or e-mail value (already in normal form).
pub(crate) fn host_of(kind: Kind, value: &str) -> Option<&str> {
    match kind {
        Kind::Domain => Some(value),
        Kind::Email => value.rsplit_once('@').map(|(_, h)| h),
        Kind::Url => {
            let rest = value.split_once("://")?.1;
            let auth = &rest[..crate::normalize::authority_end(rest.as_bytes())];
            let hostport = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
            if hostport.starts_with('[') {
                return hostport.split_once(']').map(|(h, _)| &h[1..]);
            }
            Some(hostport.split_once(':').map_or(hostport, |(h, _)| h))
        }
        _ => None,
    }
}

/// An indicator as the lists look at it, worked out once for all lists.
pub(crate) struct Probe<'v> {
    value: &'v str,
    host: Option<&'v str>,
    span: Option<(bool, u128, u128)>,
}

impl<'v> Probe<'v> {
    pub(crate) fn new(kind: Kind, value: &'v str) -> Self {
        let host = host_of(kind, value);
        let ip_text = match kind {
            Kind::Ipv4 | Kind::Ipv6 | Kind::Cidr => Some(value),
            Kind::Url => host,
            _ => None,
        };
        Probe {
            value,
            host,
            span: ip_text.and_then(span),
        }
    }

    /// The host and each parent (`a.b.evil.com`, `b.evil.com`, `evil.com`, `com`), without
    /// allocating: this runs for every indicator extracted.
    fn parents(&self) -> impl Iterator<Item = &'v str> + use<'v> {
        let mut next = self.host;
        std::iter::from_fn(move || {
            let cur = next?;
            next = cur.split_once('.').map(|(_, parent)| parent);
            Some(cur)
        })
    }
}

impl WarningList {
    /// Whether the indicator (kind and normal form) is on this list.
    pub fn matches(&self, kind: Kind, value: &str) -> bool {
        self.matches_probe(&Probe::new(kind, value))
    }

    fn matches_probe(&self, p: &Probe) -> bool {
        match &self.matcher {
            Matcher::Cidr(r) => p.span.is_some_and(|(v4, lo, hi)| r.contains(v4, lo, hi)),
            Matcher::Exact(set) => set.contains(p.value) || p.host.is_some_and(|h| set.contains(h)),
            Matcher::Hostname(set) => p.parents().any(|h| set.contains(h)),
            Matcher::Substring(subs) => subs.iter().any(|s| p.value.contains(s.as_str())),
        }
    }

    /// Build a list from entries the team keeps by hand (one MISP type for all entries).
    pub fn custom(name: &str, misp_type: &str, entries: &[&str]) -> Result<Self, IocError> {
        let entries: Vec<String> = entries.iter().map(|s| (*s).to_owned()).collect();
        crate::lists::build(name, "", Category::Custom, misp_type, entries)
    }
}

/// The lists an extractor checks every indicator against.
#[derive(Debug, Clone, Default)]
pub struct WarningSet {
    lists: Vec<WarningList>,
    /// Every host-name entry of every `hostname` list, with the lists it is on: one lookup per
    /// parent of a host instead of one per parent per list. FxHash rather than SipHash: the
    /// keys are the lists' own entries (not attacker-chosen), and this lookup runs for every
    /// indicator extracted.
    hosts: FxHashMap<String, Vec<usize>>,
}

impl WarningSet {
    /// No lists at all.
    pub fn empty() -> Self {
        WarningSet::default()
    }

    /// The lists compiled into hikeshi (see `lists/README.md` for their sources).
    pub fn builtin() -> Self {
        let mut set = WarningSet::default();
        for list in crate::lists::builtin() {
            set.push(list);
        }
        set
    }

    /// Add a list.
    pub fn push(&mut self, list: WarningList) {
        let idx = self.lists.len();
        if let Matcher::Hostname(entries) = &list.matcher {
            for e in entries {
                self.hosts.entry(e.clone()).or_default().push(idx);
            }
        }
        self.lists.push(list);
    }

    /// The lists, in the order they are checked.
    pub fn lists(&self) -> &[WarningList] {
        &self.lists
    }

    /// Every list the indicator is on.
    pub fn check(&self, kind: Kind, value: &str) -> Vec<Warning> {
        if self.lists.is_empty() {
            return Vec::new();
        }
        let probe = Probe::new(kind, value);
        // Which lists matched, as a bit set (no allocation; this runs for every indicator and
        // most match nothing). Lists past the 128th are rare and checked one by one.
        let mut hit = 0u128;
        let mut late = Vec::new();
        let mut mark = |i: usize| {
            if i < 128 {
                hit |= 1 << i;
            } else if !late.contains(&i) {
                late.push(i);
            }
        };
        for (i, l) in self.lists.iter().enumerate() {
            if !matches!(l.matcher, Matcher::Hostname(_)) && l.matches_probe(&probe) {
                mark(i);
            }
        }
        for h in probe.parents() {
            if let Some(lists) = self.hosts.get(h) {
                lists.iter().for_each(|&i| mark(i));
            }
        }
        if hit == 0 && late.is_empty() {
            return Vec::new();
        }
        late.sort_unstable();
        (0..self.lists.len().min(128))
            .filter(|&i| hit & (1 << i) != 0)
            .chain(late)
            .map(|i| Warning {
                list: self.lists[i].name.clone(),
                category: self.lists[i].category,
            })
            .collect()
    }
}
