//! DOM helpers the browser tests share (included with `#[path = "support/mod.rs"]`):
//! finding elements by `data-testid`, firing events, and waiting for Leptos and layout;
//! mounting a workbench on a lab and running script lines through the UI's own path.
#![allow(dead_code)]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use walscope::timeline::Lab;
use walscope::ui::handle::{self, LabHandle, Ui};
use walscope::ui::persist::{self, AUTOSAVE_KEY};
use walscope::ui::Workbench;
use wasm_bindgen::JsCast;

pub fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

pub fn document() -> web_sys::Document {
    window().document().unwrap()
}

/// A fresh element in the page's body to mount into.
pub fn new_root() -> web_sys::HtmlElement {
    let root: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    root
}

pub fn try_testid(root: &web_sys::HtmlElement, id: &str) -> Option<web_sys::HtmlElement> {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .map(|e| e.unchecked_into())
}

pub fn by_testid(root: &web_sys::HtmlElement, id: &str) -> web_sys::HtmlElement {
    try_testid(root, id).unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

pub fn text(root: &web_sys::HtmlElement, id: &str) -> String {
    by_testid(root, id).text_content().unwrap_or_default()
}

/// Every element under `root` that `selector` matches.
pub fn all(root: &web_sys::HtmlElement, selector: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

/// Lets Leptos run what an interaction set off.
pub async fn settle() {
    leptos::task::tick().await;
    leptos::task::tick().await;
}

/// Waits for Leptos, the resize observers and two frames of layout.
pub async fn settle_layout() {
    for _ in 0..3 {
        leptos::task::tick().await;
        let p = js_sys::Promise::new(&mut |done, _| {
            window().request_animation_frame(&done).unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
    }
}

pub fn fire(target: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    target
        .dispatch_event(&web_sys::Event::new_with_event_init_dict(kind, &init).unwrap())
        .unwrap();
}

pub fn key(target: &web_sys::EventTarget, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    target
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
}

/// A CSS length in pixels (`"14px"`), 0 when it is not one.
pub fn px(v: &str) -> f64 {
    v.trim_end_matches("px").parse().unwrap_or(0.0)
}

/// The size in screen pixels that `el`'s text is drawn at: its font size, times the
/// scale of the drawing it sits in (an SVG's viewBox, a CSS transform).
pub fn drawn_font_px(el: &web_sys::Element) -> f64 {
    let font = px(&window()
        .get_computed_style(el)
        .unwrap()
        .unwrap()
        .get_property_value("font-size")
        .unwrap());
    let scale = if let Some(g) = el.dyn_ref::<web_sys::SvgGraphicsElement>() {
        g.get_screen_ctm().map_or(1.0, |m| m.a() as f64)
    } else {
        // The transform's scale, read from the element or the nearest ancestor at least
        // 100 px wide: offsetWidth is a whole number, so a short badge's own widths
        // would misread a scale of 1 by up to 2% (a 27.6 px 'tl 1' has offsetWidth 28).
        let mut h: web_sys::HtmlElement = el.clone().unchecked_into();
        while h.offset_width() < 100 {
            match h.parent_element() {
                Some(p) if p.dyn_ref::<web_sys::HtmlElement>().is_some() => {
                    h = p.unchecked_into();
                }
                _ => break,
            }
        }
        let w = h.offset_width() as f64;
        if w > 0.0 {
            h.get_bounding_client_rect().width() / w
        } else {
            1.0
        }
    };
    font * scale
}

/// Forgets the previous test's scenario: no URL fragment, no autosave.
pub fn fresh() {
    persist::set_url_fragment(None, false);
    if let Some(s) = window().local_storage().unwrap() {
        s.remove_item(AUTOSAVE_KEY).unwrap();
    }
}

/// Puts the app's stylesheet on the test page (once), for tests that measure layout.
pub fn with_style() {
    let document = window().document().unwrap();
    if document.get_element_by_id("app-style").is_some() {
        return;
    }
    let style = document.create_element("style").unwrap();
    style.set_id("app-style");
    style.set_text_content(Some(include_str!("../../assets/style.css")));
    document.head().unwrap().append_child(&style).unwrap();
}

/// Mounts a workbench on a new lab that has run `script`, and hands back its handles.
pub fn mount_lab(script: &str) -> (web_sys::HtmlElement, impl Drop, LabHandle, Ui) {
    let root = new_root();
    let slot: Rc<Cell<Option<(LabHandle, Ui)>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lab = LabHandle::new(Lab::new(0));
        let ui = Ui::new(&Default::default(), None, None);
        s.set(Some((lab, ui)));
        view! { <Workbench lab=lab ui=ui /> }
    });
    let (lab, ui) = slot.take().unwrap();
    handle::run_all(lab, walscope::script::parse(script).unwrap());
    (root, handle, lab, ui)
}

/// Runs script lines through the UI's own path, as the console does.
pub async fn run(lab: LabHandle, script: &str) {
    handle::run_all(lab, walscope::script::parse(script).unwrap());
    settle().await;
}
