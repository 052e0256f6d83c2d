//! SELinux on a RHEL 9 host: the targeted policy's mode, the port and file-context
//! labels PostgreSQL meets, the labels `restorecon` gives, and the audit log's AVC
//! denials. The server systemd starts runs confined (`postgresql_t`): it may bind only
//! ports labelled `postgresql_port_t` and use a data directory labelled
//! `postgresql_db_t`. One started with `pg_ctl` from a login shell runs unconfined, as
//! on RHEL, and meets neither rule.
//!
//! Simplified: the policy is the handful of types these checks need (RHEL 9's
//! `semanage port -l` labels tcp 5432 and 9898 `postgresql_port_t`; `/var/lib/pgsql`
//! is `postgresql_db_t`; a directory made elsewhere by root is `default_t`). A path's
//! label is the one `restorecon` last gave it or an ancestor, else the one it was
//! created with; only the data directory (through a symbolic link, if PGDATA is one)
//! is checked, where the real server would be denied on its first file; an AVC line
//! stands alone, without its SYSCALL and PROCTITLE records.

use std::collections::BTreeMap;

use super::cluster::Cluster;
use super::event::HostId;
use super::PGDATA;

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
    pub ports: BTreeMap<u16, String>,
    /// Local file-context rules (`semanage fcontext -a`): specification to type.
    pub fcontexts: BTreeMap<String, String>,
    /// Paths `restorecon` (or `chcon`) labelled: path to type. A path without an entry
    /// has its nearest labelled ancestor's type, else its creation type.
    pub labels: BTreeMap<String, String>,
    /// The audit record serial (`audit(TIME:SERIAL)`).
    pub audit_serial: u64,
}

impl Default for Selinux {
    /// RHEL 9's default: enforcing, the targeted policy, no local changes.
    fn default() -> Selinux {
        Selinux {
            mode: Mode::Enforcing,
            ports: BTreeMap::new(),
            fcontexts: BTreeMap::new(),
            labels: BTreeMap::new(),
            audit_serial: 400,
        }
    }
}

fn under(path: &str, dir: &str) -> bool {
    path == dir || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// The type a path gets when it is created, from its parent (the policy's labels of
/// the system's directories; `mkdir /data` by root under `/` gives `default_t`).
pub fn creation_type(path: &str) -> &'static str {
    const SYSTEM: [(&str, &str); 8] = [
        ("/var/lib/pgsql", "postgresql_db_t"),
        ("/var/lib", "var_lib_t"),
        ("/tmp", "tmp_t"),
        ("/root", "admin_home_t"),
        ("/home", "user_home_t"),
        ("/etc", "etc_t"),
        ("/usr/bin", "bin_t"),
        ("/usr", "usr_t"),
    ];
    SYSTEM
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

/// What the confined server is denied at start.
pub(crate) enum Denial {
    /// Binding tcp `port`, of type `port_type`.
    Bind { port: u16, port_type: String },
    /// Its data directory (the real path, after links): the directory's context.
    DataDir { real: String, context: String },
}

impl Cluster {
    pub(crate) fn selinux(&self, h: HostId) -> Option<&Selinux> {
        self.os(h).map(|o| &o.selinux)
    }

    /// Where PGDATA really is: through the symbolic links `ln -s` made.
    pub fn real_data_dir(&self, h: HostId) -> String {
        let mut p = PGDATA.to_string();
        if let Some(os) = self.os(h) {
            for _ in 0..8 {
                match os.links.get(&p) {
                    Some(to) if to.starts_with('/') => p = to.trim_end_matches('/').to_string(),
                    _ => break,
                }
            }
        }
        p
    }

    /// The confined server's data directory check: `None` when its type is
    /// `postgresql_db_t` or SELinux is not on this host.
    pub(crate) fn selinux_data_dir_denial(&self, h: HostId) -> Option<Denial> {
        let se = self.selinux(h)?;
        let real = self.real_data_dir(h);
        (se.file_type(&real) != "postgresql_db_t").then(|| Denial::DataDir {
            context: se.context(&real),
            real,
        })
    }

    /// The confined server's bind of tcp `port`: `None` when the port is labelled
    /// `postgresql_port_t`.
    pub(crate) fn selinux_bind_denial(&self, h: HostId, port: u16) -> Option<Denial> {
        let t = self.selinux(h)?.port_type(port);
        (t != "postgresql_port_t").then_some(Denial::Bind { port, port_type: t })
    }

    /// Whether SELinux enforces on host `h` (a denial in permissive mode is only logged).
    pub fn selinux_enforcing(&self, h: HostId) -> bool {
        self.selinux(h).is_some_and(|s| s.mode == Mode::Enforcing)
    }

    /// Appends the AVC record of a denial to /var/log/audit/audit.log.
    pub(crate) fn audit_denial(&mut self, h: HostId, pid: u32, denial: &Denial) {
        let now = self.now.unix_micros();
        let permissive = u8::from(!self.selinux_enforcing(h));
        let Some(os) = self.os_mut(h) else {
            return;
        };
        os.selinux.audit_serial += 1;
        let serial = os.selinux.audit_serial;
        let stamp = format!(
            "{}.{:03}:{serial}",
            now / 1_000_000,
            now % 1_000_000 / 1_000
        );
        let what = match denial {
            Denial::Bind { port, port_type } => format!(
                "{{ name_bind }} for  pid={pid} comm=\"postmaster\" src={port} scontext=system_u:system_r:postgresql_t:s0 tcontext=system_u:object_r:{port_type}:s0 tclass=tcp_socket"
            ),
            Denial::DataDir { real, context } => format!(
                "{{ getattr }} for  pid={pid} comm=\"postmaster\" path=\"{real}/postgresql.conf\" dev=\"dm-0\" ino={} scontext=system_u:system_r:postgresql_t:s0 tcontext={context} tclass=file",
                inode(real)
            ),
        };
        let line =
            format!("type=AVC msg=audit({stamp}): avc:  denied  {what} permissive={permissive}\n");
        let log = self
            .host_mut(h)
            .files
            .entry(AUDIT_LOG.to_string())
            .or_default();
        if log.lines().count() >= MAX_AUDIT_LINES {
            let cut = log.find('\n').map_or(log.len(), |i| i + 1);
            log.drain(..cut);
        }
        log.push_str(&line);
    }
}

/// A stable inode number for a path (the audit record names one).
fn inode(path: &str) -> u64 {
    path.bytes()
        .fold(134_000_u64, |h, b| (h * 31 + u64::from(b)) % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

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
