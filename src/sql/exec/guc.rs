//! SHOW, SET, RESET, ALTER SYSTEM and the rows of pg_settings (PostgreSQL's guc.c).

use crate::sim::conf::{self, Context, Parsed};
use crate::sim::PGDATA;
use crate::sql::{ServerError, SetValue};

use super::select::to_result;
use super::value::Val;
use super::{Exec, Res, Rows, StatementResult};

impl Exec<'_> {
    pub(super) fn setting_def(&self, name: &str) -> Res<&'static conf::SettingDef> {
        conf::lookup(name).ok_or_else(|| ServerError::new(conf::unrecognized(name)))
    }

    pub(super) fn show(&mut self, name: &str) -> Res<StatementResult> {
        if name == "all" {
            let settings = self.c.settings(self.h);
            let rows = conf::all()
                .iter()
                .map(|d| {
                    vec![
                        Val::Text(d.name.into()),
                        Val::Text(settings.show(d.name).unwrap_or_default()),
                        Val::Text(d.short_desc.into()),
                    ]
                })
                .collect();
            return Ok(StatementResult::Rows(to_result(Rows {
                columns: vec!["name".into(), "setting".into(), "description".into()],
                rows,
            })));
        }
        let def = self.setting_def(name)?;
        let value = self.session_setting(def);
        Ok(StatementResult::Rows(to_result(Rows {
            columns: vec![def.name.to_string()],
            rows: vec![vec![Val::Text(value)]],
        })))
    }

    pub(super) fn session_setting(&self, def: &conf::SettingDef) -> String {
        let server = self.c.host(self.h).server.as_ref();
        let session = server
            .and_then(|s| s.sessions.get(self.session))
            .and_then(|s| s.set.get(def.name));
        match session {
            Some(v) => conf::show(def, v),
            None => self.c.settings(self.h).show(def.name).unwrap_or_default(),
        }
    }

    pub(super) fn set(&mut self, name: &str, value: SetValue) -> Res<StatementResult> {
        let def = self.setting_def(name)?;
        match def.context {
            Context::User | Context::Superuser => {}
            Context::Postmaster => {
                return Err(ServerError::new(format!(
                    "parameter \"{}\" cannot be changed without restarting the server",
                    def.name
                )))
            }
            _ => {
                return Err(ServerError::new(format!(
                    "parameter \"{}\" cannot be changed now",
                    def.name
                )))
            }
        }
        let parsed = match value {
            SetValue::Default => None,
            SetValue::Values(v) => Some(self.parse_setting(def, &v.join(", "))?),
        };
        let session = self.session;
        if let Some(s) = self
            .c
            .host_mut(self.h)
            .server
            .as_mut()
            .and_then(|s| s.sessions.get_mut(session))
        {
            match parsed {
                Some(p) => {
                    s.set.insert(def.name, p);
                }
                None => {
                    s.set.remove(def.name);
                }
            }
        }
        Ok(StatementResult::Tag(
            if matches!(self.sql.trim_start().get(..5), Some(w) if w.eq_ignore_ascii_case("reset"))
            {
                "RESET"
            } else {
                "SET"
            }
            .into(),
        ))
    }

    pub(super) fn parse_setting(&self, def: &conf::SettingDef, raw: &str) -> Res<Parsed> {
        conf::parse_value(def, raw).map_err(|e| ServerError {
            message: e.message,
            hint: e.hint,
            ..ServerError::default()
        })
    }

    pub(super) fn alter_system(
        &mut self,
        name: &str,
        value: Option<SetValue>,
    ) -> Res<StatementResult> {
        let path = format!("{PGDATA}/postgresql.auto.conf");
        let current = self
            .c
            .host(self.h)
            .files
            .get(&path)
            .cloned()
            .unwrap_or_default();
        let mut entries: Vec<(String, String)> = match conf::parse_conf(&current) {
            Ok(e) => e.into_iter().map(|e| (e.name, e.value)).collect(),
            Err(_) => {
                return Err(ServerError::new(
                    "could not parse contents of file \"postgresql.auto.conf\"",
                ))
            }
        };
        if name == "all" && value.is_none() {
            entries.clear();
        } else {
            let def = self.setting_def(name)?;
            if def.context == Context::Internal {
                return Err(ServerError::new(format!(
                    "parameter \"{}\" cannot be changed",
                    def.name
                )));
            }
            entries.retain(|(n, _)| !n.eq_ignore_ascii_case(def.name));
            if let Some(SetValue::Values(v)) = value {
                let raw = v.join(", ");
                self.parse_setting(def, &raw)?;
                if def.name == "synchronous_standby_names" {
                    if let Err(detail) = crate::sim::syncrep::SyncConfig::parse(&raw) {
                        return Err(ServerError {
                            message: format!("invalid value for parameter \"synchronous_standby_names\": \"{raw}\""),
                            detail: Some(detail),
                            ..ServerError::default()
                        });
                    }
                }
                entries.push((def.name.to_string(), raw));
            }
        }
        self.c
            .host_mut(self.h)
            .files
            .insert(path, conf::render_auto_conf(&entries));
        Ok(StatementResult::Tag("ALTER SYSTEM".into()))
    }

    pub(super) fn pg_settings(&self) -> Rows {
        let settings = self.c.settings(self.h);
        let files = self.c.file_settings(self.h);
        let columns = [
            "name",
            "setting",
            "unit",
            "category",
            "short_desc",
            "extra_desc",
            "context",
            "vartype",
            "source",
            "min_val",
            "max_val",
            "enumvals",
            "boot_val",
            "reset_val",
            "sourcefile",
            "sourceline",
            "pending_restart",
        ];
        let rows = conf::all()
            .iter()
            .map(|d| {
                let v = settings.get(d.name).cloned();
                let raw = match &v {
                    Some(Parsed::Int(i)) => i.to_string(),
                    Some(Parsed::Bool(b)) => if *b { "on" } else { "off" }.to_string(),
                    Some(Parsed::Real(r)) => format!("{r}"),
                    Some(Parsed::Text(t)) => t.clone(),
                    None => String::new(),
                };
                let (unit, vartype, min, max, enums) = match &d.kind {
                    conf::Kind::Bool => (None, "bool", None, None, None),
                    conf::Kind::Integer { min, max, unit } => (
                        unit.map(unit_text),
                        "integer",
                        Some(min.to_string()),
                        Some(max.to_string()),
                        None,
                    ),
                    conf::Kind::Real { min, max } => (
                        None,
                        "real",
                        Some(format!("{min}")),
                        Some(format!("{max}")),
                        None,
                    ),
                    conf::Kind::String => (None, "string", None, None, None),
                    conf::Kind::Enum(vals) => (
                        None,
                        "enum",
                        None,
                        None,
                        Some(format!("{{{}}}", vals.join(","))),
                    ),
                };
                let source = settings.source(d.name);
                let pending = d.context == Context::Postmaster
                    && files
                        .values
                        .get(d.name)
                        .map(|(p, _)| p.clone())
                        .or_else(|| conf::parse_value(d, d.boot_value).ok())
                        != v;
                let opt = |s: Option<String>| s.map_or(Val::Null, Val::Text);
                vec![
                    Val::Text(d.name.into()),
                    Val::Text(raw.clone()),
                    opt(unit.map(str::to_string)),
                    Val::Text(category(d.name).into()),
                    Val::Text(d.short_desc.into()),
                    Val::Null,
                    Val::Text(context_text(d.context).into()),
                    Val::Text(vartype.into()),
                    Val::Text(
                        if source.is_some() {
                            "configuration file"
                        } else {
                            "default"
                        }
                        .into(),
                    ),
                    opt(min),
                    opt(max),
                    opt(enums),
                    Val::Text(d.boot_value.into()),
                    Val::Text(raw),
                    opt(source.map(|s| s.file.clone())),
                    source.map_or(Val::Null, |s| Val::Int(s.line as i64)),
                    Val::Bool(pending),
                ]
            })
            .collect();
        Rows {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
        }
    }
}

fn unit_text(u: conf::Unit) -> &'static str {
    match u {
        conf::Unit::Bytes => "B",
        conf::Unit::KiloBytes => "kB",
        conf::Unit::MegaBytes => "MB",
        conf::Unit::Kb8 => "8kB",
        conf::Unit::Millis => "ms",
        conf::Unit::Seconds => "s",
        conf::Unit::Minutes => "min",
    }
}

fn context_text(c: Context) -> &'static str {
    match c {
        Context::Internal => "internal",
        Context::Postmaster => "postmaster",
        Context::Sighup => "sighup",
        Context::Superuser => "superuser",
        Context::User => "user",
    }
}

fn category(name: &str) -> &'static str {
    match name {
        "wal_level" | "wal_log_hints" | "full_page_writes" | "synchronous_commit" => {
            "Write-Ahead Log / Settings"
        }
        "checkpoint_timeout" | "checkpoint_completion_target" | "max_wal_size" | "min_wal_size" => {
            "Write-Ahead Log / Checkpoints"
        }
        "archive_mode" | "archive_command" => "Write-Ahead Log / Archiving",
        "max_wal_senders"
        | "max_replication_slots"
        | "wal_keep_size"
        | "max_slot_wal_keep_size"
        | "wal_sender_timeout" => "Replication / Sending Servers",
        "synchronous_standby_names" => "Replication / Primary Server",
        "hot_standby"
        | "hot_standby_feedback"
        | "wal_receiver_timeout"
        | "wal_receiver_status_interval"
        | "wal_retrieve_retry_interval"
        | "recovery_min_apply_delay"
        | "primary_conninfo"
        | "primary_slot_name" => "Replication / Standby Servers",
        "recovery_target_timeline" => "Write-Ahead Log / Recovery Target",
        "listen_addresses" | "port" | "max_connections" => {
            "Connections and Authentication / Connection Settings"
        }
        "shared_buffers" => "Resource Usage / Memory",
        _ => "Preset Options",
    }
}
