//! The STIX 2.1 patterning language: a hand-written lexer and recursive-descent parser for the
//! grammar of STIX 2.1 part 9 (the ANTLR grammar `STIXPattern.g4` of stix2-patterns), and the
//! escaping our writer needs.
//!
//! A real parser rather than a regular expression over `[type:prop = 'value']`: a pattern is
//! outside data, and the only way to say "this is not a pattern" with a position, and to find
//! every equality inside `OR`s, `FOLLOWEDBY`s and qualifiers, is to parse it. Precedence, lowest
//! first: between observations `FOLLOWEDBY`, `OR`, `AND`; inside an observation `OR`, `AND`.
//! Keywords are upper case, as in the grammar.

use std::fmt;

mod lex;
mod parse;

use lex::lex;
use parse::Parser;

/// A parsed pattern: one observation expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// `[ comparison ]`
    Simple(Comparison),
    And(Box<Observation>, Box<Observation>),
    Or(Box<Observation>, Box<Observation>),
    FollowedBy(Box<Observation>, Box<Observation>),
    /// An observation (usually parenthesised) with a qualifier.
    Qualified(Box<Observation>, Qualifier),
}

/// The part between square brackets.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    And(Box<Comparison>, Box<Comparison>),
    Or(Box<Comparison>, Box<Comparison>),
    Test(Test),
    /// `EXISTS path`
    Exists(ObjectPath),
}

/// `path [NOT] op value`
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub path: ObjectPath,
    pub negated: bool,
    pub op: Op,
    pub value: Literal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Like,
    Matches,
    IsSubset,
    IsSuperset,
}

impl Op {
    /// The operator as the grammar writes it (`=`, `ISSUBSET`).
    pub fn keyword(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "IN",
            Op::Like => "LIKE",
            Op::Matches => "MATCHES",
            Op::IsSubset => "ISSUBSET",
            Op::IsSuperset => "ISSUPERSET",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    Within(f64),
    Repeats(u64),
    StartStop(String, String),
}

/// `type:first.second[0].'quoted'`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPath {
    pub object_type: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Prop(String),
    Index(i64),
    Any,
}

impl ObjectPath {
    /// `ipv4-addr:value`, `file:hashes.SHA-256` (quotes dropped), for matching known paths.
    pub fn dotted(&self) -> String {
        let mut s = format!("{}:", self.object_type);
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Prop(p) => {
                    if i > 0 {
                        s.push('.');
                    }
                    s.push_str(p);
                }
                Step::Index(n) => s.push_str(&format!("[{n}]")),
                Step::Any => s.push_str("[*]"),
            }
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Hex(String),
    Binary(String),
    Timestamp(String),
    Set(Vec<Literal>),
}

/// Why a pattern is not valid, and where (byte offset into the pattern).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub offset: usize,
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pattern error at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for PatternError {}

/// Quote a string for a pattern: `'` and `\` are the only escapes the grammar has.
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    quote_into(&mut q, s);
    q
}

/// [`quote`], appended to `out`.
pub fn quote_into(out: &mut String, s: &str) {
    out.push('\'');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        // Both are ASCII, so `i` is a character boundary.
        if b == b'\'' || b == b'\\' {
            out.push_str(&s[from..i]);
            out.push('\\');
            from = i;
        }
    }
    out.push_str(&s[from..]);
    out.push('\'');
}

/// Parse a whole pattern.
pub fn parse(pattern: &str) -> Result<Observation, PatternError> {
    let tokens = lex(pattern)?;
    let mut p = Parser {
        toks: &tokens,
        i: 0,
        end: pattern.len(),
    };
    let obs = p.observations()?;
    if let Some(t) = p.peek() {
        return Err(p.err_at(t.at, format!("unexpected {} after the pattern", t.tok)));
    }
    Ok(obs)
}

/// Every `path = value` (not negated) in the pattern, in order.
pub fn equalities(obs: &Observation) -> Vec<&Test> {
    let mut out = Vec::new();
    walk_obs(obs, &mut out);
    out
}

fn walk_obs<'a>(o: &'a Observation, out: &mut Vec<&'a Test>) {
    match o {
        Observation::Simple(c) => walk_cmp(c, out),
        Observation::And(a, b) | Observation::Or(a, b) | Observation::FollowedBy(a, b) => {
            walk_obs(a, out);
            walk_obs(b, out);
        }
        Observation::Qualified(a, _) => walk_obs(a, out),
    }
}

fn walk_cmp<'a>(c: &'a Comparison, out: &mut Vec<&'a Test>) {
    match c {
        Comparison::And(a, b) | Comparison::Or(a, b) => {
            walk_cmp(a, out);
            walk_cmp(b, out);
        }
        Comparison::Test(t) => out.push(t),
        Comparison::Exists(_) => {}
    }
}

/// starting with a digit or a hyphen (the grammar lets more through; the spec does not).
/// STIX type names: lower-case ASCII letters, digits and hyphens, 3 to 250 characters, not
pub fn valid_type_name(s: &str) -> bool {
    (3..=250).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && s.as_bytes()[0].is_ascii_lowercase()
        && !s.ends_with('-')
        && !s.contains("--")
}
