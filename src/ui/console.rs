//! The console: psql on any node (`primary=#`), a shell on any host (`primary$`), and
//! the lab itself (`lab$`). What it prints is the runner's own transcript.

use crate::script::{parse, parse_line, sql_complete, Line, Target};
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::handle::{host_names, run_all, LabHandle};

/// The `<select>` value of a console target.
fn target_key(t: &Target) -> String {
    match t {
        Target::Sql(n) => format!("sql:{n}"),
        Target::Shell(n) => format!("sh:{n}"),
        Target::Lab => "lab".to_string(),
    }
}

fn target_of(key: &str) -> Target {
    if let Some(n) = key.strip_prefix("sql:") {
        Target::Sql(n.to_string())
    } else if let Some(n) = key.strip_prefix("sh:") {
        Target::Shell(n.to_string())
    } else {
        Target::Lab
    }
}

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
    let input = RwSignal::new(String::new());
    let note = RwSignal::new(None::<String>);
    let history = StoredValue::new(Vec::<(Target, String)>::new());
    let cursor = StoredValue::new(None::<usize>);
    let log = NodeRef::<Div>::new();
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
    // Keys of the visible transcript entries (the text itself is read once per entry).
    let keys = Memo::new(move |_| {
        lab.with(|l| {
            l.transcript()
                .iter()
                .enumerate()
                .map(|(i, e)| (i, e.at.0, e.text.len()))
                .collect::<Vec<_>>()
        })
    });
    let future = Memo::new(move |_| lab.with(|l| l.future_commands()));
    let expanded = Memo::new(move |_| {
        let t = target.get();
        lab.with(|l| match &t {
            Target::Sql(n) => l.runner().psql.get(n).is_some_and(|s| s.expanded),
            _ => false,
        })
    });
    // Keep the newest output in view.
    Effect::new(move |_| {
        keys.track();
        if let Some(el) = log.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });

    let submit = move || {
        let text = input.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let t = target.get_untracked();
        match input_lines(&t, &text) {
            Ok(lines) => {
                history.update_value(|h| h.push((t, text.trim_end().to_string())));
                cursor.set_value(None);
                input.set(String::new());
                note.set(None);
                run_all(lab, lines);
            }
            Err(e) => note.set(Some(e)),
        }
    };
    let recall = move |dir: i32| {
        let len = history.with_value(Vec::len);
        if len == 0 {
            return;
        }
        let next = match (cursor.get_value(), dir) {
            (None, d) if d < 0 => Some(len - 1),
            (None, _) => None,
            (Some(i), d) if d < 0 => Some(i.saturating_sub(1)),
            (Some(i), _) if i + 1 < len => Some(i + 1),
            (Some(_), _) => None,
        };
        cursor.set_value(next);
        match next {
            Some(i) => {
                let (t, text) = history.with_value(|h| h[i].clone());
                target.set(t);
                input.set(text);
            }
            None => input.set(String::new()),
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(ta) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        else {
            return;
        };
        let value = ta.value();
        let caret = ta.selection_start().ok().flatten().unwrap_or(0) as usize;
        let before: String = value.chars().take(caret).collect();
        match ev.key().as_str() {
            "Enter" if !ev.shift_key() => {
                input.set(value.clone());
                if ready_to_run(&target.get_untracked(), &value) {
                    ev.prevent_default();
                    submit();
                } else if value.trim().is_empty() {
                    ev.prevent_default();
                }
            }
            "ArrowUp" if !before.contains('\n') => {
                ev.prevent_default();
                recall(-1);
            }
            "ArrowDown" if !value.chars().skip(caret).any(|c| c == '\n') => {
                ev.prevent_default();
                recall(1);
            }
            _ => {}
        }
    };
    let prompt = move || {
        let t = target.get();
        Line {
            number: 0,
            at: None,
            target: t,
            text: String::new(),
        }
        .prompt()
    };
    view! {
        <div class="console">
            <div class="console-log" node_ref=log data-testid="console-log" role="log" aria-label="Console output" tabindex="0">
                <p class="muted console-hint">
                    "Pick a target, type SQL (ends with ;), a shell command or a lab command. Enter runs, Shift+Enter adds a line, ↑/↓ recall."
                </p>
                <For each=move || keys.get() key=|k| *k let:k>
                    <pre class="entry">{lab.with_untracked(|l| l.transcript().get(k.0).map(|e| e.text.clone()))}</pre>
                </For>
                <Show when=move || { future.get() > 0 }>
                    <p class="future-note" data-testid="future-note">
                        {move || {
                            format!(
                                "{} later command(s) hidden: you went back in time. Play to see them again; running a command now discards them.",
                                future.get()
                            )
                        }}
                    </p>
                </Show>
            </div>
            <div class="console-input">
                <select
                    data-testid="console-target"
                    aria-label="Where the command runs"
                    prop:value=move || target_key(&target.get())
                    on:change=move |ev| target.set(target_of(&event_target_value(&ev)))
                >
                    {move || {
                        let mut opts: Vec<(String, String)> = Vec::new();
                        for n in hosts.get() {
                            opts.push((format!("sql:{n}"), format!("{n}=#  (psql)")));
                            opts.push((format!("sh:{n}"), format!("{n}$  (shell)")));
                        }
                        opts.push(("lab".to_string(), "lab$  (simulation)".to_string()));
                        let cur = target_key(&target.get_untracked());
                        opts.into_iter()
                            .map(|(v, label)| {
                                let selected = v == cur;
                                view! { <option value=v selected=selected>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
                <label class="prompt" for="console-input">{prompt}</label>
                <textarea
                    id="console-input"
                    data-testid="console-input"
                    rows="2"
                    spellcheck="false"
                    autocomplete="off"
                    aria-label="Command"
                    placeholder=move || match target.get() {
                        Target::Sql(_) => "SELECT * FROM pg_stat_replication;",
                        Target::Shell(_) => "pg_ctl restart",
                        Target::Lab => "workload primary 1000",
                    }
                    prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev))
                    on:keydown=on_key
                ></textarea>
                <button data-testid="console-run" on:click=move |_| submit() aria-label="Run the command">"Run"</button>
                <Show when=move || expanded.get()>
                    <span class="badge" title="psql \\x">"expanded"</span>
                </Show>
            </div>
            {move || note.get().map(|n| view! { <p class="console-note" role="alert">{n}</p> })}
        </div>
    }
}
