//! One hour of virtual time: a primary under a 1,000 TPS workload streaming to three
//! standbys (one synchronous, two asynchronous). Prints virtual seconds per wall second.
//!
//! Run with `cargo bench --bench replication`.

use std::time::Instant;

use walscope::script::Runner;
use walscope::sim::SimDuration;

/// The example lab the teacher loads for this: primary, standby1 synchronous,
/// standby2 and standby3 asynchronous, a 1,000 TPS workload.
const SETUP: &str = walscope::examples::EXAMPLES[0].1;

fn main() {
    let mut runner = Runner::new(1);
    runner.run_text(SETUP).expect("the setup script parses");
    let before = runner.cluster.processed;
    let start = Instant::now();
    runner.cluster.advance(SimDuration::from_secs(3600));
    let wall = start.elapsed().as_secs_f64();
    let events = runner.cluster.processed - before;
    let primary = runner.cluster.host_id("primary").expect("primary exists");
    let committed = runner
        .cluster
        .host(primary)
        .workload
        .as_ref()
        .map_or(0, |w| w.committed);
    println!(
        "replication: 3600 virtual s in {wall:.3} wall s = {:.0}x real time",
        3600.0 / wall
    );
    println!(
        "replication: {events} events ({:.0} ns/event), {committed} transactions committed",
        wall * 1e9 / events.max(1) as f64
    );
    let rows = runner.cluster.stat_replication(primary);
    // A figure for a broken cluster (a standby that never streamed, commits stuck
    // waiting for it) measures nothing.
    assert_eq!(rows.len(), 3, "all three standbys stream: {rows:#?}");
    assert!(
        committed > 3_000_000,
        "the workload ran: {committed} commits"
    );
    for r in rows {
        println!(
            "  {} {} sent {:?} replay {:?} {}",
            r.application_name, r.state, r.sent_lsn, r.replay_lsn, r.sync_state
        );
    }
}
