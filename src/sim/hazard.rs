//! Unsafe moves: fixes that work in the lab but would hurt on real servers. PostgreSQL
//! does not warn about them; the model knows enough to say so in its event log (kind
//! [`EventKind::Unsafe`]), where the Log tab shows them and a lesson's traps find them.
//!
//! - a standby promoted while it lacks commits the old primary acknowledged, or while
//!   another standby had received more WAL than it;
//! - a replication slot dropped while a standby still names it in `primary_slot_name`;
//! - `synchronous_standby_names` emptied, or `synchronous_commit` turned off, by a reload
//!   while commits waited for a synchronous standby;
//! - WAL segment files removed with `rm` under a running server.

use super::conf::Parsed;
use super::event::{EventKind, HostId};
use super::lsn::{Lsn, TimelineId};
use super::wal::RecordBody;
use super::{settings, Cluster, PGDATA};

/// Why each unsafe move matters, for the event log.
const PROMOTED_BEHIND_WHY: &str = "Clients were told these transactions committed; after this failover they are gone. Promote the standby that received the most WAL (pg_last_wal_receive_lsn), and bring a paused or delayed standby's replay forward by promoting it, not by choosing another one.";
const SLOT_WHY: &str = "The standby reconnects with a slot that no longer exists (\"replication slot ... does not exist\"), and the primary may remove WAL it has not received: it then needs a new base backup.";
const SYNC_WHY: &str = "The waiting commits returned without reaching a synchronous standby: a failover now can lose them. Find out why the standby does not answer instead.";
const RM_WHY: &str = "A running server may still need these files (crash recovery from the last checkpoint, standbys and slots behind). Free space by removing what holds the WAL (a slot, wal_keep_size), and let a checkpoint remove the segments.";

impl Cluster {
    /// Called as standby `h` is promoted at `end` (the end of replay) from timeline
    /// `old`: notes the acknowledged commits of the old primary it lacks, and any other
    /// standby of the same timeline that had received more.
    pub fn note_promotion_hazards(&mut self, h: HostId, end: Lsn, old: TimelineId) {
        let Some(system) = self.data(h).map(|d| d.system_id) else {
            return;
        };
        let name = self.host(h).name.clone();
        let mut notes = Vec::new();
        for k in (0..self.hosts.len()).map(HostId).filter(|&k| k != h) {
            let Some(d) = self
                .data(k)
                .filter(|d| d.system_id == system && d.wal.tli == old)
            else {
                continue;
            };
            let other = &self.host(k).name;
            let in_recovery = match self.server(k) {
                Some(s) => s.standby,
                None => self
                    .host(k)
                    .files
                    .contains_key(&format!("{PGDATA}/standby.signal")),
            };
            if in_recovery {
                if d.wal.flush > end {
                    notes.push(format!(
                        "{name} promoted at {end}, behind standby {other}, which had received WAL up to {}",
                        d.wal.flush
                    ));
                }
                continue;
            }
            // The old primary: commits flushed there (and not still waiting for a
            // synchronous standby) were acknowledged to their clients.
            let waiting = self.server(k).into_iter().flat_map(|s| {
                s.sessions
                    .iter()
                    .filter_map(|x| x.waiting.as_ref().map(|w| w.lsn))
            });
            let workload = self
                .host(k)
                .workload
                .iter()
                .flat_map(|w| w.waiting.iter().map(|x| x.0));
            let acked_below = waiting.chain(workload).min().unwrap_or(Lsn(u64::MAX));
            let mut count: u64 = 0;
            let mut last = None;
            for r in d.wal.records_between(end, d.wal.flush) {
                if r.end >= acked_below {
                    break;
                }
                let txns = match r.body {
                    RecordBody::Commit { .. } => 1,
                    RecordBody::Workload { txns, .. } => u64::from(txns),
                    _ => continue,
                };
                count = count.saturating_add(txns);
                last = Some(r.end);
            }
            if let Some(last) = last {
                let s = if count == 1 { "" } else { "s" };
                notes.push(format!(
                    "{name} promoted at {end}, behind the commits {other} acknowledged: {count} committed transaction{s} up to {last} are not on {name}"
                ));
            }
        }
        for text in notes {
            self.note(h, EventKind::Unsafe, text, PROMOTED_BEHIND_WHY);
        }
    }

    /// Called after slot `slot` was dropped on `h`: notes a standby that still names it.
    pub fn note_slot_dropped(&mut self, h: HostId, slot: &str, restart: Option<Lsn>) {
        let users: Vec<String> = (0..self.hosts.len())
            .map(HostId)
            .filter(|&k| k != h && self.primary_slot_name(k) == slot)
            .map(|k| self.host(k).name.clone())
            .collect();
        if users.is_empty() {
            return;
        }
        let held = restart.map_or(String::new(), |l| format!(", holding WAL from {l}"));
        let text = format!(
            "slot \"{slot}\" dropped on {} while {} still needs it (primary_slot_name){held}",
            self.host(h).name,
            users.join(" and ")
        );
        self.note(h, EventKind::Unsafe, text, SLOT_WHY);
    }

    /// A host's `primary_slot_name`: the running server's, else its configuration files'.
    fn primary_slot_name(&self, k: HostId) -> String {
        if let Some(s) = self.server(k) {
            return s.settings.text("primary_slot_name");
        }
        let files: Vec<(String, Option<String>)> = ["postgresql.conf", "postgresql.auto.conf"]
            .iter()
            .map(|f| {
                let path = format!("{PGDATA}/{f}");
                let text = self.host(k).files.get(&path).cloned();
                (path, text)
            })
            .collect();
        match settings::read_files(&files).values.get("primary_slot_name") {
            Some((Parsed::Text(t), _)) => t.clone(),
            _ => String::new(),
        }
    }

    /// How many commits wait on `h` for a synchronous standby (psql sessions and
    /// workload batches), and `h`'s synchronous settings, before a reload.
    pub fn sync_waits(&self, h: HostId) -> (usize, bool, String) {
        let sessions = self.server(h).map_or(0, |s| {
            s.sessions.iter().filter(|x| x.waiting.is_some()).count()
        });
        let workload = self
            .host(h)
            .workload
            .as_ref()
            .map_or(0, |w| w.waiting.len());
        let commit = self
            .server(h)
            .map_or(String::new(), |s| s.settings.text("synchronous_commit"));
        (sessions + workload, self.sync_config(h).is_some(), commit)
    }

    /// Called after a reload of `h`, with [`Cluster::sync_waits`] from before it.
    pub fn note_sync_reload(&mut self, h: HostId, before: (usize, bool, String)) {
        let (waiting, had_sync, commit) = before;
        if waiting == 0 {
            return;
        }
        let name = self.host(h).name.clone();
        let s = if waiting == 1 { "" } else { "s" };
        let now_commit = self
            .server(h)
            .map_or(String::new(), |s| s.settings.text("synchronous_commit"));
        let what = if had_sync && self.sync_config(h).is_none() {
            "synchronous_standby_names emptied"
        } else if commit != now_commit && matches!(now_commit.as_str(), "off" | "local") {
            "synchronous_commit turned off"
        } else {
            return;
        };
        self.note(
            h,
            EventKind::Unsafe,
            format!("{what} on {name} while {waiting} commit{s} waited for a synchronous standby"),
            SYNC_WHY,
        );
    }

    /// Removes WAL segment files from `h`'s pg_wal as `rm` does. The model keeps pg_wal
    /// without holes, so only the oldest segments go, up to the one being written, and
    /// recycled ones from the newest down;
    /// returns the names it refused. Notes the move when the server is running.
    pub fn remove_wal_files(&mut self, h: HostId, names: &[String]) -> Vec<String> {
        let Some(d) = self.data_mut(h) else {
            return names.to_vec();
        };
        let files = d.wal.segment_files();
        let current = d.wal.insert.segment();
        let mut segs: Vec<u64> = names
            .iter()
            .filter_map(|n| files.iter().position(|f| f == n))
            .map(|i| d.wal.oldest_segment + i as u64)
            .collect();
        crate::order::sort(&mut segs);
        segs.dedup();
        let mut upto = d.wal.oldest_segment;
        for s in &segs {
            if *s == upto && *s < current {
                upto += 1;
            }
        }
        let removed = d.wal.remove_segments_before(upto);
        // Recycled files ahead of the insert position go from the newest down; they
        // hold no WAL, so removing them is harmless (PostgreSQL creates them again).
        while d.wal.recycled_until > current && segs.contains(&d.wal.recycled_until) {
            d.wal.recycled_until -= 1;
        }
        let kept: Vec<String> = d.wal.segment_files();
        let refused: Vec<String> = names.iter().filter(|n| kept.contains(n)).cloned().collect();
        if removed > 0 && self.server(h).is_some() {
            let s = if removed == 1 { "" } else { "s" };
            let text = format!(
                "{removed} WAL segment file{s} removed with rm from {}'s pg_wal while its server runs",
                self.host(h).name
            );
            self.note(h, EventKind::Unsafe, text, RM_WHY);
        }
        refused
    }
}
