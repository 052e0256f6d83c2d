//! Drawing the links between the cards: straight or curved, cut where the network is
//! partitioned, with their labels and the packets of WAL in flight on them.

use crate::sim::Packet;
use crate::ui::format;
use leptos::prelude::*;

use super::scene::{Edge, Scene};
use super::{Layout, RISE};

/// Where the segment from card `a` toward card `b` leaves `a`'s border.
fn border_point(l: &Layout, a: usize, b: usize) -> (f64, f64) {
    let ((ax, ay), (bx, by)) = (l.centre(a), l.centre(b));
    let (dx, dy) = (bx - ax, by - ay);
    let t = [
        (l.w(a) / 2.0 + 4.0) / dx.abs(),
        (l.card_h / 2.0 + 4.0) / dy.abs(),
    ]
    .into_iter()
    .filter(|t| t.is_finite())
    .fold(f64::INFINITY, f64::min);
    let t = if t.is_finite() { t } else { 0.0 };
    (ax + dx * t, ay + dy * t)
}

pub(super) fn edges_view(g: &Layout, s: &Scene, reduced_motion: bool) -> impl IntoView {
    let mut out = Vec::new();
    // Link and packet labels go on top of every link and packet, so none is drawn over.
    let mut labels = Vec::new();
    for e in &s.edges {
        if e.from >= g.pos.len() || e.to >= g.pos.len() {
            continue;
        }
        let ((x1, y1), (x2, y2)) = endpoints(g, &s.edges, e);
        // Two cards side by side (a standby streaming from another one of its row) are
        // joined by an arc over them, through the band above their row; other links are
        // straight.
        let curved = g.same_row(e.from, e.to);
        let (cx, cy) = ((x1 + x2) / 2.0, y1.min(y2) - 2.0 * RISE);
        let at = |f: f64| {
            if curved {
                let (u, v, w) = ((1.0 - f) * (1.0 - f), 2.0 * (1.0 - f) * f, f * f);
                (u * x1 + v * cx + w * x2, u * y1 + v * cy + w * y2)
            } else {
                (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f)
            }
        };
        // The link from `f0` to `f1` of the way along, as an SVG path.
        let stretch = |f0: f64, f1: f64| {
            let steps = if curved { 16 } else { 1 };
            let mut d = String::new();
            for i in 0..=steps {
                let (x, y) = at(f0 + (f1 - f0) * i as f64 / steps as f64);
                d.push_str(&format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { " L" }));
            }
            d
        };
        let names = (s.nodes[e.from].name.clone(), s.nodes[e.to].name.clone());
        let testid = format!("edge-{}-{}", names.0, names.1);
        let kind = if e.state.is_none() && e.logical {
            "edge logical stopped"
        } else if e.state.is_none() {
            "edge idle"
        } else if e.logical {
            "edge logical"
        } else if e.sync() {
            "edge sync"
        } else {
            "edge async"
        };
        if e.partitioned {
            let (mx, my) = at(0.5);
            // Below the cut, on the side the link leans to; held WAL is labelled above it.
            let (lx, ly, anchor) = if curved {
                (mx, my - 14.0, "middle")
            } else {
                let (lx, anchor) = side(mx, x2 - x1);
                (lx, my + 24.0, anchor)
            };
            out.push(
                view! {
                    <g class="partitioned" data-testid=testid data-sync=e.sync().to_string()>
                        <path d=stretch(0.0, 0.42) class=kind />
                        <path d=stretch(0.58, 1.0) class=kind />
                        <path class="cut" d=format!("M{} {} l16 16 M{} {} l-16 16", mx - 8.0, my - 8.0, mx + 8.0, my - 8.0) />
                        <text class="edge-label cut-label" x=lx y=ly text-anchor=anchor>"partitioned"</text>
                    </g>
                }
                .into_any(),
            );
        } else if e.blocked {
            // The upstream host's firewall stops the standby's connections: a wall across
            // the link where it leaves that host, unlike a partition's cut in the middle.
            let (ax, ay) = at(0.14);
            let (bx, by) = at(0.18);
            let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt().max(0.001);
            let (nx, ny) = (-(by - ay) / len * 15.0, (bx - ax) / len * 15.0);
            let (wx, wy) = at(0.16);
            let (mx, my) = at(0.5);
            let (lx, anchor) = if curved {
                (mx, "middle")
            } else {
                side(mx, x2 - x1)
            };
            let text = "blocked by firewall";
            let (lx, anchor) = keep_inside(lx, anchor, text, 8.8, g.width);
            out.push(
                view! {
                    <g class="blocked" data-testid=testid data-blocked="true">
                        <path d=stretch(0.16, 1.0) class="edge blocked" />
                        <path class="wall" d=format!("M{:.1} {:.1} L{:.1} {:.1}", wx - nx, wy - ny, wx + nx, wy + ny) />
                        <text class="edge-label blocked-label" x=lx y=if curved { my - 14.0 } else { my } text-anchor=anchor>{text}</text>
                    </g>
                }
                .into_any(),
            );
        } else {
            // Next to where the link reaches the standby: links are furthest apart there;
            // above an arc's highest point.
            let (lx, my, anchor) = if curved {
                let (mx, my) = at(0.5);
                let lines = 17.0 * e.label.matches('\n').count() as f64;
                (mx, my - 6.0 - lines, "middle")
            } else {
                let (mx, my) = at(0.8);
                let (lx, anchor) = side(mx, x2 - x1);
                // Lines beyond the second (a stopped subscription's reason) go up, so
                // they stay clear of the card the link enters.
                let extra = e.label.matches('\n').count().saturating_sub(1) as f64;
                (lx, my - 17.0 * extra, anchor)
            };
            let label_id = format!("{testid}-label");
            let (lx, anchor) = keep_inside(lx, anchor, &e.label, 8.8, g.width);
            let mut lines = e.label.lines().map(str::to_string);
            let first = lines.next().unwrap_or_default();
            let rest: Vec<String> = lines.collect();
            out.push(
                view! {
                    <g data-testid=testid data-sync=e.sync().to_string()>
                        <path d=stretch(0.0, 1.0) class=kind />
                    </g>
                }
                .into_any(),
            );
            labels.push(
                view! {
                    <text class="edge-label" data-testid=label_id x=lx y=my - 2.0 text-anchor=anchor>
                        {first}
                        {rest.into_iter().map(|t| view! { <tspan class="edge-net" x=lx dy="17">{t}</tspan> }).collect_view()}
                    </text>
                }
                .into_any(),
            );
        }
        // WAL in flight on this link, placed by how far through its trip it is.
        let sync = e.sync();
        let packets: Vec<&Packet> = s
            .packets
            .iter()
            .filter(|p| (p.from.0, p.to.0) == (e.from, e.to))
            .collect();
        let held = packets.iter().filter(|p| p.arrive_at.is_none()).count();
        let flying: Vec<&&Packet> = packets.iter().filter(|p| p.arrive_at.is_some()).collect();
        // The stretch of the link WAL is travelling on, from the sender to the packet
        // furthest along, with the bytes in flight (the packets' LSN ranges).
        let progress = |p: &Packet| {
            let arrive = p.arrive_at.unwrap_or(p.sent_at);
            let span = arrive.0.saturating_sub(p.sent_at.0).max(1) as f64;
            (s.now.0.saturating_sub(p.sent_at.0) as f64 / span).clamp(0.0, 1.0)
        };
        let bytes: i64 = flying.iter().map(|p| p.end.diff(p.start).max(0)).sum();
        if bytes > 0 && !e.partitioned && !e.logical {
            let reach = flying.iter().map(|p| progress(p)).fold(0.0, f64::max);
            out.push(
                view! { <path class="inflight" class:sync=sync data-testid="inflight-band" d=stretch(0.0, reach.max(0.04)) /> }
                    .into_any(),
            );
            // Near the sender, clear of the link's own label near the standby.
            let (mx, my) = at(0.3);
            let text = format!("{} in flight", format::bytes(bytes as f64));
            let (lx, anchor) = packet_side(mx, x2 - x1);
            let (lx, anchor) = keep_inside(lx, anchor, &text, 8.5, g.width);
            labels.push(
                view! {
                    <text class="packet-label inflight-label" data-testid="inflight-label" x=lx y=my + 5.0 text-anchor=anchor>
                        {text}
                    </text>
                }
                .into_any(),
            );
        }
        for (i, p) in flying.iter().enumerate() {
            let Some(arrive) = p.arrive_at else { continue };
            let span = arrive.0.saturating_sub(p.sent_at.0).max(1) as f64;
            let mut f = (s.now.0.saturating_sub(p.sent_at.0) as f64 / span).clamp(0.0, 1.0);
            if reduced_motion {
                f = ((f * 3.0).floor().min(2.0) + 0.5) / 3.0;
            }
            let (px, py) = at(f);
            // The oldest and the newest packet carry their LSN range (more would pile up),
            // once clear of the sender, where the links of every standby start together,
            // and before the link's own label near the standby.
            // A logical link carries row changes: its packets say which.
            let label =
                ((i == 0 || i + 1 == flying.len()) && (0.08..=0.7).contains(&f)).then(|| {
                    p.changes
                        .clone()
                        .unwrap_or_else(|| format!("{}–{}", p.start, p.end))
                });
            let (lx, anchor) = packet_side(px, x2 - x1);
            let (lx, anchor) = match &label {
                Some(t) => keep_inside(lx, anchor, t, 8.5, g.width),
                None => (lx, anchor),
            };
            out.push(
                view! {
                    <g class="packet" class:sync=sync data-testid="packet">
                        <rect x=px - 8.0 y=py - 6.0 width="16" height="12" rx="2" />
                    </g>
                }
                .into_any(),
            );
            if let Some(t) = label {
                labels.push(
                    view! { <text class="packet-label" data-testid="packet-label" x=lx y=py + 5.0 text-anchor=anchor>{t}</text> }
                        .into_any(),
                );
            }
        }
        if held > 0 {
            let (px, py) = at(0.25);
            let first = packets
                .iter()
                .find(|p| p.arrive_at.is_none())
                .map(|p| p.start)
                .unwrap_or_default();
            let last = packets
                .iter()
                .filter(|p| p.arrive_at.is_none())
                .map(|p| p.end)
                .max()
                .unwrap_or_default();
            // Two lines (the count, then the LSN range), narrow enough to stay beside
            // its own link on a small stage.
            let range = format!("{first}–{last}");
            let (lx, anchor) = packet_side(px, x2 - x1);
            let (lx, anchor) =
                keep_inside(lx, anchor, &format!("{held} held:\n{range}"), 8.5, g.width);
            out.push(
                view! {
                    <g class="packet held" data-testid="packet-held">
                        <rect x=px - 8.0 y=py - 6.0 width="16" height="12" rx="2" />
                    </g>
                }
                .into_any(),
            );
            labels.push(
                view! {
                    <text class="packet-label" data-testid="packet-held-label" x=lx y=py - 3.0 text-anchor=anchor>
                        {format!("{held} held: ")}
                        <tspan x=lx dy="16">{range}</tspan>
                    </text>
                }
                .into_any(),
            );
        }
    }
    out.extend(labels);
    out
}

/// Where a link's label goes: beside the link, on the side it leans to (so the labels
/// of links fanning out from one card do not cross); left of a straight link.
fn side(x: f64, dx: f64) -> (f64, &'static str) {
    if dx < 20.0 {
        (x - 14.0, "end")
    } else {
        (x + 14.0, "start")
    }
}

/// Moves a label beside a line at `x` to the line's other side (or a centred one
/// sideways) when its text, about `char_px` a character, would leave the stage.
fn keep_inside(
    x: f64,
    anchor: &'static str,
    text: &str,
    char_px: f64,
    width: f64,
) -> (f64, &'static str) {
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let est = longest as f64 * char_px;
    match anchor {
        "end" if x - est < 2.0 => (x + 28.0, "start"),
        "start" if x + est > width - 2.0 => (x - 28.0, "end"),
        "middle" => (
            x.clamp(
                est / 2.0 + 2.0,
                (width - est / 2.0 - 2.0).max(est / 2.0 + 2.0),
            ),
            "middle",
        ),
        _ => (x, anchor),
    }
}

/// Where a link's line starts and ends. A link down to a lower row leaves the bottom of
/// its sender at its own place (ordered like the standbys below) and enters the top of
/// the standby, so the links fanning out of one primary stay apart.
fn endpoints(g: &Layout, edges: &[Edge], e: &Edge) -> ((f64, f64), (f64, f64)) {
    let (a, b) = (g.pos[e.from], g.pos[e.to]);
    let card_h = g.card_h;
    if b.1 > a.1 + card_h {
        let mut below: Vec<usize> = edges
            .iter()
            .filter(|o| o.from == e.from && o.to < g.pos.len() && g.pos[o.to].1 > a.1 + card_h)
            .map(|o| o.to)
            .collect();
        crate::sim::order::sort_by(&mut below, |x, y| g.pos[*x].0.total_cmp(&g.pos[*y].0));
        below.dedup();
        let rank = below.iter().position(|t| *t == e.to).unwrap_or(0) as f64;
        let x1 = a.0 + g.w(e.from) * (rank + 1.0) / (below.len() as f64 + 1.0);
        return ((x1, a.1 + card_h + 2.0), (b.0 + g.w(e.to) / 2.0, b.1 - 2.0));
    }
    if g.same_row(e.from, e.to) {
        // Side by side: from the top of one to the top of the other.
        let top = |p: (f64, f64)| (p.0 + g.card_w / 2.0, p.1 - 2.0);
        return (top(a), top(b));
    }
    (border_point(g, e.from, e.to), border_point(g, e.to, e.from))
}

/// Where a packet's label goes: like [`side`], but right of a straight link, so it
/// does not meet the link's own label.
fn packet_side(x: f64, dx: f64) -> (f64, &'static str) {
    if dx < -20.0 {
        (x - 14.0, "end")
    } else {
        (x + 14.0, "start")
    }
}
