//! The lesson the class is on: which lesson and step (in [`Ui::lesson`], so links and
//! the autosave carry it), the library (built-in lessons and a teacher's own, kept in
//! localStorage), each lesson's progress, goals re-checked as the lab changes, and
//! "Show me".
//!
//! Everything a lesson does to the lab goes through [`handle::run_all`] or
//! [`LabHandle::replace`] with a canonical lab from [`crate::lesson`], so a link or a
//! reload shows the same state.

use std::time::Duration;

use gloo_timers::callback::Timeout;
use gloo_timers::future::sleep;
use leptos::prelude::*;

use super::handle::{run, LabHandle, Ui};
use super::persist;
use crate::lesson::{GoalResult, Lesson, Library, Progress};
use crate::share::LessonRef;

/// Which lesson the app's start opens (see [`persist::start_lesson`]).
pub enum StartLesson {
    /// The first lesson's first step: a first visit.
    First,
    /// A step of this lesson: a link's or the autosave's.
    Named(String),
    /// None: a free lab, or a link that did not open, with the lesson list on screen.
    Free,
}

/// localStorage: the names of the lessons a teacher added, one per line.
const USER_LESSONS_KEY: &str = "walscope.lessons";
/// localStorage prefix of a teacher's lesson text (`walscope.lesson:NAME`).
const USER_LESSON_PREFIX: &str = "walscope.lesson:";
/// localStorage prefix of a lesson's progress (`walscope.progress:ID`).
const PROGRESS_PREFIX: &str = "walscope.progress:";
/// The pause between two lines "Show me" types, as a presenter would.
pub const SHOW_ME_PAUSE: Duration = Duration::from_millis(900);
/// Goals are re-checked at most this often while time runs (always after a command).
const RECHECK_EVERY_MS: f64 = 400.0;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Lessons, progress and the state of the step on screen.
#[derive(Clone, Copy)]
pub struct Lessons {
    pub library: RwSignal<Library, LocalStorage>,
    /// The files of the library that are a teacher's own (file names).
    pub user_files: RwSignal<Vec<String>>,
    /// The last lesson file dropped or picked that did not load, with its errors.
    pub import_errors: RwSignal<Vec<String>>,
    /// Progress per lesson id (read from localStorage when a lesson opens).
    pub progress: RwSignal<crate::sim::map::Map<String, Progress>>,
    /// How many hints of the current step are showing.
    pub hints: RwSignal<usize>,
    /// The current step's goals, as last checked.
    pub goals: RwSignal<Vec<GoalResult>>,
    /// The current step's traps, as last checked (`met`: the student walked into it).
    pub traps: RwSignal<Vec<GoalResult>>,
    /// "Show me" is typing the solution.
    pub showing: RwSignal<bool>,
    /// The last goal announcement for screen readers.
    pub announce: RwSignal<String>,
    /// Whether the lesson pane shows the list (else the current lesson).
    pub list_open: RwSignal<bool>,
    /// Whether `library` holds every lesson yet (see [`Lessons::load_for_start`]).
    complete: StoredValue<bool>,
}

impl Lessons {
    /// The built-in lessons and every lesson a teacher added on this browser.
    pub fn load() -> Lessons {
        let (lib, user_files) = Lessons::read_all();
        Lessons::with_library(lib, user_files, true)
    }

    /// The lessons for the app's start. When it opens a lesson step, that lesson is
    /// read now and the other built-in lessons and the teacher's own just after the first
    /// paint (or as soon as something needs them: the list, an import). Reading all
    /// eleven took about 30 ms of a cold start in the browser, a fifth of what follows
    /// the bundle's arrival. A free lab shows the list, and a lesson that is not built
    /// in may be the teacher's: then everything is read at once.
    pub fn load_for_start(start: &StartLesson) -> Lessons {
        let one = match start {
            StartLesson::First => Library::builtin_one(None),
            StartLesson::Named(id) => Library::builtin_one(Some(id)),
            StartLesson::Free => None,
        };
        let Some(one) = one else {
            return Lessons::load();
        };
        let lessons = Lessons::with_library(one, Vec::new(), false);
        request_animation_frame(move || {
            Timeout::new(0, move || lessons.read_the_rest()).forget();
        });
        lessons
    }

    /// Reads every lesson if the start read only one.
    pub fn read_the_rest(&self) {
        if self.complete.try_get_value() != Some(false) {
            return;
        }
        let (lib, user_files) = Lessons::read_all();
        self.library.set(lib);
        self.user_files.set(user_files);
        self.complete.set_value(true);
    }

    /// Shows the list of lessons (all of them).
    pub fn show_list(&self) {
        self.read_the_rest();
        self.list_open.set(true);
    }

    /// The built-in lessons, then the teacher's own from localStorage (a stored lesson
    /// whose id a built-in one has is left out), and the stored ones' file names.
    fn read_all() -> (Library, Vec<String>) {
        let mut lib = Library::builtin();
        let mut user_files = Vec::new();
        if let Some(s) = storage() {
            let names = s
                .get_item(USER_LESSONS_KEY)
                .ok()
                .flatten()
                .unwrap_or_default();
            for name in names.lines().filter(|n| !n.is_empty()) {
                if let Some(text) = s
                    .get_item(&format!("{USER_LESSON_PREFIX}{name}"))
                    .ok()
                    .flatten()
                {
                    if lib.add(name, &text).is_ok() {
                        user_files.push(name.to_string());
                    }
                }
            }
        }
        // Errors of a stored lesson are not news on every load; built-in ones are bugs.
        lib.errors.clear();
        (lib, user_files)
    }

    fn with_library(lib: Library, user_files: Vec<String>, complete: bool) -> Lessons {
        Lessons {
            library: RwSignal::new_local(lib),
            user_files: RwSignal::new(user_files),
            import_errors: RwSignal::new(Vec::new()),
            progress: RwSignal::new(Default::default()),
            hints: RwSignal::new(0),
            goals: RwSignal::new(Vec::new()),
            traps: RwSignal::new(Vec::new()),
            showing: RwSignal::new(false),
            announce: RwSignal::new(String::new()),
            list_open: RwSignal::new(false),
            complete: StoredValue::new(complete),
        }
    }

    /// The lesson with this id (reading the rest of the lessons first if the start read
    /// only its own and the first frame has not come yet, as in a hidden tab).
    pub fn lesson(&self, id: &str) -> Option<Lesson> {
        let found = self.library.with_untracked(|l| l.get(id).cloned());
        if found.is_some() || self.complete.try_get_value() != Some(false) {
            return found;
        }
        self.read_the_rest();
        self.library.with_untracked(|l| l.get(id).cloned())
    }

    /// The lesson and step on screen, if any (tracked).
    pub fn current(&self, ui: Ui) -> Option<(Lesson, usize)> {
        let r = ui.lesson.get()?;
        let lesson = self.library.with(|l| l.get(&r.id).cloned())?;
        let step = usize::from(r.step).min(lesson.steps.len().saturating_sub(1));
        Some((lesson, step))
    }

    /// A lesson's progress, read from localStorage the first time (not tracked: a view
    /// that shows progress tracks `progress` itself).
    pub fn progress_of(&self, id: &str) -> Progress {
        if let Some(p) = self.progress.with_untracked(|m| m.get(id).cloned()) {
            return p;
        }
        let stored = storage()
            .and_then(|s| s.get_item(&format!("{PROGRESS_PREFIX}{id}")).ok().flatten())
            .map(|t| Progress::from_text(&t))
            .unwrap_or_default();
        self.progress.update_untracked(|m| {
            m.insert(id.to_string(), stored.clone());
        });
        stored
    }

    /// Changes a lesson's progress and saves it.
    pub fn update_progress(&self, id: &str, f: impl FnOnce(&mut Progress)) {
        let mut p = self.progress_of(id);
        f(&mut p);
        if let Some(s) = storage() {
            let _ = s.set_item(&format!("{PROGRESS_PREFIX}{id}"), &p.to_text());
        }
        self.progress.update(|m| {
            m.insert(id.to_string(), p);
        });
    }

    /// Forgets a lesson's progress.
    pub fn reset_progress(&self, id: &str) {
        if let Some(s) = storage() {
            let _ = s.remove_item(&format!("{PROGRESS_PREFIX}{id}"));
        }
        self.progress.update(|m| {
            m.insert(id.to_string(), Progress::default());
        });
    }

    /// Adds a teacher's lesson file. On error nothing changes but the error list.
    pub fn import(&self, name: &str, text: &str) -> Option<String> {
        self.read_the_rest();
        let added = self.library.try_update(|lib| {
            // A file of the same name replaces the earlier version.
            if let Some(i) = lib.lessons.iter().position(|l| l.file == name) {
                let old = lib.lessons.remove(i);
                match lib.add(name, text) {
                    Ok(j) => Ok(lib.lessons[j].id.clone()),
                    Err(e) => {
                        lib.lessons.insert(i, old);
                        Err(e)
                    }
                }
            } else {
                lib.add(name, text).map(|j| lib.lessons[j].id.clone())
            }
        });
        match added {
            Some(Ok(id)) => {
                self.import_errors.set(Vec::new());
                self.user_files.update(|f| {
                    if !f.iter().any(|n| n == name) {
                        f.push(name.to_string());
                    }
                });
                if let Some(s) = storage() {
                    let _ = s.set_item(&format!("{USER_LESSON_PREFIX}{name}"), text);
                    let _ = s.set_item(
                        USER_LESSONS_KEY,
                        &self.user_files.get_untracked().join("\n"),
                    );
                }
                Some(id)
            }
            Some(Err(errors)) => {
                self.library.update_untracked(|l| l.errors.clear());
                self.import_errors
                    .set(errors.iter().map(|e| e.to_string()).collect());
                None
            }
            None => None,
        }
    }

    /// Removes a teacher's lesson from this browser.
    pub fn remove(&self, ui: Ui, name: &str) {
        self.read_the_rest();
        self.library
            .update(|lib| lib.lessons.retain(|l| l.file != name));
        self.user_files.update(|f| f.retain(|n| n != name));
        if let Some(s) = storage() {
            let _ = s.remove_item(&format!("{USER_LESSON_PREFIX}{name}"));
            let _ = s.set_item(
                USER_LESSONS_KEY,
                &self.user_files.get_untracked().join("\n"),
            );
        }
        if ui
            .lesson
            .with_untracked(|r| r.as_ref().is_some_and(|r| self.lesson(&r.id).is_none()))
        {
            ui.lesson.set(None);
        }
    }

    /// Opens step `step` of lesson `id` in its canonical state (the step list, Back,
    /// "Catch me up", a lesson opened from the list).
    pub fn open_canonical(&self, lab: LabHandle, ui: Ui, id: &str, step: usize) {
        let Some(lesson) = self.lesson(id) else {
            return;
        };
        let step = step.min(lesson.steps.len().saturating_sub(1));
        self.stop_show_me();
        ui.playing.set(false);
        lab.replace(lesson.canonical_lab(step));
        self.enter(ui, id, step);
        persist::save(lab, ui, true);
    }

    /// Moves to step `step` keeping the student's lab, running the step's setup lines
    /// on it (Next after a step done the student's own way).
    pub fn open_keeping_lab(&self, lab: LabHandle, ui: Ui, id: &str, step: usize) {
        let Some(lesson) = self.lesson(id) else {
            return;
        };
        let Some(s) = lesson.steps.get(step) else {
            return;
        };
        self.stop_show_me();
        self.enter(ui, id, step);
        if s.setup.is_empty() {
            persist::save(lab, ui, true);
        } else {
            lab.update(|l| {
                for line in &s.setup {
                    l.run_line(line);
                }
            });
            persist::save(lab, ui, true);
        }
    }

    fn enter(&self, ui: Ui, id: &str, step: usize) {
        self.hints.set(0);
        self.goals.set(Vec::new());
        self.traps.set(Vec::new());
        self.list_open.set(false);
        ui.lesson.set(Some(LessonRef {
            id: id.to_string(),
            step: u16::try_from(step).unwrap_or(u16::MAX),
        }));
    }

    /// Leaves the lesson for the free lab (the lab stays as it is).
    pub fn leave(&self, lab: LabHandle, ui: Ui) {
        self.stop_show_me();
        ui.lesson.set(None);
        self.show_list();
        persist::save(lab, ui, true);
    }

    pub fn stop_show_me(&self) {
        self.showing.set(false);
    }

    /// Types the step's solution into the console, a line at a time with a pause
    /// between lines, until done or stopped.
    pub fn show_me(&self, lab: LabHandle, ui: Ui) {
        let Some((lesson, step)) = self.current(ui) else {
            return;
        };
        let lines = lesson.steps[step].solution.clone();
        let me = *self;
        let at = ui.lesson.get_untracked();
        self.showing.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            for (i, line) in lines.into_iter().enumerate() {
                if i > 0 {
                    sleep(SHOW_ME_PAUSE).await;
                }
                // Stopped, or the class moved to another step meanwhile.
                if !me.showing.get_untracked() || ui.lesson.get_untracked() != at {
                    return;
                }
                run(lab, line);
            }
            me.showing.set(false);
        });
    }

    /// Checks the current step's goals against the lab (on a copy) and records what
    /// changed: the checklist, the announcement, the step done.
    pub fn recheck(&self, lab: LabHandle, ui: Ui) {
        let Some(r) = ui.lesson.get_untracked() else {
            self.goals.set(Vec::new());
            self.traps.set(Vec::new());
            return;
        };
        let Some(lesson) = self.lesson(&r.id) else {
            return;
        };
        let step = usize::from(r.step);
        let Some(s) = lesson.steps.get(step) else {
            return;
        };
        let results = lab.with_untracked(|l| lesson.check_goals(step, l));
        let before = self.goals.get_untracked();
        let newly: Vec<&str> = s
            .goals
            .iter()
            .zip(&results)
            .enumerate()
            .filter(|(i, (_, r))| r.met && !before.get(*i).is_some_and(|b| b.met))
            .map(|(_, (g, _))| g.label.as_str())
            .collect();
        let all = !results.is_empty() && results.iter().all(|r| r.met);
        if !newly.is_empty() && !before.is_empty() {
            let mut text = format!("Goal met: {}.", newly.join("; "));
            if all {
                text.push_str(" Step done.");
            }
            self.announce.set(text);
        }
        if results != before {
            self.goals.set(results);
        }
        let traps = lab.with_untracked(|l| lesson.check_traps(step, l));
        let sprung = traps.iter().position(|t| t.met);
        let before_traps = self.traps.get_untracked();
        if let Some(t) = s
            .traps
            .iter()
            .zip(&traps)
            .enumerate()
            .find(|(i, (_, r))| r.met && !before_traps.get(*i).is_some_and(|b| b.met))
            .map(|(_, (t, _))| t)
        {
            self.announce
                .set(format!("Trap: {}. {}", t.goal.label, t.reason));
        }
        if traps != before_traps {
            self.traps.set(traps);
        }
        let progress = self.progress_of(&r.id);
        // How the goals were met: cleanly, or with the first trap sprung.
        if all && (!progress.done.contains(&step) || progress.trapped.get(&step).copied() != sprung)
        {
            self.update_progress(&r.id, |p| {
                p.done.insert(step);
                match sprung {
                    Some(t) => p.trapped.insert(step, t),
                    None => p.trapped.remove(&step),
                };
            });
        }
    }
}

/// Re-checks goals whenever the lab changes: at once after a command, a step or a
/// scrub, and at most every [`RECHECK_EVERY_MS`] while time runs, with a last check
/// when it stops.
pub fn use_goal_checks(lab: LabHandle, ui: Ui, lessons: Lessons) {
    let last = StoredValue::new_local((f64::NEG_INFINITY, 0usize, None::<LessonRef>));
    let trailing = StoredValue::new_local(None::<Timeout>);
    Effect::new(move |_| {
        let shown = lab.with(|l| l.transcript().len());
        let at = ui.lesson.get();
        let now = window().performance().map_or(0.0, |p| p.now());
        let (t, n, r) = last.get_value();
        if let Some(old) = trailing.try_update_value(Option::take).flatten() {
            old.cancel();
        }
        if n != shown || r != at || now - t >= RECHECK_EVERY_MS {
            last.set_value((now, shown, at));
            lessons.recheck(lab, ui);
        } else {
            let timer = Timeout::new(RECHECK_EVERY_MS as u32, move || {
                last.try_set_value((f64::NEG_INFINITY, 0, None));
                lessons.recheck(lab, ui);
            });
            trailing.try_set_value(Some(timer));
        }
    });
    on_cleanup(move || {
        if let Some(t) = trailing.try_update_value(Option::take).flatten() {
            t.cancel();
        }
    });
}
