//! What the stage draws between the cards, read from the model: a line per
//! walsender/walreceiver pair (`pg_stat_replication`), cut links, and WAL in flight.

use crate::sim::{HostId, NodeView, Packet, SimTime};
use crate::ui::format;

/// One line on the stage between two hosts.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Edge {
    /// The walsender's host.
    pub(super) from: usize,
    /// The standby.
    pub(super) to: usize,
    /// `pg_stat_replication.state` and `sync_state`, when a walsender serves this pair.
    pub(super) state: Option<&'static str>,
    pub(super) sync_state: &'static str,
    pub(super) partitioned: bool,
    pub(super) label: String,
}

impl Edge {
    pub(super) fn sync(&self) -> bool {
        matches!(self.sync_state, "sync" | "quorum")
    }
}

/// What the stage draws besides the cards, all read from the model.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Scene {
    pub(super) now: SimTime,
    pub(super) nodes: Vec<NodeView>,
    pub(super) edges: Vec<Edge>,
    pub(super) packets: Vec<Packet>,
}

/// Reads the scene from the lab.
pub(super) fn scene(lab: &crate::timeline::Lab) -> Scene {
    let c = &lab.runner().cluster;
    let nodes = c.nodes();
    let mut edges: Vec<Edge> = Vec::new();
    for n in &nodes {
        for row in c.stat_replication(n.id) {
            let (from, to) = (n.id.0, row.peer.0);
            if edges.iter().any(|e| e.from == from && e.to == to) {
                continue;
            }
            let link = c.link(n.id, row.peer);
            let mut label = format!("{} · {}", row.sync_state, row.state);
            if link.latency.0 != 500 || link.bandwidth != 125_000_000 {
                label.push_str(&format!(
                    "\n{} · {}",
                    format::duration(link.latency),
                    format::rate(link.bandwidth)
                ));
            }
            edges.push(Edge {
                from,
                to,
                state: Some(row.state),
                sync_state: row.sync_state,
                partitioned: link.partitioned,
                label,
            });
        }
    }
    // Partitioned pairs with no walsender left still show their cut.
    for a in 0..nodes.len() {
        for b in a + 1..nodes.len() {
            if edges
                .iter()
                .any(|e| (e.from, e.to) == (a, b) || (e.from, e.to) == (b, a))
            {
                continue;
            }
            if c.link(HostId(a), HostId(b)).partitioned {
                edges.push(Edge {
                    from: a,
                    to: b,
                    state: None,
                    sync_state: "",
                    partitioned: true,
                    label: String::new(),
                });
            }
        }
    }
    Scene {
        now: c.now(),
        nodes,
        edges,
        packets: c.packets(),
    }
}
