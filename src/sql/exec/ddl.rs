//! CREATE TABLE, ALTER TABLE, DROP TABLE, CREATE ROLE, ALTER ROLE and DROP ROLE.

use crate::sim::db::{Change, Column, ColumnDefault, ColumnKind, Role, Value};
use crate::sim::wal;
use crate::sql::{self, AlterTableAction, Expr, RoleOption, ServerError};

use super::{Exec, Res, Rows, StatementResult};

/// Changes with the WAL bytes each one writes, as `commit` takes them.
type WalChanges = Vec<(u64, Change)>;

/// What a DEFAULT expression is to walscope: a constant, or a sequence's next value.
enum DefaultExpr<'a> {
    Constant(&'a Expr),
    Nextval(String),
}

/// Sorts a DEFAULT expression (transformColumnDefault refuses column references).
fn default_expr(e: &Expr) -> Res<DefaultExpr<'_>> {
    fn constant(e: &Expr) -> Res<bool> {
        Ok(match e {
            Expr::Null | Expr::Bool(_) | Expr::Integer(_) | Expr::Numeric(_) | Expr::String(_) => {
                true
            }
            Expr::Unary { expr, .. } | Expr::Cast { expr, .. } => constant(expr)?,
            Expr::Binary { left, right, .. } => constant(left)? && constant(right)?,
            Expr::Column { .. } => {
                return Err(ServerError::new(
                    "cannot use column reference in DEFAULT expression",
                ))
            }
            _ => false,
        })
    }
    if let Expr::Call { name, args, .. } = e {
        if let ([arg], "nextval") = (args.as_slice(), name.as_str()) {
            let seq = match arg {
                Expr::String(s) => Some(s.clone()),
                Expr::Cast { expr, .. } => match &**expr {
                    Expr::String(s) => Some(s.clone()),
                    _ => None,
                },
                _ => None,
            };
            if let Some(seq) = seq {
                return Ok(DefaultExpr::Nextval(seq));
            }
        }
    }
    if constant(e)? {
        Ok(DefaultExpr::Constant(e))
    } else {
        Err(ServerError::new(
            "walscope does not support DEFAULT expressions other than constants and nextval()",
        ))
    }
}

impl Exec<'_> {
    pub(super) fn create_table(
        &mut self,
        name: String,
        if_not_exists: bool,
        columns: Vec<sql::ColumnDef>,
        unique_keys: Vec<Vec<String>>,
    ) -> Res<StatementResult> {
        self.read_only("CREATE TABLE")?;
        if self.table(&name).is_ok() || self.relation_exists(&name) {
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
            if cols.iter().any(|x: &Column| x.name == c.name) {
                return Err(ServerError::new(format!(
                    "column \"{}\" specified more than once",
                    c.name
                )));
            }
            let mut col = self.column(c)?;
            // transformIndexConstraints drops a UNIQUE that repeats the primary key.
            col.unique = col.unique && !(col.primary_key && single_key);
            cols.push(col);
        }
        let unique_keys: Vec<Vec<usize>> = unique_keys
            .iter()
            .map(|k| {
                k.iter()
                    .filter_map(|n| cols.iter().position(|c| &c.name == n))
                    .collect()
            })
            .collect();
        // A serial column's sequence comes first (`TABLE_COLUMN_seq`, the OID before the
        // table's), and the column draws its default from it.
        let mut changes = Vec::new();
        let mut oid = self.next_oid();
        for col in cols.iter_mut() {
            let type_name = match col.type_name.as_str() {
                "serial" => "integer",
                "bigserial" => "bigint",
                _ => continue,
            };
            let mut seq_name = format!("{name}_{}_seq", col.name);
            let mut n = 0;
            while self.relation_exists(&seq_name)
                || changes.iter().any(
                    |(_, c)| matches!(c, Change::SetSequence { name, .. } if *name == seq_name),
                )
            {
                n += 1;
                seq_name = format!("{name}_{}_seq{n}", col.name);
            }
            let options = sql::SequenceOptions {
                type_name: Some(type_name),
                ..Default::default()
            };
            let mut seq = self.new_sequence(&options, oid)?;
            seq.owned_by = Some((name.clone(), col.name.clone()));
            oid += 1;
            col.not_null = true;
            col.default = Some(ColumnDefault::Nextval(seq_name.clone()));
            changes.push((
                wal::CREATE_SEQUENCE_RECORD,
                Change::SetSequence {
                    name: seq_name,
                    sequence: Some(seq),
                },
            ));
        }
        let toast = cols.iter().any(|c| crate::sim::db::toastable(&c.type_name));
        let defaults = cols.iter().filter(|c| c.default.is_some()).count() as u64;
        let size = wal::CREATE_TABLE_RECORD
            + if toast { wal::CREATE_TABLE_TOAST } else { 0 }
            + defaults * wal::COLUMN_DEFAULT;
        let sequences: Vec<String> = changes
            .iter()
            .filter_map(|(_, c)| match c {
                Change::SetSequence { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect();
        changes.push((
            size,
            Change::CreateTable {
                name,
                columns: cols,
                relfilenode: oid,
                unique_keys,
            },
        ));
        let r = self.commit(changes, "CREATE TABLE");
        self.written_now(&sequences);
        r
    }

    /// A column of CREATE TABLE or ALTER TABLE ... ADD COLUMN, its type and default checked.
    fn column(&mut self, c: sql::ColumnDef) -> Res<Column> {
        let Some(kind) = ColumnKind::from_type_name(&c.type_name) else {
            return Err(
                ServerError::new(format!("type \"{}\" does not exist", c.type_name))
                    .at(self.locate(&c.type_name)),
            );
        };
        let mut col = Column {
            name: c.name,
            type_name: c.type_name,
            kind,
            not_null: c.not_null,
            primary_key: c.primary_key,
            unique: c.unique,
            default: None,
        };
        col.default = match c.default.as_ref().map(default_expr).transpose()? {
            None => None,
            Some(DefaultExpr::Nextval(seq)) => Some(ColumnDefault::Nextval(seq)),
            Some(DefaultExpr::Constant(e)) => {
                let v = self.eval(e, &Rows::default(), &[])?;
                // DEFAULT NULL is no default (psql's \d shows none).
                Some(self.coerce(v, &col)?)
                    .filter(|v| *v != Value::Null)
                    .map(ColumnDefault::Value)
            }
        };
        Ok(col)
    }

    pub(super) fn alter_table(
        &mut self,
        name: String,
        if_exists: bool,
        action: AlterTableAction,
    ) -> Res<StatementResult> {
        self.read_only("ALTER TABLE")?;
        let Ok(t) = self.table_shape(&name) else {
            if if_exists {
                return Ok(StatementResult::Tag(format!(
                    "NOTICE:  relation \"{name}\" does not exist, skipping\nALTER TABLE"
                )));
            }
            return Err(ServerError::new(format!(
                "relation \"{name}\" does not exist"
            )));
        };
        let (size, change) = match action {
            AlterTableAction::AddColumn {
                column,
                if_not_exists,
            } => {
                if t.columns.iter().any(|c| c.name == column.name) {
                    let text = format!(
                        "column \"{}\" of relation \"{name}\" already exists",
                        column.name
                    );
                    if if_not_exists {
                        return Ok(StatementResult::Tag(format!(
                            "NOTICE:  {text}, skipping\nALTER TABLE"
                        )));
                    }
                    return Err(ServerError::new(text));
                }
                let column = self.column(column)?;
                let fill = match &column.default {
                    Some(ColumnDefault::Value(v)) => v.clone(),
                    _ => Value::Null,
                };
                let rows = self
                    .c
                    .data(self.h)
                    .and_then(|d| d.db.tables.get(&name))
                    .map_or(0, |t| t.rows.len());
                if column.not_null && fill == Value::Null && rows > 0 {
                    self.c.write_aborted(self.h, wal::ADD_COLUMN_RECORD);
                    return Err(ServerError::new(format!(
                        "column \"{}\" of relation \"{name}\" contains null values",
                        column.name
                    )));
                }
                // A first variable-length column gives the table its TOAST table.
                let toast = crate::sim::db::toastable(&column.type_name)
                    && !t
                        .columns
                        .iter()
                        .any(|c| crate::sim::db::toastable(&c.type_name));
                let size = wal::ADD_COLUMN_RECORD
                    + if column.default.is_some() {
                        wal::COLUMN_DEFAULT
                    } else {
                        0
                    }
                    + if toast { wal::ADD_COLUMN_TOAST } else { 0 };
                (
                    size,
                    Change::AddColumn {
                        table: name,
                        column,
                        fill,
                    },
                )
            }
            AlterTableAction::DropColumn {
                name: col,
                if_exists,
            } => {
                let Some(i) = t.columns.iter().position(|c| c.name == col) else {
                    let text = format!("column \"{col}\" of relation \"{name}\" does not exist");
                    if if_exists {
                        return Ok(StatementResult::Tag(format!(
                            "NOTICE:  {text}, skipping\nALTER TABLE"
                        )));
                    }
                    return Err(ServerError::new(text));
                };
                (
                    wal::DROP_COLUMN_RECORD,
                    Change::DropColumn {
                        table: name,
                        column: i,
                    },
                )
            }
        };
        self.commit(vec![(size, change)], "ALTER TABLE")
    }

    /// `DROP <kind> name [, ...] [IF EXISTS]` as PostgreSQL runs it: a name that does
    /// not exist is an error and nothing is dropped, or under IF EXISTS a NOTICE before
    /// the tag; the changes `changes_of` gives the others commit as one transaction.
    pub(super) fn drop_objects(
        &mut self,
        kind: &str,
        names: Vec<String>,
        if_exists: bool,
        exists: &dyn Fn(&Self, &str) -> bool,
        changes_of: &dyn Fn(&Self, String) -> WalChanges,
    ) -> Res<StatementResult> {
        let tag = format!("DROP {}", kind.to_ascii_uppercase());
        self.read_only(&tag)?;
        let mut changes = Vec::new();
        let mut notices = String::new();
        for n in names {
            if !exists(self, &n) {
                if if_exists {
                    notices.push_str(&format!(
                        "NOTICE:  {kind} \"{n}\" does not exist, skipping\n"
                    ));
                    continue;
                }
                return Err(ServerError::new(format!("{kind} \"{n}\" does not exist")));
            }
            changes.extend(changes_of(self, n));
        }
        Ok(match self.commit(changes, &tag)? {
            StatementResult::Tag(t) => StatementResult::Tag(format!("{notices}{t}")),
            other => other,
        })
    }

    pub(super) fn drop_table(
        &mut self,
        names: Vec<String>,
        if_exists: bool,
    ) -> Res<StatementResult> {
        self.drop_objects(
            "table",
            names,
            if_exists,
            &|x, n| x.table(n).is_ok(),
            &|x, n| {
                // Its serial columns' sequences go with it.
                let owned: Vec<String> =
                    x.c.data(x.h)
                        .map(|d| {
                            d.db.sequences
                                .iter()
                                .filter(|(_, q)| q.owned_by.as_ref().is_some_and(|(t, _)| *t == n))
                                .map(|(q, _)| q.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                let mut changes = vec![(2_048, Change::DropTable { name: n })];
                changes.extend(owned.into_iter().map(|q| {
                    (
                        wal::DROP_SEQUENCE_RECORD,
                        Change::SetSequence {
                            name: q,
                            sequence: None,
                        },
                    )
                }));
                changes
            },
        )
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
