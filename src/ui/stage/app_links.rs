//! The applications on the stage: a chip for each in the band above the cards (its
//! name, kind, counters; drawn as retrying after an error until it connects again) and
//! a line from the chip to the card of the server it is connected to, coloured writer,
//! reader or both. Everything is read from the model ([`super::scene::AppLink`]).

use leptos::prelude::*;

use super::layout::{Layout, APP_H};
use super::scene::{AppLink, Scene};

/// The line from application `i`'s chip to its server's card, as an SVG path, when it
/// is connected: straight down to the first card, or around the first card's side to
/// a card below it; from a chip beside the first card, straight across to that card's
/// right edge, or down past its bottom to a card below. Apps on one card meet it at points spread along its top edge.
fn route(g: &Layout, apps: &[AppLink], i: usize) -> Option<(String, (f64, f64))> {
    let node = apps[i].node.filter(|n| *n < g.pos.len())?;
    let &(cx, cy) = g.apps.get(i)?;
    if g.beside && node == 0 {
        let y = cy + APP_H / 2.0;
        let x2 = g.pos[0].0 + g.top_w + 3.0;
        return Some((format!("M{cx:.1} {y:.1} L{x2:.1} {y:.1}"), (x2, y)));
    }
    let (x1, y1) = (cx + g.app_w / 2.0, cy + APP_H + 1.0);
    let same: Vec<usize> = (0..apps.len())
        .filter(|k| apps[*k].node == Some(node) && *k < g.apps.len())
        .collect();
    let rank = same.iter().position(|k| *k == i).unwrap_or(0) as f64;
    let (tx, ty) = g.pos[node];
    let tw = g.w(node);
    let x2 = tx + tw * (rank + 1.0) / (same.len() as f64 + 1.0);
    let y2 = ty - 3.0;
    if node == 0 || g.pos.is_empty() {
        return Some((format!("M{x1:.1} {y1:.1} L{x2:.1} {y2:.1}"), (x2, y2)));
    }
    let (px, py) = g.pos[0];
    let (pl, pr, pb) = (px - 8.0, px + g.w(0) + 8.0, py + g.card_h + 8.0);
    if g.beside {
        // A chip beside the first card: down past that card's bottom, then to the target.
        let d = format!("M{x1:.1} {y1:.1} L{x1:.1} {:.1} L{x2:.1} {y2:.1}", pb + 6.0);
        return Some((d, (x2, y2)));
    }
    // Would the straight line cross the first card (the top row's)?
    let crosses = (0..=20).any(|k| {
        let f = k as f64 / 20.0;
        let (x, y) = (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f);
        x > pl && x < pr && y > py - 8.0 && y < pb
    });
    if !crosses {
        return Some((format!("M{x1:.1} {y1:.1} L{x2:.1} {y2:.1}"), (x2, y2)));
    }
    // Down the side of the first card nearer the target, then to the target.
    let sx = if x2 < px + g.w(0) / 2.0 {
        pl - 6.0
    } else {
        pr + 6.0
    };
    let d = format!(
        "M{x1:.1} {y1:.1} L{sx:.1} {:.1} L{sx:.1} {:.1} L{x2:.1} {y2:.1}",
        py - 4.0,
        pb + 6.0
    );
    Some((d, (x2, y2)))
}

/// The applications' lines (SVG, under the cards).
pub(super) fn app_edges_view(g: &Layout, s: &Scene) -> impl IntoView {
    (0..s.apps.len())
        .filter_map(|i| {
            let a = &s.apps[i];
            let (d, (x2, y2)) = route(g, &s.apps, i)?;
            let target = s.nodes.get(a.node?)?.name.clone();
            Some(view! {
                <path
                    class=format!("app-edge {}", a.kind)
                    data-testid=format!("app-edge-{}", a.name)
                    data-app=a.name.clone()
                    data-target=target
                    data-x2=format!("{x2:.1}")
                    data-y2=format!("{y2:.1}")
                    d=d
                />
            })
        })
        .collect_view()
}

/// The applications' chips (HTML, over the drawing like the cards).
pub(super) fn app_chips_view(g: &Layout, s: &Scene) -> impl IntoView {
    s.apps
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let &(x, y) = g.apps.get(i)?;
            let node = a.node.and_then(|n| s.nodes.get(n)).map(|n| n.name.clone());
            let link = match (&node, a.retrying) {
                (Some(n), _) => format!("⟶ {n}"),
                (None, true) => "⤫ retrying".to_string(),
                (None, false) => "⤫ not connected".to_string(),
            };
            Some(view! {
                <div
                    class=format!("app-chip app-row {}", a.kind)
                    class:down=node.is_none()
                    data-testid="app"
                    data-app=a.name.clone()
                    data-kind=a.kind
                    data-node=node.clone().unwrap_or_default()
                    title=a.last_error.clone()
                    style=format!("left:{x:.1}px;top:{y:.1}px;width:{:.1}px;height:{APP_H:.0}px", g.app_w)
                >
                    <div class="app-head">
                        <span class="app-name">{a.name.clone()}</span>
                        <span class="app-kind">{a.kind}</span>
                        <span class="app-link" data-testid="app-link">{link}</span>
                    </div>
                    <div class="app-counters">{a.counters.clone()}</div>
                </div>
            })
        })
        .collect_view()
}
