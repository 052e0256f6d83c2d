//! Owners and modes on the shell: `chown`, `chmod`, `stat` and `ls -l` / `ls -ld`, as
//! GNU coreutils 9 prints them (checked against coreutils on Debian 13 as postgres and
//! as root, `LANG=C.UTF-8`, `TZ=UTC`: the commands are in each test).
//!
//! A line runs as the postgres OS user, `sudo CMD` as root (see `shell::run`): only root
//! gives a file away, and only the owner (or root) changes its mode.
//!
//! Simplified: dates are the model's virtual clock (its wall-clock start, 2026-11-24
//! 09:00 UTC, plus the virtual time); sizes are what the model knows (a file's text, 16
//! MiB for a WAL segment, one 8 kB page for the server's other files, 4096 for a
//! directory); inode numbers are made up (but stable); there are no SELinux contexts in
//! `stat` (RHEL's `ls -l` shows the `.` of one).

use super::files::{dir_entries, is_dir, kind_of};
use super::resolve_path;
use crate::sim::datetime::format_syslog_timestamp;
use crate::sim::perm::{self, FileMeta, ModeChange, Uid, POSTGRES, ROOT};
use crate::sim::{Cluster, HostId, SimTime, PGDATA};

/// How deep `-R` goes: the model's trees are shallow; a bound keeps any tree finite.
const MAX_DEPTH: usize = 32;

fn usage(tool: &str, message: &str) -> String {
    format!("{tool}: {message}\nTry '{tool} --help' for more information.\n")
}

/// The size the model knows for a file: its text, a WAL segment's 16 MiB, a page for
/// the server's other files; 4096 for a directory.
fn size_of(c: &Cluster, h: HostId, path: &str, dir: bool) -> u64 {
    if dir {
        return 4096;
    }
    let host = c.host(h);
    if let Some(t) = host.files.get(path) {
        return t.len() as u64;
    }
    if path.starts_with(&format!("{PGDATA}/pg_wal/")) {
        return 16 * 1024 * 1024;
    }
    if path == format!("{PGDATA}/postmaster.opts") {
        return format!("/usr/bin/postgres \"-D\" \"{PGDATA}\"\n").len() as u64;
    }
    8192
}

/// `path` with everything under it: the directory before its contents (`pre`) or after
/// them, as chmod -R and chown -R visit them.
fn walk(c: &Cluster, h: HostId, path: &str, pre: bool, depth: usize, out: &mut Vec<String>) {
    if pre {
        out.push(path.to_string());
    }
    if depth < MAX_DEPTH && is_dir(c, h, path) {
        for name in dir_entries(c, h, path) {
            let child = if path == "/" {
                format!("/{name}")
            } else {
                format!("{path}/{name}")
            };
            walk(c, h, &child, pre, depth + 1, out);
        }
    }
    if !pre {
        out.push(path.to_string());
    }
}

/// The argument's spelling for a file found under it by -R (`data/base`).
fn shown(arg: &str, base: &str, path: &str) -> String {
    match path.strip_prefix(base) {
        Some(rest) if !rest.is_empty() => format!("{}{rest}", arg.trim_end_matches('/')),
        _ => arg.to_string(),
    }
}

/// Splits `[-R] [other options] FIRST FILE...`; `Err` is the usage text.
fn operands<'a>(
    tool: &str,
    args: &'a [String],
) -> Result<(bool, &'a str, Vec<&'a String>), String> {
    let mut recursive = false;
    let mut words = Vec::new();
    for a in args {
        if a.starts_with('-') && a.len() > 1 && words.is_empty() && !a.starts_with("--") {
            let flags = &a[1..];
            // `chmod -x f` is a mode, not an option.
            if tool == "chmod" && flags.chars().any(|ch| "rwxXst".contains(ch) && ch != 'R') {
                words.push(a);
                continue;
            }
            for ch in flags.chars() {
                match ch {
                    'R' => recursive = true,
                    'v' | 'c' | 'f' | 'h' | 'H' | 'L' | 'P' => {}
                    other => return Err(usage(tool, &format!("invalid option -- '{other}'"))),
                }
            }
        } else if a == "--recursive" {
            recursive = true;
        } else {
            words.push(a);
        }
    }
    match words.as_slice() {
        [] => Err(usage(tool, "missing operand")),
        [one] => Err(usage(tool, &format!("missing operand after ‘{one}’"))),
        [first, rest @ ..] => Ok((recursive, first.as_str(), rest.to_vec())),
    }
}

/// `chown [-R] [OWNER][:[GROUP]] FILE...`.
pub(super) fn chown(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let (recursive, spec, files) = match operands("chown", args) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let owner = if user.is_empty() {
        None
    } else {
        match Uid::lookup(user) {
            Some(u) => Some(u),
            None => return format!("chown: invalid user: ‘{spec}’\n"),
        }
    };
    // `user:` is the user's login group (the group of the same name here).
    let group = match group {
        Some("") => owner,
        Some(g) => match Uid::lookup(g) {
            Some(g) => Some(g),
            None => return format!("chown: invalid group: ‘{spec}’\n"),
        },
        None => None,
    };
    let me = if root { ROOT } else { POSTGRES };
    let now = c.now();
    let mut out = String::new();
    for a in files {
        let Some((path, paths)) = targets(c, h, "chown", a, recursive.then_some(false), &mut out)
        else {
            continue;
        };
        for p in paths {
            let dir = is_dir(c, h, &p);
            let mut m = c.host(h).meta_of(&p, dir);
            let new_owner = owner.unwrap_or(m.owner);
            let new_group = group.unwrap_or(m.group);
            if me != ROOT {
                // chown(2): a plain user may not give a file away, and may change its
                // group only on a file of its own, to a group it belongs to.
                if new_owner != m.owner || (m.owner != me && owner.is_some()) {
                    out.push_str(&format!(
                        "chown: changing ownership of '{}': Operation not permitted\n",
                        shown(a, &path, &p)
                    ));
                    continue;
                }
                if new_group != m.group && (m.owner != me || new_group != me) {
                    out.push_str(&format!(
                        "chown: changing group of '{}': Operation not permitted\n",
                        shown(a, &path, &p)
                    ));
                    continue;
                }
            }
            if (new_owner, new_group) != (m.owner, m.group) {
                m.owner = new_owner;
                m.group = new_group;
                m.ctime = now;
                // chown clears setuid and setgid of a file that is executable.
                if !dir && m.mode & 0o111 != 0 {
                    m.mode &= !0o6000;
                }
            }
            c.host_mut(h).meta.insert(p, m);
        }
    }
    out
}

/// `chmod [-R] MODE FILE...` with an octal or a symbolic MODE.
pub(super) fn chmod(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let (recursive, spec, files) = match operands("chmod", args) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let change: ModeChange = match perm::parse_mode(spec) {
        Ok(m) => m,
        Err(_) => return usage("chmod", &format!("invalid mode: ‘{spec}’")),
    };
    let me = if root { ROOT } else { POSTGRES };
    let now = c.now();
    let mut out = String::new();
    for a in files {
        let Some((path, paths)) = targets(c, h, "chmod", a, recursive.then_some(true), &mut out)
        else {
            continue;
        };
        for p in paths {
            let dir = is_dir(c, h, &p);
            let mut m = c.host(h).meta_of(&p, dir);
            if me != ROOT && m.owner != me {
                out.push_str(&format!(
                    "chmod: changing permissions of '{}': Operation not permitted\n",
                    shown(a, &path, &p)
                ));
                continue;
            }
            let mode = perm::apply_mode(&change, m.mode, dir);
            if mode != m.mode {
                m.mode = mode;
                m.ctime = now;
            }
            c.host_mut(h).meta.insert(p, m);
        }
    }
    out
}

/// An inode number that stays the same for a path (FNV-1a of it), in the range a
/// fresh ext4 or xfs file system hands out.
fn inode(path: &str) -> u64 {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        x ^= u64::from(b);
        x = x.wrapping_mul(0x0100_0000_01b3);
    }
    1_000_000 + x % 30_000_000
}

/// `ls -l`'s date column: `Nov 24 09:00` (`%b %e %H:%M`; every time of a lab is
/// within the last six months).
fn ls_date(t: SimTime) -> String {
    let s = format_syslog_timestamp(t.unix_micros());
    // "Nov 24 09:00:00": the day is padded with a space, not a zero, and seconds go.
    let (mon, rest) = s.split_at(4);
    let day = rest.get(..2).unwrap_or("").trim_start_matches('0');
    format!("{mon}{day:>2}{}", rest.get(2..8).unwrap_or(""))
}

/// stat's times: `2026-11-24 09:00:00.000000000 +0000`.
fn stat_time(t: SimTime) -> String {
    let ts = crate::sim::datetime::format_log_timestamp(t.unix_micros());
    let micros = t.unix_micros().rem_euclid(1_000_000);
    format!("{}.{:06}000 +0000", &ts[..19], micros)
}

/// What stat reports of one file besides its [`FileMeta`].
struct Facts<'a> {
    dir: bool,
    size: u64,
    kind: &'a str,
    links: usize,
    ino: u64,
}

/// `stat -c FORMAT`'s directives: %a %A %U %G %u %g %n %s %F %h %i %y and %%.
fn stat_format(format: &str, a: &str, m: &FileMeta, f: &Facts) -> String {
    let Facts {
        dir,
        size,
        kind,
        links,
        ino,
    } = *f;
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('a') => out.push_str(&format!("{:o}", m.mode)),
            Some('A') => out.push_str(&perm::mode_string(dir, m.mode)),
            Some('U') => out.push_str(&m.owner.name()),
            Some('G') => out.push_str(&m.group.name()),
            Some('u') => out.push_str(&m.owner.0.to_string()),
            Some('g') => out.push_str(&m.group.0.to_string()),
            Some('n') => out.push_str(a),
            Some('s') => out.push_str(&size.to_string()),
            Some('F') => out.push_str(kind),
            Some('h') => out.push_str(&links.to_string()),
            Some('i') => out.push_str(&ino.to_string()),
            Some('y') => out.push_str(&stat_time(m.mtime)),
            Some('%') => out.push('%'),
            Some(_) => out.push('?'),
            None => out.push('%'),
        }
    }
    out.push('\n');
    out
}

/// `stat [-c FORMAT] FILE...`.
pub(super) fn stat(c: &Cluster, h: HostId, args: &[String]) -> String {
    let mut format = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-c" || a == "--format" {
            match it.next() {
                Some(f) => format = Some(f.clone()),
                None => return usage("stat", "option requires an argument -- 'c'"),
            }
        } else if let Some(f) = a
            .strip_prefix("--format=")
            .or_else(|| a.strip_prefix("-c").filter(|f| !f.is_empty()))
        {
            format = Some(f.to_string());
        } else if !a.starts_with('-') || a == "-" {
            files.push(a);
        }
    }
    if files.is_empty() {
        return usage("stat", "missing operand");
    }
    let mut out = String::new();
    for a in files {
        let path = resolve_path(a);
        let Some(dir) = kind_of(c, h, &path) else {
            out.push_str(&format!(
                "stat: cannot statx '{a}': No such file or directory\n"
            ));
            continue;
        };
        let m = c.host(h).meta_of(&path, dir);
        let size = size_of(c, h, &path, dir);
        let blocks = size.div_ceil(4096) * 8;
        let kind = match (dir, size) {
            (true, _) => "directory",
            (false, 0) => "regular empty file",
            _ => "regular file",
        };
        let links = if dir { 2 + subdirs(c, h, &path) } else { 1 };
        if let Some(f) = &format {
            let facts = Facts {
                dir,
                size,
                kind,
                links,
                ino: inode(&path),
            };
            out.push_str(&stat_format(f, a, &m, &facts));
            continue;
        }
        out.push_str(&format!("  File: {a}\n"));
        out.push_str(&format!(
            "  Size: {size:<10}\tBlocks: {blocks:<10} IO Block: 4096   {kind}\n"
        ));
        out.push_str(&format!(
            "Device: 253,0\tInode: {:<11} Links: {links}\n",
            inode(&path)
        ));
        out.push_str(&format!(
            "Access: ({:04o}/{})  Uid: ({:>5}/{:>8})   Gid: ({:>5}/{:>8})\n",
            m.mode,
            perm::mode_string(dir, m.mode),
            m.owner.0,
            m.owner.name(),
            m.group.0,
            m.group.name()
        ));
        out.push_str(&format!("Access: {}\n", stat_time(m.mtime)));
        out.push_str(&format!("Modify: {}\n", stat_time(m.mtime)));
        out.push_str(&format!("Change: {}\n", stat_time(m.ctime)));
        out.push_str(&format!(" Birth: {}\n", stat_time(m.mtime)));
    }
    out
}

fn subdirs(c: &Cluster, h: HostId, path: &str) -> usize {
    dir_entries(c, h, path)
        .iter()
        .filter(|n| is_dir(c, h, &format!("{}/{n}", path.trim_end_matches('/'))))
        .count()
}

/// One row of `ls -l` before the columns are aligned.
struct Row {
    mode: String,
    links: usize,
    owner: String,
    group: String,
    size: u64,
    date: String,
    name: String,
    blocks: u64,
}

fn row(c: &Cluster, h: HostId, path: &str, name: &str) -> Row {
    let dir = is_dir(c, h, path);
    let m: FileMeta = c.host(h).meta_of(path, dir);
    let size = size_of(c, h, path, dir);
    let dot = if c.host(h).os.is_some() { "." } else { "" };
    Row {
        mode: format!("{}{dot}", perm::mode_string(dir, m.mode)),
        links: if dir { 2 + subdirs(c, h, path) } else { 1 },
        owner: m.owner.name(),
        group: m.group.name(),
        size,
        date: ls_date(m.mtime),
        name: name.to_string(),
        blocks: size.div_ceil(4096) * 4,
    }
}

/// Rows in columns as GNU ls aligns them: counts and sizes to the right, names of
/// owner and group to the left.
fn columns(rows: &[Row]) -> String {
    let w = |f: &dyn Fn(&Row) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let (wl, wo, wg, ws) = (
        w(&|r| r.links.to_string().len()),
        w(&|r| r.owner.len()),
        w(&|r| r.group.len()),
        w(&|r| r.size.to_string().len()),
    );
    rows.iter()
        .map(|r| {
            format!(
                "{} {:>wl$} {:<wo$} {:<wg$} {:>ws$} {} {}\n",
                r.mode, r.links, r.owner, r.group, r.size, r.date, r.name
            )
        })
        .collect()
}

/// `ls -l` / `ls -ld` / `ls -la` of the files and directories named (PGDATA when none).
pub(super) fn ls_long(c: &Cluster, h: HostId, args: &[String]) -> String {
    let flags: String = args
        .iter()
        .filter(|a| a.starts_with('-'))
        .flat_map(|a| a.chars().skip(1))
        .collect();
    let (dirs_as_files, all) = (flags.contains('d'), flags.contains('a'));
    let named: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let default = PGDATA.to_string();
    let named = if named.is_empty() {
        vec![&default]
    } else {
        named
    };
    let mut errors = String::new();
    let mut file_rows = Vec::new();
    let mut dirs = Vec::new();
    for a in &named {
        let path = resolve_path(a);
        match kind_of(c, h, &path) {
            None => errors.push_str(&format!(
                "ls: cannot access '{a}': No such file or directory\n"
            )),
            Some(true) if !dirs_as_files => dirs.push(((*a).clone(), path)),
            Some(_) => file_rows.push(row(c, h, &path, a)),
        }
    }
    let mut out = errors;
    let mut parts = Vec::new();
    if !file_rows.is_empty() {
        parts.push(columns(&file_rows));
    }
    let headers = named.len() > 1;
    for (a, path) in dirs {
        let mut rows = Vec::new();
        if all {
            rows.push(row(c, h, &path, "."));
            let parent = match path.rsplit_once('/') {
                Some(("", _)) | None => "/".to_string(),
                Some((p, _)) => p.to_string(),
            };
            rows.push(row(c, h, &parent, ".."));
        }
        for name in dir_entries(c, h, &path) {
            if name.starts_with('.') && !all {
                continue;
            }
            let child = if path == "/" {
                format!("/{name}")
            } else {
                format!("{path}/{name}")
            };
            rows.push(row(c, h, &child, &name));
        }
        let total: u64 = rows.iter().map(|r| r.blocks).sum();
        let mut text = if headers {
            format!("{a}:\n")
        } else {
            String::new()
        };
        text.push_str(&format!("total {total}\n"));
        text.push_str(&columns(&rows));
        parts.push(text);
    }
    out.push_str(&parts.join("\n"));
    out
}

/// The paths a chown or chmod of argument `a` changes: the file itself, or with `-R`
/// (`recursive` = whether a directory comes before what it holds) everything under it.
/// `None`, with coreutils' message in `out`, when `a` does not exist.
fn targets(
    c: &Cluster,
    h: HostId,
    cmd: &str,
    a: &str,
    recursive: Option<bool>,
    out: &mut String,
) -> Option<(String, Vec<String>)> {
    let path = resolve_path(a);
    if kind_of(c, h, &path).is_none() {
        out.push_str(&format!(
            "{cmd}: cannot access '{a}': No such file or directory\n"
        ));
        return None;
    }
    let mut paths = Vec::new();
    match recursive {
        Some(dirs_first) => walk(c, h, &path, dirs_first, 0, &mut paths),
        None => paths.push(path.clone()),
    }
    Some((path, paths))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_ls_and_stat_print_them() {
        assert_eq!(ls_date(SimTime::ZERO), "Nov 24 09:00");
        assert_eq!(ls_date(SimTime(61_500_000)), "Nov 24 09:01");
        assert_eq!(
            stat_time(SimTime(1_500_000)),
            "2026-11-24 09:00:01.500000000 +0000"
        );
    }
}
