//! The lab's applications under the stage (`lab$ app add`): each one with the node it
//! is connected to, coloured writer, reader or both, and its counters, all read from the
//! model; buttons that type the `lab$` lines a student would (add a writer, add a reader,
//! re-point the DNS name `db` at the primary).

use leptos::prelude::*;

use crate::sim::AppKind;
use crate::timeline::{primary_of, Lab};
use crate::ui::handle::{lab_line, run, LabHandle};

/// The DNS name the buttons use.
const NAME: &str = "db";

/// One application as the strip shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct AppRow {
    name: String,
    kind: &'static str,
    /// The node it is connected to, if it is.
    node: Option<String>,
    counters: String,
    last_error: String,
}

fn rows(l: &Lab) -> Vec<AppRow> {
    let c = &l.runner().cluster;
    c.apps()
        .iter()
        .map(|a| {
            let k = &a.counters;
            let counters = if a.kind == AppKind::Reader {
                format!("{} reads · {} stale", k.reads, k.stale_reads)
            } else {
                format!(
                    "{} acknowledged · {} failed · {} reads · {} stale",
                    k.writes_acked, k.writes_failed, k.reads, k.stale_reads
                )
            };
            AppRow {
                name: a.name.clone(),
                kind: a.kind.as_str(),
                node: a.server().map(|h| c.host(h).name.clone()),
                counters,
                last_error: a
                    .last_error
                    .as_ref()
                    .map(|(t, e)| format!("last error at {t}: {e}"))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The `lab$` lines of the three buttons.
type ButtonLines = (Option<String>, Option<String>, Option<String>);

/// The lines the buttons run: (add a writer, add a reader, re-point the name), each
/// `None` when the lab has nothing for it (no primary, no standby).
fn button_lines(l: &Lab) -> ButtonLines {
    let c = &l.runner().cluster;
    let nodes = c.nodes();
    let primary = primary_of(&nodes).map(|n| n.name.clone());
    let standby = nodes
        .iter()
        .find(|n| n.in_recovery && Some(&n.name) != primary.as_ref())
        .map(|n| n.name.clone());
    let n = c.apps().len() + 1;
    let has_name = c.dns_records().any(|(name, _)| name == NAME);
    let target = if has_name {
        Some(NAME.to_string())
    } else {
        primary.clone()
    };
    (
        target.map(|h| format!("app add writer{n} 'host={h}' 5 writer")),
        standby.map(|h| format!("app add reader{n} 'host={h}' 5 reader")),
        primary.map(|p| format!("dns {NAME} {p}")),
    )
}

/// The applications and their buttons.
#[component]
pub fn AppStrip() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let apps = Memo::new(move |_| lab.with(rows));
    let lines = Memo::new(move |_| lab.with(button_lines));
    let button = move |pick: fn(&ButtonLines) -> Option<String>,
                       label: &'static str,
                       tid: &'static str| {
        view! {
            <button
                data-testid=tid
                prop:disabled=move || lines.with(|l| pick(l).is_none())
                title=move || lines.with(|l| pick(l).map(|t| format!("lab$ {t}")).unwrap_or_default())
                on:click=move |_| {
                    if let Some(t) = lines.with_untracked(pick) {
                        run(lab, lab_line(t));
                    }
                }
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="app-strip" data-testid="apps">
            <ul class="apps">
                <For each=move || apps.get() key=|a| a.clone() let:a>
                    <li
                        class=format!("app-row {}", a.kind)
                        data-testid="app"
                        data-app=a.name.clone()
                        data-kind=a.kind
                        data-node=a.node.clone().unwrap_or_default()
                        title=a.last_error.clone()
                    >
                        <span class="app-name">{a.name.clone()}</span>
                        <span class="app-link" data-testid="app-link">
                            {match &a.node {
                                Some(n) => format!(" ⟶ {n} "),
                                None => " ⤫ not connected ".to_string(),
                            }}
                        </span>
                        <span class="app-counters">{a.counters.clone()}</span>
                    </li>
                </For>
            </ul>
            {button(|l| l.0.clone(), "+ Writer", "app-add-writer")}
            {button(|l| l.1.clone(), "+ Reader", "app-add-reader")}
            {button(|l| l.2.clone(), "Point db at the primary", "dns-repoint")}
        </div>
    }
}
