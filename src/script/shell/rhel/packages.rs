//! Packages on a RHEL host: `dnf install`, `rpm -q` and `postgresql-setup --initdb`.
//!
//! Red Hat's PostgreSQL 15 comes from the AppStream `postgresql:15` module stream,
//! enabled on walscope's RHEL image. The versions, sizes and the repository below are
//! illustrative of that stream (the server reports itself as 15.18), not a copy of a
//! particular mirror.

use super::needs_root;
use crate::sim::{Cluster, HostId, SimTime, EPOCH_UNIX_MICROS, PGDATA, PGHOME};

const RELEASE: &str = "15.18-1.module+el9.7.0+23811+1f3c2b7e";
/// pgaudit's release in the same module stream (pgaudit 1.7 is the one for 15).
const PGAUDIT_RELEASE: &str = "1.7.0-1.module+el9.7.0+23811+1f3c2b7e";
const REPO: &str = "rhel-9-for-x86_64-appstream-rpms";

/// A package dnf can install: name, download size, what it needs.
struct Package {
    name: &'static str,
    size: &'static str,
    requires: &'static [&'static str],
}

const CATALOG: [Package; 6] = [
    Package {
        name: "pgaudit",
        size: "52 k",
        requires: &["postgresql-server"],
    },
    Package {
        name: "postgresql",
        size: "1.8 M",
        requires: &["postgresql-private-libs"],
    },
    Package {
        name: "postgresql-contrib",
        size: "870 k",
        requires: &["postgresql"],
    },
    Package {
        name: "postgresql-private-libs",
        size: "138 k",
        requires: &[],
    },
    Package {
        name: "postgresql-server",
        size: "6.1 M",
        requires: &["postgresql", "postgresql-private-libs"],
    },
    Package {
        name: "postgresql-upgrade",
        size: "5.2 M",
        requires: &["postgresql-server"],
    },
];

fn find(name: &str) -> Option<&'static Package> {
    // `dnf install postgresql-server-15.18...` and `postgresql-server.x86_64` name it too.
    let base = name.strip_suffix(".x86_64").unwrap_or(name);
    CATALOG.iter().find(|p| {
        base == p.name
            || base
                .strip_prefix(p.name)
                .is_some_and(|v| v.starts_with("-15"))
    })
}

fn release(name: &str) -> &'static str {
    if name == "pgaudit" {
        PGAUDIT_RELEASE
    } else {
        RELEASE
    }
}

fn nevra(name: &str) -> String {
    format!("{name}-{}.x86_64", release(name))
}

/// dnf's "Last metadata expiration check" line: the cache was refreshed an hour
/// before the lab began.
fn metadata_line(now: SimTime) -> String {
    let refreshed = EPOCH_UNIX_MICROS - 3_600_000_000;
    let ago = (now.unix_micros() - refreshed) / 1_000_000;
    let (days, rest) = (ago / 86_400, ago % 86_400);
    let hms = format!("{}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
    let ago = if days > 0 {
        format!("{days} day{}, {hms}", if days == 1 { "" } else { "s" })
    } else {
        hms
    };
    format!("Last metadata expiration check: {ago} ago on Tue 24 Nov 2026 08:00:00 AM UTC.\n")
}

pub(super) fn dnf(c: &mut Cluster, h: HostId, args: &[String], root: bool) -> String {
    let yes = args.iter().any(|a| a == "-y" || a == "--assumeyes");
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let Some((&verb, names)) = words.split_first() else {
        return "usage: dnf [options] COMMAND\n".to_string();
    };
    if !matches!(verb, "install" | "remove" | "erase" | "list" | "info") {
        return format!("No such command: {verb}. Please use /usr/bin/dnf --help\nIt could be a DNF plugin command, try: \"dnf install 'dnf-command({verb})'\"\n");
    }
    if matches!(verb, "list" | "info") {
        return list(c, h, names);
    }
    if !root {
        return needs_root("dnf");
    }
    if verb != "install" {
        return "walscope: dnf here installs packages (dnf install -y ...); removing them is not modelled\n".to_string();
    }
    if names.is_empty() {
        return "Error: Need to pass a list of pkgs to install\n".to_string();
    }
    let mut out = metadata_line(c.now());
    let mut wanted: Vec<&Package> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    for n in names.iter().take(64) {
        match find(n) {
            Some(p) => wanted.push(p),
            None => missing.push(n),
        }
    }
    for m in &missing {
        out.push_str(&format!("No match for argument: {m}\n"));
    }
    if !missing.is_empty() {
        out.push_str(&format!(
            "Error: Unable to find a match: {}\n",
            missing.join(" ")
        ));
        return out;
    }
    let os = c.os(h).expect("a RHEL host");
    let mut install: Vec<&Package> = Vec::new();
    for p in &wanted {
        if os.has(p.name) {
            out.push_str(&format!(
                "Package {} is already installed.\n",
                nevra(p.name)
            ));
        } else if !install.iter().any(|q| q.name == p.name) {
            install.push(p);
        }
    }
    let mut deps: Vec<&Package> = Vec::new();
    let mut i = 0;
    let mut all: Vec<&Package> = install.clone();
    while i < all.len() {
        for r in all[i].requires {
            if let Some(p) = find(r) {
                if !os.has(p.name) && !all.iter().any(|q| q.name == p.name) {
                    all.push(p);
                    deps.push(p);
                }
            }
        }
        i += 1;
    }
    out.push_str("Dependencies resolved.\n");
    if install.is_empty() {
        out.push_str("Nothing to do.\nComplete!\n");
        return out;
    }
    crate::sim::order::sort_by_key(&mut install, |p| p.name);
    crate::sim::order::sort_by_key(&mut deps, |p| p.name);
    let rule = "=".repeat(row("", "", "", "", "").len() - 1) + "\n";
    out.push_str(&rule);
    out.push_str(&row("Package", "Arch", "Version", "Repository", "Size"));
    out.push_str(&rule);
    out.push_str("Installing:\n");
    for p in &install {
        out.push_str(&row(p.name, "x86_64", release(p.name), REPO, p.size));
    }
    if !deps.is_empty() {
        out.push_str("Installing dependencies:\n");
        for p in &deps {
            out.push_str(&row(p.name, "x86_64", release(p.name), REPO, p.size));
        }
    }
    let n = install.len() + deps.len();
    out.push_str(&format!(
        "\nTransaction Summary\n{rule}Install  {n} Package{}\n\n",
        if n == 1 { "" } else { "s" }
    ));
    if !yes {
        out.push_str("Is this ok [y/N]: Operation aborted.\n");
        return out;
    }
    let mut names: Vec<&str> = install.iter().chain(deps.iter()).map(|p| p.name).collect();
    crate::sim::order::sort(&mut names);
    out.push_str("Installed:\n");
    for name in &names {
        out.push_str(&format!("  {}\n", nevra(name)));
    }
    out.push_str("\nComplete!\n");
    let host = c.host_mut(h);
    if names.contains(&"postgresql-server") {
        // The package creates the postgres user, whose home is /var/lib/pgsql, with an
        // empty data directory and a place for backups.
        host.dirs.insert(PGHOME.to_string());
        host.dirs.insert(PGDATA.to_string());
        host.dirs.insert(format!("{PGHOME}/backups"));
    }
    if let Some(os) = host.os.as_deref_mut() {
        for name in names {
            os.packages.insert(name.to_string());
        }
    }
    out
}

fn row(name: &str, arch: &str, version: &str, repo: &str, size: &str) -> String {
    format!(" {name:<24} {arch:<7} {version:<38} {repo:<33} {size:>5}\n")
}

/// `dnf list installed` and `dnf info`: what is installed.
fn list(c: &Cluster, h: HostId, names: &[&str]) -> String {
    let os = c.os(h).expect("a RHEL host");
    let mut out = String::from("Installed Packages\n");
    for p in CATALOG.iter().filter(|p| os.has(p.name)) {
        if names
            .iter()
            .all(|n| *n == "installed" || find(n).is_some_and(|q| q.name == p.name))
        {
            out.push_str(&format!(
                "{:<40} {:<40} @{REPO}\n",
                format!("{}.x86_64", p.name),
                release(p.name)
            ));
        }
    }
    out
}

/// `rpm -q NAME...` (and `rpm -qa`).
pub(super) fn rpm(c: &Cluster, h: HostId, args: &[String]) -> String {
    let os = c.os(h).expect("a RHEL host");
    let query = args.iter().any(|a| a.starts_with("-q"));
    if !query {
        return "rpm: walscope answers queries only (rpm -q NAME, rpm -qa)\n".to_string();
    }
    if args.iter().any(|a| a.starts_with("-q") && a.contains('a')) {
        return CATALOG
            .iter()
            .filter(|p| os.has(p.name))
            .map(|p| format!("{}\n", nevra(p.name)))
            .collect();
    }
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if names.is_empty() {
        return "rpm: no arguments given for query\n".to_string();
    }
    let mut out = String::new();
    for n in names.iter().take(64) {
        match find(n).filter(|p| os.has(p.name)) {
            Some(p) => out.push_str(&format!("{}\n", nevra(p.name))),
            None => out.push_str(&format!("package {n} is not installed\n")),
        }
    }
    out
}

/// `postgresql-setup --initdb`: initdb into /var/lib/pgsql/data as the postgres user.
pub(super) fn postgresql_setup(c: &mut Cluster, h: HostId, args: &[String], _root: bool) -> String {
    if !args.iter().any(|a| a == "--initdb" || a == "initdb") {
        return "Usage: postgresql-setup MODE_OPTION [--unit=UNIT_NAME] [OPTION...]\n\nMode options: --initdb, --upgrade\n".to_string();
    }
    let mut out = format!(" * Initializing database in '{PGDATA}'\n");
    let exists = c.host(h).data.is_some()
        || c.host(h)
            .files
            .keys()
            .any(|p| p.starts_with(&format!("{PGDATA}/")));
    if exists {
        out.push_str(&format!(" ERROR: Data directory {PGDATA} is not empty!\n"));
        return out;
    }
    c.initdb_cluster(h);
    c.host_mut(h)
        .files
        .insert(format!("{PGHOME}/initdb_postgresql.log"), initdb_log());
    out.push_str(&format!(
        " * Initialized, logs are in {PGHOME}/initdb_postgresql.log\n"
    ));
    out
}

/// What initdb printed (postgresql-setup keeps it in initdb_postgresql.log).
fn initdb_log() -> String {
    format!(
        "The files belonging to this database system will be owned by user \"postgres\".
This user must also own the server process.

The database cluster will be initialized with locale \"en_US.UTF-8\".
The default database encoding has accordingly been set to \"UTF8\".
The default text search configuration will be set to \"english\".

Data page checksums are disabled.

fixing permissions on existing directory {PGDATA} ... ok
creating subdirectories ... ok
selecting dynamic shared memory implementation ... posix
selecting default max_connections ... 100
selecting default shared_buffers ... 128MB
selecting default time zone ... UTC
creating configuration files ... ok
running bootstrap script ... ok
performing post-bootstrap initialization ... ok
syncing data to disk ... ok

Success. You can now start the database server using:

    /usr/bin/pg_ctl -D {PGDATA} -l logfile start

"
    )
}
