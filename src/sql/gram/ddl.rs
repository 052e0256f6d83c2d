//! CREATE, DROP, TRUNCATE and ALTER of tables, and the statements walscope names but
//! does not model.

use crate::sql::ast::{AlterTableAction, ColumnDef, Statement};
use crate::sql::error::{ServerError, DROP_ROLE_SPECIAL};
use crate::sql::keywords::{ALTER_OTHER, CREATE_OTHER, DROP_OTHER};

use super::{PResult, Parser, PkConstraint, L_ESCAPE};

impl Parser<'_> {
    pub(super) fn create(&mut self) -> PResult<Statement> {
        let idx = self.pos;
        self.advance();
        if self.is_kw("or") && self.is_kw_at(1, "replace") {
            return self.unsupported(idx, "CREATE OR REPLACE");
        }
        let Some(w) = self.kw() else {
            return self.fail();
        };
        match w.as_str() {
            "table" => self.create_table(),
            "sequence" => self.create_sequence(),
            "publication" => self.create_publication(),
            "extension" => self.create_extension(),
            "subscription" => self.create_subscription(),
            "temp" | "temporary" | "local" | "global" => {
                self.unsupported(idx, "CREATE TEMPORARY TABLE")
            }
            "unlogged" => self.unsupported(idx, "CREATE UNLOGGED TABLE"),
            "user" if self.is_kw_at(1, "mapping") => self.unsupported(idx, "CREATE USER MAPPING"),
            "role" | "user" => {
                self.advance();
                let name = self.role_id()?;
                self.eat_kw("with");
                let opts = self.role_options(true)?;
                self.check_role_options(&opts);
                let options = opts.into_iter().map(|(o, _)| o).collect();
                Ok(Statement::CreateRole {
                    name,
                    options,
                    is_user: w == "user",
                })
            }
            w if CREATE_OTHER.contains(&w) => {
                self.unsupported(idx, &format!("CREATE {}", w.to_ascii_uppercase()))
            }
            _ => self.fail(),
        }
    }

    pub(super) fn create_table(&mut self) -> PResult<Statement> {
        self.advance();
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        let relname = name.rsplit('.').next().unwrap_or("").to_string();
        if self.is_kw("of") || self.is_kw("partition") || self.is_kw("as") {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &format!("CREATE TABLE ... {what}"));
        }
        self.expect_punct(b'(')?;
        let mut columns: Vec<ColumnDef> = Vec::new();
        let mut pks: Vec<PkConstraint> = Vec::new();
        let mut uniques: Vec<PkConstraint> = Vec::new();
        let mut null_conflict: Option<ServerError> = None;
        if !self.eat_punct(b')') {
            loop {
                let el = self.pos;
                let named = self.eat_kw("constraint");
                if named {
                    self.col_id()?;
                }
                if self.eat_kw("primary") {
                    self.expect_kw("key")?;
                    self.expect_punct(b'(')?;
                    let mut keys = vec![self.col_id()?];
                    while self.eat_punct(b',') {
                        keys.push(self.col_id()?);
                    }
                    self.expect_punct(b')')?;
                    self.index_options()?;
                    pks.push(PkConstraint { at: el, keys });
                } else if self.is_kw("unique") && self.is_punct_at(1, b'(') {
                    self.skip(2);
                    let mut keys = vec![self.col_id()?];
                    while self.eat_punct(b',') {
                        keys.push(self.col_id()?);
                    }
                    self.expect_punct(b')')?;
                    self.index_options()?;
                    uniques.push(PkConstraint { at: el, keys });
                } else if self.is_any_kw(&["unique", "check", "foreign", "exclude"]) {
                    let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                    return self.unsupported(el, &format!("{what} constraints"));
                } else if named {
                    return self.fail();
                } else if self.is_kw("like") {
                    return self.unsupported(el, "CREATE TABLE ... (LIKE ...)");
                } else {
                    let col = self.column_def(&relname, &mut pks, &mut null_conflict)?;
                    if col.unique {
                        uniques.push(PkConstraint {
                            at: el,
                            keys: vec![col.name.clone()],
                        });
                    }
                    columns.push(col);
                }
                if !self.eat_punct(b',') {
                    break;
                }
            }
            self.expect_punct(b')')?;
        }
        if self.is_any_kw(&[
            "inherits",
            "partition",
            "using",
            "with",
            "without",
            "on",
            "tablespace",
        ]) {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &format!("CREATE TABLE ... {what}"));
        }
        let mut unique_keys: Vec<Vec<String>> = Vec::new();
        match null_conflict {
            Some(e) => self.set_pending(e),
            None => {
                self.apply_primary_keys(&relname, &mut columns, &pks);
                unique_keys = self.unique_constraints(&mut columns, &uniques, pks.first());
            }
        }
        Ok(Statement::CreateTable {
            name,
            if_not_exists,
            columns,
            unique_keys,
        })
    }

    /// transformIndexConstraint's checks of each UNIQUE constraint (its columns exist,
    /// none twice), then transformIndexConstraints' pruning: a constraint that repeats
    /// the primary key or an earlier one makes no index. Marks a one-column key's column
    /// `unique` and returns the keys in the order declared.
    fn unique_constraints(
        &mut self,
        columns: &mut [ColumnDef],
        uniques: &[PkConstraint],
        pk: Option<&PkConstraint>,
    ) -> Vec<Vec<String>> {
        let mut keys: Vec<Vec<String>> = Vec::new();
        for c in columns.iter_mut() {
            c.unique = false;
        }
        for u in uniques {
            // INDEX_MAX_KEYS.
            if u.keys.len() > 32 {
                let msg = "cannot use more than 32 columns in an index".to_string();
                self.set_pending(self.msg_at(u.at, msg));
                return Vec::new();
            }
            let mut seen: Vec<&str> = Vec::new();
            for key in &u.keys {
                if !columns.iter().any(|c| &c.name == key) {
                    let msg = format!("column \"{key}\" named in key does not exist");
                    self.set_pending(self.msg_at(u.at, msg));
                    return Vec::new();
                }
                if seen.contains(&key.as_str()) {
                    let msg = format!("column \"{key}\" appears twice in unique constraint");
                    self.set_pending(self.msg_at(u.at, msg));
                    return Vec::new();
                }
                seen.push(key);
            }
            if pk.is_some_and(|p| p.keys == u.keys) || keys.contains(&u.keys) {
                continue;
            }
            keys.push(u.keys.clone());
        }
        for k in &keys {
            if let [one] = k.as_slice() {
                if let Some(c) = columns.iter_mut().find(|c| &c.name == one) {
                    c.unique = true;
                }
            }
        }
        keys
    }

    pub(super) fn index_options(&mut self) -> PResult<()> {
        if self.is_any_kw(&["include", "with", "using"]) {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(self.pos, &format!("PRIMARY KEY ... {what}"));
        }
        Ok(())
    }

    pub(super) fn column_def(
        &mut self,
        relname: &str,
        pks: &mut Vec<PkConstraint>,
        null_conflict: &mut Option<ServerError>,
    ) -> PResult<ColumnDef> {
        let name = self.col_id()?;
        let type_name = self.typename()?;
        let mut col = ColumnDef {
            name,
            type_name,
            primary_key: false,
            not_null: false,
            unique: false,
            default: None,
        };
        let mut saw_nullable = false;
        loop {
            let at = self.pos;
            let named = self.eat_kw("constraint");
            if named {
                self.col_id()?;
            }
            let conflict = |p: &Self| {
                p.msg_at(
                    at,
                    format!(
                        "conflicting NULL/NOT NULL declarations for column \"{}\" of table \"{}\"",
                        col.name, relname
                    ),
                )
            };
            if self.is_kw("not") && self.is_kw_at(1, "null") {
                self.skip(2);
                if saw_nullable && !col.not_null && null_conflict.is_none() {
                    *null_conflict = Some(conflict(self));
                }
                col.not_null = true;
                saw_nullable = true;
            } else if self.eat_kw("null") {
                if saw_nullable && col.not_null && null_conflict.is_none() {
                    *null_conflict = Some(conflict(self));
                }
                col.not_null = false;
                saw_nullable = true;
            } else if self.eat_kw("primary") {
                self.expect_kw("key")?;
                self.index_options()?;
                pks.push(PkConstraint {
                    at,
                    keys: vec![col.name.clone()],
                });
            } else if self.eat_kw("unique") {
                if self.is_kw("nulls") {
                    return self.unsupported(at, "UNIQUE NULLS [NOT] DISTINCT");
                }
                self.index_options()?;
                col.unique = true;
            } else if self.eat_kw("default") {
                if col.default.is_some() {
                    return Err(self.msg_at(
                        at,
                        format!(
                            "multiple default values specified for column \"{}\" of table \"{}\"",
                            col.name, relname
                        ),
                    ));
                }
                // b_expr: no AND, OR, NOT or IS, so `DEFAULT 0 NOT NULL` reads as PostgreSQL reads it.
                col.default = Some(self.expr_bp(L_ESCAPE)?);
            } else if self.is_any_kw(&[
                "check",
                "references",
                "generated",
                "collate",
                "compression",
                "deferrable",
                "initially",
            ]) || (self.is_kw("not") && self.is_kw_at(1, "deferrable"))
            {
                let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                return self.unsupported(at, &format!("column {what} clauses"));
            } else if named {
                return self.fail();
            } else {
                return Ok(col);
            }
        }
    }

    /// What transformIndexConstraint checks, then marks the key columns.
    pub(super) fn apply_primary_keys(
        &mut self,
        relname: &str,
        cols: &mut [ColumnDef],
        pks: &[PkConstraint],
    ) {
        for (n, pk) in pks.iter().enumerate() {
            if n > 0 {
                let msg = format!("multiple primary keys for table \"{relname}\" are not allowed");
                self.set_pending(self.msg_at(pk.at, msg));
                return;
            }
            let mut seen: Vec<&str> = Vec::new();
            for key in &pk.keys {
                match cols.iter_mut().find(|c| &c.name == key) {
                    Some(c) => {
                        c.primary_key = true;
                        c.not_null = true;
                    }
                    None => {
                        let msg = format!("column \"{key}\" named in key does not exist");
                        self.set_pending(self.msg_at(pk.at, msg));
                        return;
                    }
                }
                if seen.contains(&key.as_str()) {
                    let msg = format!("column \"{key}\" appears twice in primary key constraint");
                    self.set_pending(self.msg_at(pk.at, msg));
                    return;
                }
                seen.push(key);
            }
        }
    }

    pub(super) fn drop_stmt(&mut self) -> PResult<Statement> {
        let idx = self.pos;
        self.advance();
        let Some(w) = self.kw() else {
            return self.fail();
        };
        match w.as_str() {
            "publication" => self.drop_publication(),
            "sequence" => self.drop_sequence(),
            "extension" => self.drop_extension(),
            "subscription" => self.drop_subscription(),
            "table" => {
                let (names, if_exists) = self.drop_names(Self::qualified_name)?;
                Ok(Statement::DropTable { names, if_exists })
            }
            "user" if self.is_kw_at(1, "mapping") => self.unsupported(idx, "DROP USER MAPPING"),
            "role" | "user" => {
                self.advance();
                let if_exists = self.if_exists();
                let mut names = Vec::new();
                let mut special = false;
                loop {
                    let (name, s) = self.role_spec()?;
                    special |= s;
                    names.push(name);
                    if !self.eat_punct(b',') {
                        break;
                    }
                }
                if special {
                    self.set_pending(ServerError {
                        message: DROP_ROLE_SPECIAL.into(),
                        position: None,
                        ..ServerError::default()
                    });
                }
                Ok(Statement::DropRole { names, if_exists })
            }
            w if DROP_OTHER.contains(&w) => {
                self.unsupported(idx, &format!("DROP {}", w.to_ascii_uppercase()))
            }
            _ => self.fail(),
        }
    }

    /// After `DROP KIND`: `[IF EXISTS] a, b [CASCADE | RESTRICT]`, each name read by
    /// `name`; the names and whether IF EXISTS was given.
    pub(super) fn drop_names(
        &mut self,
        name: fn(&mut Self) -> PResult<String>,
    ) -> PResult<(Vec<String>, bool)> {
        self.advance();
        let if_exists = self.if_exists();
        let mut names = vec![name(self)?];
        while self.eat_punct(b',') {
            names.push(name(self)?);
        }
        if !self.eat_kw("cascade") {
            self.eat_kw("restrict");
        }
        Ok((names, if_exists))
    }

    /// `IF NOT EXISTS`, if it comes next.
    pub(super) fn if_not_exists(&mut self) -> PResult<bool> {
        if self.is_kw("if") && self.is_kw_at(1, "not") {
            self.skip(2);
            self.expect_kw("exists")?;
            return Ok(true);
        }
        Ok(false)
    }

    pub(super) fn if_exists(&mut self) -> bool {
        let hit = self.is_kw("if") && self.is_kw_at(1, "exists");
        if hit {
            self.skip(2);
        }
        hit
    }

    pub(super) fn truncate(&mut self) -> PResult<Statement> {
        self.advance();
        self.eat_kw("table");
        let mut names = vec![self.relation_expr()?];
        while self.eat_punct(b',') {
            names.push(self.relation_expr()?);
        }
        if self.is_kw("restart") {
            return self.unsupported(self.pos, "TRUNCATE ... RESTART IDENTITY");
        }
        if self.eat_kw("continue") {
            self.expect_kw("identity")?;
        }
        if !self.eat_kw("cascade") {
            self.eat_kw("restrict");
        }
        Ok(Statement::Truncate { names })
    }

    pub(super) fn alter(&mut self) -> PResult<Statement> {
        let idx = self.pos;
        self.advance();
        let Some(w) = self.kw() else {
            return self.fail();
        };
        match w.as_str() {
            "publication" => self.alter_publication(),
            "table" => self.alter_table(),
            "subscription" => self.alter_subscription(),
            "system" => {
                self.advance();
                if self.eat_kw("set") {
                    let name = self.var_name()?;
                    let value = self.set_value()?;
                    Ok(Statement::AlterSystem {
                        name,
                        value: Some(value),
                    })
                } else if self.eat_kw("reset") {
                    let name = if self.eat_kw("all") {
                        "all".to_string()
                    } else {
                        self.var_name()?
                    };
                    Ok(Statement::AlterSystem { name, value: None })
                } else {
                    self.fail()
                }
            }
            "user" if self.is_kw_at(1, "mapping") => self.unsupported(idx, "ALTER USER MAPPING"),
            "role" | "user" => {
                self.advance();
                let at = self.pos;
                if self.is_any_kw(&["all", "current_user", "session_user", "current_role"]) {
                    let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                    return self.unsupported(at, &format!("ALTER ROLE {what}"));
                }
                let (name, _) = self.role_spec()?;
                if self.is_any_kw(&["rename", "set", "reset", "in"]) {
                    let what = self.kw().unwrap_or_default().to_ascii_uppercase();
                    return self.unsupported(self.pos, &format!("ALTER ROLE ... {what}"));
                }
                self.eat_kw("with");
                let opts = self.role_options(false)?;
                self.check_role_options(&opts);
                let options = opts.into_iter().map(|(o, _)| o).collect();
                Ok(Statement::AlterRole { name, options })
            }
            w if ALTER_OTHER.contains(&w) => {
                self.unsupported(idx, &format!("ALTER {}", w.to_ascii_uppercase()))
            }
            _ => self.fail(),
        }
    }

    /// `ALTER TABLE [IF EXISTS] [ONLY] name ADD [COLUMN] ... | DROP [COLUMN] ...`; other
    /// actions are refused as walscope's own.
    fn alter_table(&mut self) -> PResult<Statement> {
        let idx = self.pos - 1;
        self.advance();
        let mut if_exists = false;
        if self.is_kw("if") && self.is_kw_at(1, "exists") {
            self.skip(2);
            if_exists = true;
        }
        self.eat_kw("only");
        let name = self.qualified_name()?;
        let relname = name.rsplit('.').next().unwrap_or("").to_string();
        let at = self.pos;
        let action = if self.eat_kw("add") {
            if self.is_any_kw(&[
                "constraint",
                "primary",
                "unique",
                "check",
                "foreign",
                "exclude",
            ]) {
                return self.unsupported(at, "ALTER TABLE ... ADD constraints");
            }
            self.eat_kw("column");
            let if_not_exists = self.if_not_exists()?;
            let col_at = self.pos;
            let mut pks = Vec::new();
            let mut null_conflict = None;
            let column = self.column_def(&relname, &mut pks, &mut null_conflict)?;
            if let Some(e) = null_conflict {
                return Err(e);
            }
            if !pks.is_empty() || column.unique {
                return self.unsupported(col_at, "ALTER TABLE ... ADD COLUMN with a key");
            }
            AlterTableAction::AddColumn {
                column,
                if_not_exists,
            }
        } else if self.eat_kw("drop") {
            if self.is_kw("constraint") {
                return self.unsupported(at, "ALTER TABLE ... DROP CONSTRAINT");
            }
            self.eat_kw("column");
            let mut if_exists = false;
            if self.is_kw("if") && self.is_kw_at(1, "exists") {
                self.skip(2);
                if_exists = true;
            }
            let name = self.col_id()?;
            if !self.eat_kw("restrict") {
                self.eat_kw("cascade");
            }
            AlterTableAction::DropColumn { name, if_exists }
        } else if self.is_any_kw(&[
            "alter", "rename", "set", "reset", "replica", "owner", "attach", "detach", "enable",
            "disable", "cluster", "inherit", "no", "of", "not", "validate", "force",
        ]) {
            let what = self.kw().unwrap_or_default().to_ascii_uppercase();
            return self.unsupported(idx, &format!("ALTER TABLE ... {what}"));
        } else {
            return self.fail();
        };
        if self.is_punct(b',') {
            return self.unsupported(self.pos, "several ALTER TABLE actions in one statement");
        }
        Ok(Statement::AlterTable {
            name,
            if_exists,
            action,
        })
    }
}
