//! What the model shows: PostgreSQL's statistics views and functions, computed from
//! the cluster's state, plus a per-node summary for drawing.

use super::checkpoint::keep_log_seg;
use super::cluster::Cluster;
use super::event::HostId;
use super::host::LogicalSlot;
use super::lsn::{mb_to_segments, Lsn, TimelineId, SEGMENT_SIZE};
use super::proc::{ReceiverStatus, SenderState};
use super::time::{SimDuration, SimTime};
use super::PGDATA;

/// A value in a view row, typed as PostgreSQL types it.
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
    Lsn(Lsn),
    Interval(SimDuration),
    Timestamp(SimTime),
}

impl Datum {
    fn opt_lsn(l: Option<Lsn>) -> Datum {
        l.map_or(Datum::Null, Datum::Lsn)
    }
    fn opt_time(t: Option<SimTime>) -> Datum {
        t.map_or(Datum::Null, Datum::Timestamp)
    }
    fn opt_interval(d: Option<SimDuration>) -> Datum {
        d.map_or(Datum::Null, Datum::Interval)
    }
}

/// A view's columns (in PostgreSQL's order) and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Relation {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Datum>>,
}

/// One row of `pg_stat_replication`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationRow {
    pub pid: u32,
    pub usesysid: i64,
    pub usename: String,
    pub application_name: String,
    pub client_addr: String,
    pub client_port: u16,
    pub backend_start: SimTime,
    pub state: &'static str,
    pub sent_lsn: Option<Lsn>,
    pub write_lsn: Option<Lsn>,
    pub flush_lsn: Option<Lsn>,
    pub replay_lsn: Option<Lsn>,
    pub write_lag: Option<SimDuration>,
    pub flush_lag: Option<SimDuration>,
    pub replay_lag: Option<SimDuration>,
    pub sync_priority: u32,
    pub sync_state: &'static str,
    pub reply_time: Option<SimTime>,
    /// The standby host (not a PostgreSQL column: for drawing links).
    pub peer: HostId,
    /// A subscription's walsender (not a PostgreSQL column: for drawing links).
    pub logical: bool,
}

/// One row of `pg_stat_wal_receiver`.
#[derive(Clone, Debug, PartialEq)]
pub struct WalReceiverRow {
    pub pid: u32,
    pub status: &'static str,
    pub receive_start_lsn: Lsn,
    pub receive_start_tli: TimelineId,
    /// NULL until WAL data arrives on the connection.
    pub written_lsn: Option<Lsn>,
    pub flushed_lsn: Lsn,
    pub received_tli: TimelineId,
    pub last_msg_send_time: Option<SimTime>,
    pub last_msg_receipt_time: Option<SimTime>,
    /// NULL until the first message from the sender.
    pub latest_end_lsn: Option<Lsn>,
    pub latest_end_time: Option<SimTime>,
    pub slot_name: Option<String>,
    pub sender_host: String,
    pub sender_port: u16,
    pub conninfo: String,
    /// The primary host (not a PostgreSQL column).
    pub primary: HostId,
}

/// One row of `pg_replication_slots`.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotRow {
    pub slot_name: String,
    pub temporary: bool,
    pub active: bool,
    pub active_pid: Option<u32>,
    pub restart_lsn: Option<Lsn>,
    pub wal_status: Option<&'static str>,
    pub safe_wal_size: Option<i64>,
    /// A logical slot's plugin, database, catalog_xmin and confirmed_flush_lsn.
    pub logical: Option<LogicalSlot>,
}

/// Server state for a node card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerState {
    /// No data directory yet.
    Empty,
    Stopped,
    Crashed,
    Running,
}

/// A node's summary: everything a card and a WAL bar draw.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub id: HostId,
    pub name: String,
    pub addr: String,
    pub state: ServerState,
    pub in_recovery: bool,
    pub timeline: Option<TimelineId>,
    /// Insert / write / flush on a primary; received and replayed on a standby.
    pub insert: Option<Lsn>,
    /// Written to the kernel (`pg_current_wal_lsn()` on a primary).
    pub write: Option<Lsn>,
    pub flush: Option<Lsn>,
    pub replay: Option<Lsn>,
    pub oldest_segment: Option<u64>,
    pub waiting_commits: usize,
    pub workload_tps: Option<u32>,
    pub workload_latency: SimDuration,
    pub pending_restart: bool,
}

impl Cluster {
    /// `pg_stat_replication` on host `h` (empty when not running).
    pub fn stat_replication(&self, h: HostId) -> Vec<ReplicationRow> {
        let Some(server) = self.server(h) else {
            return Vec::new();
        };
        let states = self.sync_states(h);
        server
            .senders
            .iter()
            .zip(states)
            .map(|(w, (priority, sync_state))| {
                let backup = w.state == SenderState::Backup;
                let usesysid = self.role_oid(h, &w.user);
                ReplicationRow {
                    pid: w.pid,
                    usesysid,
                    usename: w.user.clone(),
                    application_name: w.application_name.clone(),
                    client_addr: self.host(w.peer).addr_text(),
                    client_port: w.client_port,
                    backend_start: w.backend_start,
                    state: w.state.as_str(),
                    sent_lsn: (!backup).then_some(w.sent),
                    write_lsn: (!backup && w.reply_time.is_some()).then_some(w.write),
                    flush_lsn: (!backup && w.reply_time.is_some()).then_some(w.flush),
                    replay_lsn: (!backup && w.reply_time.is_some() && !w.is_backup)
                        .then_some(w.replay),
                    write_lag: w.write_lag,
                    flush_lag: w.flush_lag,
                    replay_lag: w.replay_lag,
                    sync_priority: priority,
                    sync_state,
                    reply_time: w.reply_time,
                    peer: w.peer,
                    logical: w.logical.is_some(),
                }
            })
            .collect()
    }

    fn role_oid(&self, h: HostId, user: &str) -> i64 {
        if user == "postgres" {
            return 10;
        }
        self.data(h)
            .and_then(|d| {
                d.db.roles
                    .keys()
                    .filter(|n| *n != "postgres")
                    .position(|n| n == user)
            })
            .map_or(0, |i| 16384 + i as i64)
    }

    /// `pg_stat_wal_receiver` on host `h`.
    pub fn stat_wal_receiver(&self, h: HostId) -> Option<WalReceiverRow> {
        let server = self.server(h)?;
        let r = server.receiver.as_ref()?;
        let d = self.data(h)?;
        let status = match r.status {
            ReceiverStatus::Streaming => "streaming",
            ReceiverStatus::Starting => "starting",
            ReceiverStatus::Waiting => "waiting",
        };
        let params = super::conninfo::parse(&r.conninfo).unwrap_or_default();
        let mut expanded = Vec::new();
        let user = params
            .get("user")
            .cloned()
            .unwrap_or_else(|| "postgres".to_string());
        expanded.push(format!("user={user}"));
        // libpq looks for a password file only when no password was given.
        if params.contains_key("password") {
            expanded.push("password=********".to_string());
        } else {
            expanded.push(format!("passfile={}/.pgpass", super::PGHOME));
        }
        expanded.push("channel_binding=prefer dbname=replication".to_string());
        expanded.push(format!("host={} port={}", r.sender_host, r.sender_port));
        let fallback = {
            let c = server.settings.text("cluster_name");
            if c.is_empty() {
                "walreceiver".to_string()
            } else {
                c
            }
        };
        if let Some(app) = params.get("application_name") {
            expanded.push(format!("application_name={app}"));
        }
        expanded.push(format!("fallback_application_name={fallback}"));
        expanded.push("sslmode=prefer sslcompression=0 sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer krbsrvname=postgres target_session_attrs=any".to_string());
        Some(WalReceiverRow {
            pid: r.pid,
            status,
            receive_start_lsn: r.receive_start_lsn,
            receive_start_tli: r.receive_start_tli,
            written_lsn: r.received_data.then_some(r.written),
            flushed_lsn: r.flushed,
            received_tli: d.wal.tli,
            last_msg_send_time: r.last_msg_send_time,
            last_msg_receipt_time: r.last_msg_receipt_time,
            latest_end_lsn: (r.latest_end_lsn != Lsn(0)).then_some(r.latest_end_lsn),
            latest_end_time: r.latest_end_time,
            slot_name: r.slot_name.clone(),
            sender_host: r.sender_host.clone(),
            sender_port: r.sender_port,
            conninfo: expanded.join(" "),
            primary: r.primary,
        })
    }

    /// `pg_replication_slots` on host `h`.
    pub fn replication_slots(&self, h: HostId) -> Vec<SlotRow> {
        let Some(d) = self.data(h) else {
            return Vec::new();
        };
        let settings = self.settings(h);
        let max_wal_mb = settings.int("max_wal_size").max(0) as u64;
        let max_slot_mb = settings.int("max_slot_wal_keep_size");
        let keep_mb = settings.int("wal_keep_size").max(0) as u64;
        // GetWALAvailability and safe_wal_size work in whole segments from the write
        // position.
        let current = d.wal.write;
        let curr_seg = current.segment();
        let oldest_slot_seg = keep_log_seg(current, d.min_slot_lsn(), max_slot_mb, keep_mb);
        let oldest_by_max_wal = curr_seg
            .saturating_sub(mb_to_segments(max_wal_mb) + 1)
            .max(1);
        d.slots
            .iter()
            .map(|(name, s)| {
                let (wal_status, safe) = match s.restart_lsn {
                    None if s.lost => (Some("lost"), None),
                    None => (None, None),
                    Some(r) => {
                        let target = r.segment();
                        let removed = target < d.wal.oldest_segment;
                        let status = if target >= oldest_slot_seg {
                            if target >= oldest_by_max_wal {
                                "reserved"
                            } else {
                                "extended"
                            }
                        } else if !removed || s.active_pid.is_some() {
                            "unreserved"
                        } else {
                            "lost"
                        };
                        let safe = (max_slot_mb >= 0 && status != "lost").then(|| {
                            let keep =
                                mb_to_segments(max_slot_mb as u64).max(mb_to_segments(keep_mb));
                            let fail = Lsn((target + keep + 1) * SEGMENT_SIZE);
                            fail.diff(current)
                        });
                        (Some(status), safe)
                    }
                };
                SlotRow {
                    slot_name: name.clone(),
                    temporary: s.temporary,
                    active: s.active_pid.is_some(),
                    active_pid: s.active_pid,
                    restart_lsn: s.restart_lsn,
                    wal_status,
                    safe_wal_size: safe,
                    logical: s.logical.clone(),
                }
            })
            .collect()
    }

    /// Summaries of every node, for drawing.
    pub fn nodes(&self) -> Vec<NodeView> {
        (0..self.hosts.len())
            .map(|i| self.node(HostId(i)))
            .collect()
    }

    pub fn node(&self, h: HostId) -> NodeView {
        let host = self.host(h);
        let state = match (&host.data, &host.server, host.crashed) {
            (None, _, _) => ServerState::Empty,
            (_, Some(_), _) => ServerState::Running,
            (_, None, true) => ServerState::Crashed,
            (_, None, false) => ServerState::Stopped,
        };
        let in_recovery = host.server.as_ref().map_or(
            host.files.contains_key(&format!("{PGDATA}/standby.signal")),
            |s| s.standby,
        );
        let d = host.data.as_ref();
        NodeView {
            id: h,
            name: host.name.clone(),
            addr: host.addr_text(),
            state,
            in_recovery,
            timeline: d.map(|d| d.wal.tli),
            insert: d.map(|d| d.wal.insert),
            write: d.map(|d| d.wal.write),
            flush: d.map(|d| d.wal.flush),
            replay: d.map(|d| d.applied),
            oldest_segment: d.map(|d| d.wal.oldest_segment),
            waiting_commits: host.server.as_ref().map_or(0, |s| {
                s.sessions.iter().filter(|x| x.waiting.is_some()).count()
            }) + host.workload.as_ref().map_or(0, |w| w.waiting.len()),
            workload_tps: host.workload.as_ref().map(|w| w.tps),
            workload_latency: host
                .workload
                .as_ref()
                .map_or(SimDuration::ZERO, |w| w.last_latency),
            pending_restart: host
                .server
                .as_ref()
                .is_some_and(|s| !s.settings.pending_restart.is_empty()),
        }
    }

    /// `pg_stat_replication` as a relation.
    pub fn stat_replication_relation(&self, h: HostId) -> Relation {
        let rows = self
            .stat_replication(h)
            .into_iter()
            .map(|r| {
                vec![
                    Datum::Int(r.pid as i64),
                    Datum::Int(r.usesysid),
                    Datum::Text(r.usename),
                    Datum::Text(r.application_name),
                    Datum::Text(r.client_addr),
                    Datum::Null,
                    Datum::Int(r.client_port as i64),
                    Datum::Timestamp(r.backend_start),
                    Datum::Null,
                    Datum::Text(r.state.to_string()),
                    Datum::opt_lsn(r.sent_lsn),
                    Datum::opt_lsn(r.write_lsn),
                    Datum::opt_lsn(r.flush_lsn),
                    Datum::opt_lsn(r.replay_lsn),
                    Datum::opt_interval(r.write_lag),
                    Datum::opt_interval(r.flush_lag),
                    Datum::opt_interval(r.replay_lag),
                    Datum::Int(r.sync_priority as i64),
                    Datum::Text(r.sync_state.to_string()),
                    Datum::opt_time(r.reply_time),
                ]
            })
            .collect();
        Relation {
            columns: vec![
                "pid",
                "usesysid",
                "usename",
                "application_name",
                "client_addr",
                "client_hostname",
                "client_port",
                "backend_start",
                "backend_xmin",
                "state",
                "sent_lsn",
                "write_lsn",
                "flush_lsn",
                "replay_lsn",
                "write_lag",
                "flush_lag",
                "replay_lag",
                "sync_priority",
                "sync_state",
                "reply_time",
            ],
            rows,
        }
    }

    /// `pg_stat_wal_receiver` as a relation (no row without a walreceiver).
    pub fn stat_wal_receiver_relation(&self, h: HostId) -> Relation {
        let rows = self
            .stat_wal_receiver(h)
            .into_iter()
            .map(|r| {
                vec![
                    Datum::Int(r.pid as i64),
                    Datum::Text(r.status.to_string()),
                    Datum::Lsn(r.receive_start_lsn),
                    Datum::Int(r.receive_start_tli.0 as i64),
                    r.written_lsn.map_or(Datum::Null, Datum::Lsn),
                    Datum::Lsn(r.flushed_lsn),
                    Datum::Int(r.received_tli.0 as i64),
                    Datum::opt_time(r.last_msg_send_time),
                    Datum::opt_time(r.last_msg_receipt_time),
                    r.latest_end_lsn.map_or(Datum::Null, Datum::Lsn),
                    Datum::opt_time(r.latest_end_time),
                    r.slot_name.map_or(Datum::Null, Datum::Text),
                    Datum::Text(r.sender_host),
                    Datum::Int(r.sender_port as i64),
                    Datum::Text(r.conninfo),
                ]
            })
            .collect();
        Relation {
            columns: vec![
                "pid",
                "status",
                "receive_start_lsn",
                "receive_start_tli",
                "written_lsn",
                "flushed_lsn",
                "received_tli",
                "last_msg_send_time",
                "last_msg_receipt_time",
                "latest_end_lsn",
                "latest_end_time",
                "slot_name",
                "sender_host",
                "sender_port",
                "conninfo",
            ],
            rows,
        }
    }

    /// `pg_replication_slots` as a relation.
    pub fn replication_slots_relation(&self, h: HostId) -> Relation {
        let rows = self
            .replication_slots(h)
            .into_iter()
            .map(|s| {
                let l = s.logical.as_ref();
                let text = |v: Option<&String>| v.map_or(Datum::Null, |t| Datum::Text(t.clone()));
                vec![
                    Datum::Text(s.slot_name.clone()),
                    text(l.map(|l| &l.plugin)),
                    Datum::Text(if l.is_some() { "logical" } else { "physical" }.to_string()),
                    // The database's oid: `postgres` is 5 after initdb.
                    l.map_or(Datum::Null, |_| Datum::Int(5)),
                    text(l.map(|l| &l.database)),
                    Datum::Bool(s.temporary),
                    Datum::Bool(s.active),
                    s.active_pid.map_or(Datum::Null, |p| Datum::Int(p as i64)),
                    Datum::Null,
                    l.map_or(Datum::Null, |l| Datum::Int(l.catalog_xmin as i64)),
                    Datum::opt_lsn(s.restart_lsn),
                    Datum::opt_lsn(l.map(|l| l.confirmed_flush)),
                    s.wal_status
                        .map_or(Datum::Null, |w| Datum::Text(w.to_string())),
                    s.safe_wal_size.map_or(Datum::Null, Datum::Int),
                    Datum::Bool(false),
                ]
            })
            .collect();
        Relation {
            columns: vec![
                "slot_name",
                "plugin",
                "slot_type",
                "datoid",
                "database",
                "temporary",
                "active",
                "active_pid",
                "xmin",
                "catalog_xmin",
                "restart_lsn",
                "confirmed_flush_lsn",
                "wal_status",
                "safe_wal_size",
                "two_phase",
            ],
            rows,
        }
    }

    /// `pg_stat_activity`: client backends, walsenders and the background processes.
    pub fn stat_activity_relation(&self, h: HostId) -> Relation {
        let columns = vec![
            "datid",
            "datname",
            "pid",
            "leader_pid",
            "usesysid",
            "usename",
            "application_name",
            "client_addr",
            "client_hostname",
            "client_port",
            "backend_start",
            "xact_start",
            "query_start",
            "state_change",
            "wait_event_type",
            "wait_event",
            "state",
            "backend_xid",
            "backend_xmin",
            "query_id",
            "query",
            "backend_type",
        ];
        let Some(server) = self.server(h) else {
            return Relation {
                columns,
                rows: Vec::new(),
            };
        };
        let mut rows = Vec::new();
        let bg = |pid: u32, wait_type: &str, wait: &str, kind: &str, started: SimTime| {
            vec![
                Datum::Null,
                Datum::Null,
                Datum::Int(pid as i64),
                Datum::Null,
                Datum::Null,
                Datum::Null,
                Datum::Text(String::new()),
                Datum::Null,
                Datum::Null,
                Datum::Null,
                Datum::Timestamp(started),
                Datum::Null,
                Datum::Null,
                Datum::Null,
                Datum::Text(wait_type.to_string()),
                Datum::Text(wait.to_string()),
                Datum::Null,
                Datum::Null,
                Datum::Null,
                Datum::Null,
                Datum::Text(String::new()),
                Datum::Text(kind.to_string()),
            ]
        };
        for s in server.sessions.iter().filter(|s| !s.closed) {
            let (state, wt, we) = match &s.waiting {
                Some(_) => (
                    "active",
                    Datum::Text("IPC".into()),
                    Datum::Text("SyncRep".into()),
                ),
                None if s.running => ("active", Datum::Null, Datum::Null),
                None => (
                    "idle",
                    Datum::Text("Client".into()),
                    Datum::Text("ClientRead".into()),
                ),
            };
            let query = s
                .waiting
                .as_ref()
                .map_or(s.last_query.clone(), |w| w.query.clone());
            let since = match &s.waiting {
                Some(w) => Some(w.since),
                None => s.running.then_some(self.now),
            };
            rows.push(vec![
                Datum::Int(5),
                Datum::Text("postgres".into()),
                Datum::Int(s.pid as i64),
                Datum::Null,
                Datum::Int(10),
                Datum::Text("postgres".into()),
                Datum::Text(match s.set.get("application_name") {
                    Some(super::conf::Parsed::Text(a)) => a.clone(),
                    _ => String::new(),
                }),
                // The lab's applications connect over TCP from the application server.
                match s.app {
                    Some(_) => Datum::Text(addr_text(super::libpq::APP_SERVER_ADDR)),
                    None => Datum::Null,
                },
                Datum::Null,
                Datum::Int(if s.app.is_some() {
                    s.client_port as i64
                } else {
                    -1
                }),
                Datum::Timestamp(s.backend_start),
                Datum::opt_time(since),
                Datum::opt_time(since),
                Datum::opt_time(since),
                wt,
                we,
                Datum::Text(state.into()),
                Datum::Null,
                Datum::Null,
                Datum::Null,
                Datum::Text(query),
                Datum::Text("client backend".into()),
            ]);
        }
        for w in &server.senders {
            let mut row = bg(
                w.pid,
                "Activity",
                "WalSenderMain",
                "walsender",
                w.backend_start,
            );
            row[4] = Datum::Int(self.role_oid(h, &w.user));
            row[5] = Datum::Text(w.user.clone());
            row[6] = Datum::Text(w.application_name.clone());
            row[7] = Datum::Text(self.host(w.peer).addr_text());
            row[9] = Datum::Int(w.client_port as i64);
            row[16] = Datum::Text("active".into());
            rows.push(row);
        }
        if server.standby {
            rows.push(bg(
                server.startup_pid,
                "Activity",
                "RecoveryWalStream",
                "startup",
                server.started,
            ));
            if let Some(r) = &server.receiver {
                rows.push(bg(
                    r.pid,
                    "Activity",
                    "WalReceiverMain",
                    "walreceiver",
                    server.started,
                ));
            }
        }
        let cp = server.checkpointer_pid;
        let checkpointer = bg(
            cp,
            "Activity",
            "CheckpointerMain",
            "checkpointer",
            server.started,
        );
        let bgwriter = bg(
            cp.saturating_add(1),
            "Activity",
            "BgWriterMain",
            "background writer",
            server.started,
        );
        if !server.standby {
            // A primary lists its launchers first and the background writer before the
            // checkpointer (PostgreSQL 15.18's pg_stat_activity).
            let mut launchers = vec![
                bg(
                    cp.saturating_add(3),
                    "Activity",
                    "AutoVacuumMain",
                    "autovacuum launcher",
                    server.started,
                ),
                bg(
                    cp.saturating_add(4),
                    "Activity",
                    "LogicalLauncherMain",
                    "logical replication launcher",
                    server.started,
                ),
            ];
            launchers[1][4] = Datum::Int(10);
            launchers[1][5] = Datum::Text("postgres".into());
            rows.splice(0..0, launchers);
            rows.push(bgwriter);
            rows.push(checkpointer);
        } else {
            rows.push(checkpointer);
            rows.push(bgwriter);
        }
        if !server.standby {
            rows.push(bg(
                cp.saturating_add(2),
                "Activity",
                "WalWriterMain",
                "walwriter",
                server.started,
            ));
        }
        Relation { columns, rows }
    }
}

impl Cluster {
    /// A fingerprint of everything a user can observe: time, every node's positions
    /// and state, the replication views, slots and table contents. Two clusters with
    /// the same fingerprint show the same screen; replaying a script must reproduce it.
    pub fn fingerprint(&self) -> u64 {
        let mut text = format!("{:?}", self.now);
        for i in 0..self.hosts.len() {
            let h = HostId(i);
            text.push_str(&format!(
                "{:?}{:?}{:?}{:?}",
                self.node(h),
                self.stat_replication(h),
                self.stat_wal_receiver(h),
                self.replication_slots(h)
            ));
            if let Some(d) = self.data(h) {
                text.push_str(&format!("{:?}", d.db.tables));
            }
            if let Some(f) = self
                .host(h)
                .files
                .get(&format!("{PGDATA}/log/postgresql.log"))
            {
                text.push_str(f);
            }
        }
        // FNV-1a: small, stable across platforms and versions.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash
    }
}

fn addr_text(a: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}
