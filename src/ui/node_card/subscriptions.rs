//! A subscriber's subscriptions on its card (issue 18): for each, Disable or Enable
//! (`ALTER SUBSCRIPTION name DISABLE;` / `ENABLE;`) and, when a subscribed table has a
//! key, "Cause a conflict": the INSERT of the next key on the subscriber, then the same
//! key on the publisher, as a class would type them. The model picks the key
//! ([`crate::sim::Cluster::conflict_inserts`]).

use crate::sim::{HostId, NodeView, ServerState, SubscriptionCard};
use leptos::prelude::*;

use super::{is, sql_line, testid};
use crate::ui::handle::{run, run_all, LabHandle};

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
    let row = move |s: SubscriptionCard| {
        let me = node_name.get_value();
        let sub = s.name.clone();
        let verb = if s.enabled { "DISABLE" } else { "ENABLE" };
        let alter = format!("ALTER SUBSCRIPTION {sub} {verb};");
        let toggle = {
            let (me, alter) = (me.clone(), alter.clone());
            move |_| run(lab, sql_line(&me, alter.clone()))
        };
        let conflict = {
            let (me, sub) = (me.clone(), sub.clone());
            move |_| {
                let lines = lab.with_untracked(|l| {
                    let c = &l.runner().cluster;
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
        let id = |what: &str| testid(what, &format!("{me}-{sub}"));
        let label = if s.enabled { "Disable" } else { "Enable" };
        view! {
            <div class="card-sub" data-testid=id("sub")>
                <span class="sub-name" title="a subscription (pg_subscription)">{sub.clone()}</span>
                <button data-testid=id(if s.enabled { "btn-disable" } else { "btn-enable" }) on:click=toggle title=alter>
                    {label}
                </button>
                {s.conflict_table.map(|t| view! {
                    <button
                        class="danger"
                        data-testid=id("btn-conflict")
                        on:click=conflict
                        title=format!("INSERT a new key of {t} here, then the same key on the publisher: the apply worker stops on a duplicate key")
                    >
                        "Cause a conflict"
                    </button>
                })}
            </div>
        }
    };
    move || subs.get().into_iter().map(row).collect_view()
}
