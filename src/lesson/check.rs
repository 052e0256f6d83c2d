//! The author's check: every step run canonically, every goal unmet before its
//! solution (a goal already met teaches nothing) and met after it. `walscope lesson
//! check` and `tests/lessons.rs` both call [`check`]; `walscope lesson show` prints
//! [`show`], the transcript a class will see.

use super::{Lesson, LessonError};
use crate::script::Line;
use crate::timeline::Lab;

/// Runs `lines` on the lab and returns what the console printed for them.
fn run(lab: &mut Lab, lines: &[Line]) -> String {
    let before = lab.transcript().len();
    for l in lines {
        lab.run_line(l);
    }
    lab.transcript()[before..]
        .iter()
        .map(|e| e.text.as_str())
        .collect()
}

/// One goal's state before and after its step's solution.
struct Outcome<'a> {
    step: usize,
    goal: &'a super::Goal,
    before: bool,
    after: bool,
    output: String,
}

/// One trap's state on the canonical path and on its own unsafe path.
struct TrapOutcome<'a> {
    step: usize,
    trap: &'a super::Trap,
    /// Sprung before the solution, after it, and after the trap's path.
    before: bool,
    after: bool,
    on_path: bool,
    path_output: String,
}

/// Walks the lesson canonically, calling `each_step` with the step's index and what its
/// setup and solution printed. Each trap's path runs on a copy of the step's state.
fn walk<'a>(
    lesson: &'a Lesson,
    mut each_step: impl FnMut(usize, &str, &str),
) -> (Vec<Outcome<'a>>, Vec<TrapOutcome<'a>>) {
    let mut lab = Lab::new(0);
    run(&mut lab, &lesson.start);
    let mut outcomes = Vec::new();
    let mut traps = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        let setup = run(&mut lab, &step.setup);
        let before = lesson.check_goals(i, &lab);
        let traps_before = lesson.check_traps(i, &lab);
        for (t, b) in step.traps.iter().zip(traps_before) {
            let mut unsafe_lab = lab.clone();
            run(&mut unsafe_lab, &t.path);
            let sprung = super::trap::check_all(std::slice::from_ref(t), &unsafe_lab).remove(0);
            traps.push(TrapOutcome {
                step: i,
                trap: t,
                before: b.met,
                after: false,
                on_path: sprung.met,
                path_output: sprung.output,
            });
        }
        let solution = run(&mut lab, &step.solution);
        let after = lesson.check_goals(i, &lab);
        let first = traps.len() - step.traps.len();
        for (o, a) in traps[first..].iter_mut().zip(lesson.check_traps(i, &lab)) {
            o.after = a.met;
        }
        each_step(i, &setup, &solution);
        for ((goal, b), a) in step.goals.iter().zip(before).zip(after) {
            outcomes.push(Outcome {
                step: i,
                goal,
                before: b.met,
                after: a.met,
                output: a.output,
            });
        }
    }
    (outcomes, traps)
}

/// Checks a lesson as its author should before a class sees it. Each problem names the
/// file, the goal's line and the step.
pub fn check(lesson: &Lesson) -> Result<usize, Vec<LessonError>> {
    let (outcomes, traps) = walk(lesson, |_, _, _| {});
    let mut errors = Vec::new();
    for o in &outcomes {
        let step = &lesson.steps[o.step];
        let what = format!(
            "step {} \"{}\", goal \"{}\"",
            o.step + 1,
            step.title,
            o.goal.label
        );
        if o.before {
            errors.push(LessonError {
                file: lesson.file.clone(),
                line: o.goal.line,
                message: format!(
                    "{what} is already met before the solution runs: it teaches nothing"
                ),
            });
        }
        if !o.after {
            errors.push(LessonError {
                file: lesson.file.clone(),
                line: o.goal.line,
                message: format!(
                    "{what} is not met after the solution; the check printed:\n{}",
                    indent(&o.output)
                ),
            });
        }
    }
    for t in &traps {
        let step = &lesson.steps[t.step];
        let what = format!(
            "step {} \"{}\", trap \"{}\"",
            t.step + 1,
            step.title,
            t.trap.goal.label
        );
        let mut error = |message: String| {
            errors.push(LessonError {
                file: lesson.file.clone(),
                line: t.trap.goal.line,
                message: format!("{what} {message}"),
            })
        };
        if t.before {
            error(
                "has sprung before the step's solution runs: it names nothing the student did"
                    .into(),
            );
        }
        if t.after {
            error("springs on the step's solution: the safe way must not walk into it".into());
        }
        if !t.on_path {
            error(format!(
                "does not spring on its trap-path; the check printed:\n{}",
                indent(&t.path_output)
            ));
        }
    }
    if errors.is_empty() {
        Ok(outcomes.len())
    } else {
        Err(errors)
    }
}

fn indent(text: &str) -> String {
    if text.is_empty() {
        return "    (nothing)".to_string();
    }
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The canonical run as a class sees it: each step's title, what its setup printed,
/// the solution typed into the console, and each goal's state before and after.
pub fn show(lesson: &Lesson) -> String {
    let mut out = format!("# {} ({})\n", lesson.title, lesson.file);
    let mut steps = Vec::new();
    let (outcomes, traps) = walk(lesson, |i, setup, solution| {
        steps.push((i, setup.to_string(), solution.to_string()))
    });
    if !lesson.start.is_empty() {
        out.push_str(&format!(
            "-- the lab starts from {} lines\n",
            lesson.start.len()
        ));
    }
    for (i, setup, solution) in steps {
        let step = &lesson.steps[i];
        out.push_str(&format!("\n## Step {}: {}\n", i + 1, step.title));
        if !setup.is_empty() {
            out.push_str("-- setup\n");
            out.push_str(&setup);
        }
        if !solution.is_empty() {
            out.push_str("-- solution (Show me)\n");
            out.push_str(&solution);
        }
        for o in outcomes.iter().filter(|o| o.step == i) {
            let state = |met: bool| if met { "met" } else { "not met" };
            out.push_str(&format!(
                "-- goal \"{}\": {} before the solution, {} after\n",
                o.goal.label,
                state(o.before),
                state(o.after)
            ));
        }
        for t in traps.iter().filter(|t| t.step == i) {
            let sprung = |s: bool| if s { "sprung" } else { "not sprung" };
            out.push_str(&format!(
                "-- trap \"{}\": {} after the solution, {} after its trap-path\n",
                t.trap.goal.label,
                sprung(t.after),
                sprung(t.on_path)
            ));
        }
    }
    out
}
