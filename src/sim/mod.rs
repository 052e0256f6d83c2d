//! The cluster model: PostgreSQL 15 servers, their WAL and the links between them, in
//! virtual time.
//!
//! ```
//! use walscope_sim::{Cluster, SimDuration};
//! let mut c = Cluster::new(1);
//! let primary = c.host_id("primary").unwrap();
//! let before = c.node(primary).insert.unwrap();
//! c.checkpoint(primary, "force", false);
//! c.advance(SimDuration::from_secs(1));
//! assert_eq!(c.node(primary).insert.unwrap().diff(before), 176);
//! ```

pub mod acked;
mod app;
mod backend;
mod basebackup;
mod checkpoint;
mod client;
mod cluster;
pub mod conf;
pub mod conninfo;
mod datafiles;
pub mod datetime;
pub mod db;
pub mod disk;
mod dns;
mod event;
pub mod extension;
mod failover;
mod hazard;
pub mod hba;
mod host;
mod invariants;
pub mod libpq;
mod logical;
mod lsn;
pub mod map;
mod net;
pub mod order;
pub mod os;
pub mod perm;
mod postmaster;
mod proc;
mod pubsub;
mod queue;
mod recovery;
mod replication;
mod retention;
mod rewind;
mod rhel;
mod rng;
pub mod selinux;
pub mod sequence;
pub mod settings;
mod single_user;
mod slot;
mod split_brain;
pub mod syncrep;
#[cfg(any(test, feature = "testlab"))]
pub mod testlab;
mod time;
mod views;
pub mod wal;
mod walreceiver;
mod walsender;
mod xlog;

pub use app::{APP_TABLE, MAX_APPS, MAX_APP_RATE, RETRY_DELAY};
pub use client::{App, AppConn, AppCounters, AppKind, DnsRecord};
pub use cluster::{Cluster, Halt};
pub use conninfo::{connection_refused, ConnInfo};
pub use datafiles::{relation_path, CheckpointFailure};
pub use dns::{MAX_DNS_NAMES, MAX_TTL};
pub use event::{Broken, ClusterEvent, EventKind, HostId, Packet, SessionOutput};
pub use host::{Host, LogicalSlot, Slot, Workload, DEFAULT_DISK, GIB};
pub use libpq::{Client, Reached, APP_SERVER_ADDR};
pub use logical::{ConflictInserts, DecodingOptions, StoppedSubscription, SubscriptionCard};
pub use lsn::{segment_file_name, Lsn, TimelineId, SEGMENT_SIZE};
pub use net::{Link, LinkInfo};
pub use postmaster::{StartError, StopMode};
pub use proc::{BaseBackup, BaseBackupOptions, ReceiverStatus, ReplayPause, WalMethod};
pub use pubsub::{SubError, SubOptions};
pub use replication::ConnectAttempt;
pub use retention::{Divergence, WalRetention, RETENTION_SEGMENTS};
pub use rng::Rng;
pub use split_brain::Writable;
pub use time::{SimDuration, SimTime, EPOCH_UNIX_MICROS, MAX_TIME};
pub use views::{Datum, NodeView, Relation, ReplicationRow, ServerState, SlotRow, WalReceiverRow};
pub use xlog::WriteOutcome;

/// Where every host keeps its data directory.
pub const PGDATA: &str = "/var/lib/pgsql/data";
/// The postgres user's home directory (where `.pgpass` lives).
pub const PGHOME: &str = "/var/lib/pgsql";
