//! CREATE, ALTER and DROP PUBLICATION (publicationcmds.c), the replica identity check
//! an UPDATE or DELETE of a published table meets, and the views `pg_publication` and
//! `pg_publication_tables`. Messages as PostgreSQL 15.18 printed them.

use crate::sim::db::{Change, Publication};
use crate::sql::{AlterPublication, PublicationTarget, ServerError};

use super::value::Val;
use super::{Exec, Res, Rows, StatementResult};

/// WAL of the catalog rows, without the commit record (measured under wal_level =
/// logical with pg_current_wal_insert_lsn before and after, commit 48 bytes taken off):
/// `CREATE PUBLICATION emptypub` 512, `... FOR ALL TABLES WITH (publish = 'insert')`
/// 1008, `ALTER PUBLICATION mypub ADD TABLE t2` 1136, `... DROP TABLE t2` 576,
/// `DROP PUBLICATION allpub` 304.
const CREATE_BYTES: u64 = 464;
const ALL_TABLES_BYTES: u64 = 960;
const ADD_TABLE_BYTES: u64 = 1_088;
const DROP_TABLE_BYTES: u64 = 528;
const DROP_BYTES: u64 = 256;
/// The first oid initdb leaves for user objects (FirstNormalObjectId).
const FIRST_OID: u32 = 16_384;

/// `publish = '...'`: which actions are published.
fn publish_flags(text: &str) -> Res<[bool; 4]> {
    let mut f = [false; 4];
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "insert" => f[0] = true,
            "update" => f[1] = true,
            "delete" => f[2] = true,
            "truncate" => f[3] = true,
            other => {
                return Err(ServerError::new(format!(
                    "unrecognized value for publication option \"publish\": \"{other}\""
                )))
            }
        }
    }
    Ok(f)
}

impl Exec<'_> {
    fn publications(&self) -> Vec<(String, Publication)> {
        let mut all: Vec<_> = self
            .c
            .host(self.h)
            .data
            .as_ref()
            .map(|d| d.db.publications.clone().into_iter().collect())
            .unwrap_or_default();
        crate::sim::order::sort_by_key(&mut all, |(_, p)| p.oid);
        all
    }

    fn publication(&self, name: &str) -> Res<Publication> {
        self.c
            .host(self.h)
            .data
            .as_ref()
            .and_then(|d| d.db.publications.get(name).cloned())
            .ok_or_else(|| ServerError::new(format!("publication \"{name}\" does not exist")))
    }

    /// Table names checked to exist, without repeats.
    fn publication_tables(&self, names: Vec<String>) -> Res<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for n in names {
            if self.table(&n).is_err() {
                if self.relation_exists(&n) {
                    let mut e =
                        ServerError::new(format!("cannot add relation \"{n}\" to publication"));
                    e.detail = Some("This operation is not supported for sequences.".into());
                    return Err(e);
                }
                return Err(ServerError::new(format!("relation \"{n}\" does not exist")));
            }
            if !out.contains(&n) {
                out.push(n);
            }
        }
        Ok(out)
    }

    pub(super) fn create_publication(
        &mut self,
        name: String,
        target: PublicationTarget,
        publish: Option<String>,
    ) -> Res<StatementResult> {
        self.read_only("CREATE PUBLICATION")?;
        if self.publication(&name).is_ok() {
            return Err(ServerError::new(format!(
                "publication \"{name}\" already exists"
            )));
        }
        let [insert, update, delete, truncate] = publish_flags(
            publish
                .as_deref()
                .unwrap_or("insert, update, delete, truncate"),
        )?;
        let (all_tables, tables) = match target {
            PublicationTarget::Nothing => (false, Vec::new()),
            PublicationTarget::AllTables => (true, Vec::new()),
            PublicationTarget::Tables(t) => (false, self.publication_tables(t)?),
        };
        let tables_count = self
            .c
            .host(self.h)
            .data
            .as_ref()
            .map_or(0, |d| d.db.tables.len());
        let oid = self
            .publications()
            .iter()
            .map(|(_, p)| p.oid + 1)
            .max()
            .unwrap_or(FIRST_OID + 3 * tables_count as u32);
        let size = if all_tables {
            ALL_TABLES_BYTES
        } else {
            CREATE_BYTES + ADD_TABLE_BYTES * tables.len() as u64
        };
        let p = Publication {
            oid,
            all_tables,
            insert,
            update,
            delete,
            truncate,
            tables,
        };
        let warn = if self.c.wal_level_logical(self.h) {
            ""
        } else {
            "WARNING:  wal_level is insufficient to publish logical changes\nHINT:  Set wal_level to \"logical\" before creating subscriptions.\n"
        };
        let r = self.commit(
            vec![(
                size,
                Change::SetPublication {
                    name,
                    publication: Some(p),
                },
            )],
            "CREATE PUBLICATION",
        )?;
        Ok(match r {
            StatementResult::Tag(t) => StatementResult::Tag(format!("{warn}{t}")),
            other => other,
        })
    }

    pub(super) fn alter_publication(
        &mut self,
        name: String,
        action: AlterPublication,
    ) -> Res<StatementResult> {
        self.read_only("ALTER PUBLICATION")?;
        let mut p = self.publication(&name)?;
        let all_tables_error = || {
            let mut e = ServerError::new(format!(
                "publication \"{name}\" is defined as FOR ALL TABLES"
            ));
            e.detail = Some(
                "Tables cannot be added to or dropped from FOR ALL TABLES publications."
                    .to_string(),
            );
            e
        };
        let size = match action {
            AlterPublication::AddTables(t) => {
                if p.all_tables {
                    return Err(all_tables_error());
                }
                let t = self.publication_tables(t)?;
                if let Some(dup) = t.iter().find(|n| p.tables.contains(n)) {
                    return Err(ServerError::new(format!(
                        "relation \"{dup}\" is already member of publication \"{name}\""
                    )));
                }
                let n = t.len() as u64;
                p.tables.extend(t);
                ADD_TABLE_BYTES * n
            }
            AlterPublication::DropTables(t) => {
                if p.all_tables {
                    return Err(all_tables_error());
                }
                let t = self.publication_tables(t)?;
                if let Some(missing) = t.iter().find(|n| !p.tables.contains(n)) {
                    return Err(ServerError::new(format!(
                        "relation \"{missing}\" is not part of the publication"
                    )));
                }
                p.tables.retain(|x| !t.contains(x));
                DROP_TABLE_BYTES * t.len() as u64
            }
            AlterPublication::SetTables(t) => {
                if p.all_tables {
                    return Err(all_tables_error());
                }
                let t = self.publication_tables(t)?;
                let size = DROP_TABLE_BYTES
                    * p.tables.iter().filter(|x| !t.contains(x)).count() as u64
                    + ADD_TABLE_BYTES * t.iter().filter(|x| !p.tables.contains(x)).count() as u64;
                p.tables = t;
                size.max(DROP_BYTES)
            }
            AlterPublication::SetPublish(text) => {
                [p.insert, p.update, p.delete, p.truncate] = publish_flags(&text)?;
                CREATE_BYTES
            }
        };
        self.commit(
            vec![(
                size,
                Change::SetPublication {
                    name,
                    publication: Some(p),
                },
            )],
            "ALTER PUBLICATION",
        )
    }

    pub(super) fn drop_publication(
        &mut self,
        names: Vec<String>,
        if_exists: bool,
    ) -> Res<StatementResult> {
        self.drop_objects(
            "publication",
            names,
            if_exists,
            &|x, n| x.publication(n).is_ok(),
            &|_, n| {
                vec![(
                    DROP_BYTES,
                    Change::SetPublication {
                        name: n,
                        publication: None,
                    },
                )]
            },
        )
    }

    /// CheckCmdReplicaIdentity: an UPDATE or DELETE of a table without a primary key
    /// that a publication publishes updates (deletes) of is refused before it runs.
    pub(super) fn check_replica_identity(&self, table: &str, delete: bool) -> Res<()> {
        let Ok(t) = self.table(table) else {
            return Ok(());
        };
        if t.columns.iter().any(|c| c.primary_key) {
            return Ok(());
        }
        let published = self
            .publications()
            .iter()
            .any(|(_, p)| p.has(table) && if delete { p.delete } else { p.update });
        if !published {
            return Ok(());
        }
        Err(if delete {
            ServerError::new(format!("cannot delete from table \"{table}\" because it does not have a replica identity and publishes deletes"))
                .hint("To enable deleting from the table, set REPLICA IDENTITY using ALTER TABLE.")
        } else {
            ServerError::new(format!("cannot update table \"{table}\" because it does not have a replica identity and publishes updates"))
                .hint("To enable updating the table, set REPLICA IDENTITY using ALTER TABLE.")
        })
    }

    /// `pg_publication`.
    pub(super) fn pg_publication(&self) -> Rows {
        let columns = [
            "oid",
            "pubname",
            "pubowner",
            "puballtables",
            "pubinsert",
            "pubupdate",
            "pubdelete",
            "pubtruncate",
            "pubviaroot",
        ];
        Rows {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: self
                .publications()
                .into_iter()
                .map(|(n, p)| {
                    vec![
                        Val::Int(p.oid as i64),
                        Val::Text(n),
                        Val::Int(10),
                        Val::Bool(p.all_tables),
                        Val::Bool(p.insert),
                        Val::Bool(p.update),
                        Val::Bool(p.delete),
                        Val::Bool(p.truncate),
                        Val::Bool(false),
                    ]
                })
                .collect(),
        }
    }

    /// `pg_publication_tables`: each published table that exists, with its columns.
    pub(super) fn pg_publication_tables(&self) -> Rows {
        let columns = [
            "pubname",
            "schemaname",
            "tablename",
            "attnames",
            "rowfilter",
        ];
        let tables = self
            .c
            .host(self.h)
            .data
            .as_ref()
            .map(|d| d.db.tables.clone())
            .unwrap_or_default();
        let mut rows = Vec::new();
        for (n, p) in self.publications() {
            let names: Vec<&String> = if p.all_tables {
                tables.keys().collect()
            } else {
                p.tables
                    .iter()
                    .filter(|t| tables.contains_key(*t))
                    .collect()
            };
            for t in names {
                let cols: Vec<&str> = tables[t].columns.iter().map(|c| c.name.as_str()).collect();
                rows.push(vec![
                    Val::Text(n.clone()),
                    Val::Text("public".to_string()),
                    Val::Text(t.clone()),
                    Val::Text(format!("{{{}}}", cols.join(","))),
                    Val::Null,
                ]);
            }
        }
        Rows {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
        }
    }
}
