//! Extensions and the libraries behind them: which ones a host's packages put on disk
//! (a control file in the extension directory, a shared library in `$libdir`), what
//! `shared_preload_libraries` loads at start, and pg_stat_statements' counters.
//!
//! An extension's catalog row (`pg_extension`) is part of the database and replicates
//! with the WAL like any other catalog change; its files are per host. A standby whose
//! host lacks the package replays the row and fails only when the library is needed:
//! calling one of its functions, or preloading it at start.
//!
//! Which hosts have which files: a default host has PostgreSQL with its contrib modules
//! (Debian's `postgresql-15` ships them; pgaudit is a separate package walscope's
//! default hosts do not have). A RHEL host has the contrib modules with the
//! `postgresql-contrib` package and pgaudit with the `pgaudit` package.

use super::cluster::Cluster;
pub use super::db::{Extension, PLPGSQL_OID};
use super::event::HostId;
pub use super::proc::StatementStats;

/// An extension walscope knows, as its control file describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtensionInfo {
    pub name: &'static str,
    /// `default_version` of the control file (the version CREATE EXTENSION installs).
    pub version: &'static str,
    /// The control file's comment (`pg_available_extensions.comment`, `\dx`).
    pub comment: &'static str,
    /// The schema it goes to (plpgsql's is pg_catalog; relocatable ones go to public).
    pub schema: &'static str,
    pub relocatable: bool,
    /// Its shared library, without `$libdir/`.
    pub library: &'static str,
    /// The package that installs it on a RHEL host (`None`: the server itself).
    pub rhel_package: Option<&'static str>,
    /// On a default host, whether it is installed (contrib is, pgaudit is not).
    pub on_default_host: bool,
    /// WAL of CREATE EXTENSION and of DROP EXTENSION, commit record included (measured
    /// on PostgreSQL 15.18 with pg_current_wal_insert_lsn around the statement, the
    /// catalog pages already touched since the last checkpoint).
    pub create_bytes: u64,
    pub drop_bytes: u64,
    /// OIDs its objects take (types, functions, views): the next table's OID moves on
    /// by this much, as it does after CREATE EXTENSION on PostgreSQL.
    pub oids: u32,
}

/// The extensions walscope models: plpgsql (core), two contrib modules and pgaudit.
pub const EXTENSIONS: [ExtensionInfo; 4] = [
    ExtensionInfo {
        name: "pg_stat_statements",
        version: "1.10",
        comment: "track planning and execution statistics of all SQL statements executed",
        schema: "public",
        relocatable: true,
        library: "pg_stat_statements",
        rhel_package: Some("postgresql-contrib"),
        on_default_host: true,
        create_bytes: 97_296,
        drop_bytes: 7_400,
        oids: 31,
    },
    ExtensionInfo {
        name: "pgaudit",
        version: "1.7",
        comment: "provides auditing functionality",
        schema: "public",
        relocatable: true,
        library: "pgaudit",
        rhel_package: Some("pgaudit"),
        on_default_host: false,
        create_bytes: 4_480,
        drop_bytes: 1_192,
        oids: 5,
    },
    ExtensionInfo {
        name: "pgcrypto",
        version: "1.3",
        comment: "cryptographic functions",
        schema: "public",
        relocatable: true,
        library: "pgcrypto",
        rhel_package: Some("postgresql-contrib"),
        on_default_host: true,
        create_bytes: 44_160,
        drop_bytes: 8_776,
        oids: 37,
    },
    ExtensionInfo {
        name: "plpgsql",
        version: "1.0",
        comment: "PL/pgSQL procedural language",
        schema: "pg_catalog",
        relocatable: false,
        library: "plpgsql",
        rhel_package: None,
        on_default_host: true,
        create_bytes: 3_976,
        drop_bytes: 1_120,
        oids: 5,
    },
];

/// Libraries that are no extension but can be preloaded (contrib's auto_explain).
const OTHER_LIBRARIES: [(&str, Option<&str>); 1] = [("auto_explain", Some("postgresql-contrib"))];

pub fn extension(name: &str) -> Option<&'static ExtensionInfo> {
    EXTENSIONS.iter().find(|e| e.name == name)
}

/// The most statements pg_stat_statements keeps (its `pg_stat_statements.max` default).
pub const MAX_STATEMENTS: usize = 5_000;

/// A library named in `shared_preload_libraries`, as the server looks it up: a bare
/// name or `$libdir/name`, with `.so` optional.
fn library_name(entry: &str) -> &str {
    let e = entry.strip_prefix("$libdir/").unwrap_or(entry);
    e.strip_suffix(".so").unwrap_or(e)
}

/// The entries of a library list setting (`'a, b'`), as SplitDirectoriesString reads
/// them: comma-separated, trimmed, double quotes removed.
pub fn library_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .take(64)
        .collect()
}

impl Cluster {
    fn has_package(&self, h: HostId, package: Option<&str>, default: bool) -> bool {
        match (self.os(h), package) {
            (None, _) => default,
            (Some(_), None) => true,
            (Some(os), Some(p)) => os.has(p),
        }
    }

    /// Whether the extension's control file is on host `h` (`pg_available_extensions`).
    pub fn extension_available(&self, h: HostId, name: &str) -> bool {
        extension(name).is_some_and(|e| self.has_package(h, e.rhel_package, e.on_default_host))
    }

    /// Whether `$libdir/NAME` exists on host `h`.
    pub fn library_available(&self, h: HostId, name: &str) -> bool {
        let name = library_name(name);
        if let Some(e) = EXTENSIONS.iter().find(|e| e.library == name) {
            return self.has_package(h, e.rhel_package, e.on_default_host);
        }
        OTHER_LIBRARIES
            .iter()
            .find(|(n, _)| *n == name)
            .is_some_and(|(_, p)| self.has_package(h, *p, true))
    }

    /// The directory of control files: Red Hat's `/usr/share/pgsql/extension`,
    /// Debian's `/usr/share/postgresql/15/extension` on a default host.
    pub fn extension_dir(&self, h: HostId) -> &'static str {
        if self.os(h).is_some() {
            "/usr/share/pgsql/extension"
        } else {
            "/usr/share/postgresql/15/extension"
        }
    }

    /// Whether the running server loaded `library` through shared_preload_libraries.
    pub fn preloaded(&self, h: HostId, library: &str) -> bool {
        self.server(h).is_some_and(|s| {
            library_list(&s.settings.text("shared_preload_libraries"))
                .iter()
                .any(|l| library_name(l) == library)
        })
    }

    /// process_shared_preload_libraries at start: the first library missing on the
    /// host stops the postmaster (`FATAL:  could not access file "pgaudit": No such
    /// file or directory`, on stderr before any log file). `Ok` carries the LOG lines
    /// the libraries print as they load (pgaudit says it is initialized).
    pub fn preload_libraries(&self, h: HostId, value: &str) -> Result<Vec<String>, String> {
        let mut logs = Vec::new();
        for entry in library_list(value) {
            if !self.library_available(h, &entry) {
                return Err(format!(
                    "could not access file \"{entry}\": No such file or directory"
                ));
            }
            if library_name(&entry) == "pgaudit" {
                logs.push("pgaudit extension initialized".to_string());
            }
        }
        Ok(logs)
    }

    /// pg_stat_statements counts a statement that completed, when the server preloads it.
    pub fn count_statement(&mut self, h: HostId, query: &str, rows: u64) {
        if !self.preloaded(h, "pg_stat_statements") {
            return;
        }
        let Some(s) = self.host_mut(h).server.as_mut() else {
            return;
        };
        let key = normalize_query(query);
        if !s.statements.contains_key(&key) && s.statements.len() >= MAX_STATEMENTS {
            return;
        }
        let e = s.statements.entry(key).or_default();
        e.calls += 1;
        e.rows += rows;
    }
}

/// pg_stat_statements' normalized query text: the statement without its `;`, each
/// constant (a quoted string or a number) of a planned statement (SELECT, INSERT,
/// UPDATE, DELETE) replaced by `$1`, `$2`, ...; PostgreSQL 15 keeps a utility
/// statement's text as it came.
pub fn normalize_query(q: &str) -> String {
    let q = q.trim().trim_end_matches(';').trim_end();
    let first = q
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(
        first.as_str(),
        "select" | "insert" | "update" | "delete" | "with" | "values" | "table"
    ) {
        return q.chars().take(1024).collect();
    }
    let chars: Vec<char> = q.chars().take(1024).collect();
    let mut out = String::new();
    let mut n = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
            n += 1;
            out.push_str(&format!("${n}"));
        } else if c == '"' {
            // A quoted identifier stays as written.
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.extend(&chars[start..i]);
        } else if c.is_ascii_digit() && !prev_word && c != '$' {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// pg_stat_statements' queryid for a normalized text: a stable 64-bit hash (FNV-1a),
/// where PostgreSQL hashes the parse tree.
pub fn query_id(normalized: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in normalized.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_become_parameters() {
        assert_eq!(
            normalize_query("INSERT INTO t VALUES (1, 'it''s', 2.5);"),
            "INSERT INTO t VALUES ($1, $2, $3)"
        );
        assert_eq!(
            normalize_query("SELECT count(*) FROM t2 WHERE \"c1\" = 'x'"),
            "SELECT count(*) FROM t2 WHERE \"c1\" = $1"
        );
        assert_eq!(normalize_query("SELECT 'unterminated"), "SELECT $1");
        assert_eq!(
            normalize_query("ALTER SYSTEM SET work_mem = '8MB';"),
            "ALTER SYSTEM SET work_mem = '8MB'"
        );
    }

    #[test]
    fn library_lists_are_split_as_postgresql_splits_them() {
        assert_eq!(
            library_list(" pg_stat_statements, \"pgaudit\" ,,"),
            vec!["pg_stat_statements", "pgaudit"]
        );
        assert_eq!(library_name("$libdir/pgaudit.so"), "pgaudit");
    }
}
