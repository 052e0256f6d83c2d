//! PRIMARY KEY is enforced as its unique btree index `TABLE_pkey` enforces it, with
//! PostgreSQL 15.18's messages, and the index's WAL is counted.
//!
//! Recorded on a real server (PostgreSQL 15.18, `psql -f` with the same statements; the
//! WAL bytes from `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), :'before')`
//! around each statement after `SELECT pg_current_wal_insert_lsn() AS before \gset`):
//! a duplicate fails the whole statement (`INSERT INTO a VALUES (5, 'q'), (1, 'dup')`
//! adds neither row), `UPDATE a SET id = id + 1 WHERE id IN (3, 4)` fails on
//! `Key (id)=(4)`, and a two-column key prints `Key (a, b)=(1, x)`. WAL: a one-row INSERT
//! into a table with an int or 3-character text key writes 168 bytes (104 without a
//! key), a 16-character text key 200, three int-keyed rows 424; an UPDATE of a non-key
//! column 112 (HOT), of the key 176.

use walscope::script::run_script;

fn run(script: &str) -> String {
    run_script(script).unwrap()
}

/// The WAL bytes `stmt` writes, from pg_current_wal_insert_lsn() before and after.
fn wal_bytes(setup: &str, stmt: &str) -> i64 {
    let lsn = |text: &str, nth: usize| -> u64 {
        let line = text
            .lines()
            .filter(|l| l.trim_start().starts_with("0/"))
            .nth(nth)
            .unwrap()
            .trim();
        let (hi, lo) = line.split_once('/').unwrap();
        (u64::from_str_radix(hi, 16).unwrap() << 32) | u64::from_str_radix(lo, 16).unwrap()
    };
    let t = run(&format!(
        "{setup}primary=# SELECT pg_current_wal_insert_lsn();\nprimary=# {stmt}\nprimary=# SELECT pg_current_wal_insert_lsn();\n"
    ));
    (lsn(&t, 1) - lsn(&t, 0)) as i64
}

const TABLES: &str = "primary=# CREATE TABLE a (id int PRIMARY KEY, v text);
primary=# CREATE TABLE b (k text PRIMARY KEY, v int);
primary=# CREATE TABLE c (id int, v text);
primary=# INSERT INTO a VALUES (0,'x'); INSERT INTO b VALUES ('a0', 1); INSERT INTO c VALUES (0, 'x');
primary=# INSERT INTO a VALUES (1, 'a'), (2, 'a'), (3, 'b'), (4, 'c');
";

#[test]
fn a_duplicate_key_fails_the_whole_statement() {
    let t = run(&format!(
        "{TABLES}primary=# INSERT INTO a VALUES (1, 'dup');
primary=# INSERT INTO a VALUES (5, 'q'), (1, 'dup');
primary=# INSERT INTO a VALUES (6, 'x'), (6, 'y');
primary=# UPDATE a SET id = id + 1 WHERE id IN (3, 4);
primary=# UPDATE a SET id = 20 WHERE id = 2;
primary=# SELECT * FROM a ORDER BY id;
primary=# CREATE TABLE w (a int, b text, PRIMARY KEY (a, b));
primary=# INSERT INTO w VALUES (1, 'x'), (1, 'x');
"
    ));
    let dup = |k: &str| {
        format!("ERROR:  duplicate key value violates unique constraint \"a_pkey\"\nDETAIL:  Key (id)=({k}) already exists.\n")
    };
    assert!(
        t.contains(&format!(
            "primary=# INSERT INTO a VALUES (1, 'dup');\n{}",
            dup("1")
        )),
        "{t}"
    );
    assert!(
        t.contains(&format!(
            "primary=# INSERT INTO a VALUES (5, 'q'), (1, 'dup');\n{}",
            dup("1")
        )),
        "{t}"
    );
    assert!(
        t.contains(&format!(
            "primary=# INSERT INTO a VALUES (6, 'x'), (6, 'y');\n{}",
            dup("6")
        )),
        "{t}"
    );
    assert!(
        t.contains(&format!(
            "primary=# UPDATE a SET id = id + 1 WHERE id IN (3, 4);\n{}",
            dup("4")
        )),
        "{t}"
    );
    assert!(
        t.contains("primary=# UPDATE a SET id = 20 WHERE id = 2;\nUPDATE 1\n"),
        "{t}"
    );
    assert!(
        t.contains(" id | v \n----+---\n  0 | x\n  1 | a\n  3 | b\n  4 | c\n 20 | a\n(5 rows)\n"),
        "{t}"
    );
    assert!(t.contains("ERROR:  duplicate key value violates unique constraint \"w_pkey\"\nDETAIL:  Key (a, b)=(1, x) already exists.\n"), "{t}");
}

#[test]
fn a_duplicate_on_a_standby_is_not_there_and_rows_replicate_once() {
    // The key is checked on the primary; the standby sees the rows it committed.
    let t = run(&format!(
        "{}{TABLES}primary=# INSERT INTO a VALUES (1, 'dup');
lab$ wait 1s
standby1=# SELECT count(*) FROM a;
",
        walscope::examples::EXAMPLES[1].1
    ));
    assert!(
        t.contains("standby1=# SELECT count(*) FROM a;\n count \n-------\n     5\n(1 row)\n"),
        "{t}"
    );
}

#[test]
fn the_key_index_writes_its_wal() {
    assert_eq!(wal_bytes(TABLES, "INSERT INTO a VALUES (10, 'a');"), 168);
    assert_eq!(wal_bytes(TABLES, "INSERT INTO c VALUES (10, 'a');"), 104);
    assert_eq!(wal_bytes(TABLES, "INSERT INTO b VALUES ('abc', 1);"), 168);
    assert_eq!(
        wal_bytes(TABLES, "INSERT INTO b VALUES ('abcdefghijklmnop', 1);"),
        200
    );
    assert_eq!(
        wal_bytes(TABLES, "INSERT INTO c VALUES (2, 'a'), (3, 'b'), (4, 'c');"),
        232
    );
    assert_eq!(wal_bytes(TABLES, "UPDATE a SET v = 'y' WHERE id = 2;"), 112);
    assert_eq!(wal_bytes(TABLES, "UPDATE a SET id = 20 WHERE id = 2;"), 176);
}

#[test]
fn three_keyed_rows_write_424_bytes() {
    // Away from a WAL page boundary (each 8 kB page starts with a 24-byte header).
    let at = |setup: &str| {
        wal_bytes(
            setup,
            "INSERT INTO a VALUES (12, 'a'), (13, 'b'), (14, 'c');",
        )
    };
    assert_eq!(at(TABLES), 424);
}

#[test]
fn unique_constraints_are_enforced_with_null_keys_distinct() {
    // Real server: CREATE TABLE u (id int, name text UNIQUE, CONSTRAINT u_pk PRIMARY KEY (id))
    // then the same INSERTs; `\d u` lists "u_name_key" UNIQUE CONSTRAINT, btree (name).
    let t = run(
        "primary=# CREATE TABLE u (id int, name text UNIQUE, PRIMARY KEY (id));
primary=# INSERT INTO u VALUES (1, 'a');
primary=# INSERT INTO u VALUES (2, 'a');
primary=# INSERT INTO u VALUES (1, 'b');
primary=# INSERT INTO u VALUES (3, NULL), (4, NULL);
primary=# \\d u
primary=# CREATE TABLE v (a int, b int, UNIQUE (b));
primary=# INSERT INTO v VALUES (1, 1), (2, 1);
",
    );
    assert!(t.contains("primary=# INSERT INTO u VALUES (2, 'a');\nERROR:  duplicate key value violates unique constraint \"u_name_key\"\nDETAIL:  Key (name)=(a) already exists.\n"), "{t}");
    assert!(t.contains("primary=# INSERT INTO u VALUES (1, 'b');\nERROR:  duplicate key value violates unique constraint \"u_pkey\"\nDETAIL:  Key (id)=(1) already exists.\n"), "{t}");
    assert!(
        t.contains("primary=# INSERT INTO u VALUES (3, NULL), (4, NULL);\nINSERT 0 2\n"),
        "{t}"
    );
    assert!(t.contains("Indexes:\n    \"u_pkey\" PRIMARY KEY, btree (id)\n    \"u_name_key\" UNIQUE CONSTRAINT, btree (name)\n"), "{t}");
    assert!(t.contains("ERROR:  duplicate key value violates unique constraint \"v_b_key\"\nDETAIL:  Key (b)=(1) already exists.\n"), "{t}");
    // WAL (pg_current_wal_insert_lsn() around each INSERT on the real server): 168
    // bytes for a row with a UNIQUE int key, 168 with a NULL key.
    let v = "primary=# CREATE TABLE v (a int, b int, UNIQUE (b));\nprimary=# INSERT INTO v VALUES (0, 0);\n";
    assert_eq!(wal_bytes(v, "INSERT INTO v VALUES (5, 5);"), 168);
    assert_eq!(wal_bytes(v, "INSERT INTO v VALUES (6, NULL);"), 168);
}
