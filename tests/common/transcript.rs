//! Reading a runner transcript in native tests: run a script, and find what a command
//! printed (up to the next echoed prompt). The test files that need them include this
//! file as a module.
#![allow(dead_code)]

use walscope::script::run_script;

pub fn run(script: &str) -> String {
    match run_script(script) {
        Ok(t) => t,
        Err(e) => panic!("script does not parse: {e}"),
    }
}

/// The output printed for the first occurrence of `command` after `from` (up to the
/// next echoed prompt), and where it ends.
pub fn output_after<'a>(transcript: &'a str, from: usize, command: &str) -> (&'a str, usize) {
    let start = from
        + transcript[from..]
            .find(&format!("{command}\n"))
            .unwrap_or_else(|| panic!("{command} not in transcript:\n{transcript}"));
    let rest = &transcript[start + command.len() + 1..];
    let end = std::iter::once(0)
        .chain(rest.match_indices('\n').map(|(i, _)| i + 1))
        .find(|&i| is_prompt(rest[i..].lines().next().unwrap_or("")))
        .unwrap_or(rest.len());
    (&rest[..end], start + command.len() + 1 + end)
}

pub fn output_of<'a>(transcript: &'a str, command: &str) -> &'a str {
    output_after(transcript, 0, command).0
}

pub fn is_prompt(line: &str) -> bool {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    (name_end > 0 && (line[name_end..].starts_with("=# ") || line[name_end..].starts_with("$ ")))
        || line.starts_with("-- virtual time")
}
