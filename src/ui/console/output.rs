//! The console's output: the runner's transcript, kept scrolled to the newest entry.

use leptos::html::Div;
use leptos::prelude::*;

use crate::ui::handle::LabHandle;

/// Whether the console's output is wider than the console, and whether it wraps.
#[derive(Clone, Copy)]
pub struct WideOutput {
    pub wide: RwSignal<bool>,
    pub wrap: RwSignal<bool>,
}

impl Default for WideOutput {
    fn default() -> Self {
        WideOutput {
            wide: RwSignal::new(false),
            wrap: RwSignal::new(false),
        }
    }
}

/// What to do about output wider than the console, in one line of the panel's tab row
/// (so it takes no line of output away).
#[component]
pub fn WideHint() -> impl IntoView {
    let WideOutput { wide, wrap } = expect_context::<WideOutput>();
    view! {
        <Show when=move || wide.get() || wrap.get()>
            <p class="console-wide" data-testid="console-wide" title="Output wider than the console: scroll sideways, maximize the panel (M), wrap the lines, or type \\x for psql's expanded output.">
                <span>"Wide output: scroll, "<code>"\\x"</code>", or"</span>
                <button
                    class="small"
                    aria-pressed=move || wrap.get().to_string()
                    data-testid="console-wrap"
                    on:click=move |_| wrap.update(|w| *w = !*w)
                >
                    {move || if wrap.get() { "Don't wrap" } else { "Wrap lines" }}
                </button>
            </p>
        </Show>
    }
}

/// The transcript of everything run so far, and a note on commands hidden by going
/// back in time.
#[component]
pub fn ConsoleLog() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let log = NodeRef::<Div>::new();
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
    // Output wider than the console (a wide pg_stat_replication): the panel's tab row
    // says how to read it.
    let WideOutput { wide, wrap } = use_context::<WideOutput>().unwrap_or_default();
    // Keep the newest output in view.
    Effect::new(move |_| {
        keys.track();
        wrap.track();
        if let Some(el) = log.get() {
            el.set_scroll_top(el.scroll_height());
            // Only where the style sheet lets the log scroll sideways.
            let w = el.client_width();
            wide.set(w > 0 && el.scroll_width() > w + 2);
        }
    });
    view! {
        <div class="console-log" class:wrap=move || wrap.get() node_ref=log data-testid="console-log" role="log" aria-label="Console output" tabindex="0">
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
    }
}
