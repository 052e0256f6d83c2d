//! The room each part of the screen gets, for a projector: the console panel's height (a
//! splitter to drag, or to move with the arrow keys), the panel maximized over the stage,
//! and presenter mode (larger type, less chrome). The panel height and presenter mode
//! are kept in localStorage, apart from the scenario: they belong to the screen, not to
//! the lab a link shares.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the panel height and presenter mode are kept.
pub const PANES_KEY: &str = "walscope-panes";
/// The panel's smallest height, and how much of the column the stage keeps at least.
const PANEL_MIN: f64 = 120.0;
const STAGE_MIN: f64 = 150.0;
/// How far one arrow key press moves the splitter.
const KEY_STEP: f64 = 40.0;

/// The panes' state, in context.
#[derive(Clone, Copy)]
pub struct Panes {
    /// The bottom panel's height in CSS pixels, once the splitter was moved.
    pub panel_px: RwSignal<Option<f64>>,
    /// The bottom panel fills the column; the stage and side panes are hidden.
    pub maximized: RwSignal<bool>,
    /// Larger type and no header, for a projector.
    pub presenter: RwSignal<bool>,
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

impl Panes {
    /// The panes as the teacher left them on this browser.
    pub fn load() -> Panes {
        let saved = storage()
            .and_then(|s| s.get_item(PANES_KEY).ok().flatten())
            .unwrap_or_default();
        let mut parts = saved.split(',');
        let panel_px = parts
            .next()
            .and_then(|p| p.parse::<f64>().ok())
            .filter(|p| p.is_finite() && *p >= PANEL_MIN);
        let presenter = parts.next() == Some("presenter");
        Panes {
            panel_px: RwSignal::new(panel_px),
            maximized: RwSignal::new(false),
            presenter: RwSignal::new(presenter),
        }
    }

    /// Saves the panel height and presenter mode whenever they change.
    pub fn use_save(self) {
        Effect::new(move |first: Option<()>| {
            let px = self.panel_px.get();
            let presenter = self.presenter.get();
            if first.is_some() {
                if let Some(s) = storage() {
                    let px = px.map_or(String::new(), |p| format!("{p:.0}"));
                    let mode = if presenter { "presenter" } else { "normal" };
                    let _ = s.set_item(PANES_KEY, &format!("{px},{mode}"));
                }
            }
        });
    }

    /// The bottom panel's inline style.
    pub fn panel_style(self) -> Option<String> {
        if self.maximized.get() {
            return None;
        }
        self.panel_px.get().map(|p| format!("height:{p:.0}px"))
    }
}

/// The column the splitter divides, and the heights the panel may take in it.
fn bounds(splitter: &web_sys::Element) -> Option<(f64, f64, f64)> {
    let column = splitter.parent_element()?;
    let panel = splitter.next_element_sibling()?;
    let total = column.get_bounding_client_rect().height();
    let toolbar = column
        .first_element_child()
        .map_or(0.0, |t| t.get_bounding_client_rect().height());
    let max = (total - toolbar - STAGE_MIN).max(PANEL_MIN);
    Some((PANEL_MIN, max, panel.get_bounding_client_rect().height()))
}

/// The bar between the stage and the bottom panel: drag it, or focus it and use the
/// arrow keys (Home and End for the smallest and largest panel); a double click or Enter
/// maximizes the panel.
#[component]
pub fn PanelSplitter() -> impl IntoView {
    let panes = expect_context::<Panes>();
    // The pointer's y and the panel's height when the drag started.
    let drag = StoredValue::new(None::<(f64, f64)>);
    let el = |ev: &web_sys::Event| {
        ev.current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    };
    let set = move |px: f64, (min, max): (f64, f64)| {
        panes.maximized.set(false);
        panes.panel_px.set(Some(px.clamp(min, max).round()));
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        let Some(s) = el(&ev) else { return };
        let Some((_, _, now)) = bounds(&s) else {
            return;
        };
        let _ = s.set_pointer_capture(ev.pointer_id());
        drag.set_value(Some((ev.client_y() as f64, now)));
        ev.prevent_default();
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let Some((y0, h0)) = drag.get_value() else {
            return;
        };
        let Some(s) = el(&ev) else { return };
        if let Some((min, max, _)) = bounds(&s) {
            set(h0 + y0 - ev.client_y() as f64, (min, max));
        }
    };
    let on_up = move |_: web_sys::PointerEvent| drag.set_value(None);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(s) = el(&ev) else { return };
        let Some((min, max, shown)) = bounds(&s) else {
            return;
        };
        // The height asked for last, when a key repeats faster than the page lays out.
        let now = panes.panel_px.get_untracked().unwrap_or(shown);
        let to = match ev.key().as_str() {
            "ArrowUp" => now + KEY_STEP,
            "ArrowDown" => now - KEY_STEP,
            "Home" => min,
            "End" => max,
            "Enter" => {
                panes.maximized.update(|m| *m = !*m);
                ev.prevent_default();
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        set(to, (min, max));
    };
    view! {
        <div
            class="splitter"
            role="separator"
            aria-orientation="horizontal"
            aria-label="Resize the console panel (arrow keys; Enter maximizes)"
            aria-valuenow=move || panes.panel_px.get().map(|p| format!("{p:.0}"))
            tabindex="0"
            data-testid="panel-splitter"
            title="Drag to resize the console; double-click to maximize"
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=move |_| drag.set_value(None)
            on:dblclick=move |_| panes.maximized.update(|m| *m = !*m)
            on:keydown=on_key
        ></div>
    }
}

/// The button that leaves presenter mode (the header with the other buttons is hidden).
#[component]
pub fn PresenterExit() -> impl IntoView {
    let panes = expect_context::<Panes>();
    view! {
        <Show when=move || panes.presenter.get()>
            <button
                class="presenter-exit"
                data-testid="presenter-exit"
                on:click=move |_| panes.presenter.set(false)
                aria-label="Leave presenter mode (P)"
                title="Leave presenter mode (P)"
            >
                "✕ presenter"
            </button>
        </Show>
    }
}
