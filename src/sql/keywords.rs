//! Keywords (kwlist.h, PostgreSQL 15) and their categories, and the word lists the
//! grammar consults.

use super::scan::Tk;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KwCat {
    Unreserved,
    ColName,
    TypeFunc,
    Reserved,
}

#[rustfmt::skip]
pub(super) const RESERVED: &[&str] = &[
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
pub(super) const TYPE_FUNC: &[&str] = &[
    "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze",
    "full", "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull",
    "outer", "overlaps", "right", "similar", "tablesample", "verbose",
];

#[rustfmt::skip]
pub(super) const COL_NAME: &[&str] = &[
    "between", "bigint", "bit", "boolean", "char", "character", "coalesce", "dec", "decimal",
    "exists", "extract", "float", "greatest", "grouping", "inout", "int", "integer", "interval",
    "least", "national", "nchar", "none", "normalize", "nullif", "numeric", "out", "overlay",
    "position", "precision", "real", "row", "setof", "smallint", "substring", "time", "timestamp",
    "treat", "trim", "values", "varchar", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
];

#[rustfmt::skip]
pub(super) const UNRESERVED: &[&str] = &[
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
pub(super) const AS_LABEL: &[&str] = &[
    "array", "as", "char", "character", "create", "day", "except", "fetch", "filter", "for",
    "from", "grant", "group", "having", "hour", "intersect", "into", "isnull", "limit", "minute",
    "month", "notnull", "offset", "on", "order", "over", "overlaps", "precision", "returning",
    "second", "to", "union", "varying", "where", "window", "with", "within", "without", "year",
];

pub(super) fn kw_cat(word: &str) -> Option<KwCat> {
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
pub(super) fn word_cat(tk: &Tk) -> Option<Option<KwCat>> {
    match tk {
        Tk::Word { quoted: true, .. } => Some(None),
        Tk::Word { text, .. } => Some(kw_cat(text)),
        _ => None,
    }
}

/// `ColId`: identifier, unreserved or column-name keyword.
pub(super) fn is_col_id(tk: &Tk) -> bool {
    matches!(
        word_cat(tk),
        Some(None | Some(KwCat::Unreserved | KwCat::ColName))
    )
}

/// `type_function_name`: identifier, unreserved or type/function-name keyword.
pub(super) fn is_type_func_name(tk: &Tk) -> bool {
    matches!(
        word_cat(tk),
        Some(None | Some(KwCat::Unreserved | KwCat::TypeFunc))
    )
}

/// `NonReservedWord`.
pub(super) fn is_nonreserved(tk: &Tk) -> bool {
    matches!(word_cat(tk), Some(cat) if cat != Some(KwCat::Reserved))
}

/// `BareColLabel`.
pub(super) fn is_bare_label(tk: &Tk) -> bool {
    match tk {
        Tk::Word { quoted: true, .. } => true,
        Tk::Word { text, .. } => AS_LABEL.binary_search(&text.as_str()).is_err(),
        _ => false,
    }
}

/// Statements PostgreSQL has that walscope does not model.
#[rustfmt::skip]
pub(super) const OTHER_STATEMENTS: &[&str] = &[
    "analyse", "analyze", "call", "close", "cluster", "comment", "copy", "deallocate", "declare",
    "discard", "do", "execute", "explain", "fetch", "grant", "import", "listen", "load", "lock",
    "merge", "move", "notify", "prepare", "reassign", "refresh", "reindex", "release", "revoke",
    "savepoint", "security", "unlisten", "vacuum",
];

#[rustfmt::skip]
pub(super) const CREATE_OTHER: &[&str] = &[
    "access", "aggregate", "cast", "collation", "constraint", "conversion", "database", "default",
    "domain", "event", "extension", "foreign", "function", "group", "index", "language",
    "materialized", "operator", "policy", "procedural", "procedure", "publication", "recursive",
    "rule", "schema", "sequence", "server", "statistics", "subscription", "tablespace", "text",
    "transform", "trigger", "trusted", "type", "unique", "view",
];

#[rustfmt::skip]
pub(super) const DROP_OTHER: &[&str] = &[
    "access", "aggregate", "cast", "collation", "conversion", "database", "domain", "event",
    "extension", "foreign", "function", "group", "index", "language", "materialized", "operator",
    "owned", "policy", "procedural", "procedure", "publication", "routine", "rule", "schema",
    "sequence", "server", "statistics", "subscription", "tablespace", "text", "transform",
    "trigger", "type", "view",
];

#[rustfmt::skip]
pub(super) const ALTER_OTHER: &[&str] = &[
    "aggregate", "collation", "conversion", "database", "default", "domain", "event", "extension",
    "foreign", "function", "group", "index", "language", "large", "materialized", "operator",
    "policy", "procedure", "publication", "routine", "rule", "schema", "sequence", "server",
    "statistics", "subscription", "table", "tablespace", "text", "trigger", "type", "view",
];

/// Words that end a target expression, so a keyword operator before them is a label.
#[rustfmt::skip]
pub(super) const TERMINATORS: &[&str] = &[
    "as", "except", "fetch", "for", "from", "group", "having", "intersect", "into", "limit",
    "offset", "on", "order", "returning", "union", "where", "window",
];

/// Keywords that can start a typed literal such as `timestamp '...'`.
#[rustfmt::skip]
pub(super) const TYPE_WORDS: &[&str] = &[
    "bigint", "bit", "boolean", "char", "character", "dec", "decimal", "double", "float", "int",
    "integer", "interval", "national", "nchar", "numeric", "real", "smallint", "time", "timestamp",
    "varchar",
];

pub(super) const INTERVAL_FIELDS: &[&str] = &["day", "hour", "minute", "month", "second", "year"];
