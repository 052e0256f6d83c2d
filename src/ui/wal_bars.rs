//! WAL bars: every server's WAL positions on one LSN axis, with the 16MB segment
//! boundaries and their WAL file names, and each standby's lag.

use crate::sim::{segment_file_name, Lsn, ServerState, TimelineId, SEGMENT_SIZE};
use leptos::prelude::*;

use super::format;
use super::handle::LabHandle;
use crate::timeline::{primary_of, Lab};

/// The narrowest window the axis shows, so nearby markers stay apart.
const MIN_SPAN: f64 = 64.0 * 1024.0;
/// A standby replies at least every `wal_receiver_status_interval` (10 s): a reply
/// older than that means it is cut off, and `replay_lag` is stale.
const STALE: crate::sim::SimDuration = crate::sim::SimDuration(11_000_000);

#[derive(Clone, Debug, PartialEq)]
struct Marker {
    kind: &'static str,
    pct: f64,
}

#[derive(Clone, Debug, PartialEq)]
struct Row {
    name: String,
    primary: bool,
    /// Where the filled part of the bar ends (flush on a primary, replay on a standby).
    fill: f64,
    markers: Vec<Marker>,
    /// Positions, PostgreSQL's notation.
    text: String,
    lag: Option<String>,
    down: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Tick {
    pct: f64,
    /// The WAL file that starts at this boundary.
    file: Option<String>,
}

/// One 16MB segment on the ruler.
#[derive(Clone, Debug, PartialEq)]
struct Segment {
    left: f64,
    width: f64,
    file: String,
    /// Holds the primary's insert position.
    current: bool,
}

/// The ruler above the bars: whole WAL segments (files) around the positions shown,
/// and the window the bars below zoom into.
#[derive(Clone, Debug, PartialEq, Default)]
struct Ruler {
    segments: Vec<Segment>,
    window: (f64, f64),
    /// Segments before the first one drawn that still hold a shown position.
    hidden: u64,
}

#[derive(Clone, Debug, PartialEq, Default)]
struct Bars {
    rows: Vec<Row>,
    ticks: Vec<Tick>,
    caption: String,
    ruler: Ruler,
}

/// The most segments the ruler draws.
const RULER_SEGMENTS: u64 = 6;

fn bars(lab: &Lab) -> Bars {
    let c = &lab.runner().cluster;
    let nodes = c.nodes();
    let Some(p) = primary_of(&nodes).filter(|p| p.state != ServerState::Empty) else {
        return Bars::default();
    };
    let tli = p.timeline.unwrap_or(TimelineId(1));
    let (Some(insert), Some(flush)) = (p.insert, p.flush) else {
        return Bars::default();
    };
    // pg_current_wal_lsn(): the write position, from the primary's WAL.
    let write = p.write.unwrap_or(flush);
    let rows_view = c.stat_replication(p.id);
    let now = c.now();
    let standbys: Vec<_> = nodes
        .iter()
        .filter(|n| n.id != p.id && n.state != ServerState::Empty && n.in_recovery)
        .collect();
    let mut all: Vec<u64> = vec![insert.0, write.0, flush.0];
    for s in &standbys {
        all.extend(s.flush.map(|l| l.0));
        all.extend(s.replay.map(|l| l.0));
    }
    let hi = all.iter().copied().max().unwrap_or(0) as f64;
    let lo = all.iter().copied().min().unwrap_or(0) as f64;
    let span = (hi - lo).max(MIN_SPAN);
    let lo = (hi - span - span * 0.05).max(0.0);
    let hi = lo + span * 1.1;
    let pct = |l: Lsn| ((l.0 as f64 - lo) / (hi - lo) * 100.0).clamp(0.0, 100.0);

    let mut rows = vec![Row {
        name: p.name.clone(),
        primary: true,
        fill: pct(flush),
        markers: vec![
            Marker {
                kind: "insert",
                pct: pct(insert),
            },
            Marker {
                kind: "write",
                pct: pct(write),
            },
            Marker {
                kind: "flush",
                pct: pct(flush),
            },
        ],
        text: format!("insert {insert} · write {write} · flush {flush}"),
        lag: None,
        down: p.state != ServerState::Running,
    }];
    for s in standbys {
        let (Some(recv), Some(replay)) = (s.flush, s.replay) else {
            continue;
        };
        let row = rows_view.iter().find(|r| r.peer == s.id);
        let same_tli = s.timeline == p.timeline;
        let bytes = same_tli.then(|| flush.diff(replay).max(0));
        // pg_stat_replication.replay_lag is what the primary last heard: while the
        // standby cannot reply (a partition) it stands still, so say so instead.
        let time = row.map(|r| {
            let silent = r.reply_time.map(|t| now.saturating_sub(t));
            match (silent, r.replay_lag) {
                (Some(d), _) if d > STALE => format!("no reply {}", format::duration(d)),
                (_, Some(l)) => format::duration(l),
                (_, None) => "NULL".to_string(),
            }
        });
        let lag = match (bytes, time) {
            (Some(b), Some(t)) => format!("{} · {t}", format::bytes(b as f64)),
            (Some(b), None) => format!("{} · not streaming", format::bytes(b as f64)),
            (None, _) => format!(
                "timeline {} (primary on {})",
                s.timeline.map_or(0, |t| t.0),
                tli
            ),
        };
        rows.push(Row {
            name: s.name.clone(),
            primary: false,
            fill: pct(replay),
            markers: vec![
                Marker {
                    kind: "received",
                    pct: pct(recv),
                },
                Marker {
                    kind: "replayed",
                    pct: pct(replay),
                },
            ],
            text: format!("received {recv} · replayed {replay}"),
            lag: Some(lag),
            down: s.state != ServerState::Running,
        });
    }
    let first = (lo as u64).div_ceil(SEGMENT_SIZE);
    let last = hi as u64 / SEGMENT_SIZE;
    let mut ticks = Vec::new();
    if last >= first && last - first < 12 {
        let spacing = SEGMENT_SIZE as f64 / (hi - lo) * 100.0;
        for seg in first..=last {
            let at = pct(Lsn(seg * SEGMENT_SIZE));
            let file = (spacing > 28.0 && at < 72.0).then(|| segment_file_name(tli, seg));
            ticks.push(Tick { pct: at, file });
        }
    }
    let caption = format!(
        "insert position is in WAL file {}",
        insert.walfile_name(tli)
    );
    let last_seg = insert.segment();
    let first_needed = (lo as u64).min(insert.0) / SEGMENT_SIZE;
    let first_seg = first_needed.max(last_seg.saturating_sub(RULER_SEGMENTS - 1));
    let count = (last_seg - first_seg + 1) as f64;
    let base = (first_seg * SEGMENT_SIZE) as f64;
    let rpct = |b: f64| ((b - base) / (count * SEGMENT_SIZE as f64) * 100.0).clamp(0.0, 100.0);
    let ruler = Ruler {
        segments: (first_seg..=last_seg)
            .map(|seg| Segment {
                left: rpct((seg * SEGMENT_SIZE) as f64),
                width: 100.0 / count,
                file: segment_file_name(tli, seg),
                current: seg == last_seg,
            })
            .collect(),
        window: (rpct(lo), rpct(hi)),
        hidden: first_seg - first_needed,
    };
    Bars {
        rows,
        ticks,
        caption,
        ruler,
    }
}

/// The WAL bars of the primary and its standbys.
#[component]
pub fn WalBars() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let data = Memo::new(move |_| lab.with(bars));
    view! {
        <section class="wal" aria-label="WAL positions" data-testid="wal-bars">
            <div class="pane-head">
                <h2 class="pane-title">"WAL positions"</h2>
                <span class="wal-key" title="behind: pg_wal_lsn_diff(primary flush, standby replay). replay_lag: pg_stat_replication on the primary.">
                    "lag: behind · replay_lag"
                </span>
                <div class="wal-legend" aria-hidden="true">
                    <span><i class="wal-mark insert"></i>"insert"</span>
                    <span><i class="wal-mark write"></i>"write"</span>
                    <span><i class="wal-mark flush"></i>"flush"</span>
                    <span><i class="wal-mark received"></i>"received"</span>
                    <span><i class="wal-mark replayed"></i>"replayed"</span>
                </div>
            </div>
            <p class="wal-caption" data-testid="wal-caption">{move || data.with(|d| d.caption.clone())}</p>
            <div class="wal-ruler" data-testid="wal-ruler" role="img" aria-label="WAL segment files around the positions shown">
                {move || {
                    data.with(|d| {
                        let r = &d.ruler;
                        let (a, b) = r.window;
                        view! {
                            {r.segments
                                .iter()
                                .map(|s| {
                                    view! {
                                        <div
                                            class="ruler-seg"
                                            class:current=s.current
                                            style=format!("left:{:.3}%;width:{:.3}%", s.left, s.width)
                                            title=s.file.clone()
                                        >
                                            {s.file.clone()}
                                        </div>
                                    }
                                })
                                .collect_view()}
                            <div
                                class="ruler-window"
                                style=format!("left:{a:.3}%;width:max(3px, {:.3}%)", b - a)
                                title="the part of the WAL the bars below show"
                            ></div>
                            {(r.hidden > 0).then(|| view! { <span class="ruler-more">{format!("◀ {} older", r.hidden)}</span> })}
                        }
                    })
                }}
            </div>
            {move || {
                data.with(|d| {
                    d.rows
                        .iter()
                        .map(|r| {
                            let ticks = d.ticks.clone();
                            view! {
                                <div class="wal-row" class:down=r.down data-testid=format!("wal-{}", r.name)>
                                    <div class="wal-lsn" data-testid=format!("wal-lsn-{}", r.name)>{r.text.clone()}</div>
                                    <div class="wal-body">
                                    <span class="wal-name">{r.name.clone()}</span>
                                    <div class="wal-bar" class:primary=r.primary role="img" aria-label=r.text.clone()>
                                        <div class="wal-fill" style=format!("width:{:.3}%", r.fill)></div>
                                        {ticks
                                            .into_iter()
                                            .map(|t| {
                                                view! {
                                                    <div class="wal-seg" style=format!("left:{:.3}%", t.pct)>
                                                        {t.file.map(|f| view! { <span class="wal-file">{f}</span> })}
                                                    </div>
                                                }
                                            })
                                            .collect_view()}
                                        {r.markers
                                            .iter()
                                            .map(|m| {
                                                view! {
                                                    <div class=format!("wal-mark {}", m.kind) style=format!("left:{:.3}%", m.pct) title=m.kind></div>
                                                }
                                            })
                                            .collect_view()}
                                    </div>
                                    {r.lag.clone().map(|l| view! {
                                        <div
                                            class="wal-lag"
                                            data-testid=format!("lag-{}", r.name)
                                            title="behind: pg_wal_lsn_diff(primary flush, standby replay). replay_lag: pg_stat_replication on the primary, the time from flushing WAL to hearing the standby replayed it."
                                        >
                                            {l}
                                        </div>
                                    })}
                                    </div>
                                </div>
                            }
                        })
                        .collect_view()
                })
            }}

        </section>
    }
}
