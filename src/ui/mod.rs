//! The browser app: Leptos components that read the model's views and draw them.
//!
//! Nothing here computes replication; every number on screen comes from [`crate::sim`].

mod panel;
mod stage;
mod toolbar;

use leptos::prelude::*;

pub use panel::BottomPanel;
pub use stage::Stage;
pub use toolbar::Toolbar;

/// Installs a panic hook that logs to the console and shows a visible message on the
/// page, so a classroom never stares at a silently frozen screen.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash_banner(&info.to_string());
    }));
}

fn show_crash_banner(detail: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(banner), Some(body)) = (document.create_element("div"), document.body()) else {
        return;
    };
    banner.set_class_name("crash");
    let _ = banner.set_attribute("role", "alert");
    let _ = banner.set_attribute("data-testid", "crash");
    banner.set_text_content(Some(&format!(
        "walscope stopped because of an internal error. Reload the page to start again; \
         a shared link reopens your scenario. Details: {detail}"
    )));
    let _ = body.append_child(&banner);
}

/// The whole app: header, lesson list, stage, toolbar and the bottom panel.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <div class="app">
            <header class="app-header">
                <h1 class="brand">"walscope"</h1>
                <p class="tagline">"PostgreSQL WAL streaming replication, live"</p>
            </header>
            <aside class="lessons" aria-label="Lessons">
                <h2>"Lessons"</h2>
                <p class="muted">"Free lab: build a cluster from the console below."</p>
            </aside>
            <main class="stage-area">
                <Toolbar />
                <Stage />
            </main>
            <BottomPanel />
        </div>
    }
}
