//! Scenario scripts: the one language the console, lessons, links and the native runner
//! share.
//!
//! A script is a list of commands, one per line (SQL may continue over several lines
//! until its `;`); `#` starts a comment line; blank lines are ignored.
//!
//! ```text
//! [@TIME] NODE=# SQL;          run SQL in a psql session on NODE (\x toggles expanded output)
//! [@TIME] NODE$ COMMAND        a shell command on NODE's host (pg_basebackup, pg_ctl, cat, echo ...)
//! [@TIME] lab$ COMMAND         the simulation itself (node add, wait, crash, partition, workload ...)
//! ```
//!
//! `@TIME` (like `@2s`, `@1.5s`, `@250ms`, `@2min`) runs the line at that virtual time
//! after the start, waiting until then; lines without it run right after the previous one.

pub mod lab;
pub mod lost;
pub mod psql;
pub mod runner;
pub mod shell;

use std::fmt;

use crate::sim::SimDuration;
use psql::tail::Tail;

pub use runner::{run_script, Runner};

/// Where a line runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `NODE=# ...`: SQL (or a psql meta-command such as `\x`) in NODE's psql session.
    Sql(String),
    /// `NODE$ ...`: a shell command on NODE's host.
    Shell(String),
    /// `lab$ ...`: a simulation command.
    Lab,
}

/// One command of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The 1-based line number where the command starts.
    pub number: usize,
    /// `@TIME`: run at this virtual time after the start.
    pub at: Option<SimDuration>,
    pub target: Target,
    /// The command text without its prompt (SQL over several lines joined by `\n`).
    pub text: String,
}

impl Line {
    /// The prompt psql or the shell shows before this command.
    pub fn prompt(&self) -> String {
        match &self.target {
            Target::Sql(n) => format!("{n}=#"),
            Target::Shell(n) => format!("{n}$"),
            Target::Lab => "lab$".to_string(),
        }
    }

    /// The line as a script holds it (what a link or a `.walscope` file stores). Its
    /// time is written in seconds (`@42.59s`), which [`parse`] reads back exactly.
    pub fn to_script(&self) -> String {
        let at = self
            .at
            .map(|t| format!("@{} ", t.seconds()))
            .unwrap_or_default();
        format!("{at}{} {}", self.prompt(), self.text)
    }
}

/// A script line that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Reads a whole script. Fails on the first line that is not a command, with its number.
pub fn parse(text: &str) -> Result<Vec<Line>, ParseError> {
    // A file saved with a UTF-8 byte-order mark reads as without one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out: Vec<Line> = Vec::new();
    // The statement still open, with psql's scanner state at its end (so each of its
    // lines is scanned once, however long it grows).
    let mut open_sql: Option<(usize, Tail)> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        if open_sql.is_some() && starts_a_command(raw) {
            // A statement left without its `;` does not swallow the script's next
            // command: psql sends what its buffer holds when its input ends.
            open_sql = None;
        }
        if let Some((idx, tail)) = &mut open_sql {
            let line = &mut out[*idx];
            line.text.push('\n');
            line.text.push_str(raw);
            tail.feed(&line.text);
            // Only a `;` (or the end of a block comment after the last `;`) can complete
            // the text.
            if (raw.contains(';') || raw.contains("*/")) && tail.complete() {
                open_sql = None;
            }
            continue;
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let line = parse_line(trimmed, number)?;
        let needs_more = matches!(line.target, Target::Sql(_))
            && !line.text.starts_with('\\')
            && !sql_complete(&line.text);
        if needs_more {
            let mut tail = Tail::default();
            tail.feed(&line.text);
            open_sql = Some((out.len(), tail));
        }
        out.push(line);
    }
    if let Some((idx, _)) = open_sql {
        return Err(ParseError {
            line: out[idx].number,
            message: "SQL statement is not terminated by a semicolon".to_string(),
        });
    }
    Ok(out)
}

/// Whether a raw line is a command with its prompt (`NODE=# `, `NODE$ `, `lab$ `, with an
/// optional `@TIME`), which no line of SQL looks like (a dollar quote's `tag$$` has no
/// space after its `$`). The short `NODE:` form is left
/// out: a line inside a string may well read `key: value`.
fn starts_a_command(raw: &str) -> bool {
    let Ok(line) = parse_line(raw, 0) else {
        return false;
    };
    let rest = raw.trim();
    let rest = match rest.strip_prefix('@') {
        Some(after) => after
            .split_once(char::is_whitespace)
            .map_or("", |(_, t)| t.trim_start()),
        None => rest,
    };
    rest.strip_prefix(&line.prompt())
        .is_some_and(|t| t.starts_with(char::is_whitespace))
}

/// Whether psql would run this text now: every statement ends with `;` (a line of
/// only `;` or comments is an empty query, complete at once), or a backslash command
/// ends the line.
pub fn sql_complete(text: &str) -> bool {
    if psql::split::meta_start(text).is_some() {
        return true;
    }
    let parts = psql::split::split_statements(text);
    parts.last().is_none_or(|(_, complete)| *complete)
}

/// Reads one line (with its prompt).
pub fn parse_line(line: &str, number: usize) -> Result<Line, ParseError> {
    let err = |message: String| ParseError {
        line: number,
        message,
    };
    let mut rest = line.trim();
    let mut at = None;
    if let Some(after) = rest.strip_prefix('@') {
        let (time, tail) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
        let t = SimDuration::parse(time).ok_or_else(|| {
            err(format!(
                "invalid time \"@{time}\" (use @2s, @1.5s, @250ms or @2min)"
            ))
        })?;
        if t.0 > crate::sim::MAX_TIME.0 {
            return Err(err(format!(
                "time \"@{time}\" is past the end of a lab (its clock stops at 24h)"
            )));
        }
        at = Some(t);
        rest = tail.trim_start();
    }
    let name_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(name_end);
    let (target, text) = if let Some(t) = after.strip_prefix("=#") {
        (Target::Sql(name.to_string()), t)
    } else if let Some(t) = after.strip_prefix('$') {
        if name == "lab" {
            (Target::Lab, t)
        } else {
            (Target::Shell(name.to_string()), t)
        }
    } else if let Some(t) = after.strip_prefix(':') {
        // `NODE: SQL` is accepted as a short form of `NODE=# SQL`.
        if name == "lab" {
            (Target::Lab, t)
        } else {
            (Target::Sql(name.to_string()), t)
        }
    } else {
        return Err(err(format!(
            "expected \"NODE=# SQL\", \"NODE$ command\" or \"lab$ command\", found \"{}\"",
            truncate(line, 40)
        )));
    };
    if name.is_empty() {
        return Err(err(
            "a prompt needs a node name before \"=#\" or \"$\"".to_string()
        ));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(err(format!("nothing to run after the \"{name}\" prompt")));
    }
    Ok(Line {
        number,
        at,
        target,
        text: text.to_string(),
    })
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

/// Writes lines back as script text (the inverse of [`parse`]).
pub fn to_text(lines: &[Line]) -> String {
    let mut out = String::new();
    for l in lines {
        out.push_str(&l.to_script());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_prompts_and_times() {
        let lines = parse("# a lab\nlab$ node add standby1\n@2s primary=# SELECT 1;\nstandby1$ ls /var/lib/pgsql\n").unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].target, Target::Lab);
        assert_eq!(lines[1].at, Some(SimDuration::from_secs(2)));
        assert_eq!(lines[1].target, Target::Sql("primary".into()));
        assert_eq!(lines[2].target, Target::Shell("standby1".into()));
        assert_eq!(lines[2].number, 4);
    }

    #[test]
    fn sql_continues_until_its_semicolon() {
        let lines = parse("primary=# SELECT\n  1;\nprimary=# \\x\n").unwrap();
        assert_eq!(lines[0].text, "SELECT\n  1;");
        assert_eq!(lines[1].text, "\\x");
        let e = parse("primary=# SELECT 1\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn a_statement_without_its_semicolon_does_not_swallow_the_next_command() {
        let lines =
            parse("primary=# SELECT 1\nstandby1=# SELECT 2;\n@3s lab$ wait 1s\nprimary=# SELECT (\n1\n);\n")
                .unwrap();
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            ["SELECT 1", "SELECT 2;", "wait 1s", "SELECT (\n1\n);"]
        );
        // A dollar quote's closing `tag$$` is SQL, not a prompt.
        let lines = parse("primary=# SELECT $f$a\n b;\nf$$ ;\nprimary=# SELECT 1;\n").unwrap();
        assert_eq!(lines[0].text, "SELECT $f$a\n b;\nf$$ ;");
    }

    #[test]
    fn a_bom_an_empty_query_and_a_backslash_command_end_lines_as_in_psql() {
        let lines =
            parse("\u{feff}primary=# ;\nprimary=# SELECT 1 \\gx\nprimary=# SELECT 2;\n").unwrap();
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["; ", "SELECT 1 \\gx", "SELECT 2;"].map(str::trim));
    }

    #[test]
    fn malformed_lines_report_their_number() {
        let e = parse("lab$ wait 1s\nthis is not a command\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("line 2: expected"));
        assert_eq!(parse("@soon lab$ wait 1s").unwrap_err().line, 1);
        assert!(parse("primary=#").is_err());
    }

    #[test]
    fn lines_print_back_to_the_same_script() {
        let text = "lab$ node add standby1\n@1500ms primary=# SELECT 1;\n";
        let lines = parse(text).unwrap();
        assert_eq!(parse(&to_text(&lines)).unwrap(), lines);
        // Times a browser stamps (any microsecond) print readably and read back exactly.
        let mut line = lines[1].clone();
        line.at = Some(SimDuration(42_590_171));
        assert_eq!(line.to_script(), "@42.590171s primary=# SELECT 1;");
        line.at = Some(SimDuration(42_590_000));
        assert_eq!(line.to_script(), "@42.59s primary=# SELECT 1;");
        assert_eq!(parse_line(&line.to_script(), 1).unwrap().at, line.at);
    }
}
