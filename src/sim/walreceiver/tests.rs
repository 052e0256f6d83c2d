//! The walreceiver as pg_stat_wal_receiver and the primary see it: its positions, its
//! status messages every wal_receiver_status_interval, the keepalive it asks for when
//! the primary is quiet, and wal_receiver_timeout.

use crate::testlab::{append_conf, server_log, started_pair, streaming_pair};
use crate::{SimDuration, SimTime};

#[test]
fn received_wal_is_written_and_flushed_up_to_the_primarys_end() {
    let (mut c, primary, standby) = streaming_pair(6);
    let start = c.stat_wal_receiver(standby).expect("a walreceiver");
    c.set_workload(primary, 100);
    c.advance(SimDuration::from_secs(2));
    c.set_workload(primary, 0);
    c.advance(SimDuration::from_secs(1));
    let flush = c.node(primary).flush.expect("the primary runs");
    let r = c.stat_wal_receiver(standby).expect("a walreceiver");
    assert_eq!(r.status, "streaming");
    assert!(flush > start.flushed_lsn, "the workload wrote WAL");
    assert_eq!((r.written_lsn, r.flushed_lsn), (Some(flush), flush));
    assert_eq!(
        r.latest_end_lsn,
        Some(flush),
        "the primary's end of WAL, as last reported"
    );
    assert_eq!(r.receive_start_lsn, start.receive_start_lsn);
    assert_eq!(r.sender_host, "primary");
}

#[test]
fn before_any_wal_arrives_written_and_latest_end_are_null_and_the_primary_sees_the_start() {
    // PostgreSQL 15 right after a standby starts on an idle primary: pg_stat_wal_receiver
    // has flushed_lsn = receive_start_lsn and NULL written_lsn and latest_end_lsn, while
    // pg_stat_replication already shows write/flush/replay at the start.
    let (mut c, primary, standby) = started_pair(6);
    c.advance(SimDuration::from_millis(50));
    let r = c.stat_wal_receiver(standby).expect("a walreceiver");
    assert_eq!(r.status, "streaming");
    assert_eq!((r.written_lsn, r.latest_end_lsn), (None, None));
    assert_eq!(r.flushed_lsn, r.receive_start_lsn);
    let rows = c.stat_replication(primary);
    let w = rows.first().expect("a walsender");
    assert_eq!(
        (w.write_lsn, w.flush_lsn, w.replay_lsn),
        (
            Some(r.receive_start_lsn),
            Some(r.receive_start_lsn),
            Some(r.receive_start_lsn)
        )
    );
}

#[test]
fn status_messages_go_out_every_wal_receiver_status_interval() {
    let (mut c, primary, standby) = streaming_pair(7);
    append_conf(
        &mut c,
        standby,
        "postgresql.conf",
        "wal_receiver_status_interval = 3",
    );
    assert!(c.reload(standby));
    c.advance(SimDuration::from_secs(10));
    // An idle primary: only the status timer makes the standby reply.
    let mut replies: Vec<SimTime> = Vec::new();
    let until = c.now() + SimDuration::from_secs(20);
    while c.now() < until && c.step() {
        let t = c.stat_replication(primary)[0].reply_time;
        if let Some(t) = t.filter(|t| replies.last() != Some(t)) {
            replies.push(t);
        }
    }
    let gaps: Vec<SimDuration> = replies.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.len() >= 5, "{replies:?}");
    // A WAL message from the primary gets a reply of its own in between; the timer's
    // replies stay 3s apart.
    let three = SimDuration::from_secs(3);
    assert!(gaps.iter().all(|g| *g <= three), "{gaps:?}");
    assert!(
        gaps.iter().filter(|g| **g == three).count() >= 4,
        "one reply every 3s: {gaps:?}"
    );
}

#[test]
fn a_quiet_primary_is_pinged_and_the_standby_stays_connected() {
    let (mut c, primary, standby) = streaming_pair(8);
    // Five idle minutes, five times wal_receiver_timeout (60s): no WAL flows, but at
    // half the timeout the walreceiver asks for a reply and the keepalive answers it.
    c.advance(SimDuration::from_secs(300));
    let r = c.stat_wal_receiver(standby).expect("a walreceiver");
    assert_eq!(r.status, "streaming");
    let quiet = c.now() - r.last_msg_receipt_time.expect("a message arrived");
    assert!(quiet < SimDuration::from_secs(40), "quiet for {quiet:?}");
    assert!(!server_log(&c, standby).contains("due to timeout"));
    assert_eq!(c.stat_replication(primary).len(), 1);
}

#[test]
fn a_primary_silent_for_wal_receiver_timeout_ends_the_walreceiver() {
    let (mut c, primary, standby) = streaming_pair(9);
    c.advance(SimDuration::from_secs(20));
    let last = c
        .stat_wal_receiver(standby)
        .and_then(|r| r.last_msg_receipt_time)
        .expect("a message arrived");
    c.partition(primary, standby);
    let timeout = "terminating walreceiver due to timeout";
    let mut ended_at = None;
    let until = c.now() + SimDuration::from_secs(120);
    while c.now() < until && c.step() {
        if server_log(&c, standby).contains(timeout) {
            ended_at = Some(c.now());
            break;
        }
    }
    let silent = ended_at.expect("the walreceiver times out") - last;
    // wal_receiver_timeout is 60s, checked every wal_receiver_status_interval (10s).
    assert!(
        silent >= SimDuration::from_secs(60) && silent < SimDuration::from_secs(70),
        "ended {silent:?} after the last message"
    );
    assert_ne!(
        c.stat_wal_receiver(standby).map(|r| r.status),
        Some("streaming")
    );
}

#[test]
fn a_standby_that_caught_up_reports_its_replay_position_at_once() {
    // PostgreSQL 15: a second after a write, replay_lsn equals flush_lsn on an idle
    // primary; the startup process asks for a reply when it has replayed everything.
    let (mut c, primary, _standby) = streaming_pair(6);
    c.set_workload(primary, 100);
    c.advance(SimDuration::from_secs(2));
    c.set_workload(primary, 0);
    c.advance(SimDuration::from_secs(1));
    let flush = c.node(primary).flush;
    let rows = c.stat_replication(primary);
    let w = rows.first().expect("a walsender");
    assert_eq!((w.flush_lsn, w.replay_lsn), (flush, flush), "{w:#?}");
}
