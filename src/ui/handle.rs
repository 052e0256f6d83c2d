//! The shared state components reach through context: the lab, a revision counter
//! that tells them the model changed, and the view state (playback, chart unit, ...).

use crate::script::{Line, Target};
use crate::share::{ChartUnit, LessonRef, ViewOptions};
use crate::sim::{SimDuration, SimTime};
use leptos::prelude::*;

use crate::timeline::{Lab, Stepped};

/// The speeds a teacher can pick, as multiples of real time.
pub const SPEEDS: [f64; 10] = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

/// The lab in context. Reading through [`LabHandle::with`] subscribes to `rev`, which
/// every change of the model bumps, so views re-render after the model changes.
#[derive(Clone, Copy)]
pub struct LabHandle {
    lab: StoredValue<Lab, LocalStorage>,
    rev: RwSignal<u64>,
    /// Bumped once per command (or batch of commands) run through [`run`] or
    /// [`run_all`]; the autosave watches it.
    commands: RwSignal<u64>,
    /// Whether the clock plays ([`Ui::playing`], set by [`LabHandle::follow_clock`]):
    /// a command entered while it is paused lets the typing interval pass first.
    playing: StoredValue<Option<RwSignal<bool>>, LocalStorage>,
}

impl LabHandle {
    pub fn new(lab: Lab) -> LabHandle {
        LabHandle {
            lab: StoredValue::new_local(lab),
            rev: RwSignal::new(0),
            commands: RwSignal::new(0),
            playing: StoredValue::new_local(None),
        }
    }

    /// Ties commands to the play state shown: while `playing` is false, [`run`] and
    /// [`run_all`] let [`crate::timeline::TYPING`] of virtual time pass before running.
    pub fn follow_clock(&self, playing: RwSignal<bool>) {
        self.playing.set_value(Some(playing));
    }

    fn paused(&self) -> bool {
        self.playing.get_value().is_none_or(|p| !p.get_untracked())
    }

    /// How many times commands were run (tracked): changes after every command a
    /// student or a button runs, not as time passes.
    pub fn commands(&self) -> u64 {
        self.commands.get()
    }

    /// Reads the lab and re-runs the caller when the model changes.
    pub fn with<R>(&self, f: impl FnOnce(&Lab) -> R) -> R {
        self.rev.track();
        self.lab.with_value(f)
    }

    /// Reads the lab without subscribing.
    pub fn with_untracked<R>(&self, f: impl FnOnce(&Lab) -> R) -> R {
        self.lab.with_value(f)
    }

    /// Changes the lab and tells every reader.
    pub fn update<R>(&self, f: impl FnOnce(&mut Lab) -> R) -> R {
        let r = self
            .lab
            .try_update_value(f)
            .expect("the lab lives as long as the app");
        self.rev.update(|n| *n += 1);
        r
    }

    /// Puts a whole new lab in place (reset, import, opening a link).
    pub fn replace(&self, lab: Lab) {
        self.update(|l| *l = lab);
    }
}

/// The names of the lab's hosts, in the order they were added; changes only when a
/// host is added (the console, config panel and header list them).
pub fn host_names(lab: LabHandle) -> Memo<Vec<String>> {
    Memo::new(move |_| {
        lab.with(|l| {
            l.runner()
                .cluster
                .hosts()
                .iter()
                .map(|h| h.name.clone())
                .collect()
        })
    })
}

/// View state shared by the toolbar, the keyboard shortcuts, the chart and links.
#[derive(Clone, Copy)]
pub struct Ui {
    pub playing: RwSignal<bool>,
    /// Multiple of real time.
    pub speed: RwSignal<f64>,
    pub chart_unit: RwSignal<ChartUnit>,
    /// A message in the dismissable banner (a link that did not open, an import error).
    pub banner: RwSignal<Option<String>>,
    /// The keyboard shortcut help is open.
    pub help: RwSignal<bool>,
    /// The last share link, and whether it reached the clipboard.
    pub shared: RwSignal<Option<(String, bool)>>,
    /// `prefers-reduced-motion: reduce`: packets jump instead of glide.
    pub reduced_motion: bool,
    /// The lesson and step on screen (carried by links and the autosave).
    pub lesson: RwSignal<Option<LessonRef>>,
    /// What the last Step ran, in words; cleared when the clock plays.
    pub stepped: RwSignal<Option<String>>,
    /// What the last Step changed, marked on the stage and in the Log while its note
    /// shows.
    pub step_marks: RwSignal<StepMarks>,
}

/// What the last Step changed: the hosts whose card changed or that logged a line, and
/// the first Log entry it wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepMarks {
    pub hosts: Vec<usize>,
    pub log_from: usize,
}

impl Ui {
    /// Whether the last Step's marks show (its note shows: the clock is paused).
    pub fn step_marked(&self) -> Option<StepMarks> {
        self.stepped
            .with(Option::is_some)
            .then(|| !self.playing.get())
            .filter(|shown| *shown)
            .map(|_| self.step_marks.get())
    }
}

impl Ui {
    pub fn new(view: &ViewOptions, banner: Option<String>, lesson: Option<LessonRef>) -> Ui {
        let reduced_motion = window()
            .match_media("(prefers-reduced-motion: reduce)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        Ui {
            playing: RwSignal::new(false),
            speed: RwSignal::new(nearest_speed(view.speed_milli as f64 / 1000.0)),
            chart_unit: RwSignal::new(view.chart),
            banner: RwSignal::new(banner),
            help: RwSignal::new(false),
            shared: RwSignal::new(None),
            reduced_motion,
            lesson: RwSignal::new(lesson),
            stepped: RwSignal::new(None),
            step_marks: RwSignal::new(StepMarks::default()),
        }
    }

    /// One step slower (`-1`) or faster (`+1`) in [`SPEEDS`].
    pub fn nudge_speed(&self, dir: i32) {
        let cur = self.speed.get_untracked();
        let i = SPEEDS.iter().position(|s| *s == cur).unwrap_or(3) as i32;
        let j = (i + dir).clamp(0, SPEEDS.len() as i32 - 1) as usize;
        self.speed.set(SPEEDS[j]);
    }
}

/// The speed in [`SPEEDS`] closest to `s` (a link may carry any number).
pub fn nearest_speed(s: f64) -> f64 {
    SPEEDS
        .iter()
        .copied()
        .min_by(|a, b| {
            (a.ln() - s.max(0.001).ln())
                .abs()
                .total_cmp(&(b.ln() - s.max(0.001).ln()).abs())
        })
        .unwrap_or(1.0)
}

/// The view options a link or the autosave carries.
pub fn view_options(lab: LabHandle, ui: Ui) -> ViewOptions {
    ViewOptions {
        speed_milli: (ui.speed.get_untracked() * 1000.0).round() as u32,
        expanded: lab.with_untracked(|l| l.expanded_nodes()),
        chart: ui.chart_unit.get_untracked(),
    }
}

/// Runs a script line: what the console does with typed input and what every fault
/// button does, so the console log shows the same command a student could type.
/// It runs as [`Lab::run_typed`] says (on the next millisecond; a typing interval later
/// while paused), stamped with that time. The autosave follows (an effect watching
/// [`LabHandle::commands`]).
pub fn run(lab: LabHandle, line: Line) {
    run_all(lab, vec![line]);
}

/// Runs several lines entered at once (a console entry, a pasted script, a saved
/// config file) as one command: the first waits like [`run`]'s line, the others follow
/// it as a script's lines do, and they are saved once.
pub fn run_all(lab: LabHandle, lines: Vec<Line>) {
    let paused = lab.paused();
    lab.update(|l| l.run_typed(&lines, paused));
    lab.commands.update(|n| *n += 1);
}

/// Runs a script's lines as `walscope run` does (at their own `@TIME`, else right after
/// each other, no typing interval), saved once: an example loaded from the header.
pub fn run_script(lab: LabHandle, lines: Vec<Line>) {
    lab.update(|l| {
        for line in &lines {
            l.run_line(line);
        }
    });
    lab.commands.update(|n| *n += 1);
}

/// Advances the model by one animation frame of `wall_ms` milliseconds at the chosen speed.
pub fn frame(lab: LabHandle, ui: Ui, wall_ms: f64) {
    let micros = (wall_ms.max(0.0) * 1000.0 * ui.speed.get_untracked()).round() as u64;
    lab.update(|l| {
        let t = l.now() + SimDuration(micros);
        l.advance_to(t);
    });
}

/// Single step: to the next event (or recorded command). What it ran is shown under
/// the time controls ([`Ui::stepped`]).
pub fn step(lab: LabHandle, ui: Ui) {
    let (before, log_from) = lab.with_untracked(|l| {
        let c = &l.runner().cluster;
        (c.nodes(), c.events().len())
    });
    let stepped = lab.update(|l| l.step());
    // What changed: a card whose state or positions moved, a host that logged a line.
    let hosts = lab.with_untracked(|l| {
        let c = &l.runner().cluster;
        let after = c.nodes();
        let mut hosts: Vec<usize> = after
            .iter()
            .enumerate()
            .filter(|(i, n)| before.get(*i) != Some(*n))
            .map(|(i, _)| i)
            .chain(
                c.events()
                    .get(log_from..)
                    .unwrap_or_default()
                    .iter()
                    .map(|e| e.host.0),
            )
            .collect();
        crate::sim::order::sort(&mut hosts);
        hosts.dedup();
        hosts
    });
    let names: Vec<String> = lab.with_untracked(|l| {
        let c = &l.runner().cluster;
        hosts
            .iter()
            .map(|h| c.host(crate::sim::HostId(*h)).name.clone())
            .collect()
    });
    ui.step_marks.set(StepMarks { hosts, log_from });
    ui.stepped.set(Some(match stepped {
        Some(s) if names.is_empty() => step_note(&s),
        Some(s) => format!("{} Marked: {}.", step_note(&s), names.join(", ")),
        None => "Step: nothing is left to happen.".to_string(),
    }));
}

/// The note a step leaves: when it moved to, what ran, what it logged.
fn step_note(s: &Stepped) -> String {
    let mut parts = Vec::new();
    if !s.events.is_empty() {
        parts.push(s.events.join("; "));
    }
    let more = s.ran.saturating_sub(s.events.len() as u64);
    if more > 0 {
        parts.push(format!("{more} more at the same instant"));
    }
    if s.commands > 0 {
        parts.push(format!("{} recorded command(s) ran", s.commands));
    }
    if !s.logged.is_empty() {
        parts.push(format!("Log: {}", s.logged.join("; ")));
    }
    format!("Step to t = {}: {}.", s.at, parts.join(". "))
}

/// Moves the clock to `t` (timeline slider).
pub fn scrub(lab: LabHandle, t: SimTime) {
    lab.update(|l| l.scrub(t));
}

/// A `lab$` line.
pub fn lab_line(text: impl Into<String>) -> Line {
    Line {
        number: 0,
        at: None,
        target: Target::Lab,
        text: text.into(),
    }
}

/// A `NODE$` shell line.
pub fn shell_line(node: &str, text: impl Into<String>) -> Line {
    Line {
        number: 0,
        at: None,
        target: Target::Shell(node.to_string()),
        text: text.into(),
    }
}
