//! Logical replication (issue 18): a second, independent cluster, publications,
//! subscriptions and logical slots. Each figure was printed by PostgreSQL 15.18 (Debian's
//! postgresql-15); the real commands that produced it are named beside it.

use walscope::script::run_script;

fn run(script: &str) -> String {
    match run_script(script) {
        Ok(t) => t,
        Err(e) => panic!("script does not parse: {e}"),
    }
}

/// The output printed for the first occurrence of `command` after `from` (up to the
/// next echoed prompt), and where it ends.
fn output_after<'a>(transcript: &'a str, from: usize, command: &str) -> (&'a str, usize) {
    let start = from
        + transcript[from..]
            .find(&format!("{command}\n"))
            .unwrap_or_else(|| panic!("{command} not in transcript:\n{transcript}"));
    let rest = &transcript[start + command.len() + 1..];
    let end = std::iter::once(0)
        .chain(rest.match_indices('\n').map(|(i, _)| i + 1))
        .find(|&i| is_prompt(rest[i..].lines().next().unwrap_or("")))
        .unwrap_or(rest.len());
    (&rest[..end], start + command.len() + 1 + end)
}

fn output_of<'a>(transcript: &'a str, command: &str) -> &'a str {
    output_after(transcript, 0, command).0
}

fn is_prompt(line: &str) -> bool {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    (name_end > 0 && (line[name_end..].starts_with("=# ") || line[name_end..].starts_with("$ ")))
        || line.starts_with("-- virtual time")
}

/// A lab whose second host `sub` holds a cluster of its own, started.
const SECOND_CLUSTER: &str = "lab$ node add sub
sub$ initdb -D /var/lib/pgsql/data
sub$ pg_ctl start
";

/// Real: `su postgres -c 'TZ=UTC LANG=C.UTF-8 /usr/lib/postgresql/15/bin/initdb -D /tmp/pgr/a'`
/// printed exactly this (with its own path), and the same command again printed the
/// preamble and the refusal.
#[test]
fn initdb_prints_what_initdb_15_prints_and_refuses_a_directory_that_is_not_empty() {
    let t = run("lab$ node add sub\nsub$ initdb -D /var/lib/pgsql/data\nsub$ initdb\n");
    let preamble = "The files belonging to this database system will be owned by user \"postgres\".
This user must also own the server process.

The database cluster will be initialized with locale \"C.UTF-8\".
The default database encoding has accordingly been set to \"UTF8\".
The default text search configuration will be set to \"english\".

Data page checksums are disabled.

";
    let first = output_of(&t, "sub$ initdb -D /var/lib/pgsql/data");
    assert_eq!(
        first,
        format!(
            "{preamble}creating directory /var/lib/pgsql/data ... ok
creating subdirectories ... ok
selecting dynamic shared memory implementation ... posix
selecting default max_connections ... 100
selecting default shared_buffers ... 128MB
selecting default time zone ... UTC
creating configuration files ... ok
running bootstrap script ... ok
performing post-bootstrap initialization ... ok
syncing data to disk ... ok

initdb: warning: enabling \"trust\" authentication for local connections
initdb: hint: You can change this by editing pg_hba.conf or using the option -A, or --auth-local and --auth-host, the next time you run initdb.

Success. You can now start the database server using:

    /usr/lib/postgresql/15/bin/pg_ctl -D /var/lib/pgsql/data -l logfile start

"
        )
    );
    let again = output_of(&t, "sub$ initdb");
    assert_eq!(
        again,
        format!("{preamble}initdb: error: directory \"/var/lib/pgsql/data\" exists but is not empty
initdb: hint: If you want to create a new database system, either remove or empty the directory \"/var/lib/pgsql/data\" or run initdb with an argument other than \"/var/lib/pgsql/data\".
")
    );
    // The primary's data directory is not empty either.
    let t = run("primary$ initdb -D /var/lib/pgsql/data\n");
    assert!(t.contains("initdb: error: directory \"/var/lib/pgsql/data\" exists but is not empty"));
    // A file left in an emptied directory is enough to refuse.
    let t = run("lab$ node add sub\nsub$ mkdir /var/lib/pgsql/data\nsub$ touch /var/lib/pgsql/data/x\nsub$ initdb\n");
    assert!(t.contains("exists but is not empty"), "{t}");
    // An empty directory is used: initdb says it fixes its permissions.
    let t = run("lab$ node add sub\nsub$ mkdir /var/lib/pgsql/data\nsub$ initdb\n");
    assert!(t.contains("fixing permissions on existing directory /var/lib/pgsql/data ... ok\ncreating subdirectories ... ok\n"), "{t}");
}

/// The second server is a primary of its own: writable, with its own tables, WAL
/// position, timeline and transaction ids, and it is no split brain.
#[test]
fn a_second_cluster_is_a_primary_of_its_own() {
    let t = run(&format!(
        "{SECOND_CLUSTER}sub=# SELECT pg_is_in_recovery(), timeline_id FROM pg_control_checkpoint();
sub=# CREATE TABLE t (id int primary key);
sub=# INSERT INTO t VALUES (1);
sub=# SELECT txid_current();
primary=# SELECT txid_current();
primary=# SELECT * FROM t;
sub=# SELECT pg_current_wal_lsn();
primary=# SELECT pg_current_wal_lsn();
"
    ));
    assert!(output_of(&t, "sub$ pg_ctl start").contains("server started"));
    assert!(output_of(
        &t,
        "sub=# SELECT pg_is_in_recovery(), timeline_id FROM pg_control_checkpoint();"
    )
    .contains(" f                 |           1\n"));
    assert_eq!(
        output_of(&t, "sub=# INSERT INTO t VALUES (1);"),
        "INSERT 0 1\n"
    );
    // CREATE TABLE and INSERT took two of sub's xids; the primary's first is still its own.
    assert!(
        output_of(&t, "sub=# SELECT txid_current();").contains("          738\n"),
        "{t}"
    );
    assert!(
        output_of(&t, "primary=# SELECT txid_current();").contains("          736\n"),
        "{t}"
    );
    assert!(output_of(&t, "primary=# SELECT * FROM t;")
        .starts_with("ERROR:  relation \"t\" does not exist"));
    assert!(
        output_of(&t, "sub=# SELECT pg_current_wal_lsn();").contains(" 0/171D"),
        "{t}"
    );
    assert!(
        output_of(&t, "primary=# SELECT pg_current_wal_lsn();").contains(" 0/1707A48\n"),
        "{t}"
    );
    let mut r = walscope::script::Runner::new(0);
    r.run_text(SECOND_CLUSTER).unwrap();
    assert!(
        r.cluster.split_brain().is_empty(),
        "two clusters, one primary each"
    );
}
