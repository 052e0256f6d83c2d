//! Goals: what a step asks of the lab, checked on a copy of it.
//!
//! A goal runs one script line (SQL on a node, or a shell command) and looks for text
//! in what it printed, or looks at what the student's last command on a node printed.
//! Like stateright's named properties, a goal is a label and a predicate over the state.

use crate::script::{self, Line, Target};
use crate::timeline::Lab;

use super::LessonError;

/// Text a goal's output must, or must not, contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `shows: TEXT`: the output contains TEXT.
    Shows(String),
    /// `lacks: TEXT`: the output does not contain TEXT.
    Lacks(String),
}

impl Expect {
    fn holds(&self, output: &str) -> bool {
        match self {
            Expect::Shows(t) => output.contains(t.as_str()),
            Expect::Lacks(t) => !output.contains(t.as_str()),
        }
    }
}

/// Where a goal's output comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoalCheck {
    /// Run this line on a copy of the lab.
    Run(Line),
    /// What the student's last command on this node printed (`lab`: the last `lab$` line).
    Last(String),
    /// The lab's event log (the Log tab), one `HOST: text` line per entry, for every
    /// host or only the one named. It remembers what happened (a promotion, an unsafe
    /// move the model noted), where a query sees only the state now.
    Events(Option<String>),
}

/// One goal of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goal {
    /// The checklist's text.
    pub label: String,
    pub check: GoalCheck,
    pub expect: Vec<Expect>,
    /// The line of its block in the lesson file.
    pub line: usize,
}

/// A goal checked against a lab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalResult {
    pub met: bool,
    /// What the check printed (without the echo of its command), for authors.
    pub output: String,
}

impl Goal {
    /// Checks this goal on a copy of the lab.
    pub fn check(&self, lab: &Lab) -> GoalResult {
        check_all(std::slice::from_ref(self), lab).remove(0)
    }

    fn judge(&self, output: String) -> GoalResult {
        GoalResult {
            met: self.expect.iter().all(|e| e.holds(&output)),
            output,
        }
    }
}

/// Checks goals in order on one copy of the lab's runner, so the lab itself (script,
/// time, sessions, console) never changes. The copy's consoles start in psql's default
/// aligned format, whatever `\x` the student set.
pub fn check_all(goals: &[Goal], lab: &Lab) -> Vec<GoalResult> {
    let mut copy = None;
    goals
        .iter()
        .map(|g| match &g.check {
            GoalCheck::Run(line) => {
                let runner = copy.get_or_insert_with(|| {
                    let mut r = lab.runner().clone();
                    r.psql.clear();
                    r
                });
                let printed = runner.run_line(line);
                g.judge(without_echo(&printed, line))
            }
            GoalCheck::Last(node) => g.judge(last_output(lab, node)),
            GoalCheck::Events(node) => g.judge(event_log(lab, node.as_deref())),
        })
        .collect()
}

/// The lab's event log as text: `HOST: text` per entry, oldest first.
fn event_log(lab: &Lab, node: Option<&str>) -> String {
    let c = &lab.runner().cluster;
    c.events()
        .iter()
        .map(|e| (c.host(e.host).name.as_str(), e))
        .filter(|(name, _)| node.is_none_or(|n| n == *name))
        .map(|(name, e)| format!("{name}: {}\n", e.text))
        .collect()
}

/// What a command printed, without the echo of its prompt and text.
fn without_echo(printed: &str, line: &Line) -> String {
    let echo_lines = line.text.lines().count().max(1);
    let mut rest = printed;
    for _ in 0..echo_lines {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest.to_string()
}

/// What the last command run on `node` printed (empty if none ran there).
fn last_output(lab: &Lab, node: &str) -> String {
    lab.transcript()
        .iter()
        .rev()
        .find(|e| match node {
            // `last: lab`: the last lab$ command typed (an `app list`, a `dns`).
            "lab" => e.node.is_none() && e.line.is_some() && e.text.starts_with("lab$ "),
            _ => e.node.as_deref() == Some(node),
        })
        .map(|e| {
            let echo = e.text.lines().next().unwrap_or("");
            // The echo is one line for shell commands; SQL continues with `node-#` lines.
            let cont = format!("{node}-# ");
            e.text[echo.len()..]
                .trim_start_matches('\n')
                .lines()
                .skip_while(|l| l.starts_with(&cont))
                .map(|l| format!("{l}\n"))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a ```` ```walscope goal ```` block whose first content line is `first_line`.
pub(super) fn parse_goal(file: &str, block_line: usize, text: &str) -> Result<Goal, LessonError> {
    let err = |line: usize, message: String| LessonError {
        file: file.to_string(),
        line,
        message,
    };
    let mut label = None;
    let mut last = None;
    let mut events = None;
    let mut command = String::new();
    let mut command_line = 0;
    let mut expect = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = block_line + 1 + i;
        let t = raw.trim();
        if let Some(v) = t.strip_prefix("label:") {
            label = Some(v.trim().to_string());
        } else if let Some(v) = t.strip_prefix("shows:") {
            expect.push(Expect::Shows(nonempty(v).ok_or_else(|| {
                err(n, "\"shows:\" needs the text to look for".into())
            })?));
        } else if let Some(v) = t.strip_prefix("lacks:") {
            expect.push(Expect::Lacks(nonempty(v).ok_or_else(|| {
                err(n, "\"lacks:\" needs the text that must not appear".into())
            })?));
        } else if let Some(v) = t.strip_prefix("last:") {
            let node = v.trim();
            if node.is_empty()
                || !node
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(err(
                    n,
                    "\"last:\" needs a node name, for example \"last: standby1\"".into(),
                ));
            }
            last = Some(node.to_string());
        } else if let Some(v) = t.strip_prefix("events:") {
            let node = v.trim();
            if !node
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(err(
                    n,
                    "\"events:\" takes a node name or nothing, for example \"events: standby1\""
                        .into(),
                ));
            }
            events = Some((!node.is_empty()).then(|| node.to_string()));
        } else if t.is_empty() || (t.starts_with('#') && command.is_empty()) {
            continue;
        } else {
            if command.is_empty() {
                command_line = n;
            } else {
                command.push('\n');
            }
            command.push_str(raw);
        }
    }
    if expect.is_empty() {
        return Err(err(
            block_line,
            "goal block has no expected output (add a \"shows:\" or \"lacks:\" line)".into(),
        ));
    }
    if events.is_some() && (last.is_some() || !command.is_empty()) {
        return Err(err(
            block_line,
            "goal block has \"events:\" and another check; a goal checks one of them".into(),
        ));
    }
    let check = match (last, command.is_empty()) {
        _ if events.is_some() => GoalCheck::Events(events.flatten()),
        (Some(_), false) => {
            return Err(err(
                command_line,
                "goal block has both a command and \"last:\"; a goal checks one of them".into(),
            ))
        }
        (Some(node), true) => GoalCheck::Last(node),
        (None, true) => {
            return Err(err(
                block_line,
                "goal block has no check (a script line such as \"standby1=# SELECT ...;\", or \"last: NODE\")".into(),
            ))
        }
        (None, false) => {
            let lines = script::parse(&command).map_err(|e| {
                err(command_line + e.line - 1, format!("goal check does not parse: {}", e.message))
            })?;
            match <[Line; 1]>::try_from(lines) {
                Ok([line]) if line.target == Target::Lab => {
                    return Err(err(
                        command_line,
                        "a goal checks with SQL or a shell command on a node, not with lab$ (which changes the lab)".into(),
                    ))
                }
                Ok([line]) => GoalCheck::Run(line),
                Err(_) => {
                    return Err(err(
                        command_line,
                        "goal block has more than one command; write one goal block per check".into(),
                    ))
                }
            }
        }
    };
    let label = label
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| match &check {
            GoalCheck::Run(l) => format!("{} {}", l.prompt(), l.text),
            GoalCheck::Last(node) if node == "lab" => "the last lab$ command".to_string(),
            GoalCheck::Last(node) => format!("the last command on {node}"),
            GoalCheck::Events(Some(node)) => format!("the event log of {node}"),
            GoalCheck::Events(None) => "the event log".to_string(),
        });
    Ok(Goal {
        label,
        check,
        expect,
        line: block_line,
    })
}

fn nonempty(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}
