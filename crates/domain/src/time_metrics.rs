//! Time metrics over incidents: how long from the report's receipt to acknowledgement, to first
//! response (triage), to the owner of the affected system being reached (the headline metric:
//! how long a notice takes to reach the person who can act), to containment and to closure
//! (count, median, p90, max), compliance with
//! each SLA clock (met, missed, still open) and the reopen rate, for a period and per month.
//!
//! The store fetches one [`IncidentTimes`] per incident; everything here is arithmetic over
//! those, so both backends give the same numbers.
//!
//! Rules:
//! - An incident belongs to the month (Japan time) its first report was received in.
//! - Median: the middle value, or the mean of the two middle values (rounded down) for an even
//!   count. p90: nearest rank (the smallest value with at least 90 % of values at or below it).
//! - A clock is *met* when its milestone was reached at or before its due time, *missed* when it
//!   was reached later or is still unreached after the due time, and *open* when it is unreached
//!   and not yet due. Compliance is met / (met + missed).
//! - Reopened: moved out of `closed` at least once. The reopen rate is reopened incidents over
//!   incidents that were ever closed (closed now, or reopened).
//! - A duration that would be negative (a milestone stamped before the report's receipt time) is
//!   counted as zero.

use crate::period::{Month, Period};
use serde::Serialize;

/// The recorded times of one incident, Unix ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IncidentTimes {
    pub reported_at: i64,
    pub acknowledged_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub contained_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// Recorded by a handler ("owner reached"); no SLA clock of its own.
    pub owner_reached_at: Option<i64>,
    pub ack_due: i64,
    pub first_response_due: i64,
    pub containment_due: i64,
    /// Moved back out of `closed` at least once (from the phase history).
    pub reopened: bool,
}

/// Count, median, p90 and maximum of a set of durations (ms); `None` when there are none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DurationStats {
    pub count: u64,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    pub max_ms: Option<i64>,
}

impl DurationStats {
    pub fn of(mut v: Vec<i64>) -> DurationStats {
        v.sort_unstable();
        let n = v.len();
        if n == 0 {
            return DurationStats::default();
        }
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]).div_euclid(2)
        };
        let rank = (n * 9).div_ceil(10).max(1);
        DurationStats {
            count: n as u64,
            median_ms: Some(median),
            p90_ms: Some(v[rank - 1]),
            max_ms: v.last().copied(),
        }
    }
}

/// One SLA clock over a set of incidents.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SlaStats {
    pub met: u64,
    pub missed: u64,
    pub open: u64,
    /// met / (met + missed); `None` when nothing is decided yet.
    pub compliance: Option<f64>,
}

/// The five clocks measured from the report's receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Durations {
    pub acknowledge: DurationStats,
    pub first_response: DurationStats,
    pub owner_reached: DurationStats,
    pub containment: DurationStats,
    pub closure: DurationStats,
}

/// The three SLA clocks.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Sla {
    pub acknowledge: SlaStats,
    pub first_response: SlaStats,
    pub containment: SlaStats,
}

/// All time metrics over one set of incidents.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TimeSummary {
    pub incidents: u64,
    pub ever_closed: u64,
    pub reopened: u64,
    /// reopened / ever_closed; `None` when nothing was ever closed.
    pub reopen_rate: Option<f64>,
    pub durations: Durations,
    pub sla: Sla,
}

impl TimeSummary {
    /// `now` decides whether an unreached clock is already missed or still open.
    pub fn of(items: &[IncidentTimes], now: i64) -> TimeSummary {
        let since = |at: Option<i64>, i: &IncidentTimes| at.map(|a| (a - i.reported_at).max(0));
        let collect = |f: &dyn Fn(&IncidentTimes) -> Option<i64>| {
            DurationStats::of(items.iter().filter_map(|i| since(f(i), i)).collect())
        };
        let sla = |f: &dyn Fn(&IncidentTimes) -> (Option<i64>, i64)| {
            let mut s = SlaStats::default();
            for i in items {
                match f(i) {
                    (Some(at), due) if at <= due => s.met += 1,
                    (Some(_), _) => s.missed += 1,
                    (None, due) if now > due => s.missed += 1,
                    (None, _) => s.open += 1,
                }
            }
            s.compliance = ratio(s.met, s.met + s.missed);
            s
        };
        let ever_closed = items
            .iter()
            .filter(|i| i.closed_at.is_some() || i.reopened)
            .count() as u64;
        let reopened = items.iter().filter(|i| i.reopened).count() as u64;
        TimeSummary {
            incidents: items.len() as u64,
            ever_closed,
            reopened,
            reopen_rate: ratio(reopened, ever_closed),
            durations: Durations {
                acknowledge: collect(&|i| i.acknowledged_at),
                first_response: collect(&|i| i.first_response_at),
                owner_reached: collect(&|i| i.owner_reached_at),
                containment: collect(&|i| i.contained_at),
                closure: collect(&|i| i.closed_at),
            },
            sla: Sla {
                acknowledge: sla(&|i| (i.acknowledged_at, i.ack_due)),
                first_response: sla(&|i| (i.first_response_at, i.first_response_due)),
                containment: sla(&|i| (i.contained_at, i.containment_due)),
            },
        }
    }
}

/// `a / b` as a rate (compliance, reopen rate); `None` when `b` is zero.
pub fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// One month of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthTimes {
    pub month: String,
    #[serde(flatten)]
    pub summary: TimeSummary,
}

/// Time metrics of a period, with the trend per month of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeMetrics {
    pub period: String,
    pub label_ja: String,
    pub label_en: String,
    #[serde(flatten)]
    pub total: TimeSummary,
    pub trend: Vec<MonthTimes>,
}

impl TimeMetrics {
    /// `items` are the period's incidents (the store leaves exercises, merged and rejected
    /// incidents out).
    pub fn compute(period: Period, items: &[IncidentTimes], now: i64) -> TimeMetrics {
        let trend = period
            .months()
            .map(|m: Month| {
                let p = Period::month(m);
                let of_month: Vec<IncidentTimes> = items
                    .iter()
                    .filter(|i| p.contains_ms(i.reported_at))
                    .copied()
                    .collect();
                MonthTimes {
                    month: m.to_string(),
                    summary: TimeSummary::of(&of_month, now),
                }
            })
            .collect();
        TimeMetrics {
            period: period.to_string(),
            label_ja: period.label_ja(),
            label_en: period.label_en(),
            total: TimeSummary::of(items, now),
            trend,
        }
    }

    /// Long-format CSV, one value per row: `scope,metric,statistic,value`. The scope is the
    /// period (`FY2026`) or a month of it (`2026-04`); empty values mean "none yet".
    pub fn to_csv(&self) -> String {
        let mut out = String::from("scope,metric,statistic,value\n");
        summary_csv(&mut out, &self.period, &self.total);
        for m in &self.trend {
            summary_csv(&mut out, &m.month, &m.summary);
        }
        out
    }
}

fn summary_csv(out: &mut String, scope: &str, s: &TimeSummary) {
    let mut row = |metric: &str, stat: &str, v: String| {
        out.push_str(&format!("{scope},{metric},{stat},{v}\n"));
    };
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let rate = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    row("incidents", "count", s.incidents.to_string());
    row("reopen", "ever_closed", s.ever_closed.to_string());
    row("reopen", "reopened", s.reopened.to_string());
    row("reopen", "rate", rate(s.reopen_rate));
    let d = &s.durations;
    for (name, v) in [
        ("acknowledge", d.acknowledge),
        ("first_response", d.first_response),
        ("owner_reached", d.owner_reached),
        ("containment", d.containment),
        ("closure", d.closure),
    ] {
        row(name, "count", v.count.to_string());
        row(name, "median_ms", opt(v.median_ms));
        row(name, "p90_ms", opt(v.p90_ms));
        row(name, "max_ms", opt(v.max_ms));
    }
    for (name, v) in [
        ("sla_acknowledge", s.sla.acknowledge),
        ("sla_first_response", s.sla.first_response),
        ("sla_containment", s.sla.containment),
    ] {
        row(name, "met", v.met.to_string());
        row(name, "missed", v.missed.to_string());
        row(name, "open", v.open.to_string());
        row(name, "compliance", rate(v.compliance));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn median_p90_and_max_follow_the_documented_rules() {
        let d = DurationStats::of((1..=10).rev().collect());
        assert_eq!(
            (d.count, d.median_ms, d.p90_ms, d.max_ms),
            (10, Some(5), Some(9), Some(10))
        );
        let d = DurationStats::of(vec![7]);
        assert_eq!(
            (d.median_ms, d.p90_ms, d.max_ms),
            (Some(7), Some(7), Some(7))
        );
        let d = DurationStats::of(vec![1, 2, 100]);
        assert_eq!((d.median_ms, d.p90_ms), (Some(2), Some(100)));
        assert_eq!(DurationStats::of(vec![]), DurationStats::default());
    }

    #[test]
    fn sla_clocks_are_met_missed_or_open_and_reopen_rate_counts_ever_closed() {
        let base = IncidentTimes {
            reported_at: 0,
            ack_due: H,
            first_response_due: 4 * H,
            containment_due: 24 * H,
            ..Default::default()
        };
        let items = [
            IncidentTimes {
                acknowledged_at: Some(H / 2),
                first_response_at: Some(5 * H),
                contained_at: Some(10 * H),
                closed_at: Some(48 * H),
                ..base
            },
            IncidentTimes {
                acknowledged_at: Some(2 * H),
                owner_reached_at: Some(30 * H),
                reopened: true,
                ..base
            },
            base,
        ];
        // At 3 h: the third incident's acknowledgement is missed, its other clocks still open.
        let s = TimeSummary::of(&items, 3 * H);
        assert_eq!((s.sla.acknowledge.met, s.sla.acknowledge.missed), (1, 2));
        assert_eq!(
            (
                s.sla.first_response.met,
                s.sla.first_response.missed,
                s.sla.first_response.open
            ),
            (0, 1, 2)
        );
        assert_eq!(s.sla.containment.met, 1);
        assert_eq!(s.sla.containment.open, 2);
        assert_eq!(
            (s.ever_closed, s.reopened, s.reopen_rate),
            (2, 1, Some(0.5))
        );
        assert_eq!(s.durations.acknowledge.count, 2);
        assert_eq!(s.durations.acknowledge.max_ms, Some(2 * H));
        assert_eq!(s.durations.closure.median_ms, Some(48 * H));
        // Only the incident whose owner was reached counts, with no SLA verdict.
        let o = s.durations.owner_reached;
        assert_eq!(
            (o.count, o.median_ms, o.max_ms),
            (1, Some(30 * H), Some(30 * H))
        );
    }

    #[test]
    fn trend_places_incidents_in_their_japan_month_and_csv_is_long_format() {
        let fy: Period = "FY2026".parse().unwrap();
        let april = fy.start_ms_jst();
        let items = [IncidentTimes {
            reported_at: april,
            acknowledged_at: Some(april + H),
            ack_due: april + H,
            first_response_due: april + 4 * H,
            containment_due: april + 24 * H,
            ..Default::default()
        }];
        let m = TimeMetrics::compute(fy, &items, april + 100 * H);
        assert_eq!(m.trend.len(), 12);
        assert_eq!(m.trend[0].month, "2026-04");
        assert_eq!(m.trend[0].summary.incidents, 1);
        assert_eq!(m.trend[1].summary.incidents, 0);
        let csv = m.to_csv();
        assert!(csv.starts_with("scope,metric,statistic,value\nFY2026,incidents,count,1\n"));
        assert!(csv.contains("FY2026,acknowledge,median_ms,3600000\n"));
        assert!(csv.contains("FY2026,sla_acknowledge,compliance,1.0000\n"));
        assert!(csv.contains("2026-05,acknowledge,median_ms,\n"));
        assert!(csv.contains("FY2026,owner_reached,count,0\n"));
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["durations"]["acknowledge"]["count"], 1);
        assert_eq!(json["trend"][0]["sla"]["containment"]["missed"], 1);
    }
}
