//! INSERT, UPDATE and DELETE.

use crate::sql::ast::{Expr, InsertSource, Statement};
use crate::sql::keywords::is_col_id;
use crate::sql::scan::Tk;

use super::{PResult, Parser};

impl Parser<'_> {
    pub(super) fn insert(&mut self) -> PResult<Statement> {
        self.advance();
        self.expect_kw("into")?;
        let table = self.qualified_name()?;
        if self.eat_kw("as") {
            self.col_id()?;
        }
        let mut columns = Vec::new();
        if self.is_punct(b'(') && !self.query_at(1) {
            self.advance();
            loop {
                columns.push(self.col_id()?);
                if self.is_punct(b'.') || self.is_punct(b'[') {
                    return self.unsupported(self.pos, "INSERT column indirection");
                }
                if !self.eat_punct(b',') {
                    break;
                }
            }
            self.expect_punct(b')')?;
        }
        let source = if columns.is_empty() && self.is_kw("default") {
            self.advance();
            self.expect_kw("values")?;
            InsertSource::DefaultValues
        } else if self.is_kw("values") {
            InsertSource::Values(self.values_rows()?)
        } else if self.is_kw("select") || self.is_kw("table") || self.is_punct(b'(') {
            InsertSource::Query(Box::new(self.select_full()?.0))
        } else if self.is_kw("with") || self.is_kw("overriding") {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &format!("INSERT ... {what}"));
        } else {
            return self.fail();
        };
        if self.is_kw("on") && self.is_kw_at(1, "conflict") {
            return self.unsupported(self.pos, "ON CONFLICT");
        }
        if self.is_kw("returning") {
            return self.unsupported(self.pos, "RETURNING");
        }
        Ok(Statement::Insert {
            table,
            columns,
            source,
        })
    }

    pub(super) fn values_rows(&mut self) -> PResult<Vec<Vec<Expr>>> {
        self.expect_kw("values")?;
        let mut rows = Vec::new();
        loop {
            self.expect_punct(b'(')?;
            let mut row = Vec::new();
            loop {
                if self.is_kw("default") && (self.is_punct_at(1, b',') || self.is_punct_at(1, b')'))
                {
                    self.advance();
                    row.push(Expr::Default);
                } else {
                    row.push(self.expr()?);
                }
                if !self.eat_punct(b',') {
                    break;
                }
            }
            self.expect_punct(b')')?;
            rows.push(row);
            if !self.eat_punct(b',') {
                return Ok(rows);
            }
        }
    }

    /// The table of UPDATE / DELETE (aliases are not modelled).
    pub(super) fn dml_target(&mut self, stmt: &str) -> PResult<String> {
        let table = self.relation_expr()?;
        if self.is_kw("as") || (is_col_id(self.tk(0)) && !self.is_kw("set")) {
            return self.unsupported(self.pos, &format!("table aliases in {stmt}"));
        }
        Ok(table)
    }

    pub(super) fn where_clause(&mut self) -> PResult<Option<Expr>> {
        if !self.eat_kw("where") {
            return Ok(None);
        }
        if self.is_kw("current") && self.is_kw_at(1, "of") {
            return self.unsupported(self.pos, "WHERE CURRENT OF");
        }
        Ok(Some(self.expr()?))
    }

    pub(super) fn update(&mut self) -> PResult<Statement> {
        self.advance();
        let table = self.dml_target("UPDATE")?;
        self.expect_kw("set")?;
        let mut assignments = Vec::new();
        loop {
            if self.is_punct(b'(') {
                return self.unsupported(self.pos, "multiple-column SET");
            }
            let col = self.col_id()?;
            if self.is_punct(b'.') || self.is_punct(b'[') {
                return self.unsupported(self.pos, "UPDATE column indirection");
            }
            if !self.eat_op("=") {
                return self.fail();
            }
            if self.is_kw("default") && (self.is_punct_at(1, b',') || self.ends_statement(1)) {
                return self.unsupported(self.pos, "SET column = DEFAULT");
            }
            assignments.push((col, self.expr()?));
            if !self.eat_punct(b',') {
                break;
            }
        }
        if self.is_kw("from") {
            return self.unsupported(self.pos, "UPDATE ... FROM");
        }
        let filter = self.where_clause()?;
        if self.is_kw("returning") {
            return self.unsupported(self.pos, "RETURNING");
        }
        Ok(Statement::Update {
            table,
            assignments,
            filter,
        })
    }

    pub(super) fn ends_statement(&self, n: usize) -> bool {
        matches!(self.tk(n), Tk::Eof | Tk::Punct(b';')) || self.is_kw_at(n, "where")
    }

    pub(super) fn delete(&mut self) -> PResult<Statement> {
        self.advance();
        self.expect_kw("from")?;
        let table = self.dml_target("DELETE")?;
        if self.is_kw("using") {
            return self.unsupported(self.pos, "DELETE ... USING");
        }
        let filter = self.where_clause()?;
        if self.is_kw("returning") {
            return self.unsupported(self.pos, "RETURNING");
        }
        Ok(Statement::Delete { table, filter })
    }
}
