//! The data of logical replication and of the lab's independent clusters: each
//! cluster's transaction ids (a cluster initdb'd on a second host counts its own), and,
//! as the model grows, publications, subscriptions and their workers. What they do is in
//! `logical/`.

use crate::map::Map;

/// The lab's state beyond the hosts that belongs to logical replication.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogicalState {
    /// The last transaction id handed out in each cluster initdb'd after the lab began,
    /// by system identifier. The first host's cluster (and every clone of it) counts in
    /// `Cluster::next_xid`, as it always did.
    pub xids: Map<u64, u32>,
    /// pg_stat_subscription_stats by (system identifier, subscription name):
    /// (apply_error_count, sync_error_count).
    pub stats: Map<(u64, String), (u64, u64)>,
    /// The furthest position each subscription's apply workers reported as applied, by
    /// (system identifier, subscription name): what a slot's confirmed_flush_lsn may
    /// never pass.
    pub reported: Map<(u64, String), u64>,
}

/// An error of a subscription command, in PostgreSQL's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubError {
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
}

impl SubError {
    pub fn new(message: impl Into<String>) -> SubError {
        SubError {
            message: message.into(),
            detail: None,
            hint: None,
        }
    }
}

/// CREATE SUBSCRIPTION's WITH options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubOptions {
    pub copy_data: bool,
    pub create_slot: bool,
    pub enabled: bool,
    /// `None` for `slot_name = NONE`.
    pub slot_name: Option<String>,
}
