//! What a failover costs: the cluster remembers the commits each server acknowledged to
//! its clients ([`AckLog`]) and, when a standby is promoted, which of them it never
//! received ([`LostCommits`]). A teaching aid, not a PostgreSQL view.

use super::acked::{transactions, Ack, AckWhat, LostCommits, FAILOVER_CAP, STATEMENT_CAP};
use super::cluster::Cluster;
use super::event::{EventKind, HostId};
use super::lsn::{Lsn, TimelineId};

impl Cluster {
    /// Remembers that `h` told a client its statement `query` committed (commit record
    /// ending at `lsn`).
    pub fn acknowledge_statement(&mut self, h: HostId, lsn: Lsn, query: &str) {
        let mut text = query.trim().to_string();
        if text.len() > STATEMENT_CAP {
            let mut cut = STATEMENT_CAP;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str("...");
        }
        self.acknowledge(h, lsn, AckWhat::Statement(text));
    }

    /// Remembers that the workload on `h` got `txns` commits acknowledged (the batch's
    /// commit records end at `lsn`).
    pub fn acknowledge_workload(&mut self, h: HostId, lsn: Lsn, txns: u32) {
        let first = self.acks.workload_txns + 1;
        self.acks.workload_txns += u64::from(txns);
        self.acknowledge(h, lsn, AckWhat::Workload { first, txns });
    }

    fn acknowledge(&mut self, h: HostId, lsn: Lsn, what: AckWhat) {
        let Some(tli) = self.data(h).map(|d| d.wal.tli_at(lsn)) else {
            return;
        };
        let at = self.now;
        self.acks.push(Ack {
            seq: 0,
            at,
            host: h,
            tli,
            lsn,
            what,
        });
    }

    /// A crash of `h`: commits acknowledged before their WAL was flushed
    /// (synchronous_commit = off) are gone with it.
    pub fn forget_unflushed_acks(&mut self, h: HostId) {
        let Some((tli, flush)) = self.data(h).map(|d| (d.wal.tli, d.wal.flush)) else {
            return;
        };
        let gone = self.acks.forget_after(h, tli, flush);
        if gone > 0 {
            let name = self.host(h).name.clone();
            self.note(h, EventKind::Fault, format!("{} lost in the crash of {name}", transactions(gone)),
                "They were acknowledged before their WAL reached disk (synchronous_commit = off): a crash loses them even without a failover.");
        }
    }

    /// After promoting `h` (which followed timeline `tli` with WAL flushed up to
    /// `flush`, and now writes `new_tli`): works out which acknowledged commits it
    /// never received, keeps the report and says so in the event log.
    pub fn note_lost_commits(
        &mut self,
        h: HostId,
        tli: TimelineId,
        flush: Lsn,
        new_tli: TimelineId,
    ) {
        let (lost, complete) = self.acks.above(tli, flush);
        let before = self.acks.count;
        let mut report = LostCommits::new(
            h,
            self.now,
            (tli, flush, new_tli),
            &lost,
            (before, complete),
        );
        // Each application's share: its writes among the lost statements.
        for app in &self.apps {
            let prefix = super::app::write_prefix(&app.name);
            let n = lost
                .iter()
                .filter(|a| matches!(&a.what, AckWhat::Statement(t) if t.starts_with(&prefix)))
                .count() as u64;
            if n > 0 {
                report.apps.push((app.name.clone(), n));
            }
        }
        if report.commits > 0 {
            let n = report.txns;
            let more = if complete { "" } else { "at least " };
            let from = report
                .from
                .iter()
                .map(|x| self.host(*x).name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            self.note(h, EventKind::Promote, format!("{more}{} not on the new primary (acknowledged by {from}; lab$ lost lists them)", transactions(n)),
                "The standby was promoted before it received them: their clients were told they committed, and the new primary has never heard of them.");
        }
        if self.failovers.len() >= FAILOVER_CAP {
            self.failovers.remove(0);
        }
        self.failovers.push(report);
    }

    /// What each promotion lost, oldest first (the last [`FAILOVER_CAP`]).
    pub fn lost_commits(&self) -> &[LostCommits] {
        &self.failovers
    }

    /// The acknowledged commits remembered (see [`super::acked::ACK_CAP`]), in the
    /// order they were acknowledged.
    pub fn acknowledged(&self) -> impl Iterator<Item = &Ack> {
        self.acks.entries()
    }
}
