//! Replication slot functions (PostgreSQL's slotfuncs.c).

use crate::sql::ServerError;

use super::super::value::Val;
use super::super::{Exec, Res};

/// pg_create_physical_replication_slot(name [, immediately_reserve [, temporary]]).
pub(super) fn create_physical(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let Val::Text(slot) = &args[0] else {
        return Err(x.no_function(name, &args));
    };
    let reserve = matches!(args.get(1), Some(Val::Bool(true)));
    let temporary = matches!(args.get(2), Some(Val::Bool(true)));
    let lsn =
        x.c.create_slot(x.h, slot, reserve, temporary)
            .map_err(|(m, hint)| {
                let e = ServerError::new(m);
                match hint {
                    Some(hh) => e.hint(hh),
                    None => e,
                }
            })?;
    Ok(Val::Record(vec![
        Val::Text(slot.clone()),
        lsn.map_or(Val::Null, Val::Lsn),
    ]))
}

pub(super) fn drop(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let Val::Text(slot) = &args[0] else {
        return Err(x.no_function(name, &args));
    };
    x.c.drop_slot(x.h, slot).map_err(ServerError::new)?;
    Ok(Val::Text(String::new()))
}

/// pg_create_logical_replication_slot(name, plugin [, temporary [, two_phase]]).
pub(super) fn create_logical(x: &mut Exec<'_>, name: &str, args: Vec<Val>) -> Res<Val> {
    let (Val::Text(slot), Val::Text(plugin)) = (&args[0], &args[1]) else {
        return Err(x.no_function(name, &args));
    };
    let temporary = matches!(args.get(2), Some(Val::Bool(true)));
    let lsn =
        x.c.create_logical_slot(x.h, slot, plugin, temporary)
            .map_err(|(m, hint)| {
                let e = ServerError::new(m);
                match hint {
                    Some(hh) => e.hint(hh),
                    None => e,
                }
            })?;
    Ok(Val::Record(vec![Val::Text(slot.clone()), Val::Lsn(lsn)]))
}
