//! Expressions (a_expr, b_expr, c_expr): precedence climbing with gram.y's binding
//! powers, function calls and the keyword forms (CASE, EXTRACT, SUBSTRING ...).

use crate::sql::ast::{BinaryOp, Expr, UnaryOp};
use crate::sql::error::{ServerError, STACK_DEPTH};
use crate::sql::keywords::{
    is_col_id, is_type_func_name, kw_cat, KwCat, INTERVAL_FIELDS, TERMINATORS, TYPE_WORDS,
};
use crate::sql::scan::{StrKind, Tk};

use super::{
    binary, call, cast, is_generic_op, join_name, negate, Infix, PResult, Parser, L_ADD, L_AND,
    L_AT, L_CAST, L_CMP, L_COLLATE, L_ESCAPE, L_IN, L_IS, L_MUL, L_NOT, L_OP, L_OR, L_POW,
    L_SUBSCRIPT, L_UMINUS, MAX_DEPTH, MAX_TREE_DEPTH,
};

/// PostgreSQL's answer to an expression nested or chained too deep (its HINT is added
/// with the statement's other parse-error hints).
fn stack_depth() -> ServerError {
    ServerError::new(STACK_DEPTH)
}

/// `terms` joined by `op` (AND or OR) left to right: a left-deep tree for a short chain,
/// as the grammar builds it, and halves joined for a long one, so the tree stays shallow.
fn balanced(op: BinaryOp, mut terms: Vec<Expr>) -> Expr {
    if terms.len() > 64 {
        let right = terms.split_off(terms.len() / 2);
        return binary(op, balanced(op, terms), balanced(op, right));
    }
    let mut it = terms.into_iter();
    let first = it.next().unwrap_or(Expr::Null);
    it.fold(first, |l, r| binary(op, l, r))
}

impl Parser<'_> {
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.expr_bp(0)
    }

    pub(super) fn expr_list(&mut self) -> PResult<Vec<Expr>> {
        let mut v = vec![self.expr()?];
        while self.eat_punct(b',') {
            v.push(self.expr()?);
        }
        Ok(v)
    }

    pub(super) fn expr_bp(&mut self, min: u8) -> PResult<Expr> {
        if self.depth >= MAX_DEPTH {
            return Err(stack_depth());
        }
        self.depth += 1;
        let r = self.expr_bp_inner(min);
        self.depth -= 1;
        r
    }

    pub(super) fn expr_bp_inner(&mut self, min: u8) -> PResult<Expr> {
        let mut left = self.prefix()?;
        let mut last: Option<u8> = None;
        let chain_at_start = self.chain;
        let r = loop {
            let Some((op, lvl)) = self.infix() else {
                break Ok(left);
            };
            if lvl < min {
                break Ok(left);
            }
            // Each operator of a left-associative chain puts the tree one level deeper,
            // and evaluating it recurses that deep: the chain is counted with the
            // nesting around it, as PostgreSQL's stack depth check counts both.
            self.chain += 1;
            if self.depth + self.chain > MAX_TREE_DEPTH {
                break Err(stack_depth());
            }
            match self.infix_tail(left, op, lvl, last) {
                Ok(e) => left = e,
                Err(e) => break Err(e),
            }
            last = Some(lvl);
        };
        self.chain = chain_at_start;
        r
    }

    /// The rest of an infix or postfix operator expression, `left` being its left side.
    fn infix_tail(&mut self, left: Expr, op: Infix, lvl: u8, last: Option<u8>) -> PResult<Expr> {
        // Comparison, IS and IN/LIKE/BETWEEN are non-associative.
        if matches!(lvl, L_IS | L_CMP | L_IN) && last == Some(lvl) {
            return self.fail();
        }
        let idx = self.pos;
        Ok(match op {
            Infix::Or | Infix::And => {
                // PostgreSQL flattens AND and OR into one list, so a chain of
                // 20,000 conditions works; a long chain here becomes a balanced
                // tree, evaluated in the same order.
                let mut terms = vec![left];
                loop {
                    self.advance();
                    terms.push(self.expr_bp(lvl + 1)?);
                    if self.infix() != Some((op, lvl)) {
                        break;
                    }
                }
                let op = if op == Infix::Or {
                    BinaryOp::Or
                } else {
                    BinaryOp::And
                };
                balanced(op, terms)
            }
            Infix::Is => self.is_tail(left)?,
            Infix::IsNull | Infix::NotNull => {
                self.advance();
                Expr::IsNull {
                    expr: Box::new(left),
                    negated: op == Infix::NotNull,
                }
            }
            Infix::Cmp(bop) => {
                self.advance();
                if self.is_any_kw(&["any", "all", "some"]) && self.is_punct_at(1, b'(') {
                    let all = self.is_kw("all");
                    self.skip(2);
                    if self.query_at(0) {
                        return self.unsupported(self.pos, "subqueries");
                    }
                    let array = self.expr()?;
                    self.expect_punct(b')')?;
                    return Ok(Expr::AnyAll {
                        expr: Box::new(left),
                        op: bop,
                        all,
                        array: Box::new(array),
                        position: self.msg_at(idx, "").position,
                    });
                }
                let right = self.expr_bp(L_CMP + 1)?;
                binary(bop, left, right)
            }
            Infix::In(negated) => {
                self.skip(if negated { 2 } else { 1 });
                self.expect_punct(b'(')?;
                if self.query_at(0) && !self.is_punct(b'(') {
                    return self.unsupported(self.pos, "subqueries");
                }
                let list = self.expr_list()?;
                self.expect_punct(b')')?;
                Expr::InList {
                    expr: Box::new(left),
                    list,
                    negated,
                }
            }
            Infix::Between(negated) => {
                self.skip(if negated { 2 } else { 1 });
                if self.is_kw("symmetric") {
                    return self.unsupported(self.pos, "BETWEEN SYMMETRIC");
                }
                self.eat_kw("asymmetric");
                let low = self.expr_bp(L_ESCAPE)?;
                self.expect_kw("and")?;
                let high = self.expr_bp(L_IN + 1)?;
                Expr::Between {
                    expr: Box::new(left),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated,
                }
            }
            Infix::Like(negated) => {
                self.skip(if negated { 2 } else { 1 });
                let pattern = self.expr_bp(L_IN + 1)?;
                if self.is_kw("escape") {
                    return self.unsupported(self.pos, "LIKE ... ESCAPE");
                }
                Expr::Like {
                    expr: Box::new(left),
                    pattern: Box::new(pattern),
                    negated,
                }
            }
            Infix::ILike => return self.unsupported(idx, "ILIKE"),
            Infix::Similar => return self.unsupported(idx, "SIMILAR TO"),
            Infix::GenericOp => {
                if !self.is_op("||") {
                    let what = format!("operator {}", self.text_of(idx));
                    return self.unsupported(idx, &what);
                }
                self.advance();
                let right = self.expr_bp(L_OP + 1)?;
                binary(BinaryOp::Concat, left, right)
            }
            Infix::Arith(bop) => {
                self.advance();
                let right = self.expr_bp(lvl + 1)?;
                binary(bop, left, right)
            }
            Infix::Pow => return self.unsupported(idx, "operator ^"),
            Infix::AtTimeZone => return self.unsupported(idx, "AT TIME ZONE"),
            Infix::Collate => return self.unsupported(idx, "COLLATE"),
            Infix::Subscript => return self.unsupported(idx, "array subscripts"),
            Infix::Cast => {
                self.advance();
                let type_name = self.typename()?;
                Expr::Cast {
                    expr: Box::new(left),
                    type_name,
                }
            }
        })
    }

    /// The infix or postfix operator next, with its binding power.
    pub(super) fn infix(&self) -> Option<(Infix, u8)> {
        match self.tk(0) {
            Tk::Op(o) => Some(match o.as_str() {
                "=" => (Infix::Cmp(BinaryOp::Eq), L_CMP),
                "<" => (Infix::Cmp(BinaryOp::Lt), L_CMP),
                ">" => (Infix::Cmp(BinaryOp::Gt), L_CMP),
                "<=" => (Infix::Cmp(BinaryOp::LtEq), L_CMP),
                ">=" => (Infix::Cmp(BinaryOp::GtEq), L_CMP),
                "<>" | "!=" => (Infix::Cmp(BinaryOp::NotEq), L_CMP),
                "+" => (Infix::Arith(BinaryOp::Add), L_ADD),
                "-" => (Infix::Arith(BinaryOp::Sub), L_ADD),
                "*" => (Infix::Arith(BinaryOp::Mul), L_MUL),
                "/" => (Infix::Arith(BinaryOp::Div), L_MUL),
                "%" => (Infix::Arith(BinaryOp::Mod), L_MUL),
                "^" => (Infix::Pow, L_POW),
                "::" => (Infix::Cast, L_CAST),
                "=>" | ":=" | ".." => return None,
                _ => (Infix::GenericOp, L_OP),
            }),
            Tk::Punct(b'[') => Some((Infix::Subscript, L_SUBSCRIPT)),
            Tk::Word {
                text,
                quoted: false,
            } => {
                let (op, lvl) = match text.as_str() {
                    "isnull" => return Some((Infix::IsNull, L_IS)),
                    "notnull" => return Some((Infix::NotNull, L_IS)),
                    "not" => {
                        return match self.kw_at(1) {
                            Some("in") => Some((Infix::In(true), L_IN)),
                            Some("between") => Some((Infix::Between(true), L_IN)),
                            Some("like") => Some((Infix::Like(true), L_IN)),
                            Some("ilike") => Some((Infix::ILike, L_IN)),
                            Some("similar") => Some((Infix::Similar, L_IN)),
                            _ => None,
                        }
                    }
                    "at" if self.is_kw_at(1, "time") => return Some((Infix::AtTimeZone, L_AT)),
                    "or" => (Infix::Or, L_OR),
                    "and" => (Infix::And, L_AND),
                    "is" => (Infix::Is, L_IS),
                    "in" => (Infix::In(false), L_IN),
                    "between" => (Infix::Between(false), L_IN),
                    "like" => (Infix::Like(false), L_IN),
                    "ilike" => (Infix::ILike, L_IN),
                    "similar" => (Infix::Similar, L_IN),
                    "collate" => (Infix::Collate, L_COLLATE),
                    _ => return None,
                };
                // At the end of a target these keywords are column labels.
                if self.label_depth != Some(self.depth) {
                    return Some((op, lvl));
                }
                let ends = match self.tk(1) {
                    Tk::Eof => true,
                    Tk::Punct(c) => matches!(c, b';' | b',' | b')'),
                    Tk::Word {
                        text,
                        quoted: false,
                    } => TERMINATORS.contains(&text.as_str()),
                    _ => false,
                };
                (!ends).then_some((op, lvl))
            }
            _ => None,
        }
    }

    pub(super) fn is_tail(&mut self, left: Expr) -> PResult<Expr> {
        let idx = self.pos;
        self.advance();
        let negated = self.eat_kw("not");
        if self.eat_kw("null") {
            return Ok(Expr::IsNull {
                expr: Box::new(left),
                negated,
            });
        }
        match self.kw_at(0) {
            Some("true" | "false" | "unknown") => self.unsupported(idx, "IS TRUE/FALSE/UNKNOWN"),
            Some("distinct") => self.unsupported(idx, "IS DISTINCT FROM"),
            Some("document" | "normalized" | "nfc" | "nfd" | "nfkc" | "nfkd" | "json") => {
                let what = format!("IS {}", self.kw().unwrap_or_default().to_ascii_uppercase());
                self.unsupported(idx, &what)
            }
            _ => self.fail(),
        }
    }

    pub(super) fn prefix(&mut self) -> PResult<Expr> {
        if self.eat_kw("not") {
            let e = self.expr_bp(L_NOT)?;
            return Ok(Expr::Unary {
                op: UnaryOp::Not,
                expr: Box::new(e),
            });
        }
        if self.eat_op("-") {
            let e = self.expr_bp(L_UMINUS)?;
            return Ok(negate(e));
        }
        if self.eat_op("+") {
            return self.expr_bp(L_UMINUS);
        }
        if let Tk::Op(o) = self.tk(0) {
            if is_generic_op(o) {
                let what = format!("prefix operator {o}");
                return self.unsupported(self.pos, &what);
            }
        }
        self.primary()
    }

    pub(super) fn primary(&mut self) -> PResult<Expr> {
        let idx = self.pos;
        match self.tk(0).clone() {
            Tk::Int(v) => {
                self.advance();
                Ok(Expr::Integer(v))
            }
            Tk::Num => {
                let t = self.text_of(idx).to_string();
                self.advance();
                Ok(Expr::Numeric(t))
            }
            Tk::Str { value, kind } => match kind {
                StrKind::Plain => {
                    self.advance();
                    Ok(Expr::String(value))
                }
                StrKind::National => {
                    self.advance();
                    Ok(cast(Expr::String(value), "nchar"))
                }
                StrKind::Bit | StrKind::Hex => self.unsupported(idx, "bit-string constants"),
                StrKind::Unicode => self.unsupported(idx, "U&'...' strings"),
            },
            Tk::Param => {
                let text = self.text_of(idx);
                let n = text.get(1..).and_then(|d| d.parse::<u64>().ok());
                let shown = n.map_or_else(|| text.to_string(), |n| format!("${n}"));
                Err(self.msg_at(idx, format!("there is no parameter {shown}")))
            }
            Tk::UIdent => self.unsupported(idx, "U&\"...\" identifiers"),
            Tk::Punct(b'(') => self.paren_expr(),
            Tk::Word { quoted: true, .. } => self.name_expr(),
            Tk::Word {
                text,
                quoted: false,
            } => self.keyword_expr(&text),
            _ => self.fail(),
        }
    }

    pub(super) fn paren_expr(&mut self) -> PResult<Expr> {
        let idx = self.pos;
        self.advance();
        if self.query_at(0) && !self.is_punct(b'(') {
            return self.unsupported(idx, "subqueries");
        }
        let e = self.expr()?;
        if self.is_punct(b',') {
            return self.unsupported(idx, "row constructors");
        }
        self.expect_punct(b')')?;
        if self.is_punct(b'.') {
            return self.unsupported(self.pos, "field selection");
        }
        Ok(e)
    }

    /// An expression starting with an unquoted word.
    pub(super) fn keyword_expr(&mut self, w: &str) -> PResult<Expr> {
        let idx = self.pos;
        let paren = self.is_punct_at(1, b'(');
        match w {
            "true" | "false" => {
                self.advance();
                return Ok(Expr::Bool(w == "true"));
            }
            "null" => {
                self.advance();
                return Ok(Expr::Null);
            }
            "case" => return self.case_expr(),
            "cast" => {
                self.advance();
                self.expect_punct(b'(')?;
                let e = self.expr()?;
                self.expect_kw("as")?;
                let t = self.typename()?;
                self.expect_punct(b')')?;
                return Ok(cast(e, &t));
            }
            "current_timestamp" => {
                self.advance();
                self.opt_precision()?;
                return Ok(Expr::Now);
            }
            "current_time" | "localtime" | "localtimestamp" => {
                self.advance();
                let args = self
                    .opt_precision()?
                    .map(Expr::Integer)
                    .into_iter()
                    .collect();
                return Ok(call(w, args));
            }
            "current_date" | "current_role" | "current_user" | "session_user" | "user"
            | "current_catalog" => {
                self.advance();
                return Ok(call(w, Vec::new()));
            }
            "current_schema" if !paren => {
                self.advance();
                return Ok(call(w, Vec::new()));
            }
            "default" => return Err(self.msg_at(idx, "DEFAULT is not allowed in this context")),
            "array" if self.is_punct_at(1, b'[') => {
                self.skip(2);
                if self.is_punct(b']') {
                    // transformArrayExpr, for an ARRAY[] with no cast around it.
                    return Err(self
                        .msg_at(idx, "cannot determine type of empty array")
                        .hint(
                            "Explicitly cast to the desired type, for example ARRAY[]::integer[].",
                        ));
                }
                let items = self.expr_list()?;
                self.expect_punct(b']')?;
                return Ok(Expr::Array(items));
            }
            "array" => return self.unsupported(idx, "ARRAY constructors"),
            "exists" if paren => return self.unsupported(idx, "EXISTS subqueries"),
            "row" if paren => return self.unsupported(idx, "row constructors"),
            "coalesce" | "greatest" | "least" if paren => {
                self.skip(2);
                let args = self.expr_list()?;
                self.expect_punct(b')')?;
                return Ok(call(w, args));
            }
            "nullif" if paren => {
                self.skip(2);
                let a = self.expr()?;
                self.expect_punct(b',')?;
                let b = self.expr()?;
                self.expect_punct(b')')?;
                return Ok(call(w, vec![a, b]));
            }
            "extract" if paren => return self.extract_expr(),
            "substring" if paren => return self.substring_expr(),
            "position" if paren => {
                self.skip(2);
                let needle = self.expr_bp(L_ESCAPE)?;
                self.expect_kw("in")?;
                let hay = self.expr_bp(L_ESCAPE)?;
                self.expect_punct(b')')?;
                return Ok(call(w, vec![hay, needle]));
            }
            "trim" | "overlay" | "treat" | "normalize" | "grouping" | "xmlconcat"
            | "xmlelement" | "xmlexists" | "xmlforest" | "xmlparse" | "xmlpi" | "xmlroot"
            | "xmlserialize"
                if paren =>
            {
                return self.unsupported(idx, &w.to_ascii_uppercase());
            }
            "collation" if self.is_kw_at(1, "for") => {
                return self.unsupported(idx, "COLLATION FOR");
            }
            _ => {}
        }
        if TYPE_WORDS.contains(&w) {
            let save = self.pos;
            if let Ok(mut ty) = self.typename_simple() {
                if let Tk::Str {
                    value,
                    kind: StrKind::Plain,
                } = self.tk(0).clone()
                {
                    self.advance();
                    if ty == "interval" {
                        self.interval_fields(&mut ty)?;
                    }
                    return Ok(cast(Expr::String(value), &ty));
                }
            }
            self.pos = save;
        }
        if kw_cat(w) == Some(KwCat::Reserved) {
            return self.fail();
        }
        self.name_expr()
    }

    /// Column reference, function call or typed literal starting with a name.
    pub(super) fn name_expr(&mut self) -> PResult<Expr> {
        let first_tk = self.tk(0).clone();
        let Tk::Word { text: first, .. } = &first_tk else {
            return self.fail();
        };
        self.advance();
        let mut parts = vec![first.clone()];
        while self.is_punct(b'.') {
            match self.tk(1) {
                Tk::Word { text, .. } => {
                    let t = text.clone();
                    self.skip(2);
                    parts.push(t);
                }
                Tk::Op(o) if o == "*" => {
                    return self.unsupported(self.pos, "qualified * in expressions");
                }
                _ => {
                    self.advance();
                    return self.fail();
                }
            }
        }
        let single = parts.len() == 1;
        if self.is_punct(b'(') {
            if single && !is_type_func_name(&first_tk) {
                return self.fail();
            }
            return self.func_call(join_name(parts, &["pg_catalog"]));
        }
        if let Tk::Str {
            value,
            kind: StrKind::Plain,
        } = self.tk(0).clone()
        {
            if single && !is_type_func_name(&first_tk) {
                return self.fail();
            }
            self.advance();
            return Ok(cast(
                Expr::String(value),
                &join_name(parts, &["pg_catalog"]),
            ));
        }
        if single {
            if !is_col_id(&first_tk) {
                // A type/function-name keyword: the parser notices at the next token.
                return self.fail();
            }
            return Ok(Expr::Column {
                table: None,
                name: first.clone(),
            });
        }
        let name = parts.pop().unwrap_or_default();
        Ok(Expr::Column {
            table: parts.pop(),
            name,
        })
    }

    pub(super) fn func_call(&mut self, name: String) -> PResult<Expr> {
        self.expect_punct(b'(')?;
        let mut args = Vec::new();
        let mut star = false;
        let mut distinct = false;
        if self.eat_punct(b')') {
        } else if self.is_op("*") && self.is_punct_at(1, b')') {
            self.skip(2);
            star = true;
        } else {
            if self.eat_kw("distinct") {
                distinct = true;
            } else {
                self.eat_kw("all");
            }
            if self.is_kw("variadic") {
                return self.unsupported(self.pos, "VARIADIC");
            }
            loop {
                if matches!(self.tk(0), Tk::Word { .. })
                    && (self.is_op_at(1, "=>") || self.is_op_at(1, ":="))
                {
                    return self.unsupported(self.pos, "named function arguments");
                }
                args.push(self.expr()?);
                if !self.eat_punct(b',') {
                    break;
                }
            }
            if self.is_kw("order") {
                return self.unsupported(self.pos, "ORDER BY in aggregates");
            }
            self.expect_punct(b')')?;
        }
        if self.is_kw("within") && self.is_kw_at(1, "group") {
            return self.unsupported(self.pos, "WITHIN GROUP");
        }
        if self.is_kw("filter") && self.is_punct_at(1, b'(') {
            return self.unsupported(self.pos, "FILTER");
        }
        if self.is_kw("over") {
            return self.unsupported(self.pos, "window functions");
        }
        if name == "now" && args.is_empty() && !star && !distinct {
            return Ok(Expr::Now);
        }
        Ok(Expr::Call {
            name,
            args,
            star,
            distinct,
        })
    }

    pub(super) fn case_expr(&mut self) -> PResult<Expr> {
        self.advance();
        let operand = if self.is_kw("when") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut whens = Vec::new();
        while self.eat_kw("when") {
            let cond = self.expr()?;
            self.expect_kw("then")?;
            whens.push((cond, self.expr()?));
        }
        if whens.is_empty() {
            return self.fail();
        }
        let else_ = if self.eat_kw("else") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        self.expect_kw("end")?;
        Ok(Expr::Case {
            operand,
            whens,
            else_,
        })
    }

    /// `extract(field FROM expr)` is `extract('field', expr)`.
    pub(super) fn extract_expr(&mut self) -> PResult<Expr> {
        self.skip(2);
        let field = match self.tk(0).clone() {
            Tk::Word { text, quoted }
                if quoted
                    || kw_cat(&text).is_none()
                    || INTERVAL_FIELDS.contains(&text.as_str()) =>
            {
                self.advance();
                text
            }
            Tk::Str { .. } => self.sconst()?,
            _ => return self.fail(),
        };
        self.expect_kw("from")?;
        let e = self.expr()?;
        self.expect_punct(b')')?;
        Ok(call("extract", vec![Expr::String(field), e]))
    }

    /// `substring(x FROM a FOR b)` and `substring(x, a, b)`.
    pub(super) fn substring_expr(&mut self) -> PResult<Expr> {
        self.skip(2);
        if self.eat_punct(b')') {
            return Ok(call("substring", Vec::new()));
        }
        let first = self.expr()?;
        let args = if self.eat_kw("from") {
            let from = self.expr()?;
            if self.eat_kw("for") {
                vec![first, from, self.expr()?]
            } else {
                vec![first, from]
            }
        } else if self.eat_kw("for") {
            let len = self.expr()?;
            if self.eat_kw("from") {
                vec![first, self.expr()?, len]
            } else {
                vec![first, Expr::Integer(1), len]
            }
        } else if self.is_kw("similar") {
            return self.unsupported(self.pos, "SUBSTRING ... SIMILAR");
        } else {
            let mut v = vec![first];
            while self.eat_punct(b',') {
                v.push(self.expr()?);
            }
            v
        };
        self.expect_punct(b')')?;
        Ok(call("substring", args))
    }

    pub(super) fn opt_precision(&mut self) -> PResult<Option<i64>> {
        if !self.eat_punct(b'(') {
            return Ok(None);
        }
        let Tk::Int(v) = *self.tk(0) else {
            return self.fail();
        };
        self.advance();
        self.expect_punct(b')')?;
        Ok(Some(v))
    }
}
