//! The subscriber's views: `pg_subscription` (as a superuser sees it),
//! `pg_subscription_rel`, `pg_stat_subscription` and `pg_stat_subscription_stats`, with
//! PostgreSQL 15's columns.

use crate::cluster::Cluster;
use crate::event::HostId;
use crate::lsn::Lsn;
use crate::views::{Datum, Relation};

/// The oid of the database every subscription lives in (`postgres`).
const DB_OID: i64 = 5;

/// A subscription that does not replicate now, as the stage draws it: a stopped link
/// from its publisher, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoppedSubscription {
    pub subscriber: HostId,
    pub name: String,
    /// The publisher its last worker was connected to (`None` when none got that far).
    pub publisher: Option<HostId>,
    /// `disabled`, or the first line of the ERROR its last apply worker ended with.
    pub why: String,
}

impl Cluster {
    /// The subscriptions of running servers without a streaming apply worker that were
    /// disabled or whose last worker ended with an ERROR (the launcher starts the next
    /// one after wal_retrieve_retry_interval).
    pub fn stopped_subscriptions(&self) -> Vec<StoppedSubscription> {
        let mut out = Vec::new();
        for i in 0..self.hosts.len() {
            let h = HostId(i);
            let Some(server) = self.server(h) else {
                continue;
            };
            for (name, sub) in self.subscriptions_of(h) {
                if server
                    .apply
                    .iter()
                    .any(|w| w.subscription == name && w.streaming)
                {
                    continue;
                }
                let stopped = server.apply_stopped.get(&name);
                let why = match stopped {
                    _ if !sub.enabled => "disabled".to_string(),
                    Some((_, error)) => error.clone(),
                    None => continue,
                };
                out.push(StoppedSubscription {
                    subscriber: h,
                    name,
                    publisher: stopped.and_then(|(p, _)| *p),
                    why,
                });
            }
        }
        out
    }

    fn subscriptions_of(&self, h: HostId) -> Vec<(String, crate::db::Subscription)> {
        let mut v: Vec<_> = self
            .data(h)
            .map(|d| {
                d.db.subscriptions
                    .iter()
                    .map(|(n, s)| (n.clone(), (**s).clone()))
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by_key(|(_, s)| s.oid);
        v
    }

    /// `pg_subscription`.
    pub fn subscription_relation(&self, h: HostId) -> Relation {
        let rows = self
            .subscriptions_of(h)
            .into_iter()
            .map(|(n, s)| {
                vec![
                    Datum::Int(s.oid as i64),
                    Datum::Int(DB_OID),
                    Datum::Lsn(Lsn(s.skip_lsn)),
                    Datum::Text(n),
                    Datum::Int(10),
                    Datum::Bool(s.enabled),
                    Datum::Bool(false),
                    Datum::Bool(false),
                    Datum::Text("d".into()),
                    Datum::Bool(false),
                    Datum::Text(s.conninfo.clone()),
                    s.slot_name.clone().map_or(Datum::Null, Datum::Text),
                    Datum::Text("off".into()),
                    Datum::Text(format!("{{{}}}", s.publications.join(","))),
                ]
            })
            .collect();
        Relation {
            columns: vec![
                "oid",
                "subdbid",
                "subskiplsn",
                "subname",
                "subowner",
                "subenabled",
                "subbinary",
                "substream",
                "subtwophasestate",
                "subdisableonerr",
                "subconninfo",
                "subslotname",
                "subsynccommit",
                "subpublications",
            ],
            rows,
        }
    }

    /// `pg_subscription_rel`.
    pub fn subscription_rel_relation(&self, h: HostId) -> Relation {
        let mut rows = Vec::new();
        for (_, s) in self.subscriptions_of(h) {
            for rel in s.tables.values() {
                rows.push(vec![
                    Datum::Int(s.oid as i64),
                    Datum::Int(rel.relid as i64),
                    Datum::Text(rel.state.to_string()),
                    rel.lsn.map_or(Datum::Null, |l| Datum::Lsn(Lsn(l))),
                ]);
            }
        }
        Relation {
            columns: vec!["srsubid", "srrelid", "srsubstate", "srsublsn"],
            rows,
        }
    }

    /// `pg_stat_subscription`: a row per subscription, its apply worker's if it runs.
    pub fn stat_subscription_relation(&self, h: HostId) -> Relation {
        let workers = self.server(h).map(|s| s.apply.clone()).unwrap_or_default();
        let rows = self
            .subscriptions_of(h)
            .into_iter()
            .map(|(n, s)| {
                let w = workers.iter().find(|w| w.subscription == n);
                let lsn = |l: Option<Lsn>| l.filter(|l| l.0 != 0).map_or(Datum::Null, Datum::Lsn);
                let time = |t: Option<crate::SimTime>| t.map_or(Datum::Null, Datum::Timestamp);
                vec![
                    Datum::Int(s.oid as i64),
                    Datum::Text(n.clone()),
                    w.map_or(Datum::Null, |w| Datum::Int(w.pid as i64)),
                    Datum::Null,
                    lsn(w.map(|w| w.received)),
                    time(w.and_then(|w| w.last_msg_send_time)),
                    time(w.and_then(|w| w.last_msg_receipt_time)),
                    lsn(w.map(|w| w.latest_end_lsn)),
                    time(w.and_then(|w| w.latest_end_time)),
                ]
            })
            .collect();
        Relation {
            columns: vec![
                "subid",
                "subname",
                "pid",
                "relid",
                "received_lsn",
                "last_msg_send_time",
                "last_msg_receipt_time",
                "latest_end_lsn",
                "latest_end_time",
            ],
            rows,
        }
    }

    /// `pg_stat_subscription_stats`.
    pub fn stat_subscription_stats_relation(&self, h: HostId) -> Relation {
        let id = self.data(h).map_or(0, |d| d.system_id);
        let rows = self
            .subscriptions_of(h)
            .into_iter()
            .map(|(n, s)| {
                let (apply, sync) = self
                    .logical
                    .stats
                    .get(&(id, n.clone()))
                    .copied()
                    .unwrap_or((0, 0));
                vec![
                    Datum::Int(s.oid as i64),
                    Datum::Text(n),
                    Datum::Int(apply as i64),
                    Datum::Int(sync as i64),
                    Datum::Null,
                ]
            })
            .collect();
        Relation {
            columns: vec![
                "subid",
                "subname",
                "apply_error_count",
                "sync_error_count",
                "stats_reset",
            ],
            rows,
        }
    }
}
