//! The data of a running server's processes: the postmaster ([`Server`]), client
//! backends ([`Session`]), walsenders, the walreceiver, and a base backup in progress.
//! A leaf: what these processes do lives in their own files, as `impl Cluster` blocks.

use std::collections::VecDeque;

use crate::map::Map;

use super::conf::Parsed;
use super::db::{Database, Undo};
use super::event::{ConnId, HostId};
use super::hba;
use super::lsn::{Lsn, TimelineId};
use super::settings::Settings;
use super::time::{SimDuration, SimTime};

/// The walsender's state (`pg_stat_replication.state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SenderState {
    Startup,
    Catchup,
    Streaming,
    Backup,
    Stopping,
}

impl SenderState {
    pub fn as_str(self) -> &'static str {
        match self {
            SenderState::Startup => "startup",
            SenderState::Catchup => "catchup",
            SenderState::Streaming => "streaming",
            SenderState::Backup => "backup",
            SenderState::Stopping => "stopping",
        }
    }
}

/// A walsender backend on the primary.
#[derive(Clone, Debug, PartialEq)]
pub struct WalSender {
    pub conn: ConnId,
    pub pid: u32,
    pub peer: HostId,
    pub user: String,
    pub application_name: String,
    pub client_port: u16,
    pub backend_start: SimTime,
    pub state: SenderState,
    pub sent: Lsn,
    pub write: Lsn,
    pub flush: Lsn,
    pub replay: Lsn,
    pub write_lag: Option<SimDuration>,
    pub flush_lag: Option<SimDuration>,
    pub replay_lag: Option<SimDuration>,
    pub reply_time: Option<SimTime>,
    pub slot: Option<String>,
    pub last_reply: SimTime,
    /// A send is in progress on the link; the next chunk waits for it.
    pub busy: bool,
    /// (LSN, when sent) samples for the lag columns, oldest first.
    pub lag_samples: VecDeque<(Lsn, SimTime)>,
    pub lag_heads: [usize; 3],
    pub fully_applied_last_time: bool,
    /// The replication command the standby sent (`START_REPLICATION 0/3000000 TIMELINE 1`),
    /// which the walsender's log lines quote.
    pub command: String,
    /// The walsender has said it serves a synchronous standby, and has not stopped
    /// being one since (PostgreSQL's announce_next_takeover, inverted).
    pub announced_sync: bool,
    /// A base backup's sender streams nothing itself.
    pub is_backup: bool,
    /// A logical walsender (a subscription's): what it decodes for.
    pub logical: Option<Box<LogicalSender>>,
    /// Its priority under the synchronous_standby_names it was last computed for (the
    /// same parsed list, shared, so a reload computes it again): every standby reply
    /// needs it.
    pub sync_priority: Option<(std::sync::Arc<crate::conf::SyncConfig>, u32)>,
}

/// A logical walsender's decoding state (pgoutput).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LogicalSender {
    pub publications: Vec<String>,
    /// The reorder buffer: changes of transactions not yet committed, by xid, with the
    /// start of their first record.
    pub reorder: super::event::Reorder,
}

/// A subscription's apply worker on the subscriber (worker.c), with its connection to
/// the publisher.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyWorker {
    pub subscription: String,
    pub pid: u32,
    pub conn: ConnId,
    pub publisher: HostId,
    /// The publisher accepted the connection and streams.
    pub streaming: bool,
    /// The end of the WAL the publisher's messages covered.
    pub received: Lsn,
    pub last_msg_send_time: Option<SimTime>,
    pub last_msg_receipt_time: Option<SimTime>,
    pub latest_end_lsn: Lsn,
    pub latest_end_time: Option<SimTime>,
    /// Tables whose copy is under way (a table synchronization worker each).
    pub syncing: Vec<(String, u32)>,
}

/// The walreceiver's status (`pg_stat_wal_receiver.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiverStatus {
    Starting,
    Streaming,
    Waiting,
}

/// The walreceiver process of a standby.
#[derive(Clone, Debug, PartialEq)]
pub struct WalReceiver {
    pub pid: u32,
    pub status: ReceiverStatus,
    pub conn: Option<ConnId>,
    pub primary: HostId,
    pub receive_start_lsn: Lsn,
    pub receive_start_tli: TimelineId,
    /// Written in this connection's stream (it starts at receive_start_lsn).
    pub written: Lsn,
    /// Flushed: the same as `written`, unless the standby's disk has a speed
    /// (`lab$ disk-speed`) and is still flushing what arrived.
    pub flushed: Lsn,
    /// WAL data arrived on this connection (`written_lsn` is NULL until then).
    pub received_data: bool,
    pub last_msg_send_time: Option<SimTime>,
    pub last_msg_receipt_time: Option<SimTime>,
    pub latest_end_lsn: Lsn,
    pub latest_end_time: Option<SimTime>,
    pub slot_name: Option<String>,
    pub sender_host: String,
    pub sender_port: u16,
    pub conninfo: String,
}

/// What a waiting commit waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncWait {
    Write,
    Flush,
    Apply,
}

/// A statement whose commit waits for synchronous standbys.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    pub lsn: Lsn,
    pub mode: SyncWait,
    /// The command tag to print when it finishes (`INSERT 0 1`).
    pub tag: String,
    pub query: String,
    pub since: SimTime,
    pub xid: u32,
    /// What undoes the transaction's changes, oldest first: other sessions still see
    /// the data without them until the wait ends.
    pub hidden: Vec<Undo>,
}

/// A client backend serving one psql session.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub pid: u32,
    pub backend_start: SimTime,
    pub client_port: u16,
    /// Session-level settings made with SET.
    pub set: Map<&'static str, Parsed>,
    pub waiting: Option<Waiting>,
    pub last_query: String,
    /// A statement of this session is executing (only ever seen by that statement
    /// itself, reading pg_stat_activity: the model runs statements in no time).
    pub running: bool,
    /// The lab application this backend serves (`lab$ app add`), `None` for psql.
    pub app: Option<String>,
    /// The application closed this connection (its slot waits for it to come back).
    pub closed: bool,
    /// What nextval last returned in this session, by sequence (currval), and the
    /// sequence of the latest call (lastval).
    /// (A few entries: a list, not a map of its own type in the bundle.)
    pub sequence_values: Vec<(String, i64)>,
    pub last_sequence: Option<String>,
}

/// A running postmaster and its processes.
#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    pub pid: u32,
    pub started: SimTime,
    pub settings: Settings,
    pub hba: Vec<hba::HbaLine>,
    /// In recovery (a standby).
    pub standby: bool,
    /// Reached a consistent state (a hot standby may then accept reads).
    pub consistent: bool,
    pub senders: Vec<WalSender>,
    pub receiver: Option<WalReceiver>,
    pub sessions: Vec<Session>,
    /// The startup process is replaying up to this LSN (a Replay timer is pending).
    pub replaying_to: Option<Lsn>,
    pub startup_pid: u32,
    pub checkpointer_pid: u32,
    /// The standby told the walreceiver to stay away until this time (retry interval).
    pub next_connect: SimTime,
    /// An asynchronous commit left WAL to flush; the WAL writer is scheduled.
    pub walwriter_pending: bool,
    /// The last fork complaint, so it is logged once per retry.
    pub last_fork_error: Option<String>,
    /// pg_wal_replay_pause() / pg_wal_replay_resume() on a standby.
    pub replay_pause: ReplayPause,
    /// The subscriptions' apply workers running on this server.
    pub apply: Vec<ApplyWorker>,
    /// When each subscription's apply worker last started (wal_retrieve_retry_interval).
    pub apply_last_start: Map<String, SimTime>,
    /// Why each subscription's last apply worker ended with an ERROR (the message's
    /// first line) and the publisher it was connected to, if it got that far; dropped
    /// once a worker streams again. The stage writes it on the subscription's link.
    pub apply_stopped: Map<String, (Option<HostId>, String)>,
    /// A launcher or status timer is pending.
    pub launcher_pending: bool,
    pub apply_status_pending: bool,
    /// A spread checkpoint the checkpointer is writing (the end-of-recovery one after
    /// a promotion): its redo point, the previous one, and the buffers it writes.
    pub spread_checkpoint: Option<SpreadCheckpoint>,
    /// CheckPointDistanceEstimate: the bytes between redo points, smoothed over the
    /// checkpoints since the server started (shared memory, so 0 after a restart).
    /// XLOGfileslop reads it to decide how many old segments to recycle.
    pub checkpoint_distance_estimate: f64,
    /// pg_stat_statements' counters by normalized query text, kept while the server
    /// runs with the library preloaded (its shared memory: gone at a restart).
    pub statements: Map<String, StatementStats>,
    /// `postgres --single -F` (pg_rewind finishing a crashed target's recovery): one
    /// process, no postmaster or checkpointer, fsync off.
    pub single_user: bool,
}

impl Server {
    /// A server just forked: its processes, nothing connected, nothing replayed.
    pub fn new(
        pid: u32,
        started: SimTime,
        settings: Settings,
        hba: Vec<hba::HbaLine>,
        standby: bool,
        startup_pid: u32,
        checkpointer_pid: u32,
    ) -> Server {
        Server {
            pid,
            started,
            settings,
            hba,
            standby,
            consistent: !standby,
            senders: Vec::new(),
            receiver: None,
            sessions: Vec::new(),
            replaying_to: None,
            startup_pid,
            checkpointer_pid,
            next_connect: started,
            walwriter_pending: false,
            last_fork_error: None,
            replay_pause: ReplayPause::NotPaused,
            apply: Vec::new(),
            apply_last_start: Default::default(),
            apply_stopped: Default::default(),
            launcher_pending: false,
            apply_status_pending: false,
            spread_checkpoint: None,
            checkpoint_distance_estimate: 0.0,
            statements: Map::new(),
            single_user: false,
        }
    }
}

/// pg_stat_statements' counters of one normalized statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatementStats {
    pub calls: u64,
    pub rows: u64,
}

/// A checkpoint begun and not yet complete: pg_control keeps the previous one until
/// its record is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpreadCheckpoint {
    pub redo: Lsn,
    pub since: Lsn,
    pub buffers: u64,
    pub write: SimDuration,
}

/// The startup process's pause state, as pg_get_wal_replay_pause_state() names it.
///
/// Simplified: walscope's startup process notices a pause request at once (PostgreSQL's
/// does at its next record, or while it waits for WAL), so "pause requested" is never
/// seen for long; a request made while a replay batch is under way takes effect at the
/// end of that batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReplayPause {
    #[default]
    NotPaused,
    Requested,
    Paused,
}

impl ReplayPause {
    /// pg_get_wal_replay_pause_state()'s words.
    pub fn text(self) -> &'static str {
        match self {
            ReplayPause::NotPaused => "not paused",
            ReplayPause::Requested => "pause requested",
            ReplayPause::Paused => "paused",
        }
    }
}

/// How pg_basebackup gets the WAL written during the backup (`-X`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalMethod {
    Stream,
    Fetch,
    None,
}

/// pg_basebackup's command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseBackupOptions {
    pub host: Option<String>,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    pub dir: String,
    pub progress: bool,
    pub verbose: bool,
    pub write_recovery_conf: bool,
    pub wal_method: WalMethod,
    pub create_slot: bool,
    pub slot: Option<String>,
    pub fast_checkpoint: bool,
}

/// A base backup in progress.
#[derive(Clone, Debug)]
pub struct BaseBackup {
    pub client: HostId,
    pub server: HostId,
    pub opts: BaseBackupOptions,
    pub user: String,
    pub start: Lsn,
    pub checkpoint: Lsn,
    pub tli: TimelineId,
    pub snapshot: Database,
    pub snapshot_lsn: Lsn,
    pub started: SimTime,
    pub conns: Vec<ConnId>,
    pub size_kb: u64,
    /// What pg_basebackup prints, so far.
    pub output: Vec<String>,
    /// `Some(ok)` once finished.
    pub finished: Option<bool>,
}

impl WalReceiver {
    /// The primary_conninfo this walreceiver was started with.
    pub fn conninfo_source(&self) -> String {
        self.conninfo.clone()
    }
}
