//! The server side of SQL: what PostgreSQL does with a statement's text before it runs
//! it. A lexer and a recursive-descent parser for the SQL a student types in the
//! replication lab, following PostgreSQL 15 so that errors read and point as the
//! server's do. SQL that PostgreSQL accepts but walscope does not model is rejected with
//! "walscope does not support ...".
//! [`exec`] then runs the statement against a server of the model and answers with
//! rows, a command tag or a [`ServerError`]; its builtin functions are one table.
//!
//! PostgreSQL's map:
//!
//! ```text
//! scan.l      -> scan.rs      tokens, literals, the scanner's error messages
//! scansup.c   -> scansup.rs   byte classes, comments and quotes (shared with psql's splitter)
//! kwlist.h    -> keywords.rs  keywords and their categories
//! gram.y      -> gram/        the grammar, one file per statement family
//! parsenodes.h-> ast.rs       the tree the executor reads
//! elog.c      -> error.rs     ServerError: message, detail, hint, position
//! printtup.c  -> result.rs    ResultSet: the columns and rows a query answers with
//! executor/, utils/adt/, xlogfuncs.c, slotfuncs.c
//!             -> exec/        running a statement; the builtin functions (exec/func/)
//! ```
//!
//! ```
//! use walscope::sql::{parse, Statement};
//! assert_eq!(parse("CHECKPOINT;"), Ok(Statement::Checkpoint));
//! let e = parse("SELEC 1;").unwrap_err();
//! assert_eq!(e.message, "syntax error at or near \"SELEC\"");
//! assert_eq!(e.position, Some(0));
//! ```

pub mod ast;
pub mod error;
pub mod exec;
mod gram;
mod keywords;
pub mod result;
mod scan;
pub(crate) mod scansup;

pub use ast::*;
pub use error::ServerError;
pub use exec::execute;
pub use gram::parse;
pub use result::{Align, Column, ResultSet};

#[cfg(test)]
mod tests;
