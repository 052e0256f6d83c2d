//! The stage: the cluster's topology drawn as SVG.

use leptos::prelude::*;

/// The topology: one card per server.
#[component]
pub fn Stage() -> impl IntoView {
    view! {
        <svg class="stage" data-testid="stage" viewBox="0 0 800 360" role="img" aria-label="Cluster topology">
            <g class="node primary" transform="translate(300 120)">
                <rect width="200" height="96" rx="10" />
                <text x="16" y="30" class="node-name">"primary"</text>
                <text x="16" y="54" class="node-detail">"10.0.0.1 · primary"</text>
                <text x="16" y="78" class="node-detail">"running · timeline 1"</text>
            </g>
        </svg>
    }
}
