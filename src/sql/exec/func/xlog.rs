//! WAL functions (PostgreSQL's xlogfuncs.c): LSNs, WAL file names, switching segments,
//! what a standby received and replayed, pausing replay, and promotion. The recovery guard of each is in
//! its row of [`super::BUILTINS`].

use crate::sim::{ReplayPause, TimelineId, SEGMENT_SIZE};

use super::super::value::{lsn_diff, Val};
use super::super::{Exec, Res};

/// pg_current_wal_lsn(), pg_current_wal_insert_lsn(), pg_current_wal_flush_lsn().
pub(super) fn current_wal_lsn(x: &mut Exec<'_>, name: &str, _: Vec<Val>) -> Res<Val> {
    let Some(d) = x.c.host(x.h).data.as_ref() else {
        return Ok(Val::Null);
    };
    Ok(Val::Lsn(match name {
        "pg_current_wal_insert_lsn" => d.wal.insert,
        "pg_current_wal_flush_lsn" => d.wal.flush,
        _ => d.wal.write,
    }))
}

pub(super) fn walfile_name(x: &mut Exec<'_>, _: &str, args: Vec<Val>) -> Res<Val> {
    let lsn = x.lsn_arg(&args[0])?;
    let tli =
        x.c.host(x.h)
            .data
            .as_ref()
            .map_or(TimelineId(1), |d| d.wal.tli);
    Ok(Val::Text(lsn.walfile_name(tli)))
}

pub(super) fn walfile_name_offset(x: &mut Exec<'_>, _: &str, args: Vec<Val>) -> Res<Val> {
    let lsn = x.lsn_arg(&args[0])?;
    let tli =
        x.c.host(x.h)
            .data
            .as_ref()
            .map_or(TimelineId(1), |d| d.wal.tli);
    let off = if lsn.0 % SEGMENT_SIZE == 0 && lsn.0 > 0 {
        SEGMENT_SIZE
    } else {
        lsn.0 % SEGMENT_SIZE
    };
    Ok(Val::Record(vec![
        Val::Text(lsn.walfile_name(tli)),
        Val::Int(off as i64),
    ]))
}

pub(super) fn wal_lsn_diff(x: &mut Exec<'_>, _: &str, args: Vec<Val>) -> Res<Val> {
    let a = x.lsn_arg(&args[0])?;
    let b = x.lsn_arg(&args[1])?;
    Ok(Val::Num(lsn_diff(a, b)))
}

pub(super) fn switch_wal(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Lsn(x.c.switch_wal(x.h)))
}

pub(super) fn last_wal_receive_lsn(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(match (x.in_recovery(), x.c.host(x.h).data.as_ref()) {
        (true, Some(d)) => Val::Lsn(d.wal.flush),
        _ => Val::Null,
    })
}

pub(super) fn last_wal_replay_lsn(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(match (x.in_recovery(), x.c.host(x.h).data.as_ref()) {
        (true, Some(d)) => Val::Lsn(d.applied),
        _ => Val::Null,
    })
}

pub(super) fn last_xact_replay_timestamp(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    let last =
        x.c.host(x.h)
            .data
            .as_ref()
            .and_then(|d| d.last_replayed_commit);
    Ok(match (x.in_recovery(), last) {
        (true, Some(t)) => Val::Timestamp(t.unix_micros()),
        _ => Val::Null,
    })
}

pub(super) fn is_in_recovery(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Bool(x.in_recovery()))
}

pub(super) fn promote(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Bool(x.c.promote(x.h)))
}

/// pg_wal_replay_pause() and pg_wal_replay_resume(): they return void (an empty cell).
pub(super) fn replay_pause_or_resume(x: &mut Exec<'_>, name: &str, _: Vec<Val>) -> Res<Val> {
    if name == "pg_wal_replay_pause" {
        x.c.pause_replay(x.h);
    } else {
        x.c.resume_replay(x.h);
    }
    Ok(Val::Null)
}

fn replay_pause(x: &Exec<'_>) -> ReplayPause {
    x.c.server(x.h)
        .map_or(ReplayPause::NotPaused, |s| s.replay_pause)
}

/// pg_is_wal_replay_paused(): true from the request on, as PostgreSQL 15 answers.
pub(super) fn is_wal_replay_paused(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Bool(replay_pause(x) != ReplayPause::NotPaused))
}

pub(super) fn wal_replay_pause_state(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Val> {
    Ok(Val::Text(replay_pause(x).text().to_string()))
}
