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

/// Walks the lesson canonically, calling `each_step` with the step's index and what its
/// setup and solution printed.
fn walk<'a>(lesson: &'a Lesson, mut each_step: impl FnMut(usize, &str, &str)) -> Vec<Outcome<'a>> {
    let mut lab = Lab::new(0);
    run(&mut lab, &lesson.start);
    let mut outcomes = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        let setup = run(&mut lab, &step.setup);
        let before = lesson.check_goals(i, &lab);
        let solution = run(&mut lab, &step.solution);
        let after = lesson.check_goals(i, &lab);
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
    outcomes
}

/// Checks a lesson as its author should before a class sees it. Each problem names the
/// file, the goal's line and the step.
pub fn check(lesson: &Lesson) -> Result<usize, Vec<LessonError>> {
    let outcomes = walk(lesson, |_, _, _| {});
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
    let outcomes = walk(lesson, |i, setup, solution| {
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
    }
    out
}
