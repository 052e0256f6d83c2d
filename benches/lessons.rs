//! Opening a lesson step (its canonical replay) and checking its goals after a command,
//! for the longest lesson: both must feel instant (budget 50 ms natively). Prints the
//! median and worst of several runs for every step of that lesson.
//!
//! Run with `cargo bench --bench lessons`.

use std::time::{Duration, Instant};

use walscope::lesson::Library;

const RUNS: usize = 15;

fn median_and_max(mut d: Vec<Duration>) -> (Duration, Duration) {
    d.sort();
    (d[d.len() / 2], d[d.len() - 1])
}

fn main() {
    let lib = Library::builtin();
    assert!(lib.errors.is_empty(), "{:?}", lib.errors);
    // The longest lesson: the most lines to replay for its last step.
    let lesson = lib
        .lessons
        .iter()
        .max_by_key(|l| l.canonical_lines(l.steps.len()).len())
        .expect("at least one lesson");
    println!(
        "lessons: longest is {} ({} steps, {} lines to its end)",
        lesson.file,
        lesson.steps.len(),
        lesson.canonical_lines(lesson.steps.len()).len()
    );
    let (mut worst_open, mut worst_check) = (Duration::ZERO, Duration::ZERO);
    for step in 0..lesson.steps.len() {
        let open: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(lesson.canonical_lab(step));
                t.elapsed()
            })
            .collect();
        // A goal check after the step's first solution line, as after a typed command.
        let mut lab = lesson.canonical_lab(step);
        if let Some(line) = lesson.steps[step].solution.first() {
            lab.run_line(line);
        }
        let check: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(lesson.check_goals(step, &lab));
                t.elapsed()
            })
            .collect();
        let (om, ox) = median_and_max(open);
        let (cm, cx) = median_and_max(check);
        worst_open = worst_open.max(om);
        worst_check = worst_check.max(cm);
        println!(
            "  step {:>2}: open median {:>7.3} ms (max {:>7.3}), check {} goal(s) median {:>6.3} ms (max {:>6.3})",
            step + 1,
            om.as_secs_f64() * 1e3,
            ox.as_secs_f64() * 1e3,
            lesson.steps[step].goals.len(),
            cm.as_secs_f64() * 1e3,
            cx.as_secs_f64() * 1e3
        );
    }
    println!(
        "lessons: slowest step to open {:.3} ms, slowest goal check {:.3} ms (medians; budget 50 ms)",
        worst_open.as_secs_f64() * 1e3,
        worst_check.as_secs_f64() * 1e3
    );
}
