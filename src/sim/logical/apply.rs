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

use crate::cluster::Cluster;
use crate::event::{ConnId, ConnectRequest, DecodedTxn, HostId, LogicalStart, Message, Timer};
use crate::libpq::Client;
use crate::lsn::{Lsn, TimelineId};
use crate::proc::ApplyWorker;
use crate::time::{SimDuration, SimTime};

use super::subscription::StopWhy;

/// The worker's exit as the postmaster logs it.
const EXIT_LINE: &str =
    "background worker \"logical replication worker\" (PID {pid}) exited with exit code 1";

/// An error while applying a remote transaction: the ERROR, its DETAIL, and what the
/// CONTEXT line names (the message type and, for some errors, the target relation).
pub(super) struct ApplyError {
    pub(super) message: String,
    pub(super) detail: Option<String>,
    pub(super) kind: &'static str,
    pub(super) relation: Option<String>,
}

impl Cluster {
    /// wal_retrieve_retry_interval of the server on `h`.
    pub(super) fn retry_interval(&self, h: HostId) -> SimDuration {
        let ms = self
            .server(h)
            .map_or(5000, |s| s.settings.int("wal_retrieve_retry_interval"))
            .max(1);
        SimDuration::from_millis(ms as u64)
    }

    /// The subscriptions that want a worker and have none.
    pub(super) fn subscriptions_due(&self, h: HostId) -> Vec<String> {
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
    pub fn wake_launcher(&mut self, h: HostId) {
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
    pub fn on_apply_launcher(&mut self, h: HostId) {
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

    pub(super) fn start_apply_worker(&mut self, h: HostId, name: &str) {
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
        let target = crate::conninfo::ConnInfo::parse(&sub.conninfo).and_then(|info| {
            self.libpq_connect(Client::Host(h), &info, "postgres", false)
                .map(|r| (r, info))
        });
        let (reached, info) = match target {
            Ok(t) => t,
            Err(e) => {
                let msg = format!("could not connect to the publisher: {e}");
                self.worker_error(h, pid, name, None, &msg);
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

    pub(super) fn log_worker_exit(&mut self, h: HostId, pid: u32) {
        let postmaster = self.server(h).map_or(0, |s| s.pid);
        self.log(
            h,
            postmaster,
            "LOG",
            &EXIT_LINE.replace("{pid}", &pid.to_string()),
        );
    }

    /// Logs an apply worker's ERROR and keeps its first line as why subscription `name`
    /// stopped replicating (until a worker streams again).
    fn worker_error(
        &mut self,
        h: HostId,
        pid: u32,
        name: &str,
        publisher: Option<HostId>,
        msg: &str,
    ) {
        self.log(h, pid, "ERROR", msg);
        let first = msg.lines().next().unwrap_or_default().to_string();
        if let Some(s) = self.server_mut(h) {
            s.apply_stopped.insert(name.to_string(), (publisher, first));
        }
    }

    /// Ends a worker: it leaves the publisher's walsender (a clean goodbye), and the
    /// launcher starts it again when the subscription still wants one.
    pub(super) fn end_apply_worker(&mut self, h: HostId, conn: ConnId, exit_line: bool) {
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
    pub fn stop_apply_worker(&mut self, h: HostId, name: &str, why: StopWhy) {
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
            if why == StopWhy::Dropped {
                s.apply_stopped.remove(name);
            } else {
                // Where the stage draws the disabled subscription's stopped link.
                let what = "the subscription was disabled".to_string();
                s.apply_stopped
                    .insert(name.to_string(), (Some(w.publisher), what));
            }
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
    pub fn is_apply_conn(&self, h: HostId, conn: ConnId) -> bool {
        self.server(h)
            .is_some_and(|s| s.apply.iter().any(|w| w.conn == conn))
    }

    pub(super) fn worker(&self, h: HostId, conn: ConnId) -> Option<&ApplyWorker> {
        self.server(h)?.apply.iter().find(|w| w.conn == conn)
    }

    pub(super) fn worker_mut(&mut self, h: HostId, conn: ConnId) -> Option<&mut ApplyWorker> {
        self.server_mut(h)?
            .apply
            .iter_mut()
            .find(|w| w.conn == conn)
    }

    /// A message for one of the apply workers of `h`.
    pub fn on_apply_message(&mut self, h: HostId, from: HostId, msg: Message) {
        match msg {
            Message::Refused { conn, error } => {
                let Some((pid, name)) = self
                    .worker(h, conn)
                    .map(|w| (w.pid, w.subscription.clone()))
                else {
                    return;
                };
                let msg = if error.starts_with("could not") {
                    error
                } else {
                    format!("could not connect to the publisher: {error}")
                };
                self.worker_error(h, pid, &name, Some(from), &msg);
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
                if let Some((pid, name)) = self
                    .worker(h, conn)
                    .map(|w| (w.pid, w.subscription.clone()))
                {
                    let msg = format!("could not receive data from WAL stream: ERROR:  {error}");
                    self.worker_error(h, pid, &name, Some(from), &msg);
                    if let Some(s) = self.server_mut(h) {
                        s.apply.retain(|w| w.conn != conn);
                    }
                    self.log_worker_exit(h, pid);
                    self.wake_launcher(h);
                }
            }
            Message::Closed { conn, clean } => {
                if let Some((pid, name)) = self
                    .worker(h, conn)
                    .map(|w| (w.pid, w.subscription.clone()))
                {
                    if clean {
                        // Real, PostgreSQL 15.18: the publisher stopped with `pg_ctl stop
                        // -m fast`.
                        self.log(h, pid, "LOG", "data stream from publisher has ended");
                        self.worker_error(h, pid, &name, Some(from), "could not send end-of-streaming message to primary: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\nno COPY in progress");
                    } else {
                        self.worker_error(h, pid, &name, Some(from), "could not receive data from WAL stream: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.");
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
    pub(super) fn on_apply_accepted(&mut self, h: HostId, conn: ConnId) {
        let Some(w) = self.worker_mut(h, conn) else {
            return;
        };
        w.streaming = true;
        let name = w.subscription.clone();
        if let Some(s) = self.server_mut(h) {
            s.apply_stopped.remove(&name);
        }
        self.start_table_syncs(h, conn);
    }

    pub(super) fn count_error(&mut self, h: HostId, name: &str, apply: bool) {
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
    pub(super) fn on_changes(
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
                let publisher = self.worker(h, conn).map(|w| w.publisher);
                self.worker_error(h, pid, &name, publisher, &e.message);
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
    pub(super) fn apply_reply(&mut self, h: HostId, conn: ConnId) {
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
    pub fn on_apply_status(&mut self, h: HostId) {
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
                let msg = "terminating logical replication worker due to timeout";
                match self
                    .worker(h, conn)
                    .map(|w| (w.subscription.clone(), w.publisher))
                {
                    Some((name, publisher)) => {
                        self.worker_error(h, pid, &name, Some(publisher), msg)
                    }
                    None => self.log(h, pid, "ERROR", msg),
                }
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
}
