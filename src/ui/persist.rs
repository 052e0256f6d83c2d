//! Where a scenario lives outside the page: the URL fragment (share links), the
//! autosave in localStorage, and `.walscope` files.
//!
//! A link and the autosave hold the same thing, `share::encode` of the scenario on
//! screen: the script and the seed, never the model's state.

use crate::share::{self, LessonRef, LinkError, Scenario, ViewOptions};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::handle::{view_options, LabHandle, Ui};
use super::lessons::{Lessons, StartLesson};
use crate::timeline::Lab;

/// The localStorage key of the user's own autosaved scenario.
pub const AUTOSAVE_KEY: &str = "walscope.autosave";

/// What the app opens with.
pub struct Start {
    pub lab: Lab,
    pub view: ViewOptions,
    /// The lesson step on screen, if any.
    pub lesson: Option<LessonRef>,
    /// Why a link did not open, in words for the banner.
    pub banner: Option<String>,
}

/// What the start opens: the URL fragment's scenario (or why it does not decode), else
/// the autosaved one, else nothing (a first visit).
fn start_scenario() -> Option<Result<Scenario, LinkError>> {
    let hash = window().location().hash().unwrap_or_default();
    let fragment = hash.trim_start_matches('#');
    if !fragment.is_empty() {
        return Some(share::decode(fragment));
    }
    let saved = storage().and_then(|s| s.get_item(AUTOSAVE_KEY).ok().flatten())?;
    share::decode(&saved).ok().map(Ok)
}

/// The lesson the start will open.
pub fn start_lesson() -> StartLesson {
    match start_scenario() {
        None => StartLesson::First,
        Some(Ok(Scenario {
            lesson: Some(l), ..
        })) => StartLesson::Named(l.id),
        Some(_) => StartLesson::Free,
    }
}

/// Opens the link in the URL fragment if there is one, else the autosaved scenario,
/// else (a first visit) the first lesson's first step. A damaged link opens the
/// default lab with a message and leaves the autosave alone.
pub fn startup(lessons: &Lessons) -> Start {
    match start_scenario() {
        Some(Ok(s)) => return open_scenario(lessons, s),
        Some(Err(e)) => return broken_link(e),
        None => {}
    }
    let first = lessons
        .library
        .with_untracked(|l| l.lessons.first().map(|l| l.id.clone()));
    match first {
        Some(id) => open_scenario(
            lessons,
            Scenario {
                seed: 0,
                lines: Vec::new(),
                time: crate::sim::SimTime::ZERO,
                lesson: Some(LessonRef { id, step: 0 }),
                view: ViewOptions::default(),
            },
        ),
        None => Start {
            lab: Lab::new(0),
            view: ViewOptions::default(),
            lesson: None,
            banner: None,
        },
    }
}

/// The lab a scenario describes. A lesson link without lines (made by hand, or the
/// first visit) opens the step's canonical state; a lesson the app does not have opens
/// the scenario without it.
fn open_scenario(lessons: &Lessons, s: Scenario) -> Start {
    let known = s
        .lesson
        .as_ref()
        .and_then(|r| lessons.lesson(&r.id).map(|l| (l, r.step)));
    let lab = match &known {
        Some((lesson, step)) if s.lines.is_empty() => lesson.canonical_lab(usize::from(*step)),
        _ => Lab::from_scenario(&s),
    };
    let banner = (s.lesson.is_some() && known.is_none())
        .then(|| "This link is for a lesson this walscope does not have; here is its lab without the lesson.".to_string())
        .or_else(|| {
            lab.replay_stopped()
                .map(|why| format!("This link runs longer than walscope replays: {why}."))
        });
    Start {
        lab,
        lesson: known.map(|(l, step)| LessonRef {
            id: l.id,
            step: step.min(u16::try_from(l.steps.len().saturating_sub(1)).unwrap_or(u16::MAX)),
        }),
        view: s.view,
        banner,
    }
}

/// Opens a link fragment (the text after `#`).
pub fn open_fragment(lessons: &Lessons, fragment: &str) -> Start {
    match share::decode(fragment) {
        Ok(s) => open_scenario(lessons, s),
        Err(e) => broken_link(e),
    }
}

/// The default lab with why the link did not open. The broken fragment is dropped so
/// a reload does not show the error again.
fn broken_link(e: LinkError) -> Start {
    set_url_fragment(None, false);
    Start {
        lab: Lab::new(0),
        view: ViewOptions::default(),
        lesson: None,
        banner: Some(e.user_message()),
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The scenario on screen with the current view options and lesson step.
pub fn scenario(lab: LabHandle, ui: Ui) -> Scenario {
    let view = view_options(lab, ui);
    let mut s = lab.with_untracked(|l| l.scenario(view));
    s.lesson = ui.lesson.get_untracked();
    s
}

/// Saves the scenario after a command: localStorage, and the URL fragment (replaced,
/// not pushed, so the back button leaves the app rather than stepping through commands).
pub fn autosave(lab: LabHandle, ui: Ui) {
    save(lab, ui, false);
}

/// Autosaves after every command: an effect watching [`LabHandle::commands`], so the
/// code that runs commands never talks to localStorage or the URL itself. Time passing,
/// a step or a scrub is not a command and is saved when the page is left. Effects run
/// after the current task, so the save lands a tick after the command.
pub fn use_autosave(lab: LabHandle, ui: Ui) {
    Effect::watch(
        move || lab.commands(),
        move |_, _, _| autosave(lab, ui),
        false,
    );
    // Leaving or reloading the page saves the moment on screen too: time that passed
    // after the last command (the clock playing, a step, a scrub) is part of what the
    // class saw, and a reload must show it rather than the moment of that command.
    let leave = window_event_listener(leptos::ev::pagehide, move |_| autosave(lab, ui));
    on_cleanup(move || leave.remove());
}

/// Saves the scenario in localStorage and the URL; `push` adds a history entry (a new
/// lesson step, so Back returns to the one before).
pub fn save(lab: LabHandle, ui: Ui, push: bool) {
    let link = share::encode(&scenario(lab, ui));
    if let Some(s) = storage() {
        let _ = s.set_item(AUTOSAVE_KEY, &link);
    }
    set_url_fragment(Some(&link), push);
}

/// Sets (or clears) the URL fragment. `push` adds a history entry, so Back returns to
/// the scenario that was on screen before a reset or an import.
pub fn set_url_fragment(fragment: Option<&str>, push: bool) {
    let w = window();
    let loc = w.location();
    let base = format!(
        "{}{}",
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    );
    let url = match fragment {
        Some(f) => format!("{base}#{f}"),
        None => base,
    };
    if let Ok(h) = w.history() {
        let _ = if push {
            h.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            h.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    }
}

/// The full share URL: this page plus `#` and the encoded scenario.
pub fn share_url(lab: LabHandle, ui: Ui) -> String {
    let loc = window().location();
    format!(
        "{}{}#{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        share::encode(&scenario(lab, ui))
    )
}

/// Puts the share link on the clipboard; the toolbar shows it in a text field either
/// way, saying whether the copy worked.
pub fn share(lab: LabHandle, ui: Ui) {
    let url = share_url(lab, ui);
    set_url_fragment(url.split_once('#').map(|(_, f)| f), false);
    ui.shared.set(Some((url.clone(), false)));
    let clipboard = window().navigator().clipboard();
    let promise = clipboard.write_text(&url);
    wasm_bindgen_futures::spawn_local(async move {
        let copied = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        ui.shared.update(|s| {
            if let Some((u, c)) = s {
                if *u == url {
                    *c = copied;
                }
            }
        });
    });
}

/// Offers `text` as a file download.
pub fn download_text(filename: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    download_url(filename, &url);
    // The download reads the blob after the click returns; free it a little later.
    gloo_timers::callback::Timeout::new(BLOB_LIFETIME_MS, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

/// How long an exported file's blob URL stays valid after its download starts.
const BLOB_LIFETIME_MS: u32 = 10_000;

/// Clicks a temporary `<a download>` for `url`. The link is in the document while it
/// is clicked, as some browsers require.
pub fn download_url(filename: &str, url: &str) {
    let doc = document();
    let (Ok(a), Some(body)) = (doc.create_element("a"), doc.body()) else {
        return;
    };
    let a: web_sys::HtmlAnchorElement = a.unchecked_into();
    a.set_href(url);
    a.set_download(filename);
    a.set_class_name("hidden");
    if body.append_child(&a).is_ok() {
        a.click();
        a.remove();
    }
}

/// Exports the scenario on screen as a `.walscope` script: its lesson and view line as
/// comments, every command with its readable `@TIME`, and a closing `lab$ wait` to the
/// moment on screen ([`Scenario::to_file`]).
pub fn export(lab: LabHandle, ui: Ui) {
    let text = scenario(lab, ui).to_file();
    download_text("scenario.walscope", "text/plain", &text);
}

/// Reads a `.walscope` file and, if every line parses, replaces the lab with it; a
/// `.md` file is a lesson, added to the lesson list. A file that does not read changes
/// nothing and shows why.
pub fn import(lab: LabHandle, ui: Ui, lessons: Lessons, file: web_sys::File) {
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(v) => v.as_string().unwrap_or_default(),
            Err(_) => {
                ui.banner.set(Some(format!("Could not read {name}.")));
                return;
            }
        };
        if name.to_ascii_lowercase().ends_with(".md") {
            import_lesson(lab, ui, lessons, &name, &text);
        } else {
            import_text(lab, ui, &name, &text);
        }
    });
}

/// Adds a teacher's lesson and opens its first step; a lesson with errors shows them
/// in the lesson pane and changes nothing else.
pub fn import_lesson(lab: LabHandle, ui: Ui, lessons: Lessons, name: &str, text: &str) {
    if text.len() > crate::lesson::MAX_LESSON_BYTES {
        lessons.import_errors.set(vec![format!(
            "{name}: the file is {} bytes; a lesson may have at most {}",
            text.len(),
            crate::lesson::MAX_LESSON_BYTES
        )]);
        lessons.show_list();
        return;
    }
    match lessons.import(name, text) {
        Some(id) => lessons.open_canonical(lab, ui, &id, 0),
        None => lessons.show_list(),
    }
}

/// Replaces the lab with a script's scenario, or shows the parse error.
pub fn import_text(lab: LabHandle, ui: Ui, name: &str, text: &str) {
    match crate::script::parse(text) {
        Ok(lines) => {
            ui.playing.set(false);
            lab.replace(Lab::replay(0, lines, None));
            ui.lesson.set(None);
            ui.banner.set(None);
            let link = share::encode(&scenario(lab, ui));
            if let Some(s) = storage() {
                let _ = s.set_item(AUTOSAVE_KEY, &link);
            }
            set_url_fragment(Some(&link), true);
        }
        Err(e) => ui.banner.set(Some(format!(
            "{name} was not imported: {e}. Nothing was changed."
        ))),
    }
}
