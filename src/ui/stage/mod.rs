//! The stage: the cluster's topology drawn as SVG. Cards for the servers, a link for
//! every walsender/walreceiver pair (from `pg_stat_replication`), WAL in flight on
//! those links, and cut links where the network is partitioned.
//!
//! This file places the cards; `scene.rs` reads what lies between them from the model
//! and `edges.rs` draws it.

mod edges;
mod scene;

use leptos::prelude::*;

use super::handle::{LabHandle, Ui};
use super::node_card::NodeCard;
use crate::timeline::primary_of;
use edges::edges_view;
use scene::scene;

/// A card's size in stage units.
pub const CARD_W: f64 = 290.0;
pub const CARD_H: f64 = 184.0;
const GAP_X: f64 = 26.0;
const GAP_Y: f64 = 104.0;
/// How far below the cards a link between two cards of the same row dips.
const DIP: f64 = 44.0;
const MARGIN: f64 = 12.0;
/// Standbys per row.
const PER_ROW: usize = 4;

/// Where each card sits: the first host on top, the others in rows below it.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// Top-left corner of each host's card, by host index.
    pub pos: Vec<(f64, f64)>,
}

/// Whether hosts `a` and `b` sit in the same row of [`layout`] (the first host has the
/// top row to itself).
fn same_row(a: usize, b: usize) -> bool {
    a > 0 && b > 0 && (a - 1) / PER_ROW == (b - 1) / PER_ROW
}

/// Where each of `n` hosts' cards goes; `curves` leaves room under the cards for links
/// between cards of the same row and their two-line labels.
pub fn layout(n: usize, curves: bool) -> Layout {
    let others = n.saturating_sub(1);
    let cols = others.clamp(3, PER_ROW);
    let width = cols as f64 * (CARD_W + GAP_X) - GAP_X + 2.0 * MARGIN;
    let rows = others.div_ceil(PER_ROW).max(1);
    let below = if curves { DIP + 48.0 } else { 0.0 };
    let height =
        MARGIN * 2.0 + CARD_H + rows as f64 * (GAP_Y + CARD_H) + (rows - 1) as f64 * 20.0 + below;
    let mut pos = vec![((width - CARD_W) / 2.0, MARGIN)];
    for k in 0..others {
        let (row, col) = (k / PER_ROW, k % PER_ROW);
        let in_row = (others - row * PER_ROW).min(PER_ROW) as f64;
        let x0 = (width - (in_row * (CARD_W + GAP_X) - GAP_X)) / 2.0;
        let y = MARGIN + CARD_H + GAP_Y + row as f64 * (CARD_H + GAP_Y + 20.0);
        pos.push((x0 + col as f64 * (CARD_W + GAP_X), y));
    }
    Layout { width, height, pos }
}

/// The topology: one card per server, links, packets.
#[component]
pub fn Stage() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let ui = expect_context::<Ui>();
    let nodes = Memo::new(move |_| lab.with(|l| l.runner().cluster.nodes()));
    let hosts = Memo::new(move |_| {
        nodes.with(|v| {
            v.iter()
                .map(|n| (n.id.0, n.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let scene = Memo::new(move |_| lab.with(scene));
    let curves = Memo::new(move |_| scene.with(|s| s.edges.iter().any(|e| same_row(e.from, e.to))));
    let geometry = Memo::new(move |_| layout(hosts.with(Vec::len), curves.get()));
    let primary = Memo::new(move |_| {
        nodes
            .with(|v| primary_of(v).map(|n| n.name.clone()))
            .unwrap_or_default()
    });
    view! {
        <svg
            class="stage"
            data-testid="stage"
            viewBox=move || geometry.with(|g| format!("0 0 {} {}", g.width, g.height))
            preserveAspectRatio="xMidYMin meet"
            role="group"
            aria-label="Cluster topology"
        >
            <g class="edges">
                {move || {
                    let g = geometry.get();
                    scene.with(|s| edges_view(&g, s, ui.reduced_motion))
                }}
            </g>
            <For each=move || hosts.get() key=|h| h.clone() let:h>
                <foreignObject
                    x=move || geometry.with(|g| g.pos.get(h.0).map_or(0.0, |p| p.0))
                    y=move || geometry.with(|g| g.pos.get(h.0).map_or(0.0, |p| p.1))
                    width=CARD_W
                    height=CARD_H
                >
                    <NodeCard index=h.0 nodes=nodes primary=primary />
                </foreignObject>
            </For>
            <Show when=move || hosts.with(|h| h.len() < 2)>
                <text class="stage-hint" x=move || geometry.with(|g| g.width / 2.0) y=CARD_H + GAP_Y + 40.0 text-anchor="middle">
                    "No standby yet. Pick an example lab above, or add a host (+ Host)"
                </text>
                <text class="stage-hint" x=move || geometry.with(|g| g.width / 2.0) y=CARD_H + GAP_Y + 66.0 text-anchor="middle">
                    "and clone the primary onto it with pg_basebackup."
                </text>
            </Show>
            <g class="legend" transform="translate(14 22)" aria-hidden="true">
                <line x1="0" y1="0" x2="34" y2="0" class="edge sync" />
                <text x="40" y="5">"sync"</text>
                <line x1="0" y1="22" x2="34" y2="22" class="edge async" />
                <text x="40" y="27">"async"</text>
            </g>
        </svg>
    }
}
