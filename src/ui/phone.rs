//! A phone-sized screen: the lesson text and the console share it, and the stage (cards,
//! links, WAL positions) shows on demand in place of neither. The layout itself is the
//! style sheet's narrow-screen rules; this is the toggle, shown only there.

use leptos::prelude::*;

/// Whether a narrow screen shows the stage (in context).
#[derive(Clone, Copy)]
pub struct PhoneView {
    pub stage: RwSignal<bool>,
}

impl Default for PhoneView {
    fn default() -> PhoneView {
        PhoneView {
            stage: RwSignal::new(false),
        }
    }
}

/// Shows or hides the stage on a narrow screen (hidden by the style sheet elsewhere).
#[component]
pub fn StageToggle() -> impl IntoView {
    let phone = expect_context::<PhoneView>();
    view! {
        <button
            class="phone-only stage-toggle"
            data-testid="stage-toggle"
            aria-pressed=move || phone.stage.get().to_string()
            on:click=move |_| phone.stage.update(|s| *s = !*s)
        >
            {move || if phone.stage.get() { "Hide stage" } else { "Stage" }}
        </button>
    }
}
