//! ALTER TABLE ... ADD COLUMN and DROP COLUMN, column defaults, and what DDL does to
//! replication: a standby replays it, a logical subscriber does not receive it (issue
//! 18: "DDL is not replicated"). Each text was printed by PostgreSQL 15.18 (Debian's
//! postgresql-15); the real commands are named beside it.

#[path = "common/transcript.rs"]
mod transcript;
use transcript::*;

/// Real: one `psql -X -p 5441` session on a fresh `initdb -A trust` server, fed these
/// lines; it printed exactly what is asserted (the `\d` tables included).
#[test]
fn alter_table_says_what_postgresql_says_and_defaults_fill_rows() {
    let lines = [
        "create table w (id int primary key, v text);",
        "insert into w values (1,'a');",
        "alter table nosuch add column c int;",
        "alter table if exists nosuch add column c int;",
        "alter table w add column v int;",
        "alter table w add column if not exists v int;",
        "alter table w drop column nosuch;",
        "alter table w drop column if exists nosuch;",
        "alter table w add column n int not null;",
        "alter table w add column d int default 3;",
        "alter table w add column e int;",
        "alter table w add column x int default id;",
        "alter table w add column z int default 1 default 2;",
        "alter table w add column b bool default 'maybe';",
        "alter table w add column c int default 'abc';",
        "alter table w add c2 int;",
        "alter table w drop c2;",
        "alter table w drop column id;",
        "\\d w",
        "insert into w (v) values ('b');",
        "alter table w add column k text default 'x' || 'y';",
        "select v, d, k from w;",
        "create table dd (a int default -1, b bigint default 5, c text default 'x', d boolean default true, e varchar(10) default 'v', f int default null, h text default 'it''s');",
        "\\d dd",
    ];
    let script: String = lines.iter().map(|l| format!("primary=# {l}\n")).collect();
    let t = run(&script);
    let out = |l: &str| output_of(&t, &format!("primary=# {l}")).to_string();
    assert_eq!(
        out(lines[2]),
        "ERROR:  relation \"nosuch\" does not exist\n"
    );
    assert_eq!(
        out(lines[3]),
        "NOTICE:  relation \"nosuch\" does not exist, skipping\nALTER TABLE\n"
    );
    assert_eq!(
        out(lines[4]),
        "ERROR:  column \"v\" of relation \"w\" already exists\n"
    );
    assert_eq!(
        out(lines[5]),
        "NOTICE:  column \"v\" of relation \"w\" already exists, skipping\nALTER TABLE\n"
    );
    assert_eq!(
        out(lines[6]),
        "ERROR:  column \"nosuch\" of relation \"w\" does not exist\n"
    );
    assert_eq!(
        out(lines[7]),
        "NOTICE:  column \"nosuch\" of relation \"w\" does not exist, skipping\nALTER TABLE\n"
    );
    assert_eq!(
        out(lines[8]),
        "ERROR:  column \"n\" of relation \"w\" contains null values\n"
    );
    assert_eq!(out(lines[9]), "ALTER TABLE\n");
    assert_eq!(
        out(lines[11]),
        "ERROR:  cannot use column reference in DEFAULT expression\n"
    );
    assert_eq!(
        out(lines[12]),
        "ERROR:  multiple default values specified for column \"z\" of table \"w\"
LINE 1: alter table w add column z int default 1 default 2;
                                                 ^
"
    );
    assert_eq!(
        out(lines[13]),
        "ERROR:  invalid input syntax for type boolean: \"maybe\"\n"
    );
    assert_eq!(
        out(lines[14]),
        "ERROR:  invalid input syntax for type integer: \"abc\"\n"
    );
    assert_eq!(out(lines[17]), "ALTER TABLE\n");
    assert_eq!(
        out(lines[18]),
        "                 Table \"public.w\"
 Column |  Type   | Collation | Nullable | Default 
--------+---------+-----------+----------+---------
 v      | text    |           |          | 
 d      | integer |           |          | 3
 e      | integer |           |          | 

"
    );
    // Rows already there read the default; a row inserted later gets it too.
    assert_eq!(
        out(lines[21]),
        " v | d | k  
---+---+----
 a | 3 | xy
 b | 3 | xy
(2 rows)

"
    );
    assert_eq!(
        out(lines[23]),
        "                               Table \"public.dd\"
 Column |         Type          | Collation | Nullable |        Default         
--------+-----------------------+-----------+----------+------------------------
 a      | integer               |           |          | '-1'::integer
 b      | bigint                |           |          | 5
 c      | text                  |           |          | 'x'::text
 d      | boolean               |           |          | true
 e      | character varying(10) |           |          | 'v'::character varying
 f      | integer               |           |          | 
 h      | text                  |           |          | 'it''s'::text

"
    );
}

/// A standby replays ALTER TABLE like any other WAL, and refuses it itself.
#[test]
fn a_column_added_on_the_primary_reaches_the_standby() {
    let t = run(&format!(
        "{PRIMARY_FOR_STANDBY}\
primary=# CREATE TABLE t (id int primary key);
primary=# INSERT INTO t VALUES (1);
{CLONE_STANDBY1}\
primary=# ALTER TABLE t ADD COLUMN c int DEFAULT 7;
primary=# INSERT INTO t VALUES (2, 8);
lab$ wait 1s
standby1=# SELECT * FROM t;
standby1=# ALTER TABLE t DROP COLUMN c;
"
    ));
    assert_eq!(
        output_of(&t, "standby1=# SELECT * FROM t;"),
        " id | c \n----+---\n  1 | 7\n  2 | 8\n(2 rows)\n\n"
    );
    assert_eq!(
        output_of(&t, "standby1=# ALTER TABLE t DROP COLUMN c;"),
        "ERROR:  cannot execute ALTER TABLE in a read-only transaction\n"
    );
}

/// Real, PostgreSQL 15.18 (pg-facts-logical.md, "Changes and DDL"): `ALTER TABLE t ADD
/// COLUMN c int` on the publisher only, then an INSERT that uses it: the subscriber
/// logs, every 5.0 s, `ERROR:  logical replication target relation "public.t" is
/// missing replicated column: "c"`, its CONTEXT and the worker's exit, and
/// apply_error_count counts each; after `ALTER TABLE t ADD COLUMN c int` on the
/// subscriber the row arrives.
#[test]
fn ddl_does_not_reach_a_subscriber_and_stops_its_apply_until_the_column_is_added() {
    let t = run(&format!(
        "{PRIMARY_FOR_PUBLISHING}\
primary=# CREATE TABLE t (id int primary key, v text);
primary=# INSERT INTO t VALUES (1, 'a');
primary=# CREATE PUBLICATION mypub FOR TABLE t;
{SUBSCRIBER_HOST}\
sub=# CREATE TABLE t (id int primary key, v text);
{SUBSCRIBE_MYPUB}\
lab$ wait 2s
primary=# ALTER TABLE t ADD COLUMN c int;
primary=# INSERT INTO t VALUES (2, 'b', 20);
lab$ wait 12s
sub=# SELECT apply_error_count FROM pg_stat_subscription_stats;
sub=# SELECT * FROM t ORDER BY id;
sub$ grep -c 'missing replicated column' /var/lib/pgsql/data/log/postgresql.log
sub$ grep -A2 'missing replicated column' /var/lib/pgsql/data/log/postgresql.log
sub=# ALTER TABLE t ADD COLUMN c int;
lab$ wait 6s
sub=# SELECT * FROM t ORDER BY id;
sub=# INSERT INTO t VALUES (10, 'local', 0);
"
    ));
    assert_eq!(
        output_of(
            &t,
            "sub=# SELECT apply_error_count FROM pg_stat_subscription_stats;"
        ),
        " apply_error_count \n-------------------\n                 3\n(1 row)\n\n"
    );
    assert_eq!(
        output_of(&t, "sub=# SELECT * FROM t ORDER BY id;"),
        " id | v \n----+---\n  1 | a\n(1 row)\n\n"
    );
    assert_eq!(
        output_of(
            &t,
            "sub$ grep -c 'missing replicated column' /var/lib/pgsql/data/log/postgresql.log"
        ),
        "3\n"
    );
    let log = output_of(
        &t,
        "sub$ grep -A2 'missing replicated column' /var/lib/pgsql/data/log/postgresql.log",
    );
    let first: Vec<&str> = log
        .lines()
        .take(3)
        .map(|l| l.split_once("] ").map_or(l, |(_, rest)| rest))
        .collect();
    assert_eq!(
        first[0],
        "ERROR:  logical replication target relation \"public.t\" is missing replicated column: \"c\""
    );
    assert!(
        first[1].starts_with("CONTEXT:  processing remote data for replication origin \"pg_")
            && first[1].contains("during message type \"INSERT\" in transaction"),
        "{log}"
    );
    assert!(first[2].starts_with("LOG:  background worker \"logical replication worker\" (PID "));
    let t2 = &t[t.find("sub=# ALTER TABLE t ADD COLUMN c int;").unwrap()..];
    assert_eq!(
        output_of(t2, "sub=# SELECT * FROM t ORDER BY id;"),
        " id | v | c  \n----+---+----\n  1 | a |   \n  2 | b | 20\n(2 rows)\n\n"
    );
    // The subscriber stays writable.
    assert_eq!(
        output_of(t2, "sub=# INSERT INTO t VALUES (10, 'local', 0);"),
        "INSERT 0 1\n"
    );
}

/// test_decoding reads a row written after ADD COLUMN with the new column, and the
/// ALTER TABLE's own transaction as an empty BEGIN/COMMIT pair. Real: a fresh
/// `initdb -A trust` started with `-c wal_level=logical`, these lines in one `psql -X`
/// session, printed exactly this with transaction ids 725 to 727 (initdb leaves NextXID
/// 724, and CREATE TABLE takes it).
#[test]
fn test_decoding_shows_ddl_as_an_empty_transaction_and_rows_with_their_columns() {
    let t = run("lab$ node add db2
db2$ initdb -D /var/lib/pgsql/data
db2$ echo 'wal_level = logical' >> /var/lib/pgsql/data/postgresql.conf
db2$ pg_ctl start
db2=# CREATE TABLE d (id int primary key);
db2=# SELECT 'init' FROM pg_create_logical_replication_slot('s', 'test_decoding');
db2=# INSERT INTO d VALUES (1);
db2=# ALTER TABLE d ADD COLUMN v text DEFAULT 'x';
db2=# INSERT INTO d VALUES (2, 'y');
db2=# SELECT data FROM pg_logical_slot_get_changes('s', NULL, NULL);
");
    assert_eq!(
        output_of(
            &t,
            "db2=# SELECT data FROM pg_logical_slot_get_changes('s', NULL, NULL);"
        ),
        "                       data                        
---------------------------------------------------
 BEGIN 725
 table public.d: INSERT: id[integer]:1
 COMMIT 725
 BEGIN 726
 COMMIT 726
 BEGIN 727
 table public.d: INSERT: id[integer]:2 v[text]:'y'
 COMMIT 727
(8 rows)

"
    );
}
