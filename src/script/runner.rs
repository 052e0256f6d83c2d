//! Runs scenario lines against a cluster and prints a psql/bash-like transcript.

use crate::sim::map::Map;

use super::lab::{self, LabCommand};
use super::psql::tail::Tail;
use super::psql::{self, Action, PsqlState};
use super::shell::{self, ShellResult};
use super::{parse, Line, ParseError, Target};
use crate::sim::{Cluster, Halt, HostId, SimDuration, SimTime, MAX_TIME};

/// How long a console waits for a statement's commit before moving on.
pub const PATIENCE: crate::sim::SimDuration = crate::sim::SimDuration::from_secs(1);

/// The most events of the model one command may run (a `wait`, a `pg_basebackup`, a
/// statement, or the wait for a line's `@TIME`): about an hour and a half of virtual
/// time for three standbys under a 1,000 TPS workload, a few seconds of work. A command
/// that reaches it stops there with [`halt_message`], and the lab goes on from that
/// moment with the next command.
pub const MAX_EVENTS_PER_COMMAND: u64 = 4_000_000;

/// The most events of the model opening a link (or a lesson step, or an imported
/// file) may run: about three hours of virtual time for three standbys under a 1,000
/// TPS workload. A replay that reaches it stops there and keeps the lines run so far.
pub const MAX_EVENTS_PER_REPLAY: u64 = 8_000_000;

/// What the transcript says when the cluster stopped short (see [`Halt`]).
pub fn halt_message(halt: Halt, now: SimTime) -> String {
    match halt {
        Halt::Events => format!(
            "walscope: stopped at {now}: this command ran the most events of the model one command may run; the next command goes on from here\n"
        ),
        Halt::Clock => format!(
            "walscope: the lab's clock stops at {MAX_TIME} (24 hours of virtual time); nothing happens after that\n"
        ),
    }
}

/// A cluster with its consoles, and every line run so far (with the virtual time it
/// ran at, so replaying them rebuilds the same state).
#[derive(Clone, Debug)]
pub struct Runner {
    pub cluster: Cluster,
    pub seed: u64,
    /// psql state (`\x`) per node.
    pub psql: Map<String, PsqlState>,
    /// The lines run so far, each stamped with its time.
    pub history: Vec<Line>,
    /// The most events one command may run ([`MAX_EVENTS_PER_COMMAND`]; tests lower it).
    pub command_events: u64,
    /// The rest of console lines whose statement still waits for its commit: psql sends
    /// them in the same session once the wait ends.
    pub pending: Vec<Pending>,
}

/// What is left of a console line after a statement that still waits.
#[derive(Clone, Debug)]
pub struct Pending {
    pub node: String,
    pub host: HostId,
    /// The session whose statement waits.
    pub session: usize,
    pub actions: Vec<Action>,
}

impl Runner {
    pub fn new(seed: u64) -> Runner {
        Runner {
            cluster: Cluster::new(seed),
            seed,
            psql: Map::new(),
            history: Vec::new(),
            pending: Vec::new(),
            command_events: MAX_EVENTS_PER_COMMAND,
        }
    }

    pub fn now(&self) -> SimTime {
        self.cluster.now()
    }

    /// Runs one line: waits for its `@TIME`, echoes it with its prompt, and returns
    /// everything printed (including output of earlier statements that finished
    /// meanwhile).
    pub fn run_line(&mut self, line: &Line) -> String {
        let mut out = String::new();
        // A line runs after everything due at its time has happened, including what the
        // previous line set off at the same instant: typed live or replayed from its
        // script, the same line then sees the same cluster. Waiting for its time and
        // running it are bounded apart, so a line's own work is bounded the same way
        // whether the runner or the timeline brought the clock to it.
        let target = line.at.map_or(SimTime::ZERO, |at| SimTime(at.0));
        let outer = self.cluster.limit_events(self.command_events);
        out.push_str(&self.advance_to(target.max(self.cluster.now())));
        out.push_str(&self.drain_outputs());
        if let Some(halt) = self.cluster.halt() {
            out.push_str(&halt_message(halt, self.cluster.now()));
        }
        self.cluster.restore_event_limit(outer);
        let outer = self.cluster.limit_events(self.command_events);
        let body = self.run_bounded(line);
        self.cluster.restore_event_limit(outer);
        out.push_str(&body);
        out
    }

    /// Runs one line at the current time within the event limit set for it.
    fn run_bounded(&mut self, line: &Line) -> String {
        let mut out = String::new();
        let start = self.cluster.now();
        let mut stamped = line.clone();
        stamped.at = Some(SimDuration(start.0));
        out.push_str(&echo(line));
        let mut record = true;
        let body = match &line.target {
            Target::Lab => match lab::parse(&line.text) {
                Ok(LabCommand::Seed(seed)) => {
                    if self.history.is_empty() && self.cluster.now() == SimTime::ZERO {
                        // A new lab under the same bound on a command's events.
                        let events = self.command_events;
                        *self = Runner::new(seed);
                        self.command_events = events;
                        String::new()
                    } else {
                        record = false;
                        "lab: seed can only be set before the first command\n".to_string()
                    }
                }
                Ok(LabCommand::OsRhel) => {
                    // Only `lab$ seed` may come before it.
                    let first = self.history.iter().all(|l| {
                        l.target == Target::Lab
                            && matches!(lab::parse(&l.text), Ok(LabCommand::Seed(_)))
                    });
                    if first && !self.cluster.is_rhel() {
                        self.cluster.set_os_rhel();
                        lab::OS_RHEL.to_string()
                    } else {
                        record = false;
                        format!("{}\n", lab::OS_LATE)
                    }
                }
                Ok(cmd) => lab::apply(&mut self.cluster, &cmd).unwrap_or_else(|e| {
                    record = false;
                    format!("{e}\n")
                }),
                Err(e) => {
                    record = false;
                    format!("{e}\n")
                }
            },
            Target::Sql(node) => match self.host(node) {
                // A RHEL host without the client package has no psql to type into.
                Ok(h) if self.cluster.os(h).is_some_and(|o| !o.has("postgresql")) => {
                    "bash: psql: command not found\n".to_string()
                }
                Ok(h) => self.run_sql(node, h, &line.text),
                Err(e) => {
                    record = false;
                    e
                }
            },
            Target::Shell(node) => match self.host(node) {
                Ok(h) => match shell::run(&mut self.cluster, h, &line.text) {
                    ShellResult::Done(text) => text,
                    ShellResult::BaseBackup(id) => self.wait_for_backup(id),
                },
                Err(e) => {
                    record = false;
                    e
                }
            },
        };
        let halt = self.cluster.halt();
        if let (Some(_), Target::Lab, Ok(LabCommand::Wait(_))) =
            (halt, &line.target, lab::parse(&line.text))
        {
            // A wait cut short is recorded as the wait it was, so replaying the
            // script lands on the same moment.
            let done = self.cluster.now().saturating_sub(start);
            stamped.text = format!("wait {done}");
            record = done > SimDuration::ZERO;
        }
        if record {
            self.history.push(stamped);
        }
        out.push_str(&body);
        out.push_str(&self.drain_outputs());
        if let Some(halt) = halt {
            out.push_str(&halt_message(halt, self.cluster.now()));
        }
        out
    }

    /// Runs psql input statement by statement. A statement that waits for synchronous
    /// standbys holds the console for up to [`PATIENCE`] of virtual time, as psql would
    /// until its commit is acknowledged; if it still waits then, the runner goes on (as
    /// if in a second psql window) and its output appears when it finishes.
    fn run_sql(&mut self, node: &str, h: HostId, text: &str) -> String {
        let state = self.psql.entry(node.to_string()).or_default();
        let actions = psql::line_actions(state, text);
        self.run_actions(node, h, actions)
    }

    /// Runs a console line's actions in order; if a statement still waits after
    /// [`PATIENCE`], the rest is kept in [`Runner::pending`] and runs when it finishes.
    fn run_actions(&mut self, node: &str, h: HostId, actions: Vec<Action>) -> String {
        let mut out = String::new();
        let mut actions = actions.into_iter();
        while let Some(action) = actions.next() {
            let state = self.psql.entry(node.to_string()).or_default();
            let (stmt, complete, expanded_once) = match action {
                Action::Meta(meta) => {
                    out.push_str(&psql::meta_command(&self.cluster, h, state, &meta));
                    continue;
                }
                Action::Sql {
                    text,
                    complete,
                    expanded_once,
                } => (text, complete, expanded_once),
            };
            let expanded = state.expanded;
            state.expanded |= expanded_once;
            let session = self.cluster.idle_session(h);
            let o = psql::run_statement(&mut self.cluster, h, state, &stmt, complete);
            state.expanded = expanded;
            out.push_str(&o.text);
            if !o.waiting {
                continue;
            }
            let deadline = self.cluster.now() + PATIENCE;
            while !self.cluster.has_output_for(h)
                && self
                    .cluster
                    .next_event_time()
                    .is_some_and(|t| t <= deadline)
            {
                if !self.cluster.step() {
                    break;
                }
            }
            match self.cluster.take_output_for(h) {
                Some(done) => out.push_str(&done.text),
                None => {
                    let rest: Vec<Action> = actions.collect();
                    if let (Some(session), false) = (session, rest.is_empty()) {
                        self.pending.push(Pending {
                            node: node.to_string(),
                            host: h,
                            session,
                            actions: rest,
                        });
                    }
                    self.cluster.run_until(deadline);
                    break;
                }
            }
        }
        out
    }

    /// Runs the cluster to `target`; while lines wait, event by event, so the rest of a
    /// line runs at the moment its statement finishes.
    fn advance_to(&mut self, target: SimTime) -> String {
        let mut out = String::new();
        // A wait that ended without output (the server went away) leaves nothing to
        // resume: psql lost its connection with it.
        let c = &self.cluster;
        self.pending.retain(|p| {
            c.has_output_for(p.host)
                || c.host(p.host)
                    .server
                    .as_ref()
                    .and_then(|s| s.sessions.get(p.session))
                    .is_some_and(|s| s.waiting.is_some())
        });
        while !self.pending.is_empty()
            && self.cluster.next_event_time().is_some_and(|t| t <= target)
        {
            if !self.cluster.step() {
                break;
            }
            out.push_str(&self.drain_outputs());
        }
        self.cluster.run_until(target);
        out
    }

    fn host(&self, name: &str) -> Result<HostId, String> {
        self.cluster.host_id(name).ok_or_else(|| {
            format!("walscope: no host named \"{name}\" (add one with: lab$ node add {name})\n")
        })
    }

    /// The shell waits for pg_basebackup; the cluster runs meanwhile.
    fn wait_for_backup(&mut self, id: usize) -> String {
        while self
            .cluster
            .basebackup(id)
            .is_some_and(|b| b.finished.is_none())
        {
            if !self.cluster.step() {
                break;
            }
        }
        let mut text = String::new();
        if let Some(b) = self.cluster.basebackup(id) {
            for l in &b.output {
                text.push_str(l);
                text.push('\n');
            }
        }
        text
    }

    /// Output of statements that finished since the last call, marked with when, each
    /// followed by the rest of its line if a wait had held it.
    pub fn drain_outputs(&mut self) -> String {
        let mut out = String::new();
        for o in self.cluster.take_outputs() {
            let name = &self.cluster.host(o.host).name;
            out.push_str(&format!(
                "-- {} {name}=# (session {}) finished:\n{}",
                o.at,
                o.session + 1,
                o.text
            ));
            if let Some(i) = self
                .pending
                .iter()
                .position(|p| p.host == o.host && p.session == o.session)
            {
                let p = self.pending.remove(i);
                out.push_str(&self.run_actions(&p.node, p.host, p.actions));
            }
        }
        out
    }

    /// Parses and runs a whole script; stops before running anything if a line
    /// cannot be parsed.
    pub fn run_text(&mut self, text: &str) -> Result<String, ParseError> {
        let lines = parse(text)?;
        let mut out = String::new();
        for l in &lines {
            out.push_str(&self.run_line(l));
        }
        Ok(out)
    }

    /// The script that rebuilds this state: every line run, with its time.
    pub fn script(&self) -> String {
        let mut s = String::new();
        if self.seed != 0 {
            s.push_str(&format!("lab$ seed {}\n", self.seed));
        }
        s.push_str(&super::to_text(&self.history));
        s
    }
}

/// The echo of a line: its prompt and text. Continuation lines of SQL get psql's
/// `PROMPT2` as it stands after the lines before (`-#`, or `'#` inside a string, `(#`
/// inside parentheses, ...).
fn echo(line: &Line) -> String {
    let mut out = String::new();
    let mut tail = Tail::default();
    let mut start = 0;
    for piece in line.text.split_inclusive('\n') {
        let l = piece.strip_suffix('\n').unwrap_or(piece);
        let l = l.strip_suffix('\r').unwrap_or(l);
        let prompt = match &line.target {
            _ if start == 0 => line.prompt(),
            Target::Sql(n) => {
                tail.feed(&line.text[..start - 1]);
                format!("{n}{}#", tail.prompt())
            }
            _ => "> ".to_string(),
        };
        out.push_str(&format!("{prompt} {l}\n"));
        start += piece.len();
    }
    out
}

/// Runs a script on a fresh cluster (seed 0 unless the script sets one) and returns
/// the transcript, ending with the virtual time.
pub fn run_script(text: &str) -> Result<String, ParseError> {
    let mut r = Runner::new(0);
    let mut out = r.run_text(text)?;
    out.push_str(&format!("-- virtual time: {}\n", r.now()));
    Ok(out)
}
