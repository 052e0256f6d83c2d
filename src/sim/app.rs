//! The lab's applications (`lab$ app add`): clients on the application server
//! (10.0.0.100) that write to a primary, read from a primary or a standby, or both,
//! through a libpq connection string, as a libpq-based application with a retry loop
//! does. Each one is a client backend on the server it reached (in pg_stat_activity
//! with its application_name) and counts what it sees.
//!
//! A write inserts a row `(app, n)` into the table `app_writes` (which the first
//! writer to reach a primary creates), under the server's synchronous_commit: the
//! write is acknowledged when the commit returns, so a commit waiting for a synchronous
//! standby holds the application, as it holds psql. A read looks for the newest row of
//! each writer; it is stale when the server lacks a write already acknowledged to an
//! application (read-your-writes, which an asynchronous standby does not give).
//!
//! The retry loop: a lost connection or a refused attempt fails the operation in hand
//! (with libpq's or the server's error) and the application tries again after
//! [`RETRY_DELAY`], walking its host list from the start; an error saying the server is
//! read-only makes a writer look for the primary again the same way.
//!
//! Simplified, on purpose: the application server is not a host of the lab (links to it
//! have no latency and cannot be cut), an operation takes no time, and an attempt's
//! connect_timeout is not waited out (see `libpq.rs`).

use std::sync::Arc;

use super::client::{App, AppConn, AppCounters, AppKind};
use super::cluster::Cluster;
use super::conninfo::ConnInfo;
use super::db::{Change, Column, ColumnKind, Value, FIRST_NORMAL_OID};
use super::event::{Event, EventKind};
use super::libpq::Client;
use super::proc::Session;
use super::time::SimDuration;
use super::wal;
use super::xlog::WriteOutcome;

/// The most applications a lab holds.
pub const MAX_APPS: usize = 16;
/// The fastest an application works, in operations per second.
pub const MAX_APP_RATE: u32 = 100;
/// How long an application waits before it tries to connect again.
pub const RETRY_DELAY: SimDuration = SimDuration::from_secs(1);
/// The table writers insert into.
pub const APP_TABLE: &str = "app_writes";
/// The most connection changes an application remembers (for the stage and chart).
const MAX_HISTORY: usize = 256;
/// The most rows a server keeps (walscope's limit for SQL too).
const MAX_ROWS: usize = 500_000;

/// libpq's text when the server went away under a connection.
pub const CONNECTION_LOST: &str = "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.";

/// The start of an application's write, as it sends it (`n` and `)` follow): the
/// acknowledged commits remember the statement, and this finds the application's own.
pub fn write_prefix(name: &str) -> String {
    format!("INSERT INTO {APP_TABLE} (app, n) VALUES ('{name}', ")
}

impl Cluster {
    /// The lab's applications, in the order they were added.
    pub fn apps(&self) -> &[App] {
        &self.apps
    }

    /// Adds an application and starts it at once. Errors are walscope's (`lab:` is
    /// added by the caller) or libpq's for a connection string it cannot read.
    pub fn add_app(
        &mut self,
        name: &str,
        conninfo: &str,
        rate: u32,
        kind: AppKind,
    ) -> Result<(), String> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(format!(
                "invalid application name \"{name}\": use 1 to 63 letters, digits, '-' and '_'"
            ));
        }
        if self.apps.iter().any(|a| a.name == name) {
            return Err(format!("application \"{name}\" already exists"));
        }
        if self.apps.len() >= MAX_APPS {
            return Err(format!("a lab holds at most {MAX_APPS} applications"));
        }
        if !(1..=MAX_APP_RATE).contains(&rate) {
            return Err(format!(
                "an application runs 1 to {MAX_APP_RATE} operations per second"
            ));
        }
        let mut options = super::conninfo::parse(conninfo)?;
        // libpq names the application by fallback_application_name when it is not given.
        options
            .entry("application_name".to_string())
            .or_insert_with(|| name.to_string());
        let info = ConnInfo::from_options(options)?;
        self.next_app_id += 1;
        let id = self.next_app_id;
        self.apps.push(App {
            id,
            name: name.to_string(),
            conninfo: conninfo.to_string(),
            info,
            rate,
            kind,
            conn: None,
            counters: AppCounters::default(),
            last_error: None,
            acked: 0,
            acked_writes: Vec::new(),
            pending: None,
            next_n: 1,
            ops: 0,
            retry_at: self.now,
            history: Vec::new(),
        });
        self.schedule(self.now, Event::AppTick(id));
        Ok(())
    }

    /// Stops and removes an application; its backend goes away.
    pub fn remove_app(&mut self, name: &str) -> Result<(), String> {
        let i = self
            .apps
            .iter()
            .position(|a| a.name == name)
            .ok_or_else(|| format!("no application named \"{name}\""))?;
        self.disconnect_app(i, None);
        self.apps.remove(i);
        Ok(())
    }

    fn app_index(&self, id: u64) -> Option<usize> {
        self.apps.iter().position(|a| a.id == id)
    }

    /// One operation of application `id`, then the next tick.
    pub fn app_tick(&mut self, id: u64) {
        let Some(i) = self.app_index(id) else {
            return;
        };
        self.app_step(i);
        let Some(app) = self.apps.get(i) else { return };
        // Requests do not come like clockwork: the gap is the rate's, give or take half.
        let every = 1_000_000 / u64::from(app.rate.max(1));
        let gap = self.rng.range(every / 2, every + every / 2).max(1);
        self.schedule(self.now + SimDuration(gap), Event::AppTick(id));
    }

    fn app_step(&mut self, i: usize) {
        // A connection whose server stopped or restarted is gone.
        if let Some(conn) = self.apps[i].conn.clone() {
            let alive = self.host(conn.server).epoch == conn.epoch
                && self
                    .server(conn.server)
                    .is_some_and(|s| s.sessions.get(conn.session).is_some());
            if !alive {
                if self.apps[i].pending.take().is_some() || self.apps[i].kind.writes() {
                    self.apps[i].counters.writes_failed += 1;
                } else {
                    self.apps[i].counters.reads_failed += 1;
                }
                self.app_error(i, CONNECTION_LOST.to_string());
                self.disconnect_app(i, Some(RETRY_DELAY));
                return;
            }
            // A write waiting for synchronous standbys holds the application.
            if let Some(n) = self.apps[i].pending {
                let waiting = self
                    .server(conn.server)
                    .and_then(|s| s.sessions.get(conn.session))
                    .is_some_and(|s| s.waiting.is_some());
                if waiting {
                    return;
                }
                if n > 0 {
                    self.app_acked(i, n);
                } else {
                    // Its CREATE TABLE returned; the first insert comes next.
                    self.apps[i].pending = None;
                }
            }
        }
        if self.apps[i].conn.is_none() {
            if self.now < self.apps[i].retry_at {
                return;
            }
            if let Err(e) = self.connect_app(i) {
                if self.next_op_writes(i) {
                    self.apps[i].counters.writes_failed += 1;
                } else {
                    self.apps[i].counters.reads_failed += 1;
                }
                self.apps[i].ops += 1;
                self.app_error(i, e);
                self.apps[i].retry_at = self.now + RETRY_DELAY;
                return;
            }
        }
        let write = self.next_op_writes(i);
        self.apps[i].ops += 1;
        if write {
            self.app_write(i);
        } else {
            self.app_read(i);
        }
    }

    fn next_op_writes(&self, i: usize) -> bool {
        match self.apps[i].kind {
            AppKind::Writer => true,
            AppKind::Reader => false,
            AppKind::Both => self.apps[i].ops.is_multiple_of(2),
        }
    }

    fn app_error(&mut self, i: usize, text: String) {
        self.apps[i].last_error = Some((self.now, text));
    }

    fn app_acked(&mut self, i: usize, n: u64) {
        let app = &mut self.apps[i];
        app.pending = None;
        app.counters.writes_acked += 1;
        app.acked = app.acked.max(n);
        app.acked_writes.push(n);
    }

    /// Walks the host list; on success the application has a backend on the server.
    fn connect_app(&mut self, i: usize) -> Result<(), String> {
        let info = self.apps[i].info.clone();
        let reached = self.libpq_connect(Client::AppServer, &info, "postgres", false)?;
        let server = reached.server;
        let name = self.apps[i].name.clone();
        let app_name = info.get("application_name").unwrap_or(&name).to_string();
        let pid = self.pid(server);
        let port = self.rng.range(32768, 60999) as u16;
        let now = self.now;
        let session = Session {
            pid,
            backend_start: now,
            client_port: port,
            set: crate::map::Map::from_sorted_store_unchecked(vec![(
                "application_name",
                super::conf::Parsed::Text(app_name),
            )]),
            waiting: None,
            last_query: String::new(),
            running: false,
            app: Some(name.clone()),
            closed: false,
            sequence_values: Default::default(),
            last_sequence: None,
        };
        let Some(srv) = self.server_mut(server) else {
            return Err(CONNECTION_LOST.to_string());
        };
        // A backend this application left on this server is reused (pids aside).
        let slot = srv
            .sessions
            .iter()
            .position(|s| s.closed && s.app.as_deref() == Some(name.as_str()));
        let index = match slot {
            Some(k) => {
                srv.sessions[k] = session;
                k
            }
            None => {
                srv.sessions.push(session);
                srv.sessions.len() - 1
            }
        };
        let epoch = self.host(server).epoch;
        let app = &mut self.apps[i];
        app.conn = Some(AppConn {
            server,
            host: reached.host.clone(),
            port: reached.port,
            session: index,
            epoch,
            since: now,
        });
        app.counters.connects += 1;
        if app.history.len() >= MAX_HISTORY {
            app.history.remove(0);
        }
        app.history.push((now, Some(server)));
        let host_name = self.host(server).name.clone();
        self.note(
            server,
            EventKind::Connected,
            format!("application {name} connected to {host_name}"),
            "A libpq client walks its host list in order and settles for the first server target_session_attrs accepts.",
        );
        Ok(())
    }

    /// Closes the application's connection; with `retry`, it tries again after it.
    fn disconnect_app(&mut self, i: usize, retry: Option<SimDuration>) {
        let Some(conn) = self.apps[i].conn.take() else {
            return;
        };
        if self.host(conn.server).epoch == conn.epoch {
            if let Some(s) = self
                .server_mut(conn.server)
                .and_then(|s| s.sessions.get_mut(conn.session))
            {
                s.closed = true;
                s.waiting = None;
            }
        }
        let now = self.now;
        let app = &mut self.apps[i];
        app.pending = None;
        if let Some(d) = retry {
            app.retry_at = now + d;
        }
        if app.history.len() >= MAX_HISTORY {
            app.history.remove(0);
        }
        app.history.push((now, None));
    }

    fn app_write(&mut self, i: usize) {
        let Some(conn) = self.apps[i].conn.clone() else {
            return;
        };
        let h = conn.server;
        let name = self.apps[i].name.clone();
        let n = self.apps[i].next_n;
        let query = format!("{}{n})", write_prefix(&name));
        self.set_app_query(&conn, &query);
        let standby = self.server(h).is_none_or(|s| s.standby);
        if standby {
            self.apps[i].counters.writes_failed += 1;
            self.app_error(
                i,
                "ERROR:  cannot execute INSERT in a read-only transaction".to_string(),
            );
            // Written for a primary: look for it again.
            self.disconnect_app(i, Some(RETRY_DELAY));
            return;
        }
        let (rows, has_table) = self.data(h).map_or((0, false), |d| {
            (
                d.db.tables.values().map(|t| t.rows.len()).sum::<usize>(),
                d.db.tables.contains_key(APP_TABLE),
            )
        });
        if rows >= MAX_ROWS {
            self.apps[i].counters.writes_failed += 1;
            self.app_error(i, format!("ERROR:  out of memory\nDETAIL:  walscope keeps at most {MAX_ROWS} rows per server."));
            return;
        }
        if !has_table {
            // The application's schema, created as its first write needs it.
            let columns = vec![
                Column {
                    name: "app".into(),
                    type_name: "text".into(),
                    kind: ColumnKind::Text,
                    not_null: false,
                    primary_key: false,
                    unique: false,
                    default: None,
                },
                Column {
                    name: "n".into(),
                    type_name: "bigint".into(),
                    kind: ColumnKind::Int,
                    not_null: false,
                    primary_key: false,
                    unique: false,
                    default: None,
                },
            ];
            let relfilenode = self.data(h).map_or(FIRST_NORMAL_OID, |d| d.db.next_oid);
            let create = Change::CreateTable {
                name: APP_TABLE.to_string(),
                columns,
                relfilenode,
                unique_keys: vec![],
            };
            let ddl = format!("CREATE TABLE IF NOT EXISTS {APP_TABLE} (app text, n bigint)");
            if self.commit_changes(
                h,
                conn.session,
                vec![(wal::CREATE_TABLE_RECORD + wal::CREATE_TABLE_TOAST, create)],
                "CREATE TABLE",
                &ddl,
            ) == WriteOutcome::Waiting
            {
                // Its commit waits like any other; the insert comes on a later tick.
                self.apps[i].pending = Some(0);
                return;
            }
        }
        let row: Arc<[Value]> = Arc::from(vec![
            Value::Text(Arc::from(name.as_str())),
            Value::Int(n as i64),
        ]);
        let size = wal::align8(wal::INSERT_BASE + super::db::tuple_data_bytes(&row));
        let id = self.data_mut(h).map_or(1, |d| d.db.allocate_tuples(1));
        let change = Change::Insert {
            table: APP_TABLE.to_string(),
            rows: vec![(id, row)],
        };
        self.apps[i].next_n += 1;
        self.apps[i].counters.writes_committed += 1;
        match self.commit_changes(h, conn.session, vec![(size, change)], "INSERT 0 1", &query) {
            WriteOutcome::Done => self.app_acked(i, n),
            WriteOutcome::Waiting => self.apps[i].pending = Some(n),
            // The disk under pg_wal is full: the server PANICs and the write is lost
            // with the connection.
            WriteOutcome::Panicked(text) => {
                let c = &mut self.apps[i].counters;
                c.writes_committed = c.writes_committed.saturating_sub(1);
                c.writes_failed += 1;
                self.app_error(i, text.trim_end().to_string());
            }
        }
    }

    fn app_read(&mut self, i: usize) {
        let Some(conn) = self.apps[i].conn.clone() else {
            return;
        };
        let h = conn.server;
        let query = format!("SELECT app, max(n) FROM {APP_TABLE} GROUP BY app");
        self.set_app_query(&conn, &query);
        let Some(table) = self.data(h).and_then(|d| d.db.tables.get(APP_TABLE)) else {
            self.apps[i].counters.reads_failed += 1;
            self.app_error(
                i,
                format!("ERROR:  relation \"{APP_TABLE}\" does not exist"),
            );
            return;
        };
        // Stale: some application's acknowledged write is not here.
        let stale = self.apps.iter().filter(|w| w.acked > 0).any(|w| {
            // Rows are inserted in order: the first of w's from the end is its newest.
            let newest =
                table
                    .rows
                    .values()
                    .rev()
                    .find_map(|row| match (row.first(), row.get(1)) {
                        (Some(Value::Text(a)), Some(Value::Int(n))) if **a == *w.name => Some(*n),
                        _ => None,
                    });
            newest.is_none_or(|n| n < w.acked as i64)
        });
        let c = &mut self.apps[i].counters;
        c.reads += 1;
        if stale {
            c.stale_reads += 1;
        }
    }

    fn set_app_query(&mut self, conn: &AppConn, query: &str) {
        if let Some(s) = self
            .server_mut(conn.server)
            .and_then(|s| s.sessions.get_mut(conn.session))
        {
            s.last_query = query.to_string();
        }
    }
}

#[cfg(test)]
mod tests;
