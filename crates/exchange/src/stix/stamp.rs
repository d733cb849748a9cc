//! STIX timestamps written without allocating: the export formats three per indicator, and
//! going through `time`'s format descriptions and a `String` each time was a tenth of it.

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the epoch: byte for byte what
/// [`hikeshi_domain::time::rfc3339`] writes. Years 0000–9999 are formatted here, on the stack;
/// anything else (which no real indicator has) is left to that function.
pub enum Stamp {
    Fast([u8; 24]),
    Other(String),
}

impl Stamp {
    pub fn new(ms: i64) -> Stamp {
        let days = ms.div_euclid(86_400_000);
        let in_day = ms.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        if !(0..=9999).contains(&year) {
            return Stamp::Other(hikeshi_domain::time::rfc3339(ms));
        }
        let mut b = *b"0000-00-00T00:00:00.000Z";
        let mut put = |at: usize, width: usize, mut n: i64| {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, 4, year);
        put(5, 2, month);
        put(8, 2, day);
        put(11, 2, in_day / 3_600_000);
        put(14, 2, in_day / 60_000 % 60);
        put(17, 2, in_day / 1000 % 60);
        put(20, 3, in_day % 1000);
        Stamp::Fast(b)
    }

    /// ASCII digits, `-`, `:`, `.`, `T`, `Z` (and `+` outside 0000–9999): nothing to
    /// escape in JSON.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Stamp::Fast(b) => b,
            Stamp::Other(s) => s.as_bytes(),
        }
    }
}

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 in the proleptic Gregorian
/// calendar (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikeshi_domain::time::rfc3339;

    #[test]
    fn the_same_text_as_the_domain_formatter() {
        let mut samples = vec![
            0,
            -1,
            1,
            999,
            -86_400_000,
            -86_400_001,
            951_782_400_000,     // 2000-02-29
            4_107_542_400_000,   // 2100-03-01
            253_402_300_799_999, // 9999-12-31T23:59:59.999Z
            253_402_300_800_000, // 10000-01-01: the fallback
            -62_167_219_200_000, // 0000-01-01
            -62_167_219_200_001, // -0001-12-31: the fallback
            i64::MAX,
            i64::MIN,
        ];
        // Every day boundary for six years around a leap year, and a spread over 0–9999.
        let day = 86_400_000;
        samples.extend((0..6 * 366).map(|d| 1_700_000_000_000 + d * day - 1));
        let mut ms: i64 = -62_167_219_200_000;
        while ms < 253_402_300_800_000 {
            samples.push(ms);
            ms += 7_654_321_987;
        }
        for ms in samples {
            assert_eq!(Stamp::new(ms).as_bytes(), rfc3339(ms).as_bytes(), "ms {ms}");
        }
    }
}
