//! psql's side of a console line: splitting input into statements, the LINE/caret
//! layout of errors, and the whole path (split, parse, lay out) on mutated input.

use super::error::render;
use super::split::{close_tail, split_statements};
use crate::sql::{parse, ServerError};

fn err(sql: &str) -> ServerError {
    match parse(sql) {
        Err(e) => e,
        Ok(s) => panic!("{sql}: parsed as {s:?}"),
    }
}

trait LinesFor {
    /// What psql prints after the ERROR line for this error about `sql`.
    fn lines_for(&self, sql: &str) -> Vec<String>;
}

impl LinesFor for ServerError {
    fn lines_for(&self, sql: &str) -> Vec<String> {
        let text = render(self, sql);
        let first = format!("ERROR:  {}\n", self.message);
        let rest = text.strip_prefix(&first).expect("the ERROR line first");
        rest.lines().map(str::to_string).collect()
    }
}

#[test]
fn splitting() {
    assert_eq!(
        split_statements("SELECT 1; SELECT 2;"),
        vec![
            ("SELECT 1".to_string(), true),
            ("SELECT 2".to_string(), true)
        ]
    );
    assert_eq!(
        split_statements("SELECT ';' ;"),
        vec![("SELECT ';' ".to_string(), true)]
    );
    assert_eq!(
        split_statements("SELECT 1;\nSELECT 'a;\nb"),
        vec![
            ("SELECT 1".to_string(), true),
            ("SELECT 'a;\nb".to_string(), false)
        ]
    );
    assert_eq!(split_statements(";;  ;"), Vec::<(String, bool)>::new());
    assert_eq!(
        split_statements("  -- hi\n  SELECT 1 -- x;\n;"),
        vec![("SELECT 1 -- x;\n".to_string(), true)]
    );
    assert_eq!(
        split_statements("SELECT \"a;b\", $$c;d$$, $t$;$t$, E'\\';', /* ; /* ; */ ; */ 1;"),
        vec![(
            "SELECT \"a;b\", $$c;d$$, $t$;$t$, E'\\';', /* ; /* ; */ ; */ 1".to_string(),
            true
        )]
    );
    assert_eq!(
        split_statements("SELECT (1;\n2);"),
        vec![("SELECT (1;\n2)".to_string(), true)]
    );
    assert_eq!(
        split_statements("SELECT 1; -- done"),
        vec![("SELECT 1".to_string(), true)]
    );
    assert_eq!(
        split_statements("SELECT 'a'\n'b;';"),
        vec![("SELECT 'a'\n'b;'".to_string(), true)]
    );
    assert_eq!(
        split_statements("SELECT 1"),
        vec![("SELECT 1".to_string(), false)]
    );
}

#[test]
fn a_last_statement_without_semicolon_is_sent_with_one() {
    assert_eq!(close_tail("SELECT 1;"), "SELECT 1;");
    assert_eq!(close_tail("SELECT 1 ;"), "SELECT 1 ;");
    // The added `;` is inside the open string, comment or parenthesis: another ends it.
    assert_eq!(close_tail("SELECT 'abc;"), "SELECT 'abc;;");
    assert_eq!(close_tail("SELECT 1 -- x;"), "SELECT 1 -- x;;");
    assert_eq!(close_tail("SELECT (1;"), "SELECT (1;;");
}

#[test]
fn errors_point_into_their_statement() {
    let sql = "CREATE ROLE r UNENCRYPTED PASSWORD 'x'";
    assert_eq!(
        err(sql).lines_for(sql),
        vec![
            "LINE 1: CREATE ROLE r UNENCRYPTED PASSWORD 'x'".to_string(),
            "                      ^".to_string(),
            "HINT:  Remove UNENCRYPTED to store the password in encrypted form instead."
                .to_string(),
        ]
    );
    assert!(err("DROP ROLE public")
        .lines_for("DROP ROLE public")
        .is_empty());
    assert_eq!(
        err("SELEC 1").lines_for("SELEC 1"),
        vec!["LINE 1: SELEC 1", "        ^"]
    );
    assert_eq!(
        err("SELECT * FROM").lines_for("SELECT * FROM"),
        vec!["LINE 1: SELECT * FROM", "                     ^"]
    );
}

#[test]
fn psql_positions() {
    let sql = "SELECT 1\n  FROM t\n  WHERE x = = 1";
    let e = err(sql);
    assert_eq!(e.message, "syntax error at or near \"=\"");
    assert_eq!(
        e.lines_for(sql),
        vec!["LINE 3:   WHERE x = = 1", "                    ^"]
    );
    let sql = "SELECT 1\r\nFROM t t2 t3";
    assert_eq!(
        err(sql).lines_for(sql),
        vec!["LINE 2: FROM t t2 t3", "                  ^"]
    );
    let long = format!("SELECT {} FROM", "aaaaaaaaa, ".repeat(10));
    let lines = err(&long).lines_for(&long);
    assert_eq!(lines[0], format!("LINE 1: ...{}", &long[long.len() - 60..]));
    // The error is at FROM (char 118); the line is cut to the 60 columns before the end.
    assert_eq!(lines[1], format!("{}^", " ".repeat(11 + 118 - 62)));
    let long = format!("SELECT x y z {}", "a, ".repeat(30));
    let lines = err(&long).lines_for(&long);
    assert_eq!(lines[0], format!("LINE 1: {}...", &long[..60]));
    assert_eq!(lines[1], format!("{}^", " ".repeat(8 + 11)));
    let sql = "SELECT '日本' 1";
    assert_eq!(
        err(sql).lines_for(sql),
        vec![
            "LINE 1: SELECT '日本' 1".to_string(),
            format!("{}^", " ".repeat(8 + 14))
        ]
    );
    let sql = "SELECT\t1 2";
    assert_eq!(
        err(sql).lines_for(sql),
        vec!["LINE 1: SELECT 1 2", "                 ^"]
    );
    let pe = ServerError {
        message: String::new(),
        position: Some(3),
        ..ServerError::default()
    };
    assert_eq!(
        pe.lines_for("abcdef"),
        vec!["LINE 1: abcdef", "           ^"]
    );
}

const CORPUS: &[&str] = &[
    "SELECT pg_current_wal_lsn();",
    "SELECT * FROM pg_stat_replication;",
    "select application_name, state, sync_state from pg_stat_replication order by 1;",
    "SELECT pg_walfile_name('0/3000060');",
    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS lag_bytes FROM pg_stat_replication;",
    "CREATE TABLE test (id INT);",
    "CREATE TABLE big (id int, pad text);",
    "INSERT INTO test VALUES (1), (2);",
    "INSERT INTO test SELECT generate_series(1,1000);",
    "INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 200000) g;",
    "UPDATE test SET id = 3 WHERE id = 2;",
    "DELETE FROM test WHERE id = 3;",
    "ALTER SYSTEM SET wal_level = 'replica';",
    "ALTER SYSTEM SET synchronous_standby_names TO 'FIRST 1 (s1, s2)';",
    "ALTER SYSTEM SET listen_addresses = '*';",
    "ALTER SYSTEM RESET wal_keep_size;",
    "ALTER SYSTEM SET max_slot_wal_keep_size = '1GB';",
    "SHOW wal_level;",
    "SET synchronous_commit = remote_apply;",
    "SET synchronous_commit TO off;",
    "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';",
    "CREATE USER replicator REPLICATION ENCRYPTED PASSWORD 'x';",
    "SELECT pg_create_physical_replication_slot('replica1', true);",
    "SELECT slot_name, wal_status FROM pg_replication_slots WHERE active;",
    "SELECT timeline_id FROM pg_control_checkpoint();",
    "SELECT count(*) FROM test;",
    "SELECT '0/3000060'::pg_lsn - '0/3000000';",
    "SELECT now() - pg_last_xact_replay_timestamp() AS delay;",
    "CHECKPOINT;",
    "SELECT E'a\\n\\u00e9\\x41\\101', $q$x;y$q$, \"Q\"\"x\", U&'a', B'01', X'1F', N'n' -- c\n;",
    "SELECT 1.5e3, .5, 1e-3, 10..20, a::numeric(10,2)[], CAST(b AS double precision) /* a /* b */ c */;",
    "SELECT CASE WHEN x BETWEEN 1 AND 2 THEN 'a' || 'b' ELSE NULL END FROM t WHERE y NOT IN (1, 2) AND z IS NOT NULL;",
    "SELECT extract(epoch from now()), substring('abc' from 1 for 2), position('a' in 'b'), coalesce(a, 1);",
    "CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY, ts timestamp(3) with time zone NOT NULL, PRIMARY KEY (id));",
    "ALTER ROLE r WITH CONNECTION LIMIT -1 PASSWORD NULL; DROP ROLE IF EXISTS r, public;",
    "SET LOCAL x = -1.5, 'a', on; RESET ALL; SHOW TRANSACTION ISOLATION LEVEL; SET TIME ZONE 'UTC';",
    "SELECT 1 FROM t ORDER BY 1 DESC LIMIT 1, 2 OFFSET 3 FETCH FIRST ROW ONLY;",
    "(SELECT a.*, -x::int, interval '1' day to second(3) FROM a) UNION SELECT $1;",
];

fn exercise(sql: &str) {
    let _ = split_statements(sql);
    match parse(sql) {
        Ok(_) => {}
        Err(e) => {
            assert!(!e.message.is_empty(), "{sql:?}");
            if let Some(p) = e.position {
                assert!(p <= sql.chars().count(), "{sql:?}: {e:?}");
            }
            let _ = e.lines_for(sql);
        }
    }
    for (piece, _) in split_statements(sql) {
        if let Err(e) = parse(&piece) {
            let _ = e.lines_for(&piece);
        }
    }
}

#[test]
fn mutated_input_never_panics() {
    const BITS: &[&str] = &[
        "'",
        "\"",
        "$",
        "$$",
        "$a$",
        "(",
        ")",
        ";",
        "--",
        "/*",
        "*/",
        "\\",
        "E'",
        "U&'",
        "U&\"",
        "é",
        "日",
        ":",
        "::",
        "e",
        "0",
        "99999999999999999999999",
        ".",
        ",",
        "\n",
        "\t",
        "\r",
        "NOT",
        "IS",
        "NULL",
        "SELECT",
        "\0",
        "\\u",
        "\\uD800",
        "\\x",
        "'\n'",
        "AS",
        "FROM",
        "=",
        "-",
        "+",
        "*",
        "[",
        "]",
        "||",
        "@",
        "1e",
        "..",
        "=>",
        "CASE",
        "WHEN",
        "(SELECT",
    ];
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut rand = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let mut runs = 0;
    for base in CORPUS {
        exercise(base);
        let chars: Vec<char> = base.chars().collect();
        for k in 0..=chars.len() {
            exercise(&chars[..k].iter().collect::<String>());
            exercise(&chars[k..].iter().collect::<String>());
            runs += 2;
        }
        for _ in 0..150 {
            let mut m = chars.clone();
            for _ in 0..1 + rand(3) {
                let at = rand(m.len() + 1);
                match rand(4) {
                    0 => {
                        let bit: Vec<char> = BITS[rand(BITS.len())].chars().collect();
                        m.splice(at..at, bit);
                    }
                    1 if at < m.len() => {
                        m.remove(at);
                    }
                    2 if at + 1 < m.len() => m.swap(at, at + 1),
                    _ => {
                        let end = (at + rand(8)).min(m.len());
                        let dup: Vec<char> = m[at..end].to_vec();
                        m.splice(at..at, dup);
                    }
                }
            }
            exercise(&m.into_iter().collect::<String>());
            runs += 1;
        }
    }
    // Token soup.
    let words = [
        "SELECT", "x", "1", "FROM", "t", "WHERE", "AND", "IS", "NOT", "IN", "(", ")",
    ];
    for _ in 0..4000 {
        let mut q = String::new();
        for _ in 0..1 + rand(14) {
            q.push_str(if rand(2) == 0 {
                BITS[rand(BITS.len())]
            } else {
                words[rand(words.len())]
            });
            if rand(3) > 0 {
                q.push(' ');
            }
        }
        exercise(&q);
        let pieces = split_statements(&q);
        let n = pieces.len();
        assert!(
            pieces
                .iter()
                .take(n.saturating_sub(1))
                .all(|(_, done)| *done),
            "{q:?}"
        );
        runs += 1;
    }
    assert!(runs > 12000, "{runs}");
}

#[test]
fn a_line_runs_as_psql_runs_it() {
    use super::{help, line_actions, meta_command, Action, PsqlState};
    let sql = |t: &str, complete: bool, expanded_once: bool| Action::Sql {
        text: t.into(),
        complete,
        expanded_once,
    };
    let mut st = PsqlState::default();
    let c = crate::sim::Cluster::new(0);
    let h = c.host_id("primary").expect("the primary exists");
    // Several statements run one after another; a line of only `;` is an empty query.
    assert_eq!(
        line_actions(
            &mut st,
            "CREATE TABLE t (a int); INSERT INTO t VALUES (1); SELECT 'after';"
        ),
        vec![
            sql("CREATE TABLE t (a int)", true, false),
            sql("INSERT INTO t VALUES (1)", true, false),
            sql("SELECT 'after'", true, false)
        ]
    );
    assert_eq!(line_actions(&mut st, ";"), vec![]);
    // `\x;` is an unknown command; the query before it stays in the buffer and the
    // next line continues it (psql 15: "invalid command \x;", then the next statement
    // is line 2 of the same query).
    assert_eq!(
        line_actions(&mut st, "SELECT * FROM pg_stat_wal_receiver \\x;"),
        vec![Action::Meta("x;".into())]
    );
    assert_eq!(
        meta_command(&c, h, &mut st, "x;"),
        "invalid command \\x;\nTry \\? for help.\n"
    );
    assert_eq!(
        line_actions(&mut st, "SELECT 2;"),
        vec![sql(
            "SELECT * FROM pg_stat_wal_receiver \nSELECT 2",
            true,
            false
        )]
    );
    // \gx sends the buffer once with expanded output; a BOM is dropped.
    assert_eq!(
        line_actions(&mut st, "\u{feff}SELECT 1; SELECT 2 \\gx"),
        vec![sql("SELECT 1", true, false), sql("SELECT 2 ", true, true)]
    );
    assert_eq!(st.buffer, None);
    // A backslash inside quotes or comments is SQL.
    assert_eq!(
        line_actions(&mut st, "SELECT '\\x' -- \\x\n;"),
        vec![sql("SELECT '\\x' -- \\x\n", true, false)]
    );
    assert!(
        help(&st).contains("  \\x [on|off]            toggle expanded output (currently off)\n")
    );
    assert_eq!(meta_command(&c, h, &mut st, "?"), help(&st));
}

mod tail {
    use super::super::tail::Tail;
    use crate::script::sql_complete;
    use proptest::prelude::*;

    /// Feeds `lines` to a [`Tail`] as a script's statement grows, checking after each
    /// line that it answers what a rescan of the whole text answers.
    fn agrees(lines: &[String]) -> Result<(), TestCaseError> {
        let mut tail = Tail::default();
        let mut text = String::new();
        for (k, line) in lines.iter().enumerate() {
            if k > 0 {
                text.push('\n');
            }
            text.push_str(line);
            tail.feed(&text);
            prop_assert_eq!(tail.complete(), sql_complete(&text), "{:?}", text);
        }
        Ok(())
    }

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_statement_growing_line_by_line_completes_where_psql_would_run_it() {
        for case in [
            lines(&["INSERT INTO t VALUES ('a;", "b;", "c');"]),
            lines(&["SELECT 'a'", "'b;'", ";"]),
            lines(&["SELECT 'a' -- c", "  'b';"]),
            lines(&["SELECT $x$ ;", "$x", "$x$;"]),
            lines(&["SELECT E'\\", "';", "';"]),
            lines(&["SELECT /* /* ; */", "; */ 1;", "-- done"]),
            lines(&["SELECT (1;", "2);"]),
            lines(&["SELECT \"a;", "b\";"]),
            lines(&["SELECT 1", "\\g"]),
        ] {
            agrees(&case).unwrap();
        }
        let mut t = Tail::default();
        t.feed("INSERT INTO t VALUES ('a;");
        assert!(!t.complete());
        t.feed("INSERT INTO t VALUES ('a;\nb');");
        assert!(t.complete());
    }

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "'", "''", "\"", "$$", "$a$", "$a", "E'", "e'", "xe'", "\\", ";", "(", ")", "--", "-",
            "/*", "*/", "/", "*", " ", "x", "1", "\n", "\n'", "' \n  '",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn a_tail_answers_as_a_rescan_of_the_whole_text(pieces in prop::collection::vec(piece(), 0..40)) {
            let text: String = pieces.concat();
            let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
            agrees(&lines)?;
        }
    }
}
