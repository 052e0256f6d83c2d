//! What the applications' chart plots at one sample time: each application's server,
//! its counters, and how many of its acknowledged writes failovers lost, read from the
//! model as the lag is, so scrubbing back and replaying a link draw the same chart.

use crate::sim::{Cluster, HostId};

/// One application at a sample time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSample {
    /// The application's id (`App::id`), which a removed and re-added name does not
    /// share.
    pub id: u64,
    /// The server it is connected to, `None` while it is not.
    pub server: Option<HostId>,
    pub writes_acked: u64,
    pub writes_failed: u64,
    /// Its acknowledged writes that a promotion lost (the failover reports of
    /// `lab$ lost`, summed).
    pub writes_lost: u64,
}

/// Every application of the lab, now.
pub(super) fn app_samples(c: &Cluster) -> Vec<AppSample> {
    c.apps()
        .iter()
        .map(|a| AppSample {
            id: a.id,
            server: a.server(),
            writes_acked: a.counters.writes_acked,
            writes_failed: a.counters.writes_failed,
            writes_lost: lost_writes(c, &a.name),
        })
        .collect()
}

/// How many of application `name`'s acknowledged writes the failovers the cluster
/// remembers lost.
pub fn lost_writes(c: &Cluster, name: &str) -> u64 {
    c.lost_commits()
        .iter()
        .flat_map(|f| f.apps.iter())
        .filter(|(n, _)| n == name)
        .map(|(_, k)| k)
        .sum()
}

/// How close two failed writes must be to belong to one window: an application tries
/// again every `RETRY_DELAY` (1 s), so failures 1 s apart are one outage.
const SAME_WINDOW_SECS: f64 = 1.5;

/// A stretch of time in which an application's writes failed.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedWindow {
    /// From the last sample before the first failure to the sample of the last one
    /// (virtual seconds).
    pub from: f64,
    pub to: f64,
    /// Writes that failed in it.
    pub writes: u64,
}

/// One application's lane of the applications' chart.
#[derive(Clone, Debug, PartialEq)]
pub struct AppLane {
    pub name: String,
    /// `writer`, `reader` or `both`.
    pub kind: &'static str,
    /// Where it was connected: (from, to, server's name), `None` while it was not.
    pub runs: Vec<(f64, f64, Option<String>)>,
    pub failed: Vec<FailedWindow>,
    /// Promotions that lost some of its acknowledged writes: (when, how many).
    pub lost: Vec<(f64, u64)>,
    /// Its acknowledged writes lost so far, over the whole lab.
    pub lost_total: u64,
}

/// The applications' lanes from the lab's samples taken from `start` (virtual
/// seconds) on; an application removed since has no lane.
pub fn app_lanes(lab: &super::Lab, start: f64) -> Vec<AppLane> {
    let all = lab.samples();
    let from = all.partition_point(|s| s.at.as_secs_f64() < start);
    let samples = &all[from..];
    let c = &lab.runner().cluster;
    c.apps()
        .iter()
        .map(|a| {
            let mut lane = AppLane {
                name: a.name.clone(),
                kind: a.kind.as_str(),
                runs: Vec::new(),
                failed: Vec::new(),
                lost: Vec::new(),
                lost_total: lost_writes(c, &a.name),
            };
            let mut prev: Option<(f64, &AppSample)> = None;
            for s in samples {
                let Some(x) = s.apps.iter().find(|x| x.id == a.id) else {
                    continue;
                };
                let t = s.at.as_secs_f64();
                let server = x.server.map(|h| c.host(h).name.clone());
                match lane.runs.last_mut() {
                    Some(run) if run.2 == server => run.1 = t,
                    _ => lane.runs.push((t, t, server)),
                }
                if let Some((pt, p)) = prev {
                    let failed = x.writes_failed.saturating_sub(p.writes_failed);
                    if failed > 0 {
                        match lane.failed.last_mut() {
                            Some(w) if pt - w.to <= SAME_WINDOW_SECS => {
                                w.to = t;
                                w.writes += failed;
                            }
                            _ => lane.failed.push(FailedWindow {
                                from: pt,
                                to: t,
                                writes: failed,
                            }),
                        }
                    }
                    let lost = x.writes_lost.saturating_sub(p.writes_lost);
                    if lost > 0 {
                        lane.lost.push((t, lost));
                    }
                }
                prev = Some((t, x));
            }
            lane
        })
        .collect()
}
