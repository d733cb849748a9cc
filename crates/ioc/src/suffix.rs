//! The public suffix list: which domains can be registered, so `evil.co.jp` is a domain and
//! `index.html` is not.
//!
//! The built-in list is the `psl` crate's, compiled to a match tree (fast, updated upstream about
//! weekly); [`SuffixList::from_file`] loads a newer `public_suffix_list.dat` with the
//! `publicsuffix` crate, so an old binary can be brought up to date without a rebuild. Both
//! implement `psl_types::List`, so one lookup serves both.

use std::path::Path;

use psl_types::{Info, List};

use crate::IocError;

/// A public suffix list: the built-in one or one loaded from a file.
#[derive(Debug, Clone, Default)]
pub enum SuffixList {
    /// The list compiled into this binary (the `psl` crate).
    #[default]
    Builtin,
    /// A list loaded at run time.
    Loaded(publicsuffix::List),
}

impl SuffixList {
    /// Parse a list in the upstream `public_suffix_list.dat` format.
    pub fn parse(text: &str) -> Result<Self, IocError> {
        let list: publicsuffix::List = text
            .parse()
            .map_err(|e: publicsuffix::Error| IocError::SuffixList(e.to_string()))?;
        if list.is_empty() {
            return Err(IocError::SuffixList("the list has no rules".into()));
        }
        Ok(SuffixList::Loaded(list))
    }

    /// Load `public_suffix_list.dat` from a file.
    pub fn from_file(path: &Path) -> Result<Self, IocError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| IocError::SuffixList(format!("{}: {e}", path.display())))?;
        Self::parse(&text)
    }

    /// The registrable domain (public suffix plus one label) of a lower-case ASCII name, when
    /// its suffix is on the list; `None` for unknown top-level domains and bare suffixes.
    pub fn registrable<'a>(&self, name: &'a str) -> Option<&'a str> {
        let d = self.domain(name.as_bytes())?;
        if !d.suffix().is_known() {
            return None;
        }
        std::str::from_utf8(d.as_bytes()).ok()
    }

    /// Whether a lower-case ASCII name is a domain someone holds: a known public suffix with at
    /// least one label more, or itself a suffix from the list's private section
    /// (`github.io`, `support.site`: run by a company that lets others register below it, and
    /// so a real host name too).
    pub fn is_registrable_name(&self, name: &str) -> bool {
        match self.suffix(name.as_bytes()) {
            Some(s) if s.is_known() => {
                s.as_bytes().len() < name.len() || s.typ() == Some(psl_types::Type::Private)
            }
            _ => false,
        }
    }

    /// Whether a lower-case ASCII label is a top-level domain on the list.
    pub fn is_tld(&self, label: &str) -> bool {
        self.suffix(label.as_bytes())
            .is_some_and(|s| s.is_known() && s.as_bytes().len() == label.len())
    }
}

impl List for SuffixList {
    fn find<'a, T>(&self, labels: T) -> Info
    where
        T: Iterator<Item = &'a [u8]>,
    {
        match self {
            SuffixList::Builtin => psl::List.find(labels),
            SuffixList::Loaded(list) => list.find(labels),
        }
    }
}
