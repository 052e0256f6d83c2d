//! systemd on a RHEL host: `systemctl` for the postgresql and firewalld units, and
//! `journalctl -u`. Output in systemd 252's shapes (RHEL 9). walscope lets the postgres
//! user manage units as root would (no polkit prompt).

use crate::sim::datetime::{format_syslog_timestamp, format_systemd_timestamp};
use crate::sim::{Cluster, HostId, SimTime, PGDATA};

const PG_DESCRIPTION: &str = "PostgreSQL database server";
const FW_DESCRIPTION: &str = "firewalld - dynamic firewall daemon";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Postgresql,
    Firewalld,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Postgresql => "postgresql",
            Unit::Firewalld => "firewalld",
        }
    }
}

fn unit(c: &Cluster, h: HostId, word: &str) -> Option<Unit> {
    let base = word.strip_suffix(".service").unwrap_or(word);
    let os = c.os(h)?;
    match base {
        "postgresql" if os.has("postgresql-server") => Some(Unit::Postgresql),
        "firewalld" => Some(Unit::Firewalld),
        _ => None,
    }
}

pub(super) fn systemctl(c: &mut Cluster, h: HostId, args: &[String], _root: bool) -> String {
    let now_flag = args.iter().any(|a| a == "--now");
    let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(verb) = words.first() else {
        return "Too few arguments.\n".to_string();
    };
    if verb.as_str() == "daemon-reload" {
        return String::new();
    }
    let Some(word) = words.get(1) else {
        return "Too few arguments.\n".to_string();
    };
    let base = word.strip_suffix(".service").unwrap_or(word);
    let Some(u) = unit(c, h, word) else {
        let base = base.chars().take(64).collect::<String>();
        return match verb.as_str() {
            "status" => format!("Unit {base}.service could not be found.\n"),
            "enable" | "disable" => {
                format!("Failed to {verb} unit: Unit file {base}.service does not exist.\n")
            }
            "is-active" => "inactive\n".to_string(),
            _ => format!("Failed to {verb} {base}.service: Unit {base}.service not found.\n"),
        };
    };
    let name = u.name();
    match verb.as_str() {
        "start" => start(c, h, u),
        "stop" => {
            stop(c, h, u);
            String::new()
        }
        "restart" => {
            stop(c, h, u);
            start(c, h, u)
        }
        "reload" => match u {
            Unit::Postgresql => {
                if c.host(h).server.is_none() {
                    return format!("{name}.service is not active, cannot reload.\n");
                }
                c.journal(h, "systemd[1]", &format!("Reloading {PG_DESCRIPTION}..."));
                c.reload(h);
                c.journal(h, "systemd[1]", &format!("Reloaded {PG_DESCRIPTION}."));
                String::new()
            }
            Unit::Firewalld => {
                if let Some(os) = c.os_mut(h) {
                    if os.firewall.running {
                        os.firewall.reload();
                    }
                }
                String::new()
            }
        },
        "enable" | "disable" => {
            let enable = verb.as_str() == "enable";
            let was = c.os(h).is_some_and(|o| o.enabled.contains(name));
            if let Some(os) = c.os_mut(h) {
                if enable {
                    os.enabled.insert(name.to_string());
                } else {
                    os.enabled.remove(name);
                }
            }
            let wants = format!("/etc/systemd/system/multi-user.target.wants/{name}.service");
            let mut out = match (enable, was) {
                (true, false) => format!(
                    "Created symlink {wants} \u{2192} /usr/lib/systemd/system/{name}.service.\n"
                ),
                (false, true) => format!("Removed \"{wants}\".\n"),
                _ => String::new(),
            };
            if now_flag {
                if enable {
                    out.push_str(&start(c, h, u));
                } else {
                    stop(c, h, u);
                }
            }
            out
        }
        "is-active" => format!("{}\n", state(c, h, u).0),
        "is-enabled" => {
            let on = c.os(h).is_some_and(|o| o.enabled.contains(name));
            format!("{}\n", if on { "enabled" } else { "disabled" })
        }
        "status" => status(c, h, u),
        other => format!(
            "Unknown command verb {}.\n",
            other.chars().take(40).collect::<String>()
        ),
    }
}

fn start(c: &mut Cluster, h: HostId, u: Unit) -> String {
    match u {
        Unit::Postgresql => {
            if c.start_unit(h) {
                String::new()
            } else {
                "Job for postgresql.service failed because the control process exited with error code.\nSee \"systemctl status postgresql.service\" and \"journalctl -xeu postgresql.service\" for details.\n".to_string()
            }
        }
        Unit::Firewalld => {
            let now = c.now();
            if let Some(os) = c.os_mut(h) {
                if !os.firewall.running {
                    os.firewall.running = true;
                    // firewalld loads the permanent configuration when it starts.
                    os.firewall.reload();
                    os.journal(
                        now,
                        "firewalld",
                        "systemd[1]",
                        &format!("Starting {FW_DESCRIPTION}..."),
                    );
                    os.journal(
                        now,
                        "firewalld",
                        "systemd[1]",
                        &format!("Started {FW_DESCRIPTION}."),
                    );
                }
            }
            String::new()
        }
    }
}

fn stop(c: &mut Cluster, h: HostId, u: Unit) {
    match u {
        Unit::Postgresql => c.stop_unit(h),
        Unit::Firewalld => {
            let now = c.now();
            if let Some(os) = c.os_mut(h) {
                if os.firewall.running {
                    os.firewall.running = false;
                    os.journal(
                        now,
                        "firewalld",
                        "systemd[1]",
                        &format!("Stopping {FW_DESCRIPTION}..."),
                    );
                    os.journal(
                        now,
                        "firewalld",
                        "systemd[1]",
                        "firewalld.service: Deactivated successfully.",
                    );
                    os.journal(
                        now,
                        "firewalld",
                        "systemd[1]",
                        &format!("Stopped {FW_DESCRIPTION}."),
                    );
                }
            }
        }
    }
}

/// (is-active word, Active: text, since) of a unit.
fn state(c: &Cluster, h: HostId, u: Unit) -> (&'static str, &'static str, Option<SimTime>) {
    let os = c.os(h).expect("a RHEL host");
    match u {
        Unit::Postgresql => {
            let host = c.host(h);
            if let Some(s) = &host.server {
                ("active", "active (running)", Some(s.started))
            } else if let Some(at) = os.postgresql_failed {
                ("failed", "failed (Result: exit-code)", Some(at))
            } else if host.crashed {
                ("failed", "failed (Result: signal)", None)
            } else if os.postgresql_since > SimTime::ZERO {
                ("inactive", "inactive (dead)", Some(os.postgresql_since))
            } else {
                ("inactive", "inactive (dead)", None)
            }
        }
        Unit::Firewalld => {
            if os.firewall.running {
                ("active", "active (running)", Some(SimTime::ZERO))
            } else {
                ("inactive", "inactive (dead)", None)
            }
        }
    }
}

/// systemd's "5s ago", "1min 5s ago", "2h 3min ago".
fn ago(d: u64) -> String {
    let s = d / 1_000_000;
    if s == 0 {
        return format!("{}ms ago", d / 1000);
    }
    let parts = if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        match s % 60 {
            0 => format!("{}min", s / 60),
            r => format!("{}min {r}s", s / 60),
        }
    } else {
        match s % 3600 / 60 {
            0 => format!("{}h", s / 3600),
            m => format!("{}h {m}min", s / 3600),
        }
    };
    format!("{parts} ago")
}

fn status(c: &Cluster, h: HostId, u: Unit) -> String {
    let os = c.os(h).expect("a RHEL host");
    let name = u.name();
    let (word, active, since) = state(c, h, u);
    let dot = match word {
        "active" => "\u{25cf}",
        "failed" => "\u{d7}",
        _ => "\u{25cb}",
    };
    let (description, preset) = match u {
        Unit::Postgresql => (PG_DESCRIPTION, "disabled"),
        Unit::Firewalld => (FW_DESCRIPTION, "enabled"),
    };
    let enabled = if os.enabled.contains(name) {
        "enabled"
    } else {
        "disabled"
    };
    let mut out = format!("{dot} {name}.service - {description}\n     Loaded: loaded (/usr/lib/systemd/system/{name}.service; {enabled}; preset: {preset})\n");
    let since = since
        .map(|t| {
            format!(
                " since {}; {}",
                format_systemd_timestamp(t.unix_micros()),
                ago(c.now().saturating_sub(t).0)
            )
        })
        .unwrap_or_default();
    out.push_str(&format!("     Active: {active}{since}\n"));
    if let (Unit::Postgresql, Some(s)) = (u, &c.host(h).server) {
        out.push_str(&format!(
            "   Main PID: {pid} (postmaster)\n     CGroup: /system.slice/postgresql.service\n             \u{2514}\u{2500}{pid} /usr/bin/postmaster -D {PGDATA}\n",
            pid = s.pid
        ));
    }
    let lines = journal_lines(c, h, name, 10);
    if !lines.is_empty() {
        out.push('\n');
        out.push_str(&lines);
    }
    out
}

/// The last `n` journal lines of a unit, as journalctl prints them.
fn journal_lines(c: &Cluster, h: HostId, unit: &str, n: usize) -> String {
    let host = c.host(h);
    let Some(os) = c.os(h) else {
        return String::new();
    };
    let mine: Vec<_> = os.journal.iter().filter(|l| l.unit == unit).collect();
    mine[mine.len().saturating_sub(n)..]
        .iter()
        .map(|l| {
            format!(
                "{} {} {}: {}\n",
                format_syslog_timestamp(l.at.unix_micros()),
                host.name,
                l.ident,
                l.message
            )
        })
        .collect()
}

/// `journalctl -u UNIT [-n N]` (`-xe`, `--no-pager` accepted).
pub(super) fn journalctl(c: &Cluster, h: HostId, args: &[String]) -> String {
    let mut unit_name: Option<String> = None;
    let mut n = usize::MAX;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-u"
            || a == "--unit"
            || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('u'))
        {
            unit_name = it.next().cloned();
        } else if let Some(v) = a.strip_prefix("--unit=") {
            unit_name = Some(v.to_string());
        } else if a == "-n" || a == "--lines" {
            n = it.next().and_then(|v| v.parse().ok()).unwrap_or(10);
        } else if let Some(v) = a.strip_prefix("--lines=") {
            n = v.parse().unwrap_or(10);
        } else if a.starts_with('-') && a.contains('e') {
            n = n.min(1000);
        }
    }
    let Some(word) = unit_name else {
        return "walscope: journalctl here shows one unit's journal: journalctl -u postgresql\n"
            .to_string();
    };
    let base = word.strip_suffix(".service").unwrap_or(&word).to_string();
    let lines = journal_lines(c, h, &base, n);
    if lines.is_empty() {
        "-- No entries --\n".to_string()
    } else {
        lines
    }
}
