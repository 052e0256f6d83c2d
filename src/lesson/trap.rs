//! Traps: a fix that meets a step's goals in the lab but would hurt on real servers.
//!
//! A ```` ```walscope trap ```` block is a goal (the same check language: a script line,
//! `last:` or `events:`, with `shows:`/`lacks:`) plus a `reason:` shown to the student;
//! the check holding means the trap was walked into. It is checked like a goal, on a copy
//! of the lab. The ```` ```walscope trap-path ```` block after it records the unsafe
//! path, so `lesson check` can prove the trap springs on it and not on the solution.

use super::goal::{self, parse_goal, Goal, GoalResult};
use super::LessonError;
use crate::script::Line;
use crate::timeline::Lab;

/// One trap of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    /// Its label and check: met means the student walked into it.
    pub goal: Goal,
    /// Why it matters on real servers (Markdown), shown when it springs.
    pub reason: String,
    /// The unsafe path, run from the step's canonical state by `lesson check`.
    pub path: Vec<Line>,
}

/// Checks traps in order on one copy of the lab (see [`goal::check_all`]): `met` means
/// the trap sprang.
pub fn check_all(traps: &[Trap], lab: &Lab) -> Vec<GoalResult> {
    let goals: Vec<Goal> = traps.iter().map(|t| t.goal.clone()).collect();
    goal::check_all(&goals, lab)
}

/// Reads a ```` ```walscope trap ```` block: a goal's lines and one `reason:` line.
pub(super) fn parse_trap(file: &str, block_line: usize, text: &str) -> Result<Trap, LessonError> {
    let mut reason = None;
    let mut rest = String::new();
    for raw in text.lines() {
        match raw.trim().strip_prefix("reason:") {
            Some(r) if reason.is_none() => reason = Some(r.trim().to_string()),
            Some(_) => {
                return Err(LessonError {
                    file: file.to_string(),
                    line: block_line,
                    message: "trap block has more than one \"reason:\" line".into(),
                })
            }
            // Keep the line count, so a goal error still names its line.
            None => rest.push_str(raw),
        }
        rest.push('\n');
    }
    let reason = reason
        .filter(|r| !r.is_empty())
        .ok_or_else(|| LessonError {
            file: file.to_string(),
            line: block_line,
            message: "trap block has no \"reason:\" (why the move would hurt on real servers)"
                .into(),
        })?;
    let goal = parse_goal(file, block_line, &rest).map_err(|mut e| {
        e.message = e.message.replacen("goal", "trap", 1);
        e
    })?;
    Ok(Trap {
        goal,
        reason,
        path: Vec::new(),
    })
}
