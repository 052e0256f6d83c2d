//! A server's settings as loaded from its configuration files, the way the postmaster
//! reads `postgresql.conf` and then `postgresql.auto.conf` (which wins).

use crate::map::{Map, Set};

use super::conf::{self, Context, Parsed, SettingDef, SyncConfig};

/// Where a setting's value came from (`pg_settings.source`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub file: String,
    pub line: usize,
}

/// The settings in force in one server process.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    values: Map<&'static str, Parsed>,
    sources: Map<&'static str, Source>,
    /// Settings whose file value changed but need a restart (`pending_restart`).
    pub pending_restart: Set<&'static str>,
    /// `synchronous_standby_names` parsed, kept in step with `values` (as PostgreSQL's
    /// check hook keeps SyncRepConfig): every commit and standby reply consults it.
    sync_names: Option<std::sync::Arc<SyncConfig>>,
    /// `synchronous_commit`, likewise (read on every commit and reply).
    sync_commit: &'static str,
}

/// A message the server logs while reading its configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfMessage {
    pub severity: &'static str,
    pub text: String,
}

/// The outcome of reading the configuration files.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// Values from the files for every setting they mention, already checked.
    pub values: Map<&'static str, (Parsed, Source)>,
    /// Problems found; any of them makes the postmaster refuse to start.
    pub errors: Vec<ConfMessage>,
    /// The file of the last problem, which "configuration file ... contains errors"
    /// names.
    pub error_file: Option<String>,
}

/// Reads `postgresql.conf` and `postgresql.auto.conf` (each as `(path, text)`), later
/// entries winning, as ProcessConfigFile does.
pub fn read_files(files: &[(String, Option<String>)]) -> Loaded {
    let mut values = Map::new();
    let mut errors = Vec::new();
    let mut error_file = None;
    for (path, text) in files {
        let Some(text) = text else { continue };
        let before = errors.len();
        match conf::parse_conf(text) {
            Err(e) => errors.push(ConfMessage {
                severity: "LOG",
                text: e.message(path),
            }),
            Ok(entries) => {
                for entry in entries {
                    let Some(def) = conf::lookup(&entry.name) else {
                        if !conf::is_known_unmodelled(&entry.name) {
                            errors.push(ConfMessage {
                                severity: "LOG",
                                text: format!(
                                    "{} in file \"{path}\" line {}",
                                    conf::unrecognized(&entry.name),
                                    entry.line
                                ),
                            });
                        }
                        continue;
                    };
                    match conf::parse_value(def, &entry.value) {
                        Ok(v) => {
                            values.insert(
                                def.name,
                                (
                                    v,
                                    Source {
                                        file: path.clone(),
                                        line: entry.line,
                                    },
                                ),
                            );
                        }
                        Err(e) => {
                            // parse_and_validate_value's ereport carries the HINT
                            // (an enum's values) too: PostgreSQL 15.18 started with
                            // `wal_level = 'fancy'` logged `HINT:  Available values:
                            // minimal, replica, logical.` after the LOG.
                            errors.push(ConfMessage {
                                severity: "LOG",
                                text: e.message,
                            });
                            if let Some(hint) = e.hint {
                                errors.push(ConfMessage {
                                    severity: "HINT",
                                    text: hint,
                                });
                            }
                        }
                    }
                }
            }
        }
        if errors.len() > before {
            error_file = Some(path.clone());
        }
    }
    Loaded {
        values,
        errors,
        error_file,
    }
}

fn boot_value(def: &SettingDef) -> Parsed {
    conf::parse_value(def, def.boot_value).unwrap_or(Parsed::Text(def.boot_value.to_string()))
}

impl Settings {
    /// The settings a postmaster starts with: boot values overridden by the files.
    pub fn at_start(loaded: &Loaded) -> Settings {
        let mut values = Map::new();
        for def in conf::all() {
            values.insert(def.name, boot_value(def));
        }
        let mut sources = Map::new();
        for (name, (v, src)) in &loaded.values {
            values.insert(*name, v.clone());
            sources.insert(*name, src.clone());
        }
        let mut settings = Settings {
            values,
            sources,
            pending_restart: Set::new(),
            sync_names: None,
            sync_commit: "on",
        };
        settings.parse_sync_names();
        settings
    }

    /// The parsed `synchronous_standby_names`: `None` when it is empty (or a value the
    /// files could not have set).
    pub fn sync_names(&self) -> Option<&SyncConfig> {
        self.sync_names.as_deref()
    }

    /// The same list, shared (the model reads it on every standby reply).
    pub fn sync_names_shared(&self) -> Option<std::sync::Arc<SyncConfig>> {
        self.sync_names.clone()
    }

    /// The server's `synchronous_commit` (not a session's SET): `on`, `off`, `local`,
    /// `remote_write` or `remote_apply`.
    pub fn synchronous_commit(&self) -> &'static str {
        self.sync_commit
    }

    /// Keeps the parsed forms in step with `values`.
    fn parse_sync_names(&mut self) {
        self.sync_names = match self.values.get("synchronous_standby_names") {
            Some(Parsed::Text(s)) => SyncConfig::parse(s).ok().flatten().map(std::sync::Arc::new),
            _ => None,
        };
        self.sync_commit = match self.values.get("synchronous_commit") {
            Some(Parsed::Text(s)) => match s.as_str() {
                "off" | "false" | "no" | "0" => "off",
                "local" => "local",
                "remote_write" => "remote_write",
                "remote_apply" => "remote_apply",
                _ => "on",
            },
            _ => "on",
        };
    }

    /// Applies a reload (SIGHUP): settings that may change now do, postmaster-context
    /// ones are marked pending restart. Returns the log lines PostgreSQL writes;
    /// `main_file` is postgresql.conf, named when a refused value has no file of its own.
    pub fn reload(&mut self, loaded: &Loaded, main_file: &str) -> Vec<ConfMessage> {
        let mut log = Vec::new();
        let mut errors = !loaded.errors.is_empty();
        let mut error_file = loaded.error_file.clone();
        // PostgreSQL first deals with settings no longer in any file, then applies the
        // files' values in file order (postgresql.conf, then postgresql.auto.conf), so
        // its messages and the file it names for an error follow that order.
        let mut order: Vec<&SettingDef> = conf::all().iter().collect();
        crate::order::sort_by_key(&mut order, |def| {
            loaded.values.get(def.name).map(|(_, src)| {
                let auto = src.file.ends_with("postgresql.auto.conf");
                (auto, src.line)
            })
        });
        for def in order {
            let (new, src) = match loaded.values.get(def.name) {
                Some((v, src)) => (v.clone(), Some(src.clone())),
                None => (boot_value(def), None),
            };
            if self.values.get(def.name) == Some(&new) {
                self.pending_restart.remove(def.name);
                continue;
            }
            match def.context {
                Context::Internal => {}
                Context::Postmaster => {
                    error_file = Some(src.as_ref().map_or(main_file, |s| &s.file).to_string());
                    // Said again on every reload while the file and the server differ.
                    self.pending_restart.insert(def.name);
                    log.push(ConfMessage {
                        severity: "LOG",
                        text: format!(
                            "parameter \"{}\" cannot be changed without restarting the server",
                            def.name
                        ),
                    });
                    errors = true;
                }
                _ => {
                    log.push(ConfMessage {
                        severity: "LOG",
                        text: format!(
                            "parameter \"{}\" changed to \"{}\"",
                            def.name,
                            conf::show(def, &new)
                        ),
                    });
                    self.values.insert(def.name, new);
                    match src {
                        Some(s) => self.sources.insert(def.name, s),
                        None => self.sources.remove(def.name),
                    };
                }
            }
        }
        self.parse_sync_names();
        let mut out: Vec<ConfMessage> = loaded.errors.clone();
        out.extend(log);
        if errors {
            let file = error_file.as_deref().unwrap_or(main_file);
            out.push(ConfMessage {
                severity: "LOG",
                text: format!(
                    "configuration file \"{file}\" contains errors; unaffected changes were applied"
                ),
            });
        }
        out
    }

    /// Sets a value for this process only (the session-level `SET`).
    pub fn set(&mut self, name: &'static str, value: Parsed) {
        self.values.insert(name, value);
        self.parse_sync_names();
    }

    pub fn get(&self, name: &str) -> Option<&Parsed> {
        self.values.get(name)
    }

    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.get(name)
    }

    /// What `SHOW name` prints.
    pub fn show(&self, name: &str) -> Option<String> {
        let def = conf::lookup(name)?;
        Some(
            self.values
                .get(def.name)
                .map_or_else(|| def.boot_value.to_string(), |v| conf::show(def, v)),
        )
    }

    /// An integer setting in its base unit (0 if the name is not an integer setting).
    pub fn int(&self, name: &str) -> i64 {
        match self.values.get(name) {
            Some(Parsed::Int(i)) => *i,
            _ => 0,
        }
    }

    pub fn bool(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(Parsed::Bool(true)))
    }

    /// A string or enum setting as text.
    pub fn text(&self, name: &str) -> String {
        match self.values.get(name) {
            Some(Parsed::Text(s)) => s.clone(),
            Some(other) => conf::lookup(name)
                .map(|d| conf::show(d, other))
                .unwrap_or_default(),
            None => String::new(),
        }
    }
}
