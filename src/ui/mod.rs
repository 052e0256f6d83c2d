//! The browser app: Leptos components that read the model's views and draw them.
//!
//! Nothing here computes replication; every number on screen comes from [`crate::sim`].
//! The lab (a [`crate::script::Runner`] and its recorded lines) lives in context as a
//! [`LabHandle`]; components read it through a revision signal that every change of the
//! model bumps. Fault buttons and the console run script lines through one function,
//! [`handle::run`], so everything on screen can be replayed from the script; an effect
//! in [`persist`] saves the scenario after each of them.

mod app_chart;
mod clock;
mod config;
mod confirm;
mod console;
mod event_log;
mod follow;
mod format;
pub mod handle;
mod header;
mod lag_chart;
mod lesson_pane;
pub mod lessons;
mod node_card;
mod notices;
mod panel;
pub mod panes;
pub mod persist;
mod phone;
mod resize;
mod shortcuts;
mod split_brain;
mod stage;
mod toolbar;
mod wal_bars;
mod wal_retention;

use leptos::ev;
use leptos::prelude::*;

pub use console::{History, Recalled};
pub use handle::{LabHandle, Ui};
pub use lag_chart::{axis_titles, draw_lag, lag_series, ChartStyle, LagSeries, EXPORT_SCALE};
pub use panel::BottomPanel;
pub use stage::{AppStrip, Stage};
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

/// The whole app: opens the link in the URL, else the autosave, else the default lab,
/// and shows it in a [`Workbench`].
#[component]
pub fn App() -> impl IntoView {
    let lessons = lessons::Lessons::load_for_start(&persist::start_lesson());
    let start = persist::startup(&lessons);
    let lab = LabHandle::new(start.lab);
    let ui = Ui::new(&start.view, start.banner, start.lesson);
    view! { <Workbench lab=lab ui=ui lessons=lessons /> }
}

/// Everything on screen for one lab: header, time controls, stage, WAL bars and lag
/// chart, and the console / config / log panel.
#[component]
pub fn Workbench(
    /// The lab shown.
    lab: LabHandle,
    /// Playback and view state.
    ui: Ui,
    /// The lessons (built-in and the teacher's own); loaded here when not given.
    #[prop(optional)]
    lessons: Option<lessons::Lessons>,
) -> impl IntoView {
    let lessons = lessons.unwrap_or_else(lessons::Lessons::load);
    provide_context(lab);
    provide_context(ui);
    provide_context(lessons);
    lab.follow_clock(ui.playing);
    let panes = panes::Panes::load();
    provide_context(panes);
    provide_context(follow::Follow::default());
    let phone = phone::PhoneView::default();
    provide_context(phone);
    panes.use_save();
    clock::use_play_loop(lab, ui);
    persist::use_autosave(lab, ui);
    shortcuts::use_shortcuts(lab, ui);
    lessons::use_goal_checks(lab, ui, lessons);

    // Back/forward to another scenario's URL (after a reset or an import) reopens it.
    let popstate = window_event_listener(ev::popstate, move |_| {
        let hash = window().location().hash().unwrap_or_default();
        let fragment = hash.trim_start_matches('#');
        ui.playing.set(false);
        lessons.stop_show_me();
        if fragment.is_empty() {
            ui.lesson.set(None);
            lab.replace(crate::timeline::Lab::new(0));
        } else {
            let s = persist::open_fragment(&lessons, fragment);
            ui.banner.set(s.banner);
            ui.lesson.set(s.lesson);
            lab.replace(s.lab);
        }
    });
    on_cleanup(move || popstate.remove());

    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        let file = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0));
        if let Some(f) = file {
            persist::import(lab, ui, lessons, f);
        }
    };
    view! {
        <div
            class="app"
            class:presenter=move || panes.presenter.get()
            class:phone-stage=move || phone.stage.get()
            on:dragover=|ev: web_sys::DragEvent| ev.prevent_default()
            on:drop=on_drop
        >
            <header::Header />
            <notices::Banner />
            <notices::SharePanel />
            <div class="workspace">
                <lesson_pane::LessonPane />
                <div class="lab-column" class:panel-max=move || panes.maximized.get()>
                    <Toolbar />
                    <clock::StepNote />
                    <main class="main">
                        <div class="stage-area">
                            <div class="stage-notes">
                                <clock::PausedBadge />
                                <split_brain::SplitBrainBanner />
                            </div>
                            <Stage />
                            <AppStrip />
                        </div>
                        <aside class="side">
                            <wal_bars::WalBars />
                            <wal_retention::WalRetentionView />
                            <lag_chart::LagChart />
                            <app_chart::AppChart />
                        </aside>
                    </main>
                    <panes::PanelSplitter />
                    <BottomPanel />
                </div>
            </div>
            <follow::FollowPanel />
            <shortcuts::ShortcutHelp />
            <panes::PresenterExit />
        </div>
    }
}
