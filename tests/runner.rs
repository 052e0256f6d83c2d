//! The script runner end to end: scripts in, psql/bash transcripts out, checked against
//! what PostgreSQL 15 prints (see pg-facts.md beside the project).

use walscope::script::{run_script, Runner};

/// Two standbys streaming from the primary, replication user `replicator`/`secret`.
const TWO_STANDBYS: &str = include_str!("scenarios/two_standbys.walscope");

fn run(script: &str) -> String {
    match run_script(script) {
        Ok(t) => t,
        Err(e) => panic!("script does not parse: {e}"),
    }
}

/// The output printed for the first occurrence of `command` (up to the next prompt).
fn output_of<'a>(transcript: &'a str, command: &str) -> &'a str {
    let start = transcript
        .find(command)
        .unwrap_or_else(|| panic!("{command} not in transcript:\n{transcript}"));
    let rest = &transcript[start + command.len()..];
    let rest = rest.strip_prefix('\n').unwrap_or(rest);
    let end = std::iter::once(0)
        .chain(rest.match_indices('\n').map(|(i, _)| i + 1))
        .find(|&i| is_prompt(rest[i..].lines().next().unwrap_or("")))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The server log lines `command` printed, without their timestamp and pid prefix (so
/// `LOG:  ...`), and without the transcript's closing time line.
fn log_messages<'a>(transcript: &'a str, command: &str) -> Vec<&'a str> {
    output_of(transcript, command)
        .lines()
        .filter(|l| !l.starts_with("-- virtual time"))
        .map(|l| l.split_once("] ").map_or(l, |(_, m)| m))
        .collect()
}

/// Whether a transcript line is an echoed command (`node=# `, `node$ `, `lab$ `).
fn is_prompt(line: &str) -> bool {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    name_end > 0
        && (line[name_end..].starts_with("=# ")
            || line[name_end..].starts_with("$ ")
            || line[name_end..] == *"$")
}

// ---- 1. WAL on the primary -----------------------------------------------------------------

#[test]
fn lsns_and_wal_file_names_print_like_postgresql() {
    let t = run("primary=# SELECT pg_walfile_name('0/3000060'), pg_wal_lsn_diff('0/3000060', '0/3000000');\n");
    assert!(
        t.contains(" 000000010000000000000003 |              96\n"),
        "{t}"
    );
}

#[test]
fn statements_write_the_measured_wal_bytes() {
    let t = run("primary=# CREATE TABLE test (id INT);\n\
         primary=# SELECT pg_current_wal_insert_lsn() AS a;\n\
         primary=# INSERT INTO test VALUES (1);\n\
         primary=# SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0') AS b;\n");
    let lsn = |label: &str| -> u64 {
        let out = output_of(&t, label);
        out.lines()
            .nth(2)
            .unwrap()
            .trim()
            .split('/')
            .fold(0, |acc, p| acc << 32 | u64::from_str_radix(p, 16).unwrap())
    };
    let a = lsn("AS a;");
    let b: u64 = output_of(&t, "AS b;")
        .lines()
        .nth(2)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(b - a, 104, "one-row INSERT and its commit: 104 bytes\n{t}");
}

#[test]
fn generate_series_in_the_target_list_inserts_one_row_per_value() {
    // pg-facts: `INSERT INTO test SELECT generate_series(1,1000)` writes 64,232 bytes.
    let t = run("primary=# CREATE TABLE test (id int);\n\
         primary=# SELECT pg_current_wal_lsn() AS before;\n\
         primary=# INSERT INTO test SELECT generate_series(1,1000);\n\
         primary=# SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS after;\n\
         primary=# SELECT count(*), sum(id) FROM test;\n\
         primary=# SELECT generate_series(1,2), 'x' AS t;\n");
    assert!(t.contains("INSERT 0 1000\n"), "{t}");
    // Extreme bounds neither overflow nor run away.
    let t2 = run("primary=# SELECT count(*) FROM generate_series(9223372036854775807, -9223372036854775808, -9223372036854775808);\n\
         primary=# SELECT count(*) FROM generate_series(-9223372036854775808, 9223372036854775807);\n");
    assert!(t2.contains("     2\n(1 row)"), "{t2}");
    assert!(
        t2.contains("ERROR:  out of memory\nDETAIL:  walscope handles at most 200000 rows in one statement; this one would produce 18446744073709551616.\n"),
        "{t2}"
    );
    assert!(
        t.contains(" count |  sum   \n-------+--------\n  1000 | 500500\n"),
        "{t}"
    );
    assert!(
        t.contains(" generate_series | t \n-----------------+---\n               1 | x\n               2 | x\n(2 rows)\n"),
        "{t}"
    );
    let before = output_of(&t, "AS before;").lines().nth(2).unwrap().trim();
    let before: walscope::sim::Lsn = before.parse().unwrap();
    let after: u64 = output_of(&t, "AS after;")
        .lines()
        .nth(2)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(after - before.0, 64_232, "{t}");
}

#[test]
fn create_table_after_a_checkpoint_writes_full_page_images() {
    let t = run(
        "primary=# CHECKPOINT;\n\
         primary=# SELECT pg_current_wal_insert_lsn() AS before;\n\
         primary=# CREATE TABLE test (id INT);\n\
         primary=# SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), pg_current_wal_insert_lsn()) AS zero, pg_current_wal_insert_lsn() AS after;\n\
         primary=# CREATE TABLE big (id int, pad text);\n\
         primary=# SELECT pg_current_wal_insert_lsn() AS later;\n",
    );
    let lsn_in = |label: &str, col: usize| -> i64 {
        let row = output_of(&t, label).lines().nth(2).unwrap();
        let cell = row.split('|').nth(col).unwrap().trim();
        let (hi, lo) = cell.split_once('/').unwrap();
        (i64::from_str_radix(hi, 16).unwrap() << 32) | i64::from_str_radix(lo, 16).unwrap()
    };
    let before = lsn_in("AS before;", 0);
    let after = lsn_in("AS after;", 1);
    let later = lsn_in("AS later;", 0);
    // pg-facts: 90,040 bytes right after a checkpoint. Later, with a TOAST table for the
    // text column: 31,536 bytes on PostgreSQL 15.18 with wal_log_hints off (the
    // default), measured with pg_current_wal_insert_lsn() before and after
    // `CREATE TABLE t4 (id int, pad text)` (pg-facts' 57,328 had hint bits logged too:
    // 56,352 with wal_log_hints on). Page headers vary a little.
    assert!(
        (90_000..=90_100).contains(&(after - before)),
        "{}",
        after - before
    );
    assert!(
        (31_500..=31_600).contains(&(later - after)),
        "{}",
        later - after
    );
}

#[test]
fn switch_wal_moves_to_the_next_segment() {
    let t = run("primary=# SELECT pg_switch_wal();\nprimary=# SELECT pg_current_wal_lsn(), pg_walfile_name(pg_current_wal_lsn());\n");
    assert!(
        t.contains(" 0/2000000          | 000000010000000000000001\n"),
        "{t}"
    );
}

#[test]
fn a_fresh_cluster_has_postgresql_15_defaults() {
    let t = run(
        "primary=# SHOW wal_level;\nprimary=# SHOW max_wal_senders;\nprimary=# SHOW max_wal_size;\n\
         primary=# SHOW checkpoint_timeout;\nprimary=# SHOW wal_sender_timeout;\nprimary=# SHOW max_slot_wal_keep_size;\n\
         primary=# SHOW wal_compression;\nprimary=# SHOW data_directory;\n",
    );
    for (name, value) in [
        ("wal_level", "replica"),
        ("max_wal_senders", "10"),
        ("max_wal_size", "1GB"),
        ("checkpoint_timeout", "5min"),
        ("wal_sender_timeout", "1min"),
        ("max_slot_wal_keep_size", "-1"),
        ("wal_compression", "off"),
        ("data_directory", "/var/lib/pgsql/data"),
    ] {
        let out = output_of(&t, &format!("SHOW {name};"));
        assert_eq!(
            out.lines().nth(2).map(str::trim),
            Some(value),
            "{name}: {out}"
        );
    }
}

// ---- 2. Configuration and access -----------------------------------------------------------

#[test]
fn bad_setting_values_are_refused_with_postgresql_words() {
    let t =
        run("primary=# ALTER SYSTEM SET wal_level = 'fancy';\nprimary$ cat postgresql.auto.conf\n");
    assert!(t.contains("ERROR:  invalid value for parameter \"wal_level\": \"fancy\"\nHINT:  Available values: minimal, replica, logical.\n"), "{t}");
    // Nothing was written.
    assert!(
        !output_of(&t, "cat postgresql.auto.conf").contains("wal_level"),
        "{t}"
    );
}

#[test]
fn restart_only_settings_wait_for_a_restart() {
    let t = run(
        "primary=# ALTER SYSTEM SET max_wal_senders = 5;\nprimary=# SELECT pg_reload_conf();\n\
         primary=# SHOW max_wal_senders;\nprimary=# SELECT name, pending_restart FROM pg_settings WHERE name = 'max_wal_senders';\n\
         primary$ cat log/postgresql.log\nprimary$ pg_ctl restart\nprimary=# SHOW max_wal_senders;\n",
    );
    assert!(
        output_of(&t, "SHOW max_wal_senders;").contains(" 10\n"),
        "{t}"
    );
    assert!(t.contains(" max_wal_senders | t\n"), "{t}");
    let last = t.rfind("SHOW max_wal_senders;").unwrap();
    assert!(t[last..].contains(" 5\n"), "{t}");
    assert!(
        t.contains(
            "LOG:  parameter \"max_wal_senders\" cannot be changed without restarting the server\n"
        ),
        "{t}"
    );
}

#[test]
fn replication_connections_are_refused_for_each_reason() {
    let base = "primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';\n\
                primary=# CREATE ROLE app WITH LOGIN PASSWORD 'app';\n\
                lab$ node add standby1\n";
    let bb = |user: &str, pw: &str| {
        format!(
            "standby1$ PGPASSWORD={pw} pg_basebackup -h primary -U {user} -D /var/lib/pgsql/data\n"
        )
    };
    // listen_addresses is localhost after initdb. libpq names the host as given and
    // the address it resolved to; a host given as an address is named once.
    let t = run(&format!("{base}{}", bb("replicator", "secret")));
    assert!(t.contains("pg_basebackup: error: connection to server at \"primary\" (10.0.0.1), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"), "{t}");
    let t = run(&format!(
        "{base}standby1$ PGPASSWORD=secret pg_basebackup -h 10.0.0.1 -U replicator -D /var/lib/pgsql/data\n"
    ));
    assert!(t.contains("pg_basebackup: error: connection to server at \"10.0.0.1\", port 5432 failed: Connection refused\n"), "{t}");
    let listening = format!(
        "{base}primary=# ALTER SYSTEM SET listen_addresses = '*';\nprimary$ pg_ctl restart\n"
    );
    // No pg_hba.conf line for a replication connection from 10.0.0.2.
    let t = run(&format!("{listening}{}", bb("replicator", "secret")));
    assert!(t.contains("pg_basebackup: error: connection to server at \"primary\" (10.0.0.1), port 5432 failed: FATAL:  no pg_hba.conf entry for replication connection from host \"10.0.0.2\", user \"replicator\", no encryption\n"), "{t}");
    let hba = format!("{listening}primary$ echo 'host replication all 10.0.0.0/24 scram-sha-256' >> pg_hba.conf\nprimary=# SELECT pg_reload_conf();\n");
    let t = run(&format!("{hba}{}", bb("replicator", "wrong")));
    assert!(
        t.contains("FATAL:  password authentication failed for user \"replicator\"\n"),
        "{t}"
    );
    let t = run(&format!("{hba}{}", bb("app", "app")));
    assert!(
        t.contains("FATAL:  must be superuser or replication role to start walsender\n"),
        "{t}"
    );
    let t = run(&format!(
        "{hba}standby1$ pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data\n"
    ));
    assert!(
        t.contains("failed: fe_sendauth: no password supplied\n"),
        "{t}"
    );
    // max_wal_senders = 1 leaves no second sender for -X stream.
    let t = run(&format!(
        "{hba}primary=# ALTER SYSTEM SET max_wal_senders = 1;\nprimary$ pg_ctl restart\n{}",
        bb("replicator", "secret")
    ));
    assert!(t.contains("FATAL:  number of requested standby connections exceeds max_wal_senders (currently 1)\npg_basebackup: removing data directory \"/var/lib/pgsql/data\"\n"), "{t}");
    // A reject line above wins over the trust line below it.
    let t = run(&format!(
        "{listening}primary$ echo 'host replication replicator 10.0.0.2/32 reject' >> pg_hba.conf\nprimary$ echo 'host replication replicator 10.0.0.0/24 trust' >> pg_hba.conf\nprimary=# SELECT pg_reload_conf();\n{}",
        bb("replicator", "x")
    ));
    assert!(t.contains("FATAL:  pg_hba.conf rejects replication connection for host \"10.0.0.2\", user \"replicator\", no encryption\n"), "{t}");
}

// A bad enum value: parse_and_validate_value's LOG comes with its HINT (the values), at
// a reload and at a start, where the FATAL follows in the log and pg_ctl shows only
// ` stopped waiting`. PostgreSQL 15.18 (tests/compare/startup-bad-setting.walscope, the
// same script; and `pg_ctl reload` / `pg_ctl start -l` by hand on a scratch cluster).
#[test]
fn a_bad_setting_is_logged_with_its_hint_at_a_reload_and_a_start() {
    let t = run("primary$ echo \"synchronous_commit = 'fancy'\" >> postgresql.auto.conf\nprimary$ pg_ctl reload\nprimary$ tail -n 3 log/postgresql.log\n\
                 primary$ echo \"wal_level = 'fancy'\" >> postgresql.auto.conf\nprimary$ pg_ctl restart\nprimary$ tail -n 3 log/postgresql.log\n");
    let unstamped = |text: &str| -> String {
        text.lines()
            .take_while(|l| !l.starts_with("-- virtual time"))
            .map(|l| l.split_once("] ").map_or(l, |(_, m)| m).to_string() + "\n")
            .collect()
    };
    let reload = output_of(&t, "primary$ tail -n 3 log/postgresql.log");
    assert_eq!(
        unstamped(reload),
        "LOG:  invalid value for parameter \"synchronous_commit\": \"fancy\"\nHINT:  Available values: local, remote_write, remote_apply, on, off.\nLOG:  configuration file \"/var/lib/pgsql/data/postgresql.auto.conf\" contains errors; unaffected changes were applied\n"
    );
    assert!(
        output_of(&t, "primary$ pg_ctl restart").ends_with("waiting for server to start.... stopped waiting\npg_ctl: could not start server\nExamine the log output.\n"),
        "{t}"
    );
    let start = t
        .rsplit("primary$ tail -n 3 log/postgresql.log\n")
        .next()
        .unwrap_or_default();
    assert_eq!(
        unstamped(start),
        "LOG:  invalid value for parameter \"wal_level\": \"fancy\"\nHINT:  Available values: minimal, replica, logical.\nFATAL:  configuration file \"/var/lib/pgsql/data/postgresql.auto.conf\" contains errors\n"
    );
}

// A default host's `systemctl start postgresql` runs pg_ctl with the log in
// log/postgresql.log as well: the FATAL is there and systemctl says only that the unit
// failed. PostgreSQL 15.18 under scripts/compare
// (tests/compare/startup-fatal-log.walscope: `systemctl restart postgresql` with
// wal_level = minimal, then `tail -n 2 log/postgresql.log`, the FATAL of the pg_ctl start
// before it and its own).
#[test]
fn systemctl_leaves_a_startup_fatal_in_the_server_log() {
    let t = run("primary=# ALTER SYSTEM SET wal_level = minimal;\nprimary$ systemctl restart postgresql\nprimary$ tail -n 1 log/postgresql.log\n");
    assert_eq!(
        output_of(&t, "primary$ systemctl restart postgresql"),
        "Job for postgresql.service failed because the control process exited with error code.\nSee \"systemctl status postgresql.service\" and \"journalctl -xeu postgresql.service\" for details.\n",
        "{t}"
    );
    assert!(
        output_of(&t, "primary$ tail -n 1 log/postgresql.log").starts_with("2026-11-24 09:00:00.000 UTC [4229] FATAL:  WAL streaming (max_wal_senders > 0) requires wal_level \"replica\" or \"logical\"\n"),
        "{t}"
    );
}

#[test]
fn wal_level_minimal_stops_the_server_and_refuses_replication() {
    let t = run("primary=# ALTER SYSTEM SET wal_level = minimal;\nprimary$ pg_ctl restart\nprimary$ tail -n 1 log/postgresql.log\n");
    // The check runs before the postmaster says it is starting, on its stderr, which
    // pg_ctl -l sends to the log file: PostgreSQL 15.18 (scripts/compare
    // tests/compare/startup-fatal-log.walscope, `pg_ctl restart` as `pg_ctl restart -l
    // log/postgresql.log`) printed `waiting for server to start.... stopped waiting` and
    // had the FATAL as the log's last line.
    let restart = output_of(&t, "primary$ pg_ctl restart");
    assert!(
        restart.ends_with("server stopped\nwaiting for server to start.... stopped waiting\npg_ctl: could not start server\nExamine the log output.\n"),
        "{t}"
    );
    assert_eq!(
        output_of(&t, "primary$ tail -n 1 log/postgresql.log")
            .split("-- virtual time")
            .next()
            .unwrap_or_default(),
        "2026-11-24 09:00:00.000 UTC [4229] FATAL:  WAL streaming (max_wal_senders > 0) requires wal_level \"replica\" or \"logical\"\n",
        "{t}"
    );
    let t = run(
        "primary=# ALTER SYSTEM SET wal_level = minimal;\nprimary=# ALTER SYSTEM SET max_wal_senders = 0;\n\
         primary=# ALTER SYSTEM SET listen_addresses = '*';\nprimary=# CREATE ROLE r WITH REPLICATION LOGIN;\n\
         primary$ echo 'host replication r 10.0.0.0/24 trust' >> pg_hba.conf\nprimary$ pg_ctl restart\n\
         lab$ node add standby1\nstandby1$ pg_basebackup -h primary -U r -D /var/lib/pgsql/data\n",
    );
    assert!(
        t.contains(
            "FATAL:  number of requested standby connections exceeds max_wal_senders (currently 0)"
        ),
        "{t}"
    );
}

// ---- 3. pg_basebackup ------------------------------------------------------------------------

#[test]
fn basebackup_writes_a_standby_configuration() {
    let t = run(&format!(
        "{TWO_STANDBYS}standby1$ ls\nstandby1$ cat postgresql.auto.conf\n"
    ));
    let ls = output_of(&t, "standby1$ ls");
    for f in [
        "standby.signal",
        "backup_label.old",
        "backup_manifest",
        "pg_wal",
        "postgresql.conf",
    ] {
        assert!(ls.lines().any(|l| l == f), "{f} missing:\n{ls}");
    }
    // With a password (PGPASSWORD) libpq names no password file.
    assert!(t.contains("primary_conninfo = 'user=replicator password=secret channel_binding=prefer host=primary port=5432 sslmode=prefer sslcompression=0 sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer krbsrvname=postgres target_session_attrs=any'\n"), "{t}");
    // Without one it does (pg-facts).
    let t = run("primary=# ALTER SYSTEM SET listen_addresses = '*';\n\
         primary$ echo 'host replication postgres 10.0.0.0/24 trust' >> pg_hba.conf\nprimary$ pg_ctl restart\n\
         lab$ node add standby1\nstandby1$ pg_basebackup -h primary -D /var/lib/pgsql/data -R\n\
         standby1$ cat postgresql.auto.conf\n");
    assert!(t.contains("primary_conninfo = 'user=postgres passfile=''/var/lib/pgsql/.pgpass'' channel_binding=prefer host=primary port=5432 sslmode=prefer sslcompression=0 sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer krbsrvname=postgres target_session_attrs=any'\n"), "{t}");
}

#[test]
fn a_base_backup_starts_and_ends_on_a_segment_switch() {
    // pg_backup_start switches segments before its checkpoint and pg_backup_stop after
    // the backup-end record, so recovery starts at 0/N000028 and the standby streams
    // from the segment after the backup.
    let t = run(&format!(
        "{TWO_STANDBYS}standby1$ cat backup_label.old\nstandby1$ tail -n 8 log/postgresql.log\n"
    ));
    let label = output_of(&t, "standby1$ cat backup_label.old");
    assert!(
        label.starts_with("START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/2000060\n"),
        "{label}"
    );
    let log: Vec<&str> = log_messages(&t, "standby1$ tail -n 8 log/postgresql.log");
    let at = |m: &str| {
        log.iter()
            .position(|l| l.starts_with(m))
            .unwrap_or_else(|| panic!("{m} not in {log:#?}"))
    };
    let start = at("LOG:  starting backup recovery with redo LSN 0/2000028, checkpoint LSN 0/2000060, on timeline ID 1");
    // Redo 0x28, running-xacts 56 bytes, checkpoint 120, backup end 40: 0x100.
    let consistent = at("LOG:  consistent recovery state reached at 0/2000100");
    let streaming = at("LOG:  started streaming WAL from primary at 0/3000000 on timeline 1");
    assert!(start < consistent && consistent < streaming, "{log:#?}");
}

#[test]
fn checkpoint_locations_are_where_their_records_start() {
    let t = run(
        "primary$ pg_ctl restart\n\
         primary=# SELECT checkpoint_lsn = redo_lsn AS shutdown FROM pg_control_checkpoint();\n\
         primary=# CREATE TABLE t (id int);\nprimary=# CHECKPOINT;\n\
         primary=# SELECT checkpoint_lsn - redo_lsn AS running_xacts, pg_current_wal_lsn() - checkpoint_lsn AS record FROM pg_control_checkpoint();\n\
         primary=# SELECT pg_switch_wal();\nprimary=# CHECKPOINT;\n\
         primary=# SELECT redo_lsn, checkpoint_lsn FROM pg_control_checkpoint();\n\
         primary=# INSERT INTO t VALUES (1);\n\
         primary=# SELECT pg_create_physical_replication_slot('r2', true);\n",
    );
    // A physical slot reserves WAL from the last redo point.
    assert!(t.contains(" (r2,0/2000028)\n"), "{t}");
    assert!(t.contains(" shutdown \n----------\n t\n"), "{t}");
    assert!(
        t.contains(" running_xacts | record \n---------------+--------\n            56 |    120\n"),
        "{t}"
    );
    assert!(
        t.contains(
            " redo_lsn  | checkpoint_lsn \n-----------+----------------\n 0/2000028 | 0/2000060\n"
        ),
        "{t}"
    );
}

#[test]
fn basebackup_refuses_a_non_empty_directory_and_creates_slots() {
    let t = run(&format!(
        "{TWO_STANDBYS}standby1$ pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data\n\
         lab$ node add standby3\nstandby3$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R -C -S replica1 -P -v\n\
         standby3$ tail -n 1 postgresql.auto.conf\nprimary=# SELECT slot_name, slot_type, active FROM pg_replication_slots;\n"
    ));
    assert!(
        t.contains(
            "pg_basebackup: error: directory \"/var/lib/pgsql/data\" exists but is not empty\n"
        ),
        "{t}"
    );
    assert!(
        t.contains("pg_basebackup: created replication slot \"replica1\"\n"),
        "{t}"
    );
    assert!(
        t.contains("\n    0/22954 kB (0%), 0/1 tablespace\n"),
        "padded to the total's width: {t}"
    );
    assert!(t.contains("22954/22954 kB (100%), 1/1 tablespace\n"), "{t}");
    assert!(t.contains("pg_basebackup: base backup completed\n"), "{t}");
    assert!(t.contains("primary_slot_name = 'replica1'\n"), "{t}");
    assert!(t.contains(" replica1  | physical  | f\n"), "{t}");
}

#[test]
fn basebackup_time_grows_with_size_and_shrinks_with_bandwidth() {
    let clone = |bandwidth: &str| {
        let mut r = Runner::new(0);
        r.run_text(&format!(
            "primary=# ALTER SYSTEM SET listen_addresses = '*';\nprimary$ echo 'host replication postgres 10.0.0.0/24 trust' >> pg_hba.conf\n\
             primary$ pg_ctl restart\nprimary=# CREATE TABLE big (id int, pad text);\n\
             primary=# INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g;\n\
             lab$ node add standby1\nlab$ bandwidth primary standby1 {bandwidth}\n"
        ))
        .unwrap();
        let before = r.now();
        r.run_text("standby1$ pg_basebackup -h primary -D /var/lib/pgsql/data -P\n")
            .unwrap();
        r.now().0 - before.0
    };
    let fast = clone("100MB/s");
    let slow = clone("10MB/s");
    // About 33 MB: 0.3 s at 100MB/s, 3.3 s at 10MB/s.
    assert!((250_000..450_000).contains(&fast), "{fast}");
    assert!((3_000_000..3_700_000).contains(&slow), "{slow}");
}

#[test]
fn the_clone_is_consistent_as_of_the_backup_and_replays_the_rest() {
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# CREATE TABLE t (id int);\nprimary=# INSERT INTO t VALUES (1), (2), (3);\n\
         lab$ node add standby3\nstandby3$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R\n\
         primary=# INSERT INTO t VALUES (4);\nstandby3$ pg_ctl start\nlab$ wait 1s\nstandby3=# SELECT count(*) FROM t;\n"
    ));
    assert!(
        output_of(&t, "standby3=# SELECT count(*) FROM t;").contains("     4\n"),
        "{t}"
    );
}

// ---- 4. Standbys -------------------------------------------------------------------------------

#[test]
fn a_hot_standby_reads_replayed_rows_and_refuses_writes() {
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# CREATE TABLE test (id INT);\nprimary=# INSERT INTO test VALUES (1);\nlab$ wait 100ms\n\
         standby1=# SELECT * FROM test;\nstandby1=# INSERT INTO test VALUES (2);\nstandby1=# UPDATE test SET id = 3;\n\
         standby1=# DELETE FROM test;\nstandby1=# CREATE TABLE x (id int);\n\
         standby1=# SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AS caught_up, pg_is_in_recovery();\n\
         standby1=# SELECT * FROM pg_walfile_name_offset(pg_last_wal_replay_lsn());\n"
    ));
    assert!(
        output_of(&t, "standby1=# SELECT * FROM pg_walfile_name_offset(pg_last_wal_replay_lsn());")
            .starts_with("ERROR:  recovery is in progress\nHINT:  pg_walfile_name_offset() cannot be executed during recovery.\n"),
        "{t}"
    );
    assert!(
        output_of(&t, "standby1=# SELECT * FROM test;").contains("  1\n(1 row)"),
        "{t}"
    );
    for cmd in ["INSERT", "UPDATE", "DELETE", "CREATE TABLE"] {
        assert!(
            t.contains(&format!(
                "ERROR:  cannot execute {cmd} in a read-only transaction\n"
            )),
            "{cmd}: {t}"
        );
    }
    assert!(t.contains(" t         | t\n"), "{t}");
}

#[test]
fn a_standby_sees_only_what_it_replayed() {
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# CREATE TABLE test (id INT);\nlab$ wait 100ms\n\
         lab$ latency primary standby1 2s\nprimary=# INSERT INTO test VALUES (1);\n\
         standby1=# SELECT count(*) FROM test;\nlab$ wait 2100ms\nstandby1=# SELECT count(*) AS later FROM test;\n"
    ));
    assert!(
        output_of(&t, "standby1=# SELECT count(*) FROM test;").contains("     0\n"),
        "{t}"
    );
    assert!(
        output_of(&t, "AS later FROM test;").contains("     1\n"),
        "{t}"
    );
}

#[test]
fn pg_stat_replication_has_every_column_in_order() {
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# SELECT * FROM pg_stat_replication LIMIT 1;\n"
    ));
    let header = output_of(&t, "LIMIT 1;")
        .lines()
        .next()
        .unwrap()
        .to_string();
    let cols: Vec<&str> = header.split('|').map(str::trim).collect();
    assert_eq!(
        cols,
        [
            "pid",
            "usesysid",
            "usename",
            "application_name",
            "client_addr",
            "client_hostname",
            "client_port",
            "backend_start",
            "backend_xmin",
            "state",
            "sent_lsn",
            "write_lsn",
            "flush_lsn",
            "replay_lsn",
            "write_lag",
            "flush_lag",
            "replay_lag",
            "sync_priority",
            "sync_state",
            "reply_time"
        ]
    );
    let t = run(&format!(
        "{TWO_STANDBYS}standby1=# \\x\nstandby1=# SELECT * FROM pg_stat_wal_receiver;\n"
    ));
    assert!(t.contains("status                | streaming\n"), "{t}");
    assert!(t.contains("receive_start_lsn     | 0/3000000\n"), "{t}");
    assert!(t.contains("dbname=replication"), "{t}");
}

#[test]
fn lag_columns_are_intervals_and_clear_when_idle() {
    let t = run(&format!(
        "{TWO_STANDBYS}lab$ latency primary standby1 25ms\nprimary=# CREATE TABLE t (id int);\nlab$ wait 200ms\n\
         primary=# SELECT application_name, write_lag, replay_lag FROM pg_stat_replication ORDER BY 1;\n\
         lab$ wait 30s\nprimary=# SELECT application_name, write_lag FROM pg_stat_replication ORDER BY 1;\n"
    ));
    let first = output_of(
        &t,
        "write_lag, replay_lag FROM pg_stat_replication ORDER BY 1;",
    );
    // 25 ms each way plus transfer: the round trip is just over 50 ms.
    assert!(first.contains(" walreceiver      | 00:00:00.05"), "{first}");
    let later = output_of(&t, "write_lag FROM pg_stat_replication ORDER BY 1;");
    assert!(
        later.lines().nth(2).unwrap().trim_end().ends_with('|'),
        "lag cleared after two idle replies:\n{later}"
    );
}

#[test]
fn hot_standby_off_refuses_connections() {
    let t = run(&format!(
        "{TWO_STANDBYS}standby1$ echo 'hot_standby = off' >> postgresql.conf\nstandby1$ pg_ctl restart\nstandby1=# SELECT 1;\n"
    ));
    assert!(t.contains("FATAL:  the database system is not accepting connections\nDETAIL:  Hot standby mode is disabled.\n"), "{t}");
}

#[test]
fn stopping_a_standby_is_logged_like_postgresql() {
    let t = run(&format!(
        "{TWO_STANDBYS}standby1$ pg_ctl stop\nstandby1$ tail -n 8 log/postgresql.log\n\
         lab$ wait 1s\nprimary$ cat log/postgresql.log\n"
    ));
    assert!(
        t.contains("FATAL:  terminating walreceiver process due to administrator command\n"),
        "{t}"
    );
    // The walreceiver says goodbye, so its walsender ends quietly.
    let primary_log = output_of(&t, "primary$ cat log/postgresql.log");
    assert!(!primary_log.contains("unexpected EOF"), "{t}");
    // An immediate stop kills the walreceiver; the primary sees its connection go.
    let t = run(&format!(
        "{TWO_STANDBYS}standby2$ pg_ctl stop -m immediate\nlab$ wait 10ms\nprimary$ tail -n 2 log/postgresql.log\n"
    ));
    let tail: Vec<&str> = log_messages(&t, "primary$ tail -n 2 log/postgresql.log");
    assert_eq!(
        tail,
        [
            "LOG:  could not receive data from client: Connection reset by peer",
            "LOG:  unexpected EOF on standby connection"
        ],
        "{t}"
    );
}

#[test]
fn a_standby_without_a_slot_loses_removed_wal_and_a_slot_keeps_it() {
    let scenario = |slot: &str| {
        format!(
            "primary=# ALTER SYSTEM SET listen_addresses = '*';\nprimary$ echo 'host replication postgres 10.0.0.0/24 trust' >> pg_hba.conf\n\
             primary$ pg_ctl restart\nlab$ node add standby1\nstandby1$ pg_basebackup -h primary -D /var/lib/pgsql/data -R {slot}\n\
             standby1$ pg_ctl start\nlab$ wait 1s\nstandby1$ pg_ctl stop\n\
             primary=# SELECT pg_switch_wal();\nprimary=# CREATE TABLE t (id int);\nprimary=# SELECT pg_switch_wal();\n\
             primary=# CREATE TABLE u (id int);\nprimary=# SELECT pg_switch_wal();\nprimary=# CHECKPOINT;\n\
             standby1$ pg_ctl start\nlab$ wait 6s\nstandby1$ tail -n 4 log/postgresql.log\nprimary=# SELECT slot_name, active, wal_status FROM pg_replication_slots;\n"
        )
    };
    let t = run(&scenario(""));
    assert!(t.contains("FATAL:  could not receive data from WAL stream: ERROR:  requested WAL segment 000000010000000000000003 has already been removed\n"), "{t}");
    let t = run(&scenario("-C -S replica1"));
    assert!(!t.contains("has already been removed"), "{t}");
    assert!(t.contains(" replica1  | t      | reserved\n"), "{t}");
}

// ---- 5. Synchronous replication -----------------------------------------------------------------

const SYNC: &str = "standby1$ echo \"cluster_name = 's1'\" >> postgresql.conf\nstandby2$ echo \"cluster_name = 's2'\" >> postgresql.conf\n\
                    standby1$ pg_ctl restart\nstandby2$ pg_ctl restart\nlab$ wait 1s\n";

fn sync_states(names: &str) -> String {
    let t = run(&format!(
        "{TWO_STANDBYS}{SYNC}primary=# ALTER SYSTEM SET synchronous_standby_names = '{names}';\nprimary=# SELECT pg_reload_conf();\n\
         lab$ wait 100ms\nprimary=# SELECT application_name, sync_priority, sync_state FROM pg_stat_replication ORDER BY 1;\n"
    ));
    output_of(&t, "sync_state FROM pg_stat_replication ORDER BY 1;").to_string()
}

#[test]
fn synchronous_standby_names_in_all_its_forms() {
    assert!(sync_states("s1").contains(
        " s1               |             1 | sync\n s2               |             0 | async\n"
    ));
    assert!(sync_states("s1, s2").contains(
        " s1               |             1 | sync\n s2               |             2 | potential\n"
    ));
    assert!(sync_states("FIRST 2 (s2, s1)").contains(
        " s1               |             2 | sync\n s2               |             1 | sync\n"
    ));
    assert!(sync_states("ANY 1 (s1, s2)").contains(
        " s1               |             1 | quorum\n s2               |             1 | quorum\n"
    ));
    assert!(sync_states("*").contains(" s2               |             1 | potential\n"));
}

#[test]
fn the_rest_of_a_line_runs_after_a_waiting_commit_as_in_psql() {
    let t = run(&format!(
        "{TWO_STANDBYS}{SYNC}primary=# ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (s1)';\nprimary=# SELECT pg_reload_conf();\n\
         primary=# CREATE TABLE test (id int);\nstandby1$ pg_ctl stop\nlab$ wait 1s\n\
         primary=# INSERT INTO test VALUES (1); INSERT INTO test VALUES (2); SELECT 'after';\n\
         lab$ wait 1min\nstandby1$ pg_ctl start\nlab$ wait 5s\nprimary=# SELECT count(*) FROM test;\n"
    ));
    // Nothing after the waiting INSERT runs while it waits ...
    assert!(
        output_of(
            &t,
            "primary=# INSERT INTO test VALUES (1); INSERT INTO test VALUES (2); SELECT 'after';"
        )
        .is_empty(),
        "{t}"
    );
    // ... and once s1 is back and confirms it, the rest of the line runs in the same
    // session, as psql sends it.
    assert!(
        t.contains("(session 1) finished:\nINSERT 0 1\nINSERT 0 1\n ?column? \n----------\n after\n(1 row)\n"),
        "{t}"
    );
    assert!(
        output_of(&t, "SELECT count(*) FROM test;").contains("     2\n"),
        "{t}"
    );
}

#[test]
fn a_commit_waits_for_a_missing_synchronous_standby_until_cancelled() {
    let t = run(&format!(
        "{TWO_STANDBYS}{SYNC}primary=# ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (s1)';\nprimary=# SELECT pg_reload_conf();\n\
         primary=# CREATE TABLE test (id int);\nstandby1$ pg_ctl stop\nlab$ wait 1s\nprimary=# INSERT INTO test VALUES (1);\n\
         primary=# SELECT wait_event_type, wait_event, state FROM pg_stat_activity WHERE query LIKE 'INSERT%';\n\
         lab$ wait 10min\nlab$ cancel primary\nprimary=# SELECT count(*) FROM test;\n"
    ));
    assert!(
        t.contains("primary=# CREATE TABLE test (id int);\nCREATE TABLE\n"),
        "a synchronous commit with s1 up returns at once:\n{t}"
    );
    assert!(
        output_of(&t, "primary=# INSERT INTO test VALUES (1);").is_empty(),
        "{t}"
    );
    assert!(
        t.contains(" IPC             | SyncRep    | active\n"),
        "{t}"
    );
    assert!(t.contains("(session 1) finished:\nWARNING:  canceling wait for synchronous replication due to user request\nDETAIL:  The transaction has already committed locally, but might not have been replicated to the standby.\nINSERT 0 1\n"), "{t}");
    assert!(
        output_of(&t, "SELECT count(*) FROM test;").contains("     1\n"),
        "{t}"
    );
}

#[test]
fn a_commit_waiting_for_its_synchronous_standby_is_invisible_to_other_sessions() {
    // PostgreSQL 15 (tests/compare/sync-rep.walscope): while INSERT (2) waits for SyncRep,
    // another session counts 1 row; after the cancel's WARNING it counts 2.
    let t = run(&format!(
        "{TWO_STANDBYS}{SYNC}primary=# ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (s1)';\nprimary=# SELECT pg_reload_conf();\n\
         primary=# CREATE TABLE test (id int);\nprimary=# INSERT INTO test VALUES (1);\nstandby1$ pg_ctl stop\nlab$ wait 1s\n\
         primary=# INSERT INTO test VALUES (2);\nprimary=# SELECT count(*) FROM test;\n\
         lab$ cancel primary\nprimary=# SELECT id FROM test ORDER BY id;\n"
    ));
    assert_eq!(
        output_of(&t, "primary=# SELECT count(*) FROM test;"),
        " count \n-------\n     1\n(1 row)\n\n",
        "{t}"
    );
    assert!(
        output_of(&t, "primary=# SELECT id FROM test ORDER BY id;").contains("  1\n  2\n(2 rows)"),
        "{t}"
    );
}

#[test]
fn synchronous_commit_levels_wait_for_what_they_promise() {
    // With replay held back by recovery_min_apply_delay, remote_apply waits and on does not.
    let t = run(&format!(
        "{TWO_STANDBYS}{SYNC}standby1=# ALTER SYSTEM SET recovery_min_apply_delay = '5s';\nstandby1=# SELECT pg_reload_conf();\n\
         primary=# ALTER SYSTEM SET synchronous_standby_names = 's1';\nprimary=# SELECT pg_reload_conf();\nprimary=# CREATE TABLE t (id int);\n\
         primary=# SET synchronous_commit = remote_apply;\nprimary=# INSERT INTO t VALUES (1);\nprimary=# SET synchronous_commit = on;\nprimary=# INSERT INTO t VALUES (2);\n\
         lab$ wait 6s\n"
    ));
    assert!(
        output_of(&t, "primary=# INSERT INTO t VALUES (1);").is_empty(),
        "remote_apply waits for the delayed replay:\n{t}"
    );
    assert!(
        t.contains("primary=# INSERT INTO t VALUES (2);\nINSERT 0 1\n"),
        "on only waits for the flush:\n{t}"
    );
    assert!(
        t.contains("(session 1) finished:\nINSERT 0 1\n"),
        "remote_apply returns after the delay:\n{t}"
    );
}

#[test]
fn synchronous_commit_off_can_lose_a_commit_in_a_crash() {
    let t = run(
        "primary=# CREATE TABLE t (id int);\nprimary=# SET synchronous_commit = off;\nprimary=# INSERT INTO t VALUES (1);\n\
         lab$ crash primary\nprimary$ pg_ctl start\nprimary=# SELECT count(*) FROM t;\nprimary$ tail -n 8 log/postgresql.log\n",
    );
    assert!(
        output_of(&t, "SELECT count(*) FROM t;").contains("     0\n"),
        "{t}"
    );
    assert!(
        t.contains(
            "LOG:  database system was not properly shut down; automatic recovery in progress\n"
        ),
        "{t}"
    );
}

// ---- failover -------------------------------------------------------------------------------------

#[test]
fn promotion_starts_a_new_timeline_that_standbys_follow() {
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# CREATE TABLE t (id int);\nprimary=# INSERT INTO t VALUES (1);\nlab$ wait 100ms\n\
         primary$ pg_ctl stop -m immediate\nstandby1=# SELECT pg_promote();\n\
         standby1=# SELECT pg_is_in_recovery(), timeline_id FROM pg_control_checkpoint();\n\
         standby1$ tail -n 10 log/postgresql.log\nstandby1=# INSERT INTO t VALUES (2);\n\
         standby2=# ALTER SYSTEM SET primary_conninfo = 'host=standby1 user=replicator password=secret';\nstandby2=# SELECT pg_reload_conf();\n\
         lab$ wait 6s\nstandby2=# SELECT count(*) FROM t;\nstandby2$ ls pg_wal\nstandby2$ tail -n 6 log/postgresql.log\nstandby2$ cat pg_wal/00000002.history\n"
    ));
    // The re-pointed standby streams timeline 1 to its end, then switches.
    let log: Vec<&str> = log_messages(&t, "standby2$ tail -n 6 log/postgresql.log");
    let (first, rest) = log.split_first().unwrap();
    assert_eq!(
        *first, "LOG:  fetching timeline history file for timeline 2 from primary server",
        "{log:#?}"
    );
    assert!(
        rest[0].starts_with("LOG:  started streaming WAL from primary at 0/")
            && rest[0].ends_with(" on timeline 1"),
        "{log:#?}"
    );
    assert_eq!(rest[1], "LOG:  replication terminated by primary server");
    assert!(
        rest[2].starts_with("DETAIL:  End of WAL reached on timeline 1 at 0/"),
        "{log:#?}"
    );
    assert_eq!(rest[3], "LOG:  new target timeline is 2");
    // The old timeline ends at the switch point the history file records, and streaming
    // restarts at the start of its segment.
    let history = output_of(&t, "standby2$ cat pg_wal/00000002.history");
    let switch: walscope::sim::Lsn = history.split('\t').nth(1).unwrap().parse().unwrap();
    assert_eq!(
        rest[2],
        format!("DETAIL:  End of WAL reached on timeline 1 at {switch}.")
    );
    assert_eq!(
        rest[4],
        format!(
            "LOG:  restarted WAL streaming at {} on timeline 2",
            switch.segment_start()
        )
    );
    // Right after pg_promote() the end-of-recovery checkpoint is still being written
    // (spread): pg_control's timeline is still 1, as on PostgreSQL 15.18.
    assert!(t.contains(" f                 |           1\n"), "{t}");
    assert!(t.contains("LOG:  received promote request\n"), "{t}");
    assert!(t.contains("LOG:  selected new timeline ID: 2\n"), "{t}");
    assert!(t.contains("LOG:  archive recovery complete\n"), "{t}");
    assert!(
        output_of(&t, "standby2=# SELECT count(*) FROM t;").contains("     2\n"),
        "{t}"
    );
    assert!(
        output_of(&t, "standby2$ ls pg_wal").contains("00000002.history\n")
            || output_of(&t, "standby2$ ls pg_wal").contains("000000020000000000000001\n"),
        "{t}"
    );
}

#[test]
fn an_old_primary_ahead_of_the_fork_cannot_follow_until_rewound() {
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# ALTER SYSTEM SET wal_log_hints = off;\nlab$ partition primary standby1\nprimary=# CREATE TABLE lost (id int);\n\
         lab$ wait 100ms\nprimary$ pg_ctl stop\nstandby1=# SELECT pg_promote();\n\
         primary$ touch standby.signal\nprimary$ echo \"primary_conninfo = 'host=standby1 user=replicator password=secret'\" >> postgresql.auto.conf\n\
         lab$ heal primary standby1\nprimary$ pg_ctl start\nlab$ wait 6s\nprimary$ tail -n 2 log/postgresql.log\nprimary$ pg_ctl stop\n\
         primary$ pg_rewind --target-pgdata=/var/lib/pgsql/data --source-server='host=standby1 user=postgres'\n"
    ));
    assert!(t.contains("LOG:  new timeline 2 forked off current database system timeline 1 before current recovery point"), "{t}");
    assert!(t.contains("pg_rewind: error: target server needs to use either data checksums or \"wal_log_hints = on\"\n"), "{t}");
}

// ---- runner -----------------------------------------------------------------------------------------

#[test]
fn unknown_commands_answer_like_bash_and_psql() {
    let t = run("primary$ frobnicate --now\nprimary=# SELEC 1;\nprimary=# SELECT * FROM nope;\nlab$ explode\n");
    assert!(t.contains("bash: frobnicate: command not found\n"), "{t}");
    assert!(
        t.contains("ERROR:  syntax error at or near \"SELEC\"\nLINE 1: SELEC 1;\n        ^\n"),
        "{t}"
    );
    assert!(t.contains("ERROR:  relation \"nope\" does not exist\nLINE 1: SELECT * FROM nope;\n                      ^\n"), "{t}");
    assert!(t.contains("lab: unknown command \"explode\""), "{t}");
}

#[test]
fn the_transcript_ends_with_the_virtual_time() {
    let t = run("lab$ wait 1500ms\n@3s primary=# SELECT 1;\n");
    assert!(t.ends_with("-- virtual time: 3.000s\n"), "{t}");
}

#[test]
fn the_server_log_uses_postgresql_line_format() {
    let t = run("primary$ pg_ctl restart\nprimary$ tail -n 1 log/postgresql.log\n");
    let last = output_of(&t, "tail -n 1 log/postgresql.log");
    let re_ok = last.starts_with("2026-11-24 09:00:00.000 UTC [")
        && last.contains("] LOG:  database system is ready to accept connections");
    assert!(re_ok, "{last}");
}

// ---- The event log ---------------------------------------------------------------------------

#[test]
fn the_event_log_tells_a_failover_in_order_and_says_why() {
    use walscope::sim::EventKind;
    let mut r = Runner::new(0);
    r.run_text(&format!(
        "{TWO_STANDBYS}primary=# SELECT pg_create_physical_replication_slot('reporting', true);\n\
         primary=# ALTER SYSTEM SET max_slot_wal_keep_size = '1MB';\nprimary=# SELECT pg_reload_conf();\n\
         primary=# CREATE TABLE t (id int);\nprimary=# SELECT pg_switch_wal();\n\
         primary=# INSERT INTO t VALUES (1);\nprimary=# SELECT pg_switch_wal();\n\
         primary=# INSERT INTO t VALUES (2);\nprimary=# SELECT pg_switch_wal();\nprimary=# CHECKPOINT;\n\
         lab$ crash primary\nstandby1=# SELECT pg_promote();\n\
         standby2=# ALTER SYSTEM SET primary_conninfo = 'host=standby1 user=replicator password=secret';\n\
         standby2=# SELECT pg_reload_conf();\nlab$ wait 6s\n"
    ))
    .expect("script parses");
    let c = &r.cluster;
    let events = c.events();
    let find = |kind: EventKind, text: &str| {
        events
            .iter()
            .position(|e| e.kind == kind && e.text == text)
            .unwrap_or_else(|| {
                let all: Vec<_> = events
                    .iter()
                    .map(|e| format!("{:?} {}", e.kind, e.text))
                    .collect();
                panic!("no {kind:?} event {text:?} in:\n{}", all.join("\n"))
            })
    };
    let connected = find(EventKind::Connected, "standby1 streaming from primary");
    let invalidated = find(
        EventKind::SlotInvalidated,
        "slot reporting on primary invalidated",
    );
    let removed = find(
        EventKind::SegmentRemoved,
        "primary removed WAL segments 000000010000000000000003 .. 000000010000000000000006",
    );
    let crashed = find(EventKind::Fault, "primary lost power");
    let promoted = find(
        EventKind::Promote,
        "standby1 promoted: now the primary on timeline 2",
    );
    let follows = find(EventKind::Timeline, "standby2 follows timeline 2");
    let restreams = find(EventKind::Connected, "standby2 streaming from standby1");
    assert!(
        connected < invalidated,
        "streaming began before the slot was lost"
    );
    assert!(
        invalidated < removed,
        "a slot is invalidated before its WAL goes"
    );
    assert!(removed < crashed && crashed < promoted && promoted < follows && follows < restreams);
    assert!(
        events.iter().any(|e| e.kind == EventKind::Checkpoint
            && e.text.starts_with("checkpoint on primary (redo 0/")),
        "the CHECKPOINT is logged"
    );
    // Timestamps never go back, and every entry says why it matters.
    assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
    for e in events {
        assert!(e.why.ends_with('.') && e.why.len() > 30, "{e:?}");
    }
}

// ---- The example labs ---------------------------------------------------------------------------

#[test]
fn every_example_lab_ends_with_all_standbys_streaming() {
    use walscope::examples::EXAMPLES;
    for (title, script) in EXAMPLES {
        let mut r = Runner::new(0);
        r.run_text(script).expect("the example parses");
        r.cluster.advance(walscope::sim::SimDuration::from_secs(2));
        let c = &r.cluster;
        let primary = c
            .nodes()
            .iter()
            .find(|n| !n.in_recovery && n.state == walscope::sim::ServerState::Running)
            .map(|n| n.id)
            .expect("a primary");
        let standbys = c.hosts().len() - 1;
        let rows = c.stat_replication(primary);
        assert_eq!(rows.len(), standbys, "{title}: {rows:#?}");
        for row in &rows {
            assert_eq!(row.state.to_string(), "streaming", "{title}: {row:#?}");
        }
        let t = r.run_text("primary=# SELECT application_name, sync_state FROM pg_stat_replication ORDER BY 1;\n").unwrap();
        if title.contains("standby1 synchronous") {
            assert!(t.contains(" standby1         | sync\n"), "{title}: {t}");
        }
    }
}

#[test]
fn restarts_log_what_postgresql_logs() {
    // Crash recovery replays to the end of WAL and names the last record's start.
    let t = run("primary=# CREATE TABLE t (id int);\nprimary=# INSERT INTO t VALUES (1);\n\
         primary=# SELECT pg_current_wal_lsn() AS end_lsn;\n\
         primary$ pg_ctl stop -m immediate\nprimary$ pg_ctl start\nprimary$ tail -n 12 log/postgresql.log\n");
    let end = output_of(&t, "AS end_lsn;").lines().nth(2).unwrap().trim();
    let log = output_of(&t, "primary$ tail -n 12 log/postgresql.log");
    assert!(
        log.contains(&format!(
            "LOG:  invalid record length at {end}: wanted 24, got 0\n"
        )),
        "{log}"
    );
    // The last record is the INSERT's 40-byte commit record.
    let end: walscope::sim::Lsn = end.parse().unwrap();
    let last = walscope::sim::Lsn(end.0 - 40);
    assert!(
        log.contains(&format!("LOG:  redo done at {last} system usage: ")),
        "{log}"
    );
    // The postmaster, not the startup process, says it is ready.
    let pid = |line: &str| line.split(['[', ']']).nth(1).unwrap().to_string();
    let ready = log
        .lines()
        .find(|l| l.ends_with("ready to accept connections"))
        .unwrap();
    let started = log
        .lines()
        .rfind(|l| l.contains("LOG:  starting PostgreSQL"))
        .unwrap();
    assert_eq!(pid(ready), pid(started), "{t}");

    // After an online checkpoint the redo point is before the checkpoint record, so a
    // restarted standby has something to replay and says where it starts.
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# CHECKPOINT;\nlab$ wait 1s\nstandby1$ pg_ctl restart\n\
         standby1$ tail -n 3 log/postgresql.log\n"
    ));
    assert!(
        output_of(&t, "standby1$ tail -n 3 log/postgresql.log").contains("LOG:  redo starts at 0/"),
        "{t}"
    );

    // A standby makes a restartpoint on the way down and says so on the way up.
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# CREATE TABLE t (id int);\nlab$ wait 1s\nstandby1$ pg_ctl restart\n\
         standby1$ tail -n 12 log/postgresql.log\n"
    ));
    let log = output_of(&t, "standby1$ tail -n 12 log/postgresql.log");
    for line in [
        "LOG:  restartpoint starting: shutdown immediate\n",
        "LOG:  database system was shut down in recovery at 2026-11-24 09:00:02 UTC\n",
        "LOG:  entering standby mode\n",
    ] {
        assert!(log.contains(line), "{line}{log}");
    }
    let restart_point = log
        .lines()
        .find_map(|l| l.split_once("LOG:  recovery restart point at "))
        .map(|(_, lsn)| lsn.to_string())
        .unwrap();
    assert!(
        log.contains(&format!("LOG:  redo starts at {restart_point}\n")),
        "{log}"
    );
}

#[test]
fn a_walsender_announces_when_it_serves_a_synchronous_standby() {
    let t = run(&format!(
        "{TWO_STANDBYS}{SYNC}primary=# ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (s1, s2)';\n\
         primary=# SELECT pg_reload_conf();\nprimary=# CREATE TABLE t (id int);\nlab$ wait 1s\n\
         lab$ crash standby1\nprimary=# INSERT INTO t VALUES (1);\nlab$ wait 1s\n\
         primary$ cat log/postgresql.log\n"
    ));
    let log: Vec<&str> = log_messages(&t, "primary$ cat log/postgresql.log");
    let announced: Vec<&str> = log
        .windows(2)
        .filter(|w| w[0].contains("synchronous standby"))
        .flatten()
        .copied()
        .collect();
    assert_eq!(
        announced,
        [
            "LOG:  standby \"s1\" is now a synchronous standby with priority 1",
            "STATEMENT:  START_REPLICATION 0/4000000 TIMELINE 1",
            "LOG:  standby \"s2\" is now a synchronous standby with priority 2",
            "STATEMENT:  START_REPLICATION 0/4000000 TIMELINE 1",
        ],
        "{log:#?}"
    );
}

#[test]
fn slot_wal_status_and_safe_wal_size_count_whole_segments() {
    // max_slot_wal_keep_size = 40MB keeps two whole segments past the slot's segment:
    // safe_wal_size is the distance to the start of the segment after those.
    let t = run("primary=# SELECT pg_switch_wal();\n\
         primary=# CHECKPOINT;\n\
         primary=# SELECT pg_create_physical_replication_slot('r2', true);\n\
         primary=# ALTER SYSTEM SET max_slot_wal_keep_size = '40MB';\n\
         primary=# SELECT pg_reload_conf();\n\
         primary=# CREATE TABLE t (id int);\n\
         primary=# SELECT pg_current_wal_lsn(), restart_lsn, wal_status, safe_wal_size FROM pg_replication_slots;\n\
         primary=# SELECT pg_switch_wal();\n\
         primary=# INSERT INTO t VALUES (1);\n\
         primary=# SELECT pg_switch_wal();\n\
         primary=# INSERT INTO t VALUES (2);\n\
         primary=# SELECT pg_current_wal_lsn(), restart_lsn, wal_status, safe_wal_size FROM pg_replication_slots;\n\
         primary=# SELECT pg_switch_wal();\n\
         primary=# INSERT INTO t VALUES (3);\n\
         primary=# SELECT pg_current_wal_lsn(), restart_lsn, wal_status, safe_wal_size FROM pg_replication_slots;\n\
         primary=# CHECKPOINT;\n\
         primary=# SELECT pg_current_wal_lsn(), restart_lsn, wal_status, safe_wal_size FROM pg_replication_slots;\n\
         primary$ tail -n 3 log/postgresql.log\n");
    let rows: Vec<&str> = t
        .lines()
        .filter(|l| l.starts_with(" 0/") && l.contains('|'))
        .collect();
    assert_eq!(
        rows,
        [
            " 0/2016090          | 0/2000028   | reserved   |      50241392",
            " 0/4000090          | 0/2000028   | reserved   |      16777072",
            " 0/5000090          | 0/2000028   | unreserved |          -144",
            " 0/5000140          |             | lost       | ",
        ],
        "{t}"
    );
    assert!(t.contains("LOG:  invalidating slot \"r2\" because its restart_lsn 0/2000028 exceeds max_slot_wal_keep_size\n"), "{t}");
}

#[test]
fn a_refused_reload_names_the_file_the_value_came_from_every_time() {
    let t = run(
        "primary=# ALTER SYSTEM SET max_wal_senders = 5;\nprimary=# SELECT pg_reload_conf();\n\
         primary=# SELECT pg_reload_conf();\nprimary$ tail -n 6 log/postgresql.log\n",
    );
    let log: Vec<&str> = log_messages(&t, "primary$ tail -n 6 log/postgresql.log");
    let reload = [
        "LOG:  received SIGHUP, reloading configuration files",
        "LOG:  parameter \"max_wal_senders\" cannot be changed without restarting the server",
        "LOG:  configuration file \"/var/lib/pgsql/data/postgresql.auto.conf\" contains errors; unaffected changes were applied",
    ];
    assert_eq!(log, [reload, reload].concat(), "{t}");

    // Values are applied in file order, postgresql.auto.conf last: its error is named.
    let t = run("primary=# ALTER SYSTEM SET max_wal_senders = 5;\n\
         primary$ echo \"wal_level = 'logical'\" >> postgresql.conf\nprimary=# SELECT pg_reload_conf();\n\
         primary$ tail -n 3 log/postgresql.log\n");
    let log: Vec<&str> = log_messages(&t, "primary$ tail -n 3 log/postgresql.log");
    assert_eq!(
        log,
        [
            "LOG:  parameter \"wal_level\" cannot be changed without restarting the server",
            "LOG:  parameter \"max_wal_senders\" cannot be changed without restarting the server",
            "LOG:  configuration file \"/var/lib/pgsql/data/postgresql.auto.conf\" contains errors; unaffected changes were applied",
        ],
        "{t}"
    );
}

#[test]
fn pg_stat_activity_shows_the_querying_session_active() {
    let t = run("primary=# SHOW application_name;\n\
         primary=# SELECT application_name, state, wait_event, query FROM pg_stat_activity WHERE backend_type = 'client backend';\n\
         primary=# SET application_name = 'report';\n\
         primary=# SELECT application_name, state FROM pg_stat_activity WHERE backend_type = 'client backend';\n");
    assert!(
        t.contains(" application_name \n------------------\n psql\n"),
        "{t}"
    );
    assert!(t.contains(" psql             | active |            | SELECT application_name, state, wait_event, query FROM pg_stat_activity WHERE backend_type = 'client backend';\n"), "{t}");
    assert!(t.contains(" report           | active\n"), "{t}");
}

#[test]
fn a_bad_literal_is_pointed_at() {
    let t = run("primary=# SELECT 'x'::pg_lsn;\n");
    assert!(
        t.contains("ERROR:  invalid input syntax for type pg_lsn: \"x\"\nLINE 1: SELECT 'x'::pg_lsn;\n               ^\n"),
        "{t}"
    );
}

#[test]
fn a_statement_past_max_wal_size_starts_one_checkpoint() {
    // pg-facts' 200,000-row INSERT writes ~109MB; half of it (walscope's statements hold
    // at most 64 MB of rows) is still far past a 32MB max_wal_size.
    let t = run(
        "primary=# ALTER SYSTEM SET max_wal_size = '32MB';\nprimary=# SELECT pg_reload_conf();\n\
         primary=# CREATE TABLE big (id int, t text);\n\
         primary=# INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 100000) g;\n\
         primary$ cat log/postgresql.log\n",
    );
    assert!(t.contains("INSERT 0 100000\n"), "{t}");
    assert_eq!(
        t.matches("LOG:  checkpoint starting: wal\n").count(),
        1,
        "{t}"
    );
    let after = t
        .split("LOG:  checkpoint starting: wal\n")
        .nth(1)
        .unwrap_or("");
    assert!(after.contains("LOG:  checkpoint complete: "), "{t}");
}

#[test]
fn crash_recovery_after_a_wal_switch_stops_at_the_empty_page() {
    let t = run("primary=# CREATE TABLE t (id int);\nprimary=# SELECT pg_switch_wal();\n\
         primary$ pg_ctl stop -m immediate\nprimary$ pg_ctl start\nprimary$ cat log/postgresql.log\n");
    assert!(
        t.contains(
            "LOG:  invalid magic number 0000 in log segment 000000010000000000000002, offset 0\n"
        ),
        "{t}"
    );
}

#[test]
fn pg_rewind_turns_the_old_primary_into_a_standby_of_the_new_one() {
    // wal_keep_size keeps the segment of the last common checkpoint, which the old
    // primary's shutdown checkpoint would remove (see the next test).
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# ALTER SYSTEM SET wal_keep_size = '256MB';\nprimary=# SELECT pg_reload_conf();\n\
         lab$ partition primary standby1\nprimary=# CREATE TABLE lost (id int);\nlab$ wait 100ms\n\
         primary$ pg_ctl stop\nstandby1=# SELECT pg_promote();\nlab$ heal primary standby1\n\
         primary$ pg_rewind --target-pgdata=/var/lib/pgsql/data --source-server='host=standby1 user=postgres' -P\n\
         primary$ cat backup_label\nprimary$ ls\nprimary$ touch standby.signal\n\
         primary$ echo \"primary_conninfo = 'host=standby1 user=replicator password=secret'\" >> postgresql.auto.conf\n\
         primary$ pg_ctl start\nlab$ wait 2s\nprimary$ tail -n 5 log/postgresql.log\n\
         standby1=# SELECT client_addr, state FROM pg_stat_replication ORDER BY 1;\nprimary=# SELECT * FROM lost;\n"
    ));
    let rewind = output_of(
        &t,
        "primary$ pg_rewind --target-pgdata=/var/lib/pgsql/data --source-server='host=standby1 user=postgres' -P",
    );
    // The last checkpoint before the fork is the second clone's backup checkpoint.
    assert!(
        rewind.starts_with("pg_rewind: connected to server\npg_rewind: servers diverged at WAL location 0/4000000 on timeline 1\npg_rewind: rewinding from last common checkpoint at 0/3000060 on timeline 1\n"),
        "{t}"
    );
    assert!(rewind.ends_with("pg_rewind: Done!\n"), "{t}");
    assert!(
        output_of(&t, "primary$ cat backup_label").starts_with("START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\nCHECKPOINT LOCATION: 0/3000060\nBACKUP METHOD: pg_rewind\nBACKUP FROM: standby\n"),
        "{t}"
    );
    assert!(
        !output_of(&t, "primary$ ls").contains("backup_manifest"),
        "{t}"
    );
    let log = output_of(&t, "primary$ tail -n 5 log/postgresql.log");
    assert!(log.contains("LOG:  redo starts at 0/3000028\n"), "{t}");
    assert!(
        log.contains("on timeline 2\n"),
        "streams the new timeline: {t}"
    );
    assert!(t.contains(" 10.0.0.1    | streaming\n"), "{t}");
    assert!(
        t.contains("ERROR:  relation \"lost\" does not exist\n"),
        "{t}"
    );
}

#[test]
fn pg_rewind_cannot_read_back_to_the_common_checkpoint_once_its_wal_is_gone() {
    // The old primary writes on past the fork and its shutdown checkpoint removes the
    // segments from the fork's on: pg_rewind reads the target's WAL backwards from the
    // fork and stops at the first record it cannot open. PostgreSQL 15.18 ran this
    // script (scripts/compare on it: only pg_switch_wal()'s LSN differs, by the hint-bit
    // page images of fidelity 7) and printed these two errors.
    let t = run(&format!(
        "{TWO_STANDBYS}lab$ partition primary standby1\nprimary=# CREATE TABLE lost (id int);\n\
         primary=# SELECT pg_switch_wal();\nprimary=# INSERT INTO lost VALUES (1);\nprimary=# SELECT pg_switch_wal();\n\
         primary=# INSERT INTO lost VALUES (2);\nlab$ wait 100ms\nprimary$ pg_ctl stop\nprimary$ ls pg_wal\n\
         standby1=# SELECT pg_promote();\nstandby1=# CHECKPOINT;\nlab$ heal primary standby1\n\
         primary$ pg_rewind --target-pgdata=/var/lib/pgsql/data --source-server='host=standby1 user=postgres' -P\n"
    ));
    assert!(
        !output_of(&t, "primary$ ls pg_wal").contains("000000010000000000000004\n"),
        "the segment is gone: {t}"
    );
    assert_eq!(
        output_of(&t, "primary$ pg_rewind --target-pgdata=/var/lib/pgsql/data --source-server='host=standby1 user=postgres' -P"),
        "pg_rewind: connected to server\npg_rewind: servers diverged at WAL location 0/4000000 on timeline 1\npg_rewind: error: could not open file \"/var/lib/pgsql/data/pg_wal/000000010000000000000004\": No such file or directory\npg_rewind: error: could not find previous WAL record at 0/4000028\n-- virtual time: 1.720s\n"
    );
    // Errors after connecting still show the -P line before them.
    let t = run(&format!(
        "{TWO_STANDBYS}primary=# ALTER SYSTEM SET wal_log_hints = off;\nprimary$ pg_ctl restart\nprimary$ pg_ctl stop\n\
         standby1=# SELECT pg_promote();\n\
         primary$ pg_rewind --target-pgdata=/var/lib/pgsql/data --source-server='host=standby1 user=postgres' -P\n"
    ));
    assert!(t.contains("pg_rewind: connected to server\npg_rewind: error: target server needs to use either data checksums or \"wal_log_hints = on\"\n"), "{t}");
}

#[test]
fn a_host_can_be_renamed_as_class_notes_name_their_machines() {
    let t = run("lab$ node rename primary pg1\nlab$ node rename pg1 lab\nlab$ node add pg2\nlab$ node rename pg2 pg1\n\
                 pg1=# SELECT 1 AS one;\nprimary=# SELECT 1;\n");
    assert!(
        t.contains("lab$ node rename primary pg1\nhost primary is now pg1 (10.0.0.1)\n"),
        "{t}"
    );
    assert!(
        t.contains("lab: \"lab\" is reserved for lab commands"),
        "{t}"
    );
    assert!(t.contains("lab: host \"pg1\" already exists"), "{t}");
    assert!(t.contains(" one \n-----\n   1\n"), "{t}");
    assert!(t.contains("walscope: no host named \"primary\""), "{t}");
}

#[test]
fn the_class_notes_lab_streams_from_pg1_to_pg2() {
    let script = walscope::examples::by_id("class-notes").expect("the class-notes lab");
    let t = run(&format!(
        "{script}pg1=# CREATE TABLE test (id int);\npg1=# INSERT INTO test VALUES (1);\nlab$ wait 1s\n\
         pg2=# SELECT * FROM test;\npg2=# SELECT status, sender_host FROM pg_stat_wal_receiver;\n"
    ));
    assert!(
        t.contains("pg2=# SELECT * FROM test;\n id \n----\n  1\n(1 row)\n"),
        "{t}"
    );
    assert!(t.contains(" streaming | pg1\n"), "{t}");
}
