//! Runs SQL against a server of the model: the executor answers a statement with a
//! result set, a command tag or a [`ServerError`], which psql then prints.
//!
//! The SQL is the subset a replication lab needs: tables of int/text/bool columns,
//! INSERT/UPDATE/DELETE (each statement its own transaction), SELECT with WHERE,
//! ORDER BY, LIMIT and simple aggregates, the replication views and functions, SHOW,
//! SET, ALTER SYSTEM, roles and CHECKPOINT.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::sim::conf::{self, Context, Parsed};
use crate::sim::db::{tuple_data_bytes, Change, Column, ColumnKind, Role, Row, Value};
use crate::sim::wal;
use crate::sim::{Cluster, Datum, HostId, Lsn, Relation, WriteOutcome, PGDATA};

use crate::sim::datetime::{format_interval_justified, format_timestamptz};
use crate::sql::{
    self, Align, BinaryOp, Column as ResultColumn, Expr, FromItem, InsertSource, ResultSet,
    RoleOption, Select, SelectItem, ServerError, SetValue, Statement, UnaryOp,
};

/// A value during evaluation, typed as PostgreSQL types it.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(String),
    Lsn(Lsn),
    /// Microseconds.
    Interval(i64),
    /// Unix microseconds.
    Timestamp(i64),
    /// A composite value, like the result of pg_create_physical_replication_slot().
    Record(Vec<Val>),
}

impl Val {
    /// PostgreSQL's text output of the value (None for NULL).
    pub fn text(&self) -> Option<String> {
        Some(match self {
            Val::Null => return None,
            Val::Bool(b) => if *b { "t" } else { "f" }.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Num(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    let s = format!("{n:.16}");
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                }
            }
            Val::Text(s) => s.clone(),
            Val::Lsn(l) => l.to_string(),
            Val::Interval(us) => format_interval_justified(*us),
            Val::Timestamp(us) => format_timestamptz(*us),
            Val::Record(vs) => {
                let inner: Vec<String> = vs
                    .iter()
                    .map(|v| {
                        let t = v.text().unwrap_or_default();
                        if t.contains([',', ' ', '(', ')', '"']) {
                            format!("\"{}\"", t.replace('"', "\"\""))
                        } else {
                            t
                        }
                    })
                    .collect();
                format!("({})", inner.join(","))
            }
        })
    }

    fn align(&self) -> Option<Align> {
        match self {
            Val::Null => None,
            Val::Int(_) | Val::Num(_) => Some(Align::Right),
            _ => Some(Align::Left),
        }
    }

    fn truthy(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::Null => None,
            _ => None,
        }
    }
}

impl From<&Datum> for Val {
    fn from(d: &Datum) -> Val {
        match d {
            Datum::Null => Val::Null,
            Datum::Bool(b) => Val::Bool(*b),
            Datum::Int(i) => Val::Int(*i),
            Datum::Text(s) => Val::Text(s.clone()),
            Datum::Lsn(l) => Val::Lsn(*l),
            Datum::Interval(d) => Val::Interval(d.0 as i64),
            Datum::Timestamp(t) => Val::Timestamp(t.unix_micros()),
        }
    }
}

fn from_value(v: &Value) -> Val {
    match v {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(i) => Val::Int(*i),
        Value::Text(s) => Val::Text(s.to_string()),
    }
}

type Res<T> = Result<T, ServerError>;

/// What the server answers to a statement.
pub enum StatementResult {
    /// A result set (RowDescription and DataRows).
    Rows(ResultSet),
    /// A command tag, with any NOTICE lines before it.
    Tag(String),
    /// A commit waiting for synchronous standbys; its tag comes later.
    Waiting,
}

/// Runs one statement (its text as psql sent it, `;` included) in session `session`
/// of host `h`.
pub fn execute(c: &mut Cluster, h: HostId, session: usize, text: &str) -> Res<StatementResult> {
    let stmt = sql::parse(text)?;
    if let Some(s) = c
        .host_mut(h)
        .server
        .as_mut()
        .and_then(|s| s.sessions.get_mut(session))
    {
        s.last_query = text.trim().to_string();
        s.running = true;
    }
    let mut x = Exec {
        c,
        h,
        session,
        sql: text,
    };
    let result = x.statement(stmt);
    if let Some(s) = c
        .host_mut(h)
        .server
        .as_mut()
        .and_then(|s| s.sessions.get_mut(session))
    {
        s.running = false;
    }
    result
}

struct Exec<'a> {
    c: &'a mut Cluster,
    h: HostId,
    session: usize,
    sql: &'a str,
}

/// Rows with named columns, during a query.
#[derive(Clone, Debug, Default)]
struct Rows {
    columns: Vec<String>,
    rows: Vec<Vec<Val>>,
}

impl From<Relation> for Rows {
    fn from(r: Relation) -> Rows {
        Rows {
            columns: r.columns.iter().map(|c| c.to_string()).collect(),
            rows: r
                .rows
                .iter()
                .map(|row| row.iter().map(Val::from).collect())
                .collect(),
        }
    }
}

impl Exec<'_> {
    /// Where the string literal `'lit'` starts in the statement (in characters).
    fn locate_literal(&self, lit: &str) -> Option<usize> {
        let quoted = format!("'{}'", lit.replace('\'', "''"));
        self.sql
            .find(&quoted)
            .map(|i| self.sql[..i].chars().count())
    }

    fn locate(&self, word: &str) -> Option<usize> {
        let lower = self.sql.to_lowercase();
        let w = word.to_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find(&w) {
            let at = from + i;
            let before = lower[..at].chars().last();
            let after = lower[at + w.len()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            if boundary(before) && boundary(after) {
                return Some(lower[..at].chars().count());
            }
            from = at + w.len().max(1);
        }
        None
    }

    fn in_recovery(&self) -> bool {
        self.c
            .host(self.h)
            .server
            .as_ref()
            .is_some_and(|s| s.standby)
    }

    fn read_only(&self, what: &str) -> Res<()> {
        if self.in_recovery() {
            return Err(ServerError::new(format!(
                "cannot execute {what} in a read-only transaction"
            )));
        }
        Ok(())
    }

    fn statement(&mut self, stmt: Statement) -> Res<StatementResult> {
        match stmt {
            Statement::Select(sel) => self
                .select(&sel)
                .map(|r| StatementResult::Rows(to_result(r))),
            Statement::Table { name } => {
                let sel = Select {
                    distinct: false,
                    items: vec![SelectItem::Wildcard],
                    from: vec![FromItem::Table { name, alias: None }],
                    filter: None,
                    group_by: vec![],
                    order_by: vec![],
                    limit: None,
                    offset: None,
                };
                self.select(&sel)
                    .map(|r| StatementResult::Rows(to_result(r)))
            }
            Statement::CreateTable {
                name,
                if_not_exists,
                columns,
            } => self.create_table(name, if_not_exists, columns),
            Statement::DropTable { names, if_exists } => self.drop_table(names, if_exists),
            Statement::Truncate { names } => {
                self.read_only("TRUNCATE TABLE")?;
                let mut changes = Vec::new();
                for n in names {
                    self.table(&n)?;
                    changes.push((200, Change::Truncate { name: n }));
                }
                self.commit(changes, "TRUNCATE TABLE")
            }
            Statement::Insert {
                table,
                columns,
                source,
            } => self.insert(table, columns, source),
            Statement::Update {
                table,
                assignments,
                filter,
            } => self.update(table, assignments, filter),
            Statement::Delete { table, filter } => self.delete(table, filter),
            Statement::Show { name } => self.show(&name),
            Statement::Set { name, value, .. } => self.set(&name, value),
            Statement::Reset { name } => self.set(&name, SetValue::Default),
            Statement::AlterSystem { name, value } => self.alter_system(&name, value),
            Statement::CreateRole {
                name,
                options,
                is_user,
            } => self.create_role(name, options, is_user, false),
            Statement::AlterRole { name, options } => self.create_role(name, options, false, true),
            Statement::DropRole { names, if_exists } => {
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
            Statement::Checkpoint => {
                self.c.checkpoint(self.h, "immediate force wait", false);
                Ok(StatementResult::Tag("CHECKPOINT".into()))
            }
            Statement::Begin | Statement::Commit | Statement::Rollback => Err(ServerError::new(
                "explicit transaction blocks are not supported by walscope",
            )
            .hint("Each statement commits on its own, as with psql's default autocommit.")),
        }
    }

    // ---- writes -------------------------------------------------------------------------

    fn commit(&mut self, changes: Vec<(u64, Change)>, tag: &str) -> Res<StatementResult> {
        if changes.is_empty() {
            return Ok(StatementResult::Tag(tag.to_string()));
        }
        let query = self.sql.trim().to_string();
        match self
            .c
            .commit_changes(self.h, self.session, changes, tag, &query)
        {
            WriteOutcome::Done => Ok(StatementResult::Tag(tag.to_string())),
            WriteOutcome::Waiting => Ok(StatementResult::Waiting),
        }
    }

    fn db_roles(&self) -> BTreeMap<String, Role> {
        self.c
            .host(self.h)
            .data
            .as_ref()
            .map(|d| d.db.roles.clone())
            .unwrap_or_default()
    }

    fn table(&self, name: &str) -> Res<crate::sim::db::Table> {
        self.c
            .host(self.h)
            .data
            .as_ref()
            .and_then(|d| d.db.tables.get(name).cloned())
            .ok_or_else(|| {
                ServerError::new(format!("relation \"{name}\" does not exist"))
                    .at(self.locate(name))
            })
    }

    fn create_table(
        &mut self,
        name: String,
        if_not_exists: bool,
        columns: Vec<sql::ColumnDef>,
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
            });
        }
        self.commit(
            vec![(
                wal::CREATE_TABLE_RECORD,
                Change::CreateTable {
                    name,
                    columns: cols,
                },
            )],
            "CREATE TABLE",
        )
    }

    fn drop_table(&mut self, names: Vec<String>, if_exists: bool) -> Res<StatementResult> {
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

    fn coerce(&self, v: Val, col: &Column) -> Res<Value> {
        Ok(match (v, col.kind) {
            (Val::Null, _) => Value::Null,
            (Val::Int(i), ColumnKind::Int) => Value::Int(i),
            (Val::Num(n), ColumnKind::Int) => Value::Int(n.round() as i64),
            (Val::Text(s), ColumnKind::Int) => Value::Int(s.trim().parse().map_err(|_| {
                ServerError::new(format!("invalid input syntax for type integer: \"{s}\""))
            })?),
            (Val::Bool(b), ColumnKind::Bool) => Value::Bool(b),
            (Val::Text(s), ColumnKind::Bool) => Value::Bool(parse_bool(&s).ok_or_else(|| {
                ServerError::new(format!("invalid input syntax for type boolean: \"{s}\""))
            })?),
            (Val::Int(_), ColumnKind::Bool) => {
                return Err(ServerError::new(format!(
                    "column \"{}\" is of type boolean but expression is of type integer",
                    col.name
                ))
                .hint("You will need to rewrite or cast the expression."))
            }
            (v, ColumnKind::Text) => Value::Text(Arc::from(v.text().unwrap_or_default())),
            (v, ColumnKind::Int) => {
                return Err(ServerError::new(format!(
                    "column \"{}\" is of type {} but expression is of type {}",
                    col.name,
                    col.type_name,
                    type_name(&v)
                ))
                .hint("You will need to rewrite or cast the expression."))
            }
            (v, ColumnKind::Bool) => {
                return Err(ServerError::new(format!(
                    "column \"{}\" is of type boolean but expression is of type {}",
                    col.name,
                    type_name(&v)
                )))
            }
        })
    }

    fn insert(
        &mut self,
        table: String,
        columns: Vec<String>,
        source: InsertSource,
    ) -> Res<StatementResult> {
        self.read_only("INSERT")?;
        let t = self.table(&table)?;
        let targets: Vec<usize> = if columns.is_empty() {
            (0..t.columns.len()).collect()
        } else {
            columns
                .iter()
                .map(|n| {
                    t.columns.iter().position(|c| &c.name == n).ok_or_else(|| {
                        ServerError::new(format!(
                            "column \"{n}\" of relation \"{table}\" does not exist"
                        ))
                        .at(self.locate(n))
                    })
                })
                .collect::<Res<_>>()?
        };
        let value_rows: Vec<Vec<Val>> = match source {
            InsertSource::DefaultValues => vec![vec![]],
            InsertSource::Values(rows) => rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|e| self.eval(e, &Rows::default(), &[]))
                        .collect::<Res<Vec<_>>>()
                })
                .collect::<Res<_>>()?,
            InsertSource::Query(sel) => self.select(&sel)?.rows,
        };
        let mut rows: Vec<Row> = Vec::with_capacity(value_rows.len());
        // Identical text values share one allocation (200,000 copies of repeat('x', 500)).
        let mut interned: BTreeMap<String, Arc<str>> = BTreeMap::new();
        for vals in value_rows {
            if vals.len() > targets.len() {
                return Err(ServerError::new(
                    "INSERT has more expressions than target columns",
                ));
            }
            let mut row = vec![Value::Null; t.columns.len()];
            for (v, &col) in vals.into_iter().zip(&targets) {
                let value = self.coerce(v, &t.columns[col])?;
                row[col] = match value {
                    Value::Text(s) if s.len() > 32 => Value::Text(
                        interned
                            .entry(s.to_string())
                            .or_insert_with(|| s.clone())
                            .clone(),
                    ),
                    other => other,
                };
            }
            rows.push(Arc::from(row));
        }
        let n = rows.len();
        if rows.len() > 5_000_000 {
            return Err(ServerError::new(
                "walscope stores at most 5,000,000 rows per statement",
            ));
        }
        let size: u64 = rows
            .iter()
            .map(|r| wal::align8(wal::INSERT_BASE + tuple_data_bytes(r)))
            .sum();
        let first = self
            .c
            .host_mut(self.h)
            .data
            .as_mut()
            .map_or(1, |d| d.db.allocate_tuples(n as u64));
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| (first + i as u64, r))
            .collect();
        let changes = if n == 0 {
            vec![]
        } else {
            vec![(size, Change::Insert { table, rows })]
        };
        self.commit(changes, &format!("INSERT 0 {n}"))
    }

    fn table_rows(&self, t: &crate::sim::db::Table) -> Rows {
        Rows {
            columns: t.columns.iter().map(|c| c.name.clone()).collect(),
            rows: t
                .rows
                .values()
                .map(|r| r.iter().map(from_value).collect())
                .collect(),
        }
    }

    fn matching(
        &mut self,
        table: &str,
        filter: &Option<Expr>,
    ) -> Res<(crate::sim::db::Table, Vec<u64>)> {
        let t = self.table(table)?;
        let rows = self.table_rows(&t);
        let mut ids = Vec::new();
        for ((id, _), vals) in t.rows.iter().zip(&rows.rows) {
            let keep = match filter {
                None => true,
                Some(f) => self.eval(f, &rows, vals)?.truthy().unwrap_or(false),
            };
            if keep {
                ids.push(*id);
            }
        }
        Ok((t, ids))
    }

    fn update(
        &mut self,
        table: String,
        assignments: Vec<(String, Expr)>,
        filter: Option<Expr>,
    ) -> Res<StatementResult> {
        self.read_only("UPDATE")?;
        let (t, ids) = self.matching(&table, &filter)?;
        let rows = self.table_rows(&t);
        let mut out = Vec::new();
        let mut size = 0;
        let first = self
            .c
            .host_mut(self.h)
            .data
            .as_mut()
            .map_or(1, |d| d.db.allocate_tuples(ids.len() as u64));
        for (k, id) in ids.iter().enumerate() {
            let Some(old) = t.rows.get(id) else { continue };
            let vals: Vec<Val> = old.iter().map(from_value).collect();
            let mut new: Vec<Value> = old.to_vec();
            for (col, e) in &assignments {
                let i = t
                    .columns
                    .iter()
                    .position(|c| &c.name == col)
                    .ok_or_else(|| {
                        ServerError::new(format!(
                            "column \"{col}\" of relation \"{table}\" does not exist"
                        ))
                        .at(self.locate(col))
                    })?;
                let v = self.eval(e, &rows, &vals)?;
                new[i] = self.coerce(v, &t.columns[i])?;
            }
            size += wal::align8(wal::UPDATE_BASE + tuple_data_bytes(&new));
            out.push((*id, first + k as u64, Arc::from(new)));
        }
        let n = out.len();
        let changes = if n == 0 {
            vec![]
        } else {
            vec![(size, Change::Update { table, rows: out })]
        };
        self.commit(changes, &format!("UPDATE {n}"))
    }

    fn delete(&mut self, table: String, filter: Option<Expr>) -> Res<StatementResult> {
        self.read_only("DELETE")?;
        let (_, ids) = self.matching(&table, &filter)?;
        let n = ids.len();
        let size = wal::DELETE_RECORD * n as u64;
        let changes = if n == 0 {
            vec![]
        } else {
            vec![(size, Change::Delete { table, ids })]
        };
        self.commit(changes, &format!("DELETE {n}"))
    }

    fn create_role(
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
                RoleOption::Password(p) => role.password = p,
                RoleOption::EncryptedPassword(p) => role.password = Some(p),
                _ => {}
            }
        }
        self.commit(
            vec![(wal::ROLE_RECORD, Change::SetRole { name, role })],
            what,
        )
    }

    // ---- settings -------------------------------------------------------------------------

    fn setting_def(&self, name: &str) -> Res<&'static conf::SettingDef> {
        conf::lookup(name).ok_or_else(|| ServerError::new(conf::unrecognized(name)))
    }

    fn show(&mut self, name: &str) -> Res<StatementResult> {
        if name == "all" {
            let settings = self.c.settings(self.h);
            let rows = conf::all()
                .iter()
                .map(|d| {
                    vec![
                        Val::Text(d.name.into()),
                        Val::Text(settings.show(d.name).unwrap_or_default()),
                        Val::Text(d.short_desc.into()),
                    ]
                })
                .collect();
            return Ok(StatementResult::Rows(to_result(Rows {
                columns: vec!["name".into(), "setting".into(), "description".into()],
                rows,
            })));
        }
        let def = self.setting_def(name)?;
        let value = self.session_setting(def);
        Ok(StatementResult::Rows(to_result(Rows {
            columns: vec![def.name.to_string()],
            rows: vec![vec![Val::Text(value)]],
        })))
    }

    fn session_setting(&self, def: &conf::SettingDef) -> String {
        let server = self.c.host(self.h).server.as_ref();
        let session = server
            .and_then(|s| s.sessions.get(self.session))
            .and_then(|s| s.set.get(def.name));
        match session {
            Some(v) => conf::show(def, v),
            None => self.c.settings(self.h).show(def.name).unwrap_or_default(),
        }
    }

    fn set(&mut self, name: &str, value: SetValue) -> Res<StatementResult> {
        let def = self.setting_def(name)?;
        match def.context {
            Context::User | Context::Superuser => {}
            Context::Postmaster => {
                return Err(ServerError::new(format!(
                    "parameter \"{}\" cannot be changed without restarting the server",
                    def.name
                )))
            }
            _ => {
                return Err(ServerError::new(format!(
                    "parameter \"{}\" cannot be changed now",
                    def.name
                )))
            }
        }
        let parsed = match value {
            SetValue::Default => None,
            SetValue::Values(v) => Some(self.parse_setting(def, &v.join(", "))?),
        };
        let session = self.session;
        if let Some(s) = self
            .c
            .host_mut(self.h)
            .server
            .as_mut()
            .and_then(|s| s.sessions.get_mut(session))
        {
            match parsed {
                Some(p) => {
                    s.set.insert(def.name, p);
                }
                None => {
                    s.set.remove(def.name);
                }
            }
        }
        Ok(StatementResult::Tag(
            if matches!(self.sql.trim_start().get(..5), Some(w) if w.eq_ignore_ascii_case("reset"))
            {
                "RESET"
            } else {
                "SET"
            }
            .into(),
        ))
    }

    fn parse_setting(&self, def: &conf::SettingDef, raw: &str) -> Res<Parsed> {
        conf::parse_value(def, raw).map_err(|e| ServerError {
            message: e.message,
            hint: e.hint,
            ..ServerError::default()
        })
    }

    fn alter_system(&mut self, name: &str, value: Option<SetValue>) -> Res<StatementResult> {
        let path = format!("{PGDATA}/postgresql.auto.conf");
        let current = self
            .c
            .host(self.h)
            .files
            .get(&path)
            .cloned()
            .unwrap_or_default();
        let mut entries: Vec<(String, String)> = match conf::parse_conf(&current) {
            Ok(e) => e.into_iter().map(|e| (e.name, e.value)).collect(),
            Err(_) => {
                return Err(ServerError::new(
                    "could not parse contents of file \"postgresql.auto.conf\"",
                ))
            }
        };
        if name == "all" && value.is_none() {
            entries.clear();
        } else {
            let def = self.setting_def(name)?;
            if def.context == Context::Internal {
                return Err(ServerError::new(format!(
                    "parameter \"{}\" cannot be changed",
                    def.name
                )));
            }
            entries.retain(|(n, _)| !n.eq_ignore_ascii_case(def.name));
            if let Some(SetValue::Values(v)) = value {
                let raw = v.join(", ");
                self.parse_setting(def, &raw)?;
                if def.name == "synchronous_standby_names" {
                    if let Err(detail) = crate::sim::syncrep::SyncConfig::parse(&raw) {
                        return Err(ServerError {
                            message: format!("invalid value for parameter \"synchronous_standby_names\": \"{raw}\""),
                            detail: Some(detail),
                            ..ServerError::default()
                        });
                    }
                }
                entries.push((def.name.to_string(), raw));
            }
        }
        self.c
            .host_mut(self.h)
            .files
            .insert(path, conf::render_auto_conf(&entries));
        Ok(StatementResult::Tag("ALTER SYSTEM".into()))
    }

    // ---- queries ------------------------------------------------------------------------------

    fn source(&mut self, item: &FromItem) -> Res<Rows> {
        match item {
            FromItem::Table { name, .. } => self.relation(name),
            FromItem::Function {
                call,
                alias,
                column_alias,
            } => {
                let Expr::Call { name, args, .. } = call else {
                    return Err(ServerError::new("syntax error in FROM"));
                };
                let mut rows = self.set_function(name, args)?;
                if rows.columns.len() == 1 {
                    if let Some(a) = column_alias.as_ref().or(alias.as_ref()) {
                        rows.columns[0] = a.clone();
                    }
                }
                Ok(rows)
            }
        }
    }

    fn relation(&mut self, name: &str) -> Res<Rows> {
        let h = self.h;
        let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
        Ok(match name {
            "pg_stat_replication" => self.c.stat_replication_relation(h).into(),
            "pg_stat_wal_receiver" => self.c.stat_wal_receiver_relation(h).into(),
            "pg_replication_slots" => self.c.replication_slots_relation(h).into(),
            "pg_stat_activity" => self.c.stat_activity_relation(h).into(),
            "pg_settings" => self.pg_settings(),
            "pg_roles" | "pg_user" | "pg_authid" => {
                let roles = self.db_roles();
                Rows {
                    columns: vec![
                        "rolname".into(),
                        "rolsuper".into(),
                        "rolcanlogin".into(),
                        "rolreplication".into(),
                    ],
                    rows: roles
                        .iter()
                        .map(|(n, r)| {
                            vec![
                                Val::Text(n.clone()),
                                Val::Bool(r.superuser),
                                Val::Bool(r.login),
                                Val::Bool(r.replication),
                            ]
                        })
                        .collect(),
                }
            }
            _ => {
                let t = self.table(name)?;
                self.table_rows(&t)
            }
        })
    }

    fn pg_settings(&self) -> Rows {
        let settings = self.c.settings(self.h);
        let files = self.c.file_settings(self.h);
        let columns = [
            "name",
            "setting",
            "unit",
            "category",
            "short_desc",
            "extra_desc",
            "context",
            "vartype",
            "source",
            "min_val",
            "max_val",
            "enumvals",
            "boot_val",
            "reset_val",
            "sourcefile",
            "sourceline",
            "pending_restart",
        ];
        let rows = conf::all()
            .iter()
            .map(|d| {
                let v = settings.get(d.name).cloned();
                let raw = match &v {
                    Some(Parsed::Int(i)) => i.to_string(),
                    Some(Parsed::Bool(b)) => if *b { "on" } else { "off" }.to_string(),
                    Some(Parsed::Real(r)) => format!("{r}"),
                    Some(Parsed::Text(t)) => t.clone(),
                    None => String::new(),
                };
                let (unit, vartype, min, max, enums) = match &d.kind {
                    conf::Kind::Bool => (None, "bool", None, None, None),
                    conf::Kind::Integer { min, max, unit } => (
                        unit.map(unit_text),
                        "integer",
                        Some(min.to_string()),
                        Some(max.to_string()),
                        None,
                    ),
                    conf::Kind::Real { min, max } => (
                        None,
                        "real",
                        Some(format!("{min}")),
                        Some(format!("{max}")),
                        None,
                    ),
                    conf::Kind::String => (None, "string", None, None, None),
                    conf::Kind::Enum(vals) => (
                        None,
                        "enum",
                        None,
                        None,
                        Some(format!("{{{}}}", vals.join(","))),
                    ),
                };
                let source = settings.source(d.name);
                let pending = d.context == Context::Postmaster
                    && files
                        .values
                        .get(d.name)
                        .map(|(p, _)| p.clone())
                        .or_else(|| conf::parse_value(d, d.boot_value).ok())
                        != v;
                let opt = |s: Option<String>| s.map_or(Val::Null, Val::Text);
                vec![
                    Val::Text(d.name.into()),
                    Val::Text(raw.clone()),
                    opt(unit.map(str::to_string)),
                    Val::Text(category(d.name).into()),
                    Val::Text(d.short_desc.into()),
                    Val::Null,
                    Val::Text(context_text(d.context).into()),
                    Val::Text(vartype.into()),
                    Val::Text(
                        if source.is_some() {
                            "configuration file"
                        } else {
                            "default"
                        }
                        .into(),
                    ),
                    opt(min),
                    opt(max),
                    opt(enums),
                    Val::Text(d.boot_value.into()),
                    Val::Text(raw),
                    opt(source.map(|s| s.file.clone())),
                    source.map_or(Val::Null, |s| Val::Int(s.line as i64)),
                    Val::Bool(pending),
                ]
            })
            .collect();
        Rows {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
        }
    }

    fn select(&mut self, sel: &Select) -> Res<Rows> {
        if let Some(rewritten) = target_list_series(sel) {
            return self.select(&rewritten);
        }
        let mut input = Rows {
            columns: vec![],
            rows: vec![vec![]],
        };
        for item in &sel.from {
            let right = self.source(item)?;
            input = cross(input, right);
        }
        let mut kept = Vec::new();
        for row in &input.rows {
            let keep = match &sel.filter {
                None => true,
                Some(f) => self.eval(f, &input, row)?.truthy().unwrap_or(false),
            };
            if keep {
                kept.push(row.clone());
            }
        }
        let aggregate = sel
            .items
            .iter()
            .any(|i| matches!(i, SelectItem::Expr { expr, .. } if has_aggregate(expr)));
        let mut out = Rows::default();
        for item in &sel.items {
            match item {
                SelectItem::Wildcard | SelectItem::QualifiedWildcard(_) => {
                    out.columns.extend(input.columns.iter().cloned())
                }
                SelectItem::Expr { expr, alias } => out
                    .columns
                    .push(alias.clone().unwrap_or_else(|| column_name(expr))),
            }
        }
        let mut order_keys = Vec::new();
        if aggregate {
            let mut row = Vec::new();
            for item in &sel.items {
                if let SelectItem::Expr { expr, .. } = item {
                    row.push(self.eval_aggregate(expr, &input, &kept)?);
                }
            }
            out.rows.push(row);
        } else {
            for r in &kept {
                let mut row = Vec::new();
                for item in &sel.items {
                    match item {
                        SelectItem::Wildcard | SelectItem::QualifiedWildcard(_) => {
                            row.extend(r.iter().cloned())
                        }
                        SelectItem::Expr { expr, .. } => row.push(self.eval(expr, &input, r)?),
                    }
                }
                let mut keys = Vec::new();
                for o in &sel.order_by {
                    let v = match &o.expr {
                        Expr::Integer(n) if *n >= 1 && (*n as usize) <= row.len() => {
                            row[*n as usize - 1].clone()
                        }
                        Expr::Column { table: None, name }
                            if out.columns.contains(name) && !input.columns.contains(name) =>
                        {
                            let i = out.columns.iter().position(|c| c == name).unwrap_or(0);
                            row[i].clone()
                        }
                        e => self.eval(e, &input, r)?,
                    };
                    keys.push(v);
                }
                order_keys.push(keys);
                out.rows.push(row);
            }
        }
        if !sel.order_by.is_empty() && !aggregate {
            let mut idx: Vec<usize> = (0..out.rows.len()).collect();
            idx.sort_by(|&a, &b| {
                for (k, o) in sel.order_by.iter().enumerate() {
                    let ord = compare(&order_keys[a][k], &order_keys[b][k]);
                    let ord = if o.descending { ord.reverse() } else { ord };
                    if ord != std::cmp::Ordering::Equal {
                        return ord;
                    }
                }
                std::cmp::Ordering::Equal
            });
            out.rows = idx.into_iter().map(|i| out.rows[i].clone()).collect();
        }
        if let Some(off) = &sel.offset {
            if let Val::Int(n) = self.eval(off, &Rows::default(), &[])? {
                out.rows = out.rows.into_iter().skip(n.max(0) as usize).collect();
            }
        }
        if let Some(lim) = &sel.limit {
            if let Val::Int(n) = self.eval(lim, &Rows::default(), &[])? {
                out.rows.truncate(n.max(0) as usize);
            }
        }
        if sel.distinct {
            let mut seen: Vec<Vec<Val>> = Vec::new();
            out.rows.retain(|r| {
                if seen.contains(r) {
                    false
                } else {
                    seen.push(r.clone());
                    true
                }
            });
        }
        Ok(out)
    }

    fn eval_aggregate(&mut self, e: &Expr, input: &Rows, rows: &[Vec<Val>]) -> Res<Val> {
        match e {
            Expr::Call {
                name, args, star, ..
            } if is_aggregate(name) => {
                if *star {
                    return Ok(Val::Int(rows.len() as i64));
                }
                let Some(arg) = args.first() else {
                    return Err(ServerError::new(format!(
                        "function {name}() does not exist"
                    )));
                };
                let mut vals = Vec::new();
                for r in rows {
                    let v = self.eval(arg, input, r)?;
                    if v != Val::Null {
                        vals.push(v);
                    }
                }
                Ok(match name.as_str() {
                    "count" => Val::Int(vals.len() as i64),
                    "max" => vals.into_iter().max_by(compare).unwrap_or(Val::Null),
                    "min" => vals.into_iter().min_by(compare).unwrap_or(Val::Null),
                    "sum" => {
                        if vals.is_empty() {
                            Val::Null
                        } else {
                            Val::Int(
                                vals.iter()
                                    .map(|v| if let Val::Int(i) = v { *i } else { 0 })
                                    .sum(),
                            )
                        }
                    }
                    _ => Val::Null,
                })
            }
            Expr::Binary { op, left, right } => {
                let l = self.eval_aggregate(left, input, rows)?;
                let r = self.eval_aggregate(right, input, rows)?;
                binary(*op, l, r)
            }
            other => match rows.first() {
                Some(r) => self.eval(other, input, r),
                None => self.eval(other, &Rows::default(), &[]),
            },
        }
    }

    fn eval(&mut self, e: &Expr, rows: &Rows, row: &[Val]) -> Res<Val> {
        Ok(match e {
            Expr::Null => Val::Null,
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Integer(i) => Val::Int(*i),
            Expr::Numeric(n) => Val::Num(n.parse().unwrap_or(0.0)),
            Expr::String(s) => Val::Text(s.clone()),
            Expr::Now => Val::Timestamp(self.c.now().unix_micros()),
            Expr::Column { name, .. } => {
                let Some(i) = rows.columns.iter().position(|c| c == name) else {
                    return Err(
                        ServerError::new(format!("column \"{name}\" does not exist"))
                            .at(self.locate(name)),
                    );
                };
                row.get(i).cloned().unwrap_or(Val::Null)
            }
            Expr::Unary { op, expr } => {
                let v = self.eval(expr, rows, row)?;
                match (op, v) {
                    (_, Val::Null) => Val::Null,
                    (UnaryOp::Not, Val::Bool(b)) => Val::Bool(!b),
                    (UnaryOp::Neg, Val::Int(i)) => Val::Int(-i),
                    (UnaryOp::Neg, Val::Num(n)) => Val::Num(-n),
                    (_, v) => {
                        return Err(ServerError::new(format!(
                            "operator does not exist: - {}",
                            type_name(&v)
                        )))
                    }
                }
            }
            Expr::Binary { op, left, right } => {
                let l = self.eval(left, rows, row)?;
                if *op == BinaryOp::And && l == Val::Bool(false) {
                    return Ok(Val::Bool(false));
                }
                if *op == BinaryOp::Or && l == Val::Bool(true) {
                    return Ok(Val::Bool(true));
                }
                let r = self.eval(right, rows, row)?;
                binary(*op, l, r)?
            }
            Expr::IsNull { expr, negated } => {
                Val::Bool((self.eval(expr, rows, row)? == Val::Null) != *negated)
            }
            Expr::Cast { expr, type_name } => {
                let v = self.eval(expr, rows, row)?;
                match (cast(v, type_name), &**expr) {
                    // A bad literal is reported at the literal, as the parser coerces it.
                    (Err(e), Expr::String(lit)) => return Err(e.at(self.locate_literal(lit))),
                    (r, _) => r?,
                }
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let v = self.eval(expr, rows, row)?;
                let mut found = false;
                for item in list {
                    let x = self.eval(item, rows, row)?;
                    if compare(&v, &x) == std::cmp::Ordering::Equal && v != Val::Null {
                        found = true;
                    }
                }
                Val::Bool(found != *negated)
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let v = self.eval(expr, rows, row)?;
                let lo = self.eval(low, rows, row)?;
                let hi = self.eval(high, rows, row)?;
                let inside = compare(&v, &lo) != std::cmp::Ordering::Less
                    && compare(&v, &hi) != std::cmp::Ordering::Greater;
                Val::Bool(inside != *negated)
            }
            Expr::Like {
                expr,
                pattern,
                negated,
            } => {
                let v = self.eval(expr, rows, row)?.text().unwrap_or_default();
                let p = self.eval(pattern, rows, row)?.text().unwrap_or_default();
                Val::Bool(like(&v, &p) != *negated)
            }
            Expr::Case {
                operand,
                whens,
                else_,
            } => {
                let base = match operand {
                    Some(o) => Some(self.eval(o, rows, row)?),
                    None => None,
                };
                for (cond, result) in whens {
                    let c = self.eval(cond, rows, row)?;
                    let hit = match &base {
                        Some(b) => compare(b, &c) == std::cmp::Ordering::Equal,
                        None => c == Val::Bool(true),
                    };
                    if hit {
                        return self.eval(result, rows, row);
                    }
                }
                match else_ {
                    Some(e) => self.eval(e, rows, row)?,
                    None => Val::Null,
                }
            }
            Expr::Call {
                name, args, star, ..
            } => {
                if is_aggregate(name) {
                    let _ = star;
                    return Err(ServerError::new("aggregate functions are not allowed here")
                        .at(self.locate(name)));
                }
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a, rows, row)?);
                }
                self.call(name, vals)?
            }
        })
    }

    fn recovery_in_progress(&self, func: &str) -> ServerError {
        ServerError::new("recovery is in progress").hint(
            if func.starts_with("pg_current_wal") || func == "pg_switch_wal" {
                "WAL control functions cannot be executed during recovery.".to_string()
            } else {
                format!("{func}() cannot be executed during recovery.")
            },
        )
    }

    fn lsn_arg(&self, v: &Val) -> Res<Lsn> {
        match v {
            Val::Lsn(l) => Ok(*l),
            Val::Text(s) => s
                .parse::<Lsn>()
                .map_err(|e| ServerError::new(e.to_string())),
            other => Err(ServerError::new(format!(
                "function argument of type {} is not a pg_lsn",
                type_name(other)
            ))),
        }
    }

    fn no_function(&self, name: &str, args: &[Val]) -> ServerError {
        let types: Vec<&str> = args.iter().map(type_name).collect();
        ServerError::new(format!("function {name}({}) does not exist", types.join(", ")))
            .hint("No function matches the given name and argument types. You might need to add explicit type casts.")
            .at(self.locate(name))
    }

    fn call(&mut self, name: &str, args: Vec<Val>) -> Res<Val> {
        let h = self.h;
        let recovery = self.in_recovery();
        let data = self.c.host(h).data.as_ref();
        let arity = |n: usize| args.len() == n;
        Ok(match (name, args.len()) {
            (
                "pg_current_wal_lsn" | "pg_current_wal_insert_lsn" | "pg_current_wal_flush_lsn",
                0,
            ) => {
                if recovery {
                    return Err(self.recovery_in_progress(name));
                }
                let Some(d) = data else { return Ok(Val::Null) };
                Val::Lsn(match name {
                    "pg_current_wal_insert_lsn" => d.wal.insert,
                    "pg_current_wal_flush_lsn" => d.wal.flush,
                    _ => d.wal.write,
                })
            }
            ("pg_walfile_name", 1) => {
                if recovery {
                    return Err(self.recovery_in_progress(name));
                }
                let lsn = self.lsn_arg(&args[0])?;
                let tli = data.map_or(crate::sim::TimelineId(1), |d| d.wal.tli);
                Val::Text(lsn.walfile_name(tli))
            }
            ("pg_walfile_name_offset", 1) => {
                if recovery {
                    return Err(self.recovery_in_progress(name));
                }
                let lsn = self.lsn_arg(&args[0])?;
                let tli = data.map_or(crate::sim::TimelineId(1), |d| d.wal.tli);
                let off = if lsn.0 % crate::sim::SEGMENT_SIZE == 0 && lsn.0 > 0 {
                    crate::sim::SEGMENT_SIZE
                } else {
                    lsn.0 % crate::sim::SEGMENT_SIZE
                };
                Val::Record(vec![Val::Text(lsn.walfile_name(tli)), Val::Int(off as i64)])
            }
            ("pg_wal_lsn_diff", 2) => {
                let a = self.lsn_arg(&args[0])?;
                let b = self.lsn_arg(&args[1])?;
                Val::Num(a.diff(b) as f64)
            }
            ("pg_switch_wal", 0) => {
                if recovery {
                    return Err(self.recovery_in_progress(name));
                }
                Val::Lsn(self.c.switch_wal(h))
            }
            ("pg_last_wal_receive_lsn", 0) => match (recovery, data) {
                (true, Some(d)) => Val::Lsn(d.wal.flush),
                _ => Val::Null,
            },
            ("pg_last_wal_replay_lsn", 0) => match (recovery, data) {
                (true, Some(d)) => Val::Lsn(d.applied),
                _ => Val::Null,
            },
            ("pg_last_xact_replay_timestamp", 0) => {
                match (recovery, data.and_then(|d| d.last_replayed_commit)) {
                    (true, Some(t)) => Val::Timestamp(t.unix_micros()),
                    _ => Val::Null,
                }
            }
            ("pg_is_in_recovery", 0) => Val::Bool(recovery),
            ("pg_promote", 0..=2) => {
                if !recovery {
                    return Err(ServerError::new("recovery is not in progress")
                        .hint("Recovery control functions can only be executed during recovery."));
                }
                Val::Bool(self.c.promote(h))
            }
            ("pg_reload_conf", 0) => Val::Bool(self.c.reload(h)),
            ("pg_backend_pid", 0) => Val::Int(
                self.c
                    .host(h)
                    .server
                    .as_ref()
                    .and_then(|s| s.sessions.get(self.session))
                    .map_or(0, |s| s.pid) as i64,
            ),
            ("pg_cancel_backend" | "pg_terminate_backend", 1) => {
                let Val::Int(pid) = args[0] else {
                    return Err(self.no_function(name, &args));
                };
                let target = self
                    .c
                    .host(h)
                    .server
                    .as_ref()
                    .and_then(|s| s.sessions.iter().position(|x| x.pid as i64 == pid));
                match target {
                    Some(i) => Val::Bool({
                        self.c.cancel(h, i);
                        true
                    }),
                    None => {
                        return Ok({
                            let known = self
                                .c
                                .stat_activity_relation(h)
                                .rows
                                .iter()
                                .any(|r| r.get(2) == Some(&Datum::Int(pid)));
                            if !known {
                                // PostgreSQL warns and returns false for a pid that is not a backend.
                                Val::Bool(false)
                            } else {
                                Val::Bool(true)
                            }
                        });
                    }
                }
            }
            ("pg_create_physical_replication_slot", 1..=3) => {
                let Val::Text(slot) = &args[0] else {
                    return Err(self.no_function(name, &args));
                };
                let reserve = matches!(args.get(1), Some(Val::Bool(true)));
                let temporary = matches!(args.get(2), Some(Val::Bool(true)));
                let lsn =
                    self.c
                        .create_slot(h, slot, reserve, temporary)
                        .map_err(|(m, hint)| {
                            let e = ServerError::new(m);
                            match hint {
                                Some(hh) => e.hint(hh),
                                None => e,
                            }
                        })?;
                Val::Record(vec![
                    Val::Text(slot.clone()),
                    lsn.map_or(Val::Null, Val::Lsn),
                ])
            }
            ("pg_drop_replication_slot", 1) => {
                let Val::Text(slot) = &args[0] else {
                    return Err(self.no_function(name, &args));
                };
                self.c.drop_slot(h, slot).map_err(ServerError::new)?;
                Val::Text(String::new())
            }
            ("now" | "current_timestamp" | "statement_timestamp" | "clock_timestamp", 0) => {
                Val::Timestamp(self.c.now().unix_micros())
            }
            ("pg_postmaster_start_time", 0) => self
                .c
                .host(h)
                .server
                .as_ref()
                .map_or(Val::Null, |s| Val::Timestamp(s.started.unix_micros())),
            ("version", 0) => Val::Text(
                "PostgreSQL 15.18 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit"
                    .into(),
            ),
            ("current_setting", 1 | 2) => {
                let Val::Text(n) = &args[0] else {
                    return Err(self.no_function(name, &args));
                };
                let def = self.setting_def(n)?;
                Val::Text(self.session_setting(def))
            }
            ("inet_server_addr", 0) => Val::Text(self.c.host(h).addr_text()),
            ("pg_size_pretty", 1) => {
                let n = match args[0] {
                    Val::Int(i) => i as f64,
                    Val::Num(n) => n,
                    _ => return Err(self.no_function(name, &args)),
                };
                Val::Text(size_pretty(n))
            }
            ("pg_database_size", 1) => {
                Val::Int(data.map_or(0, |d| (d.db.data_bytes() + 7_500_000) as i64))
            }
            ("pg_relation_size" | "pg_total_relation_size" | "pg_table_size", 1) => {
                let Val::Text(t) = &args[0] else {
                    return Err(self.no_function(name, &args));
                };
                let t = self.table(t)?;
                Val::Int((t.heap_bytes.div_ceil(8160) * 8192) as i64)
            }
            ("repeat", 2) => match (&args[0], &args[1]) {
                (Val::Text(s), Val::Int(n)) => {
                    if s.len() as i64 * n > 10_000_000 {
                        return Err(ServerError::new("requested length too large"));
                    }
                    Val::Text(s.repeat((*n).max(0) as usize))
                }
                _ => return Err(self.no_function(name, &args)),
            },
            ("upper" | "lower" | "length", 1) => {
                let s = args[0].text().unwrap_or_default();
                match name {
                    "upper" => Val::Text(s.to_uppercase()),
                    "lower" => Val::Text(s.to_lowercase()),
                    _ => Val::Int(s.chars().count() as i64),
                }
            }
            ("coalesce", _) if !args.is_empty() => args
                .into_iter()
                .find(|v| *v != Val::Null)
                .unwrap_or(Val::Null),
            ("txid_current" | "pg_current_xact_id", 0) => {
                if recovery {
                    return Err(ServerError::new(
                        "cannot execute txid_current() during recovery",
                    ));
                }
                Val::Int(self.c.allocate_xid() as i64)
            }
            _ if arity(0) && set_function_name(name) => {
                return Err(ServerError::new(
                    "set-valued function called in context that cannot accept a set".to_string(),
                )
                .at(self.locate(name)))
            }
            _ => return Err(self.no_function(name, &args)),
        })
    }

    /// Functions used in FROM: they return rows.
    fn set_function(&mut self, name: &str, args: &[Expr]) -> Res<Rows> {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.eval(a, &Rows::default(), &[])?);
        }
        let h = self.h;
        match name {
            "generate_series" => {
                let (Some(Val::Int(a)), Some(Val::Int(b))) = (vals.first(), vals.get(1)) else {
                    return Err(self.no_function(name, &vals));
                };
                let step = match vals.get(2) {
                    Some(Val::Int(s)) if *s != 0 => *s,
                    Some(_) => return Err(ServerError::new("step size cannot equal zero")),
                    None => 1,
                };
                // In i128: the bounds may be anything a user types.
                let count = (i128::from(*b) - i128::from(*a)) / i128::from(step) + 1;
                if count > 5_000_000 {
                    return Err(ServerError::new(
                        "walscope generates at most 5,000,000 rows per statement",
                    ));
                }
                let rows = (0..count.max(0) as i64)
                    .map(|i| vec![Val::Int(a + i * step)])
                    .collect();
                Ok(Rows {
                    columns: vec!["generate_series".into()],
                    rows,
                })
            }
            "pg_control_checkpoint" => {
                let Some(d) = self.c.host(h).data.as_ref() else {
                    return Ok(Rows::default());
                };
                let tli = d.wal.tli_at(d.redo);
                let prev = d
                    .wal
                    .history
                    .last()
                    .filter(|x| x.switchpoint <= d.redo)
                    .map_or(tli, |x| x.tli);
                let columns = [
                    "checkpoint_lsn",
                    "redo_lsn",
                    "redo_wal_file",
                    "timeline_id",
                    "prev_timeline_id",
                    "full_page_writes",
                    "next_xid",
                    "next_oid",
                    "next_multixact_id",
                    "next_multi_offset",
                    "oldest_xid",
                    "oldest_xid_dbid",
                    "oldest_active_xid",
                    "oldest_multi_xid",
                    "oldest_multi_dbid",
                    "oldest_commit_ts_xid",
                    "newest_commit_ts_xid",
                    "checkpoint_time",
                ];
                let next_xid = self.c.peek_xid();
                let row = vec![
                    Val::Lsn(d.checkpoint_lsn),
                    Val::Lsn(d.redo),
                    Val::Text(crate::sim::segment_file_name(tli, d.redo.segment())),
                    Val::Int(tli.0 as i64),
                    Val::Int(prev.0 as i64),
                    Val::Bool(true),
                    Val::Text(format!("0:{next_xid}")),
                    Val::Int(24576),
                    Val::Int(1),
                    Val::Int(0),
                    Val::Int(716),
                    Val::Int(1),
                    Val::Int(next_xid as i64),
                    Val::Int(1),
                    Val::Int(1),
                    Val::Int(0),
                    Val::Int(0),
                    Val::Timestamp(d.checkpoint_time.unix_micros()),
                ];
                Ok(Rows {
                    columns: columns.iter().map(|c| c.to_string()).collect(),
                    rows: vec![row],
                })
            }
            "pg_ls_waldir" => {
                let Some(d) = self.c.host(h).data.as_ref() else {
                    return Ok(Rows::default());
                };
                let t = Val::Timestamp(self.c.now().unix_micros());
                let rows = d
                    .wal
                    .segment_files()
                    .into_iter()
                    .map(|f| {
                        vec![
                            Val::Text(f),
                            Val::Int(crate::sim::SEGMENT_SIZE as i64),
                            t.clone(),
                        ]
                    })
                    .collect();
                Ok(Rows {
                    columns: vec!["name".into(), "size".into(), "modification".into()],
                    rows,
                })
            }
            _ => {
                let v = self.call(name, vals)?;
                let columns = match name {
                    "pg_create_physical_replication_slot" => {
                        vec!["slot_name".to_string(), "lsn".to_string()]
                    }
                    "pg_walfile_name_offset" => {
                        vec!["file_name".to_string(), "file_offset".to_string()]
                    }
                    _ => vec![name.to_string()],
                };
                let row = match v {
                    Val::Record(vs) if columns.len() > 1 => vs,
                    other => vec![other],
                };
                Ok(Rows {
                    columns,
                    rows: vec![row],
                })
            }
        }
    }
}

/// `SELECT generate_series(1, 3)` without FROM returns one row per value, as PostgreSQL
/// does with a set-returning function in the target list: the same as
/// `SELECT generate_series FROM generate_series(1, 3)`. Other items are evaluated on
/// each row.
fn target_list_series(sel: &Select) -> Option<Select> {
    if !sel.from.is_empty() {
        return None;
    }
    let mut call = None;
    let items = sel
        .items
        .iter()
        .map(|item| match item {
            SelectItem::Expr {
                expr: e @ Expr::Call { name, .. },
                alias,
            } if name == "generate_series" && call.is_none() => {
                call = Some(e.clone());
                SelectItem::Expr {
                    expr: Expr::Column {
                        table: None,
                        name: "generate_series".into(),
                    },
                    alias: alias.clone(),
                }
            }
            other => other.clone(),
        })
        .collect();
    Some(Select {
        items,
        from: vec![FromItem::Function {
            call: call?,
            alias: None,
            column_alias: Some("generate_series".into()),
        }],
        ..sel.clone()
    })
}

fn set_function_name(name: &str) -> bool {
    matches!(
        name,
        "generate_series" | "pg_control_checkpoint" | "pg_ls_waldir"
    )
}

fn cross(left: Rows, right: Rows) -> Rows {
    let mut columns = left.columns.clone();
    columns.extend(right.columns.iter().cloned());
    let mut rows = Vec::new();
    for l in &left.rows {
        for r in &right.rows {
            let mut row = l.clone();
            row.extend(r.iter().cloned());
            rows.push(row);
        }
    }
    Rows { columns, rows }
}

fn to_result(rows: Rows) -> ResultSet {
    let columns = rows
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let align = rows
                .rows
                .iter()
                .find_map(|r| r.get(i).and_then(Val::align))
                .unwrap_or(Align::Left);
            ResultColumn {
                name: name.clone(),
                align,
            }
        })
        .collect();
    let rows = rows
        .rows
        .iter()
        .map(|r| r.iter().map(Val::text).collect())
        .collect();
    ResultSet { columns, rows }
}

fn is_aggregate(name: &str) -> bool {
    matches!(name, "count" | "max" | "min" | "sum")
}

fn has_aggregate(e: &Expr) -> bool {
    match e {
        Expr::Call { name, args, .. } => is_aggregate(name) || args.iter().any(has_aggregate),
        Expr::Binary { left, right, .. } => has_aggregate(left) || has_aggregate(right),
        Expr::Unary { expr, .. } | Expr::Cast { expr, .. } | Expr::IsNull { expr, .. } => {
            has_aggregate(expr)
        }
        _ => false,
    }
}

/// The column name PostgreSQL gives an unnamed select item.
fn column_name(e: &Expr) -> String {
    match e {
        Expr::Column { name, .. } => name.clone(),
        Expr::Call { name, .. } => name.clone(),
        Expr::Cast { expr, type_name } => match expr.as_ref() {
            Expr::Column { .. } | Expr::Call { .. } => column_name(expr),
            _ => type_name.clone(),
        },
        Expr::Now => "now".into(),
        Expr::Case { .. } => "case".into(),
        _ => "?column?".into(),
    }
}

fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Null => "unknown",
        Val::Bool(_) => "boolean",
        Val::Int(_) => "integer",
        Val::Num(_) => "numeric",
        Val::Text(_) => "text",
        Val::Lsn(_) => "pg_lsn",
        Val::Interval(_) => "interval",
        Val::Timestamp(_) => "timestamp with time zone",
        Val::Record(_) => "record",
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "on" | "yes" | "y" | "1" => Some(true),
        "f" | "false" | "off" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

fn cast(v: Val, ty: &str) -> Res<Val> {
    Ok(match (ty, v) {
        (_, Val::Null) => Val::Null,
        ("pg_lsn", Val::Text(s)) => Val::Lsn(
            s.parse::<Lsn>()
                .map_err(|e| ServerError::new(e.to_string()))?,
        ),
        ("pg_lsn", v @ Val::Lsn(_)) => v,
        ("text" | "varchar" | "name", v) => Val::Text(v.text().unwrap_or_default()),
        ("int" | "integer" | "int4" | "bigint" | "int8" | "smallint", Val::Text(s)) => {
            Val::Int(s.trim().parse().map_err(|_| {
                ServerError::new(format!("invalid input syntax for type integer: \"{s}\""))
            })?)
        }
        ("int" | "integer" | "int4" | "bigint" | "int8" | "smallint", Val::Num(n)) => {
            Val::Int(n.round() as i64)
        }
        ("int" | "integer" | "int4" | "bigint" | "int8" | "smallint", v @ Val::Int(_)) => v,
        ("numeric" | "float8" | "real" | "double precision", Val::Int(i)) => Val::Num(i as f64),
        ("numeric" | "float8" | "real" | "double precision", v @ Val::Num(_)) => v,
        ("bool" | "boolean", Val::Text(s)) => Val::Bool(parse_bool(&s).ok_or_else(|| {
            ServerError::new(format!("invalid input syntax for type boolean: \"{s}\""))
        })?),
        ("interval", Val::Text(s)) => Val::Interval(parse_interval(&s).ok_or_else(|| {
            ServerError::new(format!("invalid input syntax for type interval: \"{s}\""))
        })?),
        (t, v) => {
            return Err(ServerError::new(format!(
                "cannot cast type {} to {t}",
                type_name(&v)
            )))
        }
    })
}

fn parse_interval(s: &str) -> Option<i64> {
    let mut total = 0i64;
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let n: f64 = words[i].parse().ok()?;
        let unit = words.get(i + 1).copied().unwrap_or("s");
        let scale = if unit == "ms" {
            1e3
        } else {
            match unit.trim_end_matches('s') {
                "" | "sec" | "second" => 1e6,
                "m" | "min" | "minute" => 60e6,
                "h" | "hour" => 3600e6,
                "day" => 86400e6,
                "millisecond" | "msec" => 1e3,
                _ => return None,
            }
        };
        total += (n * scale) as i64;
        i += 2;
    }
    Some(total)
}

fn size_pretty(n: f64) -> String {
    let mut v = n;
    for unit in ["bytes", "kB", "MB", "GB", "TB"] {
        if v.abs() < 10.0 * 1024.0 || unit == "TB" {
            return format!("{} {unit}", v.round() as i64);
        }
        v /= 1024.0;
    }
    format!("{n} bytes")
}

fn compare(a: &Val, b: &Val) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Val::Null, Val::Null) => Equal,
        (Val::Null, _) => Greater,
        (_, Val::Null) => Less,
        (Val::Int(x), Val::Int(y)) => x.cmp(y),
        (Val::Int(x), Val::Num(y)) => (*x as f64).partial_cmp(y).unwrap_or(Equal),
        (Val::Num(x), Val::Int(y)) => x.partial_cmp(&(*y as f64)).unwrap_or(Equal),
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y).unwrap_or(Equal),
        (Val::Lsn(x), Val::Lsn(y)) => x.cmp(y),
        (Val::Lsn(x), Val::Text(y)) => y.parse::<Lsn>().map_or(Equal, |y| x.cmp(&y)),
        (Val::Text(x), Val::Lsn(y)) => x.parse::<Lsn>().map_or(Equal, |x| x.cmp(y)),
        (Val::Interval(x), Val::Interval(y)) | (Val::Timestamp(x), Val::Timestamp(y)) => x.cmp(y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::Text(x), Val::Text(y)) => x.cmp(y),
        (x, y) => x.text().cmp(&y.text()),
    }
}

fn binary(op: BinaryOp, l: Val, r: Val) -> Res<Val> {
    use BinaryOp::*;
    if matches!(op, And | Or) {
        return Ok(match (op, l.truthy(), r.truthy()) {
            (And, Some(a), Some(b)) => Val::Bool(a && b),
            (Or, Some(a), Some(b)) => Val::Bool(a || b),
            (And, Some(false), _) | (And, _, Some(false)) => Val::Bool(false),
            (Or, Some(true), _) | (Or, _, Some(true)) => Val::Bool(true),
            _ => Val::Null,
        });
    }
    if l == Val::Null || r == Val::Null {
        return Ok(Val::Null);
    }
    if matches!(op, Eq | NotEq | Lt | LtEq | Gt | GtEq) {
        let ord = compare(&l, &r);
        use std::cmp::Ordering::*;
        return Ok(Val::Bool(match op {
            Eq => ord == Equal,
            NotEq => ord != Equal,
            Lt => ord == Less,
            LtEq => ord != Greater,
            Gt => ord == Greater,
            _ => ord != Less,
        }));
    }
    let err = |l: &Val, r: &Val, sym: &str| {
        ServerError::new(format!("operator does not exist: {} {sym} {}", type_name(l), type_name(r)))
            .hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
    };
    Ok(match (op, &l, &r) {
        (Concat, _, _) => Val::Text(format!(
            "{}{}",
            l.text().unwrap_or_default(),
            r.text().unwrap_or_default()
        )),
        (Add, Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_add(*b)),
        (Sub, Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_sub(*b)),
        (Mul, Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_mul(*b)),
        (Div, Val::Int(_), Val::Int(0)) | (Mod, Val::Int(_), Val::Int(0)) => {
            return Err(ServerError::new("division by zero"))
        }
        (Div, Val::Int(a), Val::Int(b)) => Val::Int(a / b),
        (Mod, Val::Int(a), Val::Int(b)) => Val::Int(a % b),
        (Add | Sub | Mul | Div, Val::Int(_) | Val::Num(_), Val::Int(_) | Val::Num(_)) => {
            let f = |v: &Val| {
                if let Val::Int(i) = v {
                    *i as f64
                } else if let Val::Num(n) = v {
                    *n
                } else {
                    0.0
                }
            };
            let (a, b) = (f(&l), f(&r));
            Val::Num(match op {
                Add => a + b,
                Sub => a - b,
                Mul => a * b,
                _ => {
                    if b == 0.0 {
                        return Err(ServerError::new("division by zero"));
                    }
                    a / b
                }
            })
        }
        (Sub, Val::Lsn(a), Val::Lsn(b)) => Val::Num(a.diff(*b) as f64),
        (Sub, Val::Lsn(a), Val::Text(b)) | (Sub, Val::Text(b), Val::Lsn(a)) => {
            let b = b
                .parse::<Lsn>()
                .map_err(|e| ServerError::new(e.to_string()))?;
            Val::Num(a.diff(b) as f64)
        }
        (Sub, Val::Timestamp(a), Val::Timestamp(b)) => Val::Interval(a - b),
        (Add, Val::Timestamp(a), Val::Interval(b)) => Val::Timestamp(a + b),
        (Sub, Val::Timestamp(a), Val::Interval(b)) => Val::Timestamp(a - b),
        (Add, Val::Interval(a), Val::Interval(b)) => Val::Interval(a + b),
        (o, l, r) => {
            let sym = match o {
                Add => "+",
                Sub => "-",
                Mul => "*",
                Div => "/",
                Mod => "%",
                _ => "?",
            };
            return Err(err(l, r, sym));
        }
    })
}

fn like(s: &str, p: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = p.chars().collect();
    fn go(s: &[char], p: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('%') => (0..=s.len()).any(|i| go(&s[i..], &p[1..])),
            Some('_') => !s.is_empty() && go(&s[1..], &p[1..]),
            Some(c) => s.first() == Some(c) && go(&s[1..], &p[1..]),
        }
    }
    go(&s, &p)
}

fn unit_text(u: conf::Unit) -> &'static str {
    match u {
        conf::Unit::Bytes => "B",
        conf::Unit::KiloBytes => "kB",
        conf::Unit::MegaBytes => "MB",
        conf::Unit::Kb8 => "8kB",
        conf::Unit::Millis => "ms",
        conf::Unit::Seconds => "s",
        conf::Unit::Minutes => "min",
    }
}

fn context_text(c: Context) -> &'static str {
    match c {
        Context::Internal => "internal",
        Context::Postmaster => "postmaster",
        Context::Sighup => "sighup",
        Context::Superuser => "superuser",
        Context::User => "user",
    }
}

fn category(name: &str) -> &'static str {
    match name {
        "wal_level" | "wal_log_hints" | "full_page_writes" | "synchronous_commit" => {
            "Write-Ahead Log / Settings"
        }
        "checkpoint_timeout" | "checkpoint_completion_target" | "max_wal_size" | "min_wal_size" => {
            "Write-Ahead Log / Checkpoints"
        }
        "archive_mode" | "archive_command" => "Write-Ahead Log / Archiving",
        "max_wal_senders"
        | "max_replication_slots"
        | "wal_keep_size"
        | "max_slot_wal_keep_size"
        | "wal_sender_timeout" => "Replication / Sending Servers",
        "synchronous_standby_names" => "Replication / Primary Server",
        "hot_standby"
        | "hot_standby_feedback"
        | "wal_receiver_timeout"
        | "wal_receiver_status_interval"
        | "wal_retrieve_retry_interval"
        | "recovery_min_apply_delay"
        | "primary_conninfo"
        | "primary_slot_name" => "Replication / Standby Servers",
        "recovery_target_timeline" => "Write-Ahead Log / Recovery Target",
        "listen_addresses" | "port" | "max_connections" => {
            "Connections and Authentication / Connection Settings"
        }
        "shared_buffers" => "Resource Usage / Memory",
        _ => "Preset Options",
    }
}
