//! What the statistics page and the periodic report show: a period's counts, its monthly trend,
//! the national comparison when JPCERT/CC's figures are imported, time metrics and the notable
//! incidents, gathered once and turned into template values and SVG charts in one language.
//!
//! The report is meant for distribution, so its incident list follows one rule (also in
//! docs/statistics.md): an incident marked TLP:RED is counted in the totals but never listed,
//! whoever renders the report; a TLP:AMBER or AMBER+STRICT incident is listed by number,
//! category, priority, phase and date with its title withheld; only TLP:CLEAR and TLP:GREEN
//! incidents show their titles. Only incidents the viewer may see are considered at all.

use crate::charts::{self, Range, Series};
use crate::i18n::{self, Lang};
use hikeshi_domain::period::Period;
use hikeshi_domain::time_metrics::{DurationStats, SlaStats, TimeMetrics};
use hikeshi_domain::{Category, Incident, Named, Tlp};
use hikeshi_exchange::jpcert_stats::{
    NationalTotals, Series as NSeries, national_totals, parse_file,
};
use hikeshi_store::{Counts, Store, StoreError, Viewer};
use serde_json::{Value, json};

/// How many incidents the report lists.
pub const NOTABLE: i64 = 10;

/// Everything about one period, in numbers.
pub struct StatsData {
    pub period: Period,
    pub counts: Counts,
    /// Incidents opened per month of the period.
    pub monthly: Vec<(String, i64)>,
    pub times: TimeMetrics,
    pub national: Option<NationalTotals>,
    pub notable: Vec<Incident>,
}

pub async fn gather(
    store: &Store,
    period: Period,
    viewer: Viewer,
    now: i64,
) -> Result<StatsData, StoreError> {
    let (start, end) = (period.start_ms_jst(), period.end_ms_jst());
    let counts = store.counts(start, end).await?;
    let mut monthly = Vec::new();
    for m in period.months() {
        let p = Period::month(m);
        let c = store.counts(p.start_ms_jst(), p.end_ms_jst()).await?;
        monthly.push((m.to_string(), c.incidents));
    }
    let items = store.incident_times(start, end).await?;
    let times = TimeMetrics::compute(period, &items, now);
    let files = store.national_files().await?;
    let national = if files.is_empty() {
        None
    } else {
        let imports: Result<Vec<_>, _> = files.iter().map(|(n, t)| parse_file(n, t)).collect();
        match imports.and_then(|i| national_totals(&i, period)) {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::error!(error = %e, "stored national statistics no longer parse");
                None
            }
        }
    };
    let notable = store.notable_incidents(viewer, start, end, NOTABLE).await?;
    Ok(StatsData {
        period,
        counts,
        monthly,
        times,
        national,
        notable,
    })
}

/// A duration in the unit that reads best: seconds under a minute, minutes under an hour, hours
/// under two days, days.
pub fn fmt_duration(ms: Option<i64>, lang: Lang) -> String {
    let Some(ms) = ms else {
        return "–".into();
    };
    let h = ms as f64 / 3_600_000.0;
    let (v, unit) = if ms < 60_000 {
        (ms as f64 / 1000.0, "stats.unit.s")
    } else if h < 1.0 {
        (ms as f64 / 60_000.0, "stats.unit.min")
    } else if h < 48.0 {
        (h, "stats.unit.h")
    } else {
        (h / 24.0, "stats.unit.d")
    };
    let v = if v < 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    };
    let sep = if lang == Lang::Ja { "" } else { " " };
    format!("{v}{sep}{}", i18n::t(lang, unit))
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// The month label of a trend column: "4月" or "Apr".
fn month_label(month: &str, lang: Lang) -> String {
    let m: usize = month.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
    if lang == Lang::Ja {
        format!("{m}月")
    } else {
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        EN.get(m.wrapping_sub(1))
            .copied()
            .unwrap_or("?")
            .to_string()
    }
}

/// The clocks in the order a case runs; owner reached (the headline metric) has no SLA.
const CLOCKS: [&str; 5] = [
    "acknowledge",
    "first_response",
    "owner_reached",
    "containment",
    "closure",
];

fn clock_stats(t: &TimeMetrics, clock: &str) -> (DurationStats, Option<SlaStats>) {
    let d = &t.total.durations;
    let s = &t.total.sla;
    match clock {
        "acknowledge" => (d.acknowledge, Some(s.acknowledge)),
        "first_response" => (d.first_response, Some(s.first_response)),
        "containment" => (d.containment, Some(s.containment)),
        "owner_reached" => (d.owner_reached, None),
        _ => (d.closure, None),
    }
}

/// Template values for the page and the report, with every chart drawn.
pub fn view(data: &StatsData, lang: Lang) -> Value {
    let t = |k: &str| i18n::t(lang, k);
    let p = data.period;
    let c = &data.counts;
    let national_of = |cat: Category| {
        data.national
            .as_ref()
            .and_then(|n| n.get(NSeries::Category(cat)))
            .and_then(|t| t.value())
    };
    let national_sum: u64 = Category::all()
        .iter()
        .filter_map(|cat| national_of(*cat))
        .sum();
    let mut categories = Vec::new();
    for cat in Category::all() {
        let n = c.by_category.get(cat.as_str()).copied().unwrap_or(0);
        let nat = national_of(*cat);
        categories.push(json!({
            "key": cat.as_str(),
            "label": t(&format!("category.{}", cat.as_str())),
            "count": n,
            "share": pct((c.incidents > 0).then(|| n as f64 / c.incidents as f64)),
            "national": nat,
            "national_share": pct(nat.filter(|_| national_sum > 0).map(|v| v as f64 / national_sum as f64)),
        }));
    }
    let labels: Vec<String> = categories
        .iter()
        .map(|v| v["label"].as_str().unwrap_or_default().to_string())
        .collect();
    let ours: Vec<f64> = categories
        .iter()
        .map(|v| v["count"].as_i64().unwrap_or(0) as f64)
        .collect();
    let category_svg = charts::hbars(
        &t("stats.by_category"),
        &labels,
        &[Series {
            name: &t("stats.ours"),
            values: ours.clone(),
            texts: None,
        }],
    );
    let months: Vec<String> = data
        .monthly
        .iter()
        .map(|(m, _)| month_label(m, lang))
        .collect();
    let monthly_svg = charts::columns(
        &t("stats.monthly"),
        &months,
        &[Series {
            name: &t("stats.incidents"),
            values: data.monthly.iter().map(|(_, n)| *n as f64).collect(),
            texts: None,
        }],
    );
    let national_svg = data.national.as_ref().map(|_| {
        let share = |v: f64, total: f64| if total > 0.0 { v / total * 100.0 } else { 0.0 };
        let ours_total = ours.iter().sum::<f64>();
        let nat: Vec<f64> = Category::all()
            .iter()
            .map(|cat| national_of(*cat).unwrap_or(0) as f64)
            .collect();
        let text = |v: f64, total: f64| format!("{:.1}% ({})", share(v, total), v as u64);
        charts::hbars(
            &t("stats.national_title"),
            &labels,
            &[
                Series {
                    name: &t("stats.ours"),
                    values: ours.iter().map(|v| share(*v, ours_total)).collect(),
                    texts: Some(ours.iter().map(|v| text(*v, ours_total)).collect()),
                },
                Series {
                    name: &t("stats.national"),
                    values: nat.iter().map(|v| share(*v, national_sum as f64)).collect(),
                    texts: Some(nat.iter().map(|v| text(*v, national_sum as f64)).collect()),
                },
            ],
        )
    });
    let hours = |v: Option<i64>| v.map(|v| v as f64 / 3_600_000.0);
    let mut clocks = Vec::new();
    let mut rows = Vec::new();
    for clock in CLOCKS {
        let (d, sla) = clock_stats(&data.times, clock);
        let label = t(&format!("stats.clock.{clock}"));
        rows.push(Range {
            label: label.clone(),
            median: hours(d.median_ms),
            p90: hours(d.p90_ms),
            max: hours(d.max_ms),
            text: format!(
                "n={} · {} {} · {} {} · {} {}",
                d.count,
                t("stats.median"),
                fmt_duration(d.median_ms, lang),
                t("stats.p90"),
                fmt_duration(d.p90_ms, lang),
                t("stats.max"),
                fmt_duration(d.max_ms, lang)
            ),
        });
        clocks.push(json!({
            "label": label,
            "count": d.count,
            "median": fmt_duration(d.median_ms, lang),
            "p90": fmt_duration(d.p90_ms, lang),
            "max": fmt_duration(d.max_ms, lang),
            "sla": sla.map(|s| json!({"met": s.met, "missed": s.missed, "open": s.open, "compliance": pct(s.compliance)})),
        }));
    }
    let times_svg = charts::ranges(
        &t("stats.times"),
        &rows,
        [&t("stats.median"), &t("stats.p90"), &t("stats.max")],
    );
    let notable: Vec<Value> = data
        .notable
        .iter()
        .map(|i| {
            let open = matches!(i.tlp, Tlp::Clear | Tlp::Green);
            json!({
                "number": i.number.to_string(),
                "title": if open { i.title.clone() } else { String::new() },
                "withheld": !open,
                "tlp": i.tlp,
                "category": t(&format!("category.{}", i.classification.category.as_str())),
                "priority": t(&format!("priority.{}", i.priority.as_str())),
                "phase": t(&format!("phase.{}", i.phase.as_str())),
                "reported_at": i.reported_at,
            })
        })
        .collect();
    let label = if lang == Lang::Ja {
        p.label_ja()
    } else {
        p.label_en()
    };
    let span = if lang == Lang::Ja {
        p.span_ja()
    } else {
        p.span_en()
    };
    let tt = &data.times.total;
    json!({
        "period": p.to_string(),
        "period_label": label,
        "period_span": span,
        "reports": c.reports,
        "incidents": c.incidents,
        "exercises": c.exercises,
        "categories": categories,
        "has_national": data.national.is_some(),
        "national_reports": data.national.as_ref().and_then(|n| n.get(NSeries::Reports)).and_then(|t| t.value()),
        "clocks": clocks,
        "reopened": tt.reopened,
        "ever_closed": tt.ever_closed,
        "reopen_rate": pct(tt.reopen_rate),
        "time_incidents": tt.incidents,
        "notable": notable,
        "svg": {
            "category": category_svg,
            "monthly": monthly_svg,
            "national": national_svg,
            "times": times_svg,
        },
    })
}

/// Periods offered by the page's selector, newest first: five fiscal years, five calendar
/// years, eight quarters and twelve months back from the one containing `now`.
pub fn period_choices(now: i64) -> Value {
    use hikeshi_domain::period::PeriodKind;
    let back = |kind: PeriodKind, n: usize| -> Vec<String> {
        let Ok(mut p) = Period::containing_ms_jst(kind, now) else {
            return vec![];
        };
        let mut out = vec![p.to_string()];
        while out.len() < n {
            let Ok(prev) = Period::containing_ms_jst(kind, p.start_ms_jst() - 1) else {
                break;
            };
            p = prev;
            out.push(p.to_string());
        }
        out
    };
    json!({
        "fy": back(PeriodKind::FiscalYear, 5),
        "year": back(PeriodKind::Year, 5),
        "quarter": back(PeriodKind::Quarter, 8),
        "month": back(PeriodKind::Month, 12),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_best_unit_in_both_languages() {
        let cases = [
            (Some(1_500), "1.5 s", "1.5秒"),
            (Some(90_000), "1.5 min", "1.5分"),
            (Some(45 * 60_000), "45 min", "45分"),
            (Some(3 * 3_600_000), "3.0 h", "3.0時間"),
            (Some(72 * 3_600_000), "3.0 d", "3.0日"),
            (None, "–", "–"),
        ];
        for (ms, en, ja) in cases {
            assert_eq!(fmt_duration(ms, Lang::En), en);
            assert_eq!(fmt_duration(ms, Lang::Ja), ja);
        }
        assert_eq!(month_label("2026-04", Lang::Ja), "4月");
        assert_eq!(month_label("2027-01", Lang::En), "Jan");
    }
}
