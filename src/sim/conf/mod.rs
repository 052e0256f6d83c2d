//! PostgreSQL settings (GUCs): the registry of modelled parameters, value checking as
//! `SET` and the configuration files do it (guc.c), `SHOW` formatting, and the syntax of
//! `postgresql.conf` (guc-file.l) and `postgresql.auto.conf` (ALTER SYSTEM).

mod file;
mod sync_names;
mod tables;
mod value;

pub use file::*;
pub use sync_names::{Method, SyncConfig};
pub use tables::*;
pub use value::*;

/// When a change to a setting takes effect (`pg_settings.context`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Internal,
    Postmaster,
    Sighup,
    Superuser,
    User,
}

impl Context {
    /// The name `pg_settings.context` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Internal => "internal",
            Context::Postmaster => "postmaster",
            Context::Sighup => "sighup",
            Context::Superuser => "superuser",
            Context::User => "user",
        }
    }
}

/// A unit of an integer setting (its base unit, as `pg_settings.unit` shows it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    Bytes,
    KiloBytes,
    MegaBytes,
    /// 8kB blocks (`GUC_UNIT_BLOCKS`).
    Kb8,
    Millis,
    Seconds,
    Minutes,
}

const KB: f64 = 1024.0;

/// guc.c's memory_unit_conversion_table, one slice per base unit, largest unit first.
const BYTES_TABLE: &[(&str, f64)] = &[
    ("TB", KB * KB * KB * KB),
    ("GB", KB * KB * KB),
    ("MB", KB * KB),
    ("kB", KB),
    ("B", 1.0),
];
const KB_TABLE: &[(&str, f64)] = &[
    ("TB", KB * KB * KB),
    ("GB", KB * KB),
    ("MB", KB),
    ("kB", 1.0),
    ("B", 1.0 / KB),
];
const MB_TABLE: &[(&str, f64)] = &[
    ("TB", KB * KB),
    ("GB", KB),
    ("MB", 1.0),
    ("kB", 1.0 / KB),
    ("B", 1.0 / (KB * KB)),
];
const BLOCKS_TABLE: &[(&str, f64)] = &[
    ("TB", (KB * KB * KB) / 8.0),
    ("GB", (KB * KB) / 8.0),
    ("MB", KB / 8.0),
    ("kB", 1.0 / 8.0),
    ("B", 1.0 / 8192.0),
];
/// guc.c's time_unit_conversion_table, one slice per base unit.
const MS_TABLE: &[(&str, f64)] = &[
    ("d", 86_400_000.0),
    ("h", 3_600_000.0),
    ("min", 60_000.0),
    ("s", 1000.0),
    ("ms", 1.0),
    ("us", 1.0 / 1000.0),
];
const S_TABLE: &[(&str, f64)] = &[
    ("d", 86_400.0),
    ("h", 3600.0),
    ("min", 60.0),
    ("s", 1.0),
    ("ms", 1.0 / 1000.0),
    ("us", 1.0 / (1000.0 * 1000.0)),
];
const MIN_TABLE: &[(&str, f64)] = &[
    ("d", 1440.0),
    ("h", 60.0),
    ("min", 1.0),
    ("s", 1.0 / 60.0),
    ("ms", 1.0 / (1000.0 * 60.0)),
    ("us", 1.0 / (1000.0 * 1000.0 * 60.0)),
];

const MEMORY_UNITS_HINT: &str =
    "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".";
const TIME_UNITS_HINT: &str =
    "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".";

impl Unit {
    /// The name `pg_settings.unit` shows (and range errors print after the value).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Bytes => "B",
            Unit::KiloBytes => "kB",
            Unit::MegaBytes => "MB",
            Unit::Kb8 => "8kB",
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Minutes => "min",
        }
    }

    /// Whether this is a memory unit (else a time unit).
    pub fn is_memory(self) -> bool {
        matches!(
            self,
            Unit::Bytes | Unit::KiloBytes | Unit::MegaBytes | Unit::Kb8
        )
    }

    fn table(self) -> &'static [(&'static str, f64)] {
        match self {
            Unit::Bytes => BYTES_TABLE,
            Unit::KiloBytes => KB_TABLE,
            Unit::MegaBytes => MB_TABLE,
            Unit::Kb8 => BLOCKS_TABLE,
            Unit::Millis => MS_TABLE,
            Unit::Seconds => S_TABLE,
            Unit::Minutes => MIN_TABLE,
        }
    }

    fn hint(self) -> &'static str {
        if self.is_memory() {
            MEMORY_UNITS_HINT
        } else {
            TIME_UNITS_HINT
        }
    }
}

/// The type of a setting, with its limits (`pg_settings.vartype`, `min_val`, `max_val`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Bool,
    Integer {
        min: i64,
        max: i64,
        unit: Option<Unit>,
    },
    Real {
        min: f64,
        max: f64,
    },
    String,
    /// The visible values; hidden aliases (e.g. `synchronous_commit = true`) are extra.
    Enum(&'static [&'static str]),
}

impl Kind {
    /// The name `pg_settings.vartype` shows.
    pub fn vartype(&self) -> &'static str {
        match self {
            Kind::Bool => "bool",
            Kind::Integer { .. } => "integer",
            Kind::Real { .. } => "real",
            Kind::String => "string",
            Kind::Enum(_) => "enum",
        }
    }
}

/// One modelled setting, as guc.c declares it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SettingDef {
    pub name: &'static str,
    pub kind: Kind,
    /// The boot value in the setting's own syntax, e.g. "1GB", "5min", "replica", "on", "".
    pub boot_value: &'static str,
    pub context: Context,
    pub short_desc: &'static str,
}

#[cfg(test)]
mod tests;
