//! Lexer and recursive-descent parser for the SQL a student types in the replication lab.
//!
//! It follows PostgreSQL 15's `scan.l` and `gram.y` for the statements walscope models, so
//! errors read and point as the server's do, and [`ParseError::psql_lines`] prints the
//! `LINE n:` context as psql does. SQL that PostgreSQL accepts but walscope does not model
//! is rejected with "walscope does not support ...".

use std::fmt;

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/// An error as the server reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The text psql prints after `ERROR:  `.
    pub message: String,
    /// 0-based character offset of the offending token; `None` for end of input.
    pub position: Option<usize>,
}

impl ParseError {
    /// What psql prints after the ERROR line: `LINE n: ...`, the caret line, any HINT.
    pub fn psql_lines(&self, sql: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !positionless(&self.message) {
            let chars: Vec<char> = until_nul(sql).chars().collect();
            let loc = self.position.unwrap_or(chars.len());
            out.extend(position_lines(&chars, loc));
        }
        if let Some(h) = self.hint() {
            out.push(format!("HINT:  {h}"));
        }
        out
    }

    /// The HINT the server sends with this error, if any.
    pub fn hint(&self) -> Option<&'static str> {
        match self.message.as_str() {
            "LIMIT #,# syntax is not supported" => Some("Use separate LIMIT and OFFSET clauses."),
            "UNENCRYPTED PASSWORD is no longer supported" => {
                Some("Remove UNENCRYPTED to store the password in encrypted form instead.")
            }
            "invalid Unicode escape" => Some("Unicode escapes must be \\uXXXX or \\UXXXXXXXX."),
            STACK_DEPTH => Some(
                "Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), \
                 after ensuring the platform's stack depth limit is adequate.",
            ),
            _ => None,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// One SQL statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `SELECT ...` (also `(SELECT ...)` and `TABLE t` with ORDER BY/LIMIT).
    Select(Select),
    /// `CREATE TABLE [IF NOT EXISTS] name (columns)`.
    CreateTable {
        name: String,
        if_not_exists: bool,
        columns: Vec<ColumnDef>,
    },
    /// `DROP TABLE [IF EXISTS] a, b`.
    DropTable { names: Vec<String>, if_exists: bool },
    /// `TRUNCATE [TABLE] a, b`.
    Truncate { names: Vec<String> },
    /// `INSERT INTO table [(columns)] source`.
    Insert {
        table: String,
        columns: Vec<String>,
        source: InsertSource,
    },
    /// `UPDATE table SET col = expr, ... [WHERE filter]`.
    Update {
        table: String,
        assignments: Vec<(String, Expr)>,
        filter: Option<Expr>,
    },
    /// `DELETE FROM table [WHERE filter]`.
    Delete { table: String, filter: Option<Expr> },
    /// `SHOW name`; `SHOW ALL` gives `"all"`.
    Show { name: String },
    /// `SET [SESSION|LOCAL] name {= | TO} value`.
    Set {
        name: String,
        value: SetValue,
        local: bool,
    },
    /// `RESET name`; `RESET ALL` gives `"all"`.
    Reset { name: String },
    /// `ALTER SYSTEM SET name = value`, or `ALTER SYSTEM RESET name` (`None`; `"all"`).
    AlterSystem {
        name: String,
        value: Option<SetValue>,
    },
    /// `CREATE ROLE|USER name [WITH] options`; `is_user` for CREATE USER (implies LOGIN).
    CreateRole {
        name: String,
        options: Vec<RoleOption>,
        is_user: bool,
    },
    /// `ALTER ROLE|USER name [WITH] options`.
    AlterRole {
        name: String,
        options: Vec<RoleOption>,
    },
    /// `DROP ROLE|USER [IF EXISTS] a, b`.
    DropRole { names: Vec<String>, if_exists: bool },
    /// `CHECKPOINT`.
    Checkpoint,
    /// `BEGIN` / `START TRANSACTION`.
    Begin,
    /// `COMMIT` / `END`.
    Commit,
    /// `ROLLBACK` / `ABORT`.
    Rollback,
    /// `TABLE name` (same as `SELECT * FROM name`).
    Table { name: String },
}

/// A column in CREATE TABLE.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    /// Column name (folded unless quoted).
    pub name: String,
    /// Type as written, lower-cased: `int`, `varchar(20)`, `timestamp with time zone`.
    pub type_name: String,
    /// Part of the primary key.
    pub primary_key: bool,
    /// NOT NULL, declared or implied by PRIMARY KEY.
    pub not_null: bool,
}

/// The rows an INSERT adds.
#[derive(Clone, Debug, PartialEq)]
pub enum InsertSource {
    /// `VALUES (..), (..)`.
    Values(Vec<Vec<Expr>>),
    /// `SELECT ...`.
    Query(Box<Select>),
    /// `DEFAULT VALUES`.
    DefaultValues,
}

/// The value of SET / ALTER SYSTEM SET.
#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    /// `TO DEFAULT` / `= DEFAULT`.
    Default,
    /// Each list item as text: words folded, strings unquoted, numbers as written.
    Values(Vec<String>),
}

/// A CREATE/ALTER ROLE option.
#[derive(Clone, Debug, PartialEq)]
pub enum RoleOption {
    /// LOGIN / NOLOGIN.
    Login(bool),
    /// REPLICATION / NOREPLICATION.
    Replication(bool),
    /// SUPERUSER / NOSUPERUSER.
    Superuser(bool),
    /// `PASSWORD 'x'`, or `PASSWORD NULL` (`None`).
    Password(Option<String>),
    /// `ENCRYPTED PASSWORD 'x'`.
    EncryptedPassword(String),
    /// `CONNECTION LIMIT n`.
    ConnectionLimit(i64),
    /// CREATEDB / NOCREATEDB.
    CreateDb(bool),
    /// CREATEROLE / NOCREATEROLE.
    CreateRole(bool),
    /// INHERIT / NOINHERIT.
    Inherit(bool),
}

/// A SELECT query.
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    /// `SELECT DISTINCT`.
    pub distinct: bool,
    /// The target list (empty for `SELECT FROM t` / `SELECT;`, as PostgreSQL allows).
    pub items: Vec<SelectItem>,
    /// FROM items (a comma list is a cross join).
    pub from: Vec<FromItem>,
    /// WHERE.
    pub filter: Option<Expr>,
    /// GROUP BY.
    pub group_by: Vec<Expr>,
    /// ORDER BY.
    pub order_by: Vec<OrderBy>,
    /// LIMIT / FETCH FIRST (`LIMIT ALL` is `None`).
    pub limit: Option<Expr>,
    /// OFFSET.
    pub offset: Option<Expr>,
}

/// One entry of the target list.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectItem {
    /// `*`.
    Wildcard,
    /// `t.*`.
    QualifiedWildcard(String),
    /// `expr [AS alias]`.
    Expr { expr: Expr, alias: Option<String> },
}

/// One entry of FROM.
#[derive(Clone, Debug, PartialEq)]
pub enum FromItem {
    /// `table [AS alias]`.
    Table { name: String, alias: Option<String> },
    /// `func(args) [AS alias[(column)]]`.
    Function {
        call: Expr,
        alias: Option<String>,
        column_alias: Option<String>,
    },
}

/// One ORDER BY key.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderBy {
    /// The key.
    pub expr: Expr,
    /// DESC.
    pub descending: bool,
}

/// A prefix operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `NOT`.
    Not,
    /// `-`.
    Neg,
}

/// An infix operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Concat,
}

/// A value expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Integer(i64),
    /// A decimal, exponent or out-of-range integer literal, as written.
    Numeric(String),
    String(String),
    Column {
        table: Option<String>,
        name: String,
    },
    /// Function call; `count(*)` sets `star`. Names folded, `pg_catalog.` dropped.
    Call {
        name: String,
        args: Vec<Expr>,
        star: bool,
        distinct: bool,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `x::t`, `CAST(x AS t)`, and typed literals like `interval '1 s'`.
    Cast {
        expr: Box<Expr>,
        type_name: String,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
    },
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    /// `now()`, `current_timestamp`.
    Now,
}

// ---------------------------------------------------------------------------------------
// Splitting psql input
// ---------------------------------------------------------------------------------------

/// Splits psql input into statements at top-level semicolons.
///
/// Returns `(text without the ';', complete)` pairs; the last is incomplete when no `;`
/// ended it. As psql does, leading whitespace and `--` comments are dropped, a `;` inside
/// quotes, comments or parentheses does not end a statement, and empty statements vanish.
pub fn split_statements(input: &str) -> Vec<(String, bool)> {
    let b = input.as_bytes();
    let n = b.len();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < n {
        let c = at(i);
        if start.is_none() {
            if is_space(c) {
                i += 1;
                continue;
            }
            if c == b'-' && at(i + 1) == b'-' {
                i = skip_line_comment(b, i);
                continue;
            }
            start = Some(i);
        }
        i = match c {
            b'-' if at(i + 1) == b'-' => skip_line_comment(b, i),
            b'/' if at(i + 1) == b'*' => skip_block_comment(b, i).unwrap_or(n),
            b'\'' => skip_string(b, i + 1, is_e_prefix(b, i)),
            b'"' => skip_quoted_ident(b, i + 1),
            b'$' => skip_dollar(b, i),
            b'(' => {
                depth += 1;
                i + 1
            }
            b')' => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            b';' if depth == 0 => {
                if let Some(s) = start.take() {
                    push_piece(&mut out, input, s, i, true);
                }
                i + 1
            }
            c if is_ident_start(c) => skip_ident(b, i),
            b'0'..=b'9' => skip_digits(b, i),
            _ => i + 1,
        };
    }
    if let Some(s) = start {
        push_piece(&mut out, input, s, n, false);
    }
    out
}

fn push_piece(out: &mut Vec<(String, bool)>, input: &str, s: usize, e: usize, complete: bool) {
    let text = input.get(s..e).unwrap_or("");
    if !is_blank(text) {
        out.push((text.to_string(), complete));
    }
}

/// Only whitespace and complete comments.
fn is_blank(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if is_space(c) {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            i = skip_line_comment(b, i);
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match skip_block_comment(b, i) {
                Some(j) => i = j,
                None => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// Whether the quote at `i` opens an `E'...'` string.
fn is_e_prefix(b: &[u8], i: usize) -> bool {
    let Some(p) = i.checked_sub(1) else {
        return false;
    };
    matches!(b.get(p), Some(b'e' | b'E'))
        && p.checked_sub(1)
            .and_then(|q| b.get(q))
            .is_none_or(|&c| !is_ident_cont(c))
}

fn skip_line_comment(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        if c == b'\n' || c == b'\r' {
            break;
        }
        i += 1;
    }
    i
}

/// Index after the `*/` closing the (nested) comment at `i`; `None` if unterminated.
fn skip_block_comment(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i + 2;
    loop {
        let c = *b.get(j)?;
        let d = b.get(j + 1).copied().unwrap_or(0);
        if c == b'/' && d == b'*' {
            depth += 1;
            j += 2;
        } else if c == b'*' && d == b'/' {
            if depth == 0 {
                return Some(j + 2);
            }
            depth -= 1;
            j += 2;
        } else {
            j += 1;
        }
    }
}

/// Index after the string whose body starts at `i` (following continuations).
fn skip_string(b: &[u8], mut i: usize, esc: bool) -> usize {
    loop {
        match b.get(i) {
            None => return b.len(),
            Some(b'\\') if esc => i += 2,
            Some(b'\'') => {
                if b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else if let Some(j) = quote_continuation(b, i + 1) {
                    i = j;
                } else {
                    return i + 1;
                }
            }
            Some(_) => i += 1,
        }
    }
}

fn skip_quoted_ident(b: &[u8], mut i: usize) -> usize {
    loop {
        match b.get(i) {
            None => return b.len(),
            Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
            Some(b'"') => return i + 1,
            Some(_) => i += 1,
        }
    }
}

fn skip_dollar(b: &[u8], i: usize) -> usize {
    let Some(e) = dollar_tag_end(b, i) else {
        return i + 1;
    };
    let tag = b.get(i..=e).unwrap_or(&[]);
    find_bytes(b, e + 1, tag).map_or(b.len(), |p| p + tag.len())
}

fn skip_ident(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_ident_cont(c)) {
        i += 1;
    }
    i
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// If `$tag$` opens at `i`, the index of its closing `$`.
fn dollar_tag_end(b: &[u8], i: usize) -> Option<usize> {
    let mut e = i + 1;
    if b.get(e).is_some_and(|&c| is_ident_start(c)) {
        e += 1;
        while b
            .get(e)
            .is_some_and(|&c| is_ident_start(c) || c.is_ascii_digit())
        {
            e += 1;
        }
    }
    (b.get(e) == Some(&b'$')).then_some(e)
}

fn find_bytes(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    if pat.is_empty() {
        return None;
    }
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| p + from)
}

/// After a closing quote at `j - 1`: if whitespace with a newline and another quote follow
/// (SQL string continuation), the index just after that quote.
fn quote_continuation(b: &[u8], mut j: usize) -> Option<usize> {
    loop {
        match b.get(j) {
            Some(b' ' | b'\t' | 0x0c) => j += 1,
            Some(b'-') if b.get(j + 1) == Some(&b'-') => j = skip_line_comment(b, j),
            Some(b'\n' | b'\r') => {
                j += 1;
                break;
            }
            _ => return None,
        }
    }
    loop {
        match b.get(j) {
            Some(&c) if is_space(c) => j += 1,
            Some(b'-') if b.get(j + 1) == Some(&b'-') => {
                j = skip_line_comment(b, j);
                if !matches!(b.get(j), Some(b'\n' | b'\r')) {
                    return None;
                }
            }
            Some(b'\'') => return Some(j + 1),
            _ => return None,
        }
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

fn is_op_char(c: u8) -> bool {
    b"~!@#^&|`?+-*/%<>=".contains(&c)
}

/// libpq sends a C string: text after a NUL never reaches the server.
fn until_nul(s: &str) -> &str {
    s.split('\0').next().unwrap_or("")
}

fn char_pos(src: &str, byte: usize) -> usize {
    src.char_indices().take_while(|(i, _)| *i < byte).count()
}

/// Length of the UTF-8 sequence a lead byte starts.
fn utf8_len(c: u8) -> usize {
    match c {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

// ---------------------------------------------------------------------------------------
// psql's error context (libpq's reportErrorPosition)
// ---------------------------------------------------------------------------------------

const STACK_DEPTH: &str = "stack depth limit exceeded";
const DROP_ROLE_SPECIAL: &str = "cannot use special role specifier in DROP ROLE";

/// Errors the server sends without a position.
fn positionless(message: &str) -> bool {
    message.starts_with("invalid byte sequence for encoding")
        || message == DROP_ROLE_SPECIAL
        || message == STACK_DEPTH
        || message == "empty query"
}

fn position_lines(q: &[char], loc: usize) -> Vec<String> {
    const DISPLAY_SIZE: usize = 60;
    const MIN_RIGHT_CUT: usize = 10;
    let mut scr: Vec<usize> = Vec::with_capacity(q.len() + 1);
    let mut line = 1usize;
    let mut ibeg = 0usize;
    let mut iend = None;
    let mut col = 0usize;
    let mut prev = None;
    for (cno, &ch) in q.iter().enumerate() {
        scr.push(col);
        if ch == '\r' || ch == '\n' {
            if cno < loc {
                if ch == '\r' || prev != Some('\r') {
                    line += 1;
                }
                ibeg = cno + 1;
            } else {
                iend = Some(cno);
                break;
            }
        }
        col += display_width(ch);
        prev = Some(ch);
    }
    let mut iend = match iend {
        Some(e) => e,
        None => {
            scr.push(col);
            q.len()
        }
    };
    if loc > iend {
        return Vec::new();
    }
    let s = |i: usize| scr.get(i).copied().unwrap_or(0);
    let (mut beg_trunc, mut end_trunc) = (false, false);
    if s(iend).saturating_sub(s(ibeg)) > DISPLAY_SIZE {
        if s(ibeg) + DISPLAY_SIZE >= s(loc) + MIN_RIGHT_CUT {
            while iend > ibeg && s(iend).saturating_sub(s(ibeg)) > DISPLAY_SIZE {
                iend -= 1;
            }
            end_trunc = true;
        } else {
            while iend > loc && s(loc) + MIN_RIGHT_CUT < s(iend) {
                iend -= 1;
                end_trunc = true;
            }
            while ibeg < loc && s(iend).saturating_sub(s(ibeg)) > DISPLAY_SIZE {
                ibeg += 1;
                beg_trunc = true;
            }
        }
    }
    let mut first = format!("LINE {line}: ");
    if beg_trunc {
        first.push_str("...");
    }
    let prefix = first.chars().count();
    for &ch in q.get(ibeg..iend).unwrap_or(&[]) {
        first.push(if ch == '\t' { ' ' } else { ch });
    }
    if end_trunc {
        first.push_str("...");
    }
    let caret = format!("{}^", " ".repeat(prefix + s(loc).saturating_sub(s(ibeg))));
    vec![first, caret]
}

/// Screen columns psql gives a character (East Asian wide ones take two).
fn display_width(c: char) -> usize {
    const WIDE: &[(u32, u32)] = &[
        (0x1100, 0x115F),
        (0x231A, 0x231B),
        (0x2329, 0x232A),
        (0x2E80, 0x303E),
        (0x3041, 0x33FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xA000, 0xA4CF),
        (0xA960, 0xA97F),
        (0xAC00, 0xD7A3),
        (0xF900, 0xFAFF),
        (0xFE10, 0xFE19),
        (0xFE30, 0xFE6F),
        (0xFF00, 0xFF60),
        (0xFFE0, 0xFFE6),
        (0x1F300, 0x1F64F),
        (0x1F900, 0x1F9FF),
        (0x20000, 0x2FFFD),
        (0x30000, 0x3FFFD),
    ];
    let u = u32::from(c);
    if WIDE.iter().any(|&(a, b)| (a..=b).contains(&u)) {
        2
    } else {
        1
    }
}

// ---------------------------------------------------------------------------------------
// Lexer (scan.l)
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StrKind {
    Plain,
    National,
    Bit,
    Hex,
    Unicode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Std,
    Esc,
    National,
    Bit,
    Hex,
    Unicode,
}

#[derive(Clone, Debug, PartialEq)]
enum Tk {
    /// Identifier or keyword; `text` is folded unless quoted.
    Word {
        text: String,
        quoted: bool,
    },
    /// `U&"..."`.
    UIdent,
    Int(i64),
    /// Decimal, exponent or huge integer; the text is the token's source.
    Num,
    Str {
        value: String,
        kind: StrKind,
    },
    Param,
    /// Operators, including the single-character ones (`+`, `=` ...) and `::`.
    Op(String),
    /// `( ) , ; [ ] . :`
    Punct(u8),
    Other,
    Eof,
    /// Where the lexer failed; the error is kept beside the tokens.
    Error,
}

#[derive(Clone, Debug)]
struct Token {
    tk: Tk,
    start: usize,
    end: usize,
}

/// Tokenizes up to the first lexical error, which ends the list as `Tk::Error`.
fn lex(src: &str) -> (Vec<Token>, Option<ParseError>) {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        i: 0,
    };
    let mut toks = Vec::new();
    loop {
        match lx.next_token() {
            Ok(t) => {
                let eof = t.tk == Tk::Eof;
                toks.push(t);
                if eof {
                    return (toks, None);
                }
            }
            Err(e) => {
                toks.push(Token {
                    tk: Tk::Error,
                    start: lx.i,
                    end: src.len(),
                });
                return (toks, Some(e));
            }
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn near(&self, start: usize, end: usize, msg: &str) -> ParseError {
        let text = self.src.get(start..end.min(self.b.len())).unwrap_or("");
        ParseError {
            message: format!("{msg} at or near \"{text}\""),
            position: Some(char_pos(self.src, start)),
        }
    }

    fn plain(&self, start: usize, msg: &str) -> ParseError {
        ParseError {
            message: msg.to_string(),
            position: Some(char_pos(self.src, start)),
        }
    }

    fn tok(&mut self, tk: Tk, start: usize, end: usize) -> Result<Token, ParseError> {
        self.i = end;
        Ok(Token { tk, start, end })
    }

    fn next_token(&mut self) -> Result<Token, ParseError> {
        self.skip_space()?;
        let s = self.i;
        if s >= self.b.len() {
            return Ok(Token {
                tk: Tk::Eof,
                start: s,
                end: s,
            });
        }
        let c = self.at(s);
        let c1 = self.at(s + 1);
        match c {
            b'\'' => self.string(s, s + 1, Mode::Std),
            b'"' => self.quoted_ident(s, s + 1, false),
            b'$' => self.dollar(s),
            b'0'..=b'9' => self.number(s),
            b'.' if c1.is_ascii_digit() => self.number(s),
            b'.' if c1 == b'.' => self.tok(Tk::Op("..".into()), s, s + 2),
            b':' if c1 == b':' => self.tok(Tk::Op("::".into()), s, s + 2),
            b':' if c1 == b'=' => self.tok(Tk::Op(":=".into()), s, s + 2),
            b'.' | b':' | b'(' | b')' | b',' | b';' | b'[' | b']' => {
                self.tok(Tk::Punct(c), s, s + 1)
            }
            c if is_op_char(c) => self.operator(s),
            c if is_ident_start(c) => self.ident(s),
            _ => self.tok(Tk::Other, s, s + 1),
        }
    }

    /// Skips whitespace, `--` and (nested) `/* */` comments.
    fn skip_space(&mut self) -> Result<(), ParseError> {
        loop {
            let c = self.at(self.i);
            if self.i < self.b.len() && is_space(c) {
                self.i += 1;
            } else if c == b'-' && self.at(self.i + 1) == b'-' {
                self.i = skip_line_comment(self.b, self.i);
            } else if c == b'/' && self.at(self.i + 1) == b'*' {
                match skip_block_comment(self.b, self.i) {
                    Some(j) => self.i = j,
                    None => return Err(self.near(self.i, self.b.len(), "unterminated /* comment")),
                }
            } else {
                return Ok(());
            }
        }
    }

    fn digits(&self, mut i: usize) -> usize {
        while self.at(i).is_ascii_digit() {
            i += 1;
        }
        i
    }

    fn number(&mut self, s: usize) -> Result<Token, ParseError> {
        const JUNK: &str = "trailing junk after numeric literal";
        let mut int = true;
        let mut i;
        if self.at(s) == b'.' {
            i = self.digits(s + 1);
            int = false;
        } else {
            i = self.digits(s);
            if self.at(i) == b'.' {
                if self.at(i + 1) == b'.' {
                    // `1..10`: the integer, then `..`.
                    return self.int_token(s, i);
                }
                i = self.digits(i + 1);
                int = false;
            }
        }
        if matches!(self.at(i), b'e' | b'E') {
            let mut j = i + 1;
            if matches!(self.at(j), b'+' | b'-') {
                j += 1;
                if !self.at(j).is_ascii_digit() {
                    return Err(self.near(s, j, JUNK));
                }
            }
            if !self.at(j).is_ascii_digit() {
                return Err(self.near(s, i + 1, JUNK));
            }
            i = self.digits(j);
            int = false;
        }
        if is_ident_start(self.at(i)) {
            return Err(self.near(s, i + utf8_len(self.at(i)), JUNK));
        }
        if int {
            self.int_token(s, i)
        } else {
            self.tok(Tk::Num, s, i)
        }
    }

    fn int_token(&mut self, s: usize, e: usize) -> Result<Token, ParseError> {
        match self.src.get(s..e).and_then(|t| t.parse::<i64>().ok()) {
            Some(v) => self.tok(Tk::Int(v), s, e),
            None => self.tok(Tk::Num, s, e),
        }
    }

    fn operator(&mut self, s: usize) -> Result<Token, ParseError> {
        let mut e = s;
        while is_op_char(self.at(e)) {
            e += 1;
        }
        let run = self.b.get(s..e).unwrap_or(&[]);
        let mut n = run.len();
        // A comment start inside the run ends the operator.
        for k in 1..run.len() {
            let pair = (run.get(k - 1).copied(), run.get(k).copied());
            if matches!(pair, (Some(b'/'), Some(b'*')) | (Some(b'-'), Some(b'-'))) {
                n = k - 1;
                break;
            }
        }
        let n = n.max(1);
        // `=-` lexes as `=` then `-`, but `@-` stays one operator.
        let mut n = n;
        let ends_sign = |n: usize| matches!(run.get(n.wrapping_sub(1)), Some(b'+' | b'-'));
        if n > 1 && ends_sign(n) {
            let special = run.iter().take(n - 1).any(|c| b"~!@#^&|`?%".contains(c));
            if !special {
                while n > 1 && ends_sign(n) {
                    n -= 1;
                }
            }
        }
        if n >= 64 {
            return Err(self.near(s, s + n, "operator too long"));
        }
        let text = self.src.get(s..s + n).unwrap_or("").to_string();
        self.tok(Tk::Op(text), s, s + n)
    }

    fn ident(&mut self, s: usize) -> Result<Token, ParseError> {
        let c = self.at(s);
        let c1 = self.at(s + 1);
        if c1 == b'\'' {
            match c {
                b'e' | b'E' => return self.string(s, s + 2, Mode::Esc),
                b'b' | b'B' => return self.string(s, s + 2, Mode::Bit),
                b'x' | b'X' => return self.string(s, s + 2, Mode::Hex),
                b'n' | b'N' => return self.string(s, s + 2, Mode::National),
                _ => {}
            }
        }
        if matches!(c, b'u' | b'U') && c1 == b'&' {
            match self.at(s + 2) {
                b'\'' => return self.string(s, s + 3, Mode::Unicode),
                b'"' => return self.quoted_ident(s, s + 3, true),
                _ => {}
            }
        }
        let e = skip_ident(self.b, s);
        let mut text = self.src.get(s..e).unwrap_or("").to_ascii_lowercase();
        truncate_ident(&mut text);
        self.tok(
            Tk::Word {
                text,
                quoted: false,
            },
            s,
            e,
        )
    }

    fn string(&mut self, s: usize, body: usize, mode: Mode) -> Result<Token, ParseError> {
        let mut buf: Vec<u8> = Vec::new();
        let mut i = body;
        let doubling = !matches!(mode, Mode::Bit | Mode::Hex);
        loop {
            let Some(&c) = self.b.get(i) else {
                return Err(self.unterminated(s, mode));
            };
            match c {
                b'\'' => {
                    if doubling && self.at(i + 1) == b'\'' {
                        buf.push(b'\'');
                        i += 2;
                    } else if let Some(j) = quote_continuation(self.b, i + 1) {
                        i = j;
                    } else {
                        i += 1;
                        break;
                    }
                }
                b'\\' if mode == Mode::Esc => i = self.escape(s, i, &mut buf)?,
                _ => {
                    buf.push(c);
                    i += 1;
                }
            }
        }
        let value = bytes_to_string(buf)?;
        let kind = match mode {
            Mode::Std | Mode::Esc => StrKind::Plain,
            Mode::National => StrKind::National,
            Mode::Bit => StrKind::Bit,
            Mode::Hex => StrKind::Hex,
            Mode::Unicode => StrKind::Unicode,
        };
        self.tok(Tk::Str { value, kind }, s, i)
    }

    fn unterminated(&self, s: usize, mode: Mode) -> ParseError {
        match mode {
            Mode::Bit => self.near(s, self.b.len(), "unterminated bit string literal"),
            Mode::Hex => self.near(s, self.b.len(), "unterminated hexadecimal string literal"),
            // N'...' is the keyword NCHAR, then a plain string starting at the quote.
            Mode::National => self.near(s + 1, self.b.len(), "unterminated quoted string"),
            _ => self.near(s, self.b.len(), "unterminated quoted string"),
        }
    }

    /// One backslash escape in an E'' string at `i`; returns the index after it.
    fn escape(&self, s: usize, i: usize, buf: &mut Vec<u8>) -> Result<usize, ParseError> {
        if i + 1 >= self.b.len() {
            return Err(self.unterminated(s, Mode::Esc));
        }
        let c1 = self.at(i + 1);
        match c1 {
            b'u' | b'U' => {
                let Some((code, end)) = self.unicode_escape(i) else {
                    return Err(self.plain(i, "invalid Unicode escape"));
                };
                let code = if (0xD800..=0xDBFF).contains(&code) {
                    // The low half must follow at once.
                    if self.at(end) == b'\\' && matches!(self.at(end + 1), b'u' | b'U') {
                        let Some((lo, end2)) = self.unicode_escape(end) else {
                            return Err(self.plain(end, "invalid Unicode escape"));
                        };
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return Err(self.near(end, end2, "invalid Unicode surrogate pair"));
                        }
                        let cp = 0x10000 + ((code - 0xD800) << 10) + (lo - 0xDC00);
                        push_char(buf, cp);
                        return Ok(end2);
                    }
                    if end >= self.b.len() {
                        return Err(ParseError {
                            message: "invalid Unicode surrogate pair at end of input".into(),
                            position: None,
                        });
                    }
                    let width = utf8_len(self.at(end));
                    return Err(self.near(end, end + width, "invalid Unicode surrogate pair"));
                } else {
                    code
                };
                if (0xDC00..=0xDFFF).contains(&code) {
                    return Err(self.near(i, end, "invalid Unicode surrogate pair"));
                }
                if code == 0 || char::from_u32(code).is_none() {
                    return Err(self.near(i, end, "invalid Unicode escape value"));
                }
                push_char(buf, code);
                Ok(end)
            }
            b'0'..=b'7' => {
                let mut v = 0u32;
                let mut j = i + 1;
                while j < i + 4 && matches!(self.at(j), b'0'..=b'7') {
                    v = v * 8 + u32::from(self.at(j) - b'0');
                    j += 1;
                }
                buf.push((v & 0xFF) as u8);
                Ok(j)
            }
            b'x' if self.at(i + 2).is_ascii_hexdigit() => {
                let mut v = 0u32;
                let mut j = i + 2;
                while j < i + 4 && self.at(j).is_ascii_hexdigit() {
                    v = v * 16 + char::from(self.at(j)).to_digit(16).unwrap_or(0);
                    j += 1;
                }
                buf.push((v & 0xFF) as u8);
                Ok(j)
            }
            c => {
                buf.push(match c {
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    c => c,
                });
                Ok(i + 2)
            }
        }
    }

    /// `\uXXXX` or `\UXXXXXXXX` at `i`: the code and the index after it.
    fn unicode_escape(&self, i: usize) -> Option<(u32, usize)> {
        let n = if self.at(i + 1) == b'u' { 4 } else { 8 };
        let digits = self.b.get(i + 2..i + 2 + n)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let text = std::str::from_utf8(digits).ok()?;
        Some((u32::from_str_radix(text, 16).ok()?, i + 2 + n))
    }

    fn quoted_ident(&mut self, s: usize, body: usize, unicode: bool) -> Result<Token, ParseError> {
        let mut buf = Vec::new();
        let mut i = body;
        loop {
            match self.b.get(i) {
                None => return Err(self.near(s, self.b.len(), "unterminated quoted identifier")),
                Some(b'"') if self.at(i + 1) == b'"' => {
                    buf.push(b'"');
                    i += 2;
                }
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(&c) => {
                    buf.push(c);
                    i += 1;
                }
            }
        }
        if buf.is_empty() {
            return Err(self.near(s, i, "zero-length delimited identifier"));
        }
        if unicode {
            return self.tok(Tk::UIdent, s, i);
        }
        let mut text = String::from_utf8(buf).unwrap_or_default();
        truncate_ident(&mut text);
        self.tok(Tk::Word { text, quoted: true }, s, i)
    }

    fn dollar(&mut self, s: usize) -> Result<Token, ParseError> {
        if self.at(s + 1).is_ascii_digit() {
            let e = self.digits(s + 1);
            if is_ident_start(self.at(e)) {
                let end = e + utf8_len(self.at(e));
                return Err(self.near(s, end, "trailing junk after parameter"));
            }
            return self.tok(Tk::Param, s, e);
        }
        let Some(e) = dollar_tag_end(self.b, s) else {
            return self.tok(Tk::Other, s, s + 1);
        };
        let tag = self.b.get(s..=e).unwrap_or(&[]);
        match find_bytes(self.b, e + 1, tag) {
            Some(p) => {
                let value = self.src.get(e + 1..p).unwrap_or("").to_string();
                let end = p + tag.len();
                self.tok(
                    Tk::Str {
                        value,
                        kind: StrKind::Plain,
                    },
                    s,
                    end,
                )
            }
            None => Err(self.near(s, self.b.len(), "unterminated dollar-quoted string")),
        }
    }
}

fn push_char(buf: &mut Vec<u8>, code: u32) {
    if let Some(ch) = char::from_u32(code) {
        let mut tmp = [0u8; 4];
        buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
    }
}

/// Checks a string literal's bytes as the server's encoding check does.
fn bytes_to_string(buf: Vec<u8>) -> Result<String, ParseError> {
    let mut k = 0;
    while let Some(&c) = buf.get(k) {
        let len = match c {
            0x00..=0x7F => 1,
            _ if c & 0xE0 == 0xC0 => 2,
            _ if c & 0xF0 == 0xE0 => 3,
            _ if c & 0xF8 == 0xF0 => 4,
            _ => 1,
        };
        let end = (k + len).min(buf.len());
        let chunk = buf.get(k..end).unwrap_or(&[]);
        if c == 0 || end - k < len || std::str::from_utf8(chunk).is_err() {
            let hex: Vec<String> = chunk.iter().map(|b| format!("0x{b:02x}")).collect();
            return Err(ParseError {
                message: format!(
                    "invalid byte sequence for encoding \"UTF8\": {}",
                    hex.join(" ")
                ),
                position: None,
            });
        }
        k = end;
    }
    Ok(String::from_utf8(buf).unwrap_or_default())
}

/// Identifiers are cut to NAMEDATALEN - 1 bytes.
fn truncate_ident(s: &mut String) {
    if s.len() >= 64 {
        let mut cut = 63;
        while cut > 0 && !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

// ---------------------------------------------------------------------------------------
// Keywords (kwlist.h, PostgreSQL 15)
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KwCat {
    Unreserved,
    ColName,
    TypeFunc,
    Reserved,
}

#[rustfmt::skip]
const RESERVED: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case",
    "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
    "current_date", "current_role", "current_time", "current_timestamp", "current_user", "default",
    "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
    "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
    "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on",
    "only", "or", "order", "placing", "primary", "references", "returning", "select",
    "session_user", "some", "symmetric", "table", "then", "to", "trailing", "true", "union",
    "unique", "user", "using", "variadic", "when", "where", "window", "with",
];

#[rustfmt::skip]
const TYPE_FUNC: &[&str] = &[
    "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze",
    "full", "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull",
    "outer", "overlaps", "right", "similar", "tablesample", "verbose",
];

#[rustfmt::skip]
const COL_NAME: &[&str] = &[
    "between", "bigint", "bit", "boolean", "char", "character", "coalesce", "dec", "decimal",
    "exists", "extract", "float", "greatest", "grouping", "inout", "int", "integer", "interval",
    "least", "national", "nchar", "none", "normalize", "nullif", "numeric", "out", "overlay",
    "position", "precision", "real", "row", "setof", "smallint", "substring", "time", "timestamp",
    "treat", "trim", "values", "varchar", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
];

#[rustfmt::skip]
const UNRESERVED: &[&str] = &[
    "abort", "absolute", "access", "action", "add", "admin", "after", "aggregate", "also", "alter",
    "always", "asensitive", "assertion", "assignment", "at", "atomic", "attach", "attribute",
    "backward", "before", "begin", "breadth", "by", "cache", "call", "called", "cascade",
    "cascaded", "catalog", "chain", "characteristics", "checkpoint", "class", "close", "cluster",
    "columns", "comment", "comments", "commit", "committed", "compression", "configuration",
    "conflict", "connection", "constraints", "content", "continue", "conversion", "copy", "cost",
    "csv", "cube", "current", "cursor", "cycle", "data", "database", "day", "deallocate",
    "declare", "defaults", "deferred", "definer", "delete", "delimiter", "delimiters", "depends",
    "depth", "detach", "dictionary", "disable", "discard", "document", "domain", "double", "drop",
    "each", "enable", "encoding", "encrypted", "enum", "escape", "event", "exclude", "excluding",
    "exclusive", "execute", "explain", "expression", "extension", "external", "family", "filter",
    "finalize", "first", "following", "force", "forward", "function", "functions", "generated",
    "global", "granted", "groups", "handler", "header", "hold", "hour", "identity", "if",
    "immediate", "immutable", "implicit", "import", "include", "including", "increment", "index",
    "indexes", "inherit", "inherits", "inline", "input", "insensitive", "insert", "instead",
    "invoker", "isolation", "key", "label", "language", "large", "last", "leakproof", "level",
    "listen", "load", "local", "location", "lock", "locked", "logged", "mapping", "match",
    "matched", "materialized", "maxvalue", "merge", "method", "minute", "minvalue", "mode",
    "month", "move", "name", "names", "new", "next", "nfc", "nfd", "nfkc", "nfkd", "no",
    "normalized", "nothing", "notify", "nowait", "nulls", "object", "of", "off", "oids", "old",
    "operator", "option", "options", "ordinality", "others", "over", "overriding", "owned",
    "owner", "parallel", "parameter", "parser", "partial", "partition", "passing", "password",
    "plans", "policy", "preceding", "prepare", "prepared", "preserve", "prior", "privileges",
    "procedural", "procedure", "procedures", "program", "publication", "quote", "range", "read",
    "reassign", "recheck", "recursive", "ref", "referencing", "refresh", "reindex", "relative",
    "release", "rename", "repeatable", "replace", "replica", "reset", "restart", "restrict",
    "return", "returns", "revoke", "role", "rollback", "rollup", "routine", "routines", "rows",
    "rule", "savepoint", "schema", "schemas", "scroll", "search", "second", "security", "sequence",
    "sequences", "serializable", "server", "session", "set", "sets", "share", "show", "simple",
    "skip", "snapshot", "sql", "stable", "standalone", "start", "statement", "statistics", "stdin",
    "stdout", "storage", "stored", "strict", "strip", "subscription", "support", "sysid", "system",
    "tables", "tablespace", "temp", "template", "temporary", "text", "ties", "transaction",
    "transform", "trigger", "truncate", "trusted", "type", "types", "uescape", "unbounded",
    "uncommitted", "unencrypted", "unknown", "unlisten", "unlogged", "until", "update", "vacuum",
    "valid", "validate", "validator", "value", "varying", "version", "view", "views", "volatile",
    "whitespace", "within", "without", "work", "wrapper", "write", "xml", "year", "yes", "zone",
];

/// Keywords that need AS to be a column label.
#[rustfmt::skip]
const AS_LABEL: &[&str] = &[
    "array", "as", "char", "character", "create", "day", "except", "fetch", "filter", "for",
    "from", "grant", "group", "having", "hour", "intersect", "into", "isnull", "limit", "minute",
    "month", "notnull", "offset", "on", "order", "over", "overlaps", "precision", "returning",
    "second", "to", "union", "varying", "where", "window", "with", "within", "without", "year",
];

fn kw_cat(word: &str) -> Option<KwCat> {
    let has = |list: &[&str]| list.binary_search(&word).is_ok();
    if has(RESERVED) {
        Some(KwCat::Reserved)
    } else if has(TYPE_FUNC) {
        Some(KwCat::TypeFunc)
    } else if has(COL_NAME) {
        Some(KwCat::ColName)
    } else if has(UNRESERVED) {
        Some(KwCat::Unreserved)
    } else {
        None
    }
}

/// `Some(category)` for a word token (`Some(None)` for a plain identifier).
fn word_cat(tk: &Tk) -> Option<Option<KwCat>> {
    match tk {
        Tk::Word { quoted: true, .. } => Some(None),
        Tk::Word { text, .. } => Some(kw_cat(text)),
        _ => None,
    }
}

/// `ColId`: identifier, unreserved or column-name keyword.
fn is_col_id(tk: &Tk) -> bool {
    matches!(
        word_cat(tk),
        Some(None | Some(KwCat::Unreserved | KwCat::ColName))
    )
}

/// `type_function_name`: identifier, unreserved or type/function-name keyword.
fn is_type_func_name(tk: &Tk) -> bool {
    matches!(
        word_cat(tk),
        Some(None | Some(KwCat::Unreserved | KwCat::TypeFunc))
    )
}

/// `NonReservedWord`.
fn is_nonreserved(tk: &Tk) -> bool {
    matches!(word_cat(tk), Some(cat) if cat != Some(KwCat::Reserved))
}

/// `BareColLabel`.
fn is_bare_label(tk: &Tk) -> bool {
    match tk {
        Tk::Word { quoted: true, .. } => true,
        Tk::Word { text, .. } => AS_LABEL.binary_search(&text.as_str()).is_err(),
        _ => false,
    }
}

/// Statements PostgreSQL has that walscope does not model.
#[rustfmt::skip]
const OTHER_STATEMENTS: &[&str] = &[
    "analyse", "analyze", "call", "close", "cluster", "comment", "copy", "deallocate", "declare",
    "discard", "do", "execute", "explain", "fetch", "grant", "import", "listen", "load", "lock",
    "merge", "move", "notify", "prepare", "reassign", "refresh", "reindex", "release", "revoke",
    "savepoint", "security", "unlisten", "vacuum",
];

#[rustfmt::skip]
const CREATE_OTHER: &[&str] = &[
    "access", "aggregate", "cast", "collation", "constraint", "conversion", "database", "default",
    "domain", "event", "extension", "foreign", "function", "group", "index", "language",
    "materialized", "operator", "policy", "procedural", "procedure", "publication", "recursive",
    "rule", "schema", "sequence", "server", "statistics", "subscription", "tablespace", "text",
    "transform", "trigger", "trusted", "type", "unique", "view",
];

#[rustfmt::skip]
const DROP_OTHER: &[&str] = &[
    "access", "aggregate", "cast", "collation", "conversion", "database", "domain", "event",
    "extension", "foreign", "function", "group", "index", "language", "materialized", "operator",
    "owned", "policy", "procedural", "procedure", "publication", "routine", "rule", "schema",
    "sequence", "server", "statistics", "subscription", "tablespace", "text", "transform",
    "trigger", "type", "view",
];

#[rustfmt::skip]
const ALTER_OTHER: &[&str] = &[
    "aggregate", "collation", "conversion", "database", "default", "domain", "event", "extension",
    "foreign", "function", "group", "index", "language", "large", "materialized", "operator",
    "policy", "procedure", "publication", "routine", "rule", "schema", "sequence", "server",
    "statistics", "subscription", "table", "tablespace", "text", "trigger", "type", "view",
];

/// Words that end a target expression, so a keyword operator before them is a label.
#[rustfmt::skip]
const TERMINATORS: &[&str] = &[
    "as", "except", "fetch", "for", "from", "group", "having", "intersect", "into", "limit",
    "offset", "on", "order", "returning", "union", "where", "window",
];

/// Keywords that can start a typed literal such as `timestamp '...'`.
#[rustfmt::skip]
const TYPE_WORDS: &[&str] = &[
    "bigint", "bit", "boolean", "char", "character", "dec", "decimal", "double", "float", "int",
    "integer", "interval", "national", "nchar", "numeric", "real", "smallint", "time", "timestamp",
    "varchar",
];

const INTERVAL_FIELDS: &[&str] = &["day", "hour", "minute", "month", "second", "year"];

// ---------------------------------------------------------------------------------------
// Parser (gram.y)
// ---------------------------------------------------------------------------------------

/// Parses one SQL statement (a trailing `;` is allowed).
pub fn parse(sql: &str) -> Result<Statement, ParseError> {
    let sql = until_nul(sql);
    let (toks, lex_err) = lex(sql);
    let mut p = Parser {
        src: sql,
        toks,
        pos: 0,
        lex_err,
        depth: 0,
        pending: None,
        label_depth: None,
    };
    p.top()
}

type PResult<T> = Result<T, ParseError>;

static EOF_TK: Tk = Tk::Eof;

/// Nesting limit for expressions and parenthesized queries.
const MAX_DEPTH: usize = 100;

// Binding powers, weakest first, as gram.y's precedence declarations.
const L_OR: u8 = 1;
const L_AND: u8 = 2;
const L_NOT: u8 = 3;
const L_IS: u8 = 4;
const L_CMP: u8 = 5;
const L_IN: u8 = 6;
const L_ESCAPE: u8 = 7;
const L_OP: u8 = 9;
const L_ADD: u8 = 10;
const L_MUL: u8 = 11;
const L_POW: u8 = 12;
const L_AT: u8 = 13;
const L_COLLATE: u8 = 14;
const L_UMINUS: u8 = 15;
const L_SUBSCRIPT: u8 = 16;
const L_CAST: u8 = 18;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Infix {
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

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    lex_err: Option<ParseError>,
    depth: usize,
    /// A semantic error the server raises after parsing succeeds.
    pending: Option<ParseError>,
    /// Expression depth of the target being parsed, where a keyword may be a column label.
    label_depth: Option<usize>,
}

struct PkConstraint {
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

    fn err_at(&self, idx: usize) -> ParseError {
        match self.toks.get(idx) {
            None | Some(Token { tk: Tk::Eof, .. }) => ParseError {
                message: "syntax error at end of input".into(),
                position: None,
            },
            Some(Token { tk: Tk::Error, .. }) => self.lex_err.clone().unwrap_or(ParseError {
                message: "syntax error at end of input".into(),
                position: None,
            }),
            Some(t) => ParseError {
                message: format!("syntax error at or near \"{}\"", self.text_of(idx)),
                position: Some(char_pos(self.src, t.start)),
            },
        }
    }

    fn fail<T>(&self) -> PResult<T> {
        Err(self.err_at(self.pos))
    }

    fn msg_at(&self, idx: usize, message: impl Into<String>) -> ParseError {
        let position = match self.toks.get(idx) {
            Some(t) if !matches!(t.tk, Tk::Eof) => Some(char_pos(self.src, t.start)),
            _ => None,
        };
        ParseError {
            message: message.into(),
            position,
        }
    }

    fn unsupported<T>(&self, idx: usize, what: &str) -> PResult<T> {
        Err(self.msg_at(idx, format!("walscope does not support {what}")))
    }

    fn set_pending(&mut self, e: ParseError) {
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
            return Err(ParseError {
                message: "empty query".into(),
                position: None,
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

    // ----- SELECT -----

    /// A whole query; the second value is the table of a bare `TABLE t`.
    fn select_full(&mut self) -> PResult<(Select, Option<String>)> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError {
                message: STACK_DEPTH.into(),
                position: None,
            });
        }
        self.depth += 1;
        let r = self.select_full_inner();
        self.depth -= 1;
        r
    }

    fn select_full_inner(&mut self) -> PResult<(Select, Option<String>)> {
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
    fn limit_clause(&mut self) -> PResult<Option<(Expr, usize)>> {
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

    fn select_parens(&mut self) -> PResult<Select> {
        self.expect_punct(b'(')?;
        if !self.query_at(0) {
            return self.fail();
        }
        let (sel, _) = self.select_full()?;
        self.expect_punct(b')')?;
        Ok(sel)
    }

    fn simple_select(&mut self) -> PResult<(Select, Option<String>)> {
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
    fn target_list_absent(&self) -> bool {
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

    fn target_list(&mut self) -> PResult<Vec<SelectItem>> {
        let mut items = vec![self.target()?];
        while self.eat_punct(b',') {
            items.push(self.target()?);
        }
        Ok(items)
    }

    fn target(&mut self) -> PResult<SelectItem> {
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

    fn parse_from(&mut self) -> PResult<Vec<FromItem>> {
        let mut items = vec![self.table_ref()?];
        while self.eat_punct(b',') {
            items.push(self.table_ref()?);
        }
        Ok(items)
    }

    fn table_ref(&mut self) -> PResult<FromItem> {
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
    fn no_join(&self) -> PResult<()> {
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
    fn function_follows(&self) -> bool {
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
    fn opt_alias(&mut self) -> PResult<Option<String>> {
        if self.eat_kw("as") {
            return Ok(Some(self.col_id()?));
        }
        if is_col_id(self.tk(0)) {
            return Ok(Some(self.col_id()?));
        }
        Ok(None)
    }

    /// `[AS] alias [(column)]` after a function in FROM.
    fn func_alias(&mut self) -> PResult<(Option<String>, Option<String>)> {
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

    fn group_by_list(&mut self) -> PResult<Vec<Expr>> {
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

    fn sort_list(&mut self) -> PResult<Vec<OrderBy>> {
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

    // ----- INSERT / UPDATE / DELETE -----

    fn insert(&mut self) -> PResult<Statement> {
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

    fn values_rows(&mut self) -> PResult<Vec<Vec<Expr>>> {
        self.expect_kw("values")?;
        let mut rows = Vec::new();
        loop {
            self.expect_punct(b'(')?;
            let mut row = Vec::new();
            loop {
                if self.is_kw("default") && (self.is_punct_at(1, b',') || self.is_punct_at(1, b')'))
                {
                    return self.unsupported(self.pos, "DEFAULT in VALUES");
                }
                row.push(self.expr()?);
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
    fn dml_target(&mut self, stmt: &str) -> PResult<String> {
        let table = self.relation_expr()?;
        if self.is_kw("as") || (is_col_id(self.tk(0)) && !self.is_kw("set")) {
            return self.unsupported(self.pos, &format!("table aliases in {stmt}"));
        }
        Ok(table)
    }

    fn where_clause(&mut self) -> PResult<Option<Expr>> {
        if !self.eat_kw("where") {
            return Ok(None);
        }
        if self.is_kw("current") && self.is_kw_at(1, "of") {
            return self.unsupported(self.pos, "WHERE CURRENT OF");
        }
        Ok(Some(self.expr()?))
    }

    fn update(&mut self) -> PResult<Statement> {
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

    fn ends_statement(&self, n: usize) -> bool {
        matches!(self.tk(n), Tk::Eof | Tk::Punct(b';')) || self.is_kw_at(n, "where")
    }

    fn delete(&mut self) -> PResult<Statement> {
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

    // ----- CREATE / DROP / TRUNCATE / ALTER -----

    fn create(&mut self) -> PResult<Statement> {
        let idx = self.pos;
        self.advance();
        if self.is_kw("or") && self.is_kw_at(1, "replace") {
            return self.unsupported(idx, "CREATE OR REPLACE");
        }
        let Some(w) = self.kw() else {
            return self.fail();
        };
        match w.as_str() {
            "table" => self.create_table(),
            "temp" | "temporary" | "local" | "global" => {
                self.unsupported(idx, "CREATE TEMPORARY TABLE")
            }
            "unlogged" => self.unsupported(idx, "CREATE UNLOGGED TABLE"),
            "user" if self.is_kw_at(1, "mapping") => self.unsupported(idx, "CREATE USER MAPPING"),
            "role" | "user" => {
                self.advance();
                let name = self.role_id()?;
                self.eat_kw("with");
                let opts = self.role_options(true)?;
                self.check_role_options(&opts);
                let options = opts.into_iter().map(|(o, _)| o).collect();
                Ok(Statement::CreateRole {
                    name,
                    options,
                    is_user: w == "user",
                })
            }
            w if CREATE_OTHER.contains(&w) => {
                self.unsupported(idx, &format!("CREATE {}", w.to_ascii_uppercase()))
            }
            _ => self.fail(),
        }
    }

    fn create_table(&mut self) -> PResult<Statement> {
        self.advance();
        let mut if_not_exists = false;
        if self.is_kw("if") && self.is_kw_at(1, "not") {
            self.skip(2);
            self.expect_kw("exists")?;
            if_not_exists = true;
        }
        let name = self.qualified_name()?;
        let relname = name.rsplit('.').next().unwrap_or("").to_string();
        if self.is_kw("of") || self.is_kw("partition") || self.is_kw("as") {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &format!("CREATE TABLE ... {what}"));
        }
        self.expect_punct(b'(')?;
        let mut columns: Vec<ColumnDef> = Vec::new();
        let mut pks: Vec<PkConstraint> = Vec::new();
        let mut null_conflict: Option<ParseError> = None;
        if !self.eat_punct(b')') {
            loop {
                let el = self.pos;
                let named = self.eat_kw("constraint");
                if named {
                    self.col_id()?;
                }
                if self.eat_kw("primary") {
                    self.expect_kw("key")?;
                    self.expect_punct(b'(')?;
                    let mut keys = vec![self.col_id()?];
                    while self.eat_punct(b',') {
                        keys.push(self.col_id()?);
                    }
                    self.expect_punct(b')')?;
                    self.index_options()?;
                    pks.push(PkConstraint { at: el, keys });
                } else if self.is_any_kw(&["unique", "check", "foreign", "exclude"]) {
                    let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                    return self.unsupported(el, &format!("{what} constraints"));
                } else if named {
                    return self.fail();
                } else if self.is_kw("like") {
                    return self.unsupported(el, "CREATE TABLE ... (LIKE ...)");
                } else {
                    let col = self.column_def(&relname, &mut pks, &mut null_conflict)?;
                    columns.push(col);
                }
                if !self.eat_punct(b',') {
                    break;
                }
            }
            self.expect_punct(b')')?;
        }
        if self.is_any_kw(&[
            "inherits",
            "partition",
            "using",
            "with",
            "without",
            "on",
            "tablespace",
        ]) {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &format!("CREATE TABLE ... {what}"));
        }
        match null_conflict {
            Some(e) => self.set_pending(e),
            None => self.apply_primary_keys(&relname, &mut columns, &pks),
        }
        Ok(Statement::CreateTable {
            name,
            if_not_exists,
            columns,
        })
    }

    fn index_options(&mut self) -> PResult<()> {
        if self.is_any_kw(&["include", "with", "using"]) {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &format!("PRIMARY KEY ... {what}"));
        }
        Ok(())
    }

    fn column_def(
        &mut self,
        relname: &str,
        pks: &mut Vec<PkConstraint>,
        null_conflict: &mut Option<ParseError>,
    ) -> PResult<ColumnDef> {
        let name = self.col_id()?;
        let type_name = self.typename()?;
        let mut col = ColumnDef {
            name,
            type_name,
            primary_key: false,
            not_null: false,
        };
        let mut saw_nullable = false;
        loop {
            let at = self.pos;
            let named = self.eat_kw("constraint");
            if named {
                self.col_id()?;
            }
            let conflict = |p: &Self| {
                p.msg_at(
                    at,
                    format!(
                        "conflicting NULL/NOT NULL declarations for column \"{}\" of table \"{}\"",
                        col.name, relname
                    ),
                )
            };
            if self.is_kw("not") && self.is_kw_at(1, "null") {
                self.skip(2);
                if saw_nullable && !col.not_null && null_conflict.is_none() {
                    *null_conflict = Some(conflict(self));
                }
                col.not_null = true;
                saw_nullable = true;
            } else if self.eat_kw("null") {
                if saw_nullable && col.not_null && null_conflict.is_none() {
                    *null_conflict = Some(conflict(self));
                }
                col.not_null = false;
                saw_nullable = true;
            } else if self.eat_kw("primary") {
                self.expect_kw("key")?;
                self.index_options()?;
                pks.push(PkConstraint {
                    at,
                    keys: vec![col.name.clone()],
                });
            } else if self.is_any_kw(&[
                "default",
                "unique",
                "check",
                "references",
                "generated",
                "collate",
                "compression",
                "deferrable",
                "initially",
            ]) || (self.is_kw("not") && self.is_kw_at(1, "deferrable"))
            {
                let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                return self.unsupported(at, &format!("column {what} clauses"));
            } else if named {
                return self.fail();
            } else {
                return Ok(col);
            }
        }
    }

    /// What transformIndexConstraint checks, then marks the key columns.
    fn apply_primary_keys(&mut self, relname: &str, cols: &mut [ColumnDef], pks: &[PkConstraint]) {
        for (n, pk) in pks.iter().enumerate() {
            if n > 0 {
                let msg = format!("multiple primary keys for table \"{relname}\" are not allowed");
                self.set_pending(self.msg_at(pk.at, msg));
                return;
            }
            let mut seen: Vec<&str> = Vec::new();
            for key in &pk.keys {
                match cols.iter_mut().find(|c| &c.name == key) {
                    Some(c) => {
                        c.primary_key = true;
                        c.not_null = true;
                    }
                    None => {
                        let msg = format!("column \"{key}\" named in key does not exist");
                        self.set_pending(self.msg_at(pk.at, msg));
                        return;
                    }
                }
                if seen.contains(&key.as_str()) {
                    let msg = format!("column \"{key}\" appears twice in primary key constraint");
                    self.set_pending(self.msg_at(pk.at, msg));
                    return;
                }
                seen.push(key);
            }
        }
    }

    fn drop_stmt(&mut self) -> PResult<Statement> {
        let idx = self.pos;
        self.advance();
        let Some(w) = self.kw() else {
            return self.fail();
        };
        match w.as_str() {
            "table" => {
                self.advance();
                let if_exists = self.if_exists();
                let mut names = vec![self.qualified_name()?];
                while self.eat_punct(b',') {
                    names.push(self.qualified_name()?);
                }
                if !self.eat_kw("cascade") {
                    self.eat_kw("restrict");
                }
                Ok(Statement::DropTable { names, if_exists })
            }
            "user" if self.is_kw_at(1, "mapping") => self.unsupported(idx, "DROP USER MAPPING"),
            "role" | "user" => {
                self.advance();
                let if_exists = self.if_exists();
                let mut names = Vec::new();
                let mut special = false;
                loop {
                    let (name, s) = self.role_spec()?;
                    special |= s;
                    names.push(name);
                    if !self.eat_punct(b',') {
                        break;
                    }
                }
                if special {
                    self.set_pending(ParseError {
                        message: DROP_ROLE_SPECIAL.into(),
                        position: None,
                    });
                }
                Ok(Statement::DropRole { names, if_exists })
            }
            w if DROP_OTHER.contains(&w) => {
                self.unsupported(idx, &format!("DROP {}", w.to_ascii_uppercase()))
            }
            _ => self.fail(),
        }
    }

    fn if_exists(&mut self) -> bool {
        let hit = self.is_kw("if") && self.is_kw_at(1, "exists");
        if hit {
            self.skip(2);
        }
        hit
    }

    fn truncate(&mut self) -> PResult<Statement> {
        self.advance();
        self.eat_kw("table");
        let mut names = vec![self.relation_expr()?];
        while self.eat_punct(b',') {
            names.push(self.relation_expr()?);
        }
        if self.is_kw("restart") {
            return self.unsupported(self.pos, "TRUNCATE ... RESTART IDENTITY");
        }
        if self.eat_kw("continue") {
            self.expect_kw("identity")?;
        }
        if !self.eat_kw("cascade") {
            self.eat_kw("restrict");
        }
        Ok(Statement::Truncate { names })
    }

    fn alter(&mut self) -> PResult<Statement> {
        let idx = self.pos;
        self.advance();
        let Some(w) = self.kw() else {
            return self.fail();
        };
        match w.as_str() {
            "system" => {
                self.advance();
                if self.eat_kw("set") {
                    let name = self.var_name()?;
                    let value = self.set_value()?;
                    Ok(Statement::AlterSystem {
                        name,
                        value: Some(value),
                    })
                } else if self.eat_kw("reset") {
                    let name = if self.eat_kw("all") {
                        "all".to_string()
                    } else {
                        self.var_name()?
                    };
                    Ok(Statement::AlterSystem { name, value: None })
                } else {
                    self.fail()
                }
            }
            "user" if self.is_kw_at(1, "mapping") => self.unsupported(idx, "ALTER USER MAPPING"),
            "role" | "user" => {
                self.advance();
                let at = self.pos;
                if self.is_any_kw(&["all", "current_user", "session_user", "current_role"]) {
                    let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                    return self.unsupported(at, &format!("ALTER ROLE {what}"));
                }
                let (name, _) = self.role_spec()?;
                if self.is_any_kw(&["rename", "set", "reset", "in"]) {
                    let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                    return self.unsupported(self.pos, &format!("ALTER ROLE ... {what}"));
                }
                self.eat_kw("with");
                let opts = self.role_options(false)?;
                self.check_role_options(&opts);
                let options = opts.into_iter().map(|(o, _)| o).collect();
                Ok(Statement::AlterRole { name, options })
            }
            w if ALTER_OTHER.contains(&w) => {
                self.unsupported(idx, &format!("ALTER {}", w.to_ascii_uppercase()))
            }
            _ => self.fail(),
        }
    }

    // ----- roles -----

    /// `RoleId` (CREATE ROLE's name).
    fn role_id(&mut self) -> PResult<String> {
        let idx = self.pos;
        let special = match self.kw_at(0) {
            Some("current_user") => Some("CURRENT_USER"),
            Some("session_user") => Some("SESSION_USER"),
            Some("current_role") => Some("CURRENT_ROLE"),
            _ => None,
        };
        if let Some(s) = special {
            return Err(self.msg_at(idx, format!("{s} cannot be used as a role name here")));
        }
        let name = self.nonreserved_word()?;
        if name == "public" || name == "none" {
            return Err(self.msg_at(idx, format!("role name \"{name}\" is reserved")));
        }
        Ok(name)
    }

    /// `RoleSpec`: a name, and whether it is a special specifier.
    fn role_spec(&mut self) -> PResult<(String, bool)> {
        let idx = self.pos;
        if let Some(w) = self.kw() {
            if matches!(w.as_str(), "current_user" | "session_user" | "current_role") {
                self.advance();
                return Ok((w, true));
            }
        }
        let name = self.nonreserved_word()?;
        if name == "none" {
            return Err(self.msg_at(idx, "role name \"none\" is reserved"));
        }
        let special = name == "public";
        Ok((name, special))
    }

    fn role_options(&mut self, create: bool) -> PResult<Vec<(RoleOption, usize)>> {
        let mut opts = Vec::new();
        loop {
            let idx = self.pos;
            let Tk::Word { text, quoted } = self.tk(0).clone() else {
                return Ok(opts);
            };
            let opt = if quoted || kw_cat(&text).is_none() {
                self.advance();
                match text.as_str() {
                    "superuser" => RoleOption::Superuser(true),
                    "nosuperuser" => RoleOption::Superuser(false),
                    "createrole" => RoleOption::CreateRole(true),
                    "nocreaterole" => RoleOption::CreateRole(false),
                    "createdb" => RoleOption::CreateDb(true),
                    "nocreatedb" => RoleOption::CreateDb(false),
                    "replication" => RoleOption::Replication(true),
                    "noreplication" => RoleOption::Replication(false),
                    "login" => RoleOption::Login(true),
                    "nologin" => RoleOption::Login(false),
                    "noinherit" => RoleOption::Inherit(false),
                    "bypassrls" | "nobypassrls" => return self.unsupported(idx, "BYPASSRLS"),
                    _ => {
                        return Err(self.msg_at(idx, format!("unrecognized role option \"{text}\"")))
                    }
                }
            } else {
                match text.as_str() {
                    "password" => {
                        self.advance();
                        if self.eat_kw("null") {
                            RoleOption::Password(None)
                        } else {
                            RoleOption::Password(Some(self.sconst()?))
                        }
                    }
                    "encrypted" => {
                        self.advance();
                        self.expect_kw("password")?;
                        RoleOption::EncryptedPassword(self.sconst()?)
                    }
                    "unencrypted" => {
                        self.advance();
                        self.expect_kw("password")?;
                        self.sconst()?;
                        return Err(self.msg_at(idx, "UNENCRYPTED PASSWORD is no longer supported"));
                    }
                    "inherit" => {
                        self.advance();
                        RoleOption::Inherit(true)
                    }
                    "connection" => {
                        self.advance();
                        self.expect_kw("limit")?;
                        RoleOption::ConnectionLimit(self.signed_iconst()?)
                    }
                    "valid" => return self.unsupported(idx, "VALID UNTIL"),
                    "user" => return self.unsupported(idx, "USER role lists"),
                    "sysid" | "admin" | "role" | "in" if create => {
                        return self.unsupported(
                            idx,
                            &format!("{} in CREATE ROLE", text.to_ascii_uppercase()),
                        )
                    }
                    _ => return Ok(opts),
                }
            };
            opts.push((opt, idx));
        }
    }

    /// CreateRole/AlterRole reject an option given twice.
    fn check_role_options(&mut self, opts: &[(RoleOption, usize)]) {
        let mut seen: Vec<&str> = Vec::new();
        for (o, idx) in opts {
            let key = match o {
                RoleOption::Password(_) | RoleOption::EncryptedPassword(_) => "password",
                RoleOption::Login(_) => "canlogin",
                RoleOption::Replication(_) => "isreplication",
                RoleOption::Superuser(_) => "superuser",
                RoleOption::ConnectionLimit(_) => "connectionlimit",
                RoleOption::CreateDb(_) => "createdb",
                RoleOption::CreateRole(_) => "createrole",
                RoleOption::Inherit(_) => "inherit",
            };
            if seen.contains(&key) {
                self.set_pending(self.msg_at(*idx, "conflicting or redundant options"));
                return;
            }
            seen.push(key);
        }
    }

    fn signed_iconst(&mut self) -> PResult<i64> {
        let neg = if self.eat_op("-") {
            true
        } else {
            self.eat_op("+");
            false
        };
        match self.tk(0) {
            Tk::Int(v) if i32::try_from(*v).is_ok() => {
                let v = if neg { -*v } else { *v };
                self.advance();
                Ok(v)
            }
            _ => self.fail(),
        }
    }

    // ----- SHOW / SET / RESET -----

    fn show(&mut self) -> PResult<Statement> {
        self.advance();
        let name = match self.special_var()? {
            Some(n) => n,
            None if self.eat_kw("all") => "all".into(),
            None => self.var_name()?,
        };
        Ok(Statement::Show { name })
    }

    /// `TIME ZONE`, `TRANSACTION ISOLATION LEVEL`, `SESSION AUTHORIZATION` as GUC names.
    fn special_var(&mut self) -> PResult<Option<String>> {
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

    fn reset(&mut self) -> PResult<Statement> {
        self.advance();
        let name = match self.special_var()? {
            Some(n) => n,
            None if self.eat_kw("all") => "all".into(),
            None => self.var_name()?,
        };
        Ok(Statement::Reset { name })
    }

    fn set(&mut self) -> PResult<Statement> {
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

    fn at_statement_end(&self) -> bool {
        matches!(self.tk(0), Tk::Eof | Tk::Punct(b';'))
    }

    /// `{TO | =} {DEFAULT | value, ...}`.
    fn set_value(&mut self) -> PResult<SetValue> {
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

    fn var_value(&mut self) -> PResult<String> {
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
    fn numeric_only(&mut self) -> PResult<String> {
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

    fn word_or_sconst(&mut self) -> PResult<String> {
        if matches!(self.tk(0), Tk::Str { .. }) {
            self.sconst()
        } else {
            self.nonreserved_word()
        }
    }

    fn zone_value(&mut self) -> PResult<SetValue> {
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

    fn transaction(&mut self) -> PResult<Statement> {
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

    fn no_transaction_modes(&self) -> PResult<()> {
        if self.is_any_kw(&["isolation", "read", "deferrable"])
            || (self.is_kw("not") && self.is_kw_at(1, "deferrable"))
        {
            return self.unsupported(self.pos, "transaction modes");
        }
        Ok(())
    }

    // ----- expressions -----

    fn expr(&mut self) -> PResult<Expr> {
        self.expr_bp(0)
    }

    fn expr_list(&mut self) -> PResult<Vec<Expr>> {
        let mut v = vec![self.expr()?];
        while self.eat_punct(b',') {
            v.push(self.expr()?);
        }
        Ok(v)
    }

    fn expr_bp(&mut self, min: u8) -> PResult<Expr> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError {
                message: STACK_DEPTH.into(),
                position: None,
            });
        }
        self.depth += 1;
        let r = self.expr_bp_inner(min);
        self.depth -= 1;
        r
    }

    fn expr_bp_inner(&mut self, min: u8) -> PResult<Expr> {
        let mut left = self.prefix()?;
        let mut last: Option<u8> = None;
        while let Some((op, lvl)) = self.infix() {
            if lvl < min {
                break;
            }
            // Comparison, IS and IN/LIKE/BETWEEN are non-associative.
            if matches!(lvl, L_IS | L_CMP | L_IN) && last == Some(lvl) {
                return self.fail();
            }
            let idx = self.pos;
            left = match op {
                Infix::Or | Infix::And => {
                    self.advance();
                    let right = self.expr_bp(lvl + 1)?;
                    let op = if op == Infix::Or {
                        BinaryOp::Or
                    } else {
                        BinaryOp::And
                    };
                    binary(op, left, right)
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
                        return self.unsupported(self.pos, "ANY/ALL comparisons");
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
            };
            last = Some(lvl);
        }
        Ok(left)
    }

    /// The infix or postfix operator next, with its binding power.
    fn infix(&self) -> Option<(Infix, u8)> {
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

    fn is_tail(&mut self, left: Expr) -> PResult<Expr> {
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

    fn prefix(&mut self) -> PResult<Expr> {
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

    fn primary(&mut self) -> PResult<Expr> {
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

    fn paren_expr(&mut self) -> PResult<Expr> {
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
    fn keyword_expr(&mut self, w: &str) -> PResult<Expr> {
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
    fn name_expr(&mut self) -> PResult<Expr> {
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

    fn func_call(&mut self, name: String) -> PResult<Expr> {
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

    fn case_expr(&mut self) -> PResult<Expr> {
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
    fn extract_expr(&mut self) -> PResult<Expr> {
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
    fn substring_expr(&mut self) -> PResult<Expr> {
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

    fn opt_precision(&mut self) -> PResult<Option<i64>> {
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

    // ----- type names -----

    fn typename(&mut self) -> PResult<String> {
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

    fn typename_simple(&mut self) -> PResult<String> {
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
    fn opt_type_mods(&mut self) -> PResult<String> {
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
    fn interval_fields(&mut self, t: &mut String) -> PResult<()> {
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

fn empty_select() -> Select {
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

fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
    }
}

fn cast(expr: Expr, type_name: &str) -> Expr {
    Expr::Cast {
        expr: Box::new(expr),
        type_name: type_name.to_string(),
    }
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Call {
        name: name.to_string(),
        args,
        star: false,
        distinct: false,
    }
}

/// `-` on a numeric literal folds into the constant, as gram.y's doNegate does.
fn negate(e: Expr) -> Expr {
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
fn is_generic_op(o: &str) -> bool {
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
fn join_name(mut parts: Vec<String>, drop: &[&str]) -> String {
    if parts.len() > 1 && parts.first().is_some_and(|s| drop.contains(&s.as_str())) {
        parts.remove(0);
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(sql: &str) -> Select {
        match parse(sql) {
            Ok(Statement::Select(s)) => s,
            other => panic!("{sql}: {other:?}"),
        }
    }

    fn stmt(sql: &str) -> Statement {
        match parse(sql) {
            Ok(s) => s,
            Err(e) => panic!("{sql}: {e:?}"),
        }
    }

    fn err(sql: &str) -> ParseError {
        match parse(sql) {
            Err(e) => e,
            Ok(s) => panic!("{sql}: parsed as {s:?}"),
        }
    }

    fn col(n: &str) -> Expr {
        Expr::Column {
            table: None,
            name: n.into(),
        }
    }

    fn s(v: &str) -> Expr {
        Expr::String(v.into())
    }

    fn item(e: Expr) -> SelectItem {
        SelectItem::Expr {
            expr: e,
            alias: None,
        }
    }

    fn aliased(e: Expr, a: &str) -> SelectItem {
        SelectItem::Expr {
            expr: e,
            alias: Some(a.into()),
        }
    }

    fn table(n: &str) -> FromItem {
        FromItem::Table {
            name: n.into(),
            alias: None,
        }
    }

    fn select(items: Vec<SelectItem>, from: Vec<FromItem>) -> Select {
        Select {
            items,
            from,
            ..empty_select()
        }
    }

    fn values(v: &[&str]) -> SetValue {
        SetValue::Values(v.iter().map(|s| s.to_string()).collect())
    }

    fn check_err(sql: &str, message: &str, position: Option<usize>) {
        let e = err(sql);
        assert_eq!(e.message, message, "{sql}");
        assert_eq!(e.position, position, "{sql}");
    }

    #[test]
    fn lab_selects() {
        assert_eq!(
            sel("SELECT pg_current_wal_lsn();"),
            select(vec![item(call("pg_current_wal_lsn", vec![]))], vec![])
        );
        assert_eq!(
            sel("SELECT * FROM pg_stat_replication;"),
            select(
                vec![SelectItem::Wildcard],
                vec![table("pg_stat_replication")]
            )
        );
        let q =
            sel("select application_name, state, sync_state from pg_stat_replication order by 1;");
        assert_eq!(
            q.items,
            vec![
                item(col("application_name")),
                item(col("state")),
                item(col("sync_state"))
            ]
        );
        assert_eq!(
            q.order_by,
            vec![OrderBy {
                expr: Expr::Integer(1),
                descending: false
            }]
        );
        assert_eq!(
            sel("SELECT pg_walfile_name('0/3000060');").items,
            vec![item(call("pg_walfile_name", vec![s("0/3000060")]))]
        );
        assert_eq!(
            sel("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS lag_bytes FROM pg_stat_replication;"),
            select(
                vec![aliased(
                    call("pg_wal_lsn_diff", vec![call("pg_current_wal_lsn", vec![]), col("replay_lsn")]),
                    "lag_bytes"
                )],
                vec![table("pg_stat_replication")]
            )
        );
        assert_eq!(
            sel("SELECT pg_create_physical_replication_slot('replica1', true);").items,
            vec![item(call(
                "pg_create_physical_replication_slot",
                vec![s("replica1"), Expr::Bool(true)]
            ))]
        );
        assert_eq!(
            sel("SELECT * FROM pg_create_physical_replication_slot('r2');").from,
            vec![FromItem::Function {
                call: call("pg_create_physical_replication_slot", vec![s("r2")]),
                alias: None,
                column_alias: None
            }]
        );
        let q = sel("SELECT slot_name, wal_status FROM pg_replication_slots WHERE active;");
        assert_eq!(q.filter, Some(col("active")));
        assert_eq!(q.from, vec![table("pg_replication_slots")]);
        assert_eq!(
            sel("SELECT timeline_id FROM pg_control_checkpoint();"),
            select(
                vec![item(col("timeline_id"))],
                vec![FromItem::Function {
                    call: call("pg_control_checkpoint", vec![]),
                    alias: None,
                    column_alias: None
                }]
            )
        );
        assert_eq!(
            sel("SELECT pg_promote();").items,
            vec![item(call("pg_promote", vec![]))]
        );
        assert_eq!(
            sel("SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_is_in_recovery();")
                .items,
            vec![
                item(call("pg_last_wal_receive_lsn", vec![])),
                item(call("pg_last_wal_replay_lsn", vec![])),
                item(call("pg_is_in_recovery", vec![])),
            ]
        );
        assert_eq!(
            sel("SELECT count(*) FROM test;"),
            select(
                vec![item(Expr::Call {
                    name: "count".into(),
                    args: vec![],
                    star: true,
                    distinct: false
                })],
                vec![table("test")]
            )
        );
        assert_eq!(
            sel("SELECT '0/3000060'::pg_lsn - '0/3000000';").items,
            vec![item(binary(
                BinaryOp::Sub,
                cast(s("0/3000060"), "pg_lsn"),
                s("0/3000000")
            ))]
        );
        assert_eq!(
            sel("SELECT now() - pg_last_xact_replay_timestamp() AS delay;").items,
            vec![aliased(
                binary(
                    BinaryOp::Sub,
                    Expr::Now,
                    call("pg_last_xact_replay_timestamp", vec![])
                ),
                "delay"
            )]
        );
    }

    #[test]
    fn lab_writes() {
        assert_eq!(
            stmt("CREATE TABLE test (id INT);"),
            Statement::CreateTable {
                name: "test".into(),
                if_not_exists: false,
                columns: vec![ColumnDef {
                    name: "id".into(),
                    type_name: "int".into(),
                    primary_key: false,
                    not_null: false
                }]
            }
        );
        let Statement::CreateTable { columns, .. } = stmt("CREATE TABLE big (id int, pad text);")
        else {
            panic!()
        };
        assert_eq!(
            columns
                .iter()
                .map(|c| c.type_name.as_str())
                .collect::<Vec<_>>(),
            ["int", "text"]
        );
        assert_eq!(
            stmt("INSERT INTO test VALUES (1), (2);"),
            Statement::Insert {
                table: "test".into(),
                columns: vec![],
                source: InsertSource::Values(vec![vec![Expr::Integer(1)], vec![Expr::Integer(2)]])
            }
        );
        assert_eq!(
            stmt("INSERT INTO test SELECT generate_series(1,1000);"),
            Statement::Insert {
                table: "test".into(),
                columns: vec![],
                source: InsertSource::Query(Box::new(select(
                    vec![item(call(
                        "generate_series",
                        vec![Expr::Integer(1), Expr::Integer(1000)]
                    ))],
                    vec![]
                )))
            }
        );
        assert_eq!(
            stmt("INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 200000) g;"),
            Statement::Insert {
                table: "big".into(),
                columns: vec![],
                source: InsertSource::Query(Box::new(select(
                    vec![
                        item(col("g")),
                        item(call("repeat", vec![s("x"), Expr::Integer(500)]))
                    ],
                    vec![FromItem::Function {
                        call: call(
                            "generate_series",
                            vec![Expr::Integer(1), Expr::Integer(200000)]
                        ),
                        alias: Some("g".into()),
                        column_alias: None
                    }]
                )))
            }
        );
        assert_eq!(
            stmt("UPDATE test SET id = 3 WHERE id = 2;"),
            Statement::Update {
                table: "test".into(),
                assignments: vec![("id".into(), Expr::Integer(3))],
                filter: Some(binary(BinaryOp::Eq, col("id"), Expr::Integer(2)))
            }
        );
        assert_eq!(
            stmt("DELETE FROM test WHERE id = 3;"),
            Statement::Delete {
                table: "test".into(),
                filter: Some(binary(BinaryOp::Eq, col("id"), Expr::Integer(3)))
            }
        );
        assert_eq!(stmt("CHECKPOINT;"), Statement::Checkpoint);
        assert_eq!(
            stmt("INSERT INTO t DEFAULT VALUES"),
            Statement::Insert {
                table: "t".into(),
                columns: vec![],
                source: InsertSource::DefaultValues
            }
        );
        let Statement::Insert { columns, .. } = stmt("INSERT INTO t (a, \"B\") VALUES (1, 2)")
        else {
            panic!()
        };
        assert_eq!(columns, ["a", "B"]);
        check_err(
            "INSERT INTO t (a) DEFAULT VALUES",
            "syntax error at or near \"DEFAULT\"",
            Some(18),
        );
    }

    #[test]
    fn lab_settings_and_roles() {
        let sys = |sql: &str| match stmt(sql) {
            Statement::AlterSystem { name, value } => (name, value),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            sys("ALTER SYSTEM SET wal_level = 'replica';"),
            ("wal_level".into(), Some(values(&["replica"])))
        );
        assert_eq!(
            sys("ALTER SYSTEM SET synchronous_standby_names TO 'FIRST 1 (s1, s2)';"),
            (
                "synchronous_standby_names".into(),
                Some(values(&["FIRST 1 (s1, s2)"]))
            )
        );
        assert_eq!(
            sys("ALTER SYSTEM SET listen_addresses = '*';").1,
            Some(values(&["*"]))
        );
        assert_eq!(
            sys("ALTER SYSTEM RESET wal_keep_size;"),
            ("wal_keep_size".into(), None)
        );
        assert_eq!(sys("ALTER SYSTEM RESET ALL"), ("all".into(), None));
        assert_eq!(
            sys("ALTER SYSTEM SET max_slot_wal_keep_size = '1GB';").1,
            Some(values(&["1GB"]))
        );
        assert_eq!(
            sys("ALTER SYSTEM SET max_slot_wal_keep_size = 1024;").1,
            Some(values(&["1024"]))
        );
        assert_eq!(
            sys("ALTER SYSTEM SET max_slot_wal_keep_size = -1").1,
            Some(values(&["-1"]))
        );
        assert_eq!(sys("ALTER SYSTEM SET x = 0.50").1, Some(values(&["0.50"])));
        assert_eq!(sys("ALTER SYSTEM SET x = 007").1, Some(values(&["7"])));
        assert_eq!(
            sys("ALTER SYSTEM SET wal_level TO DEFAULT").1,
            Some(SetValue::Default)
        );
        assert_eq!(
            sys("ALTER SYSTEM SET synchronous_standby_names = s1, \"S2\"").1,
            Some(values(&["s1", "S2"]))
        );
        check_err(
            "ALTER SYSTEM SET wal_keep_size = 1GB",
            "trailing junk after numeric literal at or near \"1G\"",
            Some(33),
        );
        check_err(
            "ALTER SYSTEM SET wal_level replica",
            "syntax error at or near \"replica\"",
            Some(27),
        );

        assert_eq!(
            stmt("SHOW wal_level;"),
            Statement::Show {
                name: "wal_level".into()
            }
        );
        assert_eq!(stmt("SHOW ALL"), Statement::Show { name: "all".into() });
        assert_eq!(
            stmt("show time zone"),
            Statement::Show {
                name: "timezone".into()
            }
        );
        assert_eq!(
            stmt("SET synchronous_commit = remote_apply;"),
            Statement::Set {
                name: "synchronous_commit".into(),
                value: values(&["remote_apply"]),
                local: false
            }
        );
        assert_eq!(
            stmt("SET synchronous_commit TO off;"),
            Statement::Set {
                name: "synchronous_commit".into(),
                value: values(&["off"]),
                local: false
            }
        );
        assert_eq!(
            stmt("SET LOCAL synchronous_commit TO on"),
            Statement::Set {
                name: "synchronous_commit".into(),
                value: values(&["on"]),
                local: true
            }
        );
        assert_eq!(
            stmt("SET SESSION work_mem TO DEFAULT"),
            Statement::Set {
                name: "work_mem".into(),
                value: SetValue::Default,
                local: false
            }
        );
        assert_eq!(
            stmt("RESET synchronous_commit"),
            Statement::Reset {
                name: "synchronous_commit".into()
            }
        );
        assert_eq!(stmt("RESET ALL"), Statement::Reset { name: "all".into() });

        assert_eq!(
            stmt("CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';"),
            Statement::CreateRole {
                name: "replicator".into(),
                options: vec![
                    RoleOption::Replication(true),
                    RoleOption::Login(true),
                    RoleOption::Password(Some("secret".into()))
                ],
                is_user: false
            }
        );
        assert_eq!(
            stmt("CREATE USER replicator REPLICATION ENCRYPTED PASSWORD 'x';"),
            Statement::CreateRole {
                name: "replicator".into(),
                options: vec![
                    RoleOption::Replication(true),
                    RoleOption::EncryptedPassword("x".into())
                ],
                is_user: true
            }
        );
        assert_eq!(
            stmt("ALTER ROLE r WITH NOLOGIN CONNECTION LIMIT -1 PASSWORD NULL NOINHERIT"),
            Statement::AlterRole {
                name: "r".into(),
                options: vec![
                    RoleOption::Login(false),
                    RoleOption::ConnectionLimit(-1),
                    RoleOption::Password(None),
                    RoleOption::Inherit(false)
                ]
            }
        );
        assert_eq!(
            stmt("DROP ROLE IF EXISTS a, b"),
            Statement::DropRole {
                names: vec!["a".into(), "b".into()],
                if_exists: true
            }
        );
        check_err(
            "CREATE ROLE r WITH LOGINN",
            "unrecognized role option \"loginn\"",
            Some(19),
        );
        check_err(
            "CREATE ROLE r WITH LOGIN NOLOGIN",
            "conflicting or redundant options",
            Some(25),
        );
        check_err(
            "CREATE ROLE r WITH data",
            "syntax error at or near \"data\"",
            Some(19),
        );
        check_err(
            "CREATE ROLE public",
            "role name \"public\" is reserved",
            Some(12),
        );
        check_err(
            "CREATE ROLE current_user",
            "CURRENT_USER cannot be used as a role name here",
            Some(12),
        );
        check_err(
            "CREATE USER user",
            "syntax error at or near \"user\"",
            Some(12),
        );
        let e = err("CREATE ROLE r UNENCRYPTED PASSWORD 'x'");
        assert_eq!(e.message, "UNENCRYPTED PASSWORD is no longer supported");
        assert_eq!(
            e.psql_lines("CREATE ROLE r UNENCRYPTED PASSWORD 'x'"),
            vec![
                "LINE 1: CREATE ROLE r UNENCRYPTED PASSWORD 'x'".to_string(),
                "                      ^".to_string(),
                "HINT:  Remove UNENCRYPTED to store the password in encrypted form instead."
                    .to_string(),
            ]
        );
        check_err(
            "DROP ROLE public",
            "cannot use special role specifier in DROP ROLE",
            None,
        );
        assert!(err("DROP ROLE public")
            .psql_lines("DROP ROLE public")
            .is_empty());
    }

    #[test]
    fn lab_errors() {
        let e = err("SELEC 1");
        assert_eq!(e.message, "syntax error at or near \"SELEC\"");
        assert_eq!(e.position, Some(0));
        assert_eq!(
            e.psql_lines("SELEC 1"),
            vec!["LINE 1: SELEC 1", "        ^"]
        );
        let e = err("SELECT * FROM");
        assert_eq!(
            (e.message.as_str(), e.position),
            ("syntax error at end of input", None)
        );
        assert_eq!(
            e.psql_lines("SELECT * FROM"),
            vec!["LINE 1: SELECT * FROM", "                     ^"]
        );
        check_err(
            "INSERT INTO test VALUES (1",
            "syntax error at end of input",
            None,
        );
        check_err(
            "SELECT 'abc",
            "unterminated quoted string at or near \"'abc\"",
            Some(7),
        );
        check_err(
            "CREATE TABEL t (id int)",
            "syntax error at or near \"TABEL\"",
            Some(7),
        );
        // psql sends the ';', so callers that pass it get the server's exact text.
        check_err("SELECT * FROM;", "syntax error at or near \";\"", Some(13));
        check_err(
            "CREATE TABLE user (id int)",
            "syntax error at or near \"user\"",
            Some(13),
        );
        check_err(
            "CREATE TABLE t (id int,)",
            "syntax error at or near \")\"",
            Some(23),
        );
        check_err(
            "SELECT * FORM test",
            "syntax error at or near \"FORM\"",
            Some(9),
        );
        check_err(
            "SELECT a FORM test",
            "syntax error at or near \"test\"",
            Some(14),
        );
        check_err("DELETE test", "syntax error at or near \"test\"", Some(7));
        check_err(
            "UPDATE test SET id = 3 WHERE",
            "syntax error at end of input",
            None,
        );
        check_err("SELECT 1 2", "syntax error at or near \"2\"", Some(9));
        check_err(
            "SELECT 1 = 2 = 3",
            "syntax error at or near \"=\"",
            Some(13),
        );
        check_err(
            "SELECT a < b < c",
            "syntax error at or near \"<\"",
            Some(13),
        );
        check_err(
            "SELECT x IS NULL IS NULL",
            "syntax error at or near \"IS\"",
            Some(17),
        );
        check_err(
            "SELECT 123abc",
            "trailing junk after numeric literal at or near \"123a\"",
            Some(7),
        );
        check_err(
            "SELECT 1.5e",
            "trailing junk after numeric literal at or near \"1.5e\"",
            Some(7),
        );
        check_err(
            "SELECT 1e+",
            "trailing junk after numeric literal at or near \"1e+\"",
            Some(7),
        );
        check_err(
            "SELECT $1a",
            "trailing junk after parameter at or near \"$1a\"",
            Some(7),
        );
        check_err("SELECT $1", "there is no parameter $1", Some(7));
        check_err(
            "SELECT \"\"",
            "zero-length delimited identifier at or near \"\"\"\"",
            Some(7),
        );
        check_err(
            "SELECT \"abc",
            "unterminated quoted identifier at or near \"\"abc\"",
            Some(7),
        );
        check_err(
            "SELECT 1 /* x",
            "unterminated /* comment at or near \"/* x\"",
            Some(9),
        );
        check_err(
            "SELECT $$abc",
            "unterminated dollar-quoted string at or near \"$$abc\"",
            Some(7),
        );
        check_err(
            "SELECT E'ab",
            "unterminated quoted string at or near \"E'ab\"",
            Some(7),
        );
        check_err(
            "SELECT B'01",
            "unterminated bit string literal at or near \"B'01\"",
            Some(7),
        );
        check_err(
            "SELECT X'1",
            "unterminated hexadecimal string literal at or near \"X'1\"",
            Some(7),
        );
        check_err("SELECT E'\\u00'", "invalid Unicode escape", Some(9));
        check_err(
            "SELECT E'\\u0000'",
            "invalid Unicode escape value at or near \"\\u0000\"",
            Some(9),
        );
        check_err(
            "SELECT E'\\uD800x'",
            "invalid Unicode surrogate pair at or near \"x\"",
            Some(15),
        );
        check_err(
            "SELECT E'\\xff'",
            "invalid byte sequence for encoding \"UTF8\": 0xff",
            None,
        );
        check_err(
            "SELECT E'\\0'",
            "invalid byte sequence for encoding \"UTF8\": 0x00",
            None,
        );
        // A syntax error before a lexical one wins, as the server lexes lazily.
        check_err("SELEC 'abc", "syntax error at or near \"SELEC\"", Some(0));
        check_err(
            "SELECT * FROM t WHERE a AND",
            "syntax error at end of input",
            None,
        );
        check_err(
            "SELECT * FROM t WHERE a IS",
            "syntax error at end of input",
            None,
        );
        check_err("SELECT f(a AND)", "syntax error at or near \")\"", Some(14));
        check_err("SELECT 1 {", "syntax error at or near \"{\"", Some(9));
        check_err("SELECT left", "syntax error at end of input", None);
        check_err(
            "SELECT left FROM t",
            "syntax error at or near \"FROM\"",
            Some(12),
        );
        check_err("SELECT int(5)", "syntax error at or near \"(\"", Some(10));
        check_err(
            "SELECT DISTINCT FROM t",
            "syntax error at or near \"FROM\"",
            Some(16),
        );
        check_err(
            "SELECT 1 LIMIT 1, 2",
            "LIMIT #,# syntax is not supported",
            Some(9),
        );
        assert_eq!(
            err("SELECT 1 LIMIT 1, 2").hint(),
            Some("Use separate LIMIT and OFFSET clauses.")
        );
        check_err(
            "SELECT DEFAULT",
            "DEFAULT is not allowed in this context",
            Some(7),
        );
        check_err("", "empty query", None);
        check_err(
            "SELECT 'a' 'b'",
            "syntax error at or near \"'b'\"",
            Some(11),
        );
        check_err(
            "SELECT 1 FROM t JOIN u ON true",
            "walscope does not support JOIN",
            Some(16),
        );
        check_err("SELECT * FROM t LEFT", "syntax error at end of input", None);
        check_err(
            "SELECT * FROM t LEFT x",
            "syntax error at or near \"x\"",
            Some(21),
        );
        check_err(
            "SELECT * FROM t NATURAL LEFT OUTER JOIN u",
            "walscope does not support JOIN",
            Some(16),
        );
        check_err("VACUUM", "walscope does not support VACUUM", Some(0));
        check_err(
            "CREATE INDEX i ON t (a)",
            "walscope does not support CREATE INDEX",
            Some(0),
        );
    }

    #[test]
    fn create_table_details() {
        let cols = |sql: &str| match stmt(sql) {
            Statement::CreateTable { columns, .. } => columns,
            other => panic!("{other:?}"),
        };
        let c = cols(
            "CREATE TABLE IF NOT EXISTS public.t (id serial PRIMARY KEY, name varchar(20) NOT NULL, \
             at timestamp with time zone, n numeric(10, 2), \"Big\" BIGINT NULL, d double precision, \
             tags text[])",
        );
        let got: Vec<(&str, &str, bool, bool)> = c
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.type_name.as_str(),
                    c.primary_key,
                    c.not_null,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("id", "serial", true, true),
                ("name", "varchar(20)", false, true),
                ("at", "timestamp with time zone", false, false),
                ("n", "numeric(10,2)", false, false),
                ("Big", "bigint", false, false),
                ("d", "double precision", false, false),
                ("tags", "text[]", false, false),
            ]
        );
        let c = cols("CREATE TABLE t (a int, b int, CONSTRAINT pk PRIMARY KEY (b))");
        assert!(!c[0].primary_key && c[1].primary_key && c[1].not_null);
        assert_eq!(cols("CREATE TABLE t ()"), vec![]);
        check_err(
            "CREATE TABLE t (a int PRIMARY KEY, b int PRIMARY KEY)",
            "multiple primary keys for table \"t\" are not allowed",
            Some(41),
        );
        check_err(
            "CREATE TABLE t (a int, PRIMARY KEY (x))",
            "column \"x\" named in key does not exist",
            Some(23),
        );
        check_err(
            "CREATE TABLE t (a int NOT NULL NULL)",
            "conflicting NULL/NOT NULL declarations for column \"a\" of table \"t\"",
            Some(31),
        );
        check_err(
            "CREATE TABLE t (a int DEFAULT 1)",
            "walscope does not support column DEFAULT clauses",
            Some(22),
        );
        assert_eq!(
            stmt("DROP TABLE IF EXISTS a, public.b CASCADE"),
            Statement::DropTable {
                names: vec!["a".into(), "b".into()],
                if_exists: true
            }
        );
        assert_eq!(
            stmt("TRUNCATE TABLE a, ONLY b"),
            Statement::Truncate {
                names: vec!["a".into(), "b".into()]
            }
        );
    }

    #[test]
    fn expressions() {
        let e = |sql: &str| match sel(&format!("SELECT {sql}")).items.pop() {
            Some(SelectItem::Expr { expr, .. }) => expr,
            other => panic!("{other:?}"),
        };
        let i = Expr::Integer;
        assert_eq!(
            e("1 + 2 * 3"),
            binary(BinaryOp::Add, i(1), binary(BinaryOp::Mul, i(2), i(3)))
        );
        assert_eq!(
            e("1 - 2 - 3"),
            binary(BinaryOp::Sub, binary(BinaryOp::Sub, i(1), i(2)), i(3))
        );
        assert_eq!(
            e("'a' || 1 + 2"),
            binary(BinaryOp::Concat, s("a"), binary(BinaryOp::Add, i(1), i(2)))
        );
        assert_eq!(
            e("NOT a = b AND c"),
            binary(
                BinaryOp::And,
                Expr::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(binary(BinaryOp::Eq, col("a"), col("b")))
                },
                col("c")
            )
        );
        assert_eq!(
            e("a OR b AND c"),
            binary(
                BinaryOp::Or,
                col("a"),
                binary(BinaryOp::And, col("b"), col("c"))
            )
        );
        assert_eq!(e("-5"), i(-5));
        assert_eq!(e("-9223372036854775808"), i(i64::MIN));
        assert_eq!(
            e("9223372036854775808"),
            Expr::Numeric("9223372036854775808".into())
        );
        assert_eq!(e("1.5"), Expr::Numeric("1.5".into()));
        assert_eq!(e("-1.5"), Expr::Numeric("-1.5".into()));
        assert_eq!(e(".5e3"), Expr::Numeric(".5e3".into()));
        assert_eq!(
            e("-x::int"),
            Expr::Unary {
                op: UnaryOp::Neg,
                expr: Box::new(cast(col("x"), "int"))
            }
        );
        assert_eq!(e("a <> b"), binary(BinaryOp::NotEq, col("a"), col("b")));
        assert_eq!(e("a != b"), binary(BinaryOp::NotEq, col("a"), col("b")));
        assert_eq!(
            e("x IS NOT NULL"),
            Expr::IsNull {
                expr: Box::new(col("x")),
                negated: true
            }
        );
        assert_eq!(
            e("x ISNULL"),
            Expr::IsNull {
                expr: Box::new(col("x")),
                negated: false
            }
        );
        assert_eq!(
            e("a = b IS NULL"),
            Expr::IsNull {
                expr: Box::new(binary(BinaryOp::Eq, col("a"), col("b"))),
                negated: false
            }
        );
        assert_eq!(
            e("x NOT IN (1, 2)"),
            Expr::InList {
                expr: Box::new(col("x")),
                list: vec![i(1), i(2)],
                negated: true
            }
        );
        assert_eq!(
            e("x BETWEEN 1 AND 2 AND y"),
            binary(
                BinaryOp::And,
                Expr::Between {
                    expr: Box::new(col("x")),
                    low: Box::new(i(1)),
                    high: Box::new(i(2)),
                    negated: false
                },
                col("y")
            )
        );
        assert_eq!(
            e("name NOT LIKE 'wal%'"),
            Expr::Like {
                expr: Box::new(col("name")),
                pattern: Box::new(s("wal%")),
                negated: true
            }
        );
        assert_eq!(
            e("CASE WHEN a THEN 1 ELSE 2 END"),
            Expr::Case {
                operand: None,
                whens: vec![(col("a"), i(1))],
                else_: Some(Box::new(i(2)))
            }
        );
        assert_eq!(
            e("CASE x WHEN 1 THEN 'one' END"),
            Expr::Case {
                operand: Some(Box::new(col("x"))),
                whens: vec![(i(1), s("one"))],
                else_: None
            }
        );
        assert_eq!(e("CAST(x AS text)"), cast(col("x"), "text"));
        assert_eq!(e("interval '1 s'"), cast(s("1 s"), "interval"));
        assert_eq!(e("pg_lsn '0/3000060'"), cast(s("0/3000060"), "pg_lsn"));
        assert_eq!(
            e("timestamptz '2024-01-01'"),
            cast(s("2024-01-01"), "timestamptz")
        );
        assert_eq!(
            e("timestamp with time zone 'x'"),
            cast(s("x"), "timestamp with time zone")
        );
        assert_eq!(e("'1'::int::text"), cast(cast(s("1"), "int"), "text"));
        assert_eq!(e("x::pg_catalog.int4"), cast(col("x"), "int4"));
        assert_eq!(e("current_timestamp"), Expr::Now);
        assert_eq!(e("pg_catalog.now()"), Expr::Now);
        assert_eq!(e("current_user"), call("current_user", vec![]));
        assert_eq!(
            e("t.a"),
            Expr::Column {
                table: Some("t".into()),
                name: "a".into()
            }
        );
        assert_eq!(e("\"MiXed\""), col("MiXed"));
        assert_eq!(e("UPPER(x)"), call("upper", vec![col("x")]));
        assert_eq!(
            e("count(DISTINCT x)"),
            Expr::Call {
                name: "count".into(),
                args: vec![col("x")],
                star: false,
                distinct: true
            }
        );
        assert_eq!(e("coalesce(a, 0)"), call("coalesce", vec![col("a"), i(0)]));
        assert_eq!(
            e("extract(epoch FROM now() - t)"),
            call(
                "extract",
                vec![s("epoch"), binary(BinaryOp::Sub, Expr::Now, col("t"))]
            )
        );
        assert_eq!(
            e("substring(x from 2 for 3)"),
            call("substring", vec![col("x"), i(2), i(3)])
        );
        assert_eq!(
            e("position('a' in x)"),
            call("position", vec![col("x"), s("a")])
        );
        assert_eq!(e("left('abc', 1)"), call("left", vec![s("abc"), i(1)]));
        assert_eq!(e("E'a\\nb\\''"), s("a\nb'"));
        assert_eq!(e("'it''s'"), s("it's"));
        assert_eq!(e("'a'\n  'b'"), s("ab"));
        assert_eq!(e("$$x'y$$"), s("x'y"));
        assert_eq!(e("$t$a$$b$t$"), s("a$$b"));
        assert_eq!(e("E'\\u00e9\\xC3\\xA9\\101'"), s("ééA"));
        assert_eq!(e("E'\\uD83D\\uDE00'"), s("😀"));
        assert_eq!(e("true"), Expr::Bool(true));
        assert_eq!(e("NULL"), Expr::Null);
        // Bare column labels, as PostgreSQL 14+ allows.
        let q = sel("SELECT 1 one, 2 AS \"Two\", 3 select, 4 and");
        let labels: Vec<Option<String>> = q
            .items
            .iter()
            .map(|i| match i {
                SelectItem::Expr { alias, .. } => alias.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(
            labels,
            vec![
                Some("one".into()),
                Some("Two".into()),
                Some("select".into()),
                Some("and".into())
            ]
        );
        assert_eq!(
            sel("SELECT t.* FROM t").items,
            vec![SelectItem::QualifiedWildcard("t".into())]
        );
    }

    #[test]
    fn select_clauses() {
        let q = sel(
            "SELECT DISTINCT a, count(*) FROM t x, generate_series(1, 10) AS g(i) WHERE a > 1 \
             GROUP BY a ORDER BY 2 DESC, a ASC OFFSET 5 LIMIT 10",
        );
        assert!(q.distinct);
        assert_eq!(
            q.from,
            vec![
                FromItem::Table {
                    name: "t".into(),
                    alias: Some("x".into())
                },
                FromItem::Function {
                    call: call("generate_series", vec![Expr::Integer(1), Expr::Integer(10)]),
                    alias: Some("g".into()),
                    column_alias: Some("i".into())
                }
            ]
        );
        assert_eq!(q.group_by, vec![col("a")]);
        assert_eq!(
            q.order_by,
            vec![
                OrderBy {
                    expr: Expr::Integer(2),
                    descending: true
                },
                OrderBy {
                    expr: col("a"),
                    descending: false
                }
            ]
        );
        assert_eq!(
            (q.limit, q.offset),
            (Some(Expr::Integer(10)), Some(Expr::Integer(5)))
        );
        assert_eq!(
            sel("SELECT 1 FETCH FIRST 3 ROWS ONLY").limit,
            Some(Expr::Integer(3))
        );
        assert_eq!(sel("SELECT 1 LIMIT ALL").limit, None);
        assert_eq!(sel("(SELECT 1) ORDER BY 1").order_by.len(), 1);
        // PostgreSQL accepts an empty target list.
        assert_eq!(sel("SELECT;"), empty_select());
        assert_eq!(sel("SELECT FROM t").from, vec![table("t")]);
        assert_eq!(stmt("TABLE t;"), Statement::Table { name: "t".into() });
        assert_eq!(sel("TABLE t LIMIT 1").from, vec![table("t")]);
        assert_eq!(
            sel("SELECT * FROM pg_catalog.pg_stat_replication").from,
            vec![table("pg_stat_replication")]
        );
        check_err(
            "(SELECT 1 ORDER BY 1) ORDER BY 1",
            "multiple ORDER BY clauses not allowed",
            Some(31),
        );
        for t in ["BEGIN", "begin work", "START TRANSACTION"] {
            assert_eq!(stmt(t), Statement::Begin);
        }
        for t in ["COMMIT", "END", "commit transaction and no chain"] {
            assert_eq!(stmt(t), Statement::Commit);
        }
        for t in ["ROLLBACK", "ABORT", "rollback work"] {
            assert_eq!(stmt(t), Statement::Rollback);
        }
    }

    #[test]
    fn splitting() {
        assert_eq!(
            split_statements("SELECT 1; SELECT 2;"),
            vec![
                ("SELECT 1".to_string(), true),
                ("SELECT 2".to_string(), true)
            ]
        );
        assert_eq!(
            split_statements("SELECT ';' ;"),
            vec![("SELECT ';' ".to_string(), true)]
        );
        assert_eq!(
            split_statements("SELECT 1;\nSELECT 'a;\nb"),
            vec![
                ("SELECT 1".to_string(), true),
                ("SELECT 'a;\nb".to_string(), false)
            ]
        );
        assert_eq!(split_statements(";;  ;"), Vec::<(String, bool)>::new());
        assert_eq!(
            split_statements("  -- hi\n  SELECT 1 -- x;\n;"),
            vec![("SELECT 1 -- x;\n".to_string(), true)]
        );
        assert_eq!(
            split_statements("SELECT \"a;b\", $$c;d$$, $t$;$t$, E'\\';', /* ; /* ; */ ; */ 1;"),
            vec![(
                "SELECT \"a;b\", $$c;d$$, $t$;$t$, E'\\';', /* ; /* ; */ ; */ 1".to_string(),
                true
            )]
        );
        assert_eq!(
            split_statements("SELECT (1;\n2);"),
            vec![("SELECT (1;\n2)".to_string(), true)]
        );
        assert_eq!(
            split_statements("SELECT 1; -- done"),
            vec![("SELECT 1".to_string(), true)]
        );
        assert_eq!(
            split_statements("SELECT 'a'\n'b;';"),
            vec![("SELECT 'a'\n'b;'".to_string(), true)]
        );
        assert_eq!(
            split_statements("SELECT 1"),
            vec![("SELECT 1".to_string(), false)]
        );
    }

    #[test]
    fn psql_positions() {
        let sql = "SELECT 1\n  FROM t\n  WHERE x = = 1";
        let e = err(sql);
        assert_eq!(e.message, "syntax error at or near \"=\"");
        assert_eq!(
            e.psql_lines(sql),
            vec!["LINE 3:   WHERE x = = 1", "                    ^"]
        );
        let sql = "SELECT 1\r\nFROM t t2 t3";
        assert_eq!(
            err(sql).psql_lines(sql),
            vec!["LINE 2: FROM t t2 t3", "                  ^"]
        );
        let long = format!("SELECT {} FROM", "aaaaaaaaa, ".repeat(10));
        let lines = err(&long).psql_lines(&long);
        assert_eq!(lines[0], format!("LINE 1: ...{}", &long[long.len() - 60..]));
        // The error is at FROM (char 118); the line is cut to the 60 columns before the end.
        assert_eq!(lines[1], format!("{}^", " ".repeat(11 + 118 - 62)));
        let long = format!("SELECT x y z {}", "a, ".repeat(30));
        let lines = err(&long).psql_lines(&long);
        assert_eq!(lines[0], format!("LINE 1: {}...", &long[..60]));
        assert_eq!(lines[1], format!("{}^", " ".repeat(8 + 11)));
        let sql = "SELECT '日本' 1";
        assert_eq!(
            err(sql).psql_lines(sql),
            vec![
                "LINE 1: SELECT '日本' 1".to_string(),
                format!("{}^", " ".repeat(8 + 14))
            ]
        );
        let sql = "SELECT\t1 2";
        assert_eq!(
            err(sql).psql_lines(sql),
            vec!["LINE 1: SELECT 1 2", "                 ^"]
        );
        let pe = ParseError {
            message: String::new(),
            position: Some(3),
        };
        assert_eq!(
            pe.psql_lines("abcdef"),
            vec!["LINE 1: abcdef", "           ^"]
        );
    }

    #[test]
    fn keyword_lists_are_sorted() {
        for list in [RESERVED, TYPE_FUNC, COL_NAME, UNRESERVED, AS_LABEL] {
            for w in list.windows(2) {
                assert!(w[0] < w[1], "{} !< {}", w[0], w[1]);
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
                let minus = format!("SELECT {}1", "- ".repeat(5000));
                let nots = format!("SELECT {}true", "NOT ".repeat(5000));
                let ok = format!("SELECT {}1{}", "(".repeat(30), ")".repeat(30));
                (parse(&deep), parse(&minus), parse(&nots), parse(&ok))
            })
            .expect("spawn");
        let (deep, minus, nots, ok) = handle.join().expect("no stack overflow");
        for r in [deep, minus, nots] {
            assert_eq!(r.map_err(|e| e.message), Err(STACK_DEPTH.to_string()));
        }
        assert!(ok.is_ok());
    }

    const CORPUS: &[&str] = &[
        "SELECT pg_current_wal_lsn();",
        "SELECT * FROM pg_stat_replication;",
        "select application_name, state, sync_state from pg_stat_replication order by 1;",
        "SELECT pg_walfile_name('0/3000060');",
        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS lag_bytes FROM pg_stat_replication;",
        "CREATE TABLE test (id INT);",
        "CREATE TABLE big (id int, pad text);",
        "INSERT INTO test VALUES (1), (2);",
        "INSERT INTO test SELECT generate_series(1,1000);",
        "INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 200000) g;",
        "UPDATE test SET id = 3 WHERE id = 2;",
        "DELETE FROM test WHERE id = 3;",
        "ALTER SYSTEM SET wal_level = 'replica';",
        "ALTER SYSTEM SET synchronous_standby_names TO 'FIRST 1 (s1, s2)';",
        "ALTER SYSTEM SET listen_addresses = '*';",
        "ALTER SYSTEM RESET wal_keep_size;",
        "ALTER SYSTEM SET max_slot_wal_keep_size = '1GB';",
        "SHOW wal_level;",
        "SET synchronous_commit = remote_apply;",
        "SET synchronous_commit TO off;",
        "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';",
        "CREATE USER replicator REPLICATION ENCRYPTED PASSWORD 'x';",
        "SELECT pg_create_physical_replication_slot('replica1', true);",
        "SELECT slot_name, wal_status FROM pg_replication_slots WHERE active;",
        "SELECT timeline_id FROM pg_control_checkpoint();",
        "SELECT count(*) FROM test;",
        "SELECT '0/3000060'::pg_lsn - '0/3000000';",
        "SELECT now() - pg_last_xact_replay_timestamp() AS delay;",
        "CHECKPOINT;",
        "SELECT E'a\\n\\u00e9\\x41\\101', $q$x;y$q$, \"Q\"\"x\", U&'a', B'01', X'1F', N'n' -- c\n;",
        "SELECT 1.5e3, .5, 1e-3, 10..20, a::numeric(10,2)[], CAST(b AS double precision) /* a /* b */ c */;",
        "SELECT CASE WHEN x BETWEEN 1 AND 2 THEN 'a' || 'b' ELSE NULL END FROM t WHERE y NOT IN (1, 2) AND z IS NOT NULL;",
        "SELECT extract(epoch from now()), substring('abc' from 1 for 2), position('a' in 'b'), coalesce(a, 1);",
        "CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY, ts timestamp(3) with time zone NOT NULL, PRIMARY KEY (id));",
        "ALTER ROLE r WITH CONNECTION LIMIT -1 PASSWORD NULL; DROP ROLE IF EXISTS r, public;",
        "SET LOCAL x = -1.5, 'a', on; RESET ALL; SHOW TRANSACTION ISOLATION LEVEL; SET TIME ZONE 'UTC';",
        "SELECT 1 FROM t ORDER BY 1 DESC LIMIT 1, 2 OFFSET 3 FETCH FIRST ROW ONLY;",
        "(SELECT a.*, -x::int, interval '1' day to second(3) FROM a) UNION SELECT $1;",
    ];

    fn exercise(sql: &str) {
        let _ = split_statements(sql);
        match parse(sql) {
            Ok(_) => {}
            Err(e) => {
                assert!(!e.message.is_empty(), "{sql:?}");
                if let Some(p) = e.position {
                    assert!(p <= sql.chars().count(), "{sql:?}: {e:?}");
                }
                let _ = e.psql_lines(sql);
            }
        }
        for (piece, _) in split_statements(sql) {
            if let Err(e) = parse(&piece) {
                let _ = e.psql_lines(&piece);
            }
        }
    }

    #[test]
    fn mutated_input_never_panics() {
        const BITS: &[&str] = &[
            "'",
            "\"",
            "$",
            "$$",
            "$a$",
            "(",
            ")",
            ";",
            "--",
            "/*",
            "*/",
            "\\",
            "E'",
            "U&'",
            "U&\"",
            "é",
            "日",
            ":",
            "::",
            "e",
            "0",
            "99999999999999999999999",
            ".",
            ",",
            "\n",
            "\t",
            "\r",
            "NOT",
            "IS",
            "NULL",
            "SELECT",
            "\0",
            "\\u",
            "\\uD800",
            "\\x",
            "'\n'",
            "AS",
            "FROM",
            "=",
            "-",
            "+",
            "*",
            "[",
            "]",
            "||",
            "@",
            "1e",
            "..",
            "=>",
            "CASE",
            "WHEN",
            "(SELECT",
        ];
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut rand = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n.max(1) as u64) as usize
        };
        let mut runs = 0;
        for base in CORPUS {
            exercise(base);
            let chars: Vec<char> = base.chars().collect();
            for k in 0..=chars.len() {
                exercise(&chars[..k].iter().collect::<String>());
                exercise(&chars[k..].iter().collect::<String>());
                runs += 2;
            }
            for _ in 0..150 {
                let mut m = chars.clone();
                for _ in 0..1 + rand(3) {
                    let at = rand(m.len() + 1);
                    match rand(4) {
                        0 => {
                            let bit: Vec<char> = BITS[rand(BITS.len())].chars().collect();
                            m.splice(at..at, bit);
                        }
                        1 if at < m.len() => {
                            m.remove(at);
                        }
                        2 if at + 1 < m.len() => m.swap(at, at + 1),
                        _ => {
                            let end = (at + rand(8)).min(m.len());
                            let dup: Vec<char> = m[at..end].to_vec();
                            m.splice(at..at, dup);
                        }
                    }
                }
                exercise(&m.into_iter().collect::<String>());
                runs += 1;
            }
        }
        // Token soup.
        let words = [
            "SELECT", "x", "1", "FROM", "t", "WHERE", "AND", "IS", "NOT", "IN", "(", ")",
        ];
        for _ in 0..4000 {
            let mut q = String::new();
            for _ in 0..1 + rand(14) {
                q.push_str(if rand(2) == 0 {
                    BITS[rand(BITS.len())]
                } else {
                    words[rand(words.len())]
                });
                if rand(3) > 0 {
                    q.push(' ');
                }
            }
            exercise(&q);
            let pieces = split_statements(&q);
            let n = pieces.len();
            assert!(
                pieces
                    .iter()
                    .take(n.saturating_sub(1))
                    .all(|(_, done)| *done),
                "{q:?}"
            );
            runs += 1;
        }
        assert!(runs > 12000, "{runs}");
    }
}
