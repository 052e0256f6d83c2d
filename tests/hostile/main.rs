//! Hostile input: what a student (or a stranger's link) can type must never panic,
//! overflow the stack, run without bound or exhaust memory. Each case runs through the
//! native runner on a thread with the browser's 1 MB stack, under a memory budget
//! measured by a counting allocator.

mod sql;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use walscope::script::{Line, Runner, Target};

/// Counts the bytes allocated now and the most allocated at once.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// What a browser tab can give the model.
pub const MEMORY_BUDGET: usize = 256 << 20;

/// What one case printed, and the most memory it held above what was held before it.
pub struct Outcome {
    pub transcript: String,
    pub peak: usize,
}

/// Runs console lines on node `primary` of a fresh lab, on a 1 MB stack. Panics (the
/// test fails) if the runner panics or overflows the stack.
pub fn run_lines(lines: Vec<String>) -> Outcome {
    // One case at a time, so the peak is this case's.
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let base = NOW.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
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
            drop(r);
            let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
            Outcome { transcript, peak }
        })
        .expect("spawn")
        .join()
        .expect("the runner does not panic")
}

/// The checks every case passes: within the memory budget, and every ERROR says what.
pub fn assert_sane(case: &str, o: &Outcome) {
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
