//! Browser tests of what a class sees on a projector: the app with its style sheet in a
//! 1280x720 window (webdriver.json sets the window size), measured like a ruler would.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use walscope::examples::EXAMPLES;
use walscope::share::{self, Scenario};
use walscope::sim::SimTime;
use walscope::timeline::Lab;
use walscope::ui::handle::{LabHandle, Ui};
use walscope::ui::panes::PANES_KEY;
use walscope::ui::persist::{self, AUTOSAVE_KEY};
use walscope::ui::{App, Workbench};

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/mod.rs"]
mod support;
use support::settle_layout as settle;
use support::{all, by_testid, document, drawn_font_px, key, px, try_testid, window};

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

/// The app's style sheet in the page and a root that covers the window as the page's
/// body does in the app, at the projector's 1280x720.
fn styled_root() -> (Styled, web_sys::HtmlElement) {
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
    let guard = Styled {
        style,
        root: root.clone(),
    };
    (guard, root)
}

/// Mounts a workbench on `lab` with the style sheet, in a root that covers the window
/// as the page's body does in the app.
fn mount_styled(lab: Lab) -> (Styled, web_sys::HtmlElement, impl Drop, LabHandle, Ui) {
    let (guard, root) = styled_root();
    let slot: Rc<Cell<Option<(LabHandle, Ui)>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lab = LabHandle::new(lab);
        let ui = Ui::new(&Default::default(), None, None);
        s.set(Some((lab, ui)));
        view! { <Workbench lab=lab ui=ui /> }
    });
    let (lab, ui) = slot.take().unwrap();
    (guard, root, handle, lab, ui)
}

/// Mounts the whole app with the style sheet on the link `fragment` (a lesson step).
fn mount_styled_link(fragment: &str) -> (Styled, web_sys::HtmlElement, impl Drop) {
    persist::set_url_fragment(Some(fragment), false);
    if let Some(s) = window().local_storage().unwrap() {
        s.remove_item(AUTOSAVE_KEY).unwrap();
    }
    let (guard, root) = styled_root();
    let handle = leptos::mount::mount_to(root.clone(), App);
    (guard, root, handle)
}

/// A link fragment that opens a lesson step in its canonical state.
fn lesson_link(id: &str, step: u16) -> String {
    share::encode(&Scenario {
        seed: 0,
        lines: Vec::new(),
        time: SimTime::ZERO,
        lesson: Some(share::LessonRef {
            id: id.to_string(),
            step,
        }),
        view: Default::default(),
    })
}

/// Every text on the stage (cards, links, packets, legend) is drawn at 14 px or more,
/// and no card cuts off what it shows (its content fits its box, its badges their
/// card); returns how many texts were measured.
fn stage_text_is_readable(root: &web_sys::HtmlElement) -> usize {
    let mut checked = 0;
    for el in all(
        root,
        ".stage-area .card *, .stage-area .app-chip *, .stage-area svg text",
    ) {
        let own_text = (0..el.child_nodes().length())
            .filter_map(|i| el.child_nodes().item(i))
            .any(|n| n.node_type() == 3 && !n.text_content().unwrap_or_default().trim().is_empty());
        if !own_text || el.get_bounding_client_rect().width() == 0.0 {
            continue;
        }
        let size = drawn_font_px(&el);
        // (13.95: the scale is read from whole-pixel widths.)
        assert!(
            size >= 13.95,
            "'{}' ({}) is drawn at {size:.1} px",
            el.text_content().unwrap_or_default(),
            el.get_attribute("class").unwrap_or_default()
        );
        checked += 1;
    }
    // An application's chip never lies over a card.
    for chip in all(root, ".stage-area .app-chip") {
        let a = chip.get_bounding_client_rect();
        for card in all(root, ".stage-area .card") {
            let b = card.get_bounding_client_rect();
            let apart = a.right() <= b.left()
                || b.right() <= a.left()
                || a.bottom() <= b.top()
                || b.bottom() <= a.top();
            assert!(
                apart,
                "{} lies over {}",
                chip.get_attribute("data-app").unwrap_or_default(),
                card.get_attribute("data-testid").unwrap_or_default()
            );
        }
    }
    for card in all(root, ".stage-area .card") {
        let id = card.get_attribute("data-testid").unwrap_or_default();
        assert!(
            card.scroll_height() <= card.client_height() + 1,
            "{id} cuts off its content: {} of {} px",
            card.scroll_height(),
            card.client_height()
        );
        let c = card.get_bounding_client_rect();
        for chip in all(&card.clone().unchecked_into(), ".badge") {
            let r = chip.get_bounding_client_rect();
            if r.width() == 0.0 {
                continue;
            }
            let t = chip.text_content().unwrap_or_default();
            assert!(
                chip.scroll_width() <= chip.client_width(),
                "{id}: '{t}' is clipped"
            );
            assert!(
                r.right() <= c.right() + 0.5 && r.bottom() <= c.bottom() + 0.5,
                "{id}: '{t}' runs out of its card"
            );
        }
    }
    checked
}

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

#[wasm_bindgen_test]
async fn stage_text_stays_14px_with_three_hosts_and_split_brain_in_a_lesson_step() {
    // Failover, step 13: the old primary started again beside the promoted standby1,
    // standby2 streaming from standby1; the lesson's text beside the stage.
    let (_styled, root, _handle) = mount_styled_link(&lesson_link("failover", 13));
    settle().await;
    assert!(
        try_testid(&root, "step-title").is_some(),
        "a lesson step is open"
    );
    assert!(
        try_testid(&root, "split-brain").is_some(),
        "the banner shows"
    );
    assert!(try_testid(&root, "paused-badge").is_some());
    assert_eq!(all(&root, ".card-slot").len(), 3);
    assert_eq!(
        all(&root, ".stage-area .app-chip").len(),
        1,
        "the lesson's writer is drawn"
    );
    let checked = stage_text_is_readable(&root);
    assert!(checked >= 12, "{checked} texts measured");
    persist::set_url_fragment(None, false);
}

#[wasm_bindgen_test]
async fn four_hosts_in_split_brain_keep_their_text_and_chips_whole() {
    // The three-standby example after a failover: the old primary, started again,
    // still runs its workload and waits for its lost synchronous standby.
    let mut lines = walscope::script::parse(EXAMPLES[0].1).unwrap();
    lines.extend(
        walscope::script::parse(
            "lab$ workload primary 100\nlab$ wait 2s\nlab$ crash primary\nstandby1$ pg_ctl promote\nlab$ wait 1s\nprimary$ pg_ctl start\nlab$ wait 1s\nprimary=# INSERT INTO test VALUES (9);\n",
        )
        .unwrap(),
    );
    let (_styled, root, _handle, _lab, _ui) = mount_styled(Lab::replay(0, lines, None));
    settle().await;
    assert!(try_testid(&root, "split-brain").is_some());
    let chips: Vec<String> = all(&root, ".stage-area .badge")
        .iter()
        .map(|c| c.text_content().unwrap_or_default())
        .collect();
    assert!(chips.iter().any(|c| c == "100 tps"), "{chips:?}");
    assert!(chips.iter().any(|c| c == "split brain · tl 1"), "{chips:?}");
    let checked = stage_text_is_readable(&root);
    assert!(checked >= 14, "{checked} texts measured");
}

#[wasm_bindgen_test]
async fn a_lesson_step_shows_eight_lines_of_console_beside_its_text() {
    // Failover, step 13 prints a table wider than the console.
    let (_styled, root, _handle) = mount_styled_link(&lesson_link("failover", 13));
    settle().await;
    let lines = console_lines(&root);
    assert!(lines >= 8.0, "{lines} lines of console output at 1280x720");
    // The lesson's text is all there, beside it.
    let text = by_testid(&root, "step-text");
    assert!(text.client_height() > 200);
    assert!(text.scroll_height() <= text.client_height());
    persist::set_url_fragment(None, false);
}

/// A subscriber with three subscriptions has a row of buttons for each, and at 1280x720
/// nothing on the stage is cut off or drawn under 14 px. (At this size the three cards
/// are compact, their rows shown on hover; the full card's height for the rows is
/// `CardText::full_h`, seen at 1920x1080.)
#[wasm_bindgen_test]
async fn a_subscriber_with_three_subscriptions_shows_every_row() {
    let mut lines = walscope::script::parse(EXAMPLES[3].1).unwrap();
    lines.extend(
        walscope::script::parse(
            "primary=# CREATE TABLE orders (id int primary key);
primary=# CREATE TABLE items (id int primary key);
primary=# CREATE PUBLICATION orderpub FOR TABLE orders;
primary=# CREATE PUBLICATION itempub FOR TABLE items;
subscriber=# CREATE TABLE orders (id int primary key);
subscriber=# CREATE TABLE items (id int primary key);
subscriber=# CREATE SUBSCRIPTION ordersub CONNECTION 'host=primary dbname=postgres user=postgres password=secret' PUBLICATION orderpub;
subscriber=# CREATE SUBSCRIPTION itemsub CONNECTION 'host=primary dbname=postgres user=postgres password=secret' PUBLICATION itempub;
lab$ wait 2s
",
        )
        .unwrap(),
    );
    let (_styled, root, _handle, _lab, _ui) = mount_styled(Lab::replay(0, lines, None));
    settle().await;
    assert_eq!(all(&root, ".card-sub").len(), 3, "a row per subscription");
    let checked = stage_text_is_readable(&root);
    assert!(checked >= 10, "{checked} texts measured");
}
