//! The example labs show lag: in the three-standby lab, standby3 sits across a
//! cross-region link (40 ms, 10 MB/s), so at 1000 TPS WAL is always on its way to it
//! and its replay position trails the primary's, frame after frame, as the stage
//! draws them.

use walscope::examples;
use walscope::script::Runner;
use walscope::sim::SimDuration;

#[test]
fn the_cross_region_standby_always_has_wal_in_flight_and_trails() {
    let mut r = Runner::new(0);
    r.run_text(examples::by_id("three-standbys").unwrap())
        .unwrap();
    let c = &mut r.cluster;
    let (p, s3) = (
        c.host_id("primary").unwrap(),
        c.host_id("standby3").unwrap(),
    );
    let s1 = c.host_id("standby1").unwrap();
    let mut trailing = 0;
    // The workload's first commits reach the far side after one trip.
    c.advance(SimDuration(100_000));
    // Two seconds of 60 Hz frames at 1x.
    for _ in 0..120 {
        c.advance(SimDuration(16_667));
        let in_flight: i64 = c
            .packets()
            .iter()
            .filter(|k| (k.from, k.to) == (p, s3))
            .map(|k| k.end.diff(k.start))
            .sum();
        assert!(in_flight > 0, "WAL on its way to standby3 at {}", c.now());
        let (primary, far) = (c.node(p).insert.unwrap(), c.node(s3).replay.unwrap());
        if far < primary {
            trailing += 1;
        }
        assert!(
            c.node(s1).replay.unwrap() >= far,
            "the LAN standby is ahead"
        );
    }
    assert_eq!(trailing, 120, "standby3's replay LSN trails in every frame");
}
