//! A PostgreSQL server: its data directory (what survives a restart) and its running
//! processes (postmaster, backends, walsenders, walreceiver, startup process).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use super::cluster::Cluster;
use super::db::Change;
use super::event::{ConnId, Event, EventKind, HostId, Message, SessionOutput, Timer};
use super::host::{DataDir, Slot, Workload};
use super::lsn::{Lsn, TimelineId, SEGMENT_SIZE};
use super::proc::{Server, Session, SyncWait, Waiting};
use super::settings::{self, Settings};
use super::time::SimDuration;
use super::wal::{self, RecordBody};
use super::{hba, PGDATA};

/// Why `pg_ctl start` failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartError {
    NoDataDirectory,
    AlreadyRunning,
    /// The server exited during start. What it wrote to stderr before its logging
    /// collector ran (empty when the reason went to its log file).
    Failed(String),
}

/// How to stop (`pg_ctl stop -m`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopMode {
    Smart,
    Fast,
    Immediate,
}

/// The outcome of a write statement on a primary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Committed; the client gets its command tag now.
    Done,
    /// Committed locally; waits for synchronous standbys before answering.
    Waiting,
}

/// How many past checkpoints a data directory remembers.
const CHECKPOINT_HISTORY: usize = 32;

/// PostgreSQL's KeepLogSeg: the oldest segment that slots (capped by
/// max_slot_wal_keep_size) and wal_keep_size keep, counted in whole 16MB segments back
/// from the segment of `current`. Without a slot or wal_keep_size it is `current`'s.
pub fn keep_log_seg(current: Lsn, min_slot: Option<Lsn>, max_slot_mb: i64, keep_mb: u64) -> u64 {
    let curr = current.segment();
    let mut segno = curr;
    if let Some(keep) = min_slot.filter(|k| *k < current) {
        segno = keep.segment();
        if max_slot_mb >= 0 {
            let slot_keep = super::lsn::mb_to_segments(max_slot_mb as u64);
            if curr - segno > slot_keep {
                segno = curr - slot_keep;
            }
        }
    }
    if keep_mb > 0 {
        let keep_segs = super::lsn::mb_to_segments(keep_mb);
        if curr - segno < keep_segs {
            segno = if curr <= keep_segs {
                1
            } else {
                curr - keep_segs
            };
        }
    }
    segno
}

impl Cluster {
    // ---- configuration ------------------------------------------------------------

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
        let text = self.host(h).files.get(&path).cloned().unwrap_or_default();
        match hba::parse_hba(&text) {
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

    // ---- start, stop, reload, promote -----------------------------------------------

    /// `pg_ctl start`: reads the configuration, runs recovery if needed, and starts
    /// accepting connections (read-only in recovery).
    pub fn start(&mut self, h: HostId) -> Result<(), StartError> {
        if self.host(h).server.is_some() {
            return Err(StartError::AlreadyRunning);
        }
        if self.host(h).data.is_none() {
            return Err(StartError::NoDataDirectory);
        }
        let pid = self.pid(h);
        let loaded = settings::read_files(&self.conf_files(h));
        let name = self.host(h).name.clone();
        // Until the logging collector runs, the postmaster writes to stderr, which
        // pg_ctl shows: a bad configuration never reaches the log file.
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
                "The postmaster refuses to start with a bad setting; pg_ctl shows why. Fix the file and start again.");
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
        self.log(h, pid, "LOG", "starting PostgreSQL 15.18 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit");
        let listen = settings.text("listen_addresses");
        let port = settings.int("port");
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
        let standby = self
            .host(h)
            .files
            .contains_key(&format!("{PGDATA}/standby.signal"));
        let startup_pid = self.pid(h);
        let checkpointer_pid = self.pid(h);
        let now = self.now;
        let host = self.host_mut(h);
        host.crashed = false;
        host.epoch += 1;
        host.files.insert(
            format!("{PGDATA}/postmaster.pid"),
            format!("{pid}\n{PGDATA}\n"),
        );
        host.server = Some(Server {
            pid,
            started: now,
            settings,
            hba: hba_lines,
            standby,
            consistent: !standby,
            senders: Vec::new(),
            receiver: None,
            sessions: Vec::new(),
            replaying_to: None,
            startup_pid,
            checkpointer_pid,
            next_connect: now,
            walwriter_pending: false,
            last_fork_error: None,
        });
        self.recover_at_start(h, startup_pid);
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
        Ok(())
    }

    /// The settings of the running server on `h` (defaults when stopped).
    pub fn settings(&self, h: HostId) -> Settings {
        match &self.host(h).server {
            Some(s) => s.settings.clone(),
            None => Settings::at_start(&self.file_settings(h)),
        }
    }

    pub(crate) fn server(&self, h: HostId) -> Option<&Server> {
        self.host(h).server.as_ref()
    }

    pub(crate) fn server_mut(&mut self, h: HostId) -> Option<&mut Server> {
        self.host_mut(h).server.as_mut()
    }

    pub(crate) fn data(&self, h: HostId) -> Option<&DataDir> {
        self.host(h).data.as_ref()
    }

    pub(crate) fn data_mut(&mut self, h: HostId) -> Option<&mut DataDir> {
        self.host_mut(h).data.as_mut()
    }

    /// What a starting server logs about recovery: the startup process (`pid`) and,
    /// for a primary, the postmaster's "ready to accept connections".
    fn recover_at_start(&mut self, h: HostId, pid: u32) {
        let Some(server) = self.server(h) else { return };
        let standby = server.standby;
        let postmaster = server.pid;
        let Some(data) = self.data(h).cloned() else {
            return;
        };
        let last_up = super::datetime::format_log_timestamp(data.shutdown_at.unix_micros());
        let last_up = last_up
            .trim_end_matches(" UTC")
            .rsplit_once('.')
            .map_or(last_up.clone(), |(a, _)| format!("{a} UTC"));
        if let Some(label) = &data.backup {
            self.log(
                h,
                pid,
                "LOG",
                &format!("database system was interrupted; last known up at {last_up}"),
            );
            self.log(
                h,
                pid,
                "LOG",
                &format!(
                "starting backup recovery with redo LSN {}, checkpoint LSN {}, on timeline ID {}",
                label.start, label.checkpoint, label.tli),
            );
            if let Some(host) = Some(self.host_mut(h)) {
                if let Some(bl) = host.files.remove(&format!("{PGDATA}/backup_label")) {
                    host.files.insert(format!("{PGDATA}/backup_label.old"), bl);
                }
            }
        } else if data.clean_shutdown {
            let state = if data.shutdown_in_recovery {
                "shut down in recovery"
            } else {
                "shut down"
            };
            self.log(
                h,
                pid,
                "LOG",
                &format!("database system was {state} at {last_up}"),
            );
        } else {
            self.log(
                h,
                pid,
                "LOG",
                &format!("database system was interrupted; last known up at {last_up}"),
            );
            self.log(
                h,
                pid,
                "LOG",
                "database system was not properly shut down; automatic recovery in progress",
            );
        }
        if standby {
            self.log(h, pid, "LOG", "entering standby mode");
            // Recovery starts at the last (restart)point's redo; PostgreSQL says so when
            // there is a record to replay from there: the redo point is before the
            // checkpoint record (an online checkpoint) or records follow it (not after a
            // clean primary shutdown).
            let from = data.backup.as_ref().map_or(data.redo, |l| l.start);
            let more = data
                .wal
                .records
                .back()
                .is_some_and(|r| r.start > data.checkpoint_lsn);
            if data.backup.is_some() || data.redo < data.checkpoint_lsn || more {
                self.log(h, pid, "LOG", &format!("redo starts at {from}"));
            }
            self.replay_available(h);
            self.check_consistency(h);
        } else {
            if !data.clean_shutdown {
                // Replay ends where the next record header reads as zeros; "redo done"
                // names the start of the last record replayed.
                let end = data.wal.flush;
                let last = data.wal.records.back().map_or(end, |r| r.start);
                self.log(h, pid, "LOG", &format!("redo starts at {}", data.redo));
                // At a page boundary the next page header is zeros; inside a page the
                // next record header is.
                let why = if end.0 % super::lsn::PAGE_SIZE == 0 {
                    format!(
                        "invalid magic number 0000 in log segment {}, offset {}",
                        super::lsn::segment_file_name(data.wal.tli, end.segment()),
                        end.0 % SEGMENT_SIZE
                    )
                } else {
                    format!("invalid record length at {end}: wanted 24, got 0")
                };
                self.log(h, pid, "LOG", &why);
                self.log(h, pid, "LOG", &format!("redo done at {last} system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s"));
                self.checkpoint(h, "end-of-recovery immediate wait", true);
            }
            if let Some(d) = self.data_mut(h) {
                d.clean_shutdown = false;
                d.backup = None;
            }
            self.log(
                h,
                postmaster,
                "LOG",
                "database system is ready to accept connections",
            );
        }
    }

    /// Marks a standby consistent once replay passed the end of its base backup.
    pub(crate) fn check_consistency(&mut self, h: HostId) {
        let Some(data) = self.data(h) else { return };
        let (reached, at) = match &data.backup {
            // Recovery checks after every record, so it notices at the backup's end.
            Some(label) => (data.applied >= label.end, label.end),
            None => (true, data.applied),
        };
        let Some(server) = self.server(h) else { return };
        if server.consistent || !reached {
            return;
        }
        let pid = server.pid;
        let startup = server.startup_pid;
        let hot = server.settings.bool("hot_standby");
        if let Some(s) = self.server_mut(h) {
            s.consistent = true;
        }
        if let Some(d) = self.data_mut(h) {
            d.backup = None;
        }
        self.log(
            h,
            startup,
            "LOG",
            &format!("consistent recovery state reached at {at}"),
        );
        if hot {
            self.log(
                h,
                pid,
                "LOG",
                "database system is ready to accept read-only connections",
            );
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
            if s.waiting.is_some() {
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
            if let Some(conn) = rcv.conn {
                self.send(h, rcv.primary, Message::Closed { conn, clean: true });
            }
        }
        self.log(h, pid, "LOG", "aborting any active transactions");
        if server.standby {
            self.log(h, pid, "LOG", "shutting down");
            self.restartpoint(h, "shutdown immediate");
        } else {
            self.log(h, pid, "LOG", "shutting down");
            self.checkpoint(h, "shutdown immediate", true);
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

    fn release_slots_of(&mut self, h: HostId) {
        if let Some(d) = self.data_mut(h) {
            d.slots.retain(|_, s| !s.temporary);
            for s in d.slots.values_mut() {
                s.active_pid = None;
            }
        }
    }

    /// `pg_reload_conf()` / `pg_ctl reload`: re-reads the configuration files.
    pub fn reload(&mut self, h: HostId) -> bool {
        let Some(pid) = self.server(h).map(|s| s.pid) else {
            return false;
        };
        let loaded = settings::read_files(&self.conf_files(h));
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
        true
    }

    /// Promotes a standby: replays what it has, picks a new timeline and starts
    /// accepting writes. Returns false when the server is not in recovery.
    pub fn promote(&mut self, h: HostId) -> bool {
        let Some(server) = self.server(h) else {
            return false;
        };
        if !server.standby {
            return false;
        }
        let pid = server.pid;
        let startup = server.startup_pid;
        self.log(h, startup, "LOG", "received promote request");
        self.stop_receiver(
            h,
            "terminating walreceiver process due to administrator command",
        );
        self.replay_now(h, Lsn(u64::MAX));
        let name = self.host(h).name.clone();
        let Some(data) = self.data_mut(h) else {
            return false;
        };
        // The new timeline starts after the last complete record replayed.
        let end = data.applied;
        data.wal.truncate(end);
        let old = data.wal.tli;
        let new = TimelineId(old.0 + 1);
        data.wal.history.push(wal::HistoryEntry {
            tli: old,
            switchpoint: end,
        });
        data.wal.tli = new;
        data.backup = None;
        let last_commit = data.last_replayed_commit;
        let history = data.wal.history_file();
        self.log(h, startup, "LOG", &format!("redo done at {end} system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s"));
        if let Some(t) = last_commit {
            self.log(
                h,
                startup,
                "LOG",
                &format!(
                    "last completed transaction was at log time {}",
                    super::datetime::format_timestamptz(t.unix_micros())
                ),
            );
        }
        self.log(
            h,
            startup,
            "LOG",
            &format!("selected new timeline ID: {new}"),
        );
        self.log(h, startup, "LOG", "archive recovery complete");
        let host = self.host_mut(h);
        host.files.remove(&format!("{PGDATA}/standby.signal"));
        host.files
            .insert(format!("{PGDATA}/pg_wal/{:08X}.history", new.0), history);
        if let Some(s) = host.server.as_mut() {
            s.standby = false;
            s.consistent = true;
            s.replaying_to = None;
        }
        self.append(
            h,
            wal::END_OF_RECOVERY_RECORD,
            RecordBody::EndOfRecovery { new_tli: new },
        );
        self.flush(h);
        self.log(
            h,
            pid,
            "LOG",
            "database system is ready to accept connections",
        );
        self.checkpoint(h, "force", false);
        self.note(h, EventKind::Promote, format!("{name} promoted: now the primary on timeline {new}"),
            "A new timeline begins where replay ended; standbys must follow it (recovery_target_timeline = 'latest').");
        true
    }

    // ---- writing WAL on a primary -------------------------------------------------------

    /// Appends a record to the primary's WAL (not yet flushed).
    pub(crate) fn append(&mut self, h: HostId, len: u64, body: RecordBody) -> Lsn {
        let Some(data) = self.data_mut(h) else {
            return Lsn(0);
        };
        data.dirty_since_snapshot = true;
        let end = data.wal.append(len, body);
        data.applied = data.applied.max(end);
        end
    }

    /// Flushes the primary's WAL and lets the walsenders send it.
    pub(crate) fn flush(&mut self, h: HostId) {
        let Some(data) = self.data_mut(h) else { return };
        data.wal.write = data.wal.insert;
        data.wal.flush = data.wal.insert;
        let flush = data.wal.flush;
        data.undo.retain(|(lsn, _)| *lsn > flush);
        self.wake_senders(h);
        self.maybe_wal_size_checkpoint(h);
    }

    /// Runs one transaction of data changes on the primary: WAL records, a commit
    /// record, and (depending on synchronous_commit) a flush and a wait for standbys.
    pub fn commit_changes(
        &mut self,
        h: HostId,
        session: usize,
        changes: Vec<(u64, Change)>,
        tag: &str,
        query: &str,
    ) -> WriteOutcome {
        self.next_xid += 1;
        let xid = self.next_xid;
        let mode = self.effective_sync_commit(h, session);
        let fpi = changes
            .iter()
            .any(|(_, c)| matches!(c, Change::CreateTable { .. } | Change::DropTable { .. }))
            && !self.data(h).is_some_and(|d| d.catalog_fpi_done);
        for (i, (size, change)) in changes.into_iter().enumerate() {
            let change = Arc::new(change);
            let extra = if fpi && i == 0 {
                wal::CREATE_TABLE_FPI
            } else {
                0
            };
            let end = self.append(
                h,
                size + extra,
                RecordBody::Change {
                    xid,
                    change: change.clone(),
                },
            );
            if let Some(d) = self.data_mut(h) {
                let undo = d.db.apply(&change);
                d.undo.push((end, undo));
                if fpi {
                    d.catalog_fpi_done = true;
                }
            }
        }
        let apply_feedback = mode == "remote_apply";
        let at = self.now;
        let lsn = self.append(
            h,
            wal::COMMIT_RECORD,
            RecordBody::Commit {
                xid,
                at,
                apply_feedback,
            },
        );
        if mode == "off" {
            self.schedule_walwriter(h);
            return WriteOutcome::Done;
        }
        self.flush(h);
        let wait = match mode.as_str() {
            "remote_write" => Some(SyncWait::Write),
            "on" => Some(SyncWait::Flush),
            "remote_apply" => Some(SyncWait::Apply),
            _ => None,
        };
        let Some(wait) = wait.filter(|_| self.sync_config(h).is_some()) else {
            return WriteOutcome::Done;
        };
        let Some(s) = self
            .server_mut(h)
            .and_then(|srv| srv.sessions.get_mut(session))
        else {
            return WriteOutcome::Done;
        };
        s.waiting = Some(Waiting {
            lsn,
            mode: wait,
            tag: tag.to_string(),
            query: query.to_string(),
            since: at,
            xid,
        });
        self.release_sync_waiters(h);
        let still = self
            .server(h)
            .and_then(|s| s.sessions.get(session))
            .is_some_and(|s| s.waiting.is_some());
        if still {
            WriteOutcome::Waiting
        } else {
            // Released at once (the standbys had it already): the output was queued;
            // take it back so the caller prints the tag in line.
            self.outputs
                .retain(|o| !(o.host == h && o.session == session && o.at == at));
            WriteOutcome::Done
        }
    }

    /// synchronous_commit as this session sees it.
    pub fn effective_sync_commit(&self, h: HostId, session: usize) -> String {
        let Some(server) = self.server(h) else {
            return "on".to_string();
        };
        let def = super::conf::lookup("synchronous_commit");
        let session_value = server
            .sessions
            .get(session)
            .and_then(|s| s.set.get("synchronous_commit"));
        let raw = match (session_value, def) {
            (Some(v), Some(d)) => super::conf::show(d, v),
            _ => server.settings.text("synchronous_commit"),
        };
        match raw.as_str() {
            "true" | "yes" | "1" => "on".to_string(),
            "false" | "no" | "0" => "off".to_string(),
            _ => raw,
        }
    }

    fn schedule_walwriter(&mut self, h: HostId) {
        let pending = self.server(h).is_some_and(|s| s.walwriter_pending);
        if !pending {
            if let Some(s) = self.server_mut(h) {
                s.walwriter_pending = true;
            }
            self.timer(h, SimDuration::from_millis(200), Timer::WalWriter);
        }
    }

    /// Writes a checkpoint on a primary (or a restartpoint on a standby) and removes
    /// WAL segments nothing needs any more.
    pub fn checkpoint(&mut self, h: HostId, reason: &str, shutdown: bool) {
        let Some(server) = self.server(h) else { return };
        let cp_pid = server.checkpointer_pid;
        if server.standby {
            self.restartpoint(h, reason);
            return;
        }
        let Some(data) = self.data(h) else { return };
        let idle = data.nothing_since_checkpoint() && !reason.contains("force") && !shutdown;
        if idle {
            return;
        }
        let since = data.redo;
        // The redo point is where the next record goes; a shutdown checkpoint's record
        // is written right there, so its location equals its redo point.
        let redo = data.wal.insert.record_start();
        self.log(h, cp_pid, "LOG", &format!("checkpoint starting: {reason}"));
        if !shutdown {
            self.append(h, wal::RUNNING_XACTS_RECORD, RecordBody::RunningXacts);
        }
        self.append(
            h,
            wal::CHECKPOINT_RECORD,
            RecordBody::Checkpoint { redo, shutdown },
        );
        // The checkpoint's location (pg_control_checkpoint().checkpoint_lsn) is where
        // its record starts.
        let cp_lsn = self
            .data(h)
            .and_then(|d| d.wal.records.back())
            .map_or(redo, |r| r.start);
        // The new redo point is in force before the flush, whose max_wal_size check
        // must not see the old one and start this checkpoint again.
        let now = self.now;
        if let Some(d) = self.data_mut(h) {
            d.redo = redo;
            d.checkpoint_lsn = cp_lsn;
            d.checkpoint_time = now;
            d.catalog_fpi_done = false;
            d.checkpoints.push((cp_lsn, redo));
            if d.checkpoints.len() > CHECKPOINT_HISTORY {
                d.checkpoints.remove(0);
            }
        }
        self.flush(h);
        let removed = self.remove_old_wal(h, redo);
        let distance_kb = redo.diff(since).max(0) / 1024;
        let buffers = (distance_kb / 8).clamp(1, 16384);
        self.log(h, cp_pid, "LOG", &format!(
            "checkpoint complete: wrote {buffers} buffers ({:.1}%); 0 WAL file(s) added, {removed} removed, 0 recycled; write=0.003 s, sync=0.001 s, total=0.008 s; sync files=2, longest=0.001 s, average=0.001 s; distance={distance_kb} kB, estimate={distance_kb} kB",
            buffers as f64 * 100.0 / 16384.0));
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Checkpoint, format!("checkpoint on {name} (redo {redo})"),
            "Dirty pages are on disk up to here, so WAL before the redo point is no longer needed for crash recovery.");
    }

    fn restartpoint(&mut self, h: HostId, reason: &str) {
        let Some(data) = self.data(h) else { return };
        // The newest checkpoint record replayed so far.
        let replayed = data.applied;
        let found = data.wal.records.iter().rev().find_map(|r| match r.body {
            RecordBody::Checkpoint { redo, .. } if r.end <= replayed => Some((redo, r.start)),
            _ => None,
        });
        let Some((redo, cp_lsn)) = found.filter(|(redo, _)| *redo > data.redo) else {
            return;
        };
        let cp_pid = self.server(h).map_or(0, |s| s.checkpointer_pid);
        self.log(
            h,
            cp_pid,
            "LOG",
            &format!("restartpoint starting: {reason}"),
        );
        let removed = self.remove_old_wal(h, redo);
        let now = self.now;
        if let Some(d) = self.data_mut(h) {
            d.redo = redo;
            d.checkpoint_lsn = cp_lsn;
            d.checkpoint_time = now;
        }
        self.log(h, cp_pid, "LOG", &format!("restartpoint complete: wrote 0 buffers (0.0%); 0 WAL file(s) added, {removed} removed, 0 recycled; write=0.001 s, sync=0.001 s, total=0.002 s; sync files=0, longest=0.000 s, average=0.000 s; distance=0 kB, estimate=0 kB"));
        self.log(
            h,
            cp_pid,
            "LOG",
            &format!("recovery restart point at {redo}"),
        );
    }

    /// Removes segments before what the redo point, wal_keep_size and the slots keep;
    /// slots past max_slot_wal_keep_size are invalidated first.
    fn remove_old_wal(&mut self, h: HostId, redo: Lsn) -> u64 {
        let settings = self.settings(h);
        let keep_mb = settings.int("wal_keep_size").max(0) as u64;
        let max_slot_mb = settings.int("max_slot_wal_keep_size");
        let cp_pid = self.server(h).map_or(0, |s| s.checkpointer_pid);
        let Some(data) = self.data(h) else { return 0 };
        let current = data.wal.insert;
        // The first segment to keep (CreateCheckPoint: the redo segment, lowered by
        // KeepLogSeg); slots holding older WAL are invalidated, then it is worked out
        // again without them.
        let keep_from = |slots: Option<Lsn>| {
            redo.segment()
                .min(keep_log_seg(current, slots, max_slot_mb, keep_mb))
        };
        let oldest = keep_from(data.min_slot_lsn());
        let invalidate: Vec<_> = data
            .slots
            .iter()
            .filter_map(|(name, slot)| {
                let restart = slot.restart_lsn?;
                (restart.segment() < oldest).then(|| (name.clone(), restart, slot.active_pid))
            })
            .collect();
        for (name, restart, active) in invalidate {
            if let Some(pid) = active {
                self.log(
                    h,
                    cp_pid,
                    "LOG",
                    &format!("terminating process {pid} to release replication slot \"{name}\""),
                );
                let conn = self.server(h).and_then(|s| {
                    s.senders
                        .iter()
                        .find(|w| w.pid == pid)
                        .map(|w| (w.conn, w.peer))
                });
                if let Some((conn, peer)) = conn {
                    self.drop_sender(h, conn);
                    self.send(h, peer, Message::Closed { conn, clean: false });
                }
            }
            self.log(h, cp_pid, "LOG", &format!("invalidating slot \"{name}\" because its restart_lsn {restart} exceeds max_slot_wal_keep_size"));
            if let Some(s) = self.data_mut(h).and_then(|d| d.slots.get_mut(&name)) {
                s.restart_lsn = None;
                s.lost = true;
                s.active_pid = None;
            }
            let host = self.host(h).name.clone();
            self.note(h, EventKind::SlotInvalidated, format!("slot {name} on {host} invalidated"),
                "The slot held more WAL than max_slot_wal_keep_size allows; its standby can no longer catch up from this server.");
        }
        let Some(data) = self.data_mut(h) else {
            return 0;
        };
        let keep = keep_from(data.min_slot_lsn());
        let before = data.wal.oldest_segment;
        let removed = data.wal.remove_segments_before(keep);
        if removed > 0 {
            let last = crate::sim::lsn::segment_file_name(
                data.wal.tli_at(Lsn((keep - 1) * SEGMENT_SIZE)),
                keep - 1,
            );
            let first = crate::sim::lsn::segment_file_name(
                data.wal.tli_at(Lsn(before * SEGMENT_SIZE)),
                before,
            );
            let host = self.host(h).name.clone();
            let text = if removed == 1 {
                format!("{host} removed WAL segment {first}")
            } else {
                format!("{host} removed WAL segments {first} .. {last}")
            };
            self.note(h, EventKind::SegmentRemoved, text,
                "A standby that still needed these segments, and had no slot holding them, can no longer stream.");
        }
        removed
    }

    fn maybe_wal_size_checkpoint(&mut self, h: HostId) {
        let Some(data) = self.data(h) else { return };
        let max_mb = self
            .server(h)
            .map_or(1024, |s| s.settings.int("max_wal_size"));
        // PostgreSQL 15 checkpoints after max_wal_size / (1 + checkpoint_completion_target).
        let trigger = (max_mb.max(2) as u64) * 1024 * 1024 * 10 / 19;
        if !self.server(h).is_some_and(|s| s.standby)
            && data.wal.insert.0.saturating_sub(data.redo.0) > trigger
        {
            self.checkpoint(h, "wal", false);
        }
    }

    // ---- sessions ---------------------------------------------------------------------

    /// The session a new psql line on `h` runs in: the first one not waiting, opened
    /// on demand (a second psql window while the first is busy).
    pub fn idle_session(&mut self, h: HostId) -> Option<usize> {
        let server = self.server(h)?;
        if let Some(i) = server.sessions.iter().position(|s| s.waiting.is_none()) {
            return Some(i);
        }
        let pid = self.pid(h);
        let port = self.rng.range(32768, 60999) as u16;
        let now = self.now;
        let server = self.server_mut(h)?;
        server.sessions.push(Session {
            pid,
            backend_start: now,
            client_port: port,
            // psql names itself when it connects.
            set: BTreeMap::from([(
                "application_name",
                super::conf::Parsed::Text("psql".to_string()),
            )]),
            waiting: None,
            last_query: String::new(),
            running: false,
        });
        Some(server.sessions.len() - 1)
    }

    /// Cancels the waiting statement of session `session` (Ctrl-C in psql,
    /// pg_cancel_backend). Returns false when nothing waited.
    pub fn cancel(&mut self, h: HostId, session: usize) -> bool {
        let Some(w) = self
            .server_mut(h)
            .and_then(|s| s.sessions.get_mut(session))
            .and_then(|s| s.waiting.take())
        else {
            return false;
        };
        self.outputs.push(SessionOutput {
            at: self.now,
            host: h,
            session,
            text: format!("WARNING:  canceling wait for synchronous replication due to user request\nDETAIL:  The transaction has already committed locally, but might not have been replicated to the standby.\n{}\n", w.tag),
        });
        true
    }

    /// `pg_switch_wal()`: ends the current segment. Returns the end of the switch
    /// record, or the current position when nothing was written since the last switch.
    pub fn switch_wal(&mut self, h: HostId) -> Lsn {
        let Some(d) = self.data(h) else { return Lsn(0) };
        let insert = d.wal.insert;
        let at_boundary = insert.0 % SEGMENT_SIZE == 0
            || d.wal
                .records
                .back()
                .is_some_and(|r| matches!(r.body, RecordBody::Switch) && r.end == insert);
        if at_boundary {
            return insert;
        }
        let (_, end) = insert.allocate(wal::SWITCH_RECORD);
        self.append(h, wal::SWITCH_RECORD, RecordBody::Switch);
        self.flush(h);
        end
    }

    /// `pg_create_physical_replication_slot(name, immediately_reserve, temporary)`.
    /// Returns the reserved LSN; the error is PostgreSQL's message and hint.
    pub fn create_slot(
        &mut self,
        h: HostId,
        name: &str,
        reserve: bool,
        temporary: bool,
    ) -> Result<Option<Lsn>, (String, Option<String>)> {
        let valid = !name.is_empty()
            && name.len() < 64
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err((
                format!("replication slot name \"{name}\" contains invalid character"),
                Some("Replication slot names may only contain lower case letters, numbers, and the underscore character.".to_string()),
            ));
        }
        let max = self.settings(h).int("max_replication_slots");
        let Some(d) = self.data_mut(h) else {
            return Err(("no data directory".to_string(), None));
        };
        if d.slots.contains_key(name) {
            return Err((format!("replication slot \"{name}\" already exists"), None));
        }
        if d.slots.len() as i64 >= max {
            return Err((
                "all replication slots are in use".to_string(),
                Some("Free one or increase max_replication_slots.".to_string()),
            ));
        }
        // A physical slot reserves from the last checkpoint's redo point (where a base
        // backup would start replay), not from the insert position.
        let restart = reserve.then_some(d.redo);
        d.slots.insert(
            name.to_string(),
            Slot {
                restart_lsn: restart,
                active_pid: None,
                lost: false,
                temporary,
            },
        );
        Ok(restart)
    }

    /// `pg_drop_replication_slot(name)`.
    pub fn drop_slot(&mut self, h: HostId, name: &str) -> Result<(), String> {
        let Some(d) = self.data_mut(h) else {
            return Err("no data directory".to_string());
        };
        match d.slots.get(name) {
            None => Err(format!("replication slot \"{name}\" does not exist")),
            Some(Slot {
                active_pid: Some(pid),
                ..
            }) => Err(format!(
                "replication slot \"{name}\" is active for PID {pid}"
            )),
            Some(_) => {
                d.slots.remove(name);
                Ok(())
            }
        }
    }

    /// Hands out a transaction id (txid_current()).
    pub fn allocate_xid(&mut self) -> u32 {
        self.next_xid += 1;
        self.next_xid
    }

    /// The next transaction id, without using it.
    pub fn peek_xid(&self) -> u32 {
        self.next_xid + 1
    }

    // ---- the workload -------------------------------------------------------------------

    /// Starts (tps > 0) or stops (tps = 0) the built-in workload on `h`.
    pub fn set_workload(&mut self, h: HostId, tps: u32) {
        if tps == 0 {
            self.host_mut(h).workload = None;
            return;
        }
        let was = self.host(h).workload.is_some();
        let w = self.host_mut(h).workload.get_or_insert(Workload {
            tps,
            carry: 0,
            waiting: VecDeque::new(),
            committed: 0,
            last_latency: SimDuration::ZERO,
        });
        w.tps = tps;
        if !was {
            self.schedule_workload(h);
        }
    }

    pub(crate) fn schedule_workload(&mut self, h: HostId) {
        self.schedule(self.now + WORKLOAD_TICK, Event::WorkloadTick(h));
    }

    pub(crate) fn workload_tick(&mut self, h: HostId) {
        let Some(w) = self.host(h).workload.clone() else {
            return;
        };
        let writable = self.server(h).is_some_and(|s| !s.standby);
        if !writable {
            // Clients cannot write to a stopped server or a standby; they keep trying.
            if self.server(h).is_some() {
                self.schedule_workload(h);
            }
            return;
        }
        let owed = w.carry + w.tps as u64 * WORKLOAD_TICK.0 / 1000;
        let txns = (owed / 1000) as u32;
        if let Some(wl) = self.host_mut(h).workload.as_mut() {
            wl.carry = owed % 1000;
        }
        if txns > 0 {
            let at = self.now;
            let lsn = self.append(
                h,
                wal::WORKLOAD_TXN_BYTES * txns as u64,
                RecordBody::Workload { txns, at },
            );
            self.flush(h);
            let sync = self.sync_config(h).is_some()
                && self.server(h).is_some_and(|s| {
                    s.settings.text("synchronous_commit") != "off"
                        && s.settings.text("synchronous_commit") != "local"
                });
            if let Some(wl) = self.host_mut(h).workload.as_mut() {
                if sync {
                    wl.waiting.push_back((lsn, at, txns));
                } else {
                    wl.committed += txns as u64;
                    wl.last_latency = SimDuration::ZERO;
                }
            }
            if sync {
                self.release_sync_waiters(h);
            }
        }
        self.schedule_workload(h);
    }
}

/// How often the workload commits a group of transactions.
pub const WORKLOAD_TICK: SimDuration = SimDuration::from_millis(20);

/// The addresses `listen_addresses` makes the postmaster listen on.
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
