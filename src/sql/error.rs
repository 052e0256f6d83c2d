//! The error the server sends (elog.c's ErrorData, as far as psql shows it).

use std::fmt;

/// An error as the server reports it: psql prints `ERROR:  message`, the statement's line
/// with a caret under `position`, then any DETAIL and HINT.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerError {
    /// The text psql prints after `ERROR:  `.
    pub message: String,
    /// The text psql prints after `DETAIL:  `.
    pub detail: Option<String>,
    /// The text psql prints after `HINT:  `.
    pub hint: Option<String>,
    /// 0-based character offset in the statement where the error is (its length for an
    /// error at the end of input); `None` when the server sends no position.
    pub position: Option<usize>,
    /// The text psql prints after `CONTEXT:  ` (where the error arose, as an output
    /// plugin's callback).
    pub context: Option<String>,
}

impl ServerError {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> ServerError {
        ServerError {
            message: message.into(),
            ..ServerError::default()
        }
    }

    /// The same error with a HINT.
    pub fn hint(mut self, hint: impl Into<String>) -> ServerError {
        self.hint = Some(hint.into());
        self
    }

    /// The same error with a CONTEXT line.
    pub fn context(mut self, context: impl Into<String>) -> ServerError {
        self.context = Some(context.into());
        self
    }

    /// The same error pointing at a character of the statement.
    pub fn at(mut self, position: Option<usize>) -> ServerError {
        self.position = position;
        self
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServerError {}

pub(crate) const STACK_DEPTH: &str = "stack depth limit exceeded";
pub(crate) const DROP_ROLE_SPECIAL: &str = "cannot use special role specifier in DROP ROLE";

/// Errors the server sends without a position.
pub(crate) fn positionless(message: &str) -> bool {
    message.starts_with("invalid byte sequence for encoding")
        || message == DROP_ROLE_SPECIAL
        || message == STACK_DEPTH
        || message == "empty query"
        || message.starts_with("unrecognized publication parameter")
}

/// The HINT the server sends with a parse error, if any.
fn hint_for(message: &str) -> Option<&'static str> {
    match message {
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

/// A parse error as the server sends it for the statement `sql` (already cut at any NUL):
/// inside the parser `position: None` marks the end of input; here it becomes the
/// statement's length, positionless errors lose theirs, and the HINT is added.
pub(crate) fn finish(mut e: ServerError, sql: &str) -> ServerError {
    if positionless(&e.message) {
        e.position = None;
    } else if e.position.is_none() {
        e.position = Some(sql.chars().count());
    }
    if e.hint.is_none() {
        e.hint = hint_for(&e.message).map(str::to_string);
    }
    e
}
