//! Why each WAL segment is still in pg_wal, as the stage draws it: the segments that
//! exist and those removed, what `wal_keep_size` and each slot's `restart_lsn` keep,
//! the last checkpoint's redo point and the `max_slot_wal_keep_size` limit
//! (xlog.c's KeepLogSeg and RemoveOldXlogFiles). And whether a server's timeline
//! diverged from the primary's, so its card can say a rewind is needed.

use super::checkpoint::keep_log_seg;
use super::cluster::Cluster;
use super::event::HostId;
use super::lsn::{mb_to_segments, segment_file_name, Lsn, TimelineId, SEGMENT_SIZE};
use super::views::SlotRow;

/// The most segments [`WalRetention`] describes (the newest ones).
pub const RETENTION_SEGMENTS: u64 = 16;

/// What keeps which segment of one server's pg_wal.
#[derive(Clone, Debug, PartialEq)]
pub struct WalRetention {
    /// The segments described, oldest first: `first ..= current`, with their WAL file
    /// names (at most [`RETENTION_SEGMENTS`]).
    pub first: u64,
    pub current: u64,
    pub files: Vec<String>,
    /// Segment files a checkpoint recycled (renamed) to names ahead of `current`,
    /// waiting to be written over: `ls pg_wal` lists them too.
    pub recycled: Vec<String>,
    /// The oldest segment still in pg_wal: older ones were removed.
    pub oldest: u64,
    /// The last checkpoint's redo point: crash recovery starts there.
    pub redo: Lsn,
    /// The first segment `wal_keep_size` keeps, when it is set.
    pub keep_size_from: Option<u64>,
    /// The oldest segment a slot may keep under `max_slot_wal_keep_size`, when it is
    /// set (a slot needing older WAL is invalidated at the next checkpoint).
    pub slot_limit: Option<u64>,
    /// `pg_replication_slots`, as the SQL view shows it.
    pub slots: Vec<SlotRow>,
}

impl WalRetention {
    /// The WAL file name of segment `seg`, when it is described.
    pub fn file(&self, seg: u64) -> Option<&str> {
        seg.checked_sub(self.first)
            .and_then(|i| self.files.get(i as usize))
            .map(String::as_str)
    }
}

/// A server whose WAL went past the point where the primary's timeline branched off:
/// it cannot stream from the primary until pg_rewind (or a new base backup).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The server's timeline, and the primary's.
    pub tli: TimelineId,
    pub primary_tli: TimelineId,
    /// Where the primary's history left the server's timeline (none when the server's
    /// timeline is not in the primary's history at all).
    pub at: Option<Lsn>,
}

impl Cluster {
    /// What keeps the segments of `h`'s pg_wal (none without a data directory).
    pub fn wal_retention(&self, h: HostId) -> Option<WalRetention> {
        let d = self.data(h)?;
        let settings = self.settings(h);
        let keep_mb = settings.int("wal_keep_size").max(0) as u64;
        let max_slot_mb = settings.int("max_slot_wal_keep_size");
        let current = d.wal.insert.segment();
        let keep_size_from = (keep_mb > 0).then(|| keep_log_seg(d.wal.insert, None, -1, keep_mb));
        let slot_limit =
            (max_slot_mb >= 0).then(|| current.saturating_sub(mb_to_segments(max_slot_mb as u64)));
        let slots = self.replication_slots(h);
        // From one removed segment before the oldest thing worth showing.
        let mut first = d.wal.oldest_segment.min(d.redo.segment());
        for s in slots.iter().filter_map(|s| s.restart_lsn) {
            first = first.min(s.segment());
        }
        if let Some(k) = keep_size_from {
            first = first.min(k);
        }
        let first = first
            .saturating_sub(1)
            .max(1)
            .max(current.saturating_sub(RETENTION_SEGMENTS - 1))
            .min(current);
        let files = (first..=current)
            .map(|seg| segment_file_name(d.wal.tli_at(Lsn(seg * SEGMENT_SIZE)), seg))
            .collect();
        let recycled = (current.saturating_add(1)..=d.wal.last_file_segment())
            .map(|seg| segment_file_name(d.wal.tli_at(Lsn(seg * SEGMENT_SIZE)), seg))
            .collect();
        Some(WalRetention {
            first,
            current,
            files,
            recycled,
            oldest: d.wal.oldest_segment,
            redo: d.redo,
            keep_size_from,
            slot_limit,
            slots,
        })
    }

    /// Whether `h`'s WAL diverged from the timeline of `primary` (a server that accepts
    /// writes): its timeline is not in the primary's history, or it has WAL past the
    /// point where the primary left that timeline.
    pub fn diverged_from(&self, h: HostId, primary: HostId) -> Option<Divergence> {
        if h == primary {
            return None;
        }
        let (d, p) = (self.data(h)?, self.data(primary)?);
        let (tli, primary_tli) = (d.wal.tli, p.wal.tli);
        if tli == primary_tli {
            return None;
        }
        match p.wal.history.iter().find(|e| e.tli == tli) {
            Some(e) if d.wal.flush <= e.switchpoint => None,
            Some(e) => Some(Divergence {
                tli,
                primary_tli,
                at: Some(e.switchpoint),
            }),
            // A timeline the primary never had is a branch of its own.
            None => Some(Divergence {
                tli,
                primary_tli,
                at: None,
            }),
        }
    }
}
