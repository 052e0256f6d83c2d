//! CREATE and DROP EXTENSION (extension.c), the views `pg_extension`,
//! `pg_available_extensions` and `pg_stat_statements`, and what calling into an
//! extension's library does when the library is missing on this host.
//!
//! Messages as PostgreSQL 15.18 printed them (tests/extensions.rs names the commands
//! that recorded each one).

use crate::sim::db::{Change, Extension};
use crate::sim::extension::{extension, query_id, EXTENSIONS};
use crate::sql::ServerError;

use super::value::Val;
use super::{Exec, Res, Rows, StatementResult};

impl Exec<'_> {
    fn installed_extension(&self, name: &str) -> Option<Extension> {
        self.c
            .data(self.h)
            .and_then(|d| d.db.extensions.get(name).cloned())
    }

    /// Whether `CREATE EXTENSION name` ran on this database (the catalog row, which a
    /// standby has from the WAL).
    pub(super) fn has_extension(&self, name: &str) -> bool {
        self.installed_extension(name).is_some()
    }

    /// Loading an extension's shared library (dfmgr.c's load_external_function): a
    /// host without the package has none, and the call fails, in the log too.
    pub(super) fn load_library(&mut self, library: &str) -> Res<()> {
        if self.c.library_available(self.h, library) {
            return Ok(());
        }
        let msg = format!("could not access file \"$libdir/{library}\": No such file or directory");
        self.log_statement_error(&msg, None);
        Err(ServerError::new(msg))
    }

    pub(super) fn create_extension(
        &mut self,
        name: String,
        if_not_exists: bool,
    ) -> Res<StatementResult> {
        self.read_only("CREATE EXTENSION")?;
        if self.has_extension(&name) {
            if if_not_exists {
                return Ok(StatementResult::Tag(format!(
                    "NOTICE:  extension \"{name}\" already exists, skipping\nCREATE EXTENSION"
                )));
            }
            return Err(ServerError::new(format!(
                "extension \"{name}\" already exists"
            )));
        }
        let info = extension(&name).filter(|_| self.c.extension_available(self.h, &name));
        let Some(info) = info else {
            let mut e = ServerError::new(format!("extension \"{name}\" is not available")).hint(
                "The extension must first be installed on the system where PostgreSQL is running.",
            );
            e.detail = Some(format!(
                "Could not open extension control file \"{}/{name}.control\": No such file or directory.",
                self.c.extension_dir(self.h)
            ));
            return Err(e);
        };
        // The script creates the extension's C functions, which loads its library:
        // pgaudit's _PG_init refuses to run outside shared_preload_libraries.
        self.load_library(info.library)?;
        if info.name == "pgaudit" && !self.c.preloaded(self.h, "pgaudit") {
            return Err(ServerError::new(
                "pgaudit must be loaded via shared_preload_libraries",
            ));
        }
        let ext = Extension {
            oid: self.next_oid(),
            version: info.version.to_string(),
            schema: info.schema.to_string(),
            relocatable: info.relocatable,
        };
        self.commit(
            vec![(
                info.create_bytes,
                Change::SetExtension {
                    name,
                    extension: Some(ext),
                    oids: info.oids,
                },
            )],
            "CREATE EXTENSION",
        )
    }

    pub(super) fn drop_extension(
        &mut self,
        names: Vec<String>,
        if_exists: bool,
    ) -> Res<StatementResult> {
        self.drop_objects(
            "extension",
            names,
            if_exists,
            &|x, n| x.has_extension(n),
            &|_, n| {
                let bytes = extension(&n).map_or(1_192, |e| e.drop_bytes);
                vec![(
                    bytes,
                    Change::SetExtension {
                        name: n,
                        extension: None,
                        oids: 0,
                    },
                )]
            },
        )
    }

    /// `pg_extension`, in OID order.
    pub(super) fn pg_extension(&self) -> Rows {
        let mut rows: Vec<(u32, Vec<Val>)> = self
            .c
            .data(self.h)
            .map(|d| {
                d.db.extensions
                    .iter()
                    .map(|(n, e)| {
                        let namespace = if e.schema == "pg_catalog" { 11 } else { 2200 };
                        (
                            e.oid,
                            vec![
                                Val::Int(i64::from(e.oid)),
                                Val::Text(n.clone()),
                                Val::Int(10),
                                Val::Int(namespace),
                                Val::Bool(e.relocatable),
                                Val::Text(e.version.clone()),
                                Val::Null,
                                Val::Null,
                            ],
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        crate::sim::order::sort_by_key(&mut rows, |(oid, _)| *oid);
        Rows {
            columns: [
                "oid",
                "extname",
                "extowner",
                "extnamespace",
                "extrelocatable",
                "extversion",
                "extconfig",
                "extcondition",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows.into_iter().map(|(_, r)| r).collect(),
        }
    }

    /// `pg_available_extensions`: the control files on this host, with the installed
    /// version where the catalog has the extension.
    pub(super) fn pg_available_extensions(&self) -> Rows {
        let rows = EXTENSIONS
            .iter()
            .filter(|e| self.c.extension_available(self.h, e.name))
            .map(|e| {
                vec![
                    Val::Text(e.name.to_string()),
                    Val::Text(e.version.to_string()),
                    self.installed_extension(e.name)
                        .map_or(Val::Null, |x| Val::Text(x.version)),
                    Val::Text(e.comment.to_string()),
                ]
            })
            .collect();
        Rows {
            columns: ["name", "default_version", "installed_version", "comment"]
                .map(String::from)
                .to_vec(),
            rows,
        }
    }

    fn pg_stat_statements_loaded(&mut self) -> Res<()> {
        self.load_library("pg_stat_statements")?;
        if !self.c.preloaded(self.h, "pg_stat_statements") {
            return Err(ServerError::new(
                "pg_stat_statements must be loaded via shared_preload_libraries",
            ));
        }
        Ok(())
    }

    /// `pg_stat_statements`, once the extension is created: its functions need the
    /// library, and the library needs to have been preloaded to keep counters.
    pub(super) fn pg_stat_statements(&mut self) -> Res<Rows> {
        self.pg_stat_statements_loaded()?;
        let rows = self
            .c
            .server(self.h)
            .map(|s| {
                s.statements
                    .iter()
                    .map(|(q, st)| {
                        vec![
                            Val::Int(10),
                            Val::Int(5),
                            Val::Bool(true),
                            Val::BigInt(query_id(q)),
                            Val::Text(q.clone()),
                            Val::BigInt(st.calls as i64),
                            Val::Num(0.0),
                            Val::BigInt(st.rows as i64),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Rows {
            columns: [
                "userid",
                "dbid",
                "toplevel",
                "queryid",
                "query",
                "calls",
                "total_exec_time",
                "rows",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        })
    }

    /// `pg_stat_statements_reset()`: forgets every counter.
    pub(super) fn pg_stat_statements_reset(&mut self) -> Res<Val> {
        self.pg_stat_statements_loaded()?;
        if let Some(s) = self.c.host_mut(self.h).server.as_mut() {
            s.statements.clear();
        }
        Ok(Val::Null)
    }
}
