//! The lexer of the patterning language: literals (with their own syntax checks: hex pairs,
//! base64, timestamps), identifiers, numbers and symbols, each with its byte offset.

use std::fmt;

use super::{PatternError, quote};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Hex(String),
    Binary(String),
    Timestamp(String),
    Sym(&'static str),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "{s:?}"),
            Tok::Str(s) => write!(f, "string {}", quote(s)),
            Tok::Int(n) => write!(f, "number {n}"),
            Tok::Float(n) => write!(f, "number {n}"),
            Tok::Hex(_) => write!(f, "hex literal"),
            Tok::Binary(_) => write!(f, "binary literal"),
            Tok::Timestamp(_) => write!(f, "timestamp literal"),
            Tok::Sym(s) => write!(f, "{s:?}"),
        }
    }
}

pub(super) struct Token {
    pub tok: Tok,
    pub at: usize,
}

const SYMBOLS: [&str; 16] = [
    "==", "!=", "<>", "<=", ">=", "=", "<", ">", "[", "]", "(", ")", ":", ".", ",", "*",
];

pub(super) fn lex(s: &str) -> Result<Vec<Token>, PatternError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let err = |at: usize, reason: String| PatternError { offset: at, reason };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let at = i;
        // Prefixed literals first: h'..', b'..', t'..' look like identifiers otherwise.
        if matches!(c, b'h' | b'b' | b't') && b.get(i + 1) == Some(&b'\'') {
            let (body, next) = quoted(s, i + 1).map_err(|r| err(at, r))?;
            let tok = match c {
                b'h' => {
                    if body.len() % 2 != 0 || !body.bytes().all(|x| x.is_ascii_hexdigit()) {
                        return Err(err(at, "hex literal must be pairs of hex digits".into()));
                    }
                    Tok::Hex(body)
                }
                b'b' => {
                    if !is_base64(&body) {
                        return Err(err(at, "binary literal is not base64".into()));
                    }
                    Tok::Binary(body)
                }
                _ => {
                    if !is_timestamp(&body) {
                        return Err(err(
                            at,
                            format!("{body:?} is not a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)"),
                        ));
                    }
                    Tok::Timestamp(body)
                }
            };
            out.push(Token { tok, at });
            i = next;
            continue;
        }
        if c == b'\'' {
            let (body, next) = quoted(s, i).map_err(|r| err(at, r))?;
            out.push(Token {
                tok: Tok::Str(body),
                at,
            });
            i = next;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Ident(s[i..j].to_owned()),
                at,
            });
            i = j;
            continue;
        }
        if c.is_ascii_digit()
            || ((c == b'-' || c == b'+')
                && b.get(i + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == b'.'))
            || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit) && !after_path(&out))
        {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let mut is_float = c == b'.';
            if j < b.len() && b[j] == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
                is_float = true;
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let text = &s[i..j];
            let tok = if is_float {
                Tok::Float(
                    text.parse()
                        .map_err(|_| err(at, format!("bad number {text:?}")))?,
                )
            } else {
                let digits = text.trim_start_matches(['+', '-']);
                if digits.len() > 1 && digits.starts_with('0') {
                    return Err(err(at, format!("integer {text:?} has a leading zero")));
                }
                Tok::Int(
                    text.parse()
                        .map_err(|_| err(at, format!("integer {text:?} out of range")))?,
                )
            };
            out.push(Token { tok, at });
            i = j;
            continue;
        }
        match SYMBOLS.iter().find(|sym| s[i..].starts_with(**sym)) {
            Some(sym) => {
                out.push(Token {
                    tok: Tok::Sym(sym),
                    at,
                });
                i += sym.len();
            }
            None => {
                let ch = s[i..].chars().next().unwrap_or('?');
                return Err(err(at, format!("unexpected character {ch:?}")));
            }
        }
    }
    Ok(out)
}

/// A `.` right after a path part is a path separator, not the start of `.5`.
fn after_path(out: &[Token]) -> bool {
    matches!(
        out.last().map(|t| &t.tok),
        Some(Tok::Ident(_) | Tok::Str(_) | Tok::Sym("]"))
    )
}

/// The body of a quoted literal starting at the quote `b[start]`, unescaped, and the index after
/// the closing quote.
fn quoted(s: &str, start: usize) -> Result<(String, usize), String> {
    let mut body = String::new();
    let mut chars = s[start + 1..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '\'' => return Ok((body, start + 1 + k + 1)),
            '\\' => match chars.next() {
                Some((_, e @ ('\'' | '\\'))) => body.push(e),
                Some((_, e)) => return Err(format!("unknown escape \\{e} (only \\' and \\\\)")),
                None => break,
            },
            c => body.push(c),
        }
    }
    Err("unterminated string literal".into())
}

fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() % 4 == 0
        && b.iter().enumerate().all(|(i, c)| {
            c.is_ascii_alphanumeric()
                || *c == b'+'
                || *c == b'/'
                || (*c == b'=' && i + 2 >= b.len())
        })
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let d = |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let fixed = b.len() >= 20
        && d(0..4)
        && b[4] == b'-'
        && d(5..7)
        && b[7] == b'-'
        && d(8..10)
        && b[10] == b'T'
        && d(11..13)
        && b[13] == b':'
        && d(14..16)
        && b[16] == b':'
        && d(17..19);
    if !fixed || b[b.len() - 1] != b'Z' {
        return false;
    }
    let frac = &b[19..b.len() - 1];
    frac.is_empty()
        || (frac[0] == b'.' && frac.len() > 1 && frac[1..].iter().all(u8::is_ascii_digit))
}
