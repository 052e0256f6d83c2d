//! The bottom panel: console, configuration files and the event log, as tabs.

use leptos::prelude::*;

use super::config::ConfigPanel;
use super::console::{Console, WideHint, WideOutput};
use super::event_log::EventLog;
use super::panes::Panes;

/// Which tab of the bottom panel is showing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Console,
    Config,
    Log,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Console, Tab::Config, Tab::Log];

    fn label(self) -> &'static str {
        match self {
            Tab::Console => "Console",
            Tab::Config => "Config",
            Tab::Log => "Log",
        }
    }
}

/// Console / Config / Log tabs. The console stays mounted while hidden, so its input
/// and history survive a look at the config.
#[component]
pub fn BottomPanel() -> impl IntoView {
    let (tab, set_tab) = signal(Tab::Console);
    let panes = expect_context::<Panes>();
    provide_context(WideOutput::default());
    view! {
        <section class="panel" aria-label="Console, configuration and log" style=move || panes.panel_style()>
            <div class="tabs" role="tablist">
                {Tab::ALL
                    .into_iter()
                    .map(|t| {
                        view! {
                            <button
                                role="tab"
                                data-testid=format!("tab-{}", t.label().to_lowercase())
                                aria-selected=move || (tab.get() == t).to_string()
                                on:click=move |_| set_tab.set(t)
                            >
                                {t.label()}
                            </button>
                        }
                    })
                    .collect_view()}
                <Show when=move || tab.get() == Tab::Console>
                    <WideHint />
                </Show>
                <button
                    class="panel-max"
                    data-testid="panel-max"
                    aria-pressed=move || panes.maximized.get().to_string()
                    title="Maximize the console over the stage (M)"
                    on:click=move |_| panes.maximized.update(|m| *m = !*m)
                >
                    {move || if panes.maximized.get() { "▾ Restore (M)" } else { "▴ Maximize (M)" }}
                </button>
            </div>
            <div class="tab-body" data-testid="tab-body">
                <div class="tab-page" class:hidden=move || tab.get() != Tab::Console>
                    <Console />
                </div>
                {move || match tab.get() {
                    Tab::Config => view! { <div class="tab-page"><ConfigPanel /></div> }.into_any(),
                    Tab::Log => view! { <div class="tab-page"><EventLog /></div> }.into_any(),
                    Tab::Console => ().into_any(),
                }}
            </div>
        </section>
    }
}
