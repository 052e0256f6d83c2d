//! INSERT, UPDATE, DELETE, TRUNCATE and the commit every writing statement ends with.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::sim::db::{tuple_data_bytes, Change, Column, ColumnDefault, ColumnKind, Row, Value};
use crate::sim::{wal, WriteOutcome};
use crate::sql::{Expr, InsertSource, ServerError};

use super::limits::check_stored;
use super::value::{from_value, int4, parse_bool, type_name, Val};
use super::{Exec, Res, Rows, StatementResult};

impl Exec<'_> {
    pub(super) fn commit(
        &mut self,
        changes: Vec<(u64, Change)>,
        tag: &str,
    ) -> Res<StatementResult> {
        if changes.is_empty() {
            return Ok(StatementResult::Tag(tag.to_string()));
        }
        let query = self.sql.trim().to_string();
        let (changes, sequences) = self.with_sequence_writes(changes);
        let outcome = self
            .c
            .commit_changes(self.h, self.session, changes, tag, &query);
        self.keep_sequences(sequences);
        match outcome {
            WriteOutcome::Done => Ok(StatementResult::Tag(tag.to_string())),
            WriteOutcome::Waiting => Ok(StatementResult::Waiting),
            WriteOutcome::Panicked(text) => Ok(StatementResult::Lost(text)),
        }
    }

    pub(super) fn coerce(&self, v: Val, col: &Column) -> Res<Value> {
        Ok(match (v, col.kind) {
            (Val::Null, _) => Value::Null,
            (Val::Int(i) | Val::BigInt(i), ColumnKind::Int) => {
                // An integer column holds 32 bits; bigint and numeric ones hold 64.
                if matches!(
                    col.type_name.as_str(),
                    "int" | "integer" | "int4" | "serial"
                ) {
                    Value::Int(int4(i128::from(i))?)
                } else {
                    Value::Int(i)
                }
            }
            (Val::Num(n), ColumnKind::Int) => Value::Int(n.round() as i64),
            (Val::Text(s), ColumnKind::Int) => Value::Int(s.trim().parse().map_err(|_| {
                ServerError::new(format!("invalid input syntax for type integer: \"{s}\""))
            })?),
            (Val::Bool(b), ColumnKind::Bool) => Value::Bool(b),
            (Val::Text(s), ColumnKind::Bool) => Value::Bool(parse_bool(&s).ok_or_else(|| {
                ServerError::new(format!("invalid input syntax for type boolean: \"{s}\""))
            })?),
            (Val::Int(_) | Val::BigInt(_), ColumnKind::Bool) => {
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

    pub(super) fn insert(
        &mut self,
        table: String,
        columns: Vec<String>,
        source: InsertSource,
    ) -> Res<StatementResult> {
        self.read_only("INSERT")?;
        let t = self.table_shape(&table)?;
        self.open_relation_file(&table)?;
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
        // VALUES rows are computed one at a time as the executor inserts them (a row
        // that fails comes after the earlier rows' WAL); a query's rows up front.
        let (value_rows, value_exprs): (Vec<Vec<Val>>, Vec<Vec<Expr>>) = match source {
            InsertSource::DefaultValues => (vec![vec![]], vec![]),
            InsertSource::Values(rows) => (vec![], rows),
            InsertSource::Query(sel) => (self.select(&sel)?.rows, vec![]),
        };
        let count = value_rows.len() + value_exprs.len();
        let mut value_rows = value_rows.into_iter();
        let mut rows: Vec<Row> = Vec::with_capacity(count);
        // Identical text values share one allocation (200,000 copies of repeat('x', 500)).
        let mut interned: BTreeMap<String, Arc<str>> = BTreeMap::new();
        let indexes = UniqueIndex::all(&t, &table);
        let mut keys: Vec<_> = indexes
            .iter()
            .map(|ix| self.stored_keys(&table, ix))
            .collect();
        // WAL the statement has written so far: on an error its transaction aborts
        // and that WAL stays, with an abort record after it.
        let mut written = 0u64;
        for k in 0..count {
            let vals = match value_exprs.get(k) {
                Some(r) => {
                    let evaluated = r
                        .iter()
                        .map(|e| match e {
                            Expr::Default => Ok(Val::Null),
                            e => self.eval(e, &Rows::default(), &[]),
                        })
                        .collect::<Res<Vec<_>>>();
                    self.or_abort(evaluated, written)?
                }
                None => value_rows.next().unwrap_or_default(),
            };
            if vals.len() > targets.len() {
                return Err(ServerError::new(
                    "INSERT has more expressions than target columns",
                ));
            }
            // Columns the INSERT leaves out, a short VALUES row leaves, or DEFAULT
            // names get their defaults.
            let is_default =
                |i: usize| value_exprs.get(k).and_then(|r| r.get(i)) == Some(&Expr::Default);
            let given: Vec<usize> = (0..vals.len().min(targets.len()))
                .filter(|&i| !is_default(i))
                .map(|i| targets[i])
                .collect();
            let defaults = self.defaults(&t.columns, &given);
            let mut row = self.or_abort(defaults, written)?;
            for (v, &col) in vals.into_iter().zip(&targets) {
                if !given.contains(&col) {
                    continue;
                }
                let value = self.coerce(v, &t.columns[col]);
                let value = self.or_abort(value, written)?;
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
            let checked = not_null(&t, &table, &row);
            self.or_abort(checked, written)?;
            // The index insert after the heap insert: a key already in the table or
            // earlier in this statement fails it, and the whole statement with it.
            written += wal::align8(wal::INSERT_BASE + tuple_data_bytes(&row));
            for (ix, keys) in indexes.iter().zip(keys.iter_mut()) {
                let key = ix.key(&row);
                if ix.checked(&key) && keys.contains_key(&key) {
                    self.c.write_aborted(self.h, written);
                    return Err(ix.duplicate(&key));
                }
                written += ix.index_insert_bytes(&row);
                keys.insert(key, u64::MAX);
            }
            rows.push(Arc::from(row));
        }
        let n = rows.len();
        let (stored_rows, stored_bytes) = self.stored();
        let added: u64 = rows.iter().map(|r| 28 + tuple_data_bytes(r)).sum();
        check_stored(stored_rows + n, stored_bytes + added)?;
        let size = written;
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

    /// A new row before the INSERT's values go in: the default of each column the
    /// INSERT does not name (a serial column's nextval is drawn only then).
    fn defaults(&mut self, columns: &[Column], targets: &[usize]) -> Res<Vec<Value>> {
        let mut row = vec![Value::Null; columns.len()];
        for (i, c) in columns.iter().enumerate() {
            if targets.contains(&i) {
                continue;
            }
            row[i] = match &c.default {
                None => Value::Null,
                Some(ColumnDefault::Value(v)) => v.clone(),
                Some(ColumnDefault::Nextval(seq)) => {
                    let v = self.nextval(&Val::Text(seq.clone()))?;
                    self.coerce(v, c)?
                }
            };
        }
        Ok(row)
    }

    /// `r`, after writing the abort of what the failing statement wrote (`written`
    /// bytes of WAL) when it is an error.
    fn or_abort<T>(&mut self, r: Res<T>, written: u64) -> Res<T> {
        if r.is_err() {
            self.c.write_aborted(self.h, written);
        }
        r
    }

    pub(super) fn table_rows(&self, t: &crate::sim::db::Table) -> Rows {
        Rows {
            columns: t.columns.iter().map(|c| c.name.clone()).collect(),
            rows: t
                .rows
                .values()
                .map(|r| r.iter().map(from_value).collect())
                .collect(),
        }
    }

    pub(super) fn matching(
        &mut self,
        table: &str,
        filter: &Option<Expr>,
    ) -> Res<(crate::sim::db::Table, Vec<u64>)> {
        let t = self.table(table)?;
        self.open_relation_file(table)?;
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

    pub(super) fn update(
        &mut self,
        table: String,
        assignments: Vec<(String, Expr)>,
        filter: Option<Expr>,
    ) -> Res<StatementResult> {
        self.read_only("UPDATE")?;
        self.check_replica_identity(&table, false)?;
        let (t, ids) = self.matching(&table, &filter)?;
        let rows = self.table_rows(&t);
        let mut out = Vec::new();
        let mut size = 0;
        let (stored_rows, mut stored_bytes) = self.stored();
        let indexes = UniqueIndex::all(&t, &table);
        let mut keys: Vec<_> = indexes
            .iter()
            .map(|ix| self.stored_keys(&table, ix))
            .collect();
        for id in &ids {
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
                let v = self.eval(e, &rows, &vals);
                let v = self.or_abort(v, size)?;
                let v = self.coerce(v, &t.columns[i]);
                new[i] = self.or_abort(v, size)?;
            }
            let checked = not_null(&t, &table, &new);
            self.or_abort(checked, size)?;
            // Rows are updated in heap order, each checked against the keys of the
            // rows not yet updated and of those already updated (_bt_check_unique does
            // not count a version this statement deleted): `SET id = id + 1` over 3 and
            // 4 fails on 4. A new key means a non-HOT update and an index entry.
            // A new key in any index makes the update non-HOT: every index gets an entry.
            let changed = indexes.iter().any(|ix| ix.key(old) != ix.key(&new));
            for (ix, keys) in indexes.iter().zip(keys.iter_mut()) {
                let (old_key, new_key) = (ix.key(old), ix.key(&new));
                if old_key != new_key {
                    if keys.get(&old_key) == Some(id) {
                        keys.remove(&old_key);
                    }
                    if ix.checked(&new_key) && keys.contains_key(&new_key) {
                        // The new row version is in the heap (and in the indexes
                        // checked before this one) when the duplicate is found.
                        let heap = wal::align8(wal::UPDATE_BASE + tuple_data_bytes(&new));
                        self.c.write_aborted(self.h, size + heap);
                        return Err(ix.duplicate(&new_key));
                    }
                    keys.insert(new_key, *id);
                }
                if changed {
                    size += ix.index_insert_bytes(&new);
                }
            }
            // The new row version is added to the heap; the old one stays until vacuum.
            stored_bytes += 28 + tuple_data_bytes(&new);
            check_stored(stored_rows, stored_bytes)?;
            size += wal::align8(wal::UPDATE_BASE + tuple_data_bytes(&new));
            out.push((*id, Arc::from(new), old.clone()));
        }
        let first = self
            .c
            .host_mut(self.h)
            .data
            .as_mut()
            .map_or(1, |d| d.db.allocate_tuples(out.len() as u64));
        let old: Vec<_> = out.iter().map(|(_, _, o)| o.clone()).collect();
        let out: Vec<_> = out
            .into_iter()
            .enumerate()
            .map(|(k, (id, row, _))| (id, first + k as u64, row))
            .collect();
        let n = out.len();
        let changes = if n == 0 {
            vec![]
        } else {
            vec![(
                size,
                Change::Update {
                    table,
                    rows: out,
                    old,
                },
            )]
        };
        self.commit(changes, &format!("UPDATE {n}"))
    }

    /// Every key of the table's index, with its row: all rows written, as the index
    /// holds them, whatever this session's snapshot sees.
    fn stored_keys(&self, table: &str, pk: &UniqueIndex) -> BTreeMap<Vec<Value>, u64> {
        self.c
            .host(self.h)
            .data
            .as_ref()
            .and_then(|d| d.db.tables.get(table))
            .map(|t| pk.existing(t))
            .unwrap_or_default()
    }

    /// The rows and heap bytes the server's tables hold (the store [`check_stored`] limits).
    fn stored(&self) -> (usize, u64) {
        self.c.host(self.h).data.as_ref().map_or((0, 0), |d| {
            d.db.tables
                .values()
                .fold((0, 0), |(r, b), t| (r + t.rows.len(), b + t.heap_bytes))
        })
    }

    pub(super) fn delete(&mut self, table: String, filter: Option<Expr>) -> Res<StatementResult> {
        self.read_only("DELETE")?;
        self.check_replica_identity(&table, true)?;
        let (t, ids) = self.matching(&table, &filter)?;
        let n = ids.len();
        let size = wal::DELETE_RECORD * n as u64;
        let old = ids
            .iter()
            .filter_map(|id| t.rows.get(id).cloned())
            .collect();
        let changes = if n == 0 {
            vec![]
        } else {
            vec![(size, Change::Delete { table, ids, old })]
        };
        self.commit(changes, &format!("DELETE {n}"))
    }

    pub(super) fn truncate(&mut self, names: Vec<String>) -> Res<StatementResult> {
        self.read_only("TRUNCATE TABLE")?;
        let mut changes = Vec::new();
        let mut relfilenode = self.next_oid();
        for n in names {
            let t = self.table(&n)?;
            changes.push((
                200,
                Change::Truncate {
                    name: n,
                    relfilenode,
                },
            ));
            let uniques = crate::sim::db::unique_keys_of(&t.columns, &t.unique_keys).len();
            relfilenode =
                relfilenode.saturating_add(crate::sim::db::storage_relations(&t.columns, uniques));
        }
        self.commit(changes, "TRUNCATE TABLE")
    }
}

/// A unique btree index of a table: the primary key's `TABLE_pkey` or a UNIQUE
/// constraint's `TABLE_COLUMN_key`, enforced as the index enforces it.
struct UniqueIndex {
    /// The constraint's name (the model does not keep a CONSTRAINT name).
    name: String,
    /// The key columns, in the table's column order.
    cols: Vec<usize>,
    names: Vec<String>,
}

impl UniqueIndex {
    /// The table's unique indexes in the order PostgreSQL checks them: the primary key
    /// (created first), then each UNIQUE constraint as declared.
    fn all(t: &crate::sim::db::Table, table: &str) -> Vec<UniqueIndex> {
        let rel = table.rsplit('.').next().unwrap_or(table);
        t.unique_indexes(rel)
            .into_iter()
            .map(|(name, cols)| UniqueIndex {
                name,
                names: cols
                    .iter()
                    .filter_map(|&i| t.columns.get(i).map(|c| c.name.clone()))
                    .collect(),
                cols,
            })
            .collect()
    }

    /// NULLs are distinct: a key with a NULL never conflicts.
    fn checked(&self, key: &[Value]) -> bool {
        !key.contains(&Value::Null)
    }

    fn key(&self, row: &[Value]) -> Vec<Value> {
        self.cols
            .iter()
            .map(|&i| row.get(i).cloned().unwrap_or(Value::Null))
            .collect()
    }

    /// Every key in the table, with its row.
    fn existing(&self, t: &crate::sim::db::Table) -> BTreeMap<Vec<Value>, u64> {
        t.rows.iter().map(|(id, r)| (self.key(r), *id)).collect()
    }

    /// `ERROR:  duplicate key value violates unique constraint "t_pkey"` and its DETAIL
    /// (BuildIndexValueDescription: the columns and the values' text, ", "-joined).
    fn duplicate(&self, key: &[Value]) -> ServerError {
        let vals: Vec<String> = key.iter().map(value_text).collect();
        ServerError {
            detail: Some(format!(
                "Key ({})=({}) already exists.",
                self.names.join(", "),
                vals.join(", ")
            )),
            ..ServerError::new(format!(
                "duplicate key value violates unique constraint \"{}\"",
                self.name
            ))
        }
    }

    /// The btree insert record for a row's key: 48 bytes of record and block headers and
    /// the index tuple (8-byte header and the key data, MAXALIGNed). Measured on
    /// PostgreSQL 15.18 with pg_current_wal_insert_lsn() around INSERTs: an int key
    /// and a 3-character text key add 64 bytes to the row's 104, a 16-character one 80.
    /// A key with a NULL carries the index tuple's null bitmap (4 bytes more before
    /// MAXALIGN: a UNIQUE int key of NULL writes 168 bytes with its row, as 5 does).
    fn index_insert_bytes(&self, row: &[Value]) -> u64 {
        let key = self.key(row);
        let header = if key.contains(&Value::Null) { 12 } else { 8 };
        wal::align8(48 + wal::align8(header + tuple_data_bytes(&key)))
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => if *b { "t" } else { "f" }.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Text(s) => s.to_string(),
    }
}

/// ExecConstraints' NOT NULL check: the first column declared NOT NULL that holds a
/// null, with the whole row as PostgreSQL shows it (`(2, null, t)`).
fn not_null(t: &crate::sim::db::Table, table: &str, row: &[Value]) -> Res<()> {
    let Some(c) = t
        .columns
        .iter()
        .zip(row)
        .find_map(|(c, v)| (c.not_null && *v == Value::Null).then_some(c))
    else {
        return Ok(());
    };
    let shown: Vec<String> = row
        .iter()
        .map(|v| match v {
            Value::Null => "null".to_string(),
            Value::Bool(b) => if *b { "t" } else { "f" }.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Text(s) => s.to_string(),
        })
        .collect();
    Err(ServerError {
        detail: Some(format!("Failing row contains ({}).", shown.join(", "))),
        ..ServerError::new(format!(
            "null value in column \"{}\" of relation \"{table}\" violates not-null constraint",
            c.name
        ))
    })
}
