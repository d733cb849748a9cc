//! What the statistics page and the periodic report show: a period's counts (by category,
//! priority and constituency, with the coordinated cases), its monthly trend, the national
//! comparison when JPCERT/CC's figures are imported, time metrics and the notable incidents,
//! gathered once and turned into template values and SVG charts in one language. The counts
//! come from the store's monthly rollups, so they cost the same whatever the size of the tables.
//!
//! The report is meant for distribution, so its incident list follows one rule (also in
//! docs/statistics.md): an incident marked TLP:RED is counted in the totals but never listed,
//! whoever renders the report; a TLP:AMBER or AMBER+STRICT incident is listed by number,
//! category, priority, phase and date with its title withheld; only TLP:CLEAR and TLP:GREEN
//! incidents show their titles. Only incidents the viewer may see are considered at all.

use crate::charts::{self, Range, Series};
use crate::i18n::{self, Lang};
use hikeshi_domain::period::Period;
use hikeshi_domain::time_metrics::{DurationStats, SlaStats, TimeSummary};
use hikeshi_domain::{Category, Incident, Named, Priority, Tlp};
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
    /// The counts of each month of the period ("2026-04").
    pub monthly: Vec<(String, Counts)>,
    /// The period's time metrics (the page and the report show no monthly trend of them).
    pub times: TimeSummary,
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
    // Independent reads, each on its own pool connection: the page waits for the slowest.
    let ((counts, months), times, files, notable) = tokio::try_join!(
        store.period_counts(period),
        store.time_summary(start, end, now),
        store.national_files(),
        store.notable_incidents(viewer, start, end, NOTABLE),
    )?;
    let monthly = months
        .into_iter()
        .map(|(m, c)| (m.to_string(), c))
        .collect();
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

fn clock_stats(t: &TimeSummary, clock: &str) -> (DurationStats, Option<SlaStats>) {
    let d = &t.durations;
    let s = &t.sla;
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
            "coordinated": c.coordinated_by_category.get(cat.as_str()).copied().unwrap_or(0),
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
        &[
            Series {
                name: &t("stats.incidents"),
                values: data
                    .monthly
                    .iter()
                    .map(|(_, c)| c.incidents as f64)
                    .collect(),
                texts: None,
            },
            Series {
                name: &t("stats.coordinated"),
                values: data
                    .monthly
                    .iter()
                    .map(|(_, c)| c.coordinated as f64)
                    .collect(),
                texts: None,
            },
        ],
    );
    let (constituencies, constituency_svg) = by_constituency(c, lang);
    let priorities: Vec<Value> = Priority::all()
        .iter()
        .map(|p| {
            json!({
                "label": t(&format!("priority.{}", p.as_str())),
                "count": c.by_priority.get(p.as_str()).copied().unwrap_or(0),
                "coordinated": c.coordinated_by_priority.get(p.as_str()).copied().unwrap_or(0),
            })
        })
        .collect();
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
    let tt = &data.times;
    json!({
        "period": p.to_string(),
        "period_label": label,
        "period_span": span,
        "reports": c.reports,
        "incidents": c.incidents,
        "exercises": c.exercises,
        "coordinated": c.coordinated,
        "categories": categories,
        "priorities": priorities,
        "constituencies": constituencies,
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
            "constituency": constituency_svg,
        },
    })
}

/// The counts of a period as the API and `hikeshi stats summary` give them: the period, its
/// labels, the counts and the counts of each of its months.
pub fn summary_json(
    p: Period,
    counts: &Counts,
    months: &[(hikeshi_domain::period::Month, Counts)],
) -> Value {
    json!({
        "period": p.to_string(),
        "label_ja": p.label_ja(),
        "label_en": p.label_en(),
        "counts": counts,
        "months": months.iter().map(|(m, c)| json!({"month": m.to_string(), "counts": c})).collect::<Vec<_>>(),
    })
}

/// The counts as CSV, `dimension,value,count`: the totals, then one line per category,
/// priority, attacker class, RSIT type and constituency of the incidents, constituency of the
/// reports, and category, priority and constituency of the coordinated cases. An empty
/// constituency is "not known". Cells a spreadsheet would run as a formula are quoted and
/// prefixed with `'`.
pub fn summary_csv(c: &Counts) -> String {
    let mut out = String::from("dimension,value,count\n");
    out.push_str(&format!(
        "total,reports,{}\ntotal,incidents,{}\ntotal,exercises,{}\ntotal,coordinated,{}\n",
        c.reports, c.incidents, c.exercises, c.coordinated
    ));
    for (dim, map) in [
        ("category", &c.by_category),
        ("priority", &c.by_priority),
        ("attacker", &c.by_attacker),
        ("rsit", &c.by_rsit),
        ("constituency", &c.by_constituency),
        ("report_constituency", &c.reports_by_constituency),
        ("coordinated_category", &c.coordinated_by_category),
        ("coordinated_priority", &c.coordinated_by_priority),
        ("coordinated_constituency", &c.coordinated_by_constituency),
    ] {
        for (k, v) in map {
            out.push_str(&format!("{dim},{},{v}\n", csv_cell(k)));
        }
    }
    out
}

/// One CSV cell: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or
/// `@` (a formula to a spreadsheet; constituencies are typed by people) quoted behind `'`.
fn csv_cell(v: &str) -> String {
    let formula = v.starts_with(['=', '+', '-', '@']);
    if formula || v.contains([',', '"', '\n', '\r']) {
        format!(
            "\"{}{}\"",
            if formula { "'" } else { "" },
            v.replace('"', "\"\"")
        )
    } else {
        v.to_string()
    }
}

/// One row per constituency seen in the period (reports, incidents opened, cases coordinated),
/// most incidents first, the unnamed one ("not known") last; and their chart.
fn by_constituency(c: &Counts, lang: Lang) -> (Vec<Value>, String) {
    let t = |k: &str| i18n::t(lang, k);
    let get = |m: &std::collections::BTreeMap<String, i64>, k: &str| m.get(k).copied().unwrap_or(0);
    let mut names: Vec<&String> = c
        .reports_by_constituency
        .keys()
        .chain(c.by_constituency.keys())
        .chain(c.coordinated_by_constituency.keys())
        .collect();
    names.sort_by_key(|k| (k.is_empty(), -get(&c.by_constituency, k), (*k).clone()));
    names.dedup();
    let rows: Vec<Value> = names
        .iter()
        .map(|k| {
            json!({
                "label": if k.is_empty() { t("stats.no_constituency") } else { (*k).clone() },
                "reports": get(&c.reports_by_constituency, k),
                "incidents": get(&c.by_constituency, k),
                "coordinated": get(&c.coordinated_by_constituency, k),
            })
        })
        .collect();
    let labels: Vec<String> = rows
        .iter()
        .map(|r| r["label"].as_str().unwrap_or_default().to_string())
        .collect();
    let series = |key: &str| -> Vec<f64> {
        rows.iter()
            .map(|r| r[key].as_i64().unwrap_or(0) as f64)
            .collect()
    };
    let svg = charts::hbars(
        &t("stats.by_constituency"),
        &labels,
        &[
            Series {
                name: &t("stats.reports"),
                values: series("reports"),
                texts: None,
            },
            Series {
                name: &t("stats.incidents"),
                values: series("incidents"),
                texts: None,
            },
            Series {
                name: &t("stats.coordinated"),
                values: series("coordinated"),
                texts: None,
            },
        ],
    );
    (rows, svg)
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

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("tokyo"), "tokyo");
        assert_eq!(csv_cell("東京, 本社"), "\"東京, 本社\"");
        assert_eq!(csv_cell("a\"b"), "\"a\"\"b\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        let mut c = Counts::default();
        c.by_constituency.insert("=1+1".into(), 2);
        c.coordinated = 3;
        let csv = summary_csv(&c);
        assert!(csv.contains("total,coordinated,3\n"), "{csv}");
        assert!(csv.contains("constituency,\"'=1+1\",2\n"), "{csv}");
    }
}
