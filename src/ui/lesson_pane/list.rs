//! The lesson list: every lesson with its progress, the teacher's own lessons, the
//! example labs and the sandbox.

use leptos::html::Input;
use leptos::prelude::*;

use crate::examples::EXAMPLES;
use crate::lesson::Lesson;
use crate::ui::handle::{LabHandle, Ui};
use crate::ui::header::load_example;
use crate::ui::lessons::Lessons;
use crate::ui::persist;

/// Every lesson with its progress, the teacher's own lessons, the example labs and the sandbox.
#[component]
pub fn LessonList() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let ui = expect_context::<Ui>();
    let lessons = expect_context::<Lessons>();
    // The list shows every lesson, also when it opens before the rest was read.
    lessons.read_the_rest();
    let file = NodeRef::<Input>::new();
    let item = move |l: Lesson, own: bool| {
        let id = l.id.clone();
        let steps = l.steps.len();
        let done = lessons.progress_of(&l.id).done_count(steps);
        let open_id = id.clone();
        let file_name = l.file.clone();
        view! {
            <li class="lesson-item">
                <button class="lesson-open" data-testid=format!("lesson-{id}") on:click=move |_| {
                    let step = lessons.progress_of(&open_id).done.iter().copied().filter(|s| *s < steps).max().map_or(0, |s| (s + 1).min(steps - 1));
                    lessons.open_canonical(lab, ui, &open_id, step);
                }>
                    <span class="lesson-title">{l.title.clone()}</span>
                    <span class="lesson-summary">{l.summary.clone()}</span>
                    <span class="lesson-progress" data-testid=format!("progress-{id}")>{format!("{done} of {steps} steps done")}</span>
                </button>
                {own.then(|| view! {
                    <button class="small" aria-label=format!("Remove {} from this browser", l.title) on:click=move |_| lessons.remove(ui, &file_name)>"Remove"</button>
                })}
            </li>
        }
    };
    view! {
        <div class="lesson-list" data-testid="lesson-list">
            <h2 class="pane-heading">"Lessons"</h2>
            <ol class="lessons">
                {move || {
                    lessons.progress.track();
                    let own = lessons.user_files.get();
                    lessons.library.with(|lib| lib.lessons.iter().filter(|l| !own.contains(&l.file)).cloned().collect::<Vec<_>>())
                        .into_iter().map(|l| item(l, false)).collect_view()
                }}
            </ol>
            <h2 class="pane-heading">"Your lessons"</h2>
            <ul class="lessons">
                {move || {
                    lessons.progress.track();
                    let own = lessons.user_files.get();
                    lessons.library.with(|lib| lib.lessons.iter().filter(|l| own.contains(&l.file)).cloned().collect::<Vec<_>>())
                        .into_iter().map(|l| item(l, true)).collect_view()
                }}
            </ul>
            {move || {
                let errors = lessons.import_errors.get();
                (!errors.is_empty()).then(|| view! {
                    <div class="lesson-errors" role="alert" data-testid="lesson-errors">
                        <p>"This lesson was not added:"</p>
                        <ul>{errors.into_iter().map(|e| view! { <li><code>{e}</code></li> }).collect_view()}</ul>
                    </div>
                })
            }}
            <p class="muted">
                "Drop a lesson .md file on the page, or "
                <button class="linkish" data-testid="add-lesson" on:click=move |_| { if let Some(f) = file.get_untracked() { f.click(); } }>"pick one"</button>
                ". Its format is in lessons/README.md."
            </p>
            <input node_ref=file type="file" accept=".md,text/markdown" class="hidden" tabindex="-1" aria-hidden="true"
                on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(f) = input.files().and_then(|fs| fs.get(0)) {
                        persist::import(lab, ui, lessons, f);
                    }
                    input.set_value("");
                }
            />
            <h2 class="pane-heading">"Labs"</h2>
            <ul class="lessons">
                {EXAMPLES.iter().enumerate().map(|(i, (title, script))| view! {
                    <li><button class="lesson-open" data-testid=format!("example-{i}") on:click=move |_| {
                        lessons.list_open.set(false);
                        load_example(lab, ui, script);
                    }><span class="lesson-title">{*title}</span></button></li>
                }).collect_view()}
                <li><button class="lesson-open" data-testid="sandbox" on:click=move |_| {
                    lessons.list_open.set(false);
                    ui.lesson.set(None);
                    ui.playing.set(false);
                    lab.replace(crate::timeline::Lab::new(0));
                    persist::set_url_fragment(None, true);
                }>
                    <span class="lesson-title">"Sandbox"</span>
                    <span class="lesson-summary">"One fresh primary; build anything."</span>
                </button></li>
            </ul>
        </div>
    }
}
