//! UNIQUE over several columns (issue 12): enforced as its btree index
//! `TABLE_COL1_COL2_key` enforces it, checked after the primary key and in the order
//! the constraints were declared, with PostgreSQL 15.18's messages and `\d`.
//!
//! Recorded on a real server (PostgreSQL 15.18, Debian, `psql -X -f` of the statements
//! below, the file's output compared line for line with walscope's after removing
//! psql's `psql:FILE:N: ` prefix: identical); the WAL from
//! `SELECT pg_current_wal_insert_lsn() AS s \gset` before and
//! `SELECT pg_current_wal_insert_lsn() - :'s'::pg_lsn` after: a one-row INSERT into
//! `m (a int, b int, c text, UNIQUE (a, b))` wrote 176 bytes.

use walscope::script::run_script;

const SCRIPT: &str = "primary=# CREATE TABLE m (a int, b int, c text, UNIQUE (a, b));
primary=# INSERT INTO m VALUES (1, 2, 'x');
primary=# INSERT INTO m VALUES (1, 2, 'y');
primary=# INSERT INTO m VALUES (1, NULL, 'y'), (1, NULL, 'z');
primary=# INSERT INTO m VALUES (1, 3, 'y');
primary=# UPDATE m SET b = 2 WHERE b = 3;
primary=# \\d m
primary=# CREATE TABLE m2 (a int, b int, c int UNIQUE, UNIQUE (a, b));
primary=# INSERT INTO m2 VALUES (1, 2, 3);
primary=# INSERT INTO m2 VALUES (1, 2, 3);
primary=# CREATE TABLE m3 (a int, b int, UNIQUE (a, b), c int UNIQUE);
primary=# INSERT INTO m3 VALUES (1, 2, 3);
primary=# INSERT INTO m3 VALUES (1, 2, 3);
primary=# CREATE TABLE m4 (UNIQUE (b, a), a int, b int, PRIMARY KEY (a));
primary=# INSERT INTO m4 VALUES (1, 2);
primary=# INSERT INTO m4 VALUES (1, 2);
primary=# \\d m4
primary=# CREATE TABLE m5 (a int, b text, UNIQUE (a, a));
primary=# CREATE TABLE m6 (a int, b text, UNIQUE (a, nosuch));
primary=# CREATE TABLE m7 (a int, b int, UNIQUE (a, b), UNIQUE (a, b));
primary=# \\d m7
primary=# CREATE TABLE m8 (a int, b int, PRIMARY KEY (a, b), UNIQUE (a, b));
primary=# \\d m8
primary=# CREATE TABLE m9 (a int UNIQUE, b int, UNIQUE (a));
primary=# \\d m9
primary=# CREATE TABLE m10 (a int, b text, c int, UNIQUE (a, b, c));
primary=# INSERT INTO m10 VALUES (1, 'x', 2), (1, 'x', 2);
";

/// What `psql -X -f` printed for SCRIPT on PostgreSQL 15.18 (the `psql:FILE:N: `
/// prefix of its error lines removed).
const REAL: &str = "CREATE TABLE
INSERT 0 1
ERROR:  duplicate key value violates unique constraint \"m_a_b_key\"
DETAIL:  Key (a, b)=(1, 2) already exists.
INSERT 0 2
INSERT 0 1
ERROR:  duplicate key value violates unique constraint \"m_a_b_key\"
DETAIL:  Key (a, b)=(1, 2) already exists.
                 Table \"public.m\"
 Column |  Type   | Collation | Nullable | Default 
--------+---------+-----------+----------+---------
 a      | integer |           |          | 
 b      | integer |           |          | 
 c      | text    |           |          | 
Indexes:
    \"m_a_b_key\" UNIQUE CONSTRAINT, btree (a, b)

CREATE TABLE
INSERT 0 1
ERROR:  duplicate key value violates unique constraint \"m2_c_key\"
DETAIL:  Key (c)=(3) already exists.
CREATE TABLE
INSERT 0 1
ERROR:  duplicate key value violates unique constraint \"m3_a_b_key\"
DETAIL:  Key (a, b)=(1, 2) already exists.
CREATE TABLE
INSERT 0 1
ERROR:  duplicate key value violates unique constraint \"m4_pkey\"
DETAIL:  Key (a)=(1) already exists.
                 Table \"public.m4\"
 Column |  Type   | Collation | Nullable | Default 
--------+---------+-----------+----------+---------
 a      | integer |           | not null | 
 b      | integer |           |          | 
Indexes:
    \"m4_pkey\" PRIMARY KEY, btree (a)
    \"m4_b_a_key\" UNIQUE CONSTRAINT, btree (b, a)

ERROR:  column \"a\" appears twice in unique constraint
LINE 1: CREATE TABLE m5 (a int, b text, UNIQUE (a, a));
                                        ^
ERROR:  column \"nosuch\" named in key does not exist
LINE 1: CREATE TABLE m6 (a int, b text, UNIQUE (a, nosuch));
                                        ^
CREATE TABLE
                 Table \"public.m7\"
 Column |  Type   | Collation | Nullable | Default 
--------+---------+-----------+----------+---------
 a      | integer |           |          | 
 b      | integer |           |          | 
Indexes:
    \"m7_a_b_key\" UNIQUE CONSTRAINT, btree (a, b)

CREATE TABLE
                 Table \"public.m8\"
 Column |  Type   | Collation | Nullable | Default 
--------+---------+-----------+----------+---------
 a      | integer |           | not null | 
 b      | integer |           | not null | 
Indexes:
    \"m8_pkey\" PRIMARY KEY, btree (a, b)

CREATE TABLE
                 Table \"public.m9\"
 Column |  Type   | Collation | Nullable | Default 
--------+---------+-----------+----------+---------
 a      | integer |           |          | 
 b      | integer |           |          | 
Indexes:
    \"m9_a_key\" UNIQUE CONSTRAINT, btree (a)

CREATE TABLE
ERROR:  duplicate key value violates unique constraint \"m10_a_b_c_key\"
DETAIL:  Key (a, b, c)=(1, x, 2) already exists.
";

#[test]
fn several_column_unique_constraints_as_postgresql_enforces_them() {
    let t = run_script(SCRIPT).unwrap();
    let printed: String = t
        .lines()
        .filter(|l| !l.starts_with("primary=# ") && !l.starts_with("-- virtual time"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(printed, REAL);
}

#[test]
fn a_two_column_key_writes_its_index_entry_and_reaches_a_standby() {
    let t = run_script(
        "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary$ echo 'host replication postgres 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
primary=# CREATE TABLE m (a int, b int, c text, UNIQUE (a, b));
primary=# INSERT INTO m VALUES (1, 2, 'x');
primary=# SELECT pg_current_wal_insert_lsn();
primary=# INSERT INTO m VALUES (7, 8, 'q');
primary=# SELECT pg_current_wal_insert_lsn();
lab$ node add standby1
standby1$ pg_basebackup -h primary -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
primary=# INSERT INTO m VALUES (7, 9, 'r');
lab$ wait 1s
standby1=# \\d m
standby1=# SELECT * FROM m ORDER BY a, b;
",
    )
    .unwrap();
    let lsns: Vec<u64> = t
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("0/"))
        .map(|l| u64::from_str_radix(l.split_once('/').unwrap().1, 16).unwrap())
        .collect();
    assert_eq!(lsns[1] - lsns[0], 176, "{t}");
    let d = t.rsplit("standby1=# \\d m\n").next().unwrap();
    assert!(
        d.contains("Indexes:\n    \"m_a_b_key\" UNIQUE CONSTRAINT, btree (a, b)\n"),
        "{t}"
    );
    assert!(
        d.ends_with(" 1 | 2 | x\n 7 | 8 | q\n 7 | 9 | r\n(3 rows)\n\n-- virtual time: 1.310s\n"),
        "{t}"
    );
}
