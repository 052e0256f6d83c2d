//! What the stage draws between the cards, read from the model: a line per
//! walsender/walreceiver pair (`pg_stat_replication`; a subscription's is a logical link
//! that carries row changes), cut links, and WAL in flight.

use crate::sim::{AppKind, HostId, NodeView, Packet, SimTime};
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
    /// No walsender serves the pair because the upstream host's firewall rejects the
    /// standby's connections (`Cluster::firewall_blocked_links`).
    pub(super) blocked: bool,
    /// A subscription's walsender: row changes travel on it, not WAL bytes.
    pub(super) logical: bool,
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
    /// The lab's applications, in the order they were added.
    pub(super) apps: Vec<AppLink>,
}

/// An application and the connection the stage draws for it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct AppLink {
    pub(super) name: String,
    /// `writer`, `reader` or `both`.
    pub(super) kind: &'static str,
    /// The host it is connected to.
    pub(super) node: Option<usize>,
    /// Its counters, short.
    pub(super) counters: String,
    /// The last error it got (and when), for its title.
    pub(super) last_error: String,
    /// It has failed and waits to try again.
    pub(super) retrying: bool,
}

fn app_links(c: &crate::sim::Cluster) -> Vec<AppLink> {
    c.apps()
        .iter()
        .map(|a| {
            let k = &a.counters;
            let counters = match a.kind {
                AppKind::Reader => format!("{} reads · {} stale", k.reads, k.stale_reads),
                AppKind::Writer => {
                    format!("{} acked · {} failed", k.writes_acked, k.writes_failed)
                }
                AppKind::Both => format!(
                    "{} acked · {} failed · {} reads · {} stale",
                    k.writes_acked, k.writes_failed, k.reads, k.stale_reads
                ),
            };
            AppLink {
                name: a.name.clone(),
                kind: a.kind.as_str(),
                node: a.server().map(|h| h.0),
                counters,
                last_error: a
                    .last_error
                    .as_ref()
                    .map(|(t, e)| format!("last error at {t}: {e}"))
                    .unwrap_or_default(),
                retrying: a.server().is_none() && a.last_error.is_some(),
            }
        })
        .collect()
}

/// Reads the scene from the lab.
pub(super) fn scene(lab: &crate::timeline::Lab) -> Scene {
    let c = &lab.runner().cluster;
    let nodes = c.nodes();
    let mut edges: Vec<Edge> = Vec::new();
    let blocked = c.firewall_blocked_links();
    for n in &nodes {
        for row in c.stat_replication(n.id) {
            let (from, to) = (n.id.0, row.peer.0);
            if edges.iter().any(|e| e.from == from && e.to == to) {
                continue;
            }
            let link = c.link(n.id, row.peer);
            let mut label = if row.logical {
                match row.sync_state {
                    "async" => format!("logical · {}", row.state),
                    s => format!("logical {s} · {}", row.state),
                }
            } else {
                format!("{} · {}", row.sync_state, row.state)
            };
            if link.latency.0 != 500 || link.bandwidth != 125_000_000 {
                label.push_str(&format!(
                    "\n{} · {}",
                    format::duration(link.latency),
                    format::rate(link.bandwidth)
                ));
            } else if blocked.contains(&(row.peer, n.id)) {
                // An established connection outlives `firewall-cmd --reload` (firewalld
                // keeps connection tracking state); the next one would be rejected.
                label.push_str("\nfirewall: reconnect blocked");
            }
            edges.push(Edge {
                from,
                to,
                state: Some(row.state),
                sync_state: row.sync_state,
                partitioned: link.partitioned,
                blocked: false,
                logical: row.logical,
                label,
            });
        }
    }
    // A subscription with no streaming apply worker (disabled, or its last worker ended
    // with an ERROR and the launcher retries): its link from the publisher, stopped,
    // with the reason.
    for stopped in c.stopped_subscriptions() {
        let Some(publisher) = stopped.publisher else {
            continue;
        };
        let (from, to) = (publisher.0, stopped.subscriber.0);
        if edges.iter().any(|e| (e.from, e.to) == (from, to)) {
            continue;
        }
        edges.push(Edge {
            from,
            to,
            state: None,
            sync_state: "",
            partitioned: c.link(publisher, stopped.subscriber).partitioned,
            blocked: false,
            logical: true,
            label: format!("{} stopped\n{}", stopped.name, wrap(&stopped.why, 30, 2)),
        });
    }
    // A standby whose upstream's firewall rejects it has no walsender: drawn blocked.
    for (standby, upstream) in &blocked {
        let (from, to) = (upstream.0, standby.0);
        if edges.iter().any(|e| (e.from, e.to) == (from, to)) {
            continue;
        }
        edges.push(Edge {
            from,
            to,
            state: None,
            sync_state: "",
            partitioned: false,
            blocked: true,
            logical: false,
            label: String::new(),
        });
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
                    blocked: false,
                    logical: false,
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
        apps: app_links(c),
    }
}

/// `text` in lines of at most `width` characters, broken between words, and at most
/// `lines` of them (the last one ending in an ellipsis when the text goes on): a label
/// beside a link on the stage has room for about 30 characters at 1280x720.
fn wrap(text: &str, width: usize, lines: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    if out.len() > lines {
        out.truncate(lines);
        if let Some(last) = out.last_mut() {
            last.push('…');
        }
    }
    for l in &mut out {
        if let Some((i, _)) = l.char_indices().nth(width + 1) {
            l.truncate(i);
            l.push('…');
        }
    }
    out.join("\n")
}
