//! SELECT: FROM sources (tables, views, set-returning functions), WHERE, the target
//! list, aggregates, ORDER BY, LIMIT/OFFSET and DISTINCT.

use crate::sql::{
    Align, Column as ResultColumn, Expr, FromItem, ResultSet, Select, SelectItem, ServerError,
};

use super::limits::{check_rows, Budget};
use super::value::{binary, compare, int8, Val};
use super::{Exec, Res, Rows};

impl Exec<'_> {
    pub(super) fn source(&mut self, item: &FromItem) -> Res<Rows> {
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

    pub(super) fn relation(&mut self, name: &str) -> Res<Rows> {
        let h = self.h;
        let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
        Ok(match name {
            "pg_stat_replication" => self.c.stat_replication_relation(h).into(),
            "pg_stat_wal_receiver" => self.c.stat_wal_receiver_relation(h).into(),
            "pg_replication_slots" => self.c.replication_slots_relation(h).into(),
            "pg_stat_activity" => self.c.stat_activity_relation(h).into(),
            "pg_settings" => self.pg_settings(),
            "pg_publication" => self.pg_publication(),
            "pg_hba_file_rules" => self.pg_hba_file_rules(),
            "pg_publication_tables" => self.pg_publication_tables(),
            "pg_subscription" => self.c.subscription_relation(h).into(),
            "pg_extension" => self.pg_extension(),
            "pg_available_extensions" => self.pg_available_extensions(),
            "pg_subscription_rel" => self.c.subscription_rel_relation(h).into(),
            "pg_stat_subscription" => self.c.stat_subscription_relation(h).into(),
            "pg_stat_subscription_stats" => self.c.stat_subscription_stats_relation(h).into(),
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
            "pg_stat_statements" | "public.pg_stat_statements"
                if self.has_extension("pg_stat_statements") =>
            {
                self.pg_stat_statements()?
            }
            _ => {
                if let Some(rows) = self.sequence_rows(name) {
                    return Ok(rows);
                }
                let t = self.table(name)?;
                self.open_relation_file(name)?;
                self.table_rows(&t)
            }
        })
    }

    pub(super) fn select(&mut self, sel: &Select) -> Res<Rows> {
        if let Some(rewritten) = target_list_series(sel) {
            return self.select(&rewritten);
        }
        let mut input = Rows {
            columns: vec![],
            rows: vec![vec![]],
        };
        for item in &sel.from {
            let right = self.source(item)?;
            input = cross(input, right)?;
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
            let mut budget = Budget::default();
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
                budget.add(&row)?;
                out.rows.push(row);
            }
        }
        if !sel.order_by.is_empty() && !aggregate {
            let mut idx: Vec<usize> = (0..out.rows.len()).collect();
            crate::sim::order::sort_by(&mut idx, |&a, &b| {
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
            if let Some(n) = self.eval(off, &Rows::default(), &[])?.int() {
                out.rows = out.rows.into_iter().skip(n.max(0) as usize).collect();
            }
        }
        if let Some(lim) = &sel.limit {
            if let Some(n) = self.eval(lim, &Rows::default(), &[])?.int() {
                out.rows.truncate(n.max(0) as usize);
            }
        }
        if sel.distinct {
            out.rows = distinct(std::mem::take(&mut out.rows));
        }
        Ok(out)
    }

    pub(super) fn eval_aggregate(&mut self, e: &Expr, input: &Rows, rows: &[Vec<Val>]) -> Res<Val> {
        match e {
            Expr::Call {
                name, args, star, ..
            } if is_aggregate(name) => {
                if *star {
                    return Ok(Val::BigInt(rows.len() as i64));
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
                    "count" => Val::BigInt(vals.len() as i64),
                    "max" => vals.into_iter().max_by(compare).unwrap_or(Val::Null),
                    "min" => vals.into_iter().min_by(compare).unwrap_or(Val::Null),
                    "sum" => {
                        if vals.is_empty() {
                            Val::Null
                        } else {
                            // sum(integer) is bigint; walscope's sum of bigints
                            // stays bigint (PostgreSQL's is numeric) and says so
                            // when it leaves 64 bits.
                            let total: i128 =
                                vals.iter().map(|v| i128::from(v.int().unwrap_or(0))).sum();
                            Val::BigInt(int8(total)?)
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

pub(super) fn cross(left: Rows, right: Rows) -> Res<Rows> {
    check_rows(left.rows.len() as u128 * right.rows.len() as u128)?;
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
    Ok(Rows { columns, rows })
}

/// The first of each set of equal rows, in their order: sorted, so a million rows
/// take a million log steps, not a million squared.
fn distinct(rows: Vec<Vec<Val>>) -> Vec<Vec<Val>> {
    let row_cmp = |a: &Vec<Val>, b: &Vec<Val>| {
        a.iter()
            .zip(b)
            .map(|(x, y)| compare(x, y))
            .find(|o| o.is_ne())
            .unwrap_or(a.len().cmp(&b.len()))
    };
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    crate::sim::order::sort_by(&mut idx, |&a, &b| {
        row_cmp(&rows[a], &rows[b]).then(a.cmp(&b))
    });
    let mut keep = vec![false; rows.len()];
    for (k, &i) in idx.iter().enumerate() {
        keep[i] = k == 0 || row_cmp(&rows[idx[k - 1]], &rows[i]).is_ne();
    }
    rows.into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect()
}

pub(super) fn to_result(rows: Rows) -> ResultSet {
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

pub(super) fn is_aggregate(name: &str) -> bool {
    matches!(name, "count" | "max" | "min" | "sum")
}

pub(super) fn has_aggregate(e: &Expr) -> bool {
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
pub(super) fn column_name(e: &Expr) -> String {
    match e {
        Expr::Column { name, .. } => name.clone(),
        Expr::Call { name, .. } => name.clone(),
        Expr::Cast { expr, type_name } => match expr.as_ref() {
            Expr::Column { .. } | Expr::Call { .. } => column_name(expr),
            _ => type_name.clone(),
        },
        Expr::Now => "now".into(),
        Expr::Case { .. } => "case".into(),
        Expr::Array(_) => "array".into(),
        _ => "?column?".into(),
    }
}
