use super::*;
use crate::testlab::{append_conf, streaming_pair};
use crate::{HostId, StopMode};

/// A primary and a streaming standby that let applications in.
fn lab(seed: u64) -> (Cluster, HostId, HostId) {
    let (mut c, primary, standby) = streaming_pair(seed);
    for h in [primary, standby] {
        append_conf(&mut c, h, "pg_hba.conf", "host all all 10.0.0.0/24 trust");
        c.reload(h);
    }
    (c, primary, standby)
}

#[test]
fn a_writer_finds_the_primary_and_its_rows_reach_the_standby() {
    let (mut c, primary, standby) = lab(1);
    c.add_app(
        "shop",
        "host=standby,primary target_session_attrs=read-write",
        10,
        AppKind::Writer,
    )
    .unwrap();
    c.advance(SimDuration::from_secs(2));
    let app = &c.apps()[0];
    assert_eq!(app.server(), Some(primary));
    assert!(app.counters.writes_acked >= 19, "{:?}", app.counters);
    assert_eq!(app.counters.writes_failed, 0);
    let rows = c
        .data(standby)
        .unwrap()
        .db
        .tables
        .get(APP_TABLE)
        .unwrap()
        .rows
        .len() as u64;
    assert!(
        rows >= app.counters.writes_acked - 1,
        "the standby replays the rows"
    );
    // pg_stat_activity on the primary shows it, with its application_name and address.
    let act = c.stat_activity_relation(primary);
    let row = act
        .rows
        .iter()
        .find(|r| r[6] == crate::Datum::Text("shop".into()))
        .expect("the application's backend");
    assert_eq!(row[7], crate::Datum::Text("10.0.0.100".into()));
    c.remove_app("shop").unwrap();
    assert!(c
        .stat_activity_relation(primary)
        .rows
        .iter()
        .all(|r| r[6] != crate::Datum::Text("shop".into())));
}

#[test]
fn a_writer_fails_while_the_primary_is_down_and_resumes_on_the_promoted_standby() {
    let (mut c, primary, standby) = lab(2);
    c.add_app(
        "shop",
        "host=primary,standby target_session_attrs=read-write",
        10,
        AppKind::Writer,
    )
    .unwrap();
    c.advance(SimDuration::from_secs(2));
    let before = c.apps()[0].counters.clone();
    c.crash(primary);
    c.advance(SimDuration::from_secs(3));
    let during = c.apps()[0].counters.clone();
    assert_eq!(
        during.writes_acked, before.writes_acked,
        "nothing is acknowledged"
    );
    assert!(during.writes_failed >= 3, "{during:?}");
    let err = &c.apps()[0].last_error.as_ref().unwrap().1;
    assert!(
        err.contains("failed: Connection refused") && err.ends_with("failed: session is read-only"),
        "{err}"
    );
    assert!(c.promote(standby));
    c.advance(SimDuration::from_secs(3));
    let app = &c.apps()[0];
    assert_eq!(app.server(), Some(standby));
    assert!(
        app.counters.writes_acked > during.writes_acked + 10,
        "{:?}",
        app.counters
    );
    let _ = StopMode::Fast;
}

#[test]
fn reads_on_an_async_standby_can_be_stale_and_never_under_remote_apply() {
    let (mut c, primary, standby) = lab(3);
    c.set_latency(primary, standby, SimDuration::from_millis(50));
    c.add_app("shop", "host=primary", 20, AppKind::Writer)
        .unwrap();
    c.add_app("report", "host=standby", 20, AppKind::Reader)
        .unwrap();
    c.advance(SimDuration::from_secs(3));
    let r = &c.apps()[1].counters;
    assert!(r.reads > 40 && r.stale_reads > 0, "{r:?}");
    // The standby becomes synchronous and commits wait until it has replayed them.
    append_conf(
        &mut c,
        primary,
        "postgresql.auto.conf",
        "synchronous_standby_names = '*'",
    );
    append_conf(
        &mut c,
        primary,
        "postgresql.auto.conf",
        "synchronous_commit = remote_apply",
    );
    c.reload(primary);
    c.advance(SimDuration::from_secs(1));
    let stale = c.apps()[1].counters.stale_reads;
    let acked = c.apps()[0].counters.writes_acked;
    c.advance(SimDuration::from_secs(3));
    assert_eq!(
        c.apps()[1].counters.stale_reads,
        stale,
        "no stale read under remote_apply"
    );
    assert!(c.apps()[0].counters.writes_acked > acked + 10);
}
