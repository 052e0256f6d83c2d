//! Families of hostile scripts: huge times and rates, shell abuse of the data
//! directory, `lab$` abuse, odd text; fixed cases, then random mixes of them.

use proptest::prelude::*;

use super::{run_case, Outcome};
use walscope::script::runner::MAX_EVENTS_PER_COMMAND;

/// A primary streaming to standby1 and standby2.
const TWO: &str = include_str!("../scenarios/two_standbys.walscope");

/// The per-command event bound the cases run with: lower than the app's, so a case
/// that reaches it does so quickly under the debug build's invariant checks.
const EVENTS: u64 = 200_000;

fn run(script: &str) -> Outcome {
    run_case(script, EVENTS)
}

fn with_two(tail: &str) -> Outcome {
    run(&format!("{TWO}{tail}"))
}

#[test]
fn a_time_past_the_end_of_a_lab_is_refused_when_read() {
    for t in ["@277777h", "@25h", "@18446744073709551615us", "@1e300s"] {
        let o = run(&format!("{t} lab$ wait 1s\n"));
        assert!(!o.parsed, "{t}: {}", o.text);
        assert!(o.text.starts_with("line 1: "), "{t}: {}", o.text);
    }
    let o = run("@277777h lab$ wait 1s\n");
    assert_eq!(
        o.text,
        "line 1: time \"@277777h\" is past the end of a lab (its clock stops at 24h)"
    );
    // The last moment of the clock is still a time a line may run at.
    let o = run("@24h primary=# SELECT 1;\n");
    assert!(o.parsed && o.text.contains("(1 row)"), "{}", o.text);
}

#[test]
fn a_wait_past_the_clock_is_refused_with_what_is_left() {
    let o = run("@23h lab$ wait 2h\nprimary=# SELECT 1;\n");
    assert!(
        o.text.contains(
            "lab: the lab's clock stops at 24h and it is 82800.000s now: wait at most 3600.000s"
        ),
        "{}",
        o.text
    );
    assert!(o.text.contains("(1 row)"), "{}", o.text);
    let o = run("lab$ wait 25h\n");
    assert!(
        o.text.contains("lab: wait at most 24h at a time"),
        "{}",
        o.text
    );
}

#[test]
fn huge_latencies_bandwidths_and_rates_are_refused() {
    let o = with_two("lab$ latency primary standby1 10000h\n");
    assert!(
        o.text.contains("lab: latency at most 10min (one way)"),
        "{}",
        o.text
    );
    let o = with_two(
        "lab$ bandwidth primary standby1 1e30GB/s\nlab$ bandwidth primary standby1 0B/s\n",
    );
    assert_eq!(o.text.matches("lab: invalid rate").count(), 2, "{}", o.text);
    let o = run("lab$ workload primary 99999999999\nlab$ workload primary 100001\n");
    assert!(
        o.text.contains("lab: invalid rate \"99999999999\""),
        "{}",
        o.text
    );
    assert!(
        o.text
            .contains("lab: the workload runs at most 100000 transactions per second"),
        "{}",
        o.text
    );
}

#[test]
fn a_base_backup_over_a_slow_link_ends_in_bounded_work_with_a_message() {
    // The reproducer of issue 11 with the longest latency allowed, and a link of one
    // byte a second under a workload: the backup cannot finish before the lab's
    // bounds, and the runner says so instead of running on.
    for link in ["latency primary s2 10min", "bandwidth primary s2 1B/s"] {
        let o = run(&format!(
            "primary=# ALTER SYSTEM SET listen_addresses = '*';\n\
             primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';\n\
             primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf\n\
             primary$ pg_ctl restart\n\
             lab$ node add s2\n\
             lab$ workload primary 1000\n\
             lab$ {link}\n\
             s2$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R\n\
             primary=# SELECT 'still here';\n"
        ));
        assert!(o.text.contains("still here"), "{link}: {}", o.text);
    }
    let o = run("primary=# ALTER SYSTEM SET listen_addresses = '*';\n\
         primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';\n\
         primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf\n\
         primary$ pg_ctl restart\n\
         lab$ node add s2\n\
         lab$ workload primary 1000\n\
         lab$ bandwidth primary s2 1B/s\n\
         s2$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R\n");
    assert!(
        o.text.contains("walscope: stopped at ")
            && o.text
                .contains("the most events of the model one command may run"),
        "{}",
        o.text
    );
}

#[test]
fn a_wait_under_a_heavy_workload_stops_at_the_event_bound_and_the_lab_goes_on() {
    let o = run_case(
        &format!("{TWO}lab$ workload primary 1000\nlab$ wait 23h\nprimary=# SELECT 'next';\n"),
        50_000,
    );
    assert!(o.text.contains("walscope: stopped at "), "{}", o.text);
    assert!(o.text.contains("next"), "{}", o.text);
}

#[test]
fn a_seed_line_keeps_the_bound_on_a_command_s_events() {
    // `lab$ seed` builds a new lab; the bound the runner was given must survive it.
    let o = run_case(
        &format!("lab$ seed 7\n{TWO}lab$ workload primary 1000\nlab$ wait 23h\n"),
        50_000,
    );
    assert!(o.text.contains("walscope: stopped at "), "{}", o.text);
}

#[test]
fn the_app_bound_is_a_few_seconds_of_work() {
    // The bound the app uses, checked against what a lesson needs: an hour of the
    // first example lab (three standbys, 1,000 TPS) is 2.4 million events.
    const { assert!(MAX_EVENTS_PER_COMMAND >= 2_400_000 && MAX_EVENTS_PER_COMMAND <= 10_000_000) };
}

#[test]
fn shell_abuse_of_the_data_directory_never_panics() {
    for cmd in [
        "rm -rf /var/lib/pgsql/data",
        "rm -rf /var/lib/pgsql/data/pg_wal",
        "rm -f /var/lib/pgsql/data/pg_wal/*",
        "rm /var/lib/pgsql/data/postmaster.pid",
        "rm /var/lib/pgsql/data/postgresql.conf",
        "rm pg_hba.conf",
        "echo '' > pg_hba.conf",
        "echo 'garbage garbage' > postgresql.conf",
        "cat /dev/zero",
        "rm -rf /",
        "echo \u{0} >> postgresql.conf",
        "pg_ctl -D /nonexistent start",
        "pg_basebackup -D /var/lib/pgsql/data",
    ] {
        for node in ["primary", "standby1"] {
            let o = with_two(&format!(
                "{node}$ {cmd}\n{node}$ pg_ctl restart\nlab$ wait 5s\nprimary=# SELECT 'alive';\n"
            ));
            assert!(o.parsed, "{cmd}: {}", o.text);
        }
    }
}

#[test]
fn lab_abuse_never_panics() {
    let many: String = (0..70).map(|i| format!("lab$ node add n{i}\n")).collect();
    for tail in [
        "lab$ node add primary\n",
        "lab$ node rename primary primary\n",
        "lab$ node rename standby1 standby2\n",
        "lab$ partition primary primary\n",
        "lab$ crash nobody\nlab$ cancel nobody\n",
        "lab$ seed 5\n",
        "lab$ crash primary\nlab$ crash primary\nlab$ wait 1s\n",
        "lab$ partition primary standby1\nlab$ workload primary 100000\nlab$ wait 1h\nlab$ heal primary standby1\nlab$ wait 10s\n",
        many.as_str(),
        "lab$\n",
        "lab$ wait\n",
        "lab$ wait -1s\n",
        "lab$ wait NaNs\n",
        "lab$ wait 1e400s\n",
    ] {
        with_two(tail);
    }
}

#[test]
fn odd_text_in_shell_and_lab_lines_is_read_or_refused_in_words() {
    for text in [
        "primary$ echo \u{0}\n",
        "lab$ node add \u{0}\n",
        "primary$ echo '🐘' >> postgresql.conf\nprimary$ pg_ctl restart\n",
        "lab$ node add 🐘\n",
        "\u{feff}primary=# SELECT 1;\n",
        "lab$ wait 1s\r\nprimary=# SELECT 1;\r\n",
        "primary$ echo \u{fffd}\u{fffd}\n",
        "primary=# SELECT 'unterminated\n",
        "primary$ cat '\n",
        "lab$ wait 1s\u{2028}primary=# SELECT 1;\n",
    ] {
        run(text);
    }
    // A file saved with a byte-order mark runs like the same file without it.
    let with = run("\u{feff}primary=# SELECT 1;\n");
    let without = run("primary=# SELECT 1;\n");
    assert!(with.parsed, "{}", with.text);
    assert_eq!(with.text, without.text);
}

#[test]
fn invalid_utf8_in_a_script_file_is_refused_by_the_runner_in_words() {
    let dir = std::env::temp_dir().join(format!("walscope-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.walscope");
    std::fs::write(&file, b"primary=# SELECT '\xff\xfe';\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_walscope"))
        .arg("run")
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("walscope: cannot read "), "{err}");
}

/// One hostile line from any family.
fn hostile_line() -> impl Strategy<Value = String> {
    let node = prop_oneof![
        Just("primary"),
        Just("standby1"),
        Just("standby2"),
        Just("ghost")
    ];
    let unit = prop_oneof![
        Just("us"),
        Just("ms"),
        Just("s"),
        Just("min"),
        Just("h"),
        Just("")
    ];
    let odd = prop_oneof![
        Just("\u{0}"),
        Just("\u{feff}"),
        Just("\r"),
        Just("🐘"),
        Just("'"),
        Just("\""),
        Just("/*"),
        Just("\\"),
        Just(";")
    ];
    prop_oneof![
        (any::<u64>(), unit.clone()).prop_map(|(n, u)| format!("@{n}{u} lab$ wait 1s")),
        (any::<u64>(), unit.clone()).prop_map(|(n, u)| format!("lab$ wait {}{u}", n % 100_000)),
        (node.clone(), any::<u64>(), unit.clone())
            .prop_map(|(n, v, u)| format!("lab$ latency primary {n} {}{u}", v % 1_000_000)),
        (node.clone(), any::<u32>(), prop_oneof![Just("B"), Just("kB"), Just("MB"), Just("Gbit")])
            .prop_map(|(n, v, u)| format!("lab$ bandwidth primary {n} {v}{u}/s")),
        (node.clone(), any::<u32>()).prop_map(|(n, v)| format!("lab$ workload {n} {}", v % 120_000)),
        node.clone().prop_map(|n| format!("lab$ crash {n}")),
        (node.clone(), node.clone()).prop_map(|(a, b)| format!("lab$ partition {a} {b}")),
        (node.clone(), node.clone()).prop_map(|(a, b)| format!("lab$ heal {a} {b}")),
        node.clone().prop_map(|n| format!("lab$ cancel {n}")),
        (node.clone(), prop_oneof![
            Just("rm -rf /var/lib/pgsql/data"),
            Just("rm -f /var/lib/pgsql/data/pg_wal/*"),
            Just("rm /var/lib/pgsql/data/postmaster.pid"),
            Just("rm /var/lib/pgsql/data/postgresql.conf"),
            Just("echo '' > pg_hba.conf"),
            Just("pg_ctl restart"),
            Just("pg_ctl stop"),
            Just("pg_ctl start"),
            Just("PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R"),
        ])
            .prop_map(|(n, c)| format!("{n}$ {c}")),
        (node.clone(), odd.clone(), odd.clone()).prop_map(|(n, a, b)| format!("{n}$ echo {a}x{b}")),
        (odd.clone(), odd).prop_map(|(a, b)| format!("lab$ node add {a}{b}")),
        Just("primary=# INSERT INTO t VALUES (1);".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_mixes_of_the_families_stay_within_budget(lines in prop::collection::vec(hostile_line(), 1..12)) {
        let mut script = format!("{TWO}primary=# CREATE TABLE t (a int);\nlab$ workload primary 200\n");
        for l in &lines {
            script.push_str(l);
            script.push('\n');
        }
        run(&script);
    }
}

#[test]
fn a_server_without_its_configuration_files_does_not_start() {
    // PostgreSQL 15: postgres writes the first to stderr before logging starts, which
    // pg_ctl -l sends to the log file too (PostgreSQL 15.18, `mv postgresql.conf` away
    // and `pg_ctl start -l DIR/log/postgresql.log`: ` stopped waiting`, and the log's last
    // line); the other two go to the log, followed by FATAL:  could not load pg_hba.conf.
    let o = run("primary$ rm /var/lib/pgsql/data/postgresql.conf\nprimary$ pg_ctl restart\nprimary$ tail -n 1 log/postgresql.log\n");
    assert!(
        o.text.contains("waiting for server to start.... stopped waiting\npg_ctl: could not start server")
            && o.text.contains("primary$ tail -n 1 log/postgresql.log\npostgres: could not access the server configuration file \"/var/lib/pgsql/data/postgresql.conf\": No such file or directory\n"),
        "{}",
        o.text
    );
    for (how, line) in [
        ("echo '' > pg_hba.conf", "LOG:  configuration file \"/var/lib/pgsql/data/pg_hba.conf\" contains no entries"),
        ("rm pg_hba.conf", "LOG:  could not open configuration file \"/var/lib/pgsql/data/pg_hba.conf\": No such file or directory"),
    ] {
        let o = run(&format!(
            "primary$ pg_ctl stop\nprimary$ {how}\nprimary$ pg_ctl start\nprimary$ tail -2 /var/lib/pgsql/data/log/postgresql.log\n"
        ));
        assert!(o.text.contains("pg_ctl: could not start server"), "{how}: {}", o.text);
        assert!(o.text.contains(line), "{how}: {}", o.text);
        assert!(o.text.contains("FATAL:  could not load pg_hba.conf"), "{how}: {}", o.text);
    }
}

#[test]
fn two_standbys_on_one_slot_get_postgresql_s_error_on_both_ends() {
    let o = with_two(
        "primary=# SELECT pg_create_physical_replication_slot('s1');\n\
         standby1=# ALTER SYSTEM SET primary_slot_name = 's1';\n\
         standby1$ pg_ctl restart\n\
         lab$ wait 2s\n\
         standby2=# ALTER SYSTEM SET primary_slot_name = 's1';\n\
         standby2$ pg_ctl restart\n\
         lab$ wait 2s\n\
         primary$ tail -2 /var/lib/pgsql/data/log/postgresql.log\n\
         standby2$ tail -1 /var/lib/pgsql/data/log/postgresql.log\n",
    );
    let t = &o.text;
    let primary_error = t.find("ERROR:  replication slot \"s1\" is active for PID ");
    assert!(primary_error.is_some(), "{t}");
    assert!(
        t.contains("STATEMENT:  START_REPLICATION SLOT \"s1\" 0/"),
        "{t}"
    );
    assert!(
        t.contains("FATAL:  could not start WAL streaming: ERROR:  replication slot \"s1\" is active for PID "),
        "{t}"
    );
}
