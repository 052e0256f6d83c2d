//! The WAL retention the stage draws (Cluster::wal_retention) and a timeline that
//! diverged (Cluster::diverged_from), against what SQL and the files say.

use walscope::script::Runner;

#[test]
fn a_slot_of_a_stopped_standby_keeps_its_segments_and_the_view_says_so() {
    let mut r = Runner::new(1);
    r.run_text(
        &("primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R -C -S s1
standby1$ pg_ctl start
lab$ wait 1s
standby1$ pg_ctl stop
primary=# ALTER SYSTEM SET wal_keep_size = '32MB';
primary=# ALTER SYSTEM SET max_slot_wal_keep_size = '160MB';
primary=# SELECT pg_reload_conf();
primary=# CREATE TABLE t (id int);
"
        .to_string()
            + &"primary=# INSERT INTO t VALUES (1);\nprimary=# SELECT pg_switch_wal();\n".repeat(7)
            + "primary=# CHECKPOINT;\n"),
    )
    .expect("parses");
    let c = &r.cluster;
    let p = c.host_id("primary").unwrap();
    let ret = c.wal_retention(p).expect("a data directory");
    let sql = r
        .run_text("primary=# SELECT slot_name, restart_lsn, wal_status, safe_wal_size FROM pg_replication_slots;\nprimary=# SELECT min(name) FROM pg_ls_waldir();\n")
        .expect("parses");
    let s1 = &ret.slots[0];
    assert_eq!(s1.slot_name, "s1");
    let restart = s1.restart_lsn.expect("reserved");
    // The slot's row is the SQL view's row.
    let row: Vec<String> = sql
        .lines()
        .find(|l| l.trim_start().starts_with("s1 "))
        .expect("a row for s1")
        .split('|')
        .map(|f| f.trim().to_string())
        .collect();
    assert_eq!(
        row,
        [
            "s1".to_string(),
            restart.to_string(),
            s1.wal_status.unwrap().to_string(),
            s1.safe_wal_size.unwrap().to_string()
        ]
    );
    // pg_wal starts at the slot's segment: the slot keeps it, wal_keep_size keeps two.
    assert_eq!(ret.oldest, restart.segment());
    assert!(sql.contains(ret.file(ret.oldest).unwrap()), "{sql}");
    assert!(ret.current >= ret.oldest + 4, "{ret:?}");
    assert_eq!(ret.keep_size_from, Some(ret.current - 2));
    assert_eq!(ret.slot_limit, Some(ret.current - 10));
    // One removed segment shows before the oldest one kept.
    assert_eq!(ret.first, ret.oldest - 1);
    assert!(ret.redo.segment() >= ret.current - 1);
}

#[test]
fn the_old_primary_diverged_after_an_async_failover() {
    let mut r = Runner::new(1);
    r.run_text(include_str!("scenarios/lost_async.walscope"))
        .expect("parses");
    let c = &r.cluster;
    let (p, s) = (
        c.host_id("primary").unwrap(),
        c.host_id("standby1").unwrap(),
    );
    let d = c.diverged_from(p, s).expect("diverged");
    assert_eq!((d.tli.0, d.primary_tli.0), (1, 2));
    let switch = c.host(s).data.as_ref().unwrap().wal.history[0].switchpoint;
    assert_eq!(d.at, Some(switch));
    assert_eq!(c.diverged_from(s, s), None);
}

/// A standby's clean stop ends its walsender on the primary before `pg_ctl stop`
/// returns: a line at the same virtual instant sees the slot inactive. As PostgreSQL
/// 15.18 does (a primary on /tmp/fid port 57441, `pg_basebackup -R -C -S s1`, the standby
/// started on 57442 and stopped with `pg_ctl -D /tmp/fid/s1 stop`; `psql` on the primary
/// right after printed `s1 | f | t` and `count 0` for pg_stat_replication).
#[test]
fn a_standby_that_stops_cleanly_leaves_its_slot_inactive_at_once() {
    let mut r = Runner::new(1);
    let t = r
        .run_text(
            "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary$ echo 'host replication postgres 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ pg_basebackup -h primary -D /var/lib/pgsql/data -R -C -S s1
standby1$ pg_ctl start
lab$ wait 1s
primary=# SELECT slot_name, active, active_pid IS NULL AS no_pid FROM pg_replication_slots;
standby1$ pg_ctl stop
primary=# SELECT slot_name, active, active_pid IS NULL AS no_pid FROM pg_replication_slots;
primary=# SELECT count(*) FROM pg_stat_replication;
",
        )
        .expect("parses");
    let after = t.rsplit("standby1$ pg_ctl stop\n").next().unwrap();
    assert!(after.contains(" s1        | f      | t\n(1 row)\n"), "{t}");
    assert!(after.contains(" count \n-------\n     0\n(1 row)\n"), "{t}");
    let before = t.split("standby1$ pg_ctl stop\n").next().unwrap();
    assert!(before.contains(" s1        | t      | f\n"), "{t}");
}
