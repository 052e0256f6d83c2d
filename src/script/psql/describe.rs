//! psql's describe commands (describe.c) on the model's catalog: `\dt`, `\d`, `\d NAME`,
//! `\du`, `\l`, `\dRp[+]`, `\dRs[+]`, `\dx` and `\conninfo`, printed with psql's titles and
//! footers.
//!
//! They read the catalog of the server psql is connected to (a standby's is the one
//! WAL replay built). Patterns are plain names; psql's wildcards are not read.

use crate::sim::db::{Column, ColumnDefault, Database, Role, Sequence, Table, Value};
use crate::sim::{Cluster, HostId};
use crate::sql::result::{Align, Column as Header, ResultSet};

use super::print::{render_aligned, render_expanded};
use super::PsqlState;

/// Whether `meta` (a backslash command without its backslash) is one of these.
pub fn is_describe(meta: &str) -> bool {
    matches!(
        meta.split_whitespace().next(),
        Some(
            "conninfo"
                | "d"
                | "d+"
                | "dt"
                | "dt+"
                | "du"
                | "du+"
                | "dg"
                | "dg+"
                | "l"
                | "l+"
                | "list"
                | "dRp"
                | "dRp+"
                | "dRs"
                | "dRs+"
                | "dx"
        )
    )
}

/// The answer to a describe command, or `None` when `meta` is not one.
pub fn describe(c: &Cluster, h: HostId, state: &PsqlState, meta: &str) -> Option<String> {
    if !is_describe(meta) {
        return None;
    }
    let mut words = meta.split_whitespace();
    let cmd = words.next()?;
    let pattern = words.next();
    if cmd == "conninfo" {
        return Some(format!(
            "You are connected to database \"postgres\" as user \"postgres\" via socket in \"/run/postgresql\" at port \"{}\".\n",
            c.host(h).server.as_ref().map_or(5432, |s| s.settings.int("port"))
        ));
    }
    let empty = Database::default();
    let db = c.host(h).data.as_ref().map_or(&empty, |d| &d.db);
    Some(match (cmd, pattern) {
        ("d", Some(name)) | ("d+", Some(name)) => match db.tables.get(name) {
            Some(t) => table(state, name, t),
            None => match db.sequences.get(name) {
                Some(s) => sequence(state, name, s),
                None => not_found(name),
            },
        },
        ("dt" | "dt+" | "d" | "d+", pattern) => relations(state, db, pattern),
        ("du" | "dg" | "du+" | "dg+", pattern) => roles(state, db, pattern),
        ("l" | "l+" | "list", _) => databases(state),
        ("dRp", pattern) => publications(state, db, pattern),
        ("dRp+", pattern) => publication_details(state, db, pattern),
        ("dRs" | "dRs+", pattern) => subscriptions(state, db, pattern, cmd == "dRs+"),
        ("dx", pattern) => extensions(state, db, pattern),
        _ => return None,
    })
}

fn not_found(name: &str) -> String {
    format!("Did not find any relation named \"{name}\".\n")
}

fn left(names: &[&str]) -> Vec<Header> {
    names
        .iter()
        .map(|n| Header {
            name: n.to_string(),
            align: Align::Left,
        })
        .collect()
}

/// psql's printTable with a title: centred over the table in aligned mode, on its own
/// line in expanded mode; `count` keeps the "(N rows)" footer, `footer` follows the rows.
fn titled(state: &PsqlState, title: &str, rs: &ResultSet, count: bool, footer: &str) -> String {
    if state.expanded {
        // An empty result prints no title, and only the footers it has.
        return match (rs.rows.is_empty(), count) {
            (false, _) => format!("{title}\n{}", render_expanded(rs)),
            (true, true) => render_expanded(rs),
            (true, false) => "\n".to_string(),
        };
    }
    let body = render_aligned(rs);
    let width = body.lines().next().map_or(0, |l| l.chars().count());
    let indent = width.saturating_sub(title.chars().count()) / 2;
    let mut body = body;
    if !count {
        // The footer "(N rows)" and the empty line after it.
        let keep = body.trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
        body.truncate(keep);
    }
    format!(
        "{}{title}\n{body}{footer}{}",
        " ".repeat(indent),
        if count { "" } else { "\n" }
    )
}

fn relations(state: &PsqlState, db: &Database, pattern: Option<&str>) -> String {
    let names: Vec<&String> = db
        .tables
        .keys()
        .filter(|n| pattern.is_none_or(|p| p == n.as_str()))
        .collect();
    if names.is_empty() {
        return match pattern {
            Some(p) => not_found(p),
            None => "Did not find any relations.\n".to_string(),
        };
    }
    let rs = ResultSet {
        columns: left(&["Schema", "Name", "Type", "Owner"]),
        rows: names
            .into_iter()
            .map(|n| {
                ["public", n.as_str(), "table", "postgres"]
                    .map(|s| Some(s.to_string()))
                    .to_vec()
            })
            .collect(),
    };
    titled(state, "List of relations", &rs, true, "")
}

/// format_type's name for a declared type (`int` is `integer`, `varchar(20)` is
/// `character varying(20)`).
fn type_display(declared: &str) -> String {
    let (base, args) = match declared.split_once('(') {
        Some((b, a)) => (b.trim(), format!("({}", a.replace(' ', ""))),
        None => (declared.trim(), String::new()),
    };
    let name = match base {
        "int" | "int4" | "integer" | "serial" => "integer",
        "int8" | "bigint" | "bigserial" => "bigint",
        "int2" | "smallint" => "smallint",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" => "character varying",
        "char" | "character" => "character",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        other => other,
    };
    format!("{name}{args}")
}

/// A DEFAULT as pg_get_expr deparses it: `5`, `'-1'::integer`, `'x'::text`, `true`,
/// `nextval('s'::regclass)`. (A constant expression shows as its value: `2 + 3` as `5`.)
fn default_display(c: &Column) -> String {
    let typ = || {
        let t = type_display(&c.type_name);
        t.split('(').next().unwrap_or("").to_string()
    };
    match &c.default {
        None | Some(ColumnDefault::Value(Value::Null)) => String::new(),
        Some(ColumnDefault::Nextval(seq)) => format!("nextval('{seq}'::regclass)"),
        Some(ColumnDefault::Value(Value::Bool(b))) => b.to_string(),
        Some(ColumnDefault::Value(Value::Int(i))) if *i >= 0 => i.to_string(),
        Some(ColumnDefault::Value(Value::Int(i))) => format!("'{i}'::{}", typ()),
        Some(ColumnDefault::Value(Value::Text(t))) => {
            format!("'{}'::{}", t.replace('\'', "''"), typ())
        }
    }
}

fn column_row(table: &str, c: &Column) -> Vec<Option<String>> {
    let serial = matches!(c.type_name.as_str(), "serial" | "bigserial");
    let default = if serial {
        format!("nextval('{table}_{}_seq'::regclass)", c.name)
    } else {
        default_display(c)
    };
    let nullable = if c.not_null || serial { "not null" } else { "" };
    [
        c.name.clone(),
        type_display(&c.type_name),
        String::new(),
        nullable.to_string(),
        default,
    ]
    .map(Some)
    .to_vec()
}

fn table(state: &PsqlState, name: &str, t: &Table) -> String {
    let rs = ResultSet {
        columns: left(&["Column", "Type", "Collation", "Nullable", "Default"]),
        rows: t.columns.iter().map(|c| column_row(name, c)).collect(),
    };
    let keys: Vec<&str> = t
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.as_str())
        .collect();
    // describeOneTableDetails: the primary key first, then the others by name.
    let mut indexes = Vec::new();
    if !keys.is_empty() {
        indexes.push(format!(
            "    \"{name}_pkey\" PRIMARY KEY, btree ({})\n",
            keys.join(", ")
        ));
    }
    let mut uniques: Vec<String> = t
        .unique_indexes(name)
        .into_iter()
        .filter(|(index, _)| !index.ends_with("_pkey"))
        .map(|(index, cols)| {
            let cols: Vec<&str> = cols
                .iter()
                .filter_map(|&i| t.columns.get(i).map(|c| c.name.as_str()))
                .collect();
            format!(
                "    \"{index}\" UNIQUE CONSTRAINT, btree ({})\n",
                cols.join(", ")
            )
        })
        .collect();
    crate::sim::order::sort(&mut uniques);
    indexes.extend(uniques);
    let footer = if indexes.is_empty() {
        String::new()
    } else {
        format!("Indexes:\n{}", indexes.concat())
    };
    titled(
        state,
        &format!("Table \"public.{name}\""),
        &rs,
        false,
        &footer,
    )
}

/// A sequence's options (describeOneTableDetails for relkind 'S').
fn sequence(state: &PsqlState, name: &str, s: &Sequence) -> String {
    let headers = [
        ("Type", Align::Left),
        ("Start", Align::Right),
        ("Minimum", Align::Right),
        ("Maximum", Align::Right),
        ("Increment", Align::Right),
        ("Cycles?", Align::Left),
        ("Cache", Align::Right),
    ];
    let rs = ResultSet {
        columns: headers
            .iter()
            .map(|(n, align)| Header {
                name: n.to_string(),
                align: *align,
            })
            .collect(),
        rows: vec![[
            s.type_name.to_string(),
            s.start.to_string(),
            s.min.to_string(),
            s.max.to_string(),
            s.increment.to_string(),
            "no".to_string(),
            "1".to_string(),
        ]
        .map(Some)
        .to_vec()],
    };
    let footer = s
        .owned_by
        .as_ref()
        .map(|(t, c)| format!("Owned by: public.{t}.{c}\n"))
        .unwrap_or_default();
    titled(
        state,
        &format!("Sequence \"public.{name}\""),
        &rs,
        false,
        &footer,
    )
}

/// describeRoles: the attributes in psql's order, then a connection limit.
fn attributes(r: &Role) -> String {
    let mut words = Vec::new();
    let flags = [
        (r.superuser, "Superuser"),
        (!r.inherit, "No inheritance"),
        (r.create_role, "Create role"),
        (r.create_db, "Create DB"),
        (!r.login, "Cannot login"),
        (r.replication, "Replication"),
        (r.bypass_rls, "Bypass RLS"),
    ];
    for (on, word) in flags {
        if on {
            words.push(word);
        }
    }
    let mut s = words.join(", ");
    if r.connection_limit >= 0 {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&match r.connection_limit {
            0 => "No connections".to_string(),
            1 => "1 connection".to_string(),
            n => format!("{n} connections"),
        });
    }
    s
}

fn roles(state: &PsqlState, db: &Database, pattern: Option<&str>) -> String {
    let rs = ResultSet {
        columns: left(&["Role name", "Attributes", "Member of"]),
        rows: db
            .roles
            .iter()
            .filter(|(n, _)| !n.starts_with("pg_") && pattern.is_none_or(|p| p == n.as_str()))
            .map(|(n, r)| vec![Some(n.clone()), Some(attributes(r)), Some("{}".to_string())])
            .collect(),
    };
    titled(state, "List of roles", &rs, false, "")
}

fn databases(state: &PsqlState) -> String {
    let acl = "=c/postgres\npostgres=CTc/postgres";
    let rs = ResultSet {
        columns: left(&[
            "Name",
            "Owner",
            "Encoding",
            "Collate",
            "Ctype",
            "ICU Locale",
            "Locale Provider",
            "Access privileges",
        ]),
        rows: [("postgres", ""), ("template0", acl), ("template1", acl)]
            .iter()
            .map(|(name, acl)| {
                [
                    *name, "postgres", "UTF8", "C.UTF-8", "C.UTF-8", "", "libc", *acl,
                ]
                .map(|s| Some(s.to_string()))
                .to_vec()
            })
            .collect(),
    };
    titled(state, "List of databases", &rs, true, "")
}

fn yes(b: bool) -> Option<String> {
    Some(if b { "t" } else { "f" }.to_string())
}

/// A publication's flags as `\dRp` lists them after its name: owner, all tables, the
/// four operations, and "via root" (walscope has no partitions: always f).
fn publication_row(p: &crate::sim::db::Publication) -> Vec<Option<String>> {
    vec![
        Some("postgres".to_string()),
        yes(p.all_tables),
        yes(p.insert),
        yes(p.update),
        yes(p.delete),
        yes(p.truncate),
        yes(false),
    ]
}

const PUBLICATION_COLUMNS: [&str; 7] = [
    "Owner",
    "All tables",
    "Inserts",
    "Updates",
    "Deletes",
    "Truncates",
    "Via root",
];

/// `\dRp [NAME]`: "List of publications".
fn publications(state: &PsqlState, db: &Database, pattern: Option<&str>) -> String {
    let mut columns = vec!["Name"];
    columns.extend(PUBLICATION_COLUMNS);
    let rs = ResultSet {
        columns: left(&columns),
        rows: db
            .publications
            .iter()
            .filter(|(n, _)| pattern.is_none_or(|p| p == n.as_str()))
            .map(|(n, p)| {
                let mut row = vec![Some(n.clone())];
                row.extend(publication_row(p));
                row
            })
            .collect(),
    };
    titled(state, "List of publications", &rs, true, "")
}

/// `\dRp+ [NAME]`: a table per publication, "Publication NAME", with its tables in a
/// "Tables:" footer (none for FOR ALL TABLES, which keeps the "(1 row)" footer).
fn publication_details(state: &PsqlState, db: &Database, pattern: Option<&str>) -> String {
    let found: Vec<_> = db
        .publications
        .iter()
        .filter(|(n, _)| pattern.is_none_or(|p| p == n.as_str()))
        .collect();
    if found.is_empty() {
        return match pattern {
            Some(p) => format!("Did not find any publication named \"{p}\".\n"),
            None => "Did not find any publications.\n".to_string(),
        };
    }
    let mut out = String::new();
    for (name, p) in found {
        let rs = ResultSet {
            columns: left(&PUBLICATION_COLUMNS),
            rows: vec![publication_row(p)],
        };
        let title = format!("Publication {name}");
        if p.all_tables || p.tables.is_empty() {
            out.push_str(&titled(state, &title, &rs, true, ""));
        } else {
            let mut footer = "Tables:\n".to_string();
            for t in &p.tables {
                footer.push_str(&format!("    \"public.{t}\"\n"));
            }
            out.push_str(&titled(state, &title, &rs, false, &footer));
        }
    }
    out
}

/// `\dRs[+] [NAME]`: "List of subscriptions"; `+` adds the options walscope keeps at
/// their defaults (binary, streaming, two-phase, disable on error: off; the
/// subscription's synchronous_commit: off), the connection string and the skip LSN.
fn subscriptions(state: &PsqlState, db: &Database, pattern: Option<&str>, plus: bool) -> String {
    let mut columns = vec!["Name", "Owner", "Enabled", "Publication"];
    if plus {
        columns.extend([
            "Binary",
            "Streaming",
            "Two-phase commit",
            "Disable on error",
            "Synchronous commit",
            "Conninfo",
            "Skip LSN",
        ]);
    }
    let rs = ResultSet {
        columns: left(&columns),
        rows: db
            .subscriptions
            .iter()
            .filter(|(n, _)| pattern.is_none_or(|p| p == n.as_str()))
            .map(|(n, s)| {
                let mut row = vec![
                    Some(n.clone()),
                    Some("postgres".to_string()),
                    yes(s.enabled),
                    Some(format!("{{{}}}", s.publications.join(","))),
                ];
                if plus {
                    row.extend([
                        yes(false),
                        yes(false),
                        Some("d".to_string()),
                        yes(false),
                        Some("off".to_string()),
                        Some(s.conninfo.clone()),
                        Some(crate::sim::Lsn(s.skip_lsn).to_string()),
                    ]);
                }
                row
            })
            .collect(),
    };
    titled(state, "List of subscriptions", &rs, true, "")
}

/// `\dx [NAME]`: "List of installed extensions", by name, with the description
/// CREATE EXTENSION stored from the control file's comment (so a standby without the
/// package lists it too).
fn extensions(state: &PsqlState, db: &Database, pattern: Option<&str>) -> String {
    let rows: Vec<Vec<Option<String>>> = db
        .extensions
        .iter()
        .filter(|(n, _)| pattern.is_none_or(|p| p == n.as_str()))
        .map(|(n, e)| {
            vec![
                Some(n.clone()),
                Some(e.version.clone()),
                Some(e.schema.clone()),
                Some(
                    crate::sim::extension::extension(n)
                        .map_or("", |i| i.comment)
                        .to_string(),
                ),
            ]
        })
        .collect();
    let rs = ResultSet {
        columns: left(&["Name", "Version", "Schema", "Description"]),
        rows,
    };
    titled(state, "List of installed extensions", &rs, true, "")
}
