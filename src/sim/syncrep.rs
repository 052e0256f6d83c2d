//! Synchronous replication (syncrep.c): `synchronous_standby_names`, which standbys a
//! commit waits for, and releasing the commits that wait once enough standbys confirm.

use super::cluster::Cluster;
use super::event::{Broken, ConnId, HostId, SessionOutput};
use super::lsn::Lsn;
use super::proc::{SenderState, SyncWait};

pub use super::conf::{Method, SyncConfig};

/// A candidate standby: its priority and its reported positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub priority: u32,
    pub write: Lsn,
    pub flush: Lsn,
    pub apply: Lsn,
}

/// The `sync_state` of each candidate (in walsender order) and the positions a commit
/// may be acknowledged up to: `None` when too few synchronous standbys are connected.
pub fn evaluate(
    config: &SyncConfig,
    candidates: &[Candidate],
) -> (Vec<&'static str>, Option<[Lsn; 3]>) {
    let mut states = vec!["async"; candidates.len()];
    match config.method {
        Method::Priority => {
            // Each listed standby's rank by (priority, walsender order), counted rather
            // than sorted: a handful of standbys, on every reply, without allocating.
            let n = candidates.len();
            let listed = |i: usize| candidates[i].priority > 0;
            let key = |i: usize| (candidates[i].priority, i);
            let mut count = 0;
            let mut min = [Lsn(u64::MAX); 3];
            for i in (0..n).filter(|&i| listed(i)) {
                count += 1;
                let rank = (0..n).filter(|&j| listed(j) && key(j) < key(i)).count();
                if rank < config.num_sync {
                    states[i] = "sync";
                    let c = &candidates[i];
                    min = [
                        min[0].min(c.write),
                        min[1].min(c.flush),
                        min[2].min(c.apply),
                    ];
                } else {
                    states[i] = "potential";
                }
            }
            if count < config.num_sync {
                return (states, None);
            }
            (states, Some(min))
        }
        Method::Quorum => {
            let listed: Vec<usize> = (0..candidates.len())
                .filter(|&i| candidates[i].priority > 0)
                .collect();
            for &i in &listed {
                states[i] = "quorum";
            }
            if listed.len() < config.num_sync {
                return (states, None);
            }
            let nth = |f: fn(&Candidate) -> Lsn| {
                let mut v: Vec<Lsn> = listed.iter().map(|&i| f(&candidates[i])).collect();
                crate::order::sort_by(&mut v, |a, b| b.cmp(a));
                v[config.num_sync - 1]
            };
            (
                states,
                Some([nth(|c| c.write), nth(|c| c.flush), nth(|c| c.apply)]),
            )
        }
    }
}

// ---- releasing the commits that wait (SyncRepReleaseWaiters) ----------------------------

impl Cluster {
    /// The parsed synchronous_standby_names of the running server on `h`.
    pub fn sync_config(&self, h: HostId) -> Option<std::sync::Arc<SyncConfig>> {
        self.server(h)?.settings.sync_names_shared()
    }

    /// `sync_priority` and `sync_state` for each walsender, in order.
    pub fn sync_states(&self, h: HostId) -> Vec<(u32, &'static str)> {
        let config = self.sync_config(h);
        let candidates = self.sync_candidates(h, config.as_deref());
        match &config {
            None => candidates.iter().map(|_| (0, "async")).collect(),
            Some(c) => {
                let (states, _) = evaluate(c, &candidates);
                candidates
                    .iter()
                    .zip(states)
                    .map(|(cand, s)| (cand.priority, s))
                    .collect()
            }
        }
    }

    /// Releases commits whose WAL the synchronous standbys have confirmed.
    pub fn release_sync_waiters(&mut self, h: HostId) {
        self.release_sync_waiters_after(h, None);
    }

    /// Like [`Cluster::release_sync_waiters`], after a reply on walsender `replying`,
    /// which may announce that it now serves a synchronous standby.
    /// Each walsender of `h` as a synchronous standby candidate, in order: its
    /// positions and its priority under `config` (0 unless it streams to a standby).
    pub(super) fn sync_candidates(&self, h: HostId, config: Option<&SyncConfig>) -> Vec<Candidate> {
        let Some(server) = self.server(h) else {
            return Vec::new();
        };
        server
            .senders
            .iter()
            .map(|w| Candidate {
                priority: match (config, w.state) {
                    (Some(c), SenderState::Streaming) if !w.is_backup => match &w.sync_priority {
                        Some((known, p)) if std::ptr::eq(&**known, c) => *p,
                        _ => c.priority(&w.application_name),
                    },
                    _ => 0,
                },
                write: w.write,
                flush: w.flush,
                apply: w.replay,
            })
            .collect()
    }

    pub(super) fn release_sync_waiters_after(&mut self, h: HostId, replying: Option<ConnId>) {
        let Some(server) = self.server_mut(h) else {
            return;
        };
        let config = server.settings.sync_names_shared();
        // Each walsender's priority, computed again only after a reload changed the list.
        if let Some(c) = &config {
            for w in server.senders.iter_mut() {
                if !w
                    .sync_priority
                    .as_ref()
                    .is_some_and(|(known, _)| std::sync::Arc::ptr_eq(known, c))
                {
                    w.sync_priority = Some((c.clone(), c.priority(&w.application_name)));
                }
            }
        }
        let positions = match &config {
            None => {
                if let Some(conn) = replying {
                    self.announce_sync(h, conn, &[], &[], false);
                }
                Some([Lsn(u64::MAX); 3])
            }
            Some(c) => {
                let candidates = self.sync_candidates(h, Some(c));
                let (states, positions) = evaluate(c, &candidates);
                if let Some(conn) = replying {
                    let priorities: Vec<u32> = candidates.iter().map(|k| k.priority).collect();
                    let quorum = c.method == Method::Quorum;
                    self.announce_sync(h, conn, &states, &priorities, quorum);
                }
                positions
            }
        };
        let Some([write, flush, apply]) = positions else {
            return;
        };
        let now = self.now;
        let mut done = Vec::new();
        let mut checks = Vec::new();
        if let Some(server) = self.server_mut(h) {
            for (i, s) in server.sessions.iter_mut().enumerate() {
                let Some(w) = &s.waiting else { continue };
                let reached = match w.mode {
                    SyncWait::Write => write,
                    SyncWait::Flush => flush,
                    SyncWait::Apply => apply,
                };
                if reached >= w.lsn {
                    if w.mode == SyncWait::Flush {
                        checks.push(w.lsn);
                    }
                    let console = s.app.is_none();
                    done.push((i, w.tag.clone(), w.lsn, w.query.clone(), console));
                    s.waiting = None;
                }
            }
        }
        for lsn in checks {
            self.check_durable_ack(h, lsn);
        }
        for (session, tag, lsn, query, console) in done {
            // An application's commit is acknowledged as a console's is; only the
            // console prints its tag.
            self.acknowledge_statement(h, lsn, &query);
            if !console {
                continue;
            }
            self.outputs.push(SessionOutput {
                at: now,
                host: h,
                session,
                text: format!("{tag}\n"),
            });
        }
        let mode = self.server(h).map(|s| s.settings.synchronous_commit());
        let reached = match mode {
            Some("remote_write") => write,
            Some("remote_apply") => apply,
            _ => flush,
        };
        let mut acked = Vec::new();
        if let Some(wl) = self.host_mut(h).workload.as_mut() {
            while let Some(&(lsn, at, txns)) = wl.waiting.front() {
                if lsn > reached {
                    break;
                }
                wl.waiting.pop_front();
                wl.committed += txns as u64;
                wl.last_latency = now - at;
                acked.push((lsn, txns));
            }
        }
        for (lsn, txns) in acked {
            self.acknowledge_workload(h, lsn, txns);
        }
    }
}

impl Cluster {
    /// Records a `sync_commit_durable` violation if fewer than the required number of
    /// listed standbys really have `lsn` on disk when a commit is acknowledged (for a
    /// subscriber: reported it flushed, since its WAL is its own cluster's).
    pub(super) fn check_durable_ack(&mut self, h: HostId, lsn: Lsn) {
        let Some(config) = self.sync_config(h) else {
            return;
        };
        let Some(server) = self.server(h) else { return };
        let on_disk = server
            .senders
            .iter()
            .filter(|w| !w.is_backup && config.priority(&w.application_name) > 0)
            // A physical standby holds the commit when its own WAL does; a subscriber
            // (a logical walsender's peer has WAL of its own cluster) when it reported
            // the commit flushed.
            .filter(|w| match w.logical {
                Some(_) => w.flush >= lsn,
                None => self.data(w.peer).is_some_and(|d| d.wal.flush >= lsn),
            })
            .count();
        if on_disk < config.num_sync {
            self.violations.push(Broken {
                name: "sync_commit_durable",
                detail: format!("commit at {lsn} acknowledged with {on_disk} of {} synchronous standbys holding it", config.num_sync),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_picks_the_highest_priority_and_any_takes_the_nth_best() {
        let c = |priority, flush| Candidate {
            priority,
            write: Lsn(flush),
            flush: Lsn(flush),
            apply: Lsn(flush),
        };
        let first = SyncConfig::parse("FIRST 1 (s1, s2)").unwrap().unwrap();
        let (states, pos) = evaluate(&first, &[c(2, 300), c(1, 100), c(0, 900)]);
        assert_eq!(states, vec!["potential", "sync", "async"]);
        assert_eq!(pos.map(|p| p[1]), Some(Lsn(100)));
        let any = SyncConfig::parse("ANY 2 (s1, s2, s3)").unwrap().unwrap();
        let (states, pos) = evaluate(&any, &[c(1, 100), c(1, 300), c(1, 200)]);
        assert_eq!(states, vec!["quorum"; 3]);
        assert_eq!(pos.map(|p| p[1]), Some(Lsn(200)));
        let (_, pos) = evaluate(&any, &[c(1, 100)]);
        assert_eq!(pos, None);
    }
}
