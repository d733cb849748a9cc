//! Sums of a series over a [`Period`], and the months each sum leaves out.
//!
//! A sum over a period with gaps is still given, because a partial fiscal year is what the
//! current year always is, but the gaps travel with it and say why each month is missing: a
//! total is never quietly smaller than the truth.

use std::collections::BTreeMap;

use hikeshi_domain::period::{Month, Period};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use super::{Import, ImportError, Series};

/// The sum of one series over one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Total {
    pub series: Series,
    pub period: Period,
    /// The sum of the clean rows in the period.
    pub sum: u64,
    /// How many months of the period have a clean row.
    pub months_counted: u32,
    /// The months of the period without a clean row, oldest first.
    pub gaps: Vec<Gap>,
}

impl Total {
    /// Every month of the period was counted.
    pub fn complete(&self) -> bool {
        self.gaps.is_empty()
    }

    /// The sum, or `None` when not one month of the period was counted: "no data" must not
    /// read as "zero incidents".
    pub fn value(&self) -> Option<u64> {
        (self.months_counted > 0).then_some(self.sum)
    }
}

/// A month a [`Total`] does not include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub month: Month,
    #[serde(flatten)]
    pub reason: GapReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum GapReason {
    /// The file has the month with an empty count: JPCERT/CC did not count it yet.
    NotCounted { line: usize },
    /// The month's row was rejected (the first such line).
    Rejected { line: usize },
    /// The file has no row for the month (before its first or after its last).
    Absent,
}

impl Import {
    /// The sum of this series over `period`, with the months it leaves out.
    pub fn total(&self, period: Period) -> Total {
        let counts = self.counts();
        let not_counted: BTreeMap<Month, usize> =
            self.not_counted.iter().map(|n| (n.month, n.line)).collect();
        let mut rejected: BTreeMap<Month, usize> = BTreeMap::new();
        for r in &self.rejected {
            if let Some(month) = r.month {
                rejected.entry(month).or_insert(r.line);
            }
        }
        let mut total = Total {
            series: self.series,
            period,
            sum: 0,
            months_counted: 0,
            gaps: Vec::new(),
        };
        for month in period.months() {
            let reason = if let Some(&count) = counts.get(&month) {
                // At most twelve u32 counts: the u64 sum cannot overflow.
                total.sum += u64::from(count);
                total.months_counted += 1;
                continue;
            } else if let Some(&line) = not_counted.get(&month) {
                GapReason::NotCounted { line }
            } else if let Some(&line) = rejected.get(&month) {
                GapReason::Rejected { line }
            } else {
                GapReason::Absent
            };
            total.gaps.push(Gap { month, reason });
        }
        total
    }
}

/// Every imported series summed over one period: what `hikeshi stats national` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalTotals {
    pub period: Period,
    /// One per imported series, in the order of JPCERT/CC's reports ([`Series::PUBLISHED`]).
    pub totals: Vec<Total>,
}

impl NationalTotals {
    pub fn get(&self, series: Series) -> Option<&Total> {
        self.totals.iter().find(|t| t.series == series)
    }

    /// `series,total,months_counted,gaps`, one line per series; the total is empty when nothing
    /// was counted and the gap months are separated by spaces. No field can hold a comma or a
    /// quote, so nothing needs quoting.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("series,total,months_counted,gaps\n");
        for t in &self.totals {
            let total = t.value().map(|v| v.to_string()).unwrap_or_default();
            let gaps: Vec<String> = t.gaps.iter().map(|g| g.month.to_string()).collect();
            let line = format!(
                "{},{total},{},{}\n",
                t.series,
                t.months_counted,
                gaps.join(" ")
            );
            out.push_str(&line);
        }
        out
    }
}

/// Sum every import over `period`. Two imports of one series are refused: adding them would
/// double-count, and preferring one would be a guess.
pub fn national_totals(imports: &[Import], period: Period) -> Result<NationalTotals, ImportError> {
    let mut seen: BTreeMap<Series, &str> = BTreeMap::new();
    for import in imports {
        if let Some(first) = seen.insert(import.series, &import.file) {
            return Err(ImportError::DuplicateSeries {
                series: import.series,
                first: first.to_owned(),
                second: import.file.clone(),
            });
        }
    }
    let mut totals: Vec<Total> = imports.iter().map(|i| i.total(period)).collect();
    // Series orders as JPCERT/CC's reports do: reports, coordinated, then the categories.
    totals.sort_by_key(|t| t.series);
    Ok(NationalTotals { period, totals })
}

/// The JSON shape documented in docs/statistics.md: `totals` maps each series to its sum (null
/// when nothing in the period was counted), `gaps` lists the missing months of the series that
/// have any, so `jq .totals.reports` is the number and a partial sum cannot pass unnoticed.
impl Serialize for NationalTotals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("NationalTotals", 7)?;
        out.serialize_field("period", &self.period)?;
        out.serialize_field("label_en", &self.period.label_en())?;
        out.serialize_field("label_ja", &self.period.label_ja())?;
        out.serialize_field("first_month", &self.period.first_month())?;
        out.serialize_field("last_month", &self.period.last_month())?;
        out.serialize_field("totals", &Sums(&self.totals))?;
        out.serialize_field("gaps", &Gaps(&self.totals))?;
        out.end()
    }
}

struct Sums<'a>(&'a [Total]);

impl Serialize for Sums<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for t in self.0 {
            map.serialize_entry(t.series.key(), &t.value())?;
        }
        map.end()
    }
}

struct Gaps<'a>(&'a [Total]);

impl Serialize for Gaps<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for t in self.0.iter().filter(|t| !t.complete()) {
            map.serialize_entry(t.series.key(), &t.gaps)?;
        }
        map.end()
    }
}
