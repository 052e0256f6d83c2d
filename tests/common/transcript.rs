//! Reading a runner transcript in native tests: run a script, and find what a command
//! printed (up to the next echoed prompt). The test files that need them include this
//! file as a module.
#![allow(dead_code)]

use walscope::script::run_script;

pub fn run(script: &str) -> String {
    match run_script(script) {
        Ok(t) => t,
        Err(e) => panic!("script does not parse: {e}"),
    }
}

/// The output printed for the first occurrence of `command` after `from` (up to the
/// next echoed prompt), and where it ends.
pub fn output_after<'a>(transcript: &'a str, from: usize, command: &str) -> (&'a str, usize) {
    let start = from
        + transcript[from..]
            .find(&format!("{command}\n"))
            .unwrap_or_else(|| panic!("{command} not in transcript:\n{transcript}"));
    let rest = &transcript[start + command.len() + 1..];
    let end = std::iter::once(0)
        .chain(rest.match_indices('\n').map(|(i, _)| i + 1))
        .find(|&i| is_prompt(rest[i..].lines().next().unwrap_or("")))
        .unwrap_or(rest.len());
    (&rest[..end], start + command.len() + 1 + end)
}

pub fn output_of<'a>(transcript: &'a str, command: &str) -> &'a str {
    output_after(transcript, 0, command).0
}

pub fn is_prompt(line: &str) -> bool {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    (name_end > 0 && (line[name_end..].starts_with("=# ") || line[name_end..].starts_with("$ ")))
        || line.starts_with("-- virtual time")
}

/// The primary made ready for a streaming standby: listening on every address, a
/// `replicator` role with a password, and the pg_hba.conf line that lets it replicate.
pub const PRIMARY_FOR_STANDBY: &str = "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
";

/// A host `standby1` cloned from the primary with pg_basebackup -R, and started.
pub const CLONE_STANDBY1: &str = "lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
";

/// The primary made ready to publish: wal_level = logical, listening on every address,
/// a `repuser` REPLICATION role that pg_hba.conf lets reach every database.
pub const PRIMARY_FOR_PUBLISHING: &str = "primary=# ALTER SYSTEM SET wal_level = logical;
primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE repuser WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host all repuser 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
";

/// A host `sub` with a cluster of its own, initdb'd and started.
pub const SUBSCRIBER_HOST: &str = "lab$ node add sub
sub$ initdb -D /var/lib/pgsql/data
sub$ pg_ctl start
";

/// `sub` subscribes to the primary's publication `mypub` as `repuser`.
pub const SUBSCRIBE_MYPUB: &str = "sub=# CREATE SUBSCRIPTION mysub CONNECTION 'host=primary dbname=postgres user=repuser password=secret' PUBLICATION mypub;
";
