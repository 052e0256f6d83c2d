//! The operating system of a RHEL 9 host (`lab$ os rhel`): its installed packages, its
//! systemd units and journal, firewalld's zone, SELinux, and the symbolic links a
//! student makes.
//! A leaf: the commands that change these live in the script layer's shell, and the
//! network consults [`Firewall::blocks`].
//!
//! The layout is Red Hat's own PostgreSQL 15 packages from the `postgresql:15` module
//! stream: binaries in `/usr/bin`, data in `/var/lib/pgsql/data`, unit `postgresql`.

use crate::map::{Map, Set};

use super::time::SimTime;

/// The most rules a zone holds (services plus ports), the most symbolic links a host
/// holds, and the journal lines it keeps: bounds on what a student can type.
pub const MAX_ZONE_RULES: usize = 64;
pub const MAX_LINKS: usize = 256;
pub const MAX_JOURNAL: usize = 2_000;

/// A RHEL 9 host's system state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rhel {
    /// Installed packages by name (`rpm -q`).
    pub packages: Set<String>,
    /// Units enabled to start at boot.
    pub enabled: Set<String>,
    /// The postgresql unit's last start failed (`systemctl status` says failed until
    /// the next start or stop).
    pub postgresql_failed: Option<SimTime>,
    /// When the postgresql unit last changed state (what `Active: ... since` names).
    pub postgresql_since: SimTime,
    /// The journal: (time, unit, identifier with pid, message), oldest first.
    pub journal: Vec<JournalLine>,
    pub firewall: Firewall,
    /// Symbolic links by their path, to their target as given to `ln -s`.
    pub links: Map<String, String>,
    /// SELinux: enforcing, RHEL 9's targeted policy.
    pub selinux: Selinux,
}

/// One journal entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalLine {
    pub at: SimTime,
    /// The unit it belongs to (`journalctl -u`).
    pub unit: String,
    /// `systemd[1]` or `postgres[1234]`.
    pub ident: String,
    pub message: String,
}

impl Rhel {
    /// A freshly installed RHEL 9 host: no PostgreSQL packages, firewalld running.
    pub fn bare() -> Rhel {
        let mut enabled = Set::new();
        enabled.insert("firewalld".to_string());
        Rhel {
            packages: Set::new(),
            enabled,
            postgresql_failed: None,
            postgresql_since: SimTime::ZERO,
            journal: Vec::new(),
            firewall: Firewall::default(),
            links: Map::new(),
            selinux: Default::default(),
        }
    }

    pub fn has(&self, package: &str) -> bool {
        self.packages.contains(package)
    }

    /// Appends a journal line, dropping the oldest past [`MAX_JOURNAL`].
    pub fn journal(&mut self, at: SimTime, unit: &str, ident: &str, message: &str) {
        if self.journal.len() >= MAX_JOURNAL {
            self.journal.remove(0);
        }
        self.journal.push(JournalLine {
            at,
            unit: unit.to_string(),
            ident: ident.to_string(),
            message: message.to_string(),
        });
    }
}

/// A transport protocol of a firewall port rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

/// The services firewalld knows, with the ports they open (a few of
/// /usr/lib/firewalld/services).
pub const SERVICES: [(&str, u16, Proto); 8] = [
    ("cockpit", 9090, Proto::Tcp),
    ("dhcpv6-client", 546, Proto::Udp),
    ("http", 80, Proto::Tcp),
    ("https", 443, Proto::Tcp),
    ("mysql", 3306, Proto::Tcp),
    ("postgresql", 5432, Proto::Tcp),
    ("ssh", 22, Proto::Tcp),
    ("nfs", 2049, Proto::Tcp),
];

/// A firewalld zone's rules (only what `--list-all` shows that walscope uses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub services: Set<String>,
    pub ports: Set<(u16, Proto)>,
}

impl Zone {
    /// RHEL 9's default zone, `public`: ssh, dhcpv6-client and cockpit.
    pub fn public() -> Zone {
        Zone {
            services: ["cockpit", "dhcpv6-client", "ssh"]
                .map(String::from)
                .into_iter()
                .collect(),
            ports: Set::new(),
        }
    }

    /// Whether a TCP connection to `port` is let in.
    pub fn allows_tcp(&self, port: u16) -> bool {
        self.ports.contains(&(port, Proto::Tcp))
            || SERVICES.iter().any(|(name, p, proto)| {
                *p == port && *proto == Proto::Tcp && self.services.contains(*name)
            })
    }

    pub fn rules(&self) -> usize {
        self.services.len() + self.ports.len()
    }
}

/// firewalld: a runtime configuration (what the kernel enforces now) and a permanent
/// one (what `--reload` and a restart load).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Firewall {
    pub running: bool,
    pub runtime: Zone,
    pub permanent: Zone,
}

impl Default for Firewall {
    fn default() -> Firewall {
        Firewall {
            running: true,
            runtime: Zone::public(),
            permanent: Zone::public(),
        }
    }
}

impl Firewall {
    /// Whether a TCP connection from another host to `port` is rejected (firewalld's
    /// default zone rejects with icmp-host-prohibited: the client sees "No route to
    /// host").
    pub fn blocks(&self, port: u16) -> bool {
        self.running && !self.runtime.allows_tcp(port)
    }

    /// `firewall-cmd --reload`: the runtime rules become the permanent ones.
    pub fn reload(&mut self) {
        self.runtime = self.permanent.clone();
    }
}

// ----- SELinux (the policy data; the checks are sim/selinux.rs's) -----

/// The most local port and file-context rules, labelled paths, and audit lines a host
/// keeps: bounds on what a student can type.
pub const MAX_RULES: usize = 64;
pub const MAX_AUDIT_LINES: usize = 1_000;
pub const AUDIT_LOG: &str = "/var/log/audit/audit.log";

/// Port types of the policy, with the tcp ports it labels (a few of RHEL 9's).
pub const PORT_TYPES: [(&str, &[u16]); 5] = [
    ("http_port_t", &[80, 81, 443, 488, 8008, 8009, 8443, 9000]),
    ("mysqld_port_t", &[1186, 3306]),
    ("postgresql_port_t", &[5432, 9898]),
    ("ssh_port_t", &[22]),
    ("unreserved_port_t", &[]),
];

/// File types `semanage fcontext -t` and `chcon -t` accept here.
pub const FILE_TYPES: [&str; 12] = [
    "admin_home_t",
    "bin_t",
    "default_t",
    "etc_t",
    "httpd_sys_content_t",
    "postgresql_db_t",
    "postgresql_log_t",
    "postgresql_var_run_t",
    "tmp_t",
    "user_home_t",
    "usr_t",
    "var_lib_t",
];

/// SELinux's runtime mode (`getenforce`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Enforcing,
    Permissive,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforcing => "Enforcing",
            Mode::Permissive => "Permissive",
        }
    }
}

/// A host's SELinux state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selinux {
    /// The current mode (`setenforce` changes it until the next boot).
    pub mode: Mode,
    /// Local port labels (`semanage port -a`): tcp port to type.
    pub ports: Map<u16, String>,
    /// Local file-context rules (`semanage fcontext -a`): specification to type.
    pub fcontexts: Map<String, String>,
    /// Paths `restorecon` (or `chcon`) labelled: path to type. A path without an entry
    /// has its nearest labelled ancestor's type, else its creation type.
    pub labels: Map<String, String>,
    /// The audit record serial (`audit(TIME:SERIAL)`).
    pub audit_serial: u64,
}

impl Default for Selinux {
    /// RHEL 9's default: enforcing, the targeted policy, no local changes.
    fn default() -> Selinux {
        Selinux {
            mode: Mode::Enforcing,
            ports: Map::new(),
            fcontexts: Map::new(),
            labels: Map::new(),
            audit_serial: 400,
        }
    }
}

fn under(path: &str, dir: &str) -> bool {
    path == dir || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// The system's directories the policy labels, most specific first.
pub const SYSTEM_TYPES: [(&str, &str); 8] = [
    ("/var/lib/pgsql", "postgresql_db_t"),
    ("/var/lib", "var_lib_t"),
    ("/tmp", "tmp_t"),
    ("/root", "admin_home_t"),
    ("/home", "user_home_t"),
    ("/etc", "etc_t"),
    ("/usr/bin", "bin_t"),
    ("/usr", "usr_t"),
];

/// The directory a file-context specification labels (`DIR(/.*)?`, `DIR/.*`, `DIR`).
pub fn spec_dir(spec: &str) -> &str {
    spec.strip_suffix("(/.*)?")
        .or_else(|| spec.strip_suffix("/.*"))
        .unwrap_or(spec)
}

/// The type a path gets when it is created, from its parent (the policy's labels of
/// the system's directories; `mkdir /data` by root under `/` gives `default_t`).
pub fn creation_type(path: &str) -> &'static str {
    if path == "/" {
        return "root_t";
    }
    SYSTEM_TYPES
        .iter()
        .find(|(dir, _)| under(path, dir))
        .map_or("default_t", |(_, t)| t)
}

/// Whether a file-context specification matches `path`: `DIR(/.*)?` (the directory
/// and everything under it), `DIR/.*` (everything under it) or a plain path. Other
/// regular expressions are read as plain paths.
pub fn spec_matches(spec: &str, path: &str) -> bool {
    if let Some(dir) = spec.strip_suffix("(/.*)?") {
        under(path, dir)
    } else if let Some(dir) = spec.strip_suffix("/.*") {
        under(path, dir) && path != dir
    } else {
        spec == path
    }
}

impl Selinux {
    /// The type the policy says `path` should have (`matchpathcon`, what `restorecon`
    /// gives): a local rule first (the longest matching one), then the policy's own.
    pub fn policy_type(&self, path: &str) -> String {
        self.fcontexts
            .iter()
            .filter(|(spec, _)| spec_matches(spec, path))
            .max_by_key(|(spec, _)| spec.len())
            .map_or_else(|| creation_type(path).to_string(), |(_, t)| t.clone())
    }

    /// The type `path` has now.
    pub fn file_type(&self, path: &str) -> String {
        self.labels
            .iter()
            .filter(|(p, _)| under(path, p))
            .max_by_key(|(p, _)| p.len())
            .map_or_else(|| creation_type(path).to_string(), |(_, t)| t.clone())
    }

    /// The full context `ls -Z` prints: a directory a user made keeps the
    /// `unconfined_u` user through relabelling; the system's are `system_u`.
    pub fn context(&self, path: &str) -> String {
        let user = if creation_type(path) == "default_t" {
            "unconfined_u"
        } else {
            "system_u"
        };
        format!("{user}:object_r:{}:s0", self.file_type(path))
    }

    /// The type of tcp `port` (local labels first).
    pub fn port_type(&self, port: u16) -> String {
        if let Some(t) = self.ports.get(&port) {
            return t.clone();
        }
        if let Some((t, _)) = PORT_TYPES.iter().find(|(_, ps)| ps.contains(&port)) {
            return t.to_string();
        }
        match port {
            0..=511 => "reserved_port_t",
            512..=1023 => "hi_reserved_port_t",
            32768..=60999 => "ephemeral_port_t",
            _ => "unreserved_port_t",
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_zone_lets_ssh_in_and_not_postgresql() {
        let mut f = Firewall::default();
        assert!(!f.blocks(22));
        assert!(f.blocks(5432));
        f.permanent.services.insert("postgresql".into());
        assert!(f.blocks(5432), "a permanent rule waits for --reload");
        f.reload();
        assert!(!f.blocks(5432));
        f.runtime.ports.insert((5433, Proto::Tcp));
        f.reload();
        assert!(f.blocks(5433), "a runtime rule is lost on reload");
        f.running = false;
        assert!(!f.blocks(5433));
    }

    #[test]
    fn labels_come_from_restorecon_or_creation() {
        let mut s = Selinux::default();
        assert_eq!(s.file_type("/var/lib/pgsql/data"), "postgresql_db_t");
        assert_eq!(s.file_type("/data/pg"), "default_t");
        assert_eq!(s.context("/data/pg"), "unconfined_u:object_r:default_t:s0");
        s.fcontexts
            .insert("/data/pg(/.*)?".into(), "postgresql_db_t".into());
        assert_eq!(s.file_type("/data/pg"), "default_t", "until restorecon");
        assert_eq!(s.policy_type("/data/pg/base"), "postgresql_db_t");
        assert_eq!(s.policy_type("/data/pgx"), "default_t");
        s.labels.insert("/data/pg".into(), "postgresql_db_t".into());
        assert_eq!(
            s.context("/data/pg/global"),
            "unconfined_u:object_r:postgresql_db_t:s0"
        );
        assert!(spec_matches("/data/pg/.*", "/data/pg/base"));
        assert!(!spec_matches("/data/pg/.*", "/data/pg"));
    }

    #[test]
    fn ports_are_labelled_as_on_rhel_9() {
        let mut s = Selinux::default();
        assert_eq!(s.port_type(5432), "postgresql_port_t");
        assert_eq!(s.port_type(9898), "postgresql_port_t");
        assert_eq!(s.port_type(5433), "unreserved_port_t");
        assert_eq!(s.port_type(543), "hi_reserved_port_t");
        assert_eq!(s.port_type(40000), "ephemeral_port_t");
        s.ports.insert(5433, "postgresql_port_t".into());
        assert_eq!(s.port_type(5433), "postgresql_port_t");
    }
}
