//! `psql` typed in a host's shell: a connection string or URI (or `-h`, `-p`, `-U`,
//! `-d`), `-c` commands, `-A` (unaligned), `-t` (tuples only) and `-X`. It connects
//! through libpq's host walk ([`Cluster::libpq_connect`]), so several hosts,
//! `target_session_attrs` and `connect_timeout` act as they do on a real client, and a
//! refusal prints libpq's lines after `psql: error: `.
//!
//! Simplified: the statements run in the server's console session (a remote psql
//! shows in pg_stat_activity as the node's own psql does); without `-c` psql reads its
//! empty standard input and exits once connected.

use crate::sim::map::Map;

use crate::script::psql::{error, render_aligned, split};
use crate::sim::conninfo::{self, ConnInfo};
use crate::sim::{Client, Cluster, HostId};
use crate::sql::exec::{self, StatementResult};
use crate::sql::ResultSet;

/// psql's options that walscope reads.
#[derive(Debug, Default)]
struct Options {
    unaligned: bool,
    tuples_only: bool,
    commands: Vec<String>,
    /// Keywords from -h, -p, -U, -d and the environment, before the connection string.
    keywords: Map<String, String>,
    positional: Vec<String>,
}

const HINT: &str = "psql: hint: Try \"psql --help\" for more information.\n";
const ARGV0: &str = "/usr/lib/postgresql/15/bin/psql";

/// Reads psql's command line (getopt_long: bundled short options, `-cCMD`, `--long=v`).
fn read_args(args: &[String], env: &[(String, String)]) -> Result<Options, String> {
    let mut o = Options::default();
    for (k, v) in env {
        let key = match k.as_str() {
            "PGHOST" => "host",
            "PGPORT" => "port",
            "PGUSER" => "user",
            "PGPASSWORD" => "password",
            "PGDATABASE" => "dbname",
            "PGAPPNAME" => "application_name",
            "PGCONNECT_TIMEOUT" => "connect_timeout",
            "PGTARGETSESSIONATTRS" => "target_session_attrs",
            _ => continue,
        };
        o.keywords.insert(key.to_string(), v.clone());
    }
    let mut i = 0;
    let needs_arg = |c: char| matches!(c, 'c' | 'h' | 'p' | 'U' | 'd');
    let take = |o: &mut Options, c: char, v: String| match c {
        'c' => o.commands.push(v),
        'h' => drop(o.keywords.insert("host".into(), v)),
        'p' => drop(o.keywords.insert("port".into(), v)),
        'U' => drop(o.keywords.insert("user".into(), v)),
        _ => drop(o.keywords.insert("dbname".into(), v)),
    };
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let c = match name {
                "no-align" => {
                    o.unaligned = true;
                    continue;
                }
                "tuples-only" => {
                    o.tuples_only = true;
                    continue;
                }
                "no-psqlrc" => continue,
                "command" => 'c',
                "host" => 'h',
                "port" => 'p',
                "username" => 'U',
                "dbname" => 'd',
                _ => return Err(format!("{ARGV0}: unrecognized option '--{name}'\n{HINT}")),
            };
            let v = match value {
                Some(v) => v,
                None if i < args.len() => {
                    i += 1;
                    args[i - 1].clone()
                }
                None => {
                    return Err(format!(
                        "{ARGV0}: option '--{name}' requires an argument\n{HINT}"
                    ))
                }
            };
            take(&mut o, c, v);
            continue;
        }
        let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) else {
            o.positional.push(a.clone());
            continue;
        };
        for (k, c) in flags.char_indices() {
            match c {
                'A' => o.unaligned = true,
                't' => o.tuples_only = true,
                'X' => {}
                c if needs_arg(c) => {
                    let rest = &flags[k + c.len_utf8()..];
                    let v = if !rest.is_empty() {
                        rest.to_string()
                    } else if i < args.len() {
                        i += 1;
                        args[i - 1].clone()
                    } else {
                        return Err(format!(
                            "{ARGV0}: option requires an argument -- '{c}'\n{HINT}"
                        ));
                    };
                    take(&mut o, c, v);
                    break;
                }
                c => return Err(format!("{ARGV0}: invalid option -- '{c}'\n{HINT}")),
            }
        }
    }
    Ok(o)
}

/// Runs `psql ARGS` on host `h`.
pub fn psql(c: &mut Cluster, h: HostId, args: &[String], env: &[(String, String)]) -> String {
    let o = match read_args(args, env) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let mut out = String::new();
    let mut positional = o.positional.iter();
    let mut options = o.keywords.clone();
    if let Some(db) = positional.next() {
        if conninfo::is_conninfo(db) {
            match conninfo::parse(db) {
                // The string's keywords override -h, -p and -U (psql passes it last).
                Ok(m) => options.extend(m),
                Err(e) => return format!("psql: error: {e}\n"),
            }
        } else {
            options.insert("dbname".into(), db.clone());
        }
    }
    if let Some(user) = positional.next() {
        options.insert("user".into(), user.clone());
    }
    for extra in positional {
        out.push_str(&format!(
            "psql: warning: extra command-line argument \"{extra}\" ignored\n"
        ));
    }
    let info = match ConnInfo::from_options(options) {
        Ok(i) => i,
        Err(e) => return format!("{out}psql: error: {e}\n"),
    };
    let reached = match c.libpq_connect(Client::Host(h), &info, "postgres", false) {
        Ok(r) => r,
        Err(e) => return format!("{out}psql: error: {e}\n"),
    };
    let server = reached.server;
    for command in &o.commands {
        for (stmt, complete) in split::split_statements(command) {
            let sql = if complete {
                format!("{stmt};")
            } else {
                split::close_tail(&format!("{stmt};"))
            };
            let Some(session) = c.idle_session(server) else {
                out.push_str("server closed the connection unexpectedly\n");
                return out;
            };
            match exec::execute(c, server, session, &sql) {
                Ok(StatementResult::Rows(rs)) => out.push_str(&render(&rs, &o)),
                Ok(StatementResult::Tag(tag)) => out.push_str(&format!("{tag}\n")),
                Ok(StatementResult::Waiting) => return out,
                Ok(StatementResult::Lost(text)) => {
                    out.push_str(&text);
                    return out;
                }
                Err(e) => {
                    out.push_str(&error::render(&e, &sql));
                    return out;
                }
            }
        }
    }
    out
}

/// A result as psql prints it with `-A` and/or `-t`.
fn render(rs: &ResultSet, o: &Options) -> String {
    if o.unaligned {
        let mut out = String::new();
        let line = |cells: Vec<&str>| format!("{}\n", cells.join("|"));
        if !o.tuples_only {
            out.push_str(&line(rs.columns.iter().map(|c| c.name.as_str()).collect()));
        }
        for row in &rs.rows {
            out.push_str(&line(
                row.iter().map(|v| v.as_deref().unwrap_or("")).collect(),
            ));
        }
        if !o.tuples_only {
            let n = rs.rows.len();
            out.push_str(&if n == 1 {
                "(1 row)\n".to_string()
            } else {
                format!("({n} rows)\n")
            });
        }
        return out;
    }
    let aligned = render_aligned(rs);
    if !o.tuples_only {
        return aligned;
    }
    // Tuples only: the aligned rows (widths still count the headers), then the empty line.
    let lines: Vec<&str> = aligned.lines().collect();
    let body_start = lines
        .iter()
        .position(|l| l.starts_with('-'))
        .map_or(0, |i| i + 1);
    let body_end = lines.len().saturating_sub(2).max(body_start);
    let mut out: String = lines[body_start..body_end]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    out.push('\n');
    out
}
