//! Write-ahead log records and the WAL a server keeps in `pg_wal`.
//!
//! Record sizes are PostgreSQL 15's, measured with `pg_current_wal_insert_lsn()` before
//! and after each statement (see the constants); page headers are added as records
//! cross 8kB pages, so LSNs advance as they do on a real server.

mod records;

pub use records::Records;
use std::sync::Arc;

use super::db::Change;
pub use super::lsn::align8;
use super::lsn::{segment_file_name, Lsn, TimelineId, SEGMENT_SIZE};
use super::time::SimTime;

/// A heap insert record is this many bytes plus the tuple data (`INSERT INTO test
/// VALUES (1)` writes a 64-byte insert record and a 40-byte commit: 104 bytes).
pub const INSERT_BASE: u64 = 55;
/// A heap update record (HOT): 72 bytes for one int column, 112 with its commit.
pub const UPDATE_BASE: u64 = 65;
/// A heap delete record: 56 bytes, 96 with its commit.
pub const DELETE_RECORD: u64 = 56;
/// A commit record without subtransactions or invalidations.
pub const COMMIT_RECORD: u64 = 40;
/// An abort record (xl_xact_abort: header, data header and the abort time, MAXALIGNed):
/// a one-row INSERT that fails on a duplicate key writes its 64-byte heap insert and
/// this, 104 bytes in all, on PostgreSQL 15.18.
pub const ABORT_RECORD: u64 = 40;
/// CREATE TABLE's catalog inserts, without its commit ([`CREATE_TABLE_COMMIT`]).
/// Measured on PostgreSQL 15.18 with pg_current_wal_insert_lsn() before and after, in a
/// checkpoint cycle that already wrote the catalog pages' images: `CREATE TABLE t2 (id
/// int)` writes 11,184 bytes with its commit; a column that may be TOASTed (text, bytea,
/// jsonb, varchar without a length...) adds the TOAST table and its index, 31,536 bytes
/// for `CREATE TABLE t4 (id int, pad text)`. With wal_log_hints on, the hint bits set
/// while reading the catalog rows written since the checkpoint are logged as page
/// images too: 19,456 and 56,352 bytes. (11,132 bytes of records and commit; the page
/// headers they cross make up the rest.)
pub const CREATE_TABLE_RECORD: u64 = 11_132 - CREATE_TABLE_COMMIT;
pub const CREATE_TABLE_TOAST: u64 = 20_330 - (CREATE_TABLE_TOAST_COMMIT - CREATE_TABLE_COMMIT);
/// CREATE TABLE's commit record carries the catalog cache and relcache invalidation
/// messages: pg_waldump on PostgreSQL 15.18 shows `Transaction len (rec/tot): 405/405
/// ... COMMIT ...; inval msgs: catcache 80 catcache 79 ...` for `CREATE TABLE x (id
/// int)`, 408 bytes once MAXALIGNed, and 1,093 (1,096) for `CREATE TABLE y (id int, pad
/// text)` with its TOAST table, under wal_level replica and logical alike. It is the
/// last record crash recovery replays after a CREATE TABLE (`redo done at` its start).
pub const CREATE_TABLE_COMMIT: u64 = 408;
pub const CREATE_TABLE_TOAST_COMMIT: u64 = 1_096;
pub const CREATE_TABLE_HINTS: u64 = 8_252;
pub const CREATE_TABLE_TOAST_HINTS: u64 = 16_494;
/// ALTER TABLE's catalog updates without the commit, measured on PostgreSQL 15.18 with
/// pg_current_wal_insert_lsn() before and after, wal_level = replica, in a checkpoint
/// cycle that already wrote the catalog pages' images: `ALTER TABLE y1 ADD COLUMN c int`
/// writes 576 bytes with its commit; `ADD COLUMN d2 int DEFAULT 7` 1,544 (the default's
/// pg_attrdef row and its dependency: the same 968 bytes per DEFAULT column of CREATE
/// TABLE); `ADD COLUMN f text` to a table without a TOAST table 16,968 (the TOAST table
/// and its index; the figures include the 24-byte header of each WAL page crossed);
/// `DROP COLUMN c` 560.
pub const ADD_COLUMN_RECORD: u64 = 536;
pub const COLUMN_DEFAULT: u64 = 968;
pub const ADD_COLUMN_TOAST: u64 = 16_344;
pub const DROP_COLUMN_RECORD: u64 = 520;
/// Sequences, measured on PostgreSQL 15.18 with pg_current_wal_insert_lsn() before and
/// after (wal_level = replica): `CREATE SEQUENCE s1` 10,584 bytes with its commit (its
/// catalog rows and its first page; 10.5 to 11.3 kB over several runs), `DROP SEQUENCE
/// s2` 1,176; `SELECT nextval('s1')` when it logs 144 (its XLOG_SEQ_LOG record, 104,
/// and a commit), and 6,952 as the first after a CHECKPOINT (the page's image).
pub const CREATE_SEQUENCE_RECORD: u64 = 10_544;
pub const DROP_SEQUENCE_RECORD: u64 = 1_136;
pub const SEQUENCE_RECORD: u64 = 104;
pub const SEQUENCE_FPI: u64 = 6_808;
/// The first catalog change after a checkpoint also writes full-page images: 90,040
/// bytes in all for `CREATE TABLE test (id INT)`. The model does not track full-page
/// images page by page: it adds them as one lump. What the images weigh follows how
/// full the catalog pages are (an image leaves out the page's hole): PostgreSQL 15.18 on
/// a fresh `initdb -E UTF8 --locale=C.UTF-8` cluster, `pg_current_wal_insert_lsn()`
/// before and after in one psql session, wrote 90,016 bytes for the first CREATE TABLE
/// after the start, 91,096 after a restart, 89,224 and 93,112 after a CHECKPOINT with
/// more tables, 82,440 after a CREATE ROLE and a CHECKPOINT; `CHECKPOINT; CREATE TABLE
/// test (id int)` on a fresh cluster wrote 90,040, 17 page images (pg_waldump: 86,092
/// bytes of FPI in 39 records), the figure kept here.
pub const CREATE_TABLE_FPI: u64 = 78_644;
/// A role's pg_authid row and its index entries (ALTER ROLE, DROP ROLE).
pub const ROLE_RECORD: u64 = 256;
/// CREATE ROLE's records without its commit, measured on PostgreSQL 15.18 with
/// pg_current_wal_insert_lsn() before and after: `CREATE ROLE r2` writes 360 bytes and
/// `CREATE ROLE r3 WITH LOGIN PASSWORD 'x'` 496 (the SCRAM verifier in the row), with
/// wal_log_hints on or off alike, when pg_authid's pages were already written since
/// the last checkpoint.
pub const CREATE_ROLE_RECORD: u64 = 320;
pub const ROLE_PASSWORD: u64 = 136;
/// The first CREATE ROLE after a checkpoint also writes full-page images of pg_authid
/// and its indexes: `CREATE USER replicator WITH REPLICATION ENCRYPTED PASSWORD
/// 'secret'` as the first statement after initdb writes 2,920 bytes. (Later the pages
/// hold more rows and their images grow: 3,680 bytes for the same statement after a
/// few more roles; the model keeps the first figure.)
pub const ROLE_FPI: u64 = 2_424;
/// The online checkpoint record and the running-xacts record before it (176 bytes).
pub const RUNNING_XACTS_RECORD: u64 = 56;
pub const CHECKPOINT_RECORD: u64 = 120;
/// XLOG_SWITCH; the rest of the segment is then skipped.
pub const SWITCH_RECORD: u64 = 24;
/// XLOG_BACKUP_END, written when a base backup finishes: 24-byte header, 2-byte data
/// header and the 8-byte start LSN, MAXALIGNed.
pub const BACKUP_END_RECORD: u64 = 40;
/// XLOG_END_OF_RECOVERY, written by a standby when it is promoted: header, data header
/// and xl_end_of_recovery (end time, new and previous timeline), MAXALIGNed.
pub const END_OF_RECOVERY_RECORD: u64 = 48;
/// One transaction of the built-in workload, sized like pgbench's TPC-B-like script
/// (three updates, one insert and a commit, without full-page images).
pub const WORKLOAD_TXN_BYTES: u64 = 336;

/// What a record does when it is replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordBody {
    /// A data change of transaction `xid`, applied at its commit.
    Change {
        xid: u32,
        change: Arc<Change>,
    },
    /// A commit; `apply_feedback` asks the standby to report replay at once
    /// (synchronous_commit = remote_apply).
    Commit {
        xid: u32,
        at: SimTime,
        apply_feedback: bool,
    },
    /// `txns` small transactions of the workload, each with its commit.
    Workload {
        txns: u32,
        at: SimTime,
    },
    RunningXacts,
    /// What a statement wrote before it failed (heap inserts and updates, index
    /// entries) in transaction `xid`, which then aborted: nothing to apply.
    AbortedWork {
        xid: u32,
    },
    /// The abort record of transaction `xid`: replay forgets what it kept of it.
    Abort {
        xid: u32,
    },
    Checkpoint {
        redo: Lsn,
        shutdown: bool,
    },
    Switch,
    BackupEnd,
    EndOfRecovery {
        new_tli: TimelineId,
    },
}

/// One WAL record and the bytes it spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalRecord {
    pub start: Lsn,
    pub end: Lsn,
    pub body: RecordBody,
}

/// A timeline switch in a history file: `tli` ended at `switchpoint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub tli: TimelineId,
    pub switchpoint: Lsn,
}

/// The WAL of one data directory: the records still in `pg_wal`, and how far they go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wal {
    pub records: Records,
    /// The end of the last record written (insert position on a primary, received end on
    /// a standby).
    pub insert: Lsn,
    /// Written to the kernel (`pg_current_wal_lsn`).
    pub write: Lsn,
    /// Flushed to disk.
    pub flush: Lsn,
    /// The timeline new records belong to.
    pub tli: TimelineId,
    /// Earlier timelines and where they ended (the contents of the `.history` file).
    pub history: Vec<HistoryEntry>,
    /// The oldest segment still in `pg_wal`; older ones were removed at a checkpoint.
    pub oldest_segment: u64,
    /// The newest segment file in `pg_wal` ahead of the insert position: a checkpoint
    /// renames old segments to future names (RemoveXlogFile's recycling) and
    /// preallocates the next one (PreallocXlogFiles). 0 when there is none.
    pub recycled_until: u64,
    /// Where the newest record removed with its segment starts: the `xl_prev` of the
    /// oldest record left, which a reader walking backwards (pg_rewind's
    /// findLastCheckpoint) cannot open. `None` while nothing was removed.
    pub removed_last: Option<Lsn>,
}

impl Wal {
    /// A fresh WAL starting at `at` on timeline 1.
    pub fn new(at: Lsn) -> Wal {
        Wal {
            records: Records::new(),
            insert: at,
            write: at,
            flush: at,
            tli: TimelineId(1),
            history: Vec::new(),
            oldest_segment: at.segment(),
            removed_last: None,
            recycled_until: 0,
        }
    }

    /// Appends a record of `len` bytes and returns its end.
    pub fn append(&mut self, len: u64, body: RecordBody) -> Lsn {
        let (start, end) = self.insert.allocate(len);
        let end = if matches!(body, RecordBody::Switch) {
            Lsn(align8(end.0).div_ceil(SEGMENT_SIZE) * SEGMENT_SIZE)
        } else {
            end
        };
        self.records.push_back(WalRecord { start, end, body });
        self.insert = end;
        end
    }

    /// The index of the first record that ends after `after`. Walsenders and the
    /// startup process ask for the newest records, a few out of the hundreds of
    /// thousands a busy server keeps: the search gallops back from the newest record
    /// (1, 2, 4, ... back) and then bisects the stretch it found.
    fn first_ending_after(&self, after: Lsn) -> usize {
        let n = self.records.len();
        let mut back = 1;
        while back < n && self.records[n - back].end > after {
            back *= 2;
        }
        // Every record before `lo` ends at or before `after` (or there are none).
        let (mut lo, mut hi) = (n.saturating_sub(back), n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.records[mid].end <= after {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Records that end in `(after, upto]`.
    pub fn records_between(&self, after: Lsn, upto: Lsn) -> impl Iterator<Item = &WalRecord> {
        let first = self.first_ending_after(after);
        self.records
            .iter_from(first)
            .take_while(move |r| r.end <= upto)
    }

    /// Appends records received from a primary, skipping any already held.
    pub fn receive(&mut self, records: &[WalRecord], end: Lsn) {
        let last = self.records.back().map_or(Lsn(0), |r| r.end);
        self.records
            .extend(records.iter().filter(|r| r.end > last).cloned());
        self.insert = self.insert.max(end);
        self.write = self.write.max(end);
        self.flush = self.flush.max(end);
    }

    /// Forgets records past `at` (unflushed WAL lost in a crash, or a rewind).
    pub fn truncate(&mut self, at: Lsn) {
        while self.records.back().is_some_and(|r| r.end > at) {
            self.records.pop_back();
        }
        self.insert = at;
        self.write = self.write.min(at);
        self.flush = self.flush.min(at);
    }

    /// Removes segments before `keep_from` and drops their records. Returns how many
    /// segment files were removed.
    pub fn remove_segments_before(&mut self, keep_from: u64) -> u64 {
        if keep_from <= self.oldest_segment {
            return 0;
        }
        let removed = keep_from - self.oldest_segment;
        self.oldest_segment = keep_from;
        let boundary = Lsn(keep_from * SEGMENT_SIZE);
        while self.records.front().is_some_and(|r| r.end <= boundary) {
            if let Some(r) = self.records.pop_front() {
                self.removed_last = Some(r.start);
            }
        }
        removed
    }

    /// The newest segment file in pg_wal: the one being written, or a recycled one
    /// further ahead.
    pub fn last_file_segment(&self) -> u64 {
        self.insert.segment().max(self.recycled_until)
    }

    /// RemoveOldXlogFiles: the segments before `keep_from` go. While names are left up
    /// to `recycle_upto` (XLOGfileslop), each is renamed to the first free name from
    /// the segment of `end` (the checkpoint record's end) on instead of being deleted.
    /// Returns how many files were (removed, recycled).
    pub fn recycle_segments_before(
        &mut self,
        keep_from: u64,
        end: Lsn,
        recycle_upto: u64,
    ) -> (u64, u64) {
        let old = self.remove_segments_before(keep_from);
        let mut next = end.segment();
        let mut recycled = 0;
        for _ in 0..old {
            let free = next.max(self.last_file_segment().saturating_add(1));
            if free > recycle_upto {
                break;
            }
            self.recycled_until = free;
            recycled += 1;
            next = free.saturating_add(1);
        }
        (old - recycled, recycled)
    }

    /// PreallocXlogFiles: when `end` is three quarters into its segment, the next
    /// segment file is created ahead of time. Returns whether a file was added.
    pub fn preallocate_after(&mut self, end: Lsn) -> bool {
        let last = Lsn(end.0.saturating_sub(1));
        if last.0 % SEGMENT_SIZE < SEGMENT_SIZE / 4 * 3 {
            return false;
        }
        let next = last.segment().saturating_add(1);
        if next <= self.last_file_segment() {
            return false;
        }
        self.recycled_until = next;
        true
    }

    /// Whether WAL at `lsn` is still in pg_wal.
    pub fn has(&self, lsn: Lsn) -> bool {
        lsn.segment() >= self.oldest_segment
    }

    /// The timeline WAL at `lsn` belongs to, from the history.
    pub fn tli_at(&self, lsn: Lsn) -> TimelineId {
        self.history
            .iter()
            .find(|h| lsn < h.switchpoint)
            .map_or(self.tli, |h| h.tli)
    }

    /// The segment files in pg_wal, oldest first.
    pub fn segment_files(&self) -> Vec<String> {
        let last = self.last_file_segment();
        (self.oldest_segment..=last)
            .map(|seg| segment_file_name(self.tli_at(Lsn(seg * SEGMENT_SIZE)), seg))
            .collect()
    }

    /// The `.history` file of the current timeline, as PostgreSQL writes it.
    pub fn history_file(&self) -> String {
        self.history
            .iter()
            .map(|h| {
                format!(
                    "{}\t{}\tno recovery target specified\n",
                    h.tli, h.switchpoint
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_insert_with_commit_is_104_bytes() {
        let mut wal = Wal::new(Lsn(0x3000100));
        let before = wal.insert;
        wal.append(align8(INSERT_BASE + 4), RecordBody::RunningXacts);
        wal.append(COMMIT_RECORD, RecordBody::RunningXacts);
        assert_eq!(wal.insert.diff(before), 104);
    }

    #[test]
    fn switch_skips_to_the_next_segment() {
        let mut wal = Wal::new(Lsn(0x3000100));
        wal.append(SWITCH_RECORD, RecordBody::Switch);
        assert_eq!(wal.insert, Lsn(0x4000000));
        let end = wal.append(COMMIT_RECORD, RecordBody::RunningXacts);
        assert_eq!(end, Lsn(0x4000050));
    }

    #[test]
    fn removing_segments_drops_their_records() {
        let mut wal = Wal::new(Lsn(0x1000100));
        wal.append(SWITCH_RECORD, RecordBody::Switch);
        wal.append(SWITCH_RECORD, RecordBody::Switch);
        assert_eq!(wal.segment_files().len(), 3);
        assert_eq!(wal.remove_segments_before(3), 2);
        assert_eq!(
            wal.segment_files(),
            vec!["000000010000000000000003".to_string()]
        );
        assert!(!wal.has(Lsn(0x2000000)));
    }

    #[test]
    fn recycling_renames_old_segments_to_the_first_free_names_up_to_the_limit() {
        let mut wal = Wal::new(Lsn(0x1000100));
        for _ in 0..4 {
            wal.append(SWITCH_RECORD, RecordBody::Switch);
        }
        wal.append(COMMIT_RECORD, RecordBody::RunningXacts);
        // Segments 1 to 4 are old; 5 is being written. Names up to 7 may be used.
        assert_eq!(wal.recycle_segments_before(5, wal.insert, 7), (2, 2));
        assert_eq!(wal.oldest_segment, 5);
        assert_eq!(wal.recycled_until, 7);
        assert_eq!(wal.segment_files().len(), 3);
        // Writing into a recycled segment does not add a file.
        wal.append(SWITCH_RECORD, RecordBody::Switch);
        assert_eq!(wal.segment_files().len(), 3);
        // The next checkpoint finds 6 and 7 taken and recycles 5 to 8.
        assert_eq!(wal.recycle_segments_before(6, wal.insert, 10), (0, 1));
        assert_eq!(wal.recycled_until, 8);
    }

    #[test]
    fn preallocation_adds_the_next_file_past_three_quarters() {
        let mut wal = Wal::new(Lsn(0x1000100));
        assert!(!wal.preallocate_after(Lsn(0x1BFFFFF)));
        assert!(wal.preallocate_after(Lsn(0x1C00001)));
        assert!(!wal.preallocate_after(Lsn(0x1C00001)));
        assert_eq!(wal.last_file_segment(), 2);
    }

    #[test]
    fn records_between_finds_every_range_as_a_scan_does() {
        let mut wal = Wal::new(Lsn(0x1000100));
        for i in 0..300u64 {
            wal.append(40 + (i * 37) % 200, RecordBody::RunningXacts);
        }
        let ends: Vec<Lsn> = wal.records.iter().map(|r| r.end).collect();
        let probes = ends
            .iter()
            .flat_map(|e| [Lsn(e.0 - 1), *e, Lsn(e.0 + 1)])
            .chain([Lsn(0), Lsn(u64::MAX)]);
        for after in probes {
            let scan: Vec<Lsn> = ends.iter().copied().filter(|e| *e > after).collect();
            let found: Vec<Lsn> = wal
                .records_between(after, Lsn(u64::MAX))
                .map(|r| r.end)
                .collect();
            assert_eq!(found, scan, "records after {after}");
        }
    }
}
