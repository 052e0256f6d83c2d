//! The logical walsender (walsender.c with logical decoding and pgoutput): a
//! subscription's apply worker connects to a database, names its slot and
//! publications, and receives decoded transactions; its replies move the slot's
//! confirmed_flush_lsn.

use crate::cluster::Cluster;
use crate::event::{ConnectRequest, HostId, LogicalStart, Message};
use crate::lsn::Lsn;
use crate::proc::{LogicalSender, SenderState, WalSender};
use crate::replication::ConnectAttempt;
use crate::wal::RecordBody;

impl Cluster {
    pub fn on_logical_connect(
        &mut self,
        primary: HostId,
        client: HostId,
        req: ConnectRequest,
        start: LogicalStart,
    ) {
        let refuse = |error: String| Message::Refused {
            conn: req.conn,
            error,
        };
        let attempt = ConnectAttempt {
            client,
            host: &req.host,
            user: &req.user,
            password: req.password.as_deref(),
            replication: false,
            database: &start.database,
            port: req.port,
        };
        if let Err(e) = self.check_connect(primary, &attempt) {
            if let Some(fatal) = e
                .split_once("FATAL:  ")
                .map(|(_, m)| m.lines().next().unwrap_or("").to_string())
            {
                let pid = self.pid(primary);
                self.log(primary, pid, "FATAL", &fatal);
            }
            self.send(primary, client, refuse(e));
            return;
        }
        let role_ok = self
            .data(primary)
            .and_then(|d| d.db.roles.get(&req.user))
            .is_some_and(|r| r.replication || r.superuser);
        let pid = self.pid(primary);
        if !role_ok {
            let msg = "must be superuser or replication role to start walsender";
            self.log(primary, pid, "FATAL", msg);
            self.send(primary, client, refuse(format!("FATAL:  {msg}")));
            return;
        }
        let slot_name = req.slot.clone().unwrap_or_default();
        let pubs = start
            .publications
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(",");
        let command = format!(
            "START_REPLICATION SLOT \"{slot_name}\" LOGICAL {} (proto_version '3', publication_names '{pubs}')",
            req.start
        );
        let slot = self
            .data(primary)
            .and_then(|d| d.slots.get(&slot_name))
            .cloned();
        let error = match &slot {
            None => Some(format!("replication slot \"{slot_name}\" does not exist")),
            Some(s) if s.logical.is_none() => Some(format!(
                "cannot use physical replication slot \"{slot_name}\" for logical decoding"
            )),
            Some(s) if s.active_pid.is_some() => Some(format!(
                "replication slot \"{slot_name}\" is active for PID {}",
                s.active_pid.unwrap_or(0)
            )),
            Some(s) if s.lost => Some(format!(
                "can no longer get changes from replication slot \"{slot_name}\""
            )),
            Some(_) => None,
        };
        if let Some(error) = error {
            self.log(primary, pid, "ERROR", &error);
            self.log(primary, pid, "STATEMENT", &command);
            let msg = format!("could not start WAL streaming: ERROR:  {error}");
            self.send(primary, client, refuse(msg));
            return;
        }
        let Some(slot) = slot else { return };
        let confirmed = slot.logical.as_ref().map_or(Lsn(0), |l| l.confirmed_flush);
        let restart = slot.restart_lsn.unwrap_or(confirmed);
        self.log(
            primary,
            pid,
            "LOG",
            &format!("starting logical decoding for slot \"{slot_name}\""),
        );
        self.log(
            primary,
            pid,
            "DETAIL",
            &format!(
                "Streaming transactions committing after {confirmed}, reading WAL from {restart}."
            ),
        );
        self.log(primary, pid, "STATEMENT", &command);
        if req.start != Lsn(0) && req.start < confirmed {
            self.log(
                primary,
                pid,
                "LOG",
                &format!(
                    "{} has been already streamed, forwarding to {confirmed}",
                    req.start
                ),
            );
            self.log(primary, pid, "STATEMENT", &command);
        }
        self.log(
            primary,
            pid,
            "LOG",
            &format!("logical decoding found consistent point at {restart}"),
        );
        self.log(primary, pid, "DETAIL", "There are no running transactions.");
        self.log(primary, pid, "STATEMENT", &command);
        let sent = confirmed.max(req.start);
        let port = self.rng.range(32768, 60999) as u16;
        let now = self.now;
        if let Some(s) = self
            .data_mut(primary)
            .and_then(|d| d.slots.get_mut(&slot_name))
        {
            s.active_pid = Some(pid);
        }
        if let Some(server) = self.server_mut(primary) {
            server.senders.push(WalSender {
                conn: req.conn,
                pid,
                peer: client,
                user: req.user.clone(),
                application_name: req.application_name.clone(),
                client_port: port,
                backend_start: now,
                state: SenderState::Catchup,
                sent,
                write: Lsn(0),
                flush: Lsn(0),
                replay: Lsn(0),
                write_lag: None,
                flush_lag: None,
                replay_lag: None,
                reply_time: None,
                slot: Some(slot_name),
                last_reply: now,
                busy: false,
                lag_samples: Default::default(),
                lag_heads: [0; 3],
                fully_applied_last_time: false,
                command,
                announced_sync: false,
                is_backup: false,
                logical: Some(Box::new(LogicalSender {
                    publications: start.publications,
                    reorder: Default::default(),
                })),
                sync_priority: None,
            });
        }
        let (tli, history) = self
            .data(primary)
            .map(|d| (d.wal.tli, d.wal.history.clone()))
            .unwrap_or((crate::lsn::TimelineId(1), Vec::new()));
        self.send(
            primary,
            client,
            Message::Accepted {
                conn: req.conn,
                pid,
                tli,
                history,
            },
        );
        // The walsender's first keepalive says where its stream starts.
        self.send(
            primary,
            client,
            Message::Keepalive {
                conn: req.conn,
                end: sent,
                sent_at: now,
            },
        );
        self.pump_sender(primary, req.conn, false);
    }

    /// A logical slot after its consumer confirmed `flush`: confirmed_flush_lsn moves
    /// forward (never back, never past what was sent) and restart_lsn to the last
    /// running-xacts record before it (where decoding could start again).
    pub fn confirm_logical(&mut self, primary: HostId, slot: &str, flush: Lsn, sent: Lsn) {
        let upto = flush.min(sent);
        let restart = self.data(primary).and_then(|d| {
            d.wal
                .records
                .iter()
                .rev()
                .find(|r| r.end <= upto && matches!(r.body, RecordBody::RunningXacts))
                .map(|r| r.start)
        });
        let Some(s) = self.data_mut(primary).and_then(|d| d.slots.get_mut(slot)) else {
            return;
        };
        if s.lost {
            return;
        }
        if let Some(l) = s.logical.as_mut() {
            l.confirmed_flush = l.confirmed_flush.max(upto);
        }
        if let (Some(r), Some(old)) = (restart, s.restart_lsn) {
            s.restart_lsn = Some(old.max(r));
        }
    }
}
