//! Browser tests of time in the classroom: a paused clock that says so and still lets
//! typed commands settle, Step that says what it ran, exported scripts with readable
//! times, and a long random drive of the UI whose lab its link and its script rebuild
//! exactly (live = replay, through the UI's own path).
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use walscope::script::{parse, Runner, Target};
use walscope::share;
use walscope::timeline::Lab;
use walscope::ui::handle::{LabHandle, Ui};
use walscope::ui::persist::{self, AUTOSAVE_KEY};
use walscope::ui::{History, Recalled, Workbench};

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn fresh() {
    persist::set_url_fragment(None, false);
    if let Some(s) = window().local_storage().unwrap() {
        s.remove_item(AUTOSAVE_KEY).unwrap();
    }
}

/// Mounts a workbench on `lab` in a fresh element and hands back its handles. The
/// app's stylesheet is put in the page first, so sizes are the ones a class sees.
fn mount_lab(lab: Lab) -> (web_sys::HtmlElement, impl Drop, LabHandle, Ui) {
    let document = window().document().unwrap();
    if document.get_element_by_id("walscope-style").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("walscope-style");
        style.set_text_content(Some(include_str!("../assets/style.css")));
        document.head().unwrap().append_child(&style).unwrap();
    }
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let slot: Rc<Cell<Option<(LabHandle, Ui)>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lab = LabHandle::new(lab);
        let ui = Ui::new(&Default::default(), None, None);
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

async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
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

/// Loads example `i` from the header's menu.
async fn load_example(root: &web_sys::HtmlElement, i: usize) {
    let select: web_sys::HtmlSelectElement = by_testid(root, "example").unchecked_into();
    select.set_value(&i.to_string());
    fire(&select, "change");
    settle().await;
}

#[wasm_bindgen_test]
async fn a_class_typing_its_notes_while_paused_sees_replication_and_the_pause() {
    fresh();
    let (root, _handle, lab, ui) = mount_lab(Lab::new(0));
    load_example(&root, 2).await;
    assert!(!ui.playing.get_untracked());

    // The pause is impossible to miss: a badge over the stage, large enough for the
    // back row, and the time controls say it too.
    let badge = by_testid(&root, "paused-badge");
    assert!(badge.offset_height() > 0 && badge.offset_width() > 0);
    assert!(badge.text_content().unwrap().contains("Paused"));
    let style = window().get_computed_style(&badge).unwrap().unwrap();
    let px: f64 = style
        .get_property_value("font-size")
        .unwrap()
        .trim_end_matches("px")
        .parse()
        .unwrap();
    assert!(px >= 16.0, "badge text {px}px");
    assert!(text(&root, "status").contains("paused"));

    let start = lab.with_untracked(|l| l.now());
    console(&root, "sql:pg1", "CREATE TABLE t (id int);").await;
    console(&root, "sql:pg1", "INSERT INTO t VALUES (1);").await;
    console(&root, "sql:pg2", "SELECT * FROM t;").await;
    let log = text(&root, "console-log");
    let answer = log.rsplit("pg2=# SELECT * FROM t;").next().unwrap();
    assert!(answer.contains("(1 row)"), "{log}");
    assert!(!answer.contains("does not exist"), "{log}");
    // Each command let the typing interval pass, and the script says when it ran.
    let now = lab.with_untracked(|l| l.now());
    assert!(now.0 >= start.0 + 3 * walscope::timeline::TYPING.0);
    let script = lab.with_untracked(|l| l.script());
    let replayed = Lab::replay(0, parse(&script).unwrap(), None);
    assert_eq!(
        replayed.runner().cluster.fingerprint(),
        lab.with_untracked(|l| l.runner().cluster.fingerprint())
    );

    // Clicking the badge plays; the badge goes.
    by_testid(&root, "paused-badge").click();
    settle().await;
    assert!(ui.playing.get_untracked());
    assert!(try_testid(&root, "paused-badge").is_none());
    by_testid(&root, "play").click();
    settle().await;
}

#[wasm_bindgen_test]
async fn step_says_what_it_ran() {
    fresh();
    let (root, _handle, _lab, _ui) = mount_lab(Lab::new(0));
    load_example(&root, 1).await;
    console(&root, "sql:primary", "INSERT INTO test VALUES (2);").await;
    assert!(try_testid(&root, "step-note").is_none());
    let mut notes = String::new();
    for _ in 0..30 {
        by_testid(&root, "step").click();
        settle().await;
        let note = text(&root, "step-note");
        assert!(note.starts_with("Step to t = "), "{note}");
        notes.push_str(&note);
        notes.push('\n');
    }
    assert!(notes.contains("from primary reaches standby1"), "{notes}");
    // Playing hides the note; it belongs to the step.
    by_testid(&root, "play").click();
    settle().await;
    assert!(try_testid(&root, "step-note").is_none());
    by_testid(&root, "play").click();
    settle().await;
}

#[wasm_bindgen_test]
async fn exported_scripts_read_seconds_and_keep_the_view_line() {
    fresh();
    let (root, _handle, lab, ui) = mount_lab(Lab::new(0));
    load_example(&root, 1).await;
    by_testid(&root, "play").click();
    sleep(150).await;
    console(&root, "sql:primary", "INSERT INTO test VALUES (2);").await;
    by_testid(&root, "play").click();
    settle().await;
    let speed: web_sys::HtmlSelectElement = by_testid(&root, "speed").unchecked_into();
    speed.set_value("2");
    fire(&speed, "change");
    settle().await;

    let s = persist::scenario(lab, ui);
    let file = s.to_file();
    assert!(file.starts_with("# view: speed 2x"), "{file}");
    let insert = file
        .lines()
        .find(|l| l.ends_with("primary=# INSERT INTO test VALUES (2);"))
        .unwrap();
    // Typed while playing: on a whole millisecond, written in seconds.
    let at = insert.split_whitespace().next().unwrap();
    assert!(
        at.starts_with('@') && at.ends_with('s') && !at.ends_with("us"),
        "{insert}"
    );
    let decimals = at.trim_start_matches('@').trim_end_matches('s');
    assert!(
        decimals.split('.').nth(1).is_none_or(|d| d.len() <= 3),
        "{insert}"
    );
    // The file reads back to the same lines and the same moment.
    let lines = parse(&file).unwrap();
    let mut r = Runner::new(0);
    for l in &lines {
        r.run_line(l);
    }
    assert_eq!(r.now(), lab.with_untracked(|l| l.now()));
    assert_eq!(
        r.cluster.fingerprint(),
        lab.with_untracked(|l| l.runner().cluster.fingerprint())
    );
}

#[wasm_bindgen_test]
async fn up_on_a_recalled_multi_line_statement_goes_to_the_command_before() {
    let sql = Target::Sql("primary".into());
    let mut h = History::new();
    h.push(sql.clone(), "SELECT 1;".into());
    h.push(sql.clone(), "SELECT\n  2;".into());
    assert_eq!(
        h.up(),
        Some(Recalled::Entry(sql.clone(), "SELECT\n  2;".into()))
    );
    // The caret after recall stands at the end, on the last line: Up still walks on.
    assert!(h.takes_arrow(true, "SELECT\n  2;", 11));
    // Once edited, Up moves the caret between lines as in any editor.
    assert!(!h.takes_arrow(true, "SELECT\n  3;", 11));
    assert!(h.takes_arrow(true, "SELECT\n  3;", 3));

    fresh();
    let (root, _handle, _lab, _ui) = mount_lab(Lab::new(0));
    console(&root, "sql:primary", "SELECT 1;").await;
    let ta: web_sys::HtmlTextAreaElement = by_testid(&root, "console-input").unchecked_into();
    ta.set_value("SELECT\n  2;");
    fire(&ta, "input");
    settle().await;
    key(&ta, "Enter");
    settle().await;
    key(&ta, "ArrowUp");
    settle().await;
    assert_eq!(ta.value(), "SELECT\n  2;");
    ta.set_selection_range(11, 11).unwrap();
    key(&ta, "ArrowUp");
    settle().await;
    assert_eq!(ta.value(), "SELECT 1;");
    key(&ta, "ArrowDown");
    settle().await;
    assert_eq!(ta.value(), "SELECT\n  2;");
}

#[wasm_bindgen_test]
async fn reset_asks_before_throwing_the_lab_away() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(Lab::new(0));
    console(&root, "sql:primary", "CREATE TABLE t (id int);").await;
    sleep(20).await;
    let before = lab.with_untracked(|l| l.script());
    // Reset asks in the page, and Keep it keeps everything.
    by_testid(&root, "reset").click();
    settle().await;
    let ask = text(&root, "reset-confirm");
    assert!(ask.contains("throws away"), "{ask}");
    assert!(ask.contains("1 command(s)"), "{ask}");
    by_testid(&root, "reset-confirm-no").click();
    settle().await;
    assert!(try_testid(&root, "reset-confirm").is_none());
    assert_eq!(lab.with_untracked(|l| l.script()), before);
    // Escape keeps it too.
    by_testid(&root, "reset").click();
    settle().await;
    key(&by_testid(&root, "reset-confirm-no"), "Escape");
    settle().await;
    assert!(try_testid(&root, "reset-confirm").is_none());
    assert_eq!(lab.with_untracked(|l| l.script()), before);
    // Confirmed, it resets and says Back restores.
    by_testid(&root, "reset").click();
    settle().await;
    by_testid(&root, "reset-confirm-yes").click();
    settle().await;
    assert!(lab.with_untracked(|l| l.transcript().is_empty()));
    assert!(text(&root, "banner-text").contains("Back"));
    // A fresh lab has nothing to lose: Reset does not ask.
    by_testid(&root, "reset").click();
    settle().await;
    assert!(try_testid(&root, "reset-confirm").is_none());
    fresh();
}

#[wasm_bindgen_test]
async fn step_marks_what_changed_on_the_stage_and_in_the_log() {
    fresh();
    let (root, _handle, _lab, _ui) = mount_lab(Lab::new(0));
    load_example(&root, 1).await;
    console(&root, "sql:primary", "INSERT INTO test VALUES (2);").await;
    assert!(root.query_selector(".card-slot.stepped").unwrap().is_none());
    // Step until the WAL reaches standby1: its card is marked, and the note names it.
    let mut reached = false;
    for _ in 0..30 {
        by_testid(&root, "step").click();
        settle().await;
        let note = text(&root, "step-note");
        let marked: Vec<String> = {
            let list = root.query_selector_all(".card-slot.stepped .card").unwrap();
            (0..list.length())
                .filter_map(|i| list.item(i))
                .map(|n| {
                    n.unchecked_into::<web_sys::Element>()
                        .get_attribute("data-testid")
                        .unwrap_or_default()
                })
                .collect()
        };
        if note.contains("from primary reaches standby1") {
            assert!(
                marked.contains(&"card-standby1".to_string()),
                "{note}: {marked:?}"
            );
            assert!(
                note.contains("Marked: ") && note.contains("standby1"),
                "{note}"
            );
            reached = true;
            break;
        }
    }
    assert!(reached, "the WAL reached standby1");
    // A step that logs marks its lines in the Log.
    let mut logged = false;
    for _ in 0..200 {
        by_testid(&root, "step").click();
        settle().await;
        if text(&root, "step-note").contains("Log: ") {
            logged = true;
            break;
        }
    }
    if logged {
        by_testid(&root, "tab-log").click();
        settle().await;
        assert!(root.query_selector(".event.stepped").unwrap().is_some());
        by_testid(&root, "tab-console").click();
        settle().await;
    }
    // Playing clears the marks with the note.
    by_testid(&root, "play").click();
    settle().await;
    assert!(root.query_selector(".card-slot.stepped").unwrap().is_none());
    by_testid(&root, "play").click();
    settle().await;
}

/// A small seeded generator, so a failing drive can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What the class sees of each node: its card's state and positions, its WAL bar.
fn screen(root: &web_sys::HtmlElement, lab: LabHandle) -> Vec<String> {
    let names: Vec<String> = lab.with_untracked(|l| {
        l.runner()
            .cluster
            .hosts()
            .iter()
            .map(|h| h.name.clone())
            .collect()
    });
    names
        .iter()
        .flat_map(|n| {
            ["state", "pos", "wal-lsn"]
                .iter()
                .filter_map(|w| try_testid(root, &format!("{w}-{n}")))
                .map(|e| e.text_content().unwrap_or_default())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Live = replay through the UI's own path: a long seeded drive of typed commands,
/// pasted scripts, card buttons, play, pause, step, speed and scrub; then the link the
/// UI shares and the script it exports rebuild exactly the transcript, the model
/// (its fingerprint: every host's positions, states, slots and tables) and the screen.
#[wasm_bindgen_test]
async fn a_long_random_drive_replays_exactly_from_its_link_and_script() {
    const TYPED: [(&str, &str); 10] = [
        ("sql:primary", "INSERT INTO test VALUES (2);"),
        ("sql:primary", "SELECT pg_current_wal_lsn();"),
        ("sql:standby1", "SELECT pg_is_in_recovery();"),
        ("sql:standby1", "SELECT count(*) FROM test;"),
        ("sql:primary", "CHECKPOINT;"),
        ("sh:standby1", "pg_ctl start"),
        ("lab", "workload primary 200"),
        ("lab", "workload primary off"),
        ("lab", "latency primary standby1 30ms"),
        (
            "lab",
            "primary=# INSERT INTO test VALUES (3);\nstandby1=# SELECT * FROM test;",
        ),
    ];
    const BUTTONS: [&str; 3] = [
        "btn-crash-standby1",
        "btn-stop-standby1",
        "btn-start-standby1",
    ];
    fresh();
    let (root, _handle, lab, ui) = mount_lab(Lab::new(0));
    load_example(&root, 1).await;
    let mut rng = Rng(0x5eed_2026_1205);
    let mut kinds = [0usize; 6];
    for _ in 0..90 {
        let k = rng.below(10) as usize;
        match k {
            0..=3 => {
                let (target, input) = TYPED[rng.below(TYPED.len() as u64) as usize];
                console(&root, target, input).await;
                kinds[0] += 1;
            }
            4 => {
                let b = BUTTONS[rng.below(BUTTONS.len() as u64) as usize];
                if let Some(el) = try_testid(&root, b) {
                    el.click();
                    settle().await;
                    kinds[1] += 1;
                }
            }
            5 | 6 => {
                by_testid(&root, "play").click();
                sleep(20 + rng.below(150) as u32).await;
                by_testid(&root, "play").click();
                settle().await;
                kinds[2] += 1;
            }
            7 => {
                by_testid(&root, "step").click();
                settle().await;
                kinds[3] += 1;
            }
            8 => {
                let slider: web_sys::HtmlInputElement =
                    by_testid(&root, "timeline").unchecked_into();
                let max: u64 = slider.max().parse().unwrap();
                slider.set_value(&(max * rng.below(1001) / 1000).to_string());
                fire(&slider, "input");
                settle().await;
                kinds[4] += 1;
            }
            _ => {
                let speed: web_sys::HtmlSelectElement = by_testid(&root, "speed").unchecked_into();
                let s = ["0.5", "1", "10", "100"][rng.below(4) as usize];
                speed.set_value(s);
                fire(&speed, "change");
                settle().await;
                kinds[5] += 1;
            }
        }
    }
    assert!(
        kinds.iter().all(|n| *n > 0),
        "every kind of action ran: {kinds:?}"
    );
    assert!(!ui.playing.get_untracked());
    settle().await;

    let live = lab.with_untracked(|l| {
        (
            l.now(),
            l.transcript()
                .iter()
                .map(|e| e.text.clone())
                .collect::<Vec<_>>(),
            l.runner().cluster.fingerprint(),
        )
    });
    // The link (share, autosave, reload).
    let link = share::encode(&persist::scenario(lab, ui));
    let opened = Lab::from_scenario(&share::decode(&link).unwrap());
    assert_eq!(opened.now(), live.0);
    let shown: Vec<String> = opened.transcript().iter().map(|e| e.text.clone()).collect();
    assert_eq!(
        shown, live.1,
        "the reopened console shows what the class saw"
    );
    assert_eq!(opened.runner().cluster.fingerprint(), live.2);
    // The exported script, as `walscope run` runs it.
    let script = lab.with_untracked(|l| l.script());
    let mut r = Runner::new(0);
    r.run_text(&script).unwrap();
    assert_eq!(r.now(), live.0);
    assert_eq!(r.cluster.fingerprint(), live.2, "{script}");
    // And the reopened page's screen.
    let before = screen(&root, lab);
    let (root2, _handle2, lab2, _ui2) = mount_lab(opened);
    settle().await;
    assert_eq!(screen(&root2, lab2), before);
    assert!(!before.is_empty());
}
