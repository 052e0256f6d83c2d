//! The other builtins: time, version, settings, strings, coalesce and transaction ids.

use crate::sql::ServerError;

use super::super::limits::check_value_len;
use super::super::value::Val;
use super::super::{Exec, Res};

/// now() and its aliases: the virtual time.
pub(super) fn now(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Timestamp(x.c.now().unix_micros()))
}

pub(super) fn postmaster_start_time(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(x.c
        .host(x.h)
        .server
        .as_ref()
        .map_or(Val::Null, |s| Val::Timestamp(s.started.unix_micros())))
}

pub(super) fn version(_: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Text(
        "PostgreSQL 15.18 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit".into(),
    ))
}

pub(super) fn current_setting(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let Val::Text(n) = &args[0] else {
        return Err(x.no_function(name, &args));
    };
    let def = x.setting_def(n)?;
    Ok(Val::Text(x.session_setting(def)))
}

pub(super) fn inet_server_addr(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Text(x.c.host(x.h).addr_text()))
}

pub(super) fn repeat(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    match (&args[0], &args[1]) {
        // repeat(text, integer): a bigint count finds no function, as in PostgreSQL.
        (Val::Text(s), Val::Int(n)) => {
            check_value_len(s.len() as u64 * (*n).max(0) as u64)?;
            Ok(Val::Text(s.repeat((*n).max(0) as usize)))
        }
        _ => Err(x.no_function(name, &args)),
    }
}

/// upper(), lower() and length() of the argument's text.
pub(super) fn case_or_length(_: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let s = args[0].text().unwrap_or_default();
    Ok(match name {
        "upper" => Val::Text(s.to_uppercase()),
        "lower" => Val::Text(s.to_lowercase()),
        _ => Val::Int(s.chars().count() as i64),
    })
}

pub(super) fn coalesce(_: &mut Exec<'_>, _: &str, args: Vec<Val>) -> Res<Val> {
    Ok(args
        .into_iter()
        .find(|v| *v != Val::Null)
        .unwrap_or(Val::Null))
}

/// txid_current() and pg_current_xact_id(): a new transaction id, refused on a standby
/// with a message of its own.
pub(super) fn txid_current(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    if x.in_recovery() {
        return Err(ServerError::new(
            "cannot execute txid_current() during recovery",
        ));
    }
    Ok(Val::BigInt(x.c.allocate_xid(x.h) as i64))
}
