//! The walreceiver (walreceiver.c): a standby connecting to its primary (primary_conninfo,
//! .pgpass), receiving WAL, writing and flushing it, replying with its positions, and
//! retrying when the connection fails.

use super::cluster::Cluster;
use super::conninfo::{self, connection_refused};
use super::event::{ConnId, ConnectRequest, EventKind, HostId, Message, Timer};
use super::lsn::{Lsn, TimelineId};
use super::proc::{ReceiverStatus, WalReceiver};
use super::time::{SimDuration, SimTime};
use super::PGDATA;

impl Cluster {
    pub(super) fn on_refused(&mut self, standby: HostId, conn: ConnId, error: &str) {
        if self.receiver_for(standby, conn).is_none() {
            return;
        }
        let msg = if error.starts_with("could not") || error.starts_with("highest timeline") {
            error.to_string()
        } else {
            format!("could not connect to the primary server: {error}")
        };
        self.receiver_failed(standby, &msg);
    }

    pub(super) fn on_accepted(
        &mut self,
        standby: HostId,
        conn: ConnId,
        _pid: u32,
        tli: TimelineId,
        history: Vec<super::wal::HistoryEntry>,
    ) {
        let Some(rcv) = self.receiver_for(standby, conn) else {
            return;
        };
        let start = rcv.receive_start_lsn;
        let rpid = rcv.pid;
        let Some(data) = self.data(standby) else {
            return;
        };
        let own_tli = data.wal.tli;
        let own_end = data.wal.flush;
        let mut followed = false;
        if tli > own_tli {
            // Follow the primary's newer timeline if we have not gone past its fork.
            let fork = history
                .iter()
                .find(|h| h.tli == own_tli)
                .map(|h| h.switchpoint);
            match fork {
                Some(point) if own_end <= point || data.applied <= point => {
                    let startup = self.server(standby).map_or(0, |s| s.startup_pid);
                    self.log(
                        standby,
                        rpid,
                        "LOG",
                        &format!(
                            "fetching timeline history file for timeline {tli} from primary server"
                        ),
                    );
                    if let Some(d) = self.data_mut(standby) {
                        if d.wal.flush > point {
                            d.wal.truncate(point);
                        }
                        d.wal.history = history.clone();
                        d.wal.tli = tli;
                    }
                    let text = history
                        .iter()
                        .map(|h| {
                            format!(
                                "{}\t{}\tno recovery target specified\n",
                                h.tli, h.switchpoint
                            )
                        })
                        .collect::<String>();
                    self.host_mut(standby)
                        .files
                        .insert(format!("{PGDATA}/pg_wal/{:08X}.history", tli.0), text);
                    // PostgreSQL streams the old timeline to its end first, then switches:
                    // the walreceiver and startup process say so in this order. The model
                    // takes both steps at once.
                    self.log(
                        standby,
                        rpid,
                        "LOG",
                        &format!(
                            "started streaming WAL from primary at {start} on timeline {own_tli}"
                        ),
                    );
                    self.log(
                        standby,
                        rpid,
                        "LOG",
                        "replication terminated by primary server",
                    );
                    self.log(
                        standby,
                        rpid,
                        "DETAIL",
                        &format!("End of WAL reached on timeline {own_tli} at {point}."),
                    );
                    self.log(
                        standby,
                        startup,
                        "LOG",
                        &format!("new target timeline is {tli}"),
                    );
                    let restart = point.segment_start();
                    self.log(
                        standby,
                        rpid,
                        "LOG",
                        &format!("restarted WAL streaming at {restart} on timeline {tli}"),
                    );
                    if let Some(r) = self.receiver_for(standby, conn) {
                        r.receive_start_lsn = restart;
                    }
                    followed = true;
                    let name = self.host(standby).name.clone();
                    self.note(standby, EventKind::Timeline, format!("{name} follows timeline {tli}"),
                        "The standby read the new primary's history file and switched to its timeline.");
                }
                _ => {
                    let at = data.applied.max(own_end);
                    let msg = format!("new timeline {tli} forked off current database system timeline {own_tli} before current recovery point {at}");
                    let startup = self.server(standby).map_or(0, |s| s.startup_pid);
                    self.log(standby, startup, "LOG", &msg);
                    self.send(
                        standby,
                        self.receiver_primary(standby),
                        Message::Closed { conn, clean: true },
                    );
                    self.stop_receiver_quiet(standby);
                    self.retry_receiver(standby);
                    return;
                }
            }
        }
        let tli_now = self.data(standby).map_or(tli, |d| d.wal.tli);
        if !followed {
            self.log(
                standby,
                rpid,
                "LOG",
                &format!("started streaming WAL from primary at {start} on timeline {tli_now}"),
            );
        }
        let now = self.now;
        if let Some(r) = self.receiver_for(standby, conn) {
            r.status = ReceiverStatus::Streaming;
            r.receive_start_tli = tli_now;
            r.last_msg_receipt_time = Some(now);
        }
        // The first status message goes out at once: the primary's pg_stat_replication
        // shows the standby's positions (the stream's start) before any WAL flows.
        self.send_reply(standby, false);
        let (sname, pname) = (
            self.host(standby).name.clone(),
            self.host(self.receiver_primary(standby)).name.clone(),
        );
        self.note(
            standby,
            EventKind::Connected,
            format!("{sname} streaming from {pname}"),
            "The walreceiver is connected: WAL now flows as soon as the primary flushes it.",
        );
    }

    pub(super) fn receiver_primary(&self, standby: HostId) -> HostId {
        self.server(standby)
            .and_then(|s| s.receiver.as_ref())
            .map_or(standby, |r| r.primary)
    }

    pub(super) fn receiver_for(
        &mut self,
        standby: HostId,
        conn: ConnId,
    ) -> Option<&mut WalReceiver> {
        self.server_mut(standby)?
            .receiver
            .as_mut()
            .filter(|r| r.conn == Some(conn))
    }

    pub(super) fn on_data(
        &mut self,
        standby: HostId,
        conn: ConnId,
        upto: Lsn,
        records: &[super::wal::WalRecord],
        sent_at: SimTime,
        primary_end: Lsn,
    ) {
        let now = self.now;
        let Some(r) = self.receiver_for(standby, conn) else {
            let primary = self.hosts.iter().position(|_| false).map(HostId);
            let _ = primary;
            return;
        };
        r.last_msg_send_time = Some(sent_at);
        r.last_msg_receipt_time = Some(now);
        r.latest_end_lsn = primary_end;
        r.latest_end_time = Some(sent_at);
        let before = r.written;
        r.written = r.written.max(upto);
        r.received_data = true;
        let speed = self.host(standby).disk_speed;
        if speed.is_none() {
            if let Some(r) = self.receiver_for(standby, conn) {
                r.flushed = r.written;
            }
        }
        if let Some(d) = self.data_mut(standby) {
            let flushed = d.wal.flush;
            d.wal.receive(records, upto);
            if speed.is_some() {
                // Written to the kernel at once; on disk when the disk gets to it.
                d.wal.flush = flushed;
            }
        }
        if let Some(rate) = speed {
            self.queue_flush(standby, upto.0.saturating_sub(before.0), upto, rate);
        }
        self.send_reply(standby, false);
        self.replay_available(standby);
    }

    /// Queues the flush of `bytes` of received WAL (up to `upto`) on a disk that writes
    /// `rate` bytes a second, after what is already queued on it.
    fn queue_flush(&mut self, standby: HostId, bytes: u64, upto: Lsn, rate: u64) {
        let now = self.now;
        let host = self.host_mut(standby);
        let start = host.disk_busy_until.max(now);
        let took = bytes.saturating_mul(1_000_000) / rate.max(1);
        let done = SimTime(start.0.saturating_add(took));
        host.disk_busy_until = done;
        self.timer(
            standby,
            SimDuration(done.0 - now.0),
            Timer::WalFlushed(upto),
        );
    }

    /// The slow disk flushed received WAL up to `upto`: the walreceiver reports it, and
    /// the startup process may replay it.
    pub(super) fn on_wal_flushed(&mut self, standby: HostId, upto: Lsn) {
        if let Some(d) = self.data_mut(standby) {
            d.wal.flush = d.wal.flush.max(upto.min(d.wal.write));
        }
        if let Some(r) = self.server_mut(standby).and_then(|s| s.receiver.as_mut()) {
            r.flushed = r.flushed.max(upto.min(r.written));
        }
        self.send_reply(standby, false);
        self.replay_available(standby);
    }

    /// The walreceiver's status message: what it wrote, flushed and replayed.
    pub(super) fn send_reply(&mut self, standby: HostId, ping: bool) {
        let Some(server) = self.server(standby) else {
            return;
        };
        let Some(r) = server.receiver.as_ref() else {
            return;
        };
        let (Some(conn), ReceiverStatus::Streaming) = (r.conn, r.status) else {
            return;
        };
        let primary = r.primary;
        let (written, flushed) = (r.written, r.flushed);
        let Some(d) = self.data(standby) else { return };
        // Like the walreceiver, report what this stream wrote; the replay position is
        // capped at it (after a reconnect replay can be ahead of the new stream).
        let msg = Message::Reply {
            conn,
            write: written,
            flush: flushed,
            apply: d.applied.min(written),
            sent_at: self.now,
            ping,
        };
        self.send(standby, primary, msg);
    }

    /// Starts the walreceiver (if primary_conninfo is set) and asks to stream.
    pub(super) fn start_receiver(&mut self, standby: HostId) {
        let Some(server) = self.server(standby) else {
            return;
        };
        if !server.standby || server.receiver.is_some() {
            return;
        }
        let settings = server.settings.clone();
        let raw = settings.text("primary_conninfo");
        if raw.trim().is_empty() {
            return;
        }
        let pid = self.pid(standby);
        let params = match conninfo::parse(&raw) {
            Ok(p) => p,
            Err(e) => {
                self.log(
                    standby,
                    pid,
                    "FATAL",
                    &format!("could not connect to the primary server: {e}"),
                );
                self.retry_receiver(standby);
                return;
            }
        };
        // Several hosts, or a target_session_attrs: libpq walks the list and the
        // walreceiver streams from the first server that suits.
        let chosen = match conninfo::ConnInfo::from_options(params.clone()) {
            Ok(info)
                if info.hosts.len() > 1 || info.target != conninfo::TargetSessionAttrs::Any =>
            {
                let client = super::libpq::Client::Host(standby);
                match self.libpq_connect(client, &info, "postgres", true) {
                    Ok(r) if r.local => Some(("localhost".to_string(), r.port)),
                    Ok(r) => Some((r.host, r.port)),
                    Err(e) => {
                        let msg = format!("could not connect to the primary server: {e}");
                        self.log(standby, pid, "FATAL", &msg);
                        self.retry_receiver(standby);
                        return;
                    }
                }
            }
            Ok(_) => None,
            Err(e) => {
                let msg = format!("could not connect to the primary server: {e}");
                self.log(standby, pid, "FATAL", &msg);
                self.retry_receiver(standby);
                return;
            }
        };
        let host_name = match &chosen {
            Some((h, _)) => h.clone(),
            None => params
                .get("host")
                .or(params.get("hostaddr"))
                .cloned()
                .unwrap_or_else(|| "localhost".to_string()),
        };
        let port: u16 = match &chosen {
            Some((_, p)) => *p,
            None => params
                .get("port")
                .and_then(|p| p.parse().ok())
                .unwrap_or(5432),
        };
        let cluster_name = settings.text("cluster_name");
        let app = params
            .get("application_name")
            .cloned()
            .unwrap_or(if cluster_name.is_empty() {
                "walreceiver".to_string()
            } else {
                cluster_name
            });
        let user = params
            .get("user")
            .cloned()
            .unwrap_or_else(|| "postgres".to_string());
        if !params.contains_key("password") {
            // libpq in the walreceiver writes its warning to stderr: a bare line of the log.
            if let Some(w) = self.pgpass_warning(standby) {
                self.log_raw(standby, &w);
            }
        }
        let password = params
            .get("password")
            .cloned()
            .or_else(|| self.pgpass_lookup(standby, &host_name, port, &user));
        let slot = Some(settings.text("primary_slot_name")).filter(|s| !s.is_empty());
        let Some(data) = self.data(standby) else {
            return;
        };
        let start = data.wal.flush.segment_start();
        let tli = data.wal.tli;
        let primary = match self.resolve(&host_name).and_then(|a| self.host_by_addr(a)) {
            Some(p) => p,
            None => {
                let msg = if host_name == "localhost" || host_name == "127.0.0.1" {
                    format!(
                        "could not connect to the primary server: {}",
                        connection_refused(&host_name, "127.0.0.1", port)
                    )
                } else {
                    format!("could not connect to the primary server: could not translate host name \"{host_name}\" to address: Name or service not known")
                };
                self.log(standby, pid, "FATAL", &msg);
                self.retry_receiver(standby);
                return;
            }
        };
        if primary == standby {
            let msg = format!(
                "could not connect to the primary server: {}",
                connection_refused(&host_name, "127.0.0.1", port)
            );
            self.log(standby, pid, "FATAL", &msg);
            self.retry_receiver(standby);
            return;
        }
        let conn = self.new_conn();
        let sender_host = host_name.clone();
        if let Some(s) = self.server_mut(standby) {
            s.receiver = Some(WalReceiver {
                pid,
                status: ReceiverStatus::Starting,
                conn: Some(conn),
                primary,
                receive_start_lsn: start,
                receive_start_tli: tli,
                written: start,
                flushed: start,
                received_data: false,
                last_msg_send_time: None,
                last_msg_receipt_time: None,
                latest_end_lsn: Lsn(0),
                latest_end_time: None,
                slot_name: slot.clone(),
                sender_host,
                sender_port: port,
                conninfo: raw,
            });
        }
        let req = ConnectRequest {
            conn,
            host: host_name,
            user,
            password,
            application_name: app,
            slot,
            start,
            tli,
            port,
            logical: None,
        };
        self.send(standby, primary, Message::Connect(req));
    }

    /// Looks up `~/.pgpass` (`host:port:database:user:password`) on the client.
    pub fn pgpass_lookup(
        &self,
        client: HostId,
        host: &str,
        port: u16,
        user: &str,
    ) -> Option<String> {
        if self.pgpass_warning(client).is_some() {
            return None;
        }
        let text = self
            .host(client)
            .files
            .get(&format!("{}/.pgpass", super::PGHOME))?;
        text.lines().find_map(|line| {
            let f: Vec<&str> = line.splitn(5, ':').collect();
            let m = |pat: &str, v: &str| pat == "*" || pat == v;
            (f.len() == 5
                && m(f[0], host)
                && m(f[1], &port.to_string())
                && (m(f[2], "replication") || f[2] == "*")
                && m(f[3], user))
            .then(|| f[4].to_string())
        })
    }

    /// What libpq writes to stderr when `~/.pgpass` exists but the group or others may
    /// use it (passwordFromFile): it then ignores the file. Checked against libpq 15
    /// (`echo ... > ~/.pgpass` makes it 0644: `pg_basebackup -w` printed this and then
    /// `fe_sendauth: no password supplied`).
    pub fn pgpass_warning(&self, client: HostId) -> Option<String> {
        let path = format!("{}/.pgpass", super::PGHOME);
        let host = self.host(client);
        host.files.get(&path)?;
        (host.meta_of(&path, false).mode & 0o077 != 0).then(|| {
            format!("WARNING: password file \"{path}\" has group or world access; permissions should be u=rw (0600) or less")
        })
    }

    pub(super) fn receiver_failed(&mut self, standby: HostId, message: &str) {
        let pid = self
            .server(standby)
            .and_then(|s| s.receiver.as_ref())
            .map_or(0, |r| r.pid);
        self.log(standby, pid, "FATAL", message);
        let was_streaming = self
            .server(standby)
            .and_then(|s| s.receiver.as_ref())
            .is_some_and(|r| r.status == ReceiverStatus::Streaming);
        self.stop_receiver_quiet(standby);
        self.retry_receiver(standby);
        let name = self.host(standby).name.clone();
        let first = message.lines().next().unwrap_or("").to_string();
        if was_streaming
            || !self
                .events
                .last()
                .is_some_and(|e| e.host == standby && e.text.ends_with(&first))
        {
            self.note(standby, EventKind::Error, format!("{name}: {first}"),
                "The walreceiver exited; the startup process retries every wal_retrieve_retry_interval (5s).");
        }
    }

    pub fn stop_receiver(&mut self, standby: HostId, why: &str) {
        let Some(r) = self.server(standby).and_then(|s| s.receiver.clone()) else {
            return;
        };
        self.log(standby, r.pid, "FATAL", why);
        if let Some(conn) = r.conn {
            self.send(standby, r.primary, Message::Closed { conn, clean: true });
        }
        self.stop_receiver_quiet(standby);
    }

    pub(super) fn stop_receiver_quiet(&mut self, standby: HostId) {
        if let Some(s) = self.server_mut(standby) {
            s.receiver = None;
        }
    }

    pub(super) fn retry_receiver(&mut self, standby: HostId) {
        let ms = self.server(standby).map_or(5000, |s| {
            s.settings.int("wal_retrieve_retry_interval").max(1)
        });
        self.timer(
            standby,
            SimDuration::from_millis(ms as u64),
            Timer::ReceiverStart,
        );
    }

    // ---- replay ---------------------------------------------------------------------
}

#[cfg(test)]
mod tests;
