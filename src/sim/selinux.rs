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

use super::cluster::Cluster;
use super::event::HostId;
use super::PGDATA;

pub use super::os::{
    creation_type, spec_matches, Mode, Selinux, AUDIT_LOG, FILE_TYPES, MAX_AUDIT_LINES, MAX_RULES,
    PORT_TYPES,
};

/// What the confined server is denied at start.
pub enum Denial {
    /// Binding tcp `port`, of type `port_type`.
    Bind { port: u16, port_type: String },
    /// Its data directory (the real path, after links): the directory's context.
    DataDir { real: String, context: String },
}

impl Cluster {
    pub fn selinux(&self, h: HostId) -> Option<&Selinux> {
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
    pub fn selinux_data_dir_denial(&self, h: HostId) -> Option<Denial> {
        let se = self.selinux(h)?;
        let real = self.real_data_dir(h);
        (se.file_type(&real) != "postgresql_db_t").then(|| Denial::DataDir {
            context: se.context(&real),
            real,
        })
    }

    /// The confined server's bind of tcp `port`: `None` when the port is labelled
    /// `postgresql_port_t`.
    pub fn selinux_bind_denial(&self, h: HostId, port: u16) -> Option<Denial> {
        let t = self.selinux(h)?.port_type(port);
        (t != "postgresql_port_t").then_some(Denial::Bind { port, port_type: t })
    }

    /// Whether SELinux enforces on host `h` (a denial in permissive mode is only logged).
    pub fn selinux_enforcing(&self, h: HostId) -> bool {
        self.selinux(h).is_some_and(|s| s.mode == Mode::Enforcing)
    }

    /// Appends the AVC record of a denial to /var/log/audit/audit.log.
    pub fn audit_denial(&mut self, h: HostId, pid: u32, denial: &Denial) {
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
