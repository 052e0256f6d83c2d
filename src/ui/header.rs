//! The header: the lab's own actions (examples, add a host, share, export, import, help).

use crate::script::parse;
use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::follow::QrButton;
use super::handle::{host_names, lab_line, run, run_script, LabHandle, Ui};
use super::persist;
use crate::examples::EXAMPLES;
use crate::timeline::Lab;

/// The first `standbyN` name not taken.
fn free_name(names: &[String]) -> String {
    (1..)
        .map(|i| format!("standby{i}"))
        .find(|n| !names.contains(n))
        .unwrap_or_default()
}

/// Loads an example on a fresh lab, running its lines through the console.
pub fn load_example(lab: LabHandle, ui: Ui, script: &str) {
    let Ok(lines) = parse(script) else { return };
    ui.playing.set(false);
    ui.lesson.set(None);
    lab.replace(Lab::new(0));
    persist::set_url_fragment(None, true);
    run_script(lab, lines);
}

/// The header bar.
#[component]
pub fn Header() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let ui = expect_context::<Ui>();
    let lessons = expect_context::<super::lessons::Lessons>();
    let names = host_names(lab);
    let new_name = RwSignal::new(String::new());
    let add = move || {
        let typed = new_name.get_untracked();
        let name = if typed.trim().is_empty() {
            names.with_untracked(|n| free_name(n))
        } else {
            typed.trim().to_string()
        };
        new_name.set(String::new());
        run(lab, lab_line(format!("node add {name}")));
    };
    let file = NodeRef::<Input>::new();
    view! {
        <header class="app-header">
            <h1 class="brand">"walscope"</h1>
            <p class="tagline">"PostgreSQL WAL streaming replication, live"</p>
            <div class="lab-actions">
                <select
                    data-testid="example"
                    aria-label="Load an example lab"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some((_, script)) = v.parse::<usize>().ok().and_then(|i| EXAMPLES.get(i)) {
                            load_example(lab, ui, script);
                        }
                        if let Some(s) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                            s.set_value("");
                        }
                    }
                >
                    <option value="" selected>"Example labs…"</option>
                    {EXAMPLES.iter().enumerate().map(|(i, (title, _))| view! { <option value=i.to_string()>{*title}</option> }).collect_view()}
                </select>
                <span class="add-host">
                    <input
                        data-testid="new-host"
                        aria-label="Name of the host to add"
                        size="9"
                        placeholder=move || names.with(|n| free_name(n))
                        prop:value=move || new_name.get()
                        on:input=move |ev| new_name.set(event_target_value(&ev))
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            if ev.key() == "Enter" {
                                add();
                            }
                        }
                    />
                    <button data-testid="add-host" on:click=move |_| add() aria-label="Add a host (lab$ node add)" title="lab$ node add NAME">
                        "+ Host"
                    </button>
                </span>
                <button data-testid="share" on:click=move |_| persist::share(lab, ui) aria-label="Copy a link to this scenario">
                    "Share"
                </button>
                <QrButton />
                <button data-testid="export" on:click=move |_| persist::export(lab, ui) aria-label="Download the scenario as a .walscope file">
                    "Export"
                </button>
                <button
                    data-testid="import"
                    aria-label="Open a .walscope file or a lesson .md file (or drop one on the page)"
                    on:click=move |_| {
                        if let Some(f) = file.get_untracked() {
                            f.click();
                        }
                    }
                >
                    "Import"
                </button>
                <input
                    node_ref=file
                    type="file"
                    accept=".walscope,.md,text/plain,text/markdown"
                    class="hidden"
                    tabindex="-1"
                    aria-hidden="true"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(f) = input.files().and_then(|fs| fs.get(0)) {
                            persist::import(lab, ui, lessons, f);
                        }
                        input.set_value("");
                    }
                />
                <button data-testid="help" on:click=move |_| ui.help.update(|h| *h = !*h) aria-label="Keyboard shortcuts (?)">
                    "?"
                </button>
            </div>
        </header>
    }
}
