//! psql's describe commands and NOT NULL, against what psql 15.18 printed on a real
//! server: `psql -X -f` on a fresh initdb (C.UTF-8) with the same statements.

use walscope::script::run_script;

/// What the script printed after the line `command`, up to the next prompt.
fn after<'a>(out: &'a str, command: &str) -> &'a str {
    let start = out
        .find(command)
        .unwrap_or_else(|| panic!("{command} in {out}"))
        + command.len();
    let rest = &out[start..];
    let end = ["primary=# ", "-- virtual time"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

const SETUP: &str = "primary=# CREATE TABLE t (id int primary key, v text);
primary=# CREATE TABLE test (a int);
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
";

#[test]
fn dt_du_l_and_d_print_as_psql_15() {
    let out = run_script(&format!(
        "{SETUP}primary=# \\dt\nprimary=# \\du\nprimary=# \\l\nprimary=# \\d t\nprimary=# \\d nosuch\nprimary=# \\conninfo\nprimary=# \\q\n"
    ))
    .unwrap();
    assert_eq!(
        after(&out, "\\dt\n"),
        "        List of relations
 Schema | Name | Type  |  Owner   
--------+------+-------+----------
 public | t    | table | postgres
 public | test | table | postgres
(2 rows)

"
    );
    assert_eq!(
        after(&out, "\\du\n"),
        "                                    List of roles
 Role name  |                         Attributes                         | Member of 
------------+------------------------------------------------------------+-----------
 postgres   | Superuser, Create role, Create DB, Replication, Bypass RLS | {}
 replicator | Replication                                                | {}

"
    );
    assert_eq!(
        after(&out, "\\l\n"),
        "                                             List of databases
   Name    |  Owner   | Encoding | Collate |  Ctype  | ICU Locale | Locale Provider |   Access privileges   
-----------+----------+----------+---------+---------+------------+-----------------+-----------------------
 postgres  | postgres | UTF8     | C.UTF-8 | C.UTF-8 |            | libc            | 
 template0 | postgres | UTF8     | C.UTF-8 | C.UTF-8 |            | libc            | =c/postgres          +
           |          |          |         |         |            |                 | postgres=CTc/postgres
 template1 | postgres | UTF8     | C.UTF-8 | C.UTF-8 |            | libc            | =c/postgres          +
           |          |          |         |         |            |                 | postgres=CTc/postgres
(3 rows)

"
    );
    assert_eq!(
        after(&out, "\\d t\n"),
        "                 Table \"public.t\"
 Column |  Type   | Collation | Nullable | Default 
--------+---------+-----------+----------+---------
 id     | integer |           | not null | 
 v      | text    |           |          | 
Indexes:
    \"t_pkey\" PRIMARY KEY, btree (id)

"
    );
    // Interactive psql prints this without the `psql:FILE:LINE: error: ` of -f.
    assert_eq!(
        after(&out, "\\d nosuch\n"),
        "Did not find any relation named \"nosuch\".\n"
    );
    assert_eq!(
        after(&out, "\\conninfo\n"),
        "You are connected to database \"postgres\" as user \"postgres\" via socket in \"/run/postgresql\" at port \"5432\".\n"
    );
    assert_eq!(after(&out, "\\q\n"), "");
}

#[test]
fn role_attributes_and_expanded_output_follow_psql() {
    // psql 15.18 in a terminal: CREATE ROLE r2 NOINHERIT CREATEDB CREATEROLE
    // CONNECTION LIMIT 3; CREATE ROLE r3 LOGIN CONNECTION LIMIT 1 SUPERUSER; \du
    let out = run_script(
        "primary=# CREATE ROLE r1 CONNECTION LIMIT -5;
primary=# CREATE ROLE r2 NOINHERIT CREATEDB CREATEROLE CONNECTION LIMIT 3;
primary=# CREATE ROLE r3 LOGIN CONNECTION LIMIT 1 SUPERUSER;
primary=# \\du
primary=# \\x
primary=# \\dt
primary=# \\du r1
",
    )
    .unwrap();
    assert!(
        out.contains("ERROR:  invalid connection limit: -5\n"),
        "{out}"
    );
    assert_eq!(
        after(&out, "\\du\n"),
        "                                   List of roles
 Role name |                         Attributes                         | Member of 
-----------+------------------------------------------------------------+-----------
 postgres  | Superuser, Create role, Create DB, Replication, Bypass RLS | {}
 r2        | No inheritance, Create role, Create DB, Cannot login      +| {}
           | 3 connections                                              | 
 r3        | Superuser                                                 +| {}
           | 1 connection                                               | 

"
    );
    assert_eq!(after(&out, "\\dt\n"), "Did not find any relations.\n");
    // psql 15.18: `\x` then `\du r1` prints only an empty line.
    assert_eq!(after(&out, "\\du r1\n"), "\n");
}

#[test]
fn not_null_columns_refuse_a_null_with_the_failing_row() {
    // psql 15.18: CREATE TABLE n (id int primary key, v text not null, b bool); ...
    let out = run_script(
        "primary=# CREATE TABLE n (id int primary key, v text not null, b bool);
primary=# INSERT INTO n VALUES (2, NULL, true);
primary=# INSERT INTO n VALUES (NULL, 'x y', false);
primary=# INSERT INTO n VALUES (1, 'a', true);
primary=# UPDATE n SET v = NULL;
primary=# SELECT count(*) FROM n;
",
    )
    .unwrap();
    assert!(out.contains("INSERT INTO n VALUES (2, NULL, true);\nERROR:  null value in column \"v\" of relation \"n\" violates not-null constraint\nDETAIL:  Failing row contains (2, null, t).\n"), "{out}");
    assert!(out.contains("ERROR:  null value in column \"id\" of relation \"n\" violates not-null constraint\nDETAIL:  Failing row contains (null, x y, f).\n"), "{out}");
    assert!(out.contains("UPDATE n SET v = NULL;\nERROR:  null value in column \"v\" of relation \"n\" violates not-null constraint\nDETAIL:  Failing row contains (1, null, t).\n"), "{out}");
    assert!(out.contains("-------\n     1\n(1 row)"), "{out}");
}
