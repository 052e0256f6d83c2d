//! `firewall-cmd` on a RHEL host: firewalld's one zone, `public`, with its runtime and
//! permanent rules (`--permanent` changes only what `--reload` loads; a runtime rule is
//! lost on `--reload`).

use super::needs_root;
use crate::sim::os::{Proto, Zone, MAX_ZONE_RULES, SERVICES};
use crate::sim::{Cluster, HostId};

/// What one `firewall-cmd` line asks.
enum Op {
    State,
    ListAll,
    ListServices,
    ListPorts,
    DefaultZone,
    Reload,
    AddService(String),
    RemoveService(String),
    AddPort(String),
    RemovePort(String),
}

pub(super) fn firewall_cmd(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let mut permanent = false;
    let mut ops = Vec::new();
    for a in args.iter().take(32) {
        let (flag, value) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let op = match (flag, value) {
            ("--permanent", None) => {
                permanent = true;
                continue;
            }
            ("--zone", Some(z)) => {
                if z != "public" {
                    return format!("Error: INVALID_ZONE: {}\n", short(&z));
                }
                continue;
            }
            ("--state", None) => Op::State,
            ("--list-all", None) => Op::ListAll,
            ("--list-services", None) => Op::ListServices,
            ("--list-ports", None) => Op::ListPorts,
            ("--get-default-zone", None) => Op::DefaultZone,
            ("--reload", None) => Op::Reload,
            ("--add-service", Some(v)) => Op::AddService(v),
            ("--remove-service", Some(v)) => Op::RemoveService(v),
            ("--add-port", Some(v)) => Op::AddPort(v),
            ("--remove-port", Some(v)) => Op::RemovePort(v),
            _ => {
                return format!(
                    "usage: see firewall-cmd man page\nfirewall-cmd: error: unrecognized arguments: {}\n",
                    short(a)
                )
            }
        };
        ops.push(op);
    }
    let Some(op) = ops.into_iter().next() else {
        return "usage: see firewall-cmd man page\nNo option specified.\n".to_string();
    };
    let running = c.os(h).is_some_and(|o| o.firewall.running);
    if let Op::State = op {
        return if running {
            "running\n"
        } else {
            "not running\n"
        }
        .to_string();
    }
    if !running {
        return "FirewallD is not running\n".to_string();
    }
    let changes = matches!(
        op,
        Op::Reload | Op::AddService(_) | Op::RemoveService(_) | Op::AddPort(_) | Op::RemovePort(_)
    );
    if changes && !root {
        return needs_root("firewall-cmd");
    }
    let Some(os) = c.os_mut(h) else {
        return String::new();
    };
    let fw = &mut os.firewall;
    if let Op::Reload = op {
        fw.reload();
        return "success\n".to_string();
    }
    let zone = if permanent {
        &mut fw.permanent
    } else {
        &mut fw.runtime
    };
    match op {
        Op::State | Op::Reload => String::new(),
        Op::DefaultZone => "public\n".to_string(),
        Op::ListAll => list_all(zone, !permanent),
        Op::ListServices => format!("{}\n", services(zone)),
        Op::ListPorts => format!("{}\n", ports(zone)),
        Op::AddService(s) => {
            if !SERVICES.iter().any(|(n, _, _)| *n == s) {
                return format!(
                    "Error: INVALID_SERVICE: '{}' not among existing services\n",
                    short(&s)
                );
            }
            if zone.services.contains(&s) {
                return format!("Warning: ALREADY_ENABLED: {s}\nsuccess\n");
            }
            if zone.rules() >= MAX_ZONE_RULES {
                return format!("walscope: a zone holds at most {MAX_ZONE_RULES} rules\n");
            }
            zone.services.insert(s);
            "success\n".to_string()
        }
        Op::RemoveService(s) => {
            if zone.services.remove(&s) {
                "success\n".to_string()
            } else {
                format!("Warning: NOT_ENABLED: {}\nsuccess\n", short(&s))
            }
        }
        Op::AddPort(p) | Op::RemovePort(p) if parse_port(&p).is_err() => {
            parse_port(&p).err().unwrap_or_default()
        }
        Op::AddPort(p) => {
            let rule = parse_port(&p).unwrap_or((0, Proto::Tcp));
            if zone.ports.contains(&rule) {
                return format!(
                    "Warning: ALREADY_ENABLED: {}:{}\nsuccess\n",
                    rule.0,
                    rule.1.as_str()
                );
            }
            if zone.rules() >= MAX_ZONE_RULES {
                return format!("walscope: a zone holds at most {MAX_ZONE_RULES} rules\n");
            }
            zone.ports.insert(rule);
            "success\n".to_string()
        }
        Op::RemovePort(p) => {
            let rule = parse_port(&p).unwrap_or((0, Proto::Tcp));
            if zone.ports.remove(&rule) {
                "success\n".to_string()
            } else {
                format!(
                    "Warning: NOT_ENABLED: {}:{}\nsuccess\n",
                    rule.0,
                    rule.1.as_str()
                )
            }
        }
    }
}

fn short(s: &str) -> String {
    s.chars().take(64).collect()
}

/// `5432/tcp` into a rule.
fn parse_port(text: &str) -> Result<(u16, Proto), String> {
    let Some((port, proto)) = text.split_once('/') else {
        return Err(
            "Error: INVALID_PORT: bad port (most likely missing protocol), correct syntax is portid[-portid]/protocol\n".to_string()
        );
    };
    let port: u16 = match port.parse() {
        Ok(p) if p > 0 => p,
        _ => return Err(format!("Error: INVALID_PORT: {}\n", short(port))),
    };
    let proto = match proto {
        "tcp" => Proto::Tcp,
        "udp" => Proto::Udp,
        other => {
            return Err(format!(
                "Error: INVALID_PROTOCOL: '{}' not from {{'tcp'|'udp'|'sctp'|'dccp'}}\n",
                short(other)
            ))
        }
    };
    Ok((port, proto))
}

fn services(z: &Zone) -> String {
    z.services.iter().cloned().collect::<Vec<_>>().join(" ")
}

fn ports(z: &Zone) -> String {
    z.ports
        .iter()
        .map(|(p, proto)| format!("{p}/{}", proto.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `--list-all` in firewalld 1.x's shape.
fn list_all(z: &Zone, runtime: bool) -> String {
    format!(
        "public{}\n  target: default\n  icmp-block-inversion: no\n  interfaces: eth0\n  sources: \n  services: {}\n  ports: {}\n  protocols: \n  forward: yes\n  masquerade: no\n  forward-ports: \n  source-ports: \n  icmp-blocks: \n  rich rules: \n",
        if runtime { " (active)" } else { "" },
        services(z),
        ports(z)
    )
}
