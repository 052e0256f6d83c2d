//! Split brain: after a failover, the old primary started again accepts writes beside
//! the promoted standby. The model notices from its own state and logs it with why.

use walscope::examples::EXAMPLES;
use walscope::script::Runner;
use walscope::sim::{EventKind, TimelineId};

fn lab(extra: &str) -> Runner {
    let mut r = Runner::new(0);
    r.run_text(EXAMPLES[1].1).unwrap();
    r.run_text(extra).unwrap();
    r
}

#[test]
fn an_old_primary_started_after_a_promotion_is_split_brain() {
    let mut r = lab("lab$ workload primary 100\nlab$ wait 1s\nlab$ crash primary\nstandby1$ pg_ctl promote\nlab$ wait 2s\n");
    assert!(r.cluster.split_brain().is_empty(), "one writable server");
    assert!(!r
        .cluster
        .events()
        .iter()
        .any(|e| e.kind == EventKind::SplitBrain));

    r.run_text("primary$ pg_ctl start\nlab$ wait 1s\n").unwrap();
    let both = r.cluster.split_brain();
    let seen: Vec<(&str, TimelineId, Option<u32>)> = both
        .iter()
        .map(|w| (w.name.as_str(), w.timeline, w.workload_tps))
        .collect();
    assert_eq!(
        seen,
        [
            ("primary", TimelineId(1), Some(100)),
            ("standby1", TimelineId(2), None)
        ]
    );
    assert_eq!(both[0].clients(), "workload 100 tps");
    assert_eq!(both[1].clients(), "no client yet");
    let logged: Vec<_> = r
        .cluster
        .events()
        .iter()
        .filter(|e| e.kind == EventKind::SplitBrain)
        .collect();
    assert_eq!(
        logged.len(),
        1,
        "logged once, when the second primary came up"
    );
    assert_eq!(
        logged[0].text,
        "split brain: primary (timeline 1) and standby1 (timeline 2) accept writes"
    );
    assert!(logged[0].why.contains("histories diverge"));

    // Stopping one of them ends it.
    r.run_text("primary$ pg_ctl stop\n").unwrap();
    assert!(r.cluster.split_brain().is_empty());
}
