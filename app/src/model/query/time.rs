//! RFC 3339 instants as UTC microseconds, without a date crate (the model also runs in the
//! browser). Days are converted with Howard Hinnant's days-from-civil algorithm.

const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
/// `9999-12-31T23:59:59.999999Z`, the last instant a four-digit year can spell.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

/// Reads `2025-01-01T12:30:00Z`, `2025-01-01T12:30:00.250+02:00` (at most six fraction
/// digits) or a bare date `2025-01-01` (midnight UTC) as UTC microseconds since the epoch.
/// Returns `None` for anything else, for impossible dates and times (February 30, hour 24,
/// second 60) and for instants outside 1970–9999.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date_us = days_from_civil(year, month, day) * SECONDS_PER_DAY * MICROS_PER_SECOND;
    if b.len() == 10 {
        return Some(date_us);
    }

    // Time of day: `THH:MM:SS`.
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[19..];

    // Optional fraction, up to microseconds.
    let mut micros = 0;
    if let Some((b'.', after)) = rest.split_first() {
        let len = after.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 || len > 6 {
            return None;
        }
        micros = digits(&after[..len])? * 10_i64.pow(6 - len as u32);
        rest = &after[len..];
    }

    // Offset: `Z` or `±HH:MM`.
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let offset = h * 3600 + m * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };

    let seconds = hour * 3600 + minute * 60 + second - offset_seconds;
    let us = date_us + seconds * MICROS_PER_SECOND + micros;
    (0..=MAX_MICROS).contains(&us).then_some(us)
}

/// Writes UTC microseconds as `2025-01-01T12:30:00Z`, with `.ffffff` only when the
/// instant is not a whole second.
pub fn format_rfc3339(us: i64) -> String {
    let seconds = us.div_euclid(MICROS_PER_SECOND);
    let micros = us.rem_euclid(MICROS_PER_SECOND);
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let of_day = seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    let mut out = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if micros != 0 {
        out.push_str(&format!(".{micros:06}"));
    }
    out.push('Z');
    out
}

fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
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

    const JAN_1_2025: i64 = 1_735_689_600_000_000;

    #[test]
    fn times_round_trip_through_rfc3339() {
        let rows = [
            ("1970-01-01T00:00:00Z", 0),
            ("2025-01-01T00:00:00Z", JAN_1_2025),
            ("2024-02-29T23:59:59.000001Z", 1_709_251_199_000_001),
            ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
        ];
        for (text, us) in rows {
            assert_eq!(parse_rfc3339(text), Some(us), "{text}");
            assert_eq!(format_rfc3339(us), text);
        }
        assert_eq!(parse_rfc3339("2025-01-01"), Some(JAN_1_2025));
        assert_eq!(
            parse_rfc3339("2025-01-01t01:30:00.5+01:30"),
            Some(JAN_1_2025 + 500_000)
        );
        assert_eq!(parse_rfc3339("2024-12-31T19:00:00-05:00"), Some(JAN_1_2025));
    }

    #[test]
    fn impossible_or_out_of_range_times_are_refused() {
        for text in [
            "2025-02-30",
            "2023-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-04-31",
            "2025-01-01T24:00:00Z",
            "2025-01-01T12:60:00Z",
            "2025-01-01T12:00:60Z",
            "2025-01-01T12:00:00",
            "2025-01-01T12:00:00.1234567Z",
            "2025-01-01T12:00:00.Z",
            "2025-01-01T12:00:00+24:00",
            "1969-12-31",
            "1970-01-01T00:00:00+01:00",
            "9999-12-31T23:00:00-02:00",
            "10000-01-01",
            "2025-1-01",
            "25-01-01",
            "",
            "2025-01-01T",
            "２０２５-01-01",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
        assert!(parse_rfc3339("2000-02-29").is_some() && parse_rfc3339("1900-02-29").is_none());
    }
}
