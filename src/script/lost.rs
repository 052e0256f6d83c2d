//! `lab$ lost`: the commits acknowledged to clients that a promoted standby never
//! received, as the model worked them out at each promotion. A teaching aid: no
//! PostgreSQL view shows this, and the output says so.

use crate::sim::acked::{Ack, LostCommits, ACK_CAP};
use crate::sim::Cluster;

/// What `lab$ lost` prints.
pub fn report(c: &Cluster) -> String {
    let mut out = String::from(
        "walscope: commits acknowledged to clients that a promoted standby never received\n(a teaching aid worked out by the model, not a PostgreSQL view)\n",
    );
    let failovers = c.lost_commits();
    if failovers.is_empty() {
        out.push_str("no standby has been promoted yet\n");
        return out;
    }
    for f in failovers {
        out.push('\n');
        out.push_str(&failover(c, f));
    }
    out
}

fn failover(c: &Cluster, f: &LostCommits) -> String {
    let name = |h| c.host(h).name.as_str();
    let mut out = format!(
        "{} promoted at {} (timeline {} -> {}); it had WAL of timeline {} up to {}\n",
        name(f.promoted),
        f.at,
        f.tli,
        f.new_tli,
        f.tli,
        f.flush
    );
    let Some((lo, hi)) = f.range else {
        out.push_str("every commit acknowledged to a client is on the new primary\n");
        return out;
    };
    let more = if f.complete { "" } else { "at least " };
    let from: Vec<&str> = f.from.iter().map(|h| name(*h)).collect();
    out.push_str(&format!(
        "{more}{} not on the new primary ({} commits acknowledged by {}, LSN {lo} .. {hi})\n",
        crate::sim::acked::transactions(f.txns),
        f.commits,
        from.join(", ")
    ));
    if !f.complete {
        out.push_str(&format!(
            "(older acknowledgements were forgotten: walscope remembers the last {ACK_CAP} commits)\n"
        ));
    }
    out.push_str(&format!(
        "  {:<12} {:<10} {:<12} {}\n",
        "acknowledged", "by", "commit LSN", "what"
    ));
    let line = |a: &Ack| {
        format!(
            "  {:<12} {:<10} {:<12} {}\n",
            a.at.to_string(),
            name(a.host),
            a.lsn.to_string(),
            a.describe()
        )
    };
    for a in &f.first {
        out.push_str(&line(a));
    }
    let shown = (f.first.len() + f.last.len()) as u64;
    if f.commits > shown {
        out.push_str(&format!("  ... {} more commits ...\n", f.commits - shown));
    }
    for a in &f.last {
        out.push_str(&line(a));
    }
    out
}
