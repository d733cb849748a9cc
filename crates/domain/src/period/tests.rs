//! Golden tables for the period arithmetic: the boundaries where counting goes wrong (March vs
//! April, December vs January, midnight in Japan vs midnight in UTC, leap years).

use super::*;
use crate::time::{parse_rfc3339, rfc3339};

fn p(s: &str) -> Period {
    s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn ms(s: &str) -> i64 {
    parse_rfc3339(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

#[test]
fn each_form_parses_to_its_months_and_jst_bounds() {
    // input, canonical, first, last, start (UTC), end (UTC, exclusive)
    #[rustfmt::skip]
    let table = [
        ("2015-04", "2015-04", "2015-04", "2015-04", "2015-03-31T15:00:00.000Z", "2015-04-30T15:00:00.000Z"),
        ("201504", "2015-04", "2015-04", "2015-04", "2015-03-31T15:00:00.000Z", "2015-04-30T15:00:00.000Z"),
        ("2015-4", "2015-04", "2015-04", "2015-04", "2015-03-31T15:00:00.000Z", "2015-04-30T15:00:00.000Z"),
        ("2015Q2", "2015Q2", "2015-04", "2015-06", "2015-03-31T15:00:00.000Z", "2015-06-30T15:00:00.000Z"),
        ("2015-q4", "2015Q4", "2015-10", "2015-12", "2015-09-30T15:00:00.000Z", "2015-12-31T15:00:00.000Z"),
        ("cy2016q1", "2016Q1", "2016-01", "2016-03", "2015-12-31T15:00:00.000Z", "2016-03-31T15:00:00.000Z"),
        ("2015", "2015", "2015-01", "2015-12", "2014-12-31T15:00:00.000Z", "2015-12-31T15:00:00.000Z"),
        ("CY2015", "2015", "2015-01", "2015-12", "2014-12-31T15:00:00.000Z", "2015-12-31T15:00:00.000Z"),
        ("FY2015", "FY2015", "2015-04", "2016-03", "2015-03-31T15:00:00.000Z", "2016-03-31T15:00:00.000Z"),
        ("fy2015", "FY2015", "2015-04", "2016-03", "2015-03-31T15:00:00.000Z", "2016-03-31T15:00:00.000Z"),
        ("FY2015Q1", "FY2015Q1", "2015-04", "2015-06", "2015-03-31T15:00:00.000Z", "2015-06-30T15:00:00.000Z"),
        ("FY2015-Q3", "FY2015Q3", "2015-10", "2015-12", "2015-09-30T15:00:00.000Z", "2015-12-31T15:00:00.000Z"),
        // Q4 of a fiscal year is January–March of the next calendar year.
        ("fy2015q4", "FY2015Q4", "2016-01", "2016-03", "2015-12-31T15:00:00.000Z", "2016-03-31T15:00:00.000Z"),
        // Leap years: 2016 and 2000 have a February 29th, 1900 and 2100 do not.
        ("2016-02", "2016-02", "2016-02", "2016-02", "2016-01-31T15:00:00.000Z", "2016-02-29T15:00:00.000Z"),
        ("2015-02", "2015-02", "2015-02", "2015-02", "2015-01-31T15:00:00.000Z", "2015-02-28T15:00:00.000Z"),
        ("2000-02", "2000-02", "2000-02", "2000-02", "2000-01-31T15:00:00.000Z", "2000-02-29T15:00:00.000Z"),
        ("2100-02", "2100-02", "2100-02", "2100-02", "2100-01-31T15:00:00.000Z", "2100-02-28T15:00:00.000Z"),
        // Before 1970: negative milliseconds.
        ("1969-12", "1969-12", "1969-12", "1969-12", "1969-11-30T15:00:00.000Z", "1969-12-31T15:00:00.000Z"),
        // Labels people copy back in, Japanese, full-width and English.
        ("2015年度", "FY2015", "2015-04", "2016-03", "2015-03-31T15:00:00.000Z", "2016-03-31T15:00:00.000Z"),
        ("２０１５年度", "FY2015", "2015-04", "2016-03", "2015-03-31T15:00:00.000Z", "2016-03-31T15:00:00.000Z"),
        ("ＦＹ２０１５", "FY2015", "2015-04", "2016-03", "2015-03-31T15:00:00.000Z", "2016-03-31T15:00:00.000Z"),
        ("2015年4月", "2015-04", "2015-04", "2015-04", "2015-03-31T15:00:00.000Z", "2015-04-30T15:00:00.000Z"),
        ("2015年第2四半期", "2015Q2", "2015-04", "2015-06", "2015-03-31T15:00:00.000Z", "2015-06-30T15:00:00.000Z"),
        ("2015年度第四四半期", "FY2015Q4", "2016-01", "2016-03", "2015-12-31T15:00:00.000Z", "2016-03-31T15:00:00.000Z"),
        ("2015年", "2015", "2015-01", "2015-12", "2014-12-31T15:00:00.000Z", "2015-12-31T15:00:00.000Z"),
        ("April 2015", "2015-04", "2015-04", "2015-04", "2015-03-31T15:00:00.000Z", "2015-04-30T15:00:00.000Z"),
        ("dec 2015", "2015-12", "2015-12", "2015-12", "2015-11-30T15:00:00.000Z", "2015-12-31T15:00:00.000Z"),
        ("Q4 2015", "2015Q4", "2015-10", "2015-12", "2015-09-30T15:00:00.000Z", "2015-12-31T15:00:00.000Z"),
        ("  FY2015 Q2 ", "FY2015Q2", "2015-07", "2015-09", "2015-06-30T15:00:00.000Z", "2015-09-30T15:00:00.000Z"),
        // The last supported month: its exclusive end lies in the year 10000.
        ("9999-12", "9999-12", "9999-12", "9999-12", "9999-11-30T15:00:00.000Z", "9999-12-31T15:00:00.000Z"),
    ];
    for (input, canonical, first, last, start, end) in table {
        let period = p(input);
        assert_eq!(period.to_string(), canonical, "{input:?}");
        assert_eq!(period.first_month().to_string(), first, "{input:?}");
        assert_eq!(period.last_month().to_string(), last, "{input:?}");
        assert_eq!(rfc3339(period.start_ms_jst()), start, "{input:?}");
        assert_eq!(rfc3339(period.end_ms_jst()), end, "{input:?}");
    }
}

#[test]
fn an_instant_counts_in_the_month_it_falls_in_in_japan() {
    // instant, month, calendar quarter, year, fiscal year, fiscal quarter
    #[rustfmt::skip]
    let table = [
        // 23:59:59.999 JST on March 31st is still FY2014; one millisecond later is FY2015.
        ("2015-03-31T14:59:59.999Z", "2015-03", "2015Q1", "2015", "FY2014", "FY2014Q4"),
        ("2015-03-31T15:00:00.000Z", "2015-04", "2015Q2", "2015", "FY2015", "FY2015Q1"),
        // Midnight UTC on April 1st is already 09:00 JST: FY2015 either way.
        ("2015-04-01T00:00:00.000Z", "2015-04", "2015Q2", "2015", "FY2015", "FY2015Q1"),
        // New Year in Japan comes nine hours before New Year in UTC.
        ("2015-12-31T14:59:59.999Z", "2015-12", "2015Q4", "2015", "FY2015", "FY2015Q3"),
        ("2015-12-31T15:00:00.000Z", "2016-01", "2016Q1", "2016", "FY2015", "FY2015Q4"),
        ("2016-02-29T14:59:59.999Z", "2016-02", "2016Q1", "2016", "FY2015", "FY2015Q4"),
        ("2016-02-29T15:00:00.000Z", "2016-03", "2016Q1", "2016", "FY2015", "FY2015Q4"),
        ("2016-03-31T15:00:00.000Z", "2016-04", "2016Q2", "2016", "FY2016", "FY2016Q1"),
        ("1969-12-31T14:59:59.999Z", "1969-12", "1969Q4", "1969", "FY1969", "FY1969Q3"),
        ("1969-12-31T15:00:00.000Z", "1970-01", "1970Q1", "1970", "FY1969", "FY1969Q4"),
    ];
    for (instant, month, quarter, year, fy, fq) in table {
        let t = ms(instant);
        assert_eq!(
            Month::from_ms_jst(t).map(|m| m.to_string()),
            Ok(month.into()),
            "{instant}"
        );
        for (kind, want) in [
            (PeriodKind::Month, month),
            (PeriodKind::Quarter, quarter),
            (PeriodKind::Year, year),
            (PeriodKind::FiscalYear, fy),
            (PeriodKind::FiscalQuarter, fq),
        ] {
            let got = Period::containing_ms_jst(kind, t).map(|p| p.to_string());
            assert_eq!(got, Ok(want.into()), "{instant} {kind:?}");
            assert!(p(want).contains_ms(t), "{want} should contain {instant}");
            assert!(p(want).contains(p(month).first_month()));
        }
    }
}

#[test]
fn bounds_are_half_open_so_adjacent_periods_share_no_instant() {
    let (fy14, fy15) = (p("FY2014"), p("FY2015"));
    assert_eq!(fy14.end_ms_jst(), fy15.start_ms_jst());
    assert!(!fy14.contains_ms(fy15.start_ms_jst()));
    assert!(fy14.contains_ms(fy15.start_ms_jst() - 1));
    assert_eq!(p("FY2015Q4").end_ms_jst(), p("2016Q2").start_ms_jst());
    assert!(!fy15.contains(p("2015-03").first_month()));
    assert!(fy15.contains(p("2016-03").first_month()));
    assert!(!fy15.contains(p("2016-04").first_month()));
}

#[test]
fn a_fiscal_year_iterates_april_to_march() {
    let months: Vec<String> = p("FY2015").months().map(|m| m.to_string()).collect();
    let want = [
        "2015-04", "2015-05", "2015-06", "2015-07", "2015-08", "2015-09", "2015-10", "2015-11",
        "2015-12", "2016-01", "2016-02", "2016-03",
    ];
    assert_eq!(months, want);
    assert_eq!(p("FY2015").months().len(), 12);
    assert_eq!(
        p("2015Q4").months().map(|m| m.month()).collect::<Vec<_>>(),
        [10, 11, 12]
    );
    assert_eq!(p("2015-04").months().count(), 1);
}

#[test]
fn labels_in_japanese_and_english() {
    // canonical, Japanese, English, Japanese span, English span
    #[rustfmt::skip]
    let table = [
        ("2015-04", "2015年4月", "April 2015", "2015年4月1日～2015年4月30日", "1 April 2015 – 30 April 2015"),
        ("2015Q2", "2015年第2四半期", "Q2 2015", "2015年4月1日～2015年6月30日", "1 April 2015 – 30 June 2015"),
        ("2016", "2016年", "2016", "2016年1月1日～2016年12月31日", "1 January 2016 – 31 December 2016"),
        ("FY2015", "2015年度", "FY2015", "2015年4月1日～2016年3月31日", "1 April 2015 – 31 March 2016"),
        ("FY2015Q4", "2015年度第4四半期", "FY2015 Q4", "2016年1月1日～2016年3月31日", "1 January 2016 – 31 March 2016"),
        ("2016-02", "2016年2月", "February 2016", "2016年2月1日～2016年2月29日", "1 February 2016 – 29 February 2016"),
    ];
    for (canonical, ja, en, span_ja, span_en) in table {
        let period = p(canonical);
        assert_eq!(
            (
                period.label_ja(),
                period.label_en(),
                period.span_ja(),
                period.span_en()
            ),
            (ja.into(), en.into(), span_ja.into(), span_en.into())
        );
    }
}

#[test]
fn every_label_parses_back_to_its_period() {
    let mut periods = vec![];
    for year in [1, 999, 1999, 2015, 2016, 9998] {
        periods.push(Period::year(year).unwrap());
        periods.push(Period::fiscal_year(year).unwrap());
        for q in 1..=4 {
            periods.push(Period::quarter(year, q).unwrap());
            periods.push(Period::fiscal_quarter(year, q).unwrap());
        }
        for m in 1..=12 {
            periods.push(Period::month(Month::new(year, m).unwrap()));
        }
    }
    for period in periods {
        for text in [period.to_string(), period.label_ja(), period.label_en()] {
            assert_eq!(text.parse::<Period>(), Ok(period), "{text:?}");
        }
    }
}

#[test]
fn bad_periods_get_an_error_that_says_what_is_wrong() {
    use PeriodError::*;
    let un = |s: &str| Unrecognised { input: s.into() };
    #[rustfmt::skip]
    let table: [(&str, PeriodError); 14] = [
        ("", un("")),
        ("next year", un("next year")),
        ("FY15", un("FY15")),
        ("15Q2", un("15Q2")),
        ("20150", un("20150")),
        ("2015-04-01", un("2015-04-01")),
        ("FY2015Qx", un("FY2015Qx")),
        ("平成27年度", un("平成27年度")),
        ("2015-13", BadMonth { month: 13 }),
        ("201500", BadMonth { month: 0 }),
        ("2015年13月", BadMonth { month: 13 }),
        ("FY2015Q5", BadQuarter { quarter: 5 }),
        ("2015Q0", BadQuarter { quarter: 0 }),
        // FY9999 would end in March of the year 10000.
        ("FY9999", YearOutOfRange { year: 10000 }),
    ];
    for (input, want) in table {
        assert_eq!(input.parse::<Period>(), Err(want), "{input:?}");
    }
    let message = "FY15".parse::<Period>().unwrap_err().to_string();
    assert!(
        message.contains("\"FY15\"") && message.contains("FY2015"),
        "{message}"
    );
    assert_eq!(
        "FY2015".parse::<Month>(),
        Err(NotAMonth {
            input: "FY2015".into()
        })
    );
    assert_eq!("2015-13".parse::<Month>(), Err(BadMonth { month: 13 }));
    assert_eq!(Month::new(0, 1), Err(YearOutOfRange { year: 0 }));
    assert_eq!(Month::new(2015, 0), Err(BadMonth { month: 0 }));
    assert_eq!(
        Month::from_ms_jst(i64::MAX),
        Err(TimestampOutOfRange { ms: i64::MAX })
    );
    assert!(Month::from_ms_jst(i64::MIN).is_err());
    // The fiscal year of January 0001 would begin in the year 0.
    let first = Month::new(1, 1).unwrap();
    assert_eq!(
        Period::containing(PeriodKind::FiscalYear, first),
        Err(YearOutOfRange { year: 0 })
    );
}

#[test]
fn month_arithmetic_agrees_with_the_time_crate_for_three_centuries() {
    // An independent oracle: `time` computes the same instants its own way.
    let jst = time::UtcOffset::from_hms(9, 0, 0).unwrap();
    for year in 1900..2200 {
        for m in 1..=12u8 {
            let month = Month::new(year, m).unwrap();
            let date =
                time::Date::from_calendar_date(year, time::Month::try_from(m).unwrap(), 1).unwrap();
            let want = date.midnight().assume_offset(jst).unix_timestamp() * 1000;
            assert_eq!(month.start_ms_jst(), want, "{month}");
            assert_eq!(Month::from_ms_jst(want), Ok(month));
            assert_eq!(Month::from_ms_jst(want - 1).ok(), month.prev());
            let next_month = date.month().next();
            assert_eq!(month.days(), date.month().length(year), "{month}");
            assert_eq!(month.next().map(|n| n.month()), Some(next_month as u8));
        }
    }
}

#[test]
fn periods_and_months_travel_as_their_canonical_strings() {
    let json = serde_json::to_string(&(p("FY2015"), p("2015-04").first_month())).unwrap();
    assert_eq!(json, r#"["FY2015","2015-04"]"#);
    let back: (Period, Month) = serde_json::from_str(&json).unwrap();
    assert_eq!(back, (p("FY2015"), p("2015-04").first_month()));
    assert!(serde_json::from_str::<Period>(r#""FY15""#).is_err());
    assert_eq!(
        serde_json::to_string(&PeriodKind::FiscalQuarter).unwrap(),
        r#""fiscal-quarter""#
    );
}
