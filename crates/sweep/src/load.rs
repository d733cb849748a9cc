//! Reading indicator files: one indicator per line, in any form `hikeshi_ioc::parse_indicator`
//! accepts (defanged, full-width, with or without scheme).

use std::borrow::Cow;
use std::io::{self, Read};

use hikeshi_ioc::{Kind, SuffixList, parse_indicator};
use rustc_hash::FxHashMap;

use crate::set::{IndicatorSet, IndicatorSetBuilder};

/// Most threads the loader uses; parsing is the cost, and merging grows with the thread count.
const MAX_LOAD_THREADS: usize = 4;

/// A line of an indicator file that was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line number.
    pub line: u64,
    pub text: String,
    pub reason: String,
}

/// What an indicator file gave.
#[derive(Debug)]
pub struct Loaded {
    pub set: IndicatorSet,
    /// Lines that are not indicators, or not valid for their kind. The caller decides whether
    /// they are fatal (the CLI reports them and goes on, as a handler's list is often messy).
    pub rejected: Vec<Rejected>,
}

/// Reads an indicator list. Blank lines and lines starting with `#` are skipped; text after a
/// tab is ignored, so `indicator<TAB>comment` lists load as is (not at commas: URLs contain
/// them).
///
/// The list is read whole (26 MB for a million indicators) and parsed on up to four threads,
/// each filling its own builder, merged at the end: parsing (refanging, public-suffix checks)
/// is most of the load time, and one thread took over a second for a million lines.
pub fn read_indicators<R: Read>(mut reader: R) -> io::Result<Loaded> {
    let mut all = Vec::new();
    reader.read_to_end(&mut all)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_LOAD_THREADS);
    let parts = split_at_lines(&all, threads);
    let results: Vec<(IndicatorSetBuilder, Vec<Rejected>)> = if parts.len() == 1 {
        parts
            .iter()
            .map(|&(first, bytes)| load_part(bytes, first))
            .collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|&(first, bytes)| scope.spawn(move || load_part(bytes, first)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };
    // The first part's builder is kept as it is and the others are merged into it: merging
    // into an empty builder re-inserted every indicator once more, on one thread.
    let mut parts = results.into_iter();
    let (mut builder, mut rejected) = parts.next().unwrap_or_default();
    for (b, r) in parts {
        builder.merge(b);
        rejected.extend(r);
    }
    Ok(Loaded {
        set: builder.build(),
        rejected,
    })
}

/// Up to `n` parts cut after a newline, each with the 1-based number of its first line.
fn split_at_lines(all: &[u8], n: usize) -> Vec<(u64, &[u8])> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut line = 1u64;
    for i in 1..=n {
        if start >= all.len() {
            break;
        }
        let target = (all.len() * i / n).max(start);
        let end = if i == n {
            all.len()
        } else {
            memchr::memchr(b'\n', &all[target..]).map_or(all.len(), |p| target + p + 1)
        };
        parts.push((line, &all[start..end]));
        line += memchr::memchr_iter(b'\n', &all[start..end]).count() as u64;
        start = end;
    }
    parts
}

fn load_part(bytes: &[u8], first_line: u64) -> (IndicatorSetBuilder, Vec<Rejected>) {
    let mut builder = IndicatorSetBuilder::default();
    let mut rejected = Vec::new();
    let mut domains = DomainRule::default();
    for (i, raw) in lines(bytes).enumerate() {
        let raw = memchr::memchr(b'\t', raw).map_or(raw, |t| &raw[..t]);
        // A line that starts and ends with a printable ASCII byte has nothing to trim, and the
        // fast paths take only ASCII: no UTF-8 check, no trimming.
        let plain = raw.first().is_some_and(u8::is_ascii_graphic)
            && raw.last().is_some_and(u8::is_ascii_graphic);
        if plain && quick(raw, &domains, &mut builder) {
            continue;
        }
        // `from_utf8` checks ASCII a word at a time; the lossy conversion went character by
        // character and cost as much as the rest of the fast path.
        let text = match std::str::from_utf8(raw) {
            Ok(t) => Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(raw),
        };
        let text = text.trim().trim_start_matches('\u{feff}');
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if !plain && quick(text.as_bytes(), &domains, &mut builder) {
            continue;
        }
        let shape = domain_shape(text.as_bytes());
        let reject = |reason: String| Rejected {
            line: first_line + i as u64,
            text: text.to_owned(),
            reason,
        };
        let parsed = parse_indicator(text);
        if let Some(s) = shape {
            domains.learn(s, parsed.as_ref().is_ok_and(|p| p.kind == Kind::Filename));
        }
        match parsed {
            Ok(ind) => {
                if let Err(e) = builder.insert(ind.kind, &ind.value) {
                    rejected.push(reject(e.to_string()));
                }
            }
            Err(e) => rejected.push(reject(e.to_string())),
        }
    }
    (builder, rejected)
}

/// The lines of `bytes` as `split` on `\n` gives them (a last empty one after a final
/// newline included), found with `memchr`.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(bytes);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(b'\n', r) {
            Some(n) => {
                rest = Some(&r[n + 1..]);
                Some(&r[..n])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Adds a line (trimmed, without comment) that one of the fast paths takes, in the normal form
/// `parse_indicator` would give it; false when none does.
fn quick(text: &[u8], domains: &DomainRule, builder: &mut IndicatorSetBuilder) -> bool {
    if let Some(fast) = fast(text) {
        match fast {
            Fast::Hash(_, value) => builder.push_hash(value),
            Fast::V4(addr) => builder.push_v4(addr),
        }
        return true;
    }
    // The value `parse_indicator` would return is the text itself.
    match domain_shape(text) {
        Some(s) if domains.is_domain(s, text) => builder.push_domain(text),
        _ => return false,
    }
    true
}

/// What decides how `parse_indicator` reads a line of [`domain_shape`]: its last label, and
/// whether it has three labels or more.
#[derive(Debug, Clone, Copy)]
struct Shape<'a> {
    tld: &'a [u8],
    many: bool,
}

/// A host name already in the normal form `normalize::domain` gives: lower-case labels of
/// `[a-z0-9_-]`, 1–63 bytes, no hyphen first or last, at least two labels, at most 253 bytes,
/// a last label that is neither numeric nor has an underscore (the rules of
/// `normalize::check_labels`). On such a line refanging and unwrapping change nothing, and no
/// rule before the domain rule can claim it (no `://`, `@`, `/`, `:`; not a dotted quad, digest,
/// CVE or ASN, all of which a dot or a non-numeric last label rules out) except the file-name
/// rule, which looks only at the last label and whether there are three labels or more.
fn domain_shape(b: &[u8]) -> Option<Shape<'_>> {
    if b.len() > 253 {
        return None;
    }
    let mut labels = 0;
    let mut tld: &[u8] = &[];
    for label in b.split(|&c| c == b'.') {
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
            || !label
                .iter()
                .all(|&c| matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
        {
            return None;
        }
        labels += 1;
        tld = label;
    }
    if labels < 2 || tld.iter().all(u8::is_ascii_digit) || tld.contains(&b'_') {
        return None;
    }
    Some(Shape {
        tld,
        many: labels >= 3,
    })
}

/// The file-name rule's verdict per [`Shape`], learnt from `parse_indicator` itself: the first
/// line of each shape goes the full way, and a shape is taken as a domain from then on only if
/// that line was not read as a file name (`invoice.pdf` is one; `www.example.zip` is not). A
/// domain must also be registrable, which depends on the whole name and is asked of the same
/// public suffix list; a name that is not goes the full way for its error message.
#[derive(Debug, Default)]
struct DomainRule {
    /// Last label → read as a file name; one map for two labels, one for three or more.
    file_name: [FxHashMap<Box<[u8]>, bool>; 2],
}

impl DomainRule {
    /// True when `parse_indicator(text)` is known to give the domain `text`.
    fn is_domain(&self, s: Shape<'_>, text: &[u8]) -> bool {
        self.file_name[usize::from(s.many)].get(s.tld) == Some(&false)
            && std::str::from_utf8(text).is_ok_and(|t| SuffixList::Builtin.is_registrable_name(t))
    }

    /// Records whether `parse_indicator` read a line of shape `s` as a file name.
    fn learn(&mut self, s: Shape<'_>, file_name: bool) {
        self.file_name[usize::from(s.many)]
            .entry(s.tld.into())
            .or_insert(file_name);
    }
}

/// A line the fast path recognised, in the normal form `parse_indicator` gives it.
#[derive(Debug, PartialEq, Eq)]
enum Fast<'a> {
    Hash(Kind, &'a [u8]),
    V4(u32),
}

/// The two commonest kinds in a large list, when the line is already in normal form: a hex
/// digest, or a dotted quad with decimal octets and no leading zeros. `parse_indicator` spends
/// most of its time refanging (one pass that also maps every byte back to the text); on such
/// lines refanging and unwrapping change nothing, and its rules (`normalize::hash_kind`, then
/// `normalize::ipv4`, tried before anything else can claim a string of these bytes) give
/// exactly this. Anything else (upper-case hex included) goes the full way; the test
/// `fast_path_agrees_with_parse_indicator` checks the agreement line by line.
fn fast(b: &[u8]) -> Option<Fast<'_>> {
    if matches!(b.len(), 32 | 40 | 64 | 128)
        && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
    {
        let kind = match b.len() {
            32 => Kind::Md5,
            40 => Kind::Sha1,
            64 => Kind::Sha256,
            _ => Kind::Sha512,
        };
        return Some(Fast::Hash(kind, b));
    }
    if b.len() > 15 {
        return None;
    }
    let mut octets = 0;
    let mut addr = 0u32;
    for part in b.split(|&c| c == b'.') {
        if octets == 4 || part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let mut v = 0u32;
        for &c in part {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        if v > 255 {
            return None;
        }
        addr = addr << 8 | v;
        octets += 1;
    }
    (octets == 4).then_some(Fast::V4(addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `text` a fast path takes gives what `parse_indicator` gives; returns how
    /// many the digest and address path took and how many the domain path took.
    fn agree(text: &str) -> (usize, usize) {
        let (mut taken, mut domains) = (0, 0);
        let mut rule = DomainRule::default();
        for line in text.lines() {
            let line = line.trim();
            let parsed = parse_indicator(line);
            let shape = domain_shape(line.as_bytes());
            if let Some(s) = shape {
                if rule.is_domain(s, line.as_bytes()) {
                    domains += 1;
                    let p = parsed.as_ref().unwrap_or_else(|e| panic!("{line:?}: {e}"));
                    assert_eq!((p.kind, p.value.as_str()), (Kind::Domain, line), "{line:?}");
                } else {
                    rule.learn(s, parsed.as_ref().is_ok_and(|p| p.kind == Kind::Filename));
                }
            }
            let Some(f) = fast(line.as_bytes()) else {
                continue;
            };
            assert!(shape.is_none(), "{line:?}");
            taken += 1;
            let parsed = parsed.unwrap_or_else(|e| panic!("{line:?}: {e}"));
            let (kind, value) = match f {
                Fast::Hash(kind, v) => (kind, String::from_utf8(v.to_vec()).expect("ascii")),
                Fast::V4(a) => (Kind::Ipv4, std::net::Ipv4Addr::from(a).to_string()),
            };
            assert_eq!(
                (parsed.kind, parsed.value.as_str()),
                (kind, value.as_str()),
                "{line:?}"
            );
        }
        (taken, domains)
    }

    #[test]
    fn the_domain_path_learns_file_names_and_leaves_the_rest_to_parse_indicator() {
        // Each line twice: the first teaches the rule its shape, the second may take the path.
        let lines = [
            "example.com",
            "invoice.pdf",
            "example.zip",
            "www.example.zip",
            "a_b.example.com",
            "co.uk",
            "evil.co.uk",
            "nosuchtld.invalidtld",
            "Example.com",
            "a.b",
            "x-.com",
            "1.2.3.com",
        ];
        let text: String = lines.iter().flat_map(|l| [*l, "\n", *l, "\n"]).collect();
        // Taken: the second example.com, www.example.zip, a_b.example.com and evil.co.uk, and
        // both 1.2.3.com (the shape of a_b.example.com); never a file name or an unregistrable
        // name.
        assert_eq!(agree(&text), (0, 6));
        let shapes = |l: &str| domain_shape(l.as_bytes()).is_some();
        assert!(["example.com", "a_b.example.com", "1.2.3.com"].map(shapes) == [true; 3]);
        let not = [
            "Example.com",
            "x-.com",
            "1.2.3.4",
            "a.b_c",
            "com",
            "a..com",
            "a.com.",
        ];
        assert!(not.iter().all(|l| !shapes(l)));
    }

    #[test]
    fn fast_path_agrees_with_parse_indicator() {
        let edge = "\
            1.2.3.4\n0.0.0.0\n255.255.255.255\n256.1.1.1\n01.2.3.4\n1.2.3\n1.2.3.4.5\n1..2.3\n\
            1.2.3.4.\n.1.2.3.4\n1234\n0\n\
            d41d8cd98f00b204e9800998ecf8427e\nD41D8CD98F00B204E9800998ECF8427E\n\
            12345678901234567890123456789012\nda39a3ee5e6b4b0d3255bfef95601890afd80709\n\
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
            d41d8cd98f00b204e9800998ecf8427\nd41d8cd98f00b204e9800998ecf8427g\n";
        assert_eq!(agree(edge), (7, 0));
        let list = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iocs_1k.txt");
        let text = std::fs::read_to_string(list).expect("indicator list");
        let (fast, domains) = agree(&text);
        assert!(fast > 300 && domains > 300, "{fast} {domains}");
        // The benchmark's lists (bench/sweep.sh), where they have been generated.
        let dir =
            std::env::var("SWEEP_BENCH_DATA").unwrap_or_else(|_| "/work/cache/sweep-bench".into());
        for n in ["100000", "1000000"] {
            if let Ok(text) = std::fs::read_to_string(format!("{dir}/iocs_{n}.txt")) {
                let (fast, domains) = agree(&text);
                let lines = text.lines().count();
                assert!(
                    fast > lines / 4 && domains > lines / 4,
                    "{n}: {fast} {domains}"
                );
            }
        }
    }

    #[test]
    fn the_loaded_set_equals_one_built_line_by_line_through_parse_indicator() {
        let list = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iocs_1k.txt");
        let mut lists = vec![std::fs::read(list).expect("indicator list")];
        // The benchmark's 100k list (bench/sweep.sh), where it has been generated.
        let dir =
            std::env::var("SWEEP_BENCH_DATA").unwrap_or_else(|_| "/work/cache/sweep-bench".into());
        lists.extend(std::fs::read(format!("{dir}/iocs_100000.txt")));
        for (n, bytes) in lists.iter().enumerate() {
            // Rejections and duplicates too, and a line that is not UTF-8.
            let mut bytes = bytes.clone();
            bytes.extend_from_slice(b"not an indicator\nEvil.COM\n\xff.example.com\nevil.com\n");
            bytes.extend_from_slice(b"co.uk\nco.uk\ninvoice.pdf\ninvoice.pdf\n");
            let loaded = read_indicators(&bytes[..]).expect("read");
            let (x, rejected) = (&loaded.set, &loaded.rejected);
            let (y, expected) = &line_by_line(&bytes);
            assert!(x.v4.len() > 100 && x.hashes.len() > 100 && x.domains.len() > 100);
            assert_eq!(x.domains, y.domains, "{n}");
            assert_eq!(x.v4, y.v4, "{n}");
            assert_eq!(x.v6, y.v6, "{n}");
            assert_eq!(x.urls, y.urls, "{n}");
            assert_eq!(x.hashes, y.hashes, "{n}");
            assert_eq!(x.emails, y.emails, "{n}");
            assert_eq!(x.single_label_domains, y.single_label_domains, "{n}");
            assert_eq!(
                (x.cidr4.len(), x.cidr6.len()),
                (y.cidr4.len(), y.cidr6.len())
            );
            assert_eq!((x.len(), x.skipped()), (y.len(), y.skipped()), "{n}");
            assert_eq!(rejected, expected, "{n}");
            assert!(rejected.len() >= 4 && x.skipped() >= 2, "{n}");
        }
    }

    /// What `read_indicators` promises, the slow way: every line through `parse_indicator`.
    fn line_by_line(bytes: &[u8]) -> (IndicatorSet, Vec<Rejected>) {
        let mut b = IndicatorSet::builder();
        let mut rejected = Vec::new();
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let text = String::from_utf8_lossy(raw);
            let text = text.split('\t').next().unwrap_or_default().trim();
            let text = text.trim_start_matches('\u{feff}');
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let reason = match parse_indicator(text) {
                Ok(ind) => b.insert(ind.kind, &ind.value).err().map(|e| e.to_string()),
                Err(e) => Some(e.to_string()),
            };
            if let Some(reason) = reason {
                let (line, text) = (i as u64 + 1, text.to_owned());
                rejected.push(Rejected { line, text, reason });
            }
        }
        (b.build(), rejected)
    }

    #[test]
    fn lines_are_what_split_gives() {
        for text in [
            &b""[..],
            b"\n",
            b"a",
            b"a\n",
            b"\n\na\nbb\n\nccc",
            b"a\r\nb\n",
        ] {
            let split: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            assert_eq!(lines(text).collect::<Vec<_>>(), split, "{text:?}");
        }
    }

    #[test]
    fn trimmed_commented_and_crlf_lines_load_as_the_plain_ones() {
        let plain = "evil.example.com\n1.2.3.4\nd41d8cd98f00b204e9800998ecf8427e\n";
        let messy = " evil.example.com\t# seen 2026-11-01\r\n\u{feff}1.2.3.4 \r\n\
                     #d41d8cd98f00b204e9800998ecf8427e\n\td41d8cd98f00b204e9800998ecf8427e\n\
                     d41d8cd98f00b204e9800998ecf8427e\u{3000}\n";
        // Twice, so that the domain rule has learnt the shape when the second copy comes.
        let (a, b) = (plain.repeat(2), messy.repeat(2));
        let (a, b) = (
            read_indicators(a.as_bytes()).expect("read"),
            read_indicators(b.as_bytes()).expect("read"),
        );
        assert!(
            a.rejected.is_empty() && b.rejected.is_empty(),
            "{:?}",
            b.rejected
        );
        assert_eq!((a.set.len(), b.set.len()), (3, 3));
        assert_eq!(a.set.domains, b.set.domains);
        assert_eq!(a.set.v4, b.set.v4);
        assert_eq!(a.set.hashes, b.set.hashes);
    }

    #[test]
    fn parts_cover_every_line_once_with_the_right_numbers() {
        let text = b"a\nbb\n\nccc\nd";
        for n in 1..=6 {
            let parts = split_at_lines(text, n);
            let joined: Vec<u8> = parts.iter().flat_map(|(_, p)| p.iter().copied()).collect();
            assert_eq!(joined, text, "{n}");
            let mut expect = 1;
            for (first, p) in &parts {
                assert_eq!(*first, expect, "{n}");
                expect += p.iter().filter(|&&b| b == b'\n').count() as u64;
            }
        }
    }
}
