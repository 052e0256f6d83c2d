//! The postmaster (postmaster.c, pg_ctl): starting a server on a data directory after
//! reading postgresql.conf and pg_hba.conf, stopping it in the three shutdown modes, and
//! reloading its configuration on SIGHUP.

use super::cluster::Cluster;
use super::event::{ConnId, EventKind, HostId, Message, SessionOutput, Timer};
use super::perm;
use super::proc::Server;
use super::settings::{self, Settings};
use super::time::SimDuration;
use super::{hba, PGDATA};

/// Why `pg_ctl start` failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartError {
    NoDataDirectory,
    AlreadyRunning,
    /// The server exited during start. What it wrote to stderr before its logging
    /// collector ran (empty when the reason went to its log file): pg_ctl -l appends it
    /// to the log file, systemd to the journal, `postgres -D` shows it.
    Failed(String),
}

/// How to stop (`pg_ctl stop -m`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopMode {
    Smart,
    Fast,
    Immediate,
}

/// The auxiliary processes forked after the checkpointer, whose pids follow its own.
pub const AUX_AFTER_CHECKPOINTER: u32 = 4;

impl Cluster {
    /// The settings a start would read from the configuration files now.
    pub fn settings_on_disk(&self, h: HostId) -> super::settings::Settings {
        super::settings::Settings::at_start(&super::settings::read_files(&self.conf_files(h)))
    }

    fn conf_files(&self, h: HostId) -> Vec<(String, Option<String>)> {
        ["postgresql.conf", "postgresql.auto.conf"]
            .iter()
            .map(|f| {
                let path = format!("{PGDATA}/{f}");
                let text = self.host(h).files.get(&path).cloned();
                (path, text)
            })
            .collect()
    }

    fn read_hba(&mut self, h: HostId, pid: u32) -> Option<Vec<hba::HbaLine>> {
        let path = format!("{PGDATA}/pg_hba.conf");
        let Some(text) = self.host(h).files.get(&path).cloned() else {
            // load_hba: a missing file is reported and nothing is loaded.
            let msg =
                format!("could not open configuration file \"{path}\": No such file or directory");
            self.log(h, pid, "LOG", &msg);
            return None;
        };
        match hba::parse_hba(&text) {
            Ok(lines) if lines.is_empty() => {
                // load_hba refuses a file without a single rule.
                let msg = format!("configuration file \"{path}\" contains no entries");
                self.log(h, pid, "LOG", &msg);
                None
            }
            Ok(lines) => Some(lines),
            Err(errors) => {
                for e in errors {
                    self.log(h, pid, "LOG", &e.message);
                    self.log(
                        h,
                        pid,
                        "CONTEXT",
                        &format!("line {} of configuration file \"{path}\"", e.line),
                    );
                }
                None
            }
        }
    }

    /// Settings as the files say now (for pending_restart and `pg_settings`).
    pub fn file_settings(&self, h: HostId) -> settings::Loaded {
        settings::read_files(&self.conf_files(h))
    }

    /// `pg_ctl start`: reads the configuration, runs recovery if needed, and starts
    /// accepting connections (read-only in recovery).
    /// checkDataDir (miscinit.c), after the configuration is read: the data directory
    /// must belong to the user the server runs as (postgres), and neither the group
    /// may write it nor others use it (`st_mode & 0027`). What postgres writes to
    /// stderr when it is not so, as PostgreSQL 15.18 words it.
    pub fn data_dir_refusal(&self, h: HostId, pid: u32) -> Option<String> {
        let m = self.host(h).meta_of(PGDATA, true);
        if m.owner != perm::POSTGRES {
            return Some(
                self.log_line(
                    pid,
                    "FATAL",
                    &format!("data directory \"{PGDATA}\" has wrong ownership"),
                ) + &self.log_line(
                    pid,
                    "HINT",
                    "The server must be started by the user that owns the data directory.",
                ),
            );
        }
        if m.mode & 0o027 != 0 {
            return Some(
                self.log_line(
                    pid,
                    "FATAL",
                    &format!("data directory \"{PGDATA}\" has invalid permissions"),
                ) + &self.log_line(
                    pid,
                    "DETAIL",
                    "Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).",
                ),
            );
        }
        None
    }

    /// ProcessConfigFile opening a configuration file the postgres user may not read
    /// (`chown -R root`): postgres logs that it could not and refuses the configuration,
    /// on stderr as the log's own settings do not apply yet. As PostgreSQL 15.18 printed
    /// it for a root-owned postgresql.conf.
    pub fn config_unreadable(&self, h: HostId, pid: u32) -> Option<String> {
        let host = self.host(h);
        let file = [
            format!("{PGDATA}/postgresql.conf"),
            format!("{PGDATA}/postgresql.auto.conf"),
        ]
        .into_iter()
        .find(|f| {
            host.files.contains_key(f) && !perm::may(perm::POSTGRES, &host.meta_of(f, false), 4)
        })?;
        Some(
            self.log_line(
                pid,
                "LOG",
                &format!("could not open configuration file \"{file}\": Permission denied"),
            ) + &self.log_line(
                pid,
                "FATAL",
                &format!("configuration file \"{file}\" contains errors"),
            ),
        )
    }

    pub fn start(&mut self, h: HostId) -> Result<(), StartError> {
        self.start_as(h, false)
    }

    /// Starts the server; `confined`: as systemd starts it on a RHEL host, in SELinux's
    /// `postgresql_t` domain, where binding a port not labelled `postgresql_port_t` is
    /// denied.
    pub fn start_as(&mut self, h: HostId, confined: bool) -> Result<(), StartError> {
        if self.host(h).server.is_some() {
            return Err(StartError::AlreadyRunning);
        }
        if self.host(h).data.is_none() {
            return Err(StartError::NoDataDirectory);
        }
        let pid = self.pid(h);
        let name = self.host(h).name.clone();
        let conf = format!("{PGDATA}/postgresql.conf");
        if !self.host(h).files.contains_key(&conf) {
            // SelectConfigFiles, before any logging: postgres writes this to stderr.
            self.note(h, EventKind::Error, format!("{name} failed to start: postgresql.conf is missing"),
                "The postmaster needs its configuration file to start; restore it (a copy from another node, or initdb's).");
            return Err(StartError::Failed(format!(
                "postgres: could not access the server configuration file \"{conf}\": No such file or directory\n"
            )));
        }
        if let Some(stderr) = self.config_unreadable(h, pid) {
            self.note(h, EventKind::Error, format!("{name} failed to start: it may not read its configuration"),
                "The server runs as postgres: its configuration files must be readable by that user (owner postgres, mode 0600).");
            return Err(StartError::Failed(stderr));
        }
        let loaded = settings::read_files(&self.conf_files(h));
        // Until the logging collector runs, the postmaster writes to stderr: pg_ctl -l
        // sends it to the log file, systemd to the journal.
        if !loaded.errors.is_empty() {
            let mut stderr: String = loaded
                .errors
                .iter()
                .map(|e| self.log_line(pid, e.severity, &e.text))
                .collect();
            stderr.push_str(&self.log_line(
                pid,
                "FATAL",
                &format!(
                    "configuration file \"{}\" contains errors",
                    loaded
                        .error_file
                        .clone()
                        .unwrap_or_else(|| format!("{PGDATA}/postgresql.conf"))
                ),
            ));
            self.note(h, EventKind::Error, format!("{name} failed to start: configuration file contains errors"),
                "The postmaster refuses to start with a bad setting; the server log (the journal under systemd) says why. Fix the file and start again.");
            return Err(StartError::Failed(stderr));
        }
        if let Some(stderr) = self.data_dir_refusal(h, pid) {
            self.note(h, EventKind::Error, format!("{name} failed to start: the data directory's owner or mode"),
                "PostgreSQL refuses a data directory that is not its user's own, or that the group may write or others may read (0700 or 0750 only).");
            return Err(StartError::Failed(stderr));
        }
        let settings = Settings::at_start(&loaded);
        // Checked before the postmaster says it is starting, on stderr too.
        if settings.text("wal_level") == "minimal" && settings.int("max_wal_senders") > 0 {
            let stderr = self.log_line(
                pid,
                "FATAL",
                "WAL streaming (max_wal_senders > 0) requires wal_level \"replica\" or \"logical\"",
            );
            self.note(h, EventKind::Error, format!("{name} failed to start: wal_level minimal with max_wal_senders > 0"),
                "wal_level = minimal leaves out what standbys need, so PostgreSQL refuses to start with WAL senders configured.");
            return Err(StartError::Failed(stderr));
        }
        if let Some(stderr) = self.control_file_refusal(h) {
            self.note(h, EventKind::Error, format!("{name} failed to start: global/pg_control is missing"),
                "pg_control says where recovery starts; without it PostgreSQL does not recognise the data directory.");
            return Err(StartError::Failed(stderr));
        }
        // process_shared_preload_libraries: a missing library stops the postmaster before
        // it says it is starting, on stderr.
        let loaded = match self.preload_libraries(h, &settings.text("shared_preload_libraries")) {
            Ok(lines) => lines,
            Err(fatal) => {
                let mut stderr = self.log_line(pid, "FATAL", &fatal);
                stderr.push_str(&self.log_line(pid, "LOG", "database system is shut down"));
                self.note(h, EventKind::Error, format!("{name} failed to start: a preloaded library is missing"),
                    "shared_preload_libraries names a library this host does not have: install the package that provides it (extensions must be installed on every standby too), or take it out of the setting.");
                return Err(StartError::Failed(stderr));
            }
        };
        for line in loaded {
            self.log(h, pid, "LOG", &line);
        }
        self.log(h, pid, "LOG", "starting PostgreSQL 15.18 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit");
        let listen = settings.text("listen_addresses");
        let port = settings.int("port");
        if confined {
            self.confined_bind(h, pid, &listen, port)?;
        }
        for addr in listen_lines(&listen, &self.host(h).addr_text()) {
            self.log(
                h,
                pid,
                "LOG",
                &format!("listening on IPv4 address \"{addr}\", port {port}"),
            );
        }
        self.log(
            h,
            pid,
            "LOG",
            &format!("listening on Unix socket \"/run/postgresql/.s.PGSQL.{port}\""),
        );
        let Some(hba_lines) = self.read_hba(h, pid) else {
            self.log(h, pid, "FATAL", "could not load pg_hba.conf");
            return Err(StartError::Failed(String::new()));
        };
        if self.base_dir_missing(h) {
            // RemovePgTempFiles walks base/ for temporary files.
            self.log(
                h,
                pid,
                "LOG",
                "could not open directory \"base\": No such file or directory",
            );
        }
        let standby = self
            .host(h)
            .files
            .contains_key(&format!("{PGDATA}/standby.signal"));
        let startup_pid = self.pid(h);
        let checkpointer_pid = self.pid(h);
        let now = self.now;
        let host = self.host_mut(h);
        // The background writer, WAL writer, autovacuum launcher and logical
        // replication launcher are forked right after the checkpointer: their pids
        // follow its own (pg_stat_activity, ps) and no later process takes them.
        host.next_pid = host.next_pid.saturating_add(AUX_AFTER_CHECKPOINTER);
        host.crashed = false;
        host.epoch += 1;
        host.files.insert(
            format!("{PGDATA}/postmaster.pid"),
            format!("{pid}\n{PGDATA}\n"),
        );
        host.server = Some(Server::new(
            pid,
            now,
            settings,
            hba_lines,
            standby,
            startup_pid,
            checkpointer_pid,
        ));
        self.recover_at_start(h, startup_pid);
        if self.host(h).server.is_none() {
            // The startup process failed (no room for a WAL segment); the log says why.
            return Err(StartError::Failed(String::new()));
        }
        let (ckpt, snap) = {
            let s = self.settings(h);
            (
                SimDuration::from_secs(s.int("checkpoint_timeout").max(30) as u64),
                SimDuration::from_secs(15),
            )
        };
        self.timer(h, ckpt, Timer::Checkpoint);
        self.timer(h, snap, Timer::Snapshot);
        self.timer(h, SimDuration::from_secs(1), Timer::SenderCheck);
        let hints = self
            .server(h)
            .is_some_and(|s| s.settings.bool("wal_log_hints"));
        if let Some(d) = self.data_mut(h) {
            d.wal_log_hints = hints;
        }
        let role = if standby { "standby" } else { "primary" };
        self.note(
            h,
            EventKind::Server,
            format!("{name} started as {role}"),
            if standby {
                "It replays WAL and, with primary_conninfo set, streams more from the primary."
            } else {
                "It accepts reads and writes; every change is written to WAL first."
            },
        );
        if !standby {
            self.note_split_brain(h);
        }
        if standby {
            self.timer(h, SimDuration::ZERO, Timer::ReceiverStart);
            self.timer(
                h,
                SimDuration::from_secs(
                    self.settings(h).int("wal_receiver_status_interval").max(1) as u64
                ),
                Timer::ReceiverStatus,
            );
        }
        if self.host(h).workload.is_some() {
            self.schedule_workload(h);
        }
        if !standby {
            self.wake_launcher(h);
        }
        Ok(())
    }

    /// The settings of the running server on `h` (defaults when stopped).
    pub fn settings(&self, h: HostId) -> Settings {
        match &self.host(h).server {
            Some(s) => s.settings.clone(),
            None => Settings::at_start(&self.file_settings(h)),
        }
    }

    /// `pg_ctl stop`. Smart and fast shut down cleanly: walsenders send the remaining
    /// WAL, then a shutdown checkpoint is written. Immediate skips the checkpoint like a
    /// crash, but the host stays up and closes the replication connections at once.
    pub fn stop(&mut self, h: HostId, mode: StopMode) -> bool {
        let Some(server) = self.server(h).cloned() else {
            return false;
        };
        let pid = server.pid;
        let name = self.host(h).name.clone();
        let word = match mode {
            StopMode::Smart => "smart",
            StopMode::Fast => "fast",
            StopMode::Immediate => "immediate",
        };
        self.log(h, pid, "LOG", &format!("received {word} shutdown request"));
        if mode == StopMode::Immediate {
            self.log(h, pid, "LOG", "database system is shut down");
            // The processes die but the host stays up: its kernel closes their
            // replication connections, which the other ends notice at once (unlike a
            // power loss).
            let mut peers: Vec<(HostId, ConnId)> =
                server.senders.iter().map(|w| (w.peer, w.conn)).collect();
            if let Some(r) = &server.receiver {
                peers.extend(r.conn.map(|c| (r.primary, c)));
            }
            peers.extend(server.apply.iter().map(|w| (w.publisher, w.conn)));
            for (peer, conn) in peers {
                self.send(h, peer, Message::Closed { conn, clean: false });
            }
            self.kill_server(h);
            self.note(h, EventKind::Server, format!("{name} stopped (immediate)"),
                "An immediate stop skips the shutdown checkpoint: the next start runs crash recovery.");
            return true;
        }
        // Backends waiting for synchronous replication are terminated.
        for (i, s) in server.sessions.iter().enumerate() {
            if s.waiting.is_some() && s.app.is_none() {
                self.outputs.push(SessionOutput {
                    at: self.now,
                    host: h,
                    session: i,
                    text: "WARNING:  canceling the wait for synchronous replication and terminating connection due to administrator command\nDETAIL:  The transaction has already committed locally, but might not have been replicated to the standby.\nFATAL:  terminating connection due to administrator command\nserver closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\n".to_string(),
                });
            }
        }
        if let Some(rcv) = server.receiver.clone() {
            self.log(
                h,
                rcv.pid,
                "FATAL",
                "terminating walreceiver process due to administrator command",
            );
            // The primary's walsender ends (and the slot it used becomes inactive)
            // before pg_ctl stop returns here.
            if let Some(conn) = rcv.conn {
                self.deliver_now(h, rcv.primary, Message::Closed { conn, clean: true });
            }
        }
        for w in &server.apply {
            self.send(
                h,
                w.publisher,
                Message::Closed {
                    conn: w.conn,
                    clean: true,
                },
            );
        }
        self.log(h, pid, "LOG", "aborting any active transactions");
        if server.standby {
            self.log(h, pid, "LOG", "shutting down");
            self.restartpoint(h, "shutdown immediate");
        } else {
            self.log(h, pid, "LOG", "shutting down");
            if self.try_checkpoint(h, "shutdown immediate", true).is_some() {
                self.abnormal_shutdown(h);
                return true;
            }
            // Walsenders send everything, including the shutdown checkpoint, then exit.
            for s in server.senders.iter().filter(|s| !s.is_backup) {
                if let Some(srv) = self.server_mut(h) {
                    if let Some(ws) = srv.senders.iter_mut().find(|w| w.conn == s.conn) {
                        ws.busy = false;
                    }
                }
                self.pump_sender(h, s.conn, true);
                self.send(
                    h,
                    s.peer,
                    Message::Closed {
                        conn: s.conn,
                        clean: true,
                    },
                );
            }
        }
        self.release_slots_of(h);
        self.log(h, pid, "LOG", "database system is shut down");
        let now = self.now;
        let in_recovery = server.standby;
        let host = self.host_mut(h);
        host.server = None;
        host.epoch += 1;
        host.files.remove(&format!("{PGDATA}/postmaster.pid"));
        if let Some(d) = host.data.as_mut() {
            d.clean_shutdown = true;
            d.shutdown_at = now;
            d.shutdown_in_recovery = in_recovery;
            d.undo.clear();
        }
        if let Some(w) = host.workload.as_mut() {
            w.waiting.clear();
        }
        self.note(
            h,
            EventKind::Server,
            format!("{name} stopped"),
            "A clean shutdown: WAL was flushed and sent, and a shutdown checkpoint written.",
        );
        true
    }

    /// `pg_reload_conf()` / `pg_ctl reload`: re-reads the configuration files.
    pub fn reload(&mut self, h: HostId) -> bool {
        let Some(pid) = self.server(h).map(|s| s.pid) else {
            return false;
        };
        let loaded = settings::read_files(&self.conf_files(h));
        let waits = self.sync_waits(h);
        self.log(
            h,
            pid,
            "LOG",
            "received SIGHUP, reloading configuration files",
        );
        let messages = match self.server_mut(h) {
            Some(s) => s
                .settings
                .reload(&loaded, &format!("{PGDATA}/postgresql.conf")),
            None => return false,
        };
        for m in messages {
            self.log(h, pid, m.severity, &m.text);
        }
        match self.read_hba(h, pid) {
            Some(lines) => {
                if let Some(s) = self.server_mut(h) {
                    s.hba = lines;
                }
            }
            None => self.log(h, pid, "LOG", "pg_hba.conf was not reloaded"),
        }
        // A standby picks up a changed primary_conninfo by restarting its walreceiver.
        let conninfo_changed = self.server(h).is_some_and(|s| {
            s.standby
                && s.receiver
                    .as_ref()
                    .is_some_and(|r| r.conninfo_source() != s.settings.text("primary_conninfo"))
        });
        if conninfo_changed {
            self.stop_receiver(
                h,
                "terminating walreceiver process due to administrator command",
            );
            self.timer(h, SimDuration::ZERO, Timer::ReceiverStart);
        }
        self.release_sync_waiters(h);
        self.note_sync_reload(h, waits);
        true
    }
}

/// The addresses `listen_addresses` makes the postmaster listen on.
impl Cluster {
    /// StreamServerPort under SELinux: a port not labelled for PostgreSQL is denied
    /// (`Permission denied`, an AVC record), and with no TCP socket the postmaster
    /// exits. Its logging collector already runs (RHEL's `logging_collector = on`), so
    /// the log file has why and stderr only the collector's two lines. In permissive
    /// mode the denial is only recorded.
    fn confined_bind(
        &mut self,
        h: HostId,
        pid: u32,
        listen: &str,
        port: i64,
    ) -> Result<(), StartError> {
        let own = self.host(h).addr_text();
        if listen_lines(listen, &own).is_empty() {
            return Ok(());
        }
        let port = u16::try_from(port).unwrap_or(u16::MAX);
        let Some(denial) = self.selinux_bind_denial(h, port) else {
            return Ok(());
        };
        self.audit_denial(h, pid, &denial);
        if !self.selinux_enforcing(h) {
            return Ok(());
        }
        for entry in listen.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let addrs = listen_lines(entry, &own);
            if addrs.is_empty() {
                continue;
            }
            for addr in addrs {
                let msg = format!("could not bind IPv4 address \"{addr}\": Permission denied");
                self.log(h, pid, "LOG", &msg);
            }
            let msg = format!("could not create listen socket for \"{entry}\"");
            self.log(h, pid, "WARNING", &msg);
        }
        self.log(h, pid, "FATAL", "could not create any TCP/IP sockets");
        self.log(h, pid, "LOG", "database system is shut down");
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Error, format!("{name} failed to start: SELinux denied port {port}"),
            "The server systemd starts runs confined, and may bind only ports labelled postgresql_port_t: label it with semanage port (or use 5432). /var/log/audit/audit.log has the denial.");
        let mut stderr = self.log_line(
            pid,
            "LOG",
            "redirecting log output to logging collector process",
        );
        stderr.push_str(&self.log_line(
            pid,
            "HINT",
            "Future log output will appear in directory \"log\".",
        ));
        Err(StartError::Failed(stderr))
    }
}

fn listen_lines(listen: &str, own: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in listen.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item {
            "*" | "0.0.0.0" => out.push("0.0.0.0".to_string()),
            "localhost" | "127.0.0.1" => out.push("127.0.0.1".to_string()),
            other if other == own => out.push(own.to_string()),
            _ => {}
        }
    }
    out
}

/// Whether a server with this `listen_addresses` accepts TCP connections on `addr`.
pub fn listens_on(listen: &str, addr: &str, host_name: &str) -> bool {
    listen
        .split(',')
        .map(str::trim)
        .any(|item| item == "*" || item == "0.0.0.0" || item == addr || item == host_name)
}
