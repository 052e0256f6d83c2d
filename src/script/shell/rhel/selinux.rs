//! SELinux's tools on a RHEL host: `getenforce`, `sestatus`, `setenforce`, `semanage
//! port|fcontext`, `restorecon`, `chcon -t`, `ls -Z` and `ausearch -m avc`, in the
//! shapes of RHEL 9's policycoreutils and coreutils. The policy behind them is
//! [`crate::sim::selinux`]'s.

use crate::script::shell::resolve_path;
use crate::sim::datetime::{format_syslog_timestamp, format_systemd_timestamp};
use crate::sim::os::{spec_dir, SYSTEM_TYPES};
use crate::sim::selinux::{creation_type, Mode, AUDIT_LOG, FILE_TYPES, MAX_RULES, PORT_TYPES};
use crate::sim::{Cluster, HostId, PGDATA};

pub(super) fn getenforce(c: &Cluster, h: HostId) -> String {
    let mode = c.os(h).map_or(Mode::Enforcing, |o| o.selinux.mode);
    format!("{}\n", mode.as_str())
}

pub(super) fn sestatus(c: &Cluster, h: HostId) -> String {
    let mode = c.os(h).map_or(Mode::Enforcing, |o| o.selinux.mode);
    format!(
        "SELinux status:                 enabled
SELinuxfs mount:                /sys/fs/selinux
SELinux root directory:         /etc/selinux
Loaded policy name:             targeted
Current mode:                   {}
Mode from config file:          enforcing
Policy MLS status:              enabled
Policy deny_unknown status:     allowed
Memory protection checking:     actual (secure)
Max kernel policy version:      33
",
        mode.as_str().to_ascii_lowercase()
    )
}

/// `setenforce 0|1|Permissive|Enforcing`, as root; until the next boot.
pub(super) fn setenforce(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let usage = "usage:  setenforce [ Enforcing | Permissive | 1 | 0 ]\n".to_string();
    let [arg] = args else {
        return usage;
    };
    let mode = match arg.to_ascii_lowercase().as_str() {
        "1" | "enforcing" => Mode::Enforcing,
        "0" | "permissive" => Mode::Permissive,
        _ => return usage,
    };
    if !root {
        return "setenforce:  setenforce() failed\n".to_string();
    }
    if let Some(os) = c.os_mut(h) {
        os.selinux.mode = mode;
    }
    String::new()
}

/// The value after `flag` (`-t TYPE`, `--type TYPE`, `--type=TYPE`).
fn option<'a>(args: &'a [String], short: &str, long: &str) -> Option<&'a str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == short || a == long {
            return it.next().map(String::as_str);
        }
        if let Some(v) = a.strip_prefix(&format!("{long}=")) {
            return Some(v);
        }
    }
    None
}

/// The words that are no option or option value.
fn operands<'a>(args: &'a [String], with_value: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if with_value.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with('-') {
            out.push(a.as_str());
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Add,
    Modify,
    Delete,
    List,
}

fn action(args: &[String]) -> Option<Action> {
    args.iter().find_map(|a| match a.as_str() {
        "-a" | "--add" => Some(Action::Add),
        "-m" | "--modify" => Some(Action::Modify),
        "-d" | "--delete" => Some(Action::Delete),
        "-l" | "--list" => Some(Action::List),
        _ => None,
    })
}

/// `semanage port ...` and `semanage fcontext ...`.
pub(super) fn semanage(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let Some((object, rest)) = args.split_first() else {
        return "usage: semanage [-h] {import,export,login,user,port,ibpkey,ibendport,interface,module,node,fcontext,boolean,permissive,dontaudit} ...\n".to_string();
    };
    if !root {
        return "ValueError: SELinux policy is not managed or store cannot be accessed.\n"
            .to_string();
    }
    let Some(act) = action(rest) else {
        return format!("usage: semanage {object} [-h] (-a | -d | -m | -l | -n | -D | -E) ...\nsemanage {object}: error: one of the arguments -a/--add -d/--delete -m/--modify -l/--list is required\n");
    };
    match object.as_str() {
        "port" => port(c, h, rest, act),
        "fcontext" => fcontext(c, h, rest, act),
        other => format!(
            "walscope: semanage here manages ports and file contexts, not \"{}\"\n",
            other.chars().take(32).collect::<String>()
        ),
    }
}

fn port(c: &mut Cluster, h: HostId, args: &[String], act: Action) -> String {
    let Some(os) = c.os_mut(h) else {
        return String::new();
    };
    let se = &mut os.selinux;
    if act == Action::List {
        let mut out = format!(
            "{:<30} {:<8} {}\n\n",
            "SELinux Port Type", "Proto", "Port Number"
        );
        for (t, ports) in PORT_TYPES.iter().filter(|(_, p)| !p.is_empty()) {
            let mut all: Vec<String> = se
                .ports
                .iter()
                .filter(|(_, lt)| lt.as_str() == *t)
                .map(|(p, _)| p.to_string())
                .collect();
            all.extend(ports.iter().map(u16::to_string));
            out.push_str(&format!("{t:<30} {:<8} {}\n", "tcp", all.join(", ")));
        }
        return out;
    }
    let proto = option(args, "-p", "--proto");
    let Some(proto) = proto else {
        return "ValueError: Protocol udp or tcp is required\n".to_string();
    };
    if proto != "tcp" {
        return "walscope: only tcp ports are labelled here\n".to_string();
    }
    let words = operands(args, &["-t", "--type", "-p", "--proto", "-r", "--range"]);
    let Some(text) = words.first() else {
        return "ValueError: Port is required\n".to_string();
    };
    let Ok(number) = text.parse::<u16>() else {
        return format!("ValueError: Invalid Port: {text}\n");
    };
    let in_policy = PORT_TYPES.iter().any(|(_, ps)| ps.contains(&number));
    match act {
        Action::Delete => {
            if se.ports.remove(&number).is_none() {
                let why = if in_policy {
                    "is defined in policy, cannot be deleted"
                } else {
                    "is not defined"
                };
                return format!("ValueError: Port tcp/{number} {why}\n");
            }
            String::new()
        }
        _ => {
            let Some(t) = option(args, "-t", "--type") else {
                return "ValueError: Type is required\n".to_string();
            };
            if !PORT_TYPES.iter().any(|(n, _)| *n == t) {
                return format!("ValueError: Type {t} is invalid, must be a port type\n");
            }
            let exists = se.ports.contains_key(&number) || in_policy;
            if act == Action::Add && exists {
                return format!("ValueError: Port tcp/{number} already defined\n");
            }
            if act == Action::Modify && !exists {
                return format!("ValueError: Port tcp/{number} is not defined\n");
            }
            if se.ports.len() >= MAX_RULES && !se.ports.contains_key(&number) {
                return format!("walscope: a host holds at most {MAX_RULES} local port labels\n");
            }
            se.ports.insert(number, t.to_string());
            String::new()
        }
    }
}

fn fcontext(c: &mut Cluster, h: HostId, args: &[String], act: Action) -> String {
    let Some(os) = c.os_mut(h) else {
        return String::new();
    };
    let se = &mut os.selinux;
    if act == Action::List {
        let mut out = format!(
            "{:<50} {:<18} {}\n\n",
            "SELinux fcontext", "type", "Context"
        );
        let builtin = [
            ("/var/lib/pgsql(/.*)?", "postgresql_db_t"),
            ("/var/lib/pgsql/data/log(/.*)?", "postgresql_log_t"),
        ];
        if !args.iter().any(|a| a == "-C" || a == "--locallist") {
            for (spec, t) in builtin {
                out.push_str(&format!(
                    "{spec:<50} {:<18} system_u:object_r:{t}:s0\n",
                    "all files"
                ));
            }
            out.push_str("\nSELinux Local fcontext customizations\n\n");
        }
        for (spec, t) in &se.fcontexts {
            out.push_str(&format!(
                "{spec:<50} {:<18} system_u:object_r:{t}:s0\n",
                "all files"
            ));
        }
        return out;
    }
    let words = operands(
        args,
        &[
            "-t", "--type", "-f", "--ftype", "-s", "--seuser", "-r", "--range",
        ],
    );
    let Some(spec) = words.first() else {
        return "ValueError: File specification is required\n".to_string();
    };
    let spec: String = spec.chars().take(1024).collect();
    if act == Action::Delete {
        if se.fcontexts.remove(&spec).is_none() {
            return format!("ValueError: File context for {spec} is not defined\n");
        }
        return String::new();
    }
    let Some(t) = option(args, "-t", "--type") else {
        return "ValueError: SELinux Type is required\n".to_string();
    };
    if !FILE_TYPES.contains(&t) {
        return format!("ValueError: Type {t} is invalid, must be a file or device type\n");
    }
    let exists = se.fcontexts.contains_key(&spec);
    if act == Action::Add && exists {
        return format!("ValueError: File context for {spec} already defined\n");
    }
    if act == Action::Modify && !exists {
        return format!("ValueError: File context for {spec} is not defined\n");
    }
    if se.fcontexts.len() >= MAX_RULES && !exists {
        return format!("walscope: a host holds at most {MAX_RULES} local file-context rules\n");
    }
    se.fcontexts.insert(spec, t.to_string());
    String::new()
}

/// Whether `path` exists on the host as far as SELinux's tools care: a directory, a
/// file, a link, or the data directory's tree.
fn exists(c: &Cluster, h: HostId, path: &str) -> bool {
    let host = c.host(h);
    let inside = format!("{}/", path.trim_end_matches('/'));
    path == "/"
        || host.dirs.contains(path)
        || host.dirs.iter().any(|d| d.starts_with(&inside))
        || host.files.contains_key(path)
        || c.os(h).is_some_and(|o| o.links.contains_key(path))
        || (host.data.is_some() && (path == PGDATA || path.starts_with(&format!("{PGDATA}/"))))
        || matches!(
            path,
            "/var" | "/var/lib" | "/usr" | "/etc" | "/tmp" | "/root"
        )
}

/// The paths under `dir` the host knows (its directories and files), sorted.
fn known_under(c: &Cluster, h: HostId, dir: &str) -> Vec<String> {
    let prefix = format!("{}/", dir.trim_end_matches('/'));
    let host = c.host(h);
    let mut out: Vec<String> = host
        .dirs
        .iter()
        .chain(host.files.keys())
        .filter(|p| p.starts_with(&prefix))
        .cloned()
        .collect();
    crate::sim::order::sort(&mut out);
    out.dedup();
    out.truncate(200);
    out
}

/// `restorecon [-R] [-v] PATH...`: each path (and with -R what is under it) gets the
/// type the policy's rules give it. `-v` names each path whose label changes, for the
/// directories and files walscope knows (not each file of a data directory).
pub(super) fn restorecon(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let flags: String = args
        .iter()
        .filter(|a| a.starts_with('-'))
        .flat_map(|a| a.chars().skip(1))
        .collect();
    let recursive = flags.contains('R') || flags.contains('r');
    let verbose = flags.contains('v');
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if paths.is_empty() {
        return "usage:  restorecon [-iIDFmnprRv0xT] [-e excludedir] pathname...\n".to_string();
    }
    let mut out = String::new();
    for p in paths.into_iter().take(16) {
        let path = resolve_path(p);
        if !exists(c, h, &path) {
            out.push_str(&format!(
                "restorecon: lstat({path}) failed: No such file or directory\n"
            ));
            continue;
        }
        if !root {
            out.push_str(&format!(
                "restorecon: Could not set context for {path}:  Operation not permitted\n"
            ));
            continue;
        }
        let mut todo = vec![path.clone()];
        if recursive {
            todo.extend(known_under(c, h, &path));
        }
        let Some(os) = c.os_mut(h) else {
            return out;
        };
        let se = &mut os.selinux;
        // Under PATH every path gets the policy's type: each directory a rule of the
        // policy (or a local one) names is labelled at its root, so a nearest-ancestor
        // lookup below them gives what restorecon gave every file.
        let mut roots: Vec<String> = Vec::new();
        if recursive {
            roots.extend(SYSTEM_TYPES.iter().map(|(d, _)| d.to_string()));
            roots.extend(se.fcontexts.keys().map(|k| spec_dir(k).to_string()));
            roots.retain(|r| r.starts_with(&format!("{}/", path.trim_end_matches('/'))));
            crate::sim::order::sort_by_key(&mut roots, |r| r.len());
        }
        // What each path has now and gets, before any is changed.
        let changes: Vec<(String, String, String)> = todo
            .iter()
            .map(|q| (q.clone(), se.context(q), se.policy_type(q)))
            .collect();
        let root_types: Vec<(String, String)> = roots
            .into_iter()
            .map(|r| {
                let t = se.policy_type(&r);
                (r, t)
            })
            .collect();
        if recursive {
            let inside = format!("{}/", path.trim_end_matches('/'));
            se.labels
                .retain(|k, _| !(k == &path || k.starts_with(&inside)));
        }
        // `/` itself keeps root_t, which nothing under it inherits.
        let own = (path != "/").then(|| (path.clone(), se.policy_type(&path)));
        for (q, t) in own.into_iter().chain(root_types) {
            if se.labels.len() < 4 * MAX_RULES {
                se.labels.insert(q, t);
            }
        }
        for (q, _, t) in &changes {
            if se.file_type(q) != *t && se.labels.len() < 4 * MAX_RULES {
                se.labels.insert(q.clone(), t.clone());
            }
        }
        if verbose {
            for (q, before, _) in changes {
                let after = se.context(&q);
                if after != before {
                    out.push_str(&format!("Relabeled {q} from {before} to {after}\n"));
                }
            }
        }
    }
    out
}

/// `chcon -t TYPE [-R] PATH...`: sets a type by hand (restorecon puts the policy's
/// back). Simplified: the path and what is under it take the type, with or without -R.
pub(super) fn chcon(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let Some(t) = option(args, "-t", "--type") else {
        return "walscope: chcon here sets a type: chcon -t TYPE [-R] PATH\n".to_string();
    };
    if !FILE_TYPES.contains(&t) {
        return format!("chcon: failed to change context of '{}' to 'unconfined_u:object_r:{t}:s0': Invalid argument\n",
            operands(args, &["-t", "--type"]).first().unwrap_or(&""));
    }
    let mut out = String::new();
    for p in operands(args, &["-t", "--type"]).into_iter().take(16) {
        let path = resolve_path(p);
        if !exists(c, h, &path) {
            out.push_str(&format!(
                "chcon: cannot access '{p}': No such file or directory\n"
            ));
            continue;
        }
        if !root {
            out.push_str(&format!(
                "chcon: failed to change context of '{p}' to 'unconfined_u:object_r:{t}:s0': Operation not permitted\n"
            ));
            continue;
        }
        if path == "/" {
            out.push_str("walscope: chcon does not relabel the whole file system\n");
            continue;
        }
        if let Some(os) = c.os_mut(h) {
            let se = &mut os.selinux;
            se.labels.retain(|k, _| !k.starts_with(&format!("{path}/")));
            if se.labels.len() < 4 * MAX_RULES || se.labels.contains_key(&path) {
                se.labels.insert(path, t.to_string());
            }
        }
    }
    out
}

/// `ls -Z [-d] PATH...`: each entry (or the path itself with -d) after its context.
pub(super) fn ls_z(c: &Cluster, h: HostId, args: &[String]) -> String {
    let Some(os) = c.os(h) else {
        return String::new();
    };
    let se = &os.selinux;
    let dir_itself = args
        .iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('d'));
    let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let default = PGDATA.to_string();
    let targets = if targets.is_empty() {
        vec![&default]
    } else {
        targets
    };
    let mut out = String::new();
    for t in targets {
        let path = resolve_path(t);
        if !exists(c, h, &path) && creation_type(&path) == "default_t" {
            out.push_str(&format!(
                "ls: cannot access '{t}': No such file or directory\n"
            ));
            continue;
        }
        let is_file = c.host(h).files.contains_key(&path) || os.links.contains_key(&path);
        if dir_itself || is_file {
            out.push_str(&format!("{} {t}\n", se.context(&path)));
            continue;
        }
        let names = super::super::ls(c, h, std::slice::from_ref(t));
        for n in names.lines() {
            if n.starts_with("ls: ") {
                out.push_str(n);
                out.push('\n');
                continue;
            }
            let full = format!("{}/{n}", path.trim_end_matches('/'));
            out.push_str(&format!("{} {n}\n", se.context(&full)));
        }
    }
    out
}

/// `ausearch -m avc [-ts recent|today]`: the AVC records, each after its time.
pub(super) fn ausearch(c: &Cluster, h: HostId, args: &[String], root: bool) -> String {
    if !root {
        return "Error opening config file (Permission denied)\nNOTE - using built-in logs: /var/log/audit/audit.log\nError opening /var/log/audit/audit.log (Permission denied)\n".to_string();
    }
    let avc = option(args, "-m", "--message").is_some_and(|m| m.eq_ignore_ascii_case("avc"));
    if !avc {
        return "walscope: ausearch here finds AVC records: ausearch -m avc\n".to_string();
    }
    let log = c.host(h).files.get(AUDIT_LOG).cloned().unwrap_or_default();
    let mut out = String::new();
    for line in log.lines().filter(|l| l.starts_with("type=AVC")) {
        let secs = line
            .split("audit(")
            .nth(1)
            .and_then(|r| r.split('.').next())
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0);
        let micros = secs.saturating_mul(1_000_000);
        let systemd = format_systemd_timestamp(micros);
        let (weekday, year) = (
            systemd.get(..3).unwrap_or(""),
            systemd.get(4..8).unwrap_or(""),
        );
        out.push_str(&format!(
            "----\ntime->{weekday} {} {year}\n{line}\n",
            format_syslog_timestamp(micros)
        ));
    }
    if out.is_empty() {
        return "<no matches>\n".to_string();
    }
    out
}
