//! The play loop: animation frames turned into virtual time at the chosen speed.

use leptos::prelude::*;

use super::handle::{frame, LabHandle, Ui};

/// The longest real time one frame may account for: a tab that was in the background
/// does not make the model leap forward when it comes back.
const MAX_FRAME_MS: f64 = 100.0;

fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// While `ui.playing`, advances the model on every animation frame. The pending frame
/// request is cancelled when playback stops or the app is unmounted.
pub fn use_play_loop(lab: LabHandle, ui: Ui) {
    Effect::new(move |_| {
        if !ui.playing.get() {
            return;
        }
        let pending = StoredValue::new_local(None::<AnimationFrameRequestHandle>);
        let last = StoredValue::new_local(now_ms());
        schedule(lab, ui, pending, last);
        on_cleanup(move || {
            if let Some(h) = pending.try_get_value().flatten() {
                h.cancel();
            }
            pending.try_set_value(None);
        });
    });
}

fn schedule(
    lab: LabHandle,
    ui: Ui,
    pending: StoredValue<Option<AnimationFrameRequestHandle>, LocalStorage>,
    last: StoredValue<f64, LocalStorage>,
) {
    let handle = request_animation_frame_with_handle(move || {
        // The effect that owns these values was cleaned up: playback stopped.
        let Some(prev) = last.try_get_value() else {
            return;
        };
        if !ui.playing.get_untracked() {
            return;
        }
        let t = now_ms();
        last.set_value(t);
        frame(lab, ui, (t - prev).clamp(0.0, MAX_FRAME_MS));
        schedule(lab, ui, pending, last);
    })
    .ok();
    pending.try_set_value(handle);
}

/// The badge over the stage while the clock is paused: a stopped clock must not look
/// like broken replication. It says what a command does meanwhile (the typing interval
/// passes first, [`crate::timeline::TYPING`]) and plays when clicked.
#[component]
pub fn PausedBadge() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let typing = crate::timeline::TYPING.seconds();
    view! {
        <Show when=move || !ui.playing.get()>
            <button
                class="paused-badge"
                data-testid="paused-badge"
                title="The virtual clock is stopped. Click or press Space to let it run."
                on:click=move |_| ui.playing.set(true)
            >
                <span class="paused-title">"❚❚ Paused"</span>
                <span class="paused-note">{format!("each command lets {typing} pass · Space plays")}</span>
            </button>
        </Show>
    }
}

/// What the last Step ran (its events, the Log lines they wrote), under the time
/// controls while the clock is paused.
#[component]
pub fn StepNote() -> impl IntoView {
    let ui = expect_context::<Ui>();
    move || {
        let note = ui.stepped.get().filter(|_| !ui.playing.get())?;
        Some(view! { <p class="step-note" data-testid="step-note" role="status">{note}</p> })
    }
}
