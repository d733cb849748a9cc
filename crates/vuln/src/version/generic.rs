//! Upstream version strings that follow no packaging standard, above all OpenSSL's
//! `1.0.1f` < `1.0.1g` < `1.0.2-beta1` < `1.0.2`, and OpenSSH's `8.0` < `8.0p1`.
//!
//! The string is cut into digit runs and letter runs (everything else separates). Runs are
//! compared pairwise: numbers as numbers; letters byte-wise, except the pre-release words
//! `dev` < `alpha` < `beta` < `pre` < `rc`, which sort *before* a number and before the end of the
//! string, so `1.0.2-beta1` < `1.0.2`. A plain letter run (OpenSSL's patch letters, OpenSSH's
//! `p`) sorts *after* the end, so `1.0.1` < `1.0.1a`. Semver's rule (anything after `-` is a
//! pre-release) was rejected: it makes `1.0.1e-fips` older than `1.0.1e`, and distributions' `-1`
//! suffixes older than the bare version.

use std::cmp::Ordering;

use super::VersionError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Digits with leading zeros removed, so length-then-bytes is numeric order without overflow.
    Num(String),
    /// A pre-release word, by rank.
    Pre(u8, String),
    Alpha(String),
}

/// A parsed upstream version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericVersion {
    tokens: Vec<Token>,
}

fn pre_rank(word: &str) -> Option<u8> {
    Some(match word {
        "dev" => 0,
        "alpha" => 1,
        "beta" => 2,
        "pre" => 3,
        "rc" => 4,
        _ => return None,
    })
}

impl GenericVersion {
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let bad = |why: &str| VersionError::new(text, why);
        let trimmed = text
            .strip_prefix(['v', 'V'])
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        let body = trimmed.unwrap_or(text);
        if !body.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(bad("does not start with a digit"));
        }
        if let Some(c) = body
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "._-+~:".contains(*c)))
        {
            return Err(bad(&format!("unexpected character {c:?}")));
        }
        let lower = body.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let digits = lower[start..i].trim_start_matches('0');
                tokens.push(Token::Num(digits.to_owned()));
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = &lower[start..i];
                tokens.push(match pre_rank(word) {
                    Some(rank) => Token::Pre(rank, word.to_owned()),
                    None => Token::Alpha(word.to_owned()),
                });
            } else {
                i += 1;
            }
        }
        Ok(GenericVersion { tokens })
    }
}

fn cmp_token(a: &Token, b: &Token) -> Ordering {
    use Token::*;
    match (a, b) {
        (Num(x), Num(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        (Pre(x, _), Pre(y, _)) => x.cmp(y),
        (Alpha(x), Alpha(y)) => x.cmp(y),
        // A pre-release word is older than anything else at the same place.
        (Pre(..), _) => Ordering::Less,
        (_, Pre(..)) => Ordering::Greater,
        // `1.0.1.1` vs `1.0.1f`: a number is newer than a letter, as in rpmvercmp.
        (Num(_), Alpha(_)) => Ordering::Greater,
        (Alpha(_), Num(_)) => Ordering::Less,
    }
}

impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let mut a = self.tokens.iter();
        let mut b = other.tokens.iter();
        loop {
            match (a.next(), b.next()) {
                (None, None) => return Ordering::Equal,
                (Some(x), Some(y)) => match cmp_token(x, y) {
                    Ordering::Equal => {}
                    ord => return ord,
                },
                // The end is newer than a pre-release word, older than anything else.
                (None, Some(y)) => {
                    return if matches!(y, Token::Pre(..)) {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    };
                }
                (Some(x), None) => {
                    return if matches!(x, Token::Pre(..)) {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    };
                }
            }
        }
    }
}

impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GenericVersion {
        GenericVersion::parse(s).unwrap()
    }

    #[test]
    fn openssl_letter_releases_sort_in_release_order() {
        let ordered = [
            "0.9.8",
            "0.9.8y",
            "0.9.8za",
            "1.0.0",
            "1.0.0l",
            "1.0.1",
            "1.0.1a",
            "1.0.1e",
            "1.0.1f",
            "1.0.1g",
            "1.0.1z",
            "1.0.1za",
            "1.0.2-beta1",
            "1.0.2-beta2",
            "1.0.2",
            "1.0.2u",
            "1.1.0",
            "3.0.0-alpha1",
            "3.0.0-beta2",
            "3.0.0",
            "3.0.13",
            "3.1.0",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn openssh_portable_suffixes_sort_after_the_release() {
        assert!(v("8.0") < v("8.0p1"));
        assert!(v("8.0p1") < v("8.1p1"));
        assert!(v("9.3p2") < v("9.10p1"));
    }

    #[test]
    fn case_leading_zeros_and_a_v_prefix_do_not_matter() {
        assert_eq!(v("1.0.1F"), v("1.0.1f"));
        assert_eq!(v("1.02"), v("1.2"));
        assert_eq!(v("v2.4.49"), v("2.4.49"));
    }

    #[test]
    fn text_that_is_no_version_is_rejected() {
        for bad in ["", "openssl", "1.0 1", "1.0/2", "ｖ1"] {
            assert!(GenericVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
