//! Publications (gram.y's CreatePublicationStmt, AlterPublicationStmt, DROP
//! PUBLICATION): the tables a publisher's logical decoding sends.

use crate::sql::ast::{AlterPublication, PublicationTarget, Statement};
use crate::sql::error::ServerError;
use crate::sql::scan::Tk;

use super::{PResult, Parser};

impl Parser<'_> {
    /// After `CREATE`: `PUBLICATION name [FOR ...] [WITH (...)]`.
    pub(super) fn create_publication(&mut self) -> PResult<Statement> {
        self.advance();
        let name = self.col_id()?;
        let target = if self.eat_kw("for") {
            if self.eat_kw("all") {
                self.expect_kw("tables")?;
                PublicationTarget::AllTables
            } else {
                PublicationTarget::Tables(self.publication_tables()?)
            }
        } else {
            PublicationTarget::Nothing
        };
        let publish = if self.eat_kw("with") {
            Some(self.publication_options()?)
        } else {
            None
        };
        Ok(Statement::CreatePublication {
            name,
            target,
            publish,
        })
    }

    /// `TABLE a, b` (TABLES IN SCHEMA is not modelled).
    fn publication_tables(&mut self) -> PResult<Vec<String>> {
        let idx = self.pos;
        if self.is_kw("tables") {
            return self.unsupported(idx, "TABLES IN SCHEMA");
        }
        if !self.is_kw("table") && matches!(self.tk(0), Tk::Word { .. }) {
            // A name without TABLE before it (`ADD SEQUENCE s` reads as one).
            let mut e = self.msg_at(idx, "invalid publication object list".to_string());
            e.detail = Some(
                "One of TABLE or TABLES IN SCHEMA must be specified before a standalone table or schema name."
                    .to_string(),
            );
            return Err(e);
        }
        self.expect_kw("table")?;
        let mut names = vec![self.relation_expr()?];
        while self.eat_punct(b',') {
            if self.is_kw("table") {
                self.advance();
            }
            names.push(self.relation_expr()?);
        }
        Ok(names)
    }

    /// `(publish = 'insert, update', ...)`: the value of `publish`, checked by the
    /// executor; another option is PostgreSQL's error.
    fn publication_options(&mut self) -> PResult<String> {
        self.expect_punct(b'(')?;
        let mut publish = None;
        loop {
            let opt = self.col_label()?;
            if !matches!(opt.as_str(), "publish" | "publish_via_partition_root") {
                // Raised by the executor in PostgreSQL, once the statement parsed: no
                // position.
                self.set_pending(ServerError::new(format!(
                    "unrecognized publication parameter: \"{opt}\""
                )));
            }
            let value = if self.eat_op("=") {
                match self.sconst() {
                    Ok(v) => v,
                    Err(_) => {
                        self.advance();
                        String::new()
                    }
                }
            } else {
                String::new()
            };
            if opt == "publish" {
                publish = Some(value);
            }
            if !self.eat_punct(b',') {
                break;
            }
        }
        self.expect_punct(b')')?;
        Ok(publish.unwrap_or_else(|| "insert, update, delete, truncate".to_string()))
    }

    /// After `ALTER`: `PUBLICATION name ADD|DROP|SET ...`.
    pub(super) fn alter_publication(&mut self) -> PResult<Statement> {
        self.advance();
        let name = self.col_id()?;
        let action = if self.eat_kw("add") {
            AlterPublication::AddTables(self.publication_tables()?)
        } else if self.eat_kw("drop") {
            AlterPublication::DropTables(self.publication_tables()?)
        } else if self.eat_kw("set") {
            if self.is_punct(b'(') {
                AlterPublication::SetPublish(self.publication_options()?)
            } else {
                AlterPublication::SetTables(self.publication_tables()?)
            }
        } else {
            return self.fail();
        };
        Ok(Statement::AlterPublication { name, action })
    }

    /// After `DROP`: `PUBLICATION [IF EXISTS] a, b [CASCADE|RESTRICT]`.
    pub(super) fn drop_publication(&mut self) -> PResult<Statement> {
        self.advance();
        let if_exists = self.if_exists();
        let mut names = vec![self.col_id()?];
        while self.eat_punct(b',') {
            names.push(self.col_id()?);
        }
        if !self.eat_kw("cascade") {
            self.eat_kw("restrict");
        }
        Ok(Statement::DropPublication { names, if_exists })
    }
}
