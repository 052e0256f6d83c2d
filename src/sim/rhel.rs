//! RHEL hosts (`lab$ os rhel`): turning a lab's hosts into RHEL 9 machines, the
//! postgresql unit's journal, and firewalld between hosts. The shell commands that
//! drive these (dnf, systemctl, firewall-cmd ...) are the script layer's.

use super::cluster::Cluster;
use super::datetime::format_log_timestamp;
use super::event::{EventKind, HostId};
use super::os::Rhel;
use super::postmaster::StartError;
use super::{PGDATA, PGHOME};

/// The packages the notes install on the primary, and what they pull in.
pub const SERVER_PACKAGES: [&str; 4] = [
    "postgresql",
    "postgresql-contrib",
    "postgresql-private-libs",
    "postgresql-server",
];

/// The unit's description (`systemctl status`, the journal's Starting/Started lines).
pub const UNIT_DESCRIPTION: &str = "PostgreSQL database server";

impl Cluster {
    /// Whether this lab's hosts are RHEL hosts (`lab$ os rhel`).
    pub fn is_rhel(&self) -> bool {
        self.hosts.first().is_some_and(|h| h.os.is_some())
    }

    /// A host's operating system state, on a RHEL host.
    pub fn os(&self, h: HostId) -> Option<&Rhel> {
        self.host(h).os.as_deref()
    }

    pub fn os_mut(&mut self, h: HostId) -> Option<&mut Rhel> {
        self.host_mut(h).os.as_deref_mut()
    }

    /// `lab$ os rhel`: every host becomes a RHEL 9 host. One with a data directory (the
    /// lab's `primary`) has PostgreSQL installed from the module stream, initialised
    /// and running under systemd, as the class notes assume; any other is bare.
    pub fn set_os_rhel(&mut self) {
        for i in 0..self.hosts.len() {
            let h = HostId(i);
            let mut os = Rhel::bare();
            if self.host(h).data.is_some() {
                for p in SERVER_PACKAGES {
                    os.packages.insert(p.to_string());
                }
                os.enabled.insert("postgresql".to_string());
                self.host_mut(h).os = Some(Box::new(os));
                if self.host(h).server.is_some() {
                    self.journal_started(h);
                }
            } else {
                self.host_mut(h).os = Some(Box::new(os));
                self.make_bare(h);
            }
        }
    }

    /// A host added to a RHEL lab: no PostgreSQL packages, so no postgres home yet.
    pub fn make_bare(&mut self, h: HostId) {
        self.host_mut(h).dirs.remove(PGHOME);
        if self.host(h).os.is_none() {
            self.host_mut(h).os = Some(Box::new(Rhel::bare()));
        }
    }

    /// Whether firewalld on `server` rejects a TCP connection from `client` to `port`
    /// (connections from the host itself go through loopback, which it lets in).
    pub fn firewall_blocks(&self, client: HostId, server: HostId, port: u16) -> bool {
        client != server && self.os(server).is_some_and(|o| o.firewall.blocks(port))
    }

    /// The links a firewall blocks right now, as (standby, primary): a standby whose
    /// primary_conninfo names a host whose firewalld rejects its port. The stage draws
    /// these apart from a partition.
    pub fn firewall_blocked_links(&self) -> Vec<(HostId, HostId)> {
        let mut out = Vec::new();
        if !self.is_rhel() {
            return out;
        }
        for (i, host) in self.hosts.iter().enumerate() {
            let Some(s) = host.server.as_ref().filter(|s| s.standby) else {
                continue;
            };
            let Ok(params) = super::conninfo::parse(&s.settings.text("primary_conninfo")) else {
                continue;
            };
            let port = params
                .get("port")
                .and_then(|p| p.parse().ok())
                .unwrap_or(5432);
            let target = params.get("host").or(params.get("hostaddr"));
            let Some(p) = target
                .and_then(|t| self.resolve(t))
                .and_then(|a| self.host_by_addr(a))
            else {
                continue;
            };
            if self.firewall_blocks(HostId(i), p, port) {
                out.push((HostId(i), p));
            }
        }
        out
    }

    /// Writes a journal line of the postgresql unit.
    pub fn journal(&mut self, h: HostId, ident: &str, message: &str) {
        let now = self.now;
        if let Some(os) = self.os_mut(h) {
            os.journal(now, "postgresql", ident, message);
        }
    }

    /// The journal of a server started by systemd: what the postmaster printed before
    /// its logging collector took over (RHEL's postgresql.conf has
    /// `logging_collector = on`), and systemd's lines around it.
    pub fn journal_started(&mut self, h: HostId) {
        let Some(pid) = self.server(h).map(|s| s.pid) else {
            return;
        };
        let ts = format_log_timestamp(self.now.unix_micros());
        let ident = format!("postmaster[{pid}]");
        self.journal(h, "systemd[1]", &format!("Starting {UNIT_DESCRIPTION}..."));
        self.journal(
            h,
            &ident,
            &format!("{ts} [{pid}] LOG:  redirecting log output to logging collector process"),
        );
        self.journal(
            h,
            &ident,
            &format!("{ts} [{pid}] HINT:  Future log output will appear in directory \"log\"."),
        );
        self.journal(h, "systemd[1]", &format!("Started {UNIT_DESCRIPTION}."));
        let now = self.now;
        if let Some(os) = self.os_mut(h) {
            os.postgresql_failed = None;
            os.postgresql_since = now;
        }
    }

    /// `systemctl start postgresql`: the unit's pre-start check of the data directory,
    /// then the postmaster. Returns whether the unit is running; a failure goes to the
    /// journal (and the unit shows `failed`).
    pub fn start_unit(&mut self, h: HostId) -> bool {
        if self.server(h).is_some() {
            return true;
        }
        let pid = self.pid(h);
        if self.data(h).is_none() {
            // /usr/libexec/postgresql-check-db-dir, the unit's ExecStartPre.
            let ident = format!("postgresql-check-db-dir[{pid}]");
            self.journal(h, "systemd[1]", &format!("Starting {UNIT_DESCRIPTION}..."));
            for line in [
                format!("\"{PGDATA}\" is missing or empty."),
                "Use \"/usr/bin/postgresql-setup --initdb\"".to_string(),
                "to initialize the database cluster.".to_string(),
                "See /usr/share/doc/postgresql/README.rpm-dist for more information.".to_string(),
            ] {
                self.journal(h, &ident, &line);
            }
            self.unit_failed(h, "Control process exited, code=exited, status=1/FAILURE");
            return false;
        }
        if let Some(denial) = self.selinux_data_dir_denial(h) {
            // SELinux: the confined postmaster cannot even stat its configuration file
            // (SelectConfigFiles, on stderr; it exits with status 2).
            self.audit_denial(h, pid, &denial);
            if self.selinux_enforcing(h) {
                self.journal(h, "systemd[1]", &format!("Starting {UNIT_DESCRIPTION}..."));
                self.journal(
                    h,
                    &format!("postmaster[{pid}]"),
                    &format!("postgres: could not access the server configuration file \"{PGDATA}/postgresql.conf\": Permission denied"),
                );
                self.unit_failed(
                    h,
                    "Main process exited, code=exited, status=2/INVALIDARGUMENT",
                );
                let name = self.host(h).name.clone();
                self.note(
                    h,
                    EventKind::Error,
                    format!("{name}: SELinux denied the data directory"),
                    "The server systemd starts may use only files labelled postgresql_db_t: add a file-context rule with semanage fcontext, then restorecon the directory. /var/log/audit/audit.log has the denial.",
                );
                return false;
            }
        }
        match self.start_as(h, true) {
            Ok(()) => {
                self.journal_started(h);
                true
            }
            Err(StartError::AlreadyRunning) => true,
            Err(StartError::NoDataDirectory) => false,
            Err(StartError::Failed(stderr)) => {
                self.journal(h, "systemd[1]", &format!("Starting {UNIT_DESCRIPTION}..."));
                let ident = format!("postmaster[{pid}]");
                for line in stderr.lines() {
                    self.journal(h, &ident, line);
                }
                self.unit_failed(h, "Main process exited, code=exited, status=1/FAILURE");
                false
            }
        }
    }

    fn unit_failed(&mut self, h: HostId, how: &str) {
        self.journal(h, "systemd[1]", &format!("postgresql.service: {how}"));
        self.journal(
            h,
            "systemd[1]",
            "postgresql.service: Failed with result 'exit-code'.",
        );
        self.journal(
            h,
            "systemd[1]",
            &format!("Failed to start {UNIT_DESCRIPTION}."),
        );
        let now = self.now;
        if let Some(os) = self.os_mut(h) {
            os.postgresql_failed = Some(now);
            os.postgresql_since = now;
        }
        let name = self.host(h).name.clone();
        self.note(
            h,
            EventKind::Error,
            format!("{name}: postgresql.service failed"),
            "systemd could not start the server: `systemctl status postgresql` and `journalctl -u postgresql` say why.",
        );
    }

    /// `systemctl stop postgresql`: a fast shutdown, and the unit's journal lines.
    pub fn stop_unit(&mut self, h: HostId) {
        let running = self.server(h).is_some();
        if running {
            self.journal(h, "systemd[1]", &format!("Stopping {UNIT_DESCRIPTION}..."));
            self.stop(h, super::postmaster::StopMode::Fast);
            self.journal(
                h,
                "systemd[1]",
                "postgresql.service: Deactivated successfully.",
            );
            self.journal(h, "systemd[1]", &format!("Stopped {UNIT_DESCRIPTION}."));
        }
        let now = self.now;
        if let Some(os) = self.os_mut(h) {
            if running || os.postgresql_failed.is_some() {
                os.postgresql_since = now;
            }
            os.postgresql_failed = None;
        }
    }
}
