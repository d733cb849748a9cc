//! One way to turn the small closed vocabularies of the domain (phases, categories, TLP levels…)
//! into and out of their stable lower-case names, used in JSON, SQL, URLs and message catalogs.

/// A closed vocabulary with a stable machine name per value.
pub trait Named: Copy + 'static {
    /// What the vocabulary is called in error messages ("category", "tlp", …).
    const WHAT: &'static str;
    fn all() -> &'static [Self];
    fn as_str(self) -> &'static str;

    /// The key of the value's label in the message catalogs: `category.phishing`.
    fn label_key(self) -> String {
        format!("{}.{}", Self::WHAT, self.as_str())
    }
}

/// Parse a machine name into a value of the vocabulary, with an error naming what was expected.
pub fn parse_named<T: Named>(s: &str) -> Result<T, crate::DomainError> {
    T::all()
        .iter()
        .copied()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| crate::DomainError::Unknown {
            what: T::WHAT,
            value: s.to_owned(),
        })
}

/// Every name of the vocabulary, for error messages and the API's enumerations.
pub fn names<T: Named>() -> Vec<&'static str> {
    T::all().iter().map(|v| v.as_str()).collect()
}
