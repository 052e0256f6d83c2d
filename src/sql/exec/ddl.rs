//! CREATE TABLE, DROP TABLE, CREATE ROLE, ALTER ROLE and DROP ROLE.

use crate::sim::db::{Change, Column, ColumnKind, Role};
use crate::sim::wal;
use crate::sql::{self, RoleOption, ServerError};

use super::{Exec, Res, StatementResult};

impl Exec<'_> {
    pub(super) fn create_table(
        &mut self,
        name: String,
        if_not_exists: bool,
        columns: Vec<sql::ColumnDef>,
        unique_keys: Vec<Vec<String>>,
    ) -> Res<StatementResult> {
        self.read_only("CREATE TABLE")?;
        if self.table(&name).is_ok() {
            if if_not_exists {
                return Ok(StatementResult::Tag(format!(
                    "NOTICE:  relation \"{name}\" already exists, skipping\nCREATE TABLE"
                )));
            }
            return Err(ServerError::new(format!(
                "relation \"{name}\" already exists"
            )));
        }
        let mut cols = Vec::new();
        let single_key = columns.iter().filter(|c| c.primary_key).count() == 1;
        for c in columns {
            let Some(kind) = ColumnKind::from_type_name(&c.type_name) else {
                return Err(
                    ServerError::new(format!("type \"{}\" does not exist", c.type_name))
                        .at(self.locate(&c.type_name)),
                );
            };
            if cols.iter().any(|x: &Column| x.name == c.name) {
                return Err(ServerError::new(format!(
                    "column \"{}\" specified more than once",
                    c.name
                )));
            }
            cols.push(Column {
                name: c.name,
                type_name: c.type_name,
                kind,
                not_null: c.not_null,
                primary_key: c.primary_key,
                // transformIndexConstraints drops a UNIQUE that repeats the primary key.
                unique: c.unique && !(c.primary_key && single_key),
            });
        }
        let unique_keys: Vec<Vec<usize>> = unique_keys
            .iter()
            .map(|k| {
                k.iter()
                    .filter_map(|n| cols.iter().position(|c| &c.name == n))
                    .collect()
            })
            .collect();
        let toast = cols.iter().any(|c| crate::sim::db::toastable(&c.type_name));
        let size = wal::CREATE_TABLE_RECORD + if toast { wal::CREATE_TABLE_TOAST } else { 0 };
        self.commit(
            vec![(
                size,
                Change::CreateTable {
                    name,
                    columns: cols,
                    relfilenode: self.next_oid(),
                    unique_keys,
                },
            )],
            "CREATE TABLE",
        )
    }

    pub(super) fn drop_table(
        &mut self,
        names: Vec<String>,
        if_exists: bool,
    ) -> Res<StatementResult> {
        self.read_only("DROP TABLE")?;
        let mut changes = Vec::new();
        let mut notices = String::new();
        for n in names {
            if self.table(&n).is_err() {
                if if_exists {
                    notices.push_str(&format!(
                        "NOTICE:  table \"{n}\" does not exist, skipping\n"
                    ));
                    continue;
                }
                return Err(ServerError::new(format!("table \"{n}\" does not exist")));
            }
            changes.push((2_048, Change::DropTable { name: n }));
        }
        let r = self.commit(changes, "DROP TABLE")?;
        Ok(match r {
            StatementResult::Tag(t) => StatementResult::Tag(format!("{notices}{t}")),
            other => other,
        })
    }

    pub(super) fn create_role(
        &mut self,
        name: String,
        options: Vec<RoleOption>,
        is_user: bool,
        alter: bool,
    ) -> Res<StatementResult> {
        let what = if alter { "ALTER ROLE" } else { "CREATE ROLE" };
        self.read_only(what)?;
        let roles = self.db_roles();
        let mut role = match (alter, roles.get(&name)) {
            (false, Some(_)) => {
                return Err(ServerError::new(format!("role \"{name}\" already exists")))
            }
            (true, None) => {
                return Err(ServerError::new(format!("role \"{name}\" does not exist")))
            }
            (true, Some(r)) => r.clone(),
            (false, None) => Role {
                login: is_user,
                ..Role::default()
            },
        };
        for o in options {
            match o {
                RoleOption::Login(b) => role.login = b,
                RoleOption::Replication(b) => role.replication = b,
                RoleOption::Superuser(b) => role.superuser = b,
                RoleOption::CreateDb(b) => role.create_db = b,
                RoleOption::CreateRole(b) => role.create_role = b,
                RoleOption::Inherit(b) => role.inherit = b,
                RoleOption::ConnectionLimit(n) if n < -1 => {
                    return Err(ServerError::new(format!("invalid connection limit: {n}")))
                }
                RoleOption::ConnectionLimit(n) => role.connection_limit = n,
                RoleOption::Password(p) => role.password = p,
                RoleOption::EncryptedPassword(p) => role.password = Some(p),
            }
        }
        let size = match (alter, role.password.is_some()) {
            (true, _) => wal::ROLE_RECORD,
            (false, false) => wal::CREATE_ROLE_RECORD,
            (false, true) => wal::CREATE_ROLE_RECORD + wal::ROLE_PASSWORD,
        };
        self.commit(vec![(size, Change::SetRole { name, role })], what)
    }

    pub(super) fn drop_role(
        &mut self,
        names: Vec<String>,
        if_exists: bool,
    ) -> Res<StatementResult> {
        self.read_only("DROP ROLE")?;
        let mut changes = Vec::new();
        for n in names {
            let exists = self.db_roles().contains_key(&n);
            if !exists && !if_exists {
                return Err(ServerError::new(format!("role \"{n}\" does not exist")));
            }
            if exists {
                changes.push((wal::ROLE_RECORD, Change::DropRole { name: n }));
            }
        }
        self.commit(changes, "DROP ROLE")
    }
}
