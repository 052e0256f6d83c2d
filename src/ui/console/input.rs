//! The console's input: the prompt, the command text (Enter runs a complete statement,
//! Shift+Enter adds a line, Up/Down recall), Run, and psql's `\x` state.

use crate::script::{Line, Target};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::history::{History, Recalled};
use super::{input_lines, ready_to_run};
use crate::ui::handle::{run_all, LabHandle};

/// The prompt, the text area and the Run button.
#[component]
pub fn ConsoleInput(
    /// The target commands run on (a recalled command brings its own).
    target: RwSignal<Target>,
    /// Why the last input did not run, shown under the console.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let input = RwSignal::new(String::new());
    let history = StoredValue::new(History::new());
    let expanded = Memo::new(move |_| {
        let t = target.get();
        lab.with(|l| match &t {
            Target::Sql(n) => l.runner().psql.get(n).is_some_and(|s| s.expanded),
            _ => false,
        })
    });

    let submit = move || {
        let text = input.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let t = target.get_untracked();
        match input_lines(&t, &text) {
            Ok(lines) => {
                history.update_value(|h| h.push(t, text.trim_end().to_string()));
                input.set(String::new());
                note.set(None);
                run_all(lab, lines);
            }
            Err(e) => note.set(Some(e)),
        }
    };
    let recall = move |up: bool| {
        let shown = history
            .try_update_value(|h| if up { h.up() } else { h.down() })
            .flatten();
        match shown {
            Some(Recalled::Entry(t, text)) => {
                target.set(t);
                input.set(text);
            }
            Some(Recalled::Blank) => input.set(String::new()),
            None => {}
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
        let arrow = |up: bool| history.with_value(|h| h.takes_arrow(up, &value, caret));
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
            "ArrowUp" if arrow(true) => {
                ev.prevent_default();
                recall(true);
            }
            "ArrowDown" if arrow(false) => {
                ev.prevent_default();
                recall(false);
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
        <label class="prompt" for="console-input">{prompt}</label>
        <textarea
            id="console-input"
            data-testid="console-input"
            rows=move || input.with(|t| (t.matches('\n').count() + 1).clamp(1, 8))
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
    }
}
