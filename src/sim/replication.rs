//! Streaming replication: the checks a server makes on a new connection, message
//! dispatch between hosts and the servers' timers. The startup process's replay is in
//! `recovery.rs`, the walsender in `walsender.rs`, the walreceiver in `walreceiver.rs`,
//! and releasing the commits that wait for synchronous standbys in `syncrep.rs`.
//!
//! Simplifications, on purpose: the walsender sends at most 128kB per message
//! (MAX_SEND_SIZE) and the next one when the link has taken the previous one; the
//! walreceiver writes and flushes each message at once and then replies (as it does
//! when no more data is waiting); hot-standby query conflicts are not modelled.

use super::cluster::Cluster;
use super::conninfo::{connection_refused, no_route_to_host, server_at};
use super::event::{ConnId, HostId, Message, Timer};
use super::hba;
use super::lsn::{Lsn, TimelineId};
use super::postmaster::listens_on;
use super::proc::ReceiverStatus;
use super::time::SimDuration;
use super::wal::RecordBody;

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

/// A connection the server refused: libpq's text for the client and, for an
/// authentication failure, the DETAIL only the server log gets (auth.c's
/// auth_failed: `Connection matched pg_hba.conf line N: "..."`, after a reason such as
/// `Role "x" does not exist.`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub text: String,
    pub log_detail: Option<String>,
}

impl From<String> for Refusal {
    fn from(text: String) -> Self {
        Refusal {
            text,
            log_detail: None,
        }
    }
}

impl Refusal {
    /// The server log's lines for it: the FATAL the client was sent (with its DETAIL)
    /// and the log-only DETAIL. Nothing when the server sent no FATAL (a refused TCP
    /// connection, a client that gave up before sending a password).
    fn server_log(&self) -> Vec<(&'static str, String)> {
        let Some((_, fatal)) = self.text.split_once("FATAL:  ") else {
            return Vec::new();
        };
        let mut lines = fatal.lines();
        let mut out = vec![("FATAL", lines.next().unwrap_or("").to_string())];
        let mut detail: Vec<String> = lines
            .filter_map(|l| l.strip_prefix("DETAIL:  ").map(str::to_string))
            .collect();
        detail.extend(self.log_detail.clone());
        if !detail.is_empty() {
            out.push(("DETAIL", detail.join("\n")));
        }
        out
    }
}

impl Cluster {
    /// The checks a server makes when a client connects, in PostgreSQL's order:
    /// listening address and port, pg_hba.conf, authentication, role attributes, and
    /// for replication max_wal_senders. The error is libpq's text after
    /// `connection to server at ... failed: ` (FATAL messages included).
    /// [`Cluster::connect_logged`] also writes the server's log lines.
    pub fn check_connect(&self, server: HostId, a: &ConnectAttempt) -> Result<(), String> {
        self.check_connect_from(server, a, None).map_err(|r| r.text)
    }

    /// [`Cluster::check_connect`], and a refusal's FATAL (and DETAIL) in the server's
    /// log as the backend forked for the connection writes them.
    pub fn connect_logged(
        &mut self,
        server: HostId,
        a: &ConnectAttempt,
        client_addr: Option<[u8; 4]>,
    ) -> Result<(), String> {
        self.check_connect_from(server, a, client_addr)
            .map_err(|r| self.log_refusal(server, r))
    }

    /// Writes a refusal's lines in the server's log (a backend's pid) and returns
    /// libpq's text.
    pub fn log_refusal(&mut self, server: HostId, r: Refusal) -> String {
        let lines = r.server_log();
        if !lines.is_empty() && self.server(server).is_some() {
            let pid = self.pid(server);
            for (severity, msg) in lines {
                self.log(server, pid, severity, &msg);
            }
        }
        r.text
    }

    /// [`Cluster::check_connect`] for a client that is not one of the lab's hosts when
    /// `client_addr` is given (the lab's applications), else for `a.client`.
    pub fn check_connect_from(
        &self,
        server: HostId,
        a: &ConnectAttempt,
        client_addr: Option<[u8; 4]>,
    ) -> Result<(), Refusal> {
        let host = self.host(server);
        // localhost is the loopback address, whatever the host's own address is.
        let addr = if matches!(a.host, "localhost" | "127.0.0.1") {
            "127.0.0.1".to_string()
        } else {
            host.addr_text()
        };
        let prefix = server_at(a.host, &addr, a.port);
        if self.firewall_blocks(a.client, server, a.port) {
            return Err(no_route_to_host(a.host, &addr, a.port).into());
        }
        let Some(srv) = host.server.as_ref() else {
            return Err(connection_refused(a.host, &addr, a.port).into());
        };
        let listen = srv.settings.text("listen_addresses");
        let same_host = client_addr.is_none() && a.client == server;
        if (!same_host && !listens_on(&listen, &addr, &host.name))
            || srv.settings.int("port") != a.port as i64
        {
            return Err(connection_refused(a.host, &addr, a.port).into());
        }
        let client_addr = match client_addr {
            Some(addr) => addr,
            None if same_host => [127, 0, 0, 1],
            None => self.host(a.client).addr,
        };
        let client_text = format!(
            "{}.{}.{}.{}",
            client_addr[0], client_addr[1], client_addr[2], client_addr[3]
        );
        let fatal = |msg: String| Refusal::from(format!("{prefix} failed: FATAL:  {msg}"));
        if srv.standby && !srv.consistent {
            return Err(fatal("the database system is not yet accepting connections\nDETAIL:  Consistent recovery state has not been yet reached.".to_string()));
        }
        if srv.standby && !a.replication && !srv.settings.bool("hot_standby") {
            return Err(fatal("the database system is not accepting connections\nDETAIL:  Hot standby mode is disabled.".to_string()));
        }
        if let Some(msg) = self.shared_catalogs_refusal(server) {
            return Err(fatal(msg));
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
        // PostgreSQL 15: "no pg_hba.conf entry for replication connection from host ..."
        // but "no pg_hba.conf entry for host ..., database ..." (and "pg_hba.conf
        // rejects connection for host ...").
        let kind = if a.replication {
            "replication connection"
        } else {
            "connection"
        };
        let entry_kind = if a.replication {
            "replication connection from host"
        } else {
            "host"
        };
        let db_part = if a.replication {
            String::new()
        } else {
            format!(", database \"{}\"", a.database)
        };
        let Some(line) = hba::find_match(&srv.hba, &req, &resolve) else {
            return Err(fatal(format!("no pg_hba.conf entry for {entry_kind} \"{client_text}\", user \"{}\"{db_part}, no encryption", a.user)));
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
                    return Err(
                        format!("{prefix} failed: fe_sendauth: no password supplied").into(),
                    );
                };
                let stored = role.as_ref().map(|r| r.password.as_deref());
                if stored.flatten() != Some(given) {
                    let mut r = fatal(format!(
                        "password authentication failed for user \"{}\"",
                        a.user
                    ));
                    let why = match stored {
                        None => Some(format!("Role \"{}\" does not exist.", a.user)),
                        Some(None) => {
                            Some(format!("User \"{}\" has no password assigned.", a.user))
                        }
                        Some(Some(_)) => None,
                    };
                    let matched = format!(
                        "Connection matched pg_hba.conf line {}: \"{}\"",
                        line.line, line.raw
                    );
                    r.log_detail = Some(why.map_or(matched.clone(), |w| format!("{w}\n{matched}")));
                    return Err(r);
                }
            }
            hba::Method::Peer | hba::Method::Ident => {
                let mut r = fatal(format!(
                    "Ident authentication failed for user \"{}\"",
                    a.user
                ));
                r.log_detail = Some(format!(
                    "Connection matched pg_hba.conf line {}: \"{}\"",
                    line.line, line.raw
                ));
                return Err(r);
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
        if let Some(msg) = (!a.replication)
            .then(|| self.database_dir_refusal(server, a.database))
            .flatten()
        {
            return Err(fatal(msg));
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

    pub fn on_message(&mut self, to: HostId, from: HostId, msg: Message) {
        if !matches!(msg, Message::Connect(_)) && self.is_apply_conn(to, msg.conn()) {
            self.on_apply_message(to, from, msg);
            return;
        }
        match msg {
            Message::CopyRequest { conn, table } => self.on_copy_request(to, from, conn, &table),
            Message::Changes { conn, .. } | Message::CopyData { conn, .. } => {
                self.reset(to, from, conn)
            }
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
                    // ProcessWalSndrMessage: the end's time changes when the end moves.
                    if r.latest_end_lsn < end {
                        r.latest_end_time = Some(sent_at);
                    }
                    r.latest_end_lsn = r.latest_end_lsn.max(end);
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
    pub(super) fn reset(&mut self, at: HostId, to: HostId, conn: ConnId) {
        self.send(at, to, Message::Closed { conn, clean: false });
    }

    pub(super) fn on_closed(&mut self, at: HostId, conn: ConnId, clean: bool) {
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

    // ---- timers -----------------------------------------------------------------------

    pub fn on_timer(&mut self, h: HostId, what: Timer) {
        match what {
            Timer::SenderWake(conn) => {
                if let Some(w) = self.sender_mut(h, conn) {
                    w.busy = false;
                }
                self.pump_sender(h, conn, false);
            }
            Timer::Replay => self.on_replay_done(h),
            Timer::WalFlushed(upto) => self.on_wal_flushed(h, upto),
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
            Timer::LockFileRecheck => self.lock_file_recheck(h),
            Timer::ApplyLauncher => self.on_apply_launcher(h),
            Timer::ApplyStatus => self.on_apply_status(h),
            Timer::CheckpointDone => self.complete_spread_checkpoint(h),
            Timer::WalWriter => {
                if let Some(s) = self.server_mut(h) {
                    s.walwriter_pending = false;
                }
                self.flush(h);
            }
        }
    }

    // ---- synchronous replication ------------------------------------------------------
}

fn data_role(c: &Cluster, h: HostId, user: &str) -> Option<super::db::Role> {
    c.data(h)?.db.roles.get(user).cloned()
}
