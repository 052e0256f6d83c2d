//! The server's own files in a data directory, as far as deleting one has
//! consequences: a table's file under `base/5`, a database's directory, `base`,
//! `global` (pg_control and the shared catalogs' map), `pg_xact` and the lock file
//! `postmaster.pid`. What each removal does was recorded on PostgreSQL 15.18 (initdb,
//! `pg_ctl -l logfile start`, then `rm` in the running data directory): the messages
//! and log lines below are that server's.
//!
//! Simplifications: a table whose file is removed while it holds changes not yet
//! written by a checkpoint does not fail the checkpoint (PostgreSQL's checkpointer
//! cannot write the buffer, then PANICs on the fsync of the missing file); replay on a
//! standby ignores removed files; crash recovery does not recreate a removed database
//! directory; the lock file is only checked for being there, not for its contents.

use super::cluster::Cluster;
use super::event::{ConnId, EventKind, HostId, Message, Timer};
use super::host::LostFiles;
use super::time::SimDuration;
use super::wal::RecordBody;
use super::PGDATA;

/// The OID of database `postgres`, whose directory is `base/5`.
pub const POSTGRES_OID: u32 = 5;

/// The databases initdb creates, with their OIDs (their directories under `base`).
const DATABASES: [(&str, u32); 3] = [("template1", 1), ("template0", 4), ("postgres", 5)];

/// A table's main fork relative to the data directory (`base/5/16384`).
pub fn relation_path(relfilenode: u32) -> String {
    format!("base/{POSTGRES_OID}/{relfilenode}")
}

/// The files of `global` that the model knows: the control file and the map of the
/// shared catalogs (the directory holds the shared catalogs' files too).
const GLOBAL_FILES: [&str; 2] = ["pg_control", "pg_filenode.map"];

/// How often the postmaster checks that its lock file is still there and its own
/// (RecheckDataDirLockFile, once a minute in ServerLoop).
const LOCK_FILE_RECHECK: u64 = 60;

/// Why a checkpoint could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckpointFailure {
    /// pg_xact is gone: the checkpointer reports an ERROR and writes nothing.
    Error,
    /// pg_control is gone: the checkpointer PANICs.
    Panic,
}

impl LostFiles {
    /// Whether the file or directory at `rel` (relative to the data directory) was
    /// removed, or a directory holding it.
    pub fn gone(&self, rel: &str) -> bool {
        self.removed.iter().any(|r| {
            rel == r || (rel.starts_with(r.as_str()) && rel.as_bytes().get(r.len()) == Some(&b'/'))
        })
    }
}

impl Cluster {
    fn lost(&self, h: HostId) -> Option<&LostFiles> {
        self.data(h).map(|d| &d.lost)
    }

    fn gone(&self, h: HostId, rel: &str) -> bool {
        self.lost(h).is_some_and(|l| l.gone(rel))
    }

    /// The entries the model shows in `base`, `base/N`, `global` and `pg_xact` of an
    /// existing data directory (`rel` relative to it); `None` for another directory or
    /// one that was removed.
    pub fn server_dir_entries(&self, h: HostId, rel: &str) -> Option<Vec<String>> {
        let d = self.data(h)?;
        if d.lost.gone(rel) {
            return None;
        }
        let mut v: Vec<String> = match rel {
            "base" => DATABASES.iter().map(|(_, oid)| oid.to_string()).collect(),
            "global" => GLOBAL_FILES.iter().map(|f| f.to_string()).collect(),
            "pg_xact" => vec!["0000".to_string()],
            _ => {
                let oid = rel.strip_prefix("base/")?.parse::<u32>().ok()?;
                DATABASES.iter().find(|(_, o)| *o == oid)?;
                if oid == POSTGRES_OID {
                    d.db.tables
                        .values()
                        .map(|t| t.relfilenode.to_string())
                        .collect()
                } else {
                    Vec::new()
                }
            }
        };
        v.retain(|name| !d.lost.gone(&format!("{rel}/{name}")));
        Some(v)
    }

    /// `rm` of a server file or directory at `rel` (relative to the data directory)
    /// that [`Cluster::server_dir_entries`] lists, or `postmaster.pid` while the server
    /// runs. Returns false when `rel` is none of them.
    pub fn remove_server_file(&mut self, h: HostId, rel: &str) -> bool {
        let known = match rel.rsplit_once('/') {
            None => matches!(rel, "base" | "global" | "pg_xact") && !self.gone(h, rel),
            Some((dir, name)) => self
                .server_dir_entries(h, dir)
                .is_some_and(|v| v.iter().any(|n| n == name)),
        };
        let pid_file = rel == "postmaster.pid"
            && self.server(h).is_some()
            && self
                .host(h)
                .files
                .contains_key(&format!("{PGDATA}/postmaster.pid"));
        if pid_file {
            self.host_mut(h)
                .files
                .remove(&format!("{PGDATA}/postmaster.pid"));
            self.schedule_lock_file_recheck(h);
            return true;
        }
        if !known {
            return false;
        }
        if let Some(d) = self.data_mut(h) {
            d.lost.removed.insert(rel.to_string());
        }
        let name = self.host(h).name.clone();
        self.note(
            h,
            EventKind::Fault,
            format!("{name}: {rel} was removed from the data directory"),
            "PostgreSQL finds out when it next needs the file: a query, a new connection, a checkpoint or a restart fails.",
        );
        true
    }

    /// The postmaster's next lock-file check after now: once a minute from when it
    /// started.
    fn schedule_lock_file_recheck(&mut self, h: HostId) {
        let Some(started) = self.server(h).map(|s| s.started) else {
            return;
        };
        let minute = LOCK_FILE_RECHECK * 1_000_000;
        let elapsed = self.now.0.saturating_sub(started.0);
        let next = started
            .0
            .saturating_add((elapsed / minute + 1).saturating_mul(minute));
        let after = SimDuration(next.saturating_sub(self.now.0));
        self.timer(h, after, Timer::LockFileRecheck);
    }

    /// RecheckDataDirLockFile found no postmaster.pid: the postmaster shuts down at
    /// once, as after `pg_ctl stop -m immediate`.
    pub fn lock_file_recheck(&mut self, h: HostId) {
        let Some(pm) = self.server(h).map(|s| s.pid) else {
            return;
        };
        if self
            .host(h)
            .files
            .contains_key(&format!("{PGDATA}/postmaster.pid"))
        {
            return;
        }
        let missing = "could not open file \"postmaster.pid\": No such file or directory";
        self.log(h, pm, "LOG", missing);
        self.log(
            h,
            pm,
            "LOG",
            "performing immediate shutdown because data directory lock file is invalid",
        );
        self.log(h, pm, "LOG", "received immediate shutdown request");
        self.log(h, pm, "LOG", missing);
        self.log(h, pm, "LOG", "database system is shut down");
        self.kill_and_close(h);
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Fault, format!("{name} shut down: postmaster.pid was removed"),
            "The postmaster checks its lock file once a minute; without it another postmaster could start on the same data directory, so it stops at once (crash recovery at the next start).");
    }

    /// The processes die at once and the kernel closes their replication
    /// connections, which the other ends notice.
    pub fn kill_and_close(&mut self, h: HostId) {
        let Some(server) = self.server(h).cloned() else {
            return;
        };
        let mut peers: Vec<(HostId, ConnId)> =
            server.senders.iter().map(|w| (w.peer, w.conn)).collect();
        if let Some(r) = &server.receiver {
            peers.extend(r.conn.map(|c| (r.primary, c)));
        }
        for (peer, conn) in peers {
            self.send(h, peer, Message::Closed { conn, clean: false });
        }
        self.kill_server(h);
        self.host_mut(h)
            .files
            .remove(&format!("{PGDATA}/postmaster.pid"));
    }

    /// The FATAL a new backend reports before authentication: the shared catalogs'
    /// map is read first (RelationCacheInitializePhase2), also for replication
    /// connections.
    pub fn shared_catalogs_refusal(&self, h: HostId) -> Option<String> {
        self.gone(h, "global/pg_filenode.map").then(|| {
            "could not open file \"global/pg_filenode.map\": No such file or directory".to_string()
        })
    }

    /// The FATAL (with its DETAIL line) for connecting to `database` whose directory
    /// is gone, checked after authentication.
    pub fn database_dir_refusal(&self, h: HostId, database: &str) -> Option<String> {
        let (_, oid) = DATABASES.iter().find(|(n, _)| *n == database)?;
        let dir = format!("base/{oid}");
        self.gone(h, &dir).then(|| {
            format!(
                "database \"{database}\" does not exist\nDETAIL:  The database subdirectory \"{dir}\" is missing."
            )
        })
    }

    /// Logs a connection's FATAL (and DETAIL) lines as a new backend's.
    pub fn log_connection_fatal(&mut self, h: HostId, message: &str) {
        let pid = self.pid(h);
        let mut lines = message.lines();
        if let Some(first) = lines.next() {
            self.log(h, pid, "FATAL", first);
        }
        for l in lines {
            if let Some(detail) = l.strip_prefix("DETAIL:  ") {
                self.log(h, pid, "DETAIL", detail);
            } else if let Some(hint) = l.strip_prefix("HINT:  ") {
                self.log(h, pid, "HINT", hint);
            }
        }
    }

    /// The file a statement on table `name` needs and cannot open: the table's own,
    /// relative to the data directory.
    pub fn missing_relation_file(&self, h: HostId, name: &str) -> Option<String> {
        let t = self.data(h)?.db.tables.get(name)?;
        let path = relation_path(t.relfilenode);
        self.gone(h, &path).then_some(path)
    }

    /// The postmaster's check of pg_control before it starts (checkControlFile): the
    /// text postgres writes to stderr.
    pub fn control_file_refusal(&self, h: HostId) -> Option<String> {
        self.gone(h, "global/pg_control").then(|| {
            format!("postgres: could not find the database system\nExpected to find it in the directory \"{PGDATA}\",\nbut could not open file \"{PGDATA}/global/pg_control\": No such file or directory\n")
        })
    }

    /// The startup and checkpointer processes read `base` at start to remove
    /// temporary files and reset unlogged relations.
    pub fn base_dir_missing(&self, h: HostId) -> bool {
        self.gone(h, "base")
    }

    /// Whether a checkpoint (`reason` as logged) can be written, logging the
    /// checkpointer's lines when it cannot; after a PANIC the server is gone. A
    /// shutdown checkpoint's failure is the caller's to finish.
    pub fn checkpoint_failure(&mut self, h: HostId, reason: &str) -> Option<CheckpointFailure> {
        let (pm, cp) = self.server(h).map(|s| (s.pid, s.checkpointer_pid))?;
        let shutdown = reason.starts_with("shutdown");
        if self.gone(h, "global/pg_control") {
            // A shutdown checkpoint first marks pg_control "shutting down".
            if !shutdown {
                self.log(h, cp, "LOG", &format!("checkpoint starting: {reason}"));
            }
            self.log(
                h,
                cp,
                "PANIC",
                &format!(
                    "could not open file \"{PGDATA}/global/pg_control\": No such file or directory"
                ),
            );
            self.log(
                h,
                pm,
                "LOG",
                &format!("checkpointer process (PID {cp}) was terminated by signal 6: Aborted"),
            );
            self.log(
                h,
                pm,
                "LOG",
                "terminating any other active server processes",
            );
            if !shutdown {
                // restart_after_crash: reinitializing reads pg_control first.
                self.log(
                    h,
                    pm,
                    "LOG",
                    "all server processes terminated; reinitializing",
                );
                self.log(
                    h,
                    pm,
                    "PANIC",
                    "could not open file \"global/pg_control\": No such file or directory",
                );
                self.kill_and_close(h);
                let name = self.host(h).name.clone();
                self.note(h, EventKind::Fault, format!("{name}: PANIC: global/pg_control is gone"),
                    "A checkpoint ends by writing pg_control; without it the checkpointer PANICs and the server stops. It will not start again.");
            }
            return Some(CheckpointFailure::Panic);
        }
        if self.gone(h, "pg_xact/0000") {
            self.log(h, cp, "LOG", &format!("checkpoint starting: {reason}"));
            let severity = if shutdown { "FATAL" } else { "ERROR" };
            self.log(h, cp, severity, "could not access status of transaction 0");
            self.log(
                h,
                cp,
                "DETAIL",
                "Could not open file \"pg_xact/0000\": No such file or directory.",
            );
            if shutdown {
                self.log(
                    h,
                    pm,
                    "LOG",
                    &format!("checkpointer process (PID {cp}) exited with exit code 1"),
                );
                self.log(
                    h,
                    pm,
                    "LOG",
                    "terminating any other active server processes",
                );
            }
            return Some(CheckpointFailure::Error);
        }
        None
    }

    /// The end of a shutdown whose checkpoint failed: the postmaster gives up, and the
    /// next start finds pg_control saying the shutdown was interrupted.
    pub fn abnormal_shutdown(&mut self, h: HostId) {
        let Some(pm) = self.server(h).map(|s| s.pid) else {
            return;
        };
        self.log(h, pm, "LOG", "abnormal database system shutdown");
        self.log(h, pm, "LOG", "database system is shut down");
        let now = self.now;
        self.kill_and_close(h);
        if let Some(d) = self.data_mut(h) {
            d.lost.shutdown_interrupted_at = Some(now);
            d.shutdown_at = now;
        }
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Fault, format!("{name}: the shutdown checkpoint failed"),
            "Without its shutdown checkpoint the server stops as after a crash; the next start runs crash recovery.");
    }

    /// The end-of-recovery checkpoint failed: the startup process exits and the
    /// postmaster shuts down.
    pub fn startup_checkpoint_failed(&mut self, h: HostId, startup: u32) {
        let Some(pm) = self.server(h).map(|s| s.pid) else {
            return;
        };
        self.log(h, startup, "FATAL", "checkpoint request failed");
        self.log(
            h,
            startup,
            "HINT",
            "Consult recent messages in the server log for details.",
        );
        self.log(
            h,
            pm,
            "LOG",
            &format!("startup process (PID {startup}) exited with exit code 1"),
        );
        self.log(
            h,
            pm,
            "LOG",
            "terminating any other active server processes",
        );
        self.log(h, pm, "LOG", "shutting down due to startup process failure");
        self.log(h, pm, "LOG", "database system is shut down");
        let host = self.host_mut(h);
        host.server = None;
        host.epoch += 1;
        host.files.remove(&format!("{PGDATA}/postmaster.pid"));
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Error, format!("{name} cannot start: the end-of-recovery checkpoint failed"),
            "Crash recovery ends with a checkpoint; with pg_xact gone it cannot be written, so the server does not start.");
    }
}

impl Cluster {
    /// Crash recovery replays a commit while pg_xact is gone: the first read of its
    /// page finds no file (SlruPhysicalReadPage during recovery reads zeros).
    pub fn note_pg_xact_zeroes(&mut self, h: HostId, pid: u32, data: &super::host::DataDir) {
        if !data.lost.gone("pg_xact/0000") {
            return;
        }
        let commit = data.wal.records.iter().find_map(|r| match r.body {
            RecordBody::Commit { at, .. } | RecordBody::Workload { at, .. }
                if r.start >= data.redo =>
            {
                Some((r.start, at))
            }
            _ => None,
        });
        let Some((lsn, at)) = commit else { return };
        self.log(
            h,
            pid,
            "LOG",
            "file \"pg_xact/0000\" doesn't exist, reading as zeroes",
        );
        self.log(
            h,
            pid,
            "CONTEXT",
            &format!(
                "WAL redo at {lsn} for Transaction/COMMIT: {}",
                super::datetime::format_timestamptz(at.unix_micros())
            ),
        );
    }
}
