//! Time controls: play, pause, step, speed and the virtual-time readout.

use leptos::prelude::*;

/// The speeds a teacher can pick, as multiples of real time.
pub const SPEEDS: [f64; 7] = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0];

/// Play/pause, single step, the speed selector and the virtual clock.
#[component]
pub fn Toolbar() -> impl IntoView {
    let (playing, set_playing) = signal(false);
    let (speed, set_speed) = signal(1.0_f64);
    view! {
        <div class="toolbar" role="toolbar" aria-label="Time controls">
            <button
                data-testid="play"
                aria-label=move || if playing.get() { "Pause" } else { "Play" }
                on:click=move |_| set_playing.update(|p| *p = !*p)
            >
                {move || if playing.get() { "⏸ Pause" } else { "▶ Play" }}
            </button>
            <button data-testid="step" aria-label="Step to the next event">"⏭ Step"</button>
            <label class="speed">
                "Speed "
                <select
                    data-testid="speed"
                    on:change=move |ev| {
                        if let Ok(s) = event_target_value(&ev).parse::<f64>() {
                            set_speed.set(s);
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .map(|s| view! { <option value=s.to_string() selected=*s == 1.0>{format!("{s}×")}</option> })
                        .collect_view()}
                </select>
            </label>
            <span class="clock" data-testid="status">
                {move || if playing.get() { format!("running at {}×", speed.get()) } else { "paused".to_string() }}
            </span>
            <span class="clock" data-testid="clock" title="Virtual time">"t = 0.000 s"</span>
        </div>
    }
}
