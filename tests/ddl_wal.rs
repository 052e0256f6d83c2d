//! The WAL that DDL writes, against PostgreSQL 15.18: `pg_current_wal_insert_lsn()`
//! before and after each statement in one psql session (`\gset`, then
//! `pg_wal_lsn_diff`), on a server fresh from `initdb -U postgres`, wal_log_hints off
//! and on alike.

use walscope::script::Runner;

/// The bytes of WAL each statement wrote, read from `pg_current_wal_insert_lsn()`
/// around it.
fn wal_bytes(r: &mut Runner, statements: &[&str]) -> Vec<u64> {
    statements
        .iter()
        .map(|s| {
            let out = r
                .run_text(&format!(
                    "primary=# SELECT pg_current_wal_insert_lsn();\nprimary=# {s}\nprimary=# SELECT pg_current_wal_insert_lsn();\n"
                ))
                .expect("parses");
            let lsns: Vec<u64> = out
                .lines()
                .filter_map(|l| l.trim().split_once('/'))
                .filter_map(|(hi, lo)| {
                    Some((u64::from_str_radix(hi, 16).ok()? << 32) + u64::from_str_radix(lo, 16).ok()?)
                })
                .collect();
            assert_eq!(lsns.len(), 2, "{out}");
            lsns[1] - lsns[0]
        })
        .collect()
}

#[test]
fn create_role_writes_its_row_and_after_a_checkpoint_the_page_images() {
    let mut r = Runner::new(1);
    let bytes = wal_bytes(
        &mut r,
        &[
            // PostgreSQL: 2920 (the first change to pg_authid after initdb's checkpoint
            // writes full-page images). The model's position crosses one more 8kB page
            // boundary on the way, and adds its 24-byte header.
            "CREATE USER replicator WITH REPLICATION ENCRYPTED PASSWORD 'secret';",
            // PostgreSQL: 360.
            "CREATE ROLE r2;",
            // PostgreSQL: 496.
            "CREATE ROLE r3 WITH LOGIN PASSWORD 'x';",
        ],
    );
    assert!((2920..=2944).contains(&bytes[0]), "{bytes:?}");
    assert_eq!(bytes[1..], [360, 496]);
    // After a checkpoint the images are written again (PostgreSQL: 3680 for this one,
    // its pages holding more rows by now; the model counts the first figure).
    r.run_text("primary=# CHECKPOINT;\n").expect("parses");
    let bytes = wal_bytes(
        &mut r,
        &["CREATE ROLE r4 WITH REPLICATION LOGIN PASSWORD 'secret';"],
    );
    assert!(bytes[0] > 2_800 && bytes[0] < 3_700, "{bytes:?}");
}

#[test]
fn create_table_writes_its_catalog_rows_a_toast_table_and_with_wal_log_hints_hint_bits() {
    for (hints, expected) in [("off", [11_184, 31_536]), ("on", [19_456, 56_352])] {
        let mut r = Runner::new(1);
        r.run_text(&format!(
            "primary$ echo 'wal_log_hints = {hints}' >> postgresql.conf
primary$ pg_ctl restart
primary=# CREATE ROLE r1;
primary=# CHECKPOINT;
primary=# CREATE TABLE test (id int);
"
        ))
        .expect("parses");
        // PostgreSQL 15.18, later in the same checkpoint cycle: CREATE TABLE t2 (id int)
        // and CREATE TABLE t4 (id int, pad text), whose text column needs a TOAST table.
        let bytes = wal_bytes(
            &mut r,
            &[
                "CREATE TABLE t2 (id int);",
                "CREATE TABLE t4 (id int, pad text);",
            ],
        );
        for (b, e) in bytes.iter().zip(expected) {
            // A page header more or less, as the records fall across 8kB pages.
            assert!(b.abs_diff(e) <= 24, "wal_log_hints = {hints}: {bytes:?}");
        }
    }
}

/// Real, PostgreSQL 15.18, each statement its own `psql -X -At -c` with
/// `pg_current_wal_insert_lsn()` before and after, later in a checkpoint cycle than the
/// tables' CREATE TABLE, once on a server with wal_level = replica and once on one with
/// `-c wal_level=logical`:
///
/// | statement | replica | logical |
/// | `ALTER TABLE y1 ADD COLUMN c int` | 576 | 880 |
/// | `ALTER TABLE y1 ADD COLUMN d2 int DEFAULT 7` | 1,544 | 2,408 |
/// | `ALTER TABLE x3 ADD COLUMN c text` (x3 had only an int column) | 16,968 | 19,304 |
/// | `ALTER TABLE y1 DROP COLUMN c` | 560 | 808 |
///
/// (`y1 (id int primary key, v text)` and `x3 (id int)`.) The same statements on other
/// tables came within 64 bytes of these, except where a catalog index page split.
#[test]
fn alter_table_writes_what_postgresql_writes() {
    for (level, expected) in [
        ("replica", [576, 1_544, 16_968, 560]),
        ("logical", [880, 2_408, 19_304, 808]),
    ] {
        let mut r = Runner::new(1);
        r.run_text(&format!(
            "primary=# ALTER SYSTEM SET wal_level = {level};
primary$ pg_ctl restart
primary=# CREATE TABLE y1 (id int primary key, v text);
primary=# CREATE TABLE x3 (id int);
"
        ))
        .expect("parses");
        let bytes = wal_bytes(
            &mut r,
            &[
                "ALTER TABLE y1 ADD COLUMN c int;",
                "ALTER TABLE y1 ADD COLUMN d2 int DEFAULT 7;",
                "ALTER TABLE x3 ADD COLUMN c text;",
                "ALTER TABLE y1 DROP COLUMN c;",
            ],
        );
        for (b, e) in bytes.iter().zip(expected) {
            assert!(b.abs_diff(e) <= 24, "wal_level = {level}: {bytes:?}");
        }
    }
}
