//! A refused connection is logged by the server it reached, as PostgreSQL 15.18 logs it
//! (auth.c's auth_failed and ClientAuthentication), whoever connected: psql in a
//! host's shell, pg_basebackup, a standby's walreceiver or an application.
//!
//! Recorded on a real server (PostgreSQL 15.18, 127.0.0.1, log_line_prefix '%m [%p] '):
//! `PGPASSWORD=wrong psql -h 127.0.0.1 -U app -d postgres -c 'select 1'` against
//! `host all app 127.0.0.1/32 scram-sha-256   # app line` on line 4 logs
//! `FATAL:  password authentication failed for user "app"` then
//! `DETAIL:  Connection matched pg_hba.conf line 4: "host all app 127.0.0.1/32 scram-sha-256   # app line"`
//! (the line as written, comment included); a role that does not exist adds
//! `Role "ghost" does not exist.` and one without a password
//! `User "nopw" has no password assigned.` before the matched line, in one DETAIL;
//! `psql -h 127.0.0.1 -U nobody -d mydb` logs
//! `FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "nobody", database "mydb", no encryption`;
//! `PGPASSWORD=wrong pg_basebackup -h 127.0.0.1 -U replicator -D ...` and a standby
//! whose primary_conninfo has a wrong password log the same two lines on the primary
//! (the standby's own log has `FATAL:  could not connect to the primary server: ...`);
//! `pg_basebackup -U app` (no replication line) logs
//! `FATAL:  no pg_hba.conf entry for replication connection from host "127.0.0.1", user "app", no encryption`;
//! `psql -w` with no password logs nothing.

use walscope::script::run_script;

const SETUP: &str = "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary=# CREATE ROLE app LOGIN PASSWORD 'app';
primary=# CREATE ROLE nopw LOGIN;
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ echo 'host    all   app,nopw,ghost 10.0.0.0/24   scram-sha-256   # apps' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
";

/// The primary's log lines from `FATAL` on, without the timestamp (the pid stays).
fn fatal_lines(script: &str) -> Vec<String> {
    let t = run_script(&format!("{SETUP}{script}primary$ cat log/postgresql.log\n")).unwrap();
    let log = t
        .rsplit("primary$ cat log/postgresql.log\n")
        .next()
        .unwrap();
    let mut out = Vec::new();
    let mut keep = false;
    for line in log.lines() {
        if line.starts_with("-- virtual time") {
            break;
        }
        if line.starts_with("2026-") {
            keep = line.contains("] FATAL:  ") || line.contains("] DETAIL:  ");
        }
        if keep {
            // `2026-11-24 09:00:00.000 UTC [4238] FATAL:  ...` -> `FATAL:  ...`
            out.push(line.split_once("] ").map_or(line, |(_, m)| m).to_string());
        }
    }
    out
}

#[test]
fn a_wrong_password_logs_the_fatal_and_the_matched_line() {
    let got =
        fatal_lines("standby1$ PGPASSWORD=x psql -h primary -U app -d postgres -c 'select 1'\n");
    assert_eq!(
        got,
        [
            "FATAL:  password authentication failed for user \"app\"",
            "DETAIL:  Connection matched pg_hba.conf line 100: \"host    all   app,nopw,ghost 10.0.0.0/24   scram-sha-256   # apps\"",
        ]
    );
}

#[test]
fn a_missing_role_or_password_comes_first_in_the_detail() {
    let got = fatal_lines(
        "standby1$ PGPASSWORD=x psql -h primary -U ghost -d postgres -c 'select 1'
standby1$ PGPASSWORD=x psql -h primary -U nopw -d postgres -c 'select 1'
",
    );
    let matched = "\tConnection matched pg_hba.conf line 100: \"host    all   app,nopw,ghost 10.0.0.0/24   scram-sha-256   # apps\"";
    assert_eq!(
        got,
        [
            "FATAL:  password authentication failed for user \"ghost\"",
            "DETAIL:  Role \"ghost\" does not exist.",
            matched,
            "FATAL:  password authentication failed for user \"nopw\"",
            "DETAIL:  User \"nopw\" has no password assigned.",
            matched,
        ]
    );
}

#[test]
fn no_pg_hba_entry_is_logged_for_sessions_and_replication() {
    let t = run_script(&format!(
        "{SETUP}standby1$ PGPASSWORD=x psql -h primary -U nobody -d mydb -c 'select 1'\n"
    ))
    .unwrap();
    // The client's text is the server's FATAL (no "connection from" for a session).
    assert!(t.contains("psql: error: connection to server at \"primary\" (10.0.0.1), port 5432 failed: FATAL:  no pg_hba.conf entry for host \"10.0.0.2\", user \"nobody\", database \"mydb\", no encryption\n"), "{t}");
    let got = fatal_lines(
        "standby1$ PGPASSWORD=x psql -h primary -U nobody -d mydb -c 'select 1'
standby1$ PGPASSWORD=app pg_basebackup -h primary -U app -D /var/lib/pgsql/data
",
    );
    assert_eq!(
        got,
        [
            "FATAL:  no pg_hba.conf entry for host \"10.0.0.2\", user \"nobody\", database \"mydb\", no encryption",
            "FATAL:  no pg_hba.conf entry for replication connection from host \"10.0.0.2\", user \"app\", no encryption",
        ]
    );
}

#[test]
fn pg_basebackup_walreceiver_and_applications_are_logged_too() {
    let got = fatal_lines(
        "standby1$ PGPASSWORD=wrong pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ echo \"primary_conninfo = 'host=primary user=replicator password=bad'\" >> postgresql.auto.conf
standby1$ pg_ctl start
lab$ wait 1s
lab$ app add w 'host=primary user=app password=x dbname=postgres' 1 writer
lab$ wait 500ms
",
    );
    let repl = [
        "FATAL:  password authentication failed for user \"replicator\"",
        "DETAIL:  Connection matched pg_hba.conf line 99: \"host replication replicator 10.0.0.0/24 scram-sha-256\"",
    ];
    let app = [
        "FATAL:  password authentication failed for user \"app\"",
        "DETAIL:  Connection matched pg_hba.conf line 100: \"host    all   app,nopw,ghost 10.0.0.0/24   scram-sha-256   # apps\"",
    ];
    // pg_basebackup, then the walreceiver, then the application.
    let want: Vec<&str> = repl.iter().chain(&repl).chain(&app).copied().collect();
    assert_eq!(got, want);
}

#[test]
fn a_client_without_a_password_leaves_no_line() {
    // libpq gives up before sending a password (fe_sendauth: no password supplied);
    // the backend sees the connection close and logs nothing.
    let got = fatal_lines("standby1$ psql -h primary -U app -d postgres -c 'select 1'\n");
    assert_eq!(got, Vec::<String>::new());
}

#[test]
fn a_standby_that_refuses_sessions_logs_why() {
    // Real server: a standby with hot_standby = off; `pg_isready -h 127.0.0.1 -p PORT`
    // printed `rejecting connections` and the standby logged
    // `FATAL:  the database system is not accepting connections` and
    // `DETAIL:  Hot standby mode is disabled.`
    let t = run_script(&format!(
        "{SETUP}standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ echo \"hot_standby = off\" >> postgresql.conf
standby1$ pg_ctl start
standby1=# SELECT 1;
primary$ pg_isready -h standby1
standby1$ tail -n 4 log/postgresql.log
"
    ))
    .unwrap();
    let tail = t
        .rsplit("standby1$ tail -n 4 log/postgresql.log\n")
        .next()
        .unwrap();
    let msgs: Vec<&str> = tail
        .lines()
        .filter(|l| l.starts_with("2026-"))
        .map(|l| l.split_once("] ").unwrap().1)
        .collect();
    assert_eq!(
        msgs,
        [
            "FATAL:  the database system is not accepting connections",
            "DETAIL:  Hot standby mode is disabled.",
            "FATAL:  the database system is not accepting connections",
            "DETAIL:  Hot standby mode is disabled.",
        ],
        "{t}"
    );
}
