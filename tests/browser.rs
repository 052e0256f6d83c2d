//! Browser tests: mount the app in headless Chromium and drive it like a user.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use walscope::examples::EXAMPLES;
use walscope::script::Runner;
use walscope::share::{self, Scenario};
use walscope::sim::{NodeView, SimDuration, SimTime};
use walscope::timeline::Lab;
use walscope::ui::handle::{self, LabHandle, Ui};
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
    mount_lab_with(lab, false)
}

/// Like [`mount_lab`], as for a user who asked for reduced motion (or not).
fn mount_lab_with(
    lab: Lab,
    reduced_motion: bool,
) -> (web_sys::HtmlElement, impl Drop, LabHandle, Ui) {
    let root = new_root();
    let slot: Rc<Cell<Option<(LabHandle, Ui)>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lab = LabHandle::new(lab);
        let ui = Ui {
            reduced_motion,
            ..Ui::new(&Default::default(), None, None)
        };
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

#[wasm_bindgen_test]
fn the_console_history_walks_back_and_forward_like_readline() {
    use walscope::script::Target;
    use walscope::ui::{History, Recalled};
    let entry = |t: &Target, s: &str| Some(Recalled::Entry(t.clone(), s.to_string()));
    let (sql, lab) = (Target::Sql("primary".into()), Target::Lab);
    let mut h = History::new();
    assert_eq!(h.up(), None, "nothing to recall: the input stays");
    assert_eq!(h.down(), None);
    h.push(sql.clone(), "SELECT 1;".into());
    h.push(lab.clone(), "wait 1s".into());
    assert_eq!(
        h.down(),
        Some(Recalled::Blank),
        "Down at a fresh input clears it"
    );
    assert_eq!(h.up(), entry(&lab, "wait 1s"), "Up starts at the newest");
    assert_eq!(h.up(), entry(&sql, "SELECT 1;"));
    assert_eq!(h.up(), entry(&sql, "SELECT 1;"), "the oldest stays");
    assert_eq!(h.down(), entry(&lab, "wait 1s"));
    assert_eq!(
        h.down(),
        Some(Recalled::Blank),
        "past the newest: an empty input"
    );
    assert_eq!(h.up(), entry(&lab, "wait 1s"));
    h.push(sql.clone(), "SELECT 2;".into());
    assert_eq!(
        h.up(),
        entry(&sql, "SELECT 2;"),
        "a new command resets the walk"
    );
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

    // Animation frames move virtual time while playing, and only then.
    by_testid(&root, "play").click();
    sleep(300).await;
    by_testid(&root, "play").click();
    settle().await;
    let stopped = text(&root, "clock");
    assert_ne!(stopped, "t = 0.000s");
    sleep(100).await;
    assert_eq!(text(&root, "clock"), stopped);
}

/// Waits `ms` milliseconds of real time (animation frames run meanwhile).
async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
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
    // Up recalls the last command, with its target.
    let ta: web_sys::HtmlTextAreaElement = by_testid(&root, "console-input").unchecked_into();
    key(&ta, "ArrowUp");
    settle().await;
    assert_eq!(ta.value(), "INSERT INTO test VALUES (2);");
    let target: web_sys::HtmlSelectElement = by_testid(&root, "console-target").unchecked_into();
    assert_eq!(target.value(), "sql:standby1");
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
    // where it stands), then runs after the typing interval of a paused clock, and the
    // saved scenario replays natively to what is on screen.
    console(&root, "sql:primary", "SELECT 1;").await;
    let slider: web_sys::HtmlInputElement = by_testid(&root, "timeline").unchecked_into();
    assert_eq!(slider.max(), "13345");
    let saved = window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(AUTOSAVE_KEY)
        .unwrap()
        .unwrap();
    let native = share::decode(&saved).unwrap().replay();
    assert_eq!(native.now(), SimTime(13_345_000));
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

/// Hostile links (garbage, a link cut short, a fragment past the size limit) open the
/// default lab with a plain-language message, and the lab works.
#[wasm_bindgen_test]
async fn hostile_links_say_so_plainly_and_leave_a_working_lab() {
    let mut good = Runner::new(0);
    good.run_text(ONE_STANDBY).unwrap();
    let link = share::encode(&Scenario::of(&good));
    let truncated = link[..link.len() / 2].to_string();
    let oversized = format!("v1.{}", "A".repeat(share::MAX_FRAGMENT + 10));
    let garbage = "v1.\u{0}%%<script>alert(1)</script>ÿÿ\u{202e}".to_string();
    for fragment in [garbage, truncated, oversized] {
        fresh();
        persist::set_url_fragment(Some(&fragment), false);
        let (root, _handle) = mount();
        settle().await;
        let message = text(&root, "banner-text");
        assert_eq!(
            message,
            "This link is damaged or incomplete; here is the default lab instead. Your own work is untouched.",
            "{}",
            &fragment[..fragment.len().min(60)]
        );
        let document = window().document().unwrap();
        assert!(document
            .query_selector("[data-testid='crash']")
            .unwrap()
            .is_none());
        // The default lab answers a command.
        console(&root, "sql:primary", "SELECT 40 + 2;").await;
        let log = text(&root, "console-log");
        assert!(log.contains("42"), "{log}");
        assert!(try_testid(&root, "card-primary").is_some());
    }
    fresh();
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
    handle::run_all(lab, lines);
    ui.speed.set(10.0);
    settle().await;
    let mut frames = Vec::new();
    let mut model = Vec::new();
    for _ in 0..300 {
        let t0 = now_ms();
        handle::frame(lab, ui, 1000.0 / 60.0);
        model.push(now_ms() - t0);
        leptos::task::tick().await;
        frames.push(now_ms() - t0);
    }
    model.sort_by(f64::total_cmp);
    frames.sort_by(f64::total_cmp);
    assert!(text(&root, "wal-lsn-standby3").starts_with("received"));

    // The same while a partition holds a minute of WAL for one standby.
    let mut cut = Vec::new();
    handle::run(lab, handle::lab_line("partition primary standby3"));
    handle::run(lab, handle::lab_line("wait 60s"));
    settle().await;
    for _ in 0..100 {
        let t0 = now_ms();
        handle::frame(lab, ui, 1000.0 / 60.0);
        leptos::task::tick().await;
        cut.push(now_ms() - t0);
    }
    cut.sort_by(f64::total_cmp);
    assert!(try_testid(&root, "packet-held").is_some());
    // The held WAL is labelled with what the model holds on that link: how many
    // messages, from the first one's start to the last one's end.
    let expected = lab.with_untracked(|l| {
        let c = &l.runner().cluster;
        let (p, s3) = (
            c.host_id("primary").unwrap(),
            c.host_id("standby3").unwrap(),
        );
        let held: Vec<_> = c
            .packets()
            .into_iter()
            .filter(|k| k.from == p && k.to == s3 && k.arrive_at.is_none())
            .collect();
        assert!(!held.is_empty(), "the partition holds WAL");
        let last = held.iter().map(|k| k.end).max().unwrap();
        format!("{} held: {}–{}", held.len(), held[0].start, last)
    });
    assert_eq!(text(&root, "packet-held-label"), expected);
    handle::run(lab, handle::lab_line("heal primary standby3"));

    // Ten minutes of the same cluster, then scrub to places all over it.
    handle::run(lab, handle::lab_line("wait 10min"));
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
    let wasm_mb = wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
        / 1048576.0;
    console_log!("wasm memory after the 10-minute scenario: {wasm_mb:.0} MB");
    let line = format!(
        "frame: median={:.2}ms p95={:.2}ms scrub={:.2}ms (median of {}, max {:.2}ms; {} snapshots)",
        percentile(&frames, 0.5),
        percentile(&frames, 0.95),
        percentile(&scrubs, 0.5),
        scrubs.len(),
        scrubs[scrubs.len() - 1],
        lab.with_untracked(|l| l.snapshot_count()),
    );
    let line = format!(
        "{line}\npartitioned: median={:.2}ms p95={:.2}ms\nmodel advance alone: median={:.2}ms p95={:.2}ms",
        percentile(&cut, 0.5),
        percentile(&cut, 0.95),
        percentile(&model, 0.5),
        percentile(&model, 0.95),
    );
    web_sys::console::log_1(&line.clone().into());
    console_log!("{line}");
}

#[wasm_bindgen_test]
async fn a_commit_waiting_for_a_lost_sync_standby_shows_a_badge() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", ONE_STANDBY).await;
    console(
        &root,
        "sql:primary",
        "ALTER SYSTEM SET synchronous_standby_names = '*';",
    )
    .await;
    console(&root, "sql:primary", "SELECT pg_reload_conf();").await;
    console(&root, "lab", "wait 1s").await;
    let edge = by_testid(&root, "edge-primary-standby1");
    assert_eq!(edge.get_attribute("data-sync").as_deref(), Some("true"));
    assert!(text(&root, "edge-primary-standby1-label").starts_with("sync · streaming"));
    assert!(try_testid(&root, "syncrep-primary").is_none());

    by_testid(&root, "btn-crash-standby1").click();
    settle().await;
    console(&root, "sql:primary", "INSERT INTO test VALUES (3);").await;
    assert_eq!(text(&root, "syncrep-primary"), "waiting for SyncRep (1)");
}

#[wasm_bindgen_test]
async fn saving_a_config_file_runs_echo_commands() {
    fresh();
    let (root, _handle) = mount();
    by_testid(&root, "tab-config").click();
    settle().await;
    by_testid(&root, "file-postgresql.conf").click();
    settle().await;
    let ta: web_sys::HtmlTextAreaElement = by_testid(&root, "config-text").unchecked_into();
    let before = ta.value();
    assert!(before.contains("PostgreSQL configuration file"));
    ta.set_value(&format!("{before}wal_keep_size = '1GB'\n"));
    fire(&ta, "input");
    settle().await;
    by_testid(&root, "config-save").click();
    settle().await;
    assert!(text(&root, "console-log")
        .contains("primary$ echo \"wal_keep_size = '1GB'\" >> postgresql.conf\n"));
    let ta: web_sys::HtmlTextAreaElement = by_testid(&root, "config-text").unchecked_into();
    assert_eq!(
        ta.value(),
        format!("{before}wal_keep_size = '1GB'\n"),
        "the file in the model"
    );

    // A setting that needs a restart shows the badge on the card and in the panel.
    console(
        &root,
        "sql:primary",
        "ALTER SYSTEM SET max_connections = 200;",
    )
    .await;
    console(&root, "sql:primary", "SELECT pg_reload_conf();").await;
    assert_eq!(text(&root, "pending-primary"), "pending restart");
    assert!(try_testid(&root, "config-pending").is_some());
}

#[wasm_bindgen_test]
async fn the_share_link_reopens_what_is_on_screen() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", ONE_STANDBY).await;
    console(&root, "lab", "workload primary 50").await;
    by_testid(&root, "step").click();
    settle().await;
    by_testid(&root, "share").click();
    settle().await;
    let link = by_testid(&root, "share-link")
        .unchecked_into::<web_sys::HtmlInputElement>()
        .value();
    let loc = window().location();
    let prefix = format!("{}{}#", loc.origin().unwrap(), loc.pathname().unwrap());
    assert!(link.starts_with(&prefix), "{link}");
    let native = share::decode(&link[prefix.len()..]).unwrap().replay();
    assert_eq!(text(&root, "clock"), format!("t = {}", native.now()));
    for n in native.cluster.nodes() {
        assert_eq!(
            text(&root, &format!("wal-lsn-{}", n.name)),
            expected_wal_text(&native, &n),
            "{}",
            n.name
        );
    }
}

/// Where the packet in flight is drawn.
fn packet_at(root: &web_sys::HtmlElement) -> (String, String) {
    let p = root
        .query_selector("[data-testid='packet'] rect")
        .unwrap()
        .expect("a packet in flight");
    (p.get_attribute("x").unwrap(), p.get_attribute("y").unwrap())
}

#[wasm_bindgen_test]
async fn packets_glide_with_latency_or_jump_for_reduced_motion() {
    fresh();
    for reduced in [false, true] {
        let (root, _handle, lab, ui) = mount_lab_with(Lab::new(0), reduced);
        let mut lines = walscope::script::parse(ONE_STANDBY).unwrap();
        lines.extend(
            walscope::script::parse(
                "lab$ latency primary standby1 1s\nprimary=# INSERT INTO test VALUES (5);\n",
            )
            .unwrap(),
        );
        handle::run_all(lab, lines);
        settle().await;
        let label = text(&root, "edge-primary-standby1-label");
        assert!(label.contains("1 s · 1Gbit/s"), "{label}");
        let before = packet_at(&root);
        handle::frame(lab, ui, 100.0);
        settle().await;
        let after = packet_at(&root);
        if reduced {
            assert_eq!(before, after, "no gliding: the packet stays until it jumps");
        } else {
            assert_ne!(
                before, after,
                "the packet moved a tenth of its one-second trip"
            );
        }
    }
}

/// A drawing backend that keeps the text drawn, to read a chart without pixels.
struct Recorder {
    texts: Rc<std::cell::RefCell<Vec<String>>>,
    size: (u32, u32),
}

type DrawResult<T> = Result<T, plotters_backend::DrawingErrorKind<std::io::Error>>;

impl plotters_backend::DrawingBackend for Recorder {
    type ErrorType = std::io::Error;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> DrawResult<()> {
        Ok(())
    }

    fn present(&mut self) -> DrawResult<()> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        _: plotters_backend::BackendCoord,
        _: plotters_backend::BackendColor,
    ) -> DrawResult<()> {
        Ok(())
    }

    fn draw_text<S: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        _: &S,
        _: plotters_backend::BackendCoord,
    ) -> DrawResult<()> {
        self.texts.borrow_mut().push(text.to_string());
        Ok(())
    }

    fn estimate_text_size<S: plotters_backend::BackendTextStyle>(
        &self,
        text: &str,
        _: &S,
    ) -> DrawResult<(u32, u32)> {
        Ok((text.len() as u32 * 7, 14))
    }
}

#[wasm_bindgen_test]
fn the_lag_chart_labels_what_a_dba_reads() {
    use plotters::prelude::IntoDrawingArea;
    use walscope::share::ChartUnit;
    use walscope::ui::{draw_lag, lag_series, ChartStyle};

    let mut lines = walscope::script::parse(ONE_STANDBY).unwrap();
    let more = "lab$ latency primary standby1 200ms\nlab$ workload primary 1000\nlab$ wait 20s\n";
    lines.extend(walscope::script::parse(more).unwrap());
    let lab = Lab::replay(0, lines, None);
    let style = ChartStyle {
        background: plotters::style::WHITE,
        text: plotters::style::BLACK,
        grid: plotters::style::RGBColor(120, 120, 120),
        font_px: 14,
    };
    for (unit, suffix) in [(ChartUnit::Bytes, " kB"), (ChartUnit::Seconds, " ms")] {
        let data = lag_series(&lab, unit);
        assert_eq!(data.series[0].name, "standby1");
        assert!(!data.series[0].segments.is_empty(), "samples were taken");
        let texts = Rc::new(std::cell::RefCell::new(Vec::new()));
        let area = Recorder {
            texts: texts.clone(),
            size: (640, 320),
        }
        .into_drawing_area();
        draw_lag(&area, &data, &style).unwrap();
        let drawn = texts.borrow();
        assert!(drawn.iter().any(|t| t == "standby1"), "{drawn:?}");
        let nonzero = |t: &String| t.ends_with(suffix) && *t != format!("0{suffix}");
        assert!(drawn.iter().any(nonzero), "{unit:?}: {drawn:?}");
        assert!(drawn.iter().any(|t| t == "10 s"), "{drawn:?}");
        // Both axes say what they measure, and in which unit.
        let (x_title, y_title) = walscope::ui::axis_titles(&data);
        assert!(drawn.contains(&x_title), "{drawn:?}");
        assert!(drawn.contains(&y_title), "{drawn:?}");
        assert!(
            y_title.ends_with(&format!("({})", suffix.trim())),
            "{y_title}"
        );
    }
}

#[wasm_bindgen_test]
fn the_lag_charts_empty_note_fits_a_narrow_chart() {
    use plotters::prelude::IntoDrawingArea;
    use walscope::share::ChartUnit;
    use walscope::ui::{draw_lag, lag_series, ChartStyle};

    let lab = Lab::replay(0, Vec::new(), None);
    let data = lag_series(&lab, ChartUnit::Bytes);
    assert!(data.series.is_empty());
    let style = ChartStyle {
        background: plotters::style::WHITE,
        text: plotters::style::BLACK,
        grid: plotters::style::RGBColor(120, 120, 120),
        font_px: 14,
    };
    // The recorder's text is 7 px a character: the whole note is 371 px.
    for (width, lines) in [
        (
            640,
            vec!["No standby yet: its lag appears here once it streams."],
        ),
        (
            320,
            vec!["No standby yet:", "its lag appears here once it streams."],
        ),
    ] {
        let texts = Rc::new(std::cell::RefCell::new(Vec::new()));
        let area = Recorder {
            texts: texts.clone(),
            size: (width, 240),
        }
        .into_drawing_area();
        draw_lag(&area, &data, &style).unwrap();
        let drawn = texts.borrow();
        let note: Vec<&str> = drawn
            .iter()
            .map(String::as_str)
            .filter(|t| t.contains("standby yet") || t.contains("lag appears"))
            .collect();
        assert_eq!(note, lines, "{width} px");
        assert!(note.iter().all(|t| t.len() as u32 * 7 <= width), "{note:?}");
    }
}

#[wasm_bindgen_test]
fn the_lag_chart_follows_the_present_and_forgets_an_old_spike() {
    use walscope::share::ChartUnit;
    use walscope::ui::lag_series;

    let mut lines = walscope::script::parse(ONE_STANDBY).unwrap();
    let more = "lab$ workload primary 1000\nlab$ partition primary standby1\nlab$ wait 20s\n\
                lab$ heal primary standby1\nlab$ wait 100s\n";
    lines.extend(walscope::script::parse(more).unwrap());
    let lab = Lab::replay(0, lines, None);
    let peak = lab
        .samples()
        .iter()
        .flat_map(|s| s.standbys.iter().filter_map(|l| l.bytes))
        .max()
        .unwrap();
    assert!(peak > 1 << 20, "the partition left MBs of lag: {peak}");
    let data = lag_series(&lab, ChartUnit::Bytes);
    let now = lab.now().as_secs_f64();
    assert!(
        data.x.1 <= now + 1.0 && data.x.1 - data.x.0 <= 60.0 + 1e-9,
        "the last minute: {:?} at {now}",
        data.x
    );
    assert_ne!(
        data.y_unit, "MB",
        "the spike left the window and the scale with it"
    );
}

/// Polls until `cond` holds, for up to five seconds of real time (a file read or a
/// history navigation finishes on a later turn of the event loop; "Show me" pauses
/// between lines).
async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..250 {
        if cond() {
            return;
        }
        sleep(20).await;
        settle().await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn multi_line_sql_and_expanded_output_read_like_psql() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", ONE_STANDBY).await;
    // Enter on an unfinished statement keeps it; finishing it with `;` runs all lines.
    console(
        &root,
        "sql:primary",
        "SELECT application_name,\n       state",
    )
    .await;
    let ta: web_sys::HtmlTextAreaElement = by_testid(&root, "console-input").unchecked_into();
    assert_eq!(ta.value(), "SELECT application_name,\n       state");
    console(
        &root,
        "sql:primary",
        "SELECT application_name,\n       state\n  FROM pg_stat_replication;",
    )
    .await;
    let log = text(&root, "console-log");
    assert!(
        log.contains("primary=# SELECT application_name,\nprimary-#        state\nprimary-#   FROM pg_stat_replication;\n"),
        "{log}"
    );
    assert!(
        log.contains(" application_name |   state   \n------------------+-----------\n walreceiver      | streaming\n(1 row)\n"),
        "{log}"
    );
    // \x turns on expanded display, as psql says and shows.
    console(&root, "sql:primary", "\\x").await;
    assert!(text(&root, "console-log").contains("Expanded display is on.\n"));
    console(
        &root,
        "sql:primary",
        "SELECT application_name, state FROM pg_stat_replication;",
    )
    .await;
    let log = text(&root, "console-log");
    assert!(
        log.contains("-[ RECORD 1 ]----+------------\napplication_name | walreceiver\nstate            | streaming\n"),
        "{log}"
    );
}

/// Runs `f` while downloads are caught instead of saved: each `<a download>` click
/// is recorded as (file name, URL).
async fn catch_downloads(f: impl FnOnce()) -> Vec<(String, String)> {
    use std::cell::RefCell;
    use wasm_bindgen::closure::Closure;
    let caught = Rc::new(RefCell::new(Vec::new()));
    let c = caught.clone();
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        if let Some(a) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            if a.has_attribute("download") {
                ev.prevent_default();
                c.borrow_mut().push((a.download(), a.href()));
            }
        }
    });
    let doc = window().document().unwrap();
    doc.add_event_listener_with_callback_and_bool("click", listener.as_ref().unchecked_ref(), true)
        .unwrap();
    f();
    settle().await;
    doc.remove_event_listener_with_callback_and_bool(
        "click",
        listener.as_ref().unchecked_ref(),
        true,
    )
    .unwrap();
    caught.take()
}

/// The text behind a URL (a blob: URL of an exported file).
async fn fetch_text(url: &str) -> String {
    let resp: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window().fetch_with_str(url))
            .await
            .unwrap()
            .unchecked_into();
    wasm_bindgen_futures::JsFuture::from(resp.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
async fn export_downloads_the_script_and_the_chart_as_png() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", ONE_STANDBY).await;
    console(&root, "lab", "workload primary 200").await;
    console(&root, "lab", "wait 5s").await;
    sleep(50).await;

    let got = catch_downloads(|| by_testid(&root, "export").click()).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "scenario.walscope");
    let file = fetch_text(&got[0].1).await;
    // The file is the plain script and the native runner rebuilds the same cluster.
    assert!(file.contains("lab$ workload primary 200\n"), "{file}");
    let mut native = Runner::new(0);
    native.run_text(&file).unwrap();
    for n in native.cluster.nodes() {
        assert_eq!(
            text(&root, &format!("wal-lsn-{}", n.name)),
            expected_wal_text(&native, &n),
            "{}",
            n.name
        );
    }

    let got = catch_downloads(|| by_testid(&root, "chart-png").click()).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "walscope-lag.png");
    let png = got[0]
        .1
        .strip_prefix("data:image/png;base64,")
        .expect("a PNG data URL");
    let canvas: web_sys::HtmlCanvasElement = root
        .query_selector("canvas")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(canvas.width() > 0 && canvas.height() > 0);
    // Twice the size on screen, for slides (the PNG header's width and height).
    let bytes: Vec<u32> = window()
        .atob(png)
        .unwrap()
        .chars()
        .map(|c| c as u32)
        .collect();
    let be = |i: usize| bytes[i..i + 4].iter().fold(0, |n, b| n << 8 | b);
    assert_eq!(
        (be(16), be(20)),
        (
            2 * canvas.client_width() as u32,
            2 * canvas.client_height() as u32
        )
    );
    // On an opaque background: every corner pixel is fully opaque.
    let img = web_sys::HtmlImageElement::new().unwrap();
    let loaded = js_sys::Promise::new(&mut |done, _| img.set_onload(Some(&done)));
    img.set_src(&got[0].1);
    wasm_bindgen_futures::JsFuture::from(loaded).await.unwrap();
    let (w, h) = (img.natural_width(), img.natural_height());
    let probe: web_sys::HtmlCanvasElement = window()
        .document()
        .unwrap()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    probe.set_width(w);
    probe.set_height(h);
    let ctx: web_sys::CanvasRenderingContext2d =
        probe.get_context("2d").unwrap().unwrap().unchecked_into();
    ctx.draw_image_with_html_image_element(&img, 0.0, 0.0)
        .unwrap();
    for (x, y) in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)] {
        let px = ctx
            .get_image_data(x as f64, y as f64, 1.0, 1.0)
            .unwrap()
            .data();
        assert_eq!(px[3], 255, "pixel ({x}, {y}) is opaque");
    }
    // A drawn chart compresses worse than an empty canvas of the same size.
    let blank: web_sys::HtmlCanvasElement = window()
        .document()
        .unwrap()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    blank.set_width(canvas.width());
    blank.set_height(canvas.height());
    let blank = blank.to_data_url().unwrap();
    assert!(
        png.len() > 2 * blank.len(),
        "the PNG holds the drawn chart ({} vs blank {})",
        png.len(),
        blank.len()
    );
}

/// A `.walscope` file as a user's file picker or drag and drop hands it over.
fn walscope_file(name: &str, text: &str) -> web_sys::DataTransfer {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let file = web_sys::File::new_with_str_sequence(&parts, name).unwrap();
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.items().add_with_file(&file).unwrap();
    dt
}

/// Drops a file named `name` holding `text` on the stage, as a user dragging it there.
fn drop_file(root: &web_sys::HtmlElement, name: &str, text: &str) -> web_sys::DragEvent {
    let dt = walscope_file(name, text);
    let init = web_sys::DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&dt));
    let ev = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    by_testid(root, "stage").dispatch_event(&ev).unwrap();
    ev
}

#[wasm_bindgen_test]
async fn dropping_or_picking_a_walscope_file_imports_it() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", "node add mine").await;

    // Drag and drop anywhere on the page.
    let drop = drop_file(&root, "class.walscope", ONE_STANDBY);
    assert!(
        drop.default_prevented(),
        "the browser does not open the file itself"
    );
    until("the dropped file to load", || {
        try_testid(&root, "card-standby1").is_some()
    })
    .await;
    assert!(
        try_testid(&root, "card-mine").is_none(),
        "the lab was replaced"
    );
    let native = share::decode(window().location().hash().unwrap().trim_start_matches('#'))
        .unwrap()
        .replay();
    assert_eq!(native.cluster.nodes().len(), 2);

    // The file picker behind the Import button.
    let dt = walscope_file("other.walscope", "lab$ node add picked\n");
    let input: web_sys::HtmlInputElement = root
        .query_selector("input[type='file']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_files(dt.files().as_ref());
    fire(&input, "change");
    until("the picked file to load", || {
        try_testid(&root, "card-picked").is_some()
    })
    .await;
    assert!(try_testid(&root, "card-standby1").is_none());

    // A broken file changes nothing and says which line is wrong.
    let dt = walscope_file("broken.walscope", "lab$ node add x\nnot a command\n");
    input.set_files(dt.files().as_ref());
    fire(&input, "change");
    until("the banner", || try_testid(&root, "banner").is_some()).await;
    assert!(text(&root, "banner-text").starts_with("broken.walscope was not imported: line 2:"));
    assert!(try_testid(&root, "card-picked").is_some());
}

#[wasm_bindgen_test]
async fn back_and_forward_return_to_each_scenario() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", "node add mine").await;
    // Loading an example is a new page of history.
    let select: web_sys::HtmlSelectElement = by_testid(&root, "example").unchecked_into();
    select.set_value("1");
    fire(&select, "change");
    settle().await;
    assert!(try_testid(&root, "card-standby1").is_some());
    assert!(try_testid(&root, "card-mine").is_none());

    let history = window().history().unwrap();
    history.back().unwrap();
    until("Back to reopen the first scenario", || {
        try_testid(&root, "card-mine").is_some()
    })
    .await;
    assert!(try_testid(&root, "card-standby1").is_none());
    assert!(try_testid(&root, "banner").is_none());

    history.forward().unwrap();
    until("Forward to reopen the example", || {
        try_testid(&root, "card-standby1").is_some()
    })
    .await;
    assert!(try_testid(&root, "card-mine").is_none());
}

/// Replaces `navigator.clipboard.writeText` for one test: it records the text and
/// succeeds, or refuses as a browser without clipboard permission does.
fn stub_clipboard(allow: bool) {
    let clipboard = window().navigator().clipboard();
    let body = if allow {
        "window.__copied = t; return Promise.resolve();"
    } else {
        "return Promise.reject(new DOMException('denied', 'NotAllowedError'));"
    };
    let f = js_sys::Function::new_with_args("t", body);
    js_sys::Reflect::set(&clipboard, &"writeText".into(), &f).unwrap();
}

#[wasm_bindgen_test]
async fn share_copies_the_link_or_shows_it_to_copy_by_hand() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", "node add mine").await;

    stub_clipboard(true);
    by_testid(&root, "share").click();
    until("the copy to finish", || {
        try_testid(&root, "share-panel").is_some_and(|p| {
            p.text_content()
                .unwrap_or_default()
                .starts_with("Link copied")
        })
    })
    .await;
    let link = by_testid(&root, "share-link")
        .unchecked_into::<web_sys::HtmlInputElement>()
        .value();
    let copied = js_sys::Reflect::get(&window(), &"__copied".into()).unwrap();
    assert_eq!(copied.as_string().as_deref(), Some(link.as_str()));

    stub_clipboard(false);
    by_testid(&root, "share").click();
    settle().await;
    sleep(20).await;
    settle().await;
    assert!(
        text(&root, "share-panel").starts_with("Copy this link"),
        "{}",
        text(&root, "share-panel")
    );
    assert_eq!(
        by_testid(&root, "share-link")
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value(),
        link,
        "the same link, selectable"
    );
    js_sys::Reflect::delete_property(&window().navigator().clipboard(), &"writeText".into())
        .unwrap();
}

#[wasm_bindgen_test]
async fn every_control_has_a_name_and_can_take_focus() {
    fresh();
    let (root, _handle) = mount();
    console(&root, "lab", ONE_STANDBY).await;
    let controls = root
        .query_selector_all("button, input, select, textarea, [role='slider']")
        .unwrap();
    assert!(controls.length() > 20, "{} controls", controls.length());
    for i in 0..controls.length() {
        let el: web_sys::HtmlElement = controls.item(i).unwrap().unchecked_into();
        let html = el.outer_html();
        if el.get_attribute("type").as_deref() == Some("file") {
            continue; // reached through the Import button
        }
        let labelled = el
            .get_attribute("aria-label")
            .is_some_and(|l| !l.trim().is_empty())
            || el.get_attribute("aria-labelledby").is_some()
            || (el.tag_name() == "BUTTON"
                && !el.text_content().unwrap_or_default().trim().is_empty())
            || root
                .query_selector(&format!("label[for='{}']", el.id()))
                .ok()
                .flatten()
                .is_some_and(|_| !el.id().is_empty());
        assert!(labelled, "no accessible name: {html}");
        assert_ne!(el.tab_index(), -1, "not reachable by keyboard: {html}");
    }
}

/// Picks `value` in a `<select>` as a user does.
async fn choose(root: &web_sys::HtmlElement, id: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = by_testid(root, id).unchecked_into();
    select.set_value(value);
    fire(&select, "change");
    settle().await;
}

#[wasm_bindgen_test]
async fn link_workload_and_host_controls_run_their_commands() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(Lab::new(0));
    console(&root, "lab", ONE_STANDBY).await;

    choose(&root, "latency-standby1", "50ms").await;
    choose(&root, "bandwidth-standby1", "1MB/s").await;
    let log = text(&root, "console-log");
    assert!(
        log.contains("lab$ latency primary standby1 50ms\n"),
        "{log}"
    );
    assert!(
        log.contains("lab$ bandwidth primary standby1 1MB/s\n"),
        "{log}"
    );
    let link = lab.with_untracked(|l| {
        let c = &l.runner().cluster;
        c.link(
            c.host_id("primary").unwrap(),
            c.host_id("standby1").unwrap(),
        )
    });
    assert_eq!(link.latency, SimDuration::from_millis(50));
    assert_eq!(link.bandwidth, 1024 * 1024);

    choose(&root, "rate-primary", "100").await;
    by_testid(&root, "btn-workload-primary").click();
    settle().await;
    assert!(text(&root, "console-log").contains("lab$ workload primary 100\n"));
    let tps = lab.with_untracked(|l| {
        let c = &l.runner().cluster;
        c.node(c.host_id("primary").unwrap()).workload_tps
    });
    assert_eq!(tps, Some(100));
    assert_eq!(text(&root, "btn-workload-primary"), "Stop workload");
    // While it runs, the select changes the running workload and shows the model's rate,
    // also one typed in the console that the select does not offer.
    choose(&root, "rate-primary", "1000").await;
    assert!(text(&root, "console-log").contains("lab$ workload primary 1000\n"));
    console(&root, "lab", "workload primary 300").await;
    let rate: web_sys::HtmlSelectElement = by_testid(&root, "rate-primary").unchecked_into();
    assert_eq!(rate.value(), "300");
    let tps = lab.with_untracked(|l| {
        let c = &l.runner().cluster;
        c.node(c.host_id("primary").unwrap()).workload_tps
    });
    assert_eq!(tps, Some(300));

    let name: web_sys::HtmlInputElement = by_testid(&root, "new-host").unchecked_into();
    name.set_value("standby2");
    fire(&name, "input");
    settle().await;
    by_testid(&root, "add-host").click();
    settle().await;
    assert!(text(&root, "console-log").contains("lab$ node add standby2\n"));
    assert!(try_testid(&root, "card-standby2").is_some());

    // The Log tab tells what happened, when, and why it matters, from the model.
    by_testid(&root, "tab-log").click();
    settle().await;
    let events = lab.with_untracked(|l| l.runner().cluster.events().to_vec());
    let shown = text(&root, "event-log");
    for e in &events {
        assert!(shown.contains(&e.text), "{} missing", e.text);
        assert!(shown.contains(e.why), "{} missing", e.why);
    }
    assert!(shown.contains("standby1 streaming from primary"), "{shown}");
}

#[wasm_bindgen_test]
async fn a_standby_following_its_neighbour_is_linked_by_an_arc_over_the_cards() {
    fresh();
    let lines = walscope::script::parse(include_str!("scenarios/failover.walscope")).unwrap();
    let (root, _handle, _lab, _ui) = mount_lab(Lab::replay(0, lines, None));
    settle().await;
    // standby1 was promoted; standby2, beside it, streams from it.
    assert_eq!(
        text(&root, "edge-standby1-standby2-label"),
        "async · streaming"
    );
    let path = root
        .query_selector("[data-testid='edge-standby1-standby2'] path")
        .unwrap()
        .expect("the link is drawn");
    let d = path.get_attribute("d").unwrap();
    let ys: Vec<f64> = d
        .split(['M', 'L'])
        .filter_map(|p| p.split_whitespace().nth(1)?.parse().ok())
        .collect();
    let (first, highest) = (ys[0], ys.iter().cloned().fold(f64::MAX, f64::min));
    // Through the band between the rows, which needs no room under the cards.
    assert!(highest < first - 20.0, "the arc rises over the cards: {d}");
    // Its label sits above the arc, below the primary's card.
    let label = by_testid(&root, "edge-standby1-standby2-label");
    let y: f64 = label.get_attribute("y").unwrap().parse().unwrap();
    assert!(y < highest, "label at {y}, arc's top at {highest}");
    // The primary's card, placed by its style (this page has no style sheet).
    let style = root
        .query_selector(".card-slot")
        .unwrap()
        .unwrap()
        .get_attribute("style")
        .unwrap();
    let prop = |name: &str| -> f64 {
        style
            .split(';')
            .find_map(|p| p.strip_prefix(name))
            .and_then(|v| v.trim_end_matches("px").parse().ok())
            .unwrap()
    };
    let primary_bottom = prop("top:") + prop("height:");
    assert!(
        y - 15.0 > primary_bottom,
        "label at {y}, primary's card ends at {primary_bottom}"
    );
}

// ---- lessons ------------------------------------------------------------------------

/// Forgets lesson progress and a teacher's own lessons as well as the scenario.
fn fresh_lessons() {
    fresh();
    let s = window().local_storage().unwrap().unwrap();
    let keys: Vec<String> = (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .filter(|k| k.starts_with("walscope.progress:") || k.starts_with("walscope.lesson"))
        .collect();
    for k in keys {
        s.remove_item(&k).unwrap();
    }
}

/// A link fragment that opens a lesson step (no lines: its canonical state).
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

fn lesson(id: &str) -> walscope::lesson::Lesson {
    walscope::lesson::Library::builtin()
        .get(id)
        .cloned()
        .unwrap_or_else(|| panic!("no lesson {id}"))
}

#[wasm_bindgen_test]
async fn a_first_visit_opens_the_first_lesson() {
    fresh_lessons();
    let (root, _handle) = mount();
    settle().await;
    let first = &walscope::lesson::Library::builtin().lessons[0];
    assert_eq!(
        text(&root, "step-title"),
        format!("Step 1 of {}: {}", first.steps.len(), first.steps[0].title)
    );
    // The lesson list shows every lesson with its progress.
    by_testid(&root, "all-lessons").click();
    settle().await;
    assert_eq!(
        text(&root, "progress-basebackup"),
        format!("0 of {} steps done", lesson("basebackup").steps.len())
    );
}

/// The start reads only the lesson its link names; a link to another lesson that
/// arrives before the rest is read (no frame yet, as in a hidden tab) still opens.
#[wasm_bindgen_test]
async fn a_link_to_another_lesson_opens_before_the_rest_is_read() {
    fresh_lessons();
    persist::set_url_fragment(Some(&lesson_link("slots", 2)), false);
    let (root, _handle) = mount();
    settle().await;
    let slots = lesson("slots");
    assert_eq!(
        text(&root, "step-title"),
        format!("Step 3 of {}: {}", slots.steps.len(), slots.steps[2].title)
    );
    // Back/forward to a link of another lesson, in the same task as the start.
    persist::set_url_fragment(Some(&lesson_link("failover", 0)), false);
    fire(&window().unchecked_into(), "popstate");
    settle().await;
    let failover = lesson("failover");
    assert_eq!(
        text(&root, "step-title"),
        format!(
            "Step 1 of {}: {}",
            failover.steps.len(),
            failover.steps[0].title
        )
    );
}

#[wasm_bindgen_test]
async fn show_me_types_the_solution_and_the_goal_turns_green() {
    fresh_lessons();
    // Step 2 has three lines: Show me types one, pauses, and can be stopped.
    persist::set_url_fragment(Some(&lesson_link("basebackup", 1)), false);
    let (root, _handle) = mount();
    settle().await;
    let l = lesson("basebackup");
    let lines: Vec<String> = l.steps[1].solution.iter().map(|l| l.to_script()).collect();
    assert!(lines.len() >= 2);
    by_testid(&root, "show-me").click();
    until("the first solution line", || {
        text(&root, "console-log").contains(&lines[0])
    })
    .await;
    assert!(
        !text(&root, "console-log").contains(&lines[1]),
        "a pause between lines"
    );
    by_testid(&root, "stop-show-me").click();
    settle().await;
    sleep(1_200).await;
    assert!(!text(&root, "console-log").contains(&lines[1]), "stopped");
    assert!(try_testid(&root, "show-me").is_some());
    drop(_handle);
    root.remove();

    persist::set_url_fragment(Some(&lesson_link("basebackup", 2)), false);
    let (root, _handle) = mount();
    settle().await;
    let l = lesson("basebackup");
    assert!(
        text(&root, "step-title").starts_with("Step 3 of"),
        "{}",
        text(&root, "step-title")
    );
    assert_eq!(
        by_testid(&root, "goal-0")
            .get_attribute("data-met")
            .as_deref(),
        Some("false")
    );
    by_testid(&root, "show-me").click();
    let solution = l.steps[2].solution[0].to_script();
    until("the solution line in the console", || {
        text(&root, "console-log").contains(&solution)
    })
    .await;
    until("the goal to turn green", || {
        by_testid(&root, "goal-0")
            .get_attribute("data-met")
            .as_deref()
            == Some("true")
    })
    .await;
    assert!(
        text(&root, "goal-announce").starts_with("Goal met:"),
        "{}",
        text(&root, "goal-announce")
    );
    // The step is done in the lesson's progress.
    let s = window().local_storage().unwrap().unwrap();
    let p = walscope::lesson::Progress::from_text(
        &s.get_item("walscope.progress:basebackup").unwrap().unwrap(),
    );
    assert!(p.done.contains(&2), "{p:?}");

    // A reload lands on the same step, in the same state.
    let hash = window().location().hash().unwrap();
    drop(_handle);
    root.remove();
    persist::set_url_fragment(Some(hash.trim_start_matches('#')), false);
    let (root, _handle) = mount();
    settle().await;
    assert!(text(&root, "step-title").starts_with("Step 3 of"));
    assert!(text(&root, "console-log").contains(&solution));
}

#[wasm_bindgen_test]
async fn a_link_to_a_step_opens_its_canonical_state() {
    fresh_lessons();
    persist::set_url_fragment(Some(&lesson_link("basebackup", 4)), false);
    let (root, _handle) = mount();
    settle().await;
    let l = lesson("basebackup");
    assert_eq!(
        text(&root, "step-title"),
        format!("Step 5 of {}: {}", l.steps.len(), l.steps[4].title)
    );
    let native = l.canonical_lab(4);
    let r = native.runner();
    for n in r.cluster.nodes() {
        if n.state == walscope::sim::ServerState::Empty {
            continue;
        }
        assert_eq!(
            text(&root, &format!("wal-lsn-{}", n.name)),
            expected_wal_text(r, &n),
            "{}",
            n.name
        );
    }
    assert_eq!(text(&root, "clock"), format!("t = {}", native.now()));

    // Next without meeting the goal offers to catch up; catching up opens the next
    // step's canonical state.
    by_testid(&root, "next").click();
    settle().await;
    assert!(try_testid(&root, "catch-up-offer").is_some());
    by_testid(&root, "catch-up").click();
    settle().await;
    assert!(text(&root, "step-title").starts_with("Step 6 of"));
    let native = l.canonical_lab(5);
    assert_eq!(text(&root, "clock"), format!("t = {}", native.now()));
}

#[wasm_bindgen_test]
async fn hints_come_one_at_a_time_and_answers_are_kept() {
    fresh_lessons();
    let l = lesson("wal-and-lsn");
    let (i, step) = l
        .steps
        .iter()
        .enumerate()
        .find(|(_, s)| s.question.is_some() && !s.hints.is_empty())
        .expect("a step with a question and hints");
    persist::set_url_fragment(Some(&lesson_link("wal-and-lsn", i as u16)), false);
    let (root, _handle) = mount();
    settle().await;
    assert_eq!(text(&root, "hints"), "");
    by_testid(&root, "hint").click();
    settle().await;
    let shown = by_testid(&root, "hints").child_element_count();
    assert_eq!(shown, 1);
    // Predict: pick a wrong choice, then let the model run the step.
    let wrong = (0..step.question.as_ref().unwrap().choices.len())
        .find(|c| *c != step.question.as_ref().unwrap().answer)
        .unwrap();
    let radio: web_sys::HtmlInputElement =
        by_testid(&root, &format!("choice-{wrong}")).unchecked_into();
    radio.set_checked(true);
    fire(&radio, "change");
    settle().await;
    assert!(
        try_testid(&root, "answer").is_none(),
        "the answer waits for the model"
    );
    by_testid(&root, "show-me").click();
    until("the answer", || try_testid(&root, "answer").is_some()).await;
    assert!(
        text(&root, "answer").starts_with("Not quite"),
        "{}",
        text(&root, "answer")
    );
    let s = window().local_storage().unwrap().unwrap();
    let p = walscope::lesson::Progress::from_text(
        &s.get_item("walscope.progress:wal-and-lsn")
            .unwrap()
            .unwrap(),
    );
    assert_eq!(p.answers.get(&i), Some(&wrong));

    // Reset progress asks first, naming what it would forget; "Keep it" keeps it.
    by_testid(&root, "reset-progress").click();
    settle().await;
    let ask = text(&root, "reset-progress-confirm");
    assert!(ask.contains("1 answer."), "{ask}");
    by_testid(&root, "reset-progress-confirm-no").click();
    settle().await;
    assert!(try_testid(&root, "reset-progress-confirm").is_none());
    assert!(s
        .get_item("walscope.progress:wal-and-lsn")
        .unwrap()
        .is_some());

    // A damaged progress entry is ignored, and Reset progress clears it.
    s.set_item("walscope.progress:wal-and-lsn", "{not progress")
        .unwrap();
    by_testid(&root, "reset-progress").click();
    settle().await;
    by_testid(&root, "reset-progress-confirm-yes").click();
    settle().await;
    assert_eq!(s.get_item("walscope.progress:wal-and-lsn").unwrap(), None);
    // With nothing left to forget, it does not ask again.
    by_testid(&root, "reset-progress").click();
    settle().await;
    assert!(try_testid(&root, "reset-progress-confirm").is_none());
}

#[wasm_bindgen_test]
async fn a_teachers_lesson_is_added_and_a_broken_one_says_why() {
    fresh_lessons();
    let (root, _handle) = mount();
    settle().await;
    by_testid(&root, "all-lessons").click();
    settle().await;
    drop_file(&root, "broken.md", "---\nid: mine\ntitle: Mine\nsummary: S\n---\n## S\n\n```walscope goal\nprimary=# SELECT 1;\n```\n");
    until("the lesson's error", || {
        try_testid(&root, "lesson-errors").is_some()
    })
    .await;
    assert!(
        text(&root, "lesson-errors").contains("broken.md:8: goal block has no expected output"),
        "{}",
        text(&root, "lesson-errors")
    );
    assert!(
        try_testid(&root, "lesson-basebackup").is_some(),
        "the built-in lessons remain"
    );
    assert!(try_testid(&root, "lesson-mine").is_none());

    // Untrusted text: raw HTML is shown, never run.
    let hostile = "---\nid: mine\ntitle: Mine <b>bold</b>\nsummary: S\n---\n## Hostile\n\n\
        <script>window.__walscope_pwned = 1</script>\n\n<img src=x onerror=\"window.__walscope_pwned = 2\">\n\n\
        [click](javascript:window.__walscope_pwned=3)\n";
    drop_file(&root, "mine.md", hostile);
    until("the teacher's lesson to open", || {
        try_testid(&root, "step").is_some()
    })
    .await;
    sleep(200).await;
    let pane = by_testid(&root, "lesson-pane");
    assert!(
        pane.query_selector("script, img").unwrap().is_none(),
        "{}",
        pane.inner_html()
    );
    assert!(text(&root, "step").contains("<script>window.__walscope_pwned = 1</script>"));
    let pwned = js_sys::Reflect::get(&window(), &"__walscope_pwned".into()).unwrap();
    assert!(pwned.is_undefined(), "lesson HTML ran: {pwned:?}");
    let link = pane.query_selector("a").unwrap().unwrap();
    assert_eq!(link.get_attribute("href").as_deref(), Some("#"));

    // Kept in this browser: listed under "Your lessons" after a reload.
    by_testid(&root, "all-lessons").click();
    settle().await;
    assert!(try_testid(&root, "lesson-mine").is_some());
    let stored = window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("walscope.lessons")
        .unwrap();
    assert_eq!(stored.as_deref(), Some("mine.md"));
    fresh_lessons();
}

#[wasm_bindgen_test]
async fn lesson_6_shows_the_commit_that_hangs_without_its_synchronous_standby() {
    fresh_lessons();
    let l = lesson("sync");
    let step = l
        .steps
        .iter()
        .position(|s| {
            s.goals
                .iter()
                .any(|g| g.label.contains("waits for SyncRep"))
        })
        .expect("a step whose goal is the hanging commit");
    persist::set_url_fragment(Some(&lesson_link("sync", step as u16)), false);
    let (root, _handle) = mount();
    settle().await;
    assert_eq!(
        by_testid(&root, "goal-0")
            .get_attribute("data-met")
            .as_deref(),
        Some("false")
    );
    by_testid(&root, "show-me").click();
    let last = l.steps[step].solution.last().unwrap().to_script();
    assert!(
        last.contains("INSERT"),
        "the solution ends with the commit that hangs: {last}"
    );
    until("the hanging INSERT in the console", || {
        text(&root, "console-log").contains(&last)
    })
    .await;
    until("the goal to turn green", || {
        by_testid(&root, "goal-0")
            .get_attribute("data-met")
            .as_deref()
            == Some("true")
    })
    .await;
    // The stage shows it too: the primary's commit waits for SyncRep.
    assert!(
        text(&root, "card-primary").contains("waiting for SyncRep"),
        "{}",
        text(&root, "card-primary")
    );
}

#[wasm_bindgen_test]
async fn the_class_notes_lab_opens_from_the_lesson_pane_with_pg1_and_pg2() {
    fresh_lessons();
    let (root, _handle) = mount();
    settle().await;
    by_testid(&root, "all-lessons").click();
    settle().await;
    let i = EXAMPLES
        .iter()
        .position(|(title, _)| title.starts_with("Class notes"))
        .expect("a class-notes lab");
    by_testid(&root, &format!("example-{i}")).click();
    until("both machines on the stage", || {
        try_testid(&root, "card-pg1").is_some() && try_testid(&root, "card-pg2").is_some()
    })
    .await;
    assert!(try_testid(&root, "card-primary").is_none());
    let select: web_sys::HtmlSelectElement = by_testid(&root, "console-target").unchecked_into();
    assert_eq!(
        select.value(),
        "sql:pg1",
        "the console follows the first host"
    );
    console(&root, "sql:pg2", "SELECT status FROM pg_stat_wal_receiver;").await;
    assert!(
        text(&root, "console-log").contains(" streaming\n"),
        "{}",
        text(&root, "console-log")
    );
}

/// The policy scripts/finish-dist writes into the served page, with the bootstrap's hash
/// replaced by one that matches nothing here.
fn served_policy() -> String {
    include_str!("../assets/content-security-policy.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("; ")
        .replace(
            "{bootstrap}",
            "'sha256-47DEQpj8HBSa+/TImW+5JYeuQeRkm5NMpJWZG3hSuFU='",
        )
}

/// Markup that runs script in every way a lesson or a renderer bug could smuggle in; each
/// payload sets its own bit of `parent.walscopePwned`. The link is clicked by the test.
const HOSTILE: &str = r#"<script>parent.walscopePwned |= 1</script>
<img src="data:," onerror="parent.walscopePwned |= 2">
<svg onload="parent.walscopePwned |= 4"></svg>
<iframe srcdoc="<script>parent.parent.walscopePwned |= 8</script>"></iframe>
<a id="js" href="javascript:parent.walscopePwned |= 16">more</a>"#;

/// Loads `markup` inside a lesson's `.md` block of a frame under `policy` (or none), clicks
/// its link, and returns the bits of the payloads that ran.
async fn payloads_that_run(policy: Option<&str>, markup: &str) -> u32 {
    let w = window();
    js_sys::Reflect::set(&w, &"walscopePwned".into(), &0.into()).unwrap();
    let meta = policy
        .map(|p| format!(r#"<meta http-equiv="Content-Security-Policy" content="{p}">"#))
        .unwrap_or_default();
    let doc = w.document().unwrap();
    let frame: web_sys::HtmlIFrameElement = doc.create_element("iframe").unwrap().unchecked_into();
    frame.set_srcdoc(&format!(
        "<!DOCTYPE html><html><head>{meta}</head><body><div class=\"md\">{markup}</div></body></html>"
    ));
    doc.body().unwrap().append_child(&frame).unwrap();
    let loaded = || {
        frame.content_document().is_some_and(|d| {
            d.ready_state() == "complete" && d.query_selector(".md").ok().flatten().is_some()
        })
    };
    for _ in 0..250 {
        if loaded() {
            break;
        }
        sleep(20).await;
    }
    assert!(loaded(), "the frame did not load");
    if let Some(a) = frame.content_document().unwrap().get_element_by_id("js") {
        a.unchecked_into::<web_sys::HtmlElement>().click();
    }
    sleep(400).await;
    frame.remove();
    js_sys::Reflect::get(&w, &"walscopePwned".into())
        .unwrap()
        .as_f64()
        .unwrap_or(0.0) as u32
}

#[wasm_bindgen_test]
async fn the_served_policy_stops_script_smuggled_into_a_lesson() {
    // The payloads are live: with no policy, every one of them runs (so this test can see
    // script that runs).
    assert_eq!(payloads_that_run(None, HOSTILE).await, 31);
    // The lesson renderer escapes them: an imported lesson, or a link that opens one,
    // shows them as text.
    let rendered = walscope::lesson::to_html(HOSTILE);
    assert_eq!(payloads_that_run(None, &rendered).await, 0, "{rendered}");
    // And if a renderer bug let them through, the served page's policy runs none of them.
    let policy = served_policy();
    assert_eq!(
        payloads_that_run(Some(&policy), HOSTILE).await,
        0,
        "{policy}"
    );
}

#[wasm_bindgen_test]
async fn a_trap_path_shows_the_trap_with_its_reason_and_try_again_cleanly_clears_it() {
    fresh_lessons();
    // Lesson 10, "Fail over": promoting standby2 meets the goal, with the trap.
    persist::set_url_fragment(Some(&lesson_link("paused-standby", 2)), false);
    let (root, _handle) = mount();
    settle().await;
    let l = lesson("paused-standby");
    let trap = &l.steps[2].traps[0];
    assert!(try_testid(&root, "trap-0").is_none(), "no trap on opening");
    console(&root, "sql:standby2", "SELECT pg_promote();").await;
    until("the trap to show", || try_testid(&root, "trap-0").is_some()).await;
    let shown = text(&root, "trap-0");
    assert!(shown.contains(&trap.goal.label), "{shown}");
    assert!(shown.contains("Orders 21 to 30 were confirmed"), "{shown}");
    until("the goal to be met", || {
        try_testid(&root, "step-outcome").is_some()
    })
    .await;
    assert_eq!(
        text(&root, "step-outcome"),
        format!("Goals met with a trap: {}.", trap.goal.label)
    );
    by_testid(&root, "try-again").click();
    settle().await;
    until("the step to reopen clean", || {
        try_testid(&root, "trap-0").is_none() && try_testid(&root, "step-outcome").is_none()
    })
    .await;
    // The safe way: met cleanly.
    console(&root, "sql:standby1", "SELECT pg_promote();").await;
    until("the goal to be met", || {
        try_testid(&root, "step-outcome").is_some()
    })
    .await;
    assert_eq!(text(&root, "step-outcome"), "Goals met cleanly.");
    assert!(try_testid(&root, "trap-0").is_none());
}
