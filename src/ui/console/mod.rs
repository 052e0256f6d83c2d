//! The console: psql on any node (`primary=#`), a shell on any host (`primary$`), and
//! the lab itself (`lab$`). What it prints is the runner's own transcript.
//!
//! [`ConsoleLog`] shows the transcript, [`TargetSelect`] picks where a command runs,
//! [`ConsoleInput`] takes the command, and [`History`] is its Up/Down recall.

mod history;
mod input;
mod output;
mod target;

use crate::script::{parse, parse_line, sql_complete, Line, Target};
use leptos::prelude::*;

use super::handle::{host_names, LabHandle};
pub use history::{History, Recalled};
use input::ConsoleInput;
use output::ConsoleLog;
pub use output::{WideHint, WideOutput};
use target::TargetSelect;

/// Turns console input into script lines. Input that starts with a prompt
/// (`standby1=# ...`, `lab$ ...`, a pasted script) runs as a script; anything else runs
/// on the selected target (shell and lab input one command per line).
pub fn input_lines(target: &Target, text: &str) -> Result<Vec<Line>, String> {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let prompted = !first.starts_with('\\') && parse_line(first, 1).is_ok();
    if prompted {
        return parse(text).map_err(|e| format!("walscope: {e}"));
    }
    let line = |text: &str| Line {
        number: 0,
        at: None,
        target: target.clone(),
        text: text.to_string(),
    };
    Ok(match target {
        Target::Sql(_) => vec![line(text.trim())],
        _ => text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(line)
            .collect(),
    })
}

/// Whether Enter should run the input rather than start a new line: psql runs a
/// statement once it ends with `;` (a meta-command like `\x` at once).
pub fn ready_to_run(target: &Target, text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    match target {
        Target::Sql(_) => {
            t.starts_with('\\')
                || sql_complete(t)
                || parse(t).is_ok_and(|l| !l.is_empty())
                    && parse_line(t.lines().next().unwrap_or(""), 1).is_ok()
        }
        _ => true,
    }
}

/// The console tab.
#[component]
pub fn Console() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let target = RwSignal::new(Target::Sql("primary".to_string()));
    let note = RwSignal::new(None::<String>);
    let hosts = host_names(lab);
    // A lab whose first host is not called primary (the class-notes lab's pg1), or a
    // target host renamed away: the console follows the first host.
    Effect::new(move |_| {
        let names = hosts.get();
        let gone = match target.get_untracked() {
            Target::Sql(n) | Target::Shell(n) => !names.contains(&n),
            Target::Lab => false,
        };
        if let (true, Some(first)) = (gone, names.first()) {
            target.set(Target::Sql(first.clone()));
        }
    });
    view! {
        <div class="console">
            <ConsoleLog />
            <div class="console-input">
                <TargetSelect target=target hosts=hosts />
                <ConsoleInput target=target note=note />
            </div>
            {move || note.get().map(|n| view! { <p class="console-note" role="alert">{n}</p> })}
        </div>
    }
}
