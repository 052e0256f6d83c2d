//! `lab$` commands: the simulation's own controls (hosts, time, faults, workload).

use crate::sim::{AppKind, Cluster, HostId, SimDuration, MAX_APP_RATE, MAX_TIME};

/// The longest one-way latency a link may be given: ten minutes, far past any timeout
/// (`wal_sender_timeout`, `wal_receiver_timeout`) a lesson shows.
pub const MAX_LATENCY: SimDuration = SimDuration::from_secs(600);

/// A lab command, read from its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabCommand {
    NodeAdd(String),
    /// `node rename OLD NEW`.
    NodeRename(String, String),
    Wait(SimDuration),
    Crash(String),
    Partition(String, String),
    Heal(String, String),
    Latency(String, String, SimDuration),
    Bandwidth(String, String, u64),
    Workload(String, u32),
    Seed(u64),
    /// `os rhel`: the lab's hosts are RHEL 9 machines (only on a script's first lines).
    OsRhel,
    Cancel(String),
    /// `app add NAME CONNINFO RATE KIND`: a client application.
    AppAdd {
        name: String,
        conninfo: String,
        rate: u32,
        kind: AppKind,
    },
    /// `app remove NAME`.
    AppRemove(String),
    /// `app list [NAME]`: each application (or the one named), where it is connected
    /// and what it counted.
    AppList(Option<String>),
    /// `dns NAME NODE [TTL]`: point a name of the lab's DNS at a node.
    Dns(String, String, SimDuration),
    /// `dns`: the lab's DNS names.
    DnsList,
    /// `lost`: what each promotion lost (see `script/lost.rs`).
    Lost,
    /// `disk NODE [SIZE]`: shows the data directory's disk, or gives it a size in bytes.
    Disk(String, Option<u64>),
    /// `disk-speed NODE RATE|off`: how fast the data directory's disk writes (bytes a
    /// second), or back to never holding anything up.
    DiskSpeed(String, Option<u64>),
}

const USAGE: &str = "lab commands: node add NAME | node rename OLD NEW | wait DURATION | crash NODE | partition A B | heal A B | latency A B DURATION | bandwidth A B RATE | workload NODE TPS|off | cancel NODE | lost | disk NODE [SIZE] | disk-speed NODE RATE|off | seed N | os rhel | app add NAME 'CONNINFO' RATE writer|reader|both | app remove NAME | app list [NAME] | dns NAME NODE [TTL] | dns";

/// What `lab$ os rhel` says after the first command.
pub const OS_LATE: &str =
    "lab: os can only be set on a script's first lines (after lab$ seed, before any other command)";

/// What `lab$ os rhel` says when it makes the lab's hosts RHEL hosts.
pub const OS_RHEL: &str = "hosts run Red Hat Enterprise Linux 9: PostgreSQL 15 from the postgresql:15 module stream, data in /var/lib/pgsql/data, unit postgresql; firewalld on (zone public)\n";

/// Reads a rate such as `10MB/s`, `500kB/s`, `1Gbit/s` or `100Mbit/s` into bytes per second.
pub fn parse_rate(text: &str) -> Option<u64> {
    let t = text.trim().strip_suffix("/s")?;
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let scale = match unit {
        "B" => 1.0,
        "kB" | "KB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        "kbit" => 125.0,
        "Mbit" => 125_000.0,
        "Gbit" => 125_000_000.0,
        _ => return None,
    };
    let v = n * scale;
    (v.is_finite() && (1.0..=1e12).contains(&v)).then_some(v as u64)
}

/// Reads `app ...`, whose connection string is one shell word (quoted when it holds
/// blanks).
fn parse_app(text: &str) -> Result<LabCommand, String> {
    const APP_USAGE: &str =
        "lab: usage: app add NAME 'CONNINFO' RATE writer|reader|both | app remove NAME | app list [NAME]";
    let words = super::shell::split_words(text).map_err(|e| format!("lab: {e}"))?;
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    Ok(match w.as_slice() {
        ["app", "add", name, conninfo, rate, kind] => {
            let r = rate.strip_suffix("/s").unwrap_or(rate);
            let rate = r
                .parse::<u32>()
                .ok()
                .filter(|r| (1..=MAX_APP_RATE).contains(r))
                .ok_or_else(|| {
                    format!("lab: invalid rate \"{rate}\": give 1 to {MAX_APP_RATE} operations per second")
                })?;
            let kind = AppKind::parse(kind).ok_or_else(|| {
                format!("lab: invalid kind \"{kind}\": use writer, reader or both")
            })?;
            LabCommand::AppAdd {
                name: name.to_string(),
                conninfo: conninfo.to_string(),
                rate,
                kind,
            }
        }
        ["app", "remove", name] => LabCommand::AppRemove(name.to_string()),
        ["app", "list"] => LabCommand::AppList(None),
        ["app", "list", name] => LabCommand::AppList(Some(name.to_string())),
        _ => return Err(APP_USAGE.to_string()),
    })
}

/// Reads a disk size such as `2GB`, `500MB`, `1.5TB` (powers of 1024) into bytes,
/// within what `lab$ disk` gives.
pub fn parse_size(text: &str) -> Result<u64, String> {
    use crate::sim::disk::{MAX_DISK, MIN_DISK};
    let bad = || format!("lab: invalid size \"{text}\" (use 2GB, 500MB or 1TB)");
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let scale: f64 = match unit {
        "MB" | "M" => 1024.0 * 1024.0,
        "GB" | "G" => 1024.0 * 1024.0 * 1024.0,
        "TB" | "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let v = n * scale;
    if !v.is_finite() || v < MIN_DISK as f64 || v > MAX_DISK as f64 {
        return Err("lab: a disk holds 64MB to 64TB".to_string());
    }
    Ok(v as u64)
}

/// Reads a lab command.
pub fn parse(text: &str) -> Result<LabCommand, String> {
    if text.split_whitespace().next() == Some("app") {
        return parse_app(text);
    }
    let w: Vec<&str> = text.split_whitespace().collect();
    let dur = |s: &str| {
        SimDuration::parse(s)
            .ok_or_else(|| format!("lab: invalid duration \"{s}\" (use 250ms, 5s, 2min)"))
    };
    Ok(match w.as_slice() {
        ["node", "add", name] => LabCommand::NodeAdd(name.to_string()),
        ["node", "rename", old, new] => LabCommand::NodeRename(old.to_string(), new.to_string()),
        ["wait", d] => {
            let d = dur(d)?;
            if d > SimDuration(MAX_TIME.0) {
                return Err("lab: wait at most 24h at a time".to_string());
            }
            LabCommand::Wait(d)
        }
        ["crash", n] => LabCommand::Crash(n.to_string()),
        ["partition", a, b] => LabCommand::Partition(a.to_string(), b.to_string()),
        ["heal", a, b] => LabCommand::Heal(a.to_string(), b.to_string()),
        ["latency", a, b, d] => {
            let d = dur(d)?;
            if d > MAX_LATENCY {
                return Err(format!("lab: latency at most {MAX_LATENCY} (one way)"));
            }
            LabCommand::Latency(a.to_string(), b.to_string(), d)
        }
        ["bandwidth", a, b, r] => LabCommand::Bandwidth(
            a.to_string(),
            b.to_string(),
            parse_rate(r).ok_or_else(|| {
                format!("lab: invalid rate \"{r}\" (use 10MB/s, 500kB/s or 100Mbit/s)")
            })?,
        ),
        ["workload", n, "off"] => LabCommand::Workload(n.to_string(), 0),
        ["workload", n, tps] => {
            let tps: u32 = tps.parse().map_err(|_| {
                format!("lab: invalid rate \"{tps}\": give transactions per second or off")
            })?;
            if tps > 100_000 {
                return Err(
                    "lab: the workload runs at most 100000 transactions per second".to_string(),
                );
            }
            LabCommand::Workload(n.to_string(), tps)
        }
        ["seed", n] => LabCommand::Seed(
            n.parse()
                .map_err(|_| format!("lab: invalid seed \"{n}\""))?,
        ),
        ["cancel", n] => LabCommand::Cancel(n.to_string()),
        ["dns"] => LabCommand::DnsList,
        ["dns", name, node] => {
            LabCommand::Dns(name.to_string(), node.to_string(), SimDuration::ZERO)
        }
        ["dns", name, node, ttl] => LabCommand::Dns(name.to_string(), node.to_string(), dur(ttl)?),
        ["lost"] => LabCommand::Lost,
        ["disk-speed", n, "off"] => LabCommand::DiskSpeed(n.to_string(), None),
        ["disk-speed", n, r] => {
            LabCommand::DiskSpeed(
                n.to_string(),
                Some(parse_rate(r).filter(|b| *b > 0).ok_or_else(|| {
                    format!("lab: invalid rate \"{r}\" (use 5MB/s, 500kB/s or off)")
                })?),
            )
        }
        ["disk", n] => LabCommand::Disk(n.to_string(), None),
        ["disk", n, size] => LabCommand::Disk(n.to_string(), Some(parse_size(size)?)),
        ["os", "rhel"] => LabCommand::OsRhel,
        ["os", other] => {
            return Err(format!(
                "lab: unknown operating system \"{}\" (walscope has: rhel)",
                other.chars().take(40).collect::<String>()
            ))
        }
        [] => return Err(USAGE.to_string()),
        [first, ..] => return Err(format!("lab: unknown command \"{first}\"\n{USAGE}")),
    })
}

fn host(c: &Cluster, name: &str) -> Result<HostId, String> {
    c.host_id(name).ok_or_else(|| {
        format!("lab: no host named \"{name}\" (add one with: lab$ node add {name})")
    })
}

fn pair(c: &Cluster, a: &str, b: &str) -> Result<(HostId, HostId), String> {
    let (x, y) = (host(c, a)?, host(c, b)?);
    if x == y {
        return Err("lab: a link joins two different hosts".to_string());
    }
    Ok((x, y))
}

/// Applies a lab command (other than `seed`, which the runner handles). Returns what
/// it prints.
pub fn apply(c: &mut Cluster, cmd: &LabCommand) -> Result<String, String> {
    match cmd {
        LabCommand::NodeAdd(name) => {
            let h = c.add_host(name).map_err(|e| format!("lab: {e}"))?;
            if c.is_rhel() {
                return Ok(format!(
                    "host {name} added ({}): Red Hat Enterprise Linux 9, no PostgreSQL packages yet\n",
                    c.host(h).addr_text()
                ));
            }
            Ok(format!("host {name} added ({}): PostgreSQL 15 installed, no data directory, server stopped\n", c.host(h).addr_text()))
        }
        LabCommand::NodeRename(old, new) => {
            let h = host(c, old)?;
            c.rename_host(h, new).map_err(|e| format!("lab: {e}"))?;
            Ok(format!(
                "host {old} is now {new} ({})\n",
                c.host(h).addr_text()
            ))
        }
        LabCommand::Wait(d) => {
            let left = MAX_TIME.saturating_sub(c.now());
            if *d > left {
                return Err(format!(
                    "lab: the lab's clock stops at 24h and it is {} now: wait at most {}",
                    c.now(),
                    crate::sim::SimTime(left.0)
                ));
            }
            c.advance(*d);
            Ok(String::new())
        }
        LabCommand::Crash(n) => {
            let h = host(c, n)?;
            if c.host(h).server.is_none() {
                return Ok(format!("{n}: no server running; nothing to crash\n"));
            }
            c.crash(h);
            Ok(String::new())
        }
        LabCommand::Partition(a, b) => {
            let (x, y) = pair(c, a, b)?;
            c.partition(x, y);
            Ok(String::new())
        }
        LabCommand::Heal(a, b) => {
            let (x, y) = pair(c, a, b)?;
            c.heal(x, y);
            Ok(String::new())
        }
        LabCommand::Latency(a, b, d) => {
            let (x, y) = pair(c, a, b)?;
            c.set_latency(x, y, *d);
            Ok(String::new())
        }
        LabCommand::Bandwidth(a, b, r) => {
            let (x, y) = pair(c, a, b)?;
            c.set_bandwidth(x, y, *r);
            Ok(String::new())
        }
        LabCommand::Workload(n, tps) => {
            let h = host(c, n)?;
            c.set_workload(h, *tps);
            Ok(String::new())
        }
        LabCommand::Cancel(n) => {
            let h = host(c, n)?;
            let waiting = c.host(h).server.as_ref().and_then(|s| {
                s.sessions
                    .iter()
                    .position(|x| x.waiting.is_some() && x.app.is_none())
            });
            match waiting {
                Some(i) => {
                    c.cancel(h, i);
                    Ok(String::new())
                }
                None => Ok(format!("{n}: no statement is waiting\n")),
            }
        }
        LabCommand::AppAdd {
            name,
            conninfo,
            rate,
            kind,
        } => {
            c.add_app(name, conninfo, *rate, *kind)
                .map_err(|e| format!("lab: {e}"))?;
            Ok(String::new())
        }
        LabCommand::AppRemove(name) => {
            c.remove_app(name).map_err(|e| format!("lab: {e}"))?;
            Ok(String::new())
        }
        LabCommand::AppList(None) => Ok(app_list(c, None)),
        LabCommand::AppList(Some(name)) => {
            if c.apps().iter().any(|a| a.name == *name) {
                Ok(app_list(c, Some(name)))
            } else {
                Err(format!("lab: no application named \"{name}\""))
            }
        }
        LabCommand::Dns(name, node, ttl) => {
            let h = host(c, node)?;
            c.set_dns(name, h, *ttl).map_err(|e| format!("lab: {e}"))?;
            Ok(String::new())
        }
        LabCommand::DnsList => {
            let mut out = String::new();
            for (name, r) in c.dns_records() {
                let [a, b, x, d] = r.answer(c.now());
                out.push_str(&format!("{name} -> {a}.{b}.{x}.{d} (TTL {})\n", r.ttl));
            }
            if out.is_empty() {
                out.push_str("no names (add one with: lab$ dns NAME NODE [TTL])\n");
            }
            Ok(out)
        }
        LabCommand::Lost => Ok(super::lost::report(c)),
        LabCommand::Disk(n, size) => {
            let h = host(c, n)?;
            if let Some(bytes) = size {
                c.set_disk_size(h, *bytes);
                return Ok(String::new());
            }
            Ok(disk_report(c, h))
        }
        LabCommand::DiskSpeed(n, speed) => {
            let h = host(c, n)?;
            c.set_disk_speed(h, *speed);
            Ok(String::new())
        }
        LabCommand::Seed(_) => {
            Err("lab: seed can only be set before the first command".to_string())
        }
        LabCommand::OsRhel => Err(OS_LATE.to_string()),
    }
}

/// What `lab$ app list [NAME]` prints: one paragraph per application (or for the one named).
pub fn app_list(c: &Cluster, only: Option<&str>) -> String {
    if c.apps().is_empty() {
        return "no applications (add one with: lab$ app add NAME 'CONNINFO' RATE writer|reader|both)\n".to_string();
    }
    let mut out = String::new();
    for a in c.apps().iter().filter(|a| only.is_none_or(|n| a.name == n)) {
        let at = match &a.conn {
            Some(conn) => format!(
                "connected to {} ({}:{})",
                c.host(conn.server).name,
                c.host(conn.server).addr_text(),
                conn.port
            ),
            None => "not connected".to_string(),
        };
        let k = &a.counters;
        out.push_str(&format!(
            "{} ({}, {}/s, '{}'): {at}\n  writes: {} acknowledged, {} failed{}; reads: {}, {} stale, {} failed; connections: {}\n",
            a.name,
            a.kind.as_str(),
            a.rate,
            a.conninfo,
            k.writes_acked,
            k.writes_failed,
            if a.pending.is_some() { ", 1 waiting" } else { "" },
            k.reads,
            k.stale_reads,
            k.reads_failed,
            k.connects
        ));
        if let Some((t, e)) = &a.last_error {
            out.push_str(&format!(
                "  last error at {t}: {}\n",
                e.replace('\n', "\n    ")
            ));
        }
    }
    out
}

/// What `lab$ disk NODE` prints: the disk's size and what fills it.
fn disk_report(c: &Cluster, h: HostId) -> String {
    use crate::sim::disk::human;
    let u = c.disk_usage(h);
    let pct = u.used().saturating_mul(100).div_ceil(u.size.max(1));
    format!(
        "{}: data disk {} mounted on /var/lib/pgsql, {} used ({pct}%), {} free\n  pg_wal {} ({} files of 16MB), tables {}, catalogs {}, other files {}\n",
        c.host(h).name,
        human(u.size),
        human(u.used()),
        human(u.avail()),
        human(u.wal),
        u.wal / crate::sim::SEGMENT_SIZE,
        human(u.tables),
        human(u.base),
        human(u.files)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_commands_and_rejects_nonsense() {
        assert_eq!(
            parse("wait 250ms"),
            Ok(LabCommand::Wait(SimDuration::from_millis(250)))
        );
        assert_eq!(
            parse("bandwidth primary s1 10MB/s"),
            Ok(LabCommand::Bandwidth(
                "primary".into(),
                "s1".into(),
                10 * 1024 * 1024
            ))
        );
        assert_eq!(parse_rate("100Mbit/s"), Some(12_500_000));
        assert_eq!(
            parse("workload primary off"),
            Ok(LabCommand::Workload("primary".into(), 0))
        );
        assert!(parse("wait forever").is_err());
        assert!(parse("explode primary")
            .unwrap_err()
            .starts_with("lab: unknown command \"explode\""));
        assert!(parse("bandwidth a b fast").is_err());
    }
}
