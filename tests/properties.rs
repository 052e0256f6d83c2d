//! Random fault sequences: the model never panics and its named invariants hold after
//! every event (the cluster checks them itself in debug builds; this test also asks
//! after every command). The sequences give the data directories small disks that the
//! workload fills, create and drop slots that hold WAL, and promote standbys, so two
//! invariants of issue 15 are exercised: no segment a slot that was not invalidated
//! still needs is removed (`slot_wal_kept`), and after every failover the lost list is
//! exactly the acknowledged commits above the promoted standby's flush position.

use proptest::prelude::*;
use walscope::script::{parse_line, Runner};
use walscope::sim::acked::LostCommits;
use walscope::sim::Cluster;

const SETUP: &str = include_str!("scenarios/two_standbys.walscope");

/// One command of the random sequence, as script text.
fn command() -> impl Strategy<Value = String> {
    let node = prop_oneof![Just("primary"), Just("standby1"), Just("standby2")];
    let standby = prop_oneof![Just("standby1"), Just("standby2")];
    prop_oneof![
        3 => (0u32..400).prop_map(|tps| if tps < 40 { "lab$ workload primary off".to_string() } else { format!("lab$ workload primary {tps}") }),
        1 => Just("lab$ workload primary 5000".to_string()),
        4 => (1u64..1500).prop_map(|ms| format!("lab$ wait {ms}ms")),
        1 => (5u64..40).prop_map(|s| format!("lab$ wait {s}s")),
        1 => (standby.clone(), 0u64..300).prop_map(|(s, ms)| format!("lab$ latency primary {s} {ms}ms")),
        1 => (standby.clone(), 1u64..200).prop_map(|(s, mb)| format!("lab$ bandwidth primary {s} {mb}MB/s")),
        1 => standby.clone().prop_map(|s| format!("lab$ partition primary {s}")),
        1 => standby.clone().prop_map(|s| format!("lab$ heal primary {s}")),
        1 => node.clone().prop_map(|n| format!("lab$ crash {n}")),
        2 => node.clone().prop_map(|n| format!("{n}$ pg_ctl start")),
        1 => node.clone().prop_map(|n| format!("{n}$ pg_ctl stop")),
        1 => (0u32..3).prop_map(|i| format!("primary=# ALTER SYSTEM SET synchronous_standby_names = '{}';", ["", "walreceiver", "ANY 1 (walreceiver)"][i as usize])),
        1 => Just("primary=# SELECT pg_reload_conf();".to_string()),
        1 => Just("primary=# CHECKPOINT;".to_string()),
        1 => Just("lab$ cancel primary".to_string()),
        1 => (0i64..1000).prop_map(|v| format!("primary=# INSERT INTO t VALUES ({v});")),
        1 => (0u32..2).prop_map(|i| format!("primary=# ALTER SYSTEM SET synchronous_commit = {};", ["on", "off"][i as usize])),
        1 => standby.clone().prop_map(|s| format!("{s}=# SELECT pg_promote();")),
        1 => standby.clone().prop_map(|s| format!("{s}$ pg_ctl promote")),
        1 => (node.clone(), 0usize..5).prop_map(|(n, i)| format!("lab$ disk {n} {}", ["64MB", "100MB", "160MB", "400MB", "20GB"][i])),
        1 => slot().prop_map(|s| format!("primary=# SELECT pg_create_physical_replication_slot('{s}', true);")),
        1 => slot().prop_map(|s| format!("primary=# SELECT pg_drop_replication_slot('{s}');")),
        1 => (standby.clone(), slot()).prop_map(|(n, s)| format!("{n}=# ALTER SYSTEM SET primary_slot_name = '{s}';")),
        1 => standby.clone().prop_map(|n| format!("{n}=# SELECT pg_reload_conf();")),
        1 => (0usize..3).prop_map(|i| format!("primary=# ALTER SYSTEM SET max_slot_wal_keep_size = '{}';", ["-1", "32MB", "64MB"][i])),
        1 => (0usize..3).prop_map(|i| format!("primary=# ALTER SYSTEM SET wal_keep_size = '{}';", ["0", "32MB", "96MB"][i])),
    ]
}

/// A slot name: two, so a standby often names one that exists.
fn slot() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("s1"), Just("s2")]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_faults(commands in prop::collection::vec(command(), 200)) {
        let mut r = Runner::new(7);
        r.run_text(SETUP).expect("setup parses");
        r.run_text("primary=# CREATE TABLE t (id int);\n").expect("parses");
        let mut last = r.now();
        let events_before = r.cluster.processed;
        // The newest failover checked, by when and whom it promoted (the cluster keeps
        // only the last few reports, so their count stops growing).
        let mut checked = None;
        for (i, text) in commands.iter().enumerate() {
            let line = parse_line(text, i + 1).expect("generated lines parse");
            r.run_line(&line);
            prop_assert!(r.now() >= last, "time went backwards at {}", text);
            last = r.now();
            if let Err(broken) = r.cluster.check_invariants() {
                prop_assert!(false, "after {:?}: {}", text, broken);
            }
            for f in r.cluster.lost_commits() {
                if checked.is_some_and(|k| (f.at, f.promoted) <= k) {
                    continue;
                }
                checked = Some((f.at, f.promoted));
                lost_is_what_the_standby_never_received(&r.cluster, f)?;
            }
        }
        // The sequence really exercised the model: time passed and events ran.
        prop_assert!(r.cluster.processed > events_before);
        prop_assert!(r.now().0 > 0);
    }
}

/// The invariant of a failover: the commits it lost are exactly the commits acknowledged
/// to clients, before the promotion, on the timeline the standby followed, past its
/// flush position. Its new timeline begins at the end of the last whole record it
/// flushed (PostgreSQL's EndOfLog), at or a partial record before that position, and
/// no acknowledged commit ends between the two.
fn lost_is_what_the_standby_never_received(
    c: &Cluster,
    f: &LostCommits,
) -> Result<(), TestCaseError> {
    let history = &c
        .host(f.promoted)
        .data
        .as_ref()
        .expect("promoted has data")
        .wal
        .history;
    let switch = history
        .iter()
        .find(|h| h.tli == f.tli)
        .map(|h| h.switchpoint);
    let switch = switch.expect("the history names the timeline it followed");
    prop_assert!(
        switch <= f.flush,
        "the new timeline begins at {} past the flush position {}",
        switch,
        f.flush
    );
    prop_assert!(
        c.acknowledged()
            .all(|a| a.tli != f.tli || a.lsn <= switch || a.lsn > f.flush),
        "a commit ends in the partial record between {} and {}",
        switch,
        f.flush
    );
    let mut lost: Vec<_> = c
        .acknowledged()
        .filter(|a| a.seq <= f.acked_before && a.tli == f.tli && a.lsn > f.flush)
        .collect();
    lost.sort_by_key(|a| (a.lsn, a.at));
    let txns: u64 = lost.iter().map(|a| a.txns()).sum();
    if f.complete {
        prop_assert_eq!((f.commits, f.txns), (lost.len() as u64, txns));
        prop_assert_eq!(
            f.range,
            lost.first().zip(lost.last()).map(|(a, b)| (a.lsn, b.lsn))
        );
        let first: Vec<_> = lost
            .iter()
            .take(f.first.len())
            .map(|a| (*a).clone())
            .collect();
        prop_assert_eq!(&f.first, &first);
    } else {
        prop_assert!(f.txns >= txns);
    }
    // Nothing the standby did receive is counted as lost.
    prop_assert!(f
        .first
        .iter()
        .chain(&f.last)
        .all(|a| a.lsn > f.flush && a.tli == f.tli));
    Ok(())
}

/// Input a student might mistype: any printable text after any prompt.
fn scribble() -> impl Strategy<Value = String> {
    let prompt = prop_oneof![
        Just("primary=# "),
        Just("standby1=# "),
        Just("primary$ "),
        Just("standby1$ "),
        Just("lab$ "),
        Just("")
    ];
    let words = prop_oneof![
        "[ -~]{0,60}",
        Just("pg_basebackup -h primary -D /var/lib/pgsql/data -X".to_string()),
        Just("pg_ctl -m".to_string()),
        Just("SELECT pg_wal_lsn_diff('0/0', 'x/y');".to_string()),
        Just("echo > ".to_string()),
        Just("rm -rf /".to_string()),
        Just("ALTER SYSTEM SET synchronous_standby_names = 'FIRST 0 (a)';".to_string()),
        Just("SELECT * FROM generate_series(1, 99999999999);".to_string()),
    ];
    (prompt, words).prop_map(|(p, w)| format!("{p}{w}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mistyped_input_never_breaks_the_lab(lines in prop::collection::vec(scribble(), 1..25)) {
        let mut r = Runner::new(5);
        r.run_text(SETUP).expect("setup parses");
        for (i, text) in lines.iter().enumerate() {
            // A line that does not parse is reported and nothing runs; one that parses runs.
            if let Ok(line) = parse_line(text, i + 1) {
                r.run_line(&line);
            }
        }
        prop_assert!(r.cluster.check_invariants().is_ok());
        // The lab still answers.
        let out = r.run_text("lab$ node add probe\n").expect("parses");
        prop_assert!(out.contains("probe") );
    }
}
