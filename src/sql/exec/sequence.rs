//! CREATE SEQUENCE, DROP SEQUENCE, a sequence read as a relation, and nextval, currval,
//! setval and lastval (sequence.c). The rule for when nextval writes WAL is the
//! model's (`sim/sequence.rs`); here its records join the statement's transaction.

use crate::sim::db::{Change, Sequence};
use crate::sim::sequence::max_of;
use crate::sim::wal;
use crate::sql::{SequenceOptions, ServerError};

use super::value::Val;
use super::{Exec, Res, Rows, StatementResult};

/// A sequence's row under its name.
pub(super) type Named = (String, Sequence);

/// A sequence name as regclass's input reads it: folded to lower case unless quoted,
/// without the `public.` schema.
fn regclass_name(text: &str) -> String {
    let t = text.trim();
    let t = t.strip_prefix("public.").unwrap_or(t);
    match t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(q) => q.replace("\"\"", "\""),
        None => t.to_lowercase(),
    }
}

impl Exec<'_> {
    fn sequence(&self, name: &str) -> Option<Sequence> {
        self.c
            .data(self.h)
            .and_then(|d| d.db.sequences.get(name))
            .cloned()
    }

    /// A relation of either kind by this name (tables and sequences share pg_class).
    pub(super) fn relation_exists(&self, name: &str) -> bool {
        self.table_shape(name).is_ok() || self.sequence(name).is_some()
    }

    /// A new sequence's row and options, checked as DefineSequence checks them.
    pub(super) fn new_sequence(&self, o: &SequenceOptions, oid: u32) -> Res<Sequence> {
        let type_name = o.type_name.unwrap_or("bigint");
        let increment = o.increment.unwrap_or(1);
        if increment == 0 {
            return Err(ServerError::new("INCREMENT must not be zero"));
        }
        let max = o
            .max
            .unwrap_or(if increment > 0 { max_of(type_name) } else { -1 });
        if max > max_of(type_name) {
            return Err(ServerError::new(format!(
                "MAXVALUE ({max}) is out of range for sequence data type {type_name}"
            )));
        }
        let mut seq = Sequence::new(1, increment, max, type_name, oid);
        let start = o.start.unwrap_or(if increment > 0 { seq.min } else { max });
        if start < seq.min {
            return Err(ServerError::new(format!(
                "START value ({start}) cannot be less than MINVALUE ({})",
                seq.min
            )));
        }
        if start > seq.max {
            return Err(ServerError::new(format!(
                "START value ({start}) cannot be greater than MAXVALUE ({})",
                seq.max
            )));
        }
        seq.start = start;
        seq.last_value = start;
        seq.logged = (start, false);
        Ok(seq)
    }

    pub(super) fn create_sequence(
        &mut self,
        name: String,
        if_not_exists: bool,
        options: SequenceOptions,
    ) -> Res<StatementResult> {
        self.read_only("CREATE SEQUENCE")?;
        if self.relation_exists(&name) {
            if if_not_exists {
                return Ok(StatementResult::Tag(format!(
                    "NOTICE:  relation \"{name}\" already exists, skipping\nCREATE SEQUENCE"
                )));
            }
            return Err(ServerError::new(format!(
                "relation \"{name}\" already exists"
            )));
        }
        let seq = self.new_sequence(&options, self.next_oid())?;
        let r = self.commit(
            vec![(
                wal::CREATE_SEQUENCE_RECORD,
                Change::SetSequence {
                    name: name.clone(),
                    sequence: Some(seq),
                },
            )],
            "CREATE SEQUENCE",
        );
        self.written_now(&[name]);
        r
    }

    pub(super) fn drop_sequence(
        &mut self,
        names: Vec<String>,
        if_exists: bool,
    ) -> Res<StatementResult> {
        self.drop_objects(
            "sequence",
            names,
            if_exists,
            &|x, n| x.sequence(n).is_some(),
            &|_, n| {
                vec![(
                    wal::DROP_SEQUENCE_RECORD,
                    Change::SetSequence {
                        name: n,
                        sequence: None,
                    },
                )]
            },
        )
    }

    /// `SELECT * FROM seq`: its one row.
    pub(super) fn sequence_rows(&self, name: &str) -> Option<Rows> {
        let s = self.sequence(name)?;
        Some(Rows {
            columns: vec!["last_value".into(), "log_cnt".into(), "is_called".into()],
            rows: vec![vec![
                Val::BigInt(s.last_value),
                Val::BigInt(s.log_cnt),
                Val::Bool(s.is_called),
            ]],
        })
    }

    /// The sequence a regclass argument names, or PostgreSQL's error at the literal.
    fn sequence_arg(&self, v: &Val) -> Res<(String, Sequence)> {
        let text = v.text().unwrap_or_default();
        let name = regclass_name(&text);
        match self.sequence(&name) {
            Some(s) => Ok((name, s)),
            None if self.table_shape(&name).is_ok() => {
                Err(ServerError::new(format!("\"{name}\" is not a sequence")))
            }
            None => Err(
                ServerError::new(format!("relation \"{name}\" does not exist"))
                    .at(self.locate_literal(&text)),
            ),
        }
    }

    /// Remembers what nextval or setval returned, for currval and lastval.
    fn remember(&mut self, name: &str, value: i64) {
        if let Some(s) = self
            .c
            .host_mut(self.h)
            .server
            .as_mut()
            .and_then(|s| s.sessions.get_mut(self.session))
        {
            match s.sequence_values.iter_mut().find(|(n, _)| n == name) {
                Some((_, v)) => *v = value,
                None => s.sequence_values.push((name.to_string(), value)),
            }
            s.last_sequence = Some(name.to_string());
        }
    }

    /// Queues the record of a logged sequence row and keeps the primary's own row.
    fn log_sequence(&mut self, name: &str, logged: Sequence, current: Sequence) {
        let redo = self.c.data(self.h).map(|d| d.redo);
        let fpi = redo.is_some_and(|r| current.page_lsn <= r.0);
        let size = wal::SEQUENCE_RECORD + if fpi { wal::SEQUENCE_FPI } else { 0 };
        self.sequence_writes.push((
            size,
            Change::SetSequence {
                name: name.to_string(),
                sequence: Some(logged),
            },
        ));
        self.set_sequence(name, current);
    }

    fn set_sequence(&mut self, name: &str, seq: Sequence) {
        if let Some(d) = self.c.data_mut(self.h) {
            d.db.sequences.insert(name.to_string(), seq);
        }
    }

    /// nextval(regclass).
    pub(super) fn nextval(&mut self, arg: &Val) -> Res<Val> {
        let (name, mut seq) = self.sequence_arg(arg)?;
        self.read_only("nextval()")?;
        let checkpointed = self
            .c
            .data(self.h)
            .is_some_and(|d| seq.page_lsn <= d.redo.0);
        let next = seq.nextval(&name, checkpointed).map_err(ServerError::new)?;
        match next.logged {
            Some(logged) => self.log_sequence(&name, logged, seq),
            None => self.set_sequence(&name, seq),
        }
        self.remember(&name, next.value);
        Ok(Val::BigInt(next.value))
    }

    /// setval(regclass, bigint [, boolean]).
    pub(super) fn setval(&mut self, args: &[Val]) -> Res<Val> {
        let (name, mut seq) = self.sequence_arg(&args[0])?;
        self.read_only("setval()")?;
        let Some(value) = args.get(1).and_then(Val::int) else {
            return Err(ServerError::new(
                "function setval(unknown, unknown) does not exist",
            ));
        };
        let is_called = !matches!(args.get(2), Some(Val::Bool(false)));
        let logged = seq
            .setval(&name, value, is_called)
            .map_err(ServerError::new)?;
        self.log_sequence(&name, logged, seq);
        if is_called {
            self.remember(&name, value);
        }
        Ok(Val::BigInt(value))
    }

    /// currval(regclass).
    pub(super) fn currval(&mut self, arg: &Val) -> Res<Val> {
        let (name, _) = self.sequence_arg(arg)?;
        self.session_sequence_value(&name)
            .map(Val::BigInt)
            .ok_or_else(|| {
                ServerError::new(format!(
                    "currval of sequence \"{name}\" is not yet defined in this session"
                ))
            })
    }

    /// lastval().
    pub(super) fn lastval(&mut self) -> Res<Val> {
        let last = self
            .c
            .server(self.h)
            .and_then(|s| s.sessions.get(self.session))
            .and_then(|s| s.last_sequence.clone());
        last.and_then(|n| self.session_sequence_value(&n))
            .map(Val::BigInt)
            .ok_or_else(|| ServerError::new("lastval is not yet defined in this session"))
    }

    fn session_sequence_value(&self, name: &str) -> Option<i64> {
        self.c
            .server(self.h)
            .and_then(|s| s.sessions.get(self.session))
            .and_then(|s| {
                s.sequence_values
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| *v)
            })
    }

    /// The sequence records queued by nextval and setval, before `changes`; the caller
    /// commits them together and then calls [`Exec::keep_sequences`].
    pub(super) fn with_sequence_writes(
        &mut self,
        changes: Vec<(u64, Change)>,
    ) -> (Vec<(u64, Change)>, Vec<Named>) {
        let writes = std::mem::take(&mut self.sequence_writes);
        let current = writes
            .iter()
            .filter_map(|(_, c)| match c {
                Change::SetSequence { name, .. } => self.sequence(name).map(|s| (name.clone(), s)),
                _ => None,
            })
            .collect();
        (writes.into_iter().chain(changes).collect(), current)
    }

    /// After a commit that logged sequence rows: the primary keeps its own rows (the
    /// records logged values ahead), their pages now as new as the WAL.
    pub(super) fn keep_sequences(&mut self, current: Vec<Named>) {
        let mut names = Vec::new();
        for (name, seq) in current {
            if self.sequence(&name).is_some() {
                self.set_sequence(&name, seq);
                names.push(name);
            }
        }
        self.written_now(&names);
    }

    /// New sequences' pages, written by the records just committed: their LSN is the
    /// WAL's end, past any checkpoint so far.
    pub(super) fn written_now(&mut self, names: &[String]) {
        let Some(d) = self.c.data_mut(self.h) else {
            return;
        };
        let lsn = d.wal.insert.0;
        for n in names {
            if let Some(seq) = d.db.sequences.get_mut(n) {
                seq.page_lsn = lsn;
            }
        }
    }

    /// Writes sequence records no other change of the statement carried, in a
    /// transaction of their own.
    pub(crate) fn write_sequences(&mut self) {
        if self.sequence_writes.is_empty() {
            return;
        }
        let (changes, current) = self.with_sequence_writes(Vec::new());
        let query = self.sql.trim().to_string();
        let _ = self
            .c
            .commit_changes(self.h, self.session, changes, "SELECT", &query);
        self.keep_sequences(current);
    }
}
