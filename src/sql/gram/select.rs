//! SELECT: target lists, FROM, GROUP BY, ORDER BY, LIMIT (gram.y's SelectStmt).

use crate::sql::ast::{Expr, FromItem, OrderBy, Select, SelectItem};
use crate::sql::error::{ServerError, STACK_DEPTH};
use crate::sql::keywords::{is_bare_label, is_col_id, word_cat, KwCat};
use crate::sql::scan::Tk;

use super::{empty_select, PResult, Parser, L_UMINUS, MAX_DEPTH};

impl Parser<'_> {
    /// A whole query; the second value is the table of a bare `TABLE t`.
    pub(super) fn select_full(&mut self) -> PResult<(Select, Option<String>)> {
        if self.depth >= MAX_DEPTH {
            return Err(ServerError {
                message: STACK_DEPTH.into(),
                position: None,
                ..ServerError::default()
            });
        }
        self.depth += 1;
        let r = self.select_full_inner();
        self.depth -= 1;
        r
    }

    pub(super) fn select_full_inner(&mut self) -> PResult<(Select, Option<String>)> {
        let (mut sel, mut bare) = if self.is_punct(b'(') {
            (self.select_parens()?, None)
        } else {
            self.simple_select()?
        };
        if let Some(w) = self.kw() {
            if matches!(w.as_str(), "union" | "intersect" | "except") {
                return self.unsupported(self.pos, &w.to_ascii_uppercase());
            }
        }
        if self.is_kw("order") {
            self.advance();
            self.expect_kw("by")?;
            let first = self.pos;
            let keys = self.sort_list()?;
            if !sel.order_by.is_empty() {
                return Err(self.msg_at(first, "multiple ORDER BY clauses not allowed"));
            }
            sel.order_by = keys;
            bare = None;
        }
        let (mut got_limit, mut got_offset) = (false, false);
        loop {
            if !got_limit && (self.is_kw("limit") || self.is_kw("fetch")) {
                got_limit = true;
                bare = None;
                if let Some((e, first)) = self.limit_clause()? {
                    if sel.limit.is_some() {
                        return Err(self.msg_at(first, "multiple LIMIT clauses not allowed"));
                    }
                    sel.limit = Some(e);
                }
            } else if !got_offset && self.is_kw("offset") {
                got_offset = true;
                bare = None;
                self.advance();
                let first = self.pos;
                let e = self.expr()?;
                if !self.eat_kw("row") {
                    self.eat_kw("rows");
                }
                if sel.offset.is_some() {
                    return Err(self.msg_at(first, "multiple OFFSET clauses not allowed"));
                }
                sel.offset = Some(e);
            } else {
                break;
            }
        }
        if self.is_kw("for") {
            let idx = self.pos;
            self.advance();
            if self.is_any_kw(&["update", "share", "no", "key", "read"]) {
                return self.unsupported(idx, "FOR UPDATE/SHARE");
            }
            return self.fail();
        }
        Ok((sel, bare))
    }

    /// LIMIT or FETCH FIRST; `None` for LIMIT ALL. Also returns where the value starts.
    pub(super) fn limit_clause(&mut self) -> PResult<Option<(Expr, usize)>> {
        let idx = self.pos;
        if self.eat_kw("limit") {
            if self.eat_kw("all") {
                return Ok(None);
            }
            let first = self.pos;
            let e = self.expr()?;
            if self.eat_punct(b',') {
                self.expr()?;
                return Err(self.msg_at(idx, "LIMIT #,# syntax is not supported"));
            }
            return Ok(Some((e, first)));
        }
        self.expect_kw("fetch")?;
        if !(self.eat_kw("first") || self.eat_kw("next")) {
            return self.fail();
        }
        let first = self.pos;
        let value = if self.is_kw("row") || self.is_kw("rows") {
            Expr::Integer(1)
        } else {
            self.expr_bp(L_UMINUS)?
        };
        if !(self.eat_kw("row") || self.eat_kw("rows")) {
            return self.fail();
        }
        if self.is_kw("with") {
            return self.unsupported(self.pos, "FETCH ... WITH TIES");
        }
        self.expect_kw("only")?;
        Ok(Some((value, first)))
    }

    pub(super) fn select_parens(&mut self) -> PResult<Select> {
        self.expect_punct(b'(')?;
        if !self.query_at(0) {
            return self.fail();
        }
        let (sel, _) = self.select_full()?;
        self.expect_punct(b')')?;
        Ok(sel)
    }

    pub(super) fn simple_select(&mut self) -> PResult<(Select, Option<String>)> {
        let mut sel = empty_select();
        if self.eat_kw("table") {
            let name = self.relation_expr()?;
            sel.items.push(SelectItem::Wildcard);
            sel.from.push(FromItem::Table {
                name: name.clone(),
                alias: None,
            });
            return Ok((sel, Some(name)));
        }
        if self.is_kw("values") || self.is_kw("with") {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &what);
        }
        self.expect_kw("select")?;
        if !self.eat_kw("all") && self.is_kw("distinct") {
            let idx = self.pos;
            self.advance();
            if self.is_kw("on") {
                return self.unsupported(idx, "SELECT DISTINCT ON");
            }
            sel.distinct = true;
        }
        if sel.distinct || !self.target_list_absent() {
            sel.items = self.target_list()?;
        }
        if self.is_kw("into") {
            return self.unsupported(self.pos, "SELECT INTO");
        }
        if self.eat_kw("from") {
            sel.from = self.parse_from()?;
        }
        if self.eat_kw("where") {
            sel.filter = Some(self.expr()?);
        }
        if self.is_kw("group") {
            self.advance();
            self.expect_kw("by")?;
            sel.group_by = self.group_by_list()?;
        }
        if self.is_kw("having") || self.is_kw("window") {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &what);
        }
        Ok((sel, None))
    }

    /// No target list: `SELECT;`, `SELECT FROM t` (PostgreSQL allows both).
    pub(super) fn target_list_absent(&self) -> bool {
        match self.tk(0) {
            Tk::Eof => true,
            Tk::Punct(b';' | b')') => true,
            Tk::Word {
                text,
                quoted: false,
            } => [
                "except",
                "fetch",
                "for",
                "from",
                "group",
                "having",
                "intersect",
                "into",
                "limit",
                "offset",
                "order",
                "union",
                "where",
                "window",
            ]
            .contains(&text.as_str()),
            _ => false,
        }
    }

    pub(super) fn target_list(&mut self) -> PResult<Vec<SelectItem>> {
        let mut items = vec![self.target()?];
        while self.eat_punct(b',') {
            items.push(self.target()?);
        }
        Ok(items)
    }

    pub(super) fn target(&mut self) -> PResult<SelectItem> {
        if self.eat_op("*") {
            return Ok(SelectItem::Wildcard);
        }
        if self.is_punct_at(1, b'.') && self.is_op_at(2, "*") {
            if let Tk::Word { text, .. } = self.tk(0) {
                if !is_col_id(self.tk(0)) {
                    return self.fail();
                }
                let t = text.clone();
                self.skip(3);
                return Ok(SelectItem::QualifiedWildcard(t));
            }
        }
        self.label_depth = Some(self.depth + 1);
        let expr = self.expr();
        self.label_depth = None;
        let expr = expr?;
        let alias = if self.eat_kw("as") || is_bare_label(self.tk(0)) {
            Some(self.col_label()?)
        } else {
            None
        };
        Ok(SelectItem::Expr { expr, alias })
    }

    pub(super) fn parse_from(&mut self) -> PResult<Vec<FromItem>> {
        let mut items = vec![self.table_ref()?];
        while self.eat_punct(b',') {
            items.push(self.table_ref()?);
        }
        Ok(items)
    }

    pub(super) fn table_ref(&mut self) -> PResult<FromItem> {
        let idx = self.pos;
        if self.is_punct(b'(') {
            return self.unsupported(idx, "subqueries in FROM");
        }
        if self.is_kw("lateral") {
            return self.unsupported(idx, "LATERAL");
        }
        if self.is_kw("rows") && self.is_kw_at(1, "from") {
            return self.unsupported(idx, "ROWS FROM");
        }
        let item = if !self.is_kw("only") && self.function_follows() {
            let call = self.primary()?;
            if self.is_kw("with") && self.is_kw_at(1, "ordinality") {
                return self.unsupported(self.pos, "WITH ORDINALITY");
            }
            let (alias, column_alias) = self.func_alias()?;
            FromItem::Function {
                call,
                alias,
                column_alias,
            }
        } else {
            if matches!(word_cat(self.tk(0)), Some(Some(KwCat::TypeFunc))) {
                // A type/function-name keyword could only start a function call here.
                self.advance();
                return self.fail();
            }
            let name = self.relation_expr()?;
            let alias = self.opt_alias()?;
            if self.is_punct(b'(') {
                return self.unsupported(self.pos, "column aliases on tables");
            }
            if self.is_kw("tablesample") {
                return self.unsupported(self.pos, "TABLESAMPLE");
            }
            FromItem::Table { name, alias }
        };
        self.no_join()?;
        Ok(item)
    }

    /// Rejects a JOIN; a join keyword that does not start one is a syntax error after it.
    pub(super) fn no_join(&self) -> PResult<()> {
        let mut n = usize::from(self.is_kw("natural"));
        match self.kw_at(n) {
            Some("left" | "right" | "full") => {
                n += 1;
                if self.is_kw_at(n, "outer") {
                    n += 1;
                }
            }
            Some("inner" | "cross") if n == 0 || self.is_kw_at(n, "inner") => n += 1,
            _ => {}
        }
        if self.is_kw_at(n, "join") {
            return self.unsupported(self.pos, "JOIN");
        }
        if n > 0 {
            return Err(self.err_at(self.pos + n));
        }
        Ok(())
    }

    /// Whether a (possibly qualified) name followed by `(` is next.
    pub(super) fn function_follows(&self) -> bool {
        let mut n = 0;
        loop {
            if !matches!(self.tk(n), Tk::Word { .. }) {
                return false;
            }
            if self.is_punct_at(n + 1, b'.') {
                n += 2;
            } else {
                return self.is_punct_at(n + 1, b'(');
            }
        }
    }

    /// `[AS] alias`.
    pub(super) fn opt_alias(&mut self) -> PResult<Option<String>> {
        if self.eat_kw("as") {
            return Ok(Some(self.col_id()?));
        }
        if is_col_id(self.tk(0)) {
            return Ok(Some(self.col_id()?));
        }
        Ok(None)
    }

    /// `[AS] alias [(column)]` after a function in FROM.
    pub(super) fn func_alias(&mut self) -> PResult<(Option<String>, Option<String>)> {
        if self.is_kw("as") && self.is_punct_at(1, b'(') {
            return self.unsupported(self.pos, "column definition lists");
        }
        let alias = self.opt_alias()?;
        if alias.is_none() || !self.is_punct(b'(') {
            return Ok((alias, None));
        }
        let idx = self.pos;
        self.advance();
        let mut cols = vec![self.col_id()?];
        if matches!(self.tk(0), Tk::Word { .. }) {
            return self.unsupported(idx, "column definition lists");
        }
        while self.eat_punct(b',') {
            cols.push(self.col_id()?);
            if matches!(self.tk(0), Tk::Word { .. }) {
                return self.unsupported(idx, "column definition lists");
            }
        }
        self.expect_punct(b')')?;
        if cols.len() > 1 {
            return self.unsupported(idx, "several column aliases");
        }
        Ok((alias, cols.pop()))
    }

    pub(super) fn group_by_list(&mut self) -> PResult<Vec<Expr>> {
        if !self.eat_kw("all") && self.is_kw("distinct") {
            return self.unsupported(self.pos, "GROUP BY DISTINCT");
        }
        let mut items = Vec::new();
        loop {
            let idx = self.pos;
            if self.is_punct(b'(') && self.is_punct_at(1, b')') {
                return self.unsupported(idx, "GROUP BY ()");
            }
            if (self.is_kw("rollup") || self.is_kw("cube")) && self.is_punct_at(1, b'(') {
                return self.unsupported(idx, "ROLLUP and CUBE");
            }
            if self.is_kw("grouping") && self.is_kw_at(1, "sets") {
                return self.unsupported(idx, "GROUPING SETS");
            }
            items.push(self.expr()?);
            if !self.eat_punct(b',') {
                return Ok(items);
            }
        }
    }

    pub(super) fn sort_list(&mut self) -> PResult<Vec<OrderBy>> {
        let mut keys = Vec::new();
        loop {
            let expr = self.expr()?;
            let mut descending = false;
            if self.eat_kw("desc") {
                descending = true;
            } else if !self.eat_kw("asc") && self.is_kw("using") {
                return self.unsupported(self.pos, "ORDER BY ... USING");
            }
            if self.is_kw("nulls") && (self.is_kw_at(1, "first") || self.is_kw_at(1, "last")) {
                return self.unsupported(self.pos, "NULLS FIRST/LAST");
            }
            keys.push(OrderBy { expr, descending });
            if !self.eat_punct(b',') {
                return Ok(keys);
            }
        }
    }
}
