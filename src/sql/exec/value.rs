//! Values during evaluation: PostgreSQL's types as the executor holds them, their text
//! output, casts, comparison, the binary operators and LIKE (PostgreSQL's utils/adt/).

use crate::sim::datetime::{format_interval_justified, format_timestamptz};
use crate::sim::db::Value;
use crate::sim::{Datum, Lsn};
use crate::sql::{Align, BinaryOp, ServerError};

use super::Res;

/// A value during evaluation, typed as PostgreSQL types it.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(String),
    Lsn(Lsn),
    /// Microseconds.
    Interval(i64),
    /// Unix microseconds.
    Timestamp(i64),
    /// A composite value, like the result of pg_create_physical_replication_slot().
    Record(Vec<Val>),
}

impl Val {
    /// PostgreSQL's text output of the value (None for NULL).
    pub fn text(&self) -> Option<String> {
        Some(match self {
            Val::Null => return None,
            Val::Bool(b) => if *b { "t" } else { "f" }.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Num(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    let s = format!("{n:.16}");
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                }
            }
            Val::Text(s) => s.clone(),
            Val::Lsn(l) => l.to_string(),
            Val::Interval(us) => format_interval_justified(*us),
            Val::Timestamp(us) => format_timestamptz(*us),
            Val::Record(vs) => {
                let inner: Vec<String> = vs
                    .iter()
                    .map(|v| {
                        let t = v.text().unwrap_or_default();
                        if t.contains([',', ' ', '(', ')', '"']) {
                            format!("\"{}\"", t.replace('"', "\"\""))
                        } else {
                            t
                        }
                    })
                    .collect();
                format!("({})", inner.join(","))
            }
        })
    }

    pub(super) fn align(&self) -> Option<Align> {
        match self {
            Val::Null => None,
            Val::Int(_) | Val::Num(_) => Some(Align::Right),
            _ => Some(Align::Left),
        }
    }

    pub(super) fn truthy(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::Null => None,
            _ => None,
        }
    }
}

impl From<&Datum> for Val {
    fn from(d: &Datum) -> Val {
        match d {
            Datum::Null => Val::Null,
            Datum::Bool(b) => Val::Bool(*b),
            Datum::Int(i) => Val::Int(*i),
            Datum::Text(s) => Val::Text(s.clone()),
            Datum::Lsn(l) => Val::Lsn(*l),
            Datum::Interval(d) => Val::Interval(d.0 as i64),
            Datum::Timestamp(t) => Val::Timestamp(t.unix_micros()),
        }
    }
}

pub(super) fn from_value(v: &Value) -> Val {
    match v {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(i) => Val::Int(*i),
        Value::Text(s) => Val::Text(s.to_string()),
    }
}

pub(super) fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Null => "unknown",
        Val::Bool(_) => "boolean",
        Val::Int(_) => "integer",
        Val::Num(_) => "numeric",
        Val::Text(_) => "text",
        Val::Lsn(_) => "pg_lsn",
        Val::Interval(_) => "interval",
        Val::Timestamp(_) => "timestamp with time zone",
        Val::Record(_) => "record",
    }
}

pub(super) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "on" | "yes" | "y" | "1" => Some(true),
        "f" | "false" | "off" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

pub(super) fn cast(v: Val, ty: &str) -> Res<Val> {
    Ok(match (ty, v) {
        (_, Val::Null) => Val::Null,
        ("pg_lsn", Val::Text(s)) => Val::Lsn(
            s.parse::<Lsn>()
                .map_err(|e| ServerError::new(e.to_string()))?,
        ),
        ("pg_lsn", v @ Val::Lsn(_)) => v,
        ("text" | "varchar" | "name", v) => Val::Text(v.text().unwrap_or_default()),
        ("int" | "integer" | "int4" | "bigint" | "int8" | "smallint", Val::Text(s)) => {
            Val::Int(s.trim().parse().map_err(|_| {
                ServerError::new(format!("invalid input syntax for type integer: \"{s}\""))
            })?)
        }
        ("int" | "integer" | "int4" | "bigint" | "int8" | "smallint", Val::Num(n)) => {
            Val::Int(n.round() as i64)
        }
        ("int" | "integer" | "int4" | "bigint" | "int8" | "smallint", v @ Val::Int(_)) => v,
        ("numeric" | "float8" | "real" | "double precision", Val::Int(i)) => Val::Num(i as f64),
        ("numeric" | "float8" | "real" | "double precision", v @ Val::Num(_)) => v,
        ("bool" | "boolean", Val::Text(s)) => Val::Bool(parse_bool(&s).ok_or_else(|| {
            ServerError::new(format!("invalid input syntax for type boolean: \"{s}\""))
        })?),
        ("interval", Val::Text(s)) => Val::Interval(parse_interval(&s).ok_or_else(|| {
            ServerError::new(format!("invalid input syntax for type interval: \"{s}\""))
        })?),
        (t, v) => {
            return Err(ServerError::new(format!(
                "cannot cast type {} to {t}",
                type_name(&v)
            )))
        }
    })
}

pub(super) fn parse_interval(s: &str) -> Option<i64> {
    let mut total = 0i64;
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let n: f64 = words[i].parse().ok()?;
        let unit = words.get(i + 1).copied().unwrap_or("s");
        let scale = if unit == "ms" {
            1e3
        } else {
            match unit.trim_end_matches('s') {
                "" | "sec" | "second" => 1e6,
                "m" | "min" | "minute" => 60e6,
                "h" | "hour" => 3600e6,
                "day" => 86400e6,
                "millisecond" | "msec" => 1e3,
                _ => return None,
            }
        };
        total += (n * scale) as i64;
        i += 2;
    }
    Some(total)
}

pub(super) fn size_pretty(n: f64) -> String {
    let mut v = n;
    for unit in ["bytes", "kB", "MB", "GB", "TB"] {
        if v.abs() < 10.0 * 1024.0 || unit == "TB" {
            return format!("{} {unit}", v.round() as i64);
        }
        v /= 1024.0;
    }
    format!("{n} bytes")
}

pub(super) fn compare(a: &Val, b: &Val) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Val::Null, Val::Null) => Equal,
        (Val::Null, _) => Greater,
        (_, Val::Null) => Less,
        (Val::Int(x), Val::Int(y)) => x.cmp(y),
        (Val::Int(x), Val::Num(y)) => (*x as f64).partial_cmp(y).unwrap_or(Equal),
        (Val::Num(x), Val::Int(y)) => x.partial_cmp(&(*y as f64)).unwrap_or(Equal),
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y).unwrap_or(Equal),
        (Val::Lsn(x), Val::Lsn(y)) => x.cmp(y),
        (Val::Lsn(x), Val::Text(y)) => y.parse::<Lsn>().map_or(Equal, |y| x.cmp(&y)),
        (Val::Text(x), Val::Lsn(y)) => x.parse::<Lsn>().map_or(Equal, |x| x.cmp(y)),
        (Val::Interval(x), Val::Interval(y)) | (Val::Timestamp(x), Val::Timestamp(y)) => x.cmp(y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::Text(x), Val::Text(y)) => x.cmp(y),
        (x, y) => x.text().cmp(&y.text()),
    }
}

pub(super) fn binary(op: BinaryOp, l: Val, r: Val) -> Res<Val> {
    use BinaryOp::*;
    if matches!(op, And | Or) {
        return Ok(match (op, l.truthy(), r.truthy()) {
            (And, Some(a), Some(b)) => Val::Bool(a && b),
            (Or, Some(a), Some(b)) => Val::Bool(a || b),
            (And, Some(false), _) | (And, _, Some(false)) => Val::Bool(false),
            (Or, Some(true), _) | (Or, _, Some(true)) => Val::Bool(true),
            _ => Val::Null,
        });
    }
    if l == Val::Null || r == Val::Null {
        return Ok(Val::Null);
    }
    if matches!(op, Eq | NotEq | Lt | LtEq | Gt | GtEq) {
        let ord = compare(&l, &r);
        use std::cmp::Ordering::*;
        return Ok(Val::Bool(match op {
            Eq => ord == Equal,
            NotEq => ord != Equal,
            Lt => ord == Less,
            LtEq => ord != Greater,
            Gt => ord == Greater,
            _ => ord != Less,
        }));
    }
    let err = |l: &Val, r: &Val, sym: &str| {
        ServerError::new(format!("operator does not exist: {} {sym} {}", type_name(l), type_name(r)))
            .hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
    };
    Ok(match (op, &l, &r) {
        (Concat, _, _) => Val::Text(format!(
            "{}{}",
            l.text().unwrap_or_default(),
            r.text().unwrap_or_default()
        )),
        (Add, Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_add(*b)),
        (Sub, Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_sub(*b)),
        (Mul, Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_mul(*b)),
        (Div, Val::Int(_), Val::Int(0)) | (Mod, Val::Int(_), Val::Int(0)) => {
            return Err(ServerError::new("division by zero"))
        }
        (Div, Val::Int(a), Val::Int(b)) => Val::Int(a / b),
        (Mod, Val::Int(a), Val::Int(b)) => Val::Int(a % b),
        (Add | Sub | Mul | Div, Val::Int(_) | Val::Num(_), Val::Int(_) | Val::Num(_)) => {
            let f = |v: &Val| {
                if let Val::Int(i) = v {
                    *i as f64
                } else if let Val::Num(n) = v {
                    *n
                } else {
                    0.0
                }
            };
            let (a, b) = (f(&l), f(&r));
            Val::Num(match op {
                Add => a + b,
                Sub => a - b,
                Mul => a * b,
                _ => {
                    if b == 0.0 {
                        return Err(ServerError::new("division by zero"));
                    }
                    a / b
                }
            })
        }
        (Sub, Val::Lsn(a), Val::Lsn(b)) => Val::Num(a.diff(*b) as f64),
        (Sub, Val::Lsn(a), Val::Text(b)) | (Sub, Val::Text(b), Val::Lsn(a)) => {
            let b = b
                .parse::<Lsn>()
                .map_err(|e| ServerError::new(e.to_string()))?;
            Val::Num(a.diff(b) as f64)
        }
        (Sub, Val::Timestamp(a), Val::Timestamp(b)) => Val::Interval(a - b),
        (Add, Val::Timestamp(a), Val::Interval(b)) => Val::Timestamp(a + b),
        (Sub, Val::Timestamp(a), Val::Interval(b)) => Val::Timestamp(a - b),
        (Add, Val::Interval(a), Val::Interval(b)) => Val::Interval(a + b),
        (o, l, r) => {
            let sym = match o {
                Add => "+",
                Sub => "-",
                Mul => "*",
                Div => "/",
                Mod => "%",
                _ => "?",
            };
            return Err(err(l, r, sym));
        }
    })
}

pub(super) fn like(s: &str, p: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = p.chars().collect();
    fn go(s: &[char], p: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('%') => (0..=s.len()).any(|i| go(&s[i..], &p[1..])),
            Some('_') => !s.is_empty() && go(&s[1..], &p[1..]),
            Some(c) => s.first() == Some(c) && go(&s[1..], &p[1..]),
        }
    }
    go(&s, &p)
}
