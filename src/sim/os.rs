//! The operating system of a RHEL 9 host (`lab$ os rhel`): its installed packages, its
//! systemd units and journal, firewalld's zone, SELinux, and the symbolic links a
//! student makes.
//! A leaf: the commands that change these live in the script layer's shell, and the
//! network consults [`Firewall::blocks`].
//!
//! The layout is Red Hat's own PostgreSQL 15 packages from the `postgresql:15` module
//! stream: binaries in `/usr/bin`, data in `/var/lib/pgsql/data`, unit `postgresql`.

use std::collections::{BTreeMap, BTreeSet};

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
    pub packages: BTreeSet<String>,
    /// Units enabled to start at boot.
    pub enabled: BTreeSet<String>,
    /// The postgresql unit's last start failed (`systemctl status` says failed until
    /// the next start or stop).
    pub postgresql_failed: Option<SimTime>,
    /// When the postgresql unit last changed state (what `Active: ... since` names).
    pub postgresql_since: SimTime,
    /// The journal: (time, unit, identifier with pid, message), oldest first.
    pub journal: Vec<JournalLine>,
    pub firewall: Firewall,
    /// Symbolic links by their path, to their target as given to `ln -s`.
    pub links: BTreeMap<String, String>,
    /// SELinux: enforcing, RHEL 9's targeted policy.
    pub selinux: super::selinux::Selinux,
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
        let mut enabled = BTreeSet::new();
        enabled.insert("firewalld".to_string());
        Rhel {
            packages: BTreeSet::new(),
            enabled,
            postgresql_failed: None,
            postgresql_since: SimTime::ZERO,
            journal: Vec::new(),
            firewall: Firewall::default(),
            links: BTreeMap::new(),
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
    pub services: BTreeSet<String>,
    pub ports: BTreeSet<(u16, Proto)>,
}

impl Zone {
    /// RHEL 9's default zone, `public`: ssh, dhcpv6-client and cockpit.
    pub fn public() -> Zone {
        Zone {
            services: ["cockpit", "dhcpv6-client", "ssh"]
                .map(String::from)
                .into_iter()
                .collect(),
            ports: BTreeSet::new(),
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
}
