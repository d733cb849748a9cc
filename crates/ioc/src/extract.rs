//! Extraction from free text: every indicator in a pasted mail, chat log or report, with its
//! byte span in the text as written.
//!
//! Shape, chosen for speed and for linear time on any input: one pass over the bytes with a
//! byte-class table splits the text into *runs* (maximal stretches of characters that can be part
//! of an indicator: ASCII printable less quotes and angle brackets, plus the full-width and
//! ideographic forms). Everything else (spaces, Japanese text, binary garbage) only ends a run.
//! Most runs are plain words and are dropped by their class flags without a second look; the
//! rest are refanged into a scratch buffer (with a map back to source offsets) and handed to
//! [`crate::candidates`], which looks for URLs, addresses and words there. A backtracking regex
//! over the whole text was the rejected alternative: slower by two orders of magnitude on the
//! corpus, and quadratic on `[.][.][.]…` with the patterns other extractors use.

use std::sync::OnceLock;

use serde::Serialize;

use crate::candidates::RunScanner;
use crate::refang::{Folded, fold_at};
use crate::suffix::SuffixList;
use crate::warn::{Warning, WarningSet};
use crate::{Indicator, Kind};

/// One indicator found in text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extracted {
    pub kind: Kind,
    /// The normal form (what [`crate::parse_indicator`] gives for the same text).
    pub value: String,
    /// The text as written (defanged, full-width …), exactly `input[start..end]`.
    pub raw: String,
    /// Byte offset of the first byte in the input.
    pub start: usize,
    /// Byte offset one past the last byte in the input.
    pub end: usize,
    /// Warning lists the indicator is on (never a reason to drop it).
    pub warnings: Vec<Warning>,
}

impl Extracted {
    /// The indicator without its position.
    pub fn indicator(&self) -> Indicator {
        Indicator {
            kind: self.kind,
            value: self.value.clone(),
        }
    }
}

/// Runs longer than this are cut (at a character boundary) and scanned piece by piece, so the
/// scratch buffers stay small on a gigantic line without spaces. An indicator straddling a cut
/// in a megabyte of unbroken text is lost; nothing else is.
const MAX_RUN: usize = 1 << 20;

const RUN: u8 = 1; // can be part of a run
const SPECIAL: u8 = 2; // . : @ and bracket characters: the run needs a closer look
const DIGIT: u8 = 4;
const REFANG: u8 = 8; // [ ( { \ or a folded character: the run must be refanged first

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] = RUN;
        b += 1;
    }
    // Quotes, angle brackets, backquote, pipe and caret never occur inside an indicator we
    // extract and often wrap one; ending the run there spares the trimming.
    let stops = b"\"'<>`|^";
    let mut i = 0;
    while i < stops.len() {
        t[stops[i] as usize] = 0;
        i += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] |= DIGIT;
        d += 1;
    }
    let special = b".:@";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] |= SPECIAL;
        i += 1;
    }
    let refang = b"[({\\";
    let mut i = 0;
    while i < refang.len() {
        t[refang[i] as usize] |= SPECIAL | REFANG;
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = classes();

/// Finds indicators in text; holds the public suffix list and the warning lists it uses.
#[derive(Debug, Clone, Default)]
pub struct Extractor {
    pub(crate) suffixes: SuffixList,
    pub(crate) warnings: WarningSet,
}

impl Extractor {
    /// The built-in public suffix list and the built-in warning lists.
    pub fn new() -> Self {
        Extractor {
            suffixes: SuffixList::Builtin,
            warnings: WarningSet::builtin(),
        }
    }

    /// Use another public suffix list (for example one loaded from a newer file).
    pub fn with_suffixes(mut self, suffixes: SuffixList) -> Self {
        self.suffixes = suffixes;
        self
    }

    /// Use these warning lists instead of the built-in ones.
    pub fn with_warnings(mut self, warnings: WarningSet) -> Self {
        self.warnings = warnings;
        self
    }

    /// The warning lists in use.
    pub fn warnings(&self) -> &WarningSet {
        &self.warnings
    }

    /// Every indicator in `text`, in order of position.
    pub fn extract(&self, text: &str) -> Vec<Extracted> {
        self.extract_bytes(text.as_bytes())
    }

    /// Every indicator in `bytes`, which need not be UTF-8: invalid sequences end a run like any
    /// other character that is not part of an indicator, and offsets are into `bytes`.
    pub fn extract_bytes(&self, bytes: &[u8]) -> Vec<Extracted> {
        let mut out = Vec::new();
        self.for_each(bytes, |e| out.push(e));
        out
    }

    /// Call `sink` with every indicator in `bytes`, in order, without collecting them.
    pub fn for_each(&self, bytes: &[u8], mut sink: impl FnMut(Extracted)) {
        let mut scanner = RunScanner::new(self, bytes);
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            i = skip_to_run(bytes, i);
            if i >= n {
                break;
            }
            let start = i;
            let limit = n.min(start + MAX_RUN);
            let mut flags = 0u8;
            // A folded character may step past `limit`; the run ends there.
            while i < limit {
                // The tight loop over ASCII run bytes: an iterator, so no bounds checks.
                let mut j = i;
                for &b in &bytes[i..limit] {
                    let c = CLASS[usize::from(b)];
                    if c & RUN == 0 {
                        break;
                    }
                    flags |= c;
                    j += 1;
                }
                i = j;
                // A folded character needs the refang pass; a full-width letter or digit may
                // be part of a name, so the run gets a closer look too.
                match bytes.get(i) {
                    Some(&b) if b >= 0x80 && i < limit => match fold_at(bytes, i) {
                        Some((f, len)) => {
                            flags |= REFANG;
                            // Full-width brackets are Japanese punctuation (（注）), not
                            // defang brackets: only a folded . : @ or digit asks for a look.
                            if let Folded::Ascii(a) = f {
                                if matches!(a, b'.' | b':' | b'@') {
                                    flags |= SPECIAL;
                                }
                                flags |= CLASS[usize::from(a)] & DIGIT;
                            }
                            i += len;
                        }
                        None => break,
                    },
                    _ => break,
                }
            }
            if i == start {
                // Cannot happen (a run start is a run byte or a folding character), but a
                // scanner that stops moving hangs a server: step on regardless.
                i += 1;
                continue;
            }
            let len = i - start;
            let interesting = (flags & DIGIT != 0 && len >= 3)
                || len >= 32
                || (flags & SPECIAL != 0 && special_inside(&bytes[start..i]));
            if interesting {
                scanner.run(start, i, flags & REFANG != 0, &mut sink);
            }
        }
    }
}

/// Whether a run without digits has a special character other than the sentence punctuation
/// around it: `seconds.` and `しました。` (every sentence has one) need no closer look.
fn special_inside(run: &[u8]) -> bool {
    const FULL_STOP: &[u8] = "。".as_bytes();
    // The commonest cases first: a Japanese sentence's 。 alone, an English word and its stop.
    if run == FULL_STOP {
        return false;
    }
    if let [head @ .., b'.'] = run
        && head
            .iter()
            .all(|&b| CLASS[usize::from(b)] & SPECIAL == 0 && b < 0x80)
    {
        return false;
    }
    let mut r = run;
    loop {
        let before = r.len();
        while let [rest @ .., b'.' | b',' | b';' | b':' | b')' | b'!' | b'?'] = r {
            r = rest;
        }
        r = r.strip_suffix(FULL_STOP).unwrap_or(r);
        r = r.strip_prefix(FULL_STOP).unwrap_or(r);
        r = r.strip_prefix(b"(").unwrap_or(r);
        if r.len() == before {
            break;
        }
    }
    let mut dots = 0;
    for (k, &b) in r.iter().enumerate() {
        let c = if b < 0x80 {
            b
        } else if let Some((Folded::Ascii(a), _)) = fold_at(r, k) {
            a
        } else {
            continue;
        };
        if c == b'.' {
            dots += 1;
        } else if c < 0x80 && CLASS[usize::from(c)] & SPECIAL != 0 {
            return true;
        }
    }
    // One dot between two words of glued prose (`TLS.We`): the tail is cut as a new sentence
    // later anyway, and without digits or a dot nothing is left to find, so skip it now.
    dots > 1 || (dots == 1 && !glued_sentence(r))
}

/// `word.Capitalised`, the commonest interesting-looking run in English prose.
fn glued_sentence(r: &[u8]) -> bool {
    match memchr::memchr(b'.', r) {
        Some(d) => {
            let tail = &r[d + 1..];
            tail.first().is_some_and(u8::is_ascii_uppercase)
                && tail.iter().all(u8::is_ascii_alphabetic)
                && (tail.len() == 1 || tail.iter().any(u8::is_ascii_lowercase))
        }
        None => false,
    }
}

/// The next position at or after `i` where a run starts (or the end). Japanese text is skipped a
/// whole character at a time, with the one test a run start needs (。 and the full-width
/// forms); other non-ASCII bytes one at a time, as no continuation or lead byte outside
/// `E0..EF` starts a run. Only well-formed sequences are skipped whole, so invalid UTF-8
/// never hides the ASCII after it.
#[inline]
fn skip_to_run(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if CLASS[usize::from(b)] & RUN != 0 {
                return i;
            }
            i += 1;
        } else if (0xE0..=0xEF).contains(&b) {
            match bytes.get(i + 1..i + 3) {
                Some(&[c1, c2]) if c1 & 0xC0 == 0x80 && c2 & 0xC0 == 0x80 => {
                    let may_fold = match b {
                        0xE3 => c1 == 0x80 && c2 == 0x82,
                        0xE2 | 0xEF => fold_at(bytes, i).is_some(),
                        _ => false,
                    };
                    if may_fold {
                        return i;
                    }
                    i += 3;
                }
                _ => i += 1,
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The extractor with the built-in lists, built once.
pub fn default_extractor() -> &'static Extractor {
    static DEFAULT: OnceLock<Extractor> = OnceLock::new();
    DEFAULT.get_or_init(Extractor::new)
}

/// Every indicator in `text` (built-in public suffix and warning lists).
///
/// ```
/// let found = hikeshi_ioc::extract("C2: hxxp://evil[.]example[.]com/gate.php （１９２．０．２．１）");
/// let values: Vec<_> = found.iter().map(|e| e.value.as_str()).collect();
/// assert_eq!(values, ["http://evil.example.com/gate.php", "192.0.2.1"]);
/// assert_eq!(found[1].raw, "１９２．０．２．１");
/// ```
pub fn extract(text: &str) -> Vec<Extracted> {
    default_extractor().extract(text)
}

/// Every indicator in bytes that may not be UTF-8 (offsets are into `bytes`).
pub fn extract_bytes(bytes: &[u8]) -> Vec<Extracted> {
    default_extractor().extract_bytes(bytes)
}
