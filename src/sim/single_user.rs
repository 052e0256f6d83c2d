//! `postgres --single`: the stand-alone backend pg_rewind runs on a target that was not
//! shut down cleanly (pg_rewind.c's ensureCleanShutdown), so that crash recovery
//! finishes and pg_control says "shut down" before the rewind reads it.

use super::cluster::Cluster;
use super::event::HostId;
use super::proc::Server;
use super::PGDATA;

/// The banner a stand-alone backend prints on stdout before its first prompt.
const BANNER: &str = "PostgreSQL stand-alone backend 15.18";

impl Cluster {
    /// The postgres binary pg_rewind finds beside itself (find_other_exec): Debian's
    /// layout on a default host, Red Hat's /usr/bin on a RHEL host.
    pub fn postgres_binary(&self, h: HostId) -> &'static str {
        if self.host(h).os.is_some() {
            "/usr/bin/postgres"
        } else {
            "/usr/lib/postgresql/15/bin/postgres"
        }
    }

    /// Runs `postgres --single -F -D PGDATA template1 < /dev/null` on host `h`, whose
    /// server is down after a crash: crash recovery and its end-of-recovery checkpoint,
    /// a blank line and the banner, the `backend> ` prompt, then (stdin is at its end)
    /// the shutdown checkpoint. Its log lines go to stderr, which pg_rewind shares, and
    /// not to the server log. Returns what it printed, and whether it exited cleanly.
    ///
    /// PostgreSQL 15.18 (scripts/compare tests/compare/rewind-after-crash.walscope):
    /// `database system was interrupted; last known up at ...`, `database system was
    /// not properly shut down; automatic recovery in progress`, `redo starts at`, the
    /// end of WAL, `redo done at`, `checkpoint starting: end-of-recovery immediate wait`
    /// and its `checkpoint complete` (`sync files=0`: -F turns fsync off), a blank line,
    /// `PostgreSQL stand-alone backend 15.18 (Debian 15.18-0+deb12u1)`, then
    /// `backend> ` and `checkpoint starting: shutdown immediate` on one line and its
    /// `checkpoint complete: wrote 0 buffers (0.0%); ...; distance=0 kB`; no `ready to
    /// accept connections` and no `database system is shut down`.
    pub fn single_user_recovery(&mut self, h: HostId) -> (Vec<String>, bool) {
        let log = format!("{PGDATA}/log/postgresql.log");
        let before = self.host(h).files.get(&log).cloned();
        let pid = self.pid(h);
        if let Some(lines) = self.single_user_refuses_standby(h, pid) {
            return (lines, false);
        }
        let settings = self.settings_on_disk(h);
        let hints = settings.bool("wal_log_hints");
        let mut server = Server::new(pid, self.now, settings, Vec::new(), false, pid, pid);
        server.single_user = true;
        let host = self.host_mut(h);
        host.server = Some(server);
        host.epoch += 1;
        self.recover_at_start(h, pid);
        let mut out = self.take_log_since(h, &before);
        let ok = self.host(h).server.is_some();
        if ok {
            out.push(String::new());
            out.push(BANNER.to_string());
            let failed = self.try_checkpoint(h, "shutdown immediate", true).is_some();
            let mut shutdown = self.take_log_since(h, &before);
            if let Some(first) = shutdown.first_mut() {
                *first = format!("backend> {first}");
            }
            out.extend(shutdown);
            let now = self.now;
            let host = self.host_mut(h);
            host.server = None;
            host.epoch += 1;
            host.crashed = false;
            if let Some(d) = host.data.as_mut().filter(|_| !failed) {
                // XLogReportParameters: the control file takes the configuration's
                // wal_log_hints at the end of recovery, as at any start.
                d.wal_log_hints = hints;
                d.clean_shutdown = true;
                d.shutdown_at = now;
                d.shutdown_in_recovery = false;
                d.undo.clear();
            }
            return (out, !failed);
        }
        (out, false)
    }

    /// readRecoverySignalFile: a stand-alone backend cannot be a standby, so with
    /// standby.signal it stops after StartupXLOG's first line (a crashed standby's
    /// control file says "in archive recovery", walscope's pg_controldata too).
    /// PostgreSQL 15.18, pg_rewind of a standby killed with SIGKILL (postmaster and
    /// children): `LOG:  database system was interrupted while in recovery at log time
    /// ...`, its HINT, `FATAL:  standby mode is not supported by single-user servers`.
    fn single_user_refuses_standby(&self, h: HostId, pid: u32) -> Option<Vec<String>> {
        let host = self.host(h);
        if !host.files.contains_key(&format!("{PGDATA}/standby.signal")) {
            return None;
        }
        let data = host.data.as_ref()?;
        let text = super::datetime::format_log_timestamp(data.checkpoint_time.unix_micros());
        let at = match text.trim_end_matches(" UTC").rsplit_once('.') {
            Some((a, _)) => format!("{a} UTC"),
            None => text,
        };
        let lines = self.log_line(
            pid,
            "LOG",
            &format!("database system was interrupted while in recovery at log time {at}"),
        ) + &self.log_line(pid, "HINT", "If this has occurred more than once some data might be corrupted and you might need to choose an earlier recovery target.")
            + &self.log_line(
                pid,
                "FATAL",
                "standby mode is not supported by single-user servers",
            );
        Some(lines.lines().map(str::to_string).collect())
    }

    /// The lines written to the server log since it held `before`, taken out of it
    /// again: the stand-alone backend writes them to its stderr.
    fn take_log_since(&mut self, h: HostId, before: &Option<String>) -> Vec<String> {
        let log = format!("{PGDATA}/log/postgresql.log");
        let host = self.host_mut(h);
        let now = host.files.get(&log).cloned().unwrap_or_default();
        let old = before.clone().unwrap_or_default();
        let new = now
            .strip_prefix(old.as_str())
            .unwrap_or_default()
            .to_string();
        match before {
            Some(b) => {
                host.files.insert(log, b.clone());
            }
            None => {
                host.files.remove(&log);
            }
        }
        new.lines().map(str::to_string).collect()
    }
}
