//! pg_rewind: makes a stopped old primary a copy of the new one from the point their
//! timelines diverged, so it can follow as a standby.
//!
//! Simplification: the model copies the source's whole state rather than only the
//! changed blocks; the observable result (data, WAL, configuration files copied from
//! the source, a backup label to replay from) is what pg_rewind leaves.

use super::cluster::Cluster;
use super::conninfo::{self, server_at};
use super::event::{EventKind, HostId};
use super::host::{BackupLabel, DataDir};
use super::lsn::{Lsn, TimelineId};
use super::replication::ConnectAttempt;
use super::wal::RecordBody;
use super::{PGDATA, PGHOME};

/// What pg_rewind -P says once it reaches the source server.
const CONNECTED: &str = "pg_rewind: connected to server";

impl Cluster {
    /// Runs pg_rewind on host `h`. Returns the lines it prints (with -P details), or
    /// the lines printed before an error and the error after `pg_rewind: error: `.
    pub fn rewind(
        &mut self,
        h: HostId,
        target: &str,
        source: &str,
        write_conf: bool,
    ) -> Result<Vec<String>, (Vec<String>, String)> {
        let mut out = Vec::new();
        match self.rewind_steps(h, target, source, write_conf, &mut out) {
            Ok(()) => Ok(out),
            Err(e) => Err((out, e)),
        }
    }

    fn rewind_steps(
        &mut self,
        h: HostId,
        target: &str,
        source: &str,
        write_conf: bool,
        out: &mut Vec<String>,
    ) -> Result<(), String> {
        let mut tdata = self.rewind_target(h, target)?;
        let (src, to) = self.rewind_connect(h, source)?;
        out.push(CONNECTED.to_string());
        if let Some(running) = self.server(h).map(|s| s.pid) {
            // A running server's control file is not "shut down" either: the
            // stand-alone backend pg_rewind starts finds its lock file.
            let binary = self.postgres_binary(h);
            out.push(format!(
                "pg_rewind: executing \"{binary}\" for target server to complete crash recovery"
            ));
            let pid = self.pid(h);
            let lines = self.log_line(
                pid,
                "FATAL",
                "lock file \"postmaster.pid\" already exists",
            ) + &self.log_line(
                pid,
                "HINT",
                &format!("Is another postmaster (PID {running}) running in data directory \"{PGDATA}\"?"),
            );
            out.extend(lines.lines().map(str::to_string));
            return Err(single_user_failed(binary));
        }
        if !tdata.clean_shutdown {
            // ensureCleanShutdown: a target that crashed finishes its recovery in
            // single-user mode first (pg_log_info: printed without -P too).
            let binary = self.postgres_binary(h);
            out.push(format!(
                "pg_rewind: executing \"{binary}\" for target server to complete crash recovery"
            ));
            let (lines, ok) = self.single_user_recovery(h);
            out.extend(lines);
            if !ok {
                return Err(single_user_failed(binary));
            }
            if let Some(d) = self.data(h).cloned() {
                tdata = d;
            }
        }
        let Some(sdata) = self.data(src).cloned() else {
            return Err("source server has no data directory".to_string());
        };
        if sdata.system_id != tdata.system_id {
            return Err("source and target clusters are from different systems".to_string());
        }
        if !tdata.wal_log_hints {
            return Err(
                "target server needs to use either data checksums or \"wal_log_hints = on\""
                    .to_string(),
            );
        }
        let ttli = tdata.wal.tli;
        if sdata.wal.tli == ttli {
            out.push("pg_rewind: source and target cluster are on the same timeline".to_string());
            out.push("pg_rewind: no rewind required".to_string());
            return Ok(());
        }
        let fork = divergence(&sdata, ttli)?;
        out.push(format!(
            "pg_rewind: servers diverged at WAL location {fork} on timeline {ttli}"
        ));
        if tdata.wal.insert <= fork {
            out.push("pg_rewind: no rewind required".to_string());
            return Ok(());
        }
        let (common, common_redo) = last_common_checkpoint(&tdata, fork)?;
        let common_tli = tdata.wal.tli_at(common_redo);
        out.push(format!(
            "pg_rewind: rewinding from last common checkpoint at {common} on timeline {common_tli}"
        ));
        let size_mb = (sdata.db.data_bytes() / 1024 / 1024) + 22;
        out.push("pg_rewind: reading source file list".to_string());
        out.push("pg_rewind: reading target file list".to_string());
        out.push("pg_rewind: reading WAL in target".to_string());
        out.push(format!(
            "pg_rewind: need to copy {} MB (total source directory size is {size_mb} MB)",
            size_mb.min(48)
        ));
        out.push(format!("{0}/{0} kB (100%) copied", size_mb.min(48) * 1024));
        out.push("pg_rewind: creating backup label and updating control file".to_string());
        out.push("pg_rewind: syncing target data directory".to_string());
        out.push("pg_rewind: Done!".to_string());
        let label = BackupLabel {
            start: common_redo,
            checkpoint: common,
            end: sdata.wal.flush,
            tli: common_tli,
            started_at: self.now,
        };
        self.rewind_copy(h, src, sdata, &tdata, label);
        if write_conf {
            self.rewind_write_standby_conf(h, &to);
        }
        let (t, s) = (self.host(h).name.clone(), self.host(src).name.clone());
        self.note(h, EventKind::Timeline, format!("pg_rewind made {t} a copy of {s} from {fork}"),
            "The old primary's WAL past the fork is gone; configured as a standby it can now follow the new timeline.");
        Ok(())
    }

    /// The target's control file: it must exist.
    fn rewind_target(&self, h: HostId, target: &str) -> Result<DataDir, String> {
        let no_control = || {
            format!("could not open file \"{target}/global/pg_control\" for reading: No such file or directory")
        };
        if target != PGDATA {
            return Err(no_control());
        }
        let Some(tdata) = self.data(h).cloned() else {
            return Err(no_control());
        };
        Ok(tdata)
    }

    /// Connects to the source server named by `--source-server` (a conninfo string),
    /// as libpq would: the host it resolves to and where it was reached.
    fn rewind_connect(&mut self, h: HostId, source: &str) -> Result<(HostId, Source), String> {
        let params =
            conninfo::parse(source).map_err(|e| format!("could not connect to server: {e}"))?;
        let host_name = params
            .get("host")
            .cloned()
            .unwrap_or_else(|| "localhost".to_string());
        let local = matches!(host_name.as_str(), "localhost" | "127.0.0.1");
        let port: u16 = params
            .get("port")
            .and_then(|p| p.parse().ok())
            .unwrap_or(5432);
        let user = params
            .get("user")
            .cloned()
            .unwrap_or_else(|| "postgres".to_string());
        let Some(src) = self
            .resolve(&host_name)
            .and_then(|a| self.host_by_addr(a))
            .or(local.then_some(h))
        else {
            return Err(format!("could not translate host name \"{host_name}\" to address: Name or service not known"));
        };
        if src != h && self.link(h, src).partitioned {
            return Err(format!(
                "{} failed: Connection timed out",
                server_at(&host_name, &self.host(src).addr_text(), port)
            ));
        }
        let password = params
            .get("password")
            .cloned()
            .or_else(|| self.pgpass_lookup(h, &host_name, port, &user));
        let attempt = ConnectAttempt {
            host: &host_name,
            client: h,
            user: &user,
            password: password.as_deref(),
            replication: false,
            database: "postgres",
            port,
        };
        self.connect_logged(src, &attempt, None)
            .map_err(|e| format!("could not connect to server: {e}"))?;
        Ok((
            src,
            Source {
                host_name,
                port,
                user,
            },
        ))
    }

    /// Makes the target a copy of the source as of now, to be replayed from the last
    /// common checkpoint (`label`): data, WAL and the source's configuration files,
    /// and a backup_label for recovery to start from.
    fn rewind_copy(
        &mut self,
        h: HostId,
        src: HostId,
        sdata: DataDir,
        tdata: &DataDir,
        label: BackupLabel,
    ) {
        let (common, common_redo, common_tli) = (label.checkpoint, label.start, label.tli);
        let mut data = sdata;
        data.slots.clear();
        data.clean_shutdown = false;
        data.undo.clear();
        data.backup = Some(label);
        data.wal_log_hints = tdata.wal_log_hints;
        let files: Vec<(String, String)> = self
            .host(src)
            .files
            .iter()
            .filter(|(p, _)| {
                // pg_rewind's exclude list: a backup's label and manifest are not this
                // server's.
                p.starts_with(&format!("{PGDATA}/"))
                    && !p.contains("/log/")
                    && !p.ends_with("postmaster.pid")
                    && !p.ends_with("/backup_label")
                    && !p.ends_with("/backup_manifest")
            })
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
        let now = self.now.unix_micros();
        let host = self.host_mut(h);
        host.files
            .retain(|p, _| !p.starts_with(&format!("{PGDATA}/")) || p.contains("/log/"));
        for (p, t) in files {
            host.files.insert(p, t);
        }
        // Recovery of the rewound server starts at the common checkpoint.
        host.files.insert(
            format!("{PGDATA}/backup_label"),
            format!(
                "START WAL LOCATION: {common_redo} (file {})\nCHECKPOINT LOCATION: {common}\nBACKUP METHOD: pg_rewind\nBACKUP FROM: standby\nSTART TIME: {}\n",
                super::lsn::segment_file_name(common_tli, common_redo.segment()),
                super::datetime::format_log_timestamp(now / 1_000_000 * 1_000_000)
                    .replace(".000", ""),
            ),
        );
        host.data = Some(data);
    }

    /// `--write-recovery-conf`: standby.signal and a primary_conninfo for the source.
    fn rewind_write_standby_conf(&mut self, h: HostId, to: &Source) {
        let Source {
            host_name,
            port,
            user,
        } = to;
        let host = self.host_mut(h);
        host.files
            .insert(format!("{PGDATA}/standby.signal"), String::new());
        let auto = format!("{PGDATA}/postgresql.auto.conf");
        let mut text = host.files.get(&auto).cloned().unwrap_or_default();
        text.push_str(&format!(
            "primary_conninfo = 'user={user} passfile=''{PGHOME}/.pgpass'' channel_binding=prefer host={host_name} port={port} sslmode=prefer sslcompression=0 sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer krbsrvname=postgres target_session_attrs=any'\n"
        ));
        host.files.insert(auto, text);
    }
}

/// pg_rewind's error when the stand-alone backend failed: pg_log_error, then pg_fatal's
/// detail with the command (appendShellString quotes only what the shell needs quoted).
/// PostgreSQL 15.18: `pg_rewind: error: postgres single-user mode in target cluster
/// failed` and `pg_rewind: detail: Command was: /usr/lib/postgresql/15/bin/postgres
/// --single -F -D /tmp/h12pg/s template1 < /dev/null`.
fn single_user_failed(binary: &str) -> String {
    format!("postgres single-user mode in target cluster failed\npg_rewind: detail: Command was: {binary} --single -F -D {PGDATA} template1 < /dev/null")
}

/// The source server as `--source-server` named it.
struct Source {
    host_name: String,
    port: u16,
    user: String,
}

/// Where the target's timeline `ttli` forked off the source's history (the common
/// ancestor's switch point).
fn divergence(sdata: &DataDir, ttli: TimelineId) -> Result<Lsn, String> {
    sdata
        .wal
        .history
        .iter()
        .find(|e| e.tli == ttli)
        .map(|e| e.switchpoint)
        .ok_or_else(|| {
            "could not find common ancestor of the source and target cluster's timelines"
                .to_string()
        })
}

/// The last checkpoint whose record starts before the fork: its location and redo
/// point. findLastCheckpoint (parsexlog.c) reads the target's WAL backwards, from the
/// record at the fork (past the page header when the fork is on a page boundary) along
/// each record's `xl_prev`; a record whose segment is no longer in pg_wal (a checkpoint
/// since, such as crash recovery's end-of-recovery one or a shutdown's, removed it)
/// stops it. PostgreSQL 15.18: after a crashed primary's end-of-recovery checkpoint
/// recycled segment 2 (tests/compare/rewind-after-crash-late-hints.walscope), `pg_rewind:
/// error: could not open file "/var/lib/pgsql/data/pg_wal/000000010000000000000002": No
/// such file or directory` and `pg_rewind: error: could not find previous WAL record at
/// 0/2000100` (that segment's last record); with the fork at 0/4000000 and segment 4
/// gone, `... 000000010000000000000004 ...` and `... at 0/4000028`. Simplified: where
/// the WAL was never there (a clone's), walscope uses the target's memory of its
/// checkpoints.
fn last_common_checkpoint(tdata: &DataDir, fork: Lsn) -> Result<(Lsn, Lsn), String> {
    let wal = &tdata.wal;
    let start = if !fork.0.is_multiple_of(super::lsn::PAGE_SIZE) {
        fork
    } else if fork.0.is_multiple_of(super::lsn::SEGMENT_SIZE) {
        Lsn(fork.0 + 40)
    } else {
        Lsn(fork.0 + 24)
    };
    let gone = |at: Lsn| {
        let file = super::lsn::segment_file_name(wal.tli_at(at), at.segment());
        format!(
            "could not open file \"{PGDATA}/pg_wal/{file}\": No such file or directory\npg_rewind: error: could not find previous WAL record at {at}"
        )
    };
    // The positions read: the record at the fork, then every earlier one.
    let earlier = wal.records.iter().rev().filter(|r| r.start < start);
    let walk = std::iter::once((start, None))
        .chain(earlier.map(|r| (r.start, Some(&r.body))))
        .chain(wal.removed_last.map(|at| (at, None)));
    for (at, body) in walk {
        if at.segment() < wal.oldest_segment {
            return Err(gone(at));
        }
        if let Some(RecordBody::Checkpoint { redo, .. }) = body {
            return Ok((at, *redo));
        }
    }
    let remembered = tdata
        .checkpoints
        .iter()
        .rev()
        .find(|(at, _)| *at < fork)
        .copied();
    Ok(remembered.unwrap_or((tdata.checkpoint_lsn.min(fork), tdata.redo.min(fork))))
}
