//! A subscription's apply worker (launcher.c, worker.c, tablesync.c) and the logical
//! walsender it talks to: the launcher starts a worker per enabled subscription (again
//! wal_retrieve_retry_interval after its last start), the worker connects to the
//! publisher over the lab's network, copies each table once (table synchronization)
//! and then applies the decoded transactions the publisher's walsender sends,
//! confirming what it applied so the slot's confirmed_flush_lsn advances.
//!
//! Simplified, on purpose: the table copy runs inside the apply worker's connection (no
//! sync slot and walsender of its own; its start and finish are logged as the table
//! synchronization worker logs them); the apply worker flushes each transaction it
//! applies at once and then confirms it; an UPDATE or DELETE whose row is missing on
//! the subscriber is skipped silently (PostgreSQL 15 logs that at DEBUG1); the apply
//! worker's WAL records are the sizes of a local statement's, its commit record carries
//! no replication origin.

use std::sync::Arc;

use crate::sim::cluster::Cluster;
use crate::sim::db::{tuple_data_bytes, Change, Row, Subscription, Value};
use crate::sim::event::{
    ConnId, ConnectRequest, DecodedTxn, HostId, LogicalStart, Message, RowChange, Timer,
};
use crate::sim::libpq::Client;
use crate::sim::lsn::{Lsn, TimelineId};
use crate::sim::proc::ApplyWorker;
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::wal::{self, RecordBody};

use super::subscription::StopWhy;

/// The worker's exit as the postmaster logs it.
const EXIT_LINE: &str =
    "background worker \"logical replication worker\" (PID {pid}) exited with exit code 1";

/// An error while applying a remote transaction: the ERROR, its DETAIL, and what the
/// CONTEXT line names (the message type and, for some errors, the target relation).
struct ApplyError {
    message: String,
    detail: Option<String>,
    kind: &'static str,
    relation: Option<String>,
}

impl Cluster {
    /// wal_retrieve_retry_interval of the server on `h`.
    fn retry_interval(&self, h: HostId) -> SimDuration {
        let ms = self
            .server(h)
            .map_or(5000, |s| s.settings.int("wal_retrieve_retry_interval"))
            .max(1);
        SimDuration::from_millis(ms as u64)
    }

    /// The subscriptions that want a worker and have none.
    fn subscriptions_due(&self, h: HostId) -> Vec<String> {
        let (Some(d), Some(s)) = (self.data(h), self.server(h)) else {
            return Vec::new();
        };
        if s.standby {
            return Vec::new();
        }
        d.db.subscriptions
            .iter()
            .filter(|(n, sub)| {
                sub.enabled
                    && sub.slot_name.is_some()
                    && !s.apply.iter().any(|w| &w.subscription == *n)
            })
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Asks the logical replication launcher to look for subscriptions without a worker.
    pub(crate) fn wake_launcher(&mut self, h: HostId) {
        if self.subscriptions_due(h).is_empty() {
            return;
        }
        let Some(s) = self.server_mut(h) else { return };
        if s.launcher_pending {
            return;
        }
        s.launcher_pending = true;
        self.timer(h, SimDuration::ZERO, Timer::ApplyLauncher);
    }

    /// The launcher: starts each due worker whose last start is at least
    /// wal_retrieve_retry_interval ago, and comes back for the others.
    pub(crate) fn on_apply_launcher(&mut self, h: HostId) {
        if let Some(s) = self.server_mut(h) {
            s.launcher_pending = false;
        }
        let interval = self.retry_interval(h);
        let now = self.now;
        let mut next: Option<SimTime> = None;
        for name in self.subscriptions_due(h) {
            let last = self
                .server(h)
                .and_then(|s| s.apply_last_start.get(&name).copied());
            // ApplyLauncherMain: a worker starts when the last start is at least
            // wal_retrieve_retry_interval ago; otherwise the launcher sleeps a whole
            // interval from now (a worker that just exited is retried that much later).
            match last {
                Some(t) if now - t < interval => {
                    let due = now + interval;
                    next = Some(next.map_or(due, |n| n.min(due)));
                }
                _ => self.start_apply_worker(h, &name),
            }
        }
        if let Some(at) = next {
            if let Some(s) = self.server_mut(h) {
                s.launcher_pending = true;
            }
            self.timer(h, at - now, Timer::ApplyLauncher);
        }
    }

    fn start_apply_worker(&mut self, h: HostId, name: &str) {
        let Some(sub) = self.subscription(h, name).cloned() else {
            return;
        };
        let Some(slot) = sub.slot_name.clone() else {
            return;
        };
        let pid = self.pid(h);
        let now = self.now;
        if let Some(s) = self.server_mut(h) {
            s.apply_last_start.insert(name.to_string(), now);
        }
        self.log(
            h,
            pid,
            "LOG",
            &format!("logical replication apply worker for subscription \"{name}\" has started"),
        );
        let target = crate::sim::conninfo::ConnInfo::parse(&sub.conninfo).and_then(|info| {
            self.libpq_connect(Client::Host(h), &info, "postgres", false)
                .map(|r| (r, info))
        });
        let (reached, info) = match target {
            Ok(t) => t,
            Err(e) => {
                self.log(
                    h,
                    pid,
                    "ERROR",
                    &format!("could not connect to the publisher: {e}"),
                );
                self.log_worker_exit(h, pid);
                self.wake_launcher(h);
                return;
            }
        };
        let conn = self.new_conn();
        let publisher = reached.server;
        if let Some(s) = self.server_mut(h) {
            s.apply.push(ApplyWorker {
                subscription: name.to_string(),
                pid,
                conn,
                publisher,
                streaming: false,
                received: Lsn(0),
                last_msg_send_time: None,
                last_msg_receipt_time: None,
                latest_end_lsn: Lsn(0),
                latest_end_time: None,
                syncing: Vec::new(),
            });
        }
        let req = ConnectRequest {
            conn,
            host: reached.host.clone(),
            user: reached.user.clone(),
            password: info.get("password").map(str::to_string),
            application_name: name.to_string(),
            slot: Some(slot),
            start: Lsn(sub.origin_lsn),
            tli: TimelineId(1),
            port: reached.port,
            logical: Some(LogicalStart {
                publications: sub.publications.clone(),
                database: info.get("dbname").unwrap_or("postgres").to_string(),
            }),
        };
        self.send(h, publisher, Message::Connect(req));
        let pending = self.server(h).is_some_and(|s| s.apply_status_pending);
        if !pending {
            if let Some(s) = self.server_mut(h) {
                s.apply_status_pending = true;
            }
            self.timer(h, SimDuration::from_secs(1), Timer::ApplyStatus);
        }
    }

    fn log_worker_exit(&mut self, h: HostId, pid: u32) {
        let postmaster = self.server(h).map_or(0, |s| s.pid);
        self.log(
            h,
            postmaster,
            "LOG",
            &EXIT_LINE.replace("{pid}", &pid.to_string()),
        );
    }

    /// Ends a worker: it leaves the publisher's walsender (a clean goodbye), and the
    /// launcher starts it again when the subscription still wants one.
    fn end_apply_worker(&mut self, h: HostId, conn: ConnId, exit_line: bool) {
        let Some(s) = self.server_mut(h) else { return };
        let Some(i) = s.apply.iter().position(|w| w.conn == conn) else {
            return;
        };
        let w = s.apply.remove(i);
        self.send(h, w.publisher, Message::Closed { conn, clean: true });
        if exit_line {
            self.log_worker_exit(h, w.pid);
        }
        self.wake_launcher(h);
    }

    /// Stops the worker of subscription `name` (ALTER ... DISABLE, DROP SUBSCRIPTION).
    pub(crate) fn stop_apply_worker(&mut self, h: HostId, name: &str, why: StopWhy) {
        let Some(w) = self
            .server(h)
            .and_then(|s| s.apply.iter().find(|w| w.subscription == name).cloned())
        else {
            return;
        };
        match why {
            StopWhy::Disabled => self.log(h, w.pid, "LOG", &format!("logical replication apply worker for subscription \"{name}\" will stop because the subscription was disabled")),
            StopWhy::Dropped => self.log(h, w.pid, "FATAL", "terminating logical replication worker due to administrator command"),
        }
        if let Some(s) = self.server_mut(h) {
            s.apply.retain(|x| x.conn != w.conn);
        }
        self.send(
            h,
            w.publisher,
            Message::Closed {
                conn: w.conn,
                clean: true,
            },
        );
        if why == StopWhy::Dropped {
            self.log_worker_exit(h, w.pid);
        }
    }

    /// Whether `conn` is one of the apply workers' connections on `h`.
    pub(crate) fn is_apply_conn(&self, h: HostId, conn: ConnId) -> bool {
        self.server(h)
            .is_some_and(|s| s.apply.iter().any(|w| w.conn == conn))
    }

    fn worker(&self, h: HostId, conn: ConnId) -> Option<&ApplyWorker> {
        self.server(h)?.apply.iter().find(|w| w.conn == conn)
    }

    fn worker_mut(&mut self, h: HostId, conn: ConnId) -> Option<&mut ApplyWorker> {
        self.server_mut(h)?
            .apply
            .iter_mut()
            .find(|w| w.conn == conn)
    }

    /// A message for one of the apply workers of `h`.
    pub(crate) fn on_apply_message(&mut self, h: HostId, from: HostId, msg: Message) {
        match msg {
            Message::Refused { conn, error } => {
                let Some(pid) = self.worker(h, conn).map(|w| w.pid) else {
                    return;
                };
                let msg = if error.starts_with("could not") {
                    error
                } else {
                    format!("could not connect to the publisher: {error}")
                };
                self.log(h, pid, "ERROR", &msg);
                if let Some(s) = self.server_mut(h) {
                    s.apply.retain(|w| w.conn != conn);
                }
                self.log_worker_exit(h, pid);
                self.wake_launcher(h);
            }
            Message::Accepted { conn, .. } => self.on_apply_accepted(h, conn),
            Message::Changes {
                conn,
                upto,
                txns,
                sent_at,
            } => self.on_changes(h, conn, upto, txns, sent_at),
            Message::CopyData {
                conn,
                table,
                columns,
                rows,
                lsn,
            } => self.on_copy_data(h, conn, &table, &columns, rows, lsn),
            Message::Keepalive { conn, end, sent_at } => {
                // Everything before the walsender's position was decoded and sent, so
                // the worker has it all.
                self.on_changes(h, conn, end, Vec::new(), sent_at);
            }
            Message::StreamError { conn, error } => {
                if let Some(pid) = self.worker(h, conn).map(|w| w.pid) {
                    self.log(
                        h,
                        pid,
                        "ERROR",
                        &format!("could not receive data from WAL stream: ERROR:  {error}"),
                    );
                    if let Some(s) = self.server_mut(h) {
                        s.apply.retain(|w| w.conn != conn);
                    }
                    self.log_worker_exit(h, pid);
                    self.wake_launcher(h);
                }
            }
            Message::Closed { conn, clean } => {
                if let Some(pid) = self.worker(h, conn).map(|w| w.pid) {
                    if clean {
                        // Real, PostgreSQL 15.18: the publisher stopped with `pg_ctl stop
                        // -m fast`.
                        self.log(h, pid, "LOG", "data stream from publisher has ended");
                        self.log(h, pid, "ERROR", "could not send end-of-streaming message to primary: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\nno COPY in progress");
                    } else {
                        self.log(h, pid, "ERROR", "could not receive data from WAL stream: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.");
                    }
                    if let Some(s) = self.server_mut(h) {
                        s.apply.retain(|w| w.conn != conn);
                    }
                    self.log_worker_exit(h, pid);
                    self.wake_launcher(h);
                }
            }
            other => {
                let conn = other.conn();
                self.reset(h, from, conn);
            }
        }
    }

    /// ALTER SUBSCRIPTION ... DISABLE: the worker stops.
    pub fn disable_subscription_worker(&mut self, h: HostId, name: &str) {
        self.stop_apply_worker(h, name, StopWhy::Disabled);
    }

    /// The furthest position the apply workers of subscription `name` on `h` reported
    /// to the publisher (everything committed before it was applied or skipped).
    pub fn subscription_reported(&self, h: HostId, name: &str) -> Lsn {
        let id = self.data(h).map_or(0, |d| d.system_id);
        Lsn(self
            .logical
            .reported
            .get(&(id, name.to_string()))
            .copied()
            .unwrap_or(0))
    }

    /// DROP SUBSCRIPTION: its statistics go with it.
    pub fn forget_subscription_stats(&mut self, h: HostId, name: &str) {
        if let Some(id) = self.data(h).map(|d| d.system_id) {
            self.logical.stats.remove(&(id, name.to_string()));
            self.logical.reported.remove(&(id, name.to_string()));
        }
    }

    /// ALTER SUBSCRIPTION ... REFRESH PUBLICATION: a running worker copies the tables
    /// that were added.
    pub fn sync_new_tables(&mut self, h: HostId, name: &str) {
        let conn = self.server(h).and_then(|s| {
            s.apply
                .iter()
                .find(|w| w.subscription == name && w.streaming)
                .map(|w| w.conn)
        });
        if let Some(conn) = conn {
            self.start_table_syncs(h, conn);
        }
    }

    /// The publisher accepted: the tables not yet copied get their copy.
    fn on_apply_accepted(&mut self, h: HostId, conn: ConnId) {
        let Some(w) = self.worker_mut(h, conn) else {
            return;
        };
        w.streaming = true;
        self.start_table_syncs(h, conn);
    }

    fn start_table_syncs(&mut self, h: HostId, conn: ConnId) {
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

    fn set_rel_state(&mut self, h: HostId, sub: &str, table: &str, state: char, lsn: Option<u64>) {
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
    pub(crate) fn on_copy_request(&mut self, p: HostId, from: HostId, conn: ConnId, table: &str) {
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

    fn on_copy_data(
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
    fn promote_synced(&mut self, h: HostId, name: &str) {
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
            for rel in sub.tables.values_mut() {
                if rel.state == 's' && rel.lsn.is_some_and(|l| l <= reached) {
                    rel.state = 'r';
                }
            }
        }
    }

    fn count_error(&mut self, h: HostId, name: &str, apply: bool) {
        let Some(id) = self.data(h).map(|d| d.system_id) else {
            return;
        };
        let e = self
            .logical
            .stats
            .entry((id, name.to_string()))
            .or_insert((0, 0));
        if apply {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }

    /// Decoded transactions from the publisher: each is applied in its own local
    /// transaction; the first that fails ends the worker.
    fn on_changes(
        &mut self,
        h: HostId,
        conn: ConnId,
        upto: Lsn,
        txns: Vec<DecodedTxn>,
        sent_at: SimTime,
    ) {
        let now = self.now;
        let Some(w) = self.worker_mut(h, conn) else {
            return;
        };
        w.last_msg_send_time = Some(sent_at);
        w.last_msg_receipt_time = Some(now);
        let (name, pid) = (w.subscription.clone(), w.pid);
        for txn in &txns {
            let Some(sub) = self.subscription(h, &name).cloned() else {
                return;
            };
            if txn.end.0 <= sub.origin_lsn {
                continue;
            }
            if let Err(e) = self.apply_txn(h, pid, &name, &sub, txn) {
                let origin = format!("pg_{}", sub.oid);
                let target = e
                    .relation
                    .map(|r| format!(" for replication target relation \"public.{r}\""))
                    .unwrap_or_default();
                self.log(h, pid, "ERROR", &e.message);
                if let Some(d) = &e.detail {
                    self.log(h, pid, "DETAIL", d);
                }
                self.log(h, pid, "CONTEXT", &format!("processing remote data for replication origin \"{origin}\" during message type \"{}\"{target} in transaction {}, finished at {}", e.kind, txn.xid, txn.commit));
                self.count_error(h, &name, true);
                self.end_apply_worker(h, conn, true);
                return;
            }
        }
        if let Some(w) = self.worker_mut(h, conn) {
            w.received = w.received.max(upto);
            if w.latest_end_lsn < upto {
                w.latest_end_time = Some(sent_at);
            }
            w.latest_end_lsn = w.latest_end_lsn.max(upto);
        }
        self.promote_synced(h, &name);
        self.apply_reply(h, conn);
    }

    /// The worker's status to the walsender: everything received was applied (or
    /// skipped), so that is what it confirms.
    fn apply_reply(&mut self, h: HostId, conn: ConnId) {
        let Some(w) = self.worker(h, conn) else {
            return;
        };
        let (publisher, received, name) = (w.publisher, w.received, w.subscription.clone());
        let origin = Lsn(self.subscription(h, &name).map_or(0, |s| s.origin_lsn));
        let pos = received.max(origin);
        if pos == Lsn(0) {
            return;
        }
        if let Some(id) = self.data(h).map(|d| d.system_id) {
            let r = self.logical.reported.entry((id, name)).or_insert(0);
            *r = (*r).max(pos.0);
        }
        let now = self.now;
        self.send(
            h,
            publisher,
            Message::Reply {
                conn,
                write: pos,
                flush: pos,
                apply: pos,
                sent_at: now,
                ping: false,
            },
        );
    }

    /// The apply workers' periodic status (wal_receiver_status_interval) and timeout
    /// (wal_receiver_timeout).
    pub(crate) fn on_apply_status(&mut self, h: HostId) {
        let Some(s) = self.server_mut(h) else { return };
        s.apply_status_pending = false;
        if s.apply.is_empty() {
            return;
        }
        let timeout = s.settings.int("wal_receiver_timeout").max(0) as u64;
        let workers: Vec<(ConnId, u32, Option<SimTime>, bool)> = s
            .apply
            .iter()
            .map(|w| (w.conn, w.pid, w.last_msg_receipt_time, w.streaming))
            .collect();
        let now = self.now;
        for (conn, pid, last, streaming) in workers {
            let quiet = last.map_or(SimDuration::ZERO, |t| now - t);
            if streaming && timeout > 0 && quiet.0 >= timeout * 1000 {
                self.log(
                    h,
                    pid,
                    "ERROR",
                    "terminating logical replication worker due to timeout",
                );
                self.end_apply_worker(h, conn, true);
            } else if streaming {
                self.apply_reply(h, conn);
            }
        }
        if let Some(s) = self.server_mut(h) {
            if !s.apply.is_empty() {
                s.apply_status_pending = true;
                let interval = s.settings.int("wal_receiver_status_interval").max(1) as u64;
                self.timer(h, SimDuration::from_secs(interval), Timer::ApplyStatus);
            }
        }
    }

    /// Writes a transaction the apply worker built: its records, a commit, a flush.
    fn write_local_txn(&mut self, h: HostId, changes: Vec<(u64, Change)>) {
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
    fn apply_txn(
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
    fn build_changes(
        &mut self,
        h: HostId,
        sub: &Subscription,
        txn: &DecodedTxn,
        out: &mut Vec<(u64, Change)>,
        undo: &mut Vec<crate::sim::db::Undo>,
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
fn column_map(
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
fn missing_columns_error(table: &str, missing: &[String]) -> Option<String> {
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
fn unique_violation(
    t: &crate::sim::db::Table,
    table: &str,
    row: &[Value],
) -> Option<(String, String)> {
    let rel = table.rsplit('.').next().unwrap_or(table);
    let pk: Vec<usize> = (0..t.columns.len())
        .filter(|&i| t.columns[i].primary_key)
        .collect();
    let mut indexes = Vec::new();
    if !pk.is_empty() {
        indexes.push((format!("{rel}_pkey"), pk));
    }
    for (i, c) in t.columns.iter().enumerate().filter(|(_, c)| c.unique) {
        indexes.push((format!("{rel}_{}_key", c.name), vec![i]));
    }
    for (name, cols) in indexes {
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
