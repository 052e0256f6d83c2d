//! The text tools a class uses to look into configuration files and logs: `head`,
//! `grep` and `wc`, as GNU coreutils and grep print them.
//!
//! Each reads the files named on its line, or, with none, what the command before it in
//! a pipeline printed (`pg_controldata | grep REDO`). Simplified on purpose: `grep` matches fixed strings, with `^` and `$` anchors at the ends of a pattern
//! (what `grep '^wal_level'` needs) and no other regular expression syntax.

use super::files::read_file;
use super::resolve_path;
use crate::sim::{Cluster, HostId};

/// A file's text, or the message the tool prints for it.
fn open(c: &Cluster, h: HostId, tool: &str, name: &str) -> Result<String, String> {
    match read_file(c, h, &resolve_path(name)) {
        Ok(t) => Ok(t),
        Err("dir") if tool == "grep" => Err(format!("grep: {name}: Is a directory\n")),
        Err("dir") => Err(format!("{tool}: error reading '{name}': Is a directory\n")),
        Err("binary") if tool == "grep" => Err(format!("grep: {name}: binary file matches\n")),
        Err("binary") => Err(format!(
            "{tool}: {name}: binary WAL segment (16MB) not shown\n"
        )),
        Err(_) if tool == "head" => Err(format!(
            "head: cannot open '{name}' for reading: No such file or directory\n"
        )),
        Err(_) => Err(format!("{tool}: {name}: No such file or directory\n")),
    }
}

/// The texts a tool reads, with their names: each file named, or the pipe's text
/// (`stdin`) when none is.
pub(super) fn inputs(
    c: &Cluster,
    h: HostId,
    tool: &str,
    files: &[&str],
    stdin: Option<&str>,
) -> Vec<(String, Result<String, String>)> {
    match stdin {
        Some(text) if files.is_empty() => {
            vec![("(standard input)".to_string(), Ok(text.to_string()))]
        }
        _ => files
            .iter()
            .map(|f| (f.to_string(), open(c, h, tool, f)))
            .collect(),
    }
}

fn usage(tool: &str, message: &str) -> String {
    format!("{tool}: {message}\nTry '{tool} --help' for more information.\n")
}

/// `head [-n N | -N] FILE...`: the first lines, with `==> FILE <==` between files.
pub(super) fn head(c: &Cluster, h: HostId, args: &[String], stdin: Option<&str>) -> String {
    let mut n = 10usize;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let count = if a == "-n" {
            match it.next() {
                Some(v) => Some(v.as_str()),
                None => return usage("head", "option requires an argument -- 'n'"),
            }
        } else if let Some(v) = a.strip_prefix("-n") {
            Some(v)
        } else if a.len() > 1 && a.starts_with('-') {
            Some(&a[1..])
        } else {
            files.push(a.as_str());
            None
        };
        if let Some(v) = count {
            match v.parse() {
                Ok(v) => n = v,
                Err(_) => return format!("head: invalid number of lines: '{v}'\n"),
            }
        }
    }
    let mut out = String::new();
    let many = files.len() > 1;
    for (i, (f, text)) in inputs(c, h, "head", &files, stdin).into_iter().enumerate() {
        match text {
            Ok(t) => {
                if many {
                    out.push_str(&format!("{}==> {f} <==\n", if i > 0 { "\n" } else { "" }));
                }
                for l in t.lines().take(n) {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            Err(e) => out.push_str(&e),
        }
    }
    out
}

/// A fixed-string pattern with optional `^` and `$` anchors.
struct Pattern {
    text: String,
    start: bool,
    end: bool,
    fold: bool,
}

impl Pattern {
    fn new(p: &str, fold: bool) -> Pattern {
        let start = p.starts_with('^');
        let end = p.len() > usize::from(start) && p.ends_with('$');
        let text = &p[usize::from(start)..p.len() - usize::from(end)];
        let text = if fold {
            text.to_lowercase()
        } else {
            text.to_string()
        };
        Pattern {
            text,
            start,
            end,
            fold,
        }
    }

    fn matches(&self, line: &str) -> bool {
        let folded;
        let line = if self.fold {
            folded = line.to_lowercase();
            folded.as_str()
        } else {
            line
        };
        match (self.start, self.end) {
            (true, true) => line == self.text,
            (true, false) => line.starts_with(&self.text),
            (false, true) => line.ends_with(&self.text),
            (false, false) => line.contains(&self.text),
        }
    }
}

/// `grep [-c] [-i] [-n] [-v] [-E|-F] [-A N] [-B N] [-C N] PATTERN FILE...`, context
/// lines as GNU grep prints them (`--` between groups that do not touch, `-` after a
/// context line's number or file name where a match has `:`).
pub(super) fn grep(c: &Cluster, h: HostId, args: &[String], stdin: Option<&str>) -> String {
    const USAGE: &str =
        "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n";
    let (mut count, mut fold, mut number, mut invert) = (false, false, false, false);
    let (mut after, mut before) = (0usize, 0usize);
    let mut words = Vec::new();
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        let Some(flags) = a
            .strip_prefix('-')
            .filter(|f| !f.is_empty() && words.is_empty())
        else {
            words.push(a.as_str());
            continue;
        };
        for (k, f) in flags.char_indices() {
            match f {
                'c' => count = true,
                'i' => fold = true,
                'n' => number = true,
                'v' => invert = true,
                'E' | 'F' | 'e' => {}
                'A' | 'B' | 'C' => {
                    // The number is the rest of this word, or the next word.
                    let attached = &flags[k + 1..];
                    let text = if attached.is_empty() {
                        match rest.next() {
                            Some(t) => t.as_str(),
                            None => {
                                return format!(
                                    "grep: option requires an argument -- '{f}'\n{USAGE}"
                                )
                            }
                        }
                    } else {
                        attached
                    };
                    // Context past a file's length changes nothing: bound it.
                    let Ok(n) = text.parse::<u64>() else {
                        return format!("grep: {text}: invalid context length argument\n");
                    };
                    let n = n.min(1_000_000) as usize;
                    match f {
                        'A' => after = n,
                        'B' => before = n,
                        _ => (after, before) = (n, n),
                    }
                    break;
                }
                other => return format!("grep: invalid option -- '{other}'\n{USAGE}"),
            }
        }
    }
    let Some((pattern, files)) = words.split_first() else {
        return USAGE.to_string();
    };
    let pattern = Pattern::new(pattern, fold);
    let mut out = String::new();
    let many = files.len() > 1;
    for (f, text) in inputs(c, h, "grep", files, stdin) {
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                out.push_str(&e);
                continue;
            }
        };
        let lines: Vec<&str> = text.lines().collect();
        let hit: Vec<bool> = lines.iter().map(|l| pattern.matches(l) != invert).collect();
        if count {
            let n = hit.iter().filter(|m| **m).count();
            let prefix = if many { format!("{f}:") } else { String::new() };
            out.push_str(&format!("{prefix}{n}\n"));
            continue;
        }
        // Which lines print: each match and its context.
        let mut shown = vec![false; lines.len()];
        for (i, _) in hit.iter().enumerate().filter(|(_, m)| **m) {
            let from = i.saturating_sub(before);
            let to = i.saturating_add(after).min(lines.len() - 1);
            shown[from..=to].iter_mut().for_each(|s| *s = true);
        }
        let mut last: Option<usize> = None;
        for (i, l) in lines.iter().enumerate().filter(|(i, _)| shown[*i]) {
            if (after > 0 || before > 0) && last.is_some_and(|p| p + 1 < i) {
                out.push_str("--\n");
            }
            let sep = if hit[i] { ':' } else { '-' };
            if many {
                out.push_str(&format!("{f}{sep}"));
            }
            if number {
                out.push_str(&format!("{}{sep}", i + 1));
            }
            out.push_str(l);
            out.push('\n');
            last = Some(i);
        }
    }
    out
}

/// `wc [-l] [-w] [-c] FILE...`: counts right-aligned to the width of the bytes read
/// (one count of one file is not padded), and a total for several files.
pub(super) fn wc(c: &Cluster, h: HostId, args: &[String], stdin: Option<&str>) -> String {
    let (mut lines, mut words, mut bytes) = (false, false, false);
    let mut files = Vec::new();
    for a in args {
        match a.strip_prefix('-').filter(|f| !f.is_empty()) {
            Some(flags) => {
                for f in flags.chars() {
                    match f {
                        'l' => lines = true,
                        'w' => words = true,
                        'c' => bytes = true,
                        other => return usage("wc", &format!("invalid option -- '{other}'")),
                    }
                }
            }
            None => files.push(a.as_str()),
        }
    }
    if !(lines || words || bytes) {
        (lines, words, bytes) = (true, true, true);
    }
    let mut out = String::new();
    let piped = files.is_empty() && stdin.is_some();
    let mut rows: Vec<([usize; 3], String)> = Vec::new();
    for (f, text) in inputs(c, h, "wc", &files, stdin) {
        match text {
            Ok(t) => rows.push((
                [t.lines().count(), t.split_whitespace().count(), t.len()],
                f,
            )),
            Err(e) => out.push_str(&e),
        }
    }
    let total: [usize; 3] = rows.iter().fold([0; 3], |acc, (n, _)| {
        [acc[0] + n[0], acc[1] + n[1], acc[2] + n[2]]
    });
    let shown = [lines, words, bytes];
    let counters = shown.iter().filter(|s| **s).count();
    // A pipe's size is not known before it is read: GNU wc pads to 7 there.
    let width = if counters == 1 && (files.len() == 1 || piped) {
        1
    } else if piped {
        7
    } else {
        total[2].to_string().len()
    };
    if rows.len() > 1 {
        rows.push((total, "total".to_string()));
    }
    for (n, name) in rows {
        let cells: Vec<String> = n
            .iter()
            .zip(shown)
            .filter(|(_, s)| *s)
            .map(|(v, _)| format!("{v:>width$}"))
            .collect();
        if piped {
            out.push_str(&format!("{}\n", cells.join(" ")));
        } else {
            out.push_str(&format!("{} {name}\n", cells.join(" ")));
        }
    }
    out
}
