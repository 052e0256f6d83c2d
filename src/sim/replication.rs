//! Streaming replication: walsenders on the primary, the walreceiver and startup
//! process on a standby, and synchronous commit.
//!
//! Simplifications, on purpose: the walsender sends at most 128kB per message
//! (MAX_SEND_SIZE) and the next one when the link has taken the previous one; the
//! walreceiver writes and flushes each message at once and then replies (as it does
//! when no more data is waiting); replay runs at a fixed rate (bytes per second) and
//! hot-standby query conflicts are not modelled.

use super::cluster::{
    connection_refused, server_at, Cluster, ConnId, ConnectRequest, EventKind, HostId, Message,
    SessionOutput, Timer,
};
use super::conninfo;
use super::lsn::{Lsn, TimelineId};
use super::server::{listens_on, ReceiverStatus, SenderState, SyncWait, WalReceiver, WalSender};
use super::syncrep::{self, Candidate, SyncConfig};
use super::time::{SimDuration, SimTime};
use super::wal::{self, RecordBody};
use super::{hba, PGDATA};

/// The most a walsender puts in one message (MAX_SEND_SIZE).
pub const MAX_SEND: u64 = 128 * 1024;
/// How fast the startup process replays WAL, in bytes per second.
pub const REPLAY_RATE: u64 = 100 * 1024 * 1024;

/// Who is connecting, for the checks a server makes on a new connection.
#[derive(Clone, Debug)]
pub struct ConnectAttempt<'a> {
    pub client: HostId,
    /// The server's host as the client named it, for libpq's error text.
    pub host: &'a str,
    pub user: &'a str,
    pub password: Option<&'a str>,
    pub replication: bool,
    pub database: &'a str,
    pub port: u16,
}

impl Cluster {
    /// The checks a server makes when a client connects, in PostgreSQL's order:
    /// listening address and port, pg_hba.conf, authentication, role attributes, and
    /// for replication max_wal_senders. The error is libpq's text after
    /// `connection to server at ... failed: ` (FATAL messages included).
    pub fn check_connect(&self, server: HostId, a: &ConnectAttempt) -> Result<(), String> {
        let host = self.host(server);
        // localhost is the loopback address, whatever the host's own address is.
        let addr = if matches!(a.host, "localhost" | "127.0.0.1") {
            "127.0.0.1".to_string()
        } else {
            host.addr_text()
        };
        let prefix = server_at(a.host, &addr, a.port);
        let Some(srv) = host.server.as_ref() else {
            return Err(connection_refused(a.host, &addr, a.port));
        };
        let listen = srv.settings.text("listen_addresses");
        let same_host = a.client == server;
        if (!same_host && !listens_on(&listen, &addr, &host.name))
            || srv.settings.int("port") != a.port as i64
        {
            return Err(connection_refused(a.host, &addr, a.port));
        }
        let client_addr = if same_host {
            [127, 0, 0, 1]
        } else {
            self.host(a.client).addr
        };
        let client_text = format!(
            "{}.{}.{}.{}",
            client_addr[0], client_addr[1], client_addr[2], client_addr[3]
        );
        let fatal = |msg: String| format!("{prefix} failed: FATAL:  {msg}");
        if srv.standby && !srv.consistent {
            return Err(fatal("the database system is not yet accepting connections\nDETAIL:  Consistent recovery state has not been yet reached.".to_string()));
        }
        if srv.standby && !a.replication && !srv.settings.bool("hot_standby") {
            return Err(fatal("the database system is not accepting connections\nDETAIL:  Hot standby mode is disabled.".to_string()));
        }
        let req = hba::Request {
            local: false,
            ssl: false,
            database: a.database,
            replication: a.replication,
            user: a.user,
            client_addr,
        };
        let resolve = |name: &str| self.resolve(name);
        let kind = if a.replication {
            "replication connection"
        } else {
            "connection"
        };
        let db_part = if a.replication {
            String::new()
        } else {
            format!(", database \"{}\"", a.database)
        };
        let Some(line) = hba::find_match(&srv.hba, &req, &resolve) else {
            return Err(fatal(format!("no pg_hba.conf entry for {kind} from host \"{client_text}\", user \"{}\"{db_part}, no encryption", a.user)));
        };
        let role = data_role(self, server, a.user);
        match line.method {
            hba::Method::Reject => {
                return Err(fatal(format!("pg_hba.conf rejects {kind} for host \"{client_text}\", user \"{}\"{db_part}, no encryption", a.user)));
            }
            hba::Method::Trust => {
                if role.is_none() {
                    return Err(fatal(format!("role \"{}\" does not exist", a.user)));
                }
            }
            hba::Method::Md5 | hba::Method::ScramSha256 | hba::Method::Password => {
                let Some(given) = a.password else {
                    return Err(format!(
                        "{prefix} failed: fe_sendauth: no password supplied"
                    ));
                };
                let ok = role.as_ref().and_then(|r| r.password.as_deref()) == Some(given);
                if !ok {
                    return Err(fatal(format!(
                        "password authentication failed for user \"{}\"",
                        a.user
                    )));
                }
            }
            hba::Method::Peer | hba::Method::Ident => {
                return Err(fatal(format!(
                    "Ident authentication failed for user \"{}\"",
                    a.user
                )));
            }
        }
        let Some(role) = role else {
            return Err(fatal(format!("role \"{}\" does not exist", a.user)));
        };
        if !role.login {
            return Err(fatal(format!(
                "role \"{}\" is not permitted to log in",
                a.user
            )));
        }
        if a.replication {
            if !role.replication && !role.superuser {
                return Err(fatal(
                    "must be superuser or replication role to start walsender".to_string(),
                ));
            }
            let max = srv.settings.int("max_wal_senders");
            if srv.senders.len() as i64 >= max {
                return Err(fatal(format!("number of requested standby connections exceeds max_wal_senders (currently {max})")));
            }
        }
        Ok(())
    }

    // ---- messages -----------------------------------------------------------------------

    pub(crate) fn on_message(&mut self, to: HostId, from: HostId, msg: Message) {
        match msg {
            Message::Connect(req) => self.on_connect(to, from, req),
            Message::Refused { conn, error } => self.on_refused(to, conn, &error),
            Message::Accepted {
                conn,
                pid,
                tli,
                history,
            } => self.on_accepted(to, conn, pid, tli, history),
            Message::Data {
                conn,
                upto,
                records,
                sent_at,
                primary_end,
            } => self.on_data(to, conn, upto, &records, sent_at, primary_end),
            Message::Keepalive { conn, end, sent_at } => {
                let now = self.now;
                if let Some(r) = self.receiver_for(to, conn) {
                    r.last_msg_send_time = Some(sent_at);
                    r.last_msg_receipt_time = Some(now);
                    r.latest_end_lsn = r.latest_end_lsn.max(end);
                    let _ = r;
                    self.send_reply(to, false);
                } else {
                    self.reset(to, from, conn);
                }
            }
            Message::Reply {
                conn,
                write,
                flush,
                apply,
                sent_at,
                ping,
            } => self.on_reply(to, from, conn, [write, flush, apply], sent_at, ping),
            Message::StreamError { conn, error } => {
                if self.receiver_for(to, conn).is_some() {
                    self.receiver_failed(
                        to,
                        &format!("could not receive data from WAL stream: ERROR:  {error}"),
                    );
                }
            }
            Message::Closed { conn, clean } => self.on_closed(to, conn, clean),
        }
    }

    /// A message for a connection this host does not know: answer with a reset.
    fn reset(&mut self, at: HostId, to: HostId, conn: ConnId) {
        self.send(at, to, Message::Closed { conn, clean: false });
    }

    fn on_connect(&mut self, primary: HostId, standby: HostId, req: ConnectRequest) {
        let attempt = ConnectAttempt {
            client: standby,
            host: &req.host,
            user: &req.user,
            password: req.password.as_deref(),
            replication: true,
            database: "replication",
            port: req.port,
        };
        if let Err(e) = self.check_connect(primary, &attempt) {
            let pid = self.pid(primary);
            if let Some(fatal) = e
                .split_once("FATAL:  ")
                .map(|(_, m)| m.lines().next().unwrap_or("").to_string())
            {
                self.log(primary, pid, "FATAL", &fatal);
            }
            self.send(
                primary,
                standby,
                Message::Refused {
                    conn: req.conn,
                    error: e,
                },
            );
            return;
        }
        let Some(server) = self.server(primary) else {
            return;
        };
        let refuse = |e: String| Message::Refused {
            conn: req.conn,
            error: e,
        };
        let standby_too = server.standby;
        let Some(data) = self.data(primary) else {
            return;
        };
        let tli = data.wal.tli;
        // Timeline checks, as the walreceiver makes them with IDENTIFY_SYSTEM.
        if tli < req.tli {
            let msg = format!(
                "highest timeline {tli} of the primary is behind recovery timeline {}",
                req.tli
            );
            self.send(primary, standby, refuse(msg));
            return;
        }
        if let Some(slot) = &req.slot {
            match data.slots.get(slot) {
                None => {
                    let msg = format!("could not start WAL streaming: ERROR:  replication slot \"{slot}\" does not exist");
                    self.send(primary, standby, refuse(msg));
                    return;
                }
                Some(s) if s.active_pid.is_some() => {
                    let msg = format!("could not start WAL streaming: ERROR:  replication slot \"{slot}\" is active for PID {}", s.active_pid.unwrap_or(0));
                    self.send(primary, standby, refuse(msg));
                    return;
                }
                Some(s) if s.lost => {
                    let msg = format!("could not start WAL streaming: ERROR:  can no longer get changes from replication slot \"{slot}\"\nDETAIL:  This slot has been invalidated because it exceeded the maximum reserved size.");
                    self.send(primary, standby, refuse(msg));
                    return;
                }
                Some(_) => {}
            }
        }
        let _ = standby_too;
        let history = data.wal.history.clone();
        let pid = self.pid(primary);
        let port = self.rng.range(32768, 60999) as u16;
        let now = self.now;
        if let Some(slot) = req
            .slot
            .as_ref()
            .and_then(|s| self.data_mut(primary).and_then(|d| d.slots.get_mut(s)))
        {
            slot.active_pid = Some(pid);
            if slot.restart_lsn.is_none() {
                slot.restart_lsn = Some(req.start);
            }
        }
        if let Some(server) = self.server_mut(primary) {
            server.senders.push(WalSender {
                conn: req.conn,
                pid,
                peer: standby,
                user: req.user.clone(),
                application_name: req.application_name.clone(),
                client_port: port,
                backend_start: now,
                state: SenderState::Catchup,
                sent: req.start,
                write: Lsn(0),
                flush: Lsn(0),
                replay: Lsn(0),
                write_lag: None,
                flush_lag: None,
                replay_lag: None,
                reply_time: None,
                slot: req.slot.clone(),
                last_reply: now,
                busy: false,
                lag_samples: Default::default(),
                lag_heads: [0; 3],
                fully_applied_last_time: false,
                command: match &req.slot {
                    Some(s) => format!(
                        "START_REPLICATION SLOT \"{s}\" {} TIMELINE {}",
                        req.start, req.tli
                    ),
                    None => format!("START_REPLICATION {} TIMELINE {}", req.start, req.tli),
                },
                announced_sync: false,
                is_backup: false,
            });
        }
        self.send(
            primary,
            standby,
            Message::Accepted {
                conn: req.conn,
                pid,
                tli,
                history,
            },
        );
        self.pump_sender(primary, req.conn, false);
    }

    fn on_refused(&mut self, standby: HostId, conn: ConnId, error: &str) {
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

    fn on_accepted(
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

    fn receiver_primary(&self, standby: HostId) -> HostId {
        self.server(standby)
            .and_then(|s| s.receiver.as_ref())
            .map_or(standby, |r| r.primary)
    }

    fn receiver_for(&mut self, standby: HostId, conn: ConnId) -> Option<&mut WalReceiver> {
        self.server_mut(standby)?
            .receiver
            .as_mut()
            .filter(|r| r.conn == Some(conn))
    }

    fn on_data(
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
        r.written = r.written.max(upto);
        if let Some(d) = self.data_mut(standby) {
            d.wal.receive(records, upto);
        }
        self.send_reply(standby, false);
        self.replay_available(standby);
    }

    /// The walreceiver's status message: what it wrote, flushed and replayed.
    fn send_reply(&mut self, standby: HostId, ping: bool) {
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
        let written = r.written;
        let Some(d) = self.data(standby) else { return };
        // Like the walreceiver, report what this stream wrote; the replay position is
        // capped at it (after a reconnect replay can be ahead of the new stream).
        let msg = Message::Reply {
            conn,
            write: written,
            flush: written,
            apply: d.applied.min(written),
            sent_at: self.now,
            ping,
        };
        self.send(standby, primary, msg);
    }

    fn on_reply(
        &mut self,
        primary: HostId,
        from: HostId,
        conn: ConnId,
        pos: [Lsn; 3],
        sent_at: SimTime,
        ping: bool,
    ) {
        let now = self.now;
        let Some(server) = self.server_mut(primary) else {
            return;
        };
        let Some(w) = server.senders.iter_mut().find(|w| w.conn == conn) else {
            self.reset(primary, from, conn);
            return;
        };
        w.write = w.write.max(pos[0]);
        w.flush = w.flush.max(pos[1]);
        w.replay = w.replay.max(pos[2]);
        w.reply_time = Some(sent_at);
        w.last_reply = now;
        // Lag columns (LagTrackerRead): time since the newest sent position now reached.
        let clear = if pos[2] == w.sent {
            let c = w.fully_applied_last_time;
            w.fully_applied_last_time = true;
            c
        } else {
            w.fully_applied_last_time = false;
            false
        };
        for (k, p) in pos.iter().enumerate() {
            let mut head = w.lag_heads[k];
            let mut hit = None;
            while let Some((lsn, t)) = w.lag_samples.get(head) {
                if lsn > p {
                    break;
                }
                hit = Some(*t);
                head += 1;
            }
            w.lag_heads[k] = head;
            let lag = hit.map(|t| now - t);
            let slot = match k {
                0 => &mut w.write_lag,
                1 => &mut w.flush_lag,
                _ => &mut w.replay_lag,
            };
            if lag.is_some() || clear {
                *slot = lag;
            }
        }
        let done = w.lag_heads.iter().copied().min().unwrap_or(0);
        if done > 0 {
            w.lag_samples.drain(..done);
            for hd in w.lag_heads.iter_mut() {
                *hd -= done;
            }
        }
        let flush = w.flush;
        let slot = w.slot.clone();
        let peer = w.peer;
        let sent = w.sent;
        if let Some(s) = slot.and_then(|s| self.data_mut(primary).and_then(|d| d.slots.get_mut(&s)))
        {
            if !s.lost {
                s.restart_lsn = Some(s.restart_lsn.map_or(flush, |r| r.max(flush)));
            }
        }
        if ping {
            self.send(
                primary,
                peer,
                Message::Keepalive {
                    conn,
                    end: sent,
                    sent_at: now,
                },
            );
        }
        self.release_sync_waiters_after(primary, Some(conn));
    }

    /// After a standby's reply, its walsender says when it has become the one serving a
    /// synchronous standby (once, until it stops being one), as PostgreSQL logs it.
    /// `states` and `priorities` are the walsenders' sync states, in order.
    fn announce_sync(
        &mut self,
        primary: HostId,
        conn: ConnId,
        states: &[&'static str],
        priorities: &[u32],
        quorum: bool,
    ) {
        let Some(server) = self.server_mut(primary) else {
            return;
        };
        let Some(i) = server.senders.iter().position(|w| w.conn == conn) else {
            return;
        };
        let state = states.get(i).copied().unwrap_or("async");
        let priority = priorities.get(i).copied().unwrap_or(0);
        let w = &mut server.senders[i];
        let am_sync = matches!(state, "sync" | "quorum");
        if !am_sync || w.announced_sync {
            w.announced_sync &= am_sync;
            return;
        }
        w.announced_sync = true;
        let (pid, name, command) = (w.pid, w.application_name.clone(), w.command.clone());
        let msg = if quorum {
            format!("standby \"{name}\" is now a candidate for quorum synchronous standby")
        } else {
            format!("standby \"{name}\" is now a synchronous standby with priority {priority}")
        };
        self.log(primary, pid, "LOG", &msg);
        self.log(primary, pid, "STATEMENT", &command);
    }

    fn on_closed(&mut self, at: HostId, conn: ConnId, clean: bool) {
        // A walsender whose standby went away.
        let sender = self
            .server(at)
            .and_then(|s| s.senders.iter().find(|w| w.conn == conn).cloned());
        if let Some(w) = sender {
            // A walreceiver that exits cleanly says goodbye (libpq's Terminate message)
            // and its walsender ends without a word; a vanished one leaves an EOF.
            if !clean {
                self.log(
                    at,
                    w.pid,
                    "LOG",
                    "could not receive data from client: Connection reset by peer",
                );
                self.log(at, w.pid, "LOG", "unexpected EOF on standby connection");
            }
            self.drop_sender(at, conn);
            return;
        }
        if self.receiver_for(at, conn).is_some() {
            let msg = if clean {
                let end = self.data(at).map_or(Lsn(0), |d| d.wal.flush);
                let tli = self.data(at).map_or(TimelineId(1), |d| d.wal.tli);
                let rpid = self
                    .server(at)
                    .and_then(|s| s.receiver.as_ref())
                    .map_or(0, |r| r.pid);
                self.log(at, rpid, "LOG", "replication terminated by primary server");
                self.log(
                    at,
                    rpid,
                    "DETAIL",
                    &format!("End of WAL reached on timeline {tli} at {end}."),
                );
                "could not send end-of-streaming message to primary: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\nno COPY in progress".to_string()
            } else {
                "could not receive data from WAL stream: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.".to_string()
            };
            self.receiver_failed(at, &msg);
        }
    }

    // ---- walsender ------------------------------------------------------------------

    pub(crate) fn wake_senders(&mut self, primary: HostId) {
        let conns: Vec<ConnId> = match self.server(primary) {
            Some(s) => s
                .senders
                .iter()
                .filter(|w| !w.busy && !w.is_backup)
                .map(|w| w.conn)
                .collect(),
            None => return,
        };
        for conn in conns {
            self.pump_sender(primary, conn, false);
        }
    }

    /// Sends the next chunk of WAL to a standby, if the link is free and WAL waits.
    /// With `all`, sends everything at once (shutdown).
    pub(crate) fn pump_sender(&mut self, primary: HostId, conn: ConnId, all: bool) {
        loop {
            let Some(data) = self.data(primary) else {
                return;
            };
            let flush = data.wal.flush;
            let Some(w) = self
                .server(primary)
                .and_then(|s| s.senders.iter().find(|w| w.conn == conn))
            else {
                return;
            };
            if w.busy || w.is_backup {
                return;
            }
            let sent = w.sent;
            let peer = w.peer;
            if sent >= flush {
                if let Some(w) = self.sender_mut(primary, conn) {
                    if w.state == SenderState::Catchup {
                        w.state = SenderState::Streaming;
                    }
                }
                return;
            }
            if !data.wal.has(sent) {
                let seg = sent.walfile_name(data.wal.tli_at(sent));
                let seg = if sent.0 % super::lsn::SEGMENT_SIZE == 0 {
                    super::lsn::segment_file_name(data.wal.tli_at(sent), sent.segment())
                } else {
                    seg
                };
                let error = format!("requested WAL segment {seg} has already been removed");
                let pid = w.pid;
                let command = w.command.clone();
                self.log(primary, pid, "ERROR", &error);
                self.log(primary, pid, "STATEMENT", &command);
                self.send(primary, peer, Message::StreamError { conn, error });
                self.drop_sender(primary, conn);
                return;
            }
            let upto = Lsn(flush.0.min(sent.0 + MAX_SEND));
            let records: Vec<_> = data.wal.records_between(sent, upto).cloned().collect();
            let now = self.now;
            let msg = Message::Data {
                conn,
                upto,
                records,
                sent_at: now,
                primary_end: flush,
            };
            let free_at = self.send(primary, peer, msg);
            let Some(w) = self.sender_mut(primary, conn) else {
                return;
            };
            w.sent = upto;
            if w.lag_samples.len() < 8192 {
                w.lag_samples.push_back((upto, now));
            }
            if all {
                continue;
            }
            if free_at > now {
                w.busy = true;
                let after = free_at - now;
                self.timer(primary, after, Timer::SenderWake(conn));
                return;
            }
        }
    }

    fn sender_mut(&mut self, primary: HostId, conn: ConnId) -> Option<&mut WalSender> {
        self.server_mut(primary)?
            .senders
            .iter_mut()
            .find(|w| w.conn == conn)
    }

    /// Ends a walsender and frees its slot.
    pub(crate) fn drop_sender(&mut self, primary: HostId, conn: ConnId) {
        let Some(server) = self.server_mut(primary) else {
            return;
        };
        let Some(i) = server.senders.iter().position(|w| w.conn == conn) else {
            return;
        };
        let w = server.senders.remove(i);
        if let Some(slot) = w
            .slot
            .as_ref()
            .and_then(|s| self.data_mut(primary).and_then(|d| d.slots.get_mut(s)))
        {
            slot.active_pid = None;
        }
        if !w.is_backup {
            let (p, s) = (
                self.host(primary).name.clone(),
                self.host(w.peer).name.clone(),
            );
            self.note(primary, EventKind::Disconnected, format!("walsender for {s} on {p} exited"),
                "The standby is no longer receiving WAL; it will retry every wal_retrieve_retry_interval.");
        }
        self.release_sync_waiters(primary);
    }

    // ---- walreceiver ------------------------------------------------------------------

    /// Starts the walreceiver (if primary_conninfo is set) and asks to stream.
    fn start_receiver(&mut self, standby: HostId) {
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
        let host_name = params
            .get("host")
            .or(params.get("hostaddr"))
            .cloned()
            .unwrap_or_else(|| "localhost".to_string());
        let port: u16 = params
            .get("port")
            .and_then(|p| p.parse().ok())
            .unwrap_or(5432);
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

    fn receiver_failed(&mut self, standby: HostId, message: &str) {
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

    pub(crate) fn stop_receiver(&mut self, standby: HostId, why: &str) {
        let Some(r) = self.server(standby).and_then(|s| s.receiver.clone()) else {
            return;
        };
        self.log(standby, r.pid, "FATAL", why);
        if let Some(conn) = r.conn {
            self.send(standby, r.primary, Message::Closed { conn, clean: true });
        }
        self.stop_receiver_quiet(standby);
    }

    fn stop_receiver_quiet(&mut self, standby: HostId) {
        if let Some(s) = self.server_mut(standby) {
            s.receiver = None;
        }
    }

    fn retry_receiver(&mut self, standby: HostId) {
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

    /// Starts the startup process on WAL that is flushed but not replayed.
    pub(crate) fn replay_available(&mut self, standby: HostId) {
        let Some(server) = self.server(standby) else {
            return;
        };
        if !server.standby || server.replaying_to.is_some() {
            return;
        }
        let Some(d) = self.data(standby) else { return };
        // Replay stops at the end of the last complete record received.
        let target = d
            .wal
            .records
            .back()
            .map_or(d.applied, |r| r.end.min(d.wal.flush));
        if target <= d.applied {
            return;
        }
        // A WAL switch record's padding to the segment end costs nothing to replay.
        let bytes: u64 = d
            .wal
            .records_between(d.applied, target)
            .map(|r| match r.body {
                RecordBody::Switch => wal::SWITCH_RECORD,
                _ => r.end.0 - r.start.0,
            })
            .sum();
        let after = SimDuration(bytes * 1_000_000 / REPLAY_RATE);
        if let Some(s) = self.server_mut(standby) {
            s.replaying_to = Some(target);
        }
        self.timer(standby, after, Timer::Replay);
    }

    fn on_replay_done(&mut self, standby: HostId) {
        let target = self.server_mut(standby).and_then(|s| s.replaying_to.take());
        if let Some(target) = target {
            self.replay_now(standby, target);
        }
        self.check_consistency(standby);
        self.replay_available(standby);
    }

    /// Applies records up to `target` (bounded by what is flushed), honouring
    /// recovery_min_apply_delay for commits.
    pub(crate) fn replay_now(&mut self, standby: HostId, target: Lsn) {
        let delay = self
            .server(standby)
            .map_or(0, |s| s.settings.int("recovery_min_apply_delay"))
            .max(0) as u64;
        let promoting = target == Lsn(u64::MAX);
        let now = self.now;
        let Some(d) = self.data_mut(standby) else {
            return;
        };
        let upto = target.min(d.wal.flush);
        let from = d.applied;
        let records: Vec<_> = d.wal.records_between(from, upto).cloned().collect();
        let mut feedback = false;
        let mut blocked_until = None;
        for r in records {
            if let RecordBody::Commit { at, .. } | RecordBody::Workload { at, .. } = r.body {
                let due = at + SimDuration::from_millis(delay);
                if delay > 0 && !promoting && due > now {
                    blocked_until = Some(due);
                    break;
                }
            }
            match &r.body {
                RecordBody::Change { xid, change } => {
                    d.pending_xacts
                        .entry(*xid)
                        .or_default()
                        .push(change.clone());
                }
                RecordBody::Commit {
                    xid,
                    at,
                    apply_feedback,
                } => {
                    for c in d.pending_xacts.remove(xid).unwrap_or_default() {
                        d.db.apply(&c);
                        d.db.next_tuple = d.db.next_tuple.max(1);
                    }
                    d.last_replayed_commit = Some(*at);
                    feedback |= *apply_feedback;
                }
                RecordBody::Workload { at, .. } => d.last_replayed_commit = Some(*at),
                _ => {}
            }
            d.applied = r.end;
        }
        if let Some(due) = blocked_until {
            if let Some(s) = self.server_mut(standby) {
                s.replaying_to = Some(upto);
            }
            self.timer(standby, due - now, Timer::Replay);
        }
        if feedback {
            self.send_reply(standby, false);
        }
    }

    // ---- timers -----------------------------------------------------------------------

    pub(crate) fn on_timer(&mut self, h: HostId, what: Timer) {
        match what {
            Timer::SenderWake(conn) => {
                if let Some(w) = self.sender_mut(h, conn) {
                    w.busy = false;
                }
                self.pump_sender(h, conn, false);
            }
            Timer::Replay => self.on_replay_done(h),
            Timer::ReceiverStart => self.start_receiver(h),
            Timer::ReceiverStatus => {
                let Some(server) = self.server(h) else { return };
                let interval = server.settings.int("wal_receiver_status_interval").max(1) as u64;
                let timeout = server.settings.int("wal_receiver_timeout").max(0) as u64;
                if let Some(r) = server
                    .receiver
                    .as_ref()
                    .filter(|r| r.status == ReceiverStatus::Streaming)
                {
                    let quiet = r
                        .last_msg_receipt_time
                        .map_or(SimDuration::ZERO, |t| self.now - t);
                    if timeout > 0 && quiet.0 >= timeout * 1000 {
                        self.receiver_failed(h, "terminating walreceiver due to timeout");
                    } else {
                        let ping = timeout > 0 && quiet.0 >= timeout * 500;
                        self.send_reply(h, ping);
                    }
                }
                self.timer(h, SimDuration::from_secs(interval), Timer::ReceiverStatus);
            }
            Timer::SenderCheck => {
                let Some(server) = self.server(h) else { return };
                let timeout = server.settings.int("wal_sender_timeout").max(0) as u64;
                let now = self.now;
                let dead: Vec<(ConnId, u32, HostId)> = server
                    .senders
                    .iter()
                    .filter(|w| {
                        !w.is_backup && timeout > 0 && (now - w.last_reply).0 >= timeout * 1000
                    })
                    .map(|w| (w.conn, w.pid, w.peer))
                    .collect();
                for (conn, pid, _) in dead {
                    self.log(
                        h,
                        pid,
                        "LOG",
                        "terminating walsender process due to replication timeout",
                    );
                    self.drop_sender(h, conn);
                }
                self.timer(h, SimDuration::from_secs(1), Timer::SenderCheck);
            }
            Timer::Checkpoint => {
                self.checkpoint(h, "time", false);
                let secs = self
                    .server(h)
                    .map_or(300, |s| s.settings.int("checkpoint_timeout").max(30));
                self.timer(h, SimDuration::from_secs(secs as u64), Timer::Checkpoint);
            }
            Timer::Snapshot => {
                let primary = self.server(h).is_some_and(|s| !s.standby);
                let dirty = self.data(h).is_some_and(|d| d.dirty_since_snapshot);
                if primary && dirty {
                    self.append(
                        h,
                        super::wal::RUNNING_XACTS_RECORD,
                        RecordBody::RunningXacts,
                    );
                    self.flush(h);
                    if let Some(d) = self.data_mut(h) {
                        d.dirty_since_snapshot = false;
                    }
                }
                self.timer(h, SimDuration::from_secs(15), Timer::Snapshot);
            }
            Timer::WalWriter => {
                if let Some(s) = self.server_mut(h) {
                    s.walwriter_pending = false;
                }
                self.flush(h);
            }
        }
    }

    // ---- synchronous replication ------------------------------------------------------

    /// The parsed synchronous_standby_names of the running server on `h`.
    pub fn sync_config(&self, h: HostId) -> Option<SyncConfig> {
        let s = self.server(h)?;
        SyncConfig::parse(&s.settings.text("synchronous_standby_names"))
            .ok()
            .flatten()
    }

    /// `sync_priority` and `sync_state` for each walsender, in order.
    pub fn sync_states(&self, h: HostId) -> Vec<(u32, &'static str)> {
        let config = self.sync_config(h);
        let candidates = self.sync_candidates(h, config.as_ref());
        match &config {
            None => candidates.iter().map(|_| (0, "async")).collect(),
            Some(c) => {
                let (states, _) = syncrep::evaluate(c, &candidates);
                candidates
                    .iter()
                    .zip(states)
                    .map(|(cand, s)| (cand.priority, s))
                    .collect()
            }
        }
    }

    /// Releases commits whose WAL the synchronous standbys have confirmed.
    pub(crate) fn release_sync_waiters(&mut self, h: HostId) {
        self.release_sync_waiters_after(h, None);
    }

    /// Like [`Cluster::release_sync_waiters`], after a reply on walsender `replying`,
    /// which may announce that it now serves a synchronous standby.
    /// Each walsender of `h` as a synchronous standby candidate, in order: its
    /// positions and its priority under `config` (0 unless it streams to a standby).
    fn sync_candidates(&self, h: HostId, config: Option<&SyncConfig>) -> Vec<Candidate> {
        let Some(server) = self.server(h) else {
            return Vec::new();
        };
        server
            .senders
            .iter()
            .map(|w| Candidate {
                priority: match (config, w.state) {
                    (Some(c), SenderState::Streaming) if !w.is_backup => {
                        c.priority(&w.application_name)
                    }
                    _ => 0,
                },
                write: w.write,
                flush: w.flush,
                apply: w.replay,
            })
            .collect()
    }

    fn release_sync_waiters_after(&mut self, h: HostId, replying: Option<ConnId>) {
        if self.server(h).is_none() {
            return;
        }
        let config = self.sync_config(h);
        let positions = match &config {
            None => {
                if let Some(conn) = replying {
                    self.announce_sync(h, conn, &[], &[], false);
                }
                Some([Lsn(u64::MAX); 3])
            }
            Some(c) => {
                let candidates = self.sync_candidates(h, Some(c));
                let (states, positions) = syncrep::evaluate(c, &candidates);
                if let Some(conn) = replying {
                    let priorities: Vec<u32> = candidates.iter().map(|k| k.priority).collect();
                    let quorum = c.method == syncrep::Method::Quorum;
                    self.announce_sync(h, conn, &states, &priorities, quorum);
                }
                positions
            }
        };
        let Some([write, flush, apply]) = positions else {
            return;
        };
        let now = self.now;
        let mut done = Vec::new();
        let mut checks = Vec::new();
        if let Some(server) = self.server_mut(h) {
            for (i, s) in server.sessions.iter_mut().enumerate() {
                let Some(w) = &s.waiting else { continue };
                let reached = match w.mode {
                    SyncWait::Write => write,
                    SyncWait::Flush => flush,
                    SyncWait::Apply => apply,
                };
                if reached >= w.lsn {
                    if w.mode == SyncWait::Flush {
                        checks.push(w.lsn);
                    }
                    done.push((i, w.tag.clone()));
                    s.waiting = None;
                }
            }
        }
        for lsn in checks {
            self.check_durable_ack(h, lsn);
        }
        for (session, tag) in done {
            self.outputs.push(SessionOutput {
                at: now,
                host: h,
                session,
                text: format!("{tag}\n"),
            });
        }
        let mode = self
            .server(h)
            .map_or(String::new(), |s| s.settings.text("synchronous_commit"));
        let reached = match mode.as_str() {
            "remote_write" => write,
            "remote_apply" => apply,
            _ => flush,
        };
        if let Some(wl) = self.host_mut(h).workload.as_mut() {
            while let Some(&(lsn, at, txns)) = wl.waiting.front() {
                if lsn > reached {
                    break;
                }
                wl.waiting.pop_front();
                wl.committed += txns as u64;
                wl.last_latency = now - at;
            }
        }
    }
}

impl Cluster {
    /// Records a `sync_commit_durable` violation if fewer than the required number of
    /// listed standbys really have `lsn` on disk when a commit is acknowledged.
    fn check_durable_ack(&mut self, h: HostId, lsn: Lsn) {
        let Some(config) = self.sync_config(h) else {
            return;
        };
        let Some(server) = self.server(h) else { return };
        let on_disk = server
            .senders
            .iter()
            .filter(|w| !w.is_backup && config.priority(&w.application_name) > 0)
            .filter(|w| self.data(w.peer).is_some_and(|d| d.wal.flush >= lsn))
            .count();
        if on_disk < config.num_sync {
            self.violations.push(super::invariants::Broken {
                name: "sync_commit_durable",
                detail: format!("commit at {lsn} acknowledged with {on_disk} of {} synchronous standbys holding it", config.num_sync),
            });
        }
    }
}

fn data_role(c: &Cluster, h: HostId, user: &str) -> Option<super::db::Role> {
    c.data(h)?.db.roles.get(user).cloned()
}
