//! A question asked in the page before something throws work away (a lab, a lesson's
//! progress): a title, what would be lost, a danger button and "Keep it". Escape keeps.

use leptos::prelude::*;

/// Shown while `open` is true, under the button that opened it. `testid` names the box;
/// its buttons are `{testid}-yes` and `{testid}-no`.
#[component]
pub fn Confirm(
    open: RwSignal<bool>,
    testid: &'static str,
    title: &'static str,
    /// What would be lost, in numbers the user recognises.
    #[prop(into)]
    note: Signal<String>,
    /// The danger button's words.
    yes: &'static str,
    on_yes: Callback<()>,
) -> impl IntoView {
    let title_id = format!("{testid}-title");
    view! {
        <Show when=move || open.get()>
            <div
                class="confirm"
                role="alertdialog"
                aria-labelledby=title_id.clone()
                data-testid=testid
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if ev.key() == "Escape" {
                        ev.stop_propagation();
                        open.set(false);
                    }
                }
            >
                <p id=title_id.clone()><strong>{title}</strong></p>
                <p>{move || note.get()}</p>
                <div class="confirm-buttons">
                    <button
                        class="danger"
                        data-testid=format!("{testid}-yes")
                        on:click=move |_| {
                            open.set(false);
                            on_yes.run(());
                        }
                    >
                        {yes}
                    </button>
                    <button data-testid=format!("{testid}-no") autofocus on:click=move |_| open.set(false)>"Keep it"</button>
                </div>
            </div>
        </Show>
    }
}
