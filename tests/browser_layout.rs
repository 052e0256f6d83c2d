//! Browser tests of what a class sees on a projector: the app with its style sheet in a
//! 1280x720 window (webdriver.json sets the window size), measured like a ruler would.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use walscope::examples::EXAMPLES;
use walscope::timeline::Lab;
use walscope::ui::handle::{LabHandle, Ui};
use walscope::ui::panes::PANES_KEY;
use walscope::ui::Workbench;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn document() -> web_sys::Document {
    window().document().unwrap()
}

/// The app's style sheet on the test page, removed again when dropped (the other browser
/// tests run without it).
struct Styled {
    style: web_sys::Element,
    root: web_sys::HtmlElement,
}

impl Drop for Styled {
    fn drop(&mut self) {
        self.style.remove();
        self.root.remove();
    }
}

/// Mounts a workbench on `lab` with the style sheet, in a root that covers the window
/// as the page's body does in the app.
fn mount_styled(lab: Lab) -> (Styled, web_sys::HtmlElement, impl Drop, LabHandle, Ui) {
    assert_eq!(
        (
            window().inner_width().unwrap().as_f64(),
            window().inner_height().unwrap().as_f64()
        ),
        (Some(1280.0), Some(720.0)),
        "the projector's 1280x720 viewport (webdriver.json: --window-size=1280,863, as headless Chromium keeps 143 px of the window for its hidden toolbars)"
    );
    if let Some(s) = window().local_storage().unwrap() {
        s.remove_item(PANES_KEY).unwrap();
    }
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../assets/style.css")));
    document().head().unwrap().append_child(&style).unwrap();
    let root: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    root.set_attribute(
        "style",
        "position:fixed;inset:0;z-index:1000;background:#fff",
    )
    .unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let slot: Rc<Cell<Option<(LabHandle, Ui)>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lab = LabHandle::new(lab);
        let ui = Ui::new(&Default::default(), None, None);
        s.set(Some((lab, ui)));
        view! { <Workbench lab=lab ui=ui /> }
    });
    let (lab, ui) = slot.take().unwrap();
    let guard = Styled {
        style,
        root: root.clone(),
    };
    (guard, root, handle, lab, ui)
}

fn by_testid(root: &web_sys::HtmlElement, id: &str) -> web_sys::HtmlElement {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
        .unchecked_into()
}

fn all(root: &web_sys::HtmlElement, selector: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

/// Waits for Leptos, the resize observers and two frames of layout.
async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
        let p = js_sys::Promise::new(&mut |done, _| {
            window().request_animation_frame(&done).unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
    }
}

fn key(target: &web_sys::EventTarget, key: &str) {
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

fn px(v: &str) -> f64 {
    v.trim_end_matches("px").parse().unwrap_or(0.0)
}

/// The size in screen pixels that `el`'s text is drawn at: its font size, times the
/// scale of the drawing it sits in (an SVG's viewBox, a CSS transform).
fn drawn_font_px(el: &web_sys::Element) -> f64 {
    let font = px(&window()
        .get_computed_style(el)
        .unwrap()
        .unwrap()
        .get_property_value("font-size")
        .unwrap());
    let scale = if let Some(g) = el.dyn_ref::<web_sys::SvgGraphicsElement>() {
        g.get_screen_ctm().map_or(1.0, |m| m.a() as f64)
    } else {
        let h: &web_sys::HtmlElement = el.unchecked_ref();
        let w = h.offset_width() as f64;
        if w > 0.0 {
            el.get_bounding_client_rect().width() / w
        } else {
            1.0
        }
    };
    font * scale
}

/// The three-standby example, with a slow link so WAL is in flight and labelled.
fn four_hosts() -> Lab {
    let mut lines = walscope::script::parse(EXAMPLES[0].1).unwrap();
    lines.extend(
        walscope::script::parse("lab$ latency primary standby3 1s\nlab$ wait 3500ms\n").unwrap(),
    );
    Lab::replay(0, lines, None)
}

#[wasm_bindgen_test]
async fn stage_text_is_at_least_14px_with_four_hosts_at_1280x720() {
    let (_styled, root, _handle, _lab, _ui) = mount_styled(four_hosts());
    settle().await;
    let mut checked = 0;
    for sel in [
        ".card-pos",
        ".card-state",
        ".card-name",
        ".edge-label",
        ".packet-label",
    ] {
        let found = all(&root, sel);
        assert!(
            !found.is_empty() || sel == ".packet-label",
            "no {sel} on the stage"
        );
        for el in found {
            let size = drawn_font_px(&el);
            // (13.95: the scale is read from whole-pixel widths.)
            assert!(
                size >= 13.95,
                "{sel} '{}' is drawn at {size:.1} px",
                el.text_content().unwrap_or_default()
            );
            checked += 1;
        }
    }
    assert!(checked >= 14, "{checked} texts measured");
    // The cards lie inside the stage and apart from each other.
    let stage = root
        .query_selector(".stage-area")
        .unwrap()
        .unwrap()
        .get_bounding_client_rect();
    let cards: Vec<_> = all(&root, ".card-slot")
        .iter()
        .map(|c| c.get_bounding_client_rect())
        .collect();
    assert_eq!(cards.len(), 4);
    for (i, a) in cards.iter().enumerate() {
        assert!(
            a.left() >= stage.left() - 0.5
                && a.right() <= stage.right() + 0.5
                && a.top() >= stage.top() - 0.5
                && a.bottom() <= stage.bottom() + 0.5,
            "card {i} outside the stage"
        );
        for b in &cards[i + 1..] {
            let apart = a.right() <= b.left()
                || b.right() <= a.left()
                || a.bottom() <= b.top()
                || b.bottom() <= a.top();
            assert!(apart, "cards overlap");
        }
    }
}

/// Whole lines of console output that fit in the console's log.
fn console_lines(root: &web_sys::HtmlElement) -> f64 {
    let log = by_testid(root, "console-log");
    let style = window().get_computed_style(&log).unwrap().unwrap();
    let line = px(&style.get_property_value("line-height").unwrap());
    (log.client_height() as f64 / line).floor()
}

#[wasm_bindgen_test]
async fn the_console_maximizes_and_resizes_and_presenter_mode_toggles_by_key() {
    let (_styled, root, _handle, _lab, _ui) = mount_styled(four_hosts());
    settle().await;
    let body = document().body().unwrap();
    let before = console_lines(&root);
    assert!(before < 12.0, "the console starts small: {before} lines");

    // M maximizes the console over the stage, and restores it.
    key(&body, "m");
    settle().await;
    let max = console_lines(&root);
    assert!(max >= 12.0, "maximized: {max} lines at 1280x720");
    assert_eq!(
        by_testid(&root, "panel-max")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    key(&body, "m");
    settle().await;
    assert_eq!(console_lines(&root), before);

    // The splitter moves with the arrow keys.
    let splitter = by_testid(&root, "panel-splitter");
    let panel = root.query_selector(".panel").unwrap().unwrap();
    let h0 = panel.get_bounding_client_rect().height();
    key(&splitter, "ArrowUp");
    key(&splitter, "ArrowUp");
    settle().await;
    let h1 = panel.get_bounding_client_rect().height();
    assert!((h1 - h0 - 80.0).abs() < 1.0, "two steps up: {h0} -> {h1}");
    assert!(console_lines(&root) > before);

    // P: presenter mode, larger console type and no header; P again leaves it.
    let log = by_testid(&root, "console-log");
    let font = |e: &web_sys::Element| drawn_font_px(e);
    let normal = font(&log);
    key(&body, "p");
    settle().await;
    let app = root.query_selector(".app").unwrap().unwrap();
    assert!(app.class_list().contains("presenter"));
    assert!(font(&log) >= normal + 4.0, "{normal} -> {}", font(&log));
    let header: web_sys::HtmlElement = root
        .query_selector(".app-header")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(header.offset_height(), 0, "the header is hidden");
    key(&body, "?");
    settle().await;
    let help = by_testid(&root, "shortcuts").text_content().unwrap();
    assert!(help.contains("presenter mode"), "{help}");
    key(&body, "Escape");
    key(&body, "p");
    settle().await;
    assert!(!app.class_list().contains("presenter"));
    assert_eq!(font(&log), normal);
}

#[wasm_bindgen_test]
async fn wal_positions_show_every_host_without_scrolling_or_overlap() {
    let (_styled, root, _handle, _lab, _ui) = mount_styled(four_hosts());
    settle().await;
    let side = root
        .query_selector(".side")
        .unwrap()
        .unwrap()
        .get_bounding_client_rect();
    let wal = by_testid(&root, "wal-bars");
    assert!(
        wal.scroll_height() <= wal.client_height() + 1,
        "nothing hidden under a scroll: {} > {}",
        wal.scroll_height(),
        wal.client_height()
    );
    for name in ["primary", "standby1", "standby2", "standby3"] {
        let row = by_testid(&root, &format!("wal-{name}")).get_bounding_client_rect();
        assert!(row.bottom() <= side.bottom(), "{name}'s row is cut off");
    }
    // The lag text is what shows where it is drawn: no segment name on top of it.
    for name in ["standby1", "standby2", "standby3"] {
        let lag = by_testid(&root, &format!("lag-{name}"));
        let r = lag.get_bounding_client_rect();
        let y = r.top() + r.height() / 2.0;
        let mut x = r.left() + 2.0;
        while x < r.right() - 2.0 {
            let hit = document().element_from_point(x as f32, y as f32).unwrap();
            assert!(
                lag.contains(Some(&hit)),
                "at x={x}, {name}'s lag is covered by {}",
                hit.outer_html()
            );
            x += 6.0;
        }
    }
    // The chart below keeps room to be read.
    let chart = by_testid(&root, "lag-chart").get_bounding_client_rect();
    assert!(chart.height() >= 100.0, "chart {} px high", chart.height());
}
