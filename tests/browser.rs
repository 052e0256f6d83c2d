//! Browser tests: mount the app in headless Chromium and drive it like a user.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use walscope::script::Runner;
use walscope::share::{self, Scenario};
use walscope::sim::{NodeView, SimDuration, SimTime};
use walscope::ui::examples::EXAMPLES;
use walscope::ui::handle::{self, LabHandle, Ui};
use walscope::ui::lab::Lab;
use walscope::ui::persist::{self, AUTOSAVE_KEY};
use walscope::ui::{App, Workbench};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

/// Forgets the previous test's scenario: no URL fragment, no autosave.
fn fresh() {
    persist::set_url_fragment(None, false);
    if let Some(s) = window().local_storage().unwrap() {
        s.remove_item(AUTOSAVE_KEY).unwrap();
    }
}

fn new_root() -> web_sys::HtmlElement {
    let document = window().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// Mounts the app (which reads the URL and the autosave) in a fresh element.
fn mount() -> (web_sys::HtmlElement, impl Drop) {
    let root = new_root();
    let handle = leptos::mount::mount_to(root.clone(), App);
    (root, handle)
}

/// Mounts a workbench on `lab` and hands back its handles, so a test can drive time.
fn mount_lab(lab: Lab) -> (web_sys::HtmlElement, impl Drop, LabHandle, Ui) {
    let root = new_root();
    let slot: Rc<Cell<Option<(LabHandle, Ui)>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lab = LabHandle::new(lab);
        let ui = Ui::new(&Default::default(), None);
        s.set(Some((lab, ui)));
        view! { <Workbench lab=lab ui=ui /> }
    });
    let (lab, ui) = slot.take().unwrap();
    (root, handle, lab, ui)
}

fn try_testid(root: &web_sys::HtmlElement, id: &str) -> Option<web_sys::HtmlElement> {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .map(|e| e.unchecked_into())
}

fn by_testid(root: &web_sys::HtmlElement, id: &str) -> web_sys::HtmlElement {
    try_testid(root, id).unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

fn text(root: &web_sys::HtmlElement, id: &str) -> String {
    by_testid(root, id).text_content().unwrap_or_default()
}

async fn settle() {
    leptos::task::tick().await;
    leptos::task::tick().await;
}

fn fire(target: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    target
        .dispatch_event(&web_sys::Event::new_with_event_init_dict(kind, &init).unwrap())
        .unwrap();
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

/// Picks a console target (`sql:NODE`, `sh:NODE` or `lab`), types `input` and presses Enter.
async fn console(root: &web_sys::HtmlElement, target: &str, input: &str) {
    let select: web_sys::HtmlSelectElement = by_testid(root, "console-target").unchecked_into();
    select.set_value(target);
    fire(&select, "change");
    settle().await;
    let ta: web_sys::HtmlTextAreaElement = by_testid(root, "console-input").unchecked_into();
    ta.set_value(input);
    fire(&ta, "input");
    settle().await;
    key(&ta, "Enter");
    settle().await;
}

/// Moves the timeline slider to `ms` milliseconds of virtual time.
async fn slide(root: &web_sys::HtmlElement, ms: u64) {
    let slider: web_sys::HtmlInputElement = by_testid(root, "timeline").unchecked_into();
    slider.set_value(&ms.to_string());
    fire(&slider, "input");
    settle().await;
}

/// The WAL bar readouts of every node, as on screen.
fn lsns(root: &web_sys::HtmlElement, nodes: &[&str]) -> Vec<String> {
    nodes
        .iter()
        .map(|n| text(root, &format!("wal-lsn-{n}")))
        .collect()
}

/// What the WAL bar of `n` must read, from a native run.
fn expected_wal_text(r: &Runner, n: &NodeView) -> String {
    if n.in_recovery {
        format!(
            "received {} · replayed {}",
            n.flush.unwrap(),
            n.replay.unwrap()
        )
    } else {
        let write = r.cluster.host(n.id).data.as_ref().unwrap().wal.write;
        format!(
            "insert {} · write {} · flush {}",
            n.insert.unwrap(),
            write,
            n.flush.unwrap()
        )
    }
}

const ONE_STANDBY: &str = EXAMPLES[1].1;

#[wasm_bindgen_test]
async fn play_button_starts_and_pauses_the_clock() {
    fresh();
    let (root, _handle) = mount();
    assert_eq!(text(&root, "status"), "paused");
    by_testid(&root, "play").click();
    settle().await;
    assert_eq!(text(&root, "status"), "running at 1×");
    by_testid(&root, "play").click();
    settle().await;
    assert_eq!(text(&root, "status"), "paused");
}

#[wasm_bindgen_test]
async fn fault_buttons_change_the_model_and_log_their_command() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", ONE_STANDBY).await;
    assert_eq!(
        text(&root, "state-standby1"),
        "standby · running · in recovery"
    );
    assert!(
        try_testid(&root, "edge-primary-standby1").is_some(),
        "a walsender link is drawn"
    );

    by_testid(&root, "btn-crash-standby1").click();
    settle().await;
    assert_eq!(text(&root, "state-standby1"), "standby · crashed");
    assert!(text(&root, "console-log").contains("lab$ crash standby1\n"));

    by_testid(&root, "btn-start-standby1").click();
    settle().await;
    assert_eq!(
        text(&root, "state-standby1"),
        "standby · running · in recovery"
    );
    assert!(text(&root, "console-log").contains("standby1$ pg_ctl start\n"));

    by_testid(&root, "btn-partition-standby1").click();
    settle().await;
    assert!(text(&root, "console-log").contains("lab$ partition primary standby1\n"));
    let edge = by_testid(&root, "edge-primary-standby1");
    assert_eq!(
        edge.get_attribute("class").as_deref(),
        Some("partitioned"),
        "the link is drawn cut"
    );
    assert_eq!(text(&root, "btn-partition-standby1"), "Heal");
}

#[wasm_bindgen_test]
async fn a_standby_refuses_writes_in_postgresql_words() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", ONE_STANDBY).await;
    console(&root, "sql:standby1", "INSERT INTO test VALUES (2);").await;
    let log = text(&root, "console-log");
    assert!(
        log.contains("standby1=# INSERT INTO test VALUES (2);\n"),
        "{log}"
    );
    assert!(
        log.contains("ERROR:  cannot execute INSERT in a read-only transaction"),
        "{log}"
    );
    // Enter on incomplete SQL starts a new line instead of running it.
    console(&root, "sql:standby1", "SELECT count(*)").await;
    let ta: web_sys::HtmlTextAreaElement = by_testid(&root, "console-input").unchecked_into();
    assert_eq!(ta.value(), "SELECT count(*)");
}

#[wasm_bindgen_test]
async fn scrubbing_back_and_forth_shows_the_same_lsns() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", ONE_STANDBY).await;
    console(&root, "lab", "workload primary 100").await;
    console(&root, "lab", "wait 25s").await;
    let nodes = ["primary", "standby1"];
    let end = lsns(&root, &nodes);
    let end_clock = text(&root, "clock");
    let horizon = by_testid(&root, "timeline")
        .unchecked_into::<web_sys::HtmlInputElement>()
        .max();

    slide(&root, 12_345).await;
    assert_eq!(text(&root, "clock"), "t = 12.345s");
    let middle = lsns(&root, &nodes);
    assert_ne!(middle, end, "the WAL moved on between 12.3 s and the end");

    slide(&root, horizon.parse().unwrap()).await;
    assert_eq!(text(&root, "clock"), end_clock);
    assert_eq!(lsns(&root, &nodes), end);

    slide(&root, 12_345).await;
    assert_eq!(lsns(&root, &nodes), middle);

    // A command run in the past discards the recorded future (the wait is cut short
    // where it stands), and the saved scenario replays natively to what is on screen.
    console(&root, "sql:primary", "SELECT 1;").await;
    let slider: web_sys::HtmlInputElement = by_testid(&root, "timeline").unchecked_into();
    assert_eq!(slider.max(), "12345");
    let saved = window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(AUTOSAVE_KEY)
        .unwrap()
        .unwrap();
    let native = share::decode(&saved).unwrap().replay();
    assert_eq!(native.now(), SimTime(12_345_000));
    for n in native.cluster.nodes() {
        assert_eq!(
            text(&root, &format!("wal-lsn-{}", n.name)),
            expected_wal_text(&native, &n),
            "{}",
            n.name
        );
    }
    let script = native.script();
    assert!(
        !script.contains("lab$ wait 25s") && script.contains("primary=# SELECT 1;"),
        "{script}"
    );
}

#[wasm_bindgen_test]
async fn a_link_opens_the_same_state_as_a_native_replay() {
    fresh();
    let mut runner = Runner::new(0);
    runner.run_text(ONE_STANDBY).unwrap();
    runner
        .run_text(
            "lab$ workload primary 200\nlab$ wait 3s\nprimary=# INSERT INTO test VALUES (7);\n",
        )
        .unwrap();
    runner.cluster.advance(SimDuration::from_millis(1_234));
    let scenario = Scenario::of(&runner);
    let native = scenario.replay();
    persist::set_url_fragment(Some(&share::encode(&scenario)), false);

    let (root, _handle) = mount();
    settle().await;
    assert_eq!(text(&root, "clock"), format!("t = {}", native.now()));
    for n in native.cluster.nodes() {
        assert_eq!(
            text(&root, &format!("wal-lsn-{}", n.name)),
            expected_wal_text(&native, &n),
            "{}",
            n.name
        );
    }
    assert!(try_testid(&root, "banner").is_none());
}

#[wasm_bindgen_test]
async fn a_damaged_link_opens_the_default_lab_and_keeps_the_autosave() {
    fresh();
    let storage = window().local_storage().unwrap().unwrap();
    let mut own = Runner::new(0);
    own.run_text("lab$ node add mine\n").unwrap();
    let saved = share::encode(&Scenario::of(&own));
    storage.set_item(AUTOSAVE_KEY, &saved).unwrap();
    let broken = "v1.this-is-not-a-scenario";
    persist::set_url_fragment(Some(broken), false);

    let (root, _handle) = mount();
    settle().await;
    assert_eq!(
        text(&root, "banner-text"),
        share::decode(broken).unwrap_err().user_message()
    );
    assert!(try_testid(&root, "card-primary").is_some());
    assert!(
        try_testid(&root, "card-mine").is_none(),
        "the default lab, not the autosave"
    );
    assert_eq!(
        storage.get_item(AUTOSAVE_KEY).unwrap().as_deref(),
        Some(saved.as_str())
    );
    by_testid(&root, "banner-dismiss").click();
    settle().await;
    assert!(try_testid(&root, "banner").is_none());
}

#[wasm_bindgen_test]
async fn the_autosave_reopens_the_users_lab() {
    fresh();
    {
        let (root, _handle) = mount();
        console(&root, "lab", "node add mine").await;
        assert!(try_testid(&root, "card-mine").is_some());
    }
    persist::set_url_fragment(None, false);
    let (root, _handle) = mount();
    settle().await;
    assert!(
        try_testid(&root, "card-mine").is_some(),
        "restored from localStorage"
    );
}

#[wasm_bindgen_test]
async fn importing_a_broken_script_changes_nothing() {
    fresh();
    let (root, _handle, lab, ui) = mount_lab(Lab::new(0));
    persist::import_text(
        lab,
        ui,
        "bad.walscope",
        "lab$ node add x\nthis is not a command\n",
    );
    settle().await;
    assert!(text(&root, "banner-text").starts_with("bad.walscope was not imported: line 2:"));
    assert!(try_testid(&root, "card-x").is_none());
    persist::import_text(lab, ui, "good.walscope", "lab$ node add x\n");
    settle().await;
    assert!(try_testid(&root, "card-x").is_some());
}

#[wasm_bindgen_test]
async fn keyboard_shortcuts_drive_time() {
    fresh();
    let (root, _handle) = mount();
    let body = window().document().unwrap().body().unwrap();
    key(&body, " ");
    settle().await;
    assert_eq!(text(&root, "status"), "running at 1×");
    key(&body, " ");
    key(&body, "]");
    settle().await;
    assert_eq!(text(&root, "status"), "paused");
    assert_eq!(
        by_testid(&root, "speed")
            .unchecked_into::<web_sys::HtmlSelectElement>()
            .value(),
        "2"
    );
    let before = text(&root, "clock");
    key(&body, "ArrowRight");
    settle().await;
    assert_ne!(
        text(&root, "clock"),
        before,
        "a step moves to the next event"
    );
    key(&body, "?");
    settle().await;
    assert!(try_testid(&root, "shortcuts").is_some());
    // Typing in the console is not a shortcut.
    let ta = by_testid(&root, "console-input");
    key(&ta, "?");
    settle().await;
    assert!(try_testid(&root, "shortcuts").is_some());
}

fn now_ms() -> f64 {
    window().performance().unwrap().now()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Primary + three standbys under 1,000 TPS at 10x: the script time of one frame
/// (model advance for 16.7 ms of wall time, render, tick), and the time to scrub a
/// 10-minute scenario.
#[wasm_bindgen_test]
async fn benchmark_frames_and_scrubbing() {
    fresh();
    let (root, _handle, lab, ui) = mount_lab(Lab::new(1));
    let lines = walscope::script::parse(EXAMPLES[0].1).unwrap();
    handle::run_all(lab, ui, lines);
    ui.speed.set(10.0);
    settle().await;
    let mut frames = Vec::new();
    for _ in 0..300 {
        let t0 = now_ms();
        handle::frame(lab, ui, 1000.0 / 60.0);
        leptos::task::tick().await;
        frames.push(now_ms() - t0);
    }
    frames.sort_by(f64::total_cmp);
    assert!(text(&root, "wal-lsn-standby3").starts_with("received"));

    // Ten minutes of the same cluster, then scrub to places all over it.
    handle::run(lab, ui, handle::lab_line("wait 10min"));
    settle().await;
    let end = lab.with_untracked(|l| l.now());
    assert!(end >= SimTime(600_000_000));
    let mut scrubs = Vec::new();
    for k in [0.95, 0.1, 0.5, 0.73, 0.31, 0.999, 0.02, 0.66] {
        let t = SimTime((end.0 as f64 * k) as u64);
        let t0 = now_ms();
        handle::scrub(lab, t);
        leptos::task::tick().await;
        scrubs.push(now_ms() - t0);
        assert_eq!(lab.with_untracked(|l| l.now()), t);
    }
    scrubs.sort_by(f64::total_cmp);
    let line = format!(
        "frame: median={:.2}ms p95={:.2}ms scrub={:.2}ms (median of {}, max {:.2}ms; {} snapshots)",
        percentile(&frames, 0.5),
        percentile(&frames, 0.95),
        percentile(&scrubs, 0.5),
        scrubs.len(),
        scrubs[scrubs.len() - 1],
        lab.with_untracked(|l| l.snapshot_count()),
    );
    web_sys::console::log_1(&line.clone().into());
    console_log!("{line}");
}
