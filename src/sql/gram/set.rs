//! SHOW, SET and RESET of settings, and transaction control.

use crate::sql::ast::{SetValue, Statement};
use crate::sql::keywords::{kw_cat, word_cat, KwCat};
use crate::sql::scan::Tk;

use super::{PResult, Parser};

impl Parser<'_> {
    pub(super) fn show(&mut self) -> PResult<Statement> {
        self.advance();
        let name = match self.special_var()? {
            Some(n) => n,
            None if self.eat_kw("all") => "all".into(),
            None => self.var_name()?,
        };
        Ok(Statement::Show { name })
    }

    /// `TIME ZONE`, `TRANSACTION ISOLATION LEVEL`, `SESSION AUTHORIZATION` as GUC names.
    pub(super) fn special_var(&mut self) -> PResult<Option<String>> {
        if self.is_kw("time") && self.is_kw_at(1, "zone") {
            self.skip(2);
            return Ok(Some("timezone".into()));
        }
        if self.is_kw("transaction") && self.is_kw_at(1, "isolation") {
            self.skip(2);
            self.expect_kw("level")?;
            return Ok(Some("transaction_isolation".into()));
        }
        if self.is_kw("session") && self.is_kw_at(1, "authorization") {
            self.skip(2);
            return Ok(Some("session_authorization".into()));
        }
        Ok(None)
    }

    pub(super) fn reset(&mut self) -> PResult<Statement> {
        self.advance();
        let name = match self.special_var()? {
            Some(n) => n,
            None if self.eat_kw("all") => "all".into(),
            None => self.var_name()?,
        };
        Ok(Statement::Reset { name })
    }

    pub(super) fn set(&mut self) -> PResult<Statement> {
        self.advance();
        let generic = |p: &Self, n: usize| {
            p.is_kw_at(n, "to") || p.is_op_at(n, "=") || p.is_punct_at(n, b'.')
        };
        let mut local = false;
        if self.is_kw("local") && !generic(self, 1) {
            self.advance();
            local = true;
        } else if self.is_kw("session")
            && !generic(self, 1)
            && !self.is_kw_at(1, "authorization")
            && !self.is_kw_at(1, "characteristics")
        {
            self.advance();
        }
        let idx = self.pos;
        if !generic(self, 1) {
            if self.is_kw("transaction")
                || (self.is_kw("session") && self.is_kw_at(1, "characteristics"))
            {
                return self.unsupported(idx, "SET TRANSACTION");
            }
            if self.is_kw("time") && self.is_kw_at(1, "zone") {
                self.skip(2);
                let value = self.zone_value()?;
                return Ok(Statement::Set {
                    name: "timezone".into(),
                    value,
                    local,
                });
            }
            if self.eat_kw("names") {
                let value = if self.eat_kw("default") || self.at_statement_end() {
                    SetValue::Default
                } else {
                    SetValue::Values(vec![self.word_or_sconst()?])
                };
                return Ok(Statement::Set {
                    name: "client_encoding".into(),
                    value,
                    local,
                });
            }
            if self.eat_kw("role") {
                let value = SetValue::Values(vec![self.word_or_sconst()?]);
                return Ok(Statement::Set {
                    name: "role".into(),
                    value,
                    local,
                });
            }
            if self.eat_kw("schema") {
                let value = SetValue::Values(vec![self.sconst()?]);
                return Ok(Statement::Set {
                    name: "search_path".into(),
                    value,
                    local,
                });
            }
            if self.is_kw("session") && self.is_kw_at(1, "authorization") {
                self.skip(2);
                let value = if self.eat_kw("default") {
                    SetValue::Default
                } else {
                    SetValue::Values(vec![self.word_or_sconst()?])
                };
                return Ok(Statement::Set {
                    name: "session_authorization".into(),
                    value,
                    local,
                });
            }
            if self.is_kw("catalog") || (self.is_kw("xml") && self.is_kw_at(1, "option")) {
                let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                return self.unsupported(idx, &format!("SET {what}"));
            }
        }
        let name = self.var_name()?;
        if self.is_kw("from") && self.is_kw_at(1, "current") {
            return self.unsupported(idx, "SET ... FROM CURRENT");
        }
        let value = self.set_value()?;
        Ok(Statement::Set { name, value, local })
    }

    pub(super) fn at_statement_end(&self) -> bool {
        matches!(self.tk(0), Tk::Eof | Tk::Punct(b';'))
    }

    /// `{TO | =} {DEFAULT | value, ...}`.
    pub(super) fn set_value(&mut self) -> PResult<SetValue> {
        if !(self.eat_kw("to") || self.eat_op("=")) {
            return self.fail();
        }
        if self.eat_kw("default") {
            return Ok(SetValue::Default);
        }
        let mut values = vec![self.var_value()?];
        while self.eat_punct(b',') {
            values.push(self.var_value()?);
        }
        Ok(SetValue::Values(values))
    }

    pub(super) fn var_value(&mut self) -> PResult<String> {
        match self.tk(0) {
            Tk::Word { text, quoted } => {
                if *quoted
                    || kw_cat(text) != Some(KwCat::Reserved)
                    || matches!(text.as_str(), "true" | "false" | "on")
                {
                    let t = text.clone();
                    self.advance();
                    Ok(t)
                } else {
                    self.fail()
                }
            }
            Tk::Str { .. } => self.sconst(),
            Tk::Int(_) | Tk::Num => self.numeric_only(),
            Tk::Op(o) if (o == "+" || o == "-") && matches!(self.tk(1), Tk::Int(_) | Tk::Num) => {
                self.numeric_only()
            }
            _ => self.fail(),
        }
    }

    /// `NumericOnly`: integers as the server prints them, other numbers as written.
    pub(super) fn numeric_only(&mut self) -> PResult<String> {
        let neg = if self.eat_op("-") {
            true
        } else {
            self.eat_op("+");
            false
        };
        let idx = self.pos;
        let s = match self.tk(0) {
            Tk::Int(v) if i32::try_from(*v).is_ok() => (if neg { -*v } else { *v }).to_string(),
            Tk::Int(_) | Tk::Num => {
                let raw = self.text_of(idx);
                if neg {
                    format!("-{raw}")
                } else {
                    raw.to_string()
                }
            }
            _ => return self.fail(),
        };
        self.advance();
        Ok(s)
    }

    pub(super) fn word_or_sconst(&mut self) -> PResult<String> {
        if matches!(self.tk(0), Tk::Str { .. }) {
            self.sconst()
        } else {
            self.nonreserved_word()
        }
    }

    pub(super) fn zone_value(&mut self) -> PResult<SetValue> {
        if self.eat_kw("default") || self.eat_kw("local") {
            return Ok(SetValue::Default);
        }
        if self.is_kw("interval") {
            return self.unsupported(self.pos, "SET TIME ZONE INTERVAL");
        }
        let v = match self.tk(0) {
            Tk::Str { .. } => self.sconst()?,
            Tk::Int(_) | Tk::Num | Tk::Op(_) => self.numeric_only()?,
            t if matches!(word_cat(t), Some(None)) => self.col_label()?,
            _ => return self.fail(),
        };
        Ok(SetValue::Values(vec![v]))
    }

    // ----- transactions -----

    pub(super) fn transaction(&mut self) -> PResult<Statement> {
        let idx = self.pos;
        let w = self.kw().unwrap_or_default();
        self.advance();
        if w == "start" {
            self.expect_kw("transaction")?;
            self.no_transaction_modes()?;
            return Ok(Statement::Begin);
        }
        if (w == "commit" || w == "rollback") && self.is_kw("prepared") {
            return self.unsupported(idx, &format!("{} PREPARED", w.to_ascii_uppercase()));
        }
        if !self.eat_kw("work") {
            self.eat_kw("transaction");
        }
        if w == "begin" {
            self.no_transaction_modes()?;
            return Ok(Statement::Begin);
        }
        if w == "rollback" && self.is_kw("to") {
            return self.unsupported(idx, "ROLLBACK TO SAVEPOINT");
        }
        if self.eat_kw("and") {
            if self.is_kw("chain") {
                return self.unsupported(self.pos, "AND CHAIN");
            }
            self.expect_kw("no")?;
            self.expect_kw("chain")?;
        }
        Ok(if w == "commit" || w == "end" {
            Statement::Commit
        } else {
            Statement::Rollback
        })
    }

    pub(super) fn no_transaction_modes(&self) -> PResult<()> {
        if self.is_any_kw(&["isolation", "read", "deferrable"])
            || (self.is_kw("not") && self.is_kw_at(1, "deferrable"))
        {
            return self.unsupported(self.pos, "transaction modes");
        }
        Ok(())
    }
}
