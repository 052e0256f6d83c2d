//! The data of logical replication and of the lab's independent clusters: each
//! cluster's transaction ids (a cluster initdb'd on a second host counts its own), and,
//! as the model grows, publications, subscriptions and their workers. What they do is in
//! `logical/`.

use std::collections::BTreeMap;

/// The lab's state beyond the hosts that belongs to logical replication.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogicalState {
    /// The last transaction id handed out in each cluster initdb'd after the lab began,
    /// by system identifier. The first host's cluster (and every clone of it) counts in
    /// `Cluster::next_xid`, as it always did.
    pub(crate) xids: BTreeMap<u64, u32>,
}
