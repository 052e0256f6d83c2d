//! pg_rewind: makes a stopped old primary a copy of the new one from the point their
//! timelines diverged, so it can follow as a standby.
//!
//! Simplification: the model copies the source's whole state rather than only the
//! changed blocks; the observable result (data, WAL, configuration files copied from
//! the source, a backup label to replay from) is what pg_rewind leaves.

use super::cluster::Cluster;
use super::conninfo::{self, server_at};
use super::event::{EventKind, HostId};
use super::host::BackupLabel;
use super::replication::ConnectAttempt;
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
        let mut connected = false;
        self.rewind_steps(h, target, source, write_conf, &mut connected)
            .map_err(|e| {
                let printed = if connected {
                    vec![CONNECTED.to_string()]
                } else {
                    Vec::new()
                };
                (printed, e)
            })
    }

    fn rewind_steps(
        &mut self,
        h: HostId,
        target: &str,
        source: &str,
        write_conf: bool,
        connected: &mut bool,
    ) -> Result<Vec<String>, String> {
        if target != PGDATA {
            return Err(format!("could not open file \"{target}/global/pg_control\" for reading: No such file or directory"));
        }
        let Some(tdata) = self.data(h).cloned() else {
            return Err(format!("could not open file \"{target}/global/pg_control\" for reading: No such file or directory"));
        };
        if self.host(h).server.is_some() || !tdata.clean_shutdown {
            return Err("target server must be shut down cleanly".to_string());
        }
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
        self.check_connect(src, &attempt)
            .map_err(|e| format!("could not connect to server: {e}"))?;
        *connected = true;
        if !tdata.wal_log_hints {
            return Err(
                "target server needs to use either data checksums or \"wal_log_hints = on\""
                    .to_string(),
            );
        }
        let Some(sdata) = self.data(src).cloned() else {
            return Err("source server has no data directory".to_string());
        };
        if sdata.system_id != tdata.system_id {
            return Err("source and target clusters are from different systems".to_string());
        }
        let ttli = tdata.wal.tli;
        if sdata.wal.tli == ttli {
            return Ok(vec![
                "pg_rewind: source and target cluster are on the same timeline".to_string(),
                "pg_rewind: no rewind required".to_string(),
            ]);
        }
        let Some(fork) = sdata
            .wal
            .history
            .iter()
            .find(|e| e.tli == ttli)
            .map(|e| e.switchpoint)
        else {
            return Err(
                "could not find common ancestor of the source and target cluster's timelines"
                    .to_string(),
            );
        };
        let mut out = vec![
            CONNECTED.to_string(),
            format!("pg_rewind: servers diverged at WAL location {fork} on timeline {ttli}"),
        ];
        if tdata.wal.insert <= fork {
            out.push("pg_rewind: no rewind required".to_string());
            return Ok(out);
        }
        // The last checkpoint whose record starts before the fork: its location and redo
        // point. Simplified: when the target's WAL no longer reaches back to it, walscope
        // uses the target's memory of its checkpoints, where pg_rewind fails ("could not
        // find previous WAL record") unless wal_keep_size or restore_command kept that WAL.
        let in_wal = tdata.wal.records.iter().rev().find_map(|r| match r.body {
            super::wal::RecordBody::Checkpoint { redo, .. } if r.start < fork => {
                Some((r.start, redo))
            }
            _ => None,
        });
        let remembered = tdata
            .checkpoints
            .iter()
            .rev()
            .find(|(at, _)| *at < fork)
            .copied();
        let (common, common_redo) = in_wal
            .or(remembered)
            .unwrap_or((tdata.checkpoint_lsn.min(fork), tdata.redo.min(fork)));
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
        // The target becomes the source as of now, to be replayed from the fork's checkpoint.
        let mut data = sdata.clone();
        data.slots.clear();
        data.clean_shutdown = false;
        data.undo.clear();
        data.backup = Some(BackupLabel {
            start: common_redo,
            checkpoint: common,
            end: sdata.wal.flush,
            tli: common_tli,
            started_at: self.now,
        });
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
        if write_conf {
            host.files
                .insert(format!("{PGDATA}/standby.signal"), String::new());
            let auto = format!("{PGDATA}/postgresql.auto.conf");
            let mut text = host.files.get(&auto).cloned().unwrap_or_default();
            text.push_str(&format!(
                "primary_conninfo = 'user={user} passfile=''{PGHOME}/.pgpass'' channel_binding=prefer host={host_name} port={port} sslmode=prefer sslcompression=0 sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer krbsrvname=postgres target_session_attrs=any'\n"
            ));
            host.files.insert(auto, text);
        }
        host.data = Some(data);
        let (t, s) = (self.host(h).name.clone(), self.host(src).name.clone());
        self.note(h, EventKind::Timeline, format!("pg_rewind made {t} a copy of {s} from {fork}"),
            "The old primary's WAL past the fork is gone; configured as a standby it can now follow the new timeline.");
        Ok(out)
    }
}
