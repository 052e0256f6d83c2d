//! Numbers as a DBA reads them: sizes in kB/MB/GB (1024-based, like `pg_size_pretty`),
//! durations in ms and s.

use crate::sim::SimDuration;

/// `512 B`, `12.5 kB`, `3.2 MB`, `1.1 GB`.
pub fn bytes(n: f64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n;
    let mut i = 0;
    while v.abs() >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{} B", v.round() as i64)
    } else if v.abs() >= 100.0 {
        format!("{v:.0} {}", units[i])
    } else {
        format!("{:.1} {}", v, units[i])
    }
}

/// `0 ms`, `35 ms`, `1.25 s`, `2 min 5 s`, from seconds.
pub fn seconds(s: f64) -> String {
    let trimmed = |v: f64, decimals: usize| {
        let t = format!("{v:.decimals$}");
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        }
    };
    if s < 0.001 && s > 0.0 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else if s < 10.0 {
        format!("{} s", trimmed(s, 2))
    } else if s < 120.0 {
        format!("{} s", trimmed(s, 1))
    } else {
        format!("{} min {:.0} s", (s / 60.0).floor(), s % 60.0)
    }
}

pub fn duration(d: SimDuration) -> String {
    seconds(d.as_secs_f64())
}

/// A chart's time axis: `45 s`, `2:05`.
pub fn clock(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.0} s")
    } else {
        format!("{}:{:02}", (s / 60.0).floor(), (s % 60.0).floor())
    }
}

/// A rate as `lab$ bandwidth` reads it.
pub fn rate(bytes_per_sec: u64) -> String {
    match bytes_per_sec {
        b if b % 125_000_000 == 0 => format!("{}Gbit/s", b / 125_000_000),
        b if b % 125_000 == 0 => format!("{}Mbit/s", b / 125_000),
        b if b % (1024 * 1024) == 0 => format!("{}MB/s", b / (1024 * 1024)),
        b if b % 1024 == 0 => format!("{}kB/s", b / 1024),
        b => format!("{b}B/s"),
    }
}
