//! Set-returning functions: they answer rows, so they are called in FROM (or, for
//! generate_series, in a target list without FROM, see `select::target_list_series`).

use crate::sim::{segment_file_name, SEGMENT_SIZE};
use crate::sql::ServerError;

use super::super::limits::check_rows;
use super::super::value::Val;
use super::super::{Exec, Res, Rows};

/// Computes a set-returning function from its name and evaluated arguments.
pub(in crate::sql::exec) type SetFn = fn(&mut Exec<'_>, &str, Vec<Val>) -> Res<Rows>;

/// Every set-returning function, by name.
pub(in crate::sql::exec) static SET_FUNCTIONS: &[(&str, SetFn)] = &[
    ("generate_series", generate_series),
    ("pg_control_checkpoint", control_checkpoint),
    ("pg_ls_waldir", ls_waldir),
    ("pg_logical_slot_peek_changes", logical_slot_changes),
    ("pg_logical_slot_get_changes", logical_slot_changes),
];

/// pg_logical_slot_peek_changes / pg_logical_slot_get_changes(slot, upto_lsn,
/// upto_nchanges, VARIADIC options): test_decoding's rows (lsn, xid, data).
fn logical_slot_changes(x: &mut Exec<'_>, name: &str, vals: Vec<Val>) -> Res<Rows> {
    if vals.len() < 3 {
        return Err(x.no_function(name, &vals));
    }
    let slot = match &vals[0] {
        Val::Text(s) => s.clone(),
        _ => return Err(x.no_function(name, &vals)),
    };
    let upto_lsn = match &vals[1] {
        Val::Null => None,
        Val::Lsn(l) => Some(*l),
        Val::Text(t) => Some(t.parse::<crate::sim::Lsn>().map_err(|_| {
            ServerError::new(format!("invalid input syntax for type pg_lsn: \"{t}\""))
        })?),
        _ => return Err(x.no_function(name, &vals)),
    };
    let upto_n = match &vals[2] {
        Val::Null => None,
        v => match v.int() {
            Some(n) => Some(n),
            None => return Err(x.no_function(name, &vals)),
        },
    };
    let rest = &vals[3..];
    if !rest.len().is_multiple_of(2) {
        return Err(ServerError::new("array must have even number of elements"));
    }
    let mut options = crate::sim::DecodingOptions::default();
    for pair in rest.chunks(2) {
        let (k, v) = (pair[0].text().unwrap_or_default(), pair[1].text());
        let flag = match v.as_deref().map(str::to_lowercase).as_deref() {
            None | Some("1" | "on" | "true" | "t" | "yes" | "y") => Some(true),
            Some("0" | "off" | "false" | "f" | "no" | "n") => Some(false),
            _ => None,
        };
        let target = match k.as_str() {
            "include-xids" => &mut options.include_xids,
            "skip-empty-xacts" => &mut options.skip_empty_xacts,
            "include-timestamp" => &mut options.include_timestamp,
            _ => {
                let shown = v.unwrap_or_else(|| "(null)".to_string());
                return Err(ServerError {
                    detail: None,
                    ..ServerError::new(format!("option \"{k}\" = \"{shown}\" is unknown"))
                }
                .context(format!(
                    "slot \"{slot}\", output plugin \"test_decoding\", in the startup callback"
                )));
            }
        };
        match flag {
            Some(b) => *target = b,
            None => {
                return Err(ServerError::new(format!(
                    "could not parse value \"{}\" for parameter \"{k}\"",
                    pair[1].text().unwrap_or_default()
                ))
                .context(format!(
                    "slot \"{slot}\", output plugin \"test_decoding\", in the startup callback"
                )))
            }
        }
    }
    let advance = name == "pg_logical_slot_get_changes";
    let rows =
        x.c.logical_slot_changes(x.h, &slot, upto_lsn, upto_n, options, advance)
            .map_err(|(e, ctx)| match ctx {
                Some(c) => ServerError::new(e).context(c),
                None => ServerError::new(e),
            })?;
    check_rows(rows.len() as u128)?;
    Ok(Rows {
        columns: vec!["lsn".into(), "xid".into(), "data".into()],
        rows: rows
            .into_iter()
            .map(|(l, xid, data)| vec![Val::Lsn(l), Val::Int(i64::from(xid)), Val::Text(data)])
            .collect(),
    })
}

pub(super) fn is_set_function(name: &str) -> bool {
    SET_FUNCTIONS.iter().any(|(n, _)| *n == name)
}

/// generate_series(start, stop [, step]) over integers.
fn generate_series(x: &mut Exec<'_>, name: &str, vals: Vec<Val>) -> Res<Rows> {
    let (Some(a), Some(b)) = (
        vals.first().and_then(Val::int),
        vals.get(1).and_then(Val::int),
    ) else {
        return Err(x.no_function(name, &vals));
    };
    let step = match vals.get(2).map(|v| v.int()) {
        Some(Some(0)) => return Err(ServerError::new("step size cannot equal zero")),
        Some(Some(s)) => s,
        Some(None) => return Err(x.no_function(name, &vals)),
        None => 1,
    };
    // generate_series(int, int) answers integers, with a bigint anywhere bigints.
    let big = vals.iter().any(|v| matches!(v, Val::BigInt(_)));
    // In i128: the bounds may be anything a user types.
    let (a, step) = (i128::from(a), i128::from(step));
    let count = ((i128::from(b) - a) / step + 1).max(0);
    check_rows(count as u128)?;
    let rows = (0..count)
        .map(|i| {
            let v = (a + i * step) as i64;
            vec![if big { Val::BigInt(v) } else { Val::Int(v) }]
        })
        .collect();
    Ok(Rows {
        columns: vec!["generate_series".into()],
        rows,
    })
}

/// pg_control_checkpoint(): the control file's last checkpoint.
fn control_checkpoint(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Rows> {
    let Some(d) = x.c.host(x.h).data.as_ref() else {
        return Ok(Rows::default());
    };
    let tli = d.wal.tli_at(d.redo);
    let prev = d
        .wal
        .history
        .last()
        .filter(|e| e.switchpoint <= d.redo)
        .map_or(tli, |e| e.tli);
    let columns = [
        "checkpoint_lsn",
        "redo_lsn",
        "redo_wal_file",
        "timeline_id",
        "prev_timeline_id",
        "full_page_writes",
        "next_xid",
        "next_oid",
        "next_multixact_id",
        "next_multi_offset",
        "oldest_xid",
        "oldest_xid_dbid",
        "oldest_active_xid",
        "oldest_multi_xid",
        "oldest_multi_dbid",
        "oldest_commit_ts_xid",
        "newest_commit_ts_xid",
        "checkpoint_time",
    ];
    let next_xid = x.c.peek_xid(x.h);
    // A shutdown checkpoint records no running transaction (oldest_active_xid 0), as
    // pg_controldata shows it.
    let shutdown = d.wal.records.iter().any(|r| {
        r.start == d.checkpoint_lsn
            && matches!(
                r.body,
                crate::sim::wal::RecordBody::Checkpoint { shutdown: true, .. }
            )
    });
    let oldest_active = if shutdown { 0 } else { next_xid as i64 };
    let row = vec![
        Val::Lsn(d.checkpoint_lsn),
        Val::Lsn(d.redo),
        Val::Text(segment_file_name(tli, d.redo.segment())),
        Val::Int(tli.0 as i64),
        Val::Int(prev.0 as i64),
        Val::Bool(true),
        Val::Text(format!("0:{next_xid}")),
        Val::Int(24576),
        Val::Int(1),
        Val::Int(0),
        Val::Int(716),
        Val::Int(1),
        Val::Int(oldest_active),
        Val::Int(1),
        Val::Int(1),
        Val::Int(0),
        Val::Int(0),
        Val::Timestamp(d.checkpoint_time.unix_micros()),
    ];
    Ok(Rows {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows: vec![row],
    })
}

/// pg_ls_waldir(): the segment files in pg_wal.
fn ls_waldir(x: &mut Exec<'_>, _: &str, _: Vec<Val>) -> Res<Rows> {
    let Some(d) = x.c.host(x.h).data.as_ref() else {
        return Ok(Rows::default());
    };
    let t = Val::Timestamp(x.c.now().unix_micros());
    let rows = d
        .wal
        .segment_files()
        .into_iter()
        .map(|f| vec![Val::Text(f), Val::Int(SEGMENT_SIZE as i64), t.clone()])
        .collect();
    Ok(Rows {
        columns: vec!["name".into(), "size".into(), "modification".into()],
        rows,
    })
}
