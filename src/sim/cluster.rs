//! The world: hosts, the network between them, and the event queue that moves virtual
//! time forward.
//!
//! Every change of state happens in an event handler at a definite virtual time; events
//! at the same time run in the order they were scheduled. Servers talk to each other only
//! through [`Message`]s that cross a [`Link`], so latency, bandwidth and partitions shape
//! what each server knows.

use crate::map::Map;

use super::acked::{AckLog, LostCommits};
use super::conninfo::{connection_refused, no_route_to_host};
use super::db::Database;
use super::event::{
    Broken, ClusterEvent, ConnId, Event, EventKind, HostId, Message, Packet, SessionOutput, Timer,
};
use super::host::{DataDir, Host};
use super::lsn::Lsn;
use super::net::{LinkInfo, Net};
use super::proc::{BaseBackup, Server};
use super::pubsub::LogicalState;
use super::queue::EventQueue;
use super::rng::Rng;
use super::time::{SimDuration, SimTime, MAX_TIME};
use super::{conf, hba, PGDATA};

/// The whole simulated cluster.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub now: SimTime,
    seq: u64,
    queue: EventQueue<Event>,
    pub rng: Rng,
    pub hosts: Vec<Host>,
    pub net: Net,
    pub next_conn: u64,
    pub next_xid: u32,
    pub outputs: Vec<SessionOutput>,
    pub events: Vec<ClusterEvent>,
    pub backups: Vec<BaseBackup>,
    /// Invariants found broken (see [`Cluster::check_invariants`]).
    pub violations: Vec<Broken>,
    /// How many events have been processed (for benchmarks and the step control).
    pub processed: u64,
    /// Events processed in a row at the current instant (a zero-delay loop is a bug).
    same_time: u64,
    /// The cluster processes no event once `processed` reaches this (see
    /// [`Cluster::limit_events`]).
    event_limit: u64,
    /// Why the cluster last refused to go on, if it did.
    halt: Option<Halt>,
    /// The lab's client applications (`lab$ app add`).
    pub apps: Vec<super::client::App>,
    pub next_app_id: u64,
    /// The lab's DNS names (`lab$ dns`).
    pub dns: Map<String, super::client::DnsRecord>,
    /// Commits acknowledged to clients (a teaching aid; see `failover.rs`).
    pub acks: AckLog,
    /// What the last promotions lost, oldest first.
    pub failovers: Vec<LostCommits>,
    /// Logical replication and the clusters initdb'd after the lab began (`pubsub.rs`).
    pub logical: LogicalState,
}

/// Why the cluster stopped before the time it was asked to reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halt {
    /// The command (or replay) used up the events it may run.
    Events,
    /// The next event falls after [`MAX_TIME`], where a lab's clock stops.
    Clock,
}

/// The last transaction id initdb leaves used in a fresh cluster (the first one a
/// transaction gets is the next one), in the lab's first cluster and in every one initdb
/// makes on another host: initdb of PostgreSQL 15.18 leaves NextXID 0:724
/// (pg_controldata), and a fresh cluster's first `txid_current()` is 724.
pub const INITDB_LAST_XID: u32 = 723;

/// The WAL position of a freshly initdb'd cluster.
pub const INITDB_LSN: Lsn = Lsn(0x0170_7A48);

impl Cluster {
    /// The starting world: one host `primary` (10.0.0.1) running PostgreSQL 15 with
    /// initdb's defaults.
    pub fn new(seed: u64) -> Cluster {
        let mut c = Cluster {
            now: SimTime::ZERO,
            seq: 0,
            queue: EventQueue::new(),
            rng: Rng::new(seed),
            hosts: Vec::new(),
            net: Net::default(),
            next_conn: 1,
            next_xid: INITDB_LAST_XID,
            outputs: Vec::new(),
            events: Vec::new(),
            backups: Vec::new(),
            violations: Vec::new(),
            processed: 0,
            same_time: 0,
            event_limit: u64::MAX,
            halt: None,
            apps: Vec::new(),
            next_app_id: 0,
            dns: Map::new(),
            acks: AckLog::default(),
            failovers: Vec::new(),
            logical: LogicalState::default(),
        };
        let h = c.add_host_unchecked("primary");
        c.initdb(h);
        // A freshly installed server starts cleanly; its start-up lines are in the log.
        let _ = c.start(h);
        c
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    pub fn host(&self, h: HostId) -> &Host {
        &self.hosts[h.0]
    }

    pub fn host_mut(&mut self, h: HostId) -> &mut Host {
        &mut self.hosts[h.0]
    }

    pub fn server(&self, h: HostId) -> Option<&Server> {
        self.host(h).server.as_ref()
    }

    pub fn server_mut(&mut self, h: HostId) -> Option<&mut Server> {
        self.host_mut(h).server.as_mut()
    }

    pub fn data(&self, h: HostId) -> Option<&DataDir> {
        self.host(h).data.as_ref()
    }

    pub fn data_mut(&mut self, h: HostId) -> Option<&mut DataDir> {
        self.host_mut(h).data.as_mut()
    }

    /// Finds a host by name.
    pub fn host_id(&self, name: &str) -> Option<HostId> {
        self.hosts.iter().position(|h| h.name == name).map(HostId)
    }

    /// Resolves a host name or dotted address (as `/etc/hosts` and DNS would).
    pub fn resolve(&self, name: &str) -> Option<[u8; 4]> {
        if let Some(h) = self.hosts.iter().find(|h| h.name == name) {
            return Some(h.addr);
        }
        if let Some(addr) = self.dns_answer(name) {
            return Some(addr);
        }
        let parts: Vec<u8> = name.split('.').filter_map(|p| p.parse().ok()).collect();
        (parts.len() == 4 && name.split('.').count() == 4)
            .then(|| [parts[0], parts[1], parts[2], parts[3]])
    }

    /// The host with this address.
    pub fn host_by_addr(&self, addr: [u8; 4]) -> Option<HostId> {
        self.hosts.iter().position(|h| h.addr == addr).map(HostId)
    }

    /// Adds a host with PostgreSQL installed, no data directory and the server stopped.
    /// Whether `name` can name a new host: letters, digits, `-` and `_`, not taken.
    fn check_new_name(&self, name: &str) -> Result<(), String> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if !valid {
            return Err(format!(
                "invalid host name \"{name}\": use letters, digits, '-' and '_'"
            ));
        }
        if name == "lab" || name == "cluster" {
            return Err(format!("\"{name}\" is reserved for lab commands"));
        }
        if self.host_id(name).is_some() {
            return Err(format!("host \"{name}\" already exists"));
        }
        Ok(())
    }

    /// Renames a host (as `hostnamectl set-hostname` and the name service would): from
    /// now on connections name it by its new name; its address stays. A lab that follows
    /// class notes names its machines as the notes do (`pg1`, `pg2`).
    pub fn rename_host(&mut self, h: HostId, name: &str) -> Result<(), String> {
        self.check_new_name(name)?;
        let old = std::mem::replace(&mut self.hosts[h.0].name, name.to_string());
        self.note(h, EventKind::Server, format!("host {old} renamed {name} ({})", self.host(h).addr_text()),
            "Clients and standbys that name the old host name no longer reach it; its address is unchanged.");
        Ok(())
    }

    pub fn add_host(&mut self, name: &str) -> Result<HostId, String> {
        self.check_new_name(name)?;
        if self.hosts.len() >= 32 {
            return Err("a lab holds at most 32 hosts".to_string());
        }
        let rhel = self.is_rhel();
        let h = self.add_host_unchecked(name);
        if rhel {
            self.make_bare(h);
            self.note(h, EventKind::Server, format!("host {name} added ({})", self.host(h).addr_text()),
                "A new RHEL machine without PostgreSQL: install it with dnf, then clone the primary with pg_basebackup.");
            return Ok(h);
        }
        self.note(h, EventKind::Server, format!("host {name} added ({})", self.host(h).addr_text()),
            "A new machine with PostgreSQL installed but no data directory: clone one with pg_basebackup.");
        Ok(h)
    }

    fn add_host_unchecked(&mut self, name: &str) -> HostId {
        let n = self.hosts.len() as u8;
        let mut dirs = crate::map::Set::new();
        dirs.insert(super::PGHOME.to_string());
        self.hosts.push(Host {
            name: name.to_string(),
            addr: [10, 0, 0, n + 1],
            files: Map::new(),
            dirs,
            meta: Map::new(),
            data: None,
            server: None,
            crashed: false,
            workload: None,
            epoch: 0,
            disk: super::host::DEFAULT_DISK,
            disk_speed: None,
            disk_busy_until: SimTime(0),
            os: None,
            next_pid: 2000 + (self.rng.range(0, 400) as u32) * 8,
        });
        HostId(self.hosts.len() - 1)
    }

    /// What initdb leaves: configuration files and an empty cluster.
    pub fn initdb(&mut self, h: HostId) {
        let host = self.host_mut(h);
        host.files.insert(
            format!("{PGDATA}/postgresql.conf"),
            conf::initdb_postgresql_conf(),
        );
        host.files
            .insert(format!("{PGDATA}/pg_hba.conf"), hba::initdb_pg_hba_conf());
        host.files
            .insert(format!("{PGDATA}/pg_ident.conf"), String::new());
        host.files
            .insert(format!("{PGDATA}/PG_VERSION"), "15\n".to_string());
        host.files.insert(
            format!("{PGDATA}/postgresql.auto.conf"),
            conf::render_auto_conf(&[]),
        );
        // initdb makes the directory (or fixes an existing one's mode) 0700, its files
        // 0600, all the postgres user's.
        let now = self.now;
        let host = self.host_mut(h);
        host.forget_meta(PGDATA);
        host.meta.insert(
            PGDATA.to_string(),
            super::perm::FileMeta::new(super::perm::POSTGRES, 0o700, now),
        );
        let system_id = 7_400_000_000_000_000_000 + self.rng.range(0, 99_999_999_999_999_999);
        self.host_mut(h).data = Some(DataDir::initdb(system_id, Database::initdb(), INITDB_LSN));
    }

    /// A new process id on host `h` (PostgreSQL pids grow as processes start).
    pub fn pid(&mut self, h: HostId) -> u32 {
        let step = self.rng.range(1, 7) as u32;
        let host = self.host_mut(h);
        host.next_pid += step;
        host.next_pid
    }

    pub fn new_conn(&mut self) -> ConnId {
        self.next_conn += 1;
        ConnId(self.next_conn)
    }

    // ---- time and events ----------------------------------------------------------

    pub fn schedule(&mut self, at: SimTime, event: Event) {
        self.seq += 1;
        let at = at.max(self.now);
        self.queue.push(at, self.seq, event);
    }

    pub fn timer(&mut self, h: HostId, after: SimDuration, what: Timer) {
        let epoch = self.host(h).epoch;
        self.schedule(
            self.now + after,
            Event::Timer {
                host: h,
                epoch,
                what,
            },
        );
    }

    /// WAL messages on the wire (or held by a partition), for drawing packets.
    pub fn packets(&self) -> Vec<Packet> {
        let mut out: Vec<Packet> = self
            .queue
            .iter()
            .filter_map(|(at, _, event)| {
                let Event::Deliver { from, to, msg } = event else {
                    return None;
                };
                match msg {
                    Message::Data {
                        upto,
                        records,
                        sent_at,
                        ..
                    } => Some(Packet {
                        from: *from,
                        to: *to,
                        start: records.first().map_or(*upto, |r| r.start),
                        end: *upto,
                        sent_at: *sent_at,
                        arrive_at: Some(at),
                        changes: None,
                    }),
                    Message::Changes {
                        upto,
                        txns,
                        sent_at,
                        ..
                    } if !txns.is_empty() => Some(Packet {
                        from: *from,
                        to: *to,
                        start: txns.first().map_or(*upto, |t| t.first),
                        end: *upto,
                        sent_at: *sent_at,
                        arrive_at: Some(at),
                        changes: Some(super::event::changes_summary(txns)),
                    }),
                    _ => None,
                }
            })
            .collect();
        for (_, link) in self.net.links() {
            for (from, to, msg) in &link.held {
                match msg {
                    Message::Data {
                        upto,
                        records,
                        sent_at,
                        ..
                    } => out.push(Packet {
                        from: *from,
                        to: *to,
                        start: records.first().map_or(*upto, |r| r.start),
                        end: *upto,
                        sent_at: *sent_at,
                        arrive_at: None,
                        changes: None,
                    }),
                    Message::Changes {
                        upto,
                        txns,
                        sent_at,
                        ..
                    } if !txns.is_empty() => out.push(Packet {
                        from: *from,
                        to: *to,
                        start: txns.first().map_or(*upto, |t| t.first),
                        end: *upto,
                        sent_at: *sent_at,
                        arrive_at: None,
                        changes: Some(super::event::changes_summary(txns)),
                    }),
                    _ => {}
                }
            }
        }
        crate::order::sort_by_key(&mut out, |p| (p.sent_at, p.from, p.to, p.end));
        out
    }

    /// When the next event is due, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.queue.next_time()
    }

    /// Lets the cluster process at most `n` more events (within any bound already set,
    /// so a command inside a replay stays within the replay's), and forgets an earlier
    /// halt. Returns the bound before, for [`Cluster::restore_event_limit`].
    pub fn limit_events(&mut self, n: u64) -> u64 {
        let before = self.event_limit;
        self.event_limit = before.min(self.processed.saturating_add(n));
        self.halt = None;
        before
    }

    /// Puts back the bound [`Cluster::limit_events`] replaced, and forgets the halt
    /// (whoever set the bound has reported it).
    pub fn restore_event_limit(&mut self, before: u64) {
        self.event_limit = before;
        self.halt = None;
    }

    /// The count of processed events at which the cluster stops (`u64::MAX`: none).
    pub fn event_limit(&self) -> u64 {
        self.event_limit
    }

    /// Why the cluster stopped short since the last [`Cluster::limit_events`], if it did.
    pub fn halt(&self) -> Option<Halt> {
        self.halt
    }

    /// The events due at [`Cluster::next_event_time`], in the order they run, in words
    /// (the Step button says what it ran; events they set off at the same instant are
    /// not known yet).
    pub fn next_events(&self) -> Vec<String> {
        let Some(at) = self.next_event_time() else {
            return Vec::new();
        };
        let mut due: Vec<(u64, &Event)> = self
            .queue
            .iter()
            .filter(|(t, _, _)| *t == at)
            .map(|(_, seq, event)| (seq, event))
            .collect();
        crate::order::sort_by_key(&mut due, |(seq, _)| *seq);
        due.iter()
            .map(|(_, event)| event.describe(|h| self.host(h).name.as_str()))
            .collect()
    }

    /// Processes the next event, moving the clock to it. Returns false when none is
    /// left, when the event budget is used up, or when the next event falls after
    /// [`MAX_TIME`] (see [`Cluster::halt`]).
    pub fn step(&mut self) -> bool {
        let Some(next_at) = self.queue.next_time() else {
            return false;
        };
        if next_at > MAX_TIME {
            self.halt = Some(Halt::Clock);
            return false;
        }
        if self.processed >= self.event_limit {
            self.halt = Some(Halt::Events);
            return false;
        }
        let Some((at, event)) = self.queue.pop() else {
            return false;
        };
        debug_assert!(at >= self.now, "time went backwards");
        if at == self.now {
            self.same_time += 1;
            debug_assert!(
                self.same_time < 1_000_000,
                "event storm at {}: {:?}",
                self.now,
                event
            );
        } else {
            self.same_time = 0;
        }
        self.now = at;
        self.processed += 1;
        self.handle(event);
        #[cfg(debug_assertions)]
        if let Err(broken) = self.check_invariants() {
            panic!("invariant broken at {}: {broken}", self.now);
        }
        true
    }

    /// Processes every event due up to `until` (at most [`MAX_TIME`]) and leaves the
    /// clock there, unless the event budget runs out first (then the clock stays at the
    /// last event processed; see [`Cluster::halt`]).
    pub fn run_until(&mut self, until: SimTime) {
        if until > MAX_TIME {
            self.halt = Some(Halt::Clock);
        }
        let until = until.min(MAX_TIME);
        while self.next_event_time().is_some_and(|t| t <= until) {
            if !self.step() {
                return;
            }
        }
        self.now = self.now.max(until);
    }

    pub fn advance(&mut self, d: SimDuration) {
        let until = self.now + d;
        self.run_until(until);
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Deliver { from, to, msg } => self.deliver(from, to, msg),
            Event::Timer { host, epoch, what } => {
                if self.host(host).epoch == epoch && self.host(host).is_running() {
                    self.on_timer(host, what);
                }
            }
            Event::WorkloadTick(h) => self.workload_tick(h),
            Event::AppTick(id) => self.app_tick(id),
            Event::BaseBackupDone(id) => self.finish_basebackup(id),
        }
    }

    // ---- the network --------------------------------------------------------------

    /// Sends a message from `from` to `to` over their link.
    pub fn send(&mut self, from: HostId, to: HostId, msg: Message) -> SimTime {
        let bytes = msg.wire_bytes();
        match self.net.transmit(from, to, bytes, self.now) {
            Some((free_at, arrive)) => {
                self.schedule(arrive, Event::Deliver { from, to, msg });
                free_at
            }
            None => {
                self.net.hold(from, to, msg);
                self.now
            }
        }
    }

    /// Delivers `msg` now rather than after the link's latency, unless the link is cut
    /// (then it waits as any message does). For what the other end learns before the
    /// command that caused it returns: `pg_ctl stop` on a standby waits for its
    /// processes to exit, and the walreceiver's connection is closed (its FIN on the
    /// wire) before that, so the primary's walsender ends before the next line runs.
    pub fn deliver_now(&mut self, from: HostId, to: HostId, msg: Message) {
        if self.link(from, to).partitioned {
            self.send(from, to, msg);
        } else {
            self.deliver(from, to, msg);
        }
    }

    fn deliver(&mut self, from: HostId, to: HostId, msg: Message) {
        if let Message::Connect(req) = &msg {
            if self.firewall_blocks(from, to, req.port) {
                let error = no_route_to_host(&req.host, &self.host(to).addr_text(), req.port);
                let conn = req.conn;
                self.send(to, from, Message::Refused { conn, error });
                return;
            }
        }
        if !self.host(to).is_running() {
            // Nobody listens: the kernel answers a connection attempt with a refusal and
            // anything on a dead connection with a reset.
            match msg {
                Message::Connect(req) => {
                    let addr = self.host(to).addr_text();
                    let error = connection_refused(&req.host, &addr, req.port);
                    self.send(
                        to,
                        from,
                        Message::Refused {
                            conn: req.conn,
                            error,
                        },
                    );
                }
                Message::Closed { .. } | Message::Refused { .. } => {}
                other => {
                    let conn = other.conn();
                    self.send(to, from, Message::Closed { conn, clean: false });
                }
            }
            return;
        }
        self.on_message(to, from, msg);
    }

    /// Cuts the link between two hosts: messages wait (TCP retransmits) until it heals.
    pub fn partition(&mut self, a: HostId, b: HostId) {
        self.net.link_mut(a, b).partitioned = true;
        let (an, bn) = (self.host(a).name.clone(), self.host(b).name.clone());
        self.note(
            a,
            EventKind::Fault,
            format!("network partition between {an} and {bn}"),
            "Nothing crosses this link now: WAL piles up on one side and timeouts start counting.",
        );
    }

    /// Restores the link; held messages go out in order.
    pub fn heal(&mut self, a: HostId, b: HostId) {
        let held = {
            let link = self.net.link_mut(a, b);
            link.partitioned = false;
            std::mem::take(&mut link.held)
        };
        for (from, to, msg) in held {
            self.send(from, to, msg);
        }
        let (an, bn) = (self.host(a).name.clone(), self.host(b).name.clone());
        self.note(a, EventKind::Fault, format!("network between {an} and {bn} healed"),
            "Held packets are delivered; a walreceiver that timed out reconnects on its next retry.");
    }

    pub fn link(&self, a: HostId, b: HostId) -> LinkInfo {
        self.net.link(a, b)
    }

    pub fn set_latency(&mut self, a: HostId, b: HostId, latency: SimDuration) {
        self.net.link_mut(a, b).latency = latency;
    }

    pub fn set_bandwidth(&mut self, a: HostId, b: HostId, bytes_per_sec: u64) {
        self.net.link_mut(a, b).bandwidth = bytes_per_sec.max(1);
    }

    // ---- logs and outputs ---------------------------------------------------------

    /// Appends a line to the server log (`log/postgresql.log` under PGDATA), in
    /// PostgreSQL's format: timestamp, pid, severity, two spaces, message.
    pub fn log(&mut self, h: HostId, pid: u32, severity: &str, msg: &str) {
        let text = self.log_line(pid, severity, msg);
        let path = format!("{PGDATA}/log/postgresql.log");
        let host = self.host_mut(h);
        if host.data.is_none() {
            return;
        }
        host.files.entry(path).or_default().push_str(&text);
    }

    /// A line a process wrote to stderr without the log's prefix (libpq's warnings).
    pub fn log_raw(&mut self, h: HostId, line: &str) {
        let path = format!("{PGDATA}/log/postgresql.log");
        let host = self.host_mut(h);
        if host.data.is_none() {
            return;
        }
        let log = host.files.entry(path).or_default();
        log.push_str(line);
        log.push('\n');
    }

    /// What a postmaster wrote to stderr before it exited, appended to the server log
    /// (pg_ctl -l sends its stderr there).
    pub fn log_stderr(&mut self, h: HostId, stderr: &str) {
        for line in stderr.lines() {
            self.log_raw(h, line);
        }
    }

    /// A server message as log_line_prefix `%m [%p] ` formats it, continuation lines
    /// indented with a tab.
    pub fn log_line(&self, pid: u32, severity: &str, msg: &str) -> String {
        let ts = super::datetime::format_log_timestamp(self.now.unix_micros());
        let mut out = String::new();
        for (i, line) in msg.lines().enumerate() {
            if i == 0 {
                out.push_str(&format!("{ts} [{pid}] {severity}:  {line}\n"));
            } else {
                out.push_str(&format!("\t{line}\n"));
            }
        }
        out
    }

    /// Records an entry of the event log.
    pub fn note(&mut self, h: HostId, kind: EventKind, text: String, why: &'static str) {
        self.events.push(ClusterEvent {
            at: self.now,
            host: h,
            kind,
            text,
            why,
        });
    }

    /// The event log so far.
    pub fn events(&self) -> &[ClusterEvent] {
        &self.events
    }

    /// Whether a statement on host `h` finished and its output waits to be taken.
    pub fn has_output_for(&self, h: HostId) -> bool {
        self.outputs.iter().any(|o| o.host == h)
    }

    /// Takes the first waiting output of host `h`.
    pub fn take_output_for(&mut self, h: HostId) -> Option<SessionOutput> {
        let i = self.outputs.iter().position(|o| o.host == h)?;
        Some(self.outputs.remove(i))
    }

    /// Takes the outputs of statements that finished since the last call.
    pub fn take_outputs(&mut self) -> Vec<SessionOutput> {
        std::mem::take(&mut self.outputs)
    }

    // ---- faults -------------------------------------------------------------------

    /// Power loss: every process on the host dies at once, unflushed WAL and the page
    /// cache are lost, and nothing is said to the peers (they notice by timeout or by
    /// a reset when they next send).
    pub fn crash(&mut self, h: HostId) {
        if self.host(h).server.is_none() {
            return;
        }
        self.kill_server(h);
        self.host_mut(h).crashed = true;
        let name = self.host(h).name.clone();
        self.note(h, EventKind::Fault, format!("{name} lost power"),
            "Every process died with no shutdown checkpoint; WAL not yet flushed is gone. Start it again to run crash recovery.");
    }

    /// Stops every process of the server without a shutdown (crash or immediate stop).
    pub fn kill_server(&mut self, h: HostId) {
        let Some(server) = self.host_mut(h).server.take() else {
            return;
        };
        self.host_mut(h).epoch += 1;
        for s in server
            .sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.waiting.is_some() && s.app.is_none())
        {
            self.outputs.push(SessionOutput {
                at: self.now,
                host: h,
                session: s.0,
                text: "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\nThe connection to the server was lost. Attempting reset: Failed.\n".to_string(),
            });
        }
        let host = self.host_mut(h);
        if let Some(data) = host.data.as_mut() {
            data.lose_unflushed();
            data.clean_shutdown = false;
        }
        if let Some(w) = host.workload.as_mut() {
            w.waiting.clear();
        }
        // No process survives to hold a slot, and temporary slots go with their
        // sessions (ReplicationSlotCleanup; a slot is never active after a restart).
        self.release_slots_of(h);
        self.forget_unflushed_acks(h);
    }
}
