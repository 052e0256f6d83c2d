//! A server's card on the stage: who it is, what state it is in, and its controls (the
//! fault buttons, the link to its upstream server, a subscriber's subscriptions, the
//! write workload). Every control
//! runs the script line a student could type, through the console's path.

mod cost;
mod faults;
mod link;
mod subscriptions;
mod workload;

use crate::sim::{NodeView, ServerState, Writable};
use leptos::prelude::*;

use crate::ui::stage::CardText;

use crate::ui::handle::LabHandle;

use cost::CostBadges;
pub use cost::{cost, sql_line, Cost};
use faults::FaultButtons;
use link::LinkControls;
use subscriptions::SubscriptionButtons;
use workload::WorkloadControls;

pub fn role(n: &NodeView) -> &'static str {
    match (n.state, n.in_recovery) {
        (ServerState::Empty, _) => "new host",
        (_, true) => "standby",
        (_, false) => "primary",
    }
}

pub fn state_text(n: &NodeView) -> &'static str {
    match (n.state, n.in_recovery) {
        (ServerState::Empty, _) => "no data directory",
        (ServerState::Stopped, _) => "stopped",
        (ServerState::Crashed, _) => "crashed",
        (ServerState::Running, _) => "running",
    }
}

/// What a running standby's state line adds, which a compact card leaves out (its
/// role already says it).
const IN_RECOVERY: &str = " · in recovery";

fn in_recovery(n: &NodeView) -> bool {
    n.in_recovery && n.state == ServerState::Running
}

/// The card's position line: timeline and the LSN that matters for its role.
pub fn pos_text(n: &NodeView) -> Option<String> {
    let tli = n.timeline?;
    Some(if n.in_recovery {
        format!("timeline {tli} · replay {}", n.replay?)
    } else {
        format!("timeline {tli} · insert {}", n.insert?)
    })
}

/// The texts of the card's badges, in the order shown: split brain, commits waiting
/// for a synchronous standby, a setting waiting for a restart, the workload.
fn badge_texts(n: &NodeView, split: Option<&Writable>) -> [Option<String>; 4] {
    [
        split.map(|w| format!("split brain · tl {}", w.timeline)),
        (n.waiting_commits > 0).then(|| format!("waiting for SyncRep ({})", n.waiting_commits)),
        n.pending_restart.then(|| "pending restart".to_string()),
        n.workload_tps
            .filter(|t| *t > 0)
            .map(|tps| format!("{tps} tps")),
    ]
}

/// What the card says, for the stage's layout to give it the height it needs.
pub fn card_text(n: &NodeView, split: Option<&Writable>) -> CardText {
    CardText {
        state_chars: role(n).len() + 3 + state_text(n).chars().count(),
        pos_chars: pos_text(n).map_or(0, |p| p.chars().count()),
        badges: badge_texts(n, split)
            .iter()
            .flatten()
            .map(|b| b.chars().count())
            .collect(),
        standby: n.in_recovery,
        subscriptions: 0,
    }
}

/// Whether the card's server is in state `s` (tracked).
fn is(node: Memo<Option<NodeView>>, s: ServerState) -> bool {
    node.with(|n| n.as_ref().map(|n| n.state)) == Some(s)
}

/// Whether the card's server is in recovery (tracked).
fn standby(node: Memo<Option<NodeView>>) -> bool {
    node.with(|n| n.as_ref().is_some_and(|n| n.in_recovery))
}

/// The `data-testid` of a card's element `what`: `what-NAME`.
fn testid(what: &str, name: &str) -> String {
    format!("{what}-{name}")
}

/// One server's card.
#[component]
pub fn NodeCard(
    /// The host's index in the cluster.
    index: usize,
    /// Every node's summary, read from the model.
    nodes: Memo<Vec<NodeView>>,
    /// The name of the server other hosts stream from.
    primary: Memo<String>,
    /// Every host's cost badges (timeline, disk, lost commits), read from the model.
    costs: Memo<Vec<Cost>>,
) -> impl IntoView {
    let node = Memo::new(move |_| nodes.with(|v| v.get(index).cloned()));
    let cost = Memo::new(move |_| costs.with(|v| v.get(index).cloned().unwrap_or_default()));
    let name = node
        .with_untracked(|n| n.as_ref().map(|n| n.name.clone()))
        .unwrap_or_default();
    // A memo, so the workload controls are redrawn when the rate changes, not with every
    // frame's LSNs.
    // Who writes to this server while another one accepts writes too (split brain).
    let lab = expect_context::<LabHandle>();
    let split = Memo::new(move |_| {
        lab.with(|l| {
            l.runner()
                .cluster
                .split_brain()
                .into_iter()
                .find(|w| w.host.0 == index)
        })
    });
    let running_tps = Memo::new(move |_| {
        node.with(|n| n.as_ref().and_then(|n| n.workload_tps).filter(|t| *t > 0))
    });
    view! {
        <div
            class="card"
            class:is-primary=move || !standby(node) && !is(node, ServerState::Empty)
            class:is-split=move || split.with(Option::is_some)
            class:is-down=move || is(node, ServerState::Stopped) || is(node, ServerState::Crashed)
            data-testid=testid("card", &name)
        >
            <div class="card-head">
                <span class="card-name">{name.clone()}</span>
                <span class="card-addr">{move || node.with(|n| n.as_ref().map(|n| n.addr.clone()))}</span>
            </div>
            <div class="card-state" data-testid=testid("state", &name)>
                <strong>{move || node.with(|n| n.as_ref().map(role))}</strong>
                " · "
                {move || node.with(|n| n.as_ref().map(state_text))}
                <span class="state-extra">{move || node.with(|n| n.as_ref().filter(|n| in_recovery(n)).map(|_| IN_RECOVERY))}</span>
            </div>
            <div class="card-pos" data-testid=testid("pos", &name)>
                {move || node.with(|n| n.as_ref().and_then(pos_text))}
            </div>
            <div class="badges">
                {move || {
                    split
                        .get()
                        .map(|w| {
                            view! {
                                <span class="badge split" data-testid=format!("split-{}", w.name) title=format!("split brain: written by {}", w.clients())>
                                    {format!("split brain · tl {}", w.timeline)}
                                </span>
                            }
                        })
                }}
                {move || {
                    node.with(|n| {
                        let n = n.as_ref()?;
                        (n.waiting_commits > 0)
                            .then(|| {
                                view! {
                                    <span class="badge wait" data-testid=format!("syncrep-{}", n.name)>
                                        {format!("waiting for SyncRep ({})", n.waiting_commits)}
                                    </span>
                                }
                            })
                    })
                }}
                {move || {
                    node.with(|n| {
                        let n = n.as_ref()?;
                        n.pending_restart
                            .then(|| view! { <span class="badge restart" data-testid=format!("pending-{}", n.name)>"pending restart"</span> })
                    })
                }}
                {move || {
                    running_tps
                        .get()
                        .map(|tps| view! { <span class="badge load" title="lab$ workload">{format!("{tps} tps")}</span> })
                }}
                <CostBadges name=name.clone() cost=cost />
            </div>
            <FaultButtons name=name.clone() node=node primary=primary cost=cost running_tps=running_tps />
            <LinkControls index=index name=name.clone() node=node primary=primary />
            <SubscriptionButtons index=index name=name.clone() node=node />
            <WorkloadControls name=name.clone() node=node running_tps=running_tps />
        </div>
    }
}
