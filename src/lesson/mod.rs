//! Lessons: Markdown files whose steps run script lines and whose goals the model checks.
//!
//! A lesson (`lessons/NN-slug.md`, format in `lessons/README.md`) is front matter and
//! `##` steps. A step has prose, `walscope setup` lines run when it opens, `walscope
//! solution` lines ("Show me"), goals, hints and an optional question. Everything here is
//! native: `tests/lessons.rs` and `walscope lesson check` use it exactly as the browser does.
//!
//! ```
//! let text = "---\nid: tiny\ntitle: Tiny\nsummary: One step.\n---\n## Make a table\n\n\
//!     ```walscope goal\nprimary=# SELECT count(*) FROM t;\nshows: (1 row)\n```\n\n\
//!     ```walscope solution\nprimary=# CREATE TABLE t (id int);\n```\n";
//! let lesson = walscope::lesson::parse("my.md", text).unwrap();
//! let mut lab = lesson.canonical_lab(0);
//! assert!(!lesson.steps[0].goals[0].check(&lab).met);
//! for line in &lesson.steps[0].solution {
//!     lab.run_line(line);
//! }
//! assert!(lesson.steps[0].goals[0].check(&lab).met);
//! ```

mod check;
mod goal;
mod markdown;
mod progress;
mod render;
mod trap;

use std::fmt;

use crate::script::Line;
use crate::timeline::Lab;

pub use check::{check, show};
pub use goal::{Expect, Goal, GoalCheck, GoalResult};
pub use markdown::parse;
pub use progress::Progress;
pub use render::to_html;
pub use trap::Trap;

/// Every lesson in `lessons/`, compiled in: (file name, text), in file name order.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// The largest lesson file walscope reads (a teacher's own lesson included).
pub const MAX_LESSON_BYTES: usize = 256 * 1024;
/// The most steps one lesson may have.
pub const MAX_STEPS: usize = 100;

/// A lesson that cannot be read: the file, the line and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for LessonError {}

/// A "predict, then see" question: asked before the step's action, answered after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The question, in Markdown.
    pub prompt: String,
    /// The choices, in Markdown, in the lesson's order.
    pub choices: Vec<String>,
    /// The index of the right choice.
    pub answer: usize,
    /// Shown with the answer (Markdown; may be empty).
    pub explanation: String,
}

/// One step of a lesson (a `##` section).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    /// The line of its `##` heading.
    pub line: usize,
    /// The step's text in Markdown, without its `walscope` blocks.
    pub prose: String,
    /// Run when the step opens.
    pub setup: Vec<Line>,
    /// The "Show me" lines.
    pub solution: Vec<Line>,
    pub goals: Vec<Goal>,
    /// Markdown, revealed one at a time.
    pub hints: Vec<String>,
    pub question: Option<Question>,
    /// Unsafe fixes this step names when the student walks into one.
    pub traps: Vec<Trap>,
}

/// A lesson, ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// Where it came from (`lessons/03-basebackup.md`, or a dropped file's name).
    pub file: String,
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The lines the lab starts from (an example lab's, or the front matter's own).
    pub start: Vec<Line>,
    /// The text before the first step, in Markdown.
    pub intro: String,
    pub steps: Vec<Step>,
}

impl Lesson {
    /// The lines that build step `step`'s canonical state: the start, every earlier
    /// step's setup and solution, then this step's setup. Past the last step, the state
    /// after the last solution.
    pub fn canonical_lines(&self, step: usize) -> Vec<Line> {
        let mut lines = self.start.clone();
        for (i, s) in self.steps.iter().enumerate() {
            if i > step {
                break;
            }
            lines.extend(s.setup.iter().cloned());
            if i < step {
                lines.extend(s.solution.iter().cloned());
            }
        }
        for (i, l) in lines.iter_mut().enumerate() {
            l.number = i + 1;
            l.at = None;
        }
        lines
    }

    /// A fresh lab in step `step`'s canonical state (what a link to the step, a reload or
    /// "Catch me up" opens).
    pub fn canonical_lab(&self, step: usize) -> Lab {
        Lab::replay(0, self.canonical_lines(step), None)
    }

    /// Checks every goal of step `step` against the lab, on a copy of it: the lab, its
    /// script, its time and its sessions are left exactly as they were.
    pub fn check_goals(&self, step: usize, lab: &Lab) -> Vec<GoalResult> {
        match self.steps.get(step) {
            Some(s) => goal::check_all(&s.goals, lab),
            None => Vec::new(),
        }
    }

    /// Checks every trap of step `step` on a copy of the lab, as goals are checked:
    /// `met` means the student walked into that trap.
    pub fn check_traps(&self, step: usize, lab: &Lab) -> Vec<GoalResult> {
        match self.steps.get(step) {
            Some(s) => trap::check_all(&s.traps, lab),
            None => Vec::new(),
        }
    }
}

/// What loading a set of lesson files gave: the lessons that load, and the errors of
/// those that do not (a broken lesson never stops the others).
#[derive(Clone, Debug, Default)]
pub struct Library {
    pub lessons: Vec<Lesson>,
    pub errors: Vec<LessonError>,
}

impl Library {
    /// Loads `(file name, text)` pairs. A lesson whose id an earlier file already uses
    /// is refused with an error.
    pub fn load<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Library {
        let mut lib = Library::default();
        for (file, text) in files {
            let _ = lib.add(file, text);
        }
        lib
    }

    /// The lessons compiled into walscope.
    pub fn builtin() -> Library {
        Library::load(BUILTIN.iter().copied())
    }

    /// The compiled-in lesson `id` alone (the first one when `id` is `None`), or `None`
    /// when no built-in lesson has that id: what the app needs before its first paint.
    pub fn builtin_one(id: Option<&str>) -> Option<Library> {
        let file = match id {
            Some(id) => BUILTIN
                .iter()
                .find(|(_, text)| markdown::lesson_id(text).as_deref() == Some(id))?,
            None => BUILTIN.first()?,
        };
        Some(Library::load([*file]))
    }

    /// Adds one file; on error, records it and changes nothing else.
    pub fn add(&mut self, file: &str, text: &str) -> Result<usize, Vec<LessonError>> {
        let result = parse(file, text).and_then(|lesson| {
            if self.lessons.iter().any(|l| l.id == lesson.id) {
                Err(vec![LessonError {
                    file: file.to_string(),
                    line: 2,
                    message: format!("another lesson already has the id \"{}\"", lesson.id),
                }])
            } else {
                Ok(lesson)
            }
        });
        match result {
            Ok(lesson) => {
                self.lessons.push(lesson);
                Ok(self.lessons.len() - 1)
            }
            Err(errors) => {
                self.errors.extend(errors.iter().cloned());
                Err(errors)
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }
}
