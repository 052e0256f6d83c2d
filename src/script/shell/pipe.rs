//! Pipelines: `pg_controldata | grep REDO`, `cat postgresql.conf | grep -n wal | head -3`.
//! The first command runs as typed; what it printed is the standard input of the next,
//! which must be one of the filters that read one here: grep, head, tail, wc and cat.
//! (`ps aux | grep WORD` keeps its own reading, in `tools.rs`.)
//!
//! Simplified on purpose: only standard output travels (walscope's commands print
//! their errors in the same text), and a base backup piped somewhere runs as if alone.

use crate::sim::{Cluster, HostId};

use super::{split_words, text, ShellResult};

/// The line's commands, split at each `|` outside quotes; `None` without a pipe (or for
/// `ps`, which reads its own).
pub(super) fn stages(line: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let (mut start, mut quote) = (0, None);
    for (i, ch) in line.char_indices() {
        match (quote, ch) {
            (None, '\'' | '"') => quote = Some(ch),
            (Some(q), _) if ch == q => quote = None,
            (None, '|') => {
                out.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return None;
    }
    out.push(&line[start..]);
    let first = split_words(out[0]).ok()?;
    let cmd = first
        .iter()
        .find(|w| !w.contains('=') && *w != "sudo" && !w.starts_with('-'));
    (cmd.map(String::as_str) != Some("ps")).then_some(out)
}

pub(super) fn run(c: &mut Cluster, h: HostId, stages: &[&str]) -> ShellResult {
    let first = super::run(c, h, stages[0]);
    let ShellResult::Done(mut piped) = first else {
        return first;
    };
    for stage in &stages[1..] {
        let words = match split_words(stage) {
            Ok(w) => w,
            Err(e) => return ShellResult::Done(format!("{e}\n")),
        };
        let Some((cmd, args)) = words.split_first() else {
            return ShellResult::Done("bash: syntax error near unexpected token `|'\n".into());
        };
        let input = Some(piped.as_str());
        piped = match cmd.as_str() {
            "grep" => text::grep(c, h, args, input),
            "head" => text::head(c, h, args, input),
            "tail" => super::tail(c, h, args, input),
            "wc" => text::wc(c, h, args, input),
            "cat" if args.is_empty() => piped.clone(),
            "cat" | "ls" | "echo" | "sed" | "psql" | "ps" | "pg_controldata" | "pg_ctl"
            | "systemctl" => {
                return ShellResult::Done(format!(
                    "walscope: only grep, head, tail, wc and cat read a pipe here, not '{}'\n",
                    stage.trim()
                ))
            }
            other => format!("bash: {other}: command not found\n"),
        };
    }
    ShellResult::Done(piped)
}

#[cfg(test)]
mod tests {
    use super::stages;

    #[test]
    fn a_pipe_inside_quotes_is_not_a_pipe() {
        assert_eq!(stages("grep 'a|b' f"), None);
        assert_eq!(stages("cat f | grep x"), Some(vec!["cat f ", " grep x"]));
        assert_eq!(stages("ps aux | grep wal"), None);
        assert_eq!(stages("sudo ps aux | grep wal"), None);
    }
}
