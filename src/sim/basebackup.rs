//! pg_basebackup: clones a running primary's data directory over a replication
//! connection, consistent as of the checkpoint it starts from.
//!
//! Simplification: the copy takes `size / bandwidth` of virtual time and the data
//! are taken as of the backup's start LSN; the WAL written meanwhile (streamed with
//! `-X stream`, fetched with `-X fetch`) lands in the new `pg_wal` when it finishes.

use super::cluster::Cluster;
use super::conninfo::{self, server_at};
use super::event::{ConnId, Event, EventKind, HostId};
use super::host::{BackupLabel, DataDir, Slot};
use super::lsn::{Lsn, TimelineId};
use super::perm;
use super::proc::{BaseBackup, BaseBackupOptions, SenderState, WalMethod, WalSender};
use super::replication::ConnectAttempt;
use super::time::SimDuration;
use super::wal::{self, RecordBody, Wal};
use super::{PGDATA, PGHOME};

/// The base size of a fresh cluster's files, as pg_basebackup -P counts it.
const BASE_KB: u64 = 22_954;

impl Cluster {
    /// Starts `pg_basebackup` on `client`. Errors come back at once as the lines
    /// pg_basebackup prints; otherwise the backup finishes later (see
    /// [`Cluster::basebackup`]).
    pub fn start_basebackup(
        &mut self,
        client: HostId,
        opts: BaseBackupOptions,
    ) -> Result<usize, Vec<String>> {
        let err = |m: String| vec![format!("pg_basebackup: error: {m}")];
        let dir = self.backup_target_dir(client, &opts)?;
        // libpq's warning about a ~/.pgpass others may read, once per connection.
        let warning = opts
            .password
            .is_none()
            .then(|| self.pgpass_warning(client))
            .flatten();
        let (server, user) = self
            .backup_connect(client, &opts, &dir)
            .map_err(|e| warning.iter().cloned().chain(e).collect::<Vec<_>>())?;
        let mut out: Vec<String> = warning.into_iter().collect();
        out.extend(self.backup_start_checkpoint(server, &opts));
        let Some(data) = self.data(server) else {
            return Err(err("server has no data directory".into()));
        };
        let (start, checkpoint, tli) = (data.redo, data.checkpoint_lsn, data.wal.tli);
        let snapshot = data.db.clone();
        let snapshot_lsn = data.wal.insert;
        let size_kb = BASE_KB + data.db.data_bytes() / 1024;
        if opts.verbose {
            out.push("pg_basebackup: checkpoint completed".to_string());
            out.push(format!(
                "pg_basebackup: write-ahead log start point: {start} on timeline {tli}"
            ));
        }
        // An existing directory the postgres user may not write into: pg_basebackup
        // finds out when it makes the first thing in it, after the checkpoint (pg_wal
        // for the WAL streamer of -X stream, else backup_label), and empties it again.
        if self.host(client).dirs.contains(&dir) && !self.postgres_may_create_in(client, &dir) {
            let what = if opts.wal_method == WalMethod::Stream {
                // (The temporary slot's name takes the streamer's pid, as -v shows it.)
                let temp = opts
                    .verbose
                    .then(|| format!("pg_basebackup_{}", self.pid(server)));
                let slot = opts.slot.clone().or(temp);
                self.wal_receiver_lines(client, &opts, slot.as_deref(), &mut out);
                // A slot made with -C stays (pg_basebackup does not drop it on error).
                if let (Some(name), true) = (&opts.slot, opts.create_slot) {
                    if let Some(d) = self.data_mut(server) {
                        d.slots.insert(
                            name.clone(),
                            Slot {
                                restart_lsn: Some(start),
                                active_pid: None,
                                lost: false,
                                temporary: false,
                                logical: None,
                            },
                        );
                    }
                }
                format!("could not create directory \"{dir}/pg_wal\"")
            } else {
                format!("could not create file \"{dir}/backup_label\"")
            };
            out.push(format!("pg_basebackup: error: {what}: Permission denied"));
            out.push(self.removing_text(client, &dir));
            return Err(out);
        }
        let conns = self.backup_senders(client, server, &opts, &user, (start, tli), &mut out);
        let now = self.now;
        if opts.create_slot && opts.slot.is_none() {
            // -C without -S is refused by pg_basebackup's option check before this.
        }
        if opts.progress {
            // The done figure is padded to the width of the total, as pg_basebackup does.
            let width = size_kb.to_string().len();
            out.push(format!("{:>width$}/{size_kb} kB (0%), 0/1 tablespace", 0));
        }
        let link = self.link(client, server);
        let duration = link.transfer_time(size_kb * 1024)
            + SimDuration(link.latency.0 * 4)
            + SimDuration::from_millis(120);
        let id = self.backups.len();
        self.backups.push(BaseBackup {
            client,
            server,
            opts,
            user,
            start,
            checkpoint,
            tli,
            snapshot,
            snapshot_lsn,
            started: now,
            conns,
            size_kb,
            output: out,
            finished: None,
        });
        self.schedule(now + duration, Event::BaseBackupDone(id));
        let (c, s) = (
            self.host(client).name.clone(),
            self.host(server).name.clone(),
        );
        self.note(client, EventKind::Connected, format!("pg_basebackup on {c} copying {s} ({size_kb} kB)"),
            "A base backup copies the data files while WAL written meanwhile is kept (and streamed) so the copy can be made consistent.");
        Ok(id)
    }

    /// The target directory (`-D`): it must be empty, and walscope clones into PGDATA.
    fn backup_target_dir(
        &self,
        client: HostId,
        opts: &BaseBackupOptions,
    ) -> Result<String, Vec<String>> {
        let err = |m: String| vec![format!("pg_basebackup: error: {m}")];
        let dir = opts.dir.trim_end_matches('/').to_string();
        let host = self.host(client);
        let nonempty = (dir == PGDATA && host.data.is_some())
            || host.files.keys().any(|p| p.starts_with(&format!("{dir}/")))
            || host.dirs.iter().any(|d| d.starts_with(&format!("{dir}/")));
        if nonempty {
            return Err(err(format!("directory \"{dir}\" exists but is not empty")));
        }
        if !host.dirs.contains(&dir) && !self.postgres_may_create_in(client, PGHOME) {
            // Made before pg_basebackup connects (verify_dir_is_empty_or_create).
            return Err(err(format!(
                "could not create directory \"{dir}\": Permission denied"
            )));
        }
        if dir != PGDATA {
            return Err(err(format!(
                "could not create directory \"{dir}\": Permission denied (walscope clones into PGDATA, {PGDATA})"
            )));
        }
        Ok(dir)
    }

    /// Connects to the server as a replication client and makes the checks it makes
    /// before the backup starts (max_wal_senders, a primary, the slot). Returns the
    /// server and the user connected as.
    fn backup_connect(
        &mut self,
        client: HostId,
        opts: &BaseBackupOptions,
        dir: &str,
    ) -> Result<(HostId, String), Vec<String>> {
        let err = |m: String| vec![format!("pg_basebackup: error: {m}")];
        let host_name = opts.host.clone().unwrap_or_else(|| "localhost".to_string());
        let Some(server) = self
            .resolve(&host_name)
            .and_then(|a| self.host_by_addr(a))
            .or_else(|| (host_name == "localhost" || host_name == "127.0.0.1").then_some(client))
        else {
            return Err(err(format!("could not translate host name \"{host_name}\" to address: Name or service not known")));
        };
        let addr = self.host(server).addr_text();
        if server != client && self.link(client, server).partitioned {
            return Err(err(format!(
                "{} failed: Connection timed out\n\tIs the server running on that host and accepting TCP/IP connections?",
                server_at(&host_name, &addr, opts.port)
            )));
        }
        let user = opts.user.clone().unwrap_or_else(|| "postgres".to_string());
        let password = opts
            .password
            .clone()
            .or_else(|| self.pgpass_lookup(client, &host_name, opts.port, &user));
        let attempt = ConnectAttempt {
            client,
            host: &host_name,
            user: &user,
            password: password.as_deref(),
            replication: true,
            database: "replication",
            port: opts.port,
        };
        self.connect_logged(server, &attempt, None).map_err(err)?;
        let srv = self
            .server(server)
            .ok_or_else(|| err("server is not running".to_string()))?;
        let max = srv.settings.int("max_wal_senders");
        let needed = if opts.wal_method == WalMethod::Stream {
            2
        } else {
            1
        };
        if srv.senders.len() as i64 + needed > max {
            let text = format!(
                "{} failed: FATAL:  number of requested standby connections exceeds max_wal_senders (currently {max})",
                server_at(&host_name, &addr, opts.port)
            );
            let text = self.log_refusal(server, text.into());
            let mut out = err(text);
            out.push(self.removing_text(client, dir));
            return Err(out);
        }
        if srv.standby {
            return Err(err(
                "walscope takes base backups from a primary only".to_string()
            ));
        }
        let data = self
            .data(server)
            .ok_or_else(|| err("server has no data directory".to_string()))?;
        if let Some(slot) = &opts.slot {
            let exists = data.slots.contains_key(slot);
            if opts.create_slot && exists {
                return Err(err(format!(
                    "could not send replication command \"CREATE_REPLICATION_SLOT \"{slot}\" PHYSICAL (RESERVE_WAL)\": ERROR:  replication slot \"{slot}\" already exists"
                )));
            }
            if !opts.create_slot && !exists {
                return Err(err(format!(
                    "could not send replication command \"START_REPLICATION\": ERROR:  replication slot \"{slot}\" does not exist"
                )));
            }
        }
        Ok((server, user))
    }

    /// pg_backup_start on the server: a segment switch and a checkpoint, whose redo
    /// point is where recovery of the copy begins. Returns what pg_basebackup prints.
    fn backup_start_checkpoint(&mut self, server: HostId, opts: &BaseBackupOptions) -> Vec<String> {
        let mut out = Vec::new();
        // The backup starts with a checkpoint; its redo point is where recovery begins.
        if opts.verbose {
            out.push(
                "pg_basebackup: initiating base backup, waiting for checkpoint to complete"
                    .to_string(),
            );
        } else if opts.progress {
            out.push("waiting for checkpoint".to_string());
        }
        let reason = if opts.fast_checkpoint {
            "immediate force wait"
        } else {
            "force wait"
        };
        // pg_backup_start switches to a new WAL segment first, so the backup's redo
        // point is near a segment start (0/N000028).
        self.switch_wal(server);
        self.checkpoint(server, reason, false);
        out
    }

    /// What pg_basebackup -X stream prints as its WAL streamer starts: the receiver
    /// line (-v), the password file's warning, and the slot it made (-v): a temporary
    /// one unless `-S` named it, that one only with `-C`.
    fn wal_receiver_lines(
        &self,
        client: HostId,
        opts: &BaseBackupOptions,
        slot: Option<&str>,
        out: &mut Vec<String>,
    ) {
        if opts.verbose {
            out.push("pg_basebackup: starting background WAL receiver".to_string());
        }
        if let Some(w) = opts
            .password
            .is_none()
            .then(|| self.pgpass_warning(client))
            .flatten()
        {
            out.push(w);
        }
        match slot.filter(|_| opts.verbose) {
            Some(name) if opts.slot.is_none() => out.push(format!(
                "pg_basebackup: created temporary replication slot \"{name}\""
            )),
            Some(name) if opts.create_slot => out.push(format!(
                "pg_basebackup: created replication slot \"{name}\""
            )),
            _ => {}
        }
    }

    /// The walsenders serving the backup: one sending the files and, with `-X stream`,
    /// one streaming WAL through a (temporary) slot. Returns their connections.
    fn backup_senders(
        &mut self,
        client: HostId,
        server: HostId,
        opts: &BaseBackupOptions,
        user: &str,
        (start, tli): (Lsn, TimelineId),
        out: &mut Vec<String>,
    ) -> Vec<ConnId> {
        let now = self.now;
        let mut conns = Vec::new();
        for stream in [false, true] {
            if stream && opts.wal_method != WalMethod::Stream {
                continue;
            }
            let conn = self.new_conn();
            let pid = self.pid(server);
            let port = self.rng.range(32768, 60999) as u16;
            conns.push(conn);
            let slot = if stream {
                Some(
                    opts.slot
                        .clone()
                        .unwrap_or_else(|| format!("pg_basebackup_{pid}")),
                )
            } else {
                None
            };
            if let Some(name) = &slot {
                let temporary = opts.slot.is_none();
                if let Some(d) = self.data_mut(server) {
                    d.slots.insert(
                        name.clone(),
                        Slot {
                            restart_lsn: Some(start),
                            active_pid: Some(pid),
                            lost: false,
                            temporary,
                            logical: None,
                        },
                    );
                }
                self.wal_receiver_lines(client, opts, Some(name), out);
            }
            if let Some(s) = self.server_mut(server) {
                s.senders.push(WalSender {
                    conn,
                    pid,
                    peer: client,
                    user: user.to_string(),
                    application_name: "pg_basebackup".to_string(),
                    client_port: port,
                    backend_start: now,
                    state: if stream {
                        SenderState::Streaming
                    } else {
                        SenderState::Backup
                    },
                    sent: start,
                    write: start,
                    flush: start,
                    replay: Lsn(0),
                    write_lag: None,
                    flush_lag: None,
                    replay_lag: None,
                    reply_time: Some(now),
                    slot: slot.clone(),
                    last_reply: now,
                    busy: false,
                    lag_samples: Default::default(),
                    lag_heads: [0; 3],
                    fully_applied_last_time: false,
                    // pg_basebackup's WAL stream uses its slot and starts at the
                    // segment of the backup's start.
                    command: match &slot {
                        Some(name) => format!(
                            "START_REPLICATION SLOT \"{name}\" {} TIMELINE {tli}",
                            start.segment_start()
                        ),
                        None => "BASE_BACKUP".to_string(),
                    },
                    announced_sync: false,
                    is_backup: true,
                    logical: None,
                    sync_priority: None,
                });
            }
        }
        conns
    }

    /// What pg_basebackup says as it cleans up after a failure: it removes a directory
    /// it made, and only the contents of one that existed (cleanup_directories_atexit).
    fn removing_text(&self, client: HostId, dir: &str) -> String {
        if self.host(client).dirs.contains(dir) {
            format!("pg_basebackup: removing contents of data directory \"{dir}\"")
        } else {
            format!("pg_basebackup: removing data directory \"{dir}\"")
        }
    }

    /// Whether the postgres user may make a file in directory `dir` of host `h`
    /// (write and search permission).
    pub fn postgres_may_create_in(&self, h: HostId, dir: &str) -> bool {
        let m = self.host(h).meta_of(dir, true);
        perm::may(perm::POSTGRES, &m, 2) && perm::may(perm::POSTGRES, &m, 1)
    }

    /// A base backup and whether it finished (`Some(true)` for success).
    pub fn basebackup(&self, id: usize) -> Option<&BaseBackup> {
        self.backups.get(id)
    }

    pub fn finish_basebackup(&mut self, id: usize) {
        let Some(b) = self.backups.get(id).cloned() else {
            return;
        };
        if b.finished.is_some() {
            return;
        }
        let alive = self.server(b.server).is_some_and(|s| {
            b.conns
                .iter()
                .all(|c| s.senders.iter().any(|w| w.conn == *c))
        });
        let dir = b.opts.dir.trim_end_matches('/').to_string();
        if !alive || self.link(b.client, b.server).partitioned {
            let mut out = b.output.clone();
            out.push("pg_basebackup: error: could not read COPY data: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.".to_string());
            out.push(self.removing_text(b.client, &dir));
            self.end_backup_senders(&b);
            self.backups[id].output = out;
            self.backups[id].finished = Some(false);
            return;
        }
        // pg_backup_stop: the backup-end record, then the WAL up to it.
        // pg_backup_stop also switches segments, so the streamed pg_wal holds the whole
        // segment of the backup end and the standby streams from the next one.
        let end = self.append(b.server, wal::BACKUP_END_RECORD, RecordBody::BackupEnd);
        self.flush(b.server);
        self.switch_wal(b.server);
        let Some(pdata) = self.data(b.server) else {
            return;
        };
        let copied_to = pdata.wal.insert;
        let records: Vec<_> = pdata
            .wal
            .records_between(b.start, copied_to)
            .cloned()
            .collect();
        let history = pdata.wal.history.clone();
        let system_id = pdata.system_id;
        let tli = pdata.wal.tli;
        let mut wal = Wal::new(b.start);
        wal.records = records.into_iter().collect();
        wal.insert = copied_to;
        wal.write = copied_to;
        wal.flush = copied_to;
        wal.tli = tli;
        wal.history = history;
        wal.oldest_segment = b.start.segment();
        let now = self.now;
        let mut data = DataDir::initdb(system_id, b.snapshot.clone(), b.start);
        data.wal = wal;
        data.applied = b.snapshot_lsn;
        data.redo = b.start;
        data.checkpoint_lsn = b.checkpoint;
        data.checkpoint_time = b.started;
        data.clean_shutdown = false;
        data.shutdown_at = now;
        data.backup = Some(BackupLabel {
            start: b.start,
            checkpoint: b.checkpoint,
            end,
            tli: b.tli,
            started_at: b.started,
        });
        // Files: the configuration comes along, plus the backup label and manifest.
        let copied: Vec<(String, String)> = self
            .host(b.server)
            .files
            .iter()
            .filter(|(p, _)| {
                p.starts_with(&format!("{PGDATA}/"))
                    && !p.contains("/log/")
                    && !p.ends_with("postmaster.pid")
                    && !p.ends_with("standby.signal")
                    && !p.contains("/pg_wal/")
            })
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
        let label = format!(
            "START WAL LOCATION: {} (file {})\nCHECKPOINT LOCATION: {}\nBACKUP METHOD: streamed\nBACKUP FROM: primary\nSTART TIME: {}\nLABEL: pg_basebackup base backup\nSTART TIMELINE: {}\n",
            b.start,
            super::lsn::segment_file_name(b.tli, b.start.segment()),
            b.checkpoint,
            // Whole seconds, as the label has them.
            super::datetime::format_log_timestamp(b.started.unix_micros() / 1_000_000 * 1_000_000)
                .replace(".000", ""),
            b.tli
        );
        let client_host = self.host(b.client).clone();
        let server_name = self.host(b.server).name.clone();
        let password = b.opts.password.clone();
        let host = self.host_mut(b.client);
        for (p, t) in copied {
            host.files.insert(p, t);
        }
        host.files.insert(format!("{PGDATA}/backup_label"), label);
        host.files.insert(
            format!("{PGDATA}/backup_manifest"),
            format!("{{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [ ... ],\n\"WAL-Ranges\": [\n{{ \"Timeline\": {}, \"Start-LSN\": \"{}\", \"End-LSN\": \"{end}\" }}\n] }}\n", b.tli, b.start),
        );
        if b.opts.write_recovery_conf {
            host.files
                .insert(format!("{PGDATA}/standby.signal"), String::new());
            let auto = format!("{PGDATA}/postgresql.auto.conf");
            let mut text = host.files.get(&auto).cloned().unwrap_or_default();
            let mut parts = vec![format!("user={}", conninfo::quote(&b.user))];
            // libpq names a password file only when no password was given.
            match &password {
                Some(pw) => parts.push(format!("password={}", conninfo::quote(pw))),
                None => parts.push(format!("passfile='{PGHOME}/.pgpass'")),
            }
            parts.push("channel_binding=prefer".to_string());
            parts.push(format!(
                "host={}",
                b.opts.host.clone().unwrap_or_else(|| server_name.clone())
            ));
            parts.push(format!("port={}", b.opts.port));
            parts.push("sslmode=prefer sslcompression=0 sslsni=1 ssl_min_protocol_version=TLSv1.2 gssencmode=prefer krbsrvname=postgres target_session_attrs=any".to_string());
            // The conninfo goes into a quoted setting, so its own quotes are doubled.
            text.push_str(&format!(
                "primary_conninfo = '{}'\n",
                parts.join(" ").replace('\'', "''")
            ));
            if let Some(slot) = &b.opts.slot {
                text.push_str(&format!("primary_slot_name = '{slot}'\n"));
            }
            host.files.insert(auto, text);
        }
        host.data = Some(data);
        host.crashed = false;
        // The directory pg_basebackup made is 0700; one that existed keeps its owner
        // and mode (mkdir's 0755 stays 0755, and the server then refuses to start).
        let inside = format!("{PGDATA}/");
        host.meta.retain(|p, _| !p.starts_with(&inside));
        host.meta
            .entry(PGDATA.to_string())
            .or_insert_with(|| perm::FileMeta::new(perm::POSTGRES, 0o700, b.started));
        let _ = client_host;
        self.end_backup_senders(&b);
        let mut out = b.output.clone();
        if b.opts.progress {
            out.push(format!("{0}/{0} kB (100%), 1/1 tablespace", b.size_kb));
        }
        if b.opts.verbose {
            out.push(format!("pg_basebackup: write-ahead log end point: {end}"));
            if b.opts.wal_method == WalMethod::Stream {
                out.push(
                    "pg_basebackup: waiting for background process to finish streaming ..."
                        .to_string(),
                );
            }
            out.push("pg_basebackup: syncing data to disk ...".to_string());
            out.push("pg_basebackup: renaming backup_manifest.tmp to backup_manifest".to_string());
            out.push("pg_basebackup: base backup completed".to_string());
        }
        self.backups[id].output = out;
        self.backups[id].finished = Some(true);
        let c = self.host(b.client).name.clone();
        self.note(b.client, EventKind::Server, format!("base backup of {server_name} on {c} completed (end {end})"),
            "The new data directory is consistent once recovery replays WAL up to the backup's end point.");
    }

    fn end_backup_senders(&mut self, b: &BaseBackup) {
        for conn in &b.conns {
            self.drop_sender(b.server, *conn);
        }
        if let Some(d) = self.data_mut(b.server) {
            d.slots
                .retain(|_, s| !s.temporary || s.active_pid.is_some());
            if let Some(name) = &b.opts.slot {
                if let Some(s) = d.slots.get_mut(name) {
                    s.active_pid = None;
                }
            }
        }
    }
}
