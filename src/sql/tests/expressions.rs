//! Expressions and SELECT clauses.

use super::*;

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
