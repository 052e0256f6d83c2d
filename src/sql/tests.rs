//! The parser's tests: statements, and errors with their positions and hints.

use super::error::{positionless, STACK_DEPTH};
use super::gram::{binary, call, cast, empty_select};
use super::keywords::{AS_LABEL, COL_NAME, RESERVED, TYPE_FUNC, UNRESERVED};
use super::scansup::until_nul;
use super::*;

fn sel(sql: &str) -> Select {
    match parse(sql) {
        Ok(Statement::Select(s)) => s,
        other => panic!("{sql}: {other:?}"),
    }
}

fn stmt(sql: &str) -> Statement {
    match parse(sql) {
        Ok(s) => s,
        Err(e) => panic!("{sql}: {e:?}"),
    }
}

fn err(sql: &str) -> ServerError {
    match parse(sql) {
        Err(e) => e,
        Ok(s) => panic!("{sql}: parsed as {s:?}"),
    }
}

fn col(n: &str) -> Expr {
    Expr::Column {
        table: None,
        name: n.into(),
    }
}

fn s(v: &str) -> Expr {
    Expr::String(v.into())
}

fn item(e: Expr) -> SelectItem {
    SelectItem::Expr {
        expr: e,
        alias: None,
    }
}

fn aliased(e: Expr, a: &str) -> SelectItem {
    SelectItem::Expr {
        expr: e,
        alias: Some(a.into()),
    }
}

fn table(n: &str) -> FromItem {
    FromItem::Table {
        name: n.into(),
        alias: None,
    }
}

fn select(items: Vec<SelectItem>, from: Vec<FromItem>) -> Select {
    Select {
        items,
        from,
        ..empty_select()
    }
}

fn values(v: &[&str]) -> SetValue {
    SetValue::Values(v.iter().map(|s| s.to_string()).collect())
}

/// `position: None` expects the end of the input, or no position at all for the errors
/// the server sends without one.
fn check_err(sql: &str, message: &str, position: Option<usize>) {
    let e = err(sql);
    assert_eq!(e.message, message, "{sql}");
    let end = (!positionless(message)).then(|| until_nul(sql).chars().count());
    assert_eq!(e.position, position.or(end), "{sql}");
}

#[test]
fn lab_selects() {
    assert_eq!(
        sel("SELECT pg_current_wal_lsn();"),
        select(vec![item(call("pg_current_wal_lsn", vec![]))], vec![])
    );
    assert_eq!(
        sel("SELECT * FROM pg_stat_replication;"),
        select(
            vec![SelectItem::Wildcard],
            vec![table("pg_stat_replication")]
        )
    );
    let q = sel("select application_name, state, sync_state from pg_stat_replication order by 1;");
    assert_eq!(
        q.items,
        vec![
            item(col("application_name")),
            item(col("state")),
            item(col("sync_state"))
        ]
    );
    assert_eq!(
        q.order_by,
        vec![OrderBy {
            expr: Expr::Integer(1),
            descending: false
        }]
    );
    assert_eq!(
        sel("SELECT pg_walfile_name('0/3000060');").items,
        vec![item(call("pg_walfile_name", vec![s("0/3000060")]))]
    );
    assert_eq!(
        sel("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS lag_bytes FROM pg_stat_replication;"),
        select(
            vec![aliased(
                call("pg_wal_lsn_diff", vec![call("pg_current_wal_lsn", vec![]), col("replay_lsn")]),
                "lag_bytes"
            )],
            vec![table("pg_stat_replication")]
        )
    );
    assert_eq!(
        sel("SELECT pg_create_physical_replication_slot('replica1', true);").items,
        vec![item(call(
            "pg_create_physical_replication_slot",
            vec![s("replica1"), Expr::Bool(true)]
        ))]
    );
    assert_eq!(
        sel("SELECT * FROM pg_create_physical_replication_slot('r2');").from,
        vec![FromItem::Function {
            call: call("pg_create_physical_replication_slot", vec![s("r2")]),
            alias: None,
            column_alias: None
        }]
    );
    let q = sel("SELECT slot_name, wal_status FROM pg_replication_slots WHERE active;");
    assert_eq!(q.filter, Some(col("active")));
    assert_eq!(q.from, vec![table("pg_replication_slots")]);
    assert_eq!(
        sel("SELECT timeline_id FROM pg_control_checkpoint();"),
        select(
            vec![item(col("timeline_id"))],
            vec![FromItem::Function {
                call: call("pg_control_checkpoint", vec![]),
                alias: None,
                column_alias: None
            }]
        )
    );
    assert_eq!(
        sel("SELECT pg_promote();").items,
        vec![item(call("pg_promote", vec![]))]
    );
    assert_eq!(
        sel("SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_is_in_recovery();")
            .items,
        vec![
            item(call("pg_last_wal_receive_lsn", vec![])),
            item(call("pg_last_wal_replay_lsn", vec![])),
            item(call("pg_is_in_recovery", vec![])),
        ]
    );
    assert_eq!(
        sel("SELECT count(*) FROM test;"),
        select(
            vec![item(Expr::Call {
                name: "count".into(),
                args: vec![],
                star: true,
                distinct: false
            })],
            vec![table("test")]
        )
    );
    assert_eq!(
        sel("SELECT '0/3000060'::pg_lsn - '0/3000000';").items,
        vec![item(binary(
            BinaryOp::Sub,
            cast(s("0/3000060"), "pg_lsn"),
            s("0/3000000")
        ))]
    );
    assert_eq!(
        sel("SELECT now() - pg_last_xact_replay_timestamp() AS delay;").items,
        vec![aliased(
            binary(
                BinaryOp::Sub,
                Expr::Now,
                call("pg_last_xact_replay_timestamp", vec![])
            ),
            "delay"
        )]
    );
}

#[test]
fn lab_writes() {
    assert_eq!(
        stmt("CREATE TABLE test (id INT);"),
        Statement::CreateTable {
            name: "test".into(),
            if_not_exists: false,
            columns: vec![ColumnDef {
                name: "id".into(),
                type_name: "int".into(),
                primary_key: false,
                not_null: false
            }]
        }
    );
    let Statement::CreateTable { columns, .. } = stmt("CREATE TABLE big (id int, pad text);")
    else {
        panic!()
    };
    assert_eq!(
        columns
            .iter()
            .map(|c| c.type_name.as_str())
            .collect::<Vec<_>>(),
        ["int", "text"]
    );
    assert_eq!(
        stmt("INSERT INTO test VALUES (1), (2);"),
        Statement::Insert {
            table: "test".into(),
            columns: vec![],
            source: InsertSource::Values(vec![vec![Expr::Integer(1)], vec![Expr::Integer(2)]])
        }
    );
    assert_eq!(
        stmt("INSERT INTO test SELECT generate_series(1,1000);"),
        Statement::Insert {
            table: "test".into(),
            columns: vec![],
            source: InsertSource::Query(Box::new(select(
                vec![item(call(
                    "generate_series",
                    vec![Expr::Integer(1), Expr::Integer(1000)]
                ))],
                vec![]
            )))
        }
    );
    assert_eq!(
        stmt("INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 200000) g;"),
        Statement::Insert {
            table: "big".into(),
            columns: vec![],
            source: InsertSource::Query(Box::new(select(
                vec![
                    item(col("g")),
                    item(call("repeat", vec![s("x"), Expr::Integer(500)]))
                ],
                vec![FromItem::Function {
                    call: call(
                        "generate_series",
                        vec![Expr::Integer(1), Expr::Integer(200000)]
                    ),
                    alias: Some("g".into()),
                    column_alias: None
                }]
            )))
        }
    );
    assert_eq!(
        stmt("UPDATE test SET id = 3 WHERE id = 2;"),
        Statement::Update {
            table: "test".into(),
            assignments: vec![("id".into(), Expr::Integer(3))],
            filter: Some(binary(BinaryOp::Eq, col("id"), Expr::Integer(2)))
        }
    );
    assert_eq!(
        stmt("DELETE FROM test WHERE id = 3;"),
        Statement::Delete {
            table: "test".into(),
            filter: Some(binary(BinaryOp::Eq, col("id"), Expr::Integer(3)))
        }
    );
    assert_eq!(stmt("CHECKPOINT;"), Statement::Checkpoint);
    assert_eq!(
        stmt("INSERT INTO t DEFAULT VALUES"),
        Statement::Insert {
            table: "t".into(),
            columns: vec![],
            source: InsertSource::DefaultValues
        }
    );
    let Statement::Insert { columns, .. } = stmt("INSERT INTO t (a, \"B\") VALUES (1, 2)") else {
        panic!()
    };
    assert_eq!(columns, ["a", "B"]);
    check_err(
        "INSERT INTO t (a) DEFAULT VALUES",
        "syntax error at or near \"DEFAULT\"",
        Some(18),
    );
}

#[test]
fn lab_settings_and_roles() {
    let sys = |sql: &str| match stmt(sql) {
        Statement::AlterSystem { name, value } => (name, value),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        sys("ALTER SYSTEM SET wal_level = 'replica';"),
        ("wal_level".into(), Some(values(&["replica"])))
    );
    assert_eq!(
        sys("ALTER SYSTEM SET synchronous_standby_names TO 'FIRST 1 (s1, s2)';"),
        (
            "synchronous_standby_names".into(),
            Some(values(&["FIRST 1 (s1, s2)"]))
        )
    );
    assert_eq!(
        sys("ALTER SYSTEM SET listen_addresses = '*';").1,
        Some(values(&["*"]))
    );
    assert_eq!(
        sys("ALTER SYSTEM RESET wal_keep_size;"),
        ("wal_keep_size".into(), None)
    );
    assert_eq!(sys("ALTER SYSTEM RESET ALL"), ("all".into(), None));
    assert_eq!(
        sys("ALTER SYSTEM SET max_slot_wal_keep_size = '1GB';").1,
        Some(values(&["1GB"]))
    );
    assert_eq!(
        sys("ALTER SYSTEM SET max_slot_wal_keep_size = 1024;").1,
        Some(values(&["1024"]))
    );
    assert_eq!(
        sys("ALTER SYSTEM SET max_slot_wal_keep_size = -1").1,
        Some(values(&["-1"]))
    );
    assert_eq!(sys("ALTER SYSTEM SET x = 0.50").1, Some(values(&["0.50"])));
    assert_eq!(sys("ALTER SYSTEM SET x = 007").1, Some(values(&["7"])));
    assert_eq!(
        sys("ALTER SYSTEM SET wal_level TO DEFAULT").1,
        Some(SetValue::Default)
    );
    assert_eq!(
        sys("ALTER SYSTEM SET synchronous_standby_names = s1, \"S2\"").1,
        Some(values(&["s1", "S2"]))
    );
    check_err(
        "ALTER SYSTEM SET wal_keep_size = 1GB",
        "trailing junk after numeric literal at or near \"1G\"",
        Some(33),
    );
    check_err(
        "ALTER SYSTEM SET wal_level replica",
        "syntax error at or near \"replica\"",
        Some(27),
    );

    assert_eq!(
        stmt("SHOW wal_level;"),
        Statement::Show {
            name: "wal_level".into()
        }
    );
    assert_eq!(stmt("SHOW ALL"), Statement::Show { name: "all".into() });
    assert_eq!(
        stmt("show time zone"),
        Statement::Show {
            name: "timezone".into()
        }
    );
    assert_eq!(
        stmt("SET synchronous_commit = remote_apply;"),
        Statement::Set {
            name: "synchronous_commit".into(),
            value: values(&["remote_apply"]),
            local: false
        }
    );
    assert_eq!(
        stmt("SET synchronous_commit TO off;"),
        Statement::Set {
            name: "synchronous_commit".into(),
            value: values(&["off"]),
            local: false
        }
    );
    assert_eq!(
        stmt("SET LOCAL synchronous_commit TO on"),
        Statement::Set {
            name: "synchronous_commit".into(),
            value: values(&["on"]),
            local: true
        }
    );
    assert_eq!(
        stmt("SET SESSION work_mem TO DEFAULT"),
        Statement::Set {
            name: "work_mem".into(),
            value: SetValue::Default,
            local: false
        }
    );
    assert_eq!(
        stmt("RESET synchronous_commit"),
        Statement::Reset {
            name: "synchronous_commit".into()
        }
    );
    assert_eq!(stmt("RESET ALL"), Statement::Reset { name: "all".into() });

    assert_eq!(
        stmt("CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';"),
        Statement::CreateRole {
            name: "replicator".into(),
            options: vec![
                RoleOption::Replication(true),
                RoleOption::Login(true),
                RoleOption::Password(Some("secret".into()))
            ],
            is_user: false
        }
    );
    assert_eq!(
        stmt("CREATE USER replicator REPLICATION ENCRYPTED PASSWORD 'x';"),
        Statement::CreateRole {
            name: "replicator".into(),
            options: vec![
                RoleOption::Replication(true),
                RoleOption::EncryptedPassword("x".into())
            ],
            is_user: true
        }
    );
    assert_eq!(
        stmt("ALTER ROLE r WITH NOLOGIN CONNECTION LIMIT -1 PASSWORD NULL NOINHERIT"),
        Statement::AlterRole {
            name: "r".into(),
            options: vec![
                RoleOption::Login(false),
                RoleOption::ConnectionLimit(-1),
                RoleOption::Password(None),
                RoleOption::Inherit(false)
            ]
        }
    );
    assert_eq!(
        stmt("DROP ROLE IF EXISTS a, b"),
        Statement::DropRole {
            names: vec!["a".into(), "b".into()],
            if_exists: true
        }
    );
    check_err(
        "CREATE ROLE r WITH LOGINN",
        "unrecognized role option \"loginn\"",
        Some(19),
    );
    check_err(
        "CREATE ROLE r WITH LOGIN NOLOGIN",
        "conflicting or redundant options",
        Some(25),
    );
    check_err(
        "CREATE ROLE r WITH data",
        "syntax error at or near \"data\"",
        Some(19),
    );
    check_err(
        "CREATE ROLE public",
        "role name \"public\" is reserved",
        Some(12),
    );
    check_err(
        "CREATE ROLE current_user",
        "CURRENT_USER cannot be used as a role name here",
        Some(12),
    );
    check_err(
        "CREATE USER user",
        "syntax error at or near \"user\"",
        Some(12),
    );
    let e = err("CREATE ROLE r UNENCRYPTED PASSWORD 'x'");
    assert_eq!(e.message, "UNENCRYPTED PASSWORD is no longer supported");
    assert_eq!(e.position, Some(14));
    assert_eq!(
        e.hint.as_deref(),
        Some("Remove UNENCRYPTED to store the password in encrypted form instead.")
    );
    check_err(
        "DROP ROLE public",
        "cannot use special role specifier in DROP ROLE",
        None,
    );
    assert_eq!(err("DROP ROLE public").position, None);
}

#[test]
fn lab_errors() {
    let e = err("SELEC 1");
    assert_eq!(e.message, "syntax error at or near \"SELEC\"");
    assert_eq!(e.position, Some(0));
    let e = err("SELECT * FROM");
    assert_eq!(
        (e.message.as_str(), e.position),
        ("syntax error at end of input", Some(13))
    );
    check_err(
        "INSERT INTO test VALUES (1",
        "syntax error at end of input",
        None,
    );
    check_err(
        "SELECT 'abc",
        "unterminated quoted string at or near \"'abc\"",
        Some(7),
    );
    check_err(
        "CREATE TABEL t (id int)",
        "syntax error at or near \"TABEL\"",
        Some(7),
    );
    // psql sends the ';', so callers that pass it get the server's exact text.
    check_err("SELECT * FROM;", "syntax error at or near \";\"", Some(13));
    check_err(
        "CREATE TABLE user (id int)",
        "syntax error at or near \"user\"",
        Some(13),
    );
    check_err(
        "CREATE TABLE t (id int,)",
        "syntax error at or near \")\"",
        Some(23),
    );
    check_err(
        "SELECT * FORM test",
        "syntax error at or near \"FORM\"",
        Some(9),
    );
    check_err(
        "SELECT a FORM test",
        "syntax error at or near \"test\"",
        Some(14),
    );
    check_err("DELETE test", "syntax error at or near \"test\"", Some(7));
    check_err(
        "UPDATE test SET id = 3 WHERE",
        "syntax error at end of input",
        None,
    );
    check_err("SELECT 1 2", "syntax error at or near \"2\"", Some(9));
    check_err(
        "SELECT 1 = 2 = 3",
        "syntax error at or near \"=\"",
        Some(13),
    );
    check_err(
        "SELECT a < b < c",
        "syntax error at or near \"<\"",
        Some(13),
    );
    check_err(
        "SELECT x IS NULL IS NULL",
        "syntax error at or near \"IS\"",
        Some(17),
    );
    check_err(
        "SELECT 123abc",
        "trailing junk after numeric literal at or near \"123a\"",
        Some(7),
    );
    check_err(
        "SELECT 1.5e",
        "trailing junk after numeric literal at or near \"1.5e\"",
        Some(7),
    );
    check_err(
        "SELECT 1e+",
        "trailing junk after numeric literal at or near \"1e+\"",
        Some(7),
    );
    check_err(
        "SELECT $1a",
        "trailing junk after parameter at or near \"$1a\"",
        Some(7),
    );
    check_err("SELECT $1", "there is no parameter $1", Some(7));
    check_err(
        "SELECT \"\"",
        "zero-length delimited identifier at or near \"\"\"\"",
        Some(7),
    );
    check_err(
        "SELECT \"abc",
        "unterminated quoted identifier at or near \"\"abc\"",
        Some(7),
    );
    check_err(
        "SELECT 1 /* x",
        "unterminated /* comment at or near \"/* x\"",
        Some(9),
    );
    check_err(
        "SELECT $$abc",
        "unterminated dollar-quoted string at or near \"$$abc\"",
        Some(7),
    );
    check_err(
        "SELECT E'ab",
        "unterminated quoted string at or near \"E'ab\"",
        Some(7),
    );
    check_err(
        "SELECT B'01",
        "unterminated bit string literal at or near \"B'01\"",
        Some(7),
    );
    check_err(
        "SELECT X'1",
        "unterminated hexadecimal string literal at or near \"X'1\"",
        Some(7),
    );
    check_err("SELECT E'\\u00'", "invalid Unicode escape", Some(9));
    check_err(
        "SELECT E'\\u0000'",
        "invalid Unicode escape value at or near \"\\u0000\"",
        Some(9),
    );
    check_err(
        "SELECT E'\\uD800x'",
        "invalid Unicode surrogate pair at or near \"x\"",
        Some(15),
    );
    check_err(
        "SELECT E'\\xff'",
        "invalid byte sequence for encoding \"UTF8\": 0xff",
        None,
    );
    check_err(
        "SELECT E'\\0'",
        "invalid byte sequence for encoding \"UTF8\": 0x00",
        None,
    );
    // A syntax error before a lexical one wins, as the server lexes lazily.
    check_err("SELEC 'abc", "syntax error at or near \"SELEC\"", Some(0));
    check_err(
        "SELECT * FROM t WHERE a AND",
        "syntax error at end of input",
        None,
    );
    check_err(
        "SELECT * FROM t WHERE a IS",
        "syntax error at end of input",
        None,
    );
    check_err("SELECT f(a AND)", "syntax error at or near \")\"", Some(14));
    check_err("SELECT 1 {", "syntax error at or near \"{\"", Some(9));
    check_err("SELECT left", "syntax error at end of input", None);
    check_err(
        "SELECT left FROM t",
        "syntax error at or near \"FROM\"",
        Some(12),
    );
    check_err("SELECT int(5)", "syntax error at or near \"(\"", Some(10));
    check_err(
        "SELECT DISTINCT FROM t",
        "syntax error at or near \"FROM\"",
        Some(16),
    );
    check_err(
        "SELECT 1 LIMIT 1, 2",
        "LIMIT #,# syntax is not supported",
        Some(9),
    );
    assert_eq!(
        err("SELECT 1 LIMIT 1, 2").hint.as_deref(),
        Some("Use separate LIMIT and OFFSET clauses.")
    );
    check_err(
        "SELECT DEFAULT",
        "DEFAULT is not allowed in this context",
        Some(7),
    );
    check_err("", "empty query", None);
    check_err(
        "SELECT 'a' 'b'",
        "syntax error at or near \"'b'\"",
        Some(11),
    );
    check_err(
        "SELECT 1 FROM t JOIN u ON true",
        "walscope does not support JOIN",
        Some(16),
    );
    check_err("SELECT * FROM t LEFT", "syntax error at end of input", None);
    check_err(
        "SELECT * FROM t LEFT x",
        "syntax error at or near \"x\"",
        Some(21),
    );
    check_err(
        "SELECT * FROM t NATURAL LEFT OUTER JOIN u",
        "walscope does not support JOIN",
        Some(16),
    );
    check_err("VACUUM", "walscope does not support VACUUM", Some(0));
    check_err(
        "CREATE INDEX i ON t (a)",
        "walscope does not support CREATE INDEX",
        Some(0),
    );
}

#[test]
fn create_table_details() {
    let cols = |sql: &str| match stmt(sql) {
        Statement::CreateTable { columns, .. } => columns,
        other => panic!("{other:?}"),
    };
    let c = cols(
        "CREATE TABLE IF NOT EXISTS public.t (id serial PRIMARY KEY, name varchar(20) NOT NULL, \
         at timestamp with time zone, n numeric(10, 2), \"Big\" BIGINT NULL, d double precision, \
         tags text[])",
    );
    let got: Vec<(&str, &str, bool, bool)> = c
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.type_name.as_str(),
                c.primary_key,
                c.not_null,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("id", "serial", true, true),
            ("name", "varchar(20)", false, true),
            ("at", "timestamp with time zone", false, false),
            ("n", "numeric(10,2)", false, false),
            ("Big", "bigint", false, false),
            ("d", "double precision", false, false),
            ("tags", "text[]", false, false),
        ]
    );
    let c = cols("CREATE TABLE t (a int, b int, CONSTRAINT pk PRIMARY KEY (b))");
    assert!(!c[0].primary_key && c[1].primary_key && c[1].not_null);
    assert_eq!(cols("CREATE TABLE t ()"), vec![]);
    check_err(
        "CREATE TABLE t (a int PRIMARY KEY, b int PRIMARY KEY)",
        "multiple primary keys for table \"t\" are not allowed",
        Some(41),
    );
    check_err(
        "CREATE TABLE t (a int, PRIMARY KEY (x))",
        "column \"x\" named in key does not exist",
        Some(23),
    );
    check_err(
        "CREATE TABLE t (a int NOT NULL NULL)",
        "conflicting NULL/NOT NULL declarations for column \"a\" of table \"t\"",
        Some(31),
    );
    check_err(
        "CREATE TABLE t (a int DEFAULT 1)",
        "walscope does not support column DEFAULT clauses",
        Some(22),
    );
    assert_eq!(
        stmt("DROP TABLE IF EXISTS a, public.b CASCADE"),
        Statement::DropTable {
            names: vec!["a".into(), "b".into()],
            if_exists: true
        }
    );
    assert_eq!(
        stmt("TRUNCATE TABLE a, ONLY b"),
        Statement::Truncate {
            names: vec!["a".into(), "b".into()]
        }
    );
}

#[test]
fn expressions() {
    let e = |sql: &str| match sel(&format!("SELECT {sql}")).items.pop() {
        Some(SelectItem::Expr { expr, .. }) => expr,
        other => panic!("{other:?}"),
    };
    let i = Expr::Integer;
    assert_eq!(
        e("1 + 2 * 3"),
        binary(BinaryOp::Add, i(1), binary(BinaryOp::Mul, i(2), i(3)))
    );
    assert_eq!(
        e("1 - 2 - 3"),
        binary(BinaryOp::Sub, binary(BinaryOp::Sub, i(1), i(2)), i(3))
    );
    assert_eq!(
        e("'a' || 1 + 2"),
        binary(BinaryOp::Concat, s("a"), binary(BinaryOp::Add, i(1), i(2)))
    );
    assert_eq!(
        e("NOT a = b AND c"),
        binary(
            BinaryOp::And,
            Expr::Unary {
                op: UnaryOp::Not,
                expr: Box::new(binary(BinaryOp::Eq, col("a"), col("b")))
            },
            col("c")
        )
    );
    assert_eq!(
        e("a OR b AND c"),
        binary(
            BinaryOp::Or,
            col("a"),
            binary(BinaryOp::And, col("b"), col("c"))
        )
    );
    assert_eq!(e("-5"), i(-5));
    assert_eq!(e("-9223372036854775808"), i(i64::MIN));
    assert_eq!(
        e("9223372036854775808"),
        Expr::Numeric("9223372036854775808".into())
    );
    assert_eq!(e("1.5"), Expr::Numeric("1.5".into()));
    assert_eq!(e("-1.5"), Expr::Numeric("-1.5".into()));
    assert_eq!(e(".5e3"), Expr::Numeric(".5e3".into()));
    assert_eq!(
        e("-x::int"),
        Expr::Unary {
            op: UnaryOp::Neg,
            expr: Box::new(cast(col("x"), "int"))
        }
    );
    assert_eq!(e("a <> b"), binary(BinaryOp::NotEq, col("a"), col("b")));
    assert_eq!(e("a != b"), binary(BinaryOp::NotEq, col("a"), col("b")));
    assert_eq!(
        e("x IS NOT NULL"),
        Expr::IsNull {
            expr: Box::new(col("x")),
            negated: true
        }
    );
    assert_eq!(
        e("x ISNULL"),
        Expr::IsNull {
            expr: Box::new(col("x")),
            negated: false
        }
    );
    assert_eq!(
        e("a = b IS NULL"),
        Expr::IsNull {
            expr: Box::new(binary(BinaryOp::Eq, col("a"), col("b"))),
            negated: false
        }
    );
    assert_eq!(
        e("x NOT IN (1, 2)"),
        Expr::InList {
            expr: Box::new(col("x")),
            list: vec![i(1), i(2)],
            negated: true
        }
    );
    assert_eq!(
        e("x BETWEEN 1 AND 2 AND y"),
        binary(
            BinaryOp::And,
            Expr::Between {
                expr: Box::new(col("x")),
                low: Box::new(i(1)),
                high: Box::new(i(2)),
                negated: false
            },
            col("y")
        )
    );
    assert_eq!(
        e("name NOT LIKE 'wal%'"),
        Expr::Like {
            expr: Box::new(col("name")),
            pattern: Box::new(s("wal%")),
            negated: true
        }
    );
    assert_eq!(
        e("CASE WHEN a THEN 1 ELSE 2 END"),
        Expr::Case {
            operand: None,
            whens: vec![(col("a"), i(1))],
            else_: Some(Box::new(i(2)))
        }
    );
    assert_eq!(
        e("CASE x WHEN 1 THEN 'one' END"),
        Expr::Case {
            operand: Some(Box::new(col("x"))),
            whens: vec![(i(1), s("one"))],
            else_: None
        }
    );
    assert_eq!(e("CAST(x AS text)"), cast(col("x"), "text"));
    assert_eq!(e("interval '1 s'"), cast(s("1 s"), "interval"));
    assert_eq!(e("pg_lsn '0/3000060'"), cast(s("0/3000060"), "pg_lsn"));
    assert_eq!(
        e("timestamptz '2024-01-01'"),
        cast(s("2024-01-01"), "timestamptz")
    );
    assert_eq!(
        e("timestamp with time zone 'x'"),
        cast(s("x"), "timestamp with time zone")
    );
    assert_eq!(e("'1'::int::text"), cast(cast(s("1"), "int"), "text"));
    assert_eq!(e("x::pg_catalog.int4"), cast(col("x"), "int4"));
    assert_eq!(e("current_timestamp"), Expr::Now);
    assert_eq!(e("pg_catalog.now()"), Expr::Now);
    assert_eq!(e("current_user"), call("current_user", vec![]));
    assert_eq!(
        e("t.a"),
        Expr::Column {
            table: Some("t".into()),
            name: "a".into()
        }
    );
    assert_eq!(e("\"MiXed\""), col("MiXed"));
    assert_eq!(e("UPPER(x)"), call("upper", vec![col("x")]));
    assert_eq!(
        e("count(DISTINCT x)"),
        Expr::Call {
            name: "count".into(),
            args: vec![col("x")],
            star: false,
            distinct: true
        }
    );
    assert_eq!(e("coalesce(a, 0)"), call("coalesce", vec![col("a"), i(0)]));
    assert_eq!(
        e("extract(epoch FROM now() - t)"),
        call(
            "extract",
            vec![s("epoch"), binary(BinaryOp::Sub, Expr::Now, col("t"))]
        )
    );
    assert_eq!(
        e("substring(x from 2 for 3)"),
        call("substring", vec![col("x"), i(2), i(3)])
    );
    assert_eq!(
        e("position('a' in x)"),
        call("position", vec![col("x"), s("a")])
    );
    assert_eq!(e("left('abc', 1)"), call("left", vec![s("abc"), i(1)]));
    assert_eq!(e("E'a\\nb\\''"), s("a\nb'"));
    assert_eq!(e("'it''s'"), s("it's"));
    assert_eq!(e("'a'\n  'b'"), s("ab"));
    assert_eq!(e("$$x'y$$"), s("x'y"));
    assert_eq!(e("$t$a$$b$t$"), s("a$$b"));
    assert_eq!(e("E'\\u00e9\\xC3\\xA9\\101'"), s("ééA"));
    assert_eq!(e("E'\\uD83D\\uDE00'"), s("😀"));
    assert_eq!(e("true"), Expr::Bool(true));
    assert_eq!(e("NULL"), Expr::Null);
    // Bare column labels, as PostgreSQL 14+ allows.
    let q = sel("SELECT 1 one, 2 AS \"Two\", 3 select, 4 and");
    let labels: Vec<Option<String>> = q
        .items
        .iter()
        .map(|i| match i {
            SelectItem::Expr { alias, .. } => alias.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(
        labels,
        vec![
            Some("one".into()),
            Some("Two".into()),
            Some("select".into()),
            Some("and".into())
        ]
    );
    assert_eq!(
        sel("SELECT t.* FROM t").items,
        vec![SelectItem::QualifiedWildcard("t".into())]
    );
}

#[test]
fn select_clauses() {
    let q = sel(
        "SELECT DISTINCT a, count(*) FROM t x, generate_series(1, 10) AS g(i) WHERE a > 1 \
         GROUP BY a ORDER BY 2 DESC, a ASC OFFSET 5 LIMIT 10",
    );
    assert!(q.distinct);
    assert_eq!(
        q.from,
        vec![
            FromItem::Table {
                name: "t".into(),
                alias: Some("x".into())
            },
            FromItem::Function {
                call: call("generate_series", vec![Expr::Integer(1), Expr::Integer(10)]),
                alias: Some("g".into()),
                column_alias: Some("i".into())
            }
        ]
    );
    assert_eq!(q.group_by, vec![col("a")]);
    assert_eq!(
        q.order_by,
        vec![
            OrderBy {
                expr: Expr::Integer(2),
                descending: true
            },
            OrderBy {
                expr: col("a"),
                descending: false
            }
        ]
    );
    assert_eq!(
        (q.limit, q.offset),
        (Some(Expr::Integer(10)), Some(Expr::Integer(5)))
    );
    assert_eq!(
        sel("SELECT 1 FETCH FIRST 3 ROWS ONLY").limit,
        Some(Expr::Integer(3))
    );
    assert_eq!(sel("SELECT 1 LIMIT ALL").limit, None);
    assert_eq!(sel("(SELECT 1) ORDER BY 1").order_by.len(), 1);
    // PostgreSQL accepts an empty target list.
    assert_eq!(sel("SELECT;"), empty_select());
    assert_eq!(sel("SELECT FROM t").from, vec![table("t")]);
    assert_eq!(stmt("TABLE t;"), Statement::Table { name: "t".into() });
    assert_eq!(sel("TABLE t LIMIT 1").from, vec![table("t")]);
    assert_eq!(
        sel("SELECT * FROM pg_catalog.pg_stat_replication").from,
        vec![table("pg_stat_replication")]
    );
    check_err(
        "(SELECT 1 ORDER BY 1) ORDER BY 1",
        "multiple ORDER BY clauses not allowed",
        Some(31),
    );
    for t in ["BEGIN", "begin work", "START TRANSACTION"] {
        assert_eq!(stmt(t), Statement::Begin);
    }
    for t in ["COMMIT", "END", "commit transaction and no chain"] {
        assert_eq!(stmt(t), Statement::Commit);
    }
    for t in ["ROLLBACK", "ABORT", "rollback work"] {
        assert_eq!(stmt(t), Statement::Rollback);
    }
}

#[test]
fn keyword_lists_are_sorted() {
    for list in [RESERVED, TYPE_FUNC, COL_NAME, UNRESERVED, AS_LABEL] {
        for w in list.windows(2) {
            assert!(w[0] < w[1], "{} !< {}", w[0], w[1]);
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
            let minus = format!("SELECT {}1", "- ".repeat(5000));
            let nots = format!("SELECT {}true", "NOT ".repeat(5000));
            let ok = format!("SELECT {}1{}", "(".repeat(30), ")".repeat(30));
            (parse(&deep), parse(&minus), parse(&nots), parse(&ok))
        })
        .expect("spawn");
    let (deep, minus, nots, ok) = handle.join().expect("no stack overflow");
    for r in [deep, minus, nots] {
        assert_eq!(r.map_err(|e| e.message), Err(STACK_DEPTH.to_string()));
    }
    assert!(ok.is_ok());
}
