//! Follow the teacher: the lesson step on screen as a large QR code for the room to
//! scan (`Q`, or the QR buttons), with the link's text beside it.
//!
//! The code carries the step's canonical link, the one `walscope link lesson` prints:
//! a student who scans it opens that step as the lesson builds it, whatever the
//! teacher's own lab holds. It follows [`Ui::lesson`], so Next, Back and the step list
//! move it with the class. Outside a lesson it carries the Share link of the lab on
//! screen, when that fits a code a phone reads from across the room.
//!
//! The encoding is `qrcodegen`'s; this module only draws its modules: one SVG path of
//! dark squares on a white square with the standard's quiet zone, in both themes.

use leptos::prelude::*;
use qrcodegen::{QrCode, QrCodeEcc, QrSegment, Version};

use super::handle::{LabHandle, Ui};
use super::lessons::Lessons;
use super::persist;
use crate::share::{self, Scenario};

/// Whether the QR code is showing (in context).
#[derive(Clone, Copy)]
pub struct Follow {
    pub open: RwSignal<bool>,
}

impl Default for Follow {
    fn default() -> Follow {
        Follow {
            open: RwSignal::new(false),
        }
    }
}

impl Follow {
    pub fn toggle(self) {
        self.open.update(|o| *o = !*o);
    }
}

/// The light margin around the code, in modules (the QR standard asks for 4).
pub const QUIET_ZONE: i32 = 4;

/// The largest code shown: version 15 is 77 modules a side, about 7 px each on a
/// projected 600 px square. A lesson step's link needs version 4 to 6.
const MAX_VERSION: u8 = 15;

/// The link as a QR code (error correction M, raised where it fits the same size), or
/// `None` when it needs more than [`MAX_VERSION`].
pub fn encode(link: &str) -> Option<QrCode> {
    QrCode::encode_segments_advanced(
        &QrSegment::make_segments(link),
        QrCodeEcc::Medium,
        Version::MIN,
        Version::new(MAX_VERSION),
        None,
        true,
    )
    .ok()
}

/// The dark modules as one SVG path in module units, offset by the quiet zone: each
/// run of dark modules in a row is one rectangle (`M x y h n v 1 h -n z`).
pub fn dark_path(code: &QrCode) -> String {
    let n = code.size();
    let mut d = String::new();
    for y in 0..n {
        let mut x = 0;
        while x < n {
            if !code.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < n && code.get_module(x, y) {
                x += 1;
            }
            let run = x - start;
            d.push_str(&format!(
                "M{} {}h{run}v1h-{run}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            ));
        }
    }
    d
}

/// What the code carries and says.
#[derive(Clone, PartialEq)]
struct Target {
    link: String,
    /// The lesson and step, or what the link is.
    what: String,
    step: String,
    /// A teacher's own lesson: students' browsers do not have it.
    own_lesson: bool,
}

/// This page's address without the fragment.
fn page_base() -> String {
    let loc = window().location();
    format!(
        "{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default()
    )
}

/// The link without its scheme, as a student would type it.
fn short_text(link: &str) -> &str {
    link.split_once("://").map_or(link, |(_, rest)| rest)
}

/// Whether the page is open on an address only this machine reaches.
fn local_only() -> bool {
    let host = window().location().hostname().unwrap_or_default();
    matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1")
}

/// The QR code panel: over the lab, beside the lesson pane (whose Next and Back stay
/// in reach), while [`Follow::open`].
#[component]
pub fn FollowPanel() -> impl IntoView {
    let lab = expect_context::<LabHandle>();
    let ui = expect_context::<Ui>();
    let lessons = expect_context::<Lessons>();
    let follow = expect_context::<Follow>();
    let target = Memo::new(move |_| {
        if !follow.open.get() {
            return None;
        }
        match lessons.current(ui) {
            Some((lesson, step)) => {
                let r = share::LessonRef {
                    id: lesson.id.clone(),
                    step: u16::try_from(step).unwrap_or(u16::MAX),
                };
                let own = lessons.user_files.with(|f| f.contains(&lesson.file));
                Some(Target {
                    link: format!(
                        "{}#{}",
                        page_base(),
                        share::encode(&Scenario::lesson_step(r))
                    ),
                    what: lesson.title.clone(),
                    step: format!(
                        "Step {} of {}: {}",
                        step + 1,
                        lesson.steps.len(),
                        lesson.steps[step].title
                    ),
                    own_lesson: own,
                })
            }
            None => {
                // The lab changes with every command; time passing alone does not
                // make a new link worth a new code.
                lab.commands();
                Some(Target {
                    link: persist::share_url(lab, ui),
                    what: "This lab".to_string(),
                    step: "as it is on screen".to_string(),
                    own_lesson: false,
                })
            }
        }
    });
    let close = move |_| follow.open.set(false);
    view! {
        {move || target.get().map(|t| {
            let code = encode(&t.link);
            let short = short_text(&t.link).to_string();
            let chars = t.link.chars().count();
            view! {
                <aside class="qr-panel" role="dialog" aria-labelledby="qr-title" data-testid="qr-panel">
                    <div class="qr-square">
                        {match code {
                            Some(c) => {
                                let side = c.size() + 2 * QUIET_ZONE;
                                view! {
                                    <svg
                                        class="qr-code"
                                        data-testid="qr-code"
                                        data-modules=c.size().to_string()
                                        viewBox=format!("0 0 {side} {side}")
                                        shape-rendering="crispEdges"
                                        role="img"
                                        aria-label=format!("QR code of {}", t.link)
                                    >
                                        <rect width=side.to_string() height=side.to_string() fill="#ffffff" />
                                        <path d=dark_path(&c) fill="#000000" />
                                    </svg>
                                }.into_any()
                            }
                            None => view! {
                                <p class="qr-too-long" data-testid="qr-too-long">
                                    {format!("This link is {chars} characters, too long for a QR code a phone reads across a room. Open a lesson step, or send the link with Share.")}
                                </p>
                            }.into_any(),
                        }}
                    </div>
                    <div class="qr-side">
                        <h2 class="qr-title" id="qr-title">"Follow the teacher"</h2>
                        <p class="qr-what" data-testid="qr-what">{t.what.clone()}</p>
                        <p class="qr-step" data-testid="qr-step">{t.step.clone()}</p>
                        <p class="qr-link" data-testid="qr-link" title=t.link.clone()>{short}</p>
                        {local_only().then(|| view! {
                            <p class="qr-note" data-testid="qr-local">
                                "This page is open on this machine's own address: phones cannot reach it. Serve it with HOST=0.0.0.0 and open it by the machine's network address."
                            </p>
                        })}
                        {t.own_lesson.then(|| view! {
                            <p class="qr-note">"This is your own lesson: students open it only after importing its file."</p>
                        })}
                        <button data-testid="qr-close" class="qr-close" on:click=close aria-label="Close the QR code (Q or Escape)">"Close (Q)"</button>
                    </div>
                </aside>
            }
        })}
    }
}

/// The button that shows or hides the QR code (as `Q` does).
#[component]
pub fn QrButton(
    /// The lesson pane's small style.
    #[prop(optional)]
    small: bool,
) -> impl IntoView {
    let follow = expect_context::<Follow>();
    view! {
        <button
            class:small=small
            class="qr-toggle"
            data-testid={if small { "qr-toggle-step" } else { "qr-toggle" }}
            aria-pressed=move || follow.open.get().to_string()
            aria-label="Show or hide this step's link as a QR code for the class (Q)"
            title="QR code of this step's link, for the class to follow (Q)"
            on:click=move |_| follow.toggle()
        >
            "QR"
        </button>
    }
}
