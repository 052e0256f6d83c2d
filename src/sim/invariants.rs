//! Named invariants, checked after every event in debug and test builds.

use super::cluster::Cluster;
use super::db::Undo;
use super::event::{Broken, HostId};

impl Cluster {
    /// Checks every invariant:
    /// - `positions_ordered`: for each standby a walsender reports,
    ///   replay <= flush <= write <= sent <= the primary's flush;
    /// - `sync_commit_durable`: every commit acknowledged to a client while it waited
    ///   for synchronous standbys was on those standbys' disks at that moment
    ///   (recorded when the commit was released);
    /// - `wal_ordered`: each server's replay <= flush <= insert;
    /// - `sync_wait_invisible`: no other session sees a row whose commit still waits
    ///   for a synchronous standby;
    /// - `slot_wal_kept`: no WAL segment a replication slot still needs (one that was
    ///   not invalidated) has been removed.
    pub fn check_invariants(&self) -> Result<(), Broken> {
        if let Some(b) = self.violations.first() {
            return Err(b.clone());
        }
        for (i, host) in self.hosts.iter().enumerate() {
            let Some(d) = &host.data else { continue };
            if !(d.wal.flush <= d.wal.insert && d.wal.write <= d.wal.insert) {
                return Err(Broken {
                    name: "wal_ordered",
                    detail: format!(
                        "{}: write {} flush {} insert {}",
                        host.name, d.wal.write, d.wal.flush, d.wal.insert
                    ),
                });
            }
            if let Some((name, lsn)) = d.slots.iter().find_map(|(n, s)| {
                s.restart_lsn
                    .filter(|l| !s.lost && !d.wal.has(*l))
                    .map(|l| (n, l))
            }) {
                return Err(Broken {
                    name: "slot_wal_kept",
                    detail: format!(
                        "{}: slot {name} needs {lsn} but pg_wal starts at segment {}",
                        host.name, d.wal.oldest_segment
                    ),
                });
            }
            let Some(server) = &host.server else { continue };
            if server.standby && d.applied > d.wal.flush {
                return Err(Broken {
                    name: "wal_ordered",
                    detail: format!(
                        "{}: replay {} beyond flush {}",
                        host.name, d.applied, d.wal.flush
                    ),
                });
            }
            for w in server.sessions.iter().filter_map(|s| s.waiting.as_ref()) {
                for undo in &w.hidden {
                    let Undo::Rows { table, added, .. } = undo else {
                        continue;
                    };
                    if let Some(id) = added
                        .iter()
                        .find(|id| self.tuple_seen_by(HostId(i), usize::MAX, table, **id))
                    {
                        return Err(Broken {
                            name: "sync_wait_invisible",
                            detail: format!(
                                "{}: tuple {id} of {table} is visible while its commit at {} waits",
                                host.name, w.lsn
                            ),
                        });
                    }
                }
            }
            for w in server
                .senders
                .iter()
                .filter(|w| !w.is_backup && w.reply_time.is_some())
            {
                let (sent, write, flush, replay) = (w.sent, w.write, w.flush, w.replay);
                if !(replay <= flush && flush <= write && write <= sent && sent <= d.wal.flush) {
                    return Err(Broken {
                        name: "positions_ordered",
                        detail: format!(
                            "{} -> {}: replay {replay} flush {flush} write {write} sent {sent} primary flush {}",
                            host.name, w.application_name, d.wal.flush
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}
