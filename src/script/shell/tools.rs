//! The tools a class uses to look around a host: `pg_controldata`, `pg_isready` and
//! `ps`, printing what PostgreSQL 15.18's tools print (recorded on a real server,
//! `tests/tools.rs`), with the model's values.

use crate::sim::map::Map;

use crate::sim::datetime::format_ctime;
use crate::sim::{segment_file_name, Client, Cluster, ConnInfo, HostId, Lsn, PGDATA};

use super::resolve_path;

/// pg_control's state word (DBState in pg_control.h, as pg_controldata prints it).
fn cluster_state(c: &Cluster, h: HostId) -> &'static str {
    let host = c.host(h);
    let standby_signal = host.files.contains_key(&format!("{PGDATA}/standby.signal"));
    if let Some(srv) = &host.server {
        return if srv.standby {
            "in archive recovery"
        } else {
            "in production"
        };
    }
    let Some(d) = &host.data else {
        return "in production";
    };
    if rewound(c, h).is_some() {
        // pg_rewind writes the source's control file with DB_IN_ARCHIVE_RECOVERY.
        "in archive recovery"
    } else if d.lost.shutdown_interrupted_at.is_some() {
        "shutting down"
    } else if d.recovery_interrupted_at.is_some() {
        "in crash recovery"
    } else if d.clean_shutdown && !host.crashed {
        if d.shutdown_in_recovery {
            "shut down in recovery"
        } else {
            "shut down"
        }
    } else if host.crashed && standby_signal {
        "in archive recovery"
    } else {
        "in production"
    }
}

/// The minimum recovery point pg_rewind wrote into the control file of a data directory
/// it rewound and that has not started since (its backup_label says `BACKUP METHOD:
/// pg_rewind`): where the source's WAL ended. PostgreSQL 15.18 after `pg_rewind` of a
/// crashed target (tests/compare/rewind-after-crash-hints.walscope's steps):
/// `pg_controldata` said `Database cluster state: in archive recovery` and `Minimum
/// recovery ending location: 0/3002318`, the source's insert position.
fn rewound(c: &Cluster, h: HostId) -> Option<Lsn> {
    let host = c.host(h);
    let label = host.files.get(&format!("{PGDATA}/backup_label"))?;
    if host.server.is_some() || !label.contains("BACKUP METHOD: pg_rewind") {
        return None;
    }
    host.data.as_ref()?.backup.as_ref().map(|b| b.end)
}

/// `pg_controldata [-D] [DATADIR]`: the control file of the host's data directory.
pub fn pg_controldata(c: &Cluster, h: HostId, args: &[String]) -> String {
    let mut dir: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-D" | "--pgdata" => match it.next() {
                Some(d) => dir = Some(resolve_path(d)),
                None => return "pg_controldata: option requires an argument -- 'D'\npg_controldata: hint: Try \"pg_controldata --help\" for more information.\n".into(),
            },
            "-V" | "--version" => return "pg_controldata (PostgreSQL) 15.18\n".into(),
            s if s.starts_with("--pgdata=") => dir = Some(resolve_path(&s[9..])),
            s if s.starts_with('-') => {
                return format!("pg_controldata: invalid option -- '{}'\npg_controldata: hint: Try \"pg_controldata --help\" for more information.\n", s.trim_start_matches('-').chars().next().unwrap_or('-'));
            }
            s => dir = Some(resolve_path(s)),
        }
    }
    // The postgres user's PGDATA names the data directory when no argument does.
    let dir = dir.unwrap_or_else(|| PGDATA.to_string());
    let dir = dir.trim_end_matches('/').to_string();
    let host = c.host(h);
    let missing = format!("pg_controldata: error: could not open file \"{dir}/global/pg_control\" for reading: No such file or directory\n");
    let Some(d) = host.data.as_ref().filter(|_| dir == PGDATA) else {
        return missing;
    };
    if c.control_file_refusal(h).is_some() {
        return missing;
    }
    let tli = d.wal.tli_at(d.redo);
    let prev = d
        .wal
        .history
        .last()
        .filter(|e| e.switchpoint <= d.redo)
        .map_or(tli, |e| e.tli);
    let next_xid = c.peek_xid(h);
    // A shutdown checkpoint records no running transaction (oldestActiveXID 0).
    let shutdown_checkpoint = d.wal.records.iter().any(|r| {
        r.start == d.checkpoint_lsn
            && matches!(
                r.body,
                crate::sim::wal::RecordBody::Checkpoint { shutdown: true, .. }
            )
    });
    let oldest_active = if shutdown_checkpoint { 0 } else { next_xid };
    let settings = match &host.server {
        Some(s) => s.settings.clone(),
        None => c.settings_on_disk(h),
    };
    let running_standby = host.server.as_ref().is_some_and(|s| s.standby);
    let (min_recovery, min_tli) = if let Some(end) = rewound(c, h) {
        (end, d.wal.tli_at(end).0)
    } else if running_standby || cluster_state(c, h) == "shut down in recovery" {
        (d.applied, d.wal.tli_at(d.applied).0)
    } else {
        (Lsn(0), 0)
    };
    let backup_start = match (&d.backup, running_standby) {
        (Some(b), true) => Some(b.start),
        _ => None,
    };
    let modified = d.checkpoint_time.max(d.shutdown_at).max(
        host.server
            .as_ref()
            .map_or(d.checkpoint_time, |s| s.started),
    );
    let show = |name: &str, default: &str| settings.show(name).unwrap_or_else(|| default.into());
    // The nonce initdb drew at random: here a fixed function of the system identifier.
    let mut nonce = String::new();
    let mut x = d.system_id ^ 0x9e37_79b9_7f4a_7c15;
    for _ in 0..4 {
        x ^= x >> 30;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x ^= x >> 27;
        x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
        nonce.push_str(&format!("{x:016x}"));
    }
    let rows: Vec<(&str, String)> = vec![
        ("pg_control version number:", "1300".into()),
        ("Catalog version number:", "202209061".into()),
        ("Database system identifier:", d.system_id.to_string()),
        ("Database cluster state:", cluster_state(c, h).into()),
        (
            "pg_control last modified:",
            format_ctime(modified.unix_micros()),
        ),
        ("Latest checkpoint location:", d.checkpoint_lsn.to_string()),
        ("Latest checkpoint's REDO location:", d.redo.to_string()),
        (
            "Latest checkpoint's REDO WAL file:",
            segment_file_name(tli, d.redo.segment()),
        ),
        ("Latest checkpoint's TimeLineID:", tli.0.to_string()),
        ("Latest checkpoint's PrevTimeLineID:", prev.0.to_string()),
        ("Latest checkpoint's full_page_writes:", "on".into()),
        ("Latest checkpoint's NextXID:", format!("0:{next_xid}")),
        ("Latest checkpoint's NextOID:", "24576".into()),
        ("Latest checkpoint's NextMultiXactId:", "1".into()),
        ("Latest checkpoint's NextMultiOffset:", "0".into()),
        ("Latest checkpoint's oldestXID:", "716".into()),
        ("Latest checkpoint's oldestXID's DB:", "1".into()),
        (
            "Latest checkpoint's oldestActiveXID:",
            oldest_active.to_string(),
        ),
        ("Latest checkpoint's oldestMultiXid:", "1".into()),
        ("Latest checkpoint's oldestMulti's DB:", "1".into()),
        ("Latest checkpoint's oldestCommitTsXid:", "0".into()),
        ("Latest checkpoint's newestCommitTsXid:", "0".into()),
        (
            "Time of latest checkpoint:",
            format_ctime(d.checkpoint_time.unix_micros()),
        ),
        ("Fake LSN counter for unlogged rels:", "0/3E8".into()),
        (
            "Minimum recovery ending location:",
            min_recovery.to_string(),
        ),
        ("Min recovery ending loc's timeline:", min_tli.to_string()),
        (
            "Backup start location:",
            backup_start.unwrap_or(Lsn(0)).to_string(),
        ),
        ("Backup end location:", "0/0".into()),
        (
            "End-of-backup record required:",
            if backup_start.is_some() { "yes" } else { "no" }.into(),
        ),
        ("wal_level setting:", show("wal_level", "replica")),
        (
            "wal_log_hints setting:",
            if d.wal_log_hints { "on" } else { "off" }.into(),
        ),
        ("max_connections setting:", show("max_connections", "100")),
        (
            "max_worker_processes setting:",
            show("max_worker_processes", "8"),
        ),
        ("max_wal_senders setting:", show("max_wal_senders", "10")),
        (
            "max_prepared_xacts setting:",
            show("max_prepared_transactions", "0"),
        ),
        (
            "max_locks_per_xact setting:",
            show("max_locks_per_transaction", "64"),
        ),
        (
            "track_commit_timestamp setting:",
            show("track_commit_timestamp", "off"),
        ),
        ("Maximum data alignment:", "8".into()),
        ("Database block size:", "8192".into()),
        ("Blocks per segment of large relation:", "131072".into()),
        ("WAL block size:", "8192".into()),
        ("Bytes per WAL segment:", "16777216".into()),
        ("Maximum length of identifiers:", "64".into()),
        ("Maximum columns in an index:", "32".into()),
        ("Maximum size of a TOAST chunk:", "1996".into()),
        ("Size of a large-object chunk:", "2048".into()),
        ("Date/time type storage:", "64-bit integers".into()),
        ("Float8 argument passing:", "by value".into()),
        ("Data page checksum version:", "0".into()),
        ("Mock authentication nonce:", nonce),
    ];
    rows.iter()
        .map(|(label, value)| format!("{label:<38}{value}\n"))
        .collect()
}

/// `pg_isready [-h HOST] [-p PORT] [-d DB] [-U USER] [-q] [-t SECS]`: PQping's answer
/// (`accepting connections` 0, `rejecting connections` 1, `no response` 2). A server
/// that refuses the login still answered, so it is accepting; one not yet consistent,
/// or a standby with hot_standby = off, is rejecting.
pub fn pg_isready(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let mut options: Map<String, String> = Map::new();
    let mut quiet = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let key = match a.as_str() {
            "-h" | "--host" => "host",
            "-p" | "--port" => "port",
            "-d" | "--dbname" => "dbname",
            "-U" | "--username" => "user",
            "-t" | "--timeout" => {
                it.next();
                continue;
            }
            "-q" | "--quiet" => {
                quiet = true;
                continue;
            }
            "-V" | "--version" => return "pg_isready (PostgreSQL) 15.18\n".into(),
            other => {
                return format!("pg_isready: error: invalid option -- '{}'\npg_isready: hint: Try \"pg_isready --help\" for more information.\n", other.trim_start_matches('-').chars().next().unwrap_or('-'));
            }
        };
        let Some(v) = it.next() else {
            return format!("pg_isready: option requires an argument -- '{}'\npg_isready: hint: Try \"pg_isready --help\" for more information.\n", a.trim_start_matches('-').chars().next().unwrap_or('-'));
        };
        options.insert(key.into(), v.clone());
    }
    options.insert("connect_timeout".into(), "3".into());
    let port = options
        .get("port")
        .cloned()
        .unwrap_or_else(|| "5432".into());
    let shown_host = options
        .get("host")
        .cloned()
        .unwrap_or_else(|| "/run/postgresql".into());
    let answer = match ConnInfo::from_options(options) {
        Err(_) => "no attempt",
        Ok(info) => match c.libpq_connect(Client::Host(h), &info, "postgres", false) {
            Ok(_) => "accepting connections",
            Err(e)
                if e.contains("not yet accepting connections")
                    || e.contains("is not accepting connections")
                    || e.contains("is starting up")
                    || e.contains("is shutting down") =>
            {
                "rejecting connections"
            }
            Err(e) if e.contains("FATAL:  ") || e.contains("fe_sendauth") => {
                "accepting connections"
            }
            Err(_) => "no response",
        },
    };
    if quiet {
        String::new()
    } else {
        format!("{shown_host}:{port} - {answer}\n")
    }
}

/// One process of the PostgreSQL server for `ps`.
struct Proc {
    pid: u32,
    ppid: u32,
    started: crate::sim::SimTime,
    cmd: String,
    /// VSZ and RSS in kB and %MEM: a real PostgreSQL 15.18 server's figures for a
    /// process of this kind (`ps aux`), not modelled.
    vsz: u32,
    rss: u32,
    mem: &'static str,
}

/// The server's processes with the titles PostgreSQL 15 gives them
/// (`postgres: [cluster_name: ]checkpointer `, `walsender USER ADDR(PORT) streaming LSN`,
/// `startup recovering WALFILE`, `walreceiver streaming LSN`, `USER DB [local] idle`).
fn processes(c: &Cluster, h: HostId) -> Vec<Proc> {
    let host = c.host(h);
    let (Some(srv), Some(d)) = (&host.server, &host.data) else {
        return Vec::new();
    };
    let cluster = srv.settings.text("cluster_name");
    let prefix = if cluster.is_empty() {
        "postgres: ".to_string()
    } else {
        format!("postgres: {cluster}: ")
    };
    let pm = srv.pid;
    let mut used: Vec<u32> = vec![pm, srv.checkpointer_pid, srv.startup_pid];
    used.extend(srv.senders.iter().map(|w| w.pid));
    used.extend(srv.sessions.iter().map(|s| s.pid));
    used.extend(srv.receiver.iter().map(|r| r.pid));
    let mut out = vec![Proc {
        pid: pm,
        ppid: 1,
        started: srv.started,
        cmd: format!("/usr/bin/postgres -D {PGDATA}"),
        vsz: 217_120,
        rss: 29_420,
        mem: "0.1",
    }];
    let child = |pid: u32, started, title: String, vsz: u32, rss: u32| Proc {
        pid,
        ppid: pm,
        started,
        cmd: format!("{prefix}{title}"),
        vsz,
        rss,
        mem: "0.0",
    };
    let cp = srv.checkpointer_pid;
    // The auxiliary processes PostgreSQL forks after the checkpointer; a pid the
    // model gave another process is skipped.
    let mut next = cp;
    let mut fresh = |used: &mut Vec<u32>| {
        next = next.saturating_add(1);
        while used.contains(&next) {
            next = next.saturating_add(1);
        }
        used.push(next);
        next
    };
    if srv.standby {
        out.push(child(
            srv.startup_pid,
            srv.started,
            format!(
                "startup recovering {}",
                segment_file_name(d.wal.tli_at(d.applied), d.applied.segment())
            ),
            217_852,
            13_140,
        ));
    }
    out.push(child(
        cp,
        srv.started,
        "checkpointer ".into(),
        217_248,
        12_504,
    ));
    let bg = fresh(&mut used);
    out.push(child(
        bg,
        srv.started,
        "background writer ".into(),
        217_240,
        9_636,
    ));
    if !srv.standby {
        let ww = fresh(&mut used);
        out.push(child(ww, srv.started, "walwriter ".into(), 217_240, 11_948));
        let av = fresh(&mut used);
        out.push(child(
            av,
            srv.started,
            "autovacuum launcher ".into(),
            218_704,
            9_880,
        ));
        let lr = fresh(&mut used);
        out.push(child(
            lr,
            srv.started,
            "logical replication launcher ".into(),
            218_688,
            9_436,
        ));
    }
    if let Some(r) = &srv.receiver {
        let title = match r.status {
            crate::sim::ReceiverStatus::Streaming => format!("walreceiver streaming {}", r.written),
            crate::sim::ReceiverStatus::Starting => "walreceiver ".into(),
            crate::sim::ReceiverStatus::Waiting => String::new(),
        };
        if !title.is_empty() {
            out.push(child(r.pid, srv.started, title, 218_056, 12_472));
        }
    }
    for w in &srv.senders {
        let title = format!(
            "walsender {} {}({}) streaming {}",
            w.user,
            c.host(w.peer).addr_text(),
            w.client_port,
            w.sent
        );
        out.push(child(w.pid, w.backend_start, title, 219_256, 11_764));
    }
    for s in srv.sessions.iter().filter(|s| !s.closed) {
        let from = if s.app.is_some() {
            let a = crate::sim::APP_SERVER_ADDR;
            format!("{}.{}.{}.{}({})", a[0], a[1], a[2], a[3], s.client_port)
        } else {
            "[local]".into()
        };
        let activity = match &s.waiting {
            Some(w) => {
                let verb = w
                    .query
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                format!("{verb} waiting for {}", w.lsn)
            }
            None => "idle".into(),
        };
        out.push(child(
            s.pid,
            s.backend_start,
            format!("postgres postgres {from} {activity}"),
            219_124,
            14_600,
        ));
    }
    crate::sim::order::sort_by_key(&mut out, |p| p.pid);
    out
}

/// `ps aux`, `ps -ef` (and `ps -e`, `ps ax`), optionally piped into `grep [-v] WORD`:
/// the host's PostgreSQL processes. Simplified: the list holds only the server's
/// processes (not the shell, ps, grep or the system's own), their CPU time is 0:00.
pub fn ps(c: &Cluster, h: HostId, args: &[String]) -> String {
    let mut parts = args.split(|a| a == "|");
    let opts = parts.next().unwrap_or(&[]);
    let bsd = match opts
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["aux"] | ["-aux"] | ["ax"] | ["aux", "--forest"] => true,
        ["-ef"] | ["-e"] | ["-eF"] | ["-A"] | ["-fe"] => false,
        [] => return "    PID TTY          TIME CMD\n".into(),
        _ => return "walscope: ps takes aux or -ef (with | grep [-v] WORD)\n".to_string(),
    };
    let hhmm = |t: crate::sim::SimTime| {
        let ts = crate::sim::datetime::format_log_timestamp(t.unix_micros());
        ts.get(11..16).unwrap_or("00:00").to_string()
    };
    let mut lines = Vec::new();
    if bsd {
        lines.push(
            "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND".replacen(
                "USER         PID",
                "USER       PID",
                1,
            ),
        );
        for p in processes(c, h) {
            lines.push(format!(
                "{:<8} {:>5} {:>4} {:>4} {:>6} {:>5} {:<8} {:<4} {:>5} {:>6} {}",
                "postgres",
                p.pid,
                "0.0",
                p.mem,
                p.vsz,
                p.rss,
                "?",
                "Ss",
                hhmm(p.started),
                "0:00",
                p.cmd
            ));
        }
    } else {
        lines.push(
            "UID          PID    PPID  C STIME TTY          TIME CMD".replacen(
                "UID          PID    PPID",
                "UID        PID  PPID",
                1,
            ),
        );
        for p in processes(c, h) {
            lines.push(format!(
                "{:<8} {:>5} {:>5} {:>2} {:<5} {:<8} {:>8} {}",
                "postgres",
                p.pid,
                p.ppid,
                0,
                hhmm(p.started),
                "?",
                "00:00:00",
                p.cmd
            ));
        }
    }
    for stage in parts {
        let words: Vec<&str> = stage.iter().map(String::as_str).collect();
        let (invert, pattern) = match words.as_slice() {
            ["grep", "-v", p] => (true, *p),
            ["grep", p] => (false, *p),
            _ => {
                return format!(
                    "walscope: ps output can only be piped into grep [-v] WORD, not '{}'\n",
                    words.join(" ")
                )
            }
        };
        lines.retain(|l| l.contains(pattern) != invert);
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}
