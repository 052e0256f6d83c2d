//! Extensions (gram.y's CreateExtensionStmt and DROP EXTENSION).

use crate::sql::ast::Statement;

use super::{PResult, Parser, Tk};

impl Parser<'_> {
    /// After `CREATE`: `EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v]
    /// [CASCADE]`. The schema and version are read and not modelled: every extension
    /// goes where its control file puts it, at its default version.
    pub(super) fn create_extension(&mut self) -> PResult<Statement> {
        self.advance();
        let if_not_exists = self.if_not_exists()?;
        let name = self.col_id()?;
        self.eat_kw("with");
        loop {
            if self.eat_kw("schema") {
                self.col_id()?;
            } else if self.eat_kw("version") || self.eat_kw("from") {
                if matches!(self.tk(0), Tk::Str { .. }) {
                    self.sconst()?;
                } else {
                    self.nonreserved_word()?;
                }
            } else if !self.eat_kw("cascade") {
                break;
            }
        }
        Ok(Statement::CreateExtension {
            name,
            if_not_exists,
        })
    }

    /// After `DROP`: `EXTENSION [IF EXISTS] a, b [CASCADE|RESTRICT]`.
    pub(super) fn drop_extension(&mut self) -> PResult<Statement> {
        let (names, if_exists) = self.drop_names(Self::col_id)?;
        Ok(Statement::DropExtension { names, if_exists })
    }
}
