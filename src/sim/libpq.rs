//! libpq's connection loop (PQconnectPoll in fe-connect.c): walk the host list in
//! order, one attempt per host, keep a line of error text for each host that failed,
//! and settle for the first server `target_session_attrs` accepts (`prefer-standby`
//! walks the list a second time for any server when it found no standby).
//!
//! Simplified, on purpose: an attempt takes no virtual time here (a host that does not
//! answer fails at once, with the line libpq prints when connect_timeout or the kernel
//! gives up); a host name resolves to one address (`localhost` is 127.0.0.1 only);
//! connections over the local socket are trusted as initdb's pg_hba.conf does.

use super::cluster::Cluster;
use super::conninfo::{self, server_at, socket_at, ConnInfo, TargetSessionAttrs};
use super::event::HostId;
use super::replication::ConnectAttempt;

/// The address of the machine the lab's applications run on.
pub const APP_SERVER_ADDR: [u8; 4] = [10, 0, 0, 100];

/// Who connects: a host of the lab (psql in its shell, its walreceiver) or the
/// application server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    Host(HostId),
    AppServer,
}

/// The server a connection reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reached {
    pub server: HostId,
    /// The host as the connection string named it, and the port.
    pub host: String,
    pub port: u16,
    /// The user it logged in as.
    pub user: String,
    /// Over the local socket.
    pub local: bool,
}

impl Cluster {
    /// Connects as libpq would: every host of `info` in order until one accepts and
    /// suits `target_session_attrs`. The error is every line libpq collected, one per
    /// host tried, joined by newlines (psql prints it after `psql: error: `).
    /// `default_user` is the user when the string names none (the OS user).
    pub fn libpq_connect(
        &mut self,
        client: Client,
        info: &ConnInfo,
        default_user: &str,
        replication: bool,
    ) -> Result<Reached, String> {
        let user = info.get("user").unwrap_or(default_user).to_string();
        let database = info
            .get("dbname")
            .filter(|d| !d.is_empty())
            .unwrap_or(&user)
            .to_string();
        let timeout = match info.connect_timeout() {
            Ok(t) => t,
            Err(e) => {
                let first = &info.hosts[0];
                let port = first
                    .port_number()
                    .ok()
                    .and_then(Result::ok)
                    .unwrap_or(5432);
                let prefix = if first.host.is_empty() {
                    socket_at(port)
                } else {
                    let addr = self
                        .resolve(&first.host)
                        .map_or(first.host.clone(), addr_text);
                    server_at(&first.host, &addr, port)
                };
                return Err(format!("{prefix} failed: {e}"));
            }
        };
        let mut lines: Vec<String> = Vec::new();
        let passes: &[TargetSessionAttrs] = if info.target == TargetSessionAttrs::PreferStandby {
            &[TargetSessionAttrs::PreferStandby, TargetSessionAttrs::Any]
        } else {
            std::slice::from_ref(&info.target)
        };
        for &target in passes {
            for spec in &info.hosts {
                let port = match spec.port_number() {
                    Ok(Ok(p)) => p,
                    Ok(Err(line)) => {
                        lines.push(line);
                        continue;
                    }
                    Err(fatal) => {
                        lines.push(fatal);
                        return Err(lines.join("\n"));
                    }
                };
                let attempt = Attempt {
                    client,
                    host: &spec.host,
                    port,
                    user: &user,
                    database: &database,
                    password: info.get("password"),
                    replication,
                    timeout,
                };
                match self.attempt(&attempt, target) {
                    Ok(server) => {
                        return Ok(Reached {
                            server,
                            host: spec.host.clone(),
                            port,
                            user,
                            local: spec.host.is_empty() || spec.host.starts_with('/'),
                        })
                    }
                    Err(line) => lines.push(line),
                }
            }
        }
        Err(lines.join("\n"))
    }

    /// One host: reach it, log in, check the target. The error is libpq's text for it;
    /// a server that refused the login has logged its FATAL (and DETAIL).
    fn attempt(&mut self, a: &Attempt, target: TargetSessionAttrs) -> Result<HostId, String> {
        if a.host.is_empty() || a.host.starts_with('/') {
            return match (self.attempt_socket(a, target), a.client) {
                (Err(e), Client::Host(h)) => Err(self.log_refusal(h, e.into())),
                (r, _) => r,
            };
        }
        let Some(addr) = self.resolve(a.host) else {
            return Err(conninfo::unknown_host(a.host));
        };
        let loopback = addr[0] == 127;
        let addr_s = addr_text(addr);
        let server = match (loopback, a.client) {
            (true, Client::Host(h)) => h,
            (true, Client::AppServer) => {
                return Err(conninfo::connection_refused(a.host, &addr_s, a.port))
            }
            (false, _) => match self.host_by_addr(addr) {
                Some(h) => h,
                None => return Err(conninfo::no_answer(a.host, &addr_s, a.port, a.timeout)),
            },
        };
        if let Client::Host(c) = a.client {
            if c != server && self.link(c, server).partitioned {
                return Err(conninfo::no_answer(a.host, &addr_s, a.port, a.timeout));
            }
        }
        let password = a
            .password
            .map(str::to_string)
            .or_else(|| self.pgpass_for(a, addr_s.as_str()));
        let check = ConnectAttempt {
            client: match a.client {
                Client::Host(h) => h,
                Client::AppServer => server,
            },
            host: a.host,
            user: a.user,
            password: password.as_deref(),
            replication: a.replication,
            database: a.database,
            port: a.port,
        };
        let app_addr = (a.client == Client::AppServer).then_some(APP_SERVER_ADDR);
        self.connect_logged(server, &check, app_addr)?;
        let shown = if loopback {
            addr_s
        } else {
            self.host(server).addr_text()
        };
        self.check_target(server, target)
            .map_err(|why| format!("{} failed: {why}", server_at(a.host, &shown, a.port)))?;
        Ok(server)
    }

    /// The local socket in /run/postgresql, on the client's own host.
    fn attempt_socket(&self, a: &Attempt, target: TargetSessionAttrs) -> Result<HostId, String> {
        let prefix = socket_at(a.port);
        let missing = format!("{prefix} failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?");
        let Client::Host(h) = a.client else {
            return Err(missing);
        };
        let Some(srv) = self.server(h) else {
            return Err(missing);
        };
        if srv.settings.int("port") != a.port as i64 {
            return Err(missing);
        }
        if srv.standby && !srv.consistent {
            return Err(format!("{prefix} failed: FATAL:  the database system is not yet accepting connections\nDETAIL:  Consistent recovery state has not been yet reached."));
        }
        if srv.standby && !a.replication && !srv.settings.bool("hot_standby") {
            return Err(format!("{prefix} failed: FATAL:  the database system is not accepting connections\nDETAIL:  Hot standby mode is disabled."));
        }
        let data_dir = self.shared_catalogs_refusal(h).or_else(|| {
            (!a.replication)
                .then(|| self.database_dir_refusal(h, a.database))
                .flatten()
        });
        if let Some(msg) = data_dir {
            return Err(format!("{prefix} failed: FATAL:  {msg}"));
        }
        self.check_target(h, target)
            .map_err(|why| format!("{prefix} failed: {why}"))?;
        Ok(h)
    }

    /// target_session_attrs against a server that let the client in.
    fn check_target(&self, server: HostId, target: TargetSessionAttrs) -> Result<(), &'static str> {
        let Some(srv) = self.server(server) else {
            return Ok(());
        };
        let read_only = srv.standby || srv.settings.bool("default_transaction_read_only");
        match target.refusal(srv.standby, read_only) {
            Some(why) => Err(why),
            None => Ok(()),
        }
    }

    /// `~/.pgpass` on the client host (`host:port:database:user:password`).
    fn pgpass_for(&self, a: &Attempt, _addr: &str) -> Option<String> {
        let Client::Host(client) = a.client else {
            return None;
        };
        let text = self
            .host(client)
            .files
            .get(&format!("{}/.pgpass", super::PGHOME))?;
        let db = if a.replication {
            "replication"
        } else {
            a.database
        };
        let port = a.port.to_string();
        text.lines().find_map(|line| {
            let f: Vec<&str> = line.splitn(5, ':').collect();
            let m = |pat: &str, v: &str| pat == "*" || pat == v;
            (f.len() == 5 && m(f[0], a.host) && m(f[1], &port) && m(f[2], db) && m(f[3], a.user))
                .then(|| f[4].to_string())
        })
    }
}

/// One host's attempt.
struct Attempt<'a> {
    client: Client,
    host: &'a str,
    port: u16,
    user: &'a str,
    database: &'a str,
    password: Option<&'a str>,
    replication: bool,
    timeout: Option<u32>,
}

fn addr_text(a: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

#[cfg(test)]
mod tests;
