//! The executor through its entry point, [`execute`], on a cluster built the way a user
//! builds one: each statement kind and each family of builtins, asserting what psql
//! would show (values, command tags, PostgreSQL's error messages).

use super::func::{Guard, BUILTINS, SET_FUNCTIONS};
use super::{execute, StatementResult};
use crate::sim::testlab::{server_log, streaming_pair};
use crate::sim::{Cluster, HostId, SimDuration};
use crate::sql::ServerError;

fn primary() -> (Cluster, HostId) {
    let c = Cluster::new(7);
    let h = c.host_id("primary").expect("the primary exists");
    (c, h)
}

fn run(c: &mut Cluster, h: HostId, sql: &str) -> Result<StatementResult, ServerError> {
    let session = c.idle_session(h).expect("the server accepts a session");
    execute(c, h, session, sql)
}

/// The rows of a query, each cell as psql prints it (NULL as None).
fn rows(c: &mut Cluster, h: HostId, sql: &str) -> Vec<Vec<Option<String>>> {
    match run(c, h, sql) {
        Ok(StatementResult::Rows(rs)) => rs.rows,
        Ok(_) => panic!("{sql}: no rows"),
        Err(e) => panic!("{sql}: {}", e.message),
    }
}

/// The one value of a one-row, one-column query.
fn value(c: &mut Cluster, h: HostId, sql: &str) -> Option<String> {
    let r = rows(c, h, sql);
    assert_eq!(r.len(), 1, "{sql}: {r:?}");
    r[0][0].clone()
}

fn columns(c: &mut Cluster, h: HostId, sql: &str) -> Vec<String> {
    match run(c, h, sql) {
        Ok(StatementResult::Rows(rs)) => rs.columns.into_iter().map(|c| c.name).collect(),
        _ => panic!("{sql}: no rows"),
    }
}

fn tag(c: &mut Cluster, h: HostId, sql: &str) -> String {
    match run(c, h, sql) {
        Ok(StatementResult::Tag(t)) => t,
        Ok(StatementResult::Rows(_)) => panic!("{sql}: rows, not a tag"),
        Ok(StatementResult::Waiting) => panic!("{sql}: waiting"),
        Ok(StatementResult::Lost(t)) => panic!("{sql}: {t}"),
        Err(e) => panic!("{sql}: {}", e.message),
    }
}

fn error(c: &mut Cluster, h: HostId, sql: &str) -> ServerError {
    match run(c, h, sql) {
        Err(e) => e,
        Ok(_) => panic!("{sql}: no error"),
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

// ---- statement kinds -------------------------------------------------------------------------

#[test]
fn dml_inserts_updates_and_deletes_with_postgresql_tags() {
    let (mut c, h) = primary();
    assert_eq!(
        tag(&mut c, h, "CREATE TABLE t (id int, name text, ok bool);"),
        "CREATE TABLE"
    );
    assert_eq!(
        tag(
            &mut c,
            h,
            "INSERT INTO t VALUES (1, 'a', true), (2, 'b', false);"
        ),
        "INSERT 0 2"
    );
    assert_eq!(
        tag(
            &mut c,
            h,
            "INSERT INTO t (id) SELECT generate_series FROM generate_series(3, 5);"
        ),
        "INSERT 0 3"
    );
    assert_eq!(
        tag(&mut c, h, "UPDATE t SET name = 'z' WHERE id >= 4;"),
        "UPDATE 2"
    );
    assert_eq!(tag(&mut c, h, "DELETE FROM t WHERE id = 1;"), "DELETE 1");
    assert_eq!(tag(&mut c, h, "DELETE FROM t WHERE id = 99;"), "DELETE 0");
    assert_eq!(
        rows(&mut c, h, "SELECT id, name FROM t ORDER BY id;"),
        vec![
            vec![s("2"), s("b")],
            vec![s("3"), None],
            vec![s("4"), s("z")],
            vec![s("5"), s("z")],
        ]
    );
    assert_eq!(tag(&mut c, h, "TRUNCATE t;"), "TRUNCATE TABLE");
    assert_eq!(value(&mut c, h, "SELECT count(*) FROM t;"), s("0"));
}

#[test]
fn dml_errors_read_as_postgresql_words_them() {
    let (mut c, h) = primary();
    tag(&mut c, h, "CREATE TABLE t (id int, ok bool);");
    let e = error(&mut c, h, "INSERT INTO t VALUES ('x');");
    assert_eq!(e.message, "invalid input syntax for type integer: \"x\"");
    let e = error(&mut c, h, "INSERT INTO t VALUES (1, 2);");
    assert_eq!(
        e.message,
        "column \"ok\" is of type boolean but expression is of type integer"
    );
    assert_eq!(
        e.hint.as_deref(),
        Some("You will need to rewrite or cast the expression.")
    );
    let e = error(&mut c, h, "INSERT INTO t VALUES (1, true, 3);");
    assert_eq!(e.message, "INSERT has more expressions than target columns");
    let e = error(&mut c, h, "INSERT INTO t (nope) VALUES (1);");
    assert_eq!(
        e.message,
        "column \"nope\" of relation \"t\" does not exist"
    );
    assert_eq!(e.position, Some(15));
    let e = error(&mut c, h, "UPDATE missing SET id = 1;");
    assert_eq!(e.message, "relation \"missing\" does not exist");
    let e = error(&mut c, h, "BEGIN;");
    assert_eq!(
        e.message,
        "explicit transaction blocks are not supported by walscope"
    );
}

#[test]
fn ddl_creates_and_drops_tables_and_roles() {
    let (mut c, h) = primary();
    tag(&mut c, h, "CREATE TABLE t (id int);");
    assert_eq!(
        tag(&mut c, h, "CREATE TABLE IF NOT EXISTS t (id int);"),
        "NOTICE:  relation \"t\" already exists, skipping\nCREATE TABLE"
    );
    assert_eq!(
        error(&mut c, h, "CREATE TABLE t (id int);").message,
        "relation \"t\" already exists"
    );
    let e = error(&mut c, h, "CREATE TABLE u (id blob);");
    assert_eq!(e.message, "type \"blob\" does not exist");
    assert_eq!(e.position, Some(19));
    assert_eq!(
        error(&mut c, h, "CREATE TABLE u (a int, a int);").message,
        "column \"a\" specified more than once"
    );
    assert_eq!(
        tag(&mut c, h, "DROP TABLE IF EXISTS t, nope;"),
        "NOTICE:  table \"nope\" does not exist, skipping\nDROP TABLE"
    );
    assert_eq!(
        error(&mut c, h, "DROP TABLE t;").message,
        "table \"t\" does not exist"
    );

    assert_eq!(
        tag(
            &mut c,
            h,
            "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';"
        ),
        "CREATE ROLE"
    );
    assert_eq!(
        rows(&mut c, h, "SELECT rolname, rolreplication, rolcanlogin FROM pg_roles WHERE rolname = 'replicator';"),
        vec![vec![s("replicator"), s("t"), s("t")]]
    );
    assert_eq!(
        error(&mut c, h, "CREATE ROLE replicator;").message,
        "role \"replicator\" already exists"
    );
    assert_eq!(
        tag(&mut c, h, "ALTER ROLE replicator NOLOGIN;"),
        "ALTER ROLE"
    );
    assert_eq!(
        value(
            &mut c,
            h,
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'replicator';"
        ),
        s("f")
    );
    assert_eq!(tag(&mut c, h, "DROP ROLE replicator;"), "DROP ROLE");
    assert_eq!(
        error(&mut c, h, "DROP ROLE replicator;").message,
        "role \"replicator\" does not exist"
    );
    assert_eq!(tag(&mut c, h, "CHECKPOINT;"), "CHECKPOINT");
}

#[test]
fn guc_show_set_reset_and_alter_system() {
    let (mut c, h) = primary();
    assert_eq!(columns(&mut c, h, "SHOW wal_level;"), vec!["wal_level"]);
    assert_eq!(value(&mut c, h, "SHOW wal_level;"), s("replica"));
    assert_eq!(tag(&mut c, h, "SET synchronous_commit = off;"), "SET");
    assert_eq!(value(&mut c, h, "SHOW synchronous_commit;"), s("off"));
    assert_eq!(
        value(&mut c, h, "SELECT current_setting('synchronous_commit');"),
        s("off")
    );
    assert_eq!(tag(&mut c, h, "RESET synchronous_commit;"), "RESET");
    assert_eq!(value(&mut c, h, "SHOW synchronous_commit;"), s("on"));
    assert_eq!(
        error(&mut c, h, "SET wal_level = minimal;").message,
        "parameter \"wal_level\" cannot be changed without restarting the server"
    );
    assert_eq!(
        error(&mut c, h, "SHOW no_such_thing;").message,
        "unrecognized configuration parameter \"no_such_thing\""
    );
    assert_eq!(
        tag(&mut c, h, "ALTER SYSTEM SET wal_keep_size = '1GB';"),
        "ALTER SYSTEM"
    );
    let auto = c
        .host(h)
        .pgdata_file("postgresql.auto.conf")
        .cloned()
        .unwrap_or_default();
    assert!(auto.contains("wal_keep_size = '1GB'"), "{auto}");
    let e = error(
        &mut c,
        h,
        "ALTER SYSTEM SET synchronous_standby_names = 'FIRST x (';",
    );
    assert!(
        e.message
            .starts_with("invalid value for parameter \"synchronous_standby_names\""),
        "{}",
        e.message
    );
    assert_eq!(
        rows(
            &mut c,
            h,
            "SELECT name, context, vartype FROM pg_settings WHERE name = 'wal_level';"
        ),
        vec![vec![s("wal_level"), s("postmaster"), s("enum")]]
    );
}

#[test]
fn select_filters_orders_aggregates_and_limits() {
    let (mut c, h) = primary();
    tag(&mut c, h, "CREATE TABLE t (id int, name text);");
    tag(
        &mut c,
        h,
        "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'b'), (4, NULL);",
    );
    assert_eq!(
        rows(
            &mut c,
            h,
            "SELECT id FROM t WHERE name = 'b' OR name IS NULL ORDER BY id DESC LIMIT 2;"
        ),
        vec![vec![s("4")], vec![s("3")]]
    );
    assert_eq!(
        rows(
            &mut c,
            h,
            "SELECT count(*), count(name), max(id), min(id), sum(id) FROM t;"
        ),
        vec![vec![s("4"), s("3"), s("4"), s("1"), s("10")]]
    );
    assert_eq!(
        rows(
            &mut c,
            h,
            "SELECT DISTINCT name FROM t WHERE name LIKE 'b%';"
        ),
        vec![vec![s("b")]]
    );
    assert_eq!(rows(&mut c, h, "TABLE t;").len(), 4);
    assert_eq!(
        columns(&mut c, h, "SELECT 1, id AS n, now() FROM t LIMIT 1;"),
        vec!["?column?", "n", "now"]
    );
    assert_eq!(
        value(
            &mut c,
            h,
            "SELECT CASE WHEN 2 BETWEEN 1 AND 3 THEN 'in' ELSE 'out' END;"
        ),
        s("in")
    );
    assert_eq!(
        rows(&mut c, h, "SELECT 7 / 2, 7 % 2, 'a' || 'b';"),
        vec![vec![s("3"), s("1"), s("ab")]]
    );
    assert_eq!(
        error(&mut c, h, "SELECT 1 / 0;").message,
        "division by zero"
    );
    let e = error(&mut c, h, "SELECT nope FROM t;");
    assert_eq!(e.message, "column \"nope\" does not exist");
    assert_eq!(e.position, Some(7));
    assert_eq!(
        error(&mut c, h, "SELECT * FROM missing;").message,
        "relation \"missing\" does not exist"
    );
    assert_eq!(
        error(&mut c, h, "SELECT 1 WHERE count(*) > 0;").message,
        "aggregate functions are not allowed here"
    );
    assert_eq!(
        value(&mut c, h, "SELECT '0/3000060'::pg_lsn;"),
        s("0/3000060")
    );
    assert_eq!(
        error(&mut c, h, "SELECT 'x'::int;").message,
        "invalid input syntax for type integer: \"x\""
    );
    assert_eq!(value(&mut c, h, "SELECT '1 min'::interval;"), s("00:01:00"));
}

// ---- builtins -------------------------------------------------------------------------------

#[test]
fn every_builtin_name_is_unique_and_no_builtin_is_also_set_returning() {
    let mut names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
    names.extend(SET_FUNCTIONS.iter().map(|(n, _)| *n));
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "a name appears twice: {names:?}");
    for b in BUILTINS {
        assert!(b.min_args <= b.max_args, "{}", b.name);
    }
}

#[test]
fn wrong_argument_counts_and_types_find_no_function() {
    let (mut c, h) = primary();
    let e = error(&mut c, h, "SELECT pg_walfile_name();");
    assert_eq!(e.message, "function pg_walfile_name() does not exist");
    assert_eq!(
        e.hint.as_deref(),
        Some("No function matches the given name and argument types. You might need to add explicit type casts.")
    );
    assert_eq!(e.position, Some(7));
    assert_eq!(
        error(&mut c, h, "SELECT pg_wal_lsn_diff('0/1');").message,
        "function pg_wal_lsn_diff(text) does not exist"
    );
    assert_eq!(
        error(&mut c, h, "SELECT pg_size_pretty('x');").message,
        "function pg_size_pretty(text) does not exist"
    );
    assert_eq!(
        error(&mut c, h, "SELECT no_such(1, true);").message,
        "function no_such(integer, boolean) does not exist"
    );
    assert_eq!(
        error(&mut c, h, "SELECT pg_ls_waldir();").message,
        "set-valued function called in context that cannot accept a set"
    );
}

#[test]
fn xlog_functions_on_a_primary() {
    let (mut c, h) = primary();
    assert_eq!(value(&mut c, h, "SELECT pg_is_in_recovery();"), s("f"));
    assert_eq!(
        value(&mut c, h, "SELECT pg_walfile_name('0/3000060');"),
        s("000000010000000000000003")
    );
    assert_eq!(
        rows(
            &mut c,
            h,
            "SELECT * FROM pg_walfile_name_offset('0/3000000');"
        ),
        vec![vec![s("000000010000000000000002"), s("16777216")]]
    );
    assert_eq!(
        value(
            &mut c,
            h,
            "SELECT pg_wal_lsn_diff('0/3000060', '0/3000000');"
        ),
        s("96")
    );
    let before = value(&mut c, h, "SELECT pg_current_wal_lsn();").expect("an LSN");
    let switched = value(&mut c, h, "SELECT pg_switch_wal();").expect("an LSN");
    assert!(!before.is_empty() && !switched.is_empty());
    assert_eq!(value(&mut c, h, "SELECT pg_last_wal_receive_lsn();"), None);
    assert_eq!(value(&mut c, h, "SELECT pg_last_wal_replay_lsn();"), None);
    assert_eq!(
        value(&mut c, h, "SELECT pg_last_xact_replay_timestamp();"),
        None
    );
    let e = error(&mut c, h, "SELECT pg_promote();");
    assert_eq!(e.message, "recovery is not in progress");
    assert_eq!(
        e.hint.as_deref(),
        Some("Recovery control functions can only be executed during recovery.")
    );
    let e = error(&mut c, h, "SELECT pg_wal_lsn_diff(1, 2);");
    assert_eq!(
        e.message,
        "function argument of type integer is not a pg_lsn"
    );
}

#[test]
fn primary_only_functions_refuse_during_recovery() {
    let (mut c, _, standby) = streaming_pair(11);
    assert_eq!(
        value(&mut c, standby, "SELECT pg_is_in_recovery();"),
        s("t")
    );
    assert!(value(&mut c, standby, "SELECT pg_last_wal_receive_lsn();").is_some());
    assert!(value(&mut c, standby, "SELECT pg_last_wal_replay_lsn();").is_some());
    for b in BUILTINS.iter().filter(|b| b.guard == Guard::PrimaryOnly) {
        let args = vec!["'0/3000000'"; b.min_args].join(", ");
        let e = error(&mut c, standby, &format!("SELECT {}({args});", b.name));
        assert_eq!(e.message, "recovery is in progress", "{}", b.name);
        let hint = if b.name.starts_with("pg_current_wal") || b.name == "pg_switch_wal" {
            "WAL control functions cannot be executed during recovery.".to_string()
        } else {
            format!("{}() cannot be executed during recovery.", b.name)
        };
        assert_eq!(e.hint.as_deref(), Some(hint.as_str()), "{}", b.name);
    }
    assert_eq!(
        error(&mut c, standby, "SELECT txid_current();").message,
        "cannot execute txid_current() during recovery"
    );
    assert_eq!(
        error(&mut c, standby, "CREATE TABLE t (id int);").message,
        "cannot execute CREATE TABLE in a read-only transaction"
    );
    assert_eq!(
        error(&mut c, standby, "INSERT INTO t VALUES (1);").message,
        "cannot execute INSERT in a read-only transaction"
    );
    assert_eq!(value(&mut c, standby, "SELECT pg_promote();"), s("t"));
    c.advance(SimDuration::from_secs(2));
    assert_eq!(
        value(&mut c, standby, "SELECT pg_is_in_recovery();"),
        s("f")
    );
}

#[test]
fn replay_pauses_and_resumes_on_a_standby_only() {
    let (mut c, primary, standby) = streaming_pair(12);
    for f in [
        "pg_wal_replay_pause",
        "pg_wal_replay_resume",
        "pg_is_wal_replay_paused",
        "pg_get_wal_replay_pause_state",
    ] {
        let e = error(&mut c, primary, &format!("SELECT {f}();"));
        assert_eq!(e.message, "recovery is not in progress", "{f}");
        assert_eq!(
            e.hint.as_deref(),
            Some("Recovery control functions can only be executed during recovery."),
            "{f}"
        );
    }
    let state = "SELECT pg_is_wal_replay_paused(), pg_get_wal_replay_pause_state();";
    assert_eq!(rows(&mut c, standby, state), [[s("f"), s("not paused")]]);
    // void: one row, one empty cell.
    assert_eq!(
        value(&mut c, standby, "SELECT pg_wal_replay_pause();"),
        None
    );
    assert_eq!(rows(&mut c, standby, state), [[s("t"), s("paused")]]);
    let log = server_log(&c, standby);
    let lines: Vec<&str> = log.lines().collect();
    let paused = lines
        .iter()
        .position(|l| l.ends_with("LOG:  recovery has paused"))
        .unwrap_or_else(|| panic!("no pause in the log:\n{log}"));
    assert!(
        lines[paused + 1].ends_with("HINT:  Execute pg_wal_replay_resume() to continue."),
        "{log}"
    );
    // The standby receives and flushes the new table's WAL, and does not replay it.
    tag(&mut c, primary, "CREATE TABLE paused (id int);");
    c.advance(SimDuration::from_secs(1));
    assert_eq!(
        error(&mut c, standby, "SELECT * FROM paused;").message,
        "relation \"paused\" does not exist"
    );
    let received = value(&mut c, standby, "SELECT pg_last_wal_receive_lsn();");
    let replayed = value(&mut c, standby, "SELECT pg_last_wal_replay_lsn();");
    assert_eq!(
        received,
        value(&mut c, primary, "SELECT pg_current_wal_flush_lsn();")
    );
    assert_ne!(received, replayed, "replay waits while paused");
    assert_eq!(
        value(&mut c, standby, "SELECT pg_wal_replay_resume();"),
        None
    );
    c.advance(SimDuration::from_secs(1));
    assert_eq!(rows(&mut c, standby, state), [[s("f"), s("not paused")]]);
    assert_eq!(
        value(&mut c, standby, "SELECT count(*) FROM paused;"),
        s("0")
    );
    // A promotion ends a pause and replays everything received first.
    value(&mut c, standby, "SELECT pg_wal_replay_pause();");
    tag(&mut c, primary, "CREATE TABLE later (id int);");
    c.advance(SimDuration::from_secs(1));
    assert_eq!(value(&mut c, standby, "SELECT pg_promote();"), s("t"));
    c.advance(SimDuration::from_secs(2));
    assert_eq!(
        value(&mut c, standby, "SELECT count(*) FROM later;"),
        s("0")
    );
}

#[test]
fn slot_functions_create_and_drop() {
    let (mut c, h) = primary();
    assert_eq!(
        columns(
            &mut c,
            h,
            "SELECT * FROM pg_create_physical_replication_slot('s1');"
        ),
        vec!["slot_name", "lsn"]
    );
    assert_eq!(
        value(&mut c, h, "SELECT slot_name FROM pg_replication_slots;"),
        s("s1")
    );
    let e = error(
        &mut c,
        h,
        "SELECT pg_create_physical_replication_slot('s1');",
    );
    assert_eq!(e.message, "replication slot \"s1\" already exists");
    let reserved = rows(
        &mut c,
        h,
        "SELECT * FROM pg_create_physical_replication_slot('s2', true);",
    );
    assert!(reserved[0][1].is_some(), "{reserved:?}");
    assert_eq!(
        value(&mut c, h, "SELECT pg_drop_replication_slot('s1');"),
        s("")
    );
    assert_eq!(
        error(&mut c, h, "SELECT pg_drop_replication_slot('s1');").message,
        "replication slot \"s1\" does not exist"
    );
    assert_eq!(
        error(&mut c, h, "SELECT pg_drop_replication_slot(1);").message,
        "function pg_drop_replication_slot(integer) does not exist"
    );
}

#[test]
fn admin_functions_reload_signal_and_size() {
    let (mut c, h) = primary();
    assert_eq!(value(&mut c, h, "SELECT pg_reload_conf();"), s("t"));
    let pid = value(&mut c, h, "SELECT pg_backend_pid();").expect("a pid");
    assert!(pid.parse::<i64>().expect("a number") > 0);
    assert_eq!(
        value(&mut c, h, "SELECT pg_cancel_backend(999999);"),
        s("f")
    );
    assert_eq!(
        value(&mut c, h, "SELECT pg_size_pretty(10240);"),
        s("10 kB")
    );
    assert_eq!(
        value(&mut c, h, "SELECT pg_size_pretty(1073741824);"),
        s("1024 MB")
    );
    tag(&mut c, h, "CREATE TABLE t (id int);");
    tag(
        &mut c,
        h,
        "INSERT INTO t SELECT generate_series FROM generate_series(1, 1000);",
    );
    let size: i64 = value(&mut c, h, "SELECT pg_relation_size('t');")
        .expect("a size")
        .parse()
        .expect("a number");
    assert!(size > 0 && size % 8192 == 0, "{size}");
    assert!(value(&mut c, h, "SELECT pg_database_size('postgres');").is_some());
    assert_eq!(
        error(&mut c, h, "SELECT pg_table_size('nope');").message,
        "relation \"nope\" does not exist"
    );
}

#[test]
fn misc_functions_answer_as_postgresql_does() {
    let (mut c, h) = primary();
    assert!(value(&mut c, h, "SELECT version();")
        .expect("a version")
        .starts_with("PostgreSQL 15."));
    assert_eq!(
        value(&mut c, h, "SELECT upper('ab') || lower('CD');"),
        s("ABcd")
    );
    assert_eq!(value(&mut c, h, "SELECT length(repeat('xy', 3));"), s("6"));
    assert_eq!(value(&mut c, h, "SELECT coalesce(NULL, 2, 3);"), s("2"));
    assert_eq!(
        value(&mut c, h, "SELECT inet_server_addr();"),
        s("10.0.0.1")
    );
    assert_eq!(
        value(&mut c, h, "SELECT now() = current_timestamp;"),
        s("t")
    );
    assert!(value(&mut c, h, "SELECT pg_postmaster_start_time();").is_some());
    let a: i64 = value(&mut c, h, "SELECT txid_current();")
        .expect("an xid")
        .parse()
        .expect("a number");
    let b: i64 = value(&mut c, h, "SELECT pg_current_xact_id();")
        .expect("an xid")
        .parse()
        .expect("a number");
    assert_eq!(b, a + 1);
    // Past PostgreSQL's 1 GB its own message; past walscope's 1 MB, out of memory.
    assert_eq!(
        error(&mut c, h, "SELECT repeat('xx', 2147483647);").message,
        "requested length too large"
    );
    let e = error(&mut c, h, "SELECT repeat('x', 100000000);");
    assert_eq!(e.message, "out of memory");
    assert_eq!(
        e.detail.as_deref(),
        Some("walscope holds text values of at most 1048576 bytes (1 MB); this one would have 100000000 bytes.")
    );
    assert_eq!(
        value(&mut c, h, "SELECT length(repeat('x', 1048576));"),
        s("1048576")
    );
    let e = error(&mut c, h, "SELECT repeat('x', 1048576) || 'x';");
    assert_eq!(e.message, "out of memory");
}

#[test]
fn set_returning_functions_answer_rows() {
    let (mut c, h) = primary();
    assert_eq!(
        rows(&mut c, h, "SELECT * FROM generate_series(1, 7, 3);"),
        vec![vec![s("1")], vec![s("4")], vec![s("7")]]
    );
    assert_eq!(
        rows(&mut c, h, "SELECT generate_series(3, 1, -1);"),
        vec![vec![s("3")], vec![s("2")], vec![s("1")]]
    );
    assert_eq!(
        columns(&mut c, h, "SELECT * FROM generate_series(1, 2) AS n;"),
        vec!["n"]
    );
    assert_eq!(
        error(&mut c, h, "SELECT * FROM generate_series(1, 2, 0);").message,
        "step size cannot equal zero"
    );
    let e = error(&mut c, h, "SELECT * FROM generate_series(1, 100000000);");
    assert_eq!(e.message, "out of memory");
    assert_eq!(
        e.detail.as_deref(),
        Some("walscope handles at most 200000 rows in one statement; this one would produce 100000000.")
    );
    let e = error(
        &mut c,
        h,
        "SELECT count(*) FROM generate_series(1, 2000) a, generate_series(1, 1000) b;",
    );
    assert_eq!(e.message, "out of memory");
    // Near the ends of bigint the series neither overflows nor wraps.
    assert_eq!(
        rows(
            &mut c,
            h,
            "SELECT * FROM generate_series(9223372036854775806, 9223372036854775807);"
        ),
        vec![
            vec![s("9223372036854775806")],
            vec![s("9223372036854775807")]
        ]
    );
    let cols = columns(&mut c, h, "SELECT * FROM pg_control_checkpoint();");
    assert_eq!(cols.len(), 18);
    assert_eq!(cols[0], "checkpoint_lsn");
    assert_eq!(
        value(
            &mut c,
            h,
            "SELECT timeline_id FROM pg_control_checkpoint();"
        ),
        s("1")
    );
    let files = rows(&mut c, h, "SELECT name, size FROM pg_ls_waldir();");
    assert!(!files.is_empty());
    assert!(files.iter().all(|f| f[1] == s("16777216")), "{files:?}");
    assert_eq!(
        columns(&mut c, h, "SELECT * FROM pg_is_in_recovery();"),
        vec!["pg_is_in_recovery"]
    );
}

// ---- arithmetic on a user's numbers and walscope's limits ------------------------------------

#[test]
fn integer_arithmetic_is_checked_as_postgresql_checks_it() {
    let (mut c, h) = primary();
    for (sql, message) in [
        (
            "SELECT (-9223372036854775808) / (-1);",
            "bigint out of range",
        ),
        ("SELECT (-2147483648) / (-1);", "integer out of range"),
        ("SELECT 2147483647 + 1;", "integer out of range"),
        ("SELECT 2147483647 * 2;", "integer out of range"),
        ("SELECT -2147483648 - 1;", "integer out of range"),
        ("SELECT 9223372036854775807 + 1;", "bigint out of range"),
        ("SELECT 3037000500 * 3037000500;", "bigint out of range"),
        ("SELECT 1 / 0;", "division by zero"),
        ("SELECT 1 % 0;", "division by zero"),
        ("SELECT 9223372036854775807 % 0;", "division by zero"),
        ("SELECT 1.5 / 0;", "division by zero"),
        ("SELECT 3000000000::int;", "integer out of range"),
        ("SELECT 1e30::bigint;", "bigint out of range"),
        (
            "SELECT '9999999999'::int;",
            "value \"9999999999\" is out of range for type integer",
        ),
        (
            "SELECT '99999999999999999999'::bigint;",
            "value \"99999999999999999999\" is out of range for type bigint",
        ),
        (
            "SELECT sum(g) FROM generate_series(9223372036854775000, 9223372036854775807) g;",
            "bigint out of range",
        ),
        (
            "SELECT now() + interval '9223372036854775807 seconds';",
            "timestamp out of range",
        ),
    ] {
        assert_eq!(error(&mut c, h, sql).message, message, "{sql}");
    }
    for (sql, answer) in [
        ("SELECT (-9223372036854775808) % (-1);", "0"),
        ("SELECT (-2147483648) % (-1);", "0"),
        ("SELECT 2147483647 + 1::bigint;", "2147483648"),
        ("SELECT 2147483648 - 1;", "2147483647"),
        ("SELECT -9223372036854775808;", "-9223372036854775808"),
        ("SELECT 5 % -3;", "2"),
        ("SELECT -5 % 3;", "-2"),
        (
            "SELECT count(*) + 2147483647 FROM generate_series(1, 2);",
            "2147483649",
        ),
    ] {
        assert_eq!(value(&mut c, h, sql), s(answer), "{sql}");
    }
    // Negating the smallest value of each type.
    run(&mut c, h, "CREATE TABLE n (i int, b bigint);").expect("created");
    run(
        &mut c,
        h,
        "INSERT INTO n VALUES (-2147483648, -9223372036854775808);",
    )
    .expect("inserted");
    assert_eq!(
        error(&mut c, h, "SELECT -i FROM n;").message,
        "integer out of range"
    );
    assert_eq!(
        error(&mut c, h, "SELECT -b FROM n;").message,
        "bigint out of range"
    );
    assert_eq!(
        error(&mut c, h, "INSERT INTO n VALUES (2147483648, 1);").message,
        "integer out of range"
    );
    assert_eq!(
        value(&mut c, h, "SELECT b + 1 FROM n;"),
        s("-9223372036854775807")
    );
    // A pg_lsn difference spans the whole range without wrapping.
    assert_eq!(
        value(
            &mut c,
            h,
            "SELECT 'FFFFFFFF/FFFFFFFF'::pg_lsn - '0/0'::pg_lsn > 0;"
        ),
        s("t")
    );
    assert_eq!(
        value(&mut c, h, "SELECT '0/10' - '0/20'::pg_lsn;"),
        s("-16")
    );
}

#[test]
fn a_statement_past_walscope_limits_fails_whole_and_changes_nothing() {
    let (mut c, h) = primary();
    run(&mut c, h, "CREATE TABLE t (a text);").expect("created");
    let wal = c.host(h).data.as_ref().map(|d| d.wal.insert);
    let e = error(
        &mut c,
        h,
        "INSERT INTO t SELECT repeat('x', g) FROM generate_series(1, 200000) g;",
    );
    assert_eq!(e.message, "out of memory");
    assert_eq!(
        e.detail.as_deref(),
        Some("walscope handles at most 64 MB of rows in one statement.")
    );
    assert_eq!(value(&mut c, h, "SELECT count(*) FROM t;"), s("0"));
    assert_eq!(c.host(h).data.as_ref().map(|d| d.wal.insert), wal);
    // The store: 64 MB of heap per server, whatever the statements.
    run(
        &mut c,
        h,
        "INSERT INTO t SELECT repeat('y', 1000) FROM generate_series(1, 40000);",
    )
    .expect("40 MB fit");
    let e = error(
        &mut c,
        h,
        "INSERT INTO t SELECT repeat('z', 1000) FROM generate_series(1, 40000);",
    );
    assert_eq!(e.message, "out of memory");
    assert!(
        e.detail.as_deref().is_some_and(|d| d
            .starts_with("walscope keeps at most 500000 rows and 64 MB of table data per server;")),
        "{e:?}"
    );
    assert_eq!(value(&mut c, h, "SELECT count(*) FROM t;"), s("40000"));
    let e = error(&mut c, h, "UPDATE t SET a = a || a;");
    assert_eq!(e.message, "out of memory");
    assert_eq!(
        value(&mut c, h, "SELECT count(*) FROM t WHERE length(a) > 1000;"),
        s("0")
    );
}

#[test]
fn distinct_and_like_work_through_large_inputs() {
    let (mut c, h) = primary();
    // DISTINCT keeps each value's first row, in order, through 100,000 distinct rows.
    let r = rows(
        &mut c,
        h,
        "SELECT DISTINCT g % 3 FROM generate_series(1, 100000) g;",
    );
    assert_eq!(r, vec![vec![s("1")], vec![s("2")], vec![s("0")]]);
    let r = rows(
        &mut c,
        h,
        "SELECT DISTINCT g FROM generate_series(1, 100000) g;",
    );
    assert_eq!(r.len(), 100000);
    assert_eq!(
        (r[0][0].clone(), r[99999][0].clone()),
        (s("1"), s("100000"))
    );
    // A pattern full of % that almost matches: backtracking would try forever.
    assert_eq!(
        value(
            &mut c,
            h,
            "SELECT repeat('a', 3000) LIKE repeat('%a', 1000) || 'b';"
        ),
        s("f")
    );
    assert_eq!(value(&mut c, h, "SELECT 'abcabc' LIKE '%b_a%c';"), s("t"));
    assert_eq!(value(&mut c, h, "SELECT 'abc' LIKE 'a%%';"), s("t"));
    assert_eq!(value(&mut c, h, "SELECT 'abc' LIKE '_b';"), s("f"));
}

/// Runs `f` on a thread with the browser's 1 MB stack; a stack overflow aborts the test.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic")
}

#[test]
fn long_chains_run_or_stop_with_stack_depth_limit_exceeded() {
    let answers = on_small_stack(|| {
        let (mut c, h) = primary();
        let chain = |n: usize, first: &str, op: &str, term: &str| {
            format!("SELECT {first}{};", format!(" {op} {term}").repeat(n - 1))
        };
        let mut out = Vec::new();
        for sql in [
            chain(20_000, "1", "+", "1"),
            chain(20_000, "'a'", "||", "'a'"),
            format!("SELECT 1{};", "::int".repeat(20_000)),
            format!(
                "SELECT count(*) FROM generate_series(1, 2) g WHERE {};",
                chain(20_000, "g > 0", "AND", "g > 0")
                    .trim_start_matches("SELECT ")
                    .trim_end_matches(';')
            ),
            chain(20_000, "false", "OR", "true"),
            chain(499, "1", "+", "1"),
            chain(499, "1", "*", "1"),
            format!("SELECT {}1{};", "(".repeat(90), ")".repeat(90)),
            format!("SELECT {}1{};", "coalesce(".repeat(90), ")".repeat(90)),
        ] {
            out.push(match run(&mut c, h, &sql) {
                Ok(StatementResult::Rows(rs)) => rs.rows[0][0].clone().unwrap_or_default(),
                Ok(_) => "no rows".into(),
                Err(e) => format!("{} / {}", e.message, e.hint.unwrap_or_default()),
            });
        }
        out
    });
    let deep = "stack depth limit exceeded / Increase the configuration parameter \
                \"max_stack_depth\" (currently 2048kB), after ensuring the platform's stack \
                depth limit is adequate.";
    assert_eq!(
        answers,
        vec![deep, deep, deep, "2", "t", "499", "1", "1", "1"]
    );
}
