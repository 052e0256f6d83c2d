//! Opening a link to the first example lab one virtual hour in, natively: the lab's
//! lines replayed with the timeline the browser keeps (chart samples every 100 ms and a
//! snapshot every 10 s), against the runner alone. The browser's figure (README,
//! Performance) follows this one.
//!
//! Run with `cargo bench --bench timeline`.

use std::time::{Duration, Instant};

use walscope::examples::EXAMPLES;
use walscope::script::{parse, Runner};
use walscope::sim::SimTime;
use walscope::timeline::Lab;

/// Runs for the hour. `TIMELINE_SECS=300` measures a shorter stretch once (for
/// instruction counts under valgrind); the README's figure is the hour.
const RUNS: usize = 3;

fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d[d.len() / 2]
}

fn main() {
    let script = EXAMPLES[0].1;
    let secs: u64 = std::env::var("TIMELINE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3600);
    let runs = if secs == 3600 { RUNS } else { 1 };
    let hour = SimTime(secs * 1_000_000);
    let with_timeline: Vec<Duration> = (0..runs)
        .map(|_| {
            let lines = parse(script).expect("the example parses");
            let t = Instant::now();
            let lab = Lab::replay(1, lines, Some(hour));
            std::hint::black_box(lab.samples().len());
            t.elapsed()
        })
        .collect();
    let runner_only: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let mut r = Runner::new(1);
            r.run_text(&format!("{script}lab$ wait {secs}s\n"))
                .expect("the example runs");
            std::hint::black_box(r.cluster.now());
            t.elapsed()
        })
        .collect();
    println!(
        "timeline: the first example lab {secs} s in: with the timeline {:.3} s, the runner alone {:.3} s (median of {runs})",
        median(with_timeline).as_secs_f64(),
        median(runner_only).as_secs_f64()
    );
}
