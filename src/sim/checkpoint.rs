//! The checkpointer (checkpointer.c and xlog.c's CreateCheckPoint): checkpoints on a
//! primary, restartpoints on a standby, and removing WAL segments no longer kept by
//! wal_keep_size or a replication slot (KeepLogSeg).

use super::cluster::Cluster;
use super::datafiles::CheckpointFailure;
use super::event::{EventKind, HostId, Message};
use super::lsn::{Lsn, SEGMENT_SIZE};
use super::wal::{self, RecordBody};

/// How many past checkpoints a data directory remembers.
const CHECKPOINT_HISTORY: usize = 32;

impl Cluster {
    /// Writes a checkpoint's record with redo point `redo` and makes it the server's
    /// latest checkpoint (pg_control), then flushes: the end of every checkpoint, an
    /// immediate one or a spread one. The new redo point is in force before the flush,
    /// whose max_wal_size check must not see the old one and start a checkpoint again.
    fn write_checkpoint(&mut self, h: HostId, redo: Lsn, shutdown: bool) {
        self.append(
            h,
            wal::CHECKPOINT_RECORD,
            RecordBody::Checkpoint { redo, shutdown },
        );
        // The checkpoint's location (pg_control_checkpoint().checkpoint_lsn) is where
        // its record starts.
        let cp_lsn = self
            .data(h)
            .and_then(|d| d.wal.records.back())
            .map_or(redo, |r| r.start);
        let now = self.now;
        if let Some(d) = self.data_mut(h) {
            d.redo = redo;
            d.checkpoint_lsn = cp_lsn;
            d.checkpoint_time = now;
            d.catalog_fpi_done = false;
            d.role_fpi_done = false;
            d.checkpoints.push((cp_lsn, redo));
            if d.checkpoints.len() > CHECKPOINT_HISTORY {
                d.checkpoints.remove(0);
            }
        }
        self.flush(h);
    }

    /// Writes a checkpoint on a primary (or a restartpoint on a standby) and removes
    /// WAL segments nothing needs any more.
    pub fn checkpoint(&mut self, h: HostId, reason: &str, shutdown: bool) {
        let _ = self.try_checkpoint(h, reason, shutdown);
    }

    /// [`Cluster::checkpoint`], saying why it could not be written (a file it needs
    /// was removed from the data directory).
    pub fn try_checkpoint(
        &mut self,
        h: HostId,
        reason: &str,
        shutdown: bool,
    ) -> Option<CheckpointFailure> {
        let server = self.server(h)?;
        let cp_pid = server.checkpointer_pid;
        if server.standby {
            self.restartpoint(h, reason);
            return None;
        }
        let data = self.data(h)?;
        let idle = data.nothing_since_checkpoint() && !reason.contains("force") && !shutdown;
        if idle {
            return None;
        }
        if let Some(failure) = self.checkpoint_failure(h, reason) {
            return Some(failure);
        }
        // A checkpoint asked for while a spread one runs finishes it: this one covers it.
        if let Some(s) = self.server_mut(h) {
            s.spread_checkpoint = None;
        }
        let data = self.data(h)?;
        let since = data.redo;
        // The redo point is where the next record goes; a shutdown checkpoint's record
        // is written right there, so its location equals its redo point.
        let redo = data.wal.insert.record_start();
        let dirtied = dirtied_buffers(data, since);
        self.log(h, cp_pid, "LOG", &format!("checkpoint starting: {reason}"));
        if !shutdown {
            self.append(h, wal::RUNNING_XACTS_RECORD, RecordBody::RunningXacts);
        }
        self.write_checkpoint(h, redo, shutdown);
        let distance = redo.diff(since).max(0) as u64;
        let estimate_kb = self.update_distance_estimate(h, distance);
        let (removed, recycled) = self.remove_old_wal(h, redo);
        let added = !shutdown && self.preallocate_wal(h);
        let added = u64::from(added);
        let distance_kb = distance / 1024;
        let single_user = self.server(h).is_some_and(|s| s.single_user);
        let buffers = if single_user || reason.starts_with("end-of-recovery") {
            dirtied
        } else {
            (distance_kb / 8).clamp(1, 16384)
        };
        // `postgres --single -F` runs with fsync off: nothing to sync.
        let sync = if single_user {
            "sync files=0, longest=0.000 s, average=0.000 s"
        } else {
            "sync files=2, longest=0.001 s, average=0.001 s"
        };
        self.log(h, cp_pid, "LOG", &format!(
            "checkpoint complete: wrote {buffers} buffers ({:.1}%); {added} WAL file(s) added, {removed} removed, {recycled} recycled; write=0.003 s, sync=0.001 s, total=0.008 s; {sync}; distance={distance_kb} kB, estimate={estimate_kb} kB",
            buffers as f64 * 100.0 / 16384.0));
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Checkpoint, format!("checkpoint on {name} (redo {redo})"),
            "Dirty pages are on disk up to here, so WAL before the redo point is no longer needed for crash recovery.");
        None
    }

    /// Starts a spread checkpoint (CHECKPOINT_IMMEDIATE not set): `checkpoint starting`
    /// now, its redo point fixed now, its record and pg_control written when its
    /// buffers are. Measured on PostgreSQL 15.18 after pg_promote(): 22 buffers for
    /// about 90 kB of WAL since the last redo point took write=1.906 s, 46 buffers for
    /// 171 kB write=4.412 s (CheckpointWriteDelay sleeps 100 ms between writes while the
    /// checkpoint is ahead of schedule). The model writes one buffer per 4 kB of WAL
    /// records since the last redo point (a segment switch's padding not counted) and
    /// takes 100 ms for each buffer past the second.
    pub fn start_spread_checkpoint(&mut self, h: HostId, reason: &str) {
        let Some(cp_pid) = self.server(h).map(|s| s.checkpointer_pid) else {
            return;
        };
        let Some(data) = self.data(h) else { return };
        let since = data.redo;
        let redo = data.wal.insert.record_start();
        let written: u64 = data
            .wal
            .records
            .iter()
            .filter(|r| r.start >= since)
            .map(|r| match r.body {
                RecordBody::Switch => wal::SWITCH_RECORD,
                _ => r.end.diff(r.start).max(0) as u64,
            })
            .sum();
        let buffers = written.div_ceil(4096).clamp(1, 16384);
        let write = super::time::SimDuration::from_millis(buffers.saturating_sub(2) * 100);
        self.log(h, cp_pid, "LOG", &format!("checkpoint starting: {reason}"));
        if let Some(s) = self.server_mut(h) {
            s.spread_checkpoint = Some(super::proc::SpreadCheckpoint {
                redo,
                since,
                buffers,
                write,
            });
        }
        self.timer(
            h,
            write + super::time::SimDuration::from_millis(7),
            super::event::Timer::CheckpointDone,
        );
    }

    /// The spread checkpoint's buffers are written: its record, pg_control (now on
    /// the new timeline after a promotion) and WAL removal, as CreateCheckPoint ends.
    pub fn complete_spread_checkpoint(&mut self, h: HostId) {
        let Some(pending) = self.server_mut(h).and_then(|s| s.spread_checkpoint.take()) else {
            return;
        };
        let Some(cp_pid) = self.server(h).map(|s| s.checkpointer_pid) else {
            return;
        };
        if self.checkpoint_failure(h, "force").is_some() {
            return;
        }
        let redo = pending.redo;
        self.append(h, wal::RUNNING_XACTS_RECORD, RecordBody::RunningXacts);
        self.write_checkpoint(h, redo, false);
        let distance = redo.diff(pending.since).max(0) as u64;
        let estimate_kb = self.update_distance_estimate(h, distance);
        let (removed, recycled) = self.remove_old_wal(h, redo);
        let added = u64::from(self.preallocate_wal(h));
        let distance_kb = distance / 1024;
        let write = pending.write.0 as f64 / 1e6;
        self.log(h, cp_pid, "LOG", &format!(
            "checkpoint complete: wrote {} buffers ({:.1}%); {added} WAL file(s) added, {removed} removed, {recycled} recycled; write={write:.3} s, sync=0.002 s, total={:.3} s; sync files=2, longest=0.001 s, average=0.001 s; distance={distance_kb} kB, estimate={estimate_kb} kB",
            pending.buffers,
            pending.buffers as f64 * 100.0 / 16384.0,
            write + 0.007));
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Checkpoint, format!("checkpoint on {name} (redo {redo})"),
            "Dirty pages are on disk up to here, so WAL before the redo point is no longer needed for crash recovery.");
    }

    pub fn restartpoint(&mut self, h: HostId, reason: &str) {
        let Some(data) = self.data(h) else { return };
        // The newest checkpoint record replayed so far.
        let replayed = data.applied;
        let found = data.wal.records.iter().rev().find_map(|r| match r.body {
            RecordBody::Checkpoint { redo, .. } if r.end <= replayed => Some((redo, r.start)),
            _ => None,
        });
        let Some((redo, cp_lsn)) = found.filter(|(redo, _)| *redo > data.redo) else {
            return;
        };
        let cp_pid = self.server(h).map_or(0, |s| s.checkpointer_pid);
        self.log(
            h,
            cp_pid,
            "LOG",
            &format!("restartpoint starting: {reason}"),
        );
        let (removed, recycled) = self.remove_old_wal(h, redo);
        let now = self.now;
        if let Some(d) = self.data_mut(h) {
            d.redo = redo;
            d.checkpoint_lsn = cp_lsn;
            d.checkpoint_time = now;
        }
        self.log(h, cp_pid, "LOG", &format!("restartpoint complete: wrote 0 buffers (0.0%); 0 WAL file(s) added, {removed} removed, {recycled} recycled; write=0.001 s, sync=0.001 s, total=0.002 s; sync files=0, longest=0.000 s, average=0.000 s; distance=0 kB, estimate=0 kB"));
        self.log(
            h,
            cp_pid,
            "LOG",
            &format!("recovery restart point at {redo}"),
        );
    }

    /// UpdateCheckPointDistanceEstimate: the estimate becomes the new distance when
    /// that is larger, 90% of itself plus 10% of it otherwise. Returns it in kB, as the
    /// `checkpoint complete` line prints it (PostgreSQL 15.18 after distances of 33503
    /// and 33379 kB: estimate=33503 kB, then estimate=33491 kB).
    fn update_distance_estimate(&mut self, h: HostId, distance: u64) -> u64 {
        let Some(s) = self.server_mut(h) else {
            return distance / 1024;
        };
        let d = distance as f64;
        s.checkpoint_distance_estimate = if s.checkpoint_distance_estimate < d {
            d
        } else {
            0.9 * s.checkpoint_distance_estimate + 0.1 * d
        };
        (s.checkpoint_distance_estimate / 1024.0) as u64
    }

    /// PreallocXlogFiles after a checkpoint: the next segment file is created when
    /// the insert position is three quarters into its segment. Returns whether it was.
    fn preallocate_wal(&mut self, h: HostId) -> bool {
        self.data_mut(h).is_some_and(|d| {
            let end = d.wal.insert;
            d.wal.preallocate_after(end)
        })
    }

    /// Removes segments before what the redo point, wal_keep_size and the slots keep,
    /// renaming as many as min_wal_size/max_wal_size allow to future segment names
    /// (wal_recycle); slots past max_slot_wal_keep_size are invalidated first. Returns
    /// how many files were (removed, recycled).
    fn remove_old_wal(&mut self, h: HostId, redo: Lsn) -> (u64, u64) {
        let settings = self.settings(h);
        let keep_mb = settings.int("wal_keep_size").max(0) as u64;
        let max_slot_mb = settings.int("max_slot_wal_keep_size");
        let recycle = !matches!(
            settings.get("wal_recycle"),
            Some(crate::conf::Parsed::Bool(false))
        );
        let estimate = self
            .server(h)
            .map_or(0.0, |s| s.checkpoint_distance_estimate);
        let target = match settings.get("checkpoint_completion_target") {
            Some(crate::conf::Parsed::Real(t)) => *t,
            _ => 0.9,
        };
        let recycle_upto = xlog_file_slop(
            redo,
            settings.int("min_wal_size").max(2) as u64,
            settings.int("max_wal_size").max(2) as u64,
            target,
            estimate,
        );
        let cp_pid = self.server(h).map_or(0, |s| s.checkpointer_pid);
        let Some(data) = self.data(h) else {
            return (0, 0);
        };
        let current = data.wal.insert;
        // The first segment to keep (CreateCheckPoint: the redo segment, lowered by
        // KeepLogSeg); slots holding older WAL are invalidated, then it is worked out
        // again without them.
        let keep_from = |slots: Option<Lsn>| {
            redo.segment()
                .min(keep_log_seg(current, slots, max_slot_mb, keep_mb))
        };
        let oldest = keep_from(data.min_slot_lsn());
        let invalidate: Vec<_> = data
            .slots
            .iter()
            .filter_map(|(name, slot)| {
                let restart = slot.restart_lsn?;
                (restart.segment() < oldest).then(|| (name.clone(), restart, slot.active_pid))
            })
            .collect();
        for (name, restart, active) in invalidate {
            if let Some(pid) = active {
                self.log(
                    h,
                    cp_pid,
                    "LOG",
                    &format!("terminating process {pid} to release replication slot \"{name}\""),
                );
                let conn = self.server(h).and_then(|s| {
                    s.senders
                        .iter()
                        .find(|w| w.pid == pid)
                        .map(|w| (w.conn, w.peer))
                });
                if let Some((conn, peer)) = conn {
                    self.drop_sender(h, conn);
                    self.send(h, peer, Message::Closed { conn, clean: false });
                }
            }
            self.log(h, cp_pid, "LOG", &format!("invalidating slot \"{name}\" because its restart_lsn {restart} exceeds max_slot_wal_keep_size"));
            if let Some(s) = self.data_mut(h).and_then(|d| d.slots.get_mut(&name)) {
                s.restart_lsn = None;
                s.lost = true;
                s.active_pid = None;
            }
            let host = self.host(h).name.clone();
            self.note(h, EventKind::SlotInvalidated, format!("slot {name} on {host} invalidated"),
                "The slot held more WAL than max_slot_wal_keep_size allows; its standby can no longer catch up from this server.");
        }
        let Some(data) = self.data_mut(h) else {
            return (0, 0);
        };
        let keep = keep_from(data.min_slot_lsn());
        let before = data.wal.oldest_segment;
        let end = data.wal.insert;
        let (removed, recycled) =
            data.wal
                .recycle_segments_before(keep, end, if recycle { recycle_upto } else { 0 });
        if removed + recycled > 0 {
            let last = crate::lsn::segment_file_name(
                data.wal.tli_at(Lsn((keep - 1) * SEGMENT_SIZE)),
                keep - 1,
            );
            let first =
                crate::lsn::segment_file_name(data.wal.tli_at(Lsn(before * SEGMENT_SIZE)), before);
            let host = self.host(h).name.clone();
            let text = if removed + recycled == 1 {
                format!("{host} removed WAL segment {first}")
            } else {
                format!("{host} removed WAL segments {first} .. {last}")
            };
            self.note(h, EventKind::SegmentRemoved, text,
                "A standby that still needed these segments, and had no slot holding them, can no longer stream.");
        }
        (removed, recycled)
    }

    pub fn maybe_wal_size_checkpoint(&mut self, h: HostId) {
        let Some(data) = self.data(h) else { return };
        let max_mb = self
            .server(h)
            .map_or(1024, |s| s.settings.int("max_wal_size"));
        // PostgreSQL 15 checkpoints after max_wal_size / (1 + checkpoint_completion_target).
        let trigger = (max_mb.max(2) as u64) * 1024 * 1024 * 10 / 19;
        if !self.server(h).is_some_and(|s| s.standby)
            && data.wal.insert.0.saturating_sub(data.redo.0) > trigger
        {
            self.checkpoint(h, "wal", false);
        }
    }
}

/// The buffers the records since `since` dirtied, as a checkpoint after crash recovery
/// writes them (what replay changed): one per 4 kB of records that change data pages
/// (checkpoint, running-xacts, switch and backup-end records change none), as a spread
/// checkpoint counts them. PostgreSQL 15.18's end-of-recovery checkpoint after a crash
/// that followed a CREATE TABLE wrote 25 buffers (tests/compare/rewind-after-crash,
/// the model 22: it does not track pages), and the shutdown checkpoint right after it 0.
fn dirtied_buffers(data: &super::host::DataDir, since: Lsn) -> u64 {
    let bytes: u64 = data
        .wal
        .records
        .iter()
        .filter(|r| r.start >= since)
        .filter(|r| {
            !matches!(
                r.body,
                RecordBody::Checkpoint { .. }
                    | RecordBody::RunningXacts
                    | RecordBody::Switch
                    | RecordBody::BackupEnd
                    | RecordBody::EndOfRecovery { .. }
            )
        })
        .map(|r| r.end.diff(r.start).max(0) as u64)
        .sum();
    bytes.div_ceil(4096).min(16384)
}

/// XLOGfileslop: the newest segment an old one may be recycled to. Enough for the
/// next checkpoint cycle, (1 + checkpoint_completion_target) times the distance
/// estimate plus 10% past the redo point, but at least min_wal_size and at most
/// max_wal_size worth of segments from the redo point's segment on.
pub fn xlog_file_slop(redo: Lsn, min_mb: u64, max_mb: u64, target: f64, estimate: f64) -> u64 {
    let seg = redo.segment();
    let min_seg = seg
        .saturating_add(super::lsn::mb_to_segments(min_mb))
        .saturating_sub(1);
    let max_seg = seg
        .saturating_add(super::lsn::mb_to_segments(max_mb))
        .saturating_sub(1);
    let distance = (1.0 + target) * estimate * 1.10;
    let wanted = ((redo.0 as f64 + distance) / SEGMENT_SIZE as f64).ceil();
    // A float past u64's range saturates; min_wal_size then max_wal_size bound it.
    (wanted as u64).max(min_seg).min(max_seg)
}

/// PostgreSQL's KeepLogSeg: the oldest segment that slots (capped by
/// max_slot_wal_keep_size) and wal_keep_size keep, counted in whole 16MB segments back
/// from the segment of `current`. Without a slot or wal_keep_size it is `current`'s.
pub fn keep_log_seg(current: Lsn, min_slot: Option<Lsn>, max_slot_mb: i64, keep_mb: u64) -> u64 {
    let curr = current.segment();
    let mut segno = curr;
    if let Some(keep) = min_slot.filter(|k| *k < current) {
        segno = keep.segment();
        if max_slot_mb >= 0 {
            let slot_keep = super::lsn::mb_to_segments(max_slot_mb as u64);
            if curr - segno > slot_keep {
                segno = curr - slot_keep;
            }
        }
    }
    if keep_mb > 0 {
        let keep_segs = super::lsn::mb_to_segments(keep_mb);
        if curr - segno < keep_segs {
            segno = if curr <= keep_segs {
                1
            } else {
                curr - keep_segs
            };
        }
    }
    segno
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlog_file_slop_is_bounded_by_min_and_max_wal_size() {
        // PostgreSQL 15 defaults: min_wal_size 80MB (5 segments), max_wal_size 1GB.
        let redo = Lsn(0x2000028);
        assert_eq!(xlog_file_slop(redo, 80, 1024, 0.9, 11_262.0 * 1024.0), 6);
        // A 100 MB estimate wants (1.9 * 1.1 * 100 MB + 32 MB) / 16 MB, rounded up.
        assert_eq!(xlog_file_slop(redo, 80, 1024, 0.9, 100.0 * 1048576.0), 16);
        assert_eq!(xlog_file_slop(redo, 80, 64, 0.9, 100.0 * 1048576.0), 5);
        assert_eq!(xlog_file_slop(redo, 80, 1024, 0.9, f64::MAX), 65);
    }
}
