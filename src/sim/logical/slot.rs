//! Logical replication slots (slotfuncs.c, logical.c): created for test_decoding or a
//! subscription's pgoutput, they keep WAL like a physical slot (their restart_lsn is
//! one more slot in XLogGetReplicationSlotMinimumLSN) and remember what the consumer
//! confirmed.

use crate::cluster::Cluster;
use crate::event::HostId;
use crate::host::{LogicalSlot, Slot};
use crate::lsn::Lsn;
use crate::wal::{self, RecordBody};

/// The output plugins this server has (`pgoutput` is built in; `test_decoding` comes
/// with Debian's postgresql-15 and RHEL's postgresql-contrib).
pub const PLUGINS: [&str; 2] = ["pgoutput", "test_decoding"];

/// The database every slot of the lab decodes.
pub const DATABASE: &str = "postgres";

impl Cluster {
    /// CheckLogicalDecodingRequirements: wal_level = logical, and not in recovery.
    pub fn check_logical_decoding(&self, h: HostId) -> Result<(), String> {
        if !self.wal_level_logical(h) {
            return Err("logical decoding requires wal_level >= logical".to_string());
        }
        if self.server(h).is_some_and(|s| s.standby) {
            return Err("logical decoding cannot be used while in recovery".to_string());
        }
        Ok(())
    }

    /// `pg_create_logical_replication_slot(name, plugin [, temporary])`: the slot
    /// reserves WAL from a running-xacts record it writes (its restart_lsn) and starts
    /// decoding after it (confirmed_flush_lsn, the LSN it returns). Real, PostgreSQL
    /// 15.18: at insert position 0/15FD0B0 the slot gets restart_lsn 0/15FD0B0,
    /// confirmed_flush_lsn 0/15FD0E8 and catalog_xmin the next transaction id. An
    /// unknown plugin fails after that record is written, as there.
    pub fn create_logical_slot(
        &mut self,
        h: HostId,
        name: &str,
        plugin: &str,
        temporary: bool,
    ) -> Result<Lsn, (String, Option<String>)> {
        self.check_logical_decoding(h).map_err(|e| (e, None))?;
        self.check_new_slot(h, name)?;
        let restart = self.data(h).map_or(Lsn(0), |d| d.wal.insert.record_start());
        let confirmed = self.append(h, wal::RUNNING_XACTS_RECORD, RecordBody::RunningXacts);
        self.flush(h);
        if !PLUGINS.contains(&plugin) {
            return Err((
                format!("could not access file \"{plugin}\": No such file or directory"),
                None,
            ));
        }
        let catalog_xmin = self.peek_xid_of(h);
        if let Some(d) = self.data_mut(h) {
            d.slots.insert(
                name.to_string(),
                Slot {
                    restart_lsn: Some(restart),
                    active_pid: None,
                    lost: false,
                    temporary,
                    logical: Some(LogicalSlot {
                        plugin: plugin.to_string(),
                        database: DATABASE.to_string(),
                        catalog_xmin,
                        confirmed_flush: confirmed,
                    }),
                },
            );
        }
        Ok(confirmed)
    }
}
