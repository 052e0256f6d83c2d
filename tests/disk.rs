//! The disk under pg_wal: `df` figures, the PANIC when a segment does not fit, and the
//! recovery that keeps every committed transaction.

use walscope::script::Runner;

#[test]
fn a_full_pg_wal_stops_the_server_and_recovery_keeps_every_commit() {
    let mut r = Runner::new(1);
    r.run_text(include_str!("scenarios/disk_full.walscope"))
        .expect("scenario parses");
    let c = &r.cluster;
    let primary = c.host_id("primary").unwrap();
    assert!(
        c.host(primary).is_running(),
        "started again on the bigger disk"
    );
    let log = c
        .host(primary)
        .files
        .get("/var/lib/pgsql/data/log/postgresql.log")
        .unwrap()
        .clone();
    assert!(log.contains("PANIC:  could not write to file \"pg_wal/xlogtemp."));
    assert!(log.contains("LOG:  shutting down due to startup process failure"));
    assert!(log.contains("LOG:  database system was interrupted while in recovery at"));
    // Every commit a client was told about is still in the primary's WAL and tables.
    let flush = c.host(primary).data.as_ref().unwrap().wal.flush;
    assert!(c.acknowledged().count() >= 3);
    assert!(c.acknowledged().all(|a| a.lsn <= flush));
    // After the slot is dropped, the checkpoint removes the five segments it held, but
    // as PostgreSQL 15 does (RemoveXlogFile) it renames them to the next five segment
    // names instead of deleting them: min_wal_size (80MB) lets it keep five, and the
    // distance estimate more. pg_wal holds the segment being written and five recycled
    // ones, 96MB on the disk, and the checkpoint says so.
    let u = c.disk_usage(primary);
    assert_eq!(u.size, 256 * 1024 * 1024);
    assert_eq!(u.wal, 6 * 16 * 1024 * 1024);
    assert!(log.contains("0 WAL file(s) added, 0 removed, 5 recycled;"));
}

#[test]
fn df_shows_the_data_disk() {
    let mut r = Runner::new(1);
    let out = r
        .run_text("lab$ disk primary 1GB\nprimary$ df -h /var/lib/pgsql/data\n")
        .expect("parses");
    assert!(
        out.contains("/dev/vdb        1.0G   39M  986M   4% /var/lib/pgsql\n"),
        "{out}"
    );
    let out = r.run_text("lab$ disk primary 10\n").expect("parses");
    assert!(out.contains("lab: invalid size \"10\""), "{out}");
}

/// The fields of the output's first data row (after the header and its rule).
fn first_row(out: &str, after: &str) -> Vec<String> {
    let at = out.rfind(after).expect("the query ran");
    out[at..]
        .lines()
        .nth(3)
        .unwrap_or_default()
        .split('|')
        .map(|f| f.trim().to_string())
        .collect()
}

/// An interval as psql prints it (`00:00:08.39382`), in seconds.
fn secs(interval: &str) -> f64 {
    let mut parts = interval.split(':');
    let (h, m, s) = (
        parts.next().unwrap().parse::<f64>().unwrap(),
        parts.next().unwrap().parse::<f64>().unwrap(),
        parts.next().unwrap().parse::<f64>().unwrap(),
    );
    h * 3600.0 + m * 60.0 + s
}

#[test]
fn a_slow_standby_disk_makes_flush_and_replay_lag_grow_while_write_lag_stays_flat() {
    let mut r = Runner::new(1);
    let out = r
        .run_text(include_str!("scenarios/slow_disk.walscope"))
        .expect("scenario parses");
    let lag =
        "AS unwritten, pg_wal_lsn_diff(sent_lsn, replay_lsn) AS behind FROM pg_stat_replication;";
    let row = first_row(&out, lag);
    let (write, flush, replay) = (secs(&row[0]), secs(&row[1]), secs(&row[2]));
    assert!(
        write < 0.01,
        "write_lag {write} s: the network is fine\n{out}"
    );
    assert!(
        flush > 5.0 && replay >= flush,
        "flush_lag {flush} s, replay_lag {replay} s\n{out}"
    );
    let behind: u64 = row[4].parse().unwrap();
    assert!(behind > 1_000_000, "{behind} bytes behind\n{out}");
    // The walreceiver has written more than the disk has flushed.
    let out = r
        .run_text("standby1=# SELECT pg_wal_lsn_diff(written_lsn, flushed_lsn) > 0 AS flushing FROM pg_stat_wal_receiver;\n")
        .unwrap();
    assert!(out.contains(" flushing \n----------\n t\n"), "{out}");
    // A fast disk again: the standby catches up.
    let out = r
        .run_text("lab$ disk-speed standby1 off\nlab$ wait 5s\nprimary=# SELECT flush_lag, pg_wal_lsn_diff(sent_lsn, replay_lsn) AS behind FROM pg_stat_replication;\n")
        .unwrap();
    let row = first_row(&out, "AS behind FROM pg_stat_replication;");
    assert!(secs(&row[0]) < 0.01, "{out}");
    assert!(row[1].parse::<u64>().unwrap() < 100_000, "{out}");
    // A rate it cannot read is refused in words.
    let out = r.run_text("lab$ disk-speed standby1 fast\n").unwrap();
    assert!(
        out.contains("lab: invalid rate \"fast\" (use 5MB/s, 500kB/s or off)"),
        "{out}"
    );
}
