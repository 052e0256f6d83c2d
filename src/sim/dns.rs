//! The lab's DNS: names the class points at a node (`lab$ dns NAME NODE [TTL]`), which
//! every client of the lab resolves (psql, primary_conninfo, the applications). The
//! other way to redirect clients is a connection string that lists every server with
//! `target_session_attrs=read-write`.

use super::client::DnsRecord;
use super::cluster::Cluster;
use super::event::{EventKind, HostId};
use super::time::SimDuration;

/// The most names the lab's DNS holds.
pub const MAX_DNS_NAMES: usize = 16;
/// The longest TTL a name may have.
pub const MAX_TTL: SimDuration = SimDuration::from_secs(3600);

impl Cluster {
    /// Points `name` at host `h` (a new name, or a re-point that clients notice once
    /// `ttl` has passed).
    pub fn set_dns(&mut self, name: &str, h: HostId, ttl: SimDuration) -> Result<(), String> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if !valid {
            return Err(format!(
                "invalid name \"{name}\": use letters, digits, '.', '-' and '_'"
            ));
        }
        if self.host_id(name).is_some() {
            return Err(format!("\"{name}\" is a host's own name"));
        }
        if ttl > MAX_TTL {
            return Err(format!("a TTL is at most {MAX_TTL}"));
        }
        if !self.dns.contains_key(name) && self.dns.len() >= MAX_DNS_NAMES {
            return Err(format!("the lab's DNS holds at most {MAX_DNS_NAMES} names"));
        }
        let addr = self.host(h).addr;
        let now = self.now;
        let previous = self.dns.get(name).map(|r| r.answer(now));
        self.dns.insert(
            name.to_string(),
            DnsRecord {
                addr,
                previous: previous.filter(|p| *p != addr),
                changed_at: now,
                ttl,
            },
        );
        let host = self.host(h).name.clone();
        self.note(
            h,
            EventKind::Server,
            format!("DNS: {name} points at {host} ({})", self.host(h).addr_text()),
            "Clients that resolve the name again get the new address once their cached answer (the TTL) expires; open connections stay where they are.",
        );
        Ok(())
    }

    /// The lab's DNS names, sorted: (name, record).
    pub fn dns_records(&self) -> impl Iterator<Item = (&String, &DnsRecord)> {
        self.dns.iter()
    }

    /// What the lab's DNS answers for `name` now.
    pub fn dns_answer(&self, name: &str) -> Option<[u8; 4]> {
        self.dns.get(name).map(|r| r.answer(self.now))
    }
}
