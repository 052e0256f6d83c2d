//! CREATE, ALTER and DROP SUBSCRIPTION (subscriptioncmds.c): options, checks and the
//! catalog row; what they do on the publisher is in sim/logical/subscription.rs.
//! Messages as PostgreSQL 15.18 printed them.

use crate::sim::db::{Change, SubRel, Subscription};
use crate::sim::{Lsn, SubError, SubOptions};
use crate::sql::{AlterSubscription, ServerError};

use super::{Exec, Res, StatementResult};

/// WAL of a subscription command's catalog rows, without the commit record. Measured on
/// PostgreSQL 15.18 (subscriber with wal_level = replica) with pg_current_wal_insert_lsn
/// before and after each command, with no checkpoint between (no full-page images):
/// `CREATE SUBSCRIPTION ... WITH (enabled = false)` for one table 1224, `ALTER
/// SUBSCRIPTION ... DISABLE` 352, `DROP SUBSCRIPTION` 656, each with a 40-byte commit.
/// Other ALTERs are taken as DISABLE's.
const CREATE_BYTES: u64 = 1_184;
const ALTER_BYTES: u64 = 312;
const DROP_BYTES: u64 = 616;

fn server_error(e: SubError) -> ServerError {
    ServerError {
        detail: e.detail,
        hint: e.hint,
        ..ServerError::new(e.message)
    }
}

/// A boolean option's value (`defGetBoolean`): no value is true.
fn boolean(name: &str, value: &Option<String>) -> Res<bool> {
    match value.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("true" | "on" | "1" | "yes" | "t" | "y") => Ok(true),
        Some("false" | "off" | "0" | "no" | "f" | "n") => Ok(false),
        _ => Err(ServerError::new(format!("{name} requires a Boolean value"))),
    }
}

impl Exec<'_> {
    fn with_notices(r: StatementResult, notices: &[String]) -> StatementResult {
        match r {
            StatementResult::Tag(t) if !notices.is_empty() => {
                StatementResult::Tag(format!("{}\n{t}", notices.join("\n")))
            }
            other => other,
        }
    }

    fn existing_subscription(&self, name: &str) -> Res<Subscription> {
        self.c
            .subscription(self.h, name)
            .cloned()
            .ok_or_else(|| ServerError::new(format!("subscription \"{name}\" does not exist")))
    }

    fn commit_subscription(
        &mut self,
        name: &str,
        sub: Option<Subscription>,
        tag: &str,
    ) -> Res<StatementResult> {
        let bytes = if sub.is_some() {
            ALTER_BYTES
        } else {
            DROP_BYTES
        };
        self.commit(
            vec![(
                bytes,
                Change::SetSubscription {
                    name: name.to_string(),
                    subscription: sub.map(Box::new),
                },
            )],
            tag,
        )
    }

    pub(super) fn create_subscription(
        &mut self,
        name: String,
        conninfo: String,
        publications: Vec<String>,
        options: Vec<(String, Option<String>)>,
    ) -> Res<StatementResult> {
        self.read_only("CREATE SUBSCRIPTION")?;
        let mut opts = SubOptions {
            copy_data: true,
            create_slot: true,
            enabled: true,
            slot_name: Some(name.clone()),
        };
        let (mut enabled_given, mut create_slot_given) = (false, false);
        for (opt, value) in &options {
            match opt.as_str() {
                "copy_data" => opts.copy_data = boolean(opt, value)?,
                "create_slot" => {
                    opts.create_slot = boolean(opt, value)?;
                    create_slot_given = true;
                }
                "enabled" => {
                    opts.enabled = boolean(opt, value)?;
                    enabled_given = true;
                }
                "connect" | "binary" | "streaming" | "two_phase" | "disable_on_error" => {
                    boolean(opt, value)?;
                }
                "slot_name" => {
                    opts.slot_name = match value.as_deref() {
                        None => {
                            return Err(ServerError::new("slot_name requires a parameter"));
                        }
                        Some(v) if v.eq_ignore_ascii_case("none") => None,
                        Some(v) => Some(v.to_string()),
                    }
                }
                "synchronous_commit" => {}
                other => {
                    return Err(ServerError::new(format!(
                        "unrecognized subscription parameter: \"{other}\""
                    )))
                }
            }
        }
        if opts.slot_name.is_none() {
            if opts.enabled && enabled_given {
                return Err(ServerError::new(
                    "slot_name = NONE and enabled = true are mutually exclusive options",
                ));
            }
            if opts.create_slot && create_slot_given {
                return Err(ServerError::new(
                    "slot_name = NONE and create_slot = true are mutually exclusive options",
                ));
            }
            if opts.enabled {
                return Err(ServerError::new(
                    "subscription with slot_name = NONE must also set enabled = false",
                ));
            }
            if opts.create_slot {
                return Err(ServerError::new(
                    "subscription with slot_name = NONE must also set create_slot = false",
                ));
            }
        }
        let (change, notices) = self
            .c
            .prepare_subscription(self.h, &name, &conninfo, publications, &opts)
            .map_err(server_error)?;
        let r = self.commit(vec![(CREATE_BYTES, change)], "CREATE SUBSCRIPTION")?;
        self.c.wake_launcher(self.h);
        Ok(Self::with_notices(r, &notices))
    }

    pub(super) fn alter_subscription(
        &mut self,
        name: String,
        action: AlterSubscription,
    ) -> Res<StatementResult> {
        self.read_only("ALTER SUBSCRIPTION")?;
        let mut sub = self.existing_subscription(&name)?;
        match action {
            AlterSubscription::Enable | AlterSubscription::Disable => {
                let enable = action == AlterSubscription::Enable;
                if enable && sub.slot_name.is_none() {
                    return Err(ServerError::new(
                        "cannot enable subscription that does not have a slot name",
                    ));
                }
                sub.enabled = enable;
                let r = self.commit_subscription(&name, Some(sub), "ALTER SUBSCRIPTION")?;
                if enable {
                    self.c.wake_launcher(self.h);
                } else {
                    self.c.disable_subscription_worker(self.h, &name);
                }
                Ok(r)
            }
            AlterSubscription::Skip(opts) => {
                let mut lsn = None;
                for (opt, value) in opts {
                    if opt != "lsn" {
                        return Err(ServerError::new(format!(
                            "unrecognized subscription parameter: \"{opt}\""
                        )));
                    }
                    let v = value.unwrap_or_default();
                    lsn = Some(if v.eq_ignore_ascii_case("none") {
                        Lsn(0)
                    } else {
                        v.parse::<Lsn>().map_err(|_| {
                            ServerError::new(format!(
                                "invalid input syntax for type pg_lsn: \"{v}\""
                            ))
                        })?
                    });
                }
                let Some(lsn) = lsn else {
                    return Err(ServerError::new("syntax error"));
                };
                self.c
                    .check_skip_lsn(self.h, &name, lsn)
                    .map_err(server_error)?;
                sub.skip_lsn = lsn.0;
                self.commit_subscription(&name, Some(sub), "ALTER SUBSCRIPTION")
            }
            AlterSubscription::Set(opts) => {
                for (opt, value) in opts {
                    match opt.as_str() {
                        "slot_name" => match value.as_deref() {
                            Some(v) if v.eq_ignore_ascii_case("none") => {
                                if sub.enabled {
                                    return Err(ServerError::new(
                                        "cannot set slot_name = NONE for enabled subscription",
                                    ));
                                }
                                sub.slot_name = None;
                            }
                            Some(v) => sub.slot_name = Some(v.to_string()),
                            None => return Err(ServerError::new("slot_name requires a parameter")),
                        },
                        "synchronous_commit" => {}
                        "binary" | "streaming" | "disable_on_error" => {
                            boolean(&opt, &value)?;
                        }
                        other => {
                            return Err(ServerError::new(format!(
                                "unrecognized subscription parameter: \"{other}\""
                            )))
                        }
                    }
                }
                self.commit_subscription(&name, Some(sub), "ALTER SUBSCRIPTION")
            }
            AlterSubscription::Connection(conninfo) => {
                if let Err(e) = crate::sim::ConnInfo::parse(&conninfo) {
                    return Err(ServerError::new(format!(
                        "invalid connection string syntax: {e}"
                    )));
                }
                sub.conninfo = conninfo;
                self.commit_subscription(&name, Some(sub), "ALTER SUBSCRIPTION")
            }
            AlterSubscription::Refresh | AlterSubscription::SetPublication(_) => {
                if let AlterSubscription::SetPublication(p) = &action {
                    sub.publications = p.clone();
                }
                let set = matches!(action, AlterSubscription::SetPublication(_));
                if !sub.enabled && set {
                    return Err(ServerError::new(
                        "ALTER SUBSCRIPTION with refresh is not allowed for disabled subscriptions",
                    )
                    .hint(
                        "Use ALTER SUBSCRIPTION ... SET PUBLICATION ... WITH (refresh = false).",
                    ));
                }
                if !sub.enabled {
                    return Err(ServerError::new(
                        "ALTER SUBSCRIPTION ... REFRESH is not allowed for disabled subscriptions",
                    ));
                }
                let (p, _) = self
                    .c
                    .connect_publisher(self.h, &sub.conninfo)
                    .map_err(|e| {
                        ServerError::new(format!("could not connect to the publisher: {e}"))
                    })?;
                let warning = if set {
                    self.c.missing_publications_warning(p, &sub.publications)
                } else {
                    None
                };
                let tables = self.c.published_tables(p, &sub.publications);
                for t in &tables {
                    if sub.tables.contains_key(t) {
                        continue;
                    }
                    let Some(relid) = self
                        .c
                        .host(self.h)
                        .data
                        .as_ref()
                        .and_then(|d| d.db.tables.get(t))
                        .map(|t| t.relfilenode)
                    else {
                        return Err(ServerError::new(format!(
                            "relation \"public.{t}\" does not exist"
                        )));
                    };
                    sub.tables.insert(
                        t.clone(),
                        SubRel {
                            relid,
                            state: 'i',
                            lsn: None,
                        },
                    );
                }
                sub.tables.retain(|t, _| tables.contains(t));
                let r = self.commit_subscription(&name, Some(sub), "ALTER SUBSCRIPTION")?;
                self.c.sync_new_tables(self.h, &name);
                Ok(Self::with_notices(
                    r,
                    &warning.into_iter().collect::<Vec<_>>(),
                ))
            }
        }
    }

    pub(super) fn drop_subscription(
        &mut self,
        name: String,
        if_exists: bool,
    ) -> Res<StatementResult> {
        self.read_only("DROP SUBSCRIPTION")?;
        if self.c.subscription(self.h, &name).is_none() {
            if if_exists {
                return Ok(StatementResult::Tag(format!(
                    "NOTICE:  subscription \"{name}\" does not exist, skipping\nDROP SUBSCRIPTION"
                )));
            }
            return Err(ServerError::new(format!(
                "subscription \"{name}\" does not exist"
            )));
        }
        let notices = self
            .c
            .prepare_drop_subscription(self.h, &name)
            .map_err(server_error)?;
        let r = self.commit_subscription(&name, None, "DROP SUBSCRIPTION")?;
        self.c.forget_subscription_stats(self.h, &name);
        Ok(Self::with_notices(r, &notices))
    }
}
