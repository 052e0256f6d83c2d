//! initdb on a host of the lab: a second cluster, independent of the first one.

use crate::cluster::{Cluster, INITDB_LAST_XID, INITDB_LSN};
use crate::event::{EventKind, HostId};

impl Cluster {
    /// initdb: a new cluster in the host's data directory, with its own system
    /// identifier, timeline 1, WAL from initdb's position and its own transaction ids.
    /// The caller has checked that the directory is empty.
    pub fn initdb_cluster(&mut self, h: HostId) {
        self.initdb(h);
        let now = self.now;
        let Some(d) = self.data_mut(h) else { return };
        d.checkpoint_time = now;
        d.shutdown_at = now;
        let id = d.system_id;
        self.logical.xids.insert(id, INITDB_LAST_XID);
        let name = self.host(h).name.clone();
        self.note(
            h,
            EventKind::Server,
            format!("initdb on {name}: a new cluster at {INITDB_LSN}"),
            "A cluster of its own: its own system identifier, timeline 1 and transaction ids; it shares nothing with the other servers' WAL.",
        );
    }

    /// Hands out the next transaction id of the cluster whose data directory is on `h`.
    pub fn next_xid_of(&mut self, h: HostId) -> u32 {
        if let Some(id) = self.data(h).map(|d| d.system_id) {
            if let Some(x) = self.logical.xids.get_mut(&id) {
                *x += 1;
                return *x;
            }
        }
        self.next_xid += 1;
        self.next_xid
    }

    /// The next transaction id of the cluster on `h`, without using it.
    pub fn peek_xid_of(&self, h: HostId) -> u32 {
        self.data(h)
            .and_then(|d| self.logical.xids.get(&d.system_id))
            .map_or(self.next_xid, |x| *x)
            + 1
    }
}
