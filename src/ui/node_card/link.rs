//! A card's link controls: partition or heal the network to the upstream server, and
//! its latency and bandwidth (`lab$ partition`, `heal`, `latency`, `bandwidth`).

use crate::sim::{HostId, NodeView, ServerState};
use leptos::prelude::*;

use super::{is, testid};
use crate::ui::format;
use crate::ui::handle::{lab_line, run, LabHandle};

/// Latencies offered for a link (as `lab$ latency` reads them); 500us is the LAN default.
const LATENCIES: [&str; 6] = ["500us", "5ms", "20ms", "50ms", "200ms", "1s"];
/// Bandwidths offered for a link (as `lab$ bandwidth` reads them); 1Gbit/s is the default.
const BANDWIDTHS: [&str; 5] = ["1Gbit/s", "100Mbit/s", "10MB/s", "1MB/s", "100kB/s"];

/// The network link a card's controls act on: to the host it streams from.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LinkInfo {
    peer: String,
    latency: String,
    bandwidth: String,
    partitioned: bool,
}

/// The link to the host's upstream server (the one its walreceiver streams from, else
/// the primary), while it has one and holds a data directory: on a standby, or on a
/// primary cut off from the others.
#[component]
pub fn LinkControls(
    /// The host's index in the cluster.
    index: usize,
    /// The host's name.
    name: String,
    /// The host's summary, read from the model.
    node: Memo<Option<NodeView>>,
    /// The name of the server other hosts stream from.
    primary: Memo<String>,
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
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
            // A primary (running, crashed or former) streams from no one: its only link
            // worth a control is a cut one, to heal.
            if !c.node(me).in_recovery && !link.partitioned {
                return None;
            }
            Some(LinkInfo {
                peer: c.host(peer).name.clone(),
                latency: link.latency.to_string(),
                bandwidth: format::rate(link.bandwidth),
                partitioned: link.partitioned,
            })
        })
    });
    let n6 = name.clone();
    let toggle_partition = move |_| {
        if let Some(l) = link.get_untracked() {
            let verb = if l.partitioned { "heal" } else { "partition" };
            run(lab, lab_line(format!("{verb} {} {n6}", l.peer)));
        }
    };
    let n7 = name.clone();
    let set_latency = move |ev| {
        if let Some(l) = link.get_untracked() {
            run(
                lab,
                lab_line(format!(
                    "latency {} {n7} {}",
                    l.peer,
                    event_target_value(&ev)
                )),
            );
        }
    };
    let n8 = name.clone();
    let set_bandwidth = move |ev| {
        if let Some(l) = link.get_untracked() {
            run(
                lab,
                lab_line(format!(
                    "bandwidth {} {n8} {}",
                    l.peer,
                    event_target_value(&ev)
                )),
            );
        }
    };
    let stored = StoredValue::new(name);
    let tid = move |what: &str| stored.with_value(|n| testid(what, n));
    view! {
        <Show when=move || link.with(Option::is_some) && !is(node, ServerState::Empty)>
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
