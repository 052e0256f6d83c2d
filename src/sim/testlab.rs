//! A small lab for the model's unit tests, built through the cluster's public API the
//! way a user builds one: a primary listening on its address with a replication line
//! in pg_hba.conf, and a standby cloned with `pg_basebackup -R` and started.

use super::{BaseBackupOptions, Cluster, HostId, SimDuration, StopMode, WalMethod, PGDATA};

/// Appends `line` to the configuration file `file` under the host's data directory.
pub fn append_conf(c: &mut Cluster, h: HostId, file: &str, line: &str) {
    c.host_mut(h)
        .files
        .entry(format!("{PGDATA}/{file}"))
        .or_default()
        .push_str(&format!("{line}\n"));
}

/// The host's server log so far.
pub fn server_log(c: &Cluster, h: HostId) -> String {
    c.host(h)
        .pgdata_file("log/postgresql.log")
        .cloned()
        .unwrap_or_default()
}

/// A primary and one standby streaming from it (as `standby`), settled for a second.
pub fn streaming_pair(seed: u64) -> (Cluster, HostId, HostId) {
    let (mut c, primary, standby) = started_pair(seed);
    c.advance(SimDuration::from_secs(1));
    let rows = c.stat_replication(primary);
    assert_eq!(rows.len(), 1, "the standby streams: {rows:#?}");
    assert_eq!(rows[0].state, "streaming");
    (c, primary, standby)
}

/// A primary and a standby cloned from it, at the moment `pg_ctl start` returns on
/// the standby.
pub fn started_pair(seed: u64) -> (Cluster, HostId, HostId) {
    let mut c = Cluster::new(seed);
    let primary = c.host_id("primary").expect("the primary exists");
    append_conf(&mut c, primary, "postgresql.conf", "listen_addresses = '*'");
    append_conf(
        &mut c,
        primary,
        "pg_hba.conf",
        "host replication all 10.0.0.0/24 trust",
    );
    assert!(c.stop(primary, StopMode::Fast), "the primary stops");
    c.start(primary).expect("the primary starts");
    let standby = c.add_host("standby").expect("a new host");
    let id = c
        .start_basebackup(
            standby,
            BaseBackupOptions {
                host: Some("primary".to_string()),
                port: 5432,
                user: Some("postgres".to_string()),
                password: None,
                dir: PGDATA.to_string(),
                progress: false,
                verbose: false,
                write_recovery_conf: true,
                wal_method: WalMethod::Stream,
                create_slot: false,
                slot: None,
                fast_checkpoint: true,
            },
        )
        .expect("pg_basebackup starts");
    while c.basebackup(id).and_then(|b| b.finished).is_none() {
        c.advance(SimDuration::from_secs(1));
    }
    assert_eq!(c.basebackup(id).and_then(|b| b.finished), Some(true));
    c.start(standby).expect("the standby starts");
    (c, primary, standby)
}
