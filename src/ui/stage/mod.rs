//! The stage: the cluster's topology drawn as SVG. Cards for the servers, a link for
//! every walsender/walreceiver pair (from `pg_stat_replication`), WAL in flight on
//! those links, and cut links where the network is partitioned.
//!
//! The cards are HTML laid over the drawing, so a compact card can grow over its
//! neighbours to show its controls when hovered or focused. `layout.rs` places the cards
//! for the room the stage has, `scene.rs` reads what lies between them from the model
//! and `edges.rs` draws it.

mod app_links;
mod apps;
mod edges;
mod layout;
mod scene;

use leptos::html::Div;
use leptos::prelude::*;

use super::handle::{LabHandle, Ui};
use super::node_card::{card_text, cost, Cost, NodeCard};
use super::resize::use_size;
use crate::sim::ServerState;
use crate::timeline::primary_of;
use app_links::{app_chips_view, app_edges_view};
use edges::edges_view;
pub use layout::CardText;
use layout::{layout, Detail, Layout, RISE};
use scene::scene;

pub use apps::AppStrip;

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
    // Each card's timeline, disk and lost commits (issue 15), from the model.
    let costs: Memo<Vec<Cost>> = Memo::new(move |_| {
        lab.with(|l| {
            let c = &l.runner().cluster;
            let nodes = c.nodes();
            let p = primary_of(&nodes).map(|n| n.id);
            nodes.iter().map(|n| cost(c, n.id, p)).collect()
        })
    });
    // What each card says, for the height it needs (changes with a badge, not with
    // every frame's LSNs unless one gets longer).
    let texts = Memo::new(move |_| {
        let split = lab.with(|l| l.runner().cluster.split_brain());
        nodes.with(|v| {
            v.iter()
                .map(|n| {
                    let mut t = card_text(n, split.iter().find(|w| w.host == n.id));
                    // A subscriber's card has a row of buttons per subscription.
                    if n.state == ServerState::Running {
                        t.subscriptions =
                            lab.with(|l| l.runner().cluster.subscription_cards(n.id).len());
                    }
                    costs.with(|c| {
                        if let Some(c) = c.get(n.id.0) {
                            t.badges
                                .extend(c.badge_texts().iter().map(|b| b.chars().count()));
                        }
                    });
                    t
                })
                .collect::<Vec<_>>()
        })
    });
    let stage_box = NodeRef::<Div>::new();
    let room = use_size(stage_box);
    let app_count = Memo::new(move |_| scene.with(|s| s.apps.len()));
    let geometry = Memo::new(move |_| texts.with(|t| layout(t, app_count.get(), room.get())));
    // What the legend lists besides sync and async: a blocked link, a logical one and
    // the kinds of application the lab has, when there are any.
    let extras = Memo::new(move |_| {
        scene.with(|s| {
            let mut v: Vec<(&'static str, &'static str)> = Vec::new();
            if s.edges.iter().any(|e| e.blocked) {
                v.push(("edge blocked", "firewall"));
            }
            if s.edges.iter().any(|e| e.logical) {
                v.push(("edge logical", "logical"));
            }
            for k in ["writer", "reader", "both"] {
                if s.apps.iter().any(|a| a.kind == k) {
                    v.push((k, k));
                }
            }
            v
        })
    });
    // Shrunk only when the lab does not fit the room even with the smallest cards.
    let fit = Memo::new(move |_| geometry.with(|g| g.fit(room.get())));
    let primary = Memo::new(move |_| {
        nodes
            .with(|v| primary_of(v).map(|n| n.name.clone()))
            .unwrap_or_default()
    });
    let hint_y =
        move |dy: f64| geometry.with(|g| g.pos.first().map_or(0.0, |p| p.1) + g.card_h + dy);
    view! {
        <div class="stage-box" node_ref=stage_box>
        <svg
            class="stage"
            data-testid="stage"
            viewBox=move || geometry.with(|g| format!("0 0 {} {}", g.width, g.height))
            style=move || {
                let (s, left) = fit.get();
                geometry.with(|g| format!("left:{left:.3}px;width:{:.3}px;height:{:.3}px", g.width * s, g.height * s))
            }
            preserveAspectRatio="xMidYMin meet"
            role="group"
            aria-label="Cluster topology"
        >
            <g class="app-edges">
                {move || {
                    let g = geometry.get();
                    scene.with(|s| app_edges_view(&g, s))
                }}
            </g>
            <g class="edges">
                {move || {
                    let g = geometry.get();
                    scene.with(|s| edges_view(&g, s, ui.reduced_motion))
                }}
            </g>
            <Show when=move || hosts.with(|h| h.len() < 2)>
                <text class="stage-hint" x=move || geometry.with(|g| g.width / 2.0) y=move || hint_y(60.0) text-anchor="middle">
                    "No standby yet. Pick an example lab above, or add a host (+ Host)"
                </text>
                <text class="stage-hint" x=move || geometry.with(|g| g.width / 2.0) y=move || hint_y(86.0) text-anchor="middle">
                    "and clone the primary onto it with pg_basebackup."
                </text>
            </Show>
            <g class="legend" transform=move || geometry.with(|g| format!("translate(14 {:.1})", g.top + 22.0)) aria-hidden="true">
                <line x1="0" y1="0" x2="34" y2="0" class="edge sync" />
                <text x="40" y="5">"sync"</text>
                <line x1="0" y1="22" x2="34" y2="22" class="edge async" />
                <text x="40" y="27">"async"</text>
                {move || {
                    extras
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, (class, text))| {
                            let y = 44.0 + 22.0 * i as f64;
                            let class = if class.starts_with("edge") { class.to_string() } else { format!("app-edge {class}") };
                            view! {
                                <line x1="0" y1=y x2="34" y2=y class=class data-testid=format!("legend-{text}") />
                                <text x="40" y=y + 5.0>{text}</text>
                            }
                        })
                        .collect_view()
                }}
            </g>
        </svg>
        <div
            class="stage-cards"
            class:compact=move || geometry.with(Layout::compact)
            class:least=move || geometry.with(|g| g.detail == Detail::Least)
            style=move || {
                let (s, left) = fit.get();
                if s < 1.0 { format!("left:{left:.1}px;transform:scale({s:.4})") } else { format!("left:{left:.1}px") }
            }
        >
            <For each=move || hosts.get() key=|h| h.clone() let:h>
                <div
                    class="card-slot"
                    class:stepped=move || ui.step_marked().is_some_and(|m| m.hosts.contains(&h.0))
                    style=move || {
                        geometry.with(|g| {
                            let (x, y) = g.pos.get(h.0).copied().unwrap_or_default();
                            format!("left:{x:.1}px;top:{y:.1}px;width:{:.1}px;height:{h:.1}px;--h:{h:.1}px", g.w(h.0), h = g.card_h)
                        })
                    }
                    tabindex=move || geometry.with(Layout::compact).then_some("0")
                    aria-label=move || geometry.with(Layout::compact).then(|| format!("{}: focus to show its controls", h.1))
                >
                    <NodeCard index=h.0 nodes=nodes primary=primary costs=costs />
                </div>
            </For>
            {move || {
                let g = geometry.get();
                scene.with(|s| app_chips_view(&g, s))
            }}
        </div>
        </div>
    }
}
