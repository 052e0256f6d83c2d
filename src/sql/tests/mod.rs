//! The parser's tests: statements, and errors with their positions and hints.

mod errors;
mod expressions;
mod statements;

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
