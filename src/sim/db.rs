//! The data a server holds: tables with their rows, and roles. Changes reach it only
//! through WAL records, so a standby's copy is exactly what it has replayed.

use crate::map::Map;

use std::sync::Arc;

pub use crate::sequence::Sequence;

/// A stored value. Text is shared (`Arc<str>`) so that the same string written into
/// many rows, or copied to a standby, costs one allocation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Text(Arc<str>),
}

/// The storage class of a column, from its declared type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Text,
    Bool,
}

impl ColumnKind {
    /// Maps a declared type to its storage class, or `None` for a type the model lacks.
    pub fn from_type_name(name: &str) -> Option<ColumnKind> {
        let base = name.split('(').next().unwrap_or(name).trim();
        Some(match base {
            "int" | "integer" | "int4" | "bigint" | "int8" | "smallint" | "int2" | "serial"
            | "bigserial" | "numeric" => ColumnKind::Int,
            "text" | "varchar" | "character varying" | "char" | "character" | "name"
            | "timestamptz" | "timestamp" | "date" | "uuid" | "jsonb" | "json" => ColumnKind::Text,
            "bool" | "boolean" => ColumnKind::Bool,
            _ => return None,
        })
    }
}

/// Whether a column of type `name` may be stored out of line, so that CREATE TABLE
/// also creates a TOAST table (PostgreSQL's needs_toast_table: a variable-length type
/// without a length limit).
pub fn toastable(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    let limited = name.contains('(');
    let base = name.split('(').next().unwrap_or("").trim();
    match base {
        "text" | "bytea" | "json" | "jsonb" => true,
        "varchar" | "character varying" | "numeric" => !limited,
        _ => false,
    }
}

/// A column as CREATE TABLE declared it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub type_name: String,
    pub kind: ColumnKind,
    /// NOT NULL, declared or implied by the primary key (enforced on INSERT and UPDATE).
    pub not_null: bool,
    /// Part of the primary key, enforced by INSERT and UPDATE as its index `TABLE_pkey`
    /// enforces it (sql/exec/dml.rs), whose WAL they count.
    pub primary_key: bool,
    /// A one-column UNIQUE constraint, enforced as its index `TABLE_COLUMN_key` enforces it.
    pub unique: bool,
    /// What an INSERT that leaves the column out stores in it (NULL without one).
    pub default: Option<ColumnDefault>,
}

/// A column's DEFAULT.
///
/// Simplified: PostgreSQL keeps the expression and evaluates it for each row; walscope
/// keeps a constant's value (the executor refuses other expressions) or the sequence a
/// `nextval(...)` default draws from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnDefault {
    Value(Value),
    Nextval(String),
}

impl Column {
    /// A variable-length type whose values PostgreSQL may move to a TOAST table: a
    /// table with one gets a TOAST table and its index at CREATE TABLE.
    fn toastable(&self) -> bool {
        let base = self.type_name.split('(').next().unwrap_or("").trim();
        matches!(
            base,
            "text"
                | "varchar"
                | "character varying"
                | "char"
                | "character"
                | "numeric"
                | "json"
                | "jsonb"
        )
    }
}

/// The OID initdb leaves for the first object a user creates (FirstNormalObjectId).
pub const FIRST_NORMAL_OID: u32 = 16384;

/// The OIDs CREATE TABLE takes from the counter, as PostgreSQL 15 hands them out: the
/// table, its row type and array type; a TOAST table and its index for a
/// variable-length column; an index and a constraint for the primary key. (Counted on
/// a real server: `a (id int primary key, t text)` took 16385 to 16391.)
pub fn create_table_oids(columns: &[Column], uniques: usize) -> u32 {
    let toast = if columns.iter().any(Column::toastable) {
        2
    } else {
        0
    };
    let key = if columns.iter().any(|c| c.primary_key) {
        2
    } else {
        0
    };
    // Each UNIQUE constraint: its index and the constraint, as for the primary key.
    let unique = 2 * uniques as u32;
    // Each DEFAULT: its pg_attrdef row (`sertest (id serial, n int)` took 16505 to 16508
    // after its sequence's 16504).
    let defaults = columns.iter().filter(|c| c.default.is_some()).count() as u32;
    3 + toast + key + unique + defaults
}

/// The relations with storage TRUNCATE gives a new relfilenode each: the table, its
/// TOAST table and index, its primary key's index.
pub fn storage_relations(columns: &[Column], uniques: usize) -> u32 {
    let toast = if columns.iter().any(Column::toastable) {
        2
    } else {
        0
    };
    1 + toast + u32::from(columns.iter().any(|c| c.primary_key)) + uniques as u32
}

/// A row, shared between the primary, its WAL records and standbys.
pub type Row = Arc<[Value]>;

/// A heap table: rows keyed by a tuple id that only grows, like a ctid that is never reused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: std::collections::BTreeMap<u64, Row>,
    /// Bytes of tuple data written, to size the relation for pg_basebackup and
    /// pg_relation_size.
    pub heap_bytes: u64,
    /// The table's file in the database's directory (`base/5/16384`): its OID at
    /// CREATE TABLE, a new one after TRUNCATE.
    pub relfilenode: u32,
    /// The UNIQUE constraints (column numbers of each key, one or several columns) in
    /// the order CREATE TABLE declared them; empty when there are none or when only the
    /// columns' `unique` flags say (see [`Table::unique_indexes`]).
    pub unique_keys: Vec<Vec<usize>>,
}

impl Table {
    /// The table's unique btree indexes in the order the executor checks them
    /// (ExecInsertIndexTuples, by index OID): the primary key's `TABLE_pkey` first, then
    /// each UNIQUE constraint's `TABLE_COL1_COL2_key` in the order CREATE TABLE declared
    /// them. As (name, key columns).
    pub fn unique_indexes(&self, rel: &str) -> Vec<(String, Vec<usize>)> {
        let mut out = Vec::new();
        let pk: Vec<usize> = (0..self.columns.len())
            .filter(|&i| self.columns[i].primary_key)
            .collect();
        if !pk.is_empty() {
            out.push((format!("{rel}_pkey"), pk));
        }
        for key in unique_keys_of(&self.columns, &self.unique_keys) {
            let names: Vec<&str> = key
                .iter()
                .filter_map(|&i| self.columns.get(i).map(|c| c.name.as_str()))
                .collect();
            out.push((format!("{rel}_{}_key", names.join("_")), key));
        }
        out
    }
}

/// The UNIQUE constraints of a table: `keys` as declared, or (a table made before they
/// were kept, or by the model itself) one per column flagged `unique`.
pub fn unique_keys_of(columns: &[Column], keys: &[Vec<usize>]) -> Vec<Vec<usize>> {
    if !keys.is_empty() {
        return keys.to_vec();
    }
    (0..columns.len())
        .filter(|&i| columns[i].unique)
        .map(|i| vec![i])
        .collect()
}

/// A login or group role (`pg_authid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub login: bool,
    pub replication: bool,
    pub superuser: bool,
    pub create_role: bool,
    pub create_db: bool,
    /// INHERIT, on unless NOINHERIT.
    pub inherit: bool,
    /// BYPASSRLS: only initdb's superuser has it here (the grammar refuses the option).
    pub bypass_rls: bool,
    /// CONNECTION LIMIT, -1 for none.
    pub connection_limit: i64,
    /// The password as the client must present it (the model keeps it in clear text;
    /// PostgreSQL stores a SCRAM or MD5 verifier).
    pub password: Option<String>,
}

impl Default for Role {
    /// What CREATE ROLE gives without options.
    fn default() -> Role {
        Role {
            login: false,
            replication: false,
            superuser: false,
            create_role: false,
            create_db: false,
            inherit: true,
            bypass_rls: false,
            connection_limit: -1,
            password: None,
        }
    }
}

/// One logical change carried by a WAL record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    CreateTable {
        name: String,
        columns: Vec<Column>,
        /// The table's OID and first file, from the primary's OID counter.
        relfilenode: u32,
        /// Its UNIQUE constraints, as [`Table::unique_keys`].
        unique_keys: Vec<Vec<usize>>,
    },
    DropTable {
        name: String,
    },
    Truncate {
        name: String,
        /// The table's new file.
        relfilenode: u32,
    },
    /// ALTER TABLE ... ADD COLUMN: the column, and what the rows already in the table
    /// read in it (a constant default, or NULL): no rewrite, as PostgreSQL 11 and later
    /// store a constant default once in the catalog.
    AddColumn {
        table: String,
        column: Column,
        fill: Value,
    },
    /// ALTER TABLE ... DROP COLUMN, by position; a UNIQUE constraint or primary key on
    /// it goes with it.
    ///
    /// Simplified: PostgreSQL keeps a dropped column's place in every row (attisdropped);
    /// walscope takes it out of the rows.
    DropColumn {
        table: String,
        column: usize,
    },
    Insert {
        table: String,
        rows: Vec<(u64, Row)>,
    },
    Update {
        table: String,
        rows: Vec<(u64, u64, Row)>,
        /// The old row versions, in `rows`' order: what logical decoding reads the old
        /// key from (under wal_level = logical PostgreSQL logs it in the record).
        old: Vec<Row>,
    },
    Delete {
        table: String,
        ids: Vec<u64>,
        /// The deleted rows, in `ids`' order (their key is in the record under logical).
        old: Vec<Row>,
    },
    SetRole {
        name: String,
        role: Role,
    },
    DropRole {
        name: String,
    },
    /// CREATE or ALTER PUBLICATION (`Some`), DROP PUBLICATION (`None`).
    SetPublication {
        name: String,
        publication: Option<Publication>,
    },
    /// CREATE or ALTER SUBSCRIPTION (`Some`), DROP SUBSCRIPTION (`None`).
    SetSubscription {
        name: String,
        subscription: Option<Box<Subscription>>,
    },
    /// CREATE SEQUENCE, a logged nextval or setval (`Some`: the row as logged), DROP
    /// SEQUENCE (`None`).
    SetSequence {
        name: String,
        sequence: Option<Sequence>,
    },
    /// CREATE EXTENSION (`Some`: its `pg_extension` row; its objects take `oids`
    /// OIDs) or DROP EXTENSION (`None`).
    SetExtension {
        name: String,
        extension: Option<Extension>,
        oids: u32,
    },
}

/// A subscription (`pg_subscription`) with the state of its tables
/// (`pg_subscription_rel`) and its replication origin's progress
/// (`pg_replication_origin_status.remote_lsn`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub oid: u32,
    pub enabled: bool,
    /// The connection string as given.
    pub conninfo: String,
    /// `None` after `SET (slot_name = NONE)`.
    pub slot_name: Option<String>,
    pub publications: Vec<String>,
    /// `ALTER SUBSCRIPTION ... SKIP (lsn = ...)`: the finish LSN of the remote
    /// transaction to skip, 0 for none.
    pub skip_lsn: u64,
    /// Each subscribed table's `pg_subscription_rel` row.
    pub tables: Map<String, SubRel>,
    /// The end of the last remote transaction applied (the origin's remote_lsn).
    pub origin_lsn: u64,
}

/// A publication (`pg_publication`) and the tables it names (`pg_publication_rel`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publication {
    pub oid: u32,
    pub all_tables: bool,
    pub insert: bool,
    pub update: bool,
    pub delete: bool,
    pub truncate: bool,
    /// The tables of a `FOR TABLE` publication, in the order they were added.
    pub tables: Vec<String>,
}

impl Publication {
    /// Whether it publishes `table`.
    pub fn has(&self, table: &str) -> bool {
        self.all_tables || self.tables.iter().any(|t| t == table)
    }
}

/// A subscribed table's state (`pg_subscription_rel`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubRel {
    /// The table's oid on the subscriber (`srrelid`).
    pub relid: u32,
    /// `i` (init), `d` (copying data), `s` (synchronized), `r` (ready).
    pub state: char,
    /// `srsublsn`: where the copy's snapshot was taken.
    pub lsn: Option<u64>,
}

/// What undoes a change that was applied but not yet flushed (lost in a crash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undo {
    Table {
        name: String,
        before: Option<Table>,
    },
    Rows {
        table: String,
        removed: Vec<(u64, Row)>,
        added: Vec<u64>,
        heap_bytes: u64,
    },
    Role {
        name: String,
        before: Option<Role>,
    },
    Publication {
        name: String,
        before: Option<Publication>,
    },
    Subscription {
        name: String,
        before: Option<Box<Subscription>>,
    },
    Extension {
        name: String,
        before: Option<Extension>,
    },
    Sequence {
        name: String,
        before: Option<Sequence>,
    },
}

/// plpgsql's OID, as initdb of PostgreSQL 15.18 gives it.
pub const PLPGSQL_OID: u32 = 13_559;

/// A row of `pg_extension` (the catalog, replicated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub oid: u32,
    pub version: String,
    pub schema: String,
    pub relocatable: bool,
}

/// What initdb puts in `pg_extension`: plpgsql.
pub fn initdb_extensions() -> Map<String, Extension> {
    let mut m = Map::new();
    m.insert(
        "plpgsql".to_string(),
        Extension {
            oid: PLPGSQL_OID,
            version: "1.0".to_string(),
            schema: "pg_catalog".to_string(),
            relocatable: false,
        },
    );
    m
}

/// Bytes a row occupies in a heap tuple's data area (after the 23-byte header), as
/// PostgreSQL lays out int4 and short/long varlena text.
pub fn tuple_data_bytes(row: &[Value]) -> u64 {
    let mut n = 0u64;
    for v in row {
        n += match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Int(i) if i32::try_from(*i).is_ok() => {
                n = (n + 3) & !3;
                4
            }
            Value::Int(_) => {
                n = (n + 7) & !7;
                8
            }
            Value::Text(s) if s.len() < 127 => s.len() as u64 + 1,
            Value::Text(s) => {
                n = (n + 3) & !3;
                s.len() as u64 + 4
            }
        };
    }
    n
}

/// The tables and roles of one server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Database {
    pub tables: Map<String, Table>,
    pub roles: Map<String, Role>,
    /// Publications by name (logical replication's catalog, replicated like any other).
    pub publications: Map<String, Publication>,
    /// Subscriptions by name (pg_subscription, with pg_subscription_rel's states).
    pub subscriptions: Map<String, Box<Subscription>>,
    /// Installed extensions by name (`pg_extension`; initdb installs plpgsql).
    pub extensions: Map<String, Extension>,
    /// Sequences by name. On a primary, the row as its buffer holds it; on a standby,
    /// what the WAL logged (up to 32 values ahead).
    pub sequences: Map<String, Sequence>,
    /// The next tuple id, shared by all tables.
    pub next_tuple: u64,
    /// The OID counter (pg_control's NextOID as this model keeps it): what the next
    /// table or role gets.
    pub next_oid: u32,
}

impl Database {
    /// What initdb creates: the `postgres` superuser and no user tables.
    pub fn initdb() -> Database {
        let mut roles = Map::new();
        roles.insert(
            "postgres".to_string(),
            Role {
                login: true,
                replication: true,
                superuser: true,
                create_role: true,
                create_db: true,
                bypass_rls: true,
                ..Role::default()
            },
        );
        Database {
            tables: Map::new(),
            roles,
            publications: Map::new(),
            subscriptions: Map::new(),
            extensions: initdb_extensions(),
            sequences: Map::new(),
            next_tuple: 1,
            next_oid: FIRST_NORMAL_OID,
        }
    }

    /// Hands out `n` fresh tuple ids.
    pub fn allocate_tuples(&mut self, n: u64) -> u64 {
        let first = self.next_tuple;
        self.next_tuple += n;
        first
    }

    /// Bytes of all relations, for pg_basebackup's size and pg_database_size.
    pub fn data_bytes(&self) -> u64 {
        self.tables
            .values()
            .map(|t| t.heap_bytes.div_ceil(8160) * 8192)
            .sum()
    }

    /// Applies a change and returns what undoes it.
    pub fn apply(&mut self, change: &Change) -> Undo {
        match change {
            Change::CreateTable {
                name,
                columns,
                relfilenode,
                unique_keys,
            } => {
                let uniques = unique_keys_of(columns, unique_keys).len();
                self.next_oid = self
                    .next_oid
                    .max(relfilenode.saturating_add(create_table_oids(columns, uniques)));
                let before = self.tables.insert(
                    name.clone(),
                    Table {
                        columns: columns.clone(),
                        relfilenode: *relfilenode,
                        unique_keys: unique_keys.clone(),
                        ..Table::default()
                    },
                );
                Undo::Table {
                    name: name.clone(),
                    before,
                }
            }
            Change::DropTable { name } => Undo::Table {
                name: name.clone(),
                before: self.tables.remove(name),
            },
            Change::AddColumn {
                table,
                column,
                fill,
            } => {
                let before = self.tables.get(table).cloned();
                if let Some(t) = self.tables.get_mut(table) {
                    // Its default's pg_attrdef row, and a first variable-length column's
                    // TOAST table and index, take OIDs.
                    let toast = toastable(&column.type_name)
                        && !t.columns.iter().any(|c| toastable(&c.type_name));
                    self.next_oid = self
                        .next_oid
                        .saturating_add(u32::from(column.default.is_some()) + 2 * u32::from(toast));
                    t.columns.push(column.clone());
                    for row in t.rows.values_mut() {
                        let mut r = row.to_vec();
                        r.push(fill.clone());
                        *row = Arc::from(r);
                    }
                }
                Undo::Table {
                    name: table.clone(),
                    before,
                }
            }
            Change::DropColumn { table, column } => {
                let before = self.tables.get(table).cloned();
                if let Some(t) = self.tables.get_mut(table) {
                    if *column < t.columns.len() {
                        let keys = unique_keys_of(&t.columns, &t.unique_keys);
                        t.columns.remove(*column);
                        t.unique_keys = keys
                            .into_iter()
                            .filter(|k| !k.contains(column))
                            .map(|k| {
                                k.into_iter()
                                    .map(|i| if i > *column { i - 1 } else { i })
                                    .collect()
                            })
                            .collect();
                        for row in t.rows.values_mut() {
                            let mut r = row.to_vec();
                            if *column < r.len() {
                                r.remove(*column);
                            }
                            *row = Arc::from(r);
                        }
                    }
                }
                Undo::Table {
                    name: table.clone(),
                    before,
                }
            }
            Change::Truncate { name, relfilenode } => {
                let before = self.tables.get(name).cloned();
                if let Some(t) = self.tables.get_mut(name) {
                    t.rows.clear();
                    t.heap_bytes = 0;
                    t.relfilenode = *relfilenode;
                    self.next_oid =
                        self.next_oid
                            .max(relfilenode.saturating_add(storage_relations(
                                &t.columns,
                                unique_keys_of(&t.columns, &t.unique_keys).len(),
                            )));
                }
                Undo::Table {
                    name: name.clone(),
                    before,
                }
            }
            Change::Insert { table, rows } => {
                let mut undo = rows_undo(table, self.heap_bytes(table));
                if let Some(t) = self.tables.get_mut(table) {
                    for (id, row) in rows {
                        t.heap_bytes += 28 + tuple_data_bytes(row);
                        t.rows.insert(*id, row.clone());
                        add_id(&mut undo, *id);
                    }
                }
                self.bump(rows.iter().map(|r| r.0));
                undo
            }
            Change::Update { table, rows, .. } => {
                let mut undo = rows_undo(table, self.heap_bytes(table));
                if let Some(t) = self.tables.get_mut(table) {
                    for (old, new, row) in rows {
                        if let Some(prev) = t.rows.remove(old) {
                            remove_row(&mut undo, *old, prev);
                        }
                        t.heap_bytes += 28 + tuple_data_bytes(row);
                        t.rows.insert(*new, row.clone());
                        add_id(&mut undo, *new);
                    }
                }
                self.bump(rows.iter().map(|r| r.1));
                undo
            }
            Change::Delete { table, ids, .. } => {
                let mut undo = rows_undo(table, self.heap_bytes(table));
                if let Some(t) = self.tables.get_mut(table) {
                    for id in ids {
                        if let Some(prev) = t.rows.remove(id) {
                            remove_row(&mut undo, *id, prev);
                        }
                    }
                }
                undo
            }
            Change::SetRole { name, role } => {
                let before = self.roles.insert(name.clone(), role.clone());
                if before.is_none() {
                    // A new role takes an OID.
                    self.next_oid = self.next_oid.saturating_add(1);
                }
                Undo::Role {
                    name: name.clone(),
                    before,
                }
            }
            Change::DropRole { name } => Undo::Role {
                name: name.clone(),
                before: self.roles.remove(name),
            },
            Change::SetPublication { name, publication } => Undo::Publication {
                name: name.clone(),
                before: match publication {
                    Some(p) => self.publications.insert(name.clone(), p.clone()),
                    None => self.publications.remove(name),
                },
            },
            Change::SetSubscription { name, subscription } => Undo::Subscription {
                name: name.clone(),
                before: match subscription {
                    Some(p) => self.subscriptions.insert(name.clone(), p.clone()),
                    None => self.subscriptions.remove(name),
                },
            },
            Change::SetExtension {
                name,
                extension,
                oids,
            } => Undo::Extension {
                name: name.clone(),
                before: match extension {
                    Some(e) => {
                        self.next_oid = self.next_oid.max(e.oid).saturating_add(*oids);
                        self.extensions.insert(name.clone(), e.clone())
                    }
                    None => self.extensions.remove(name),
                },
            },
            Change::SetSequence { name, sequence } => Undo::Sequence {
                name: name.clone(),
                before: match sequence {
                    Some(seq) => {
                        self.next_oid = self.next_oid.max(seq.oid.saturating_add(1));
                        self.sequences.insert(name.clone(), seq.clone())
                    }
                    None => self.sequences.remove(name),
                },
            },
        }
    }

    /// Reverts a change applied by [`Database::apply`].
    pub fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::Table {
                name,
                before: Some(t),
            } => {
                self.tables.insert(name, t);
            }
            Undo::Table { name, before: None } => {
                self.tables.remove(&name);
            }
            Undo::Rows {
                table,
                removed,
                added,
                heap_bytes,
            } => {
                if let Some(t) = self.tables.get_mut(&table) {
                    for id in added {
                        t.rows.remove(&id);
                    }
                    t.rows.extend(removed);
                    t.heap_bytes = heap_bytes;
                }
            }
            Undo::Role {
                name,
                before: Some(r),
            } => {
                self.roles.insert(name, r);
            }
            Undo::Role { name, before: None } => {
                self.roles.remove(&name);
            }
            Undo::Publication {
                name,
                before: Some(p),
            } => {
                self.publications.insert(name, p);
            }
            Undo::Publication { name, before: None } => {
                self.publications.remove(&name);
            }
            Undo::Subscription {
                name,
                before: Some(p),
            } => {
                self.subscriptions.insert(name, p);
            }
            Undo::Subscription { name, before: None } => {
                self.subscriptions.remove(&name);
            }
            Undo::Extension {
                name,
                before: Some(e),
            } => {
                self.extensions.insert(name, e);
            }
            Undo::Extension { name, before: None } => {
                self.extensions.remove(&name);
            }
            Undo::Sequence {
                name,
                before: Some(seq),
            } => {
                self.sequences.insert(name, seq);
            }
            Undo::Sequence { name, before: None } => {
                self.sequences.remove(&name);
            }
        }
    }

    /// Table `name` as a session sees it while other transactions are committed locally
    /// but still wait for synchronous standbys: their changes, given by what undoes
    /// them (oldest first), are taken back in the copy. PostgreSQL keeps such a
    /// transaction in its proc array until the wait ends, so every snapshot still
    /// counts it as running.
    pub fn table_seen_without<'u>(
        &self,
        name: &str,
        hidden: impl DoubleEndedIterator<Item = &'u Undo>,
    ) -> Option<Table> {
        let mut table = self.tables.get(name).cloned();
        for undo in hidden.rev() {
            match undo {
                Undo::Table { name: n, before } if n == name => table = before.clone(),
                Undo::Rows {
                    table: n,
                    removed,
                    added,
                    heap_bytes,
                } if n == name => {
                    if let Some(t) = table.as_mut() {
                        for id in added {
                            t.rows.remove(id);
                        }
                        t.rows.extend(removed.iter().cloned());
                        t.heap_bytes = *heap_bytes;
                    }
                }
                _ => {}
            }
        }
        table
    }

    /// Whether tuple `id` of table `name` is seen by a session that does not see the
    /// changes `hidden` undoes (oldest first): [`Database::table_seen_without`] for one
    /// tuple, without copying the table.
    pub fn tuple_seen_without<'u>(
        &self,
        name: &str,
        hidden: impl DoubleEndedIterator<Item = &'u Undo>,
        id: u64,
    ) -> bool {
        let mut seen = self
            .tables
            .get(name)
            .is_some_and(|t| t.rows.contains_key(&id));
        for undo in hidden.rev() {
            match undo {
                Undo::Table { name: n, before } if n == name => {
                    seen = before.as_ref().is_some_and(|t| t.rows.contains_key(&id));
                }
                Undo::Rows {
                    table: n,
                    removed,
                    added,
                    ..
                } if n == name => {
                    if added.contains(&id) {
                        seen = false;
                    } else if removed.iter().any(|(r, _)| *r == id) {
                        seen = true;
                    }
                }
                _ => {}
            }
        }
        seen
    }

    fn heap_bytes(&self, table: &str) -> u64 {
        self.tables.get(table).map_or(0, |t| t.heap_bytes)
    }

    fn bump(&mut self, ids: impl Iterator<Item = u64>) {
        if let Some(max) = ids.max() {
            self.next_tuple = self.next_tuple.max(max + 1);
        }
    }
}

fn rows_undo(table: &str, heap_bytes: u64) -> Undo {
    Undo::Rows {
        table: table.to_string(),
        removed: Vec::new(),
        added: Vec::new(),
        heap_bytes,
    }
}

fn add_id(undo: &mut Undo, id: u64) {
    if let Undo::Rows { added, .. } = undo {
        added.push(id);
    }
}

fn remove_row(undo: &mut Undo, id: u64, row: Row) {
    if let Undo::Rows { removed, .. } = undo {
        removed.push((id, row));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int_table() -> Change {
        Change::CreateTable {
            name: "test".into(),
            columns: vec![Column {
                name: "id".into(),
                type_name: "int".into(),
                kind: ColumnKind::Int,
                not_null: false,
                primary_key: false,
                unique: false,
                default: None,
            }],
            relfilenode: FIRST_NORMAL_OID,
            unique_keys: vec![],
        }
    }

    #[test]
    fn undo_restores_the_state_before_a_change() {
        let mut db = Database::initdb();
        db.apply(&int_table());
        let row: Row = Arc::from(vec![Value::Int(1)]);
        db.apply(&Change::Insert {
            table: "test".into(),
            rows: vec![(1, row.clone())],
        });
        let before = db.clone();
        let undo = db.apply(&Change::Update {
            table: "test".into(),
            rows: vec![(1, 2, Arc::from(vec![Value::Int(3)]))],
            old: vec![row.clone()],
        });
        assert_ne!(db, before);
        db.undo(undo);
        assert_eq!(db.tables, before.tables);
    }

    #[test]
    fn tuple_sizes_follow_heap_layout() {
        assert_eq!(tuple_data_bytes(&[Value::Int(1)]), 4);
        let pad: Arc<str> = Arc::from("x".repeat(500));
        assert_eq!(tuple_data_bytes(&[Value::Int(1), Value::Text(pad)]), 508);
    }
}
