//! Client backends (postgres.c): the psql sessions of a server, cancelling a waiting
//! statement, and the built-in pgbench-like workload.

use std::collections::VecDeque;

use crate::map::Map;

use super::cluster::Cluster;
use super::db::Table;
use super::event::{Event, HostId, SessionOutput};
use super::host::Workload;
use super::proc::{Session, Waiting};
use super::time::SimDuration;
use super::wal::{self, RecordBody};

impl Cluster {
    /// The session a new psql line on `h` runs in: the first one not waiting, opened
    /// on demand (a second psql window while the first is busy).
    pub fn idle_session(&mut self, h: HostId) -> Option<usize> {
        let server = self.server(h)?;
        if let Some(i) = server
            .sessions
            .iter()
            .position(|s| s.waiting.is_none() && s.app.is_none())
        {
            return Some(i);
        }
        let pid = self.pid(h);
        let port = self.rng.range(32768, 60999) as u16;
        let now = self.now;
        let server = self.server_mut(h)?;
        server.sessions.push(Session {
            pid,
            backend_start: now,
            client_port: port,
            // psql names itself when it connects.
            set: Map::from_sorted_store_unchecked(vec![(
                "application_name",
                super::conf::Parsed::Text("psql".to_string()),
            )]),
            waiting: None,
            last_query: String::new(),
            running: false,
            app: None,
            closed: false,
            sequence_values: Default::default(),
            last_sequence: None,
        });
        Some(server.sessions.len() - 1)
    }

    /// Table `name` on `h` as session `session` sees it: without the changes of other
    /// sessions' transactions that still wait for synchronous standbys (committed
    /// locally, but running for every snapshot until the wait ends).
    pub fn table_seen_by(&self, h: HostId, session: usize, name: &str) -> Option<Table> {
        let waiting = self.waiting_but(h, session);
        self.data(h).and_then(|d| {
            d.db.table_seen_without(name, waiting.iter().flat_map(|w| w.hidden.iter()))
        })
    }

    /// Whether session `session` on `h` sees tuple `id` of table `name` (as
    /// [`Cluster::table_seen_by`] would, without copying the table).
    pub fn tuple_seen_by(&self, h: HostId, session: usize, name: &str, id: u64) -> bool {
        let waiting = self.waiting_but(h, session);
        self.data(h).is_some_and(|d| {
            d.db.tuple_seen_without(name, waiting.iter().flat_map(|w| w.hidden.iter()), id)
        })
    }

    /// The commits of `h`'s sessions other than `session` that still wait for
    /// synchronous standbys, oldest first.
    fn waiting_but(&self, h: HostId, session: usize) -> Vec<&Waiting> {
        let mut waiting: Vec<&Waiting> = self
            .host(h)
            .server
            .iter()
            .flat_map(|s| s.sessions.iter().enumerate())
            .filter(|(i, _)| *i != session)
            .filter_map(|(_, s)| s.waiting.as_ref())
            .collect();
        crate::order::sort_by_key(&mut waiting, |w| w.lsn);
        waiting
    }

    /// Cancels the waiting statement of session `session` (Ctrl-C in psql,
    /// pg_cancel_backend). Returns false when nothing waited.
    pub fn cancel(&mut self, h: HostId, session: usize) -> bool {
        let Some(s) = self.server_mut(h).and_then(|s| s.sessions.get_mut(session)) else {
            return false;
        };
        let app = s.app.is_some();
        let Some(w) = s.waiting.take() else {
            return false;
        };
        // The client gets its command tag (after the warning): acknowledged.
        self.acknowledge_statement(h, w.lsn, &w.query);
        if app {
            // The application gets its WARNING and its tag; the console gets nothing.
            return true;
        }
        self.outputs.push(SessionOutput {
            at: self.now,
            host: h,
            session,
            text: format!("WARNING:  canceling wait for synchronous replication due to user request\nDETAIL:  The transaction has already committed locally, but might not have been replicated to the standby.\n{}\n", w.tag),
        });
        true
    }

    /// Starts (tps > 0) or stops (tps = 0) the built-in workload on `h`.
    pub fn set_workload(&mut self, h: HostId, tps: u32) {
        if tps == 0 {
            self.host_mut(h).workload = None;
            return;
        }
        let was = self.host(h).workload.is_some();
        let w = self.host_mut(h).workload.get_or_insert(Workload {
            tps,
            carry: 0,
            waiting: VecDeque::new(),
            committed: 0,
            last_latency: SimDuration::ZERO,
        });
        w.tps = tps;
        if !was {
            self.schedule_workload(h);
        }
    }

    pub fn schedule_workload(&mut self, h: HostId) {
        self.schedule(self.now + WORKLOAD_TICK, Event::WorkloadTick(h));
    }

    pub fn workload_tick(&mut self, h: HostId) {
        // Only the rate and the carry: the workload's queue of batches waiting for a
        // synchronous standby can be long, and this runs every tick.
        let Some((tps, carry)) = self.host(h).workload.as_ref().map(|w| (w.tps, w.carry)) else {
            return;
        };
        let writable = self.server(h).is_some_and(|s| !s.standby);
        if !writable {
            // Clients cannot write to a stopped server or a standby; they keep trying.
            if self.server(h).is_some() {
                self.schedule_workload(h);
            }
            return;
        }
        let blocked = self
            .host(h)
            .workload
            .as_ref()
            .is_some_and(|w| w.waiting.len() >= WORKLOAD_CLIENTS);
        if blocked {
            // Every client waits at its COMMIT for a synchronous standby, as pgbench's
            // do: nothing more is written until the oldest waits end.
            self.schedule_workload(h);
            return;
        }
        let owed = carry + tps as u64 * WORKLOAD_TICK.0 / 1000;
        let txns = (owed / 1000) as u32;
        if let Some(wl) = self.host_mut(h).workload.as_mut() {
            wl.carry = owed % 1000;
        }
        let end = self.data(h).map_or(crate::Lsn(0), |d| d.wal.insert);
        if txns > 0 && !self.wal_fits(h, end.allocate(wal::WORKLOAD_TXN_BYTES * txns as u64).1) {
            // pgbench's backend PANICs at its commit; the clients keep trying.
            self.panic_wal_full(h, "END;");
            if self.server(h).is_some() {
                self.schedule_workload(h);
            }
            return;
        }
        if txns > 0 {
            let at = self.now;
            let lsn = self.append(
                h,
                wal::WORKLOAD_TXN_BYTES * txns as u64,
                RecordBody::Workload { txns, at },
            );
            self.flush(h);
            let sync = self.sync_config(h).is_some()
                && self.server(h).is_some_and(|s| {
                    s.settings.text("synchronous_commit") != "off"
                        && s.settings.text("synchronous_commit") != "local"
                });
            if let Some(wl) = self.host_mut(h).workload.as_mut() {
                if sync {
                    wl.waiting.push_back((lsn, at, txns));
                } else {
                    wl.committed += txns as u64;
                    wl.last_latency = SimDuration::ZERO;
                }
            }
            if !sync {
                self.acknowledge_workload(h, lsn, txns);
            }
            if sync {
                self.release_sync_waiters(h);
            }
        }
        self.schedule_workload(h);
    }
}

/// How often the workload commits a group of transactions.
pub const WORKLOAD_TICK: SimDuration = SimDuration::from_millis(20);

/// The workload's clients, as groups of transactions that can wait at COMMIT for a
/// synchronous standby at once: a second's worth of ticks. Once that many wait, the
/// workload writes nothing until the oldest wait ends, as a pgbench whose every client
/// is blocked in SyncRep; it also bounds the queue the model keeps for a stalled
/// standby. (Simplified: pgbench's clients each wait for their own commit; walscope
/// groups them by tick.)
pub const WORKLOAD_CLIENTS: usize = 50;
