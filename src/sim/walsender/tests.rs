//! The walsender as a standby sees it: WAL in messages of at most MAX_SEND_SIZE, the
//! positions the standby reports in pg_stat_replication, and wal_sender_timeout.

use super::MAX_SEND;
use crate::testlab::{append_conf, server_log, streaming_pair};
use crate::{Lsn, SimDuration};

#[test]
fn wal_goes_out_in_messages_of_at_most_max_send_size() {
    let (mut c, primary, standby) = streaming_pair(3);
    // A slow link (64kB/s) and a busy primary: WAL piles up behind the walsender.
    c.set_bandwidth(primary, standby, 64 * 1024);
    c.set_workload(primary, 2000);
    let until = c.now() + SimDuration::from_secs(5);
    // Where each data message ends (a packet shows where its first record starts,
    // which may be in an earlier message; the message itself starts where the last
    // one ended).
    let mut ends: Vec<Lsn> = Vec::new();
    while c.now() < until && c.step() {
        for p in c.packets() {
            if p.from == primary && !ends.contains(&p.end) {
                ends.push(p.end);
            }
        }
    }
    let sizes: Vec<i64> = ends.windows(2).map(|w| w[1].diff(w[0])).collect();
    assert!(sizes.len() >= 2, "several data messages: {ends:?}");
    assert!(
        sizes.iter().all(|s| *s > 0 && *s <= MAX_SEND as i64),
        "no message over MAX_SEND_SIZE: {sizes:?}"
    );
    assert!(
        sizes.contains(&(MAX_SEND as i64)),
        "with WAL waiting the walsender fills a message: {sizes:?}"
    );
    // Once the link is fast again and the workload stops, the standby catches up.
    c.set_workload(primary, 0);
    c.set_bandwidth(primary, standby, 125_000_000);
    c.advance(SimDuration::from_secs(30));
    let flush = c.node(primary).flush.expect("the primary runs");
    let row = &c.stat_replication(primary)[0];
    assert_eq!((row.sent_lsn, row.flush_lsn), (Some(flush), Some(flush)));
}

#[test]
fn the_standby_reports_what_it_wrote_flushed_and_replayed() {
    let (mut c, primary, standby) = streaming_pair(4);
    // The standby holds commits back for five seconds before replaying them.
    append_conf(
        &mut c,
        standby,
        "postgresql.conf",
        "recovery_min_apply_delay = '5s'",
    );
    assert!(c.reload(standby));
    c.advance(SimDuration::from_secs(1));
    let before = c.stat_replication(primary)[0].replay_lsn;
    c.set_workload(primary, 50);
    c.advance(SimDuration::from_secs(1));
    c.set_workload(primary, 0);
    c.advance(SimDuration::from_secs(1));
    let flush = c.node(primary).flush.expect("the primary runs");
    let row = &c.stat_replication(primary)[0];
    assert_eq!(
        (row.sent_lsn, row.write_lsn, row.flush_lsn),
        (Some(flush), Some(flush), Some(flush)),
        "written and flushed as soon as received"
    );
    let replay = row.replay_lsn.expect("a replay position");
    assert!(
        replay < flush && Some(replay) >= before,
        "replay waits for recovery_min_apply_delay: {replay} of {flush}"
    );
    // The first reply that reports the delayed commits replayed carries the delay in
    // replay_lag.
    let until = c.now() + SimDuration::from_secs(15);
    let mut replayed = None;
    while c.now() < until && c.step() {
        let row = &c.stat_replication(primary)[0];
        if row.replay_lsn >= Some(flush) {
            replayed = Some(row.replay_lag);
            break;
        }
    }
    let lag = replayed.expect("replayed after the delay");
    assert!(
        lag.is_some_and(|l| l >= SimDuration::from_secs(5)),
        "{lag:?}"
    );
}

#[test]
fn a_standby_silent_for_wal_sender_timeout_loses_its_walsender() {
    let (mut c, primary, standby) = streaming_pair(5);
    c.advance(SimDuration::from_secs(30));
    let last_reply = c.stat_replication(primary)[0]
        .reply_time
        .expect("the standby has replied");
    c.partition(primary, standby);
    let mut gone_at = None;
    let until = c.now() + SimDuration::from_secs(120);
    while c.now() < until && c.step() {
        if c.stat_replication(primary).is_empty() {
            gone_at = Some(c.now());
            break;
        }
    }
    let gone_at = gone_at.expect("the walsender exits");
    let silent = gone_at - last_reply;
    // wal_sender_timeout is 60s; the walsender checks once a second.
    assert!(
        silent >= SimDuration::from_secs(60) && silent < SimDuration::from_secs(62),
        "exited {silent:?} after the last reply"
    );
    assert!(server_log(&c, primary)
        .contains("terminating walsender process due to replication timeout"));
}

#[test]
fn replay_lag_grows_with_the_wal_queued_on_a_slow_link() {
    let (mut c, primary, standby) = streaming_pair(5);
    // 100kB/s and a busy primary: the WAL waiting for the link grows every second, and
    // so does the time from its flush to its replay (LagTrackerWrite samples the
    // primary's flush position, not the end of the message sent).
    c.set_bandwidth(primary, standby, 100_000);
    c.set_workload(primary, 1000);
    let mut seen = Vec::new();
    for _ in 0..4 {
        c.advance(SimDuration::from_secs(5));
        let row = &c.stat_replication(primary)[0];
        let behind = c.node(primary).flush.unwrap().diff(row.replay_lsn.unwrap());
        seen.push((behind, row.replay_lag.expect("a replay_lag")));
    }
    let (first, last) = (seen[0], seen[seen.len() - 1]);
    assert!(
        seen.windows(2).all(|w| w[1].0 > w[0].0) && last.1 > first.1 + SimDuration::from_secs(5),
        "bytes and time behind grow together: {seen:?}"
    );
}
