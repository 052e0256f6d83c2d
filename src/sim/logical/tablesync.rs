//! Table synchronization (tablesync.c): each subscribed table is copied once, as of a
//! snapshot of the publisher (`COPY ... TO STDOUT`), before the apply worker applies its
//! changes; `pg_subscription_rel.srsubstate` moves from `i` through `d` and `s` to `r`.
//! Simplified: the copy runs on the apply worker's own connection (see `apply.rs`).

use std::sync::Arc;

use crate::cluster::Cluster;
use crate::db::{tuple_data_bytes, Change, Row, Value};
use crate::event::{ConnId, HostId, Message};
use crate::lsn::Lsn;
use crate::wal;

use super::apply_rows::{column_map, missing_columns_error};

impl Cluster {
    pub(super) fn start_table_syncs(&mut self, h: HostId, conn: ConnId) {
        let Some(w) = self.worker(h, conn) else {
            return;
        };
        let (name, publisher) = (w.subscription.clone(), w.publisher);
        let Some(sub) = self.subscription(h, &name).cloned() else {
            return;
        };
        for (table, rel) in &sub.tables {
            let busy = self
                .worker(h, conn)
                .is_some_and(|w| w.syncing.iter().any(|(t, _)| t == table));
            if !matches!(rel.state, 'i' | 'd') || busy {
                continue;
            }
            let pid = self.pid(h);
            self.log(h, pid, "LOG", &format!("logical replication table synchronization worker for subscription \"{name}\", table \"{table}\" has started"));
            self.set_rel_state(h, &name, table, 'd', None);
            if let Some(w) = self.worker_mut(h, conn) {
                w.syncing.push((table.clone(), pid));
            }
            self.send(
                h,
                publisher,
                Message::CopyRequest {
                    conn,
                    table: table.clone(),
                },
            );
        }
    }

    pub(super) fn set_rel_state(
        &mut self,
        h: HostId,
        sub: &str,
        table: &str,
        state: char,
        lsn: Option<u64>,
    ) {
        if let Some(rel) = self
            .data_mut(h)
            .and_then(|d| d.db.subscriptions.get_mut(sub))
            .and_then(|s| s.tables.get_mut(table))
        {
            rel.state = state;
            rel.lsn = lsn;
        }
    }

    /// The publisher's side of a table copy: its rows now, and the WAL position they
    /// are as of.
    pub fn on_copy_request(&mut self, p: HostId, from: HostId, conn: ConnId, table: &str) {
        let Some(w) = self
            .server(p)
            .and_then(|s| s.senders.iter().find(|w| w.conn == conn))
        else {
            self.reset(p, from, conn);
            return;
        };
        let pid = w.pid;
        let lsn = self.data(p).map_or(Lsn(0), |d| d.wal.insert);
        let (columns, rows) = match self.data(p).and_then(|d| d.db.tables.get(table)) {
            Some(t) => (
                t.columns.iter().map(|c| c.name.clone()).collect(),
                Ok(t.rows.values().cloned().collect()),
            ),
            None => {
                let e = format!("relation \"public.{table}\" does not exist");
                self.log(p, pid, "ERROR", &e);
                (Vec::new(), Err(e))
            }
        };
        self.send(
            p,
            from,
            Message::CopyData {
                conn,
                table: table.to_string(),
                columns,
                rows,
                lsn,
            },
        );
    }

    pub(super) fn on_copy_data(
        &mut self,
        h: HostId,
        conn: ConnId,
        table: &str,
        columns: &[String],
        rows: Result<Vec<Row>, String>,
        lsn: Lsn,
    ) {
        let Some(w) = self.worker(h, conn).cloned() else {
            return;
        };
        let name = w.subscription.clone();
        let sync_pid = w
            .syncing
            .iter()
            .find(|(t, _)| t == table)
            .map_or(w.pid, |(_, p)| *p);
        if let Some(w) = self.worker_mut(h, conn) {
            w.syncing.retain(|(t, _)| t != table);
        }
        let rows = match rows {
            Ok(r) => r,
            Err(e) => {
                self.log(
                    h,
                    sync_pid,
                    "ERROR",
                    &format!("could not start initial contents copy for table \"public.{table}\": ERROR:  {e}"),
                );
                self.log_worker_exit(h, sync_pid);
                self.count_error(h, &name, false);
                return;
            }
        };
        let local_columns: Vec<String> = self
            .data(h)
            .and_then(|d| d.db.tables.get(table))
            .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        let remote: Vec<(String, String, bool)> = columns
            .iter()
            .map(|c| (c.clone(), String::new(), false))
            .collect();
        let (_, missing) = column_map(&remote, &local_columns);
        if let Some(e) = missing_columns_error(table, &missing) {
            self.log(h, sync_pid, "ERROR", &e);
            self.log_worker_exit(h, sync_pid);
            self.count_error(h, &name, false);
            return;
        }
        let changes = {
            let Some(t) = self.data(h).and_then(|d| d.db.tables.get(table)) else {
                return;
            };
            let map: Vec<Option<usize>> = columns
                .iter()
                .map(|c| t.columns.iter().position(|l| &l.name == c))
                .collect();
            let width = t.columns.len();
            let local: Vec<Row> = rows
                .iter()
                .map(|r| {
                    let mut v = vec![Value::Null; width];
                    for (i, val) in r.iter().enumerate() {
                        if let Some(Some(j)) = map.get(i) {
                            v[*j] = val.clone();
                        }
                    }
                    Arc::from(v)
                })
                .collect();
            local
        };
        if !changes.is_empty() {
            let n = changes.len() as u64;
            let first = self.data_mut(h).map_or(1, |d| d.db.allocate_tuples(n));
            let size: u64 = changes
                .iter()
                .map(|r| wal::align8(wal::INSERT_BASE + tuple_data_bytes(r)))
                .sum();
            let rows = changes
                .into_iter()
                .enumerate()
                .map(|(i, r)| (first + i as u64, r))
                .collect();
            self.write_local_txn(
                h,
                vec![(
                    size,
                    Change::Insert {
                        table: table.to_string(),
                        rows,
                    },
                )],
            );
        }
        self.set_rel_state(h, &name, table, 's', Some(lsn.0));
        self.log(h, sync_pid, "LOG", &format!("logical replication table synchronization worker for subscription \"{name}\", table \"{table}\" has finished"));
        self.promote_synced(h, &name);
    }

    /// Tables whose copy the apply worker's stream has passed become ready.
    pub(super) fn promote_synced(&mut self, h: HostId, name: &str) {
        let received = self
            .server(h)
            .and_then(|s| s.apply.iter().find(|w| w.subscription == name))
            .map_or(0, |w| w.received.0);
        let origin = self.subscription(h, name).map_or(0, |s| s.origin_lsn);
        let reached = received.max(origin);
        if let Some(sub) = self
            .data_mut(h)
            .and_then(|d| d.db.subscriptions.get_mut(name))
        {
            for (_, rel) in sub.tables.iter_mut() {
                if rel.state == 's' && rel.lsn.is_some_and(|l| l <= reached) {
                    rel.state = 'r';
                }
            }
        }
    }
}
