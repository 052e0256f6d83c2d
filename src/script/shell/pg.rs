//! The PostgreSQL programs a DBA runs from the shell: pg_basebackup, pg_ctl, systemctl
//! (the postgresql unit) and pg_rewind.

use super::{resolve_path, ShellResult};
use crate::sim::perm;
use crate::sim::{BaseBackupOptions, Cluster, HostId, StartError, StopMode, WalMethod, PGDATA};

pub(super) fn basebackup(
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

/// walscope's `pg_ctl start` is `pg_ctl start -l log/postgresql.log` (its server log, as
/// `scripts/compare` runs the real one): pg_ctl starts the postmaster through
/// `/bin/sh -c 'exec postgres ... >> log/postgresql.log 2>&1'`, so everything the
/// postmaster writes to stderr, a FATAL that stops it before it says it is starting too,
/// goes to that file and pg_ctl shows only ` stopped waiting`. PostgreSQL 15.18, `pg_ctl
/// start -l DIR/log/postgresql.log` with `wal_level = 'fancy'`, a missing library in
/// shared_preload_libraries, a 0755 data directory, no postgresql.conf and no
/// global/pg_control: each printed `waiting for server to start.... stopped waiting`,
/// `pg_ctl: could not start server`, `Examine the log output.`, the reason at the end of
/// the log.
fn start_text(c: &mut Cluster, h: HostId) -> String {
    const FAILED: &str = "pg_ctl: could not start server\nExamine the log output.\n";
    if c.host(h).server.is_none() && c.host(h).data.is_some() {
        if let Some(why) = log_file_refusal(c, h) {
            // The shell cannot open the log: the postmaster never runs.
            return format!("waiting for server to start....{why}\n stopped waiting\n{FAILED}");
        }
    }
    match c.start(h) {
        Ok(()) => "waiting for server to start.... done\nserver started\n".to_string(),
        Err(StartError::NoDataDirectory) => format!("pg_ctl: directory \"{PGDATA}\" is not a database cluster directory\n"),
        Err(StartError::AlreadyRunning) => format!("pg_ctl: another server might be running; trying to start server anyway\nwaiting for server to start.... stopped waiting\n{FAILED}"),
        Err(StartError::Failed(stderr)) => {
            c.log_stderr(h, &stderr);
            format!("waiting for server to start.... stopped waiting\n{FAILED}")
        }
    }
}

/// Why the shell pg_ctl starts the postmaster with cannot open `log/postgresql.log` for
/// appending as postgres (`mkdir -p log` first, as `scripts/compare` does), in the words
/// of the host's /bin/sh: dash on a default host, bash on a RHEL host. PostgreSQL 15.18
/// after `chmod 755 DIR; chown -R root DIR`: `waiting for server to start..../bin/sh: 1:
/// cannot create DIR/log/postgresql.log: Directory nonexistent` (no log/ yet) or
/// `Permission denied` (a log/ of root's), then ` stopped waiting`.
fn log_file_refusal(c: &Cluster, h: HostId) -> Option<String> {
    let host = c.host(h);
    let dir = format!("{PGDATA}/log");
    let file = format!("{dir}/postgresql.log");
    let dir_exists =
        host.dirs.contains(&dir) || host.files.keys().any(|f| f.starts_with(&format!("{dir}/")));
    let may_dir = |path: &str, want| perm::may(perm::POSTGRES, &host.meta_of(path, true), want);
    let why = if !dir_exists {
        // mkdir -p log needs to write the data directory.
        (!may_dir(PGDATA, 3)).then_some(("No such file or directory", "Directory nonexistent"))
    } else if host.files.contains_key(&file) {
        (!may_dir(&dir, 1) || !perm::may(perm::POSTGRES, &host.meta_of(&file, false), 2))
            .then_some(("Permission denied", "Permission denied"))
    } else {
        (!may_dir(&dir, 3)).then_some(("Permission denied", "Permission denied"))
    }?;
    Some(if host.os.is_some() {
        format!("/bin/sh: line 1: {file}: {}", why.0)
    } else {
        format!("/bin/sh: 1: cannot create {file}: {}", why.1)
    })
}

fn no_pid_file() -> String {
    format!("pg_ctl: PID file \"{PGDATA}/postmaster.pid\" does not exist\nIs server running?\n")
}

pub(super) fn pg_ctl(c: &mut Cluster, h: HostId, args: &[String]) -> String {
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
    // pg_ctl reads postmaster.pid first: a data directory the postgres user may not
    // search (root's, 0700) stops it there.
    let pgdata = c.host(h).meta_of(PGDATA, true);
    if c.host(h).data.is_some() && !perm::may(perm::POSTGRES, &pgdata, 1) {
        return format!(
            "pg_ctl: could not open PID file \"{PGDATA}/postmaster.pid\": Permission denied\n"
        );
    }
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

/// `systemctl start postgresql` on a default host: the unit runs pg_ctl with the server
/// log in `log/postgresql.log`, so a server that refuses to start leaves its reason
/// there and systemctl says only that the unit failed.
fn start_unit(c: &mut Cluster, h: HostId, unit: &str) -> String {
    match c.start(h) {
        Ok(()) => String::new(),
        Err(e) => {
            if let StartError::Failed(stderr) = e {
                c.log_stderr(h, &stderr);
            }
            format!("Job for {unit}.service failed because the control process exited with error code.\nSee \"systemctl status {unit}.service\" and \"journalctl -xeu {unit}.service\" for details.\n")
        }
    }
}

pub(super) fn systemctl(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let (Some(action), Some(unit)) = (args.first(), args.get(1)) else {
        return "Too few arguments.\n".to_string();
    };
    let unit_base = unit.trim_end_matches(".service");
    if unit_base != "postgresql" && unit_base != "postgresql-15" {
        return format!("Failed to {action} {unit}: Unit {unit_base}.service not found.\n");
    }
    match action.as_str() {
        "start" => {
            if c.host(h).server.is_some() {
                return String::new();
            }
            start_unit(c, h, unit_base)
        }
        "stop" => {
            c.stop(h, StopMode::Fast);
            String::new()
        }
        "restart" => {
            c.stop(h, StopMode::Fast);
            start_unit(c, h, unit_base)
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

pub(super) fn pg_rewind(c: &mut Cluster, h: HostId, args: &[String]) -> String {
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
    // What -P adds (pg_log_info under showprogress): the other lines are printed
    // without it too.
    let shown = |l: &String| {
        progress
            || !(l.starts_with("pg_rewind: reading")
                || l.starts_with("pg_rewind: connected")
                || l.starts_with("pg_rewind: need to copy")
                || l.ends_with("copied")
                || l.starts_with("pg_rewind: creating")
                || l.starts_with("pg_rewind: syncing"))
    };
    let (lines, error) = match c.rewind(h, &target, &source, write_conf) {
        Ok(lines) => (lines, None),
        Err((lines, e)) => (lines, Some(e)),
    };
    let mut out = String::new();
    for l in lines.iter().filter(|l| shown(l)) {
        out.push_str(l);
        out.push('\n');
    }
    if let Some(e) = error {
        out.push_str(&format!("pg_rewind: error: {e}\n"));
    }
    out
}

/// `postgres -D DIR` (or `postmaster`) typed on the shell: the checks the postmaster
/// makes before it would run in the foreground, with what it writes to stderr when one
/// fails (the configuration file, then the data directory's owner and mode). A server
/// that passes them is started with pg_ctl or systemctl here, not in the foreground.
pub(super) fn postgres(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    if args.iter().any(|a| a == "--version" || a == "-V") {
        return "postgres (PostgreSQL) 15.18\n".to_string();
    }
    let dir = match data_dir_arg(args) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let conf = format!("{dir}/postgresql.conf");
    let searchable = perm::may(perm::POSTGRES, &c.host(h).meta_of(PGDATA, true), 1);
    if dir != PGDATA || c.host(h).data.is_none() || !c.host(h).files.contains_key(&conf) {
        return format!("postgres: could not access the server configuration file \"{conf}\": No such file or directory\n");
    }
    if !searchable {
        return format!("postgres: could not access the server configuration file \"{conf}\": Permission denied\n");
    }
    if c.host(h).server.is_some() {
        return "walscope: the server is running already (pg_ctl status)\n".to_string();
    }
    let pid = c.pid(h);
    if let Some(stderr) = c.config_unreadable(h, pid) {
        return stderr;
    }
    match c.data_dir_refusal(h, pid) {
        Some(stderr) => stderr,
        None => "walscope: start the server with pg_ctl start (or systemctl start postgresql): a postgres in the foreground would hold this terminal\n".to_string(),
    }
}
