//! `sed`, for the line-addressed edits the Config tab records: `Nd`, `N,Md`, `Nc\TEXT`,
//! `Ni\TEXT` and `Na\TEXT` (GNU sed 4.9's one-line forms), in place with `-i` or
//! printed. Other sed scripts (`s///`, regular-expression addresses) are not modelled
//! and say so.

use super::resolve_path;
use crate::sim::{Cluster, HostId};

/// Where a command applies: one line, or a range (`$` is the last line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Addr {
    Line(usize),
    Last,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Cmd {
    Delete,
    /// `c`, `i`, `a` with their text, escapes processed, newline included (empty text
    /// prints nothing, as GNU sed's `2c\` does).
    Change(String),
    Insert(String),
    Append(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Script {
    from: Addr,
    to: Option<Addr>,
    cmd: Cmd,
}

fn expr_error(char_no: usize, what: &str) -> String {
    format!("sed: -e expression #1, char {char_no}: {what}\n")
}

fn number(s: &str, at: usize) -> (Option<Addr>, usize) {
    let b = s.as_bytes();
    if b.get(at) == Some(&b'$') {
        return (Some(Addr::Last), at + 1);
    }
    let end = at + s[at..].bytes().take_while(u8::is_ascii_digit).count();
    (s[at..end].parse().ok().map(Addr::Line), end)
}

/// The text of `a`, `c`, `i` after its backslash, as GNU sed 4.9 reads a one-line
/// script: `\\` is a backslash; `\a \f \n \r \t \v` are their control characters;
/// `\dNNN`, `\oNNN`, `\xHH` a character by its decimal, octal or hex code; `\cX`
/// control-X; `\X` otherwise is X. Empty text prints nothing; other text ends with a
/// newline. (A text ending in a lone backslash continues on a next line, which a
/// one-line script lacks; `parse` refuses it.)
fn text(raw: &str) -> String {
    if raw.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(x) = it.next() else { break };
        let mut code = |radix: u32, max: usize| {
            let mut v = 0u32;
            let mut n = 0;
            while n < max {
                match it.peek().and_then(|d| d.to_digit(radix)) {
                    Some(d) => {
                        v = v * radix + d;
                        it.next();
                        n += 1;
                    }
                    None => break,
                }
            }
            (n > 0).then(|| char::from_u32(v & 0xff).unwrap_or('?'))
        };
        let ch = match x {
            'a' => '\u{7}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            'd' => code(10, 3).unwrap_or('d'),
            'o' => code(8, 3).unwrap_or('o'),
            'x' => code(16, 2).unwrap_or('x'),
            'c' => match it.next() {
                Some(k) => char::from_u32((k.to_ascii_uppercase() as u32) ^ 0x40).unwrap_or('?'),
                None => 'c',
            },
            other => other,
        };
        out.push(ch);
    }
    out.push('\n');
    out
}

/// Texts whose reading by GNU sed the model does not reproduce: a lone backslash at the
/// end (the text would continue on the script's next line) or a run of three or more
/// at the start. A text that is one backslash is an empty line.
fn unmodelled_text(t: &str) -> bool {
    // A lone backslash is an empty line (GNU sed prints `2c\\` as one).
    if t == "\\" {
        return false;
    }
    let tail = t.chars().rev().take_while(|c| *c == '\\').count();
    tail % 2 == 1 || t.starts_with("\\\\\\")
}

fn parse(s: &str) -> Result<Script, String> {
    let unsupported = || {
        Err(format!(
            "sed: the lab's sed runs only line-number scripts (Nd, N,Md, Nc\\TEXT, Ni\\TEXT, Na\\TEXT), not '{s}'\n"
        ))
    };
    let (from, mut at) = number(s, 0);
    let Some(from) = from else {
        return unsupported();
    };
    let mut to = None;
    if s[at..].starts_with(',') {
        let (t, next) = number(s, at + 1);
        let Some(t) = t else {
            return unsupported();
        };
        to = Some(t);
        at = next;
    }
    if from == Addr::Line(0) {
        return Err(expr_error(at + 1, "invalid usage of line address 0"));
    }
    let rest = &s[at..];
    let Some(c) = rest.chars().next() else {
        return Err(expr_error(at, "missing command"));
    };
    let body = &rest[1..];
    let cmd = match c {
        'd' if body.trim().is_empty() => Cmd::Delete,
        'a' | 'c' | 'i' if unmodelled_text(body.strip_prefix('\\').unwrap_or(body)) => {
            return Err(
                "sed: the lab's sed does not model this text: one that ends in a lone backslash (it continues on a next line) or starts with three\n"
                    .to_string(),
            )
        }
        'a' | 'c' | 'i' => {
            let t = if let Some(t) = body.strip_prefix('\\') {
                text(t)
            } else {
                let t = body.trim_start();
                if t.is_empty() {
                    return Err(expr_error(at + 1, "expected \\ after `a', `c' or `i'"));
                }
                text(t)
            };
            match c {
                'a' => Cmd::Append(t),
                'c' => Cmd::Change(t),
                _ => Cmd::Insert(t),
            }
        }
        _ => return unsupported(),
    };
    Ok(Script { from, to, cmd })
}

/// Runs a parsed script over `input`, as GNU sed does line by line. A last line
/// without a newline keeps it missing unless text is printed after it.
fn apply(script: &Script, input: &str) -> String {
    let lines: Vec<&str> = input.split_inclusive('\n').collect();
    let n = lines.len();
    let line_no = |a: Addr| match a {
        Addr::Line(k) => k,
        Addr::Last => n,
    };
    let first = line_no(script.from);
    // A range whose end is before its start covers only its first line.
    let last = script.to.map_or(first, |t| line_no(t).max(first));
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let k = i + 1;
        let hit = (first..=last).contains(&k);
        if !hit {
            out.push_str(line);
            continue;
        }
        let ensure_newline = |out: &mut String| {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
        };
        match &script.cmd {
            Cmd::Delete => {}
            Cmd::Change(t) => {
                // A range is replaced once, at its end; not at all when the input ends
                // inside it.
                if k == last {
                    out.push_str(t);
                }
            }
            Cmd::Insert(t) => {
                out.push_str(t);
                out.push_str(line);
            }
            Cmd::Append(t) => {
                out.push_str(line);
                if !t.is_empty() {
                    ensure_newline(&mut out);
                }
                out.push_str(t);
            }
        }
    }
    out
}

/// `sed [-i] [-e] SCRIPT FILE...` on host `h`.
pub(super) fn sed(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let mut in_place = false;
    let mut script: Option<String> = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-i" | "--in-place" => in_place = true,
            "-e" | "--expression" => match it.next() {
                Some(s) if script.is_none() => script = Some(s.clone()),
                Some(_) => return "sed: the lab's sed runs one script at a time\n".to_string(),
                None => return "sed: option requires an argument -- 'e'\nUsage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n".to_string(),
            },
            o if o.starts_with('-') && o.len() > 1 => {
                return format!("sed: the lab's sed does not know option {o}\n")
            }
            _ if script.is_none() => script = Some(a.clone()),
            _ => files.push(a.clone()),
        }
    }
    let Some(script) = script else {
        return "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n"
            .to_string();
    };
    let parsed = match parse(&script) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if files.is_empty() {
        return "sed: no input files\n".to_string();
    }
    // Without -i the files are one stream (line numbers run on); with -i each file
    // is edited on its own.
    let mut out = String::new();
    let mut stream = String::new();
    for f in files {
        let path = resolve_path(&f);
        let Some(old) = c.host(h).files.get(&path).cloned() else {
            out.push_str(&format!("sed: can't read {f}: No such file or directory\n"));
            continue;
        };
        if in_place {
            let new = apply(&parsed, &old);
            c.host_mut(h).files.insert(path, new);
        } else {
            if !stream.is_empty() && !stream.ends_with('\n') {
                stream.push('\n');
            }
            stream.push_str(&old);
        }
    }
    if !in_place {
        out.push_str(&apply(&parsed, &stream));
    }
    out
}

#[cfg(test)]
mod tests;
