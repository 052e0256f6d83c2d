//! The model's vocabulary: host and connection ids, the messages servers send each other,
//! the events the cluster schedules, and the entries of its event log. A leaf: it
//! imports only the WAL and time types, never the cluster (like turmoil's envelope).

use super::db::Row;
use super::lsn::{Lsn, TimelineId};
use super::time::SimTime;
use super::wal::WalRecord;

/// A host, by its position in the cluster (hosts are never removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostId(pub usize);

/// A connection between a client process and a server backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(pub u64);

/// What a server process sends to another host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A walreceiver asks to stream WAL from `start` on timeline `tli`.
    Connect(ConnectRequest),
    /// The server refused the connection, with PostgreSQL's message.
    Refused { conn: ConnId, error: String },
    /// The walsender `pid` accepted and starts streaming.
    Accepted {
        conn: ConnId,
        pid: u32,
        tli: TimelineId,
        history: Vec<super::wal::HistoryEntry>,
    },
    /// WAL up to `upto`, with the records that end in this chunk.
    Data {
        conn: ConnId,
        upto: Lsn,
        records: Vec<WalRecord>,
        sent_at: SimTime,
        primary_end: Lsn,
    },
    /// A keepalive: the walsender's end of WAL, asking for a reply.
    Keepalive {
        conn: ConnId,
        end: Lsn,
        sent_at: SimTime,
    },
    /// Standby status: written, flushed and replayed positions.
    Reply {
        conn: ConnId,
        write: Lsn,
        flush: Lsn,
        apply: Lsn,
        sent_at: SimTime,
        ping: bool,
    },
    /// The walsender ran into an error while streaming (it then exits).
    StreamError { conn: ConnId, error: String },
    /// A logical walsender's decoded transactions (pgoutput), for WAL up to `upto`.
    Changes {
        conn: ConnId,
        upto: Lsn,
        txns: Vec<DecodedTxn>,
        sent_at: SimTime,
    },
    /// A table synchronization asks for a table's rows (`COPY public.t TO STDOUT`).
    CopyRequest { conn: ConnId, table: String },
    /// The rows of a table as of `lsn` (the copy's snapshot), or the publisher's error.
    CopyData {
        conn: ConnId,
        table: String,
        columns: Vec<String>,
        rows: Result<Vec<Row>, String>,
        lsn: Lsn,
    },
    /// The other side closed the connection (or the kernel reset it).
    Closed { conn: ConnId, clean: bool },
}

impl Message {
    /// Bytes on the wire, for bandwidth.
    pub fn wire_bytes(&self) -> u64 {
        match self {
            Message::Data { upto, records, .. } => {
                let from = records.first().map_or(*upto, |r| r.start);
                upto.0.saturating_sub(from.0).max(1) + 24
            }
            Message::Changes { txns, .. } => txns
                .iter()
                .map(|t| 40 + 48 * t.changes.len() as u64)
                .sum::<u64>()
                .max(64),
            Message::CopyData { rows: Ok(rows), .. } => {
                64 + rows
                    .iter()
                    .map(|r| super::db::tuple_data_bytes(r) + 8)
                    .sum::<u64>()
            }
            _ => 64,
        }
    }

    pub fn conn(&self) -> ConnId {
        match self {
            Message::Connect(r) => r.conn,
            Message::Changes { conn, .. }
            | Message::CopyRequest { conn, .. }
            | Message::CopyData { conn, .. }
            | Message::Refused { conn, .. }
            | Message::Accepted { conn, .. }
            | Message::Data { conn, .. }
            | Message::Keepalive { conn, .. }
            | Message::Reply { conn, .. }
            | Message::StreamError { conn, .. }
            | Message::Closed { conn, .. } => *conn,
        }
    }
}

/// WAL travelling from a walsender to its standby.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub from: HostId,
    pub to: HostId,
    /// The LSN range it carries.
    pub start: Lsn,
    pub end: Lsn,
    pub sent_at: SimTime,
    /// When it arrives; `None` while a partition holds it.
    pub arrive_at: Option<SimTime>,
    /// What a logical walsender's message carries, as row changes (`INSERT t, UPDATE t ·
    /// COMMIT`); `None` for WAL bytes.
    pub changes: Option<String>,
}

/// A logical message's transactions in words: each change's kind and table (a run of the
/// same one counted), then COMMIT, for at most three kinds.
pub fn changes_summary(txns: &[DecodedTxn]) -> String {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for c in txns.iter().flat_map(|t| &t.changes) {
        let what = format!("{} {}", c.change.kind(), c.change.table());
        match runs.last_mut() {
            Some((w, n)) if *w == what => *n += 1,
            _ => runs.push((what, 1)),
        }
    }
    let mut parts: Vec<String> = runs
        .iter()
        .take(3)
        .map(|(w, n)| {
            if *n > 1 {
                format!("{w} ×{n}")
            } else {
                w.clone()
            }
        })
        .collect();
    if runs.len() > 3 {
        parts.push("…".to_string());
    }
    let commits = if txns.len() > 1 {
        format!("{} COMMITs", txns.len())
    } else {
        "COMMIT".to_string()
    };
    if parts.is_empty() {
        commits
    } else {
        format!("{} · {commits}", parts.join(", "))
    }
}

/// A replication connection request, as libpq sends it from `primary_conninfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectRequest {
    pub conn: ConnId,
    /// The server's host as the client named it (`host=` in primary_conninfo).
    pub host: String,
    pub user: String,
    pub password: Option<String>,
    pub application_name: String,
    pub slot: Option<String>,
    pub start: Lsn,
    pub tli: TimelineId,
    pub port: u16,
    /// A subscription's apply worker: the publications it asks for
    /// (`START_REPLICATION SLOT ... LOGICAL ... (publication_names ...)`) and the
    /// database; `None` for a physical walreceiver.
    pub logical: Option<LogicalStart>,
}

/// What a logical replication connection asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogicalStart {
    pub publications: Vec<String>,
    pub database: String,
}

/// One row change a logical decoding plugin sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowChange {
    Insert {
        table: String,
        row: Row,
    },
    /// `old_key`: the old key's values when the key changed (test_decoding's
    /// `old-key:`), in key column order.
    Update {
        table: String,
        old_key: Option<Vec<super::db::Value>>,
        row: Row,
    },
    /// `key`: the old row's key values, in key column order (empty without a key).
    Delete {
        table: String,
        key: Vec<super::db::Value>,
    },
    Truncate {
        table: String,
    },
}

impl RowChange {
    pub fn table(&self) -> &str {
        match self {
            RowChange::Insert { table, .. }
            | RowChange::Update { table, .. }
            | RowChange::Delete { table, .. }
            | RowChange::Truncate { table } => table,
        }
    }

    /// The message type pgoutput sends for it (the apply worker's CONTEXT).
    pub fn kind(&self) -> &'static str {
        match self {
            RowChange::Insert { .. } => "INSERT",
            RowChange::Update { .. } => "UPDATE",
            RowChange::Delete { .. } => "DELETE",
            RowChange::Truncate { .. } => "TRUNCATE",
        }
    }
}

/// A committed transaction as logical decoding hands it to the output plugin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedTxn {
    pub xid: u32,
    /// The start of its first record (test_decoding's BEGIN row).
    pub first: Lsn,
    /// The start of its commit record (pgoutput's commit LSN, the CONTEXT's
    /// "finished at").
    pub commit: Lsn,
    /// The end of its commit record.
    pub end: Lsn,
    pub at: SimTime,
    pub changes: Vec<DecodedChange>,
}

/// Transactions still open while decoding (reorderbuffer.c), by xid: the start of their
/// first record and their changes so far.
pub type Reorder = crate::map::Map<u32, (Lsn, Vec<DecodedChange>)>;

/// A change with the start of its record and the table's columns (name, type, part of
/// the primary key) as the publisher's catalog has them at decoding time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedChange {
    pub lsn: Lsn,
    pub change: RowChange,
    pub columns: std::sync::Arc<[(String, String, bool)]>,
}
/// Something scheduled to happen at a virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Deliver {
        from: HostId,
        to: HostId,
        msg: Message,
    },
    /// A timer of host process `what`, valid only in server incarnation `epoch`.
    Timer {
        host: HostId,
        epoch: u64,
        what: Timer,
    },
    WorkloadTick(HostId),
    /// The next operation of the lab application with this id.
    AppTick(u64),
    BaseBackupDone(usize),
}

impl Event {
    /// The event in words, for the Step button's note (`name` gives a host's name).
    pub fn describe<'a>(&self, name: impl Fn(HostId) -> &'a str) -> String {
        match self {
            Event::Deliver { from, to, msg } => {
                let (f, t) = (name(*from), name(*to));
                match msg {
                    Message::Connect(_) => {
                        format!("{f}'s walreceiver reaches {t} to start streaming")
                    }
                    Message::Refused { .. } => format!("{f} refuses {t}'s replication connection"),
                    Message::Accepted { .. } => {
                        format!("{t} learns {f} accepted it: streaming starts")
                    }
                    Message::Data { upto, records, .. } => {
                        format!(
                            "WAL up to {upto} ({} records) from {f} reaches {t}",
                            records.len()
                        )
                    }
                    Message::Keepalive { end, .. } => {
                        format!("{f}'s keepalive (WAL ends at {end}) reaches {t}")
                    }
                    Message::Reply { flush, apply, .. } => {
                        format!(
                            "{f}'s status reply (flushed {flush}, replayed {apply}) reaches {t}"
                        )
                    }
                    Message::StreamError { .. } => format!("{f}'s walsender error reaches {t}"),
                    Message::Changes { upto, txns, .. } => format!(
                        "{} decoded transactions (WAL up to {upto}) from {f} reach {t}'s apply worker",
                        txns.len()
                    ),
                    Message::CopyRequest { table, .. } => {
                        format!("{f}'s table synchronization asks {t} to copy {table}")
                    }
                    Message::CopyData { table, .. } => {
                        format!("the initial copy of {table} from {f} reaches {t}")
                    }
                    Message::Closed { .. } => format!("{f} closes its connection to {t}"),
                }
            }
            Event::Timer { host, what, .. } => {
                let h = name(*host);
                match what {
                    Timer::SenderWake(_) => format!("the walsender on {h} sends its next WAL"),
                    Timer::Replay => format!("the startup process on {h} replays WAL"),
                    Timer::ReceiverStart => format!("the walreceiver on {h} tries to connect"),
                    Timer::ReceiverStatus => format!("the walreceiver on {h} sends its status"),
                    Timer::SenderCheck => format!("the walsender on {h} checks wal_sender_timeout"),
                    Timer::Checkpoint => format!("checkpoint_timeout fires on {h}"),
                    Timer::Snapshot => {
                        format!("the background writer on {h} logs a standby snapshot")
                    }
                    Timer::WalWriter => format!("the WAL writer on {h} flushes"),
                    Timer::ApplyLauncher => {
                        format!("the logical replication launcher on {h} starts apply workers")
                    }
                    Timer::ApplyStatus => {
                        format!("the apply workers on {h} send their status")
                    }
                    Timer::LockFileRecheck => {
                        format!("the postmaster on {h} checks its lock file postmaster.pid")
                    }
                    Timer::WalFlushed(l) => {
                        format!("the disk on {h} has flushed received WAL up to {l}")
                    }
                    Timer::CheckpointDone => {
                        format!("the checkpointer on {h} has written a spread checkpoint's buffers")
                    }
                }
            }
            Event::WorkloadTick(h) => format!("the workload on {} commits", name(*h)),
            Event::AppTick(_) => "an application runs its next query".to_string(),
            Event::BaseBackupDone(_) => "a base backup finishes".to_string(),
        }
    }
}

/// Periodic or delayed work inside a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The walsender for `conn` may send its next chunk.
    SenderWake(ConnId),
    /// The startup process finished replaying up to its target.
    Replay,
    /// The walreceiver tries to (re)connect.
    ReceiverStart,
    /// wal_receiver_status_interval: status reply and timeout check.
    ReceiverStatus,
    /// Walsender timeouts (wal_sender_timeout).
    SenderCheck,
    /// checkpoint_timeout.
    Checkpoint,
    /// The background writer's standby snapshot (every 15 s when WAL was written).
    Snapshot,
    /// The WAL writer flushes asynchronously committed WAL (wal_writer_delay).
    WalWriter,
    /// The postmaster checks that its lock file postmaster.pid is still there.
    LockFileRecheck,
    /// A slow disk (`lab$ disk-speed`) finished flushing received WAL up to this LSN.
    WalFlushed(Lsn),
    /// The logical replication launcher starts the apply workers that are due.
    ApplyLauncher,
    /// The apply workers send their status and check wal_receiver_timeout.
    ApplyStatus,
    /// A spread checkpoint has written its buffers.
    CheckpointDone,
}

/// Output of a statement that finished later than it was issued (a commit that waited
/// for a synchronous standby), for the console of `host`'s session `session`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionOutput {
    pub at: SimTime,
    pub host: HostId,
    pub session: usize,
    pub text: String,
}

/// Kinds of noteworthy happenings, for the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventKind {
    Server,
    Checkpoint,
    SegmentRemoved,
    Connected,
    Disconnected,
    SlotInvalidated,
    Promote,
    Timeline,
    Fault,
    /// Two servers of one cluster accept writes (see `Cluster::split_brain`).
    SplitBrain,
    /// A move that works in the lab but would hurt on real servers (see `sim/hazard.rs`).
    Unsafe,
    Error,
}

/// A timestamped entry of the event log: what happened and why it matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterEvent {
    pub at: SimTime,
    pub host: HostId,
    pub kind: EventKind,
    pub text: String,
    pub why: &'static str,
}

/// An invariant that did not hold, with what was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub name: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.detail)
    }
}
