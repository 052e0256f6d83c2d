//! Where a console command runs: psql on a node, a shell on a host, or the lab.

use crate::script::Target;
use leptos::prelude::*;

/// The `<select>` value of a console target.
fn target_key(t: &Target) -> String {
    match t {
        Target::Sql(n) => format!("sql:{n}"),
        Target::Shell(n) => format!("sh:{n}"),
        Target::Lab => "lab".to_string(),
    }
}

fn target_of(key: &str) -> Target {
    if let Some(n) = key.strip_prefix("sql:") {
        Target::Sql(n.to_string())
    } else if let Some(n) = key.strip_prefix("sh:") {
        Target::Shell(n.to_string())
    } else {
        Target::Lab
    }
}

/// The target picker: psql and a shell on every host, and `lab$`.
#[component]
pub fn TargetSelect(
    /// The target commands run on.
    target: RwSignal<Target>,
    /// The lab's hosts, in the order they were added.
    hosts: Memo<Vec<String>>,
) -> impl IntoView {
    view! {
        <select
            data-testid="console-target"
            aria-label="Where the command runs"
            prop:value=move || target_key(&target.get())
            on:change=move |ev| target.set(target_of(&event_target_value(&ev)))
        >
            {move || {
                let mut opts: Vec<(String, String)> = Vec::new();
                for n in hosts.get() {
                    opts.push((format!("sql:{n}"), format!("{n}=#  (psql)")));
                    opts.push((format!("sh:{n}"), format!("{n}$  (shell)")));
                }
                opts.push(("lab".to_string(), "lab$  (simulation)".to_string()));
                let cur = target_key(&target.get_untracked());
                opts.into_iter()
                    .map(|(v, label)| {
                        let selected = v == cur;
                        view! { <option value=v selected=selected>{label}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
}
