//! Shell commands on a host: pg_basebackup, pg_ctl, systemctl, pg_rewind and the few
//! file tools a DBA uses on a data directory.

mod df;
mod edit;
mod files;
mod initdb;
mod perms;
mod pg;
mod pipe;
mod psql;
mod rhel;
mod sed;
mod text;
mod tools;

use crate::sim::conf;
use crate::sim::{Cluster, HostId, PGDATA, PGHOME};
pub use edit::edit_commands;
use files::{cat, echo, ls, mkdir, rm, tail, touch};
use pg::{basebackup, pg_ctl, pg_rewind, systemctl};

/// What a shell command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellResult {
    /// Finished; this is what it printed.
    Done(String),
    /// A base backup is running; the shell waits for it (see `Cluster::basebackup`).
    BaseBackup(usize),
}

/// Splits a command line into words as bash would for simple commands: quotes,
/// backslashes, and `>`/`>>` redirections as their own words.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                has = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => {
                            return Err(
                                "bash: unexpected EOF while looking for matching `''".to_string()
                            )
                        }
                    }
                }
            }
            '"' => {
                has = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch) => cur.push(ch),
                            None => {
                                return Err("bash: unexpected EOF while looking for matching `\"'"
                                    .to_string())
                            }
                        },
                        Some(ch) => cur.push(ch),
                        None => {
                            return Err(
                                "bash: unexpected EOF while looking for matching `\"'".to_string()
                            )
                        }
                    }
                }
            }
            '\\' => {
                has = true;
                if let Some(ch) = chars.next() {
                    cur.push(ch);
                }
            }
            '>' => {
                if has {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
                if chars.peek() == Some(&'>') {
                    chars.next();
                    words.push(">>".to_string());
                } else {
                    words.push(">".to_string());
                }
            }
            c if c.is_whitespace() => {
                if has {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            // Tilde expansion: an unquoted `~` that starts a word, alone or before `/`,
            // is the postgres user's home.
            '~' if !has
                && chars
                    .peek()
                    .is_none_or(|&n| n == '/' || n == '>' || n.is_whitespace()) =>
            {
                has = true;
                cur.push_str(PGHOME);
            }
            c => {
                has = true;
                cur.push(c);
            }
        }
    }
    if has {
        words.push(cur);
    }
    Ok(words)
}

/// Resolves a path as the postgres user's shell would, with PGDATA as the working
/// directory.
pub fn resolve_path(p: &str) -> String {
    let abs = if let Some(rest) = p.strip_prefix("~/") {
        format!("{PGHOME}/{rest}")
    } else if p == "~" {
        PGHOME.to_string()
    } else if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{PGDATA}/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in abs.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Runs one shell command line on host `h`.
pub fn run(c: &mut Cluster, h: HostId, line: &str) -> ShellResult {
    if let Some(stages) = pipe::stages(line) {
        return pipe::run(c, h, &stages);
    }
    let words = match split_words(line) {
        Ok(w) => w,
        Err(e) => return ShellResult::Done(format!("{e}\n")),
    };
    let mut env: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while let Some((k, v)) = words
        .get(i)
        .and_then(|w| w.split_once('='))
        .filter(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        env.push((k.to_string(), v.to_string()));
        i += 1;
    }
    let mut words = words[i..].to_vec();
    // `sudo -u postgres CMD` and `sudo -iu postgres CMD` run CMD as postgres, as here;
    // `sudo CMD` runs it as root (which matters on a RHEL host: dnf, firewall-cmd).
    let mut root = false;
    if words.first().map(String::as_str) == Some("sudo") {
        let mut j = 1;
        root = true;
        while j < words.len() && words[j].starts_with('-') {
            if words[j] == "-u" || words[j].ends_with('u') {
                root = words.get(j + 1).is_some_and(|u| u == "root");
                j += 2;
            } else {
                j += 1;
            }
        }
        words = words[j.min(words.len())..].to_vec();
    }
    let Some(mut cmd) = words.first().cloned() else {
        return ShellResult::Done(String::new());
    };
    let args = &words[1..];
    if c.host(h).os.is_some() {
        if let Some(out) = rhel::run(c, h, &cmd, args, root) {
            return out;
        }
        cmd = rhel::program_name(c, h, &cmd);
    }
    let out = match cmd.as_str() {
        "pg_basebackup" => return basebackup(c, h, args, &env),
        "pg_ctl" => pg_ctl(c, h, args),
        "systemctl" => systemctl(c, h, args),
        "pg_rewind" => pg_rewind(c, h, args),
        "postgres" | "postmaster" => pg::postgres(c, h, args),
        "initdb" => initdb::initdb(c, h, args),
        "psql" => psql::psql(c, h, args, &env),
        "cat" => cat(c, h, args),
        "tail" => tail(c, h, args, None),
        "head" => text::head(c, h, args, None),
        "grep" => text::grep(c, h, args, None),
        "wc" => text::wc(c, h, args, None),
        "echo" => echo(c, h, args, root),
        "sed" => sed::sed(c, h, args),
        "rm" => rm(c, h, args, root),
        "mkdir" => mkdir(c, h, args, root),
        "touch" => touch(c, h, args, root),
        "ls" if args
            .iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('l')) =>
        {
            perms::ls_long(c, h, args)
        }
        "ls" => ls(c, h, args),
        "stat" => perms::stat(c, h, args),
        "df" => df::df(c, h, args),
        "pg_controldata" => tools::pg_controldata(c, h, args),
        "pg_isready" => tools::pg_isready(c, h, args),
        "ps" => tools::ps(c, h, args),
        "chown" => perms::chown(c, h, args, root),
        "chmod" => perms::chmod(c, h, args, root),
        "hostname" => format!("{}\n", c.host(h).name),
        "whoami" if root => "root\n".to_string(),
        "whoami" => "postgres\n".to_string(),
        "pwd" => format!("{PGDATA}\n"),
        other => format!("bash: {other}: command not found\n"),
    };
    ShellResult::Done(out)
}

/// The `pg_basebackup` line that clones server `from` onto another host as a standby,
/// as a student would type it: as a role of `from` with REPLICATION and LOGIN
/// (`replicator` when there is one), with that role's password in `PGPASSWORD` when it
/// has one, so a `scram-sha-256` line in pg_hba.conf lets it in.
pub fn basebackup_command(c: &Cluster, from: HostId) -> String {
    let roles = c.host(from).data.as_ref().map(|d| &d.db.roles);
    let role = roles.and_then(|roles| {
        roles
            .find_index("replicator")
            .ok()
            .and_then(|i| roles.get_indexed(i))
            .filter(|(_, r)| r.replication && r.login)
            .or_else(|| roles.iter().find(|(_, r)| r.replication && r.login))
    });
    let user = role.map_or("replicator", |(n, _)| n.as_str());
    let password = role
        .and_then(|(_, r)| r.password.as_deref())
        .map(|p| format!("PGPASSWORD={} ", shell_word(p)))
        .unwrap_or_default();
    format!(
        "{password}pg_basebackup -h {} -U {} -D {PGDATA} -P -R",
        c.host(from).name,
        shell_word(user)
    )
}

/// `w` as one shell word: bare when that is safe, else in single quotes.
fn shell_word(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,/:@%+=".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// A `postgresql.conf` parse check helper used by the config panel: the first
/// syntax error as PostgreSQL words it, if any.
pub fn conf_error(path: &str, text: &str) -> Option<String> {
    conf::parse_conf(text).err().map(|e| e.message(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_paths_read_like_bash() {
        assert_eq!(
            split_words("echo 'host replication replicator 10.0.0.0/24 trust' >> pg_hba.conf")
                .unwrap(),
            vec![
                "echo",
                "host replication replicator 10.0.0.0/24 trust",
                ">>",
                "pg_hba.conf"
            ]
        );
        assert_eq!(
            split_words("a \"b c\" d\\ e").unwrap(),
            vec!["a", "b c", "d e"]
        );
        assert!(split_words("echo 'oops").is_err());
        assert_eq!(
            split_words("ls -l ~/.pgpass ~ '~/x' a~").unwrap(),
            vec![
                "ls",
                "-l",
                "/var/lib/pgsql/.pgpass",
                "/var/lib/pgsql",
                "~/x",
                "a~"
            ]
        );
        assert_eq!(
            resolve_path("pg_hba.conf"),
            "/var/lib/pgsql/data/pg_hba.conf"
        );
        assert_eq!(resolve_path("~/.pgpass"), "/var/lib/pgsql/.pgpass");
        assert_eq!(
            resolve_path("/var/lib/pgsql/data/../data/"),
            "/var/lib/pgsql/data"
        );
    }
}
