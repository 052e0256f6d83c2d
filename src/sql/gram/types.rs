//! Type names (Typename): the SQL-standard spellings, modifiers and arrays.

use crate::sql::keywords::{is_type_func_name, INTERVAL_FIELDS};
use crate::sql::scan::Tk;

use super::{join_name, PResult, Parser};

impl Parser<'_> {
    pub(super) fn typename(&mut self) -> PResult<String> {
        if self.is_kw("setof") {
            return self.unsupported(self.pos, "SETOF");
        }
        let mut t = self.typename_simple()?;
        loop {
            if self.eat_punct(b'[') {
                t.push('[');
                if let Tk::Int(v) = *self.tk(0) {
                    self.advance();
                    t.push_str(&v.to_string());
                }
                self.expect_punct(b']')?;
                t.push(']');
            } else if self.eat_kw("array") {
                t.push_str("[]");
                if self.eat_punct(b'[') {
                    if !matches!(self.tk(0), Tk::Int(_)) {
                        return self.fail();
                    }
                    self.advance();
                    self.expect_punct(b']')?;
                }
                return Ok(t);
            } else {
                return Ok(t);
            }
        }
    }

    pub(super) fn typename_simple(&mut self) -> PResult<String> {
        let tk = self.tk(0).clone();
        let Tk::Word { text, quoted } = &tk else {
            return self.fail();
        };
        if !quoted {
            let mut t = text.clone();
            match text.as_str() {
                "int" | "integer" | "smallint" | "bigint" | "real" | "boolean" => {
                    self.advance();
                    return Ok(t);
                }
                "float" => {
                    self.advance();
                    if let Some(p) = self.opt_precision()? {
                        t = format!("float({p})");
                    }
                    return Ok(t);
                }
                "double" if self.is_kw_at(1, "precision") => {
                    self.skip(2);
                    return Ok("double precision".into());
                }
                "decimal" | "dec" | "numeric" => {
                    self.advance();
                    t.push_str(&self.opt_type_mods()?);
                    return Ok(t);
                }
                "bit" | "character" | "char" | "nchar" | "varchar" | "national" => {
                    self.advance();
                    if text == "national" {
                        let Some(w) = self.kw().filter(|w| w == "char" || w == "character") else {
                            return self.fail();
                        };
                        self.advance();
                        t = format!("national {w}");
                    }
                    if text != "varchar" && self.eat_kw("varying") {
                        t.push_str(" varying");
                    }
                    t.push_str(&self.opt_type_mods()?);
                    return Ok(t);
                }
                "timestamp" | "time" => {
                    self.advance();
                    if let Some(p) = self.opt_precision()? {
                        t = format!("{t}({p})");
                    }
                    if self.is_any_kw(&["with", "without"])
                        && self.is_kw_at(1, "time")
                        && self.is_kw_at(2, "zone")
                    {
                        t.push_str(if self.is_kw("with") {
                            " with time zone"
                        } else {
                            " without time zone"
                        });
                        self.skip(3);
                    }
                    return Ok(t);
                }
                "interval" => {
                    self.advance();
                    if let Some(p) = self.opt_precision()? {
                        return Ok(format!("interval({p})"));
                    }
                    self.interval_fields(&mut t)?;
                    return Ok(t);
                }
                _ => {}
            }
        }
        if !is_type_func_name(&tk) {
            return self.fail();
        }
        self.advance();
        let mut parts = vec![text.clone()];
        while self.eat_punct(b'.') {
            parts.push(self.col_label()?);
        }
        let mut t = join_name(parts, &["pg_catalog"]);
        t.push_str(&self.opt_type_mods()?);
        Ok(t)
    }

    /// `(n[, m])` after a type, as text.
    pub(super) fn opt_type_mods(&mut self) -> PResult<String> {
        if !self.eat_punct(b'(') {
            return Ok(String::new());
        }
        let mut vals = Vec::new();
        loop {
            match self.tk(0) {
                Tk::Int(v) => {
                    vals.push(v.to_string());
                    self.advance();
                }
                Tk::Punct(b')') | Tk::Eof | Tk::Error => return self.fail(),
                _ => return self.unsupported(self.pos, "non-integer type modifiers"),
            }
            if !self.eat_punct(b',') {
                break;
            }
        }
        self.expect_punct(b')')?;
        Ok(format!("({})", vals.join(",")))
    }

    /// `YEAR`, `DAY TO SECOND(3)` ... after `interval`.
    pub(super) fn interval_fields(&mut self, t: &mut String) -> PResult<()> {
        let Some(f) = self.kw().filter(|w| INTERVAL_FIELDS.contains(&w.as_str())) else {
            return Ok(());
        };
        self.advance();
        t.push(' ');
        t.push_str(&f);
        if f == "second" {
            if let Some(p) = self.opt_precision()? {
                t.push_str(&format!("({p})"));
            }
        }
        if self.is_kw("to") && self.kw_at(1).is_some_and(|w| INTERVAL_FIELDS.contains(&w)) {
            let f2 = self.kw_at(1).unwrap_or_default().to_string();
            self.skip(2);
            t.push_str(" to ");
            t.push_str(&f2);
            if f2 == "second" {
                if let Some(p) = self.opt_precision()? {
                    t.push_str(&format!("({p})"));
                }
            }
        }
        Ok(())
    }
}
