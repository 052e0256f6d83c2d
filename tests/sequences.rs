//! Sequences and serial columns (issue 18: "sequences are not replicated"): nextval
//! logs 32 values ahead, so a standby reads a sequence ahead of its primary, a crash
//! skips values, and a logical subscriber's sequence does not move at all. Each text
//! and figure was printed by PostgreSQL 15.18 (Debian's postgresql-15); the real
//! commands are named beside it.

#[path = "common/transcript.rs"]
mod transcript;
use transcript::*;

fn lsn(text: &str) -> u64 {
    let (hi, lo) = text.trim().split_once('/').expect("an LSN");
    (u64::from_str_radix(hi, 16).unwrap() << 32) | u64::from_str_radix(lo, 16).unwrap()
}

/// The one value of a one-column, one-row result.
fn value(out: &str) -> &str {
    out.lines().nth(2).unwrap_or("").trim()
}

/// Real: these lines in one `psql -X` session on PostgreSQL 15.18 printed these texts
/// (the `\d` tables included).
#[test]
fn sequences_say_what_postgresql_says() {
    let t = run("primary=# create sequence s1;
primary=# select nextval('s1');
primary=# select nextval('s1');
primary=# select * from s1;
primary=# select setval('s1', 100);
primary=# select * from s1;
primary=# select nextval('s1');
primary=# select * from s1;
primary=# select currval('s1'), lastval();
primary=# select nextval('nosuch');
primary=# create sequence s1;
primary=# create sequence if not exists s1;
primary=# drop sequence nosuch;
primary=# drop sequence if exists nosuch;
primary=# create sequence sm maxvalue 2;
primary=# select nextval('sm'), nextval('sm');
primary=# select nextval('sm');
primary=# select setval('s1', 0);
primary=# create sequence z increment 0;
primary=# create sequence z start 0;
primary=# create sequence z as integer maxvalue 3000000000;
primary=# create table sx (id serial, n int);
primary=# \\d sx
primary=# \\d sx_id_seq
primary=# \\d s1
primary=# insert into sx (n) values (1);
primary=# insert into sx values (default, 2);
primary=# select * from sx;
primary=# select * from sx_id_seq;
primary=# drop table sx;
primary=# select * from sx_id_seq;
");
    let out = |c: &str| output_of(&t, &format!("primary=# {c}")).to_string();
    assert_eq!(out("select * from s1;"), " last_value | log_cnt | is_called \n------------+---------+-----------\n          2 |      31 | t\n(1 row)\n\n");
    let after_setval = &t[t.find("select setval('s1', 100);").unwrap()..];
    assert_eq!(
        output_of(after_setval, "primary=# select * from s1;"),
        " last_value | log_cnt | is_called \n------------+---------+-----------\n        100 |       0 | t\n(1 row)\n\n"
    );
    assert_eq!(
        out("select currval('s1'), lastval();"),
        " currval | lastval \n---------+---------\n     101 |     101\n(1 row)\n\n"
    );
    assert_eq!(
        out("select nextval('nosuch');"),
        "ERROR:  relation \"nosuch\" does not exist\nLINE 1: select nextval('nosuch');\n                       ^\n"
    );
    assert_eq!(
        output_of(after_setval, "primary=# create sequence s1;"),
        "ERROR:  relation \"s1\" already exists\n"
    );
    assert_eq!(
        out("create sequence if not exists s1;"),
        "NOTICE:  relation \"s1\" already exists, skipping\nCREATE SEQUENCE\n"
    );
    assert_eq!(
        out("drop sequence nosuch;"),
        "ERROR:  sequence \"nosuch\" does not exist\n"
    );
    assert_eq!(
        out("drop sequence if exists nosuch;"),
        "NOTICE:  sequence \"nosuch\" does not exist, skipping\nDROP SEQUENCE\n"
    );
    assert_eq!(
        out("select nextval('sm'), nextval('sm');"),
        " nextval | nextval \n---------+---------\n       1 |       2\n(1 row)\n\n"
    );
    assert_eq!(
        out("select nextval('sm');"),
        "ERROR:  nextval: reached maximum value of sequence \"sm\" (2)\n"
    );
    assert_eq!(
        out("select setval('s1', 0);"),
        "ERROR:  setval: value 0 is out of bounds for sequence \"s1\" (1..9223372036854775807)\n"
    );
    assert_eq!(
        out("create sequence z increment 0;"),
        "ERROR:  INCREMENT must not be zero\n"
    );
    assert_eq!(
        out("create sequence z start 0;"),
        "ERROR:  START value (0) cannot be less than MINVALUE (1)\n"
    );
    assert_eq!(
        out("create sequence z as integer maxvalue 3000000000;"),
        "ERROR:  MAXVALUE (3000000000) is out of range for sequence data type integer\n"
    );
    assert_eq!(
        out("\\d sx"),
        "                            Table \"public.sx\"
 Column |  Type   | Collation | Nullable |            Default             
--------+---------+-----------+----------+--------------------------------
 id     | integer |           | not null | nextval('sx_id_seq'::regclass)
 n      | integer |           |          | 

"
    );
    assert_eq!(
        out("\\d sx_id_seq"),
        "                     Sequence \"public.sx_id_seq\"
  Type   | Start | Minimum |  Maximum   | Increment | Cycles? | Cache 
---------+-------+---------+------------+-----------+---------+-------
 integer |     1 |       1 | 2147483647 |         1 | no      |     1
Owned by: public.sx.id

"
    );
    assert_eq!(
        out("\\d s1"),
        "                             Sequence \"public.s1\"
  Type  | Start | Minimum |       Maximum       | Increment | Cycles? | Cache 
--------+-------+---------+---------------------+-----------+---------+-------
 bigint |     1 |       1 | 9223372036854775807 |         1 | no      |     1

"
    );
    assert_eq!(
        out("select * from sx;"),
        " id | n \n----+---\n  1 | 1\n  2 | 2\n(2 rows)\n\n"
    );
    assert_eq!(
        out("select * from sx_id_seq;"),
        " last_value | log_cnt | is_called \n------------+---------+-----------\n          2 |      31 | t\n(1 row)\n\n"
    );
    // DROP TABLE drops the serial column's sequence.
    let after_drop = &t[t.find("primary=# drop table sx;").unwrap()..];
    assert!(output_of(after_drop, "primary=# select * from sx_id_seq;")
        .starts_with("ERROR:  relation \"sx_id_seq\" does not exist"));
}

/// Real, PostgreSQL 15.18, `pg_current_wal_insert_lsn()` before and after each of
/// these as its own `psql -X -At -c` (wal_level = replica): `select nextval('s1')` 144
/// bytes, again 0, `select setval('s1', 100)` 144, `checkpoint` 176, then
/// `select nextval('s1')` 6,952 (the page's image) and again 0.
#[test]
fn nextval_writes_wal_every_32_values_and_after_a_checkpoint() {
    let mut script = String::from("primary=# CREATE SEQUENCE s1;\n");
    let steps = [
        "SELECT nextval('s1');",
        "SELECT nextval('s1') AS again;",
        "SELECT setval('s1', 100);",
        "CHECKPOINT;",
        "SELECT nextval('s1') AS after_checkpoint;",
        "SELECT nextval('s1') AS then;",
    ];
    for (i, s) in steps.iter().enumerate() {
        script.push_str(&format!(
            "primary=# SELECT pg_current_wal_insert_lsn() AS b{i};\nprimary=# {s}\nprimary=# SELECT pg_current_wal_insert_lsn() AS a{i};\n"
        ));
    }
    let t = run(&script);
    let bytes: Vec<u64> = (0..steps.len())
        .map(|i| {
            let b = value(output_of(
                &t,
                &format!("primary=# SELECT pg_current_wal_insert_lsn() AS b{i};"),
            ));
            let a = value(output_of(
                &t,
                &format!("primary=# SELECT pg_current_wal_insert_lsn() AS a{i};"),
            ));
            lsn(a) - lsn(b)
        })
        .collect();
    for (b, e) in bytes.iter().zip([144, 0, 144, 176, 6_952, 0]) {
        // A page header more or less, as the records fall across 8kB pages.
        assert!(b.abs_diff(e) <= 24, "{bytes:?}");
    }
}

/// A standby replays what nextval logged: 32 values ahead of the primary, and it
/// refuses nextval itself. Promoted, it goes on after the logged value. Real, PostgreSQL
/// 15.18: `select nextval('crashseq')` twice, `pg_ctl stop -m immediate`, `pg_ctl
/// start`: `select * from crashseq` printed `33|0|t` and the next nextval 34.
#[test]
fn a_standby_and_a_crash_see_the_logged_value() {
    let t = run(&format!(
        "{PRIMARY_FOR_STANDBY}\
{CLONE_STANDBY1}\
primary=# CREATE SEQUENCE crashseq;
primary=# SELECT nextval('crashseq');
primary=# SELECT nextval('crashseq') AS second;
lab$ wait 1s
primary=# SELECT * FROM crashseq;
standby1=# SELECT * FROM crashseq;
standby1=# SELECT nextval('crashseq');
primary$ pg_ctl stop -m immediate
primary$ pg_ctl start
primary=# SELECT * FROM crashseq AS after_crash;
primary=# SELECT nextval('crashseq') AS next;
"
    ));
    let row = |c: &str| output_of(&t, c).lines().nth(2).unwrap_or("").to_string();
    assert_eq!(
        row("primary=# SELECT * FROM crashseq;"),
        "          2 |      31 | t"
    );
    assert_eq!(
        row("standby1=# SELECT * FROM crashseq;"),
        "         33 |       0 | t"
    );
    assert_eq!(
        output_of(&t, "standby1=# SELECT nextval('crashseq');"),
        "ERROR:  cannot execute nextval() in a read-only transaction\n"
    );
    assert_eq!(
        row("primary=# SELECT * FROM crashseq AS after_crash;"),
        "         33 |       0 | t"
    );
    assert_eq!(
        row("primary=# SELECT nextval('crashseq') AS next;"),
        "   34"
    );
}

/// pg-facts-logical.md, "Changes and DDL" (real, PostgreSQL 15.18): rows with serial ids
/// arrive on the subscriber but its `s_id_seq` stays `1 | f`, so a local insert fails on
/// the key; a sequence cannot be added to a publication (`ADD TABLE s_id_seq` and `ADD
/// SEQUENCE s_id_seq` print what is asserted, checked again with `psql -X`).
#[test]
fn sequences_are_not_replicated_to_a_subscriber() {
    let t = run(&format!(
        "{PRIMARY_FOR_PUBLISHING}\
primary=# CREATE TABLE s (id serial primary key, v text);
primary=# INSERT INTO s (v) VALUES ('a'), ('b');
primary=# CREATE PUBLICATION mypub FOR TABLE s;
{SUBSCRIBER_HOST}\
sub=# CREATE TABLE s (id serial primary key, v text);
{SUBSCRIBE_MYPUB}\
lab$ wait 2s
primary=# INSERT INTO s (v) VALUES ('c');
lab$ wait 1s
primary=# SELECT last_value, is_called FROM s_id_seq;
sub=# SELECT last_value, is_called FROM s_id_seq;
sub=# SELECT * FROM s;
sub=# INSERT INTO s (v) VALUES ('local');
primary=# ALTER PUBLICATION mypub ADD TABLE s_id_seq;
primary=# ALTER PUBLICATION mypub ADD SEQUENCE s_id_seq;
"
    ));
    assert_eq!(
        output_of(&t, "primary=# SELECT last_value, is_called FROM s_id_seq;"),
        " last_value | is_called \n------------+-----------\n          3 | t\n(1 row)\n\n"
    );
    assert_eq!(
        output_of(&t, "sub=# SELECT last_value, is_called FROM s_id_seq;"),
        " last_value | is_called \n------------+-----------\n          1 | f\n(1 row)\n\n"
    );
    assert_eq!(
        output_of(&t, "sub=# SELECT * FROM s;"),
        " id | v \n----+---\n  1 | a\n  2 | b\n  3 | c\n(3 rows)\n\n"
    );
    assert_eq!(
        output_of(&t, "sub=# INSERT INTO s (v) VALUES ('local');"),
        "ERROR:  duplicate key value violates unique constraint \"s_pkey\"\nDETAIL:  Key (id)=(1) already exists.\n"
    );
    assert_eq!(
        output_of(&t, "primary=# ALTER PUBLICATION mypub ADD TABLE s_id_seq;"),
        "ERROR:  cannot add relation \"s_id_seq\" to publication\nDETAIL:  This operation is not supported for sequences.\n"
    );
    assert_eq!(
        output_of(&t, "primary=# ALTER PUBLICATION mypub ADD SEQUENCE s_id_seq;"),
        "ERROR:  invalid publication object list
LINE 1: ALTER PUBLICATION mypub ADD SEQUENCE s_id_seq;
                                    ^
DETAIL:  One of TABLE or TABLES IN SCHEMA must be specified before a standalone table or schema name.
"
    );
}
