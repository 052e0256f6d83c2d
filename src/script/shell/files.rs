//! The file tools a DBA uses on a data directory: cat, tail, echo with redirections,
//! touch, mkdir, rm and ls.

use super::resolve_path;
use crate::sim::perm::{self, FileMeta, Uid, POSTGRES, ROOT};
use crate::sim::{Cluster, HostId, PGDATA, PGHOME};

pub(super) fn read_file(c: &Cluster, h: HostId, path: &str) -> Result<String, &'static str> {
    let host = c.host(h);
    if let Some(t) = host.files.get(path) {
        return Ok(t.clone());
    }
    if let Some(d) = &host.data {
        if let Some(name) = path.strip_prefix(&format!("{PGDATA}/pg_wal/")) {
            if d.wal.segment_files().iter().any(|f| f == name) {
                return Err("binary");
            }
        }
    }
    if is_dir(c, h, path) {
        Err("dir")
    } else {
        Err("missing")
    }
}

pub(super) fn is_dir(c: &Cluster, h: HostId, path: &str) -> bool {
    let host = c.host(h);
    let prefix = format!("{path}/");
    path == "/"
        || host.dirs.contains(path)
        || host.dirs.iter().any(|d| d.starts_with(&prefix))
        || host.files.keys().any(|f| f.starts_with(&prefix))
        || (host.data.is_some()
            && (path == PGDATA || path.starts_with(&format!("{PGDATA}/")))
            && data_dir_entries(c, h, path).is_some())
        || path == "/var"
        || path == "/var/lib"
        || top_level_server_dir(c, h, path)
}

/// The data directory's own subdirectories (`pg_commit_ts`, `pg_notify`, ...): every
/// `pg_*` entry at its top is one.
fn top_level_server_dir(c: &Cluster, h: HostId, path: &str) -> bool {
    path.strip_prefix(&format!("{PGDATA}/"))
        .filter(|n| n.starts_with("pg_") && !n.contains('/'))
        .is_some_and(|n| data_dir_entries(c, h, PGDATA).is_some_and(|v| v.iter().any(|e| e == n)))
}

pub(super) fn cat(c: &Cluster, h: HostId, args: &[String]) -> String {
    let mut out = String::new();
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let p = resolve_path(a);
        match read_file(c, h, &p) {
            Ok(t) => out.push_str(&t),
            Err("dir") => out.push_str(&format!("cat: {a}: Is a directory\n")),
            Err("binary") => {
                out.push_str(&format!("cat: {a}: binary WAL segment (16MB) not shown\n"))
            }
            Err(_) => out.push_str(&format!("cat: {a}: No such file or directory\n")),
        }
    }
    out
}

pub(super) fn tail(c: &Cluster, h: HostId, args: &[String], stdin: Option<&str>) -> String {
    let mut n = 10usize;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-n" {
            match it
                .next()
                .and_then(|v| v.trim_start_matches('+').parse().ok())
            {
                Some(v) => n = v,
                None => return "tail: invalid number of lines\n".to_string(),
            }
        } else if let Some(v) = a.strip_prefix("-n") {
            n = v.parse().unwrap_or(10);
        } else if a == "-f" || a == "-F" {
        } else if let Some(v) = a.strip_prefix('-').and_then(|v| v.parse().ok()) {
            n = v;
        } else {
            files.push(a.clone());
        }
    }
    let mut out = String::new();
    if files.is_empty() {
        if let Some(t) = stdin {
            let lines: Vec<&str> = t.lines().collect();
            for l in &lines[lines.len().saturating_sub(n)..] {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    for f in files {
        match read_file(c, h, &resolve_path(&f)) {
            Ok(t) => {
                let lines: Vec<&str> = t.lines().collect();
                for l in &lines[lines.len().saturating_sub(n)..] {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            Err("dir") => out.push_str(&format!("tail: error reading '{f}': Is a directory\n")),
            Err(_) => out.push_str(&format!(
                "tail: cannot open '{f}' for reading: No such file or directory\n"
            )),
        }
    }
    out
}

fn parent(path: &str) -> String {
    match path.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((p, _)) => p.to_string(),
        None => "/".to_string(),
    }
}

fn writable_dir(c: &Cluster, h: HostId, dir: &str) -> bool {
    is_dir(c, h, dir) || (dir == PGDATA && c.host(h).data.is_some())
}

/// The user a line runs as: root under `sudo`, else postgres.
fn user(root: bool) -> Uid {
    if root {
        ROOT
    } else {
        POSTGRES
    }
}

/// Whether `user` may make or remove an entry in directory `dir` (write and search).
fn may_enter(c: &Cluster, h: HostId, dir: &str, user: Uid) -> bool {
    let m = c.host(h).meta_of(dir, true);
    perm::may(user, &m, 2) && perm::may(user, &m, 1)
}

/// Records a file or directory `user` just made, with the umask's mode.
fn made(c: &mut Cluster, h: HostId, path: &str, dir: bool, user: Uid) {
    let now = c.now();
    let mode = if dir { 0o777 } else { 0o666 } & !perm::UMASK;
    c.host_mut(h)
        .meta
        .insert(path.to_string(), FileMeta::new(user, mode, now));
}

/// A file's contents changed now (its `ls -l` date).
fn touched(c: &mut Cluster, h: HostId, path: &str) {
    let now = c.now();
    let host = c.host_mut(h);
    let mut m = host.meta_of(path, false);
    m.mtime = now;
    m.ctime = now;
    host.meta.insert(path.to_string(), m);
}

pub(super) fn echo(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let pos = args.iter().position(|a| a == ">" || a == ">>");
    let (words, redirect) = match pos {
        Some(i) => (&args[..i], Some((args[i].as_str(), args.get(i + 1)))),
        None => (args, None),
    };
    let (newline, words) = match words.first().map(String::as_str) {
        Some("-n") => (false, &words[1..]),
        Some("-e") => (true, &words[1..]),
        _ => (true, words),
    };
    let mut text = words.join(" ");
    if newline {
        text.push('\n');
    }
    let Some((op, file)) = redirect else {
        return text;
    };
    let Some(file) = file else {
        return "bash: syntax error near unexpected token `newline'\n".to_string();
    };
    let path = resolve_path(file);
    if is_dir(c, h, &path) {
        return format!("bash: {file}: Is a directory\n");
    }
    if !writable_dir(c, h, &parent(&path)) {
        return format!("bash: {file}: No such file or directory\n");
    }
    let me = user(root);
    let exists = c.host(h).files.contains_key(&path);
    let allowed = if exists {
        perm::may(me, &c.host(h).meta_of(&path, false), 2)
    } else {
        may_enter(c, h, &parent(&path), me)
    };
    if !allowed {
        return format!("bash: {file}: Permission denied\n");
    }
    let host = c.host_mut(h);
    let entry = host.files.entry(path.clone()).or_default();
    if op == ">" {
        entry.clear();
    }
    entry.push_str(&text);
    if exists {
        touched(c, h, &path);
    } else {
        made(c, h, &path, false, me);
    }
    String::new()
}

pub(super) fn touch(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let mut out = String::new();
    let me = user(root);
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let path = resolve_path(a);
        if !writable_dir(c, h, &parent(&path)) {
            out.push_str(&format!(
                "touch: cannot touch '{a}': No such file or directory\n"
            ));
            continue;
        }
        if kind_of(c, h, &path).is_some() {
            touched(c, h, &path);
            continue;
        }
        if !may_enter(c, h, &parent(&path), me) {
            out.push_str(&format!("touch: cannot touch '{a}': Permission denied\n"));
            continue;
        }
        c.host_mut(h).files.entry(path.clone()).or_default();
        made(c, h, &path, false, me);
    }
    out
}

/// `mkdir [-p] DIR...`, as its user with the umask's 0755 (coreutils quotes the name
/// with ‘’ in a UTF-8 locale).
pub(super) fn mkdir(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let parents = args.iter().any(|a| a == "-p" || a.starts_with("-p"));
    let me = user(root);
    let mut out = String::new();
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let path = resolve_path(a);
        if is_dir(c, h, &path) {
            if !parents {
                out.push_str(&format!(
                    "mkdir: cannot create directory ‘{a}’: File exists\n"
                ));
            }
            continue;
        }
        if !parents && !writable_dir(c, h, &parent(&path)) {
            out.push_str(&format!(
                "mkdir: cannot create directory ‘{a}’: No such file or directory\n"
            ));
            continue;
        }
        // The missing directories on the way, outermost first (all of them with -p).
        let mut missing = vec![path.clone()];
        let mut up = parent(&path);
        while parents && up != "/" && !is_dir(c, h, &up) {
            missing.push(up.clone());
            up = parent(&up);
        }
        if !may_enter(c, h, &up, me) {
            let shown = if parents {
                let depth = missing.len() - 1;
                let mut s = a.trim_end_matches('/').to_string();
                for _ in 0..depth {
                    s = match s.rsplit_once('/') {
                        Some((p, _)) if !p.is_empty() => p.to_string(),
                        _ => s,
                    };
                }
                s
            } else {
                a.to_string()
            };
            out.push_str(&format!(
                "mkdir: cannot create directory ‘{shown}’: Permission denied\n"
            ));
            continue;
        }
        for d in missing.iter().rev() {
            made(c, h, d, true, me);
        }
        c.host_mut(h).dirs.insert(path);
    }
    out
}

pub(super) fn rm(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let recursive = args
        .iter()
        .any(|a| a.starts_with('-') && (a.contains('r') || a.contains('R')));
    let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
    let mut out = String::new();
    // WAL segment files named in pg_wal: removed together at the end (see
    // Cluster::remove_wal_files), as (argument, file name).
    let mut wal: Vec<(&String, String)> = Vec::new();
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let path = resolve_path(a);
        // unlink(2) and rmdir(2) need write permission on the directory holding it.
        if path != "/"
            && kind_of(c, h, &path).is_some()
            && !may_enter(c, h, &parent(&path), user(root))
        {
            out.push_str(&format!("rm: cannot remove '{a}': Permission denied\n"));
            continue;
        }
        if let Some(name) = path.strip_prefix(&format!("{PGDATA}/pg_wal/")) {
            let d = c.host(h).data.as_ref();
            if d.is_some_and(|d| d.wal.segment_files().iter().any(|f| f == name)) {
                wal.push((a, name.to_string()));
                continue;
            }
        }
        if path == "/" && recursive {
            out.push_str("rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n");
            continue;
        }
        if let Some(entry) = path.strip_prefix(&format!("{PGDATA}/")) {
            // The server's files the model knows (a table's file, a database's
            // directory, base, global, pg_xact, postmaster.pid): gone, with the
            // consequences PostgreSQL draws when it next needs them.
            let dir = entry.rsplit_once('/').map_or(entry, |(d, _)| d).to_string();
            let is_dir = matches!(entry, "base" | "global" | "pg_xact")
                || (dir == "base" && entry != "base");
            let known = c
                .server_dir_entries(h, &dir)
                .is_some_and(|v| v.iter().any(|n| format!("{dir}/{n}") == entry))
                || (is_dir && !entry.contains('/') && data_dir_entries(c, h, &path).is_some());
            if known && is_dir && !recursive {
                out.push_str(&format!("rm: cannot remove '{a}': Is a directory\n"));
                continue;
            }
            if c.remove_server_file(h, entry) {
                continue;
            }
            // Its other directories are refused in words rather than pretended away:
            // removing them is not modelled.
            let top = entry.split('/').next().unwrap_or(entry);
            let kept = data_dir_entries(c, h, PGDATA).unwrap_or_default();
            if kept.iter().any(|k| k == top)
                && !matches!(
                    top,
                    "pg_wal" | "pg_replslot" | "base" | "global" | "pg_xact"
                )
            {
                out.push_str(&format!(
                    "rm: cannot remove '{a}': walscope does not model removing the server's own files (only WAL segments, slot directories, tables' files, base, global, pg_xact, postmaster.pid and the whole data directory)\n"
                ));
                continue;
            }
        }
        // A physical slot is a directory under pg_replslot: removing it drops the slot
        // (PostgreSQL reads pg_replslot at start; a DBA does this on a stopped server
        // whose slot keeps WAL it cannot start without).
        let slot = path
            .strip_prefix(&format!("{PGDATA}/pg_replslot/"))
            .filter(|n| !n.contains('/'))
            .filter(|n| {
                c.host(h)
                    .data
                    .as_ref()
                    .is_some_and(|d| d.slots.get(*n).is_some_and(|s| !s.temporary))
            })
            .map(str::to_string);
        if let Some(name) = slot {
            if !recursive {
                out.push_str(&format!("rm: cannot remove '{a}': Is a directory\n"));
            } else if let Some(d) = c.host_mut(h).data.as_mut() {
                d.slots.remove(&name);
            }
            continue;
        }
        let dir = is_dir(c, h, &path);
        if dir && !recursive {
            out.push_str(&format!("rm: cannot remove '{a}': Is a directory\n"));
            continue;
        }
        let prefix = format!("{path}/");
        let host = c.host_mut(h);
        let existed = host.files.remove(&path).is_some() || dir;
        host.forget_meta(&path);
        if dir {
            host.files.retain(|p, _| !p.starts_with(&prefix));
            host.dirs.retain(|d| d != &path && !d.starts_with(&prefix));
            // Removing the data directory (or what holds it) removes the cluster.
            if PGDATA == path || PGDATA.starts_with(&prefix) {
                if host.server.is_some() {
                    let name = host.name.clone();
                    c.crash(h);
                    c.host_mut(h).crashed = true;
                    out.push_str(&format!(
                        "rm: the running server on {name} lost its data directory and stopped\n"
                    ));
                }
                let host = c.host_mut(h);
                host.data = None;
                host.crashed = false;
                host.files
                    .retain(|p, _| !p.starts_with(&format!("{PGDATA}/")));
                if PGDATA.starts_with(&prefix) {
                    host.dirs.insert(PGHOME.to_string());
                }
            }
        }
        if !existed && !force {
            out.push_str(&format!(
                "rm: cannot remove '{a}': No such file or directory\n"
            ));
        }
    }
    if !wal.is_empty() {
        let names: Vec<String> = wal.iter().map(|(_, n)| n.clone()).collect();
        let refused = c.remove_wal_files(h, &names);
        for (a, n) in &wal {
            if refused.contains(n) {
                out.push_str(&format!("rm: cannot remove '{a}': walscope removes WAL segments only from the oldest on, and not the one being written\n"));
            }
        }
    }
    out
}

/// The entries of a directory inside an existing data directory.
fn data_dir_entries(c: &Cluster, h: HostId, dir: &str) -> Option<Vec<String>> {
    let host = c.host(h);
    let d = host.data.as_ref()?;
    if dir == PGDATA {
        let mut v: Vec<String> = [
            "pg_commit_ts",
            "pg_dynshmem",
            "pg_logical",
            "pg_multixact",
            "pg_notify",
            "pg_replslot",
            "pg_serial",
            "pg_snapshots",
            "pg_stat",
            "pg_stat_tmp",
            "pg_subtrans",
            "pg_tblspc",
            "pg_twophase",
            "pg_wal",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for top in ["base", "global", "pg_xact"] {
            if c.server_dir_entries(h, top).is_some() {
                v.push(top.to_string());
            }
        }
        if host.server.is_some() {
            v.push("postmaster.opts".to_string());
        }
        return Some(v);
    }
    if dir == format!("{PGDATA}/pg_wal") {
        let mut v = d.wal.segment_files();
        v.push("archive_status".to_string());
        return Some(v);
    }
    if dir == format!("{PGDATA}/pg_replslot") {
        return Some(
            d.slots
                .iter()
                .filter(|(_, s)| !s.temporary)
                .map(|(n, _)| n.clone())
                .collect(),
        );
    }
    if let Some(rel) = dir.strip_prefix(&format!("{PGDATA}/")) {
        if let Some(v) = c.server_dir_entries(h, rel) {
            return Some(v);
        }
    }
    let known = ["pg_wal/archive_status", "pg_stat", "pg_tblspc"];
    known
        .iter()
        .any(|k| dir == format!("{PGDATA}/{k}"))
        .then(Vec::new)
}

/// What a path is: `Some(true)` a directory, `Some(false)` a file, `None` nothing.
pub(super) fn kind_of(c: &Cluster, h: HostId, path: &str) -> Option<bool> {
    if c.host(h).files.contains_key(path) {
        return Some(false);
    }
    if is_dir(c, h, path) {
        return Some(true);
    }
    let (dir, name) = path.rsplit_once('/')?;
    let dir = if dir.is_empty() { "/" } else { dir };
    is_dir(c, h, dir)
        .then(|| dir_entries(c, h, dir))
        .filter(|names| names.iter().any(|n| n == name))
        .map(|_| false)
}

/// The names in directory `path`, sorted (dot files too).
pub(super) fn dir_entries(c: &Cluster, h: HostId, path: &str) -> Vec<String> {
    let host = c.host(h);
    let prefix = if path == "/" {
        "/".to_string()
    } else {
        format!("{path}/")
    };
    let mut names: Vec<String> = host
        .files
        .keys()
        .chain(host.dirs.iter())
        .filter_map(|p| p.strip_prefix(&prefix))
        .filter_map(|rest| rest.split('/').next())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(extra) = data_dir_entries(c, h, path) {
        names.extend(extra);
    }
    if path == "/var/lib" {
        names.push("pgsql".into());
    }
    if path == "/var" {
        names.push("lib".into());
    }
    if path == PGHOME && host.data.is_some() {
        names.push("data".into());
    }
    crate::sim::order::sort(&mut names);
    names.dedup();
    names
}

pub(super) fn ls(c: &Cluster, h: HostId, args: &[String]) -> String {
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
        if c.host(h).files.contains_key(&path) {
            out.push_str(&format!("{t}\n"));
            continue;
        }
        if !is_dir(c, h, &path) {
            out.push_str(&format!(
                "ls: cannot access '{t}': No such file or directory\n"
            ));
            continue;
        }
        for n in dir_entries(c, h, &path) {
            if n.starts_with('.') {
                continue;
            }
            out.push_str(&n);
            out.push('\n');
        }
    }
    out
}
