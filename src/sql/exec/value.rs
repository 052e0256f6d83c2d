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
    /// `integer` (int4): PostgreSQL's type for an integer literal that fits 32 bits,
    /// and walscope's for a stored integer that does. Arithmetic on two of them fails
    /// with "integer out of range" past 32 bits, as int4pl does.
    Int(i64),
    /// `bigint` (int8): a larger literal, a cast to bigint, count() and sum(); its
    /// arithmetic fails with "bigint out of range" past 64 bits.
    BigInt(i64),
    Num(f64),
    Text(String),
    Lsn(Lsn),
    /// Microseconds.
    Interval(i64),
    /// Unix microseconds.
    Timestamp(i64),
    /// A composite value, like the result of pg_create_physical_replication_slot().
    Record(Vec<Val>),
    /// A one-dimensional array (`text[]` in pg_hba_file_rules, `ARRAY[...]`).
    Array(Vec<Val>),
}

impl Val {
    /// PostgreSQL's text output of the value (None for NULL).
    pub fn text(&self) -> Option<String> {
        Some(match self {
            Val::Null => return None,
            Val::Bool(b) => if *b { "t" } else { "f" }.to_string(),
            Val::Int(i) | Val::BigInt(i) => i.to_string(),
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
            Val::Array(vs) => {
                // array_out: an element is double-quoted when it is empty, NULL in any
                // case, or holds a brace, comma, quote, backslash or white space.
                let inner: Vec<String> = vs
                    .iter()
                    .map(|v| match v.text() {
                        None => "NULL".to_string(),
                        Some(t) => {
                            let quote = t.is_empty()
                                || t.eq_ignore_ascii_case("null")
                                || t.chars().any(|c| {
                                    matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_whitespace()
                                });
                            if quote {
                                let esc = t.replace('\\', "\\\\").replace('"', "\\\"");
                                format!("\"{esc}\"")
                            } else {
                                t
                            }
                        }
                    })
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
        })
    }

    pub(super) fn align(&self) -> Option<Align> {
        match self {
            Val::Null => None,
            Val::Int(_) | Val::BigInt(_) | Val::Num(_) => Some(Align::Right),
            _ => Some(Align::Left),
        }
    }

    /// The value of an integer of either width.
    pub(crate) fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) | Val::BigInt(i) => Some(*i),
            _ => None,
        }
    }

    /// An integer typed as PostgreSQL types a literal: `integer` if it fits 32 bits,
    /// `bigint` otherwise.
    pub(crate) fn integer(i: i64) -> Val {
        if i32::try_from(i).is_ok() {
            Val::Int(i)
        } else {
            Val::BigInt(i)
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
            Datum::Int(i) => Val::integer(*i),
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
        Value::Int(i) => Val::integer(*i),
        Value::Text(s) => Val::Text(s.to_string()),
    }
}

pub(super) fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Null => "unknown",
        Val::Bool(_) => "boolean",
        Val::Int(_) => "integer",
        Val::BigInt(_) => "bigint",
        Val::Num(_) => "numeric",
        Val::Text(_) => "text",
        Val::Lsn(_) => "pg_lsn",
        Val::Interval(_) => "interval",
        Val::Timestamp(_) => "timestamp with time zone",
        Val::Record(_) => "record",
        Val::Array(vs) => match vs.iter().find(|v| **v != Val::Null) {
            Some(Val::Int(_)) => "integer[]",
            Some(Val::BigInt(_)) => "bigint[]",
            Some(Val::Num(_)) => "numeric[]",
            Some(Val::Bool(_)) => "boolean[]",
            Some(Val::Lsn(_)) => "pg_lsn[]",
            _ => "text[]",
        },
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
        // booltext: a cast spells the value out, where output (and `||`) writes t or f.
        ("text" | "varchar", Val::Bool(b)) => Val::Text(if b { "true" } else { "false" }.into()),
        ("text" | "varchar" | "name", v) => Val::Text(v.text().unwrap_or_default()),
        ("int" | "integer" | "int4" | "smallint", Val::Text(s)) => Val::Int(int_input(
            &s,
            "integer",
            i64::from(i32::MIN),
            i64::from(i32::MAX),
        )?),
        ("bigint" | "int8", Val::Text(s)) => {
            Val::BigInt(int_input(&s, "bigint", i64::MIN, i64::MAX)?)
        }
        ("int" | "integer" | "int4" | "smallint", Val::Num(n)) => {
            let r = n.round();
            if !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&r) {
                return Err(ServerError::new(INT_RANGE));
            }
            Val::Int(r as i64)
        }
        ("bigint" | "int8", Val::Num(n)) => {
            let r = n.round();
            // 2^63 is the first float past i64::MAX.
            const TWO_63: f64 = 9_223_372_036_854_775_808.0;
            if !(-TWO_63..TWO_63).contains(&r) {
                return Err(ServerError::new(BIGINT_RANGE));
            }
            Val::BigInt(r as i64)
        }
        ("int" | "integer" | "int4" | "smallint", Val::Int(i) | Val::BigInt(i)) => {
            Val::Int(int4(i128::from(i))?)
        }
        ("bigint" | "int8", Val::Int(i) | Val::BigInt(i)) => Val::BigInt(i),
        ("numeric" | "float8" | "real" | "double precision", Val::Int(i) | Val::BigInt(i)) => {
            Val::Num(i as f64)
        }
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
        total = total.checked_add((n * scale) as i64)?;
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
        (Val::Int(x) | Val::BigInt(x), Val::Int(y) | Val::BigInt(y)) => x.cmp(y),
        (Val::Int(x) | Val::BigInt(x), Val::Num(y)) => (*x as f64).partial_cmp(y).unwrap_or(Equal),
        (Val::Num(x), Val::Int(y) | Val::BigInt(y)) => x.partial_cmp(&(*y as f64)).unwrap_or(Equal),
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
        (Concat, _, _) => {
            let (a, b) = (l.text().unwrap_or_default(), r.text().unwrap_or_default());
            super::limits::check_value_len(a.len() as u64 + b.len() as u64)?;
            Val::Text(a + &b)
        }
        (Add | Sub | Mul | Div | Mod, Val::Int(a), Val::Int(b)) => {
            Val::Int(int4(int_arith(op, i128::from(*a), i128::from(*b))?)?)
        }
        (
            Add | Sub | Mul | Div | Mod,
            Val::Int(a) | Val::BigInt(a),
            Val::Int(b) | Val::BigInt(b),
        ) => Val::BigInt(int8(int_arith(op, i128::from(*a), i128::from(*b))?)?),
        (
            Add | Sub | Mul | Div,
            Val::Int(_) | Val::BigInt(_) | Val::Num(_),
            Val::Int(_) | Val::BigInt(_) | Val::Num(_),
        ) => {
            let f = |v: &Val| {
                if let Some(i) = v.int() {
                    i as f64
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
        (Add, Val::Lsn(a), n @ (Val::Int(_) | Val::BigInt(_) | Val::Num(_)))
        | (Add, n @ (Val::Int(_) | Val::BigInt(_) | Val::Num(_)), Val::Lsn(a)) => {
            Val::Lsn(lsn_plus(*a, n, false)?)
        }
        (Sub, Val::Lsn(a), n @ (Val::Int(_) | Val::BigInt(_) | Val::Num(_))) => {
            Val::Lsn(lsn_plus(*a, n, true)?)
        }
        (Sub, Val::Lsn(a), Val::Lsn(b)) => Val::Num(lsn_diff(*a, *b)),
        (Sub, Val::Lsn(a), Val::Text(b)) => Val::Num(lsn_diff(*a, parse_lsn(b)?)),
        (Sub, Val::Text(a), Val::Lsn(b)) => Val::Num(lsn_diff(parse_lsn(a)?, *b)),
        (Sub, Val::Timestamp(a), Val::Timestamp(b)) => Val::Interval(
            a.checked_sub(*b)
                .ok_or_else(|| ServerError::new(INTERVAL_RANGE))?,
        ),
        (Add, Val::Timestamp(a), Val::Interval(b)) => Val::Timestamp(
            a.checked_add(*b)
                .ok_or_else(|| ServerError::new(TS_RANGE))?,
        ),
        (Sub, Val::Timestamp(a), Val::Interval(b)) => Val::Timestamp(
            a.checked_sub(*b)
                .ok_or_else(|| ServerError::new(TS_RANGE))?,
        ),
        (Add, Val::Interval(a), Val::Interval(b)) => Val::Interval(
            a.checked_add(*b)
                .ok_or_else(|| ServerError::new(INTERVAL_RANGE))?,
        ),
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

/// `a - b` in bytes (pg_lsn_mi answers numeric, so any two positions have a difference).
pub(crate) fn lsn_diff(a: Lsn, b: Lsn) -> f64 {
    (i128::from(a.0) - i128::from(b.0)) as f64
}

/// pg_lsn_pli and pg_lsn_mii: a position moved by a number of bytes (a fraction rounds
/// half away from zero, as numeric_pg_lsn does), within 0/0 and FFFFFFFF/FFFFFFFF.
fn lsn_plus(a: Lsn, n: &Val, minus: bool) -> Res<Lsn> {
    let range = || ServerError::new("pg_lsn out of range");
    let bytes: i128 = match n {
        Val::Num(f) if f.is_nan() => {
            return Err(ServerError::new(if minus {
                "cannot subtract NaN from pg_lsn"
            } else {
                "cannot add NaN to pg_lsn"
            }))
        }
        // Past ±2^100 the sum is out of range whatever the position.
        Val::Num(f) => f.round().clamp(-1e30, 1e30) as i128,
        v => i128::from(v.int().unwrap_or(0)),
    };
    let bytes = if minus { -bytes } else { bytes };
    u64::try_from(i128::from(a.0) + bytes)
        .map(Lsn)
        .map_err(|_| range())
}

fn parse_lsn(s: &str) -> Res<Lsn> {
    s.parse::<Lsn>()
        .map_err(|e| ServerError::new(e.to_string()))
}

pub(crate) const INT_RANGE: &str = "integer out of range";
pub(crate) const BIGINT_RANGE: &str = "bigint out of range";
const INTERVAL_RANGE: &str = "interval out of range";
const TS_RANGE: &str = "timestamp out of range";

/// Integer arithmetic done wide (no i64 operation on a user's numbers can overflow in
/// i128), then narrowed by [`int4`] or [`int8`] as int4pl and int8pl check theirs.
/// `%` by -1 is 0 and `/` by -1 of the smallest value is out of range, as in int.c.
fn int_arith(op: BinaryOp, a: i128, b: i128) -> Res<i128> {
    Ok(match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div | BinaryOp::Mod if b == 0 => {
            return Err(ServerError::new("division by zero"))
        }
        BinaryOp::Div => a / b,
        _ => a % b,
    })
}

/// An int4 result, or "integer out of range".
pub(crate) fn int4(v: i128) -> Res<i64> {
    i32::try_from(v)
        .map(i64::from)
        .map_err(|_| ServerError::new(INT_RANGE))
}

/// An int8 result, or "bigint out of range".
pub(crate) fn int8(v: i128) -> Res<i64> {
    i64::try_from(v).map_err(|_| ServerError::new(BIGINT_RANGE))
}

/// Text input of an integer type (int4in, int8in): surrounding spaces allowed, then
/// an optional sign and digits; a number past the type's range is out of range.
fn int_input(s: &str, ty: &str, min: i64, max: i64) -> Res<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ServerError::new(format!(
            "invalid input syntax for type {ty}: \"{s}\""
        )));
    }
    match t.parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(ServerError::new(format!(
            "value \"{s}\" is out of range for type {ty}"
        ))),
    }
}

/// LIKE with `%` and `_`, without recursion: the classic matcher that remembers the
/// last `%` and retries from one character further, so a long pattern full of `%`
/// takes at most (text length x pattern length) steps and no stack.
pub(super) fn like(s: &str, p: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = p.chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match p.get(j) {
            Some('%') => {
                star = Some((j, i));
                j += 1;
            }
            Some(c) if *c == '_' || *c == s[i] => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((sj, si)) => {
                    star = Some((sj, si + 1));
                    i = si + 1;
                    j = sj + 1;
                }
                None => return false,
            },
        }
    }
    p[j..].iter().all(|c| *c == '%')
}
