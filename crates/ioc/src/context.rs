//! The edges of a candidate: where prose ends and an indicator begins. Text is glued to
//! indicators in many ways (a full stop and the next sentence without a space, a Japanese
//! particle, a closing bracket); each rule here says which, so the candidate scanner stays about
//! the indicators themselves.

/// A run, refanged or not, and how its bytes map back to the input.
pub(crate) struct View<'m> {
    pub(crate) norm: &'m [u8],
    pub(crate) map: Option<&'m Vec<usize>>,
    pub(crate) base: usize,
}

impl View<'_> {
    pub(crate) fn offset(&self, i: usize) -> usize {
        match self.map {
            Some(m) => m.get(i).copied().unwrap_or(self.base + self.norm.len()),
            None => self.base + i,
        }
    }
}

/// Runs hold only ASCII after refanging (folded characters become ASCII, others end the run),
/// so this never fails on a run; the empty string is the safe answer if it ever did.
pub(crate) fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}

/// Trailing punctuation is prose, not URL: `see http://x.jp/a.` ends before the dot, and a
/// closing bracket ends the URL unless the URL opened one.
pub(crate) fn trim_url_end(n: &[u8], path_start: usize, mut e: usize) -> usize {
    while e > path_start
        && matches!(
            n[e - 1],
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'*' | b'=' | b'&'
        )
    {
        e -= 1;
    }
    if e == path_start || !matches!(n[e - 1], b')' | b']') {
        return e;
    }
    // Counted once and kept up to date, so a URL ending in a thousand `)` stays linear.
    let count = |c: u8| n[path_start..e].iter().filter(|&&x| x == c).count();
    let (open_p, mut close_p, open_b, mut close_b) =
        (count(b'('), count(b')'), count(b'['), count(b']'));
    while e > path_start {
        match n[e - 1] {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'*' | b'=' | b'&' => e -= 1,
            b')' if open_p < close_p => {
                close_p -= 1;
                e -= 1;
            }
            b']' if open_b < close_b => {
                close_b -= 1;
                e -= 1;
            }
            _ => break,
        }
    }
    e
}

/// Sentences glued without a space (`…by the hash 9f2c….Analysts recommend`, `task.No
/// evidence`) put a capitalised word after the last dot; a top-level domain or file extension
/// is not written that way, so the word ends before that dot. Returns the length to keep.
pub(crate) fn sentence_cut(w: &[u8]) -> usize {
    let Some(d) = memchr::memrchr(b'.', w) else {
        return w.len();
    };
    let tail = &w[d + 1..];
    // `A`, `I` or a capitalised word; `COM` or `Exe` in capitals alone is not cut.
    let capitalised = !tail.is_empty()
        && tail[0].is_ascii_uppercase()
        && tail.iter().all(u8::is_ascii_alphabetic)
        && (tail.len() == 1 || tail.iter().any(u8::is_ascii_lowercase));
    if capitalised { d } else { w.len() }
}

/// A Japanese sentence glued after an ASCII indicator often starts with a full-width word
/// (`CVE-2023-22712.ＥＤＲの検知…`): an ASCII head followed by a dot and a full-width tail is cut
/// before that dot. (Typed the other way round, `ｅｘａｍｐｌｅ.jp`, the name is kept whole.)
pub(crate) fn width_cut(src: &[u8], v: &View, a: usize, b: usize) -> usize {
    if v.map.is_none() {
        return b;
    }
    let Some(d) = memchr::memrchr(b'.', &v.norm[a..b]).map(|d| a + d) else {
        return b;
    };
    let wide = |i: usize| src.get(v.offset(i)).is_some_and(|&c| c >= 0x80);
    if d > a && d + 1 < b && !wide(d - 1) && wide(d + 1) {
        d
    } else {
        b
    }
}

/// "version 1.2.3.4", "ver. 1.2.3.4", "バージョン1.2.3.4": a four-part version, not an address.
pub(crate) fn after_version_word(src: &[u8], start: usize) -> bool {
    let before = &src[start.saturating_sub(16)..start];
    let before = before.strip_suffix(b" ").unwrap_or(before);
    let lower: Vec<u8> = before.iter().map(u8::to_ascii_lowercase).collect();
    [
        &b"version"[..],
        b"ver.",
        b"ver",
        b"firmware",
        b"build",
        "バージョン".as_bytes(),
    ]
    .iter()
    .any(|w| lower.ends_with(w))
}

/// Start of a stem of letters in other scripts ending at `end` (`請求書` before `.exe`), at most
/// 16 characters back, stopping at spaces, punctuation and brackets.
pub(crate) fn non_ascii_stem(src: &[u8], end: usize) -> Option<usize> {
    let mut j = end;
    let mut chars = 0;
    while j > 0 && chars < 16 {
        let mut k = j - 1;
        while k > 0 && j - k < 4 && (src[k] & 0xC0) == 0x80 {
            k -= 1;
        }
        let c = std::str::from_utf8(&src[k..j])
            .ok()
            .and_then(|s| s.chars().next());
        match c {
            Some(c) if !c.is_ascii() && c.is_alphanumeric() => {
                j = k;
                chars += 1;
            }
            _ => break,
        }
    }
    (j < end).then_some(j)
}
