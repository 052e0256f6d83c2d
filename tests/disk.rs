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
    let log = c.host(primary).files["/var/lib/pgsql/data/log/postgresql.log"].clone();
    assert!(log.contains("PANIC:  could not write to file \"pg_wal/xlogtemp."));
    assert!(log.contains("LOG:  shutting down due to startup process failure"));
    assert!(log.contains("LOG:  database system was interrupted while in recovery at"));
    // Every commit a client was told about is still in the primary's WAL and tables.
    let flush = c.host(primary).data.as_ref().unwrap().wal.flush;
    assert!(c.acknowledged().count() >= 3);
    assert!(c.acknowledged().all(|a| a.lsn <= flush));
    // After the slot is dropped and a checkpoint runs, pg_wal is one segment again.
    let u = c.disk_usage(primary);
    assert_eq!(u.size, 256 * 1024 * 1024);
    assert_eq!(u.wal, 16 * 1024 * 1024);
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
