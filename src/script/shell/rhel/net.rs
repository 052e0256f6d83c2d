//! The network tools a class uses to find why a standby cannot connect: `ping`,
//! `ss -tlnp`, `nc -zv` (nmap-ncat, on walscope's image), `ip addr`, `hostname -I`,
//! and `psql -h HOST -c SQL` from another host.
//!
//! Simplified: ping does not make virtual time pass; the hosts have IPv4 only.

use crate::sim::{Cluster, HostId};

/// A host named on the command line: its id and address, or the resolver's complaint.
fn lookup(c: &Cluster, h: HostId, name: &str) -> Option<(HostId, [u8; 4])> {
    if matches!(name, "localhost" | "127.0.0.1") {
        return Some((h, [127, 0, 0, 1]));
    }
    let addr = c.resolve(name)?;
    Some((c.host_by_addr(addr)?, addr))
}

fn dotted(a: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

/// iputils' rtt: three significant digits.
fn ms(micros: u64) -> String {
    let v = micros as f64 / 1000.0;
    if v < 1.0 {
        format!("{v:.3}")
    } else if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

pub(super) fn ping(c: &Cluster, h: HostId, args: &[String]) -> String {
    let mut count: u64 = 4;
    let mut target = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-c" {
            count = it.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            if !(1..=100).contains(&count) {
                return "ping: invalid argument: out of range: 1 <= value <= 100 (walscope)\n"
                    .to_string();
            }
        } else if let Some(v) = a.strip_prefix("-c") {
            count = v.parse().unwrap_or(4).clamp(1, 100);
        } else if !a.starts_with('-') {
            target = Some(a.clone());
        }
    }
    let Some(name) = target else {
        return "ping: usage error: Destination address required\n".to_string();
    };
    let Some((to, addr)) = lookup(c, h, &name) else {
        return format!("ping: {}: Name or service not known\n", short(&name));
    };
    let shown = if name == dotted(addr) {
        dotted(addr)
    } else {
        format!("{name} ({})", dotted(addr))
    };
    let mut out = format!("PING {name} ({}) 56(84) bytes of data.\n", dotted(addr));
    let link = (to != h).then(|| c.link(h, to));
    let lost = link.is_some_and(|l| l.partitioned);
    let rtt = link.map_or(40, |l| 2 * l.latency.0 + 2 * l.transfer_time(84).0);
    if !lost {
        for seq in 1..=count {
            out.push_str(&format!(
                "64 bytes from {shown}: icmp_seq={seq} ttl=64 time={} ms\n",
                ms(rtt)
            ));
        }
    }
    let received = if lost { 0 } else { count };
    let loss = if lost { 100 } else { 0 };
    out.push_str(&format!(
        "\n--- {name} ping statistics ---\n{count} packets transmitted, {received} received, {loss}% packet loss, time {}ms\n",
        (count - 1) * 1001
    ));
    if !lost {
        let r = format!("{:.3}", rtt as f64 / 1000.0);
        out.push_str(&format!("rtt min/avg/max/mdev = {r}/{r}/{r}/0.000 ms\n"));
    }
    out
}

fn short(s: &str) -> String {
    s.chars().take(64).collect()
}

/// A listening TCP socket: address, port, and the process (name, pid) when it is one
/// walscope models.
type Listener = (String, u16, Option<(String, u32)>);

/// The TCP sockets a host listens on, sshd first.
fn listeners(c: &Cluster, h: HostId) -> Vec<Listener> {
    let mut out = vec![("0.0.0.0".to_string(), 22, None)];
    if let Some(s) = &c.host(h).server {
        let port = u16::try_from(s.settings.int("port")).unwrap_or(5432);
        let own = c.host(h).addr_text();
        let listen = s.settings.text("listen_addresses");
        let mut addrs: Vec<String> = Vec::new();
        for item in listen.split(',').map(str::trim) {
            let a = match item {
                "*" | "0.0.0.0" => "0.0.0.0".to_string(),
                "localhost" | "127.0.0.1" => "127.0.0.1".to_string(),
                x if x == own || x == c.host(h).name => own.clone(),
                _ => continue,
            };
            if !addrs.contains(&a) {
                addrs.push(a);
            }
        }
        for a in addrs {
            out.push((a, port, Some(("postmaster".to_string(), s.pid))));
        }
    }
    out
}

/// `ss -tlnp`: listening TCP sockets.
pub(super) fn ss(c: &Cluster, h: HostId, args: &[String]) -> String {
    let procs = args.iter().any(|a| a.starts_with('-') && a.contains('p'));
    let mut out =
        String::from("State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n");
    for (addr, port, proc) in listeners(c, h) {
        let backlog = if port == 22 { 128 } else { 200 };
        let process = match (procs, proc) {
            (true, Some((name, pid))) => format!("users:((\"{name}\",pid={pid},fd=6))"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "LISTEN 0      {backlog:<6} {:>13}:{port:<5} {:>13}:*    {process}\n",
            addr, "0.0.0.0"
        ));
    }
    out
}

/// Whether a TCP connection from `from` to `to`'s `port` gets through, and if not, how
/// it fails (as ncat words it).
fn tcp_connect(
    c: &Cluster,
    from: HostId,
    to: HostId,
    loopback: bool,
    port: u16,
) -> Result<(), &'static str> {
    if from != to && c.link(from, to).partitioned {
        return Err("TIMEOUT.");
    }
    if c.firewall_blocks(from, to, port) {
        return Err("No route to host.");
    }
    let addr = if loopback {
        "127.0.0.1".to_string()
    } else {
        c.host(to).addr_text()
    };
    let open = listeners(c, to)
        .iter()
        .any(|(a, p, _)| *p == port && (a == "0.0.0.0" || *a == addr));
    if open {
        Ok(())
    } else {
        Err("Connection refused.")
    }
}

/// `nc -zv HOST PORT` (nmap-ncat 7.92, RHEL 9's nc).
pub(super) fn nc(c: &Cluster, h: HostId, args: &[String]) -> String {
    let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let (Some(name), Some(port)) = (words.first(), words.get(1)) else {
        return "Ncat: You must specify a host to connect to. QUITTING.\n".to_string();
    };
    let Ok(port) = port.parse::<u16>() else {
        return format!("Ncat: Invalid port number \"{}\". QUITTING.\n", short(port));
    };
    let head = "Ncat: Version 7.92 ( https://nmap.org/ncat )\n";
    let Some((to, addr)) = lookup(c, h, name) else {
        return format!(
            "{head}Ncat: Could not resolve hostname \"{}\": Name or service not known. QUITTING.\n",
            short(name)
        );
    };
    match tcp_connect(c, h, to, addr == [127, 0, 0, 1], port) {
        Ok(()) => format!(
            "{head}Ncat: Connected to {}:{port}.\nNcat: 0 bytes sent, 0 bytes received in 0.01 seconds.\n",
            dotted(addr)
        ),
        Err(e) => format!("{head}Ncat: {e}\n"),
    }
}

/// `ip addr` (`ip a`, `ip addr show`).
pub(super) fn ip(c: &Cluster, h: HostId, args: &[String]) -> String {
    let Some(obj) = args.first() else {
        return "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n".to_string();
    };
    if !matches!(obj.as_str(), "a" | "addr" | "address") {
        return format!("Object \"{}\" is unknown, try \"ip help\".\n", short(obj));
    }
    let a = c.host(h).addr;
    format!(
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    link/ether 52:54:00:00:00:{:02x} brd ff:ff:ff:ff:ff:ff\n    inet {}/24 brd {}.{}.{}.255 scope global noprefixroute eth0\n       valid_lft forever preferred_lft forever\n",
        a[3],
        dotted(a),
        a[0],
        a[1],
        a[2]
    )
}

/// `hostname -I` (and `-i`); the plain `hostname` is the common shell's.
pub(super) fn hostname(c: &Cluster, h: HostId, args: &[String]) -> String {
    match args.first().map(String::as_str) {
        Some("-I") | Some("--all-ip-addresses") => format!("{} \n", c.host(h).addr_text()),
        Some("-i") | Some("--ip-address") => format!("{}\n", c.host(h).addr_text()),
        Some("-s") | Some("--short") | Some("-f") => format!("{}\n", c.host(h).name),
        _ => "hostname: you must be root to change the host name\n".to_string(),
    }
}
