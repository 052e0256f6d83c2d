//! Subscriptions (gram.y's CreateSubscriptionStmt, AlterSubscriptionStmt,
//! DropSubscriptionStmt): a subscriber's connection to a publisher's publications.

use crate::sql::ast::{AlterSubscription, Statement};

use super::{PResult, Parser};
use crate::sql::scan::Tk;

impl Parser<'_> {
    /// After `CREATE`: `SUBSCRIPTION name CONNECTION '...' PUBLICATION a, b [WITH (...)]`.
    pub(super) fn create_subscription(&mut self) -> PResult<Statement> {
        self.advance();
        let name = self.col_id()?;
        self.expect_kw("connection")?;
        let conninfo = self.sconst()?;
        self.expect_kw("publication")?;
        let publications = self.name_list()?;
        let options = if self.eat_kw("with") {
            self.definition()?
        } else {
            Vec::new()
        };
        Ok(Statement::CreateSubscription {
            name,
            conninfo,
            publications,
            options,
        })
    }

    fn name_list(&mut self) -> PResult<Vec<String>> {
        let mut names = vec![self.col_label()?];
        while self.eat_punct(b',') {
            names.push(self.col_label()?);
        }
        Ok(names)
    }

    /// `(name [= value], ...)`: each value as its text (a string, a word or a number).
    fn definition(&mut self) -> PResult<Vec<(String, Option<String>)>> {
        self.expect_punct(b'(')?;
        let mut out = Vec::new();
        loop {
            let name = self.col_label()?;
            let value = if self.eat_op("=") {
                Some(match self.tk(0).clone() {
                    Tk::Str { .. } => self.sconst()?,
                    Tk::Int(i) => {
                        self.advance();
                        i.to_string()
                    }
                    _ => self.col_label()?,
                })
            } else {
                None
            };
            out.push((name, value));
            if !self.eat_punct(b',') {
                break;
            }
        }
        self.expect_punct(b')')?;
        Ok(out)
    }

    /// After `ALTER`: `SUBSCRIPTION name ENABLE | DISABLE | SKIP (...) | SET (...) |
    /// CONNECTION '...' | REFRESH PUBLICATION`.
    pub(super) fn alter_subscription(&mut self) -> PResult<Statement> {
        self.advance();
        let name = self.col_id()?;
        let action = if self.eat_kw("enable") {
            AlterSubscription::Enable
        } else if self.eat_kw("disable") {
            AlterSubscription::Disable
        } else if self.eat_kw("skip") {
            AlterSubscription::Skip(self.definition()?)
        } else if self.eat_kw("set") {
            if self.eat_kw("publication") {
                AlterSubscription::SetPublication(self.name_list()?)
            } else {
                AlterSubscription::Set(self.definition()?)
            }
        } else if self.eat_kw("connection") {
            AlterSubscription::Connection(self.sconst()?)
        } else if self.eat_kw("refresh") {
            self.expect_kw("publication")?;
            AlterSubscription::Refresh
        } else {
            return self.fail();
        };
        Ok(Statement::AlterSubscription { name, action })
    }

    /// After `DROP`: `SUBSCRIPTION [IF EXISTS] name [CASCADE|RESTRICT]`.
    pub(super) fn drop_subscription(&mut self) -> PResult<Statement> {
        self.advance();
        let if_exists = self.if_exists();
        let name = self.col_id()?;
        if !self.eat_kw("cascade") {
            self.eat_kw("restrict");
        }
        Ok(Statement::DropSubscription { name, if_exists })
    }
}
