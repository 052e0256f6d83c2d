//! Applying a remote transaction on the subscriber (worker.c's apply_handle_insert,
//! _update, _delete, _truncate): each decoded change is mapped to the local table's
//! columns, checked as the executor checks it (the subscriber's own unique indexes), and
//! written as a local transaction with its WAL.

use std::sync::Arc;

use crate::cluster::Cluster;
use crate::db::{tuple_data_bytes, Change, Row, Subscription, Value};
use crate::event::{DecodedTxn, HostId, RowChange};
use crate::wal::{self, RecordBody};

use super::apply::ApplyError;

impl Cluster {
    /// Writes a transaction the apply worker built: its records, a commit, a flush.
    pub(super) fn write_local_txn(&mut self, h: HostId, changes: Vec<(u64, Change)>) {
        let (extra, commit_len) = self.logical_wal_sizes(h, &changes);
        let xid = self.next_xid_of(h);
        for (i, (size, change)) in changes.into_iter().enumerate() {
            let change = Arc::new(change);
            if let Some(d) = self.data_mut(h) {
                d.db.apply(&change);
            }
            self.append(
                h,
                size + extra.get(i).copied().unwrap_or(0),
                RecordBody::Change { xid, change },
            );
        }
        let at = self.now;
        self.append(
            h,
            commit_len,
            RecordBody::Commit {
                xid,
                at,
                apply_feedback: false,
            },
        );
        self.flush(h);
    }

    /// Applies one remote transaction on the subscriber, or says why it cannot.
    pub(super) fn apply_txn(
        &mut self,
        h: HostId,
        pid: u32,
        name: &str,
        sub: &Subscription,
        txn: &DecodedTxn,
    ) -> Result<(), ApplyError> {
        if sub.skip_lsn != 0 && sub.skip_lsn == txn.commit.0 {
            let origin = format!("pg_{}", sub.oid);
            let lsn = txn.commit;
            self.log(
                h,
                pid,
                "LOG",
                &format!("logical replication starts skipping transaction at LSN {lsn}"),
            );
            self.log(h, pid, "CONTEXT", &format!("processing remote data for replication origin \"{origin}\" during message type \"BEGIN\" in transaction {}, finished at {lsn}", txn.xid));
            self.log(
                h,
                pid,
                "LOG",
                &format!("logical replication completed skipping transaction at LSN {lsn}"),
            );
            self.log(h, pid, "CONTEXT", &format!("processing remote data for replication origin \"{origin}\" during message type \"COMMIT\" in transaction {}, finished at {lsn}", txn.xid));
            if let Some(s) = self
                .data_mut(h)
                .and_then(|d| d.db.subscriptions.get_mut(name))
            {
                s.skip_lsn = 0;
                s.origin_lsn = txn.end.0;
            }
            return Ok(());
        }
        let mut out: Vec<(u64, Change)> = Vec::new();
        let mut undo = Vec::new();
        let result = self.build_changes(h, sub, txn, &mut out, &mut undo);
        // Take the trial changes back: they are written below with their WAL, or not at
        // all when the transaction failed.
        if let Some(d) = self.data_mut(h) {
            while let Some(u) = undo.pop() {
                d.db.undo(u);
            }
        }
        result?;
        if !out.is_empty() {
            self.write_local_txn(h, out);
        }
        if let Some(s) = self
            .data_mut(h)
            .and_then(|d| d.db.subscriptions.get_mut(name))
        {
            s.origin_lsn = s.origin_lsn.max(txn.end.0);
        }
        Ok(())
    }

    /// The local changes for a remote transaction, tried one by one on the database
    /// (what undoes them is in `undo`).
    pub(super) fn build_changes(
        &mut self,
        h: HostId,
        sub: &Subscription,
        txn: &DecodedTxn,
        out: &mut Vec<(u64, Change)>,
        undo: &mut Vec<crate::db::Undo>,
    ) -> Result<(), ApplyError> {
        for dc in &txn.changes {
            let change = &dc.change;
            let table = change.table().to_string();
            let kind = change.kind();
            let Some(local_columns) = self
                .data(h)
                .and_then(|d| d.db.tables.get(&table))
                .map(|t| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
            else {
                return Err(ApplyError {
                    message: format!(
                        "logical replication target relation \"public.{table}\" does not exist"
                    ),
                    detail: None,
                    kind,
                    relation: None,
                });
            };
            // Each remote column must exist here, by name (logicalrep_rel_open).
            let (map, missing) = column_map(&dc.columns, &local_columns);
            if let Some(message) = missing_columns_error(&table, &missing) {
                return Err(ApplyError {
                    message,
                    detail: None,
                    kind,
                    relation: None,
                });
            }
            let map: Vec<usize> = map.into_iter().flatten().collect();
            // Only then (should_apply_changes_for_rel): a table not in
            // pg_subscription_rel, or whose copy is still to come or already holds this
            // transaction, is left alone.
            match sub.tables.get(&table) {
                None => continue,
                Some(rel) if matches!(rel.state, 'i' | 'd') => continue,
                Some(rel) if rel.lsn.is_some_and(|l| txn.end.0 <= l) => continue,
                Some(_) => {}
            }
            let width = local_columns.len();
            let local_key: Vec<usize> = dc
                .columns
                .iter()
                .zip(&map)
                .filter(|((_, _, k), _)| *k)
                .map(|(_, &i)| i)
                .collect();
            let find = |c: &Cluster, key: &[Value]| -> Option<(u64, Row)> {
                if local_key.is_empty() {
                    return None;
                }
                c.data(h)?
                    .db
                    .tables
                    .get(&table)?
                    .rows
                    .iter()
                    .find(|(_, r)| local_key.iter().zip(key).all(|(&i, v)| r.get(i) == Some(v)))
                    .map(|(id, r)| (*id, r.clone()))
            };
            let to_local = |base: Option<&Row>, row: &Row| -> Row {
                let mut v: Vec<Value> = match base {
                    Some(b) => b.to_vec(),
                    None => vec![Value::Null; width],
                };
                for (k, &i) in map.iter().enumerate() {
                    if let (Some(slot), Some(val)) = (v.get_mut(i), row.get(k)) {
                        *slot = val.clone();
                    }
                }
                Arc::from(v)
            };
            let remote_key = |row: &Row| -> Vec<Value> {
                dc.columns
                    .iter()
                    .zip(row.iter())
                    .filter(|((_, _, k), _)| *k)
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            let local_change = match change {
                RowChange::Insert { row, .. } => {
                    // The executor checks the subscriber's own unique indexes, whatever
                    // the publisher's key is.
                    let row = to_local(None, row);
                    let clash = self
                        .data(h)
                        .and_then(|d| d.db.tables.get(&table))
                        .and_then(|t| unique_violation(t, &table, &row));
                    if let Some((message, detail)) = clash {
                        return Err(ApplyError {
                            message,
                            detail: Some(detail),
                            kind,
                            relation: Some(table.clone()),
                        });
                    }
                    let size = wal::align8(wal::INSERT_BASE + tuple_data_bytes(&row));
                    let id = self.data_mut(h).map_or(1, |d| d.db.allocate_tuples(1));
                    (
                        size,
                        Change::Insert {
                            table: table.clone(),
                            rows: vec![(id, row)],
                        },
                    )
                }
                RowChange::Update { old_key, row, .. } => {
                    let key = old_key.clone().unwrap_or_else(|| remote_key(row));
                    let Some((old_id, old)) = find(self, &key) else {
                        continue;
                    };
                    let new = to_local(Some(&old), row);
                    let size = wal::align8(wal::UPDATE_BASE + tuple_data_bytes(&new));
                    let id = self.data_mut(h).map_or(1, |d| d.db.allocate_tuples(1));
                    (
                        size,
                        Change::Update {
                            table: table.clone(),
                            rows: vec![(old_id, id, new)],
                            old: vec![old],
                        },
                    )
                }
                RowChange::Delete { key, .. } => {
                    let Some((old_id, old)) = find(self, key) else {
                        continue;
                    };
                    (
                        wal::DELETE_RECORD,
                        Change::Delete {
                            table: table.clone(),
                            ids: vec![old_id],
                            old: vec![old],
                        },
                    )
                }
                RowChange::Truncate { .. } => {
                    let Some(d) = self.data(h) else { continue };
                    let relfilenode = d.db.next_oid;
                    (
                        200,
                        Change::Truncate {
                            name: table.clone(),
                            relfilenode,
                        },
                    )
                }
            };
            if let Some(d) = self.data_mut(h) {
                undo.push(d.db.apply(&local_change.1));
            }
            out.push(local_change);
        }
        Ok(())
    }
}

/// Where each remote column is among the local ones, and the remote columns missing.
pub(super) fn column_map(
    remote: &[(String, String, bool)],
    local: &[String],
) -> (Vec<Option<usize>>, Vec<String>) {
    let map: Vec<Option<usize>> = remote
        .iter()
        .map(|(c, _, _)| local.iter().position(|l| l == c))
        .collect();
    let missing = remote
        .iter()
        .zip(&map)
        .filter(|(_, m)| m.is_none())
        .map(|((c, _, _), _)| c.clone())
        .collect();
    (map, missing)
}

/// logicalrep_report_missing_attrs' ERROR, if any column is missing.
pub(super) fn missing_columns_error(table: &str, missing: &[String]) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let names: Vec<String> = missing.iter().map(|c| format!("\"{c}\"")).collect();
    let word = if missing.len() == 1 {
        "column"
    } else {
        "columns"
    };
    Some(format!(
        "logical replication target relation \"public.{table}\" is missing replicated {word}: {}",
        names.join(", ")
    ))
}

/// A key value as a unique violation's DETAIL shows it.
fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => if *b { "t" } else { "f" }.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Text(s) => s.to_string(),
    }
}

/// The first of the subscriber's unique indexes (its primary key, then each UNIQUE
/// column, as the executor checks them) that `row` would repeat: the ERROR's message and
/// its DETAIL. A key holding a NULL never conflicts.
fn unique_violation(t: &crate::db::Table, table: &str, row: &[Value]) -> Option<(String, String)> {
    let rel = table.rsplit('.').next().unwrap_or(table);
    for (name, cols) in t.unique_indexes(rel) {
        let key: Vec<&Value> = cols
            .iter()
            .map(|&i| row.get(i).unwrap_or(&Value::Null))
            .collect();
        if key.contains(&&Value::Null) {
            continue;
        }
        let taken = t
            .rows
            .values()
            .any(|r| cols.iter().zip(&key).all(|(&i, v)| r.get(i) == Some(*v)));
        if taken {
            let names: Vec<&str> = cols.iter().map(|&i| t.columns[i].name.as_str()).collect();
            let vals: Vec<String> = key.iter().map(|v| value_text(v)).collect();
            return Some((
                format!("duplicate key value violates unique constraint \"{name}\""),
                format!(
                    "Key ({})=({}) already exists.",
                    names.join(", "),
                    vals.join(", ")
                ),
            ));
        }
    }
    None
}
