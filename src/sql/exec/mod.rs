//! Runs SQL against a server of the model: the executor answers a statement with a
//! result set, a command tag or a [`ServerError`], which psql then prints.
//!
//! The SQL is the subset a replication lab needs: tables of int/text/bool columns,
//! INSERT/UPDATE/DELETE (each statement its own transaction), SELECT with WHERE,
//! ORDER BY, LIMIT and simple aggregates, the replication views and functions, SHOW,
//! SET, ALTER SYSTEM, roles and CHECKPOINT.
//!
//! PostgreSQL's map:
//!
//! ```text
//! postgres.c, utility.c -> mod.rs     one statement: parse, dispatch by kind
//! nodeModifyTable.c     -> dml.rs     INSERT, UPDATE, DELETE, the commit
//! tablecmds.c, user.c   -> ddl.rs     CREATE/DROP TABLE, CREATE/ALTER ROLE
//! guc.c                 -> guc.rs     SHOW, SET, ALTER SYSTEM, pg_settings
//! execMain.c, nodeAgg.c -> select.rs  SELECT, FROM sources, views, aggregates
//! execExprInterp.c      -> expr.rs    evaluating an expression
//! utils/adt/            -> value.rs   values, casts, comparison, operators, LIKE
//! fmgr, pg_proc.dat     -> func/      the builtin functions, one table
//! ```

mod ddl;
mod dml;
mod expr;
mod extension;
mod func;
mod guc;
mod hba_rules;
pub mod limits;
mod publication;
mod select;
mod sequence;
mod subscription;
mod value;

#[cfg(test)]
mod tests;

use crate::sim::map::Map;

use crate::sim::db::{Change, Role};
use crate::sim::{Cluster, HostId, Relation};
use crate::sql::{self, FromItem, ResultSet, Select, SelectItem, ServerError, SetValue, Statement};

use select::to_result;
pub use value::Val;

type Res<T> = Result<T, ServerError>;

/// What the server answers to a statement.
pub enum StatementResult {
    /// A result set (RowDescription and DataRows).
    Rows(ResultSet),
    /// A command tag, with any NOTICE lines before it.
    Tag(String),
    /// A commit waiting for synchronous standbys; its tag comes later.
    Waiting,
    /// The server process died running it (a PANIC): what psql prints.
    Lost(String),
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
        sequence_writes: Vec::new(),
    };
    let result = x.statement(stmt);
    // A nextval that logged in a statement that wrote nothing else (a SELECT, or a
    // statement that failed later: sequence changes are not rolled back).
    x.write_sequences();
    if let Ok(r) = &result {
        // pg_stat_statements' ExecutorEnd / ProcessUtility hooks count it.
        let rows = match r {
            StatementResult::Rows(rs)
                if !text.trim_start().to_ascii_lowercase().starts_with("show") =>
            {
                rs.rows.len() as u64
            }
            StatementResult::Tag(t) => tag_rows(t),
            _ => 0,
        };
        c.count_statement(h, text, rows);
    }
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

/// The rows a command tag reports (`INSERT 0 3`, `UPDATE 2`, `DELETE 1`).
fn tag_rows(tag: &str) -> u64 {
    let last = tag.lines().last().unwrap_or("");
    if ["INSERT ", "UPDATE ", "DELETE ", "COPY "]
        .iter()
        .any(|p| last.starts_with(p))
    {
        last.rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    } else {
        0
    }
}

struct Exec<'a> {
    c: &'a mut Cluster,
    h: HostId,
    session: usize,
    sql: &'a str,
    /// Sequence records nextval and setval logged during the statement: written with
    /// the statement's own changes, or in a transaction of their own.
    sequence_writes: Vec<(u64, Change)>,
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
                unique_keys,
            } => self.create_table(name, if_not_exists, columns, unique_keys),
            Statement::DropTable { names, if_exists } => self.drop_table(names, if_exists),
            Statement::CreateSequence {
                name,
                if_not_exists,
                options,
            } => self.create_sequence(name, if_not_exists, options),
            Statement::DropSequence { names, if_exists } => self.drop_sequence(names, if_exists),
            Statement::AlterTable {
                name,
                if_exists,
                action,
            } => self.alter_table(name, if_exists, action),
            Statement::Truncate { names } => self.truncate(names),
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
            Statement::DropRole { names, if_exists } => self.drop_role(names, if_exists),
            Statement::CreatePublication {
                name,
                target,
                publish,
            } => self.create_publication(name, target, publish),
            Statement::AlterPublication { name, action } => self.alter_publication(name, action),
            Statement::DropPublication { names, if_exists } => {
                self.drop_publication(names, if_exists)
            }
            Statement::CreateSubscription {
                name,
                conninfo,
                publications,
                options,
            } => self.create_subscription(name, conninfo, publications, options),
            Statement::AlterSubscription { name, action } => self.alter_subscription(name, action),
            Statement::DropSubscription { name, if_exists } => {
                self.drop_subscription(name, if_exists)
            }
            Statement::CreateExtension {
                name,
                if_not_exists,
            } => self.create_extension(name, if_not_exists),
            Statement::DropExtension { names, if_exists } => self.drop_extension(names, if_exists),
            Statement::Checkpoint => self.checkpoint(),
            Statement::Begin | Statement::Commit | Statement::Rollback => Err(ServerError::new(
                "explicit transaction blocks are not supported by walscope",
            )
            .hint("Each statement commits on its own, as with psql's default autocommit.")),
        }
    }

    /// The table's file as this server's data directory has it, relative to the
    /// data directory, when it was removed.
    fn missing_relation_file(&self, name: &str) -> Option<String> {
        self.c.missing_relation_file(self.h, name)
    }

    /// Opening the table's file (md.c's mdopen) for a statement that reads or writes
    /// its rows. A removed file fails the statement, and PostgreSQL logs the ERROR
    /// with the statement (log_min_error_statement).
    fn open_relation_file(&mut self, name: &str) -> Res<()> {
        let Some(path) = self.missing_relation_file(name) else {
            return Ok(());
        };
        let msg = format!("could not open file \"{path}\": No such file or directory");
        self.log_statement_error(&msg, None);
        Err(ServerError::new(msg))
    }

    /// An ERROR (and HINT) in the server log with the statement that raised it.
    fn log_statement_error(&mut self, msg: &str, hint: Option<&str>) {
        let pid = self
            .c
            .server(self.h)
            .and_then(|s| s.sessions.get(self.session))
            .map_or(0, |s| s.pid);
        self.c.log(self.h, pid, "ERROR", msg);
        if let Some(hint) = hint {
            self.c.log(self.h, pid, "HINT", hint);
        }
        self.c.log(self.h, pid, "STATEMENT", self.sql.trim());
    }

    /// CHECKPOINT: the checkpointer writes it, or says in the log why it could not.
    fn checkpoint(&mut self) -> Res<StatementResult> {
        match self.c.try_checkpoint(self.h, "immediate force wait", false) {
            None => Ok(StatementResult::Tag("CHECKPOINT".into())),
            Some(crate::sim::CheckpointFailure::Error) => {
                let hint = "Consult recent messages in the server log for details.";
                self.log_statement_error("checkpoint request failed", Some(hint));
                Err(ServerError::new("checkpoint request failed").hint(hint))
            }
            // The checkpointer PANICked: the postmaster terminates this backend too.
            Some(crate::sim::CheckpointFailure::Panic) => Ok(StatementResult::Lost(
                "WARNING:  terminating connection because of crash of another server process\nDETAIL:  The postmaster has commanded this server process to roll back the current transaction and exit, because another server process exited abnormally and possibly corrupted shared memory.\nHINT:  In a moment you should be able to reconnect to the database and repeat your command.\nserver closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\nThe connection to the server was lost. Attempting reset: Failed.\n".to_string(),
            )),
        }
    }

    /// The OID the next relation gets (the data directory's counter).
    fn next_oid(&self) -> u32 {
        self.c
            .data(self.h)
            .map_or(crate::sim::db::FIRST_NORMAL_OID, |d| d.db.next_oid)
    }

    fn db_roles(&self) -> Map<String, Role> {
        self.c
            .host(self.h)
            .data
            .as_ref()
            .map(|d| d.db.roles.clone())
            .unwrap_or_default()
    }

    /// The table's columns without its rows: what INSERT needs, without copying every
    /// row of the table for each statement.
    fn table_shape(&self, name: &str) -> Res<crate::sim::db::Table> {
        self.c
            .host(self.h)
            .data
            .as_ref()
            .and_then(|d| d.db.tables.get(name))
            .map(|t| crate::sim::db::Table {
                columns: t.columns.clone(),
                unique_keys: t.unique_keys.clone(),
                ..Default::default()
            })
            .ok_or_else(|| {
                ServerError::new(format!("relation \"{name}\" does not exist"))
                    .at(self.locate(name))
            })
    }

    /// Table `name` as this session's snapshot sees it.
    fn table(&self, name: &str) -> Res<crate::sim::db::Table> {
        self.c
            .table_seen_by(self.h, self.session, name)
            .ok_or_else(|| {
                ServerError::new(format!("relation \"{name}\" does not exist"))
                    .at(self.locate(name))
            })
    }
}
