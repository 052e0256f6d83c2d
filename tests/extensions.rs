//! Extensions (issue 19 point 5): CREATE EXTENSION where the host has the package, the
//! catalog row replicating to a standby, and a standby host without the package failing
//! as PostgreSQL fails.
//!
//! Messages recorded on PostgreSQL 15.18 (Debian's build, contrib included) as the
//! postgres user, with psql -f on a scratch cluster and a standby cloned from it:
//! - `CREATE EXTENSION pgcrypto` twice, `... IF NOT EXISTS`, `CREATE EXTENSION pgaudit`
//!   (not installed), `DROP EXTENSION [IF EXISTS] pgaudit`, `\dx`, `SELECT * FROM
//!   pg_extension` and `pg_available_extensions`: the texts below.
//! - With pgcrypto.so and pgcrypto.control moved out of the way (and put back after):
//!   `SELECT digest('abc', 'sha256')` on the standby said `ERROR:  could not access file
//!   "$libdir/pgcrypto": No such file or directory`, its `\dx` still listed pgcrypto,
//!   and `CREATE EXTENSION` on the standby `cannot execute CREATE EXTENSION in a
//!   read-only transaction`.
//! - `postgres -D STANDBY -c shared_preload_libraries=pgaudit` without pgaudit: `FATAL:
//!   could not access file "pgaudit": No such file or directory` then `LOG:  database
//!   system is shut down`, on stderr even with logging_collector = on; with the
//!   postgresql-15-pgaudit package, `LOG:  pgaudit extension initialized` before
//!   `starting PostgreSQL`, and `CREATE EXTENSION pgaudit` without the preload:
//!   `ERROR:  pgaudit must be loaded via shared_preload_libraries`.
//! - `SELECT * FROM pg_stat_statements` without the preload: `ERROR:
//!   pg_stat_statements must be loaded via shared_preload_libraries`.
//!
//! A RHEL host's control files are in /usr/share/pgsql/extension (Red Hat's layout).

#[path = "common/transcript.rs"]
mod transcript;
use transcript::*;

#[test]
fn contrib_extensions_are_created_and_dropped_as_on_postgresql() {
    let t = run("primary=# SELECT * FROM pg_extension;
primary=# SELECT name, default_version, installed_version, comment FROM pg_available_extensions ORDER BY name;
primary=# CREATE EXTENSION pgcrypto;
primary=# CREATE EXTENSION pgcrypto;
primary=# CREATE EXTENSION IF NOT EXISTS pgcrypto;
primary=# CREATE EXTENSION pgaudit;
primary=# CREATE EXTENSION pg_stat_statements;
primary=# \\dx
primary=# SELECT digest('abc', 'sha256');
primary=# SELECT digest('abc', 'nosuch');
primary=# DROP EXTENSION pgaudit;
primary=# DROP EXTENSION IF EXISTS pgaudit;
primary=# DROP EXTENSION pgcrypto, pgaudit;
primary=# DROP EXTENSION pg_stat_statements;
primary=# SELECT extname, extversion FROM pg_extension;
");
    assert_eq!(
        output_of(&t, "primary=# SELECT * FROM pg_extension;"),
        "  oid  | extname | extowner | extnamespace | extrelocatable | extversion | extconfig | extcondition 
-------+---------+----------+--------------+----------------+------------+-----------+--------------
 13559 | plpgsql |       10 |           11 | f              | 1.0        |           | 
(1 row)

"
    );
    assert_eq!(
        output_of(&t, "primary=# SELECT name, default_version, installed_version, comment FROM pg_available_extensions ORDER BY name;"),
        "        name        | default_version | installed_version |                                comment                                 
--------------------+-----------------+-------------------+------------------------------------------------------------------------
 pg_stat_statements | 1.10            |                   | track planning and execution statistics of all SQL statements executed
 pgcrypto           | 1.3             |                   | cryptographic functions
 plpgsql            | 1.0             | 1.0               | PL/pgSQL procedural language
(3 rows)

"
    );
    let (created, at) = output_after(&t, 0, "primary=# CREATE EXTENSION pgcrypto;");
    assert_eq!(created, "CREATE EXTENSION\n");
    let (again, _) = output_after(&t, at, "primary=# CREATE EXTENSION pgcrypto;");
    assert_eq!(again, "ERROR:  extension \"pgcrypto\" already exists\n");
    assert_eq!(
        output_of(&t, "primary=# CREATE EXTENSION IF NOT EXISTS pgcrypto;"),
        "NOTICE:  extension \"pgcrypto\" already exists, skipping\nCREATE EXTENSION\n"
    );
    assert_eq!(
        output_of(&t, "primary=# CREATE EXTENSION pgaudit;"),
        "ERROR:  extension \"pgaudit\" is not available
DETAIL:  Could not open extension control file \"/usr/share/postgresql/15/extension/pgaudit.control\": No such file or directory.
HINT:  The extension must first be installed on the system where PostgreSQL is running.
"
    );
    assert_eq!(
        output_of(&t, "primary=# \\dx"),
        "                                            List of installed extensions
        Name        | Version |   Schema   |                              Description                               
--------------------+---------+------------+------------------------------------------------------------------------
 pg_stat_statements | 1.10    | public     | track planning and execution statistics of all SQL statements executed
 pgcrypto           | 1.3     | public     | cryptographic functions
 plpgsql            | 1.0     | pg_catalog | PL/pgSQL procedural language
(3 rows)

"
    );
    assert_eq!(
        output_of(&t, "primary=# SELECT digest('abc', 'sha256');"),
        "                               digest                               
--------------------------------------------------------------------
 \\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
(1 row)

"
    );
    assert_eq!(
        output_of(&t, "primary=# SELECT digest('abc', 'nosuch');"),
        "ERROR:  Cannot use \"nosuch\": No such hash algorithm\n"
    );
    assert_eq!(
        output_of(&t, "primary=# DROP EXTENSION pgaudit;"),
        "ERROR:  extension \"pgaudit\" does not exist\n"
    );
    assert_eq!(
        output_of(&t, "primary=# DROP EXTENSION IF EXISTS pgaudit;"),
        "NOTICE:  extension \"pgaudit\" does not exist, skipping\nDROP EXTENSION\n"
    );
    assert_eq!(
        output_of(&t, "primary=# DROP EXTENSION pgcrypto, pgaudit;"),
        "ERROR:  extension \"pgaudit\" does not exist\n",
        "the whole statement fails"
    );
    assert_eq!(
        output_of(
            &t,
            "primary=# SELECT extname, extversion FROM pg_extension;"
        ),
        " extname  | extversion 
----------+------------
 plpgsql  | 1.0
 pgcrypto | 1.3
(2 rows)

"
    );
}

#[test]
fn the_catalog_row_replicates_and_a_standby_is_read_only() {
    let t = run("primary=# ALTER SYSTEM SET listen_addresses = '*';
primary$ echo 'host replication postgres 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ pg_basebackup -h primary -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
lab$ wait 1s
primary=# CREATE EXTENSION pgcrypto;
lab$ wait 1s
standby1=# SELECT extname FROM pg_extension WHERE extname = 'pgcrypto';
standby1=# SELECT digest('abc', 'sha1');
standby1=# CREATE EXTENSION pg_stat_statements;
standby1=# DROP EXTENSION pgcrypto;
");
    assert!(
        output_of(
            &t,
            "standby1=# SELECT extname FROM pg_extension WHERE extname = 'pgcrypto';"
        )
        .contains(" pgcrypto\n(1 row)"),
        "{t}"
    );
    assert!(
        output_of(&t, "standby1=# SELECT digest('abc', 'sha1');")
            .contains(" \\xa9993e364706816aba3e25717850c26c9cd0d89d\n"),
        "a default host has contrib: {t}"
    );
    assert_eq!(
        output_of(&t, "standby1=# CREATE EXTENSION pg_stat_statements;"),
        "ERROR:  cannot execute CREATE EXTENSION in a read-only transaction\n"
    );
    assert_eq!(
        output_of(&t, "standby1=# DROP EXTENSION pgcrypto;"),
        "ERROR:  cannot execute DROP EXTENSION in a read-only transaction\n"
    );
}

/// A RHEL lab: the primary open to standby1, which has postgresql-server only (no
/// contrib, no pgaudit).
const RHEL_PAIR: &str = "lab$ os rhel
lab$ node add standby1
standby1$ sudo dnf install -y postgresql-server
primary=# CREATE USER replicator WITH REPLICATION PASSWORD 'secret';
primary$ echo \"listen_addresses = '*'\" >> postgresql.conf
primary$ echo \"host replication replicator 10.0.0.2/32 scram-sha-256\" >> pg_hba.conf
primary$ sudo systemctl restart postgresql
primary$ sudo firewall-cmd --add-service=postgresql
";

const CLONE: &str =
    "standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R";

#[test]
fn a_standby_host_without_contrib_fails_when_the_library_is_needed() {
    let t = run(&format!(
        "{RHEL_PAIR}primary=# CREATE EXTENSION pgcrypto;
{CLONE}
standby1$ sudo systemctl start postgresql
lab$ wait 1s
standby1=# \\dx pgcrypto
standby1=# SELECT name FROM pg_available_extensions;
standby1=# SELECT digest('abc', 'sha256');
standby1$ tail -2 /var/lib/pgsql/data/log/postgresql.log
standby1$ sudo dnf install -y postgresql-contrib
standby1=# SELECT digest('abc', 'sha256');
"
    ));
    assert_eq!(
        output_of(&t, "standby1=# \\dx pgcrypto"),
        "             List of installed extensions
   Name   | Version | Schema |       Description       
----------+---------+--------+-------------------------
 pgcrypto | 1.3     | public | cryptographic functions
(1 row)

",
        "the catalog came with the WAL"
    );
    assert_eq!(
        output_of(&t, "standby1=# SELECT name FROM pg_available_extensions;"),
        "  name   \n---------\n plpgsql\n(1 row)\n\n"
    );
    let (missing, at) = output_after(&t, 0, "standby1=# SELECT digest('abc', 'sha256');");
    assert_eq!(
        missing,
        "ERROR:  could not access file \"$libdir/pgcrypto\": No such file or directory\n"
    );
    let log = output_of(
        &t,
        "standby1$ tail -2 /var/lib/pgsql/data/log/postgresql.log",
    );
    assert!(
        log.contains(
            "ERROR:  could not access file \"$libdir/pgcrypto\": No such file or directory\n"
        ) && log.contains("STATEMENT:  SELECT digest('abc', 'sha256');\n"),
        "{log}"
    );
    let (installed, _) = output_after(&t, at, "standby1=# SELECT digest('abc', 'sha256');");
    assert!(installed.contains(" \\xba7816bf"), "{installed}");
}

#[test]
fn a_standby_host_without_a_preloaded_library_refuses_to_start() {
    let t = run(&format!(
        "{RHEL_PAIR}primary=# CREATE EXTENSION pgaudit;
primary$ sudo dnf install -y pgaudit
primary=# CREATE EXTENSION pgaudit;
primary=# ALTER SYSTEM SET shared_preload_libraries = 'pgaudit';
primary$ sudo systemctl restart postgresql
primary=# CREATE EXTENSION pgaudit;
primary$ grep pgaudit /var/lib/pgsql/data/log/postgresql.log
{CLONE}
standby1$ sudo systemctl start postgresql
standby1$ systemctl status postgresql
standby1$ sudo dnf install -y pgaudit
standby1$ rpm -q pgaudit
standby1$ sudo systemctl start postgresql
lab$ wait 1s
standby1=# \\dx pgaudit
primary=# SELECT client_addr, state FROM pg_stat_replication;
"
    ));
    let (unavailable, at) = output_after(&t, 0, "primary=# CREATE EXTENSION pgaudit;");
    assert!(
        unavailable.contains("Could not open extension control file \"/usr/share/pgsql/extension/pgaudit.control\": No such file or directory."),
        "{unavailable}"
    );
    let (not_loaded, at) = output_after(&t, at, "primary=# CREATE EXTENSION pgaudit;");
    assert_eq!(
        not_loaded,
        "ERROR:  pgaudit must be loaded via shared_preload_libraries\n"
    );
    let (created, _) = output_after(&t, at, "primary=# CREATE EXTENSION pgaudit;");
    assert_eq!(created, "CREATE EXTENSION\n");
    assert!(
        output_of(
            &t,
            "primary$ grep pgaudit /var/lib/pgsql/data/log/postgresql.log"
        )
        .contains("LOG:  pgaudit extension initialized\n"),
        "{t}"
    );
    let (refused, at) = output_after(&t, 0, "standby1$ sudo systemctl start postgresql");
    assert!(
        refused.starts_with("Job for postgresql.service failed"),
        "{refused}"
    );
    let status = output_of(&t, "standby1$ systemctl status postgresql");
    assert!(
        status.contains("FATAL:  could not access file \"pgaudit\": No such file or directory\n")
            && status.contains("LOG:  database system is shut down\n")
            && status.contains("systemd[1]: postgresql.service: Main process exited, code=exited, status=1/FAILURE\n"),
        "{status}"
    );
    assert_eq!(
        output_of(&t, "standby1$ rpm -q pgaudit"),
        "pgaudit-1.7.0-1.module+el9.7.0+23811+1f3c2b7e.x86_64\n"
    );
    let (started, _) = output_after(&t, at, "standby1$ sudo systemctl start postgresql");
    assert_eq!(started, "");
    assert!(
        output_of(&t, "standby1=# \\dx pgaudit")
            .contains(" pgaudit | 1.7     | public | provides auditing functionality\n"),
        "{t}"
    );
    assert!(
        output_of(
            &t,
            "primary=# SELECT client_addr, state FROM pg_stat_replication;"
        )
        .contains(" 10.0.0.2    | streaming\n"),
        "{t}"
    );
}

// Real: PostgreSQL 15.18, `echo "shared_preload_libraries = 'pgaudit'" >>
// postgresql.auto.conf; pg_ctl -D DIR start -l DIR/log/postgresql.log` (as walscope's
// pg_ctl start runs): `waiting for server to start.... stopped waiting`, and the log ends
// with `FATAL:  could not access file "pgaudit": No such file or directory` and `LOG:
// database system is shut down`.
#[test]
fn a_missing_preloaded_library_stops_the_server_and_the_log_says_why() {
    let t = run("primary$ echo \"shared_preload_libraries = 'pg_stat_statements,pgaudit'\" >> postgresql.conf
primary$ pg_ctl restart
primary$ tail -n 2 log/postgresql.log
");
    let out = output_of(&t, "primary$ pg_ctl restart");
    assert!(
        out.ends_with("server stopped\nwaiting for server to start.... stopped waiting\npg_ctl: could not start server\nExamine the log output.\n"),
        "{out}"
    );
    let log = output_of(&t, "primary$ tail -n 2 log/postgresql.log");
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        lines.len() == 2
            && lines[0]
                .ends_with("FATAL:  could not access file \"pgaudit\": No such file or directory")
            && lines[1].ends_with("LOG:  database system is shut down"),
        "{log}"
    );
}

#[test]
fn pg_stat_statements_needs_the_preload_and_then_counts() {
    let t = run("primary=# CREATE EXTENSION pg_stat_statements;
primary=# SELECT * FROM pg_stat_statements;
primary=# SELECT pg_stat_statements_reset();
primary=# ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';
primary$ pg_ctl restart
primary=# SHOW shared_preload_libraries;
primary=# CREATE TABLE t (id int);
primary=# INSERT INTO t VALUES (1), (2);
primary=# INSERT INTO t VALUES (3);
primary=# SELECT query, calls, rows FROM pg_stat_statements ORDER BY query;
primary=# SELECT pg_stat_statements_reset();
primary=# SELECT query, calls FROM pg_stat_statements;
");
    assert_eq!(
        output_of(&t, "primary=# SELECT * FROM pg_stat_statements;"),
        "ERROR:  pg_stat_statements must be loaded via shared_preload_libraries\n"
    );
    let (reset, at) = output_after(&t, 0, "primary=# SELECT pg_stat_statements_reset();");
    assert_eq!(
        reset,
        "ERROR:  pg_stat_statements must be loaded via shared_preload_libraries\n"
    );
    assert_eq!(
        output_of(
            &t,
            "primary=# SELECT query, calls, rows FROM pg_stat_statements ORDER BY query;"
        ),
        "              query              | calls | rows 
---------------------------------+-------+------
 CREATE TABLE t (id int)         |     1 |    0
 INSERT INTO t VALUES ($1)       |     1 |    1
 INSERT INTO t VALUES ($1), ($2) |     1 |    2
 SHOW shared_preload_libraries   |     1 |    0
(4 rows)

"
    );
    let (_, at) = output_after(&t, at, "primary=# SELECT pg_stat_statements_reset();");
    assert_eq!(
        output_after(
            &t,
            at,
            "primary=# SELECT query, calls FROM pg_stat_statements;"
        )
        .0,
        "               query               | calls 
-----------------------------------+-------
 SELECT pg_stat_statements_reset() |     1
(1 row)

"
    );
}
