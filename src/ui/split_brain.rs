//! The split-brain warning above the stage: two servers of one cluster accept writes
//! (read from the model's `Cluster::split_brain`), with their timelines and who writes
//! to each.

use leptos::prelude::*;

use super::handle::LabHandle;

const DIVERGE: &str = "Their histories diverge; stop one and make it a standby again (pg_rewind).";

/// A warning across the stage while two or more servers accept writes.
#[component]
pub fn SplitBrainBanner() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let writable = Memo::new(move |_| lab.with(|l| l.runner().cluster.split_brain()));
    let who = move || {
        writable.with(|w| {
            let who: Vec<String> = w
                .iter()
                .map(|w| {
                    format!(
                        "{} (timeline {}, written by {})",
                        w.name,
                        w.timeline,
                        w.clients()
                    )
                })
                .collect();
            let all = if who.len() == 2 { "both" } else { "all" };
            format!("{} {all} accept writes. ", who.join(", "))
        })
    };
    view! {
        <Show when=move || writable.with(|w| !w.is_empty())>
            <div class="split-brain" role="alert" data-testid="split-brain" title=move || format!("Split brain: {}{DIVERGE}", who())>
                <strong>"Split brain: "</strong>
                {who}
                {DIVERGE}
            </div>
        </Show>
    }
}
