//! The lesson pane, left of the stage: the list of lessons (with progress), example
//! labs and the sandbox; or the open lesson's step with its goals, hints, question,
//! "Show me" and the way to the next step.
//!
//! `list.rs` holds the list, `step.rs` the step on screen.

mod list;
mod step;

use leptos::prelude::*;

use super::handle::Ui;
use super::lessons::Lessons;
use list::LessonList;
use step::StepView;

/// The pane: the list, or the lesson on screen.
#[component]
pub fn LessonPane() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let lessons = expect_context::<Lessons>();
    let collapsed = RwSignal::new(false);
    view! {
        <aside class="lesson-pane" class:collapsed=move || collapsed.get() aria-label="Lessons" data-testid="lesson-pane">
            <button
                class="pane-toggle"
                data-testid="lesson-pane-toggle"
                aria-expanded=move || (!collapsed.get()).to_string()
                aria-label=move || if collapsed.get() { "Show the lesson pane" } else { "Hide the lesson pane" }
                on:click=move |_| collapsed.update(|c| *c = !*c)
            >
                {move || if collapsed.get() { "»" } else { "«" }}
            </button>
            <div class="pane-body" class:hidden=move || collapsed.get()>
                {move || {
                    if lessons.list_open.get() || ui.lesson.with(Option::is_none) {
                        view! { <LessonList /> }.into_any()
                    } else {
                        view! { <StepView /> }.into_any()
                    }
                }}
            </div>
            <p class="sr-only" aria-live="polite" data-testid="goal-announce">{move || lessons.announce.get()}</p>
        </aside>
    }
}
