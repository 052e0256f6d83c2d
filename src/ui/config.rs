//! The Config tab: a host's configuration files as files. Saving an edit runs the
//! fewest shell commands that make it (`echo '...' >> pg_hba.conf`, `sed -i '98c\...'
//! pg_hba.conf`), so the console log shows them and a link replays them.

use crate::script::shell::{conf_error, edit_commands};
use crate::script::Line;
use crate::sim::{Cluster, HostId, ServerState, PGDATA};
use crate::timeline::primary_of;
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

/// The shell lines that turn file `file` on `node` from `old` into `new`: one line per
/// changed stretch (`echo >>`, `sed -i`), or a rewrite when that is shorter.
pub fn edit_lines(node: &str, file: &str, old: Option<&str>, new: &str) -> Vec<Line> {
    edit_commands(file, old, new)
        .into_iter()
        .map(|cmd| shell_line(node, cmd))
        .collect()
}

/// The file a student most likely wants on host `h`: on a primary that no standby
/// streams from yet, pg_hba.conf (replication starts by letting the standby in); on a
/// standby, postgresql.auto.conf (where `pg_basebackup -R` and ALTER SYSTEM write
/// primary_conninfo); otherwise postgresql.conf.
fn likely_file(c: &Cluster, h: HostId) -> &'static str {
    let n = c.node(h);
    if n.state == ServerState::Empty {
        FILES[0]
    } else if n.in_recovery {
        "postgresql.auto.conf"
    } else if c.stat_replication(h).is_empty() {
        "pg_hba.conf"
    } else {
        FILES[0]
    }
}

/// The Config tab.
#[component]
pub fn ConfigPanel() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let hosts = host_names(lab);
    // Opens on the server others stream from, at the file a student most likely wants.
    let (first_host, first_file) = lab.with_untracked(|l| {
        let c = &l.runner().cluster;
        let nodes = c.nodes();
        primary_of(&nodes).map_or(("primary".to_string(), FILES[0]), |n| {
            (n.name.clone(), likely_file(c, n.id))
        })
    });
    let host = RwSignal::new(first_host);
    let file = RwSignal::new(first_file.to_string());
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
                            let h = event_target_value(&ev);
                            let f = lab.with_untracked(|l| {
                                let c = &l.runner().cluster;
                                c.host_id(&h).map(|id| likely_file(c, id))
                            });
                            host.set(h);
                            if let Some(f) = f {
                                file.set(f.to_string());
                            }
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
                    aria-label="Save the file by running the shell commands that make the edit"
                >
                    "Save (runs echo >> / sed -i)"
                </button>
                <button disabled=move || draft.with(Option::is_none) on:click=move |_| draft.set(None)>"Revert"</button>
                <span class="muted">"Then: SELECT pg_reload_conf(); or pg_ctl restart, as the setting needs."</span>
            </div>
        </div>
    }
}
