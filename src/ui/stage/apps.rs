//! The applications' buttons under the stage (the applications themselves are drawn on
//! the stage, `app_links.rs`): they type the `lab$` lines a student would (add a writer,
//! add a reader, re-point the DNS name `db` at the primary).

use leptos::prelude::*;

use crate::timeline::{primary_of, Lab};
use crate::ui::handle::{lab_line, run, LabHandle};

/// The DNS name the buttons use.
const NAME: &str = "db";

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

/// The buttons that add an application or re-point the name.
#[component]
pub fn AppStrip() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
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
            {button(|l| l.0.clone(), "+ Writer", "app-add-writer")}
            {button(|l| l.1.clone(), "+ Reader", "app-add-reader")}
            {button(|l| l.2.clone(), "Point db at the primary", "dns-repoint")}
        </div>
    }
}
