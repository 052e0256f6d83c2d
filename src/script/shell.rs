//! Shell commands on a host: pg_basebackup, pg_ctl, systemctl, pg_rewind and the few
//! file tools a DBA uses on a data directory.

use crate::sim::conf;
use crate::sim::{
    BaseBackupOptions, Cluster, HostId, StartError, StopMode, WalMethod, PGDATA, PGHOME,
};

/// What a shell command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellResult {
    /// Finished; this is what it printed.
    Done(String),
    /// A base backup is running; the shell waits for it (see `Cluster::basebackup`).
    BaseBackup(usize),
}

/// Splits a command line into words as bash would for simple commands: quotes,
/// backslashes, and `>`/`>>` redirections as their own words.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                has = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => {
                            return Err(
                                "bash: unexpected EOF while looking for matching `''".to_string()
                            )
                        }
                    }
                }
            }
            '"' => {
                has = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch) => cur.push(ch),
                            None => {
                                return Err("bash: unexpected EOF while looking for matching `\"'"
                                    .to_string())
                            }
                        },
                        Some(ch) => cur.push(ch),
                        None => {
                            return Err(
                                "bash: unexpected EOF while looking for matching `\"'".to_string()
                            )
                        }
                    }
                }
            }
            '\\' => {
                has = true;
                if let Some(ch) = chars.next() {
                    cur.push(ch);
                }
            }
            '>' => {
                if has {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
                if chars.peek() == Some(&'>') {
                    chars.next();
                    words.push(">>".to_string());
                } else {
                    words.push(">".to_string());
                }
            }
            c if c.is_whitespace() => {
                if has {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => {
                has = true;
                cur.push(c);
            }
        }
    }
    if has {
        words.push(cur);
    }
    Ok(words)
}

/// Resolves a path as the postgres user's shell would, with PGDATA as the working
/// directory.
pub fn resolve_path(p: &str) -> String {
    let abs = if let Some(rest) = p.strip_prefix("~/") {
        format!("{PGHOME}/{rest}")
    } else if p == "~" {
        PGHOME.to_string()
    } else if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{PGDATA}/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in abs.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Runs one shell command line on host `h`.
pub fn run(c: &mut Cluster, h: HostId, line: &str) -> ShellResult {
    let words = match split_words(line) {
        Ok(w) => w,
        Err(e) => return ShellResult::Done(format!("{e}\n")),
    };
    let mut env: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while let Some((k, v)) = words
        .get(i)
        .and_then(|w| w.split_once('='))
        .filter(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        env.push((k.to_string(), v.to_string()));
        i += 1;
    }
    let mut words = words[i..].to_vec();
    // `sudo -u postgres CMD` and `sudo -iu postgres CMD` run CMD as postgres, as here.
    if words.first().map(String::as_str) == Some("sudo") {
        let mut j = 1;
        while j < words.len() && words[j].starts_with('-') {
            j += if words[j] == "-u" { 2 } else { 1 };
        }
        words = words[j.min(words.len())..].to_vec();
    }
    let Some(cmd) = words.first().cloned() else {
        return ShellResult::Done(String::new());
    };
    let args = &words[1..];
    let out = match cmd.as_str() {
        "pg_basebackup" => return basebackup(c, h, args, &env),
        "pg_ctl" => pg_ctl(c, h, args),
        "systemctl" => systemctl(c, h, args),
        "pg_rewind" => pg_rewind(c, h, args),
        "cat" => cat(c, h, args),
        "tail" => tail(c, h, args),
        "echo" => echo(c, h, args),
        "rm" => rm(c, h, args),
        "mkdir" => mkdir(c, h, args),
        "touch" => touch(c, h, args),
        "ls" => ls(c, h, args),
        "chown" | "chmod" => {
            if args.iter().filter(|a| !a.starts_with('-')).count() < 2 {
                format!("{cmd}: missing operand\nTry '{cmd} --help' for more information.\n")
            } else {
                String::new()
            }
        }
        "hostname" => format!("{}\n", c.host(h).name),
        "whoami" => "postgres\n".to_string(),
        "pwd" => format!("{PGDATA}\n"),
        other => format!("bash: {other}: command not found\n"),
    };
    ShellResult::Done(out)
}

fn basebackup(
    c: &mut Cluster,
    h: HostId,
    args: &[String],
    env: &[(String, String)],
) -> ShellResult {
    let mut o = BaseBackupOptions {
        host: None,
        port: 5432,
        user: None,
        password: env
            .iter()
            .find(|(k, _)| k == "PGPASSWORD")
            .map(|(_, v)| v.clone()),
        dir: String::new(),
        progress: false,
        verbose: false,
        write_recovery_conf: false,
        wal_method: WalMethod::Stream,
        create_slot: false,
        slot: None,
        fast_checkpoint: false,
    };
    let usage = |m: &str| {
        ShellResult::Done(format!("pg_basebackup: error: {m}\npg_basebackup: hint: Try \"pg_basebackup --help\" for more information.\n"))
    };
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        // Options take their value attached (-hprimary, --host=primary) or as the next word.
        let (flag, attached) = if let Some(long) = a.strip_prefix("--") {
            match long.split_once('=') {
                Some((f, v)) => (format!("--{f}"), Some(v.to_string())),
                None => (a.clone(), None),
            }
        } else if a.len() > 2 && a.starts_with('-') && "hpUDXSdlcF".contains(&a[1..2]) {
            (a[..2].to_string(), Some(a[2..].to_string()))
        } else {
            (a.clone(), None)
        };
        let mut value = |name: &str| -> Result<String, ShellResult> {
            attached
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| usage(&format!("option requires an argument -- '{name}'")))
        };
        macro_rules! val {
            ($n:expr) => {
                match value($n) {
                    Ok(v) => v,
                    Err(e) => return e,
                }
            };
        }
        match flag.as_str() {
            "-h" | "--host" => o.host = Some(val!("h")),
            "-p" | "--port" => {
                let v = val!("p");
                match v.parse() {
                    Ok(p) => o.port = p,
                    Err(_) => return usage(&format!("invalid port number \"{v}\"")),
                }
            }
            "-U" | "--username" => o.user = Some(val!("U")),
            "-D" | "--pgdata" => o.dir = resolve_path(&val!("D")),
            "-P" | "--progress" => o.progress = true,
            "-v" | "--verbose" => o.verbose = true,
            "-R" | "--write-recovery-conf" => o.write_recovery_conf = true,
            "-C" | "--create-slot" => o.create_slot = true,
            "-S" | "--slot" => o.slot = Some(val!("S")),
            "-X" | "--wal-method" => {
                let v = val!("X");
                o.wal_method = match v.as_str() {
                    "s" | "stream" => WalMethod::Stream,
                    "f" | "fetch" => WalMethod::Fetch,
                    "n" | "none" => WalMethod::None,
                    _ => return usage(&format!("invalid wal-method option \"{v}\", must be \"fetch\", \"stream\", or \"none\"")),
                };
            }
            "-c" | "--checkpoint" => {
                let v = val!("c");
                o.fast_checkpoint = match v.as_str() {
                    "fast" => true,
                    "spread" => false,
                    _ => {
                        return usage(&format!(
                            "invalid checkpoint argument \"{v}\", must be \"fast\" or \"spread\""
                        ))
                    }
                };
            }
            "-F" | "--format" => {
                let v = val!("F");
                if v != "p" && v != "plain" {
                    return usage("walscope clones in plain format only (-Fp)");
                }
            }
            "-w" | "--no-password" | "-W" | "--password" => {}
            other => return usage(&format!("unrecognized option '{other}'")),
        }
    }
    if o.dir.is_empty() {
        return usage("no target directory specified");
    }
    if o.create_slot && o.slot.is_none() {
        return usage("--create-slot needs a slot to be specified using --slot");
    }
    match c.start_basebackup(h, o) {
        Ok(id) => ShellResult::BaseBackup(id),
        Err(lines) => ShellResult::Done(lines.join("\n") + "\n"),
    }
}

fn data_dir_arg(args: &[String]) -> Result<String, String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let d = if a == "-D" || a == "--pgdata" {
            it.next().cloned()
        } else if let Some(v) = a.strip_prefix("--pgdata=") {
            Some(v.to_string())
        } else if a.len() > 2 && a.starts_with("-D") {
            Some(a[2..].to_string())
        } else {
            None
        };
        if let Some(d) = d {
            return Ok(resolve_path(&d));
        }
    }
    Ok(PGDATA.to_string())
}

fn stop_mode(args: &[String]) -> Result<StopMode, String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let m = if a == "-m" || a == "--mode" {
            it.next().cloned()
        } else if let Some(v) = a.strip_prefix("--mode=") {
            Some(v.to_string())
        } else if a.len() > 2 && a.starts_with("-m") {
            Some(a[2..].to_string())
        } else {
            None
        };
        if let Some(m) = m {
            return match m.as_str() {
                "s" | "smart" => Ok(StopMode::Smart),
                "f" | "fast" => Ok(StopMode::Fast),
                "i" | "immediate" => Ok(StopMode::Immediate),
                other => Err(format!("pg_ctl: unrecognized shutdown mode \"{other}\"\nTry \"pg_ctl --help\" for more information.\n")),
            };
        }
    }
    Ok(StopMode::Fast)
}

fn start_text(c: &mut Cluster, h: HostId) -> String {
    match c.start(h) {
        Ok(()) => "waiting for server to start.... done\nserver started\n".to_string(),
        Err(StartError::NoDataDirectory) => format!("pg_ctl: directory \"{PGDATA}\" is not a database cluster directory\n"),
        Err(StartError::AlreadyRunning) => "pg_ctl: another server might be running; trying to start server anyway\nwaiting for server to start.... stopped waiting\npg_ctl: could not start server\nExamine the log output.\n".to_string(),
        Err(StartError::Failed(stderr)) => {
            // The server's stderr follows pg_ctl's dots on the same line.
            let stopped = if stderr.is_empty() { " stopped waiting" } else { "\n stopped waiting" };
            format!("waiting for server to start....{}{stopped}\npg_ctl: could not start server\nExamine the log output.\n", stderr.trim_end())
        }
    }
}

fn no_pid_file() -> String {
    format!("pg_ctl: PID file \"{PGDATA}/postmaster.pid\" does not exist\nIs server running?\n")
}

fn pg_ctl(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let dir = match data_dir_arg(args) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let Some(action) = args.iter().find(|a| {
        matches!(
            a.as_str(),
            "start" | "stop" | "restart" | "reload" | "promote" | "status"
        )
    }) else {
        return "pg_ctl: no operation specified\nTry \"pg_ctl --help\" for more information.\n"
            .to_string();
    };
    if dir != PGDATA {
        return format!("pg_ctl: directory \"{dir}\" does not exist\n");
    }
    if c.host(h).data.is_none() && action != "status" {
        return if c
            .host(h)
            .files
            .keys()
            .any(|p| p.starts_with(&format!("{PGDATA}/")))
        {
            format!("pg_ctl: directory \"{PGDATA}\" is not a database cluster directory\n")
        } else {
            format!("pg_ctl: directory \"{PGDATA}\" does not exist\n")
        };
    }
    let mode = match stop_mode(args) {
        Ok(m) => m,
        Err(e) => return e,
    };
    match action.as_str() {
        "start" => start_text(c, h),
        "stop" => {
            if c.stop(h, mode) {
                "waiting for server to shut down.... done\nserver stopped\n".to_string()
            } else {
                no_pid_file()
            }
        }
        "restart" => {
            let mut out = if c.stop(h, mode) {
                "waiting for server to shut down.... done\nserver stopped\n".to_string()
            } else {
                no_pid_file() + "trying to start server anyway\n"
            };
            out.push_str(&start_text(c, h));
            out
        }
        "reload" => {
            if c.reload(h) {
                "server signaled\n".to_string()
            } else {
                no_pid_file()
            }
        }
        "promote" => match c.host(h).server.as_ref().map(|s| s.standby) {
            None => no_pid_file(),
            Some(false) => "pg_ctl: cannot promote server; server is not in standby mode\n".to_string(),
            Some(true) => {
                c.promote(h);
                "waiting for server to promote.... done\nserver promoted\n".to_string()
            }
        },
        _ => match c.host(h).server.as_ref() {
            Some(s) => format!("pg_ctl: server is running (PID: {})\n/usr/pgsql-15/bin/postgres \"-D\" \"{PGDATA}\"\n", s.pid),
            None => "pg_ctl: no server running\n".to_string(),
        },
    }
}

fn systemctl(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let (Some(action), Some(unit)) = (args.first(), args.get(1)) else {
        return "Too few arguments.\n".to_string();
    };
    let unit_base = unit.trim_end_matches(".service");
    if unit_base != "postgresql" && unit_base != "postgresql-15" {
        return format!("Failed to {action} {unit}: Unit {unit_base}.service not found.\n");
    }
    let failed = |unit: &str| {
        format!("Job for {unit}.service failed because the control process exited with error code.\nSee \"systemctl status {unit}.service\" and \"journalctl -xeu {unit}.service\" for details.\n")
    };
    match action.as_str() {
        "start" => {
            if c.host(h).server.is_some() {
                return String::new();
            }
            match c.start(h) {
                Ok(()) => String::new(),
                Err(_) => failed(unit_base),
            }
        }
        "stop" => {
            c.stop(h, StopMode::Fast);
            String::new()
        }
        "restart" => {
            c.stop(h, StopMode::Fast);
            match c.start(h) {
                Ok(()) => String::new(),
                Err(_) => failed(unit_base),
            }
        }
        "reload" => {
            if c.reload(h) {
                String::new()
            } else {
                format!("{unit_base}.service is not active, cannot reload.\n")
            }
        }
        "status" => {
            let host = c.host(h);
            let active = match (&host.server, host.crashed) {
                (Some(_), _) => "active (running)",
                (None, true) => "failed (Result: signal)",
                (None, false) => "inactive (dead)",
            };
            format!("● {unit_base}.service - PostgreSQL 15 database server\n     Loaded: loaded (/usr/lib/systemd/system/{unit_base}.service; enabled)\n     Active: {active}\n")
        }
        "enable" | "disable" | "daemon-reload" => String::new(),
        other => format!("Unknown command verb {other}.\n"),
    }
}

fn pg_rewind(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let mut target = None;
    let mut source = None;
    let mut progress = false;
    let mut write_conf = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--target-pgdata=") {
            target = Some(v.to_string());
        } else if a == "-D" || a == "--target-pgdata" {
            target = it.next().cloned();
        } else if let Some(v) = a.strip_prefix("--source-server=") {
            source = Some(v.to_string());
        } else if a == "--source-server" {
            source = it.next().cloned();
        } else if a == "-P" || a == "--progress" {
            progress = true;
        } else if a == "-R" || a == "--write-recovery-conf" {
            write_conf = true;
        } else {
            return format!("pg_rewind: error: unrecognized option '{a}'\npg_rewind: hint: Try \"pg_rewind --help\" for more information.\n");
        }
    }
    let Some(target) = target.map(|t| resolve_path(&t)) else {
        return "pg_rewind: error: no target data directory specified (--target-pgdata)\npg_rewind: hint: Try \"pg_rewind --help\" for more information.\n".to_string();
    };
    let Some(source) = source else {
        return "pg_rewind: error: no source specified (--source-pgdata or --source-server)\npg_rewind: hint: Try \"pg_rewind --help\" for more information.\n".to_string();
    };
    match c.rewind(h, &target, &source, write_conf) {
        Ok(lines) => {
            let mut out = String::new();
            for l in lines {
                if !progress
                    && (l.starts_with("pg_rewind: reading")
                        || l.starts_with("pg_rewind: connected")
                        || l.starts_with("pg_rewind: need to copy")
                        || l.contains("copied")
                        || l.starts_with("pg_rewind: creating")
                        || l.starts_with("pg_rewind: syncing"))
                {
                    continue;
                }
                out.push_str(&l);
                out.push('\n');
            }
            out
        }
        Err((printed, e)) => {
            let mut out = String::new();
            if progress {
                for l in printed {
                    out.push_str(&l);
                    out.push('\n');
                }
            }
            out.push_str(&format!("pg_rewind: error: {e}\n"));
            out
        }
    }
}

fn read_file(c: &Cluster, h: HostId, path: &str) -> Result<String, &'static str> {
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

fn is_dir(c: &Cluster, h: HostId, path: &str) -> bool {
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
}

fn cat(c: &Cluster, h: HostId, args: &[String]) -> String {
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

fn tail(c: &Cluster, h: HostId, args: &[String]) -> String {
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

fn echo(c: &mut Cluster, h: HostId, args: &[String]) -> String {
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
    let host = c.host_mut(h);
    let entry = host.files.entry(path).or_default();
    if op == ">" {
        entry.clear();
    }
    entry.push_str(&text);
    String::new()
}

fn touch(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let mut out = String::new();
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let path = resolve_path(a);
        if !writable_dir(c, h, &parent(&path)) {
            out.push_str(&format!(
                "touch: cannot touch '{a}': No such file or directory\n"
            ));
            continue;
        }
        if !is_dir(c, h, &path) {
            c.host_mut(h).files.entry(path).or_default();
        }
    }
    out
}

fn mkdir(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let parents = args.iter().any(|a| a == "-p" || a.starts_with("-p"));
    let mut out = String::new();
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let path = resolve_path(a);
        if is_dir(c, h, &path) {
            if !parents {
                out.push_str(&format!(
                    "mkdir: cannot create directory '{a}': File exists\n"
                ));
            }
            continue;
        }
        if !parents && !writable_dir(c, h, &parent(&path)) {
            out.push_str(&format!(
                "mkdir: cannot create directory '{a}': No such file or directory\n"
            ));
            continue;
        }
        c.host_mut(h).dirs.insert(path);
    }
    out
}

fn rm(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let recursive = args
        .iter()
        .any(|a| a.starts_with('-') && (a.contains('r') || a.contains('R')));
    let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
    let mut out = String::new();
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        let path = resolve_path(a);
        if path == "/" && recursive {
            out.push_str("rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n");
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
    out
}

/// The entries of a directory inside an existing data directory.
fn data_dir_entries(c: &Cluster, h: HostId, dir: &str) -> Option<Vec<String>> {
    let host = c.host(h);
    let d = host.data.as_ref()?;
    if dir == PGDATA {
        let mut v: Vec<String> = [
            "base",
            "global",
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
            "pg_xact",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
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
    let known = [
        "base",
        "global",
        "pg_wal/archive_status",
        "pg_xact",
        "pg_stat",
        "pg_tblspc",
    ];
    known
        .iter()
        .any(|k| dir == format!("{PGDATA}/{k}"))
        .then(Vec::new)
}

fn ls(c: &Cluster, h: HostId, args: &[String]) -> String {
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
            .filter(|s| !s.is_empty() && !s.starts_with('.'))
            .map(str::to_string)
            .collect();
        if let Some(extra) = data_dir_entries(c, h, &path) {
            names.extend(extra);
        }
        if path == "/var/lib" {
            names.push("pgsql".into());
        }
        if path == PGHOME && host.data.is_some() {
            names.push("data".into());
        }
        names.sort();
        names.dedup();
        for n in names {
            out.push_str(&n);
            out.push('\n');
        }
    }
    out
}

/// A `postgresql.conf` parse check helper used by the config panel: the first
/// syntax error as PostgreSQL words it, if any.
pub fn conf_error(path: &str, text: &str) -> Option<String> {
    conf::parse_conf(text).err().map(|e| e.message(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_paths_read_like_bash() {
        assert_eq!(
            split_words("echo 'host replication replicator 10.0.0.0/24 trust' >> pg_hba.conf")
                .unwrap(),
            vec![
                "echo",
                "host replication replicator 10.0.0.0/24 trust",
                ">>",
                "pg_hba.conf"
            ]
        );
        assert_eq!(
            split_words("a \"b c\" d\\ e").unwrap(),
            vec!["a", "b c", "d e"]
        );
        assert!(split_words("echo 'oops").is_err());
        assert_eq!(
            resolve_path("pg_hba.conf"),
            "/var/lib/pgsql/data/pg_hba.conf"
        );
        assert_eq!(resolve_path("~/.pgpass"), "/var/lib/pgsql/.pgpass");
        assert_eq!(
            resolve_path("/var/lib/pgsql/data/../data/"),
            "/var/lib/pgsql/data"
        );
    }
}
