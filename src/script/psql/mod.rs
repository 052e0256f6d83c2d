//! psql, the client side of a console line: the session on one node, meta-commands,
//! and printing results and errors as psql does.
//!
//! A console line goes down once and back once: the runner splits it into statements
//! ([`split::split_statements`]), hands each to [`run_statement`], which sends it to the
//! server ([`crate::sql::exec::execute`]) and prints the answer ([`mod@print`], [`mod@error`]).

pub mod describe;
pub mod error;
pub mod print;
pub mod split;
pub mod tail;

use crate::sim::{Cluster, HostId};

use crate::sql::exec::{self, StatementResult};

pub use print::{render_aligned, render_expanded};

/// The psql-side state of a console on one node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PsqlState {
    pub expanded: bool,
    /// The query buffer a backslash command left unsent (`SELECT 1 \x` keeps `SELECT 1 `);
    /// the next line continues it, as psql's `-#` prompt does.
    pub buffer: Option<String>,
}

/// One thing a console line asks psql to do, in the order psql does them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send a statement: its text, whether a `;` ended it, and whether `\gx` asked for
    /// expanded output this once.
    Sql {
        text: String,
        complete: bool,
        expanded_once: bool,
    },
    /// A backslash command, without its backslash.
    Meta(String),
}

/// What psql does with a console line: the statements ended by `;` are sent one by
/// one; a backslash command acts on the query buffer before it (`\g` and `\gx` send it,
/// others leave it for the next line) and takes the rest of the line as its arguments.
/// A UTF-8 byte-order mark at the start is dropped, as psql drops one at the start of a
/// file.
pub fn line_actions(state: &mut PsqlState, line: &str) -> Vec<Action> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    let input = match state.buffer.take() {
        Some(b) => format!("{b}\n{line}"),
        None => line.to_string(),
    };
    let sql_end = split::meta_start(&input).unwrap_or(input.len());
    let mut actions = Vec::new();
    let mut buffer = None;
    for (text, complete) in split::split_statements(&input[..sql_end]) {
        if complete || sql_end == input.len() {
            actions.push(Action::Sql {
                text,
                complete,
                expanded_once: false,
            });
        } else {
            buffer = Some(text);
        }
    }
    let Some(meta) = input.get(sql_end + 1..) else {
        return actions;
    };
    match meta.split_whitespace().next() {
        Some(g @ ("g" | "gx")) if meta.trim() == g => {
            if let Some(text) = buffer {
                actions.push(Action::Sql {
                    text,
                    complete: true,
                    expanded_once: g == "gx",
                });
            }
        }
        _ => {
            actions.push(Action::Meta(meta.to_string()));
            state.buffer = buffer;
        }
    }
    actions
}

/// What running a statement printed, and whether it is left waiting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub text: String,
    /// A commit is waiting for synchronous standbys; its output comes later.
    pub waiting: bool,
}

impl Outcome {
    fn done(text: String) -> Outcome {
        Outcome {
            text,
            waiting: false,
        }
    }
}

/// Runs one statement of a console line on host `h`: `stmt` is a piece
/// [`split::split_statements`] cut, `complete` whether a `;` ended it. psql sends it
/// with its `;`; a last statement without one gets one added, which an open quote,
/// comment or parenthesis swallows (then another ends it).
pub fn run_statement(
    c: &mut Cluster,
    h: HostId,
    state: &mut PsqlState,
    stmt: &str,
    complete: bool,
) -> Outcome {
    let input = format!("{stmt};");
    if let Some(meta) = input.trim().strip_prefix('\\') {
        return Outcome::done(meta_command(c, h, state, meta));
    }
    if let Err(e) = can_connect(c, h) {
        // The backend forked for the connection logs its FATAL and DETAIL.
        if let Some((_, fatal)) = e.split_once("FATAL:  ") {
            c.log_connection_fatal(h, fatal);
        }
        return Outcome::done(e);
    }
    if let Some(fatal) = data_dir_refusal(c, h) {
        c.log_connection_fatal(h, &fatal);
        return Outcome::done(format!("{SOCKET_FAILED}FATAL:  {fatal}\n"));
    }
    let sql = if complete {
        input
    } else {
        split::close_tail(&input)
    };
    let Some(session) = c.idle_session(h) else {
        return Outcome::done("psql: error: server closed the connection unexpectedly\n".into());
    };
    let text = match exec::execute(c, h, session, &sql) {
        Ok(StatementResult::Rows(rs)) => {
            if state.expanded {
                render_expanded(&rs)
            } else {
                render_aligned(&rs)
            }
        }
        Ok(StatementResult::Tag(tag)) => format!("{tag}\n"),
        Ok(StatementResult::Lost(text)) => text,
        Ok(StatementResult::Waiting) => {
            return Outcome {
                text: String::new(),
                waiting: true,
            }
        }
        Err(e) => error::render(&e, &sql),
    };
    Outcome::done(text)
}

/// What `\?` prints: psql's help lines for the commands walscope knows.
pub fn help(state: &PsqlState) -> String {
    format!(
        "General\n\
         \x20 \\g                     execute query\n\
         \x20                        \\g with no arguments is equivalent to a semicolon\n\
         \x20 \\gx                    as \\g, but forces expanded output mode\n\
         \x20 \\q                     quit psql\n\
         \n\
         Help\n\
         \x20 \\?                     show help on backslash commands\n\
         \n\
         Informational\n\
         \x20 \\d                     list tables\n\
         \x20 \\d      NAME           describe table\n\
         \x20 \\dt     [NAME]         list tables\n\
         \x20 \\dRp[+] [NAME]         list replication publications\n\
         \x20 \\dRs[+] [NAME]         list replication subscriptions\n\
         \x20 \\du     [NAME]         list roles\n\
         \x20 \\dx     [NAME]         list extensions\n\
         \x20 \\l                     list databases\n\
         \n\
         Formatting\n\
         \x20 \\x [on|off]            toggle expanded output (currently {})\n\
         \n\
         Connection\n\
         \x20 \\conninfo              display information about current connection\n",
        if state.expanded { "on" } else { "off" }
    )
}

/// A backslash command (`\x [on|off]`, `\?`), given without its backslash.
pub fn meta_command(c: &Cluster, h: HostId, state: &mut PsqlState, meta: &str) -> String {
    if describe::is_describe(meta) {
        if let Err(e) = can_connect(c, h) {
            return e;
        }
        if let Some(fatal) = data_dir_refusal(c, h) {
            return format!("{SOCKET_FAILED}FATAL:  {fatal}\n");
        }
        return describe::describe(c, h, state, meta).unwrap_or_default();
    }
    let mut words = meta.split_whitespace();
    match words.next() {
        // The session ends; the console's next line opens another.
        Some("q" | "quit") => String::new(),
        Some("?") => help(state),
        // \g and \gx with an empty query buffer: psql would send the previous query.
        Some("g" | "gx") => String::new(),
        Some("x") => {
            state.expanded = match words.next() {
                Some("on") => true,
                Some("off") => false,
                _ => !state.expanded,
            };
            format!(
                "Expanded display is {}.\n",
                if state.expanded { "on" } else { "off" }
            )
        }
        Some(other) => format!("invalid command \\{other}\nTry \\? for help.\n"),
        None => "invalid command \\\nTry \\? for help.\n".to_string(),
    }
}

/// How psql begins a refused connection on the local socket.
const SOCKET_FAILED: &str =
    "psql: error: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: ";

/// A backend cannot start for the console's connection (as postgres to database
/// postgres, trusted on the local socket) because a file of the data directory is
/// gone: the shared catalogs' map, then the database's directory.
fn data_dir_refusal(c: &Cluster, h: HostId) -> Option<String> {
    c.shared_catalogs_refusal(h)
        .or_else(|| c.database_dir_refusal(h, "postgres"))
}

/// psql connects over the local socket as postgres; a stopped server answers this.
fn can_connect(c: &Cluster, h: HostId) -> Result<(), String> {
    let host = c.host(h);
    let Some(s) = host.server.as_ref() else {
        return Err("psql: error: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n".to_string());
    };
    if s.standby && !s.consistent {
        return Err("psql: error: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  the database system is not yet accepting connections\nDETAIL:  Consistent recovery state has not been yet reached.\n".to_string());
    }
    if s.standby && !s.settings.bool("hot_standby") {
        return Err("psql: error: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  the database system is not accepting connections\nDETAIL:  Hot standby mode is disabled.\n".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
