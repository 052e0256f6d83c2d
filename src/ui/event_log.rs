//! The Log tab: the model's event log, each entry with the one line that says why it
//! matters.

use leptos::html::Div;
use leptos::prelude::*;

/// The Log tab.
#[component]
pub fn EventLog() -> impl IntoView {
    let lab = expect_context::<super::handle::LabHandle>();
    let ui = expect_context::<super::handle::Ui>();
    // One key per entry: its index, time and size (a new lab gives new keys).
    let keys = Memo::new(move |_| {
        lab.with(|l| {
            l.runner()
                .cluster
                .events()
                .iter()
                .enumerate()
                .map(|(i, e)| (i, e.at.0, e.text.len()))
                .collect::<Vec<_>>()
        })
    });
    let list = NodeRef::<Div>::new();
    Effect::new(move |_| {
        keys.track();
        if let Some(el) = list.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    view! {
        <div class="event-log" node_ref=list data-testid="event-log" role="log" aria-label="Event log" tabindex="0">
            <Show when=move || keys.with(Vec::is_empty)>
                <p class="muted">"Nothing has happened yet."</p>
            </Show>
            <For each=move || keys.get() key=|k| *k let:k>
                {lab.with_untracked(|l| {
                    let c = &l.runner().cluster;
                    c.events().get(k.0).map(|e| {
                        view! {
                            <div
                                class=format!("event kind-{:?}", e.kind).to_lowercase()
                                class:stepped=move || ui.step_marked().is_some_and(|m| k.0 >= m.log_from)
                            >
                                <span class="event-time">{e.at.to_string()}</span>
                                <span class="event-host">{c.host(e.host).name.clone()}</span>
                                <span class="event-text">{e.text.clone()}</span>
                                <span class="event-why">{e.why}</span>
                            </div>
                        }
                    })
                })}
            </For>
        </div>
    }
}
