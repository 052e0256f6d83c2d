//! The statements and expressions the parser builds: a small cousin of PostgreSQL's
//! raw parse tree (parsenodes.h), holding what the executor needs.

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
        /// The UNIQUE constraints, column-level (`a int UNIQUE`) and table-level
        /// (`UNIQUE (a, b)`), in the order declared, without repeats or one that
        /// repeats the primary key (transformIndexConstraints drops those).
        unique_keys: Vec<Vec<String>>,
    },
    /// `DROP TABLE [IF EXISTS] a, b`.
    DropTable { names: Vec<String>, if_exists: bool },
    /// `CREATE SEQUENCE [IF NOT EXISTS] name [AS type] [INCREMENT [BY] n] [START [WITH]
    /// n] [MAXVALUE n | NO MAXVALUE] [NO CYCLE] [CACHE 1]`.
    CreateSequence {
        name: String,
        if_not_exists: bool,
        options: SequenceOptions,
    },
    /// `DROP SEQUENCE [IF EXISTS] a, b`.
    DropSequence { names: Vec<String>, if_exists: bool },
    /// `ALTER TABLE [IF EXISTS] [ONLY] name action`.
    AlterTable {
        name: String,
        if_exists: bool,
        action: AlterTableAction,
    },
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
    /// `CREATE PUBLICATION name [FOR TABLE a, b | FOR ALL TABLES] [WITH (publish = '...')]`.
    CreatePublication {
        name: String,
        target: PublicationTarget,
        publish: Option<String>,
    },
    /// `ALTER PUBLICATION name ADD|DROP|SET TABLE a, b` or `SET (publish = '...')`.
    AlterPublication {
        name: String,
        action: AlterPublication,
    },
    /// `DROP PUBLICATION [IF EXISTS] a, b`.
    DropPublication { names: Vec<String>, if_exists: bool },
    /// `CREATE EXTENSION [IF NOT EXISTS] name [WITH ...]`.
    CreateExtension { name: String, if_not_exists: bool },
    /// `DROP EXTENSION [IF EXISTS] a, b [CASCADE|RESTRICT]`.
    DropExtension { names: Vec<String>, if_exists: bool },
    /// `CREATE SUBSCRIPTION name CONNECTION '...' PUBLICATION a, b [WITH (...)]`.
    CreateSubscription {
        name: String,
        conninfo: String,
        publications: Vec<String>,
        options: Vec<(String, Option<String>)>,
    },
    /// `ALTER SUBSCRIPTION name ...`.
    AlterSubscription {
        name: String,
        action: AlterSubscription,
    },
    /// `DROP SUBSCRIPTION [IF EXISTS] name`.
    DropSubscription { name: String, if_exists: bool },
}

/// What ALTER SUBSCRIPTION does.
#[derive(Clone, Debug, PartialEq)]
pub enum AlterSubscription {
    Enable,
    Disable,
    /// `SKIP (lsn = '...')`.
    Skip(Vec<(String, Option<String>)>),
    /// `SET (slot_name = NONE, ...)`.
    Set(Vec<(String, Option<String>)>),
    SetPublication(Vec<String>),
    Connection(String),
    /// `REFRESH PUBLICATION`.
    Refresh,
}

/// What a publication publishes.
#[derive(Clone, Debug, PartialEq)]
pub enum PublicationTarget {
    /// No FOR clause: nothing yet.
    Nothing,
    /// `FOR TABLE a, b`.
    Tables(Vec<String>),
    /// `FOR ALL TABLES`.
    AllTables,
}

/// What ALTER PUBLICATION does.
#[derive(Clone, Debug, PartialEq)]
pub enum AlterPublication {
    AddTables(Vec<String>),
    DropTables(Vec<String>),
    SetTables(Vec<String>),
    /// `SET (publish = '...')`.
    SetPublish(String),
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
    /// A one-column UNIQUE constraint (`TABLE_COLUMN_key`).
    pub unique: bool,
    /// `DEFAULT expr` (b_expr).
    pub default: Option<Expr>,
}

/// CREATE SEQUENCE's options, `None` where the statement leaves the default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SequenceOptions {
    /// `AS integer` (`"integer"`) or `AS bigint`.
    pub type_name: Option<&'static str>,
    pub increment: Option<i64>,
    pub start: Option<i64>,
    pub max: Option<i64>,
}

/// What an ALTER TABLE does (one action per statement).
#[derive(Clone, Debug, PartialEq)]
pub enum AlterTableAction {
    /// `ADD [COLUMN] [IF NOT EXISTS] column_def`.
    AddColumn {
        column: ColumnDef,
        if_not_exists: bool,
    },
    /// `DROP [COLUMN] [IF EXISTS] name [RESTRICT | CASCADE]`.
    DropColumn { name: String, if_exists: bool },
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
    /// `DEFAULT` in an INSERT's VALUES: the column's default.
    Default,
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
    /// `ARRAY[a, b, ...]`.
    Array(Vec<Expr>),
    /// `expr op ANY (array)` / `SOME`, or `expr op ALL (array)` when `all`.
    AnyAll {
        expr: Box<Expr>,
        op: BinaryOp,
        all: bool,
        array: Box<Expr>,
        /// Where the operator is in the statement (the error's caret).
        position: Option<usize>,
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
