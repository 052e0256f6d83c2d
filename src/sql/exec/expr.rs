//! Evaluating an expression on one row.

use crate::sql::{BinaryOp, Expr, ServerError, UnaryOp};

use super::select::is_aggregate;
use super::value::{binary, cast, compare, int4, int8, like, type_name, Val};
use super::{Exec, Res, Rows};

impl Exec<'_> {
    pub(super) fn eval(&mut self, e: &Expr, rows: &Rows, row: &[Val]) -> Res<Val> {
        Ok(match e {
            Expr::Null => Val::Null,
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
