//! The smallest shell commands that turn a file's text into an edited one, as the
//! Config tab records them: `echo "..." >> FILE` for lines added at the end, one
//! `sed -i` line per changed, inserted or deleted stretch elsewhere (`Nc\`, `Ni\`,
//! `N,Md`), and a rewrite (`echo ... >` then `>>`) only when that is shorter.

/// The longest files diffed line by line (old lines times new lines); larger ones are
/// rewritten.
const MAX_DIFF_CELLS: usize = 1_000_000;

/// Quotes text for bash double quotes (`$`, `` ` ``, `"` and `\` escaped).
fn double_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if matches!(c, '$' | '`' | '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A sed script in bash single quotes (a `'` closes, escapes and reopens them).
fn single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A line as the text of sed's `a`, `c`, `i`: backslashes doubled, and an empty line as
/// the lone backslash GNU sed reads as one.
fn sed_text(line: &str) -> String {
    if line.is_empty() {
        "\\".to_string()
    } else {
        line.replace('\\', "\\\\")
    }
}

/// One changed stretch: `old_len` lines from old line `at` (0-based) become `new`.
struct Hunk<'a> {
    at: usize,
    old_len: usize,
    new: Vec<&'a str>,
}

/// The stretches where `a` and `b` differ, by a longest common subsequence of lines.
fn hunks<'a>(a: &[&str], b: &[&'a str]) -> Vec<Hunk<'a>> {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out: Vec<Hunk<'a>> = Vec::new();
    let mut open: Option<Hunk<'a>> = None;
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.extend(open.take());
            i += 1;
            j += 1;
            continue;
        }
        let h = open.get_or_insert(Hunk {
            at: i,
            old_len: 0,
            new: Vec::new(),
        });
        if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            h.new.push(b[j]);
            j += 1;
        } else {
            h.old_len += 1;
            i += 1;
        }
    }
    out.extend(open);
    out
}

/// The commands (shell command lines, without the host prompt) that turn `file` from
/// `old` (None: it does not exist) into `new`.
pub fn edit_commands(file: &str, old: Option<&str>, new: &str) -> Vec<String> {
    if old == Some(new) {
        return Vec::new();
    }
    let rewrite = || -> Vec<String> {
        if new.is_empty() {
            return vec![format!("echo -n \"\" > {file}")];
        }
        let mut v: Vec<String> = new
            .lines()
            .enumerate()
            .map(|(i, l)| {
                let op = if i == 0 { ">" } else { ">>" };
                format!("echo {} {op} {file}", double_quote(l))
            })
            .collect();
        if !new.ends_with('\n') {
            // The last line without its newline: `echo -n`.
            if let Some(last) = v.last_mut() {
                *last = last.replacen("echo ", "echo -n ", 1);
            }
        }
        v
    };
    let Some(old) = old else { return rewrite() };
    // Line edits keep every line's newline; a file without a final newline is rewritten.
    let whole = |t: &str| t.is_empty() || t.ends_with('\n');
    if !whole(old) || !whole(new) {
        return rewrite();
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len().saturating_mul(b.len()) > MAX_DIFF_CELLS {
        return rewrite();
    }
    let mut cmds = Vec::new();
    let sed = |script: String| format!("sed -i {} {file}", single_quote(&script));
    // From the last stretch up, so the line numbers of those above stay true.
    for h in hunks(&a, &b).iter().rev() {
        let first = h.at + 1;
        if h.old_len == 0 && h.at == a.len() {
            cmds.extend(
                h.new
                    .iter()
                    .map(|l| format!("echo {} >> {file}", double_quote(l))),
            );
            continue;
        }
        let changed = h.old_len.min(h.new.len());
        for (k, l) in h.new[..changed].iter().enumerate() {
            cmds.push(sed(format!("{}c\\{}", first + k, sed_text(l))));
        }
        if h.old_len > changed {
            let (from, to) = (first + changed, first + h.old_len - 1);
            cmds.push(sed(if from == to {
                format!("{from}d")
            } else {
                format!("{from},{to}d")
            }));
        }
        for (k, l) in h.new[changed..].iter().enumerate() {
            let script = if changed == 0 {
                // Inserted before what was line `first`.
                format!("{}i\\{}", first + k, sed_text(l))
            } else {
                format!("{}a\\{}", first + changed - 1 + k, sed_text(l))
            };
            cmds.push(sed(script));
        }
    }
    let full = rewrite();
    if cmds.len() > full.len() {
        full
    } else {
        cmds
    }
}

#[cfg(test)]
mod tests;
