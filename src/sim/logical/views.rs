//! The subscriber's views: `pg_subscription` (as a superuser sees it),
//! `pg_subscription_rel`, `pg_stat_subscription` and `pg_stat_subscription_stats`, with
//! PostgreSQL 15's columns.

use crate::cluster::Cluster;
use crate::db::{ColumnKind, Table, Value};
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

/// A subscription as its subscriber's card offers it: the name, whether it is enabled
/// (`pg_subscription.subenabled`), and whether a conflict can be caused on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionCard {
    pub name: String,
    pub enabled: bool,
    /// The subscribed table [`Cluster::conflict_inserts`] would use, if any.
    pub conflict_table: Option<String>,
}

/// The two INSERTs that stop a subscription's apply worker on a duplicate key: a row
/// written on the subscriber first, then the same key on the publisher. When the
/// publisher's row arrives, the subscriber's unique index refuses it (`ERROR:  duplicate
/// key value violates unique constraint "t_pkey"`) and the worker retries it every
/// wal_retrieve_retry_interval until the local row is deleted or the transaction is
/// skipped (`ALTER SUBSCRIPTION ... SKIP`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictInserts {
    pub publisher: HostId,
    /// The statement for the subscriber, run first.
    pub on_subscriber: String,
    /// The same key for the publisher.
    pub on_publisher: String,
}

impl Cluster {
    /// The subscriptions of the server on `h`, by oid, as its card offers them.
    pub fn subscription_cards(&self, h: HostId) -> Vec<SubscriptionCard> {
        self.subscriptions_of(h)
            .into_iter()
            .map(|(name, sub)| SubscriptionCard {
                conflict_table: self.conflict_key(h, &sub).map(|(_, t, _)| t),
                enabled: sub.enabled,
                name,
            })
            .collect()
    }

    /// The publisher named by the subscription's connection string, and the first
    /// subscribed table (by name) that the publisher publishes inserts of and whose
    /// unique index on the subscriber (its primary key first) is made of integer
    /// columns the publisher's table has too: (publisher, table, key column names).
    fn conflict_key(
        &self,
        h: HostId,
        sub: &crate::db::Subscription,
    ) -> Option<(HostId, String, Vec<String>)> {
        let info = crate::conninfo::ConnInfo::parse(&sub.conninfo).ok()?;
        let p = self.publisher_named(h, &info).filter(|p| *p != h)?;
        let (pd, sd) = (self.data(p)?, self.data(h)?);
        sub.tables.keys().find_map(|table| {
            let published = sub.publications.iter().any(|n| {
                pd.db
                    .publications
                    .get(n)
                    .is_some_and(|pb| pb.insert && pb.has(table))
            });
            let (st, pt) = (sd.db.tables.get(table)?, pd.db.tables.get(table)?);
            if !published {
                return None;
            }
            st.unique_indexes(table).into_iter().find_map(|(_, key)| {
                let names: Vec<String> = key
                    .iter()
                    .map(|&i| &st.columns[i])
                    .filter(|c| c.kind == ColumnKind::Int)
                    .map(|c| c.name.clone())
                    .collect();
                let on_publisher = names.iter().all(|n| {
                    pt.columns
                        .iter()
                        .any(|c| &c.name == n && c.kind == ColumnKind::Int)
                });
                (names.len() == key.len() && on_publisher).then(|| (p, table.clone(), names))
            })
        })
    }

    /// The INSERTs that make the apply worker of subscription `name` on `h` fail on a
    /// duplicate key: the next key of [`Cluster::subscription_cards`]'s conflict table,
    /// one past the largest either server holds, so that it is new on both and really
    /// conflicts. Non-key columns get a value only where NOT NULL asks for one, and the
    /// first text column says which server wrote the row, so that a class sees whose row
    /// each side kept.
    pub fn conflict_inserts(&self, h: HostId, name: &str) -> Option<ConflictInserts> {
        let sub = self.subscription(h, name)?;
        let (p, table, key) = self.conflict_key(h, sub)?;
        let st = self.data(h)?.db.tables.get(&table)?;
        let pt = self.data(p)?.db.tables.get(&table)?;
        let next = 1 + [st, pt]
            .iter()
            .flat_map(|t| largest_of(t, &key))
            .max()
            .unwrap_or(0);
        let insert = |t: &Table, writer: &str| {
            let mut cols = Vec::new();
            let mut vals = Vec::new();
            let mut named = false;
            for c in &t.columns {
                let is_key = key.contains(&c.name);
                let text = c.kind == ColumnKind::Text && !c.unique;
                let val = match c.kind {
                    _ if is_key => next.to_string(),
                    ColumnKind::Text if text && !named => {
                        named = true;
                        format!("'{writer}'")
                    }
                    _ if !c.not_null => continue,
                    ColumnKind::Int => next.to_string(),
                    ColumnKind::Text => format!("'{writer} {next}'"),
                    ColumnKind::Bool => "false".to_string(),
                };
                cols.push(c.name.as_str());
                vals.push(val);
            }
            format!(
                "INSERT INTO {table} ({}) VALUES ({});",
                cols.join(", "),
                vals.join(", ")
            )
        };
        Some(ConflictInserts {
            publisher: p,
            on_subscriber: insert(st, &self.host(h).name),
            on_publisher: insert(pt, &self.host(p).name),
        })
    }

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

    /// The subscriptions of `h`, by oid.
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
        crate::order::sort_by_key(&mut v, |(_, s)| s.oid);
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

/// The largest integer in `t`'s columns named `key`.
fn largest_of(t: &Table, key: &[String]) -> Option<i64> {
    let idx: Vec<usize> = (0..t.columns.len())
        .filter(|&i| key.contains(&t.columns[i].name))
        .collect();
    t.rows
        .values()
        .flat_map(|r| {
            idx.iter().filter_map(|&i| match r.get(i) {
                Some(Value::Int(v)) => Some(*v),
                _ => None,
            })
        })
        .max()
}
