//! What a failure costs, on a server's card (issue 15): its timeline, a timeline that
//! diverged from the primary's, the data disk's gauge, and the acknowledged commits a
//! promotion left behind on it. All read from the model; the buttons beside them run
//! the lines a student could type (`lab$ disk`, `lab$ disk-speed`, `lab$ workload`,
//! `pg_rewind`).

use crate::script::{Line, Target};
use crate::sim::disk::human;
use crate::sim::{Cluster, HostId};
use leptos::prelude::*;

use super::testid;
use crate::ui::handle::{lab_line, run, shell_line, LabHandle};

/// The cost badges of one card, read from the model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cost {
    /// `tl N` on a standby.
    pub timeline: Option<String>,
    /// The server's timeline diverged from the primary's.
    pub diverged: Option<String>,
    /// `disk USED/SIZE`, and how full (0 to 100).
    pub disk: Option<(String, u64)>,
    /// Acknowledged commits a promotion did not take to the new primary, written here.
    pub lost: Option<(u64, String)>,
    /// Whether the server is stopped with a diverged timeline (pg_rewind applies).
    pub rewind_from: Option<String>,
    /// A size for "Shrink disk": a little more than what the disk holds.
    pub shrink_to: Option<String>,
    /// On a standby: whether its disk has a speed (`lab$ disk-speed`), for "Slow disk"
    /// and "Fast disk".
    pub slow_disk: Option<bool>,
}

impl Cost {
    /// The badges' texts, for the stage's layout.
    pub fn badge_texts(&self) -> Vec<String> {
        [
            self.timeline.clone(),
            self.diverged.clone(),
            self.disk.as_ref().map(|d| d.0.clone()),
            self.lost.as_ref().map(|l| l.1.clone()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Reads host `h`'s cost badges; `primary` is the server the others stream from.
pub fn cost(c: &Cluster, h: HostId, primary: Option<HostId>) -> Cost {
    let host = c.host(h);
    let Some(d) = host.data.as_ref() else {
        return Cost::default();
    };
    let running = host.is_running();
    let standby = host.server.as_ref().is_some_and(|s| s.standby);
    let tli = d.wal.tli;
    let div = primary.and_then(|p| c.diverged_from(h, p));
    let diverged = div.map(|v| match v.at {
        Some(at) => format!("diverged: tl {} past {at}", v.tli),
        None => format!("diverged: tl {} (primary on {})", v.tli, v.primary_tli),
    });
    let u = c.disk_usage(h);
    let pct = (u.used().saturating_mul(100) / u.size.max(1)).min(100);
    // The newest promotion that left commits of this server behind.
    let lost = c
        .lost_commits()
        .iter()
        .rev()
        .find(|f| f.from.contains(&h))
        .filter(|f| f.commits > 0)
        .map(|f| {
            let n = f.txns;
            let more = if f.complete { "" } else { "at least " };
            let s = if n == 1 { "" } else { "s" };
            (
                n,
                format!("{more}{n} acknowledged commit{s} not on the new primary"),
            )
        });
    let rewind_from = (div.is_some() && !running)
        .then(|| primary.map(|p| c.host(p).name.clone()))
        .flatten();
    // Room for what is there and two more segments, in whole 16 MB.
    let mib = 1024 * 1024;
    let shrink = (u.used() + 40 * mib).div_ceil(16 * mib) * 16;
    let shrink_to = (shrink * mib < u.size).then(|| format!("{shrink}MB"));
    Cost {
        timeline: (standby && running).then(|| format!("tl {tli}")),
        diverged,
        disk: Some((
            match host.disk_speed {
                Some(s) => format!(
                    "disk {}/{} · {}/s",
                    human(u.used()),
                    human(u.size),
                    human(s)
                ),
                None => format!("disk {}/{}", human(u.used()), human(u.size)),
            },
            pct,
        )),
        lost,
        rewind_from,
        shrink_to,
        slow_disk: standby.then_some(host.disk_speed.is_some()),
    }
}

/// The badges: timeline, diverged, disk gauge, lost commits.
#[component]
pub fn CostBadges(
    /// The host's name.
    name: String,
    /// Its cost, read from the model.
    cost: Memo<Cost>,
) -> impl IntoView {
    let stored = StoredValue::new(name);
    let tid = move |what: &str| stored.with_value(|n| testid(what, n));
    view! {
        {move || cost.with(|c| c.timeline.clone()).map(|t| view! {
            <span class="badge tli" data-testid=tid("tli") title="the timeline this standby follows">{t}</span>
        })}
        {move || cost.with(|c| c.diverged.clone()).map(|t| view! {
            <span class="badge diverged" data-testid=tid("diverged") title="its WAL went past the point where the primary's timeline branched off: it cannot stream from it until pg_rewind">{t}</span>
        })}
        {move || cost.with(|c| c.disk.clone()).map(|(t, pct)| {
            let full = pct >= 90;
            view! {
                <span
                    class="badge disk"
                    class:full=full
                    data-testid=tid("disk")
                    style=format!("--used:{pct}%")
                    title=format!("the data directory's disk: {pct}% used (df -h, lab$ disk)")
                >
                    {t}
                </span>
            }
        })}
        {move || cost.with(|c| c.lost.clone()).map(|(n, t)| view! {
            <span class="badge lost" data-testid=tid("lost") data-count=n.to_string() title="acknowledged to clients, never received by the promoted standby (a teaching aid, not a PostgreSQL view; lab$ lost lists them)">{t}</span>
        })}
    }
}

/// The buttons for what a failure costs: fill the disk (the workload at 5,000 TPS),
/// shrink it to a little more than it holds, and rewind a stopped diverged server.
#[component]
pub fn CostButtons(
    /// The host's name.
    name: String,
    /// Its cost, read from the model.
    cost: Memo<Cost>,
    /// Whether the server runs as a primary with no workload.
    can_fill: Signal<bool>,
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let stored = StoredValue::new(name);
    let tid = move |what: &str| stored.with_value(|n| testid(what, n));
    let fill = move |_| {
        run(
            lab,
            lab_line(format!("workload {} 5000", stored.get_value())),
        )
    };
    let shrink = move |_| {
        if let Some(size) = cost.with_untracked(|c| c.shrink_to.clone()) {
            run(lab, lab_line(format!("disk {} {size}", stored.get_value())));
        }
    };
    let speed = move |_| {
        let rate = match cost.with_untracked(|c| c.slow_disk) {
            Some(false) => SLOW_DISK,
            _ => "off",
        };
        run(
            lab,
            lab_line(format!("disk-speed {} {rate}", stored.get_value())),
        );
    };
    let rewind = move |_| {
        if let Some(src) = cost.with_untracked(|c| c.rewind_from.clone()) {
            run(lab, shell_line(&stored.get_value(), rewind_command(&src)));
        }
    };
    view! {
        <Show when=move || can_fill.get()>
            <button data-testid=tid("btn-fill") on:click=fill title="lab$ workload NODE 5000: a burst of writes that fills pg_wal">
                "Fill disk"
            </button>
        </Show>
        <Show when=move || cost.with(|c| c.shrink_to.is_some())>
            <button
                data-testid=tid("btn-shrink")
                on:click=shrink
                title=move || cost.with(|c| format!("lab$ disk {} {}", stored.get_value(), c.shrink_to.clone().unwrap_or_default()))
            >
                "Shrink disk"
            </button>
        </Show>
        <Show when=move || cost.with(|c| c.slow_disk.is_some())>
            <button
                data-testid=tid("btn-disk-speed")
                on:click=speed
                title=move || cost.with(|c| format!("lab$ disk-speed {} {}", stored.get_value(), if c.slow_disk == Some(true) { "off" } else { SLOW_DISK }))
            >
                {move || if cost.with(|c| c.slow_disk == Some(true)) { "Fast disk" } else { "Slow disk" }}
            </button>
        </Show>
        <Show when=move || cost.with(|c| c.rewind_from.is_some())>
            <button
                data-testid=tid("btn-rewind")
                on:click=rewind
                title=move || cost.with(|c| rewind_command(c.rewind_from.as_deref().unwrap_or("")))
            >
                "Rewind"
            </button>
        </Show>
    }
}

/// What "Slow disk" gives a standby's disk: slower than a 1,000 TPS workload's WAL.
const SLOW_DISK: &str = "50kB/s";

/// The pg_rewind line lesson 8 types: the new primary as the source.
pub fn rewind_command(source: &str) -> String {
    format!("pg_rewind -D /var/lib/pgsql/data --source-server='host={source} user=postgres' -P")
}

/// `NODE=# SQL` as a line.
pub fn sql_line(node: &str, sql: impl Into<String>) -> Line {
    Line {
        number: 0,
        at: None,
        target: Target::Sql(node.to_string()),
        text: sql.into(),
    }
}
