//! `initdb`: a new, independent cluster in a host's data directory, with initdb 15's
//! own words (checked against `initdb -D DIR` of PostgreSQL 15.18 as postgres, `TZ=UTC`,
//! `LANG=C.UTF-8`; a root-owned existing directory: `could not change permissions of
//! directory "DIR": Operation not permitted` after `fixing permissions on existing
//! directory DIR ... `).

use super::resolve_path;
use crate::sim::perm;
use crate::sim::{Cluster, HostId, PGDATA, PGHOME};

/// What initdb is told: the directory and whether authentication was chosen.
struct Options {
    dir: Option<String>,
    auth_chosen: bool,
    checksums: bool,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        dir: None,
        auth_chosen: false,
        checksums: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-D" | "--pgdata" => o.dir = it.next().cloned(),
            "-A" | "--auth" | "--auth-local" | "--auth-host" => {
                o.auth_chosen = true;
                it.next();
            }
            "-k" | "--data-checksums" => o.checksums = true,
            "-E" | "--encoding" | "-U" | "--username" | "--locale" | "--lc-collate"
            | "--lc-ctype" => {
                it.next();
            }
            _ if a.starts_with("--pgdata=") => o.dir = Some(a["--pgdata=".len()..].to_string()),
            _ if a.starts_with("-D") => o.dir = Some(a[2..].to_string()),
            _ if a.starts_with("--auth") || (a.starts_with("-A") && a.len() > 2) => {
                o.auth_chosen = true
            }
            _ if a.starts_with('-') => {}
            _ if o.dir.is_none() => o.dir = Some(a.clone()),
            _ => {
                return Err(format!(
                    "initdb: error: too many command-line arguments (first is \"{a}\")\n\
                     initdb: hint: Try \"initdb --help\" for more information.\n"
                ))
            }
        }
    }
    Ok(o)
}

/// initdb's opening lines, printed before it looks at the directory.
fn preamble(checksums: bool) -> String {
    format!(
        "The files belonging to this database system will be owned by user \"postgres\".
This user must also own the server process.

The database cluster will be initialized with locale \"C.UTF-8\".
The default database encoding has accordingly been set to \"UTF8\".
The default text search configuration will be set to \"english\".

Data page checksums are {}.

",
        if checksums { "enabled" } else { "disabled" }
    )
}

/// `initdb [-D DIR]` on host `h` (PGDATA is set in the postgres user's environment).
pub(super) fn initdb(c: &mut Cluster, h: HostId, args: &[String]) -> String {
    let o = match options(args) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let dir = resolve_path(o.dir.as_deref().unwrap_or(PGDATA));
    let mut out = preamble(o.checksums);
    if dir != PGDATA {
        out.push_str(&format!(
            "walscope: a host of the lab keeps its cluster in {PGDATA}: run initdb -D {PGDATA}\n"
        ));
        return out;
    }
    let host = c.host(h);
    let inside = format!("{PGDATA}/");
    let nonempty = host.data.is_some()
        || host.files.keys().any(|p| p.starts_with(&inside))
        || host.dirs.iter().any(|d| d.starts_with(&inside));
    if nonempty {
        out.push_str(&format!(
            "initdb: error: directory \"{PGDATA}\" exists but is not empty\n\
             initdb: hint: If you want to create a new database system, either remove or empty the directory \"{PGDATA}\" or run initdb with an argument other than \"{PGDATA}\".\n"
        ));
        return out;
    }
    // initdb makes the directory 0700 (or chmods an existing one): only its owner may.
    if host.dirs.contains(PGDATA) {
        out.push_str(&format!(
            "fixing permissions on existing directory {PGDATA} ... "
        ));
        if host.meta_of(PGDATA, true).owner != perm::POSTGRES {
            out.push_str(&format!("initdb: error: could not change permissions of directory \"{PGDATA}\": Operation not permitted\n"));
            return out;
        }
        out.push_str("ok\n");
    } else {
        out.push_str(&format!("creating directory {PGDATA} ... "));
        let home = host.meta_of(PGHOME, true);
        if !(perm::may(perm::POSTGRES, &home, 2) && perm::may(perm::POSTGRES, &home, 1)) {
            out.push_str(&format!(
                "initdb: error: could not create directory \"{PGDATA}\": Permission denied\n"
            ));
            return out;
        }
        out.push_str("ok\n");
    }
    c.initdb_cluster(h);
    out.push_str(
        "creating subdirectories ... ok
selecting dynamic shared memory implementation ... posix
selecting default max_connections ... 100
selecting default shared_buffers ... 128MB
selecting default time zone ... UTC
creating configuration files ... ok
running bootstrap script ... ok
performing post-bootstrap initialization ... ok
syncing data to disk ... ok

",
    );
    if !o.auth_chosen {
        out.push_str("initdb: warning: enabling \"trust\" authentication for local connections\n\
                      initdb: hint: You can change this by editing pg_hba.conf or using the option -A, or --auth-local and --auth-host, the next time you run initdb.\n\n");
    }
    // initdb names pg_ctl in the directory it was started from (its argv[0]'s): typed
    // as `initdb`, found on PATH, that is none (recorded by scripts/compare on lesson 09).
    out.push_str(&format!(
        "Success. You can now start the database server using:\n\n    pg_ctl -D {PGDATA} -l logfile start\n\n"
    ));
    out
}
