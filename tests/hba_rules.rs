//! `pg_hba_file_rules` and `= ANY (array)` / `<> ALL (array)` / `IN` in WHERE, as
//! PostgreSQL 15.18 prints them (issue 12, point 13).
//!
//! The expected outputs were printed by a real server: the same pg_hba.conf written on
//! a PostgreSQL 15.18 (Debian) cluster, then `psql -c 'select * from pg_hba_file_rules'`;
//! the SQL below run with `psql -f` on the same server. psql prints a text[] as
//! `{all}`, `{replication}`, quoting an element only when it must (`{a,"b c","",NULL,"x\"y"}`);
//! a line in error has only its line number and the error; the view reads the file on
//! disk, not the copy the server loaded.

use walscope::script::run_script;

const HBA: &str = r#"primary$ echo 'local   all             all                                     trust' > pg_hba.conf
primary$ echo 'host    all             all             127.0.0.1/32            trust' >> pg_hba.conf
primary$ echo 'host    all             all             ::1/128                 trust' >> pg_hba.conf
primary$ echo 'host    all             all             fe80::/64                 trust' >> pg_hba.conf
primary$ echo 'local   replication     all                                     peer map=omap' >> pg_hba.conf
primary$ echo 'host    replication     all             127.0.0.1/32            trust' >> pg_hba.conf
primary$ echo 'host    "all",db1     +grp,"Bob"      samehost                md5' >> pg_hba.conf
primary$ echo 'host    all             all             samenet                reject' >> pg_hba.conf
primary$ echo 'host    all             all             all                password' >> pg_hba.conf
primary$ echo 'host    all             all             .example.com                password' >> pg_hba.conf
primary$ echo 'host    all             all             10.0.0.0/24                password' >> pg_hba.conf
primary$ echo 'host    all             all             10.1.2.3   255.255.0.255       password' >> pg_hba.conf
primary$ echo 'hostnossl all all 10.0.0.1/32 trusted' >> pg_hba.conf
primary$ echo 'host all' >> pg_hba.conf
"#;

const HBA_RULES: &str = r#" line_number | type  |   database    | user_name  |   address    |                 netmask                 | auth_method |  options   |                  error                  
-------------+-------+---------------+------------+--------------+-----------------------------------------+-------------+------------+-----------------------------------------
           1 | local | {all}         | {all}      |              |                                         | trust       |            | 
           2 | host  | {all}         | {all}      | 127.0.0.1    | 255.255.255.255                         | trust       |            | 
           3 | host  | {all}         | {all}      | ::1          | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | trust       |            | 
           4 | host  | {all}         | {all}      | fe80::       | ffff:ffff:ffff:ffff::                   | trust       |            | 
           5 | local | {replication} | {all}      |              |                                         | peer        | {map=omap} | 
           6 | host  | {replication} | {all}      | 127.0.0.1    | 255.255.255.255                         | trust       |            | 
           7 | host  | {all,db1}     | {+grp,Bob} | samehost     |                                         | md5         |            | 
           8 | host  | {all}         | {all}      | samenet      |                                         | reject      |            | 
           9 | host  | {all}         | {all}      | all          |                                         | password    |            | 
          10 | host  | {all}         | {all}      | .example.com |                                         | password    |            | 
          11 | host  | {all}         | {all}      | 10.0.0.0     | 255.255.255.0                           | password    |            | 
          12 | host  | {all}         | {all}      | 10.1.2.3     | 255.255.0.255                           | password    |            | 
          13 |       |               |            |              |                                         |             |            | invalid authentication method "trusted"
          14 |       |               |            |              |                                         |             |            | end-of-line before role specification
(14 rows)

"#;

#[test]
fn pg_hba_file_rules_shows_every_line_parsed_or_in_error() {
    let t = run_script(&format!(
        "{HBA}primary=# select * from pg_hba_file_rules;\n"
    ))
    .unwrap();
    assert!(t.contains(HBA_RULES), "{t}");
}

const SQL: &str = r#"primary=# CREATE TABLE t (id int, name text);
primary=# INSERT INTO t VALUES (1,'a'),(2,'b'),(3,NULL),(4,'d e');
primary=# SELECT * FROM t WHERE id = ANY(ARRAY[1,3]) ORDER BY id;
primary=# SELECT * FROM t WHERE id <> ALL(ARRAY[1,3]) ORDER BY id;
primary=# SELECT * FROM t WHERE name = ANY('{a,"d e"}') ORDER BY id;
primary=# SELECT * FROM t WHERE id IN (2,4) ORDER BY id;
primary=# SELECT 1 = ANY(ARRAY[2,NULL]), 1 = ALL(ARRAY[1,NULL]);
primary=# SELECT ARRAY['a','b c','',NULL,'x"y'], ARRAY[1,2];
primary=# SELECT 2 > SOME(ARRAY[1,5]);
primary=# SELECT ARRAY[];
primary=# SELECT 1 = ANY(5);
"#;

const SQL_OUT: &str = r#"primary=# CREATE TABLE t (id int, name text);
CREATE TABLE
primary=# INSERT INTO t VALUES (1,'a'),(2,'b'),(3,NULL),(4,'d e');
INSERT 0 4
primary=# SELECT * FROM t WHERE id = ANY(ARRAY[1,3]) ORDER BY id;
 id | name 
----+------
  1 | a
  3 | 
(2 rows)

primary=# SELECT * FROM t WHERE id <> ALL(ARRAY[1,3]) ORDER BY id;
 id | name 
----+------
  2 | b
  4 | d e
(2 rows)

primary=# SELECT * FROM t WHERE name = ANY('{a,"d e"}') ORDER BY id;
 id | name 
----+------
  1 | a
  4 | d e
(2 rows)

primary=# SELECT * FROM t WHERE id IN (2,4) ORDER BY id;
 id | name 
----+------
  2 | b
  4 | d e
(2 rows)

primary=# SELECT 1 = ANY(ARRAY[2,NULL]), 1 = ALL(ARRAY[1,NULL]);
 ?column? | ?column? 
----------+----------
          | 
(1 row)

primary=# SELECT ARRAY['a','b c','',NULL,'x"y'], ARRAY[1,2];
          array           | array 
--------------------------+-------
 {a,"b c","",NULL,"x\"y"} | {1,2}
(1 row)

primary=# SELECT 2 > SOME(ARRAY[1,5]);
 ?column? 
----------
 t
(1 row)

primary=# SELECT ARRAY[];
ERROR:  cannot determine type of empty array
LINE 1: SELECT ARRAY[];
               ^
HINT:  Explicitly cast to the desired type, for example ARRAY[]::integer[].
primary=# SELECT 1 = ANY(5);
ERROR:  op ANY/ALL (array) requires array on right side
LINE 1: SELECT 1 = ANY(5);
                 ^
"#;

#[test]
fn any_all_and_in_filter_as_postgresql_does() {
    let t = run_script(SQL).unwrap();
    assert!(t.contains(SQL_OUT), "{t}");
}

#[test]
fn the_initdb_file_and_a_replication_line_read_back() {
    // pg_hba.conf as initdb writes it, then the class's replication line (real server:
    // initdb, the same echo, psql -c with this SELECT).
    let t = run_script(
        "primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary=# SELECT line_number, type, database, user_name, address, netmask, auth_method FROM pg_hba_file_rules WHERE 'replication' = ANY(database);
",
    )
    .unwrap();
    // The same on a real server after a fresh initdb (lines 96-98 are initdb's).
    let want = " line_number | type  |   database    |  user_name   |  address  |                 netmask                 |  auth_method  
-------------+-------+---------------+--------------+-----------+-----------------------------------------+---------------
          96 | local | {replication} | {all}        |           |                                         | trust
          97 | host  | {replication} | {all}        | 127.0.0.1 | 255.255.255.255                         | trust
          98 | host  | {replication} | {all}        | ::1       | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | trust
          99 | host  | {replication} | {replicator} | 10.0.0.0  | 255.255.255.0                           | scram-sha-256
(4 rows)
";
    assert!(t.contains(want), "{t}");
}
