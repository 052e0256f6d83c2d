//! The end-of-recovery checkpoint after pg_promote() is spread (issue 12, point 6), as
//! on PostgreSQL 15.18. Recorded on a real server (Debian, 127.0.0.1): a standby cloned
//! with `pg_basebackup -R`, started, then `CREATE TABLE tt (id int); INSERT INTO tt
//! VALUES (1)` on the primary and `SELECT pg_promote()` on the standby; polling
//! `SELECT now()::time, timeline_id FROM pg_control_checkpoint()` every 0.5 s gave 1
//! for about 2 s, then 2. The standby's log, in this order:
//! `received promote request`, `FATAL:  terminating walreceiver process due to
//! administrator command`, `redo done at ...`, `last completed transaction was at log
//! time ...`, `selected new timeline ID: 2`, `archive recovery complete`,
//! `checkpoint starting: force`, `database system is ready to accept connections`, and
//! 1.9 s later `checkpoint complete: wrote 22 buffers (0.1%); ...; write=1.906 s, ...;
//! distance=16474 kB`.

use walscope::script::run_script;

const LAB: &str = "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
lab$ wait 1s
primary=# CREATE TABLE tt (id int);
primary=# INSERT INTO tt VALUES (1);
lab$ wait 1s
standby1=# SELECT pg_promote();
";

fn timeline_after(wait: &str) -> String {
    let t = run_script(&format!(
        "{LAB}lab$ wait {wait}\nstandby1=# SELECT timeline_id FROM pg_control_checkpoint();\n"
    ))
    .unwrap();
    let out = t
        .rsplit("SELECT timeline_id FROM pg_control_checkpoint();\n")
        .next()
        .unwrap();
    out.lines().nth(2).unwrap().trim().to_string()
}

#[test]
fn pg_control_keeps_timeline_1_until_the_checkpoint_completes() {
    assert_eq!(timeline_after("1ms"), "1");
    assert_eq!(timeline_after("1s"), "1");
    assert_eq!(timeline_after("3s"), "2");
    // The server accepts writes meanwhile.
    let t = run_script(&format!(
        "{LAB}standby1=# SELECT pg_is_in_recovery();\nstandby1=# INSERT INTO tt VALUES (2);\n"
    ))
    .unwrap();
    assert!(
        t.contains("standby1=# INSERT INTO tt VALUES (2);\nINSERT 0 1\n"),
        "{t}"
    );
}

#[test]
fn the_log_has_postgresqls_order_and_the_checkpoint_completes_later() {
    let t = run_script(&format!(
        "{LAB}lab$ wait 5s\nstandby1$ tail -n 9 log/postgresql.log\n"
    ))
    .unwrap();
    let log = t
        .rsplit("standby1$ tail -n 9 log/postgresql.log\n")
        .next()
        .unwrap();
    let msgs: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("2026-"))
        .map(|l| l.split_once("] ").unwrap().1)
        .collect();
    assert_eq!(msgs[0], "LOG:  received promote request");
    assert_eq!(
        msgs[1],
        "FATAL:  terminating walreceiver process due to administrator command"
    );
    assert!(msgs[2].starts_with("LOG:  redo done at 0/"), "{msgs:#?}");
    assert!(msgs[3].starts_with("LOG:  last completed transaction was at log time "));
    assert_eq!(msgs[4], "LOG:  selected new timeline ID: 2");
    assert_eq!(msgs[5], "LOG:  archive recovery complete");
    assert_eq!(msgs[6], "LOG:  checkpoint starting: force");
    assert_eq!(
        msgs[7],
        "LOG:  database system is ready to accept connections"
    );
    // The model's estimate for this lab: 23 buffers (PostgreSQL wrote 22), write=2.100 s
    // (1.906 s), distance 16472 kB (16474 kB).
    assert!(
        msgs[8].starts_with("LOG:  checkpoint complete: wrote 23 buffers (0.1%); ")
            && msgs[8].contains("write=2.100 s")
            && msgs[8].ends_with("distance=16472 kB, estimate=16472 kB"),
        "{msgs:#?}"
    );
    let stamp = |i: usize| {
        log.lines()
            .filter(|l| l.starts_with("2026-"))
            .nth(i)
            .unwrap()
            .get(11..23)
            .unwrap()
            .to_string()
    };
    assert_eq!(stamp(6), "09:00:02.310");
    assert_eq!(stamp(8), "09:00:04.417");
}
