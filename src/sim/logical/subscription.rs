//! CREATE, ALTER and DROP SUBSCRIPTION (subscriptioncmds.c): what they do on the
//! publisher through a libpq connection (the slot made or dropped there) and the
//! subscriber's catalog row they prepare. The executor (sql/exec/subscription.rs)
//! commits the row. Messages as PostgreSQL 15.18 printed them.

use crate::cluster::Cluster;
use crate::conninfo::ConnInfo;
use crate::db::{Change, SubRel, Subscription};
use crate::event::HostId;
use crate::libpq::Client;
use crate::lsn::Lsn;
use crate::pubsub::{SubError, SubOptions};

impl Cluster {
    /// The subscription `name` of the server on `h`.
    pub fn subscription(&self, h: HostId, name: &str) -> Option<&Subscription> {
        self.data(h)?.db.subscriptions.get(name).map(|b| &**b)
    }

    /// Connects to the publisher as the subscriber's libpq would (a logical
    /// replication connection: pg_hba matched by database name, then the REPLICATION
    /// attribute). The error is libpq's text.
    pub fn connect_publisher(
        &mut self,
        h: HostId,
        conninfo: &str,
    ) -> Result<(HostId, String), String> {
        let info = ConnInfo::parse(conninfo)?;
        let reached = self.libpq_connect(Client::Host(h), &info, "postgres", false);
        let reached = match reached {
            Ok(r) => r,
            Err(e) => {
                // The publisher logs the FATAL it sent.
                if let Some(fatal) = e.split_once("FATAL:  ").map(|(_, m)| m.to_string()) {
                    if let Some(p) = self.publisher_named(h, &info) {
                        let pid = self.pid(p);
                        let first = fatal.lines().next().unwrap_or("").to_string();
                        self.log(p, pid, "FATAL", &first);
                    }
                }
                return Err(e);
            }
        };
        let p = reached.server;
        let role = self
            .data(p)
            .and_then(|d| d.db.roles.get(&reached.user).cloned());
        if !role.is_some_and(|r| r.replication || r.superuser) {
            let addr = if matches!(reached.host.as_str(), "localhost" | "127.0.0.1") {
                "127.0.0.1".to_string()
            } else {
                self.host(p).addr_text()
            };
            let msg = "must be superuser or replication role to start walsender";
            let pid = self.pid(p);
            self.log(p, pid, "FATAL", msg);
            return Err(format!(
                "{} failed: FATAL:  {msg}",
                crate::conninfo::server_at(&reached.host, &addr, reached.port)
            ));
        }
        Ok((p, reached.user))
    }

    /// The host the connection string's first host names, if it is one of the lab's.
    pub fn publisher_named(&self, h: HostId, info: &ConnInfo) -> Option<HostId> {
        let first = info.hosts.first()?;
        if first.host.is_empty() || matches!(first.host.as_str(), "localhost" | "127.0.0.1") {
            return Some(h);
        }
        self.resolve(&first.host).and_then(|a| self.host_by_addr(a))
    }

    /// check_publications: the WARNING for publications the publisher does not have.
    pub fn missing_publications_warning(
        &self,
        p: HostId,
        publications: &[String],
    ) -> Option<String> {
        let d = self.data(p)?;
        let missing: Vec<String> = publications
            .iter()
            .filter(|n| !d.db.publications.contains_key(*n))
            .map(|n| format!("\"{n}\""))
            .collect();
        match missing.len() {
            0 => None,
            1 => Some(format!(
                "WARNING:  publication {} does not exist on the publisher",
                missing[0]
            )),
            _ => Some(format!(
                "WARNING:  publications {} do not exist on the publisher",
                missing.join(", ")
            )),
        }
    }

    /// The tables the publisher publishes in `publications` (fetch_table_list), in
    /// name order.
    pub fn published_tables(&self, p: HostId, publications: &[String]) -> Vec<String> {
        let Some(d) = self.data(p) else {
            return Vec::new();
        };
        d.db.tables
            .keys()
            .filter(|t| {
                publications
                    .iter()
                    .any(|n| d.db.publications.get(n).is_some_and(|pb| pb.has(t)))
            })
            .cloned()
            .collect()
    }

    /// CREATE SUBSCRIPTION's work before its catalog row is committed: the connection
    /// to the publisher, the tables it publishes (each must exist here) and the slot.
    /// Returns the row to commit and the NOTICE lines.
    pub fn prepare_subscription(
        &mut self,
        h: HostId,
        name: &str,
        conninfo: &str,
        publications: Vec<String>,
        opts: &SubOptions,
    ) -> Result<(Change, Vec<String>), SubError> {
        if self.subscription(h, name).is_some() {
            return Err(SubError::new(format!(
                "subscription \"{name}\" already exists"
            )));
        }
        if let Err(e) = ConnInfo::parse(conninfo) {
            return Err(SubError::new(format!(
                "invalid connection string syntax: {e}"
            )));
        }
        // The row takes its oid before anything can fail.
        let oid = match self.data_mut(h) {
            Some(d) => {
                let oid = d.db.next_oid;
                d.db.next_oid = d.db.next_oid.saturating_add(1);
                oid
            }
            None => return Err(SubError::new("no data directory")),
        };
        let (p, _) = self
            .connect_publisher(h, conninfo)
            .map_err(|e| SubError::new(format!("could not connect to the publisher: {e}")))?;
        let mut notices: Vec<String> = self
            .missing_publications_warning(p, &publications)
            .into_iter()
            .collect();
        let mut tables = crate::map::Map::new();
        for t in self.published_tables(p, &publications) {
            let Some(local) = self.data(h).and_then(|d| d.db.tables.get(&t)) else {
                return Err(SubError::new(format!(
                    "relation \"public.{t}\" does not exist"
                )));
            };
            let state = if opts.copy_data { 'i' } else { 'r' };
            tables.insert(
                t,
                SubRel {
                    relid: local.relfilenode,
                    state,
                    lsn: None,
                },
            );
        }
        if let (true, Some(slot)) = (opts.create_slot, &opts.slot_name) {
            let pid = self.pid(p);
            let command =
                format!("CREATE_REPLICATION_SLOT \"{slot}\" LOGICAL pgoutput (SNAPSHOT 'nothing')");
            let start = self.data(p).map_or(Lsn(0), |d| d.wal.insert.record_start());
            match self.create_logical_slot(p, slot, "pgoutput", false) {
                Ok(_) => {
                    self.log(
                        p,
                        pid,
                        "LOG",
                        &format!("logical decoding found consistent point at {start}"),
                    );
                    self.log(p, pid, "DETAIL", "There are no running transactions.");
                    self.log(p, pid, "STATEMENT", &command);
                }
                Err((e, _)) => {
                    self.log(p, pid, "ERROR", &e);
                    self.log(p, pid, "STATEMENT", &command);
                    return Err(SubError::new(format!(
                        "could not create replication slot \"{slot}\": ERROR:  {e}"
                    )));
                }
            }
            notices.push(format!(
                "NOTICE:  created replication slot \"{slot}\" on publisher"
            ));
        }
        let sub = Subscription {
            oid,
            enabled: opts.enabled,
            conninfo: conninfo.to_string(),
            slot_name: opts.slot_name.clone(),
            publications,
            skip_lsn: 0,
            tables,
            origin_lsn: 0,
        };
        Ok((
            Change::SetSubscription {
                name: name.to_string(),
                subscription: Some(Box::new(sub)),
            },
            notices,
        ))
    }

    /// DROP SUBSCRIPTION's work before the row goes: its worker is terminated and the
    /// slot dropped on the publisher. Returns the NOTICE lines.
    pub fn prepare_drop_subscription(
        &mut self,
        h: HostId,
        name: &str,
    ) -> Result<Vec<String>, SubError> {
        let Some(sub) = self.subscription(h, name).cloned() else {
            return Err(SubError::new(format!(
                "subscription \"{name}\" does not exist"
            )));
        };
        let Some(slot) = sub.slot_name.clone() else {
            self.stop_apply_worker(h, name, StopWhy::Dropped);
            return Ok(Vec::new());
        };
        let p = match self.connect_publisher(h, &sub.conninfo) {
            Ok((p, _)) => p,
            Err(e) => {
                return Err(SubError {
                    message: format!("could not connect to publisher when attempting to drop replication slot \"{slot}\": {e}"),
                    detail: None,
                    hint: Some("Use ALTER SUBSCRIPTION ... DISABLE to disable the subscription, and then use ALTER SUBSCRIPTION ... SET (slot_name = NONE) to disassociate it from the slot.".to_string()),
                })
            }
        };
        self.stop_apply_worker(h, name, StopWhy::Dropped);
        // The walsender of the worker that just ended lets go of the slot.
        let holders: Vec<_> = self
            .server(p)
            .map(|s| {
                s.senders
                    .iter()
                    .filter(|w| w.slot.as_deref() == Some(slot.as_str()))
                    .map(|w| w.conn)
                    .collect()
            })
            .unwrap_or_default();
        for conn in holders {
            self.drop_sender(p, conn);
        }
        let existed = self
            .data_mut(p)
            .and_then(|d| d.slots.remove(&slot))
            .is_some();
        if existed {
            Ok(vec![format!(
                "NOTICE:  dropped replication slot \"{slot}\" on publisher"
            )])
        } else {
            Ok(vec![format!(
                "WARNING:  could not drop replication slot \"{slot}\" on publisher: ERROR:  replication slot \"{slot}\" does not exist"
            )])
        }
    }

    /// `ALTER SUBSCRIPTION ... SKIP (lsn = ...)`: the LSN must be past what was applied.
    pub fn check_skip_lsn(&self, h: HostId, name: &str, lsn: Lsn) -> Result<(), SubError> {
        let origin = self.subscription(h, name).map_or(0, |s| s.origin_lsn);
        if lsn.0 != 0 && origin != 0 && lsn.0 < origin {
            return Err(SubError::new(format!(
                "skip WAL location (LSN {lsn}) must be greater than origin LSN {}",
                Lsn(origin)
            )));
        }
        Ok(())
    }
}

/// Why an apply worker stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopWhy {
    /// ALTER SUBSCRIPTION ... DISABLE.
    Disabled,
    /// DROP SUBSCRIPTION.
    Dropped,
}
