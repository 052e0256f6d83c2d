//! pg_rewind of a target that crashed (issue 12): PostgreSQL 15's pg_rewind runs the
//! target in single-user mode (`postgres --single -F -D PGDATA template1 < /dev/null`,
//! pg_rewind.c's ensureCleanShutdown) to finish crash recovery, then goes on. Every
//! expected text is PostgreSQL 15.18's (Debian's postgresql-15), from
//! `scripts/compare --save DIR tests/compare/rewind-after-crash.walscope` and
//! `tests/compare/rewind-after-crash-hints.walscope` (the scripts below are theirs);
//! timestamps and pids are walscope's.

#[path = "common/transcript.rs"]
mod transcript;

use transcript::{output_of, run};

/// The lab of tests/compare/rewind-after-crash.walscope up to the crash and promotion.
const CRASHED: &str = "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ echo 'host all postgres 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
primary=# CREATE TABLE test (id int);
lab$ wait 1s
lab$ crash primary
standby1=# SELECT pg_promote();
";

const REWIND: &str =
    "primary$ pg_rewind -D /var/lib/pgsql/data --source-server='host=standby1 user=postgres'";

/// A log line without its timestamp and pid, as scripts/compare compares them.
fn unstamped(line: &str) -> String {
    match line.find(" UTC [") {
        Some(i) => {
            let rest = &line[i + 6..];
            let prefix = line[..i].rsplit_once(' ').map_or("", |_| {
                // "backend> 2026-11-24 09:00:00.000": keep what precedes the timestamp.
                &line[..line[..i].len().saturating_sub(23)]
            });
            format!("{prefix}<time> [<pid>{}", &rest[rest.find(']').unwrap()..])
        }
        None => line.to_string(),
    }
}

fn unstamped_output(t: &str, command: &str) -> String {
    output_of(t, command)
        .split("-- virtual time")
        .next()
        .unwrap_or_default()
        .lines()
        .map(|l| unstamped(l) + "\n")
        .collect()
}

/// wal_log_hints off: crash recovery in single-user mode first, then the check fails.
/// PostgreSQL 15.18 printed these lines (its banner says `15.18 (Debian
/// 15.18-0+deb12u1)`, its end-of-recovery checkpoint `wrote 25 buffers (0.2%)`:
/// walscope's build is a plain 15.18 and counts 22 buffers, one per 4 kB replayed).
#[test]
fn pg_rewind_finishes_a_crashed_targets_recovery_then_checks_wal_log_hints() {
    let t = run(&format!("{CRASHED}{REWIND}\n"));
    assert_eq!(
        unstamped_output(&t, REWIND),
        "pg_rewind: executing \"/usr/lib/postgresql/15/bin/postgres\" for target server to complete crash recovery
<time> [<pid>] LOG:  database system was interrupted; last known up at 2026-11-24 09:00:00 UTC
<time> [<pid>] LOG:  database system was not properly shut down; automatic recovery in progress
<time> [<pid>] LOG:  redo starts at 0/2000028
<time> [<pid>] LOG:  invalid record length at 0/3015FC8: wanted 24, got 0
<time> [<pid>] LOG:  redo done at 0/3015E30 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s
<time> [<pid>] LOG:  checkpoint starting: end-of-recovery immediate wait
<time> [<pid>] LOG:  checkpoint complete: wrote 22 buffers (0.1%); 0 WAL file(s) added, 0 removed, 1 recycled; write=0.003 s, sync=0.001 s, total=0.008 s; sync files=0, longest=0.000 s, average=0.000 s; distance=16471 kB, estimate=16471 kB

PostgreSQL stand-alone backend 15.18
backend> <time> [<pid>] LOG:  checkpoint starting: shutdown immediate
<time> [<pid>] LOG:  checkpoint complete: wrote 0 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.003 s, sync=0.001 s, total=0.008 s; sync files=0, longest=0.000 s, average=0.000 s; distance=0 kB, estimate=14824 kB
pg_rewind: error: target server needs to use either data checksums or \"wal_log_hints = on\"
"
    );
    // The stand-alone backend writes to pg_rewind's stderr, not to the server log; and
    // it leaves the target shut down cleanly: the next pg_rewind goes straight to the
    // check, and a start needs no crash recovery.
    let t = run(&format!(
        "{CRASHED}{REWIND}\nprimary$ tail -n 1 log/postgresql.log\nprimary$ pg_controldata\n{REWIND}\nprimary$ pg_ctl start\nprimary$ tail -n 2 log/postgresql.log\n"
    ));
    assert!(
        !output_of(&t, "primary$ tail -n 1 log/postgresql.log").contains("end-of-recovery"),
        "{t}"
    );
    assert!(
        output_of(&t, "primary$ pg_controldata")
            .contains("Database cluster state:               shut down\n"),
        "{t}"
    );
    let second = t.rsplit(&format!("{REWIND}\n")).next().unwrap_or_default();
    assert!(
        second.starts_with("pg_rewind: error: target server needs to use either data checksums or \"wal_log_hints = on\"\nprimary$ pg_ctl start\n"),
        "{t}"
    );
    let log = unstamped_output(&t, "primary$ tail -n 2 log/postgresql.log");
    assert!(
        log.starts_with("<time> [<pid>] LOG:  database system was shut down at "),
        "{log}"
    );
}

/// With -P, `connected to server` comes first (pg_rewind connects to the source before
/// it reads the target's control file).
#[test]
fn with_progress_pg_rewind_says_it_connected_before_the_single_user_run() {
    let t = run(&format!("{CRASHED}{REWIND} -P\n"));
    assert!(
        output_of(&t, &format!("{REWIND} -P")).starts_with("pg_rewind: connected to server\npg_rewind: executing \"/usr/lib/postgresql/15/bin/postgres\" for target server to complete crash recovery\n"),
        "{t}"
    );
}

/// The script of tests/compare/rewind-after-crash-hints.walscope.
const HINTS: &str = "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# ALTER SYSTEM SET wal_log_hints = on;
primary=# ALTER SYSTEM SET wal_keep_size = '256MB';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary=# CREATE TABLE test (id int);
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ echo 'host all postgres 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
primary=# SELECT * FROM test;
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
primary=# INSERT INTO test VALUES (1);
lab$ wait 1s
lab$ crash primary
standby1=# SELECT pg_promote();
standby1=# CHECKPOINT;
standby1=# INSERT INTO test VALUES (2);
";

/// wal_log_hints on: after crash recovery the rewind goes on, from the last common
/// checkpoint (the base backup's), since the end-of-recovery checkpoint is WAL past the
/// fork. The data directory is left `in archive recovery` with the source's insert
/// position as its minimum recovery point (PostgreSQL 15.18: `pg_controldata` after the
/// same steps, with `SELECT pg_current_wal_insert_lsn()` on the source before pg_rewind,
/// said `Database cluster state: in archive recovery`, `Minimum recovery ending
/// location: 0/30002E0` (that insert position) and `Min recovery ending loc's timeline:
/// 2`; its end-of-recovery checkpoint `wrote 4 buffers`, walscope's 1), and it starts
/// as a standby that streams from the new primary.
#[test]
fn with_wal_log_hints_the_crashed_target_is_rewound_and_follows() {
    let t = run(&format!(
        "{HINTS}standby1=# SELECT pg_current_wal_insert_lsn();\n{REWIND}\nprimary$ pg_controldata\nprimary$ touch standby.signal
primary$ echo \"primary_conninfo = 'host=standby1 user=replicator password=secret'\" >> postgresql.auto.conf
primary$ pg_ctl start
lab$ wait 2s
primary=# SELECT id FROM test ORDER BY id;
standby1=# SELECT client_addr, state FROM pg_stat_replication;
primary=# SELECT pg_is_in_recovery();
"
    ));
    assert_eq!(
        unstamped_output(&t, REWIND),
        "pg_rewind: executing \"/usr/lib/postgresql/15/bin/postgres\" for target server to complete crash recovery
<time> [<pid>] LOG:  database system was interrupted; last known up at 2026-11-24 09:00:00 UTC
<time> [<pid>] LOG:  database system was not properly shut down; automatic recovery in progress
<time> [<pid>] LOG:  redo starts at 0/2000028
<time> [<pid>] LOG:  invalid record length at 0/3000090: wanted 24, got 0
<time> [<pid>] LOG:  redo done at 0/3000068 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s
<time> [<pid>] LOG:  checkpoint starting: end-of-recovery immediate wait
<time> [<pid>] LOG:  checkpoint complete: wrote 1 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.003 s, sync=0.001 s, total=0.008 s; sync files=0, longest=0.000 s, average=0.000 s; distance=16384 kB, estimate=16384 kB

PostgreSQL stand-alone backend 15.18
backend> <time> [<pid>] LOG:  checkpoint starting: shutdown immediate
<time> [<pid>] LOG:  checkpoint complete: wrote 0 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.003 s, sync=0.001 s, total=0.008 s; sync files=0, longest=0.000 s, average=0.000 s; distance=0 kB, estimate=14745 kB
pg_rewind: servers diverged at WAL location 0/3000090 on timeline 1
pg_rewind: rewinding from last common checkpoint at 0/2000060 on timeline 1
pg_rewind: Done!
"
    );
    let control = output_of(&t, "primary$ pg_controldata");
    assert!(
        control.contains("Database cluster state:               in archive recovery\n"),
        "{control}"
    );
    // The source's insert position when pg_rewind read it (ControlFile_new's
    // minRecoveryPoint). PostgreSQL's was 0/30002E0, its source's
    // pg_current_wal_insert_lsn() just before: the promoted standby wrote one more
    // checkpoint (the spread end-of-recovery one and the CHECKPOINT's, where walscope's
    // CHECKPOINT finishes the spread one), 264 bytes.
    let source_insert = output_of(&t, "standby1=# SELECT pg_current_wal_insert_lsn();")
        .lines()
        .nth(2)
        .unwrap_or_default()
        .trim()
        .to_string();
    assert_eq!(source_insert, "0/30001D8");
    assert!(
        control.contains(&format!(
            "Minimum recovery ending location:     {source_insert}\n"
        )),
        "{control}"
    );
    assert!(
        control.contains("Min recovery ending loc's timeline:   2\n"),
        "{control}"
    );
    assert_eq!(
        output_of(&t, "primary=# SELECT id FROM test ORDER BY id;"),
        " id \n----\n  1\n  2\n(2 rows)\n\n"
    );
    assert_eq!(
        output_of(
            &t,
            "standby1=# SELECT client_addr, state FROM pg_stat_replication;"
        ),
        " client_addr |   state   \n-------------+-----------\n 10.0.0.1    | streaming\n(1 row)\n\n"
    );
    assert!(
        output_of(&t, "primary=# SELECT pg_is_in_recovery();").contains("\n t\n"),
        "{t}"
    );
}

/// A RHEL host's pg_rewind finds postgres beside itself in /usr/bin, where Red Hat's
/// postgresql-server package installs both (`ls -l /usr/bin/postgres`; README, RHEL
/// hosts).
#[test]
fn on_a_rhel_host_pg_rewind_executes_usr_bin_postgres() {
    let t = run("lab$ os rhel
lab$ node add standby1
standby1$ sudo dnf install -y postgresql-server postgresql-contrib
primary=# CREATE USER replicator WITH REPLICATION PASSWORD 'secret';
primary$ echo \"listen_addresses = '*'\" >> postgresql.conf
primary$ echo 'host replication replicator 10.0.0.2/32 scram-sha-256' >> pg_hba.conf
primary$ echo 'host all postgres 10.0.0.0/24 trust' >> pg_hba.conf
primary$ sudo systemctl restart postgresql
primary$ sudo firewall-cmd --add-service=postgresql
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ sudo firewall-cmd --add-service=postgresql
standby1$ sudo systemctl start postgresql
primary=# CREATE TABLE test (id int);
lab$ wait 1s
lab$ crash primary
standby1=# SELECT pg_promote();
primary$ pg_rewind -D /var/lib/pgsql/data --source-server='host=standby1 user=postgres'
");
    let out = output_of(
        &t,
        "primary$ pg_rewind -D /var/lib/pgsql/data --source-server='host=standby1 user=postgres'",
    );
    assert!(
        out.starts_with("pg_rewind: executing \"/usr/bin/postgres\" for target server to complete crash recovery\n"),
        "{t}"
    );
}

/// A standby that crashed: the stand-alone backend refuses standby mode
/// (readRecoverySignalFile), and pg_rewind stops with the command it ran. PostgreSQL
/// 15.18, a standby killed with SIGKILL (postmaster and children), then `pg_rewind -D
/// DIR --source-server=...` (tests/compare/rewind-crashed-standby.walscope too).
#[test]
fn a_crashed_standby_cannot_finish_recovery_in_single_user_mode() {
    let t = run("primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ echo 'host all postgres 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
lab$ wait 1s
lab$ crash standby1
standby1$ pg_rewind -D /var/lib/pgsql/data --source-server='host=primary user=postgres'
");
    assert_eq!(
        unstamped_output(
            &t,
            "standby1$ pg_rewind -D /var/lib/pgsql/data --source-server='host=primary user=postgres'"
        ),
        "pg_rewind: executing \"/usr/lib/postgresql/15/bin/postgres\" for target server to complete crash recovery
<time> [<pid>] LOG:  database system was interrupted while in recovery at log time 2026-11-24 09:00:00 UTC
<time> [<pid>] HINT:  If this has occurred more than once some data might be corrupted and you might need to choose an earlier recovery target.
<time> [<pid>] FATAL:  standby mode is not supported by single-user servers
pg_rewind: error: postgres single-user mode in target cluster failed
pg_rewind: detail: Command was: /usr/lib/postgresql/15/bin/postgres --single -F -D /var/lib/pgsql/data template1 < /dev/null
"
    );
}

/// A running target: its control file is not "shut down" either, so pg_rewind runs the
/// stand-alone backend, which finds the postmaster's lock file. PostgreSQL 15.18
/// (tests/compare/rewind-crashed-standby.walscope, pg_rewind on the running standby and,
/// with -P, on the running primary): `FATAL:  lock file "postmaster.pid" already
/// exists` and `HINT:  Is another postmaster (PID N) running in data directory
/// "/var/lib/pgsql/data"?` with the postmaster's pid, then the error and the command.
#[test]
fn a_running_target_stops_pg_rewind_at_its_lock_file() {
    let t = run(&format!(
        "{CRASHED}standby1$ pg_ctl status\nstandby1$ pg_rewind -D /var/lib/pgsql/data --source-server='host=primary user=postgres' -P\n"
    ));
    let status = output_of(&t, "standby1$ pg_ctl status");
    let pid = status
        .split("(PID: ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .unwrap_or_default();
    let out = unstamped_output(
        &t,
        "standby1$ pg_rewind -D /var/lib/pgsql/data --source-server='host=primary user=postgres' -P",
    );
    // The crashed primary refuses the connection first: pg_rewind connects before it
    // reads the target's control file.
    assert!(out.starts_with("pg_rewind: error: "), "{out}");
    let t = run(&format!(
        "{CRASHED}standby1$ pg_ctl status\nprimary$ pg_ctl start\nstandby1$ pg_rewind -D /var/lib/pgsql/data --source-server='host=primary user=postgres' -P\n"
    ));
    let out = unstamped_output(
        &t,
        "standby1$ pg_rewind -D /var/lib/pgsql/data --source-server='host=primary user=postgres' -P",
    );
    assert_eq!(
        out,
        format!("pg_rewind: connected to server
pg_rewind: executing \"/usr/lib/postgresql/15/bin/postgres\" for target server to complete crash recovery
<time> [<pid>] FATAL:  lock file \"postmaster.pid\" already exists
<time> [<pid>] HINT:  Is another postmaster (PID {pid}) running in data directory \"/var/lib/pgsql/data\"?
pg_rewind: error: postgres single-user mode in target cluster failed
pg_rewind: detail: Command was: /usr/lib/postgresql/15/bin/postgres --single -F -D /var/lib/pgsql/data template1 < /dev/null
")
    );
}

/// wal_log_hints turned on in the configuration after the crash: the single-user run
/// records it in the control file (XLogReportParameters), so the check passes; but its
/// end-of-recovery checkpoint recycled segment 2, where the last common checkpoint is, and
/// pg_rewind cannot read back to it. PostgreSQL 15.18
/// (tests/compare/rewind-after-crash-late-hints.walscope): `servers diverged at WAL
/// location 0/3015FC8 on timeline 1`, `error: could not open file
/// "/var/lib/pgsql/data/pg_wal/000000010000000000000002": No such file or directory`,
/// `error: could not find previous WAL record at 0/2000100`.
#[test]
fn a_crashed_target_whose_recovery_recycled_the_common_checkpoints_wal_cannot_be_rewound() {
    let script = CRASHED.replace(
        "standby1=# SELECT pg_promote();\n",
        "standby1=# SELECT pg_promote();\nstandby1=# CHECKPOINT;\nprimary$ echo \"wal_log_hints = on\" >> postgresql.auto.conf\n",
    );
    let t = run(&format!("{script}{REWIND}\n"));
    let out = unstamped_output(&t, REWIND);
    assert!(
        out.ends_with("backend> <time> [<pid>] LOG:  checkpoint starting: shutdown immediate
<time> [<pid>] LOG:  checkpoint complete: wrote 0 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.003 s, sync=0.001 s, total=0.008 s; sync files=0, longest=0.000 s, average=0.000 s; distance=0 kB, estimate=14824 kB
pg_rewind: servers diverged at WAL location 0/3015FC8 on timeline 1
pg_rewind: error: could not open file \"/var/lib/pgsql/data/pg_wal/000000010000000000000002\": No such file or directory
pg_rewind: error: could not find previous WAL record at 0/2000100
"),
        "{out}"
    );
}
