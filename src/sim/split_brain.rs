//! Split brain: two servers of one cluster that both accept writes. Servers with the
//! same system identifier descend from one `initdb` (the others got their data through
//! pg_basebackup), so two of them running out of recovery are two primaries whose
//! histories diverge: a promoted standby and an old primary started again, typically on
//! different timelines. PostgreSQL itself does not notice; the model does, and says so.

use super::event::{EventKind, HostId};
use super::lsn::TimelineId;
use super::Cluster;

/// One server that accepts writes while another one does too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Writable {
    pub host: HostId,
    pub name: String,
    pub timeline: TimelineId,
    /// The rate of `lab$ workload` writing to it, if one runs.
    pub workload_tps: Option<u32>,
    /// Client sessions connected to it (psql).
    pub sessions: usize,
}

impl Writable {
    /// Who writes to this server, in words: "workload 1000 tps, 1 psql session".
    pub fn clients(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = self.workload_tps.filter(|t| *t > 0) {
            parts.push(format!("workload {t} tps"));
        }
        match self.sessions {
            0 => {}
            1 => parts.push("1 psql session".to_string()),
            n => parts.push(format!("{n} psql sessions")),
        }
        if parts.is_empty() {
            "no client yet".to_string()
        } else {
            parts.join(", ")
        }
    }
}

impl Cluster {
    /// The servers that accept writes, when there are two or more of them (split brain);
    /// empty otherwise.
    pub fn split_brain(&self) -> Vec<Writable> {
        let writable: Vec<(u64, Writable)> = (0..self.hosts.len())
            .map(HostId)
            .filter_map(|h| {
                let s = self.server(h).filter(|s| !s.standby)?;
                let host = self.host(h);
                Some((
                    host.data.as_ref()?.system_id,
                    Writable {
                        host: h,
                        name: host.name.clone(),
                        timeline: host.data.as_ref()?.wal.tli,
                        workload_tps: host.workload.as_ref().map(|w| w.tps),
                        sessions: s.sessions.iter().filter(|x| x.app.is_none()).count(),
                    },
                ))
            })
            .collect();
        // Only servers of one cluster (one system identifier) can diverge: a cluster
        // initdb'd on its own is another database, not another primary.
        writable
            .iter()
            .filter(|(id, _)| writable.iter().filter(|(o, _)| o == id).count() >= 2)
            .map(|(_, w)| w.clone())
            .collect()
    }

    /// Logs split brain when server `h` has just begun to accept writes while another
    /// server does too.
    pub fn note_split_brain(&mut self, h: HostId) {
        let all = self.split_brain();
        if !all.iter().any(|w| w.host == h) {
            return;
        }
        let list: Vec<String> = all
            .iter()
            .map(|w| format!("{} (timeline {})", w.name, w.timeline))
            .collect();
        self.note(
            h,
            EventKind::SplitBrain,
            format!("split brain: {} accept writes", list.join(" and ")),
            "Two primaries of one cluster: each commits changes the other never sees, so their histories diverge; one side's commits are lost when it is made a standby again (pg_rewind or a new base backup).",
        );
    }
}
