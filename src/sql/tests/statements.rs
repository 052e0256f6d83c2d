//! Statements as a lab types them: SELECT, writes, settings, roles, CREATE TABLE.

use super::*;

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
                not_null: false,
                unique: false,
                default: None,
            }],
            unique_keys: vec![],
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
        "CREATE TABLE t (a int CHECK (a > 0))",
        "walscope does not support column CHECK clauses",
        Some(22),
    );
    let Statement::CreateTable { columns, .. } = stmt("CREATE TABLE t (a int DEFAULT 1 NOT NULL);")
    else {
        panic!("not a CREATE TABLE")
    };
    assert_eq!(columns[0].default, Some(Expr::Integer(1)));
    assert!(
        columns[0].not_null,
        "NOT NULL after a DEFAULT is the column's"
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
