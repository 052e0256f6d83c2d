//! Logical decoding (decode.c, reorderbuffer.c): WAL records turned into committed
//! transactions of row changes, filtered by publication as pgoutput filters them, and
//! test_decoding's text for `pg_logical_slot_peek_changes`.
//!
//! Simplified: the table's columns come from the publisher's catalog at decoding time
//! (PostgreSQL reads the catalog as of the change with a historic snapshot), cut to the
//! row's width for a row written before an ADD COLUMN; a row written before a DROP
//! COLUMN and decoded after it loses its last values rather than the dropped one. The lab's
//! workload transactions (pgbench-like, no tables of their own) decode to nothing.

use std::sync::Arc;

use crate::cluster::Cluster;
use crate::db::{Change, Value};
use crate::event::{DecodedChange, DecodedTxn, HostId, Reorder, RowChange};
use crate::lsn::Lsn;
use crate::wal::{RecordBody, WalRecord};

/// The most changes one open transaction keeps in the reorder buffer (bounded memory).
const MAX_REORDER_CHANGES: usize = 200_000;

/// PostgreSQL's name of a declared type (format_type), as test_decoding prints it.
pub fn type_display(declared: &str) -> String {
    let lower = declared.trim().to_lowercase();
    let base = lower.split('(').next().unwrap_or("").trim();
    let args = lower.find('(').map(|i| &lower[i..]).unwrap_or("");
    match base {
        "int" | "integer" | "int4" | "serial" => "integer".to_string(),
        "bigint" | "int8" | "bigserial" => "bigint".to_string(),
        "smallint" | "int2" => "smallint".to_string(),
        "bool" | "boolean" => "boolean".to_string(),
        "varchar" | "character varying" => format!("character varying{args}"),
        "char" | "character" => format!("character{args}"),
        "timestamptz" => "timestamp with time zone".to_string(),
        "timestamp" => "timestamp without time zone".to_string(),
        other => format!("{other}{args}"),
    }
}

impl Cluster {
    /// Decodes `records` (in WAL order) on the server `h`: changes go to `reorder`
    /// under their xid, and each commit hands out its transaction. With
    /// `publications`, only changes of tables those publications publish, for the
    /// actions they publish, are kept, and transactions without any are left out (as
    /// pgoutput skips empty transactions in PostgreSQL 15).
    pub fn decode<'a>(
        &self,
        h: HostId,
        records: impl Iterator<Item = &'a WalRecord>,
        reorder: &mut Reorder,
        publications: Option<&[String]>,
    ) -> Vec<DecodedTxn> {
        let Some(d) = self.data(h) else {
            return Vec::new();
        };
        let db = &d.db;
        let published = |table: &str, action: usize| -> bool {
            let Some(names) = publications else {
                return true;
            };
            names.iter().any(|n| {
                db.publications.get(n).is_some_and(|p| {
                    p.has(table) && [p.insert, p.update, p.delete, p.truncate][action]
                })
            })
        };
        let mut out = Vec::new();
        for r in records {
            match &r.body {
                RecordBody::Change { xid, change } => {
                    let entry = reorder.entry(*xid).or_insert((r.start, Vec::new()));
                    let Some((table, action)) = change_table(change) else {
                        continue;
                    };
                    let Some(t) = db.tables.get(table) else {
                        continue;
                    };
                    if !published(table, action) {
                        continue;
                    }
                    let columns: Arc<[(String, String, bool)]> = t
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), type_display(&c.type_name), c.primary_key))
                        .collect();
                    let key: Vec<usize> = t
                        .columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.primary_key)
                        .map(|(i, _)| i)
                        .collect();
                    let key_of = |row: &[Value]| -> Vec<Value> {
                        key.iter().filter_map(|&i| row.get(i).cloned()).collect()
                    };
                    let mut push = |change: RowChange| {
                        if entry.1.len() < MAX_REORDER_CHANGES {
                            // A row written before an ADD COLUMN is shorter than the
                            // table is now: it carries the columns it was written with.
                            let width = match &change {
                                RowChange::Insert { row, .. } | RowChange::Update { row, .. } => {
                                    row.len()
                                }
                                _ => columns.len(),
                            };
                            let columns = if width < columns.len() {
                                columns[..width].iter().cloned().collect()
                            } else {
                                columns.clone()
                            };
                            entry.1.push(DecodedChange {
                                lsn: r.start,
                                change,
                                columns,
                            });
                        }
                    };
                    match &**change {
                        Change::Insert { table, rows } => {
                            for (_, row) in rows {
                                push(RowChange::Insert {
                                    table: table.clone(),
                                    row: row.clone(),
                                });
                            }
                        }
                        Change::Update { table, rows, old } => {
                            for (i, (_, _, row)) in rows.iter().enumerate() {
                                let old_key = old.get(i).map(|o| key_of(o));
                                let new_key = key_of(row);
                                push(RowChange::Update {
                                    table: table.clone(),
                                    old_key: old_key.filter(|k| *k != new_key),
                                    row: row.clone(),
                                });
                            }
                        }
                        Change::Delete { table, old, .. } => {
                            for o in old {
                                push(RowChange::Delete {
                                    table: table.clone(),
                                    key: key_of(o),
                                });
                            }
                        }
                        Change::Truncate { name, .. } => push(RowChange::Truncate {
                            table: name.clone(),
                        }),
                        _ => {}
                    }
                }
                RecordBody::Commit { xid, at, .. } => {
                    let Some((first, changes)) = reorder.remove(xid) else {
                        continue;
                    };
                    if publications.is_some() && changes.is_empty() {
                        continue;
                    }
                    out.push(DecodedTxn {
                        xid: *xid,
                        first,
                        commit: r.start,
                        end: r.end,
                        at: *at,
                        changes,
                    });
                }
                _ => {}
            }
        }
        out
    }
}

/// The table a data change touches and its action (insert, update, delete, truncate).
fn change_table(change: &Change) -> Option<(&str, usize)> {
    Some(match change {
        Change::Insert { table, .. } => (table, 0),
        Change::Update { table, .. } => (table, 1),
        Change::Delete { table, .. } => (table, 2),
        Change::Truncate { name, .. } => (name, 3),
        _ => return None,
    })
}

/// A value as test_decoding prints it (`1`, `'a'`, `true`, `null`).
fn decoding_value(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
    }
}

/// test_decoding's line for a change (`table public.t: INSERT: id[integer]:1 ...`).
pub fn test_decoding_line(c: &DecodedChange) -> String {
    let cols = |row: &[Value]| -> String {
        c.columns
            .iter()
            .zip(row)
            .map(|((n, t, _), v)| format!("{n}[{t}]:{}", decoding_value(v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    // A key's values are in the order of the key's columns in the table.
    let key_cols = |key: &[Value]| -> String {
        c.columns
            .iter()
            .filter(|(_, _, k)| *k)
            .zip(key)
            .map(|((n, t, _), v)| format!("{n}[{t}]:{}", decoding_value(v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let table = format!("table public.{}", c.change.table());
    match &c.change {
        RowChange::Insert { row, .. } => format!("{table}: INSERT: {}", cols(row)),
        RowChange::Update {
            old_key: Some(k),
            row,
            ..
        } => format!(
            "{table}: UPDATE: old-key: {} new-tuple: {}",
            key_cols(k),
            cols(row)
        ),
        RowChange::Update { row, .. } => format!("{table}: UPDATE: {}", cols(row)),
        RowChange::Delete { key, .. } if key.is_empty() => {
            format!("{table}: DELETE: (no-tuple-data)")
        }
        RowChange::Delete { key, .. } => format!("{table}: DELETE: {}", key_cols(key)),
        RowChange::Truncate { .. } => format!("{table}: TRUNCATE: (no-flags)"),
    }
}

/// More rows than any statement may produce (the executor's limit is 200,000).
const MAX_ROWS: usize = 200_001;

/// One row of `pg_logical_slot_peek_changes`: lsn, xid, data.
pub type DecodedRow = (Lsn, u32, String);

/// test_decoding's options (`'include-xids', '0'`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodingOptions {
    pub include_xids: bool,
    pub skip_empty_xacts: bool,
    pub include_timestamp: bool,
}

impl Default for DecodingOptions {
    fn default() -> DecodingOptions {
        DecodingOptions {
            include_xids: true,
            skip_empty_xacts: false,
            include_timestamp: false,
        }
    }
}

impl Cluster {
    /// `pg_logical_slot_peek_changes` (`advance` false) and `pg_logical_slot_get_changes`
    /// (`advance` true) on a test_decoding slot: the rows (lsn, xid, data) of the
    /// transactions committed after the slot's confirmed_flush_lsn, up to `upto_lsn` or
    /// until `upto_nchanges` rows were given (whole transactions). The error is the
    /// ERROR and its CONTEXT.
    pub fn logical_slot_changes(
        &mut self,
        h: HostId,
        slot_name: &str,
        upto_lsn: Option<Lsn>,
        upto_nchanges: Option<i64>,
        options: DecodingOptions,
        advance: bool,
    ) -> Result<Vec<DecodedRow>, (String, Option<String>)> {
        self.check_logical_decoding(h).map_err(|e| (e, None))?;
        let Some(slot) = self.data(h).and_then(|d| d.slots.get(slot_name)).cloned() else {
            return Err((
                format!("replication slot \"{slot_name}\" does not exist"),
                None,
            ));
        };
        let Some(logical) = slot.logical.clone() else {
            return Err((
                format!(
                    "cannot use physical replication slot \"{slot_name}\" for logical decoding"
                ),
                None,
            ));
        };
        if let Some(pid) = slot.active_pid {
            return Err((
                format!("replication slot \"{slot_name}\" is active for PID {pid}"),
                None,
            ));
        }
        if logical.plugin == "pgoutput" {
            return Err((
                "client sent proto_version=0 but we only support protocol 1 or higher".to_string(),
                Some(format!(
                    "slot \"{slot_name}\", output plugin \"pgoutput\", in the startup callback"
                )),
            ));
        }
        let Some(d) = self.data(h) else {
            return Ok(Vec::new());
        };
        let start = slot.restart_lsn.unwrap_or(logical.confirmed_flush);
        let flush = d.wal.flush;
        let read_end = d
            .wal
            .records_between(start, flush)
            .last()
            .map_or(logical.confirmed_flush, |r| r.end);
        let mut reorder = Reorder::new();
        let txns = self.decode(h, d.wal.records_between(start, flush), &mut reorder, None);
        let mut rows = Vec::new();
        let mut last_end = None;
        for txn in txns {
            if txn.end <= logical.confirmed_flush {
                continue;
            }
            if upto_lsn.is_some_and(|u| txn.end > u) {
                break;
            }
            if upto_nchanges.is_some_and(|n| n > 0 && rows.len() as i64 >= n) {
                break;
            }
            // Bounded: past the most rows a statement may produce the caller refuses the
            // whole answer (sql/exec/limits.rs), so there is no need to build more.
            if rows.len() > MAX_ROWS {
                break;
            }
            last_end = Some(txn.end);
            if options.skip_empty_xacts && txn.changes.is_empty() {
                continue;
            }
            let xid_text = |word: &str| {
                if options.include_xids {
                    format!("{word} {}", txn.xid)
                } else {
                    word.to_string()
                }
            };
            let begin_lsn = if options.skip_empty_xacts {
                txn.changes.first().map_or(txn.first, |c| c.lsn)
            } else {
                txn.first
            };
            rows.push((begin_lsn, txn.xid, xid_text("BEGIN")));
            for c in &txn.changes {
                rows.push((c.lsn, txn.xid, test_decoding_line(c)));
            }
            let mut commit = xid_text("COMMIT");
            if options.include_timestamp {
                commit.push_str(&format!(
                    " (at {})",
                    crate::datetime::format_timestamptz(txn.at.unix_micros())
                ));
            }
            rows.push((txn.end, txn.xid, commit));
        }
        if advance {
            let limited = upto_lsn.is_some() || upto_nchanges.is_some_and(|n| n > 0);
            let upto = if limited { last_end } else { Some(read_end) };
            if let Some(upto) = upto {
                self.confirm_logical(h, slot_name, upto, upto);
            }
        }
        Ok(rows)
    }
}
