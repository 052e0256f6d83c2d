//! The builtin functions: one table, [`BUILTINS`], with a row per function (its name, how
//! many arguments it takes, whether it runs only on a primary or only during recovery,
//! and the Rust function that computes it), and the set-returning functions FROM can
//! call ([`srf::SET_FUNCTIONS`]). PostgreSQL's map: xlogfuncs.c -> xlog.rs,
//! slotfuncs.c -> slot.rs, misc.c/dbsize.c/genfile.c -> admin.rs, the rest -> misc.rs,
//! set-returning functions -> srf.rs.

mod admin;
mod contrib;
mod misc;
mod slot;
mod srf;
mod xlog;

#[cfg(test)]
pub(super) use srf::SET_FUNCTIONS;

use crate::sim::Lsn;
use crate::sql::{Expr, ServerError};

use super::value::{type_name, Val};
use super::{Exec, Res, Rows};

/// Computes a builtin from its name (one row may serve several names) and arguments.
pub(super) type BuiltinFn = fn(&mut Exec<'_>, &str, Vec<Val>) -> Res<Val>;

/// Where a builtin may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Guard {
    /// Anywhere.
    Any,
    /// Not during recovery: "recovery is in progress" on a standby.
    PrimaryOnly,
    /// Only during recovery: "recovery is not in progress" on a primary.
    RecoveryOnly,
}

/// One builtin function.
pub(super) struct Builtin {
    pub(super) name: &'static str,
    /// The fewest and the most arguments it takes; other counts find no function.
    pub(super) min_args: usize,
    pub(super) max_args: usize,
    pub(super) guard: Guard,
    pub(super) run: BuiltinFn,
}

const fn f(name: &'static str, args: usize, guard: Guard, run: BuiltinFn) -> Builtin {
    Builtin {
        name,
        min_args: args,
        max_args: args,
        guard,
        run,
    }
}

const fn range(
    name: &'static str,
    min_args: usize,
    max_args: usize,
    guard: Guard,
    run: BuiltinFn,
) -> Builtin {
    Builtin {
        name,
        min_args,
        max_args,
        guard,
        run,
    }
}

use Guard::{Any, PrimaryOnly, RecoveryOnly};

/// Every builtin a query can call, one row per name.
pub(super) static BUILTINS: &[Builtin] = &[
    // WAL (xlogfuncs.c)
    f("pg_current_wal_lsn", 0, PrimaryOnly, xlog::current_wal_lsn),
    f(
        "pg_current_wal_insert_lsn",
        0,
        PrimaryOnly,
        xlog::current_wal_lsn,
    ),
    f(
        "pg_current_wal_flush_lsn",
        0,
        PrimaryOnly,
        xlog::current_wal_lsn,
    ),
    f("pg_walfile_name", 1, PrimaryOnly, xlog::walfile_name),
    f(
        "pg_walfile_name_offset",
        1,
        PrimaryOnly,
        xlog::walfile_name_offset,
    ),
    f("pg_wal_lsn_diff", 2, Any, xlog::wal_lsn_diff),
    f("pg_switch_wal", 0, PrimaryOnly, xlog::switch_wal),
    f(
        "pg_last_wal_receive_lsn",
        0,
        Any,
        xlog::last_wal_receive_lsn,
    ),
    f("pg_last_wal_replay_lsn", 0, Any, xlog::last_wal_replay_lsn),
    f(
        "pg_last_xact_replay_timestamp",
        0,
        Any,
        xlog::last_xact_replay_timestamp,
    ),
    f("pg_is_in_recovery", 0, Any, xlog::is_in_recovery),
    range("pg_promote", 0, 2, RecoveryOnly, xlog::promote),
    f(
        "pg_wal_replay_pause",
        0,
        RecoveryOnly,
        xlog::replay_pause_or_resume,
    ),
    f(
        "pg_wal_replay_resume",
        0,
        RecoveryOnly,
        xlog::replay_pause_or_resume,
    ),
    f(
        "pg_is_wal_replay_paused",
        0,
        RecoveryOnly,
        xlog::is_wal_replay_paused,
    ),
    f(
        "pg_get_wal_replay_pause_state",
        0,
        RecoveryOnly,
        xlog::wal_replay_pause_state,
    ),
    // Replication slots (slotfuncs.c)
    range(
        "pg_create_physical_replication_slot",
        1,
        3,
        Any,
        slot::create_physical,
    ),
    range(
        "pg_create_logical_replication_slot",
        2,
        4,
        Any,
        slot::create_logical,
    ),
    f("pg_drop_replication_slot", 1, Any, slot::drop),
    // Server administration and sizes
    f("pg_reload_conf", 0, Any, admin::reload_conf),
    f("pg_backend_pid", 0, Any, admin::backend_pid),
    f("pg_cancel_backend", 1, Any, admin::signal_backend),
    f("pg_terminate_backend", 1, Any, admin::signal_backend),
    f("pg_size_pretty", 1, Any, admin::size_pretty),
    f("pg_database_size", 1, Any, admin::database_size),
    f("pg_relation_size", 1, Any, admin::relation_size),
    f("pg_total_relation_size", 1, Any, admin::relation_size),
    f("pg_table_size", 1, Any, admin::relation_size),
    f("pg_relation_filepath", 1, Any, admin::relation_filepath),
    // Everything else
    f("now", 0, Any, misc::now),
    f("current_timestamp", 0, Any, misc::now),
    f("statement_timestamp", 0, Any, misc::now),
    f("clock_timestamp", 0, Any, misc::now),
    f(
        "pg_postmaster_start_time",
        0,
        Any,
        misc::postmaster_start_time,
    ),
    f("version", 0, Any, misc::version),
    range("current_setting", 1, 2, Any, misc::current_setting),
    f("inet_server_addr", 0, Any, misc::inet_server_addr),
    f("repeat", 2, Any, misc::repeat),
    f("upper", 1, Any, misc::case_or_length),
    f("lower", 1, Any, misc::case_or_length),
    f("length", 1, Any, misc::case_or_length),
    range("coalesce", 1, usize::MAX, Any, misc::coalesce),
    f("txid_current", 0, Any, misc::txid_current),
    // Sequences (sequence.c)
    f("nextval", 1, Any, |x, _, a| x.nextval(&a[0])),
    f("currval", 1, Any, |x, _, a| x.currval(&a[0])),
    range("setval", 2, 3, Any, |x, _, a| x.setval(&a)),
    f("lastval", 0, Any, |x, _, _| x.lastval()),
    f("pg_current_xact_id", 0, Any, misc::txid_current),
    // Extensions' functions: there once CREATE EXTENSION has run
    f("digest", 2, Any, contrib::digest),
    f(
        "pg_stat_statements_reset",
        0,
        Any,
        contrib::pg_stat_statements_reset,
    ),
];

impl Exec<'_> {
    /// Calls a builtin: finds its row by name and argument count, applies the row's
    /// recovery guard, then runs it.
    pub(super) fn call(&mut self, name: &str, args: Vec<Val>) -> Res<Val> {
        let found = BUILTINS
            .iter()
            .find(|b| b.name == name && (b.min_args..=b.max_args).contains(&args.len()));
        let Some(builtin) = found else {
            if args.is_empty() && srf::is_set_function(name) {
                return Err(ServerError::new(
                    "set-valued function called in context that cannot accept a set".to_string(),
                )
                .at(self.locate(name)));
            }
            return Err(self.no_function(name, &args));
        };
        match builtin.guard {
            Guard::PrimaryOnly if self.in_recovery() => {
                return Err(recovery_in_progress(name));
            }
            Guard::RecoveryOnly if !self.in_recovery() => {
                return Err(ServerError::new("recovery is not in progress")
                    .hint("Recovery control functions can only be executed during recovery."));
            }
            _ => {}
        }
        (builtin.run)(self, name, args)
    }

    /// Functions used in FROM: they return rows. A set-returning function answers its
    /// rows; any other builtin answers one row (its columns named as PostgreSQL names a
    /// composite result's fields).
    pub(super) fn set_function(&mut self, name: &str, args: &[Expr]) -> Res<Rows> {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.eval(a, &Rows::default(), &[])?);
        }
        if let Some((_, run)) = srf::SET_FUNCTIONS.iter().find(|(n, _)| *n == name) {
            return run(self, name, vals);
        }
        let v = self.call(name, vals)?;
        let columns = match name {
            "pg_create_physical_replication_slot" | "pg_create_logical_replication_slot" => {
                vec!["slot_name".to_string(), "lsn".to_string()]
            }
            "pg_walfile_name_offset" => {
                vec!["file_name".to_string(), "file_offset".to_string()]
            }
            _ => vec![name.to_string()],
        };
        let row = match v {
            Val::Record(vs) if columns.len() > 1 => vs,
            other => vec![other],
        };
        Ok(Rows {
            columns,
            rows: vec![row],
        })
    }

    /// An argument read as a pg_lsn (a pg_lsn value or its text).
    fn lsn_arg(&self, v: &Val) -> Res<Lsn> {
        match v {
            Val::Lsn(l) => Ok(*l),
            Val::Text(s) => s
                .parse::<Lsn>()
                .map_err(|e| ServerError::new(e.to_string())),
            other => Err(ServerError::new(format!(
                "function argument of type {} is not a pg_lsn",
                type_name(other)
            ))),
        }
    }

    /// PostgreSQL's error for a call no function matches (by name, count or types).
    fn no_function(&self, name: &str, args: &[Val]) -> ServerError {
        let types: Vec<&str> = args.iter().map(type_name).collect();
        ServerError::new(format!("function {name}({}) does not exist", types.join(", ")))
            .hint("No function matches the given name and argument types. You might need to add explicit type casts.")
            .at(self.locate(name))
    }
}

/// The error a primary-only function raises on a standby.
fn recovery_in_progress(func: &str) -> ServerError {
    ServerError::new("recovery is in progress").hint(
        if func.starts_with("pg_current_wal") || func == "pg_switch_wal" {
            "WAL control functions cannot be executed during recovery.".to_string()
        } else {
            format!("{func}() cannot be executed during recovery.")
        },
    )
}
