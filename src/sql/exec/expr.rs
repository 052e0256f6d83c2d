//! Evaluating an expression on one row.

use crate::sql::{BinaryOp, Expr, ServerError, UnaryOp};

use super::select::is_aggregate;
use super::value::{binary, cast, compare, int4, int8, like, type_name, Val};
use super::{Exec, Res, Rows};

impl Exec<'_> {
    pub(super) fn eval(&mut self, e: &Expr, rows: &Rows, row: &[Val]) -> Res<Val> {
        Ok(match e {
            Expr::Null => Val::Null,
            Expr::Default => {
                return Err(ServerError::new("DEFAULT is not allowed in this context"))
            }
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Integer(i) => Val::integer(*i),
            Expr::Numeric(n) => Val::Num(n.parse().unwrap_or(0.0)),
            Expr::String(s) => Val::Text(s.clone()),
            Expr::Now => Val::Timestamp(self.c.now().unix_micros()),
            Expr::Column { name, .. } => {
                let Some(i) = rows.columns.iter().position(|c| c == name) else {
                    return Err(
                        ServerError::new(format!("column \"{name}\" does not exist"))
                            .at(self.locate(name)),
                    );
                };
                row.get(i).cloned().unwrap_or(Val::Null)
            }
            Expr::Unary { op, expr } => {
                let v = self.eval(expr, rows, row)?;
                match (op, v) {
                    (_, Val::Null) => Val::Null,
                    (UnaryOp::Not, Val::Bool(b)) => Val::Bool(!b),
                    (UnaryOp::Neg, Val::Int(i)) => Val::Int(int4(-i128::from(i))?),
                    (UnaryOp::Neg, Val::BigInt(i)) => Val::BigInt(int8(-i128::from(i))?),
                    (UnaryOp::Neg, Val::Num(n)) => Val::Num(-n),
                    (_, v) => {
                        return Err(ServerError::new(format!(
                            "operator does not exist: - {}",
                            type_name(&v)
                        )))
                    }
                }
            }
            Expr::Binary { op, left, right } => {
                let l = self.eval(left, rows, row)?;
                if *op == BinaryOp::And && l == Val::Bool(false) {
                    return Ok(Val::Bool(false));
                }
                if *op == BinaryOp::Or && l == Val::Bool(true) {
                    return Ok(Val::Bool(true));
                }
                let r = self.eval(right, rows, row)?;
                binary(*op, l, r)?
            }
            Expr::IsNull { expr, negated } => {
                Val::Bool((self.eval(expr, rows, row)? == Val::Null) != *negated)
            }
            Expr::Cast { expr, type_name } => {
                let v = self.eval(expr, rows, row)?;
                match (cast(v, type_name), &**expr) {
                    // A bad literal is reported at the literal, as the parser coerces it.
                    (Err(e), Expr::String(lit)) => return Err(e.at(self.locate_literal(lit))),
                    (r, _) => r?,
                }
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let v = self.eval(expr, rows, row)?;
                let mut found = false;
                for item in list {
                    let x = self.eval(item, rows, row)?;
                    if compare(&v, &x) == std::cmp::Ordering::Equal && v != Val::Null {
                        found = true;
                    }
                }
                Val::Bool(found != *negated)
            }
            Expr::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(item, rows, row)?);
                }
                Val::Array(out)
            }
            Expr::AnyAll {
                expr,
                op,
                all,
                array,
                position,
            } => {
                let v = self.eval(expr, rows, row)?;
                let elems = match self.eval(array, rows, row)? {
                    Val::Null => return Ok(Val::Null),
                    Val::Array(items) => items,
                    // An untyped literal such as '{1,2}' is read as an array.
                    Val::Text(t) => parse_array_literal(&t)?,
                    _ => {
                        // make_scalar_array_op's words, "op" included.
                        return Err(ServerError::new(
                            "op ANY/ALL (array) requires array on right side",
                        )
                        .at(*position));
                    }
                };
                // ANY: true if one comparison is true, else NULL if one was NULL;
                // ALL: false if one is false, else NULL if one was NULL (scalararrayop).
                let mut saw_null = false;
                for x in elems {
                    match binary(*op, v.clone(), x)? {
                        Val::Bool(b) if b != *all => return Ok(Val::Bool(b)),
                        Val::Bool(_) => {}
                        _ => saw_null = true,
                    }
                }
                if saw_null {
                    Val::Null
                } else {
                    Val::Bool(*all)
                }
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let v = self.eval(expr, rows, row)?;
                let lo = self.eval(low, rows, row)?;
                let hi = self.eval(high, rows, row)?;
                let inside = compare(&v, &lo) != std::cmp::Ordering::Less
                    && compare(&v, &hi) != std::cmp::Ordering::Greater;
                Val::Bool(inside != *negated)
            }
            Expr::Like {
                expr,
                pattern,
                negated,
            } => {
                let v = self.eval(expr, rows, row)?.text().unwrap_or_default();
                let p = self.eval(pattern, rows, row)?.text().unwrap_or_default();
                Val::Bool(like(&v, &p) != *negated)
            }
            Expr::Case {
                operand,
                whens,
                else_,
            } => {
                let base = match operand {
                    Some(o) => Some(self.eval(o, rows, row)?),
                    None => None,
                };
                for (cond, result) in whens {
                    let c = self.eval(cond, rows, row)?;
                    let hit = match &base {
                        Some(b) => compare(b, &c) == std::cmp::Ordering::Equal,
                        None => c == Val::Bool(true),
                    };
                    if hit {
                        return self.eval(result, rows, row);
                    }
                }
                match else_ {
                    Some(e) => self.eval(e, rows, row)?,
                    None => Val::Null,
                }
            }
            Expr::Call {
                name, args, star, ..
            } => {
                if is_aggregate(name) {
                    let _ = star;
                    return Err(ServerError::new("aggregate functions are not allowed here")
                        .at(self.locate(name)));
                }
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a, rows, row)?);
                }
                self.call(name, vals)?
            }
        })
    }
}

/// array_in for a one-dimensional literal such as `{a,"b c",NULL}`: its elements as
/// text (NULL unquoted is a null element).
fn parse_array_literal(t: &str) -> Res<Vec<Val>> {
    let bad = || ServerError {
        detail: Some("Array value must start with \"{\" or dimension information.".into()),
        ..ServerError::new(format!("malformed array literal: \"{t}\""))
    };
    let inner = t
        .trim()
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .ok_or_else(bad)?;
    let mut out = Vec::new();
    if inner.trim().is_empty() {
        return Ok(out);
    }
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        let mut quoted = false;
        if chars.peek() == Some(&'"') {
            quoted = true;
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => item.extend(chars.next()),
                    Some('"') => break,
                    Some(c) => item.push(c),
                    None => return Err(bad()),
                }
            }
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if matches!(c, '{' | '}' | '"') {
                    return Err(bad());
                }
                item.push(c);
                chars.next();
            }
            item = item.trim_end().to_string();
        }
        out.push(if !quoted && item.eq_ignore_ascii_case("null") {
            Val::Null
        } else {
            Val::Text(item)
        });
        match chars.next() {
            Some(',') => continue,
            None => break,
            Some(_) => return Err(bad()),
        }
    }
    Ok(out)
}
