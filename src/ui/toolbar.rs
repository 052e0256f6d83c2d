//! Time controls: play, pause, step, speed, reset, the virtual clock and the timeline
//! slider that scrubs through everything that has happened.

use crate::sim::SimTime;
use leptos::prelude::*;

use super::confirm::Confirm;
use super::handle::{scrub, step, LabHandle, Ui, SPEEDS};
use super::persist;
use crate::timeline::Lab;

/// What the banner says after Reset.
pub const RESET_NOTE: &str =
    "The lab was reset to a fresh cluster. The browser's Back button brings back the lab you had.";

fn speed_text(s: f64) -> String {
    format!("{s}×")
}

/// Play/pause, single step, speed, reset, the clock and the timeline.
#[component]
pub fn Toolbar() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let ui = expect_context::<Ui>();
    let now = Memo::new(move |_| lab.with(|l| l.now()));
    let horizon = Memo::new(move |_| lab.with(|l| l.horizon()));
    let reset_now = move || {
        ui.playing.set(false);
        let seed = lab.with_untracked(Lab::seed);
        let had = !window()
            .location()
            .hash()
            .unwrap_or_default()
            .trim_start_matches('#')
            .is_empty();
        lab.replace(Lab::new(seed));
        // A new history entry: Back returns to the scenario that was on screen, and
        // the banner says so.
        persist::set_url_fragment(None, true);
        if had {
            ui.banner.set(Some(RESET_NOTE.to_string()));
        }
    };
    // Reset throws work away: it asks first, in the page, when there is any.
    let confirm = RwSignal::new(false);
    let reset = move |_| {
        let work = lab.with_untracked(|l| !l.transcript().is_empty() || l.horizon().0 > 0);
        if work {
            ui.playing.set(false);
            confirm.set(true);
        } else {
            reset_now();
        }
    };
    let work_note = move || {
        lab.with(|l| {
            format!(
                "This throws away the lab on screen: {} command(s), {} of virtual time. The browser's Back button brings it back.",
                l.transcript().len(),
                l.horizon()
            )
        })
    };
    view! {
        <div class="toolbar" role="toolbar" aria-label="Time controls">
            <button
                class="primary-action"
                data-testid="play"
                aria-label=move || if ui.playing.get() { "Pause (Space)" } else { "Play (Space)" }
                on:click=move |_| ui.playing.update(|p| *p = !*p)
            >
                {move || if ui.playing.get() { "❚❚ Pause" } else { "▶ Play" }}
            </button>
            <button data-testid="step" aria-label="Step to the next event (Right arrow)" on:click=move |_| step(lab, ui)>
                "▶| Step"
            </button>
            <label class="speed">
                "Speed "
                <select
                    data-testid="speed"
                    aria-label="Playback speed ([ slower, ] faster)"
                    prop:value=move || ui.speed.get().to_string()
                    on:change=move |ev| {
                        if let Ok(s) = event_target_value(&ev).parse::<f64>() {
                            ui.speed.set(s);
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .map(|s| view! { <option value=s.to_string() selected=move || ui.speed.get() == *s>{speed_text(*s)}</option> })
                        .collect_view()}
                </select>
            </label>
            <span class="reset-wrap">
                <button data-testid="reset" aria-label="Reset: start again with a fresh lab" aria-expanded=move || confirm.get().to_string() on:click=reset>"⟲ Reset"</button>
                <Confirm
                    open=confirm
                    testid="reset-confirm"
                    title="Start again with a fresh lab?"
                    note=Signal::derive(work_note)
                    yes="Reset the lab"
                    on_yes=Callback::new(move |()| reset_now())
                />
            </span>
            <span class=move || if ui.playing.get() { "status" } else { "status paused" } data-testid="status">
                {move || if ui.playing.get() { format!("running at {}", speed_text(ui.speed.get())) } else { "paused".to_string() }}
            </span>
            <span class="clock" data-testid="clock" title="Virtual time since the lab started">
                {move || format!("t = {}", now.get())}
            </span>
            <input
                class="timeline"
                type="range"
                data-testid="timeline"
                aria-label="Timeline: scrub through virtual time"
                aria-valuetext=move || now.get().to_string()
                min="0"
                max=move || (horizon.get().0 / 1000).to_string()
                step="1"
                prop:value=move || (now.get().0 / 1000).to_string()
                on:input=move |ev| {
                    if let Ok(ms) = event_target_value(&ev).parse::<u64>() {
                        // The slider counts whole milliseconds; its end is the horizon exactly.
                        let end = horizon.get_untracked();
                        let t = if ms >= end.0 / 1000 { end } else { SimTime(ms * 1000) };
                        scrub(lab, t);
                    }
                }
            />
            <span class="clock horizon" title="The furthest time reached">{move || horizon.get().to_string()}</span>
            <super::phone::StageToggle />
        </div>
    }
}
