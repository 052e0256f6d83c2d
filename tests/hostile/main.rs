//! Hostile input: nothing a student types and no link anyone sends crashes, freezes or
//! exhausts walscope.
//!
//! Each case runs a script through the runner (or a link through decode and the
//! timeline's replay, as the browser opens it) in a thread with a 1 MB stack, under a
//! counting allocator, and checks: no panic, peak memory under [`MEMORY_BUDGET`], events
//! under the case's event budget, and every refusal a message in words. The families
//! (huge times and rates, shell abuse of the data directory, `lab$` abuse, odd text)
//! have fixed cases and a proptest generator on top; links get their own generator
//! (random bytes, mutated real links, links that encode hostile scripts).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use walscope::script::{Line, Runner, Target};

mod families;
mod links;
mod sql;

/// Counts the bytes the current thread holds, and its peak.
struct Counting;

thread_local! {
    static HELD: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrink(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrink(layout.size());
            grow(new_size);
        }
        p
    }
}

fn grow(n: usize) {
    let _ = HELD.try_with(|h| {
        let v = h.get() + n;
        h.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

fn shrink(n: usize) {
    let _ = HELD.try_with(|h| h.set(h.get().saturating_sub(n)));
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// What a tab may spend on the model: 256 MB.
pub const MEMORY_BUDGET: usize = 256 * 1024 * 1024;

/// What one case did.
#[derive(Debug)]
pub struct Outcome {
    /// The transcript, or the parse error's message.
    pub text: String,
    /// Whether the script parsed.
    pub parsed: bool,
    /// Events the model processed.
    pub events: u64,
    /// The most bytes held at once while it ran.
    pub peak: usize,
}

/// Runs `f` in a thread with a 1 MB stack (a browser's main thread has about that much)
/// and measures the bytes it held at its peak; a panic fails the test with its message.
pub fn guarded<T: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> (T, usize) {
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            PEAK.with(|p| p.set(HELD.with(Cell::get)));
            let base = HELD.with(Cell::get);
            let v = f();
            (v, PEAK.with(Cell::get).saturating_sub(base))
        })
        .expect("spawn a case thread");
    match handle.join() {
        Ok(r) => r,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{what}: panicked: {msg}");
        }
    }
}

/// Runs a script on a fresh runner whose commands may each run at most
/// `command_events` events, and checks the budgets.
pub fn run_case(script: &str, command_events: u64) -> Outcome {
    let text = script.to_string();
    let (o, peak) = guarded(&short(script), move || {
        let mut r = Runner::new(0);
        r.command_events = command_events;
        let (text, parsed) = match r.run_text(&text) {
            Ok(t) => (t, true),
            Err(e) => (e.to_string(), false),
        };
        if let Err(broken) = r.cluster.check_invariants() {
            panic!("invariant broken: {broken}");
        }
        (text, parsed, r.cluster.processed, r.history.len() as u64)
    });
    let (text, parsed, events, lines) = o;
    let out = Outcome {
        text,
        parsed,
        events,
        peak,
    };
    check_budgets(script, &out, (lines + 1) * 2 * command_events);
    out
}

/// No case passes the memory budget or its event budget, and a refusal says why.
pub fn check_budgets(what: &str, o: &Outcome, events: u64) {
    assert!(
        o.peak <= MEMORY_BUDGET,
        "{}: held {} MB at its peak",
        short(what),
        o.peak >> 20
    );
    assert!(
        o.events <= events,
        "{}: ran {} events, over {events}",
        short(what),
        o.events
    );
    if !o.parsed {
        assert!(
            o.text.starts_with("line ") && o.text.len() > 12,
            "{}: unclear refusal {:?}",
            short(what),
            o.text
        );
    }
}

/// The first line of a case, for failure messages.
pub fn short(s: &str) -> String {
    let first: String = s.chars().take(120).collect();
    format!("{:?}", first)
}

/// What console lines typed on the primary printed, and the most memory they held.
pub struct Lines {
    pub transcript: String,
    pub peak: usize,
}

/// Runs console lines on node `primary` of a fresh lab, one case at a time (the SQL
/// families measure one statement's peak).
pub fn run_lines(lines: Vec<String>) -> Lines {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let what = lines.first().cloned().unwrap_or_default();
    let (transcript, peak) = guarded(&short(&what), move || {
        let mut r = Runner::new(0);
        let mut transcript = String::new();
        for (i, text) in lines.into_iter().enumerate() {
            let line = Line {
                number: i + 1,
                at: None,
                target: Target::Sql("primary".into()),
                text,
            };
            transcript.push_str(&r.run_line(&line));
        }
        transcript
    });
    Lines { transcript, peak }
}

/// Within the memory budget, and every ERROR says what.
pub fn assert_sane(case: &str, o: &Lines) {
    assert!(
        o.peak < MEMORY_BUDGET,
        "{case}: {} MB at peak",
        o.peak >> 20
    );
    for l in o.transcript.lines() {
        if let Some(m) = l.strip_prefix("ERROR:") {
            assert!(
                m.len() > 2 && m.starts_with("  "),
                "{case}: unclear error {l:?}"
            );
        }
    }
}
