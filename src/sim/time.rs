//! Virtual time. The model never reads a wall clock: time advances only when the
//! cluster processes events.

use std::fmt;
use std::ops::{Add, Sub};

/// A point in virtual time: microseconds since the scenario started.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SimTime(pub u64);

/// A span of virtual time in microseconds.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SimDuration(pub u64);

/// The wall-clock moment a scenario starts at, in Unix microseconds: 2026-11-24 09:00:00 UTC.
/// Timestamps the model prints (`backend_start`, log lines) count from here.
pub const EPOCH_UNIX_MICROS: i64 = 1_795_510_800_000_000;

/// How far a lab's clock runs: 24 hours of virtual time. Nothing happens after it (the
/// cluster stops there), and `@TIME`, `lab$ wait` and a link's time may not pass it, so
/// every command, replay and link ends in bounded work.
pub const MAX_TIME: SimTime = SimTime(24 * 3600 * 1_000_000);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    /// This moment as Unix microseconds, for printing timestamps.
    pub fn unix_micros(self) -> i64 {
        EPOCH_UNIX_MICROS + self.0 as i64
    }

    /// Seconds since the start, for charts and readouts.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    pub fn saturating_sub(self, other: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms * 1000)
    }

    pub const fn from_secs(s: u64) -> SimDuration {
        SimDuration(s * 1_000_000)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// Reads `250ms`, `1.5s`, `2min`, `1h`, `500us` (a bare number is seconds).
    ///
    /// Decimals are read exactly (not through a float), so every time a script or a
    /// link was written with ([`SimDuration::seconds`]) reads back to the microsecond;
    /// digits past the microsecond are rounded.
    pub fn parse(text: &str) -> Option<SimDuration> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (num, unit) = text.split_at(split);
        let scale: u128 = match unit.trim() {
            "us" => 1,
            "ms" => 1_000,
            "" | "s" | "sec" => 1_000_000,
            "min" | "m" => 60_000_000,
            "h" => 3_600_000_000,
            _ => return None,
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() && frac.is_empty() || frac.contains('.') {
            return None;
        }
        let digits = |d: &str| {
            d.bytes().try_fold(0u128, |n, b| {
                n.checked_mul(10)?.checked_add(u128::from(b - b'0'))
            })
        };
        let whole = digits(int)?.checked_mul(scale)?;
        // Past 24 decimals nothing is left to round at microsecond resolution.
        let frac = &frac[..frac.len().min(24)];
        let den = 10u128.pow(frac.len() as u32);
        let part = (digits(frac)? * scale + den / 2) / den;
        let micros = whole.checked_add(part)?;
        (micros <= 1_000_000_000_000_000).then_some(SimDuration(micros as u64))
    }

    /// Seconds with as many decimals as needed, at most six (`42.59s`, `3s`,
    /// `0.000250s`'s shorter `0.00025s`): how scripts write `@TIME`, exactly.
    pub fn seconds(self) -> String {
        let (s, us) = (self.0 / 1_000_000, self.0 % 1_000_000);
        if us == 0 {
            format!("{s}s")
        } else {
            let frac = format!("{us:06}");
            format!("{s}.{}s", frac.trim_end_matches('0'))
        }
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.saturating_sub(earlier)
    }
}

impl fmt::Display for SimTime {
    /// `12.345s`: the readout the runner and the toolbar show.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1_000_000, (self.0 / 1000) % 1000)
    }
}

impl fmt::Display for SimDuration {
    /// The shortest of `250ms`, `1.5s`, `2min` that says it exactly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us.is_multiple_of(60_000_000) && us > 0 {
            write!(f, "{}min", us / 60_000_000)
        } else if us.is_multiple_of(1_000_000) {
            write!(f, "{}s", us / 1_000_000)
        } else if us.is_multiple_of(1000) {
            write!(f, "{}ms", us / 1000)
        } else {
            write!(f, "{us}us")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print() {
        assert_eq!(SimDuration::parse("250ms"), Some(SimDuration(250_000)));
        assert_eq!(SimDuration::parse("1.5s"), Some(SimDuration(1_500_000)));
        assert_eq!(SimDuration::parse("2min"), Some(SimDuration(120_000_000)));
        assert_eq!(SimDuration::parse("5"), Some(SimDuration(5_000_000)));
        assert_eq!(SimDuration::parse("5 parsecs"), None);
        assert_eq!(SimDuration::parse("-1s"), None);
        assert_eq!(SimDuration(120_000_000).to_string(), "2min");
        assert_eq!(SimDuration(1_500_000).to_string(), "1500ms");
        assert_eq!(SimTime(61_234_567).to_string(), "61.234s");
    }

    #[test]
    fn seconds_read_back_exactly() {
        assert_eq!(SimDuration(42_590_000).seconds(), "42.59s");
        assert_eq!(SimDuration(42_590_171).seconds(), "42.590171s");
        assert_eq!(SimDuration(3_000_000).seconds(), "3s");
        assert_eq!(SimDuration(250).seconds(), "0.00025s");
        assert_eq!(SimDuration::parse(".5s"), Some(SimDuration(500_000)));
        assert_eq!(SimDuration::parse("1.2.3s"), None);
        assert_eq!(SimDuration::parse("."), None);
        assert_eq!(SimDuration::parse("0.0000004s"), Some(SimDuration(0)));
        assert_eq!(SimDuration::parse("99999999999999999999999999999s"), None);
        // Around and past the float's exact range: 31 years of microseconds.
        for us in [
            1,
            999_999,
            123_456_789_012_345,
            999_999_999_999_999,
            1_000_000_000_000_000,
        ] {
            let d = SimDuration(us);
            assert_eq!(SimDuration::parse(&d.seconds()), Some(d), "{us}");
        }
        assert_eq!(SimDuration::parse("1000000000.000001s"), None);
    }
}
