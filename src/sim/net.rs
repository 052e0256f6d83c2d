//! Links between hosts: latency, bandwidth and partitions.
//!
//! Each link carries messages in both directions, each direction first-in first-out:
//! a message occupies its direction for `bytes / bandwidth` and arrives `latency`
//! after it is fully sent. While a link is partitioned, messages are held (like TCP
//! retransmitting into the void) and go out in order when it heals.

use crate::map::Map;

use super::event::{HostId, Message};
use super::time::{SimDuration, SimTime};

/// One link's properties and state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// One-way delay.
    pub latency: SimDuration,
    /// Bytes per second in each direction.
    pub bandwidth: u64,
    pub partitioned: bool,
    /// When each direction (lower id to higher, higher to lower) is free again.
    busy_until: [SimTime; 2],
    /// When the last message sent in each direction arrives: a message never overtakes
    /// an earlier one, even when the latency was lowered meanwhile (TCP's order).
    last_arrival: [SimTime; 2],
    /// Messages sent while partitioned: (from, to, message).
    pub held: Vec<(HostId, HostId, Message)>,
}

/// A LAN: 0.5 ms one way, 1 Gbit/s.
impl Default for Link {
    fn default() -> Link {
        Link {
            latency: SimDuration(500),
            bandwidth: 125_000_000,
            partitioned: false,
            busy_until: [SimTime::ZERO; 2],
            last_arrival: [SimTime::ZERO; 2],
            held: Vec::new(),
        }
    }
}

impl Link {
    pub fn info(&self) -> LinkInfo {
        LinkInfo {
            latency: self.latency,
            bandwidth: self.bandwidth,
            partitioned: self.partitioned,
        }
    }

    /// Seconds to move `bytes` through this link (transfer only).
    pub fn transfer_time(&self, bytes: u64) -> SimDuration {
        self.info().transfer_time(bytes)
    }
}

/// What a link is like right now, without the messages it holds (cheap to copy, for
/// drawing and for timing a transfer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkInfo {
    pub latency: SimDuration,
    pub bandwidth: u64,
    pub partitioned: bool,
}

impl LinkInfo {
    /// Seconds to move `bytes` through this link (transfer only).
    pub fn transfer_time(&self, bytes: u64) -> SimDuration {
        SimDuration((bytes as u128 * 1_000_000 / self.bandwidth.max(1) as u128) as u64)
    }
}

/// All links, created on first use with the default properties.
#[derive(Clone, Debug, Default)]
pub struct Net {
    links: Map<(HostId, HostId), Link>,
}

fn key(a: HostId, b: HostId) -> ((HostId, HostId), usize) {
    if a <= b {
        ((a, b), 0)
    } else {
        ((b, a), 1)
    }
}

impl Net {
    pub fn link(&self, a: HostId, b: HostId) -> LinkInfo {
        self.links
            .get(&key(a, b).0)
            .map_or_else(|| Link::default().info(), Link::info)
    }

    pub fn link_mut(&mut self, a: HostId, b: HostId) -> &mut Link {
        self.links.entry(key(a, b).0).or_default()
    }

    /// Puts `bytes` on the wire from `from` to `to` at `now`. Returns when the sender's
    /// side is free again and when the message arrives, or `None` when partitioned.
    pub fn transmit(
        &mut self,
        from: HostId,
        to: HostId,
        bytes: u64,
        now: SimTime,
    ) -> Option<(SimTime, SimTime)> {
        if from == to {
            return Some((now, now));
        }
        let (k, dir) = key(from, to);
        let link = self.links.entry(k).or_default();
        if link.partitioned {
            return None;
        }
        let start = link.busy_until[dir].max(now);
        let done = start + link.transfer_time(bytes);
        link.busy_until[dir] = done;
        let arrive = (done + link.latency).max(link.last_arrival[dir]);
        link.last_arrival[dir] = arrive;
        Some((done, arrive))
    }

    pub fn hold(&mut self, from: HostId, to: HostId, msg: Message) {
        self.link_mut(from, to).held.push((from, to, msg));
    }

    /// The links that differ from the default or are in use, for drawing.
    pub fn links(&self) -> impl Iterator<Item = (&(HostId, HostId), &Link)> {
        self.links.iter()
    }
}
