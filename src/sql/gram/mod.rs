//! The grammar (gram.y): a recursive-descent parser over the scanner's tokens.
//!
//! One [`Parser`] whose `impl` continues in sibling files by statement family, as
//! sqlparser-rs does: this file holds the entry point, token access, errors, names, the
//! recursion guard and the statement dispatch.

mod ddl;
mod dml;
mod expr;
mod extension;
mod publication;
mod role;
mod select;
mod sequence;
mod set;
mod subscription;
mod types;

use super::ast::{BinaryOp, Expr, Select, Statement, UnaryOp};
use super::error::{finish, ServerError};
use super::keywords::{is_col_id, is_nonreserved, OTHER_STATEMENTS};
use super::scan::{lex, StrKind, Tk, Token};
use super::scansup::{char_pos, until_nul};

/// Parses one SQL statement (a trailing `;` is allowed).
pub fn parse(sql: &str) -> Result<Statement, ServerError> {
    let sql = until_nul(sql);
    let (toks, lex_err) = lex(sql);
    let mut p = Parser {
        src: sql,
        toks,
        pos: 0,
        lex_err,
        depth: 0,
        chain: 0,
        pending: None,
        label_depth: None,
    };
    p.top().map_err(|e| finish(e, sql))
}

pub(super) type PResult<T> = Result<T, ServerError>;

pub(super) static EOF_TK: Tk = Tk::Eof;

/// Nesting limit for expressions and parenthesized queries.
pub(super) const MAX_DEPTH: usize = 100;

/// The deepest expression tree the parser builds: nesting plus chained operators
/// (`1 + 1 + ...`, `x::int::int ...`). Everything that walks the tree (evaluation,
/// cloning, dropping) recurses this deep, well inside the browser's 1 MB stack.
/// PostgreSQL stops a `1 + 1 + ...` chain near 4,000 terms with "stack depth limit
/// exceeded"; walscope stops it at 500, which leaves the browser room to spare.
pub(super) const MAX_TREE_DEPTH: usize = 500;

// Binding powers, weakest first, as gram.y's precedence declarations.
pub(super) const L_OR: u8 = 1;
pub(super) const L_AND: u8 = 2;
pub(super) const L_NOT: u8 = 3;
pub(super) const L_IS: u8 = 4;
pub(super) const L_CMP: u8 = 5;
pub(super) const L_IN: u8 = 6;
pub(super) const L_ESCAPE: u8 = 7;
pub(super) const L_OP: u8 = 9;
pub(super) const L_ADD: u8 = 10;
pub(super) const L_MUL: u8 = 11;
pub(super) const L_POW: u8 = 12;
pub(super) const L_AT: u8 = 13;
pub(super) const L_COLLATE: u8 = 14;
pub(super) const L_UMINUS: u8 = 15;
pub(super) const L_SUBSCRIPT: u8 = 16;
pub(super) const L_CAST: u8 = 18;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Infix {
    Or,
    And,
    Is,
    IsNull,
    NotNull,
    Cmp(BinaryOp),
    In(bool),
    Between(bool),
    Like(bool),
    ILike,
    Similar,
    GenericOp,
    Arith(BinaryOp),
    Pow,
    AtTimeZone,
    Collate,
    Subscript,
    Cast,
}

pub(super) struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    lex_err: Option<ServerError>,
    depth: usize,
    /// Operators in the left-associative chains being parsed (see [`MAX_TREE_DEPTH`]).
    chain: usize,
    /// A semantic error the server raises after parsing succeeds.
    pending: Option<ServerError>,
    /// Expression depth of the target being parsed, where a keyword may be a column label.
    label_depth: Option<usize>,
}

pub(super) struct PkConstraint {
    at: usize,
    keys: Vec<String>,
}

impl Parser<'_> {
    // ----- token access -----

    fn tk(&self, n: usize) -> &Tk {
        self.toks.get(self.pos + n).map_or(&EOF_TK, |t| &t.tk)
    }

    fn advance(&mut self) {
        if !matches!(self.tk(0), Tk::Eof | Tk::Error) {
            self.pos += 1;
        }
    }

    fn skip(&mut self, n: usize) {
        for _ in 0..n {
            self.advance();
        }
    }

    /// The unquoted word `n` tokens ahead.
    fn kw_at(&self, n: usize) -> Option<&str> {
        match self.tk(n) {
            Tk::Word {
                text,
                quoted: false,
            } => Some(text.as_str()),
            _ => None,
        }
    }

    fn kw(&self) -> Option<String> {
        self.kw_at(0).map(str::to_string)
    }

    fn is_kw(&self, k: &str) -> bool {
        self.kw_at(0) == Some(k)
    }

    fn is_kw_at(&self, n: usize, k: &str) -> bool {
        self.kw_at(n) == Some(k)
    }

    fn is_any_kw(&self, ks: &[&str]) -> bool {
        self.kw_at(0).is_some_and(|w| ks.contains(&w))
    }

    fn eat_kw(&mut self, k: &str) -> bool {
        let hit = self.is_kw(k);
        if hit {
            self.advance();
        }
        hit
    }

    fn expect_kw(&mut self, k: &str) -> PResult<()> {
        if self.eat_kw(k) {
            Ok(())
        } else {
            self.fail()
        }
    }

    fn is_punct_at(&self, n: usize, c: u8) -> bool {
        *self.tk(n) == Tk::Punct(c)
    }

    fn is_punct(&self, c: u8) -> bool {
        self.is_punct_at(0, c)
    }

    fn eat_punct(&mut self, c: u8) -> bool {
        let hit = self.is_punct(c);
        if hit {
            self.advance();
        }
        hit
    }

    fn expect_punct(&mut self, c: u8) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            self.fail()
        }
    }

    fn is_op_at(&self, n: usize, o: &str) -> bool {
        matches!(self.tk(n), Tk::Op(x) if x == o)
    }

    fn is_op(&self, o: &str) -> bool {
        self.is_op_at(0, o)
    }

    fn eat_op(&mut self, o: &str) -> bool {
        let hit = self.is_op(o);
        if hit {
            self.advance();
        }
        hit
    }

    fn text_of(&self, idx: usize) -> &str {
        self.toks
            .get(idx)
            .and_then(|t| self.src.get(t.start..t.end))
            .unwrap_or("")
    }

    /// Whether a query (not a column list or expression) starts `n` tokens ahead.
    fn query_at(&self, n: usize) -> bool {
        self.is_punct_at(n, b'(')
            || ["select", "table", "values", "with"]
                .iter()
                .any(|k| self.is_kw_at(n, k))
    }

    // ----- errors -----

    fn err_at(&self, idx: usize) -> ServerError {
        match self.toks.get(idx) {
            None | Some(Token { tk: Tk::Eof, .. }) => ServerError {
                message: "syntax error at end of input".into(),
                position: None,
                ..ServerError::default()
            },
            Some(Token { tk: Tk::Error, .. }) => self.lex_err.clone().unwrap_or(ServerError {
                message: "syntax error at end of input".into(),
                position: None,
                ..ServerError::default()
            }),
            Some(t) => ServerError {
                message: format!("syntax error at or near \"{}\"", self.text_of(idx)),
                position: Some(char_pos(self.src, t.start)),
                ..ServerError::default()
            },
        }
    }

    fn fail<T>(&self) -> PResult<T> {
        Err(self.err_at(self.pos))
    }

    fn msg_at(&self, idx: usize, message: impl Into<String>) -> ServerError {
        let position = match self.toks.get(idx) {
            Some(t) if !matches!(t.tk, Tk::Eof) => Some(char_pos(self.src, t.start)),
            _ => None,
        };
        ServerError {
            message: message.into(),
            position,
            ..ServerError::default()
        }
    }

    fn unsupported<T>(&self, idx: usize, what: &str) -> PResult<T> {
        Err(self.msg_at(idx, format!("walscope does not support {what}")))
    }

    fn set_pending(&mut self, e: ServerError) {
        if self.pending.is_none() {
            self.pending = Some(e);
        }
    }

    // ----- names -----

    fn take_word(&mut self, ok: fn(&Tk) -> bool) -> PResult<String> {
        if let Tk::Word { text, .. } = self.tk(0) {
            if ok(self.tk(0)) {
                let t = text.clone();
                self.advance();
                return Ok(t);
            }
        }
        self.fail()
    }

    fn col_id(&mut self) -> PResult<String> {
        self.take_word(is_col_id)
    }

    fn col_label(&mut self) -> PResult<String> {
        self.take_word(|t| matches!(t, Tk::Word { .. }))
    }

    fn nonreserved_word(&mut self) -> PResult<String> {
        self.take_word(is_nonreserved)
    }

    /// `qualified_name`, with `public.` / `pg_catalog.` dropped.
    fn qualified_name(&mut self) -> PResult<String> {
        let mut parts = vec![self.col_id()?];
        while self.eat_punct(b'.') {
            parts.push(self.col_label()?);
        }
        Ok(join_name(parts, &["pg_catalog", "public"]))
    }

    /// `relation_expr`: `[ONLY] name [*]`.
    fn relation_expr(&mut self) -> PResult<String> {
        if self.eat_kw("only") {
            if self.eat_punct(b'(') {
                let n = self.qualified_name()?;
                self.expect_punct(b')')?;
                return Ok(n);
            }
            return self.qualified_name();
        }
        let n = self.qualified_name()?;
        self.eat_op("*");
        Ok(n)
    }

    fn var_name(&mut self) -> PResult<String> {
        let mut n = self.col_id()?;
        while self.eat_punct(b'.') {
            n.push('.');
            n.push_str(&self.col_id()?);
        }
        Ok(n)
    }

    fn sconst(&mut self) -> PResult<String> {
        match self.tk(0).clone() {
            Tk::Str {
                value,
                kind: StrKind::Plain,
            } => {
                self.advance();
                Ok(value)
            }
            Tk::Str {
                kind: StrKind::Unicode,
                ..
            } => self.unsupported(self.pos, "U&'...' strings"),
            _ => self.fail(),
        }
    }

    // ----- statements -----

    fn top(&mut self) -> PResult<Statement> {
        while self.eat_punct(b';') {}
        if matches!(self.tk(0), Tk::Eof) {
            return Err(ServerError {
                message: "empty query".into(),
                position: None,
                ..ServerError::default()
            });
        }
        let stmt = self.statement()?;
        while self.eat_punct(b';') {}
        if !matches!(self.tk(0), Tk::Eof) {
            return self.fail();
        }
        match self.pending.take() {
            Some(e) => Err(e),
            None => Ok(stmt),
        }
    }

    fn statement(&mut self) -> PResult<Statement> {
        if self.is_punct(b'(') {
            return self.select_statement();
        }
        let idx = self.pos;
        let Some(w) = self.kw() else {
            return self.fail();
        };
        match w.as_str() {
            "select" | "table" => self.select_statement(),
            "values" | "with" => self.unsupported(idx, &w.to_ascii_uppercase()),
            "insert" => self.insert(),
            "update" => self.update(),
            "delete" => self.delete(),
            "create" => self.create(),
            "drop" => self.drop_stmt(),
            "truncate" => self.truncate(),
            "alter" => self.alter(),
            "show" => self.show(),
            "set" => self.set(),
            "reset" => self.reset(),
            "checkpoint" => {
                self.advance();
                Ok(Statement::Checkpoint)
            }
            "begin" | "start" | "commit" | "end" | "rollback" | "abort" => self.transaction(),
            w if OTHER_STATEMENTS.contains(&w) => self.unsupported(idx, &w.to_ascii_uppercase()),
            _ => self.fail(),
        }
    }

    fn select_statement(&mut self) -> PResult<Statement> {
        let (sel, bare) = self.select_full()?;
        Ok(match bare {
            Some(name) => Statement::Table { name },
            None => Statement::Select(sel),
        })
    }
}

pub(super) fn empty_select() -> Select {
    Select {
        distinct: false,
        items: Vec::new(),
        from: Vec::new(),
        filter: None,
        group_by: Vec::new(),
        order_by: Vec::new(),
        limit: None,
        offset: None,
    }
}

pub(super) fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
    }
}

pub(super) fn cast(expr: Expr, type_name: &str) -> Expr {
    Expr::Cast {
        expr: Box::new(expr),
        type_name: type_name.to_string(),
    }
}

pub(super) fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Call {
        name: name.to_string(),
        args,
        star: false,
        distinct: false,
    }
}

/// `-` on a numeric literal folds into the constant, as gram.y's doNegate does.
pub(super) fn negate(e: Expr) -> Expr {
    match e {
        Expr::Integer(v) => match v.checked_neg() {
            Some(n) => Expr::Integer(n),
            None => Expr::Unary {
                op: UnaryOp::Neg,
                expr: Box::new(Expr::Integer(v)),
            },
        },
        Expr::Numeric(s) => {
            let neg = match s.strip_prefix('-') {
                Some(rest) => rest.to_string(),
                None => format!("-{s}"),
            };
            match neg.parse::<i64>() {
                Ok(v) => Expr::Integer(v),
                Err(_) => Expr::Numeric(neg),
            }
        }
        e => Expr::Unary {
            op: UnaryOp::Neg,
            expr: Box::new(e),
        },
    }
}

/// Operators other than the ones SQL's grammar names (`+`, `<=` ...).
pub(super) fn is_generic_op(o: &str) -> bool {
    !matches!(
        o,
        "+" | "-"
            | "*"
            | "/"
            | "%"
            | "^"
            | "<"
            | ">"
            | "="
            | "<="
            | ">="
            | "<>"
            | "!="
            | "=>"
            | "::"
            | ":="
            | ".."
    )
}

/// Joins a dotted name, dropping a leading schema from `drop`.
pub(super) fn join_name(mut parts: Vec<String>, drop: &[&str]) -> String {
    if parts.len() > 1 && parts.first().is_some_and(|s| drop.contains(&s.as_str())) {
        parts.remove(0);
    }
    parts.join(".")
}
