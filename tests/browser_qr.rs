//! Browser tests of following the teacher: the QR code a class scans from the projector
//! (decoded here from its pixels, as a phone would), and the lesson step it opens on a
//! phone-sized screen.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use walscope::lesson::{Lesson, Library};
use walscope::share::{self, LessonRef, Scenario};
use walscope::ui::handle::{self, LabHandle, Ui};
use walscope::ui::{App, Workbench};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/mod.rs"]
mod support;
use support::{
    by_testid, document, fire, fresh, key, new_root, settle, settle_layout, text, try_testid,
    window,
};

fn lesson(id: &str) -> Lesson {
    Library::builtin()
        .get(id)
        .cloned()
        .unwrap_or_else(|| panic!("no lesson {id}"))
}

/// The link that opens step `step` (from 0) of lesson `id` in its canonical state, on
/// this page: what `walscope link lesson` prints, after the page's address.
fn step_link(id: &str, step: u16) -> String {
    let loc = window().location();
    format!(
        "{}{}#{}",
        loc.origin().unwrap(),
        loc.pathname().unwrap(),
        share::encode(&Scenario::lesson_step(LessonRef {
            id: id.to_string(),
            step,
        }))
    )
}

/// Mounts a workbench on step `step` of lesson `id`, in its canonical state.
fn mount_step(id: &str, step: u16) -> (web_sys::HtmlElement, impl Drop, LabHandle, Ui) {
    let root = new_root();
    let start = lesson(id).canonical_lab(usize::from(step));
    let r = LessonRef {
        id: id.to_string(),
        step,
    };
    let slot: Rc<Cell<Option<(LabHandle, Ui)>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lab = LabHandle::new(start);
        let ui = Ui::new(&Default::default(), None, Some(r));
        s.set(Some((lab, ui)));
        view! { <Workbench lab=lab ui=ui /> }
    });
    let (lab, ui) = slot.take().unwrap();
    (root, handle, lab, ui)
}

/// Reads the QR code on screen as a phone's camera would: draws the rendered SVG into
/// a canvas at 4 pixels a module and decodes the pixels with `rqrr`.
async fn scan(root: &web_sys::HtmlElement) -> String {
    let svg = by_testid(root, "qr-code");
    let modules: u32 = svg.get_attribute("data-modules").unwrap().parse().unwrap();
    let px = (modules + 8) * 4;
    let xml = web_sys::XmlSerializer::new()
        .unwrap()
        .serialize_to_string(&svg)
        .unwrap()
        .replacen("<svg ", &format!("<svg width=\"{px}\" height=\"{px}\" "), 1);
    let url = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        js_sys::encode_uri_component(&xml)
    );
    let img = web_sys::HtmlImageElement::new().unwrap();
    let loaded = js_sys::Promise::new(&mut |ok, err| {
        img.set_onload(Some(&ok));
        img.set_onerror(Some(&err));
    });
    img.set_src(&url);
    wasm_bindgen_futures::JsFuture::from(loaded)
        .await
        .expect("the QR code's SVG draws as an image");
    let canvas: web_sys::HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    canvas.set_width(px);
    canvas.set_height(px);
    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    ctx.draw_image_with_html_image_element(&img, 0.0, 0.0)
        .unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, f64::from(px), f64::from(px))
        .unwrap()
        .data();
    let w = px as usize;
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, w, |x, y| {
        let i = (y * w + x) * 4;
        // Luminance of the drawn pixel (the square is opaque).
        ((u32::from(data[i]) * 299 + u32::from(data[i + 1]) * 587 + u32::from(data[i + 2]) * 114)
            / 1000) as u8
    });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("the QR code decodes").1
}

fn body() -> web_sys::EventTarget {
    document().body().unwrap().unchecked_into()
}

#[wasm_bindgen_test]
async fn the_qr_code_carries_the_step_link_and_follows_the_teacher() {
    fresh();
    let id = "wal-and-lsn";
    let l = lesson(id);
    let (root, _handle, lab, _ui) = mount_step(id, 0);
    settle().await;
    assert!(try_testid(&root, "qr-panel").is_none(), "closed at first");

    // Q shows the step's canonical link as a QR code, with the step and the link's text.
    key(&body(), "q");
    settle().await;
    assert_eq!(scan(&root).await, step_link(id, 0));
    assert_eq!(
        text(&root, "qr-step"),
        format!("Step 1 of {}: {}", l.steps.len(), l.steps[0].title)
    );
    let shown = text(&root, "qr-link");
    assert!(
        step_link(id, 0).ends_with(&shown) && shown.contains("#v1."),
        "the link's text beside the code: {shown}"
    );

    // The teacher solves the step and goes on with Next: the code follows.
    handle::run_all(lab, l.steps[0].solution.clone());
    settle().await;
    assert_eq!(
        by_testid(&root, "goal-0")
            .get_attribute("data-met")
            .as_deref(),
        Some("true")
    );
    by_testid(&root, "next").click();
    settle().await;
    assert!(text(&root, "step-title").starts_with("Step 2 of"));
    assert_eq!(scan(&root).await, step_link(id, 1));
    assert!(text(&root, "qr-step").starts_with("Step 2 of"));

    // Back, and a jump with the step list.
    by_testid(&root, "back").click();
    settle().await;
    assert_eq!(scan(&root).await, step_link(id, 0));
    let list: web_sys::HtmlSelectElement = by_testid(&root, "step-list").unchecked_into();
    list.set_value("3");
    fire(&list, "change");
    settle().await;
    assert!(text(&root, "step-title").starts_with("Step 4 of"));
    assert_eq!(scan(&root).await, step_link(id, 3));

    // Escape closes it; the button in the lesson pane opens it, Close closes it again.
    key(&body(), "Escape");
    settle().await;
    assert!(try_testid(&root, "qr-panel").is_none());
    by_testid(&root, "qr-toggle-step").click();
    settle().await;
    assert_eq!(scan(&root).await, step_link(id, 3));
    by_testid(&root, "qr-close").click();
    settle().await;
    assert!(try_testid(&root, "qr-panel").is_none());
}

/// The app in a 390x844 frame (a phone's screen) with its style sheet, opened on
/// `fragment` as a scanned link opens it.
fn mount_phone(fragment: &str) -> (web_sys::HtmlIFrameElement, impl Drop) {
    fresh();
    walscope::ui::persist::set_url_fragment(Some(fragment), false);
    let frame: web_sys::HtmlIFrameElement = document()
        .create_element("iframe")
        .unwrap()
        .unchecked_into();
    frame
        .set_attribute(
            "style",
            "position:fixed;left:0;top:0;width:390px;height:844px;border:0;z-index:1000",
        )
        .unwrap();
    document().body().unwrap().append_child(&frame).unwrap();
    let doc = frame.content_document().unwrap();
    let style = doc.create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../assets/style.css")));
    doc.head().unwrap().append_child(&style).unwrap();
    let body: web_sys::HtmlElement = doc.body().unwrap().unchecked_into();
    let handle = leptos::mount::mount_to(body, App);
    (frame, handle)
}

/// An element's box in its frame's viewport.
fn rect(el: &web_sys::Element) -> (f64, f64, f64, f64) {
    let r = el.get_bounding_client_rect();
    (r.left(), r.top(), r.right(), r.bottom())
}

#[wasm_bindgen_test]
async fn a_scanned_step_link_opens_the_step_on_a_phone_with_the_console_in_reach() {
    let id = "basebackup";
    let l = lesson(id);
    let fragment = share::encode(&Scenario::lesson_step(LessonRef {
        id: id.to_string(),
        step: 2,
    }));
    let (frame, _handle) = mount_phone(&fragment);
    settle_layout().await;
    let doc = frame.content_document().unwrap();
    let (w, h) = (390.0, 844.0);
    let html = doc.document_element().unwrap();
    let screen = frame.content_window().unwrap();
    assert_eq!(
        (
            screen.inner_width().unwrap().as_f64(),
            screen.inner_height().unwrap().as_f64()
        ),
        (Some(390.0), Some(844.0)),
        "a phone's viewport"
    );
    let one = |sel: &str| {
        doc.query_selector(sel)
            .unwrap()
            .unwrap_or_else(|| panic!("nothing matches {sel}"))
    };

    // The step, its title and text readable, inside the screen.
    let title = one("[data-testid='step-title']");
    assert_eq!(
        title.text_content().unwrap(),
        format!("Step 3 of {}: {}", l.steps.len(), l.steps[2].title)
    );
    let (left, top, right, bottom) = rect(&title);
    assert!(
        left >= 0.0 && right <= w && top >= 0.0 && bottom <= h,
        "title on screen: {left} {top} {right} {bottom}"
    );
    let prose = one("[data-testid='step-text'] .md p");
    let font = support::px(
        &frame
            .content_window()
            .unwrap()
            .get_computed_style(&prose)
            .unwrap()
            .unwrap()
            .get_property_value("font-size")
            .unwrap(),
    );
    assert!(font >= 16.0, "lesson text at {font} px");
    let (_, top, _, bottom) = rect(&one("[data-testid='step-text']"));
    assert!(
        bottom.min(h) - top.max(0.0) >= 150.0,
        "room to read the lesson: {top}..{bottom}"
    );

    // The console's input is on screen, wide enough to type in.
    let input = one(".console-input textarea");
    let (left, top, right, bottom) = rect(&input);
    assert!(
        left >= 0.0 && right <= w && top >= 0.0 && bottom <= h,
        "console input on screen: {left} {top} {right} {bottom}"
    );
    assert!(
        right - left >= 150.0 && bottom - top >= 20.0,
        "console input {left} {top} {right} {bottom}"
    );

    // Nothing makes the page scroll sideways.
    assert!(
        html.scroll_width() <= 390,
        "the page is {} px wide on a 390 px screen",
        html.scroll_width()
    );
    frame.remove();
}
