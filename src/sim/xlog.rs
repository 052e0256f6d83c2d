//! Writing WAL on a primary (xlog.c, xact.c): inserting and flushing records, committing
//! a transaction under synchronous_commit, the WAL writer, segment switches and
//! transaction ids.

use std::sync::Arc;

use super::cluster::Cluster;
use super::db::Change;
use super::event::{HostId, Timer};
use super::lsn::{Lsn, SEGMENT_SIZE};
use super::proc::{SyncWait, Waiting};
use super::time::SimDuration;
use super::wal::{self, RecordBody};

/// The outcome of a write statement on a primary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Committed; the client gets its command tag now.
    Done,
    /// Committed locally; waits for synchronous standbys before answering.
    Waiting,
    /// Nothing committed: the backend PANICked (no room on the disk for the next WAL
    /// segment) and the server went down. What psql prints.
    Panicked(String),
}

impl Cluster {
    /// Appends a record to the primary's WAL (not yet flushed).
    pub fn append(&mut self, h: HostId, len: u64, body: RecordBody) -> Lsn {
        let Some(data) = self.data_mut(h) else {
            return Lsn(0);
        };
        data.dirty_since_snapshot = true;
        let end = data.wal.append(len, body);
        data.applied = data.applied.max(end);
        end
    }

    /// A statement that failed after it had written (a duplicate key found at the index
    /// insert after the row's heap insert): its transaction's `bytes` of records, then
    /// its abort record (RecordTransactionAbort), which is not flushed at once: the WAL
    /// writer flushes it. Nothing is applied. Measured on PostgreSQL 15.18 with
    /// pg_current_wal_insert_lsn() around the statement: a one-row INSERT with a
    /// duplicate key writes 104 bytes (64 + 40); one that fails before any row is written
    /// (division by zero, a NOT NULL violation) writes nothing and takes no xid.
    pub fn write_aborted(&mut self, h: HostId, bytes: u64) {
        if bytes == 0 {
            return;
        }
        let start = self.data(h).map_or(Lsn(0), |d| d.wal.insert);
        let end = start.allocate(bytes).1.allocate(wal::ABORT_RECORD).1;
        if !self.wal_fits(h, end) {
            return;
        }
        let xid = self.next_xid_of(h);
        self.append(h, bytes, RecordBody::AbortedWork { xid });
        self.append(h, wal::ABORT_RECORD, RecordBody::Abort { xid });
        self.schedule_walwriter(h);
    }

    /// Flushes the primary's WAL and lets the walsenders send it.
    pub fn flush(&mut self, h: HostId) {
        let Some(data) = self.data_mut(h) else { return };
        data.wal.write = data.wal.insert;
        data.wal.flush = data.wal.insert;
        let flush = data.wal.flush;
        data.undo.retain(|(lsn, _)| *lsn > flush);
        self.wake_senders(h);
        self.maybe_wal_size_checkpoint(h);
    }

    /// Runs one transaction of data changes on the primary: WAL records, a commit
    /// record, and (depending on synchronous_commit) a flush and a wait for standbys.
    pub fn commit_changes(
        &mut self,
        h: HostId,
        session: usize,
        changes: Vec<(u64, Change)>,
        tag: &str,
        query: &str,
    ) -> WriteOutcome {
        let fpi = changes.iter().any(|(_, c)| {
            matches!(
                c,
                Change::CreateTable { .. }
                    | Change::DropTable { .. }
                    | Change::AddColumn { .. }
                    | Change::DropColumn { .. }
            )
        }) && !self.data(h).is_some_and(|d| d.catalog_fpi_done);
        let role_fpi = tag == "CREATE ROLE" && !self.data(h).is_some_and(|d| d.role_fpi_done);
        // wal_log_hints: a CREATE TABLE later in a checkpoint cycle also logs the hint
        // bits it sets on the catalog rows written since the checkpoint.
        let hints = if !fpi && self.settings(h).bool("wal_log_hints") {
            changes
                .iter()
                .filter_map(|(_, c)| match c {
                    Change::CreateTable { columns, .. } => Some(
                        if columns.iter().any(|c| super::db::toastable(&c.type_name)) {
                            wal::CREATE_TABLE_HINTS + wal::CREATE_TABLE_TOAST_HINTS
                        } else {
                            wal::CREATE_TABLE_HINTS
                        },
                    ),
                    _ => None,
                })
                .sum()
        } else {
            0
        };
        // Under wal_level = logical, records carry what decoding needs (logical.rs).
        let (logical_extra, commit_len) = self.logical_wal_sizes(h, &changes);
        // Where its WAL would end: past a segment the disk has no room for, the backend
        // PANICs before anything is committed.
        let mut end = self.data(h).map_or(Lsn(0), |d| d.wal.insert);
        for (i, (size, _)) in changes.iter().enumerate() {
            let extra = match (i, fpi, role_fpi) {
                (0, true, _) => wal::CREATE_TABLE_FPI,
                (0, false, true) => wal::ROLE_FPI,
                (0, false, false) => hints,
                _ => 0,
            };
            end = end.allocate(size + extra + logical_extra[i]).1;
        }
        end = end.allocate(commit_len).1;
        if !self.wal_fits(h, end) {
            return WriteOutcome::Panicked(self.panic_wal_full(h, query));
        }
        let xid = self.next_xid_of(h);
        let mode = self.effective_sync_commit(h, session);
        // Kept only for a commit that may wait: what other sessions see meanwhile.
        let may_wait = matches!(mode.as_str(), "remote_write" | "on" | "remote_apply")
            && self.sync_config(h).is_some();
        let mut hidden = Vec::new();
        for (i, (size, change)) in changes.into_iter().enumerate() {
            let change = Arc::new(change);
            let extra = match (i, fpi, role_fpi) {
                (0, true, _) => wal::CREATE_TABLE_FPI,
                (0, false, true) => wal::ROLE_FPI,
                (0, false, false) => hints,
                _ => 0,
            };
            let end = self.append(
                h,
                size + extra + logical_extra[i],
                RecordBody::Change {
                    xid,
                    change: change.clone(),
                },
            );
            if let Some(d) = self.data_mut(h) {
                let undo = d.db.apply(&change);
                if may_wait {
                    hidden.push(undo.clone());
                }
                d.undo.push((end, undo));
                if fpi {
                    d.catalog_fpi_done = true;
                }
                if role_fpi {
                    d.role_fpi_done = true;
                }
            }
        }
        let apply_feedback = mode == "remote_apply";
        let at = self.now;
        let lsn = self.append(
            h,
            commit_len,
            RecordBody::Commit {
                xid,
                at,
                apply_feedback,
            },
        );
        if mode == "off" {
            self.schedule_walwriter(h);
            self.acknowledge_statement(h, lsn, query);
            return WriteOutcome::Done;
        }
        self.flush(h);
        let wait = match mode.as_str() {
            "remote_write" => Some(SyncWait::Write),
            "on" => Some(SyncWait::Flush),
            "remote_apply" => Some(SyncWait::Apply),
            _ => None,
        };
        let Some(wait) = wait.filter(|_| self.sync_config(h).is_some()) else {
            self.acknowledge_statement(h, lsn, query);
            return WriteOutcome::Done;
        };
        let Some(s) = self
            .server_mut(h)
            .and_then(|srv| srv.sessions.get_mut(session))
        else {
            self.acknowledge_statement(h, lsn, query);
            return WriteOutcome::Done;
        };
        s.waiting = Some(Waiting {
            lsn,
            mode: wait,
            tag: tag.to_string(),
            query: query.to_string(),
            since: at,
            xid,
            hidden,
        });
        self.release_sync_waiters(h);
        let still = self
            .server(h)
            .and_then(|s| s.sessions.get(session))
            .is_some_and(|s| s.waiting.is_some());
        if still {
            WriteOutcome::Waiting
        } else {
            // Released at once (the standbys had it already): the output was queued;
            // take it back so the caller prints the tag in line.
            self.outputs
                .retain(|o| !(o.host == h && o.session == session && o.at == at));
            WriteOutcome::Done
        }
    }

    /// synchronous_commit as this session sees it.
    pub fn effective_sync_commit(&self, h: HostId, session: usize) -> String {
        let Some(server) = self.server(h) else {
            return "on".to_string();
        };
        let session_value = server
            .sessions
            .get(session)
            .and_then(|s| s.set.get("synchronous_commit"));
        // The setting's definition only for a session's own SET (a lookup by name costs
        // a scan of the settings table, and this runs on every commit).
        let raw = match session_value.zip(super::conf::lookup("synchronous_commit")) {
            Some((v, d)) => super::conf::show(d, v),
            None => server.settings.text("synchronous_commit"),
        };
        match raw.as_str() {
            "true" | "yes" | "1" => "on".to_string(),
            "false" | "no" | "0" => "off".to_string(),
            _ => raw,
        }
    }

    fn schedule_walwriter(&mut self, h: HostId) {
        let pending = self.server(h).is_some_and(|s| s.walwriter_pending);
        if !pending {
            if let Some(s) = self.server_mut(h) {
                s.walwriter_pending = true;
            }
            self.timer(h, SimDuration::from_millis(200), Timer::WalWriter);
        }
    }

    /// `pg_switch_wal()`: ends the current segment. Returns the end of the switch
    /// record, or the current position when nothing was written since the last switch.
    pub fn switch_wal(&mut self, h: HostId) -> Lsn {
        let Some(d) = self.data(h) else { return Lsn(0) };
        let insert = d.wal.insert;
        let at_boundary = insert.0 % SEGMENT_SIZE == 0
            || d.wal
                .records
                .back()
                .is_some_and(|r| matches!(r.body, RecordBody::Switch) && r.end == insert);
        if at_boundary {
            return insert;
        }
        let (_, end) = insert.allocate(wal::SWITCH_RECORD);
        self.append(h, wal::SWITCH_RECORD, RecordBody::Switch);
        self.flush(h);
        end
    }

    /// Hands out a transaction id of the cluster on `h` (txid_current()).
    pub fn allocate_xid(&mut self, h: HostId) -> u32 {
        self.next_xid_of(h)
    }

    /// The next transaction id of the cluster on `h`, without using it.
    pub fn peek_xid(&self, h: HostId) -> u32 {
        self.peek_xid_of(h)
    }
}
