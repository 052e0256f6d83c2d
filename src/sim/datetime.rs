//! PostgreSQL's text output for dates and times: timestamps (`timestamptz_out` with
//! DateStyle ISO and TimeZone UTC), the server log's `%m` prefix (log_timezone UTC) and
//! intervals (IntervalStyle postgres).
//!
//! It lives in the model because the model writes its own log lines and its views hold
//! timestamps; psql and the SQL executor above use the same functions.
const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;

/// PostgreSQL's interval output (IntervalStyle postgres) for a span in microseconds.
///
/// This is an interval whose whole value sits in the time field, as the server builds
/// the `*_lag` columns of `pg_stat_replication`: days are never split out, so hours can
/// exceed 24 ("26:00:00"). The fraction of a second loses its trailing zeros and a
/// negative span prints as "-HH:MM:SS[.ffffff]".
pub fn format_interval(micros: i64) -> String {
    format_interval_parts(0, 0, micros)
}

/// PostgreSQL's interval output (IntervalStyle postgres) for an interval's three
/// fields: months, days and microseconds, as `interval_out` prints them.
///
/// For example `(0, 1, 3_661_000_000)` is "1 day 01:01:01", `(0, 2, 0)` is "2 days",
/// `(14, 0, 0)` is "1 year 2 mons" and `(0, -1, -3_600_000_000)` is
/// "-1 days -01:00:00". Use [`format_interval_justified`] for timestamp differences.
pub fn format_interval_parts(months: i32, days: i32, micros: i64) -> String {
    let years = i64::from(months / 12);
    let mons = i64::from(months % 12);
    let hours = micros / USECS_PER_HOUR;
    let mut rest = micros - hours * USECS_PER_HOUR;
    let mins = rest / USECS_PER_MINUTE;
    rest -= mins * USECS_PER_MINUTE;
    let secs = rest / USECS_PER_SEC;
    let fsec = rest - secs * USECS_PER_SEC;

    let mut out = String::new();
    let mut is_zero = true;
    let mut is_before = false;
    add_postgres_int_part(&mut out, years, "year", &mut is_zero, &mut is_before);
    add_postgres_int_part(&mut out, mons, "mon", &mut is_zero, &mut is_before);
    add_postgres_int_part(
        &mut out,
        i64::from(days),
        "day",
        &mut is_zero,
        &mut is_before,
    );
    if is_zero || hours != 0 || mins != 0 || secs != 0 || fsec != 0 {
        let minus = hours < 0 || mins < 0 || secs < 0 || fsec < 0;
        if !is_zero {
            out.push(' ');
        }
        if minus {
            out.push('-');
        } else if is_before {
            out.push('+');
        }
        out.push_str(&format!(
            "{:02}:{:02}:{:02}",
            hours.unsigned_abs(),
            mins.unsigned_abs(),
            secs.unsigned_abs()
        ));
        out.push_str(&fraction_digits(fsec.unsigned_abs()));
    }
    out
}

/// PostgreSQL's interval output for a difference of two timestamps in microseconds, as
/// `timestamptz - timestamptz` returns it: the difference goes through `justify_hours`,
/// so whole days are split out ("1 day 02:00:00", "-1 days -02:00:00").
pub fn format_interval_justified(micros: i64) -> String {
    let days = micros / USECS_PER_DAY;
    let time = micros - days * USECS_PER_DAY;
    // |days| <= i64::MAX / 86_400_000_000, far inside i32.
    let days = i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX });
    format_interval_parts(0, days, time)
}

/// `AddPostgresIntPart`: "N unit[s]", separated by a space from what precedes it, with a
/// "+" when the previous part was negative and this one is positive.
fn add_postgres_int_part(
    out: &mut String,
    value: i64,
    unit: &str,
    is_zero: &mut bool,
    is_before: &mut bool,
) {
    if value == 0 {
        return;
    }
    if !*is_zero {
        out.push(' ');
    }
    if *is_before && value > 0 {
        out.push('+');
    }
    out.push_str(&format!("{value} {unit}"));
    if value != 1 {
        out.push('s');
    }
    *is_before = value < 0;
    *is_zero = false;
}

/// ".ffffff" for a fraction of a second in microseconds, trailing zeros trimmed;
/// empty when the fraction is zero (PostgreSQL's `AppendSeconds`).
fn fraction_digits(frac_micros: u64) -> String {
    if frac_micros == 0 {
        return String::new();
    }
    let digits = format!("{frac_micros:06}");
    format!(".{}", digits.trim_end_matches('0'))
}

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

/// A broken-down UTC time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
}

/// The proleptic Gregorian date of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`), as (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day and month are within 1..=31 and 1..=12 by construction.
    (year, month as u32, day as u32)
}

fn civil_from_unix_micros(unix_micros: i64) -> Civil {
    let days = unix_micros.div_euclid(USECS_PER_DAY);
    let in_day = unix_micros.rem_euclid(USECS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: in_day / USECS_PER_HOUR,
        minute: in_day % USECS_PER_HOUR / USECS_PER_MINUTE,
        second: in_day % USECS_PER_MINUTE / USECS_PER_SEC,
        micros: in_day % USECS_PER_SEC,
    }
}

/// timestamptz output with TimeZone=UTC, e.g. "2026-11-24 21:10:52.039123+00"
/// (trailing zeros of the fraction trimmed, no fraction when zero).
///
/// Mirrors `EncodeDateTime` with DateStyle ISO; years before 1 AD print as PostgreSQL
/// does, with the year counted back from 1 and " BC" at the end.
pub fn format_timestamptz(unix_micros: i64) -> String {
    let t = civil_from_unix_micros(unix_micros);
    let (year, bc) = if t.year > 0 {
        (t.year, "")
    } else {
        (1 - t.year, " BC")
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}+00{}",
        year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        fraction_digits(t.micros.unsigned_abs()),
        bc
    )
}

/// The server log's timestamp (log_line_prefix '%m'), e.g. "2026-11-24 21:10:52.039 UTC"
/// (always 3 digits of milliseconds).
///
/// Mirrors `setup_formatted_log_time` with log_timezone UTC: milliseconds are the
/// microseconds truncated, not rounded.
pub fn format_log_timestamp(unix_micros: i64) -> String {
    let t = civil_from_unix_micros(unix_micros);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC",
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.micros / 1000
    )
}

/// A syslog/journal timestamp, e.g. "Nov 24 09:00:00" (journalctl's short format).
pub fn format_syslog_timestamp(unix_micros: i64) -> String {
    let t = civil_from_unix_micros(unix_micros);
    format!(
        "{} {:02} {:02}:{:02}:{:02}",
        MONTHS[(t.month as usize).saturating_sub(1) % 12],
        t.day,
        t.hour,
        t.minute,
        t.second
    )
}

/// systemd's timestamp, e.g. "Tue 2026-11-24 09:00:00 UTC" (`systemctl status`).
pub fn format_systemd_timestamp(unix_micros: i64) -> String {
    let t = civil_from_unix_micros(unix_micros);
    // 1970-01-01 was a Thursday.
    let weekday = (unix_micros.div_euclid(USECS_PER_DAY) + 3).rem_euclid(7) as usize;
    format!(
        "{} {:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][weekday],
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second
    )
}

/// C's asctime layout, as pg_controldata prints pg_control's times in the C locale,
/// e.g. "Sat Dec  5 21:34:34 2026" (the day padded with a space).
pub fn format_ctime(unix_micros: i64) -> String {
    let t = civil_from_unix_micros(unix_micros);
    let weekday = (unix_micros.div_euclid(USECS_PER_DAY) + 3).rem_euclid(7) as usize;
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][weekday],
        MONTHS[(t.month as usize).saturating_sub(1) % 12],
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.year
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[cfg(test)]
mod tests {
    use super::*;

    // --- intervals ---------------------------------------------------------

    #[test]
    fn interval_values() {
        assert_eq!(format_interval(0), "00:00:00");
        assert_eq!(format_interval(783), "00:00:00.000783");
        assert_eq!(format_interval(1_500_000), "00:00:01.5");
        assert_eq!(format_interval(61_000_000), "00:01:01");
        assert_eq!(format_interval(26 * USECS_PER_HOUR), "26:00:00");
        assert_eq!(format_interval(90_061_000_000), "25:01:01");
        assert_eq!(format_interval(-1_500_000), "-00:00:01.5");
        assert_eq!(format_interval(-783), "-00:00:00.000783");
        assert_eq!(format_interval(10_000), "00:00:00.01");
        assert_eq!(format_interval(i64::MIN), "-2562047788:00:54.775808");
    }

    #[test]
    fn interval_with_days_and_months() {
        assert_eq!(format_interval_parts(0, 1, 3_661_000_000), "1 day 01:01:01");
        assert_eq!(format_interval_parts(0, 2, 0), "2 days");
        assert_eq!(format_interval_parts(14, 0, 0), "1 year 2 mons");
        assert_eq!(format_interval_parts(1, 1, 0), "1 mon 1 day");
        assert_eq!(
            format_interval_parts(0, -1, -3_600_000_000),
            "-1 days -01:00:00"
        );
        assert_eq!(
            format_interval_parts(0, -1, 3_600_000_000),
            "-1 days +01:00:00"
        );
        assert_eq!(
            format_interval_parts(0, 1, -3_600_000_000),
            "1 day -01:00:00"
        );
        assert_eq!(format_interval_parts(-1, 1, 0), "-1 mons +1 day");
        assert_eq!(format_interval_justified(90_061_000_000), "1 day 01:01:01");
        assert_eq!(
            format_interval_justified(-93_600_000_000),
            "-1 days -02:00:00"
        );
        assert_eq!(format_interval_justified(3_600_000_000), "01:00:00");
    }

    // --- timestamps --------------------------------------------------------

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(20_781), (2026, 11, 24));
        assert_eq!(civil_from_days(21_243), (2028, 2, 29));
        assert_eq!(civil_from_days(21_244), (2028, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1)); // 2100 is not a leap year
        assert_eq!(civil_from_days(84_005), (2199, 12, 31));
        assert_eq!(civil_from_days(84_006), (2200, 1, 1));
    }

    #[test]
    fn civil_dates_round_trip_1970_to_2200() {
        // Walk every day and check it follows the previous one.
        let mut prev = civil_from_days(0);
        for d in 1..=84_006 {
            let cur = civil_from_days(d);
            let (y, m, dd) = prev;
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let mlen = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let next = if dd < mlen {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            assert_eq!(cur, next, "day {d}");
            prev = cur;
        }
        assert_eq!(prev, (2200, 1, 1));
    }

    #[test]
    fn timestamptz_output() {
        assert_eq!(
            format_timestamptz(1_795_554_652_039_123),
            "2026-11-24 21:10:52.039123+00"
        );
        assert_eq!(
            format_timestamptz(1_795_554_652_000_000),
            "2026-11-24 21:10:52+00"
        );
        assert_eq!(
            format_timestamptz(1_795_554_652_039_000),
            "2026-11-24 21:10:52.039+00"
        );
        assert_eq!(
            format_timestamptz(1_835_395_200_000_000),
            "2028-02-29 00:00:00+00"
        );
        assert_eq!(format_timestamptz(0), "1970-01-01 00:00:00+00");
        assert_eq!(format_timestamptz(-1), "1969-12-31 23:59:59.999999+00");
        // 0001-01-01 BC is the day before 0001-01-01 AD.
        assert_eq!(
            format_timestamptz(-62_135_596_800_000_000 - USECS_PER_DAY),
            "0001-12-31 00:00:00+00 BC"
        );
    }

    #[test]
    fn log_timestamp_output() {
        assert_eq!(
            format_log_timestamp(1_795_554_652_039_123),
            "2026-11-24 21:10:52.039 UTC"
        );
        assert_eq!(
            format_log_timestamp(1_795_554_652_999_999),
            "2026-11-24 21:10:52.999 UTC"
        );
        assert_eq!(
            format_log_timestamp(1_835_395_200_000_000),
            "2028-02-29 00:00:00.000 UTC"
        );
        assert_eq!(format_log_timestamp(-1), "1969-12-31 23:59:59.999 UTC");
    }
}
