//! The data of a host: its files, its data directory (what survives a restart), its
//! replication slots and backup label, and the workload run against it. A leaf: the
//! processes that change these live elsewhere, as `impl Cluster` blocks.

use std::collections::VecDeque;

use crate::map::Map;
use std::sync::Arc;

use super::db::{Change, Database, Undo};
use super::lsn::{Lsn, TimelineId};
use super::os::Rhel;
use super::proc::Server;
use super::time::{SimDuration, SimTime};
use super::wal::{RecordBody, Wal};
use super::PGDATA;

/// A machine with PostgreSQL 15 installed.
#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    pub addr: [u8; 4],
    /// Regular files by absolute path (configuration files, signal files, the log).
    pub files: Map<String, String>,
    /// Directories that exist besides the data directory's own.
    pub dirs: crate::map::Set<String>,
    /// Owners, modes and times recorded by path (`chown`, `chmod`, what `mkdir`, `echo`,
    /// initdb and pg_basebackup made); any other file has [`super::perm::default_meta`].
    pub meta: Map<String, super::perm::FileMeta>,
    /// The data directory's durable contents, when one exists.
    pub data: Option<DataDir>,
    /// The running postmaster and its processes.
    pub server: Option<Server>,
    /// The server died without shutting down (crash, power loss) and has not restarted.
    pub crashed: bool,
    /// The built-in write workload, when one runs against this host.
    pub workload: Option<Workload>,
    /// Counts server starts, so timers of an earlier incarnation are ignored.
    pub epoch: u64,
    /// The size in bytes of the disk the data directory sits on (`lab$ disk`,
    /// [`DEFAULT_DISK`]); `df` and the card show how full it is.
    pub disk: u64,
    /// How fast the data directory's disk writes, in bytes a second (`lab$ disk-speed`);
    /// `None`: fast enough never to hold anything up (the model's default).
    pub disk_speed: Option<u64>,
    /// When the disk is done with the writes queued on it.
    pub disk_busy_until: super::SimTime,
    /// The operating system's state on a RHEL host (`lab$ os rhel`); `None` in the
    /// default lab, whose hosts have PostgreSQL and nothing else.
    pub os: Option<Box<Rhel>>,
    pub next_pid: u32,
}

impl Host {
    pub fn pgdata_file(&self, rel: &str) -> Option<&String> {
        self.files.get(&format!("{PGDATA}/{rel}"))
    }

    /// The owner, mode and times of `path` (a directory when `is_dir`): recorded, or
    /// the default for where it is (see [`super::perm::default_meta`]).
    pub fn meta_of(&self, path: &str, is_dir: bool) -> super::perm::FileMeta {
        if let Some(m) = self.meta.get(path) {
            return *m;
        }
        let since = self.meta.get(PGDATA).map_or(SimTime::ZERO, |m| m.ctime);
        super::perm::default_meta(path, is_dir, since)
    }

    /// Forgets the recorded owners and modes of `path` and everything under it.
    pub fn forget_meta(&mut self, path: &str) {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        self.meta
            .retain(|p, _| p != path && !p.starts_with(&prefix));
    }

    pub fn is_running(&self) -> bool {
        self.server.is_some()
    }

    /// Dotted-quad address, `10.0.0.1`.
    pub fn addr_text(&self) -> String {
        let [a, b, c, d] = self.addr;
        format!("{a}.{b}.{c}.{d}")
    }
}

/// One GiB, the unit `df -h` counts disks in.
pub const GIB: u64 = 1024 * 1024 * 1024;
/// The disk a new host gets under its data directory: a modest database server's volume.
pub const DEFAULT_DISK: u64 = 20 * GIB;

/// A pgbench-like stream of small write transactions against a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    pub tps: u32,
    /// Transactions owed from fractional ticks, in thousandths.
    pub carry: u64,
    /// Committed batches still waiting for synchronous standbys: (commit LSN, when).
    pub waiting: VecDeque<(Lsn, SimTime, u32)>,
    /// Transactions committed and acknowledged so far.
    pub committed: u64,
    /// The latest commit latency seen (how long the last acknowledged batch waited).
    pub last_latency: SimDuration,
}

/// A replication slot (`pg_replication_slots`): physical, or logical with [`LogicalSlot`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub restart_lsn: Option<Lsn>,
    /// The walsender using it, if any.
    pub active_pid: Option<u32>,
    /// Invalidated for exceeding max_slot_wal_keep_size (`wal_status` = lost).
    pub lost: bool,
    pub temporary: bool,
    /// What a logical slot adds (`pg_create_logical_replication_slot`, a subscription);
    /// `None` for a physical slot.
    pub logical: Option<LogicalSlot>,
}

/// A logical slot's own columns of `pg_replication_slots`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogicalSlot {
    /// The output plugin: `pgoutput` (subscriptions) or `test_decoding`.
    pub plugin: String,
    /// The database it decodes (`postgres`, oid 5).
    pub database: String,
    /// The oldest transaction whose catalog rows decoding may still need.
    pub catalog_xmin: u32,
    /// Changes committed up to here were confirmed by the consumer.
    pub confirmed_flush: Lsn,
}

/// The backup a data directory was cloned from (`backup_label`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupLabel {
    pub start: Lsn,
    pub checkpoint: Lsn,
    pub end: Lsn,
    pub tli: TimelineId,
    pub started_at: SimTime,
}

/// The server's own files removed from a data directory (relative paths such as
/// `base/5/16384`, `global`, `pg_xact`), and what a failed shutdown left in pg_control.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LostFiles {
    pub removed: crate::map::Set<String>,
    /// A shutdown checkpoint failed at this time: pg_control still says "shutting
    /// down", and the next start says the shutdown was interrupted.
    pub shutdown_interrupted_at: Option<SimTime>,
}

/// The durable contents of a data directory.
#[derive(Clone, Debug, PartialEq)]
pub struct DataDir {
    pub system_id: u64,
    pub db: Database,
    pub wal: Wal,
    pub slots: Map<String, Slot>,
    /// The last checkpoint (or restartpoint): its redo point and record.
    pub redo: Lsn,
    pub checkpoint_lsn: Lsn,
    pub checkpoint_time: SimTime,
    /// WAL up to here is reflected in `db` (the replay position on a standby).
    pub applied: Lsn,
    /// Changes of transactions not yet committed in replay, by xid.
    pub pending_xacts: Map<u32, Vec<Arc<Change>>>,
    /// Changes applied on the primary but not yet flushed (lost on a crash).
    pub undo: Vec<(Lsn, Undo)>,
    /// The commit time of the last replayed transaction.
    pub last_replayed_commit: Option<SimTime>,
    /// Set by a clean shutdown; a start without it runs crash recovery.
    pub clean_shutdown: bool,
    /// Set while cloned from a backup that recovery has not yet reached the end of.
    pub backup: Option<BackupLabel>,
    /// Whether a catalog change since the last checkpoint already wrote full-page images.
    pub catalog_fpi_done: bool,
    /// Whether a CREATE ROLE since the last checkpoint already wrote pg_authid's
    /// full-page images.
    pub role_fpi_done: bool,
    /// WAL was written since the last standby snapshot (running-xacts record).
    pub dirty_since_snapshot: bool,
    /// wal_log_hints as the server last ran with it (pg_control), for pg_rewind.
    pub wal_log_hints: bool,
    pub shutdown_at: SimTime,
    /// The last clean shutdown was of a standby (pg_control's "shut down in recovery").
    pub shutdown_in_recovery: bool,
    /// A transaction's WAL ran into a segment the disk had no room for: the record
    /// was cut at the segment's end, so crash recovery stops there without a word.
    pub wal_torn: bool,
    /// When a start failed in the middle of crash recovery (pg_control's "in crash
    /// recovery"): the next start says the system was interrupted while in recovery.
    pub recovery_interrupted_at: Option<SimTime>,
    /// (location, redo) of the last checkpoints written here, oldest first, kept after
    /// their WAL is removed (pg_rewind's last common checkpoint).
    pub checkpoints: Vec<(Lsn, Lsn)>,
    /// The server's files a user removed (`rm`), which PostgreSQL misses when it
    /// next needs them.
    pub lost: LostFiles,
}

impl DataDir {
    /// The oldest restart_lsn of any slot (XLogGetReplicationSlotMinimumLSN).
    pub fn min_slot_lsn(&self) -> Option<Lsn> {
        self.slots.values().filter_map(|s| s.restart_lsn).min()
    }

    /// No WAL was written since the last checkpoint record (a timed checkpoint is
    /// skipped then, as PostgreSQL skips one on an idle system).
    pub fn nothing_since_checkpoint(&self) -> bool {
        match self.wal.records.back() {
            Some(r) => {
                r.start == self.checkpoint_lsn && matches!(r.body, RecordBody::Checkpoint { .. })
            }
            None => self.wal.insert == self.checkpoint_lsn,
        }
    }

    pub fn initdb(system_id: u64, db: Database, at: Lsn) -> DataDir {
        DataDir {
            system_id,
            db,
            wal: Wal::new(at),
            slots: Map::new(),
            redo: at,
            checkpoint_lsn: at,
            checkpoint_time: SimTime::ZERO,
            applied: at,
            pending_xacts: Map::new(),
            undo: Vec::new(),
            last_replayed_commit: None,
            clean_shutdown: true,
            backup: None,
            catalog_fpi_done: false,
            role_fpi_done: false,
            dirty_since_snapshot: false,
            wal_log_hints: false,
            shutdown_at: SimTime::ZERO,
            shutdown_in_recovery: false,
            checkpoints: Vec::new(),
            wal_torn: false,
            recovery_interrupted_at: None,
            lost: LostFiles::default(),
        }
    }

    /// A crash: WAL after the flush position never reached disk, and neither did the
    /// changes it described.
    pub fn lose_unflushed(&mut self) {
        let flush = self.wal.flush;
        while self.undo.last().is_some_and(|(lsn, _)| *lsn > flush) {
            if let Some((_, u)) = self.undo.pop() {
                self.db.undo(u);
            }
        }
        self.undo.clear();
        self.wal.truncate(flush);
        self.applied = self.applied.min(flush);
        // Crash recovery replays each sequence's last record: the values it logged
        // ahead but had not handed out are skipped.
        for (_, seq) in self.db.sequences.iter_mut() {
            seq.as_logged();
        }
    }
}
