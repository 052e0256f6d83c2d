//! Same script and seed, same transcript and state, bit for bit.

use walscope::script::Runner;

const SCENARIO: &str = concat!(
    include_str!("scenarios/two_standbys.walscope"),
    "lab$ workload primary 500\nlab$ latency primary standby2 40ms\nlab$ wait 3s\n",
    "primary=# CREATE TABLE t (id int);\nprimary=# INSERT INTO t SELECT generate_series(1, 1000);\n",
    "lab$ partition primary standby1\nlab$ wait 70s\nlab$ heal primary standby1\nlab$ wait 10s\n",
    "primary=# SELECT application_name, state, sent_lsn, replay_lsn, sync_state FROM pg_stat_replication ORDER BY 1;\n",
    "standby1$ tail -n 5 log/postgresql.log\n",
);

fn run(seed: u64) -> (String, u64) {
    let mut r = Runner::new(seed);
    let t = r.run_text(SCENARIO).expect("scenario parses");
    (t, r.cluster.fingerprint())
}

#[test]
fn the_same_seed_gives_the_same_transcript_and_state() {
    let (a, fa) = run(42);
    let (b, fb) = run(42);
    assert_eq!(a, b);
    assert_eq!(fa, fb);
    // The partition outlasted wal_receiver_timeout, so the standby reconnected.
    assert!(
        a.contains("FATAL:  terminating walreceiver due to timeout"),
        "{a}"
    );
}

#[test]
fn the_seed_changes_process_ids_but_not_wal_positions() {
    let (a, fa) = run(1);
    let (b, fb) = run(2);
    assert_ne!(fa, fb, "pids and ports come from the seeded RNG");
    let lsns = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains("| streaming |"))
            .map(|l| l.split('|').skip(2).take(2).collect::<Vec<_>>().join("|"))
            .collect()
    };
    assert!(!lsns(&a).is_empty(), "{a}");
    assert_eq!(lsns(&a), lsns(&b));
}

#[test]
fn replaying_the_recorded_history_rebuilds_the_state() {
    let mut r = Runner::new(9);
    r.run_text(SCENARIO).expect("parses");
    let replayed = {
        let mut again = Runner::new(9);
        again
            .run_text(&r.script())
            .expect("the recorded script parses");
        again.cluster.run_until(r.now());
        again
    };
    assert_eq!(replayed.cluster.fingerprint(), r.cluster.fingerprint());
}
