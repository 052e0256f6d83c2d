//! Hostile SQL and psql input, by family, then random mixtures of the families.

use proptest::prelude::*;

use super::{assert_sane, run_lines};

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2147483647",
    "-2147483648",
    "2147483648",
    "9223372036854775807",
    "-9223372036854775808",
    "(-9223372036854775808)",
    "99999999999999999999",
    "1e308",
    "'NaN'::numeric",
    "NULL",
];

/// Every operator between the extremes of each integer type, casts of each.
fn arithmetic() -> Vec<String> {
    let mut v = Vec::new();
    for a in NUMBERS {
        // One line of many statements per left operand: psql runs them one by one.
        let mut line = String::new();
        for b in NUMBERS {
            for op in ["+", "-", "*", "/", "%"] {
                line.push_str(&format!("SELECT {a} {op} {b}; "));
            }
        }
        v.push(line);
        v.push(format!(
            "SELECT -{a}, -({a}), {a}::int, {a}::bigint, {a}::text::int;"
        ));
        v.push(format!(
            "SELECT * FROM generate_series({a}, 9223372036854775807, 4611686018427387904);"
        ));
        v.push(format!("SELECT repeat('xx', {a});"));
        v.push(format!("SELECT now() + interval '{a} seconds';"));
        v.push(format!(
            "SELECT '0/0'::pg_lsn - 'FFFFFFFF/FFFFFFFF'::pg_lsn + {a};"
        ));
    }
    v
}

fn chain(n: usize, first: &str, sep: &str) -> String {
    format!("SELECT {first}{};", format!(" {sep} {first}").repeat(n - 1))
}

/// Long chains and deep nesting of every kind the grammar has.
fn chains() -> Vec<String> {
    let n = 20_000;
    vec![
        chain(n, "1", "+"),
        chain(n, "'a'", "||"),
        chain(n, "true", "AND"),
        chain(n, "false", "OR"),
        chain(n, "1", "<"),
        format!("SELECT 1{};", "::int".repeat(n)),
        format!("SELECT {}1{};", "(".repeat(n), ")".repeat(n)),
        format!("SELECT {}1;", "- ".repeat(n)),
        format!("SELECT {}true;", "NOT ".repeat(n)),
        format!("SELECT {}1{};", "coalesce(".repeat(n), ")".repeat(n)),
        format!(
            "SELECT {}1{};",
            "CASE WHEN true THEN ".repeat(2000),
            " END".repeat(2000)
        ),
        format!("SELECT 1 IN ({});", vec!["1"; n].join(", ")),
        format!("{}SELECT 1{};", "(".repeat(n), ")".repeat(n)),
        format!("SELECT {};", vec!["1"; n].join(", ")),
        format!("SELECT 'a' LIKE '{}b';", "%a".repeat(5000)),
        format!("INSERT INTO t VALUES {};", vec!["(1)"; n].join(", ")),
        format!("SELECT 1{}", ";".repeat(n)),
    ]
}

/// Statements that would build more than a browser holds.
fn sizes() -> Vec<String> {
    vec![
        "SELECT repeat('xx', 9223372036854775807);".into(),
        "SELECT repeat('xx', 2147483647);".into(),
        "SELECT length(repeat('x', 1048577));".into(),
        "SELECT count(*) FROM generate_series(1, 5000000);".into(),
        "SELECT * FROM generate_series(-9223372036854775808, 9223372036854775807);".into(),
        "SELECT count(*) FROM generate_series(1, 1000000) a, generate_series(1, 1000000) b;".into(),
        "INSERT INTO t SELECT repeat('x', g) FROM generate_series(1, 200000) g;".into(),
        "INSERT INTO t SELECT 'x' FROM generate_series(1, 1000000);".into(),
        "SELECT DISTINCT g FROM generate_series(1, 1000000) g;".into(),
        "SELECT g FROM generate_series(1, 1000000) g ORDER BY g DESC LIMIT 1;".into(),
        "SELECT repeat(repeat('x', 1000), 1000) || repeat('y', 100000);".into(),
    ]
}

/// Text no keyboard should send, and text a careless paste does.
fn odd_text() -> Vec<String> {
    vec![
        "SELECT 1;\0SELECT 2;".into(),
        "SELECT '\0';".into(),
        "SELECT 1;\r\nSELECT 2;\r\n".into(),
        "\u{feff}SELECT 1;".into(),
        "SELECT '🐘', \"🐘\" FROM t;".into(),
        "SELECT 'é' || 'ü' || '\u{fffd}';".into(),
        "SELECT 'unterminated".into(),
        "SELECT \"unterminated".into(),
        "SELECT $$unterminated".into(),
        "SELECT $a$unterminated $b$".into(),
        "SELECT E'\\".into(),
        "SELECT U&'\\d800';".into(),
        "SELECT 1 /* unterminated".into(),
        "/* /* nested */".into(),
        "-- only a comment".into(),
        "SELECT 'a' 'b';".into(),
        "SELECT 'a'\n'b';".into(),
        "SELECT $1;".into(),
        "SELECT x'zz';".into(),
        "SELECT 1e;".into(),
        "SELECT 0x;".into(),
        "SELECT ".into(),
        "\t\n ".into(),
    ]
}

/// psql's side of a line: meta-commands, empty queries, buffers left by a command.
fn psql() -> Vec<String> {
    vec![
        ";".into(),
        ";;;".into(),
        "\\?".into(),
        "\\".into(),
        "\\\\".into(),
        "\\x".into(),
        "\\x on off".into(),
        "\\x;".into(),
        "SELECT * FROM pg_stat_wal_receiver \\x;".into(),
        "SELECT 1 \\gx".into(),
        "\\gx".into(),
        "SELECT 1 \\g file".into(),
        "SELECT 1 \\x \\x".into(),
        "SELECT '\\x';".into(),
        "CREATE TABLE t2 (a int); INSERT INTO t2 VALUES (1); SELECT 'after';".into(),
    ]
}

fn run_family(cases: Vec<String>) {
    for case in cases {
        let short: String = case.chars().take(60).collect();
        let o = run_lines(vec!["CREATE TABLE t (a text);".into(), case]);
        assert_sane(&short, &o);
    }
}

#[test]
fn arithmetic_extremes() {
    run_family(arithmetic());
}

#[test]
fn long_chains_and_deep_nesting() {
    run_family(chains());
}

#[test]
fn huge_sizes() {
    run_family(sizes());
}

#[test]
fn odd_text_and_psql_commands() {
    run_family(odd_text());
    run_family(psql());
}

#[test]
fn the_reproducers_get_postgresql_answers() {
    let o = run_lines(vec![
        "SELECT (-9223372036854775808) / (-1);".into(),
        "SELECT (-9223372036854775808) % (-1);".into(),
        "SELECT 2147483647 + 1;".into(),
        "SELECT 1 / 0;".into(),
        "SELECT repeat('xx', 2147483647);".into(),
        chain(20_000, "1", "+"),
        "CREATE TABLE t (a text);".into(),
        "INSERT INTO t SELECT repeat('x', g) FROM generate_series(1, 200000) g;".into(),
        "SELECT count(*) FROM t;".into(),
        "CREATE TABLE u (a int); INSERT INTO u VALUES (1); SELECT 'after';".into(),
        ";".into(),
    ]);
    let t = &o.transcript;
    for expected in [
        "ERROR:  bigint out of range\n",
        "        0\n(1 row)\n",
        "ERROR:  integer out of range\n",
        "ERROR:  division by zero\n",
        "ERROR:  requested length too large\n",
        "ERROR:  stack depth limit exceeded\nHINT:  Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), after ensuring the platform's stack depth limit is adequate.\n",
        "ERROR:  out of memory\nDETAIL:  walscope handles at most 64 MB of rows in one statement.\n",
        "     0\n(1 row)\n",
        "CREATE TABLE\nINSERT 0 1\n ?column? \n----------\n after\n(1 row)\n",
        "primary=# ;\n",
    ] {
        assert!(t.contains(expected), "{expected}\n---\n{t}");
    }
    assert!(
        t.ends_with("primary=# ;\n"),
        "an empty query prints nothing\n{t}"
    );
    assert_sane("reproducers", &o);
}

fn fragment() -> impl Strategy<Value = String> {
    let all: Vec<String> = arithmetic()
        .into_iter()
        .flat_map(|l| {
            l.split("; ")
                .map(|s| format!("{s};"))
                .step_by(9)
                .collect::<Vec<_>>()
        })
        .chain(sizes())
        .chain(odd_text())
        .chain(psql())
        .chain(chains().into_iter().map(|c| c.chars().take(3000).collect()))
        .collect();
    prop::sample::select(all)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// Pieces of the families glued by what glues psql input: spaces, `;`, newlines,
    /// backslashes, quotes.
    #[test]
    fn mixtures_of_the_families(parts in prop::collection::vec(
        (fragment(), prop::sample::select(vec![" ", ";", "\n", "\r\n", " \\x ", "'", "\"", "/*", "\0"])),
        1..5,
    )) {
        let line: String = parts.iter().map(|(f, g)| format!("{f}{g}")).collect();
        let o = run_lines(vec!["CREATE TABLE t (a text);".into(), line.clone(), "SELECT 1;".into()]);
        let short: String = line.chars().take(80).collect();
        assert_sane(&short, &o);
    }
}
