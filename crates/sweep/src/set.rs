//! The indicator set: every sweepable indicator in a compact form built for lookups.

use hikeshi_ioc::{Indicator, Kind};
use rustc_hash::FxHashSet;

use crate::bits::{self, Bits};
use crate::error::SetError;
use crate::norm::{self, split_url};
use crate::ranges::Ranges;
use crate::strset::{StrSet, Strings};

/// Indicators prepared for matching, built once per sweep and shared read-only by all threads.
///
/// Values are kept as byte strings in one buffer per kind with an open-addressing table over
/// them (`strset`), addresses as integers, CIDR blocks as sorted ranges. Kinds that do not
/// appear in log fields (ASN, CVE, file names, free text) are counted in
/// [`IndicatorSet::skipped`] rather than rejected, so one indicator file serves every tool.
#[derive(Debug, Clone, Default)]
pub struct IndicatorSet {
    pub(crate) domains: StrSet,
    /// True when some domain indicator has no dot (`localhost`); only then are single labels
    /// looked up, which saves a probe per host name.
    pub(crate) single_label_domains: bool,
    pub(crate) v4: FxHashSet<u32>,
    pub(crate) v6: FxHashSet<u128>,
    pub(crate) cidr4: Ranges<u32>,
    pub(crate) cidr6: Ranges<u128>,
    pub(crate) urls: StrSet,
    pub(crate) hashes: StrSet,
    pub(crate) emails: StrSet,
    /// Last two labels of every domain indicator (see `bits::tail`).
    pub(crate) domain_tails: Bits,
    /// Host of every URL indicator: a log URL is only normalised when its host is here.
    pub(crate) url_hosts: Bits,
    /// Every exact IPv4 indicator.
    pub(crate) v4_bits: Bits,
    skipped: usize,
    built: bool,
}

impl IndicatorSet {
    /// Builds a set from indicators; see [`IndicatorSetBuilder::insert`] for what each kind
    /// accepts.
    pub fn from_indicators<'a, I>(indicators: I) -> Result<IndicatorSet, SetError>
    where
        I: IntoIterator<Item = &'a Indicator>,
    {
        let mut b = IndicatorSetBuilder::default();
        for i in indicators {
            b.insert(i.kind, &i.value)?;
        }
        Ok(b.build())
    }

    pub fn builder() -> IndicatorSetBuilder {
        IndicatorSetBuilder::default()
    }

    /// Number of indicators that take part in matching.
    pub fn len(&self) -> usize {
        self.domains.len()
            + self.v4.len()
            + self.v6.len()
            + self.cidr4.len()
            + self.cidr6.len()
            + self.urls.len()
            + self.hashes.len()
            + self.emails.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Indicators of kinds that never appear in log fields and so were left out.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// True when the set was built (always, through the public constructors); lookups on an
    /// unbuilt set would miss CIDR hits.
    pub(crate) fn is_built(&self) -> bool {
        self.built
    }
}

/// Collects indicators; [`IndicatorSetBuilder::build`] puts them into hash sets and sorts the
/// CIDR ranges.
///
/// Values are collected in one buffer per kind, not sets, until `build`: the loader fills one
/// builder per thread, and merging sets re-inserted (and re-hashed) three quarters of a
/// million-indicator list on one thread; buffers merge by appending, and `build` inserts each
/// value once into a table sized for all of them, the domains on a thread of their own.
#[derive(Debug, Default)]
pub struct IndicatorSetBuilder {
    /// Addresses, CIDR ranges and counts; its hash sets stay empty until `build`.
    set: IndicatorSet,
    domains: Strings,
    v4: Vec<u32>,
    urls: Strings,
    hashes: Strings,
    emails: Strings,
    /// Scratch for normalising a URL.
    url_buf: Vec<u8>,
}

/// Below this many domains `build` stays on the calling thread.
const BUILD_THREAD_MIN: usize = 50_000;

/// The domain set and its filter of last-two-label hashes.
fn domain_set(values: Strings) -> (StrSet, Bits) {
    let mut tails = Bits::with_keys(values.len());
    for d in values.iter() {
        tails.insert(bits::hash(bits::tail(d)));
    }
    (StrSet::new(values), tails)
}

impl IndicatorSetBuilder {
    /// Adds one indicator given as a kind and its normal form (as `hikeshi_ioc::parse_indicator`
    /// returns it; the value is normalised again here, so plain lower-case text is enough).
    /// Returns `Ok(false)` for kinds a sweep cannot match (ASN, CVE, file name, other).
    pub fn insert(&mut self, kind: Kind, value: &str) -> Result<bool, SetError> {
        let invalid = || SetError::Invalid {
            kind,
            value: value.to_owned(),
        };
        let v = value.trim().as_bytes();
        let s = &mut self.set;
        match kind {
            Kind::Domain => {
                let d = v.strip_prefix(b"*.").unwrap_or(v);
                let d = d.strip_suffix(b".").unwrap_or(d);
                if d.is_empty()
                    || d.len() > norm::MAX_HOST
                    || !d.iter().all(|&b| norm::is_host_byte(b))
                {
                    return Err(invalid());
                }
                s.single_label_domains |= !d.contains(&b'.');
                self.domains.push_lower(d);
            }
            Kind::Ipv4 => {
                self.v4.push(norm::parse_ipv4(v).ok_or_else(invalid)?);
            }
            Kind::Ipv6 => {
                s.v6.insert(norm::parse_ipv6(v).ok_or_else(invalid)?);
            }
            Kind::Cidr => insert_cidr(s, value.trim()).ok_or_else(invalid)?,
            Kind::Url => {
                let owned;
                let u = if memchr::memmem::find(v, b"://").is_some() {
                    v
                } else {
                    // A URL indicator written without a scheme is taken as http, the scheme
                    // logs spell out for plain requests.
                    owned = [&b"http://"[..], v].concat();
                    &owned
                };
                let parts = split_url(u).ok_or_else(invalid)?;
                norm::normalise_url(&parts, true, &mut self.url_buf);
                self.urls.push(&self.url_buf);
            }
            Kind::Email => {
                let at = memchr::memchr(b'@', v).ok_or_else(invalid)?;
                if at == 0 || at + 1 == v.len() {
                    return Err(invalid());
                }
                self.emails.push_lower(v);
            }
            Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 => {
                let expected = match kind {
                    Kind::Md5 => 32,
                    Kind::Sha1 => 40,
                    Kind::Sha256 => 64,
                    _ => 128,
                };
                if v.len() != expected || !norm::is_hash(v) {
                    return Err(invalid());
                }
                self.hashes.push_lower(v);
            }
            Kind::Filename | Kind::Asn | Kind::Cve | Kind::Other => {
                s.skipped += 1;
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A digest already checked and lower-cased (the loader's fast path).
    pub(crate) fn push_hash(&mut self, value: &[u8]) {
        self.hashes.push(value);
    }

    /// A host name of two labels or more already checked and lower-cased (the loader's fast
    /// path).
    pub(crate) fn push_domain(&mut self, value: &[u8]) {
        self.domains.push(value);
    }

    /// An IPv4 address already parsed (the loader's fast path).
    pub(crate) fn push_v4(&mut self, addr: u32) {
        self.v4.push(addr);
    }

    /// Takes in everything another builder collected (the loader fills one per thread).
    pub fn merge(&mut self, mut other: IndicatorSetBuilder) {
        let (s, o) = (&mut self.set, other.set);
        s.single_label_domains |= o.single_label_domains;
        s.v6.extend(o.v6);
        s.cidr4.extend(o.cidr4);
        s.cidr6.extend(o.cidr6);
        s.skipped += o.skipped;
        self.domains.append(other.domains);
        self.v4.append(&mut other.v4);
        self.urls.append(other.urls);
        self.hashes.append(other.hashes);
        self.emails.append(other.emails);
    }

    /// Counts an indicator that was read but cannot be swept, so [`IndicatorSet::skipped`]
    /// tells the whole story.
    pub fn skip(&mut self) {
        self.set.skipped += 1;
    }

    pub fn build(self) -> IndicatorSet {
        let IndicatorSetBuilder {
            mut set,
            domains,
            v4,
            urls,
            hashes,
            emails,
            url_buf: _,
        } = self;
        let rest = |s: &mut IndicatorSet| {
            s.cidr4.build();
            s.cidr6.build();
            s.v4 = FxHashSet::with_capacity_and_hasher(v4.len(), Default::default());
            s.v4.extend(v4);
            s.v4_bits = Bits::with_keys(s.v4.len());
            for &a in &s.v4 {
                s.v4_bits.insert(u64::from(a));
            }
            s.url_hosts = Bits::with_keys(urls.len());
            for u in urls.iter() {
                if let Some(p) = split_url(u) {
                    s.url_hosts.insert(bits::hash(p.host));
                }
            }
            s.urls = StrSet::new(urls);
            s.hashes = StrSet::new(hashes);
            s.emails = StrSet::new(emails);
        };
        (set.domains, set.domain_tails) = if domains.len() < BUILD_THREAD_MIN {
            rest(&mut set);
            domain_set(domains)
        } else {
            std::thread::scope(|scope| {
                let d = scope.spawn(move || domain_set(domains));
                rest(&mut set);
                d.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        };
        set.built = true;
        set
    }
}

fn insert_cidr(s: &mut IndicatorSet, text: &str) -> Option<()> {
    let (addr, len) = text.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    if let Some(a) = norm::parse_ipv4(addr.as_bytes()) {
        if len > 32 {
            return None;
        }
        let host_bits = 32 - len;
        let mask = if host_bits == 32 {
            0
        } else {
            u32::MAX << host_bits
        };
        let start = a & mask;
        let end = start | !mask;
        let canon = format!("{}/{len}", std::net::Ipv4Addr::from(start));
        s.cidr4.push(start, end, canon.into_boxed_str());
    } else {
        let a = norm::parse_ipv6(addr.as_bytes())?;
        if len > 128 {
            return None;
        }
        let host_bits = 128 - len;
        let mask = if host_bits == 128 {
            0
        } else {
            u128::MAX << host_bits
        };
        let start = a & mask;
        let end = start | !mask;
        let canon = format!("{}/{len}", std::net::Ipv6Addr::from(start));
        s.cidr6.push(start, end, canon.into_boxed_str());
    }
    Some(())
}
