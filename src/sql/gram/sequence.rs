//! CREATE SEQUENCE and DROP SEQUENCE.

use crate::sql::ast::{SequenceOptions, Statement};
use crate::sql::scan::Tk;

use super::{PResult, Parser};

impl Parser<'_> {
    /// After CREATE: `SEQUENCE [IF NOT EXISTS] name options`.
    pub(super) fn create_sequence(&mut self) -> PResult<Statement> {
        self.advance();
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        let mut options = SequenceOptions::default();
        loop {
            let at = self.pos;
            if self.eat_kw("as") {
                options.type_name = Some(match self.kw().as_deref() {
                    Some("bigint" | "int8") => "bigint",
                    Some("integer" | "int" | "int4") => "integer",
                    _ => return self.unsupported(at, "CREATE SEQUENCE ... AS this type"),
                });
                self.advance();
            } else if self.eat_kw("increment") {
                self.eat_kw("by");
                options.increment = Some(self.signed_int8()?);
            } else if self.eat_kw("start") {
                self.eat_kw("with");
                options.start = Some(self.signed_int8()?);
            } else if self.eat_kw("maxvalue") {
                options.max = Some(self.signed_int8()?);
            } else if (self.is_kw("no")
                && (self.is_kw_at(1, "maxvalue") || self.is_kw_at(1, "cycle")))
                || (self.is_kw("cache") && matches!(self.tk(1), Tk::Int(1)))
            {
                // The defaults, said out loud.
                self.skip(2);
            } else if self.is_any_kw(&["minvalue", "no", "cycle", "cache", "owned", "restart"]) {
                let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                return self.unsupported(at, &format!("CREATE SEQUENCE ... {what}"));
            } else {
                break;
            }
        }
        Ok(Statement::CreateSequence {
            name,
            if_not_exists,
            options,
        })
    }

    /// After DROP: `SEQUENCE [IF EXISTS] a, b [CASCADE | RESTRICT]`.
    pub(super) fn drop_sequence(&mut self) -> PResult<Statement> {
        let (names, if_exists) = self.drop_names(Self::qualified_name)?;
        Ok(Statement::DropSequence { names, if_exists })
    }

    /// NumericOnly for a bigint option: `[+|-] integer`.
    fn signed_int8(&mut self) -> PResult<i64> {
        let neg = if self.eat_op("-") {
            true
        } else {
            self.eat_op("+");
            false
        };
        match *self.tk(0) {
            Tk::Int(v) => {
                self.advance();
                Ok(if neg { -v } else { v })
            }
            _ => self.fail(),
        }
    }
}
