//! Threading: which report a reply belongs to.
//!
//! Order of lookup (the caller's job, since it needs the store): first the ticket tag in the
//! subject ([`TicketTag::find`]), because it survives mail clients that drop reply headers;
//! then the message ids from [`thread_keys`]; otherwise the message opens a new report.
//! A message whose own Message-ID is already stored is a duplicate, not a reply.

use crate::model::ParsedMail;

/// The `[prefix #N]` tag that carries a ticket number in subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTag {
    /// The word before `#`, matched case-insensitively; `hikeshi` by default.
    pub prefix: String,
}

impl Default for TicketTag {
    fn default() -> Self {
        TicketTag {
            prefix: "hikeshi".to_owned(),
        }
    }
}

/// Reply and forward markers that clients put before a subject, lower-case, colon excluded.
/// Japanese clients add 返信/転送; German, Nordic and others their own abbreviations.
const REPLY_MARKERS: [&str; 10] = [
    "re", "fw", "fwd", "aw", "sv", "wg", "vs", "antw", "返信", "転送",
];

impl TicketTag {
    pub fn new(prefix: impl Into<String>) -> Self {
        TicketTag {
            prefix: prefix.into(),
        }
    }

    /// The tag for ticket `n`, as we write it: `[hikeshi #12]`.
    pub fn format(&self, n: u64) -> String {
        format!("[{} #{n}]", self.prefix)
    }

    /// The ticket number of the first tag in `subject`.
    ///
    /// Tolerates what mail clients and Japanese input methods do to a tag: full-width
    /// brackets, `＃` and digits, any case of the prefix, and spaces (also U+3000) around the
    /// parts: `［ＨＩＫＥＳＨＩ　＃１２］` is ticket 12.
    pub fn find(&self, subject: &str) -> Option<u64> {
        self.spans(subject).first().map(|&(n, _, _)| n)
    }

    /// Number and char range of every tag. `narrow` maps one char to one char, so the
    /// ranges index the original subject's chars too.
    fn spans(&self, subject: &str) -> Vec<(u64, usize, usize)> {
        let chars: Vec<char> = subject.chars().map(narrow).collect();
        let prefix: Vec<char> = self.prefix.chars().map(narrow).collect();
        let mut spans = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match (chars[i] == '[')
                .then(|| match_tag(&chars, i, &prefix))
                .flatten()
            {
                Some((n, end)) => {
                    spans.push((n, i, end));
                    i = end;
                }
                None => i += 1,
            }
        }
        spans
    }

    /// `subject` carrying the tag for ticket `n`: unchanged when a tag for `n` is already
    /// there (wherever it is), otherwise with the tag put in front.
    pub fn tag_subject(&self, subject: &str, n: u64) -> String {
        let subject = subject.trim();
        if self.spans(subject).iter().any(|&(found, _, _)| found == n) {
            return subject.to_owned();
        }
        if subject.is_empty() {
            return self.format(n);
        }
        format!("{} {subject}", self.format(n))
    }

    /// The subject of our answer to a message in ticket `n`: one `Re: `, then the tag once,
    /// then the subject without the leading reply markers and without the copies of our tag
    /// that a long thread collects (`Re: RE: [hikeshi #1] Re: x [hikeshi #1]` →
    /// `Re: [hikeshi #1] x`). Tags of other tickets stay: they are the reporter's.
    pub fn reply_subject(&self, subject: &str, n: u64) -> String {
        let chars: Vec<char> = subject.chars().collect();
        let mut kept = String::with_capacity(subject.len());
        let mut next = 0;
        for (found, start, end) in self.spans(subject) {
            if found == n {
                kept.extend(&chars[next..start]);
                kept.push(' ');
                next = end;
            }
        }
        kept.extend(&chars[next..]);
        let mut rest = kept.split_whitespace().collect::<Vec<_>>().join(" ");
        loop {
            let stripped = strip_reply_marker(&rest).trim_start().to_owned();
            if stripped == rest {
                break;
            }
            rest = stripped;
        }
        let tag = self.format(n);
        if rest.is_empty() {
            format!("Re: {tag}")
        } else {
            format!("Re: {tag} {rest}")
        }
    }
}

/// Maps full-width ASCII forms and the ideographic space to their ASCII counterparts, so
/// the tag matcher sees one spelling.
fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Matches `[ prefix # digits ]` at `start` (spaces allowed between parts); returns the
/// number and the index after `]`.
fn match_tag(chars: &[char], start: usize, prefix: &[char]) -> Option<(u64, usize)> {
    let mut i = skip_spaces(chars, start + 1);
    for &p in prefix {
        if !chars.get(i)?.to_lowercase().eq(p.to_lowercase()) {
            return None;
        }
        i += 1;
    }
    i = skip_spaces(chars, i);
    if *chars.get(i)? != '#' {
        return None;
    }
    i = skip_spaces(chars, i + 1);
    let mut n: u64 = 0;
    let digits_start = i;
    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    i = skip_spaces(chars, i);
    (*chars.get(i)? == ']').then_some((n, i + 1))
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
        i += 1;
    }
    i
}

/// Removes one leading reply/forward marker such as `Re:`, `RE[2]:`, `Fwd:`, `返信：`.
fn strip_reply_marker(subject: &str) -> &str {
    let Some(colon) = subject.find([':', '：']) else {
        return subject;
    };
    let word = subject[..colon].trim();
    // `Re[2]`, `Re^2`: counters some clients add.
    let base_len = word.find(['[', '^']).unwrap_or(word.len());
    let (base, counter) = word.split_at(base_len);
    let base = base.trim().to_lowercase();
    let counter_ok = counter
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '[' | ']' | '^'));
    if REPLY_MARKERS.contains(&base.as_str()) && counter_ok {
        let colon_len = subject[colon..].chars().next().map_or(1, char::len_utf8);
        &subject[colon + colon_len..]
    } else {
        subject
    }
}

/// Message ids to look up, most specific first: In-Reply-To, then References from the
/// newest back to the thread's root, without duplicates and without the message's own id.
pub fn thread_keys(mail: &ParsedMail) -> Vec<String> {
    // A set beside the list: References is outside data and may hold a million ids.
    let mut seen = std::collections::HashSet::new();
    let mut keys: Vec<String> = Vec::new();
    let candidates = mail.in_reply_to.iter().chain(mail.references.iter().rev());
    for id in candidates {
        let id = id.trim();
        if id.is_empty() || Some(id) == mail.message_id.as_deref() {
            continue;
        }
        if seen.insert(id) {
            keys.push(id.to_owned());
        }
    }
    keys
}
