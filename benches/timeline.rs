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

const RUNS: usize = 3;

fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d[d.len() / 2]
}

fn main() {
    let script = EXAMPLES[0].1;
    let hour = SimTime(3600 * 1_000_000);
    let with_timeline: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let lines = parse(script).expect("the example parses");
            let t = Instant::now();
            let lab = Lab::replay(1, lines, Some(hour));
            std::hint::black_box(lab.samples().len());
            t.elapsed()
        })
        .collect();
    let runner_only: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let mut r = Runner::new(1);
            r.run_text(&format!("{script}lab$ wait 3600s\n"))
                .expect("the example runs");
            std::hint::black_box(r.cluster.now());
            t.elapsed()
        })
        .collect();
    println!(
        "timeline: the first example lab one hour in: with the timeline {:.3} s, the runner alone {:.3} s (median of {RUNS})",
        median(with_timeline).as_secs_f64(),
        median(runner_only).as_secs_f64()
    );
}
