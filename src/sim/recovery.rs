//! The startup process (xlogrecovery.c): crash recovery when a server starts after a
//! crash, replaying streamed WAL on a standby (at a fixed rate, holding commits back for
//! recovery_min_apply_delay), reaching a consistent state, and promotion to a new
//! timeline.

use super::cluster::Cluster;
use super::event::{EventKind, HostId, Timer};
use super::lsn::{Lsn, TimelineId, SEGMENT_SIZE};
use super::proc::ReplayPause;
use super::time::SimDuration;
use super::wal::{self, RecordBody};
use super::PGDATA;

/// How fast the startup process replays WAL, in bytes per second.
pub const REPLAY_RATE: u64 = 100 * 1024 * 1024;

impl Cluster {
    /// pg_wal_replay_pause() on standby `h`: the startup process stops before its next
    /// record (the walreceiver goes on receiving and flushing).
    pub fn pause_replay(&mut self, h: HostId) {
        let Some(s) = self.server_mut(h) else { return };
        if s.replay_pause == ReplayPause::NotPaused {
            s.replay_pause = ReplayPause::Requested;
        }
        if s.replaying_to.is_none() {
            self.confirm_replay_pause(h);
        }
    }

    /// pg_wal_replay_resume(): replay goes on with what has arrived meanwhile.
    pub fn resume_replay(&mut self, h: HostId) {
        let Some(s) = self.server_mut(h) else { return };
        s.replay_pause = ReplayPause::NotPaused;
        self.replay_available(h);
    }

    /// The startup process, between records, finds a pause requested: it pauses and
    /// says so (recoveryPausesHere).
    fn confirm_replay_pause(&mut self, h: HostId) {
        let Some(s) = self.server_mut(h) else { return };
        if s.replay_pause != ReplayPause::Requested {
            return;
        }
        s.replay_pause = ReplayPause::Paused;
        let pid = s.startup_pid;
        self.log(h, pid, "LOG", "recovery has paused");
        self.log(
            h,
            pid,
            "HINT",
            "Execute pg_wal_replay_resume() to continue.",
        );
    }

    /// Starts the startup process on WAL that is flushed but not replayed.
    pub fn replay_available(&mut self, standby: HostId) {
        let Some(server) = self.server(standby) else {
            return;
        };
        if !server.standby || server.replaying_to.is_some() {
            return;
        }
        if server.replay_pause != ReplayPause::NotPaused {
            self.confirm_replay_pause(standby);
            return;
        }
        let Some(d) = self.data(standby) else { return };
        // Replay stops at the end of the last complete record received.
        let target = d
            .wal
            .records
            .back()
            .map_or(d.applied, |r| r.end.min(d.wal.flush));
        if target <= d.applied {
            return;
        }
        // A WAL switch record's padding to the segment end costs nothing to replay.
        let bytes: u64 = d
            .wal
            .records_between(d.applied, target)
            .map(|r| match r.body {
                RecordBody::Switch => wal::SWITCH_RECORD,
                _ => r.end.0 - r.start.0,
            })
            .sum();
        // Replay writes pages on the same disk: a slow one slows it too.
        let rate = self
            .host(standby)
            .disk_speed
            .map_or(REPLAY_RATE, |s| s.clamp(1, REPLAY_RATE));
        let after = SimDuration(bytes.saturating_mul(1_000_000) / rate);
        if let Some(s) = self.server_mut(standby) {
            s.replaying_to = Some(target);
        }
        self.timer(standby, after, Timer::Replay);
    }

    pub(super) fn on_replay_done(&mut self, standby: HostId) {
        let target = self.server_mut(standby).and_then(|s| s.replaying_to.take());
        if let Some(target) = target {
            self.replay_now(standby, target);
        }
        self.check_consistency(standby);
        self.replay_available(standby);
        // Caught up and about to wait for more WAL: the startup process asks the
        // walreceiver for a reply (WalRcvForceReply), so pg_stat_replication does not
        // show a stale replay position.
        let caught_up = self
            .server(standby)
            .is_some_and(|s| s.replaying_to.is_none())
            && self.data(standby).is_some_and(|d| d.applied >= d.wal.flush);
        if caught_up {
            self.send_reply(standby, false);
        }
    }

    /// Applies records up to `target` (bounded by what is flushed), honouring
    /// recovery_min_apply_delay for commits.
    pub fn replay_now(&mut self, standby: HostId, target: Lsn) {
        let delay = self
            .server(standby)
            .map_or(0, |s| s.settings.int("recovery_min_apply_delay"))
            .max(0) as u64;
        let promoting = target == Lsn(u64::MAX);
        let now = self.now;
        let Some(d) = self.data_mut(standby) else {
            return;
        };
        let upto = target.min(d.wal.flush);
        let from = d.applied;
        let records: Vec<_> = d.wal.records_between(from, upto).cloned().collect();
        let mut feedback = false;
        let mut blocked_until = None;
        for r in records {
            if let RecordBody::Commit { at, .. } | RecordBody::Workload { at, .. } = r.body {
                let due = at + SimDuration::from_millis(delay);
                if delay > 0 && !promoting && due > now {
                    blocked_until = Some(due);
                    break;
                }
            }
            match &r.body {
                RecordBody::Change { xid, change } => {
                    d.pending_xacts
                        .entry(*xid)
                        .or_default()
                        .push(change.clone());
                }
                RecordBody::Commit {
                    xid,
                    at,
                    apply_feedback,
                } => {
                    for c in d.pending_xacts.remove(xid).unwrap_or_default() {
                        d.db.apply(&c);
                        d.db.next_tuple = d.db.next_tuple.max(1);
                    }
                    d.last_replayed_commit = Some(*at);
                    feedback |= *apply_feedback;
                }
                RecordBody::Workload { at, .. } => d.last_replayed_commit = Some(*at),
                RecordBody::Abort { xid } => {
                    d.pending_xacts.remove(xid);
                }
                _ => {}
            }
            d.applied = r.end;
        }
        if let Some(due) = blocked_until {
            if let Some(s) = self.server_mut(standby) {
                s.replaying_to = Some(upto);
            }
            self.timer(standby, due - now, Timer::Replay);
        }
        if feedback {
            self.send_reply(standby, false);
        }
    }

    /// What a starting server logs about recovery: the startup process (`pid`) and,
    /// for a primary, the postmaster's "ready to accept connections".
    pub fn recover_at_start(&mut self, h: HostId, pid: u32) {
        let Some(server) = self.server(h) else { return };
        let standby = server.standby;
        let postmaster = server.pid;
        let Some(data) = self.data(h).cloned() else {
            return;
        };
        let seconds = |t: super::time::SimTime| {
            let text = super::datetime::format_log_timestamp(t.unix_micros());
            text.trim_end_matches(" UTC")
                .rsplit_once('.')
                .map_or(text.clone(), |(a, _)| format!("{a} UTC"))
        };
        let last_up = seconds(data.shutdown_at);
        if let Some(label) = &data.backup {
            self.log(
                h,
                pid,
                "LOG",
                &format!("database system was interrupted; last known up at {last_up}"),
            );
            self.log(
                h,
                pid,
                "LOG",
                &format!(
                "starting backup recovery with redo LSN {}, checkpoint LSN {}, on timeline ID {}",
                label.start, label.checkpoint, label.tli),
            );
            if let Some(host) = Some(self.host_mut(h)) {
                if let Some(bl) = host.files.remove(&format!("{PGDATA}/backup_label")) {
                    host.files.insert(format!("{PGDATA}/backup_label.old"), bl);
                }
            }
        } else if data.clean_shutdown {
            let state = if data.shutdown_in_recovery {
                "shut down in recovery"
            } else {
                "shut down"
            };
            self.log(
                h,
                pid,
                "LOG",
                &format!("database system was {state} at {last_up}"),
            );
            if self.base_dir_missing(h) {
                // ResetUnloggedRelations walks base/ too.
                self.log(
                    h,
                    pid,
                    "LOG",
                    "could not open directory \"base\": No such file or directory",
                );
            }
        } else {
            if let Some(t) = data.recovery_interrupted_at {
                self.log(
                    h,
                    pid,
                    "LOG",
                    &format!(
                        "database system was interrupted while in recovery at {}",
                        seconds(t)
                    ),
                );
                self.log(h, pid, "HINT", "This probably means that some data is corrupted and you will have to use the last backup for recovery.");
            } else if data.lost.shutdown_interrupted_at.is_some() {
                self.log(
                    h,
                    pid,
                    "LOG",
                    &format!(
                        "database system shutdown was interrupted; last known up at {last_up}"
                    ),
                );
            } else {
                self.log(
                    h,
                    pid,
                    "LOG",
                    &format!("database system was interrupted; last known up at {last_up}"),
                );
            }
            self.log(
                h,
                pid,
                "LOG",
                "database system was not properly shut down; automatic recovery in progress",
            );
        }
        if standby {
            self.log(h, pid, "LOG", "entering standby mode");
            // Recovery starts at the last (restart)point's redo; PostgreSQL says so when
            // there is a record to replay from there: the redo point is before the
            // checkpoint record (an online checkpoint) or records follow it (not after a
            // clean primary shutdown).
            let from = data.backup.as_ref().map_or(data.redo, |l| l.start);
            let more = data
                .wal
                .records
                .back()
                .is_some_and(|r| r.start > data.checkpoint_lsn);
            if data.backup.is_some() || data.redo < data.checkpoint_lsn || more {
                self.log(h, pid, "LOG", &format!("redo starts at {from}"));
            }
            self.replay_available(h);
            self.check_consistency(h);
        } else {
            if !data.clean_shutdown {
                // Replay ends where the next record header reads as zeros; "redo done"
                // names the start of the last record replayed.
                let end = data.wal.flush;
                let last = data.wal.records.back().map_or(end, |r| r.start);
                self.log(h, pid, "LOG", &format!("redo starts at {}", data.redo));
                self.note_pg_xact_zeroes(h, pid, &data);
                // At a page boundary the next page header is zeros; inside a page the
                // next record header is.
                let why = if end.0 % super::lsn::PAGE_SIZE == 0 {
                    format!(
                        "invalid magic number 0000 in log segment {}, offset {}",
                        super::lsn::segment_file_name(data.wal.tli, end.segment()),
                        end.0 % SEGMENT_SIZE
                    )
                } else {
                    format!("invalid record length at {end}: wanted 24, got 0")
                };
                // A record cut at a segment's end by a full disk: its next segment
                // does not exist, and reading stops there without a message.
                if !data.wal_torn {
                    self.log(h, pid, "LOG", &why);
                }
                self.log(h, pid, "LOG", &format!("redo done at {last} system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s"));
            }
            if self.startup_out_of_space(h, pid) {
                return;
            }
            if !data.clean_shutdown
                && self
                    .try_checkpoint(h, "end-of-recovery immediate wait", true)
                    .is_some()
            {
                self.startup_checkpoint_failed(h, pid);
                return;
            }
            if let Some(d) = self.data_mut(h) {
                d.lost.shutdown_interrupted_at = None;
                d.clean_shutdown = false;
                d.backup = None;
                d.wal_torn = false;
                d.recovery_interrupted_at = None;
            }
            // A single-user backend takes commands on stdin instead.
            if !self.server(h).is_some_and(|s| s.single_user) {
                self.log(
                    h,
                    postmaster,
                    "LOG",
                    "database system is ready to accept connections",
                );
            }
        }
    }

    /// Marks a standby consistent once replay passed the end of its base backup.
    pub fn check_consistency(&mut self, h: HostId) {
        let Some(data) = self.data(h) else { return };
        let (reached, at) = match &data.backup {
            // Recovery checks after every record, so it notices at the backup's end.
            Some(label) => (data.applied >= label.end, label.end),
            None => (true, data.applied),
        };
        let Some(server) = self.server(h) else { return };
        if server.consistent || !reached {
            return;
        }
        let pid = server.pid;
        let startup = server.startup_pid;
        let hot = server.settings.bool("hot_standby");
        if let Some(s) = self.server_mut(h) {
            s.consistent = true;
        }
        if let Some(d) = self.data_mut(h) {
            d.backup = None;
        }
        self.log(
            h,
            startup,
            "LOG",
            &format!("consistent recovery state reached at {at}"),
        );
        if hot {
            self.log(
                h,
                pid,
                "LOG",
                "database system is ready to accept read-only connections",
            );
        }
    }

    /// Promotes a standby: replays what it has, picks a new timeline and starts
    /// accepting writes. Returns false when the server is not in recovery.
    pub fn promote(&mut self, h: HostId) -> bool {
        let Some(server) = self.server(h) else {
            return false;
        };
        if !server.standby {
            return false;
        }
        let pid = server.pid;
        let startup = server.startup_pid;
        // What it had received when promoted: the commits past it are lost to clients.
        let Some((followed, received)) = self.data(h).map(|d| (d.wal.tli, d.wal.flush)) else {
            return false;
        };
        self.log(h, startup, "LOG", "received promote request");
        // A promotion ends a pause: everything received is replayed first.
        if let Some(s) = self.server_mut(h) {
            s.replay_pause = ReplayPause::NotPaused;
        }
        self.stop_receiver(
            h,
            "terminating walreceiver process due to administrator command",
        );
        self.replay_now(h, Lsn(u64::MAX));
        let name = self.host(h).name.clone();
        let Some(data) = self.data_mut(h) else {
            return false;
        };
        // The new timeline starts after the last complete record replayed.
        let end = data.applied;
        data.wal.truncate(end);
        let old = data.wal.tli;
        let new = TimelineId(old.0 + 1);
        data.wal.history.push(wal::HistoryEntry {
            tli: old,
            switchpoint: end,
        });
        data.wal.tli = new;
        data.backup = None;
        let last_commit = data.last_replayed_commit;
        let history = data.wal.history_file();
        self.log(h, startup, "LOG", &format!("redo done at {end} system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s"));
        if let Some(t) = last_commit {
            self.log(
                h,
                startup,
                "LOG",
                &format!(
                    "last completed transaction was at log time {}",
                    super::datetime::format_timestamptz(t.unix_micros())
                ),
            );
        }
        self.log(
            h,
            startup,
            "LOG",
            &format!("selected new timeline ID: {new}"),
        );
        self.log(h, startup, "LOG", "archive recovery complete");
        let host = self.host_mut(h);
        host.files.remove(&format!("{PGDATA}/standby.signal"));
        host.files
            .insert(format!("{PGDATA}/pg_wal/{:08X}.history", new.0), history);
        if let Some(s) = host.server.as_mut() {
            s.standby = false;
            s.consistent = true;
            s.replaying_to = None;
        }
        self.append(
            h,
            wal::END_OF_RECOVERY_RECORD,
            RecordBody::EndOfRecovery { new_tli: new },
        );
        self.flush(h);
        // The end-of-recovery checkpoint is requested without CHECKPOINT_IMMEDIATE: it
        // starts before the postmaster says it is ready and completes later.
        self.start_spread_checkpoint(h, "force");
        self.log(
            h,
            pid,
            "LOG",
            "database system is ready to accept connections",
        );
        self.note(h, EventKind::Promote, format!("{name} promoted: now the primary on timeline {new}"),
            "A new timeline begins where replay ended; standbys must follow it (recovery_target_timeline = 'latest').");
        self.note_lost_commits(h, followed, received, new);
        self.note_promotion_hazards(h, end, old);
        self.note_split_brain(h);
        true
    }
}
