//! Server administration (reloading the configuration, backends and signals) and the
//! size functions (PostgreSQL's misc.c, signalfuncs.c and dbsize.c).

use crate::sim::Datum;

use super::super::value::{size_pretty as pretty, Val};
use super::super::{Exec, Res};

pub(super) fn reload_conf(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Bool(x.c.reload(x.h)))
}

pub(super) fn backend_pid(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Int(
        x.c.host(x.h)
            .server
            .as_ref()
            .and_then(|s| s.sessions.get(x.session))
            .map_or(0, |s| s.pid) as i64,
    ))
}

/// pg_cancel_backend(pid) and pg_terminate_backend(pid).
pub(super) fn signal_backend(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let Some(pid) = args[0].int() else {
        return Err(x.no_function(name, &args));
    };
    let h = x.h;
    let target =
        x.c.host(h)
            .server
            .as_ref()
            .and_then(|s| s.sessions.iter().position(|s| s.pid as i64 == pid));
    if let Some(i) = target {
        x.c.cancel(h, i);
        return Ok(Val::Bool(true));
    }
    let known =
        x.c.stat_activity_relation(h)
            .rows
            .iter()
            .any(|r| r.get(2) == Some(&Datum::Int(pid)));
    // PostgreSQL warns and returns false for a pid that is not a backend.
    Ok(Val::Bool(known))
}

pub(super) fn size_pretty(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let n = match args[0] {
        Val::Int(i) | Val::BigInt(i) => i as f64,
        Val::Num(n) => n,
        _ => return Err(x.no_function(name, &args)),
    };
    Ok(Val::Text(pretty(n)))
}

pub(super) fn database_size(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    let data = x.c.host(x.h).data.as_ref();
    Ok(Val::BigInt(
        data.map_or(0, |d| (d.db.data_bytes() + 7_500_000) as i64),
    ))
}

/// pg_relation_size, pg_total_relation_size and pg_table_size: the heap's 8 kB pages.
pub(super) fn relation_size(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let Val::Text(t) = &args[0] else {
        return Err(x.no_function(name, &args));
    };
    let name = t.clone();
    let t = x.table(t)?;
    // calculate_relation_size stats the file and counts a missing one as empty.
    if x.missing_relation_file(&name).is_some() {
        return Ok(Val::BigInt(0));
    }
    Ok(Val::BigInt((t.heap_bytes.div_ceil(8160) * 8192) as i64))
}

/// pg_relation_filepath: the table's main fork under the data directory
/// (`base/5/16384`, database `postgres` being OID 5).
pub(super) fn relation_filepath(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let Val::Text(t) = &args[0] else {
        return Err(x.no_function(name, &args));
    };
    let t = x.table(t)?;
    Ok(Val::Text(crate::sim::relation_path(t.relfilenode)))
}
