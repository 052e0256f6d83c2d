//! Symbolic links on a RHEL host: `ln -s` and `ls -l` of links and of the programs the
//! PostgreSQL packages put in /usr/bin. Red Hat's packages install into /usr/bin, so
//! the notes' `/usr/pgsql-15/bin` (the PGDG layout) does not exist here: a link to it
//! dangles, as it would on a real RHEL host with Red Hat's packages.

use super::package_of;
use crate::script::shell::resolve_path;
use crate::sim::os::MAX_LINKS;
use crate::sim::{Cluster, HostId};

/// Directories every RHEL host has, besides the host's own (`mkdir`) ones.
const SYSTEM_DIRS: [&str; 9] = [
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local",
    "/usr/local/bin",
    "/etc",
    "/opt",
    "/tmp",
    "/root",
];

/// Whether `path` is a program a package installed on this host.
fn installed_program(c: &Cluster, h: HostId, path: &str) -> bool {
    let Some(name) = path.strip_prefix("/usr/bin/") else {
        return false;
    };
    package_of(name).is_some_and(|p| c.os(h).is_some_and(|o| o.has(p)))
}

fn is_dir(c: &Cluster, h: HostId, path: &str) -> bool {
    let host = c.host(h);
    SYSTEM_DIRS.contains(&path)
        || host.dirs.contains(path)
        || (path == crate::sim::PGDATA && host.data.is_some())
}

fn exists(c: &Cluster, h: HostId, path: &str) -> bool {
    is_dir(c, h, path)
        || installed_program(c, h, path)
        || c.host(h).files.contains_key(path)
        || c.os(h).is_some_and(|o| o.links.contains_key(path))
}

/// What a program path leads to after links: `Some(/usr/bin/NAME)` of an installed
/// program, `None` when it dangles.
pub(super) fn follow(c: &Cluster, h: HostId, path: &str) -> Option<String> {
    let mut p = path.to_string();
    for _ in 0..8 {
        if installed_program(c, h, &p) {
            return Some(p);
        }
        p = resolve_path(c.os(h)?.links.get(&p)?);
    }
    None
}

fn parent(path: &str) -> &str {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((p, _)) => p,
    }
}

/// `ln -s TARGET LINK` (and `-sf`).
pub(super) fn ln(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let flags: String = args
        .iter()
        .filter(|a| a.starts_with('-'))
        .flat_map(|a| a.chars().skip(1))
        .collect();
    let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !flags.contains('s') {
        return "walscope: ln makes symbolic links here (ln -s TARGET LINK_NAME)\n".to_string();
    }
    let (target, link) = match words.as_slice() {
        [t] => ((*t).clone(), t.rsplit('/').next().unwrap_or(t).to_string()),
        [t, l] => ((*t).clone(), (*l).clone()),
        [] => {
            return "ln: missing file operand\nTry 'ln --help' for more information.\n".to_string()
        }
        _ => return "walscope: ln -s takes one TARGET and one LINK_NAME here\n".to_string(),
    };
    let mut path = resolve_path(&link);
    if is_dir(c, h, &path) {
        let base = target
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(&target);
        path = format!("{}/{base}", path.trim_end_matches('/'));
    }
    if !is_dir(c, h, parent(&path)) {
        return format!("ln: failed to create symbolic link '{link}': No such file or directory\n");
    }
    let system = SYSTEM_DIRS.contains(&parent(&path));
    if system && !root {
        return format!("ln: failed to create symbolic link '{link}': Permission denied\n");
    }
    if exists(c, h, &path) {
        let replaceable = c.os(h).is_some_and(|o| o.links.contains_key(&path));
        if !(flags.contains('f') && replaceable) {
            return format!("ln: failed to create symbolic link '{link}': File exists\n");
        }
    }
    let Some(os) = c.os_mut(h) else {
        return String::new();
    };
    if os.links.len() >= MAX_LINKS && !os.links.contains_key(&path) {
        return format!("walscope: a host holds at most {MAX_LINKS} symbolic links\n");
    }
    os.links.insert(path, target.chars().take(4096).collect());
    String::new()
}

const DATE: &str = "Nov 24 09:00";

/// `ls -l` where it names links or /usr/bin programs; `None` leaves anything else to
/// the common `ls`.
pub(super) fn ls_long(c: &Cluster, h: HostId, args: &[String]) -> Option<String> {
    let os = c.os(h)?;
    let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if targets.is_empty() {
        return None;
    }
    let mut out = String::new();
    for t in targets {
        let path = resolve_path(t);
        if let Some(to) = os.links.get(&path) {
            out.push_str(&format!(
                "lrwxrwxrwx. 1 root root {} {DATE} {t} -> {to}\n",
                to.len()
            ));
        } else if installed_program(c, h, &path) {
            out.push_str(&format!("-rwxr-xr-x. 1 root root 99000 {DATE} {t}\n"));
        } else if SYSTEM_DIRS.contains(&path.as_str()) {
            let prefix = format!("{path}/");
            let mut names: Vec<String> = os
                .links
                .keys()
                .filter_map(|p| p.strip_prefix(&prefix))
                .filter(|n| !n.contains('/'))
                .map(str::to_string)
                .collect();
            if path == "/usr/bin" {
                for (prog, pkg) in super::PROGRAMS {
                    if os.has(pkg) {
                        names.push(prog.to_string());
                    }
                }
            }
            crate::sim::order::sort(&mut names);
            names.dedup();
            out.push_str(&format!("total {}\n", names.len() * 4));
            for n in names {
                let full = format!("{prefix}{n}");
                match os.links.get(&full) {
                    Some(to) => out.push_str(&format!(
                        "lrwxrwxrwx. 1 root root {} {DATE} {n} -> {to}\n",
                        to.len()
                    )),
                    None => out.push_str(&format!("-rwxr-xr-x. 1 root root 99000 {DATE} {n}\n")),
                }
            }
        } else if let Some(listing) = long_with_links(c, h, &path, t) {
            out.push_str(&listing);
        } else {
            return None;
        }
    }
    Some(out)
}

/// `ls -l DIR` of a directory holding a link `ln -s` made (PGDATA moved to another
/// disk, say): links with their targets, the rest as the postgres user's.
fn long_with_links(c: &Cluster, h: HostId, path: &str, arg: &str) -> Option<String> {
    let os = c.os(h)?;
    let prefix = format!("{}/", path.trim_end_matches('/'));
    let has_link = os
        .links
        .keys()
        .any(|l| l.strip_prefix(&prefix).is_some_and(|n| !n.contains('/')));
    if !has_link || !is_dir(c, h, path) {
        return None;
    }
    let mut names: Vec<String> = crate::script::shell::files::ls(c, h, &[arg.to_string()])
        .lines()
        .map(str::to_string)
        .collect();
    for l in os.links.keys() {
        if let Some(n) = l.strip_prefix(&prefix).filter(|n| !n.contains('/')) {
            names.push(n.to_string());
        }
    }
    crate::sim::order::sort(&mut names);
    names.dedup();
    let mut out = format!("total {}\n", names.len() * 4);
    for n in names {
        let full = format!("{prefix}{n}");
        if let Some(to) = os.links.get(&full) {
            out.push_str(&format!(
                "lrwxrwxrwx. 1 root root {} {DATE} {n} -> {to}\n",
                to.len()
            ));
        } else if let Some(text) = c.host(h).files.get(&full) {
            out.push_str(&format!(
                "-rw-------. 1 postgres postgres {} {DATE} {n}\n",
                text.len()
            ));
        } else {
            out.push_str(&format!(
                "drwx------. 2 postgres postgres 4096 {DATE} {n}\n"
            ));
        }
    }
    Some(out)
}
