//! Keyboard shortcuts, and the dialog that lists them (`?`).

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::follow::Follow;
use super::handle::{step, LabHandle, Ui};
use super::panes::Panes;

/// The shortcuts, as the help dialog lists them.
pub const SHORTCUTS: [(&str, &str); 8] = [
    ("Space", "play / pause"),
    ("→", "step to the next event"),
    ("[", "slower"),
    ("]", "faster"),
    ("M", "maximize or restore the console"),
    ("P", "presenter mode: larger type, no header"),
    (
        "Q",
        "show or hide the lesson step's link as a QR code for the class",
    ),
    ("?", "show or hide this help"),
];

/// Whether a key event belongs to a text field (typing there is not a shortcut).
fn typing_in_field(ev: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    match el.tag_name().to_ascii_lowercase().as_str() {
        "textarea" | "select" => true,
        "input" => true,
        _ => el.closest("[contenteditable]").ok().flatten().is_some(),
    }
}

/// Installs the window keydown listener; removed when the app is unmounted.
pub fn use_shortcuts(lab: LabHandle, ui: Ui) {
    let panes = expect_context::<Panes>();
    let follow = expect_context::<Follow>();
    let handle = window_event_listener(ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing_in_field(&ev) {
            return;
        }
        match ev.key().as_str() {
            " " => {
                ev.prevent_default();
                ui.playing.update(|p| *p = !*p);
            }
            "ArrowRight" => {
                ev.prevent_default();
                step(lab, ui);
            }
            "[" => ui.nudge_speed(-1),
            "]" => ui.nudge_speed(1),
            "?" => ui.help.update(|h| *h = !*h),
            "m" | "M" => panes.maximized.update(|m| *m = !*m),
            "p" | "P" => panes.presenter.update(|p| *p = !*p),
            "q" | "Q" => follow.toggle(),
            "Escape" => {
                ui.help.set(false);
                follow.open.set(false);
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// The shortcut list, shown by `?`.
#[component]
pub fn ShortcutHelp() -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        <Show when=move || ui.help.get()>
            <div class="dialog-backdrop" on:click=move |_| ui.help.set(false)>
                <div
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="shortcuts-title"
                    data-testid="shortcuts"
                    on:click=|ev| ev.stop_propagation()
                >
                    <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                    <dl>
                        {SHORTCUTS
                            .iter()
                            .map(|(k, what)| view! { <dt><kbd>{*k}</kbd></dt><dd>{*what}</dd> })
                            .collect_view()}
                    </dl>
                    <p class="muted">"Shortcuts do nothing while you type in the console or a field."</p>
                    <button on:click=move |_| ui.help.set(false) aria-label="Close the shortcut help">"Close"</button>
                </div>
            </div>
        </Show>
    }
}
