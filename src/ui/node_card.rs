//! A server's card on the stage: who it is, what state it is in, and the fault buttons.
//! Every button runs the script line a student could type, through the console's path.

use crate::script::Line;
use crate::sim::{HostId, NodeView, ServerState};
use leptos::prelude::*;

use super::format;
use super::handle::{lab_line, run, shell_line, LabHandle};

/// Latencies offered for a link (as `lab$ latency` reads them); 500us is the LAN default.
const LATENCIES: [&str; 6] = ["500us", "5ms", "20ms", "50ms", "200ms", "1s"];
/// Bandwidths offered for a link (as `lab$ bandwidth` reads them); 1Gbit/s is the default.
const BANDWIDTHS: [&str; 5] = ["1Gbit/s", "100Mbit/s", "10MB/s", "1MB/s", "100kB/s"];
/// Workload rates offered, transactions per second.
const RATES: [u32; 5] = [10, 100, 1000, 5000, 10000];

/// The network link a card's controls act on: to the host it streams from.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LinkInfo {
    peer: String,
    latency: String,
    bandwidth: String,
    partitioned: bool,
}

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
        (ServerState::Running, true) => "running · in recovery",
        (ServerState::Running, false) => "running",
    }
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
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let node = Memo::new(move |_| nodes.with(|v| v.get(index).cloned()));
    let name = node
        .with_untracked(|n| n.as_ref().map(|n| n.name.clone()))
        .unwrap_or_default();
    let link = Memo::new(move |_| {
        lab.with(|l| {
            let c = &l.runner().cluster;
            let me = HostId(index);
            let peer = c
                .stat_wal_receiver(me)
                .map(|r| r.primary)
                .or_else(|| primary.with(|p| c.host_id(p)))
                .filter(|p| *p != me)?;
            let link = c.link(peer, me);
            Some(LinkInfo {
                peer: c.host(peer).name.clone(),
                latency: link.latency.to_string(),
                bandwidth: format::rate(link.bandwidth),
                partitioned: link.partitioned,
            })
        })
    });
    let state = move || node.with(|n| n.as_ref().map(|n| n.state));
    let is = move |s: ServerState| state() == Some(s);
    let standby = move || node.with(|n| n.as_ref().is_some_and(|n| n.in_recovery));
    let go = move |line: Line| run(lab, line);

    let n1 = name.clone();
    let stop = move |_| go(shell_line(&n1, "pg_ctl stop"));
    let n2 = name.clone();
    let start = move |_| go(shell_line(&n2, "pg_ctl start"));
    let n3 = name.clone();
    let crash = move |_| go(lab_line(format!("crash {n3}")));
    let n4 = name.clone();
    let promote = move |_| go(shell_line(&n4, "pg_ctl promote"));
    let n5 = name.clone();
    let clone = move |_| {
        let from = primary.get_untracked();
        go(shell_line(
            &n5,
            format!("pg_basebackup -h {from} -U replicator -D /var/lib/pgsql/data -P -R"),
        ))
    };
    let n6 = name.clone();
    let toggle_partition = move |_| {
        if let Some(l) = link.get_untracked() {
            let verb = if l.partitioned { "heal" } else { "partition" };
            go(lab_line(format!("{verb} {} {n6}", l.peer)));
        }
    };
    let n7 = name.clone();
    let set_latency = move |ev| {
        if let Some(l) = link.get_untracked() {
            go(lab_line(format!(
                "latency {} {n7} {}",
                l.peer,
                event_target_value(&ev)
            )));
        }
    };
    let n8 = name.clone();
    let set_bandwidth = move |ev| {
        if let Some(l) = link.get_untracked() {
            go(lab_line(format!(
                "bandwidth {} {n8} {}",
                l.peer,
                event_target_value(&ev)
            )));
        }
    };
    // The rate the Run button starts with; while a workload runs, the select shows and
    // changes the model's rate instead.
    let rate = RwSignal::new(1000u32);
    // A memo, so the select is redrawn when the rate changes, not with every frame's LSNs.
    let running_tps = Memo::new(move |_| {
        node.with(|n| n.as_ref().and_then(|n| n.workload_tps).filter(|t| *t > 0))
    });
    let shown_rate = Memo::new(move |_| running_tps.get().unwrap_or_else(|| rate.get()));
    let n10 = name.clone();
    let set_rate = move |ev: web_sys::Event| {
        let Ok(r) = event_target_value(&ev).parse::<u32>() else {
            return;
        };
        rate.set(r);
        if running_tps.get_untracked().is_some() {
            go(lab_line(format!("workload {n10} {r}")));
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
        go(lab_line(format!("workload {n9} {arg}")));
    };

    let stored = StoredValue::new(name.clone());
    let tid = move |what: &str| format!("{what}-{}", stored.get_value());
    let label = move |what: &str, cmd: &str| format!("{what} {} (runs: {cmd})", stored.get_value());
    view! {
        <div
            class="card"
            class:is-primary=move || !standby() && !is(ServerState::Empty)
            class:is-down=move || is(ServerState::Stopped) || is(ServerState::Crashed)
            data-testid=tid("card")
        >
            <div class="card-head">
                <span class="card-name">{name.clone()}</span>
                <span class="card-addr">{move || node.with(|n| n.as_ref().map(|n| n.addr.clone()))}</span>
            </div>
            <div class="card-state" data-testid=tid("state")>
                <strong>{move || node.with(|n| n.as_ref().map(role))}</strong>
                " · "
                {move || node.with(|n| n.as_ref().map(state_text))}
            </div>
            <div class="card-pos" data-testid=tid("pos")>
                {move || {
                    node.with(|n| {
                        let n = n.as_ref()?;
                        let tli = n.timeline?;
                        Some(if n.in_recovery {
                            format!("timeline {tli} · replay {}", n.replay?)
                        } else {
                            format!("timeline {tli} · insert {}", n.insert?)
                        })
                    })
                }}
            </div>
            <div class="badges">
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
            </div>
            <div class="card-actions">
                <Show when=move || is(ServerState::Running)>
                    <button data-testid=tid("btn-stop") on:click=stop.clone() aria-label=label("Stop", "pg_ctl stop") title="pg_ctl stop">
                        "Stop"
                    </button>
                    <button
                        class="danger"
                        data-testid=tid("btn-crash")
                        on:click=crash.clone()
                        aria-label=label("Crash", "lab$ crash")
                        title="lab$ crash: power loss"
                    >
                        "Crash"
                    </button>
                </Show>
                <Show when=move || is(ServerState::Running) && standby()>
                    <button data-testid=tid("btn-promote") on:click=promote.clone() aria-label=label("Promote", "pg_ctl promote") title="pg_ctl promote">
                        "Promote"
                    </button>
                </Show>
                <Show when=move || is(ServerState::Stopped) || is(ServerState::Crashed)>
                    <button data-testid=tid("btn-start") on:click=start.clone() aria-label=label("Start", "pg_ctl start") title="pg_ctl start">
                        "Start"
                    </button>
                </Show>
                <Show when=move || is(ServerState::Empty)>
                    <button
                        data-testid=tid("btn-clone")
                        on:click=clone.clone()
                        aria-label=label("Clone the primary onto", "pg_basebackup -R")
                        title="pg_basebackup -h PRIMARY -U replicator -D /var/lib/pgsql/data -P -R"
                    >
                        "pg_basebackup"
                    </button>
                </Show>
            </div>
            <Show when=move || link.with(Option::is_some) && !is(ServerState::Empty)>
                <div class="card-link">
                    <button
                        data-testid=tid("btn-partition")
                        class:danger=move || link.with(|l| l.as_ref().is_some_and(|l| !l.partitioned))
                        on:click=toggle_partition.clone()
                        aria-label=move || {
                            link.with(|l| {
                                l.as_ref()
                                    .map(|l| {
                                        if l.partitioned {
                                            format!("Heal the network between {} and this host", l.peer)
                                        } else {
                                            format!("Partition the network between {} and this host", l.peer)
                                        }
                                    })
                                    .unwrap_or_default()
                            })
                        }
                    >
                        {move || link.with(|l| if l.as_ref().is_some_and(|l| l.partitioned) { "Heal" } else { "Partition" })}
                    </button>
                    <select
                        data-testid=tid("latency")
                        aria-label="One-way latency of the link to the upstream server"
                        title="lab$ latency"
                        prop:value=move || link.with(|l| l.as_ref().map(|l| l.latency.clone()).unwrap_or_default())
                        on:change=set_latency.clone()
                    >
                        {move || options(&LATENCIES, link.with(|l| l.as_ref().map(|l| l.latency.clone()).unwrap_or_default()))}
                    </select>
                    <select
                        data-testid=tid("bandwidth")
                        aria-label="Bandwidth of the link to the upstream server"
                        title="lab$ bandwidth"
                        prop:value=move || link.with(|l| l.as_ref().map(|l| l.bandwidth.clone()).unwrap_or_default())
                        on:change=set_bandwidth.clone()
                    >
                        {move || options(&BANDWIDTHS, link.with(|l| l.as_ref().map(|l| l.bandwidth.clone()).unwrap_or_default()))}
                    </select>
                </div>
            </Show>
            <Show when=move || is(ServerState::Running) && !standby()>
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
                                all.sort_unstable();
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
        </div>
    }
}

/// A select's options: the offered values plus the current one if it is not offered
/// (set from the console).
fn options(offered: &[&str], current: String) -> impl IntoView {
    let mut all: Vec<String> = offered.iter().map(|s| s.to_string()).collect();
    if !current.is_empty() && !all.contains(&current) {
        all.push(current.clone());
    }
    all.into_iter()
        .map(|v| {
            let selected = v == current;
            view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
        })
        .collect_view()
}
