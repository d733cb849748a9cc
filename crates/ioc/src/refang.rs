//! Refanging: undo the ways handlers write indicators so nobody clicks them by accident, and fold
//! the full-width and ideographic forms Japanese keyboards produce, back to plain ASCII.
//!
//! One pass over the bytes that also records, for every output byte, where it came from, so the
//! extractor can report spans in the text as written. The scheme forms (`hxxp`, `fxp`) are not
//! rewritten here but where a URL's scheme is read ([`crate::normalize`]), because only there is it
//! known that `hxxp` is a scheme and not a word.

/// What one input character folds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Folded {
    /// An ASCII byte (itself, or the ASCII form of a full-width/ideographic character).
    Ascii(u8),
    /// A character that is dropped (zero-width space and friends, inserted to break links).
    Nothing,
}

/// The character at `i`: its folded form and how many bytes it takes, or `None` when it is a
/// character that has no ASCII meaning (Japanese text, other scripts, invalid UTF-8).
#[inline]
pub(crate) fn fold_at(src: &[u8], i: usize) -> Option<(Folded, usize)> {
    let b = *src.get(i)?;
    if b < 0x80 {
        return Some((Folded::Ascii(b), 1));
    }
    let b1 = *src.get(i + 1)?;
    let b2 = *src.get(i + 2)?;
    match (b, b1, b2) {
        // U+FF01..U+FF3F (！..＿) and U+FF40..U+FF5E (｀..～): full-width ASCII, offset 0xFEE0.
        (0xEF, 0xBC, 0x81..=0xBF) => Some((Folded::Ascii(b2 - 0x80 + 0x20), 3)),
        (0xEF, 0xBD, 0x80..=0x9E) => Some((Folded::Ascii(b2 - 0x80 + 0x60), 3)),
        // U+FF61 halfwidth ideographic full stop, U+3002 ideographic full stop: a domain dot
        // when typed between labels; elsewhere the extractor trims it like any trailing dot.
        (0xEF, 0xBD, 0xA1) | (0xE3, 0x80, 0x82) => Some((Folded::Ascii(b'.'), 3)),
        // U+200B..U+200D zero-width space/non-joiner/joiner, U+2060 word joiner, U+FEFF BOM.
        (0xE2, 0x80, 0x8B..=0x8D) | (0xE2, 0x81, 0xA0) | (0xEF, 0xBB, 0xBF) => {
            Some((Folded::Nothing, 3))
        }
        _ => None,
    }
}

/// Bracketed defang tokens and what they stand for. Matched case-insensitively on folded
/// characters, so `［．］` and `[DOT]` count too.
const BRACKETED: &[(&[u8], &[u8])] = &[
    (b"[.]", b"."),
    (b"(.)", b"."),
    (b"{.}", b"."),
    (b"[dot]", b"."),
    (b"(dot)", b"."),
    (b"{dot}", b"."),
    (b"[://]", b"://"),
    (b"[:]", b":"),
    (b"(:)", b":"),
    (b"[/]", b"/"),
    (b"[@]", b"@"),
    (b"(@)", b"@"),
    (b"{@}", b"@"),
    (b"[at]", b"@"),
    (b"(at)", b"@"),
    (b"{at}", b"@"),
];

/// Spelled-out separators, only for a single indicator (`evil dot example dot com`): in free
/// text they would turn "the dot com era" into a domain.
const SPACED: &[(&[u8], &[u8])] = &[(b" dot ", b"."), (b" at ", b"@")];

/// Try to match `pat` (lower-case ASCII) at `i`; returns the source length on a match.
fn match_folded(src: &[u8], i: usize, pat: &[u8]) -> Option<usize> {
    let mut at = i;
    for &want in pat {
        // Skip dropped characters inside a token too: `[\u{200b}.]` is still a dot.
        loop {
            let (f, len) = fold_at(src, at)?;
            at += len;
            match f {
                Folded::Nothing => continue,
                Folded::Ascii(c) if c.to_ascii_lowercase() == want => break,
                Folded::Ascii(_) => return None,
            }
        }
    }
    Some(at - i)
}

/// Refang `src` into `out`, pushing into `map` the source offset of every output byte, plus a
/// final entry for the end. `spaced` also accepts ` dot ` and ` at `.
pub(crate) fn refang_mapped(
    src: &[u8],
    base: usize,
    spaced: bool,
    out: &mut Vec<u8>,
    map: &mut Vec<usize>,
) {
    let mut i = 0;
    'outer: while i < src.len() {
        match fold_at(src, i) {
            Some((Folded::Ascii(c), len)) => {
                if matches!(c, b'[' | b'(' | b'{' | b' ' | b'\\') {
                    if c == b'\\' && src.get(i + 1) == Some(&b'.') {
                        out.push(b'.');
                        map.push(base + i);
                        i += 2;
                        continue;
                    }
                    let table = if c == b' ' {
                        if !spaced {
                            out.push(c);
                            map.push(base + i);
                            i += len;
                            continue;
                        }
                        SPACED
                    } else {
                        BRACKETED
                    };
                    for (pat, rep) in table {
                        if let Some(n) = match_folded(src, i, pat) {
                            for &r in rep.iter() {
                                out.push(r);
                                map.push(base + i);
                            }
                            i += n;
                            continue 'outer;
                        }
                    }
                }
                out.push(c);
                map.push(base + i);
                i += len;
            }
            Some((Folded::Nothing, len)) => i += len,
            None => {
                out.push(src[i]);
                map.push(base + i);
                i += 1;
            }
        }
    }
    map.push(base + src.len());
}

/// Refang one indicator as a handler wrote it: bracketed and spelled-out separators, full-width
/// and ideographic forms, zero-width characters. The scheme (`hxxp`) is fixed by the parser.
///
/// ```
/// assert_eq!(hikeshi_ioc::refang("evil[.]example(dot)com"), "evil.example.com");
/// assert_eq!(hikeshi_ioc::refang("１９２．０．２．１"), "192.0.2.1");
/// assert_eq!(hikeshi_ioc::refang("user[at]example dot jp"), "user@example.jp");
/// ```
pub fn refang(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    refang_mapped(text.as_bytes(), 0, true, &mut out, &mut map);
    // Only whole characters are replaced by ASCII or copied byte for byte, so the output is
    // UTF-8 whenever the input was; the lossy conversion never loses anything here.
    String::from_utf8_lossy(&out).into_owned()
}
