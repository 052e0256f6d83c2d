//! A card's fault buttons: stop, crash, promote, start, and cloning the primary onto a
//! new host, each shown when it applies to the server's state.

use crate::script::shell::basebackup_command;
use crate::script::Line;
use crate::sim::{NodeView, ServerState};
use leptos::prelude::*;

use super::cost::{Cost, CostButtons};
use super::{is, standby, testid};
use crate::ui::handle::{lab_line, run, shell_line, LabHandle};

/// The buttons that change a server's life: `pg_ctl`, `lab$ crash`, `pg_basebackup`.
#[component]
pub fn FaultButtons(
    /// The host's name.
    name: String,
    /// The host's summary, read from the model.
    node: Memo<Option<NodeView>>,
    /// The name of the server other hosts stream from (what a clone copies).
    primary: Memo<String>,
    /// Its disk and timeline, for the buttons of what a failure costs.
    cost: Memo<Cost>,
    /// The workload's rate while it runs.
    running_tps: Memo<Option<u32>>,
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let go = move |line: Line| run(lab, line);

    let n1 = name.clone();
    let stop = move |_| go(shell_line(&n1, "pg_ctl stop"));
    let n2 = name.clone();
    let start = move |_| go(shell_line(&n2, "pg_ctl start"));
    let n3 = name.clone();
    let crash = move |_| go(lab_line(format!("crash {n3}")));
    let n4 = name.clone();
    let promote = move |_| go(shell_line(&n4, "pg_ctl promote"));
    let n5 = name.clone();
    let clone = move |_| {
        let from = primary.get_untracked();
        let cmd = lab.with_untracked(|l| {
            let c = &l.runner().cluster;
            c.host_id(&from).map(|h| basebackup_command(c, h))
        });
        if let Some(cmd) = cmd {
            go(shell_line(&n5, cmd))
        }
    };

    let can_fill = Signal::derive(move || {
        is(node, ServerState::Running) && !standby(node) && running_tps.get().is_none()
    });
    let cost_name = name.clone();
    let stored = StoredValue::new(name);
    let tid = move |what: &str| stored.with_value(|n| testid(what, n));
    let label = move |what: &str, cmd: &str| format!("{what} {} (runs: {cmd})", stored.get_value());
    view! {
        <div class="card-actions">
            <Show when=move || is(node, ServerState::Running)>
                <button data-testid=tid("btn-stop") on:click=stop.clone() aria-label=label("Stop", "pg_ctl stop") title="pg_ctl stop">
                    "Stop"
                </button>
                <button
                    class="danger"
                    data-testid=tid("btn-crash")
                    on:click=crash.clone()
                    aria-label=label("Crash", "lab$ crash")
                    title="lab$ crash: power loss"
                >
                    "Crash"
                </button>
            </Show>
            <Show when=move || is(node, ServerState::Running) && standby(node)>
                <button data-testid=tid("btn-promote") on:click=promote.clone() aria-label=label("Promote", "pg_ctl promote") title="pg_ctl promote">
                    "Promote"
                </button>
            </Show>
            <Show when=move || is(node, ServerState::Stopped) || is(node, ServerState::Crashed)>
                <button data-testid=tid("btn-start") on:click=start.clone() aria-label=label("Start", "pg_ctl start") title="pg_ctl start">
                    "Start"
                </button>
            </Show>
            <Show when=move || is(node, ServerState::Empty)>
                <button
                    data-testid=tid("btn-clone")
                    on:click=clone.clone()
                    aria-label=label("Clone the primary onto", "pg_basebackup -R")
                    title="PGPASSWORD=… pg_basebackup -h PRIMARY -U replicator -D /var/lib/pgsql/data -P -R"
                >
                    "pg_basebackup"
                </button>
            </Show>
            <CostButtons name=cost_name cost=cost can_fill=can_fill />
        </div>
    }
}
