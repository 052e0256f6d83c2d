//! The chart's data: each standby's lag (and the commit latency) from the lab's
//! samples, scaled to a readable unit and thinned to at most [`MAX_POINTS`] per line.

use crate::share::ChartUnit;
use crate::timeline::Lab;

/// At most this many points per line; denser samples are merged keeping each bucket's peak.
const MAX_POINTS: usize = 500;
/// How much virtual time the chart shows: it follows the present, so an old spike (the
/// base backup's megabytes) leaves the window and the scale with it.
pub const WINDOW_SECS: f64 = 60.0;

/// One line of the chart, with gaps where the value was unknown.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub dashed: bool,
    /// Runs of (seconds, value in the axis unit) without gaps.
    pub segments: Vec<Vec<(f64, f64)>>,
}

/// What [`draw_lag`](super::draw_lag) draws.
#[derive(Clone, Debug, PartialEq)]
pub struct LagSeries {
    pub unit: ChartUnit,
    /// Virtual seconds shown.
    pub x: (f64, f64),
    /// Top of the y axis, in `y_unit`s.
    pub y_max: f64,
    /// `kB`, `MB`, `ms`, `s` ...
    pub y_unit: &'static str,
    pub series: Vec<Series>,
}

/// A line before scaling: name, dashed, (seconds, value) with gaps.
type RawLine = (String, bool, Vec<(f64, Option<f64>)>);

/// The chart's data from the lab's samples, in `unit`.
pub fn lag_series(lab: &Lab, unit: ChartUnit) -> LagSeries {
    let all = lab.samples();
    // The axis ends at the last sample, so the chart only changes (and is redrawn) when
    // a sample is added, not on every frame; it shows the last [`WINDOW_SECS`].
    let last = all.last().map_or(0.0, |s| s.at.as_secs_f64());
    let start = all
        .first()
        .map_or(0.0, |s| s.at.as_secs_f64())
        .max(last - WINDOW_SECS);
    let x = (start, last.max(start + 10.0));
    let from = all.partition_point(|s| s.at.as_secs_f64() < start);
    let samples = &all[from..];
    let c = &lab.runner().cluster;
    let mut hosts: Vec<crate::sim::HostId> = Vec::new();
    for s in samples {
        for l in &s.standbys {
            if !hosts.contains(&l.host) {
                hosts.push(l.host);
            }
        }
    }
    crate::sim::order::sort(&mut hosts);
    // Raw values: bytes, or seconds.
    let mut raw: Vec<RawLine> = hosts
        .iter()
        .map(|h| {
            let pts = samples
                .iter()
                .map(|s| {
                    let l = s.standbys.iter().find(|l| l.host == *h);
                    let v = match unit {
                        ChartUnit::Bytes => l.and_then(|l| l.bytes).map(|b| b as f64),
                        ChartUnit::Seconds => l.and_then(|l| l.replay_lag).map(|d| d.as_secs_f64()),
                    };
                    (s.at.as_secs_f64(), v)
                })
                .collect();
            (c.host(*h).name.clone(), false, pts)
        })
        .collect();
    if unit == ChartUnit::Seconds && samples.iter().any(|s| s.commit_latency.is_some()) {
        let pts = samples
            .iter()
            .map(|s| {
                (
                    s.at.as_secs_f64(),
                    s.commit_latency.map(|d| d.as_secs_f64()),
                )
            })
            .collect();
        raw.push(("commit latency".to_string(), true, pts));
    }
    let peak = raw
        .iter()
        .flat_map(|(_, _, p)| p.iter().filter_map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let (div, y_unit) = match unit {
        ChartUnit::Bytes => match peak {
            p if p < 1024.0 => (1.0, "B"),
            p if p < 1024.0 * 1024.0 => (1024.0, "kB"),
            p if p < 1024.0 * 1024.0 * 1024.0 => (1024.0 * 1024.0, "MB"),
            _ => (1024.0 * 1024.0 * 1024.0, "GB"),
        },
        ChartUnit::Seconds => {
            if peak < 1.0 {
                (0.001, "ms")
            } else {
                (1.0, "s")
            }
        }
    };
    let min_top = match unit {
        ChartUnit::Bytes => 1024.0 / div,
        ChartUnit::Seconds => 0.01 / div,
    };
    let series = raw
        .into_iter()
        .map(|(name, dashed, pts)| Series {
            name,
            dashed,
            segments: segments(&pts, div),
        })
        .collect();
    LagSeries {
        unit,
        x,
        y_max: (peak / div * 1.15).max(min_top),
        y_unit,
        series,
    }
}

/// Splits at unknown values and merges to at most [`MAX_POINTS`], keeping peaks.
fn segments(pts: &[(f64, Option<f64>)], div: f64) -> Vec<Vec<(f64, f64)>> {
    let chunk = pts.len().div_ceil(MAX_POINTS).max(1);
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for c in pts.chunks(chunk) {
        let peak = c
            .iter()
            .filter_map(|(_, v)| *v)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        match peak {
            Some(v) => cur.push((c[c.len() - 1].0, v / div)),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
