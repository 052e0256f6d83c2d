//! A subscriber's subscriptions on its card (issue 18): for each, Disable or Enable
//! (`ALTER SUBSCRIPTION name DISABLE;` / `ENABLE;`) and, when a subscribed table has a
//! key, "Cause a conflict": the INSERT of the next key on the subscriber, then the same
//! key on the publisher, as a class would type them. The model picks the key
//! ([`crate::sim::Cluster::conflict_inserts`]).

use crate::sim::{HostId, NodeView, ServerState, SubscriptionCard};
use leptos::prelude::*;

use super::{is, sql_line, testid};
use crate::ui::handle::{run_all, LabHandle};

/// One row per subscription of a running server.
#[component]
pub fn SubscriptionButtons(
    /// The host's index in the cluster.
    index: usize,
    /// The host's name.
    name: String,
    /// The host's summary, read from the model.
    node: Memo<Option<NodeView>>,
) -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let subs = Memo::new(move |_| {
        if !is(node, ServerState::Running) {
            return Vec::new();
        }
        lab.with(|l| l.runner().cluster.subscription_cards(HostId(index)))
    });
    let node_name = StoredValue::new(name);
    // One click handler for every button (one copy of Leptos's event code in the
    // bundle): the lines it types, read from the model when clicked.
    let click = move |sub: String, conflict: bool| {
        move |_| {
            let me = node_name.get_value();
            let lines = lab.with_untracked(|l| {
                let c = &l.runner().cluster;
                if !conflict {
                    let on = c
                        .subscription(HostId(index), &sub)
                        .is_some_and(|s| s.enabled);
                    let verb = if on { "DISABLE" } else { "ENABLE" };
                    return Some(vec![sql_line(
                        &me,
                        format!("ALTER SUBSCRIPTION {sub} {verb};"),
                    )]);
                }
                let ins = c.conflict_inserts(HostId(index), &sub)?;
                Some(vec![
                    sql_line(&me, ins.on_subscriber),
                    sql_line(&c.host(ins.publisher).name, ins.on_publisher),
                ])
            });
            if let Some(lines) = lines {
                run_all(lab, lines);
            }
        }
    };
    let row = move |s: SubscriptionCard| {
        let sub = s.name;
        let id = |what: &str| node_name.with_value(|me| testid(what, &format!("{me}-{sub}")));
        let (label, verb) = if s.enabled {
            ("Disable", "DISABLE")
        } else {
            ("Enable", "ENABLE")
        };
        view! {
            <div class="card-sub" data-testid=id("sub")>
                <span class="sub-name">{sub.clone()}</span>
                <button
                    data-testid=id(if s.enabled { "btn-disable" } else { "btn-enable" })
                    on:click=click(sub.clone(), false)
                    title=format!("ALTER SUBSCRIPTION {sub} {verb};")
                >
                    {label}
                </button>
                {s.conflict_table.map(|t| view! {
                    <button
                        class="danger"
                        data-testid=id("btn-conflict")
                        on:click=click(sub.clone(), true)
                        title=format!("INSERT a new key of {t} here, then the same key on the publisher: the apply worker stops on a duplicate key")
                    >
                        "Cause a conflict"
                    </button>
                })}
            </div>
        }
        // Erased: the rows' list then reuses the bundle's code for any view.
        .into_any()
    };
    move || subs.get().into_iter().map(row).collect_view()
}
