//! The timeline: the lab the browser shows, a [`Runner`] plus the record that lets a teacher move
//! back and forth in virtual time.
//!
//! The model is deterministic, so the past is not stored as pictures but rebuilt:
//! every line run is recorded with its virtual time, a clone of the runner is kept
//! every [`SNAPSHOT_EVERY`] of virtual time (every [`SNAPSHOT_EVERY_LATER`] after the
//! first hour, [`DENSE_UNTIL`]), and going to time `t` restores the latest
//! snapshot at or before `t` and re-runs the recorded lines up to `t`. The lag chart's
//! samples are taken at fixed virtual times ([`SAMPLE_EVERY`], [`SAMPLE_EVERY_LATER`] after
//! the first hour), so they are the same
//! however the time was reached.
//!
//! Time in the classroom: the browser's play loop moves virtual time with real time at
//! the chosen speed, and a command a person enters runs at a time [`Lab::run_typed`]
//! picks (the next whole millisecond; [`TYPING`] later while paused, so a paused lab
//! still settles between two commands). That time is recorded as the line's `@TIME`
//! before it runs, so the live lab and the replay of its script are the same lab.

use crate::script::lab::{self as labcmd, LabCommand};
use crate::script::runner::{halt_message, MAX_EVENTS_PER_REPLAY};
use crate::script::{Line, Runner, Target};
use crate::share::{Scenario, ViewOptions};
use crate::sim::{HostId, NodeView, ServerState, SimDuration, SimTime, MAX_TIME};

mod app_sample;
pub use app_sample::{app_lanes, lost_writes, AppLane, AppSample, FailedWindow};

/// How often a clone of the runner is kept for scrubbing.
pub const SNAPSHOT_EVERY: SimDuration = SimDuration::from_secs(10);
/// How often the lag chart samples the model.
pub const SAMPLE_EVERY: SimDuration = SimDuration::from_millis(100);
/// Until when snapshots and samples are dense; after it they thin out, so a lab that
/// runs to the end of its clock ([`MAX_TIME`], 24 hours) holds about 600 snapshots and
/// 120,000 samples instead of 8,640 and 864,000.
pub const DENSE_UNTIL: SimTime = SimTime(3600 * 1_000_000);
/// How often a snapshot is kept after [`DENSE_UNTIL`].
pub const SNAPSHOT_EVERY_LATER: SimDuration = SimDuration::from_secs(300);
/// How often the lag chart samples the model after [`DENSE_UNTIL`].
pub const SAMPLE_EVERY_LATER: SimDuration = SimDuration::from_secs(1);

/// The sampling period at `t`.
fn sample_every(t: SimTime) -> SimDuration {
    if t < DENSE_UNTIL {
        SAMPLE_EVERY
    } else {
        SAMPLE_EVERY_LATER
    }
}
/// How much virtual time a command typed (or clicked) while the clock is paused lets
/// pass before it runs: about what a person takes to type a line, so the cluster
/// settles between two commands as real servers do (a row inserted on the primary has
/// reached a LAN standby by the next `SELECT`). See [`Lab::run_typed`].
pub const TYPING: SimDuration = SimDuration::from_secs(1);

/// A piece of the console transcript, shown once virtual time reaches `at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub at: SimTime,
    /// Exactly what the runner printed (echo of the command with its prompt, output).
    pub text: String,
    /// The recorded line this is the output of (an index into the recorded lines);
    /// `None` for output of an earlier statement that finished later.
    pub line: Option<usize>,
    /// The node the command ran on (`NODE=#` or `NODE$`); `None` for `lab$` lines and
    /// for later output.
    pub node: Option<String>,
}

/// One standby's lag at a sample time.
#[derive(Clone, Debug, PartialEq)]
pub struct StandbyLag {
    pub host: HostId,
    /// `pg_wal_lsn_diff(primary flush, standby replay)`.
    pub bytes: Option<i64>,
    /// `replay_lag` from `pg_stat_replication` on the primary.
    pub replay_lag: Option<SimDuration>,
}

/// What the lag chart plots at one virtual time.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub at: SimTime,
    pub standbys: Vec<StandbyLag>,
    /// The primary workload's commit latency, while commits wait for a synchronous standby.
    pub commit_latency: Option<SimDuration>,
    /// The lab's applications (for their chart).
    pub apps: Vec<AppSample>,
}

/// What one [`Lab::step`] ran, for the note under the time controls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stepped {
    /// The instant it moved to.
    pub at: SimTime,
    /// The events that were due at that instant, in words, in the order they ran.
    pub events: Vec<String>,
    /// How many events ran in all (with those the first ones set off at the same instant).
    pub ran: u64,
    /// The Log lines they wrote (`host: text`).
    pub logged: Vec<String>,
    /// Recorded commands that ran (after scrubbing back).
    pub commands: usize,
}

#[derive(Clone, Debug)]
struct Snapshot {
    runner: Runner,
    /// How many recorded lines had run.
    cursor: usize,
}

/// The runner, its recorded lines and everything needed to scrub through them.
#[derive(Clone, Debug)]
pub struct Lab {
    runner: Runner,
    seed: u64,
    /// Every line run, stamped with the virtual time it ran at (including lines past
    /// the current time after scrubbing back).
    recorded: Vec<Line>,
    /// `recorded[..cursor]` have run on `runner`.
    cursor: usize,
    /// `recorded[..transcribed]` have their output in the transcript.
    transcribed: usize,
    snapshots: Vec<Snapshot>,
    /// The furthest virtual time reached so far.
    horizon: SimTime,
    transcript: Vec<Entry>,
    samples: Vec<Sample>,
    /// Why the replay that built this lab stopped early (see [`Lab::replay`]).
    stopped: Option<String>,
}

impl Lab {
    /// A fresh lab: the model's starting cluster (one primary).
    pub fn new(seed: u64) -> Lab {
        let runner = Runner::new(seed);
        let mut lab = Lab {
            snapshots: vec![Snapshot {
                runner: runner.clone(),
                cursor: 0,
            }],
            runner,
            seed,
            recorded: Vec::new(),
            cursor: 0,
            transcribed: 0,
            horizon: SimTime::ZERO,
            transcript: Vec::new(),
            samples: Vec::new(),
            stopped: None,
        };
        // The chart's first sample is the cluster before any line runs, whether the
        // lines are then typed one by one or replayed from a link (a sample at a time
        // lines run at is always taken before them).
        lab.at_boundary();
        lab
    }

    /// Rebuilds a lab from a script's lines (as a link or a `.walscope` file holds
    /// them): runs them in order at their times, then runs on to `time` if given.
    ///
    /// A replay runs at most [`MAX_EVENTS_PER_REPLAY`] events of the model: one that
    /// reaches it stops there, drops the lines it did not run, and says so in
    /// [`Lab::replay_stopped`] and in the transcript.
    pub fn replay(seed: u64, lines: Vec<Line>, time: Option<SimTime>) -> Lab {
        Lab::replay_within(seed, lines, time, MAX_EVENTS_PER_REPLAY)
    }

    /// [`Lab::replay`] with another bound on its events (tests use a small one).
    pub fn replay_within(seed: u64, lines: Vec<Line>, time: Option<SimTime>, events: u64) -> Lab {
        let mut lab = Lab::new(seed);
        lab.recorded = lines;
        let outer = lab.runner.cluster.limit_events(events);
        let spent = |lab: &Lab| lab.runner.cluster.processed >= lab.runner.cluster.event_limit();
        while lab.cursor < lab.recorded.len() && !spent(&lab) {
            let due = lab.due(lab.cursor);
            lab.advance_to(due);
        }
        if !spent(&lab) {
            let end = lab.busy_until();
            lab.advance_to(end);
        }
        if let Some(t) = time.filter(|_| !spent(&lab)) {
            lab.advance_to(t);
        }
        if spent(&lab) {
            lab.cut_wait();
            let skipped = lab.recorded.len() - lab.cursor;
            lab.recorded.truncate(lab.cursor);
            let note = format!(
                "walscope stopped replaying at {}: opening a lab may run at most {events} events of the model; {skipped} later command(s) were not run",
                lab.now()
            );
            lab.transcript.push(Entry {
                at: lab.now(),
                text: format!("{note}\n"),
                line: None,
                node: None,
            });
            lab.stopped = Some(note);
        }
        lab.runner.cluster.restore_event_limit(outer);
        lab
    }

    /// Why the replay that built this lab stopped early, if it did.
    pub fn replay_stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    /// The lab a link describes; the view options are the caller's to apply.
    pub fn from_scenario(s: &Scenario) -> Lab {
        let mut lab = Lab::replay(s.seed, s.lines.clone(), Some(s.time));
        for node in &s.view.expanded {
            lab.runner.psql.entry(node.clone()).or_default().expanded = true;
        }
        lab
    }

    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    pub fn now(&self) -> SimTime {
        self.runner.now()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The furthest time reached: the end of the timeline slider.
    pub fn horizon(&self) -> SimTime {
        self.horizon.max(self.now())
    }

    /// Transcript entries up to the current time.
    pub fn transcript(&self) -> &[Entry] {
        let n = self.transcript.partition_point(|e| e.at <= self.now());
        &self.transcript[..n]
    }

    /// How many recorded commands lie after the current time (shown after scrubbing back).
    pub fn future_commands(&self) -> usize {
        self.recorded.len() - self.cursor
    }

    /// Lag samples up to the current time.
    pub fn samples(&self) -> &[Sample] {
        let n = self.samples.partition_point(|s| s.at <= self.now());
        &self.samples[..n]
    }

    /// The scenario on screen: seed, the lines run so far and the time, ready for a link.
    pub fn scenario(&self, view: ViewOptions) -> Scenario {
        let mut s = Scenario::of(&self.runner);
        s.lines = self.present_lines();
        s.view = view;
        s
    }

    /// The script that rebuilds the state on screen (what a `.walscope` file holds):
    /// the lines run so far, with a closing `lab$ wait` to the current time
    /// ([`Scenario::to_file`]), so `walscope run` of it ends where the lab stands.
    pub fn script(&self) -> String {
        self.scenario(ViewOptions::default()).to_file()
    }

    /// The runner's lines, with a `wait` still in progress cut to the current time, so
    /// that replaying them lands exactly here.
    fn present_lines(&self) -> Vec<Line> {
        let mut lines = self.runner.history.clone();
        if let Some(last) = lines.last_mut() {
            if let Some((start, d)) = wait_of(last) {
                let now = self.now();
                if start + d > now {
                    let done = now.saturating_sub(start);
                    if done == SimDuration::ZERO {
                        lines.pop();
                    } else {
                        last.text = format!("wait {done}");
                    }
                }
            }
        }
        lines
    }

    /// Runs what a person entered at once (one console entry, one button's command) the
    /// way a class expects time to pass, and records when it ran so a replay is exact.
    ///
    /// Its first line, unless it carries its own `@TIME`, runs at the next whole
    /// millisecond (the clock, driven by the browser, rarely stands on one; exported
    /// scripts then read `@42.591s`), and while the clock is `paused` [`TYPING`] later
    /// still: a paused lab is not a frozen one, a typed `SELECT` on a standby sees the
    /// `INSERT` typed on the primary before it. The time chosen becomes the line's
    /// `@TIME`, so nothing happens between recording a line and running it that a replay
    /// would not do. The other lines follow as a script's do (right after each other).
    pub fn run_typed(&mut self, lines: &[Line], paused: bool) {
        for (i, line) in lines.iter().enumerate() {
            if i == 0 && line.at.is_none() {
                let settle = if paused { TYPING } else { SimDuration::ZERO };
                let at = (self.now() + settle).0.div_ceil(1000) * 1000;
                let mut timed = line.clone();
                timed.at = Some(SimDuration(at));
                self.run_line(&timed);
            } else {
                self.run_line(line);
            }
        }
    }

    /// Runs a line typed in the console or sent by a button, exactly as the native
    /// runner would, and appends what it printed to the transcript. A line run while
    /// scrubbed back discards the recorded future first (before its `@TIME` lets the
    /// clock run on, so the discarded lines do not run again meanwhile).
    pub fn run_line(&mut self, line: &Line) {
        self.discard_future();
        if let Some(at) = line.at {
            let outer = self.runner.cluster.limit_events(self.runner.command_events);
            self.advance_to(SimTime(at.0));
            self.note_halt();
            self.runner.cluster.restore_event_limit(outer);
        }
        self.discard_future();
        let mut stamped = line.clone();
        stamped.at = Some(SimDuration(self.now().0));
        stamped.number = self.recorded.len() + 1;
        self.recorded.push(stamped);
        let outer = self.runner.cluster.limit_events(self.runner.command_events);
        self.exec_next();
        // A wait lets the clock run to its end, through the samples and snapshots.
        let end = self.busy_until();
        self.advance_to(end);
        if self.runner.cluster.halt().is_some() {
            self.cut_wait();
            self.note_halt();
        }
        self.runner.cluster.restore_event_limit(outer);
        self.horizon = self.horizon.max(self.now());
    }

    /// Says in the transcript that the cluster stopped short, if it did.
    fn note_halt(&mut self) {
        if let Some(halt) = self.runner.cluster.halt() {
            self.transcript.push(Entry {
                at: self.now(),
                text: halt_message(halt, self.now()),
                line: None,
                node: None,
            });
        }
    }

    /// A `wait` the event limit stopped is recorded as the wait it was, as the runner
    /// records it, so the script rebuilds this moment.
    fn cut_wait(&mut self) {
        let Some(i) = self.cursor.checked_sub(1) else {
            return;
        };
        let Some((start, d)) = wait_of(&self.recorded[i]) else {
            return;
        };
        if start + d <= self.now() {
            return;
        }
        let done = self.now().saturating_sub(start);
        let text = format!("wait {done}");
        if let Some(e) = self.transcript.iter_mut().find(|e| e.line == Some(i)) {
            e.text = format!("lab$ {text}\n");
        }
        self.recorded[i].text = text.clone();
        if let Some(l) = self.runner.history.last_mut() {
            l.text = text;
        }
    }

    /// Drops every recorded line, transcript entry, snapshot and sample after now. A
    /// `wait` in progress is cut to the time it has run, so the script still rebuilds
    /// exactly this state.
    fn discard_future(&mut self) {
        let now = self.now();
        if self.cursor == self.recorded.len() && now >= self.horizon {
            return;
        }
        self.recorded.truncate(self.cursor);
        if let Some((start, d)) = self.recorded.last().and_then(wait_of) {
            if start + d > now {
                let done = now.saturating_sub(start);
                if done == SimDuration::ZERO {
                    self.recorded.pop();
                    self.runner.history.pop();
                    self.cursor -= 1;
                } else {
                    let text = format!("wait {done}");
                    let i = self.cursor - 1;
                    if let Some(e) = self.transcript.iter_mut().find(|e| e.line == Some(i)) {
                        e.text = format!("lab$ {text}\n");
                    }
                    if let Some(l) = self.recorded.last_mut() {
                        l.text = text.clone();
                    }
                    if let Some(l) = self.runner.history.last_mut() {
                        l.text = text;
                    }
                }
            }
        }
        self.transcribed = self.transcribed.min(self.cursor);
        let cursor = self.cursor;
        self.transcript
            .retain(|e| e.at <= now && e.line.is_none_or(|i| i < cursor));
        self.snapshots
            .retain(|s| s.runner.now() <= now && s.cursor <= self.cursor);
        self.samples.retain(|s| s.at <= now);
        self.horizon = now;
    }

    /// When the last line run finishes: the end of a `wait`, else now.
    fn busy_until(&self) -> SimTime {
        let now = self.now();
        match self
            .cursor
            .checked_sub(1)
            .and_then(|i| wait_of(&self.recorded[i]))
        {
            Some((start, d)) => (start + d).max(now),
            None => now,
        }
    }

    /// When recorded line `i` runs: at its time, or right after the previous line.
    fn due(&self, i: usize) -> SimTime {
        match self.recorded[i].at {
            Some(a) => SimTime(a.0),
            None => self.busy_until(),
        }
    }

    /// Runs `recorded[cursor]`, stamping it with the time it runs at.
    fn exec_next(&mut self) {
        let i = self.cursor;
        self.recorded[i].at = Some(SimDuration(self.now().0));
        let line = self.recorded[i].clone();
        self.cursor += 1;
        let text = if wait_of(&line).is_some() {
            // `lab$ wait` only lets time pass. Record it as the runner does and let the
            // clock move through it, so the slider can stop inside it and the chart keeps
            // sampling (`Runner::run_line` would jump to its end at once).
            self.runner.history.push(line.clone());
            format!("{} {}\n", line.prompt(), line.text)
        } else {
            self.runner.run_line(&line)
        };
        if i >= self.transcribed {
            let node = match &line.target {
                Target::Sql(n) | Target::Shell(n) => Some(n.clone()),
                Target::Lab => None,
            };
            self.transcript.push(Entry {
                at: SimTime(line.at.map_or(0, |a| a.0)),
                text,
                line: Some(i),
                node,
            });
            self.transcribed = i + 1;
        }
    }

    /// Moves virtual time forward to `target`, running recorded lines as they fall
    /// due, sampling the lag chart and keeping snapshots on the way.
    pub fn advance_to(&mut self, target: SimTime) {
        // The clock stops at MAX_TIME, and a cluster out of events for this command
        // stays where it is: either way there is no further to go.
        let target = target.min(MAX_TIME);
        loop {
            while self.cursor < self.recorded.len() && self.due(self.cursor) <= self.now() {
                self.exec_next();
            }
            let now = self.now();
            let mut stop = target.max(now);
            if self.cursor < self.recorded.len() {
                stop = stop.min(self.due(self.cursor));
            }
            let every = sample_every(now).0;
            let next_sample = SimTime((now.0 / every + 1) * every);
            stop = stop.min(next_sample);
            self.runner.cluster.run_until(stop);
            self.at_boundary();
            if self.runner.cluster.halt().is_some() {
                break;
            }
            let pending = self.cursor < self.recorded.len() && self.due(self.cursor) <= self.now();
            if self.now() >= target && !pending {
                break;
            }
        }
        self.horizon = self.horizon.max(self.now());
    }

    /// Takes the sample and the snapshot due now, and collects statement output that
    /// finished meanwhile (a commit that waited for a synchronous standby).
    fn at_boundary(&mut self) {
        let now = self.now();
        let out = self.runner.drain_outputs();
        if !out.is_empty() && now > self.horizon {
            self.transcript.push(Entry {
                at: now,
                text: out,
                line: None,
                node: None,
            });
        }
        if now.0.is_multiple_of(sample_every(now).0)
            && self.samples.last().is_none_or(|s| s.at < now)
        {
            self.samples.push(sample(&self.runner, now));
        }
        if self.snapshots.last().is_none_or(|s| {
            let every = if now < DENSE_UNTIL {
                SNAPSHOT_EVERY
            } else {
                SNAPSHOT_EVERY_LATER
            };
            now.saturating_sub(s.runner.now()) >= every
        }) {
            self.snapshots.push(Snapshot {
                runner: self.runner.clone(),
                cursor: self.cursor,
            });
        }
    }

    /// Moves to the next moment anything happens: the next event (every event of that
    /// instant, so replaying the script reaches the same state) or the next recorded
    /// line, and says what ran (`None` when nothing is left to happen).
    pub fn step(&mut self) -> Option<Stepped> {
        let c = &self.runner.cluster;
        let next_event = c.next_event_time();
        let next_line = (self.cursor < self.recorded.len()).then(|| self.due(self.cursor));
        let target = [next_event, next_line].into_iter().flatten().min()?;
        let events = if next_event == Some(target) {
            c.next_events()
        } else {
            Vec::new()
        };
        let (processed, logged, cursor) = (c.processed, c.events().len(), self.cursor);
        self.advance_to(target);
        let c = &self.runner.cluster;
        Some(Stepped {
            at: self.now(),
            events,
            ran: c.processed.saturating_sub(processed),
            logged: c
                .events()
                .get(logged..)
                .unwrap_or_default()
                .iter()
                .map(|e| format!("{}: {}", c.host(e.host).name, e.text))
                .collect(),
            commands: self.cursor.saturating_sub(cursor),
        })
    }

    /// Goes to virtual time `t` (at most the horizon): restores the latest snapshot at
    /// or before `t` and runs forward from it.
    pub fn scrub(&mut self, t: SimTime) {
        let t = t.min(self.horizon());
        let i = self.snapshots.partition_point(|s| s.runner.now() <= t);
        if i > 0 {
            let snap = &self.snapshots[i - 1];
            if t < self.now() || snap.runner.now() > self.now() {
                self.runner = snap.runner.clone();
                self.cursor = snap.cursor;
            }
        }
        self.advance_to(t);
    }

    /// The psql `\x` state of every node's console, for a link's view options.
    pub fn expanded_nodes(&self) -> Vec<String> {
        self.runner
            .psql
            .iter()
            .filter(|(_, s)| s.expanded)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// How many snapshots are kept (for tests).
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }
}

/// A `lab$ wait D` line: its start time (if stamped) and duration.
fn wait_of(line: &Line) -> Option<(SimTime, SimDuration)> {
    if line.target != Target::Lab {
        return None;
    }
    match labcmd::parse(&line.text) {
        Ok(LabCommand::Wait(d)) => Some((SimTime(line.at.map_or(0, |a| a.0)), d)),
        _ => None,
    }
}

/// The node streaming WAL to the others, as the cards and bars show it: the first
/// running server not in recovery, else the first host.
pub fn primary_of(nodes: &[NodeView]) -> Option<&NodeView> {
    nodes
        .iter()
        .find(|n| n.state == ServerState::Running && !n.in_recovery)
        .or_else(|| {
            nodes
                .iter()
                .find(|n| !n.in_recovery && n.state != ServerState::Empty)
        })
        .or(nodes.first())
}

fn sample(runner: &Runner, at: SimTime) -> Sample {
    let c = &runner.cluster;
    let nodes = c.nodes();
    let apps = app_sample::app_samples(c);
    let Some(primary) = primary_of(&nodes) else {
        return Sample {
            at,
            standbys: Vec::new(),
            commit_latency: None,
            apps,
        };
    };
    let rows = c.stat_replication(primary.id);
    let standbys = nodes
        .iter()
        .filter(|n| n.id != primary.id && n.state != ServerState::Empty && n.in_recovery)
        .map(|n| {
            let row = rows.iter().find(|r| r.peer == n.id);
            let bytes = match (primary.flush, n.replay) {
                (Some(p), Some(r)) if n.timeline == primary.timeline => Some(p.diff(r).max(0)),
                _ => None,
            };
            StandbyLag {
                host: n.id,
                bytes,
                replay_lag: row.map(|r| r.replay_lag.unwrap_or(SimDuration::ZERO)),
            }
        })
        .collect();
    let commit_latency = (primary.workload_tps.is_some_and(|t| t > 0)
        && (primary.waiting_commits > 0 || primary.workload_latency > SimDuration::ZERO))
        .then_some(primary.workload_latency);
    Sample {
        at,
        standbys,
        commit_latency,
        apps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::EXAMPLES;
    use crate::script::parse;
    use proptest::prelude::*;

    /// What a teacher or student does to the lab in the browser.
    #[derive(Clone, Debug)]
    enum Action {
        /// A line typed in the console, or the command a button runs, while the clock
        /// plays (`false`) or is paused (`true`).
        Type(&'static str, bool),
        /// Playing for this many microseconds of virtual time, in frames of the second
        /// number of microseconds (a frame's wall time times the speed).
        Play(u64, u64),
        /// The Step button.
        Step,
        /// The slider, to this fraction (per mille) of the horizon.
        Scrub(u64),
    }

    /// Lines a class types or clicks, on the lab of the second example.
    const LINES: [&str; 16] = [
        "primary=# INSERT INTO test VALUES (2);",
        "primary=# SELECT pg_current_wal_lsn();",
        "standby1=# SELECT status, flushed_lsn FROM pg_stat_wal_receiver;",
        "standby1=# INSERT INTO test VALUES (3);",
        "primary=# CHECKPOINT;",
        "primary=# \\x",
        "lab$ workload primary 300",
        "lab$ workload primary off",
        "lab$ partition primary standby1",
        "lab$ heal primary standby1",
        "lab$ latency primary standby1 40ms",
        "lab$ crash standby1",
        "standby1$ pg_ctl start",
        "lab$ wait 700ms",
        "standby1=# SELECT pg_promote();",
        "primary$ tail -n 3 log/postgresql.log",
    ];

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            4 => (0..LINES.len(), any::<bool>()).prop_map(|(i, p)| Action::Type(LINES[i], p)),
            3 => (1u64..3_000_000, 1u64..2_000_000).prop_map(|(a, f)| Action::Play(a, f)),
            2 => Just(Action::Step),
            1 => (0u64..=1000).prop_map(Action::Scrub),
        ]
    }

    fn line(text: &str) -> Line {
        crate::script::parse_line(text, 1).expect("test line parses")
    }

    /// Everything a user sees of a lab: time, transcript, model state and lag chart.
    ///
    /// A `lab$ wait` the clock is inside of shows in the console as typed, while its link
    /// carries the part that has run (nothing, if none has); the transcript compared is
    /// the link's.
    fn seen(lab: &Lab) -> (SimTime, Vec<Entry>, u64, usize) {
        let lines = lab.scenario(ViewOptions::default()).lines;
        let transcript = lab
            .transcript()
            .iter()
            .filter(|e| e.line.is_none_or(|i| i < lines.len()))
            .map(|e| match e.line {
                Some(i) if wait_of(&lines[i]).is_some() => Entry {
                    text: format!("lab$ {}\n", lines[i].text),
                    ..e.clone()
                },
                _ => e.clone(),
            })
            .collect();
        (
            lab.now(),
            transcript,
            lab.runner().cluster.fingerprint(),
            lab.samples().len(),
        )
    }

    fn start() -> Lab {
        let mut lab = Lab::new(0);
        for l in parse(EXAMPLES[1].1).expect("example parses") {
            lab.run_line(&l);
        }
        lab
    }

    /// The class-notes lab, as a student finds it after loading it.
    fn class_notes() -> Lab {
        let mut lab = Lab::new(0);
        lab.run_typed(&parse(EXAMPLES[2].1).expect("example parses"), true);
        lab
    }

    /// What the console printed for the last command.
    fn last_output(lab: &Lab) -> String {
        lab.transcript()
            .last()
            .map(|e| e.text.clone())
            .unwrap_or_default()
    }

    #[test]
    fn commands_typed_while_paused_let_the_cluster_settle() {
        let mut lab = class_notes();
        let start = lab.now();
        for text in [
            "pg1=# CREATE TABLE t (id int);",
            "pg1=# INSERT INTO t VALUES (1);",
            "pg2=# SELECT * FROM t;",
        ] {
            lab.run_typed(&[line(text)], true);
        }
        let shown = last_output(&lab);
        assert!(shown.contains(" 1\n(1 row)"), "{shown}");
        // Each command waited the typing interval, on whole milliseconds, and says so in
        // the script: replaying it shows the same.
        assert_eq!(
            lab.now(),
            SimTime((start + TYPING + TYPING + TYPING).0.div_ceil(1000) * 1000)
        );
        let script = lab.script();
        assert!(script.contains("s pg2=# SELECT * FROM t;"), "{script}");
        let replayed = Lab::replay(0, parse(&script).unwrap(), None);
        assert_eq!(last_output(&replayed), shown);
        assert_eq!(
            replayed.runner().cluster.fingerprint(),
            lab.runner().cluster.fingerprint()
        );

        // Without the typing interval (a frozen clock), the standby has not replayed
        // the table yet: what the class saw before.
        let mut frozen = class_notes();
        for text in [
            "pg1=# CREATE TABLE t (id int);",
            "pg1=# INSERT INTO t VALUES (1);",
            "pg2=# SELECT * FROM t;",
        ] {
            frozen.run_typed(&[line(text)], false);
        }
        assert!(last_output(&frozen).contains("does not exist"));
    }

    #[test]
    fn a_step_says_what_it_ran() {
        let mut lab = class_notes();
        lab.run_typed(&[line("pg1=# CREATE TABLE t (id int);")], false);
        // Stepping on, the class sees the WAL of the CREATE TABLE travel to the standby,
        // and the standby's reply come back.
        let mut seen = Vec::new();
        for _ in 0..50 {
            let s = lab.step().expect("the cluster always has something due");
            assert_eq!(s.at, lab.now());
            assert!(s.ran >= s.events.len() as u64 && s.ran > 0);
            seen.extend(s.events);
        }
        assert!(
            seen.iter()
                .any(|e| e.starts_with("WAL up to ") && e.ends_with("from pg1 reaches pg2")),
            "{seen:?}"
        );
        assert!(
            seen.iter().any(|e| e.starts_with("pg2's status reply")),
            "{seen:?}"
        );
    }

    #[test]
    fn a_command_typed_while_playing_runs_on_the_next_millisecond() {
        let mut lab = class_notes();
        lab.advance_to(lab.now() + SimDuration(16_667));
        let before = lab.now();
        lab.run_typed(&[line("pg1=# SELECT 1;")], false);
        assert_eq!(lab.now(), SimTime(before.0.div_ceil(1000) * 1000));
        assert!(lab.now() > before);
        // A line that brings its own time keeps it.
        lab.run_typed(&[line("@30s pg1=# SELECT 2;")], true);
        assert_eq!(lab.now(), SimTime(30_000_000));
    }

    #[test]
    fn typing_after_scrubbing_back_does_not_rerun_the_discarded_future() {
        let mut lab = class_notes();
        let back = lab.now();
        lab.run_typed(&[line("pg1=# CREATE TABLE t (id int);")], true);
        lab.scrub(back);
        // The CREATE TABLE lies in the future the typed line discards; it must not run
        // while the clock settles for the new line.
        lab.run_typed(&[line("pg1=# SELECT * FROM t;")], true);
        assert!(
            last_output(&lab).contains("does not exist"),
            "{}",
            last_output(&lab)
        );
        assert_eq!(lab.future_commands(), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Live = replay: whatever was typed, played, stepped and scrubbed, the link of
        /// the lab on screen (and its exported script) rebuilds exactly what is shown.
        #[test]
        fn live_equals_replay(actions in proptest::collection::vec(action(), 1..60)) {
            let mut lab = start();
            for a in &actions {
                match a {
                    Action::Type(text, paused) => lab.run_typed(&[line(text)], *paused),
                    Action::Play(micros, frame) => {
                        // The play loop advances a frame at a time.
                        let end = lab.now() + SimDuration(*micros);
                        while lab.now() < end {
                            let t = (lab.now() + SimDuration(*frame)).min(end);
                            lab.advance_to(t);
                        }
                    }
                    Action::Step => {
                        lab.step();
                    }
                    Action::Scrub(permille) => {
                        let t = SimTime(lab.horizon().0 / 1000 * permille);
                        lab.scrub(t);
                    }
                }
            }
            let replayed = Lab::from_scenario(&lab.scenario(ViewOptions::default()));
            prop_assert_eq!(seen(&replayed), seen(&lab));

            let script = lab.script();
            let lines = parse(&script).expect("the exported script parses");
            let from_file = Lab::replay(lab.seed(), lines, Some(lab.now()));
            prop_assert_eq!(from_file.runner().cluster.fingerprint(), lab.runner().cluster.fingerprint());
        }
    }
}
