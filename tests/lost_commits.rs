//! What a failover lost: the commits acknowledged to clients that the promoted standby
//! never received (`Cluster::lost_commits`, `lab$ lost`, the Log).

use walscope::script::Runner;

fn run(script: &str) -> Runner {
    let mut r = Runner::new(1);
    r.run_text(script).expect("scenario parses");
    r
}

#[test]
fn an_async_failover_loses_the_commits_the_standby_never_received() {
    let r = run(include_str!("scenarios/lost_async.walscope"));
    let c = &r.cluster;
    let f = c.lost_commits().last().expect("a promotion was recorded");
    // 200 workload transactions (2 s at 100 TPS while cut off) and one INSERT.
    assert_eq!((f.txns, f.commits), (201, 101));
    assert!(f.complete);
    let primary = c.host_id("primary").unwrap();
    assert_eq!(f.from, vec![primary]);
    assert_eq!(c.host(f.promoted).name, "standby1");
    assert_eq!(
        f.last.last().map(|a| a.describe()),
        Some("INSERT INTO orders VALUES (2);".to_string())
    );
    let log: Vec<&str> = c.events().iter().map(|e| e.text.as_str()).collect();
    assert!(
        log.iter().any(|t| t.starts_with(
            "201 committed transactions acknowledged to clients are not on the new primary"
        )),
        "{log:#?}"
    );
}

#[test]
fn a_sync_failover_loses_nothing() {
    let r = run(include_str!("scenarios/lost_sync.walscope"));
    let c = &r.cluster;
    let f = c.lost_commits().last().expect("a promotion was recorded");
    assert_eq!((f.txns, f.commits), (0, 0));
    // Acknowledged commits there were, and all of them are on standby1.
    assert!(c.acknowledged().count() > 50);
    assert!(!c
        .events()
        .iter()
        .any(|e| e.text.contains("are not on the new primary")));
}

#[test]
fn a_commit_acknowledged_before_its_flush_is_lost_in_a_crash() {
    let r = run("primary=# CREATE TABLE t (id int);\nprimary=# SET synchronous_commit = off;\nprimary=# INSERT INTO t VALUES (1);\nlab$ crash primary\n");
    let c = &r.cluster;
    assert_eq!(c.acknowledged().count(), 1, "only CREATE TABLE is left");
    assert!(c.events().iter().any(|e| e.text
        == "1 committed transaction acknowledged to a client is lost in the crash of primary"));
}

#[test]
fn a_workload_blocked_in_syncrep_stops_writing_wal() {
    // The synchronous standby cut off: every client waits at its COMMIT, as pgbench's do,
    // so the primary's WAL stops growing once a second's worth of commits wait (the
    // model's queue of waiting commits stays bounded too).
    let setup = include_str!("scenarios/lost_sync.walscope");
    let setup = &setup[..setup.find("lab$ wait 2s").unwrap()];
    let mut r = Runner::new(1);
    r.run_text(setup).unwrap();
    let lsn = |r: &mut Runner| -> u64 {
        let out = r
            .run_text("primary=# SELECT pg_current_wal_lsn();\n")
            .unwrap();
        let text = out.lines().nth(3).unwrap_or_default().trim().to_string();
        let (hi, lo) = text.split_once('/').expect("an LSN");
        u64::from_str_radix(hi, 16).unwrap() << 32 | u64::from_str_radix(lo, 16).unwrap()
    };
    r.run_text("lab$ wait 2s\n").unwrap();
    let after_2s = lsn(&mut r);
    r.run_text("lab$ wait 30s\n").unwrap();
    // 30 s at 100 TPS would be 3,000 commits; only the background writer's
    // running-transactions records (56 bytes) are written.
    let grown = lsn(&mut r) - after_2s;
    assert!(
        grown < 200,
        "{grown} bytes written while no client can commit"
    );
    // The standby back: the waits end and the workload writes again.
    r.run_text("lab$ heal primary standby1\nlab$ wait 5s\n")
        .unwrap();
    assert!(lsn(&mut r) - after_2s > 10_000);
}
