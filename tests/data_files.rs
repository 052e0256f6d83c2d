//! Removing the server's own files from a data directory, as PostgreSQL 15 answers it.
//! Every expected text was recorded on PostgreSQL 15.18 (Debian's postgresql-15): as
//! user postgres, `initdb -D $D/data -A trust`, `pg_ctl -D $D/data -o '-p PORT -k $D -c
//! listen_addresses=127.0.0.1' -l $D/logfile start`, then the `rm` and psql commands in
//! each test's comment, reading psql's output and `$D/logfile`. The log lines are
//! compared without their timestamp and PID.

use walscope::script::run_script;

const PGDATA: &str = "/var/lib/pgsql/data";

/// The transcript of `script`.
fn run(script: &str) -> String {
    run_script(script).unwrap_or_else(|e| panic!("does not parse: {e}"))
}

/// What `line` (a line of the script, its first occurrence; echoed without its `@TIME`)
/// printed: the lines up to the next prompt.
fn output_of(transcript: &str, line: &str) -> String {
    let line = match line.split_once(' ') {
        Some((at, rest)) if at.starts_with('@') => rest,
        _ => line,
    };
    let echo = format!("{line}\n");
    let start = transcript.find(&echo).expect("the line is echoed") + echo.len();
    transcript[start..]
        .lines()
        .take_while(|l| {
            !(l.starts_with("primary") || l.starts_with("lab$") || l.starts_with("-- virtual time"))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The server log's lines without their `2026-... UTC [PID] ` prefix.
fn log_lines(transcript: &str) -> Vec<String> {
    transcript
        .lines()
        .filter(|l| l.starts_with("20") && l.contains(" UTC ["))
        .filter_map(|l| l.split_once("] ").map(|(_, m)| m.to_string()))
        .collect()
}

/// `expected` appear in the log one after another, in this order.
fn assert_log_has(transcript: &str, expected: &[&str]) {
    let lines = log_lines(transcript);
    let found = lines
        .windows(expected.len())
        .any(|w| w.iter().zip(expected).all(|(a, b)| a == b));
    assert!(
        found,
        "log lacks, in order:\n{}\n--- log:\n{}",
        expected.join("\n"),
        lines.join("\n")
    );
}

const TAIL: &str = "primary$ tail -n 80 /var/lib/pgsql/data/log/postgresql.log\n";

// Real: psql -c 'create table t(id int)' -c 'insert into t values (1)' -c 'checkpoint'
//       -c "select pg_relation_filepath('t')"; rm $D/data/base/5/16384;
//       psql -c 'select * from t'; ... 'insert into t values (2)'; 'update t set id=3';
//       'delete from t'; 'truncate t'; 'select * from t'
#[test]
fn a_table_whose_file_is_removed_fails_every_statement_that_reads_or_writes_it() {
    let t = run(&format!(
        "primary=# CREATE TABLE t (id int);
primary=# INSERT INTO t VALUES (1);
primary=# CHECKPOINT;
primary=# SELECT pg_relation_filepath('t');
primary$ rm {PGDATA}/base/5/16384
primary=# SELECT * FROM t;
primary=# INSERT INTO t VALUES (2);
primary=# UPDATE t SET id = 3;
primary=# DELETE FROM t;
primary=# TRUNCATE t;
primary=# SELECT count(*) FROM t;
{TAIL}"
    ));
    assert!(t.contains(" pg_relation_filepath \n----------------------\n base/5/16384\n"));
    assert_eq!(
        output_of(&t, &format!("primary$ rm {PGDATA}/base/5/16384")),
        ""
    );
    let err = "ERROR:  could not open file \"base/5/16384\": No such file or directory\n";
    for stmt in [
        "SELECT * FROM t;",
        "INSERT INTO t VALUES (2);",
        "UPDATE t SET id = 3;",
        "DELETE FROM t;",
    ] {
        assert_eq!(output_of(&t, &format!("primary=# {stmt}")), err, "{stmt}");
    }
    assert_log_has(
        &t,
        &[
            "ERROR:  could not open file \"base/5/16384\": No such file or directory",
            "STATEMENT:  SELECT * FROM t;",
            "ERROR:  could not open file \"base/5/16384\": No such file or directory",
            "STATEMENT:  INSERT INTO t VALUES (2);",
        ],
    );
    // TRUNCATE gives the table a new file: it works again, empty.
    assert_eq!(output_of(&t, "primary=# TRUNCATE t;"), "TRUNCATE TABLE\n");
    assert_eq!(
        output_of(&t, "primary=# SELECT count(*) FROM t;"),
        " count \n-------\n     0\n(1 row)\n\n"
    );
}

// Real: psql -c 'checkpoint'; rm -rf $D/data/base/5; psql -c 'select 1'
//       (psql: error: connection to server at "127.0.0.1", port 54403 failed: FATAL: ...);
//       pg_ctl restart; psql -c 'select 1'
#[test]
fn connecting_to_a_database_whose_directory_is_removed_fails_before_and_after_a_restart() {
    let t = run(&format!(
        "primary$ rm -rf {PGDATA}/base/5
primary=# SELECT 1;
primary$ psql -c 'SELECT 1'
primary$ pg_ctl restart
primary=# SELECT 1;
{TAIL}"
    ));
    let fatal = "FATAL:  database \"postgres\" does not exist\nDETAIL:  The database subdirectory \"base/5\" is missing.\n";
    let socket =
        "psql: error: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: ";
    assert_eq!(
        output_of(&t, "primary=# SELECT 1;"),
        format!("{socket}{fatal}")
    );
    assert_eq!(
        output_of(&t, "primary$ psql -c 'SELECT 1'"),
        format!("{socket}{fatal}")
    );
    assert!(output_of(&t, "primary$ pg_ctl restart").ends_with("server started\n"));
    assert_log_has(
        &t,
        &[
            "FATAL:  database \"postgres\" does not exist",
            "DETAIL:  The database subdirectory \"base/5\" is missing.",
        ],
    );
}

// Real: rm -rf $D/data/base; pg_ctl restart: the server starts, and the postmaster
// and the startup process each log that base/ cannot be read.
#[test]
fn a_server_restarted_without_base_starts_and_says_so_twice() {
    let t = run(&format!(
        "primary$ rm -rf {PGDATA}/base
primary$ pg_ctl restart
{TAIL}"
    ));
    assert!(output_of(&t, "primary$ pg_ctl restart").ends_with("server started\n"));
    let lines = log_lines(&t);
    let restart = lines
        .iter()
        .rposition(|l| l.starts_with("LOG:  starting PostgreSQL"))
        .expect("restarted");
    assert_eq!(
        &lines[restart + 3..],
        [
            "LOG:  could not open directory \"base\": No such file or directory",
            "LOG:  database system was shut down at 2026-11-24 09:00:00 UTC",
            "LOG:  could not open directory \"base\": No such file or directory",
            "LOG:  database system is ready to accept connections",
        ]
    );
}

// Real: pg_ctl start at 12:03:33.85; rm $D/data/postmaster.pid at 12:03:34; the log at
// 12:04:33.94 (a minute after the start, the postmaster's lock-file recheck):
// the five lines below; then psql: Connection refused; pg_ctl status: no server
// running; pg_ctl start: "database system was interrupted; last known up at ...".
#[test]
fn a_removed_lock_file_stops_the_server_at_the_postmasters_next_minute() {
    let t = run(&format!(
        "@30s primary$ rm {PGDATA}/postmaster.pid
@59s primary=# SELECT 1 AS still_up;
@61s primary=# SELECT 1;
primary$ pg_ctl start
{TAIL}"
    ));
    assert!(output_of(&t, "@59s primary=# SELECT 1 AS still_up;").contains("still_up"));
    assert!(output_of(&t, "@61s primary=# SELECT 1;").contains("failed: No such file or directory"));
    let missing = "LOG:  could not open file \"postmaster.pid\": No such file or directory";
    assert_log_has(
        &t,
        &[
            missing,
            "LOG:  performing immediate shutdown because data directory lock file is invalid",
            "LOG:  received immediate shutdown request",
            missing,
            "LOG:  database system is shut down",
        ],
    );
    assert!(t.contains(
        "09:01:00.000 UTC [4211] LOG:  performing immediate shutdown because data directory lock file is invalid"
    ));
    assert_log_has(
        &t,
        &[
            "LOG:  database system was interrupted; last known up at 2026-11-24 09:00:00 UTC",
            "LOG:  database system was not properly shut down; automatic recovery in progress",
        ],
    );
}

// Real: rm -rf $D/data/global; psql -c 'select 1'; pg_ctl stop -m fast; pg_ctl start
// ("postgres: could not find the database system ..." on postgres's stderr, and
// "pg_ctl: could not start server"). With `pg_ctl start -l DIR/log/postgresql.log`, as
// walscope's pg_ctl runs, PostgreSQL 15.18 printed `waiting for server to start....
// stopped waiting` and the three lines ended the log (moving global/pg_control away).
#[test]
fn without_global_no_one_connects_the_shutdown_panics_and_the_server_does_not_start() {
    let t = run(&format!(
        "primary$ rm -rf {PGDATA}/global
primary=# SELECT 1;
primary$ pg_ctl stop
primary$ pg_ctl start
{TAIL}"
    ));
    assert_eq!(
        output_of(&t, "primary=# SELECT 1;"),
        "psql: error: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  could not open file \"global/pg_filenode.map\": No such file or directory\n"
    );
    let start = output_of(&t, "primary$ pg_ctl start");
    assert_eq!(
        start,
        "waiting for server to start.... stopped waiting\npg_ctl: could not start server\nExamine the log output.\n"
    );
    assert!(
        output_of(&t, TAIL.trim_end()).ends_with(&format!("postgres: could not find the database system\nExpected to find it in the directory \"{PGDATA}\",\nbut could not open file \"{PGDATA}/global/pg_control\": No such file or directory\n")),
        "{t}"
    );
    let lines = log_lines(&t);
    assert!(lines.contains(
        &"FATAL:  could not open file \"global/pg_filenode.map\": No such file or directory"
            .to_string()
    ));
    let shutting = lines
        .iter()
        .position(|l| l == "LOG:  shutting down")
        .expect("shutting down");
    let cp = lines[shutting + 2]
        .strip_prefix("LOG:  checkpointer process (PID ")
        .and_then(|r| r.split_once(')'))
        .map(|(pid, _)| pid.to_string())
        .expect("the checkpointer's exit");
    assert_eq!(
        &lines[shutting + 1..],
        [
            format!("PANIC:  could not open file \"{PGDATA}/global/pg_control\": No such file or directory"),
            format!("LOG:  checkpointer process (PID {cp}) was terminated by signal 6: Aborted"),
            "LOG:  terminating any other active server processes".to_string(),
            "LOG:  abnormal database system shutdown".to_string(),
            "LOG:  database system is shut down".to_string(),
        ]
    );
}

// Real: psql -c 'create table t(id int)' -c '\! rm -rf $D/data/global' -c 'insert into t
// values (1)' -c 'checkpoint': "checkpoint starting: immediate force wait", the
// checkpointer's PANIC, then the postmaster reinitializes and PANICs on pg_control.
// Here the writes come from the workload (no new connection gets in) and the
// checkpoint is checkpoint_timeout's.
#[test]
fn without_global_the_next_checkpoint_panics_and_the_server_stops() {
    let t = run(&format!(
        "primary$ rm -rf {PGDATA}/global
lab$ workload primary 10
lab$ wait 301s
primary=# SELECT 1;
{TAIL}"
    ));
    assert_log_has(
        &t,
        &[
            "LOG:  checkpoint starting: time",
            &format!("PANIC:  could not open file \"{PGDATA}/global/pg_control\": No such file or directory"),
        ],
    );
    assert_log_has(
        &t,
        &[
            "LOG:  terminating any other active server processes",
            "LOG:  all server processes terminated; reinitializing",
            "PANIC:  could not open file \"global/pg_control\": No such file or directory",
        ],
    );
    assert!(output_of(&t, "primary=# SELECT 1;").contains("failed: No such file or directory"));
}

// Real: psql -c 'create table t(id int)' -c 'checkpoint'; rm -rf $D/data/pg_xact;
// psql -c 'insert into t values (1)'; psql -c 'select * from t'; psql -c 'checkpoint';
// pg_ctl stop -m fast; pg_ctl start (could not start server).
#[test]
fn without_pg_xact_writes_work_until_a_checkpoint_which_fails_and_the_server_cannot_restart() {
    let t = run(&format!(
        "primary=# CREATE TABLE t (id int);
primary=# CHECKPOINT;
primary$ rm -rf {PGDATA}/pg_xact
primary=# INSERT INTO t VALUES (1);
primary=# CHECKPOINT; -- again
primary$ pg_ctl stop
primary$ pg_ctl start
{TAIL}"
    ));
    assert_eq!(
        output_of(&t, "primary=# INSERT INTO t VALUES (1);"),
        "INSERT 0 1\n"
    );
    assert_eq!(
        output_of(&t, "primary=# CHECKPOINT; -- again"),
        "ERROR:  checkpoint request failed\nHINT:  Consult recent messages in the server log for details.\n"
    );
    assert!(output_of(&t, "primary$ pg_ctl stop").ends_with("server stopped\n"));
    assert!(output_of(&t, "primary$ pg_ctl start")
        .ends_with("pg_ctl: could not start server\nExamine the log output.\n"));
    let access = "could not access status of transaction 0";
    let detail = "DETAIL:  Could not open file \"pg_xact/0000\": No such file or directory.";
    assert_log_has(
        &t,
        &[
            "LOG:  checkpoint starting: immediate force wait",
            &format!("ERROR:  {access}"),
            detail,
            "ERROR:  checkpoint request failed",
            "HINT:  Consult recent messages in the server log for details.",
            "STATEMENT:  CHECKPOINT;",
        ],
    );
    assert_log_has(
        &t,
        &[
            "LOG:  shutting down",
            "LOG:  checkpoint starting: shutdown immediate",
            &format!("FATAL:  {access}"),
            detail,
        ],
    );
    assert_log_has(
        &t,
        &[
            "LOG:  terminating any other active server processes",
            "LOG:  abnormal database system shutdown",
            "LOG:  database system is shut down",
        ],
    );
    assert_log_has(
        &t,
        &[
            "LOG:  database system shutdown was interrupted; last known up at 2026-11-24 09:00:00 UTC",
            "LOG:  database system was not properly shut down; automatic recovery in progress",
        ],
    );
    assert_log_has(
        &t,
        &["LOG:  file \"pg_xact/0000\" doesn't exist, reading as zeroes"],
    );
    assert_log_has(
        &t,
        &[
            "LOG:  checkpoint starting: end-of-recovery immediate wait",
            &format!("ERROR:  {access}"),
            detail,
            "FATAL:  checkpoint request failed",
            "HINT:  Consult recent messages in the server log for details.",
        ],
    );
    assert_log_has(
        &t,
        &[
            "LOG:  terminating any other active server processes",
            "LOG:  shutting down due to startup process failure",
            "LOG:  database system is shut down",
        ],
    );
}

// `ls` shows what is left, and a removed directory is gone for rm as for ls.
#[test]
fn ls_and_rm_see_the_removed_files() {
    let t = run(&format!(
        "primary=# CREATE TABLE t (id int);
primary$ ls {PGDATA}/base
primary$ rm {PGDATA}/base/5
primary$ rm -rf {PGDATA}/base/5
primary$ ls {PGDATA}/base
primary$ rm {PGDATA}/base/5/16384
"
    ));
    assert_eq!(
        output_of(&t, &format!("primary$ ls {PGDATA}/base")),
        "1\n4\n5\n"
    );
    assert!(t.contains(&format!(
        "primary$ rm -rf {PGDATA}/base/5\nprimary$ ls {PGDATA}/base\n1\n4\nprimary$"
    )));
    assert_eq!(
        output_of(&t, &format!("primary$ rm {PGDATA}/base/5")),
        format!("rm: cannot remove '{PGDATA}/base/5': Is a directory\n")
    );
    assert_eq!(
        output_of(&t, &format!("primary$ rm {PGDATA}/base/5/16384")),
        format!("rm: cannot remove '{PGDATA}/base/5/16384': No such file or directory\n")
    );
}
