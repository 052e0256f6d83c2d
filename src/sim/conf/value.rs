//! Setting values as guc.c checks them (parse_int, parse_real, parse_bool and units,
//! with C's strtol/strtod underneath) and formats them for `SHOW`.

use std::fmt;

use super::*;

/// A parsed, checked value.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Bool(bool),
    /// In the setting's base unit.
    Int(i64),
    Real(f64),
    /// A string, or an enum's canonical (visible, lower-case) value.
    Text(String),
}

/// A value PostgreSQL rejects; `message` is the text after `ERROR:  `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}

/// `unrecognized configuration parameter "foo"`, as SET and SHOW report an unknown name.
pub fn unrecognized(name: &str) -> String {
    format!("unrecognized configuration parameter \"{name}\"")
}

/// Checks `raw` for `def` as parse_and_validate_value does; messages name `def.name`.
pub fn parse_value(def: &SettingDef, raw: &str) -> Result<Parsed, ValueError> {
    parse_value_as(def, def.name, raw)
}

/// Like [`parse_value`], with messages naming the parameter as the user spelled it
/// (PostgreSQL echoes the name as written, e.g. `Wal_Level` in postgresql.conf).
pub fn parse_value_as(def: &SettingDef, name: &str, raw: &str) -> Result<Parsed, ValueError> {
    let invalid = |hint: Option<&str>| ValueError {
        message: format!("invalid value for parameter \"{name}\": \"{raw}\""),
        hint: hint.map(str::to_string),
    };
    match def.kind {
        Kind::Bool => parse_bool(raw).map(Parsed::Bool).ok_or_else(|| ValueError {
            message: format!("parameter \"{name}\" requires a Boolean value"),
            hint: None,
        }),
        Kind::Integer { min, max, unit } => {
            let v = parse_int(raw, unit).map_err(invalid)?;
            if v < min || v > max {
                let unit_text = unit.map_or(String::new(), |u| format!(" {}", u.as_str()));
                return Err(ValueError {
                    message: format!(
                        "{v}{unit_text} is outside the valid range for parameter \"{name}\" ({min} .. {max})"
                    ),
                    hint: None,
                });
            }
            Ok(Parsed::Int(v))
        }
        Kind::Real { min, max } => {
            let v = parse_real(raw).ok_or_else(|| invalid(None))?;
            if v < min || v > max {
                return Err(ValueError {
                    message: format!(
                        "{} is outside the valid range for parameter \"{name}\" ({} .. {})",
                        fmt_g(v),
                        fmt_g(min),
                        fmt_g(max)
                    ),
                    hint: None,
                });
            }
            Ok(Parsed::Real(v))
        }
        Kind::String => Ok(Parsed::Text(raw.to_string())),
        Kind::Enum(values) => {
            if let Some(v) = values.iter().find(|v| v.eq_ignore_ascii_case(raw)) {
                return Ok(Parsed::Text((*v).to_string()));
            }
            if let Some((_, v)) = hidden_aliases(def.name)
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(raw))
            {
                return Ok(Parsed::Text((*v).to_string()));
            }
            let hint = format!("Available values: {}.", values.join(", "));
            Err(invalid(Some(&hint)))
        }
    }
}

/// How SHOW prints the value, as _ShowOption does (integers in the largest unit that
/// divides them exactly, reals like `%g`, bools `on`/`off`).
pub fn show(def: &SettingDef, v: &Parsed) -> String {
    match v {
        Parsed::Bool(b) => if *b { "on" } else { "off" }.to_string(),
        Parsed::Int(i) => match def.kind {
            Kind::Integer {
                unit: Some(unit), ..
            } if *i > 0 => show_with_unit(*i, unit),
            _ => i.to_string(),
        },
        Parsed::Real(r) => fmt_g(*r),
        Parsed::Text(s) => s.clone(),
    }
}

/// convert_int_from_base_unit: the first unit (largest first) that divides exactly.
pub(super) fn show_with_unit(v: i64, unit: Unit) -> String {
    for (name, mult) in unit.table() {
        if *mult <= 1.0 || v % (*mult as i64) == 0 {
            return format!("{}{name}", (v as f64 / mult) as i64);
        }
    }
    v.to_string()
}

/// parse_bool: true/false/yes/no and their unique prefixes, on, of(f), 1, 0; any case.
pub(super) fn parse_bool(raw: &str) -> Option<bool> {
    let lower = raw.to_ascii_lowercase();
    let s = lower.as_str();
    let prefix_of = |word: &str| !s.is_empty() && word.starts_with(s);
    match s.as_bytes().first()? {
        b't' if prefix_of("true") => Some(true),
        b'f' if prefix_of("false") => Some(false),
        b'y' if prefix_of("yes") => Some(true),
        b'n' if prefix_of("no") => Some(false),
        b'o' if s == "on" => Some(true),
        b'o' if s.len() >= 2 && prefix_of("off") => Some(false),
        b'1' if s.len() == 1 => Some(true),
        b'0' if s.len() == 1 => Some(false),
        _ => None,
    }
}

/// C's isspace() in the C locale.
pub(super) fn c_isspace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// strtol(s, &end, 0): value, bytes consumed (0 = no conversion), and ERANGE.
pub(super) fn c_strtol(s: &[u8]) -> (i64, usize, bool) {
    let mut i = 0;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = s.get(i) {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i += 1;
        }
    }
    let mut base = 10u32;
    if s.get(i) == Some(&b'0') {
        if matches!(s.get(i + 1), Some(b'x') | Some(b'X'))
            && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
        {
            base = 16;
            i += 2;
        } else {
            base = 8;
        }
    }
    let start = i;
    let mut acc: i128 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        if !overflow {
            acc = acc * i128::from(base) + i128::from(d);
            if acc > i128::from(i64::MAX) + 1 {
                overflow = true;
            }
        }
        i += 1;
    }
    if i == start {
        return (0, 0, false);
    }
    let signed = if neg { -acc } else { acc };
    if overflow || signed > i128::from(i64::MAX) || signed < i128::from(i64::MIN) {
        let v = if neg { i64::MIN } else { i64::MAX };
        return (v, i, true);
    }
    (signed as i64, i, false)
}

/// strtod(s, &end): value, bytes consumed (0 = no conversion), and ERANGE.
pub(super) fn c_strtod(s: &[u8]) -> (f64, usize, bool) {
    let mut i = 0;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = s.get(i) {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i += 1;
        }
    }
    let sign = if neg { -1.0 } else { 1.0 };
    let rest = &s[i..];
    let starts_ci = |word: &str| {
        rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes())
    };
    if starts_ci("infinity") {
        return (sign * f64::INFINITY, i + 8, false);
    }
    if starts_ci("inf") {
        return (sign * f64::INFINITY, i + 3, false);
    }
    if starts_ci("nan") {
        let mut end = i + 3;
        if s.get(end) == Some(&b'(') {
            let mut j = end + 1;
            while s
                .get(j)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                j += 1;
            }
            if s.get(j) == Some(&b')') {
                end = j + 1;
            }
        }
        return (f64::NAN, end, false);
    }
    let is_hex_start = rest.len() > 2
        && rest[0] == b'0'
        && (rest[1] == b'x' || rest[1] == b'X')
        && (rest[2].is_ascii_hexdigit()
            || (rest[2] == b'.' && rest.get(3).is_some_and(|c| c.is_ascii_hexdigit())));
    if is_hex_start {
        let (v, used) = hex_float(&rest[2..]);
        let v = sign * v;
        return (v, i + 2 + used, v.is_infinite());
    }
    // Decimal: digits [. digits] [e [sign] digits], at least one mantissa digit.
    let mut j = i;
    let mut digits = 0;
    let mut nonzero = false;
    while s.get(j).is_some_and(u8::is_ascii_digit) {
        nonzero |= s[j] != b'0';
        j += 1;
        digits += 1;
    }
    if s.get(j) == Some(&b'.') {
        let mut k = j + 1;
        while s.get(k).is_some_and(u8::is_ascii_digit) {
            nonzero |= s[k] != b'0';
            k += 1;
            digits += 1;
        }
        j = k;
    }
    if digits == 0 {
        return (0.0, 0, false);
    }
    if matches!(s.get(j), Some(b'e') | Some(b'E')) {
        let mut k = j + 1;
        if matches!(s.get(k), Some(b'+') | Some(b'-')) {
            k += 1;
        }
        if s.get(k).is_some_and(u8::is_ascii_digit) {
            while s.get(k).is_some_and(u8::is_ascii_digit) {
                k += 1;
            }
            j = k;
        }
    }
    let text = String::from_utf8_lossy(&s[i..j]);
    let v: f64 = text.parse().unwrap_or(0.0);
    let erange = v.is_infinite() || (nonzero && (v == 0.0 || v.abs() < f64::MIN_POSITIVE));
    (sign * v, j, erange)
}

/// The value and length of a hex float's digits after "0x" (`1.8p3`).
pub(super) fn hex_float(s: &[u8]) -> (f64, usize) {
    let mut v = 0.0f64;
    let mut i = 0;
    let mut scale = 0i32;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(16)) {
        v = v * 16.0 + f64::from(d);
        i += 1;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(16)) {
            v = v * 16.0 + f64::from(d);
            scale -= 4;
            i += 1;
        }
    }
    if matches!(s.get(i), Some(b'p') | Some(b'P')) {
        let mut k = i + 1;
        let mut neg = false;
        if matches!(s.get(k), Some(b'+') | Some(b'-')) {
            neg = s[k] == b'-';
            k += 1;
        }
        if s.get(k).is_some_and(u8::is_ascii_digit) {
            let mut e: i32 = 0;
            while let Some(d) = s.get(k).filter(|c| c.is_ascii_digit()) {
                e = e.saturating_mul(10).saturating_add(i32::from(d - b'0'));
                k += 1;
            }
            scale = scale.saturating_add(if neg { -e } else { e });
            i = k;
        }
    }
    (v * 2f64.powi(scale), i)
}

/// parse_int: a number (decimal, octal, hex or with a fraction), optionally followed by
/// a unit, rounded to the base unit. The error carries the hint, if any.
pub(super) fn parse_int(raw: &str, unit: Option<Unit>) -> Result<i64, Option<&'static str>> {
    let b = raw.as_bytes();
    let (lv, mut end, mut erange) = c_strtol(b);
    let mut val = lv as f64;
    if matches!(b.get(end), Some(b'.') | Some(b'e') | Some(b'E')) || erange {
        let (dv, e, r) = c_strtod(b);
        val = dv;
        end = e;
        erange = r;
    }
    if end == 0 || erange || val.is_nan() {
        return Err(None);
    }
    while end < b.len() && c_isspace(b[end]) {
        end += 1;
    }
    if end < b.len() {
        let Some(unit) = unit else { return Err(None) };
        val = convert_to_base_unit(val, &b[end..], unit).ok_or(Some(unit.hint()))?;
    }
    let val = val.round_ties_even();
    if val > INT_MAX as f64 || val < INT_MIN as f64 {
        return Err(Some("Value exceeds integer range."));
    }
    Ok(val as i64)
}

/// convert_to_base_unit: a unit name of at most 3 characters, case-sensitive, with a
/// fractional value rounded to a multiple of the next smaller unit.
pub(super) fn convert_to_base_unit(value: f64, unit: &[u8], base: Unit) -> Option<f64> {
    let mut i = 0;
    while i < unit.len() && !c_isspace(unit[i]) && i < 3 {
        i += 1;
    }
    let name = &unit[..i];
    if unit[i..].iter().any(|c| !c_isspace(*c)) {
        return None;
    }
    let table = base.table();
    let pos = table.iter().position(|(n, _)| n.as_bytes() == name)?;
    let mut v = value * table[pos].1;
    if let Some((_, next)) = table.get(pos + 1) {
        v = (v / next).round_ties_even() * next;
    }
    Some(v)
}

/// parse_real for a setting without units.
pub(super) fn parse_real(raw: &str) -> Option<f64> {
    let b = raw.as_bytes();
    let (v, mut end, erange) = c_strtod(b);
    if end == 0 || erange || v.is_nan() {
        return None;
    }
    while end < b.len() && c_isspace(b[end]) {
        end += 1;
    }
    (end == b.len()).then_some(v)
}

/// A real printed like C's `%g`.
pub fn fmt_g(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let sci = format!("{v:.5e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_fraction_zeros(mant), exp.abs())
    } else {
        let decimals = usize::try_from(5 - exp).unwrap_or(0);
        strip_fraction_zeros(&format!("{v:.decimals$}"))
    }
}

pub(super) fn strip_fraction_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}
