//! Commits acknowledged to clients, and what a failover lost. PostgreSQL keeps no such
//! list: this is a teaching aid, the view a class needs to see the cost of an
//! asynchronous failover ("which of the commits we told clients about are gone?").
//! A leaf: the cluster records acknowledgements and promotions in `failover.rs`.

use std::collections::VecDeque;

use super::event::HostId;
use super::lsn::{Lsn, TimelineId};
use super::time::SimTime;

/// The most acknowledged commits remembered ([`AckLog`]): a commit of the workload is
/// one batch of up to a few thousand transactions, so 4,096 entries cover minutes of a
/// busy lab. Older ones are forgotten (counted, with the highest LSN forgotten), and a
/// failover report whose standby was further behind than that says it is incomplete.
pub const ACK_CAP: usize = 4096;

/// How many of the first and of the last lost commits a [`LostCommits`] report keeps.
pub const LOST_SAMPLE: usize = 5;

/// How many failover reports the cluster keeps (the newest).
pub const FAILOVER_CAP: usize = 8;

/// The longest statement text kept for an acknowledged commit, in bytes.
pub const STATEMENT_CAP: usize = 120;

/// What was committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AckWhat {
    /// A statement typed in psql (its text, cut to [`STATEMENT_CAP`] bytes).
    Statement(String),
    /// Transactions of `lab$ workload`, numbered from 1 in the order they were
    /// acknowledged, across every host: `first ..= first + txns - 1`.
    Workload { first: u64, txns: u32 },
}

/// One commit a server acknowledged to its client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ack {
    /// Counts acknowledgements from 1, in the order they happened.
    pub seq: u64,
    /// When the client got its answer.
    pub at: SimTime,
    pub host: HostId,
    /// The timeline the commit record was written on.
    pub tli: TimelineId,
    /// The end of the commit record: a server that has WAL up to here has the commit.
    pub lsn: Lsn,
    pub what: AckWhat,
}

impl Ack {
    /// How many transactions this acknowledgement covers.
    pub fn txns(&self) -> u64 {
        match &self.what {
            AckWhat::Statement(_) => 1,
            AckWhat::Workload { txns, .. } => u64::from(*txns),
        }
    }

    /// The commit in words: the statement, or the workload's transaction numbers.
    pub fn describe(&self) -> String {
        match &self.what {
            AckWhat::Statement(s) => s.clone(),
            AckWhat::Workload { first, txns: 1 } => format!("workload transaction {first}"),
            AckWhat::Workload { first, txns } => format!(
                "workload transactions {first}-{}",
                first + u64::from(*txns) - 1
            ),
        }
    }
}

/// The acknowledged commits of the whole lab, bounded by [`ACK_CAP`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AckLog {
    entries: VecDeque<Ack>,
    /// Transactions whose entries were forgotten to stay within the cap.
    forgotten_txns: u64,
    /// The highest (timeline, LSN) of a forgotten entry.
    forgotten_upto: Option<(TimelineId, Lsn)>,
    /// Workload transactions acknowledged so far (the last one's number).
    pub workload_txns: u64,
    /// Acknowledgements so far (the last one's `seq`).
    pub count: u64,
}

impl AckLog {
    /// Remembers an acknowledgement, forgetting the oldest past the cap.
    pub fn push(&mut self, mut ack: Ack) {
        self.count += 1;
        ack.seq = self.count;
        if self.entries.len() >= ACK_CAP {
            if let Some(old) = self.entries.pop_front() {
                self.forgotten_txns += old.txns();
                let key = (old.tli, old.lsn);
                self.forgotten_upto = Some(self.forgotten_upto.map_or(key, |k| k.max(key)));
            }
        }
        self.entries.push_back(ack);
    }

    /// The commits remembered, in the order they were acknowledged.
    pub fn entries(&self) -> impl Iterator<Item = &Ack> {
        self.entries.iter()
    }

    /// Forgets the commits of `host` on timeline `tli` past `lsn` (WAL a crash lost
    /// before it reached disk: synchronous_commit = off acknowledges before the flush).
    /// Returns how many transactions were forgotten.
    pub fn forget_after(&mut self, host: HostId, tli: TimelineId, lsn: Lsn) -> u64 {
        let mut gone = 0;
        self.entries.retain(|a| {
            let keep = !(a.host == host && a.tli == tli && a.lsn > lsn);
            if !keep {
                gone += a.txns();
            }
            keep
        });
        gone
    }

    /// The commits acknowledged on timeline `tli` whose commit record ends past `flush`,
    /// ordered by LSN; and whether the list is complete (no forgotten entry could be
    /// one of them).
    pub fn above(&self, tli: TimelineId, flush: Lsn) -> (Vec<&Ack>, bool) {
        let mut out: Vec<&Ack> = self
            .entries
            .iter()
            .filter(|a| a.tli == tli && a.lsn > flush)
            .collect();
        crate::order::sort_by_key(&mut out, |a| (a.lsn, a.at));
        let complete = self
            .forgotten_upto
            .is_none_or(|(t, l)| t != tli || l <= flush);
        (out, complete)
    }
}

/// What one promotion lost: the acknowledged commits on the timeline the standby was
/// following whose commit records end past its flush position when it was promoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostCommits {
    /// The standby promoted, and when.
    pub promoted: HostId,
    pub at: SimTime,
    /// The timeline it was following, and how far it had flushed WAL on it.
    pub tli: TimelineId,
    pub flush: Lsn,
    /// The timeline it started.
    pub new_tli: TimelineId,
    /// The servers that acknowledged the lost commits (the old primary), in host order.
    pub from: Vec<HostId>,
    /// How many acknowledgements and transactions were lost.
    pub commits: u64,
    pub txns: u64,
    /// The lowest and highest commit LSN lost.
    pub range: Option<(Lsn, Lsn)>,
    /// The last acknowledgement made before the promotion (its `seq`).
    pub acked_before: u64,
    /// The first and the last [`LOST_SAMPLE`] lost commits (all of them when few).
    pub first: Vec<Ack>,
    pub last: Vec<Ack>,
    /// False when older acknowledgements were forgotten ([`ACK_CAP`]) and some of them
    /// may also be lost: the counts are then a lower bound.
    pub complete: bool,
    /// The lab's applications whose acknowledged writes are among the lost commits:
    /// (name, writes lost), in the order the applications were added (filled in by the
    /// cluster, which knows them).
    pub apps: Vec<(String, u64)>,
}

impl LostCommits {
    /// Builds the report from the lost acknowledgements (ordered by LSN).
    pub fn new(
        promoted: HostId,
        at: SimTime,
        (tli, flush, new_tli): (TimelineId, Lsn, TimelineId),
        lost: &[&Ack],
        (acked_before, complete): (u64, bool),
    ) -> LostCommits {
        let mut from: Vec<HostId> = lost.iter().map(|a| a.host).collect();
        crate::order::sort(&mut from);
        from.dedup();
        let n = lost.len();
        let first: Vec<Ack> = lost
            .iter()
            .take(LOST_SAMPLE)
            .map(|a| (*a).clone())
            .collect();
        let skip = n.saturating_sub(LOST_SAMPLE).max(first.len());
        let last: Vec<Ack> = lost.iter().skip(skip).map(|a| (*a).clone()).collect();
        LostCommits {
            promoted,
            at,
            tli,
            flush,
            new_tli,
            from,
            commits: n as u64,
            txns: lost.iter().map(|a| a.txns()).sum(),
            range: lost.first().zip(lost.last()).map(|(a, b)| (a.lsn, b.lsn)),
            acked_before,
            first,
            last,
            complete,
            apps: Vec::new(),
        }
    }
}

/// "1 committed transaction acknowledged to a client is", "N committed transactions
/// acknowledged to clients are".
pub fn transactions(n: u64) -> String {
    if n == 1 {
        "1 committed transaction acknowledged to a client is".to_string()
    } else {
        format!("{n} committed transactions acknowledged to clients are")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack(lsn: u64, txns: u32) -> Ack {
        Ack {
            seq: 0,
            at: SimTime(lsn),
            host: HostId(0),
            tli: TimelineId(1),
            lsn: Lsn(lsn),
            what: AckWhat::Workload { first: lsn, txns },
        }
    }

    #[test]
    fn the_log_keeps_its_cap_and_knows_what_it_forgot() {
        let mut log = AckLog::default();
        for i in 1..=(ACK_CAP as u64 + 10) {
            log.push(ack(i * 100, 2));
        }
        assert_eq!(log.entries().count(), ACK_CAP);
        // Above the forgotten ones: complete.
        let (lost, complete) = log.above(TimelineId(1), Lsn(2000));
        assert!(complete);
        assert_eq!(lost.len(), ACK_CAP + 10 - 20);
        // Below them: some forgotten ones may be lost too.
        let (_, complete) = log.above(TimelineId(1), Lsn(500));
        assert!(!complete);
        // Another timeline is not affected.
        assert!(log.above(TimelineId(2), Lsn(0)).1);
    }

    #[test]
    fn a_report_keeps_the_first_and_last_few() {
        let acks: Vec<Ack> = (1..=12).map(|i| ack(i * 10, 3)).collect();
        let refs: Vec<&Ack> = acks.iter().collect();
        let r = LostCommits::new(
            HostId(1),
            SimTime(5),
            (TimelineId(1), Lsn(5), TimelineId(2)),
            &refs,
            (12, true),
        );
        assert_eq!((r.commits, r.txns), (12, 36));
        assert_eq!(r.range, Some((Lsn(10), Lsn(120))));
        assert_eq!(r.first.len(), LOST_SAMPLE);
        assert_eq!(r.last.first().map(|a| a.lsn), Some(Lsn(80)));
        // Few enough: each once.
        let r = LostCommits::new(
            HostId(1),
            SimTime(5),
            (TimelineId(1), Lsn(5), TimelineId(2)),
            &refs[..7],
            (7, true),
        );
        assert_eq!(r.first.len() + r.last.len(), 7);
        assert_eq!(
            ack(10, 3).describe(),
            "workload transactions 10-12".to_string()
        );
    }
}
