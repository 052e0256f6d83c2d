//! Messages above the stage: a link that did not open or a file that did not import
//! (dismissable banner), and the share link.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::handle::Ui;

/// The dismissable banner.
#[component]
pub fn Banner() -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        {move || {
            ui.banner
                .get()
                .map(|msg| {
                    view! {
                        <div class="banner" role="alert" data-testid="banner">
                            <span data-testid="banner-text">{msg}</span>
                            <button data-testid="banner-dismiss" aria-label="Dismiss this message" on:click=move |_| ui.banner.set(None)>
                                "Dismiss"
                            </button>
                        </div>
                    }
                })
        }}
    }
}

/// The share link, selectable, with whether it reached the clipboard.
#[component]
pub fn SharePanel() -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        {move || {
            ui.shared
                .get()
                .map(|(url, copied)| {
                    view! {
                        <div class="share-panel" data-testid="share-panel">
                            <span>
                                {if copied { "Link copied to the clipboard:" } else { "Copy this link (the clipboard was not available):" }}
                            </span>
                            <input
                                data-testid="share-link"
                                readonly
                                aria-label="Share link"
                                prop:value=url
                                on:focus=|ev| {
                                    if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                        i.select();
                                    }
                                }
                            />
                            <button aria-label="Close the share link" on:click=move |_| ui.shared.set(None)>"Close"</button>
                        </div>
                    }
                })
        }}
    }
}
