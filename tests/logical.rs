//! Logical replication (issue 18): a second, independent cluster, publications,
//! subscriptions and logical slots. Each figure was printed by PostgreSQL 15.18 (Debian's
//! postgresql-15); the real commands that produced it are named beside it.

#[path = "common/transcript.rs"]
mod transcript;
use transcript::*;

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

    pg_ctl -D /var/lib/pgsql/data -l logfile start

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
        output_of(&t, "sub=# SELECT txid_current();").contains("          726\n"),
        "{t}"
    );
    assert!(
        output_of(&t, "primary=# SELECT txid_current();").contains("          724\n"),
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

/// The one value a single-column, single-row query printed.
fn value_of(transcript: &str, command: &str) -> String {
    let out = output_of(transcript, command);
    out.lines()
        .nth(2)
        .unwrap_or_else(|| panic!("no value after {command}:\n{out}"))
        .trim()
        .to_string()
}

fn lsn(text: &str) -> u64 {
    let (hi, lo) = text.split_once('/').expect("an LSN");
    (u64::from_str_radix(hi, 16).unwrap() << 32) | u64::from_str_radix(lo, 16).unwrap()
}

/// The WAL bytes each statement writes, read as `pg_current_wal_insert_lsn()` before
/// and after it (the `primary=# SELECT pg_current_wal_insert_lsn();` lines around it).
fn wal_bytes(setup: &str, statements: &[&str]) -> Vec<u64> {
    let mut script = setup.to_string();
    for (i, s) in statements.iter().enumerate() {
        script.push_str(&format!("primary=# SELECT pg_current_wal_insert_lsn() AS b{i};\nprimary=# {s}\nprimary=# SELECT pg_current_wal_insert_lsn() AS a{i};\n"));
    }
    let t = run(&script);
    (0..statements.len())
        .map(|i| {
            let b = value_of(
                &t,
                &format!("primary=# SELECT pg_current_wal_insert_lsn() AS b{i};"),
            );
            let a = value_of(
                &t,
                &format!("primary=# SELECT pg_current_wal_insert_lsn() AS a{i};"),
            );
            lsn(&a) - lsn(&b)
        })
        .collect()
}

const LOGICAL: &str = "primary=# ALTER SYSTEM SET wal_level = logical;\nprimary$ pg_ctl restart\n";

/// Real, PostgreSQL 15.18, one script run twice: with wal_level = replica, then after
/// `ALTER SYSTEM SET wal_level = logical` and a restart; each figure is
/// `pg_wal_lsn_diff` of `pg_current_wal_insert_lsn()` after and before the statement,
/// each statement its own `psql -X -At -c`:
///
/// | statement | replica | logical |
/// | `INSERT INTO test VALUES (1)` | 104 | 112 |
/// | `UPDATE test SET id = 3 WHERE id = 2` | 112 | 120 |
/// | `DELETE FROM test WHERE id = 3` | 96 | 104 |
/// | `UPDATE w SET v = 'TWO' WHERE id = 2` (w has a primary key) | 112 | 128 |
/// | `DELETE FROM w WHERE id = 2` | 96 | 112 |
///
/// The commit record grows by 8 bytes, and an UPDATE or DELETE of a table with a key
/// logs the old key (8 more). walscope does not write index records, so its figures
/// for `w` differ from the real ones by the same amount at both levels; the growth is
/// the real one.
#[test]
fn wal_level_logical_writes_what_postgresql_writes() {
    let setup = "primary=# CREATE TABLE test (id INT);\nprimary=# CREATE TABLE w (id int primary key, v text);\nprimary=# INSERT INTO test VALUES (2);\nprimary=# INSERT INTO w VALUES (2, 'two');\n";
    let statements = [
        "INSERT INTO test VALUES (1);",
        "UPDATE test SET id = 3 WHERE id = 2;",
        "DELETE FROM test WHERE id = 3;",
        "UPDATE w SET v = 'TWO' WHERE id = 2;",
        "DELETE FROM w WHERE id = 2;",
    ];
    let replica = wal_bytes(setup, &statements);
    let logical = wal_bytes(&format!("{LOGICAL}{setup}"), &statements);
    assert_eq!(&replica[..3], &[104, 112, 96]);
    assert_eq!(&logical[..3], &[112, 120, 104]);
    let growth: Vec<u64> = logical.iter().zip(&replica).map(|(l, r)| l - r).collect();
    assert_eq!(growth, [8, 8, 8, 16, 16]);
}

/// Real, PostgreSQL 15.18 (`psql -X -c` each):
/// `SELECT pg_create_logical_replication_slot('s', 'test_decoding')` with wal_level =
/// replica: `ERROR:  logical decoding requires wal_level >= logical`; after the restart
/// with logical, at insert position 0/15FD0B0: `(s,0/15FD0E8)`, insert position then
/// 0/15FD0E8, and pg_replication_slots
/// ` s | test_decoding | logical | 5 | postgres | f | f | | 769 | 0/15FD0B0 | 0/15FD0E8 | reserved | | f`
/// with 769 the next xid (`pg_snapshot_xmax(pg_current_snapshot())`); then
/// `('s2', 'nosuchplugin')`: `ERROR:  could not access file "nosuchplugin": No such
/// file or directory` (after its running-xacts record: the next slot came 112 bytes
/// later, not 56), `('s', 'test_decoding')` again: `ERROR:  replication slot "s" already
/// exists`; `SELECT * FROM pg_create_logical_replication_slot('s4', 'pgoutput')` prints
/// `slot_name | lsn`.
#[test]
fn logical_slots_need_wal_level_logical_and_show_their_columns() {
    let t = run("primary=# SELECT pg_create_logical_replication_slot('s', 'test_decoding');\n");
    assert_eq!(
        output_of(
            &t,
            "primary=# SELECT pg_create_logical_replication_slot('s', 'test_decoding');"
        ),
        "ERROR:  logical decoding requires wal_level >= logical\n"
    );
    let t = run(&format!(
        "{LOGICAL}primary=# SELECT pg_current_wal_insert_lsn() AS before;
primary=# SELECT pg_create_logical_replication_slot('s', 'test_decoding');
primary=# SELECT pg_current_wal_insert_lsn() AS after;
primary=# SELECT pg_create_logical_replication_slot('s2', 'nosuchplugin');
primary=# SELECT pg_create_logical_replication_slot('s', 'test_decoding') AS again;
primary=# SELECT * FROM pg_create_logical_replication_slot('s4', 'pgoutput');
primary=# SELECT slot_name, plugin, slot_type, datoid, database, temporary, active, xmin, catalog_xmin, restart_lsn, confirmed_flush_lsn, wal_status, safe_wal_size, two_phase FROM pg_replication_slots WHERE slot_name = 's';
primary=# SELECT txid_current();
"
    ));
    let before = value_of(
        &t,
        "primary=# SELECT pg_current_wal_insert_lsn() AS before;",
    );
    let after = value_of(&t, "primary=# SELECT pg_current_wal_insert_lsn() AS after;");
    assert_eq!(lsn(&after) - lsn(&before), 56);
    let created = value_of(
        &t,
        "primary=# SELECT pg_create_logical_replication_slot('s', 'test_decoding');",
    );
    assert_eq!(created, format!("(s,{after})"));
    assert_eq!(
        output_of(
            &t,
            "primary=# SELECT pg_create_logical_replication_slot('s2', 'nosuchplugin');"
        ),
        "ERROR:  could not access file \"nosuchplugin\": No such file or directory\n"
    );
    assert_eq!(
        output_of(
            &t,
            "primary=# SELECT pg_create_logical_replication_slot('s', 'test_decoding') AS again;"
        ),
        "ERROR:  replication slot \"s\" already exists\n"
    );
    let s4 = output_of(
        &t,
        "primary=# SELECT * FROM pg_create_logical_replication_slot('s4', 'pgoutput');",
    );
    assert!(s4.starts_with(" slot_name |    lsn    \n"), "{s4}");
    let s4_lsn = s4.lines().nth(2).unwrap().split('|').nth(1).unwrap().trim();
    assert_eq!(
        lsn(s4_lsn) - lsn(&after),
        112,
        "the failed slot wrote its record too"
    );
    let xid = value_of(&t, "primary=# SELECT txid_current();");
    let row = output_of(&t, "primary=# SELECT slot_name, plugin, slot_type, datoid, database, temporary, active, xmin, catalog_xmin, restart_lsn, confirmed_flush_lsn, wal_status, safe_wal_size, two_phase FROM pg_replication_slots WHERE slot_name = 's';");
    let cells: Vec<&str> = row
        .lines()
        .nth(2)
        .unwrap()
        .split('|')
        .map(str::trim)
        .collect();
    assert_eq!(
        cells,
        [
            "s",
            "test_decoding",
            "logical",
            "5",
            "postgres",
            "f",
            "f",
            "",
            xid.as_str(),
            before.as_str(),
            after.as_str(),
            "reserved",
            "",
            "f"
        ]
    );
}

/// Real, PostgreSQL 15.18, each line one `psql -X -c` (tables `test (id INT)`, `w` and
/// `t2 (id int primary key, v text)`):
/// `CREATE PUBLICATION p FOR ALL TABLES` on wal_level = replica prints the WARNING and
/// HINT below, and then `UPDATE test ...` / `DELETE FROM test ...` (no key) fail with the
/// replica identity ERROR and HINT; after the restart with logical, the errors of
/// CREATE, ALTER and DROP PUBLICATION below, `pg_publication`'s row
/// ` 16432 | allpub | 10 | t | t | f | f | f | f` for `FOR ALL TABLES WITH (publish =
/// 'insert')`, and `pg_publication_tables` rows `mypub | public | t2 | {id,v} |`.
#[test]
fn publications_with_postgresqls_messages_and_views() {
    let t = run("primary=# CREATE TABLE test (id INT);
primary=# CREATE TABLE w (id int primary key, v text);
primary=# CREATE TABLE t2 (id int primary key, v text);
primary=# INSERT INTO test VALUES (1);
primary=# CREATE PUBLICATION p FOR ALL TABLES;
primary=# UPDATE test SET id = 5 WHERE id = 1;
primary=# DELETE FROM test WHERE id = 1;
primary=# UPDATE w SET v = 'x' WHERE id = 1;
primary=# DROP PUBLICATION p;
primary=# UPDATE test SET id = 5 WHERE id = 1;
primary=# ALTER SYSTEM SET wal_level = logical;
primary$ pg_ctl restart
primary=# CREATE PUBLICATION mypub FOR TABLE test;
primary=# CREATE PUBLICATION mypub FOR TABLE test, w;
primary=# ALTER PUBLICATION mypub ADD TABLE t2;
primary=# ALTER PUBLICATION mypub ADD TABLE nosuch;
primary=# ALTER PUBLICATION nopub ADD TABLE t2;
primary=# ALTER PUBLICATION mypub ADD TABLE test;
primary=# ALTER PUBLICATION mypub DROP TABLE w;
primary=# CREATE PUBLICATION allpub FOR ALL TABLES WITH (publish = 'insert');
primary=# CREATE PUBLICATION bad WITH (publish = 'foo');
primary=# CREATE PUBLICATION x WITH (foo = 1);
primary=# ALTER PUBLICATION allpub ADD TABLE test;
primary=# SELECT pubname, pubowner, puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot FROM pg_publication;
primary=# SELECT * FROM pg_publication_tables WHERE pubname = 'mypub';
primary=# DROP PUBLICATION allpub;
primary=# DROP PUBLICATION allpub;
primary=# DROP PUBLICATION IF EXISTS allpub;
");
    assert_eq!(
        output_of(&t, "primary=# CREATE PUBLICATION p FOR ALL TABLES;"),
        "WARNING:  wal_level is insufficient to publish logical changes\nHINT:  Set wal_level to \"logical\" before creating subscriptions.\nCREATE PUBLICATION\n"
    );
    assert_eq!(
        output_of(&t, "primary=# UPDATE test SET id = 5 WHERE id = 1;"),
        "ERROR:  cannot update table \"test\" because it does not have a replica identity and publishes updates\nHINT:  To enable updating the table, set REPLICA IDENTITY using ALTER TABLE.\n"
    );
    assert_eq!(
        output_of(&t, "primary=# DELETE FROM test WHERE id = 1;"),
        "ERROR:  cannot delete from table \"test\" because it does not have a replica identity and publishes deletes\nHINT:  To enable deleting from the table, set REPLICA IDENTITY using ALTER TABLE.\n"
    );
    assert_eq!(
        output_of(&t, "primary=# UPDATE w SET v = 'x' WHERE id = 1;"),
        "UPDATE 0\n"
    );
    // Once the publication is gone, the same UPDATE runs.
    let (_, after_drop) = output_after(&t, 0, "primary=# DROP PUBLICATION p;");
    assert_eq!(
        output_after(
            &t,
            after_drop,
            "primary=# UPDATE test SET id = 5 WHERE id = 1;"
        )
        .0,
        "UPDATE 1\n"
    );
    for (cmd, want) in [
        ("primary=# CREATE PUBLICATION mypub FOR TABLE test;", "CREATE PUBLICATION\n"),
        ("primary=# CREATE PUBLICATION mypub FOR TABLE test, w;", "ERROR:  publication \"mypub\" already exists\n"),
        ("primary=# ALTER PUBLICATION mypub ADD TABLE t2;", "ALTER PUBLICATION\n"),
        ("primary=# ALTER PUBLICATION mypub ADD TABLE nosuch;", "ERROR:  relation \"nosuch\" does not exist\n"),
        ("primary=# ALTER PUBLICATION nopub ADD TABLE t2;", "ERROR:  publication \"nopub\" does not exist\n"),
        ("primary=# ALTER PUBLICATION mypub ADD TABLE test;", "ERROR:  relation \"test\" is already member of publication \"mypub\"\n"),
        ("primary=# ALTER PUBLICATION mypub DROP TABLE w;", "ERROR:  relation \"w\" is not part of the publication\n"),
        ("primary=# CREATE PUBLICATION allpub FOR ALL TABLES WITH (publish = 'insert');", "CREATE PUBLICATION\n"),
        ("primary=# CREATE PUBLICATION bad WITH (publish = 'foo');", "ERROR:  unrecognized value for publication option \"publish\": \"foo\"\n"),
        ("primary=# CREATE PUBLICATION x WITH (foo = 1);", "ERROR:  unrecognized publication parameter: \"foo\"\n"),
        ("primary=# ALTER PUBLICATION allpub ADD TABLE test;", "ERROR:  publication \"allpub\" is defined as FOR ALL TABLES\nDETAIL:  Tables cannot be added to or dropped from FOR ALL TABLES publications.\n"),
        ("primary=# DROP PUBLICATION allpub;", "DROP PUBLICATION\n"),
        ("primary=# DROP PUBLICATION IF EXISTS allpub;", "NOTICE:  publication \"allpub\" does not exist, skipping\nDROP PUBLICATION\n"),
    ] {
        assert_eq!(output_of(&t, cmd), want, "{cmd}");
    }
    let (_, first_drop) = output_after(&t, 0, "primary=# DROP PUBLICATION allpub;");
    assert_eq!(
        output_after(&t, first_drop, "primary=# DROP PUBLICATION allpub;").0,
        "ERROR:  publication \"allpub\" does not exist\n"
    );
    let pubs = output_of(&t, "primary=# SELECT pubname, pubowner, puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot FROM pg_publication;");
    assert!(pubs.contains("\n mypub   |       10 | f            | t         | t         | t         | t           | f\n"), "{pubs}");
    assert!(pubs.contains("\n allpub  |       10 | t            | t         | f         | f         | f           | f\n"), "{pubs}");
    let tables = output_of(
        &t,
        "primary=# SELECT * FROM pg_publication_tables WHERE pubname = 'mypub';",
    );
    assert!(
        tables.starts_with(" pubname | schemaname | tablename | attnames | rowfilter \n"),
        "{tables}"
    );
    assert!(
        tables.contains("\n mypub   | public     | test      | {id}     | \n"),
        "{tables}"
    );
    assert!(
        tables.contains("\n mypub   | public     | t2        | {id,v}   | \n"),
        "{tables}"
    );
}

/// A publication is catalog data: it reaches a physical standby with the WAL (real: on
/// the standby, `SELECT pubname FROM pg_publication` shows the primary's publication).
#[test]
fn a_publication_reaches_the_physical_standby() {
    let mut script = walscope::examples::EXAMPLES[1].1.to_string();
    script.push_str("primary=# CREATE TABLE orders (id int primary key);\nprimary=# CREATE PUBLICATION pub FOR TABLE orders;\nlab$ wait 2s\nstandby1=# SELECT pubname FROM pg_publication;\n");
    let t = run(&script);
    assert!(
        output_of(&t, "standby1=# SELECT pubname FROM pg_publication;").contains(" pub\n"),
        "{t}"
    );
}

/// Real, PostgreSQL 15.18, on a physical standby of a wal_level = logical primary:
/// `SELECT pg_create_logical_replication_slot('s', 'test_decoding')` gives
/// `ERROR:  logical decoding cannot be used while in recovery`.
#[test]
fn a_standby_cannot_create_a_logical_slot() {
    let mut script = walscope::examples::EXAMPLES[1].1.to_string();
    script.push_str("primary=# ALTER SYSTEM SET wal_level = logical;\nprimary$ pg_ctl restart\nstandby1=# ALTER SYSTEM SET wal_level = logical;\nstandby1$ pg_ctl restart\nlab$ wait 2s\nstandby1=# SELECT pg_create_logical_replication_slot('s', 'test_decoding');\n");
    let t = run(&script);
    assert_eq!(
        output_of(
            &t,
            "standby1=# SELECT pg_create_logical_replication_slot('s', 'test_decoding');"
        ),
        "ERROR:  logical decoding cannot be used while in recovery\n"
    );
}

/// A publisher (`primary`, wal_level = logical, a REPLICATION role `repuser` that pg_hba
/// lets reach every database with a password) with table `t` in publication `mypub`,
/// and a second cluster `sub` with the same table, empty.
const PUBSUB: &str = "primary=# ALTER SYSTEM SET wal_level = logical;
primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE repuser WITH REPLICATION LOGIN PASSWORD 'secret';
primary=# CREATE ROLE norepl WITH LOGIN PASSWORD 'secret';
primary$ echo 'host all repuser 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ echo 'host all norepl 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
primary=# CREATE TABLE t (id int primary key, v text);
primary=# INSERT INTO t VALUES (1, 'a'), (2, 'b');
primary=# CREATE PUBLICATION mypub FOR TABLE t;
lab$ node add sub
sub$ initdb -D /var/lib/pgsql/data
sub$ pg_ctl start
sub=# CREATE TABLE t (id int primary key, v text);
";

const CONN: &str = "host=primary dbname=postgres user=repuser password=secret";

fn create_sub(extra: &str) -> String {
    format!("sub=# CREATE SUBSCRIPTION mysub CONNECTION '{CONN}' PUBLICATION mypub{extra};\n")
}

/// The server log of `host` as `cat` printed it at `command`, without the timestamp
/// and pid prefix: (seconds of virtual time in the minute, pid, rest).
fn log_lines(transcript: &str, command: &str) -> Vec<(f64, String, String)> {
    output_of(transcript, command)
        .lines()
        .filter_map(|l| {
            let (stamp, rest) = l.split_once(" UTC [")?;
            let (pid, text) = rest.split_once("] ")?;
            let secs: f64 = stamp.rsplit(':').next()?.parse().ok()?;
            let minutes: f64 = stamp.split(':').nth(1)?.parse().ok()?;
            Some((minutes * 60.0 + secs, pid.to_string(), text.to_string()))
        })
        .collect()
}

/// Real, PostgreSQL 15.18 (publisher on 127.0.0.1:55432, subscriber :55433, each line
/// its own `psql -X -c` on the subscriber): `CREATE SUBSCRIPTION ... PUBLICATION mypub`
/// before the subscriber had `t` → `ERROR:  relation "public.t" does not exist`; to a
/// port nobody listens on → `ERROR:  could not connect to the publisher: connection to
/// server at "127.0.0.1", port 55499 failed: Connection refused` + the tab-indented
/// `Is the server running ...` line; with `password=wrong` → `... failed: FATAL:
/// password authentication failed for user "repuser"`; as a LOGIN role without
/// REPLICATION → `... FATAL:  must be superuser or replication role to start
/// walsender`; `user=nobody` → `... FATAL:  role "nobody" does not exist`; then the
/// NOTICE and tag below, `subscription "mysub" already exists`, `WITH (foo = 1)` →
/// `unrecognized subscription parameter: "foo"`, `WITH (slot_name = NONE)` →
/// `subscription with slot_name = NONE must also set enabled = false`,
/// `WITH (copy_data = maybe)` → `copy_data requires a Boolean value`; `DROP
/// SUBSCRIPTION` → `NOTICE:  dropped replication slot "s2" on publisher`, again →
/// `subscription "s2" does not exist`, `IF EXISTS` → the NOTICE `... does not exist,
/// skipping`. pg-facts-logical.md: a `host replication` line alone gives `no pg_hba.conf
/// entry for host ..., user "repuser", database "postgres", no encryption`.
#[test]
fn create_subscription_connects_as_libpq_and_says_what_postgresql_says() {
    let conn =
        |c: &str| format!("sub=# CREATE SUBSCRIPTION mysub CONNECTION '{c}' PUBLICATION mypub;\n");
    let before = PUBSUB.replace("sub=# CREATE TABLE t (id int primary key, v text);\n", "");
    let t = run(&format!(
        "{before}{}sub=# CREATE TABLE t (id int primary key, v text);
{}{}{}{}{}{}{}{}{}sub=# DROP SUBSCRIPTION mysub;
sub=# DROP SUBSCRIPTION mysub;
sub=# DROP SUBSCRIPTION IF EXISTS mysub;
primary$ pg_ctl stop
{}",
        conn(CONN).replace(";\n", "   ;\n"),
        conn("host=primary dbname=postgres user=repuser password=wrong").replace(";\n", " ;\n"),
        conn("host=primary dbname=postgres user=norepl password=secret"),
        conn("host=primary dbname=postgres user=nobody"),
        conn("host=primary dbname=other user=repuser password=secret host=primary port=5433"),
        create_sub(" WITH (foo = 1)"),
        create_sub(" WITH (slot_name = NONE)"),
        create_sub(" WITH (copy_data = maybe)"),
        create_sub(""),
        create_sub("").replace(";\n", " ;\n"),
        create_sub("").replace(";\n", "  ;\n"),
    ));
    let first = output_of(&t, &conn(CONN).replace(";\n", "   ;"));
    assert_eq!(
        first, "ERROR:  relation \"public.t\" does not exist\n",
        "{t}"
    );
    let wrong =
        conn("host=primary dbname=postgres user=repuser password=wrong").replace(";\n", " ;");
    assert_eq!(output_of(&t, &wrong), "ERROR:  could not connect to the publisher: connection to server at \"primary\" (10.0.0.1), port 5432 failed: FATAL:  password authentication failed for user \"repuser\"\n");
    assert_eq!(output_of(&t, conn("host=primary dbname=postgres user=norepl password=secret").trim_end()), "ERROR:  could not connect to the publisher: connection to server at \"primary\" (10.0.0.1), port 5432 failed: FATAL:  must be superuser or replication role to start walsender\n");
    // No pg_hba.conf line lets `nobody` in (the real server checks pg_hba before the role).
    assert_eq!(output_of(&t, conn("host=primary dbname=postgres user=nobody").trim_end()), "ERROR:  could not connect to the publisher: connection to server at \"primary\" (10.0.0.1), port 5432 failed: FATAL:  no pg_hba.conf entry for host \"10.0.0.2\", user \"nobody\", database \"postgres\", no encryption\n");
    assert!(output_of(&t, conn("host=primary dbname=other user=repuser password=secret host=primary port=5433").trim_end()).starts_with("ERROR:  could not connect to the publisher: connection to server at \"primary\" (10.0.0.1), port 5433 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"), "{t}");
    for (extra, want) in [
        (
            " WITH (foo = 1)",
            "ERROR:  unrecognized subscription parameter: \"foo\"\n",
        ),
        (
            " WITH (slot_name = NONE)",
            "ERROR:  subscription with slot_name = NONE must also set enabled = false\n",
        ),
        (
            " WITH (copy_data = maybe)",
            "ERROR:  copy_data requires a Boolean value\n",
        ),
        (
            "",
            "NOTICE:  created replication slot \"mysub\" on publisher\nCREATE SUBSCRIPTION\n",
        ),
    ] {
        assert_eq!(output_of(&t, create_sub(extra).trim_end()), want, "{extra}");
    }
    assert_eq!(
        output_of(&t, create_sub("").replace(";\n", " ;").as_str()),
        "ERROR:  subscription \"mysub\" already exists\n"
    );
    let (_, at) = output_after(&t, 0, "sub=# DROP SUBSCRIPTION mysub;");
    assert_eq!(
        output_of(&t, "sub=# DROP SUBSCRIPTION mysub;"),
        "NOTICE:  dropped replication slot \"mysub\" on publisher\nDROP SUBSCRIPTION\n"
    );
    assert_eq!(
        output_after(&t, at, "sub=# DROP SUBSCRIPTION mysub;").0,
        "ERROR:  subscription \"mysub\" does not exist\n"
    );
    assert_eq!(
        output_of(&t, "sub=# DROP SUBSCRIPTION IF EXISTS mysub;"),
        "NOTICE:  subscription \"mysub\" does not exist, skipping\nDROP SUBSCRIPTION\n"
    );
    assert!(
        output_of(&t, create_sub("").replace(";\n", "  ;").as_str()).starts_with("ERROR:  could not connect to the publisher: connection to server at \"primary\" (10.0.0.1), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"),
        "{t}"
    );
}

/// Real, PostgreSQL 15.18 (scripts `s1.sh`: CREATE SUBSCRIPTION, then `sleep 2`, then
/// the views): pg_subscription_rel went `s | 0/1528628` to `r | 0/1528628` (the copy's
/// LSN, = the slot's confirmed_flush_lsn at creation), the two rows were copied,
/// pg_subscription ` 16393 | 5 | 0/0 | mysub | 10 | t | f | f | d | f | host=... |
/// mysub | off | {mypub}`, pg_stat_subscription one row with pid and received_lsn =
/// latest_end_lsn = the publisher's pg_current_wal_lsn, pg_stat_subscription_stats
/// `0 | 0 |`, the slot `mysub | pgoutput | logical | 5 | postgres | f | t | ...` with
/// confirmed_flush_lsn = pg_current_wal_lsn, pg_stat_replication `mysub | streaming |
/// async` with its four LSNs equal. Logs: the subscriber's `logical replication apply
/// worker for subscription "mysub" has started`, the table synchronization worker's
/// `... table "t" has started` / `has finished`; the publisher's `starting logical
/// decoding for slot "mysub"` / DETAIL `Streaming transactions committing after X,
/// reading WAL from Y.` / STATEMENT `START_REPLICATION SLOT "mysub" LOGICAL 0/0
/// (proto_version '3', publication_names '"mypub"')`, then `logical decoding found
/// consistent point at Y` / `There are no running transactions.`. INSERT, UPDATE,
/// DELETE and TRUNCATE on the publisher arrive (pg-facts-logical.md).
#[test]
fn the_apply_worker_copies_the_table_then_streams_row_changes() {
    let t = run(&format!(
        "{PUBSUB}{}sub=# SELECT srsubstate, srsublsn FROM pg_subscription_rel;
lab$ wait 2s
sub=# SELECT srsubstate, srsublsn FROM pg_subscription_rel AS later;
sub=# TABLE t;
primary=# INSERT INTO t VALUES (3, 'c');
primary=# UPDATE t SET v = 'B' WHERE id = 2;
primary=# DELETE FROM t WHERE id = 1;
lab$ wait 2s
sub=# SELECT * FROM t ORDER BY id;
primary=# SELECT slot_name, plugin, slot_type, datoid, database, temporary, active FROM pg_replication_slots;
primary=# SELECT confirmed_flush_lsn FROM pg_replication_slots;
primary=# SELECT application_name, state, sync_state, sent_lsn = flush_lsn AND flush_lsn = replay_lsn AS same FROM pg_stat_replication;
primary=# SELECT flush_lsn FROM pg_stat_replication;
primary=# SELECT pg_current_wal_lsn();
sub=# SELECT subdbid, subskiplsn, subname, subowner, subenabled, subbinary, substream, subtwophasestate, subdisableonerr, subconninfo, subslotname, subsynccommit, subpublications FROM pg_subscription;
sub=# SELECT subname, relid, received_lsn, latest_end_lsn FROM pg_stat_subscription;
sub=# SELECT subname, apply_error_count, sync_error_count, stats_reset FROM pg_stat_subscription_stats;
sub=# INSERT INTO t VALUES (50, 'own');
primary=# TRUNCATE t;
primary=# INSERT INTO t VALUES (4, 'd');
lab$ wait 2s
sub=# SELECT * FROM t AS after_truncate ORDER BY id;
primary=# SELECT * FROM t WHERE id = 50;
sub$ cat /var/lib/pgsql/data/log/postgresql.log
primary$ cat /var/lib/pgsql/data/log/postgresql.log
",
        create_sub("")
    ));
    assert_eq!(
        value_of(
            &t,
            "sub=# SELECT srsubstate, srsublsn FROM pg_subscription_rel;"
        ),
        "i          |"
    );
    let later = value_of(
        &t,
        "sub=# SELECT srsubstate, srsublsn FROM pg_subscription_rel AS later;",
    );
    let (state, copy_lsn) = later.split_once('|').unwrap();
    assert_eq!(state.trim(), "r");
    assert_eq!(
        output_of(&t, "sub=# TABLE t;"),
        " id | v \n----+---\n  1 | a\n  2 | b\n(2 rows)\n\n"
    );
    assert_eq!(
        output_of(&t, "sub=# SELECT * FROM t ORDER BY id;"),
        " id | v \n----+---\n  2 | B\n  3 | c\n(2 rows)\n\n"
    );
    assert!(output_of(&t, "primary=# SELECT slot_name, plugin, slot_type, datoid, database, temporary, active FROM pg_replication_slots;").contains(" mysub     | pgoutput | logical   |      5 | postgres | f         | t\n"), "{t}");
    let current = value_of(&t, "primary=# SELECT pg_current_wal_lsn();");
    assert_eq!(
        value_of(
            &t,
            "primary=# SELECT confirmed_flush_lsn FROM pg_replication_slots;"
        ),
        current
    );
    assert_eq!(
        value_of(&t, "primary=# SELECT flush_lsn FROM pg_stat_replication;"),
        current
    );
    assert!(output_of(&t, "primary=# SELECT application_name, state, sync_state, sent_lsn = flush_lsn AND flush_lsn = replay_lsn AS same FROM pg_stat_replication;").contains(" mysub            | streaming | async      | t\n"), "{t}");
    assert_eq!(
        value_of(&t, "sub=# SELECT subdbid, subskiplsn, subname, subowner, subenabled, subbinary, substream, subtwophasestate, subdisableonerr, subconninfo, subslotname, subsynccommit, subpublications FROM pg_subscription;").split('|').map(str::trim).collect::<Vec<_>>(),
        ["5", "0/0", "mysub", "10", "t", "f", "f", "d", "f", CONN, "mysub", "off", "{mypub}"]
    );
    assert_eq!(
        value_of(
            &t,
            "sub=# SELECT subname, relid, received_lsn, latest_end_lsn FROM pg_stat_subscription;"
        )
        .split('|')
        .map(str::trim)
        .collect::<Vec<_>>(),
        ["mysub", "", current.as_str(), current.as_str()]
    );
    assert_eq!(
        value_of(&t, "sub=# SELECT subname, apply_error_count, sync_error_count, stats_reset FROM pg_stat_subscription_stats;").split('|').map(str::trim).collect::<Vec<_>>(),
        ["mysub", "0", "0", ""]
    );
    // TRUNCATE and the next INSERT arrive; the subscriber's own row does not travel back.
    assert_eq!(
        output_of(&t, "sub=# SELECT * FROM t AS after_truncate ORDER BY id;"),
        " id | v \n----+---\n  4 | d\n(1 row)\n\n"
    );
    assert!(output_of(&t, "primary=# SELECT * FROM t WHERE id = 50;").contains("(0 rows)"));
    let sub_log: Vec<String> = log_lines(&t, "sub$ cat /var/lib/pgsql/data/log/postgresql.log")
        .into_iter()
        .map(|(_, _, l)| l)
        .filter(|l| l.contains("logical replication"))
        .collect();
    assert_eq!(
        sub_log,
        [
            "LOG:  logical replication apply worker for subscription \"mysub\" has started",
            "LOG:  logical replication table synchronization worker for subscription \"mysub\", table \"t\" has started",
            "LOG:  logical replication table synchronization worker for subscription \"mysub\", table \"t\" has finished",
        ]
    );
    let pub_log: Vec<String> = log_lines(&t, "primary$ cat /var/lib/pgsql/data/log/postgresql.log")
        .into_iter()
        .map(|(_, _, l)| l)
        .skip_while(|l| !l.starts_with("LOG:  starting logical decoding"))
        .collect();
    let restart = pub_log[1]
        .rsplit("reading WAL from ")
        .next()
        .unwrap()
        .trim_end_matches('.')
        .to_string();
    assert_eq!(
        pub_log[..6],
        [
            "LOG:  starting logical decoding for slot \"mysub\"".to_string(),
            format!("DETAIL:  Streaming transactions committing after{copy_lsn}, reading WAL from {restart}."),
            "STATEMENT:  START_REPLICATION SLOT \"mysub\" LOGICAL 0/0 (proto_version '3', publication_names '\"mypub\"')".to_string(),
            format!("LOG:  logical decoding found consistent point at {restart}"),
            "DETAIL:  There are no running transactions.".to_string(),
            "STATEMENT:  START_REPLICATION SLOT \"mysub\" LOGICAL 0/0 (proto_version '3', publication_names '\"mypub\"')".to_string(),
        ]
    );
}

/// Real, PostgreSQL 15.18 (script `s2.sh`): a row 100 inserted on the subscriber, then
/// 100 on the publisher: the subscriber's log has, at once and then every 5.0 s
/// (wal_retrieve_retry_interval; the first retry came at once because the worker's
/// last start was more than 5 s before),
/// `ERROR:  duplicate key value violates unique constraint "t_pkey"` / `DETAIL:  Key
/// (id)=(100) already exists.` / `CONTEXT:  processing remote data for replication
/// origin "pg_16393" during message type "INSERT" for replication target relation
/// "public.t" in transaction 727, finished at 0/15286E8` (the commit record's start:
/// pg_current_wal_lsn after the INSERT was 0/1528718, 48 bytes on) / the postmaster's
/// `LOG:  background worker "logical replication worker" (PID n) exited with exit code
/// 1` / `LOG:  logical replication apply worker for subscription "mysub" has started`;
/// pg_stat_subscription_stats.apply_error_count 4 after 12 s; pg_stat_subscription's pid
/// and received_lsn NULL, the slot `active` f, pg_stat_replication empty; `DELETE FROM t
/// WHERE id = 100` on the subscriber: the next retry applies the remote row.
#[test]
fn a_duplicate_key_stops_apply_until_the_local_row_is_deleted() {
    let t = run(&format!(
        "{PUBSUB}{}lab$ wait 10s
sub=# INSERT INTO t VALUES (100, 'local');
primary=# INSERT INTO t VALUES (100, 'remote');
primary=# SELECT pg_current_wal_lsn();
lab$ wait 12s
sub=# SELECT apply_error_count FROM pg_stat_subscription_stats;
sub=# SELECT pid, received_lsn FROM pg_stat_subscription;
primary=# SELECT active FROM pg_replication_slots;
primary=# SELECT count(*) FROM pg_stat_replication;
sub=# DELETE FROM t WHERE id = 100;
lab$ wait 6s
sub=# SELECT * FROM t WHERE id = 100;
sub=# SELECT apply_error_count FROM pg_stat_subscription_stats AS s;
sub$ cat /var/lib/pgsql/data/log/postgresql.log
",
        create_sub("")
    ));
    let after = lsn(&value_of(&t, "primary=# SELECT pg_current_wal_lsn();"));
    let finished = walscope::sim::Lsn(after - 48).to_string();
    let log = log_lines(&t, "sub$ cat /var/lib/pgsql/data/log/postgresql.log");
    let from = log
        .iter()
        .position(|(_, _, l)| l.starts_with("ERROR:  duplicate key"))
        .expect("a duplicate key error");
    let worker_pid = log[from].1.clone();
    let postmaster_pid = log[0].1.clone();
    let text: Vec<&str> = log[from..from + 6]
        .iter()
        .map(|(_, _, l)| l.as_str())
        .collect();
    let context = format!("CONTEXT:  processing remote data for replication origin \"pg_16391\" during message type \"INSERT\" for replication target relation \"public.t\" in transaction 729, finished at {finished}");
    assert_eq!(
        text,
        [
            "ERROR:  duplicate key value violates unique constraint \"t_pkey\"",
            "DETAIL:  Key (id)=(100) already exists.",
            context.as_str(),
            &format!("LOG:  background worker \"logical replication worker\" (PID {worker_pid}) exited with exit code 1"),
            "LOG:  logical replication apply worker for subscription \"mysub\" has started",
            "ERROR:  duplicate key value violates unique constraint \"t_pkey\"",
        ]
    );
    assert_eq!(log[from + 3].1, postmaster_pid);
    // At once, then every 5 s: the starts after the first error.
    let starts: Vec<f64> = log[from..]
        .iter()
        .filter(|(_, _, l)| l.ends_with("has started"))
        .map(|(t, _, _)| *t)
        .collect();
    let errors: Vec<f64> = log[from..]
        .iter()
        .filter(|(_, _, l)| l.starts_with("ERROR:  duplicate key"))
        .map(|(t, _, _)| *t)
        .collect();
    assert!(
        (starts[0] - errors[0]).abs() < 0.01,
        "{starts:?} {errors:?}"
    );
    for w in starts.windows(2) {
        assert!((w[1] - w[0] - 5.0).abs() < 0.01, "{starts:?}");
    }
    assert_eq!(errors.len(), 4, "12 s of errors: at once, and 5 s apart");
    assert_eq!(
        value_of(
            &t,
            "sub=# SELECT apply_error_count FROM pg_stat_subscription_stats;"
        ),
        "4"
    );
    assert_eq!(
        value_of(
            &t,
            "sub=# SELECT pid, received_lsn FROM pg_stat_subscription;"
        ),
        "|"
    );
    assert_eq!(
        value_of(&t, "primary=# SELECT active FROM pg_replication_slots;"),
        "f"
    );
    assert_eq!(
        value_of(&t, "primary=# SELECT count(*) FROM pg_stat_replication;"),
        "0"
    );
    assert_eq!(
        output_of(&t, "sub=# SELECT * FROM t WHERE id = 100;"),
        " id  |   v    \n-----+--------\n 100 | remote\n(1 row)\n\n"
    );
    assert_eq!(
        value_of(
            &t,
            "sub=# SELECT apply_error_count FROM pg_stat_subscription_stats AS s;"
        ),
        "4"
    );
}

/// Real, PostgreSQL 15.18 (pg-facts-logical.md, "Conflict and its resolution"):
/// `ALTER SUBSCRIPTION mysub SKIP (lsn = '0/1')` after some transactions were applied →
/// `ERROR:  skip WAL location (LSN 0/1) must be greater than origin LSN X` (the
/// origin's remote_lsn); `SKIP (lsn = '<the CONTEXT's finished at>')` sets subskiplsn;
/// on the worker's next start: `LOG:  logical replication starts skipping transaction
/// at LSN L` / `CONTEXT:  ... during message type "BEGIN" in transaction 727, finished
/// at L`, `LOG:  logical replication completed skipping transaction at LSN L` /
/// `CONTEXT:  ... "COMMIT" ...`; subskiplsn back to 0/0; the subscriber keeps its own
/// row 100 and the next remote row 101 arrives.
#[test]
fn skip_passes_over_the_conflicting_transaction() {
    let t = run(&format!(
        "{PUBSUB}{}lab$ wait 2s
primary=# INSERT INTO t VALUES (3, 'c');
lab$ wait 1s
primary=# SELECT pg_current_wal_lsn() AS applied;
sub=# INSERT INTO t VALUES (100, 'local');
primary=# INSERT INTO t VALUES (100, 'remote');
primary=# SELECT pg_current_wal_lsn() AS remote;
primary=# INSERT INTO t VALUES (101, 'after');
lab$ wait 1s
sub=# ALTER SUBSCRIPTION mysub SKIP (lsn = '0/1');
",
        create_sub("")
    ));
    let applied = value_of(&t, "primary=# SELECT pg_current_wal_lsn() AS applied;");
    assert_eq!(
        output_of(&t, "sub=# ALTER SUBSCRIPTION mysub SKIP (lsn = '0/1');"),
        format!("ERROR:  skip WAL location (LSN 0/1) must be greater than origin LSN {applied}\n")
    );
    let remote = lsn(&value_of(
        &t,
        "primary=# SELECT pg_current_wal_lsn() AS remote;",
    ));
    let finished = walscope::sim::Lsn(remote - 48).to_string();
    let t = run(&format!(
        "{PUBSUB}{}lab$ wait 2s
primary=# INSERT INTO t VALUES (3, 'c');
lab$ wait 1s
sub=# INSERT INTO t VALUES (100, 'local');
primary=# INSERT INTO t VALUES (100, 'remote');
primary=# INSERT INTO t VALUES (101, 'after');
lab$ wait 1s
sub=# ALTER SUBSCRIPTION mysub SKIP (lsn = '{finished}');
sub=# SELECT subskiplsn FROM pg_subscription;
lab$ wait 6s
sub=# SELECT * FROM t WHERE id >= 100 ORDER BY id;
sub=# SELECT subskiplsn FROM pg_subscription AS later;
sub$ cat /var/lib/pgsql/data/log/postgresql.log
",
        create_sub("")
    ));
    assert_eq!(
        output_of(
            &t,
            &format!("sub=# ALTER SUBSCRIPTION mysub SKIP (lsn = '{finished}');")
        ),
        "ALTER SUBSCRIPTION\n"
    );
    assert_eq!(
        value_of(&t, "sub=# SELECT subskiplsn FROM pg_subscription;"),
        finished
    );
    assert_eq!(
        value_of(&t, "sub=# SELECT subskiplsn FROM pg_subscription AS later;"),
        "0/0"
    );
    assert_eq!(
        output_of(&t, "sub=# SELECT * FROM t WHERE id >= 100 ORDER BY id;"),
        " id  |   v   \n-----+-------\n 100 | local\n 101 | after\n(2 rows)\n\n"
    );
    let log: Vec<String> = log_lines(&t, "sub$ cat /var/lib/pgsql/data/log/postgresql.log")
        .into_iter()
        .map(|(_, _, l)| l)
        .skip_while(|l| !l.contains("skipping"))
        .collect();
    let ctx = |kind: &str| {
        format!("CONTEXT:  processing remote data for replication origin \"pg_16391\" during message type \"{kind}\" in transaction 730, finished at {finished}")
    };
    assert_eq!(
        log,
        [
            format!("LOG:  logical replication starts skipping transaction at LSN {finished}"),
            ctx("BEGIN"),
            format!("LOG:  logical replication completed skipping transaction at LSN {finished}"),
            ctx("COMMIT"),
        ]
    );
}

/// Real, PostgreSQL 15.18 (pg-facts-logical.md and `s2.sh`): `ALTER SUBSCRIPTION mysub
/// DISABLE` logs `LOG:  logical replication apply worker for subscription "mysub" will
/// stop because the subscription was disabled`; pg_stat_subscription keeps one row with
/// pid NULL; the slot is `active` f and keeps WAL: after 3 × (INSERT; pg_switch_wal())
/// and a CHECKPOINT it is still `reserved` with safe_wal_size NULL and the segments
/// from its restart_lsn are still in pg_wal; after ENABLE (5 s after the last start)
/// the rows arrive and confirmed_flush_lsn reaches pg_current_wal_lsn.
#[test]
fn a_disabled_subscription_keeps_wal_on_the_publisher() {
    let t = run(&format!(
        "{PUBSUB}{}lab$ wait 6s
sub=# ALTER SUBSCRIPTION mysub DISABLE;
lab$ wait 1s
sub=# SELECT pid, received_lsn FROM pg_stat_subscription;
primary=# SELECT active, wal_status, safe_wal_size FROM pg_replication_slots;
primary=# SELECT restart_lsn FROM pg_replication_slots;
primary=# INSERT INTO t VALUES (10, 'x');
primary=# SELECT pg_switch_wal();
primary=# INSERT INTO t VALUES (11, 'y');
primary=# SELECT pg_switch_wal();
primary=# INSERT INTO t VALUES (12, 'z');
primary=# SELECT pg_switch_wal();
primary=# CHECKPOINT;
primary=# SELECT active, wal_status, safe_wal_size FROM pg_replication_slots AS later;
primary=# SELECT min(name) FROM pg_ls_waldir();
sub=# ALTER SUBSCRIPTION mysub ENABLE;
lab$ wait 1s
sub=# SELECT count(*) FROM t;
primary=# SELECT pg_current_wal_lsn();
primary=# SELECT confirmed_flush_lsn FROM pg_replication_slots;
sub$ cat /var/lib/pgsql/data/log/postgresql.log
",
        create_sub("")
    ));
    assert_eq!(
        value_of(
            &t,
            "sub=# SELECT pid, received_lsn FROM pg_stat_subscription;"
        ),
        "|"
    );
    assert_eq!(
        value_of(
            &t,
            "primary=# SELECT active, wal_status, safe_wal_size FROM pg_replication_slots;"
        )
        .split('|')
        .map(str::trim)
        .collect::<Vec<_>>(),
        ["f", "reserved", ""]
    );
    assert_eq!(
        value_of(&t, "primary=# SELECT active, wal_status, safe_wal_size FROM pg_replication_slots AS later;").split('|').map(str::trim).collect::<Vec<_>>(),
        ["f", "reserved", ""]
    );
    let restart = lsn(&value_of(
        &t,
        "primary=# SELECT restart_lsn FROM pg_replication_slots;",
    ));
    let oldest = value_of(&t, "primary=# SELECT min(name) FROM pg_ls_waldir();");
    assert_eq!(
        oldest,
        walscope::sim::segment_file_name(
            walscope::sim::TimelineId(1),
            restart / walscope::sim::SEGMENT_SIZE
        )
    );
    assert_eq!(value_of(&t, "sub=# SELECT count(*) FROM t;"), "5");
    assert_eq!(
        value_of(
            &t,
            "primary=# SELECT confirmed_flush_lsn FROM pg_replication_slots;"
        ),
        value_of(&t, "primary=# SELECT pg_current_wal_lsn();")
    );
    let log = log_lines(&t, "sub$ cat /var/lib/pgsql/data/log/postgresql.log");
    assert!(log.iter().any(|(_, _, l)| l == "LOG:  logical replication apply worker for subscription \"mysub\" will stop because the subscription was disabled"));
    assert!(
        !log.iter()
            .any(|(_, _, l)| l.contains("exited with exit code")),
        "a disabled worker exits quietly"
    );
}

/// Real, PostgreSQL 15.18 (pg-facts-logical.md): with the publisher down, `DROP
/// SUBSCRIPTION mysub2` → `ERROR:  could not connect to publisher when attempting to
/// drop replication slot "mysub2": connection to server at ... failed: Connection
/// refused` + the tab-indented line + `HINT:  Use ALTER SUBSCRIPTION ... DISABLE to
/// disable the subscription, and then use ALTER SUBSCRIPTION ... SET (slot_name = NONE)
/// to disassociate it from the slot.`; DISABLE, `SET (slot_name = NONE)` and DROP then
/// work, and the slot stays on the publisher (`mysub2 | f | reserved`).
#[test]
fn drop_subscription_needs_the_publisher_or_slot_name_none() {
    let t = run(&format!(
        "{PUBSUB}{}lab$ wait 2s
primary$ pg_ctl stop
sub=# DROP SUBSCRIPTION mysub;
sub=# ALTER SUBSCRIPTION mysub SET (slot_name = NONE);
sub=# ALTER SUBSCRIPTION mysub DISABLE;
sub=# ALTER SUBSCRIPTION mysub SET (slot_name = NONE);
sub=# ALTER SUBSCRIPTION mysub ENABLE;
sub=# DROP SUBSCRIPTION mysub AS again;
primary$ pg_ctl start
primary=# SELECT slot_name, active, wal_status FROM pg_replication_slots;
",
        create_sub("")
    )
    .replace(
        "DROP SUBSCRIPTION mysub AS again;",
        "DROP SUBSCRIPTION mysub ;",
    ));
    assert_eq!(
        output_of(&t, "sub=# DROP SUBSCRIPTION mysub;"),
        "ERROR:  could not connect to publisher when attempting to drop replication slot \"mysub\": connection to server at \"primary\" (10.0.0.1), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\nHINT:  Use ALTER SUBSCRIPTION ... DISABLE to disable the subscription, and then use ALTER SUBSCRIPTION ... SET (slot_name = NONE) to disassociate it from the slot.\n"
    );
    let (_, at) = output_after(
        &t,
        0,
        "sub=# ALTER SUBSCRIPTION mysub SET (slot_name = NONE);",
    );
    assert_eq!(
        output_of(&t, "sub=# ALTER SUBSCRIPTION mysub SET (slot_name = NONE);"),
        "ERROR:  cannot set slot_name = NONE for enabled subscription\n"
    );
    assert_eq!(
        output_after(
            &t,
            at,
            "sub=# ALTER SUBSCRIPTION mysub SET (slot_name = NONE);"
        )
        .0,
        "ALTER SUBSCRIPTION\n"
    );
    assert_eq!(
        output_of(&t, "sub=# ALTER SUBSCRIPTION mysub ENABLE;"),
        "ERROR:  cannot enable subscription that does not have a slot name\n"
    );
    assert_eq!(
        output_of(&t, "sub=# DROP SUBSCRIPTION mysub ;"),
        "DROP SUBSCRIPTION\n"
    );
    assert!(
        output_of(
            &t,
            "primary=# SELECT slot_name, active, wal_status FROM pg_replication_slots;"
        )
        .contains(" mysub     | f      | reserved\n"),
        "{t}"
    );
}

/// Real, PostgreSQL 15.18 (script `s4.sh`, tables `d (id int primary key, v text)` and
/// `dnopk (a int, b text)`, slot `s` from `pg_create_logical_replication_slot('s',
/// 'test_decoding')`, then each statement its own `psql -c`): peek printed these 22 data
/// rows, each transaction's BEGIN at its first record, its COMMIT at its commit record's
/// end (= the next BEGIN); `'include-xids', '0', 'skip-empty-xacts', '1'` printed
/// `BEGIN` / `COMMIT` without xids; `get_changes('s', NULL, 3)` returned the first
/// transaction's 4 rows and moved confirmed_flush_lsn to its COMMIT's lsn; then a get
/// returned the other 18 and the next none. Errors: `'foo', 'bar'` → `ERROR:  option
/// "foo" = "bar" is unknown` / `CONTEXT:  slot "s", output plugin "test_decoding", in
/// the startup callback`; `'include-xids'` alone → `ERROR:  array must have even number
/// of elements`; a pgoutput slot → `ERROR:  client sent proto_version=0 but we only
/// support protocol 1 or higher` / `CONTEXT:  slot "p", output plugin "pgoutput", in
/// the startup callback`; `'nosuch'` → `ERROR:  replication slot "nosuch" does not
/// exist`. (PostgreSQL logs each row of a multi-row INSERT in its own record, so its
/// second row has its own lsn; walscope's one record gives both rows the same.)
#[test]
fn test_decoding_prints_what_test_decoding_prints() {
    let t = run(&format!(
        "{LOGICAL}primary=# CREATE TABLE d (id int primary key, v text);
primary=# CREATE TABLE dnopk (a int, b text);
primary=# SELECT * FROM pg_create_logical_replication_slot('s', 'test_decoding');
primary=# INSERT INTO d VALUES (1,'a'),(2,'b');
primary=# UPDATE d SET v='A' WHERE id=1;
primary=# DELETE FROM d WHERE id=2;
primary=# UPDATE d SET id=10 WHERE id=1;
primary=# INSERT INTO dnopk VALUES (1,'x');
primary=# TRUNCATE d;
primary=# INSERT INTO d VALUES (5, 'it''s');
primary=# SELECT * FROM pg_logical_slot_peek_changes('s', NULL, NULL);
primary=# SELECT data FROM pg_logical_slot_peek_changes('s', NULL, NULL, 'include-xids', '0', 'skip-empty-xacts', '1');
primary=# SELECT * FROM pg_logical_slot_get_changes('s', NULL, 3);
primary=# SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 's';
primary=# SELECT count(*) FROM pg_logical_slot_get_changes('s', NULL, NULL);
primary=# SELECT * FROM pg_logical_slot_get_changes('s', NULL, NULL);
primary=# SELECT * FROM pg_logical_slot_peek_changes('nosuch', NULL, NULL);
primary=# SELECT * FROM pg_logical_slot_peek_changes('s', NULL, NULL, 'foo', 'bar');
primary=# SELECT * FROM pg_logical_slot_peek_changes('s', NULL, NULL, 'include-xids');
primary=# SELECT pg_create_logical_replication_slot('p', 'pgoutput');
primary=# SELECT * FROM pg_logical_slot_peek_changes('p', NULL, NULL);
"
    ));
    let peek = output_of(
        &t,
        "primary=# SELECT * FROM pg_logical_slot_peek_changes('s', NULL, NULL);",
    );
    let rows: Vec<Vec<String>> = peek
        .lines()
        .skip(2)
        .filter(|l| l.contains('|'))
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    let x0: u32 = rows[0][1].parse().unwrap();
    let data: Vec<String> = rows.iter().map(|r| r[2].clone()).collect();
    let want = [
        "BEGIN {0}",
        "table public.d: INSERT: id[integer]:1 v[text]:'a'",
        "table public.d: INSERT: id[integer]:2 v[text]:'b'",
        "COMMIT {0}",
        "BEGIN {1}",
        "table public.d: UPDATE: id[integer]:1 v[text]:'A'",
        "COMMIT {1}",
        "BEGIN {2}",
        "table public.d: DELETE: id[integer]:2",
        "COMMIT {2}",
        "BEGIN {3}",
        "table public.d: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:10 v[text]:'A'",
        "COMMIT {3}",
        "BEGIN {4}",
        "table public.dnopk: INSERT: a[integer]:1 b[text]:'x'",
        "COMMIT {4}",
        "BEGIN {5}",
        "table public.d: TRUNCATE: (no-flags)",
        "COMMIT {5}",
        "BEGIN {6}",
        "table public.d: INSERT: id[integer]:5 v[text]:'it''s'",
        "COMMIT {6}",
    ];
    let want: Vec<String> = want
        .iter()
        .map(|w| {
            (0..7).fold(w.to_string(), |s, i| {
                s.replace(&format!("{{{i}}}"), &(x0 + i).to_string())
            })
        })
        .collect();
    assert_eq!(data, want);
    // Each BEGIN is at the previous COMMIT's lsn (its commit record's end).
    for i in 1..rows.len() {
        if rows[i][2].starts_with("BEGIN") {
            assert_eq!(rows[i][0], rows[i - 1][0], "{peek}");
        }
    }
    let bare = output_of(&t, "primary=# SELECT data FROM pg_logical_slot_peek_changes('s', NULL, NULL, 'include-xids', '0', 'skip-empty-xacts', '1');");
    assert!(
        bare.contains("\n BEGIN\n") && bare.contains("\n COMMIT\n") && bare.contains("(22 rows)"),
        "{bare}"
    );
    let got = output_of(
        &t,
        "primary=# SELECT * FROM pg_logical_slot_get_changes('s', NULL, 3);",
    );
    assert!(got.ends_with("(4 rows)\n\n"), "{got}");
    assert_eq!(
        value_of(
            &t,
            "primary=# SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 's';"
        ),
        rows[3][0]
    );
    assert_eq!(
        value_of(
            &t,
            "primary=# SELECT count(*) FROM pg_logical_slot_get_changes('s', NULL, NULL);"
        ),
        "18"
    );
    assert_eq!(
        output_of(
            &t,
            "primary=# SELECT * FROM pg_logical_slot_get_changes('s', NULL, NULL);"
        ),
        " lsn | xid | data \n-----+-----+------\n(0 rows)\n\n"
    );
    for (cmd, want) in [
        ("primary=# SELECT * FROM pg_logical_slot_peek_changes('nosuch', NULL, NULL);", "ERROR:  replication slot \"nosuch\" does not exist\n"),
        ("primary=# SELECT * FROM pg_logical_slot_peek_changes('s', NULL, NULL, 'foo', 'bar');", "ERROR:  option \"foo\" = \"bar\" is unknown\nCONTEXT:  slot \"s\", output plugin \"test_decoding\", in the startup callback\n"),
        ("primary=# SELECT * FROM pg_logical_slot_peek_changes('s', NULL, NULL, 'include-xids');", "ERROR:  array must have even number of elements\n"),
        ("primary=# SELECT * FROM pg_logical_slot_peek_changes('p', NULL, NULL);", "ERROR:  client sent proto_version=0 but we only support protocol 1 or higher\nCONTEXT:  slot \"p\", output plugin \"pgoutput\", in the startup callback\n"),
    ] {
        assert_eq!(output_of(&t, cmd), want, "{cmd}");
    }
}

/// Real, PostgreSQL 15.18 (script `s5.sh`): the publisher stopped with `pg_ctl stop -m
/// fast` while the worker streamed: the subscriber logs `LOG:  data stream from
/// publisher has ended`, `ERROR:  could not send end-of-streaming message to primary:
/// server closed the connection unexpectedly` with libpq's two tab-indented lines and
/// `no COPY in progress`, the exit line, and the worker starts again 5.0 s after it
/// exited (its last start was 2 s before: the launcher then sleeps a whole
/// wal_retrieve_retry_interval); once the publisher is back, rows flow again.
#[test]
fn the_worker_reconnects_after_the_publisher_restarts() {
    let t = run(&format!(
        "{PUBSUB}{}lab$ wait 2s
primary$ pg_ctl restart
primary=# INSERT INTO t VALUES (7, 'back');
lab$ wait 6s
sub=# SELECT * FROM t WHERE id = 7;
sub$ cat /var/lib/pgsql/data/log/postgresql.log
",
        create_sub("")
    ));
    assert!(
        output_of(&t, "sub=# SELECT * FROM t WHERE id = 7;").contains("  7 | back\n"),
        "{t}"
    );
    let log = log_lines(&t, "sub$ cat /var/lib/pgsql/data/log/postgresql.log");
    let at = log
        .iter()
        .position(|(_, _, l)| l == "LOG:  data stream from publisher has ended")
        .expect("the stream's end is logged");
    assert_eq!(
        log[at + 1].2,
        "ERROR:  could not send end-of-streaming message to primary: server closed the connection unexpectedly"
    );
    let text = output_of(&t, "sub$ cat /var/lib/pgsql/data/log/postgresql.log");
    assert!(text.contains("could not send end-of-streaming message to primary: server closed the connection unexpectedly\n\t\tThis probably means the server terminated abnormally\n\t\tbefore or while processing the request.\n\tno COPY in progress\n"), "{text}");
    let exit = log[at + 2].0;
    assert!(log[at + 2].2.ends_with("exited with exit code 1"));
    assert_eq!(
        log[at + 3].2,
        "LOG:  logical replication apply worker for subscription \"mysub\" has started"
    );
    assert!(
        (log[at + 3].0 - exit - 5.0).abs() < 0.01,
        "{:?}",
        &log[at..]
    );
}

/// Real, PostgreSQL 15.18 (pg-facts-logical.md, "Changes and DDL"): a table added with
/// `ALTER PUBLICATION mypub ADD TABLE only_pub` that the subscriber lacks makes every
/// apply attempt fail with `ERROR:  logical replication target relation
/// "public.only_pub" does not exist` / `CONTEXT:  processing remote data for replication
/// origin "pg_16393" during message type "INSERT" in transaction 765, finished at
/// 0/15A89D8` (no target relation part); `ALTER SUBSCRIPTION mysub REFRESH PUBLICATION`
/// then says `ERROR:  relation "public.only_pub" does not exist`; after CREATE TABLE on
/// the subscriber and REFRESH the row arrives through the copy. REFRESH of a disabled
/// subscription: `ERROR:  ALTER SUBSCRIPTION ... REFRESH is not allowed for disabled
/// subscriptions` (script `s4.sh`).
#[test]
fn a_table_missing_on_the_subscriber_stops_apply_until_it_is_created() {
    let t = run(&format!(
        "{PUBSUB}{}lab$ wait 2s
primary=# CREATE TABLE only_pub (id int primary key);
primary=# ALTER PUBLICATION mypub ADD TABLE only_pub;
primary=# INSERT INTO only_pub VALUES (1);
primary=# SELECT pg_current_wal_lsn();
lab$ wait 3s
sub=# ALTER SUBSCRIPTION mysub REFRESH PUBLICATION;
sub=# CREATE TABLE only_pub (id int primary key);
sub=# ALTER SUBSCRIPTION mysub REFRESH PUBLICATION AS again;
lab$ wait 6s
sub=# SELECT * FROM only_pub;
sub=# SELECT srsubstate FROM pg_subscription_rel ORDER BY srrelid;
sub=# ALTER SUBSCRIPTION mysub DISABLE;
sub=# ALTER SUBSCRIPTION mysub REFRESH PUBLICATION AS disabled;
sub$ cat /var/lib/pgsql/data/log/postgresql.log
",
        create_sub("")
    )
    .replace(" AS again;", " ;")
    .replace(" AS disabled;", "  ;"));
    assert_eq!(
        output_of(&t, "sub=# ALTER SUBSCRIPTION mysub REFRESH PUBLICATION;"),
        "ERROR:  relation \"public.only_pub\" does not exist\n"
    );
    assert_eq!(
        output_of(&t, "sub=# ALTER SUBSCRIPTION mysub REFRESH PUBLICATION ;"),
        "ALTER SUBSCRIPTION\n"
    );
    assert_eq!(
        output_of(&t, "sub=# ALTER SUBSCRIPTION mysub REFRESH PUBLICATION  ;"),
        "ERROR:  ALTER SUBSCRIPTION ... REFRESH is not allowed for disabled subscriptions\n"
    );
    assert_eq!(
        output_of(&t, "sub=# SELECT * FROM only_pub;"),
        " id \n----\n  1\n(1 row)\n\n"
    );
    assert_eq!(
        output_of(
            &t,
            "sub=# SELECT srsubstate FROM pg_subscription_rel ORDER BY srrelid;"
        ),
        " srsubstate \n------------\n r\n r\n(2 rows)\n\n"
    );
    let end = lsn(&value_of(&t, "primary=# SELECT pg_current_wal_lsn();"));
    let finished = walscope::sim::Lsn(end - 48).to_string();
    let log = log_lines(&t, "sub$ cat /var/lib/pgsql/data/log/postgresql.log");
    let at = log
        .iter()
        .position(|(_, _, l)| l.contains("only_pub"))
        .expect("the missing table is logged");
    assert_eq!(
        log[at].2,
        "ERROR:  logical replication target relation \"public.only_pub\" does not exist"
    );
    assert_eq!(
        log[at + 1].2,
        format!("CONTEXT:  processing remote data for replication origin \"pg_16391\" during message type \"INSERT\" in transaction 731, finished at {finished}")
    );
    assert!(log[at + 2].2.ends_with("exited with exit code 1"));
}

/// Real, PostgreSQL 15.18, on the subscriber (wal_level = replica), with
/// `pg_current_wal_insert_lsn()` before and after each command and no checkpoint
/// between (script `s6.sh`, run twice with the same figures): `CREATE SUBSCRIPTION m6
/// ... WITH (enabled = false)` for one table 1224 bytes, `ALTER SUBSCRIPTION m6
/// DISABLE` 352, `DROP SUBSCRIPTION m6` 656.
#[test]
fn subscription_commands_write_what_postgresql_writes() {
    let t = run(&format!(
        "{PUBSUB}sub=# SELECT pg_current_wal_insert_lsn() AS a;
{}sub=# SELECT pg_current_wal_insert_lsn() AS b;
sub=# ALTER SUBSCRIPTION mysub DISABLE;
sub=# SELECT pg_current_wal_insert_lsn() AS c;
sub=# DROP SUBSCRIPTION mysub;
sub=# SELECT pg_current_wal_insert_lsn() AS d;
",
        create_sub(" WITH (enabled = false)")
    ));
    let at = |n: &str| {
        lsn(&value_of(
            &t,
            &format!("sub=# SELECT pg_current_wal_insert_lsn() AS {n};"),
        ))
    };
    // A record that crosses into a new 8 kB WAL page also writes its 24-byte header, as
    // on the real server (whose positions differ from the lab's).
    let got = [at("b") - at("a"), at("c") - at("b"), at("d") - at("c")];
    for (g, want) in got.iter().zip([1224, 352, 656]) {
        assert!(*g == want || *g == want + 24, "{got:?}");
    }
}

/// Real, PostgreSQL 15.18 (pg-facts-logical.md, "Physical standby + logical subscriber
/// on one primary"): pg_stat_replication lists ` mysub | streaming | async | 0` and
/// ` walreceiver | streaming | async | 0` (backend_xmin NULL for both),
/// pg_replication_slots only `mysub | logical | pgoutput | postgres | t`;
/// `synchronous_standby_names = 'mysub'` makes the subscription ` mysub | streaming |
/// sync | 1` and commits succeed; the row reaches both; the subscriber takes writes the
/// standby refuses.
#[test]
fn a_standby_and_a_subscriber_on_one_primary() {
    let mut script = walscope::examples::EXAMPLES[1].1.to_string();
    script.push_str(&format!(
        "primary=# ALTER SYSTEM SET wal_level = logical;
primary=# CREATE ROLE repuser WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host all repuser 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
primary=# CREATE TABLE t (id int primary key, v text);
primary=# CREATE PUBLICATION mypub FOR TABLE t;
lab$ node add sub
sub$ initdb -D /var/lib/pgsql/data
sub$ pg_ctl start
sub=# CREATE TABLE t (id int primary key, v text);
{}lab$ wait 8s
primary=# SELECT application_name, state, sync_state, sync_priority, backend_xmin FROM pg_stat_replication ORDER BY application_name;
primary=# SELECT slot_name, slot_type, plugin, database, active FROM pg_replication_slots;
primary=# ALTER SYSTEM SET synchronous_standby_names = 'mysub';
primary=# SELECT pg_reload_conf();
lab$ wait 1s
primary=# SELECT application_name, sync_state, sync_priority FROM pg_stat_replication ORDER BY application_name;
primary=# INSERT INTO t VALUES (1, 'both');
lab$ wait 1s
sub=# TABLE t;
standby1=# TABLE t;
sub=# INSERT INTO t VALUES (2, 'sub only');
standby1=# INSERT INTO t VALUES (3, 'no');
",
        create_sub("")
    ));
    let t = run(&script);
    assert!(output_of(&t, "primary=# SELECT application_name, state, sync_state, sync_priority, backend_xmin FROM pg_stat_replication ORDER BY application_name;").contains(" mysub            | streaming | async      |             0 | \n walreceiver      | streaming | async      |             0 | \n(2 rows)"), "{t}");
    assert!(output_of(&t, "primary=# SELECT slot_name, slot_type, plugin, database, active FROM pg_replication_slots;").contains(" mysub     | logical   | pgoutput | postgres | t\n(1 row)"), "{t}");
    assert!(output_of(&t, "primary=# SELECT application_name, sync_state, sync_priority FROM pg_stat_replication ORDER BY application_name;").contains(" mysub            | sync       |             1\n"), "{t}");
    assert_eq!(
        output_of(&t, "primary=# INSERT INTO t VALUES (1, 'both');"),
        "INSERT 0 1\n"
    );
    assert!(output_of(&t, "sub=# TABLE t;").contains("  1 | both\n"));
    assert!(output_of(&t, "standby1=# TABLE t;").contains("  1 | both\n"));
    assert_eq!(
        output_of(&t, "sub=# INSERT INTO t VALUES (2, 'sub only');"),
        "INSERT 0 1\n"
    );
    assert_eq!(
        output_of(&t, "standby1=# INSERT INTO t VALUES (3, 'no');"),
        "ERROR:  cannot execute INSERT in a read-only transaction\n"
    );
}

/// Real, PostgreSQL 15.18 (pg-facts-logical.md): CREATE SUBSCRIPTION against a publisher
/// with wal_level = replica → `ERROR:  could not create replication slot "mysub":
/// ERROR:  logical decoding requires wal_level >= logical`, the publisher logging the
/// ERROR with `STATEMENT:  CREATE_REPLICATION_SLOT "mysub" LOGICAL pgoutput (SNAPSHOT
/// 'nothing')`; nothing is left on either side.
#[test]
fn a_subscription_needs_wal_level_logical_on_the_publisher() {
    let script = PUBSUB.replace("primary=# ALTER SYSTEM SET wal_level = logical;\n", "");
    let t = run(&format!(
        "{script}{}sub=# SELECT count(*) FROM pg_subscription;
primary=# SELECT count(*) FROM pg_replication_slots;
primary$ tail -2 /var/lib/pgsql/data/log/postgresql.log
",
        create_sub("")
    ));
    assert_eq!(
        output_of(&t, create_sub("").trim_end()),
        "ERROR:  could not create replication slot \"mysub\": ERROR:  logical decoding requires wal_level >= logical\n"
    );
    assert_eq!(
        value_of(&t, "sub=# SELECT count(*) FROM pg_subscription;"),
        "0"
    );
    assert_eq!(
        value_of(&t, "primary=# SELECT count(*) FROM pg_replication_slots;"),
        "0"
    );
    let log: Vec<String> = log_lines(
        &t,
        "primary$ tail -2 /var/lib/pgsql/data/log/postgresql.log",
    )
    .into_iter()
    .map(|(_, _, l)| l)
    .collect();
    assert_eq!(
        log,
        [
            "ERROR:  logical decoding requires wal_level >= logical",
            "STATEMENT:  CREATE_REPLICATION_SLOT \"mysub\" LOGICAL pgoutput (SNAPSHOT 'nothing')"
        ]
    );
}

/// Real, PostgreSQL 15.18 (subscriber on :55433, each line one `psql -c`): `CREATE
/// SUBSCRIPTION m9 ... PUBLICATION nopub, nopub2` → `WARNING:  publications "nopub",
/// "nopub2" do not exist on the publisher` before the NOTICE; on a disabled subscription
/// `ALTER SUBSCRIPTION m8 SET PUBLICATION mypub` → `ERROR:  ALTER SUBSCRIPTION with
/// refresh is not allowed for disabled subscriptions` / `HINT:  Use ALTER SUBSCRIPTION
/// ... SET PUBLICATION ... WITH (refresh = false).`; enabled, `SET PUBLICATION nopub` →
/// `WARNING:  publication "nopub" does not exist on the publisher` + `ALTER
/// SUBSCRIPTION`.
#[test]
fn publications_the_publisher_lacks_are_warned_about() {
    let t = run(&format!(
        "{PUBSUB}sub=# CREATE SUBSCRIPTION m9 CONNECTION '{CONN}' PUBLICATION nopub, nopub2;
sub=# DROP SUBSCRIPTION m9;
{}sub=# ALTER SUBSCRIPTION mysub SET PUBLICATION mypub;
sub=# ALTER SUBSCRIPTION mysub ENABLE;
sub=# ALTER SUBSCRIPTION mysub SET PUBLICATION nopub;
",
        create_sub(" WITH (enabled = false)")
    ));
    assert_eq!(
        output_of(&t, &format!("sub=# CREATE SUBSCRIPTION m9 CONNECTION '{CONN}' PUBLICATION nopub, nopub2;")),
        "WARNING:  publications \"nopub\", \"nopub2\" do not exist on the publisher\nNOTICE:  created replication slot \"m9\" on publisher\nCREATE SUBSCRIPTION\n"
    );
    assert_eq!(
        output_of(&t, "sub=# ALTER SUBSCRIPTION mysub SET PUBLICATION mypub;"),
        "ERROR:  ALTER SUBSCRIPTION with refresh is not allowed for disabled subscriptions\nHINT:  Use ALTER SUBSCRIPTION ... SET PUBLICATION ... WITH (refresh = false).\n"
    );
    assert_eq!(
        output_of(&t, "sub=# ALTER SUBSCRIPTION mysub SET PUBLICATION nopub;"),
        "WARNING:  publication \"nopub\" does not exist on the publisher\nALTER SUBSCRIPTION\n"
    );
}

/// The same logical replication script gives the same transcript, bit for bit (virtual
/// time, one seeded RNG): the conflict, its retries and the slot's positions included.
#[test]
fn logical_replication_is_deterministic() {
    let script = format!(
        "{PUBSUB}{}lab$ wait 2s
sub=# INSERT INTO t VALUES (100, 'local');
primary=# INSERT INTO t VALUES (100, 'remote');
lab$ latency primary sub 30ms
lab$ wait 11s
sub=# DELETE FROM t WHERE id = 100;
lab$ wait 6s
primary=# SELECT slot_name, restart_lsn, confirmed_flush_lsn FROM pg_replication_slots;
sub$ cat /var/lib/pgsql/data/log/postgresql.log
primary$ cat /var/lib/pgsql/data/log/postgresql.log
",
        create_sub("")
    );
    assert_eq!(run(&script), run(&script));
}

#[test]
fn psql_lists_publications_and_subscriptions_as_psql_15_does() {
    // Real psql 15.18 against PostgreSQL 15.18: CREATE PUBLICATION mypub FOR TABLE t;
    // CREATE PUBLICATION allpub FOR ALL TABLES WITH (publish = 'insert'); \dRp; \dRp+;
    // \dRp+ nosuch; and on a subscriber \dRs, \dRs+ (its Conninfo is the one given).
    let t = run(&format!(
        "{PUBSUB}primary=# CREATE PUBLICATION allpub FOR ALL TABLES WITH (publish = 'insert');
primary=# \\dRp
primary=# \\dRp+
primary=# \\dRp+ nosuch
{}sub=# \\dRs
sub=# \\dRs+
",
        create_sub("")
    ));
    assert_eq!(
        output_of(&t, "primary=# \\dRp"),
        "                                List of publications
  Name  |  Owner   | All tables | Inserts | Updates | Deletes | Truncates | Via root 
--------+----------+------------+---------+---------+---------+-----------+----------
 allpub | postgres | t          | t       | f       | f       | f         | f
 mypub  | postgres | f          | t       | t       | t       | t         | f
(2 rows)

"
    );
    assert_eq!(
        output_of(&t, "primary=# \\dRp+"),
        "                             Publication allpub
  Owner   | All tables | Inserts | Updates | Deletes | Truncates | Via root 
----------+------------+---------+---------+---------+-----------+----------
 postgres | t          | t       | f       | f       | f         | f
(1 row)

                             Publication mypub
  Owner   | All tables | Inserts | Updates | Deletes | Truncates | Via root 
----------+------------+---------+---------+---------+-----------+----------
 postgres | f          | t       | t       | t       | t         | f
Tables:
    \"public.t\"

"
    );
    assert_eq!(
        output_of(&t, "primary=# \\dRp+ nosuch"),
        "Did not find any publication named \"nosuch\".\n"
    );
    assert_eq!(
        output_of(&t, "sub=# \\dRs"),
        "          List of subscriptions
 Name  |  Owner   | Enabled | Publication 
-------+----------+---------+-------------
 mysub | postgres | t       | {mypub}
(1 row)

"
    );
    let plus = output_of(&t, "sub=# \\dRs+");
    assert!(
        plus.contains(" Name  |  Owner   | Enabled | Publication | Binary | Streaming | Two-phase commit | Disable on error | Synchronous commit |"),
        "{plus}"
    );
    assert!(
        plus.contains(" mysub | postgres | t       | {mypub}     | f      | f         | d                | f                | off                | host=primary dbname=postgres user=repuser password=secret | 0/0\n"),
        "{plus}"
    );
}

#[test]
fn an_applied_insert_is_checked_against_the_subscribers_own_key() {
    // The publisher's table has no key; the subscriber's has a PRIMARY KEY (another
    // index, as logical replication allows). PostgreSQL 15's apply worker inserts through
    // the executor, so the subscriber's index refuses a repeated id ("orders_pkey").
    let t = run(&format!(
        "{}primary=# CREATE TABLE orders (id int, item text);
primary=# CREATE PUBLICATION shop FOR TABLE orders;
sub=# CREATE TABLE orders (id int PRIMARY KEY, item text);
sub=# CREATE SUBSCRIPTION shop CONNECTION '{CONN}' PUBLICATION shop;
lab$ wait 2s
sub=# INSERT INTO orders VALUES (4, 'sub first');
primary=# INSERT INTO orders VALUES (4, 'desk');
lab$ wait 1s
sub=# SELECT * FROM orders;
sub$ grep -A1 ERROR log/postgresql.log
sub=# DELETE FROM orders WHERE id = 4;
lab$ wait 6s
sub=# TABLE orders;
",
        PUBSUB
    ));
    assert!(
        output_of(&t, "sub=# SELECT * FROM orders;").contains("  4 | sub first\n(1 row)"),
        "{t}"
    );
    let log = output_of(&t, "sub$ grep -A1 ERROR log/postgresql.log");
    assert!(
        log.contains("ERROR:  duplicate key value violates unique constraint \"orders_pkey\"\n")
            && log.contains("DETAIL:  Key (id)=(4) already exists.\n"),
        "{log}"
    );
    assert!(
        output_of(&t, "sub=# TABLE orders;").contains("  4 | desk\n(1 row)"),
        "{t}"
    );
}
