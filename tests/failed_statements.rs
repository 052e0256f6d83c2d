//! A statement that fails after writing leaves its WAL and an abort record, as
//! PostgreSQL does (issue 12: the WAL of a failed statement).
//!
//! Recorded on a real server (PostgreSQL 15.18, Debian, `psql -X -At` on a cluster
//! made with initdb, `SELECT pg_current_wal_insert_lsn() AS a \gset` before and
//! `SELECT pg_current_wal_insert_lsn() - :'a'::pg_lsn` after each statement, on
//! `CREATE TABLE t (id int PRIMARY KEY, v text)` / `CREATE TABLE u (id int PRIMARY KEY,
//! v int)` holding rows already): a one-row INSERT with a duplicate key wrote 104 bytes
//! (its 64-byte heap insert and a 40-byte abort record; 192 with the heap page's
//! full-page image right after a checkpoint, which the model does not count);
//! `INSERT INTO t VALUES (3, 'c'), (2, 'b')` failing on 2 wrote 232 (row 3's heap and
//! index inserts, row 2's heap insert, the abort; here the same shape fails on 1); `SELECT 1/0`,
//! `INSERT INTO t VALUES (1/0, 'a')`, a NOT NULL violation and an unknown table wrote
//! 0; `UPDATE u SET id = 3 WHERE id = 2` failing on the key wrote 112 (the update
//! record and the abort).

use walscope::script::run_script;

fn lsns(text: &str) -> Vec<u64> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("0/"))
        .map(|l| {
            let (hi, lo) = l.split_once('/').unwrap();
            (u64::from_str_radix(hi, 16).unwrap() << 32) | u64::from_str_radix(lo, 16).unwrap()
        })
        .collect()
}

/// The WAL bytes each statement of `stmts` writes, and the whole transcript.
fn wal_bytes(stmts: &[&str]) -> (Vec<u64>, String) {
    let mut script = "primary=# CREATE TABLE t (id int PRIMARY KEY, v text);
primary=# CREATE TABLE u (id int PRIMARY KEY, v int);
primary=# INSERT INTO t VALUES (1, 'a');
primary=# INSERT INTO u VALUES (1, 1), (2, 2), (3, 3);
primary=# SELECT pg_current_wal_insert_lsn();
"
    .to_string();
    for s in stmts {
        script.push_str(&format!(
            "primary=# {s}\nprimary=# SELECT pg_current_wal_insert_lsn();\n"
        ));
    }
    let t = run_script(&script).unwrap();
    let l = lsns(&t);
    (l.windows(2).map(|w| w[1] - w[0]).collect(), t)
}

#[test]
fn a_failed_statement_writes_what_it_wrote_and_an_abort_record() {
    let (bytes, t) = wal_bytes(&[
        "INSERT INTO t VALUES (1, 'a');",
        "INSERT INTO t VALUES (3, 'c'), (1, 'a');",
        "SELECT 1/0;",
        "INSERT INTO t VALUES (1/0, 'a');",
        "INSERT INTO t VALUES (NULL, 'a');",
        "INSERT INTO nosuch VALUES (1);",
        "UPDATE u SET id = 3 WHERE id = 2;",
        "INSERT INTO t VALUES (9, 'a'), (10 / 0, 'b');",
        "INSERT INTO t VALUES (2, 'b');",
    ]);
    assert!(t.contains("ERROR:  duplicate key value violates unique constraint \"t_pkey\"\nDETAIL:  Key (id)=(1) already exists.\n"), "{t}");
    assert_eq!(bytes[0], 104, "a one-row INSERT with a duplicate key");
    assert_eq!(bytes[1], 232, "row 3 in full, then 1's heap insert");
    assert_eq!(
        &bytes[2..6],
        &[0, 0, 0, 0],
        "failed before writing anything"
    );
    // PostgreSQL wrote 112: its update record of a tuple on the same page logs only the
    // changed prefix (72 bytes), where the model counts the whole new tuple (80), as it
    // does for an UPDATE that succeeds.
    assert_eq!(
        bytes[6],
        80 + 40,
        "an UPDATE that fails on the key: its update record and the abort"
    );
    assert_eq!(
        bytes[7],
        64 + 64 + 40,
        "row 9 was inserted before 10 / 0 was computed"
    );
    // Nothing of the failed statements is in the table: (2, 'b') is new.
    assert_eq!(bytes[8], 168);
}

#[test]
fn a_standby_replays_an_aborted_transaction_without_applying_it() {
    let t = run_script(
        "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary$ echo 'host replication postgres 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
primary=# CREATE TABLE t (id int PRIMARY KEY, v text);
primary=# INSERT INTO t VALUES (1, 'a');
lab$ node add standby1
standby1$ pg_basebackup -h primary -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
primary=# INSERT INTO t VALUES (2, 'b'), (1, 'a');
primary=# INSERT INTO t VALUES (3, 'c');
lab$ wait 1s
standby1=# SELECT * FROM t ORDER BY id;
primary=# SELECT pg_current_wal_insert_lsn() = pg_current_wal_flush_lsn() AS flushed;
",
    )
    .unwrap();
    let tail = t
        .rsplit("standby1=# SELECT * FROM t ORDER BY id;\n")
        .next()
        .unwrap();
    assert!(
        tail.starts_with(" id | v \n----+---\n  1 | a\n  3 | c\n(2 rows)\n"),
        "{t}"
    );
    // The abort record is flushed by the WAL writer, not at once; by now it is.
    let flushed = t.rsplit("AS flushed;\n").next().unwrap();
    assert!(
        flushed.starts_with(" flushed \n---------\n t\n(1 row)\n"),
        "{t}"
    );
}
