//! The primary's WAL retention (issue 15, point 3): its segments in pg_wal and the
//! removed ones greyed, what `wal_keep_size` and each slot's `restart_lsn` keep
//! (labelled with the slot), the last checkpoint's redo point and the
//! `max_slot_wal_keep_size` limit; and a card per slot with `pg_replication_slots`'
//! own values. Everything is read from the model (`Cluster::wal_retention`).

use crate::sim::{Lsn, SlotRow, WalRetention, SEGMENT_SIZE};
use leptos::prelude::*;

use super::handle::{run, LabHandle};
use super::node_card::sql_line;
use crate::sim::disk::human;
use crate::timeline::primary_of;

/// The primary's name and its retention view.
fn retention(lab: &crate::timeline::Lab) -> Option<(String, WalRetention)> {
    let c = &lab.runner().cluster;
    let nodes = c.nodes();
    let p = primary_of(&nodes)?;
    // Shown when something keeps WAL beyond the checkpoint's own needs (a slot,
    // wal_keep_size, a max_slot_wal_keep_size limit), so the lag chart keeps its room
    // in a lab without them.
    c.wal_retention(p.id)
        .filter(|r| !r.slots.is_empty() || r.keep_size_from.is_some() || r.slot_limit.is_some())
        .map(|r| (p.name.clone(), r))
}

/// Where LSN `l` lies on the strip, in percent.
fn at(r: &WalRetention, l: Lsn) -> f64 {
    let count = (r.current - r.first + 1) as f64;
    let from = (r.first * SEGMENT_SIZE) as f64;
    ((l.0 as f64 - from) / (count * SEGMENT_SIZE as f64) * 100.0).clamp(0.0, 100.0)
}

/// Where segment `seg` begins, in percent.
fn seg_at(r: &WalRetention, seg: u64) -> f64 {
    at(r, Lsn(seg.saturating_mul(SEGMENT_SIZE)))
}

/// A segment's short label: the last two hex digits of its number.
fn short(file: &str) -> String {
    file.get(file.len().saturating_sub(2)..)
        .unwrap_or(file)
        .to_string()
}

/// What keeps which part of the WAL, one labelled span each: wal_keep_size, then each
/// slot (from its restart_lsn to the insert position).
fn spans(r: &WalRetention) -> Vec<(String, String, f64, String)> {
    let mut out = Vec::new();
    if let Some(k) = r.keep_size_from {
        out.push((
            "keep".to_string(),
            "wal_keep_size".to_string(),
            seg_at(r, k.max(r.first)),
            "retention-keep".to_string(),
        ));
    }
    for s in &r.slots {
        if let Some(l) = s.restart_lsn {
            out.push((
                "slot".to_string(),
                format!("slot {}", s.slot_name),
                at(r, l),
                format!("retention-slot-{}", s.slot_name),
            ));
        }
    }
    out
}

/// The primary's retention strip and its slots' cards.
#[component]
pub fn WalRetentionView() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let data = Memo::new(move |_| lab.with(retention));
    view! {
        <section class="retention" aria-label="WAL retention on the primary" data-testid="retention">
            {move || data.with(|d| d.as_ref().map(|(name, r)| {
                let count = r.current - r.first + 1;
                let width = 100.0 / count as f64;
                let redo = at(r, r.redo);
                let removed = r.oldest.saturating_sub(r.first);
                view! {
                    <div class="retention-head">
                        <span class="pane-title">{format!("pg_wal on {name}")}</span>
                        <span class="retention-sum" data-testid="retention-sum">
                            {format!(
                                "{} segments kept · oldest {}",
                                r.current + 1 - r.oldest.min(r.current),
                                r.file(r.oldest).unwrap_or("?"),
                            )}
                            {(removed > 0).then_some(" · removed greyed")}
                        </span>
                        {(!r.recycled.is_empty()).then(|| view! {
                            <span class="retention-sum" data-testid="retention-recycled" title=r.recycled.join("\n")>
                                {format!(" · {} recycled ahead", r.recycled.len())}
                            </span>
                        })}
                    </div>
                    <div class="retention-strip" role="img" aria-label="WAL segments: kept, removed, and why">
                        {(r.first..=r.current).map(|seg| {
                            let file = r.file(seg).unwrap_or("").to_string();
                            let gone = seg < r.oldest;
                            view! {
                                <div
                                    class="ret-seg"
                                    class:removed=gone
                                    class:current=seg == r.current
                                    data-testid=format!("retention-seg-{file}")
                                    data-state=if gone { "removed" } else { "kept" }
                                    style=format!("left:{:.3}%;width:{width:.3}%", seg_at(r, seg))
                                    title=format!("{file}{}", if gone { " (removed)" } else { "" })
                                >
                                    {short(&file)}
                                </div>
                            }
                        }).collect_view()}
                        <div class="ret-redo" data-testid="retention-redo" data-lsn=r.redo.to_string() style=format!("left:{redo:.3}%") title=format!("redo point of the last checkpoint: {}", r.redo)></div>
                        {r.slot_limit.filter(|l| *l >= r.first).map(|l| view! {
                            <div
                                class="ret-limit"
                                data-testid="retention-limit"
                                data-segment=r.file(l).unwrap_or("").to_string()
                                style=format!("left:{:.3}%", seg_at(r, l))
                                title="max_slot_wal_keep_size: a slot needing WAL older than this is invalidated at the next checkpoint"
                            ></div>
                        })}
                    </div>
                    <div class="retention-spans">
                        {spans(r).into_iter().map(|(class, label, left, tid)| view! {
                            <div class=format!("ret-span {class}") data-testid=tid style=format!("left:{left:.3}%;width:{:.3}%", 100.0 - left)>
                                <span>{label}</span>
                            </div>
                        }).collect_view()}
                        <span class="ret-key">
                            <i class="ret-redo-key"></i>"redo"
                            {r.slot_limit.map(|_| view! { <i class="ret-limit-key"></i>"max_slot_wal_keep_size" })}
                        </span>
                    </div>
                    <div class="slot-cards">
                        {r.slots.iter().map(|s| view! { <SlotCard node=name.clone() row=s.clone() /> }).collect_view()}
                    </div>
                }
            }))}
        </section>
    }
}

/// One row of `pg_replication_slots` as a card, with a button that drops the slot.
#[component]
fn SlotCard(
    /// The server the slot is on.
    node: String,
    /// The slot's row of pg_replication_slots.
    row: SlotRow,
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let name = row.slot_name.clone();
    let drop_sql = format!("SELECT pg_drop_replication_slot('{name}');");
    let sql = drop_sql.clone();
    let drop = move |_| run(lab, sql_line(&node, sql.clone()));
    let status = row.wal_status.unwrap_or("NULL");
    let safe = row
        .safe_wal_size
        .map_or("NULL".to_string(), |b| human(b.max(0) as u64));
    let restart = row
        .restart_lsn
        .map_or("NULL".to_string(), |l| l.to_string());
    // slot_type and, for a logical slot, its plugin and confirmed_flush_lsn.
    let kind = row.logical.as_ref().map_or("physical".to_string(), |l| {
        format!("logical · {}", l.plugin)
    });
    let confirmed = row.logical.as_ref().map(|l| l.confirmed_flush.to_string());
    view! {
        <div class="slot-card" class:lost=status == "lost" data-testid=format!("slot-card-{name}")>
            <div class="slot-name">{format!("slot {name}")}
                <span class="slot-active" data-testid=format!("slot-active-{name}")>{if row.active { "active" } else { "inactive" }}</span>
            </div>
            <div class="slot-row" data-testid=format!("slot-type-{name}")>{kind}</div>
            <div class="slot-row">"restart_lsn "<b data-testid=format!("slot-restart-{name}")>{restart}</b></div>
            {confirmed.map(|c| view! {
                <div class="slot-row">"confirmed_flush_lsn "<b data-testid=format!("slot-confirmed-{name}")>{c}</b></div>
            })}
            <div class="slot-row">"wal_status "<b data-testid=format!("slot-status-{name}")>{status}</b>
                " · safe "<b data-testid=format!("slot-safe-{name}") data-bytes=row.safe_wal_size.map(|b| b.to_string())>{safe}</b>
            </div>
            {(!row.active).then(|| view! {
                <button data-testid=format!("btn-drop-{name}") on:click=drop title=drop_sql.clone()>"Drop slot"</button>
            })}
        </div>
    }
}
