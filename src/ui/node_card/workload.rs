//! A card's workload controls: the rate select and Run/Stop (`lab$ workload`), on a
//! running primary.

use crate::sim::{NodeView, ServerState};
use leptos::prelude::*;

use super::{is, standby, testid};
use crate::ui::handle::{lab_line, run, LabHandle};

/// Workload rates offered, transactions per second.
const RATES: [u32; 5] = [10, 100, 1000, 5000, 10000];

/// The write workload of a running primary: pick a rate, start or stop it.
#[component]
pub fn WorkloadControls(
    /// The host's name.
    name: String,
    /// The host's summary, read from the model.
    node: Memo<Option<NodeView>>,
    /// The rate of the workload running on the host, if one runs.
    running_tps: Memo<Option<u32>>,
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    // The rate the Run button starts with; while a workload runs, the select shows and
    // changes the model's rate instead. It lives as long as the card, so a primary that
    // is stopped and started again keeps it.
    let rate = RwSignal::new(1000u32);
    let shown_rate = Memo::new(move |_| running_tps.get().unwrap_or_else(|| rate.get()));
    let n10 = name.clone();
    let set_rate = move |ev: web_sys::Event| {
        let Ok(r) = event_target_value(&ev).parse::<u32>() else {
            return;
        };
        rate.set(r);
        if running_tps.get_untracked().is_some() {
            run(lab, lab_line(format!("workload {n10} {r}")));
        }
    };
    let n9 = name.clone();
    let workload = move |_| {
        let running = running_tps.get_untracked().is_some();
        let arg = if running {
            "off".to_string()
        } else {
            rate.get_untracked().to_string()
        };
        run(lab, lab_line(format!("workload {n9} {arg}")));
    };
    let stored = StoredValue::new(name);
    let tid = move |what: &str| stored.with_value(|n| testid(what, n));
    view! {
        <Show when=move || is(node, ServerState::Running) && !standby(node)>
            <div class="card-load">
                <select
                    data-testid=tid("rate")
                    aria-label="Workload rate in transactions per second"
                    on:change=set_rate.clone()
                    prop:value=move || shown_rate.get().to_string()
                >
                    {move || {
                        let current = shown_rate.get();
                        let mut all = RATES.to_vec();
                        if !all.contains(&current) {
                            all.push(current);
                            crate::sim::order::sort(&mut all);
                        }
                        all.into_iter()
                            .map(|r| view! { <option value=r.to_string() selected=r == current>{format!("{r} tps")}</option> })
                            .collect_view()
                    }}
                </select>
                <button data-testid=tid("btn-workload") on:click=workload.clone() title="lab$ workload" aria-label="Start or stop the write workload">
                    {move || {
                        if running_tps.get().is_some() {
                            "Stop workload"
                        } else {
                            "Run workload"
                        }
                    }}
                </button>
            </div>
        </Show>
    }
}
