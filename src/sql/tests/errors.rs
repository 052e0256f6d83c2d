//! Errors with their positions and hints, keyword tables, and the recursion guard.

use super::*;

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
            let sum = format!("SELECT 1{}", " + 1".repeat(20_000));
            let casts = format!("SELECT 1{}", "::int".repeat(20_000));
            let cat = format!("SELECT 'a'{}", " || 'a'".repeat(20_000));
            let ands = format!("SELECT true{}", " AND true".repeat(20_000));
            let short = format!("SELECT 1{}", " + 1".repeat(400));
            (
                [
                    parse(&deep),
                    parse(&minus),
                    parse(&nots),
                    parse(&sum),
                    parse(&casts),
                    parse(&cat),
                ],
                [parse(&ok), parse(&ands), parse(&short)],
            )
        })
        .expect("spawn");
    let (too_deep, ok) = handle.join().expect("no stack overflow");
    for r in too_deep {
        assert_eq!(r.map_err(|e| e.message), Err(STACK_DEPTH.to_string()));
    }
    for r in ok {
        assert!(r.is_ok());
    }
}
