//! The walsender (walsender.c): a primary accepting a standby's replication connection,
//! streaming WAL to it in messages of at most MAX_SEND bytes, reading its replies, and
//! announcing when it becomes a synchronous standby.

use super::cluster::Cluster;
use super::event::{ConnId, ConnectRequest, EventKind, HostId, Message, Timer};
use super::lsn::Lsn;
use super::proc::{SenderState, WalSender};
use super::replication::ConnectAttempt;
use super::time::SimTime;

/// The most a walsender puts in one message (MAX_SEND_SIZE).
pub const MAX_SEND: u64 = 128 * 1024;

impl Cluster {
    pub(super) fn on_connect(&mut self, primary: HostId, standby: HostId, req: ConnectRequest) {
        if let Some(start) = req.logical.clone() {
            self.on_logical_connect(primary, standby, req, start);
            return;
        }
        let attempt = ConnectAttempt {
            client: standby,
            host: &req.host,
            user: &req.user,
            password: req.password.as_deref(),
            replication: true,
            database: "replication",
            port: req.port,
        };
        if let Err(e) = self.connect_logged(primary, &attempt, None) {
            self.send(
                primary,
                standby,
                Message::Refused {
                    conn: req.conn,
                    error: e,
                },
            );
            return;
        }
        let Some(server) = self.server(primary) else {
            return;
        };
        let refuse = |e: String| Message::Refused {
            conn: req.conn,
            error: e,
        };
        let standby_too = server.standby;
        // ReplicationSlotAcquire in a new walsender: a slot another walsender holds is
        // an ERROR in the primary's log (with the command) and the standby's FATAL.
        let active = req
            .slot
            .as_ref()
            .and_then(|sl| self.data(primary)?.slots.get(sl)?.active_pid);
        if let (Some(slot), Some(active)) = (&req.slot, active) {
            let error = format!("replication slot \"{slot}\" is active for PID {active}");
            let pid = self.pid(primary);
            let command = format!(
                "START_REPLICATION SLOT \"{slot}\" {} TIMELINE {}",
                req.start, req.tli
            );
            self.log(primary, pid, "ERROR", &error);
            self.log(primary, pid, "STATEMENT", &command);
            let msg = format!("could not start WAL streaming: ERROR:  {error}");
            self.send(primary, standby, refuse(msg));
            return;
        }
        let Some(data) = self.data(primary) else {
            return;
        };
        let tli = data.wal.tli;
        // Timeline checks, as the walreceiver makes them with IDENTIFY_SYSTEM.
        if tli < req.tli {
            let msg = format!(
                "highest timeline {tli} of the primary is behind recovery timeline {}",
                req.tli
            );
            self.send(primary, standby, refuse(msg));
            return;
        }
        if let Some(slot) = &req.slot {
            match data.slots.get(slot) {
                None => {
                    let msg = format!("could not start WAL streaming: ERROR:  replication slot \"{slot}\" does not exist");
                    self.send(primary, standby, refuse(msg));
                    return;
                }
                Some(s) if s.lost => {
                    let msg = format!("could not start WAL streaming: ERROR:  can no longer get changes from replication slot \"{slot}\"\nDETAIL:  This slot has been invalidated because it exceeded the maximum reserved size.");
                    self.send(primary, standby, refuse(msg));
                    return;
                }
                Some(_) => {}
            }
        }
        let _ = standby_too;
        let history = data.wal.history.clone();
        let pid = self.pid(primary);
        let port = self.rng.range(32768, 60999) as u16;
        let now = self.now;
        if let Some(slot) = req
            .slot
            .as_ref()
            .and_then(|s| self.data_mut(primary).and_then(|d| d.slots.get_mut(s)))
        {
            slot.active_pid = Some(pid);
            if slot.restart_lsn.is_none() {
                slot.restart_lsn = Some(req.start);
            }
        }
        if let Some(server) = self.server_mut(primary) {
            server.senders.push(WalSender {
                conn: req.conn,
                pid,
                peer: standby,
                user: req.user.clone(),
                application_name: req.application_name.clone(),
                client_port: port,
                backend_start: now,
                state: SenderState::Catchup,
                sent: req.start,
                write: Lsn(0),
                flush: Lsn(0),
                replay: Lsn(0),
                write_lag: None,
                flush_lag: None,
                replay_lag: None,
                reply_time: None,
                slot: req.slot.clone(),
                last_reply: now,
                busy: false,
                lag_samples: Default::default(),
                lag_heads: [0; 3],
                fully_applied_last_time: false,
                command: match &req.slot {
                    Some(s) => format!(
                        "START_REPLICATION SLOT \"{s}\" {} TIMELINE {}",
                        req.start, req.tli
                    ),
                    None => format!("START_REPLICATION {} TIMELINE {}", req.start, req.tli),
                },
                announced_sync: false,
                is_backup: false,
                logical: None,
                sync_priority: None,
            });
        }
        self.send(
            primary,
            standby,
            Message::Accepted {
                conn: req.conn,
                pid,
                tli,
                history,
            },
        );
        self.pump_sender(primary, req.conn, false);
    }

    pub(super) fn on_reply(
        &mut self,
        primary: HostId,
        from: HostId,
        conn: ConnId,
        pos: [Lsn; 3],
        sent_at: SimTime,
        ping: bool,
    ) {
        let now = self.now;
        let Some(server) = self.server_mut(primary) else {
            return;
        };
        let Some(w) = server.senders.iter_mut().find(|w| w.conn == conn) else {
            self.reset(primary, from, conn);
            return;
        };
        w.write = w.write.max(pos[0]);
        w.flush = w.flush.max(pos[1]);
        w.replay = w.replay.max(pos[2]);
        w.reply_time = Some(sent_at);
        w.last_reply = now;
        // Lag columns (LagTrackerRead): time since the newest sent position now reached.
        let clear = if pos[2] == w.sent {
            let c = w.fully_applied_last_time;
            w.fully_applied_last_time = true;
            c
        } else {
            w.fully_applied_last_time = false;
            false
        };
        for (k, p) in pos.iter().enumerate() {
            let mut head = w.lag_heads[k];
            let mut hit = None;
            while let Some((lsn, t)) = w.lag_samples.get(head) {
                if lsn > p {
                    break;
                }
                hit = Some(*t);
                head += 1;
            }
            w.lag_heads[k] = head;
            let lag = hit.map(|t| now - t);
            let slot = match k {
                0 => &mut w.write_lag,
                1 => &mut w.flush_lag,
                _ => &mut w.replay_lag,
            };
            if lag.is_some() || clear {
                *slot = lag;
            }
        }
        let done = w.lag_heads.iter().copied().min().unwrap_or(0);
        if done > 0 {
            w.lag_samples.drain(..done);
            for hd in w.lag_heads.iter_mut() {
                *hd -= done;
            }
        }
        let flush = w.flush;
        let slot = w.slot.clone();
        let peer = w.peer;
        let sent = w.sent;
        let logical = w.logical.is_some();
        if let (true, Some(s)) = (logical, &slot) {
            self.confirm_logical(primary, s, flush, sent);
        } else if let Some(s) =
            slot.and_then(|s| self.data_mut(primary).and_then(|d| d.slots.get_mut(&s)))
        {
            if !s.lost {
                s.restart_lsn = Some(s.restart_lsn.map_or(flush, |r| r.max(flush)));
            }
        }
        if ping {
            self.send(
                primary,
                peer,
                Message::Keepalive {
                    conn,
                    end: sent,
                    sent_at: now,
                },
            );
        }
        self.release_sync_waiters_after(primary, Some(conn));
    }

    /// After a standby's reply, its walsender says when it has become the one serving a
    /// synchronous standby (once, until it stops being one), as PostgreSQL logs it.
    /// `states` and `priorities` are the walsenders' sync states, in order.
    pub(super) fn announce_sync(
        &mut self,
        primary: HostId,
        conn: ConnId,
        states: &[&'static str],
        priorities: &[u32],
        quorum: bool,
    ) {
        let Some(server) = self.server_mut(primary) else {
            return;
        };
        let Some(i) = server.senders.iter().position(|w| w.conn == conn) else {
            return;
        };
        let state = states.get(i).copied().unwrap_or("async");
        let priority = priorities.get(i).copied().unwrap_or(0);
        let w = &mut server.senders[i];
        let am_sync = matches!(state, "sync" | "quorum");
        if !am_sync || w.announced_sync {
            w.announced_sync &= am_sync;
            return;
        }
        w.announced_sync = true;
        let (pid, name, command) = (w.pid, w.application_name.clone(), w.command.clone());
        let msg = if quorum {
            format!("standby \"{name}\" is now a candidate for quorum synchronous standby")
        } else {
            format!("standby \"{name}\" is now a synchronous standby with priority {priority}")
        };
        self.log(primary, pid, "LOG", &msg);
        self.log(primary, pid, "STATEMENT", &command);
    }

    pub fn wake_senders(&mut self, primary: HostId) {
        let conns: Vec<ConnId> = match self.server(primary) {
            Some(s) => s
                .senders
                .iter()
                .filter(|w| !w.busy && !w.is_backup)
                .map(|w| w.conn)
                .collect(),
            None => return,
        };
        for conn in conns {
            self.pump_sender(primary, conn, false);
        }
    }

    /// Sends the next chunk of WAL to a standby, if the link is free and WAL waits.
    /// With `all`, sends everything at once (shutdown).
    pub fn pump_sender(&mut self, primary: HostId, conn: ConnId, all: bool) {
        loop {
            let Some(data) = self.data(primary) else {
                return;
            };
            let flush = data.wal.flush;
            let Some(w) = self
                .server(primary)
                .and_then(|s| s.senders.iter().find(|w| w.conn == conn))
            else {
                return;
            };
            if w.busy || w.is_backup {
                return;
            }
            let sent = w.sent;
            let peer = w.peer;
            if sent >= flush {
                if let Some(w) = self.sender_mut(primary, conn) {
                    if w.state == SenderState::Catchup {
                        w.state = SenderState::Streaming;
                    }
                }
                return;
            }
            if !data.wal.has(sent) {
                let seg = sent.walfile_name(data.wal.tli_at(sent));
                let seg = if sent.0 % super::lsn::SEGMENT_SIZE == 0 {
                    super::lsn::segment_file_name(data.wal.tli_at(sent), sent.segment())
                } else {
                    seg
                };
                let error = format!("requested WAL segment {seg} has already been removed");
                let pid = w.pid;
                let command = w.command.clone();
                self.log(primary, pid, "ERROR", &error);
                self.log(primary, pid, "STATEMENT", &command);
                self.send(primary, peer, Message::StreamError { conn, error });
                self.drop_sender(primary, conn);
                return;
            }
            let upto = Lsn(flush.0.min(sent.0 + MAX_SEND));
            let now = self.now;
            let msg = if let Some(pubs) = w.logical.as_ref().map(|l| l.publications.clone()) {
                // Logical decoding with pgoutput: the committed transactions of this
                // chunk, filtered by the publications.
                let mut reorder = self
                    .sender_mut(primary, conn)
                    .and_then(|w| w.logical.as_mut())
                    .map(|l| std::mem::take(&mut l.reorder))
                    .unwrap_or_default();
                let txns = match self.data(primary) {
                    Some(d) => self.decode(
                        primary,
                        d.wal.records_between(sent, upto),
                        &mut reorder,
                        Some(&pubs),
                    ),
                    None => Vec::new(),
                };
                if let Some(l) = self
                    .sender_mut(primary, conn)
                    .and_then(|w| w.logical.as_mut())
                {
                    l.reorder = reorder;
                }
                Message::Changes {
                    conn,
                    upto,
                    txns,
                    sent_at: now,
                }
            } else {
                let records: Vec<_> = data.wal.records_between(sent, upto).cloned().collect();
                Message::Data {
                    conn,
                    upto,
                    records,
                    sent_at: now,
                    primary_end: flush,
                }
            };
            let free_at = self.send(primary, peer, msg);
            let Some(w) = self.sender_mut(primary, conn) else {
                return;
            };
            w.sent = upto;
            // LagTrackerWrite(SendRqstPtr, now): the end of the primary's flushed WAL, not
            // the end of this message, taken as the time that WAL was flushed; a sample
            // whose LSN has not advanced is ignored. So the lag columns grow with the WAL
            // queued for a standby on a slow link, as on PostgreSQL.
            if w.lag_samples.len() < 8192 && w.lag_samples.back().is_none_or(|s| s.0 < flush) {
                w.lag_samples.push_back((flush, now));
            }
            if all {
                continue;
            }
            if free_at > now {
                w.busy = true;
                let after = free_at - now;
                self.timer(primary, after, Timer::SenderWake(conn));
                return;
            }
        }
    }

    pub(super) fn sender_mut(&mut self, primary: HostId, conn: ConnId) -> Option<&mut WalSender> {
        self.server_mut(primary)?
            .senders
            .iter_mut()
            .find(|w| w.conn == conn)
    }

    /// Ends a walsender and frees its slot.
    pub fn drop_sender(&mut self, primary: HostId, conn: ConnId) {
        let Some(server) = self.server_mut(primary) else {
            return;
        };
        let Some(i) = server.senders.iter().position(|w| w.conn == conn) else {
            return;
        };
        let w = server.senders.remove(i);
        if let Some(slot) = w
            .slot
            .as_ref()
            .and_then(|s| self.data_mut(primary).and_then(|d| d.slots.get_mut(s)))
        {
            slot.active_pid = None;
        }
        if !w.is_backup {
            let (p, s) = (
                self.host(primary).name.clone(),
                self.host(w.peer).name.clone(),
            );
            self.note(primary, EventKind::Disconnected, format!("walsender for {s} on {p} exited"),
                "The standby is no longer receiving WAL; it will retry every wal_retrieve_retry_interval.");
        }
        self.release_sync_waiters(primary);
    }
}

#[cfg(test)]
mod tests;
