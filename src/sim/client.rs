//! The data of the lab's client applications (`lab$ app add`): what each one is, its
//! connection and its counters. A leaf: what the applications do is in `app.rs`.

use super::conninfo::ConnInfo;
use super::event::HostId;
use super::time::SimTime;

/// What an application does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppKind {
    /// Inserts rows (on a primary).
    Writer,
    /// Reads the newest rows (on whatever server it reached).
    Reader,
    /// Writes and reads in turn on its one connection.
    Both,
}

impl AppKind {
    pub fn parse(text: &str) -> Option<AppKind> {
        Some(match text {
            "writer" => AppKind::Writer,
            "reader" => AppKind::Reader,
            "both" => AppKind::Both,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AppKind::Writer => "writer",
            AppKind::Reader => "reader",
            AppKind::Both => "both",
        }
    }

    pub fn writes(self) -> bool {
        self != AppKind::Reader
    }
}

/// An application's open connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppConn {
    pub server: HostId,
    /// The host as the connection string named it.
    pub host: String,
    pub port: u16,
    /// Its backend among the server's sessions.
    pub session: usize,
    /// The server's incarnation when it connected (a restart ends the connection).
    pub epoch: u64,
    pub since: SimTime,
}

/// What an application counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppCounters {
    /// Writes whose commit returned to the application.
    pub writes_acked: u64,
    /// Writes that got an error (a refused connection, a lost one, a read-only server).
    pub writes_failed: u64,
    /// Writes the server committed (acknowledged or still waiting, or lost with it).
    pub writes_committed: u64,
    pub reads: u64,
    pub reads_failed: u64,
    /// Reads that lacked a write already acknowledged to an application.
    pub stale_reads: u64,
    /// Connections made.
    pub connects: u64,
}

/// A named client application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    pub id: u64,
    pub name: String,
    pub conninfo: String,
    pub info: ConnInfo,
    /// Operations per second.
    pub rate: u32,
    pub kind: AppKind,
    pub conn: Option<AppConn>,
    pub counters: AppCounters,
    /// The last error it got, as libpq or the server worded it, and when.
    pub last_error: Option<(SimTime, String)>,
    /// The `n` of its newest acknowledged write.
    pub acked: u64,
    /// Every acknowledged `n`, in order (for checking that none was lost).
    pub acked_writes: Vec<u64>,
    /// A write whose commit waits for synchronous standbys: its `n`.
    pub pending: Option<u64>,
    pub next_n: u64,
    pub ops: u64,
    pub retry_at: SimTime,
    /// Where it was connected over time: (since, server), `None` while disconnected.
    pub history: Vec<(SimTime, Option<HostId>)>,
}

impl App {
    /// The server it is connected to, if any.
    pub fn server(&self) -> Option<HostId> {
        self.conn.as_ref().map(|c| c.server)
    }
}

/// A name the lab's DNS answers (`lab$ dns NAME NODE [TTL]`), as a class re-points a
/// service name after a failover: clients that resolve it again after the change get
/// the new address once cached answers (`ttl`) have expired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    pub addr: [u8; 4],
    /// The address before the last change, which cached answers still give.
    pub previous: Option<[u8; 4]>,
    pub changed_at: SimTime,
    pub ttl: super::time::SimDuration,
}

impl DnsRecord {
    /// The address a client resolving the name at `now` gets. Simplified: every client's
    /// cache is taken to have been filled just before the change, so each one notices
    /// the new address `ttl` after it.
    pub fn answer(&self, now: SimTime) -> [u8; 4] {
        match self.previous {
            Some(old) if now < self.changed_at + self.ttl => old,
            _ => self.addr,
        }
    }
}
