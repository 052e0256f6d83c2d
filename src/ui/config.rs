//! The Config tab: a host's configuration files as files. Saving an edit runs the shell
//! commands that make it (`echo '...' >> postgresql.conf`), so the console log shows them
//! and a link replays them.

use crate::script::shell::conf_error;
use crate::script::Line;
use crate::sim::PGDATA;
use leptos::prelude::*;

use super::handle::{host_names, run_all, shell_line, LabHandle};

/// The files the panel shows, relative to PGDATA; the log is read-only.
const FILES: [&str; 5] = [
    "postgresql.conf",
    "pg_hba.conf",
    "postgresql.auto.conf",
    "standby.signal",
    "log/postgresql.log",
];
const LOG: &str = "log/postgresql.log";
/// The log shows its last lines.
const LOG_TAIL: usize = 200;

/// Quotes text for bash double quotes (`$`, `` ` ``, `"` and `\` escaped).
fn quote(text: &str) -> String {
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

/// The shell lines that turn file `file` on `node` from `old` into `new`: appended
/// lines when the edit only adds at the end, else a rewrite (`>` then `>>`).
pub fn edit_lines(node: &str, file: &str, old: Option<&str>, new: &str) -> Vec<Line> {
    if old == Some(new) {
        return Vec::new();
    }
    let appended = match old {
        Some(o) if o.is_empty() || o.ends_with('\n') => new.strip_prefix(o),
        _ => None,
    };
    let body: Vec<&str> = new.lines().collect();
    match appended {
        Some(tail) => tail
            .lines()
            .map(|l| shell_line(node, format!("echo {} >> {file}", quote(l))))
            .collect(),
        None if body.is_empty() => vec![shell_line(node, format!("echo -n \"\" > {file}"))],
        None => body
            .iter()
            .enumerate()
            .map(|(i, l)| {
                shell_line(
                    node,
                    format!(
                        "echo {} {} {file}",
                        quote(l),
                        if i == 0 { ">" } else { ">>" }
                    ),
                )
            })
            .collect(),
    }
}

/// The Config tab.
#[component]
pub fn ConfigPanel() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let hosts = host_names(lab);
    let host = RwSignal::new("primary".to_string());
    let file = RwSignal::new(FILES[0].to_string());
    // Unsaved edits; `None` shows the file as it is in the model.
    let draft = RwSignal::new(None::<String>);
    let content = Memo::new(move |_| {
        let (h, f) = (host.get(), file.get());
        lab.with(|l| {
            let c = &l.runner().cluster;
            c.host_id(&h)
                .and_then(|id| c.host(id).files.get(&format!("{PGDATA}/{f}")).cloned())
        })
    });
    let pending = Memo::new(move |_| {
        let h = host.get();
        lab.with(|l| {
            let c = &l.runner().cluster;
            c.host_id(&h).is_some_and(|id| c.node(id).pending_restart)
        })
    });
    let is_log = move || file.get() == LOG;
    let text = move || {
        draft.get().unwrap_or_else(|| {
            let t = content.get().unwrap_or_default();
            if file.get() == LOG {
                let lines: Vec<&str> = t.lines().collect();
                lines[lines.len().saturating_sub(LOG_TAIL)..].join("\n")
            } else {
                t
            }
        })
    };
    let problem = move || {
        let f = file.get();
        let d = draft.get()?;
        f.ends_with(".conf")
            .then(|| conf_error(&format!("{PGDATA}/{f}"), &d))
            .flatten()
    };
    let save = move |_| {
        let Some(new) = draft.get_untracked() else {
            return;
        };
        let lines = edit_lines(
            &host.get_untracked(),
            &file.get_untracked(),
            content.get_untracked().as_deref(),
            &new,
        );
        draft.set(None);
        if !lines.is_empty() {
            run_all(lab, lines);
        }
    };
    view! {
        <div class="config">
            <div class="config-bar">
                <label>
                    "Host "
                    <select
                        data-testid="config-host"
                        prop:value=move || host.get()
                        on:change=move |ev| {
                            host.set(event_target_value(&ev));
                            draft.set(None);
                        }
                    >
                        {move || {
                            hosts
                                .get()
                                .into_iter()
                                .map(|n| {
                                    let selected = n == host.get_untracked();
                                    view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <div class="file-tabs" role="tablist" aria-label="Files">
                    {FILES
                        .iter()
                        .map(|f| {
                            let f = f.to_string();
                            let f2 = f.clone();
                            let f3 = f.clone();
                            let id = format!("file-{}", f.replace('/', "-"));
                            view! {
                                <button
                                    role="tab"
                                    data-testid=id
                                    aria-selected=move || (file.get() == f2).to_string()
                                    on:click=move |_| {
                                        file.set(f3.clone());
                                        draft.set(None);
                                    }
                                >
                                    {f}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <Show when=move || pending.get()>
                    <span class="badge restart" data-testid="config-pending">"pending restart"</span>
                </Show>
            </div>
            <p class="muted file-path">
                {move || format!("{}:{PGDATA}/{}", host.get(), file.get())}
                {move || content.with(Option::is_none).then_some("  (no such file)")}
                {move || is_log().then_some("  (read-only; last 200 lines)")}
            </p>
            <textarea
                class="file-text"
                data-testid="config-text"
                spellcheck="false"
                aria-label="File contents"
                readonly=is_log
                prop:value=text
                on:input=move |ev| draft.set(Some(event_target_value(&ev)))
            ></textarea>
            {move || problem().map(|p| view! { <p class="console-note" role="alert">{p}</p> })}
            <div class="config-actions">
                <button
                    data-testid="config-save"
                    disabled=move || draft.with(Option::is_none) || is_log()
                    on:click=save
                    aria-label="Save the file by running echo commands in the shell"
                >
                    "Save (runs echo … >> file)"
                </button>
                <button disabled=move || draft.with(Option::is_none) on:click=move |_| draft.set(None)>"Revert"</button>
                <span class="muted">"Then: SELECT pg_reload_conf(); or pg_ctl restart, as the setting needs."</span>
            </div>
        </div>
    }
}
