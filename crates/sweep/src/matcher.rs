//! Field-aware matching: what a value of each field role can match, and how.

use std::net::{Ipv4Addr, Ipv6Addr};

use hikeshi_ioc::Kind;

use crate::bits;
use crate::norm::{self, Ip};
use crate::quiet::{self, Quiet};
use crate::set::IndicatorSet;

/// What a log field holds, which decides the indicators it is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A host name or address, possibly with `:port`: domain (and parent labels), IP, CIDR.
    Host,
    /// An address only: IP and CIDR.
    Ip,
    /// An absolute URL: URL indicators, and its host as [`Role::Host`].
    Url,
    /// A hex digest.
    Hash,
    /// An e-mail address: e-mail indicators, and its domain as [`Role::Host`].
    Email,
    /// Unknown field: classified by its whole value (URL, address, e-mail, digest, host name);
    /// never matched by substring.
    Auto,
    /// Free text: split into tokens at boundaries, each token as [`Role::Auto`].
    Text,
    /// Not matched at all.
    Ignore,
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "host" | "domain" => Role::Host,
            "ip" | "addr" | "address" => Role::Ip,
            "url" | "uri" => Role::Url,
            "hash" => Role::Hash,
            "email" | "mail" => Role::Email,
            "auto" => Role::Auto,
            "text" => Role::Text,
            "ignore" | "none" => Role::Ignore,
            _ => {
                return Err(format!(
                    "unknown field role {s:?} (host, ip, url, hash, email, auto, text, ignore)"
                ));
            }
        })
    }
}

/// One indicator matched in one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    pub kind: Kind,
    pub indicator: String,
}

/// Per-thread matching state: the set and scratch buffers reused for every value, so the hot
/// path does not allocate.
pub(crate) struct Matcher<'s> {
    set: &'s IndicatorSet,
    url_buf: Vec<u8>,
    host_buf: [u8; norm::MAX_HOST],
    /// Keys the domain, URL-host and IPv4 filters rejected recently (see `bits::Rejected`).
    seen_tails: bits::Rejected,
    seen_url_hosts: bits::Rejected,
    seen_v4: bits::Rejected,
    /// Short host and address values that matched nothing (see `quiet`).
    quiet: Quiet,
}

impl<'s> Matcher<'s> {
    pub(crate) fn new(set: &'s IndicatorSet) -> Self {
        debug_assert!(set.is_built());
        Matcher {
            set,
            url_buf: Vec::with_capacity(256),
            host_buf: [0; norm::MAX_HOST],
            seen_tails: bits::Rejected::default(),
            seen_url_hosts: bits::Rejected::default(),
            seen_v4: bits::Rejected::default(),
            quiet: Quiet::default(),
        }
    }

    /// Compares one field value of the given role with the set, pushing what matched.
    pub(crate) fn match_value(&mut self, role: Role, v: &[u8], out: &mut Vec<Match>) {
        if v.is_empty() || v == b"-" {
            return;
        }
        match role {
            Role::Host | Role::Ip => self.remembered(role, v, out),
            Role::Url => self.url(v, out),
            Role::Hash => self.hash(v, out),
            Role::Email => self.email(v, out),
            Role::Auto => self.auto(v, out),
            Role::Text => self.text(v, out),
            Role::Ignore => {}
        }
    }

    /// A host or address value, answered from the memory of quiet values when it is there.
    fn remembered(&mut self, role: Role, v: &[u8], out: &mut Vec<Match>) {
        if v.len() > quiet::MAX {
            return self.host_or_ip(role, v, out);
        }
        let key = quiet::key(role, v);
        if self.quiet.known(&key) {
            return;
        }
        let before = out.len();
        self.host_or_ip(role, v, out);
        if out.len() == before {
            self.quiet.remember(key);
        }
    }

    fn host_or_ip(&mut self, role: Role, v: &[u8], out: &mut Vec<Match>) {
        if role == Role::Host {
            self.host(v, out);
        } else if let Some(ip) = norm::parse_ip(norm::strip_port(v)) {
            self.ip(ip, out);
        }
    }

    fn ip(&mut self, ip: Ip, out: &mut Vec<Match>) {
        let s = self.set;
        match ip {
            Ip::V4(a) => {
                let key = u64::from(a);
                if self.seen_v4.maybe(key, || s.v4_bits.maybe(key)) && s.v4.contains(&a) {
                    out.push(m(Kind::Ipv4, Ipv4Addr::from(a).to_string()));
                }
                if let Some(c) = s.cidr4.find(a) {
                    out.push(m(Kind::Cidr, c.to_owned()));
                }
            }
            Ip::V6(a) => {
                if s.v6.contains(&a) {
                    out.push(m(Kind::Ipv6, Ipv6Addr::from(a).to_string()));
                }
                if let Some(c) = s.cidr6.find(a) {
                    out.push(m(Kind::Cidr, c.to_owned()));
                }
            }
        }
    }

    fn host(&mut self, v: &[u8], out: &mut Vec<Match>) {
        let h = norm::strip_port(v);
        let h = h.strip_suffix(b".").unwrap_or(h);
        if h.is_empty() {
            return;
        }
        // An address is never also looked up as a domain: `1.2.3.4` is not under `3.4`.
        if h[0].is_ascii_digit() || norm::find_byte(h, b':').is_some() {
            if let Some(ip) = norm::parse_ip(h) {
                return self.ip(ip, out);
            }
        }
        self.domain(h, out);
    }

    fn domain(&mut self, h: &[u8], out: &mut Vec<Match>) {
        let s = self.set;
        if s.domains.is_empty() || h.len() > norm::MAX_HOST {
            return;
        }
        if !s.single_label_domains && (norm::find_byte(h, b'.').is_none() || !self.tail_maybe(h)) {
            return;
        }
        let buf = &mut self.host_buf[..h.len()];
        for (d, &b) in buf.iter_mut().zip(h) {
            if !norm::is_host_byte(b) {
                return;
            }
            *d = b.to_ascii_lowercase();
        }
        // The host itself, then every parent at a label boundary: evil.com matches a.evil.com
        // but never notevil.com (not a boundary) nor evil.com.other.net (not a suffix).
        let mut start = 0;
        loop {
            let suffix = &buf[start..];
            let has_dot = norm::find_byte(suffix, b'.');
            if (has_dot.is_some() || s.single_label_domains) && s.domains.contains(suffix) {
                out.push(m(
                    Kind::Domain,
                    String::from_utf8_lossy(suffix).into_owned(),
                ));
                // Report the most specific indicator only; its parents would be the same event.
                return;
            }
            match has_dot {
                Some(i) => start += i + 1,
                None => return,
            }
        }
    }

    /// The bit filter on the host's last two labels, lower-cased without copying the whole host.
    fn tail_maybe(&mut self, h: &[u8]) -> bool {
        let h = self.lower_hash(bits::tail(h));
        let f = &self.set.domain_tails;
        h.is_none_or(|h| self.seen_tails.maybe(h, || f.maybe(h)))
    }

    /// The bit filter on a URL's host.
    fn url_host_maybe(&mut self, host: &[u8]) -> bool {
        let h = self.lower_hash(host);
        let f = &self.set.url_hosts;
        h.is_none_or(|h| self.seen_url_hosts.maybe(h, || f.maybe(h)))
    }

    /// Hash of a host name (without a trailing dot) as if lower-cased; `None` when it is too long
    /// to lower-case in the buffer (such a key is never filtered out).
    fn lower_hash(&mut self, key: &[u8]) -> Option<u64> {
        let key = key.strip_suffix(b".").unwrap_or(key);
        if !key.iter().any(u8::is_ascii_uppercase) {
            return Some(bits::hash(key));
        }
        if key.len() > self.host_buf.len() {
            return None;
        }
        let buf = &mut self.host_buf[..key.len()];
        buf.copy_from_slice(key);
        buf.make_ascii_lowercase();
        Some(bits::hash(buf))
    }

    fn url(&mut self, v: &[u8], out: &mut Vec<Match>) {
        let Some(parts) = norm::split_url(v) else {
            return;
        };
        if !self.set.urls.is_empty() && self.url_host_maybe(parts.host) {
            norm::normalise_url(&parts, false, &mut self.url_buf);
            let mut found = self.set.urls.contains(self.url_buf.as_slice());
            if !found && parts.path_query().1.is_some() {
                // An indicator written with a query matches only that query.
                norm::normalise_url(&parts, true, &mut self.url_buf);
                found = self.set.urls.contains(self.url_buf.as_slice());
            }
            if found {
                out.push(m(
                    Kind::Url,
                    String::from_utf8_lossy(&self.url_buf).into_owned(),
                ));
            }
        }
        if !parts.host.is_empty() {
            self.remembered(Role::Host, parts.host, out);
        }
    }

    fn hash(&self, v: &[u8], out: &mut Vec<Match>) {
        if !norm::is_hash(v) || self.set.hashes.is_empty() {
            return;
        }
        let lower = v.to_ascii_lowercase();
        if self.set.hashes.contains(lower.as_slice()) {
            let kind = match v.len() {
                32 => Kind::Md5,
                40 => Kind::Sha1,
                64 => Kind::Sha256,
                _ => Kind::Sha512,
            };
            out.push(m(kind, String::from_utf8_lossy(&lower).into_owned()));
        }
    }

    fn email(&mut self, v: &[u8], out: &mut Vec<Match>) {
        // `Name <a@b.c>` as mail headers write it.
        let v = match (memchr::memchr(b'<', v), memchr::memrchr(b'>', v)) {
            (Some(a), Some(b)) if a < b => &v[a + 1..b],
            _ => v,
        };
        let Some(at) = memchr::memrchr(b'@', v) else {
            return;
        };
        if !self.set.emails.is_empty() {
            let lower = v.to_ascii_lowercase();
            if self.set.emails.contains(lower.as_slice()) {
                out.push(m(Kind::Email, String::from_utf8_lossy(&lower).into_owned()));
            }
        }
        self.domain(&v[at + 1..], out);
    }

    /// Classifies a whole value. Each branch demands the value *be* the thing, so a value that
    /// merely contains an indicator never matches.
    fn auto(&mut self, v: &[u8], out: &mut Vec<Match>) {
        if norm::find_scheme_sep(v).is_some() {
            self.url(v, out);
        } else if norm::find_byte(v, b'@').is_some() {
            self.email(v, out);
        } else if norm::is_hash(v) {
            self.hash(v, out);
        } else {
            self.host(v, out);
        }
    }

    /// Free text: tokens end at whitespace, quotes, brackets and separators; a `key=value`
    /// token is matched by its value; trailing sentence punctuation is dropped.
    fn text(&mut self, v: &[u8], out: &mut Vec<Match>) {
        for token in v.split(|&b| is_text_separator(b)) {
            let mut t = token;
            if norm::find_scheme_sep(t).is_none() {
                if let Some(eq) = memchr::memchr(b'=', t) {
                    t = &t[eq + 1..];
                }
            } else if let Some(start) = url_start(t) {
                t = &t[start..];
            }
            while let Some((&last, rest)) = t.split_last() {
                if matches!(last, b'.' | b':' | b'!' | b'?') {
                    t = rest;
                } else {
                    break;
                }
            }
            if t.len() >= 3 {
                self.auto(t, out);
            }
        }
    }
}

fn m(kind: Kind, indicator: String) -> Match {
    Match { kind, indicator }
}

fn is_text_separator(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'"'
            | b'\''
            | b'`'
            | b'<'
            | b'>'
            | b'('
            | b')'
            | b'{'
            | b'}'
            | b'['
            | b']'
            | b','
            | b';'
            | b'|'
            | b'\\'
    )
}

/// Start of the scheme before the first `://` in a token like `url=http://…`.
fn url_start(t: &[u8]) -> Option<usize> {
    let sep = norm::find_scheme_sep(t)?;
    let mut start = sep;
    while start > 0
        && (t[start - 1].is_ascii_alphanumeric() || matches!(t[start - 1], b'+' | b'-' | b'.'))
    {
        start -= 1;
    }
    (start < sep).then_some(start)
}
