//! The disk under each host's data directory: what takes space (initdb's catalogs, the
//! tables, pg_wal's segments, the configuration files and the log), and what PostgreSQL
//! does when pg_wal cannot grow (xlog.c's XLogFileInitInternal: the writing process
//! PANICs, the postmaster terminates every backend and reinitializes, and the startup
//! process cannot preallocate a segment either, so the server shuts down).
//!
//! Simplifications: only pg_wal's growth can fail. Table data takes space but never
//! fails to extend, and the server's own records (checkpoints, segment switches, a
//! backup's end, a standby's received WAL) are written even on a full disk.

use super::cluster::Cluster;
use super::event::{EventKind, HostId};
use super::host::GIB;
use super::lsn::{Lsn, PAGE_SIZE, SEGMENT_SIZE};
use super::time::SimDuration;
use super::wal::RecordBody;
use super::{event::Timer, PGDATA};

/// initdb's data directory without pg_wal (`du -sb` on PostgreSQL 15: base/ with three
/// databases' catalogs, global/ and the small files).
pub const DATADIR_BASE_BYTES: u64 = 23_148_801;
/// The last record a failing transaction completed before the segment's end.
const LAST_RECORD: u64 = 64;
/// The smallest disk `lab$ disk` gives: room for initdb and a few segments.
pub const MIN_DISK: u64 = 64 * 1024 * 1024;
/// The largest: 64 TiB.
pub const MAX_DISK: u64 = 64 * 1024 * GIB;

/// How a host's data disk is used, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiskUsage {
    pub size: u64,
    /// initdb's catalogs ([`DATADIR_BASE_BYTES`]), when a data directory exists.
    pub base: u64,
    /// The tables' heap pages.
    pub tables: u64,
    /// pg_wal: its segment files, 16 MB each.
    pub wal: u64,
    /// Configuration files, the server log and other files under the data directory.
    pub files: u64,
}

impl DiskUsage {
    pub fn used(&self) -> u64 {
        self.base + self.tables + self.wal + self.files
    }

    /// What is left (none when the disk holds more than it has room for).
    pub fn avail(&self) -> u64 {
        self.size.saturating_sub(self.used())
    }
}

impl Cluster {
    /// How full the disk under `h`'s data directory is.
    pub fn disk_usage(&self, h: HostId) -> DiskUsage {
        let host = self.host(h);
        let prefix = format!("{PGDATA}/");
        let files = host
            .files
            .iter()
            .filter(|(p, _)| p.starts_with(&prefix))
            .map(|(_, t)| t.len() as u64)
            .sum();
        let (base, tables, wal) = host.data.as_ref().map_or((0, 0, 0), |d| {
            // Recycled segments ahead of the insert position are whole files too.
            let segments = d
                .wal
                .last_file_segment()
                .saturating_sub(d.wal.oldest_segment)
                .saturating_add(1);
            (
                DATADIR_BASE_BYTES,
                d.db.data_bytes(),
                segments.saturating_mul(SEGMENT_SIZE),
            )
        });
        DiskUsage {
            size: host.disk,
            base,
            tables,
            wal,
            files,
        }
    }

    /// `lab$ disk NODE SIZE`: gives the data directory's disk another size (as a cloud
    /// console grows or shrinks a volume). A disk smaller than what it holds is full.
    pub fn set_disk_size(&mut self, h: HostId, bytes: u64) {
        let bytes = bytes.clamp(MIN_DISK, MAX_DISK);
        self.host_mut(h).disk = bytes;
        let name = self.host(h).name.clone();
        let u = self.disk_usage(h);
        self.note(h, EventKind::Fault, format!("{name}'s data disk is now {} ({} used)", human(bytes), human(u.used())),
            "pg_wal lives on this disk: when a new WAL segment does not fit, the server PANICs and stops.");
    }

    /// `lab$ disk-speed NODE RATE|off`: how fast the data directory's disk writes. On a
    /// standby, received WAL is written at once (to the kernel) but flushed, and replayed,
    /// at this speed, so flush and replay fall behind while the network keeps up.
    /// Simplified: only a standby's received WAL and its replay wait for the disk (a
    /// primary's own commits, checkpoints and base backups do not).
    pub fn set_disk_speed(&mut self, h: HostId, speed: Option<u64>) {
        self.host_mut(h).disk_speed = speed;
        let name = self.host(h).name.clone();
        let text = match speed {
            Some(b) => format!("{name}'s data disk now writes {}/s", human(b)),
            None => format!("{name}'s data disk is fast again"),
        };
        self.note(h, EventKind::Fault, text,
            "A standby flushes and replays received WAL on this disk: a slow one makes flush_lag and replay_lag grow while write_lag stays flat.");
    }

    /// Whether WAL up to `end` fits: each segment it begins needs 16 MB of free space,
    /// unless a checkpoint already recycled a file to that name.
    pub fn wal_fits(&self, h: HostId, end: Lsn) -> bool {
        let Some(d) = self.data(h) else { return true };
        let (from, to) = (d.wal.last_file_segment(), end.segment());
        if to <= from {
            return true;
        }
        self.disk_usage(h).avail() >= (to - from).saturating_mul(SEGMENT_SIZE)
    }

    /// A backend could not create the next WAL segment: it PANICs, the postmaster
    /// terminates every process and reinitializes, and crash recovery runs (and fails
    /// while the disk is still full). Returns what psql prints on the client.
    pub fn panic_wal_full(&mut self, h: HostId, statement: &str) -> String {
        let Some(pm) = self.server(h).map(|s| s.pid) else {
            return String::new();
        };
        let pid = self.pid(h);
        let panic =
            format!("could not write to file \"pg_wal/xlogtemp.{pid}\": No space left on device");
        self.log(h, pid, "PANIC", &panic);
        self.log(h, pid, "STATEMENT", statement);
        self.log(
            h,
            pm,
            "LOG",
            &format!("server process (PID {pid}) was terminated by signal 6: Aborted"),
        );
        self.log(
            h,
            pm,
            "DETAIL",
            &format!("Failed process was running: {statement}"),
        );
        self.log(
            h,
            pm,
            "LOG",
            "terminating any other active server processes",
        );
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Fault, format!("{name}: PANIC: no space left on device for a new WAL segment"),
            "pg_wal could not grow: the server stops every process. A slot holding old WAL, or a disk too small, is the usual cause.");
        let Some(mut server) = self.server(h).cloned() else {
            return String::new();
        };
        self.write_to_segment_end(h);
        self.kill_server(h);
        if let Some(d) = self.data_mut(h) {
            d.wal_torn = true;
        }
        self.log(
            h,
            pm,
            "LOG",
            "all server processes terminated; reinitializing",
        );
        // restart_after_crash: a new startup process runs crash recovery.
        server.sessions.clear();
        server.senders.clear();
        server.receiver = None;
        server.walwriter_pending = false;
        server.startup_pid = self.pid(h);
        server.checkpointer_pid = self.pid(h);
        let host = self.host_mut(h);
        host.next_pid = host
            .next_pid
            .saturating_add(super::postmaster::AUX_AFTER_CHECKPOINTER);
        let startup = server.startup_pid;
        self.host_mut(h).server = Some(server);
        self.recover_at_start(h, startup);
        if self.server(h).is_some() {
            let ckpt = self.settings(h).int("checkpoint_timeout").max(30) as u64;
            self.timer(h, SimDuration::from_secs(ckpt), Timer::Checkpoint);
            self.timer(h, SimDuration::from_secs(15), Timer::Snapshot);
            self.timer(h, SimDuration::from_secs(1), Timer::SenderCheck);
        }
        format!("PANIC:  {panic}\nserver closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\nThe connection to the server was lost. Attempting reset: Failed.\n")
    }

    /// What the failing transaction wrote before it needed the next segment: its records
    /// fill the current segment (WAL is written page by page) and never commit. They
    /// replay as nothing; the last one ends a little before the segment's end, where
    /// crash recovery will stop.
    fn write_to_segment_end(&mut self, h: HostId) {
        let Some(d) = self.data_mut(h) else { return };
        let insert = d.wal.insert;
        let seg_end = Lsn((insert.segment() + 1).saturating_mul(SEGMENT_SIZE));
        let left = seg_end.0.saturating_sub(insert.0);
        // Leave room for page headers and a last small record.
        let mut len = left.saturating_sub(left / PAGE_SIZE * 40 + 256);
        while len > 0 && insert.allocate(len).1 .0 + 128 > seg_end.0 {
            len = len.saturating_sub(PAGE_SIZE);
        }
        if len > 0 {
            d.wal.append(len, RecordBody::RunningXacts);
        }
        if d.wal.insert.allocate(LAST_RECORD).1 < seg_end {
            d.wal.append(LAST_RECORD, RecordBody::RunningXacts);
        }
        d.wal.write = d.wal.insert;
        d.wal.flush = d.wal.insert;
        d.applied = d.applied.max(d.wal.insert);
    }

    /// At the end of recovery the startup process preallocates the next WAL segment
    /// when the current one is three quarters full (PreallocXlogFiles); on a full disk
    /// that fails, the startup process exits and the postmaster shuts down. Returns
    /// whether it did.
    pub fn startup_out_of_space(&mut self, h: HostId, startup: u32) -> bool {
        let Some(d) = self.data(h) else { return false };
        let end = d.wal.insert;
        let crash_recovery = !d.clean_shutdown;
        let offset = end.0 % SEGMENT_SIZE;
        if offset < SEGMENT_SIZE / 4 * 3
            || d.wal.recycled_until > end.segment()
            || self.disk_usage(h).avail() >= SEGMENT_SIZE
        {
            return false;
        }
        let Some(pm) = self.server(h).map(|s| s.pid) else {
            return false;
        };
        self.log(
            h,
            startup,
            "FATAL",
            &format!(
                "could not write to file \"pg_wal/xlogtemp.{startup}\": No space left on device"
            ),
        );
        self.log(
            h,
            pm,
            "LOG",
            &format!("startup process (PID {startup}) exited with exit code 1"),
        );
        self.log(
            h,
            pm,
            "LOG",
            "terminating any other active server processes",
        );
        self.log(h, pm, "LOG", "shutting down due to startup process failure");
        self.log(h, pm, "LOG", "database system is shut down");
        let now = self.now;
        let host = self.host_mut(h);
        host.server = None;
        host.epoch += 1;
        host.files.remove(&format!("{PGDATA}/postmaster.pid"));
        if let Some(d) = host.data.as_mut() {
            if crash_recovery {
                d.recovery_interrupted_at = Some(now);
            }
        }
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Error, format!("{name} cannot start: no space left on device for a WAL segment"),
            "Recovery needs room for one more 16 MB segment. Make room (a bigger disk, or files removed) and start it again.");
        true
    }
}

/// A size as `df -h` and the card print it: powers of 1024, rounded up, one decimal
/// below 10 (`8.0M`, `1.1G`, `20G`).
pub fn human(bytes: u64) -> String {
    if bytes == 0 {
        return "0".to_string();
    }
    let units = ["K", "M", "G", "T", "P"];
    // df counts 1K blocks first.
    let mut v = bytes.div_ceil(1024) as f64;
    let mut unit = "K";
    for u in units {
        unit = u;
        if v < 1024.0 || u == "P" {
            break;
        }
        v /= 1024.0;
    }
    if v < 10.0 {
        let tenths = (v * 10.0).ceil() / 10.0;
        if tenths >= 10.0 {
            return format!("{}{unit}", tenths.ceil() as u64);
        }
        format!("{tenths:.1}{unit}")
    } else {
        format!("{}{unit}", v.ceil() as u64)
    }
}
