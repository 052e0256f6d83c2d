//! PostgreSQL settings (GUCs): the registry of modelled parameters, value checking as
//! `SET` and the configuration files do it (guc.c), `SHOW` formatting, and the syntax of
//! `postgresql.conf` (guc-file.l) and `postgresql.auto.conf` (ALTER SYSTEM).

use std::fmt;

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

const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
/// `MAX_KILOBYTES` on a 64-bit build.
const MAX_KILOBYTES: i64 = INT_MAX;
/// `MAX_BACKENDS` (0x3FFFF).
const MAX_BACKENDS: i64 = 262_143;

const WAL_LEVELS: &[&str] = &["minimal", "replica", "logical"];
const WAL_COMPRESSION: &[&str] = &["pglz", "lz4", "zstd", "on", "off"];
const SYNC_COMMIT_LEVELS: &[&str] = &["local", "remote_write", "remote_apply", "on", "off"];
const ARCHIVE_MODES: &[&str] = &["always", "on", "off"];
const PASSWORD_TYPES: &[&str] = &["md5", "scram-sha-256"];

const fn int(min: i64, max: i64, unit: Option<Unit>) -> Kind {
    Kind::Integer { min, max, unit }
}

const fn def(
    name: &'static str,
    kind: Kind,
    boot_value: &'static str,
    context: Context,
    short_desc: &'static str,
) -> SettingDef {
    SettingDef {
        name,
        kind,
        boot_value,
        context,
        short_desc,
    }
}

/// The modelled settings, sorted by name (PostgreSQL 15 guc.c values).
static SETTINGS: &[SettingDef] = &[
    def(
        "application_name",
        Kind::String,
        "",
        Context::User,
        "Sets the application name to be reported in statistics and logs.",
    ),
    def(
        "archive_command",
        Kind::String,
        "",
        Context::Sighup,
        "Sets the shell command that will be called to archive a WAL file.",
    ),
    def(
        "archive_mode",
        Kind::Enum(ARCHIVE_MODES),
        "off",
        Context::Postmaster,
        "Allows archiving of WAL files using archive_command.",
    ),
    def(
        "checkpoint_completion_target",
        Kind::Real { min: 0.0, max: 1.0 },
        "0.9",
        Context::Sighup,
        "Time spent flushing dirty buffers during checkpoint, as fraction of checkpoint interval.",
    ),
    def(
        "checkpoint_timeout",
        int(30, 86_400, Some(Unit::Seconds)),
        "5min",
        Context::Sighup,
        "Sets the maximum time between automatic WAL checkpoints.",
    ),
    def(
        "cluster_name",
        Kind::String,
        "",
        Context::Postmaster,
        "Sets the name of the cluster, which is included in the process title.",
    ),
    def(
        "data_checksums",
        Kind::Bool,
        "off",
        Context::Internal,
        "Shows whether data checksums are turned on for this cluster.",
    ),
    def(
        "data_directory",
        Kind::String,
        // Every host's cluster lives here (the model does not move it).
        "/var/lib/pgsql/data",
        Context::Postmaster,
        "Sets the server's data directory.",
    ),
    def(
        "full_page_writes",
        Kind::Bool,
        "on",
        Context::Sighup,
        "Writes full pages to WAL when first modified after a checkpoint.",
    ),
    def(
        "hot_standby",
        Kind::Bool,
        "on",
        Context::Postmaster,
        "Allows connections and queries during recovery.",
    ),
    def(
        "hot_standby_feedback",
        Kind::Bool,
        "off",
        Context::Sighup,
        "Allows feedback from a hot standby to the primary that will avoid query conflicts.",
    ),
    def(
        "listen_addresses",
        Kind::String,
        "localhost",
        Context::Postmaster,
        "Sets the host name or IP address(es) to listen to.",
    ),
    def("log_checkpoints", Kind::Bool, "on", Context::Sighup, "Logs each checkpoint."),
    def(
        "max_connections",
        int(1, MAX_BACKENDS, None),
        "100",
        Context::Postmaster,
        "Sets the maximum number of concurrent connections.",
    ),
    def(
        "max_replication_slots",
        int(0, MAX_BACKENDS, None),
        "10",
        Context::Postmaster,
        "Sets the maximum number of simultaneously defined replication slots.",
    ),
    def(
        "max_slot_wal_keep_size",
        int(-1, MAX_KILOBYTES, Some(Unit::MegaBytes)),
        "-1",
        Context::Sighup,
        "Sets the maximum WAL size that can be reserved by replication slots.",
    ),
    def(
        "max_wal_senders",
        int(0, MAX_BACKENDS, None),
        "10",
        Context::Postmaster,
        "Sets the maximum number of simultaneously running WAL sender processes.",
    ),
    def(
        "max_wal_size",
        int(2, MAX_KILOBYTES, Some(Unit::MegaBytes)),
        "1GB",
        Context::Sighup,
        "Sets the WAL size that triggers a checkpoint.",
    ),
    def(
        "min_wal_size",
        int(2, MAX_KILOBYTES, Some(Unit::MegaBytes)),
        "80MB",
        Context::Sighup,
        "Sets the minimum size to shrink the WAL to.",
    ),
    def(
        "password_encryption",
        Kind::Enum(PASSWORD_TYPES),
        "scram-sha-256",
        Context::User,
        "Chooses the algorithm for encrypting passwords.",
    ),
    def(
        "port",
        int(1, 65_535, None),
        "5432",
        Context::Postmaster,
        "Sets the TCP port the server listens on.",
    ),
    def(
        "primary_conninfo",
        Kind::String,
        "",
        Context::Sighup,
        "Sets the connection string to be used to connect to the sending server.",
    ),
    def(
        "primary_slot_name",
        Kind::String,
        "",
        Context::Sighup,
        "Sets the name of the replication slot to use on the sending server.",
    ),
    def(
        "recovery_min_apply_delay",
        int(0, INT_MAX, Some(Unit::Millis)),
        "0",
        Context::Sighup,
        "Sets the minimum delay for applying changes during recovery.",
    ),
    def(
        "recovery_target_timeline",
        Kind::String,
        "latest",
        Context::Postmaster,
        "Specifies the timeline to recover into.",
    ),
    def("server_version", Kind::String, "15.18", Context::Internal, "Shows the server version."),
    def(
        "shared_buffers",
        int(16, INT_MAX / 2, Some(Unit::Kb8)),
        "128MB",
        Context::Postmaster,
        "Sets the number of shared memory buffers used by the server.",
    ),
    def(
        "synchronous_commit",
        Kind::Enum(SYNC_COMMIT_LEVELS),
        "on",
        Context::User,
        "Sets the current transaction's synchronization level.",
    ),
    def(
        "synchronous_standby_names",
        Kind::String,
        "",
        Context::Sighup,
        "Number of synchronous standbys and list of names of potential synchronous ones.",
    ),
    def(
        "wal_compression",
        Kind::Enum(WAL_COMPRESSION),
        "off",
        Context::Superuser,
        "Compresses full-page writes written in WAL file with specified method.",
    ),
    def(
        "wal_keep_size",
        int(0, MAX_KILOBYTES, Some(Unit::MegaBytes)),
        "0",
        Context::Sighup,
        "Sets the size of WAL files held for standby servers.",
    ),
    def(
        "wal_level",
        Kind::Enum(WAL_LEVELS),
        "replica",
        Context::Postmaster,
        "Sets the level of information written to the WAL.",
    ),
    def(
        "wal_log_hints",
        Kind::Bool,
        "off",
        Context::Postmaster,
        "Writes full pages to WAL when first modified after a checkpoint, even for a non-critical modification.",
    ),
    def(
        "wal_receiver_status_interval",
        int(0, INT_MAX / 1000, Some(Unit::Seconds)),
        "10s",
        Context::Sighup,
        "Sets the maximum interval between WAL receiver status reports to the sending server.",
    ),
    def(
        "wal_receiver_timeout",
        int(0, INT_MAX, Some(Unit::Millis)),
        "1min",
        Context::Sighup,
        "Sets the maximum wait time to receive data from the sending server.",
    ),
    def(
        "wal_retrieve_retry_interval",
        int(1, INT_MAX, Some(Unit::Millis)),
        "5s",
        Context::Sighup,
        "Sets the time to wait before retrying to retrieve WAL after a failed attempt.",
    ),
    def(
        "wal_segment_size",
        int(1024 * 1024, 1024 * 1024 * 1024, Some(Unit::Bytes)),
        "16MB",
        Context::Internal,
        "Shows the size of write ahead log segments.",
    ),
    def(
        "wal_sender_timeout",
        int(0, INT_MAX, Some(Unit::Millis)),
        "1min",
        Context::User,
        "Sets the maximum time to wait for WAL replication.",
    ),
];

/// Hidden enum spellings PostgreSQL accepts but does not list, and what they mean.
fn hidden_aliases(name: &str) -> &'static [(&'static str, &'static str)] {
    const ON_OFF: &[(&str, &str)] = &[
        ("true", "on"),
        ("false", "off"),
        ("yes", "on"),
        ("no", "off"),
        ("1", "on"),
        ("0", "off"),
    ];
    match name {
        "wal_level" => &[("archive", "replica"), ("hot_standby", "replica")],
        "synchronous_commit" | "archive_mode" => ON_OFF,
        _ => &[],
    }
}

/// The setting called `name`, compared case-insensitively as PostgreSQL does.
pub fn lookup(name: &str) -> Option<&'static SettingDef> {
    SETTINGS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// Every modelled setting, sorted by name.
pub fn all() -> &'static [SettingDef] {
    SETTINGS
}

/// A parsed, checked value.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Bool(bool),
    /// In the setting's base unit.
    Int(i64),
    Real(f64),
    /// A string, or an enum's canonical (visible, lower-case) value.
    Text(String),
}

/// A value PostgreSQL rejects; `message` is the text after `ERROR:  `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}

/// `unrecognized configuration parameter "foo"`, as SET and SHOW report an unknown name.
pub fn unrecognized(name: &str) -> String {
    format!("unrecognized configuration parameter \"{name}\"")
}

/// Checks `raw` for `def` as parse_and_validate_value does; messages name `def.name`.
pub fn parse_value(def: &SettingDef, raw: &str) -> Result<Parsed, ValueError> {
    parse_value_as(def, def.name, raw)
}

/// Like [`parse_value`], with messages naming the parameter as the user spelled it
/// (PostgreSQL echoes the name as written, e.g. `Wal_Level` in postgresql.conf).
pub fn parse_value_as(def: &SettingDef, name: &str, raw: &str) -> Result<Parsed, ValueError> {
    let invalid = |hint: Option<&str>| ValueError {
        message: format!("invalid value for parameter \"{name}\": \"{raw}\""),
        hint: hint.map(str::to_string),
    };
    match def.kind {
        Kind::Bool => parse_bool(raw).map(Parsed::Bool).ok_or_else(|| ValueError {
            message: format!("parameter \"{name}\" requires a Boolean value"),
            hint: None,
        }),
        Kind::Integer { min, max, unit } => {
            let v = parse_int(raw, unit).map_err(invalid)?;
            if v < min || v > max {
                let unit_text = unit.map_or(String::new(), |u| format!(" {}", u.as_str()));
                return Err(ValueError {
                    message: format!(
                        "{v}{unit_text} is outside the valid range for parameter \"{name}\" ({min} .. {max})"
                    ),
                    hint: None,
                });
            }
            Ok(Parsed::Int(v))
        }
        Kind::Real { min, max } => {
            let v = parse_real(raw).ok_or_else(|| invalid(None))?;
            if v < min || v > max {
                return Err(ValueError {
                    message: format!(
                        "{} is outside the valid range for parameter \"{name}\" ({} .. {})",
                        fmt_g(v),
                        fmt_g(min),
                        fmt_g(max)
                    ),
                    hint: None,
                });
            }
            Ok(Parsed::Real(v))
        }
        Kind::String => Ok(Parsed::Text(raw.to_string())),
        Kind::Enum(values) => {
            if let Some(v) = values.iter().find(|v| v.eq_ignore_ascii_case(raw)) {
                return Ok(Parsed::Text((*v).to_string()));
            }
            if let Some((_, v)) = hidden_aliases(def.name)
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(raw))
            {
                return Ok(Parsed::Text((*v).to_string()));
            }
            let hint = format!("Available values: {}.", values.join(", "));
            Err(invalid(Some(&hint)))
        }
    }
}

/// How SHOW prints the value, as _ShowOption does (integers in the largest unit that
/// divides them exactly, reals like `%g`, bools `on`/`off`).
pub fn show(def: &SettingDef, v: &Parsed) -> String {
    match v {
        Parsed::Bool(b) => if *b { "on" } else { "off" }.to_string(),
        Parsed::Int(i) => match def.kind {
            Kind::Integer {
                unit: Some(unit), ..
            } if *i > 0 => show_with_unit(*i, unit),
            _ => i.to_string(),
        },
        Parsed::Real(r) => fmt_g(*r),
        Parsed::Text(s) => s.clone(),
    }
}

/// convert_int_from_base_unit: the first unit (largest first) that divides exactly.
fn show_with_unit(v: i64, unit: Unit) -> String {
    for (name, mult) in unit.table() {
        if *mult <= 1.0 || v % (*mult as i64) == 0 {
            return format!("{}{name}", (v as f64 / mult) as i64);
        }
    }
    v.to_string()
}

/// parse_bool: true/false/yes/no and their unique prefixes, on, of(f), 1, 0; any case.
fn parse_bool(raw: &str) -> Option<bool> {
    let lower = raw.to_ascii_lowercase();
    let s = lower.as_str();
    let prefix_of = |word: &str| !s.is_empty() && word.starts_with(s);
    match s.as_bytes().first()? {
        b't' if prefix_of("true") => Some(true),
        b'f' if prefix_of("false") => Some(false),
        b'y' if prefix_of("yes") => Some(true),
        b'n' if prefix_of("no") => Some(false),
        b'o' if s == "on" => Some(true),
        b'o' if s.len() >= 2 && prefix_of("off") => Some(false),
        b'1' if s.len() == 1 => Some(true),
        b'0' if s.len() == 1 => Some(false),
        _ => None,
    }
}

/// C's isspace() in the C locale.
fn c_isspace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// strtol(s, &end, 0): value, bytes consumed (0 = no conversion), and ERANGE.
fn c_strtol(s: &[u8]) -> (i64, usize, bool) {
    let mut i = 0;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = s.get(i) {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i += 1;
        }
    }
    let mut base = 10u32;
    if s.get(i) == Some(&b'0') {
        if matches!(s.get(i + 1), Some(b'x') | Some(b'X'))
            && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
        {
            base = 16;
            i += 2;
        } else {
            base = 8;
        }
    }
    let start = i;
    let mut acc: i128 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        if !overflow {
            acc = acc * i128::from(base) + i128::from(d);
            if acc > i128::from(i64::MAX) + 1 {
                overflow = true;
            }
        }
        i += 1;
    }
    if i == start {
        return (0, 0, false);
    }
    let signed = if neg { -acc } else { acc };
    if overflow || signed > i128::from(i64::MAX) || signed < i128::from(i64::MIN) {
        let v = if neg { i64::MIN } else { i64::MAX };
        return (v, i, true);
    }
    (signed as i64, i, false)
}

/// strtod(s, &end): value, bytes consumed (0 = no conversion), and ERANGE.
fn c_strtod(s: &[u8]) -> (f64, usize, bool) {
    let mut i = 0;
    while i < s.len() && c_isspace(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = s.get(i) {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i += 1;
        }
    }
    let sign = if neg { -1.0 } else { 1.0 };
    let rest = &s[i..];
    let starts_ci = |word: &str| {
        rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes())
    };
    if starts_ci("infinity") {
        return (sign * f64::INFINITY, i + 8, false);
    }
    if starts_ci("inf") {
        return (sign * f64::INFINITY, i + 3, false);
    }
    if starts_ci("nan") {
        let mut end = i + 3;
        if s.get(end) == Some(&b'(') {
            let mut j = end + 1;
            while s
                .get(j)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                j += 1;
            }
            if s.get(j) == Some(&b')') {
                end = j + 1;
            }
        }
        return (f64::NAN, end, false);
    }
    let is_hex_start = rest.len() > 2
        && rest[0] == b'0'
        && (rest[1] == b'x' || rest[1] == b'X')
        && (rest[2].is_ascii_hexdigit()
            || (rest[2] == b'.' && rest.get(3).is_some_and(|c| c.is_ascii_hexdigit())));
    if is_hex_start {
        let (v, used) = hex_float(&rest[2..]);
        let v = sign * v;
        return (v, i + 2 + used, v.is_infinite());
    }
    // Decimal: digits [. digits] [e [sign] digits], at least one mantissa digit.
    let mut j = i;
    let mut digits = 0;
    let mut nonzero = false;
    while s.get(j).is_some_and(u8::is_ascii_digit) {
        nonzero |= s[j] != b'0';
        j += 1;
        digits += 1;
    }
    if s.get(j) == Some(&b'.') {
        let mut k = j + 1;
        while s.get(k).is_some_and(u8::is_ascii_digit) {
            nonzero |= s[k] != b'0';
            k += 1;
            digits += 1;
        }
        j = k;
    }
    if digits == 0 {
        return (0.0, 0, false);
    }
    if matches!(s.get(j), Some(b'e') | Some(b'E')) {
        let mut k = j + 1;
        if matches!(s.get(k), Some(b'+') | Some(b'-')) {
            k += 1;
        }
        if s.get(k).is_some_and(u8::is_ascii_digit) {
            while s.get(k).is_some_and(u8::is_ascii_digit) {
                k += 1;
            }
            j = k;
        }
    }
    let text = String::from_utf8_lossy(&s[i..j]);
    let v: f64 = text.parse().unwrap_or(0.0);
    let erange = v.is_infinite() || (nonzero && (v == 0.0 || v.abs() < f64::MIN_POSITIVE));
    (sign * v, j, erange)
}

/// The value and length of a hex float's digits after "0x" (`1.8p3`).
fn hex_float(s: &[u8]) -> (f64, usize) {
    let mut v = 0.0f64;
    let mut i = 0;
    let mut scale = 0i32;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(16)) {
        v = v * 16.0 + f64::from(d);
        i += 1;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(16)) {
            v = v * 16.0 + f64::from(d);
            scale -= 4;
            i += 1;
        }
    }
    if matches!(s.get(i), Some(b'p') | Some(b'P')) {
        let mut k = i + 1;
        let mut neg = false;
        if matches!(s.get(k), Some(b'+') | Some(b'-')) {
            neg = s[k] == b'-';
            k += 1;
        }
        if s.get(k).is_some_and(u8::is_ascii_digit) {
            let mut e: i32 = 0;
            while let Some(d) = s.get(k).filter(|c| c.is_ascii_digit()) {
                e = e.saturating_mul(10).saturating_add(i32::from(d - b'0'));
                k += 1;
            }
            scale = scale.saturating_add(if neg { -e } else { e });
            i = k;
        }
    }
    (v * 2f64.powi(scale), i)
}

/// parse_int: a number (decimal, octal, hex or with a fraction), optionally followed by
/// a unit, rounded to the base unit. The error carries the hint, if any.
fn parse_int(raw: &str, unit: Option<Unit>) -> Result<i64, Option<&'static str>> {
    let b = raw.as_bytes();
    let (lv, mut end, mut erange) = c_strtol(b);
    let mut val = lv as f64;
    if matches!(b.get(end), Some(b'.') | Some(b'e') | Some(b'E')) || erange {
        let (dv, e, r) = c_strtod(b);
        val = dv;
        end = e;
        erange = r;
    }
    if end == 0 || erange || val.is_nan() {
        return Err(None);
    }
    while end < b.len() && c_isspace(b[end]) {
        end += 1;
    }
    if end < b.len() {
        let Some(unit) = unit else { return Err(None) };
        val = convert_to_base_unit(val, &b[end..], unit).ok_or(Some(unit.hint()))?;
    }
    let val = val.round_ties_even();
    if val > INT_MAX as f64 || val < INT_MIN as f64 {
        return Err(Some("Value exceeds integer range."));
    }
    Ok(val as i64)
}

/// convert_to_base_unit: a unit name of at most 3 characters, case-sensitive, with a
/// fractional value rounded to a multiple of the next smaller unit.
fn convert_to_base_unit(value: f64, unit: &[u8], base: Unit) -> Option<f64> {
    let mut i = 0;
    while i < unit.len() && !c_isspace(unit[i]) && i < 3 {
        i += 1;
    }
    let name = &unit[..i];
    if unit[i..].iter().any(|c| !c_isspace(*c)) {
        return None;
    }
    let table = base.table();
    let pos = table.iter().position(|(n, _)| n.as_bytes() == name)?;
    let mut v = value * table[pos].1;
    if let Some((_, next)) = table.get(pos + 1) {
        v = (v / next).round_ties_even() * next;
    }
    Some(v)
}

/// parse_real for a setting without units.
fn parse_real(raw: &str) -> Option<f64> {
    let b = raw.as_bytes();
    let (v, mut end, erange) = c_strtod(b);
    if end == 0 || erange || v.is_nan() {
        return None;
    }
    while end < b.len() && c_isspace(b[end]) {
        end += 1;
    }
    (end == b.len()).then_some(v)
}

/// A real printed like C's `%g`.
pub fn fmt_g(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let sci = format!("{v:.5e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_fraction_zeros(mant), exp.abs())
    } else {
        let decimals = usize::try_from(5 - exp).unwrap_or(0);
        strip_fraction_zeros(&format!("{v:.decimals$}"))
    }
}

fn strip_fraction_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// One `name = value` line of postgresql.conf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfEntry {
    /// 1-based.
    pub line: usize,
    /// As written (case preserved).
    pub name: String,
    /// Unquoted and unescaped (`'it''s'` gives `it's`).
    pub value: String,
}

/// A postgresql.conf syntax error, as ParseConfigFp reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The line number PostgreSQL prints (for "near end of line" at end of file without a
    /// final newline this is one less than the real line, as in PostgreSQL).
    pub line: usize,
    /// The offending token; `None` means end of line.
    pub near: Option<String>,
}

impl SyntaxError {
    /// The message PostgreSQL logs: `syntax error in file "PATH" line 3, near token "x"`
    /// or `syntax error in file "PATH" line 3, near end of line`.
    pub fn message(&self, path: &str) -> String {
        match &self.near {
            Some(tok) => {
                format!(
                    "syntax error in file \"{path}\" line {}, near token \"{tok}\"",
                    self.line
                )
            }
            None => format!(
                "syntax error in file \"{path}\" line {}, near end of line",
                self.line
            ),
        }
    }
}

/// guc-file.l's tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Eof,
    Eol,
    Id,
    QualifiedId,
    Str,
    Unquoted,
    Integer,
    Real,
    Equals,
    Error,
}

/// guc-file.l's scanner: longest match, ties to the earlier rule.
struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    /// ConfigFileLineno: bumped when a newline is scanned.
    line: usize,
}

fn is_letter(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_letter_or_digit(c: u8) -> bool {
    is_letter(c) || c.is_ascii_digit()
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            s: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.s.get(i).copied()
    }

    fn next(&mut self) -> (Tok, &'a [u8]) {
        loop {
            while matches!(self.at(self.pos), Some(b' ' | b'\t' | b'\r')) {
                self.pos += 1;
            }
            match self.at(self.pos) {
                None => return (Tok::Eof, &[]),
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    return (Tok::Eol, &self.s[self.pos - 1..self.pos]);
                }
                Some(b'#') => {
                    while self.at(self.pos).is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                Some(_) => break,
            }
        }
        let p = self.pos;
        let candidates = [
            (Tok::Id, self.id_len(p)),
            (Tok::QualifiedId, self.qualified_id_len(p)),
            (Tok::Str, self.string_len(p)),
            (Tok::Unquoted, self.unquoted_len(p)),
            (Tok::Integer, self.integer_len(p)),
            (Tok::Real, self.real_len(p)),
            (Tok::Equals, usize::from(self.at(p) == Some(b'='))),
        ];
        let mut best = (Tok::Error, 1);
        for (tok, len) in candidates {
            if len > 0 && (len > best.1 || (len == best.1 && best.0 == Tok::Error)) {
                best = (tok, len);
            }
        }
        self.pos = p + best.1;
        (best.0, &self.s[p..self.pos])
    }

    fn run(&self, mut i: usize, f: impl Fn(u8) -> bool) -> usize {
        while self.at(i).is_some_and(&f) {
            i += 1;
        }
        i
    }

    /// {LETTER}{LETTER_OR_DIGIT}*
    fn id_len(&self, p: usize) -> usize {
        if !self.at(p).is_some_and(is_letter) {
            return 0;
        }
        self.run(p + 1, is_letter_or_digit) - p
    }

    /// {ID}"."{ID}
    fn qualified_id_len(&self, p: usize) -> usize {
        let a = self.id_len(p);
        if a == 0 || self.at(p + a) != Some(b'.') {
            return 0;
        }
        let b = self.id_len(p + a + 1);
        if b == 0 {
            return 0;
        }
        a + 1 + b
    }

    /// {LETTER}({LETTER_OR_DIGIT}|[-._:/])*
    fn unquoted_len(&self, p: usize) -> usize {
        if !self.at(p).is_some_and(is_letter) {
            return 0;
        }
        self.run(p + 1, |c| {
            is_letter_or_digit(c) || matches!(c, b'-' | b'.' | b'_' | b':' | b'/')
        }) - p
    }

    /// \'([^'\\\n]|\\.|\'\')*\'
    fn string_len(&self, p: usize) -> usize {
        if self.at(p) != Some(b'\'') {
            return 0;
        }
        let mut i = p + 1;
        let mut best = 0;
        loop {
            match self.at(i) {
                None | Some(b'\n') => break,
                Some(b'\'') => {
                    best = i + 1 - p;
                    if self.at(i + 1) == Some(b'\'') {
                        i += 2;
                    } else {
                        break;
                    }
                }
                Some(b'\\') => match self.at(i + 1) {
                    None | Some(b'\n') => break,
                    Some(_) => i += 2,
                },
                Some(_) => i += 1,
            }
        }
        best
    }

    fn sign_len(&self, p: usize) -> usize {
        usize::from(matches!(self.at(p), Some(b'+' | b'-')))
    }

    /// {SIGN}?({DIGIT}+|0x{HEXDIGIT}+){UNIT_LETTER}*
    fn integer_len(&self, p: usize) -> usize {
        let q = p + self.sign_len(p);
        let mut best = 0;
        let d = self.run(q, |c| c.is_ascii_digit());
        if d > q {
            best = self.run(d, |c| c.is_ascii_alphabetic()) - p;
        }
        if self.at(q) == Some(b'0') && self.at(q + 1) == Some(b'x') {
            let h = self.run(q + 2, |c| c.is_ascii_hexdigit());
            if h > q + 2 {
                best = best.max(self.run(h, |c| c.is_ascii_alphabetic()) - p);
            }
        }
        best
    }

    /// {SIGN}?{DIGIT}*"."{DIGIT}*([Ee]{SIGN}?{DIGIT}+)?
    fn real_len(&self, p: usize) -> usize {
        let q = self.run(p + self.sign_len(p), |c| c.is_ascii_digit());
        if self.at(q) != Some(b'.') {
            return 0;
        }
        let mut end = self.run(q + 1, |c| c.is_ascii_digit());
        if matches!(self.at(end), Some(b'e' | b'E')) {
            let e = end + 1 + self.sign_len(end + 1);
            let digits = self.run(e, |c| c.is_ascii_digit());
            if digits > e {
                end = digits;
            }
        }
        end - p
    }
}

/// DeescapeQuotedString: strips the quotes, undoubles `''`, and handles `\b \f \n \r \t`,
/// octal `\NNN` and `\x` (any other character stands for itself).
fn deescape(tok: &[u8]) -> String {
    let inner = tok.get(1..tok.len().saturating_sub(1)).unwrap_or(&[]);
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c == b'\\' && i + 1 < inner.len() {
            i += 1;
            match inner[i] {
                b'b' => out.push(0x08),
                b'f' => out.push(0x0c),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'0'..=b'7' => {
                    let mut v: u32 = 0;
                    let mut k = 0;
                    while k < 3 && inner.get(i + k).is_some_and(|d| (b'0'..=b'7').contains(d)) {
                        v = (v << 3) + u32::from(inner[i + k] - b'0');
                        k += 1;
                    }
                    i += k - 1;
                    out.push((v & 0xff) as u8);
                }
                other => out.push(other),
            }
        } else if c == b'\'' && inner.get(i + 1) == Some(&b'\'') {
            out.push(b'\'');
            i += 1;
        } else {
            out.push(c);
        }
        i += 1;
    }
    // A NUL ends the C string.
    if let Some(nul) = out.iter().position(|&c| c == 0) {
        out.truncate(nul);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses postgresql.conf text as ParseConfigFp does, stopping at the first syntax error.
/// Returns every entry in order (later ones override earlier ones; `include*` directives
/// come back as ordinary entries).
pub fn parse_conf(text: &str) -> Result<Vec<ConfEntry>, SyntaxError> {
    let (entries, errors) = parse_conf_all(text);
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(entries),
    }
}

/// Like [`parse_conf`] but, as PostgreSQL does, resynchronises at the next line after an
/// error and reports every syntax error (giving up after 100). Any error means PostgreSQL
/// applies nothing from the file.
pub fn parse_conf_all(text: &str) -> (Vec<ConfEntry>, Vec<SyntaxError>) {
    let mut lex = Lexer::new(text);
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    loop {
        let (mut tok, mut tt) = lex.next();
        match tok {
            Tok::Eof => break,
            Tok::Eol => continue,
            _ => {}
        }
        let line = lex.line;
        let mut parsed = None;
        if matches!(tok, Tok::Id | Tok::QualifiedId) {
            let name = String::from_utf8_lossy(tt).into_owned();
            (tok, tt) = lex.next();
            if tok == Tok::Equals {
                (tok, tt) = lex.next();
            }
            if matches!(
                tok,
                Tok::Id | Tok::Str | Tok::Integer | Tok::Real | Tok::Unquoted
            ) {
                let value = if tok == Tok::Str {
                    deescape(tt)
                } else {
                    String::from_utf8_lossy(tt).into_owned()
                };
                (tok, tt) = lex.next();
                if matches!(tok, Tok::Eol | Tok::Eof) {
                    parsed = Some(ConfEntry { line, name, value });
                }
            }
        }
        match parsed {
            Some(entry) => entries.push(entry),
            None => {
                errors.push(if matches!(tok, Tok::Eol | Tok::Eof) {
                    SyntaxError {
                        line: lex.line.saturating_sub(1),
                        near: None,
                    }
                } else {
                    SyntaxError {
                        line: lex.line,
                        near: Some(String::from_utf8_lossy(tt).into_owned()),
                    }
                });
                if errors.len() >= 100 {
                    break;
                }
                while !matches!(tok, Tok::Eol | Tok::Eof) {
                    (tok, _) = lex.next();
                }
            }
        }
        if tok == Tok::Eof {
            break;
        }
    }
    (entries, errors)
}

/// postgresql.auto.conf as ALTER SYSTEM writes it: a warning header, then one
/// `name = 'value'` line per entry (quotes and backslashes doubled).
pub fn render_auto_conf(entries: &[(String, String)]) -> String {
    let mut out = String::from(
        "# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n",
    );
    for (name, value) in entries {
        let escaped = value.replace('\\', "\\\\").replace('\'', "''");
        out.push_str(&format!("{name} = '{escaped}'\n"));
    }
    out
}

/// Settings PostgreSQL 15 has that the model accepts in its files but ignores (sorted).
static UNMODELLED: &[&str] = &[
    "allow_in_place_tablespaces",
    "allow_system_table_mods",
    "archive_cleanup_command",
    "archive_library",
    "archive_timeout",
    "array_nulls",
    "authentication_timeout",
    "autovacuum",
    "autovacuum_analyze_scale_factor",
    "autovacuum_analyze_threshold",
    "autovacuum_freeze_max_age",
    "autovacuum_max_workers",
    "autovacuum_multixact_freeze_max_age",
    "autovacuum_naptime",
    "autovacuum_vacuum_cost_delay",
    "autovacuum_vacuum_cost_limit",
    "autovacuum_vacuum_insert_scale_factor",
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_threshold",
    "autovacuum_work_mem",
    "backend_flush_after",
    "backslash_quote",
    "backtrace_functions",
    "bgwriter_delay",
    "bgwriter_flush_after",
    "bgwriter_lru_maxpages",
    "bgwriter_lru_multiplier",
    "bonjour",
    "bonjour_name",
    "bytea_output",
    "check_function_bodies",
    "checkpoint_flush_after",
    "checkpoint_warning",
    "client_connection_check_interval",
    "client_encoding",
    "client_min_messages",
    "commit_delay",
    "commit_siblings",
    "compute_query_id",
    "config_file",
    "constraint_exclusion",
    "cpu_index_tuple_cost",
    "cpu_operator_cost",
    "cpu_tuple_cost",
    "cursor_tuple_fraction",
    "data_sync_retry",
    "datestyle",
    "db_user_namespace",
    "deadlock_timeout",
    "debug_pretty_print",
    "debug_print_parse",
    "debug_print_plan",
    "debug_print_rewritten",
    "default_statistics_target",
    "default_table_access_method",
    "default_tablespace",
    "default_text_search_config",
    "default_toast_compression",
    "default_transaction_deferrable",
    "default_transaction_isolation",
    "default_transaction_read_only",
    "dynamic_library_path",
    "dynamic_shared_memory_type",
    "effective_cache_size",
    "effective_io_concurrency",
    "enable_async_append",
    "enable_bitmapscan",
    "enable_gathermerge",
    "enable_hashagg",
    "enable_hashjoin",
    "enable_incremental_sort",
    "enable_indexonlyscan",
    "enable_indexscan",
    "enable_material",
    "enable_memoize",
    "enable_mergejoin",
    "enable_nestloop",
    "enable_parallel_append",
    "enable_parallel_hash",
    "enable_partition_pruning",
    "enable_partitionwise_aggregate",
    "enable_partitionwise_join",
    "enable_seqscan",
    "enable_sort",
    "enable_tidscan",
    "escape_string_warning",
    "event_source",
    "exit_on_error",
    "external_pid_file",
    "extra_float_digits",
    "from_collapse_limit",
    "fsync",
    "geqo",
    "geqo_effort",
    "geqo_generations",
    "geqo_pool_size",
    "geqo_seed",
    "geqo_selection_bias",
    "geqo_threshold",
    "gin_fuzzy_search_limit",
    "gin_pending_list_limit",
    "hash_mem_multiplier",
    "hba_file",
    "huge_page_size",
    "huge_pages",
    "ident_file",
    "idle_in_transaction_session_timeout",
    "idle_session_timeout",
    "intervalstyle",
    "jit",
    "jit_above_cost",
    "jit_inline_above_cost",
    "jit_optimize_above_cost",
    "jit_provider",
    "join_collapse_limit",
    "krb_caseins_users",
    "krb_server_keyfile",
    "lc_messages",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "lo_compat_privileges",
    "local_preload_libraries",
    "lock_timeout",
    "log_autovacuum_min_duration",
    "log_connections",
    "log_destination",
    "log_directory",
    "log_disconnections",
    "log_duration",
    "log_error_verbosity",
    "log_executor_stats",
    "log_file_mode",
    "log_filename",
    "log_hostname",
    "log_line_prefix",
    "log_lock_waits",
    "log_min_duration_sample",
    "log_min_duration_statement",
    "log_min_error_statement",
    "log_min_messages",
    "log_parameter_max_length",
    "log_parameter_max_length_on_error",
    "log_parser_stats",
    "log_planner_stats",
    "log_recovery_conflict_waits",
    "log_replication_commands",
    "log_rotation_age",
    "log_rotation_size",
    "log_startup_progress_interval",
    "log_statement",
    "log_statement_sample_rate",
    "log_statement_stats",
    "log_temp_files",
    "log_timezone",
    "log_transaction_sample_rate",
    "log_truncate_on_rotation",
    "logging_collector",
    "logical_decoding_work_mem",
    "maintenance_io_concurrency",
    "maintenance_work_mem",
    "max_files_per_process",
    "max_locks_per_transaction",
    "max_logical_replication_workers",
    "max_parallel_maintenance_workers",
    "max_parallel_workers",
    "max_parallel_workers_per_gather",
    "max_pred_locks_per_page",
    "max_pred_locks_per_relation",
    "max_pred_locks_per_transaction",
    "max_prepared_transactions",
    "max_stack_depth",
    "max_standby_archive_delay",
    "max_standby_streaming_delay",
    "max_sync_workers_per_subscription",
    "max_worker_processes",
    "min_dynamic_shared_memory",
    "min_parallel_index_scan_size",
    "min_parallel_table_scan_size",
    "old_snapshot_threshold",
    "parallel_leader_participation",
    "parallel_setup_cost",
    "parallel_tuple_cost",
    "plan_cache_mode",
    "promote_trigger_file",
    "quote_all_identifiers",
    "random_page_cost",
    "recovery_end_command",
    "recovery_init_sync_method",
    "recovery_prefetch",
    "recovery_target",
    "recovery_target_action",
    "recovery_target_inclusive",
    "recovery_target_lsn",
    "recovery_target_name",
    "recovery_target_time",
    "recovery_target_xid",
    "recursive_worktable_factor",
    "restart_after_crash",
    "restore_command",
    "row_security",
    "search_path",
    "seq_page_cost",
    "session_preload_libraries",
    "session_replication_role",
    "shared_memory_type",
    "shared_preload_libraries",
    "ssl",
    "ssl_ca_file",
    "ssl_cert_file",
    "ssl_ciphers",
    "ssl_crl_dir",
    "ssl_crl_file",
    "ssl_dh_params_file",
    "ssl_ecdh_curve",
    "ssl_key_file",
    "ssl_max_protocol_version",
    "ssl_min_protocol_version",
    "ssl_passphrase_command",
    "ssl_passphrase_command_supports_reload",
    "ssl_prefer_server_ciphers",
    "standard_conforming_strings",
    "statement_timeout",
    "stats_fetch_consistency",
    "superuser_reserved_connections",
    "synchronize_seqscans",
    "syslog_facility",
    "syslog_ident",
    "syslog_sequence_numbers",
    "syslog_split_messages",
    "tcp_keepalives_count",
    "tcp_keepalives_idle",
    "tcp_keepalives_interval",
    "tcp_user_timeout",
    "temp_buffers",
    "temp_file_limit",
    "temp_tablespaces",
    "timezone",
    "timezone_abbreviations",
    "track_activities",
    "track_activity_query_size",
    "track_commit_timestamp",
    "track_counts",
    "track_functions",
    "track_io_timing",
    "track_wal_io_timing",
    "transform_null_equals",
    "unix_socket_directories",
    "unix_socket_group",
    "unix_socket_permissions",
    "update_process_title",
    "vacuum_cost_delay",
    "vacuum_cost_limit",
    "vacuum_cost_page_dirty",
    "vacuum_cost_page_hit",
    "vacuum_cost_page_miss",
    "vacuum_defer_cleanup_age",
    "vacuum_failsafe_age",
    "vacuum_freeze_min_age",
    "vacuum_freeze_table_age",
    "vacuum_multixact_failsafe_age",
    "vacuum_multixact_freeze_min_age",
    "vacuum_multixact_freeze_table_age",
    "wal_buffers",
    "wal_decode_buffer_size",
    "wal_init_zero",
    "wal_receiver_create_temp_slot",
    "wal_recycle",
    "wal_skip_threshold",
    "wal_sync_method",
    "wal_writer_delay",
    "wal_writer_flush_after",
    "work_mem",
    "xmlbinary",
    "xmloption",
];

/// Whether `name` (any case) is a PostgreSQL 15 setting the model accepts but ignores.
pub fn is_known_unmodelled(name: &str) -> bool {
    UNMODELLED
        .binary_search(&name.to_ascii_lowercase().as_str())
        .is_ok()
}

/// Whether `name` is a custom placeholder (`ext.name`), which PostgreSQL accepts in its
/// configuration files without knowing it.
pub fn is_placeholder(name: &str) -> bool {
    name.contains('.')
}

/// postgresql.conf as initdb 15 writes it (C.UTF-8 locale, UTC, trust), abridged to the
/// sections the model cares about; lines are verbatim from postgresql.conf.sample.
const INITDB_POSTGRESQL_CONF: &str = include_str!("initdb_postgresql.conf");

/// An abridged but verbatim postgresql.conf as initdb 15 writes it (locale C.UTF-8,
/// time zone UTC): the header and the sections the model uses.
pub fn initdb_postgresql_conf() -> String {
    INITDB_POSTGRESQL_CONF.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(name: &str) -> &'static SettingDef {
        lookup(name).unwrap_or_else(|| panic!("no setting {name}"))
    }

    fn err(name: &str, raw: &str) -> ValueError {
        match parse_value(setting(name), raw) {
            Err(e) => e,
            Ok(v) => panic!("{name} = {raw} accepted as {v:?}"),
        }
    }

    fn ok(name: &str, raw: &str) -> Parsed {
        match parse_value(setting(name), raw) {
            Ok(v) => v,
            Err(e) => panic!("{name} = {raw}: {e}"),
        }
    }

    fn show_raw(name: &str, raw: &str) -> String {
        show(setting(name), &ok(name, raw))
    }

    #[test]
    fn registry_is_sorted_and_boot_values_round_trip() {
        for pair in all().windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        assert_eq!(all().len(), 38);
        for def in all() {
            let v =
                parse_value(def, def.boot_value).unwrap_or_else(|e| panic!("{}: {e}", def.name));
            assert_eq!(show(def, &v), def.boot_value, "{}", def.name);
        }
        for pair in UNMODELLED.windows(2) {
            assert!(pair[0] < pair[1], "{} before {}", pair[0], pair[1]);
        }
        for def in all() {
            assert!(!is_known_unmodelled(def.name), "{} is modelled", def.name);
        }
    }

    #[test]
    fn registry_facts() {
        assert_eq!(lookup("WAL_Level").map(|d| d.name), Some("wal_level"));
        assert!(lookup("work_mem").is_none());
        assert_eq!(setting("wal_level").context, Context::Postmaster);
        assert_eq!(setting("wal_sender_timeout").context, Context::User);
        assert_eq!(setting("wal_receiver_timeout").context, Context::Sighup);
        assert_eq!(setting("wal_segment_size").context.as_str(), "internal");
        assert_eq!(
            setting("shared_buffers").kind,
            Kind::Integer {
                min: 16,
                max: 1_073_741_823,
                unit: Some(Unit::Kb8)
            }
        );
        assert_eq!(Unit::Kb8.as_str(), "8kB");
        assert_eq!(
            setting("checkpoint_completion_target").kind.vartype(),
            "real"
        );
        assert_eq!(
            ok("wal_segment_size", "16MB"),
            Parsed::Int(16 * 1024 * 1024)
        );
        assert_eq!(ok("shared_buffers", "128MB"), Parsed::Int(16384));
        assert_eq!(ok("server_version", "15.18"), Parsed::Text("15.18".into()));
    }

    #[test]
    fn show_defaults() {
        let boot = |name: &str| show_raw(name, setting(name).boot_value);
        assert_eq!(boot("max_wal_size"), "1GB");
        assert_eq!(boot("min_wal_size"), "80MB");
        assert_eq!(boot("checkpoint_timeout"), "5min");
        assert_eq!(boot("wal_sender_timeout"), "1min");
        assert_eq!(boot("wal_keep_size"), "0");
        assert_eq!(boot("shared_buffers"), "128MB");
        assert_eq!(boot("max_slot_wal_keep_size"), "-1");
        assert_eq!(boot("checkpoint_completion_target"), "0.9");
        assert_eq!(boot("hot_standby"), "on");
        assert_eq!(boot("wal_level"), "replica");
        assert_eq!(boot("wal_segment_size"), "16MB");
        assert_eq!(boot("wal_retrieve_retry_interval"), "5s");
    }

    #[test]
    fn show_normalises_units() {
        assert_eq!(show_raw("max_wal_size", "1024MB"), "1GB");
        assert_eq!(show_raw("max_wal_size", "1536MB"), "1536MB");
        assert_eq!(show_raw("max_wal_size", "1TB"), "1TB");
        assert_eq!(show_raw("checkpoint_timeout", "300s"), "5min");
        assert_eq!(show_raw("checkpoint_timeout", "90"), "90s");
        assert_eq!(show_raw("checkpoint_timeout", "1h"), "1h");
        assert_eq!(show_raw("checkpoint_timeout", "1d"), "1d");
        assert_eq!(show_raw("wal_sender_timeout", "60000"), "1min");
        assert_eq!(show_raw("wal_sender_timeout", "1500"), "1500ms");
        assert_eq!(show_raw("wal_sender_timeout", "0"), "0");
        assert_eq!(show(setting("shared_buffers"), &Parsed::Int(17)), "136kB");
        assert_eq!(show_raw("shared_buffers", "16"), "128kB");
        assert_eq!(show_raw("shared_buffers", "1GB"), "1GB");
        assert_eq!(show_raw("wal_segment_size", "1048577"), "1048577B");
        assert_eq!(show_raw("max_slot_wal_keep_size", "-1"), "-1");
        assert_eq!(show_raw("max_wal_senders", "20"), "20");
        assert_eq!(show_raw("checkpoint_completion_target", "1"), "1");
    }

    #[test]
    fn integer_parsing() {
        assert_eq!(ok("max_wal_size", "2GB"), Parsed::Int(2048));
        assert_eq!(ok("max_wal_size", "1 GB"), Parsed::Int(1024));
        assert_eq!(ok("max_wal_size", " 64 "), Parsed::Int(64));
        assert_eq!(ok("max_wal_size", "1.5GB"), Parsed::Int(1536));
        assert_eq!(ok("max_wal_size", "2048kB"), Parsed::Int(2));
        assert_eq!(ok("checkpoint_timeout", "1min"), Parsed::Int(60));
        assert_eq!(ok("checkpoint_timeout", "31000ms"), Parsed::Int(31));
        assert_eq!(ok("wal_sender_timeout", "2s"), Parsed::Int(2000));
        assert_eq!(ok("wal_sender_timeout", "1500us"), Parsed::Int(2));
        assert_eq!(ok("max_wal_senders", "0x10"), Parsed::Int(16));
        assert_eq!(ok("max_wal_senders", "010"), Parsed::Int(8));
        assert_eq!(ok("max_wal_senders", "+7"), Parsed::Int(7));
        assert_eq!(ok("max_wal_senders", "1e2"), Parsed::Int(100));
        assert_eq!(ok("max_wal_senders", "2.5"), Parsed::Int(2));
        assert_eq!(ok("max_wal_senders", "3.5"), Parsed::Int(4));
        assert_eq!(ok("shared_buffers", "131072B"), Parsed::Int(16));
        assert_eq!(ok("shared_buffers", "1GB"), Parsed::Int(131_072));
    }

    #[test]
    fn integer_errors() {
        let e = err("max_wal_senders", "abc");
        assert_eq!(
            e.message,
            "invalid value for parameter \"max_wal_senders\": \"abc\""
        );
        assert_eq!(e.hint, None);
        assert_eq!(e.to_string(), e.message);
        assert_eq!(err("max_wal_senders", "5 MB").hint, None);
        assert_eq!(
            err("max_wal_senders", "").message,
            "invalid value for parameter \"max_wal_senders\": \"\""
        );
        assert_eq!(err("max_wal_senders", "08").hint, None);
        let e = err("max_wal_senders", "20000000");
        assert_eq!(
            e.message,
            "20000000 is outside the valid range for parameter \"max_wal_senders\" (0 .. 262143)"
        );
        let e = err("max_wal_senders", "99999999999");
        assert_eq!(
            e.message,
            "invalid value for parameter \"max_wal_senders\": \"99999999999\""
        );
        assert_eq!(e.hint.as_deref(), Some("Value exceeds integer range."));
        let e = err("wal_keep_size", "-5");
        assert_eq!(
            e.message,
            "-5 MB is outside the valid range for parameter \"wal_keep_size\" (0 .. 2147483647)"
        );
        let e = err("checkpoint_timeout", "10s");
        assert_eq!(
            e.message,
            "10 s is outside the valid range for parameter \"checkpoint_timeout\" (30 .. 86400)"
        );
        let e = err("shared_buffers", "64kB");
        assert_eq!(
            e.message,
            "8 8kB is outside the valid range for parameter \"shared_buffers\" (16 .. 1073741823)"
        );
        let e = err("max_wal_size", "1gb");
        assert_eq!(
            e.message,
            "invalid value for parameter \"max_wal_size\": \"1gb\""
        );
        assert_eq!(
            e.hint.as_deref(),
            Some("Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".")
        );
        let e = err("wal_sender_timeout", "5 sec");
        assert_eq!(
            e.hint.as_deref(),
            Some("Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".")
        );
        assert!(err("max_wal_size", "1GB x").hint.is_some());
        assert_eq!(
            err("port", "0").message,
            "0 is outside the valid range for parameter \"port\" (1 .. 65535)"
        );
        let e = parse_value_as(setting("port"), "Port", "x").err();
        assert_eq!(
            e.map(|e| e.message),
            Some("invalid value for parameter \"Port\": \"x\"".into())
        );
    }

    #[test]
    fn real_values() {
        assert_eq!(ok("checkpoint_completion_target", "0.5"), Parsed::Real(0.5));
        assert_eq!(ok("checkpoint_completion_target", " 1 "), Parsed::Real(1.0));
        assert_eq!(
            ok("checkpoint_completion_target", ".25"),
            Parsed::Real(0.25)
        );
        let e = err("checkpoint_completion_target", "1.5");
        assert_eq!(
            e.message,
            "1.5 is outside the valid range for parameter \"checkpoint_completion_target\" (0 .. 1)"
        );
        assert_eq!(
            err("checkpoint_completion_target", "abc").message,
            "invalid value for parameter \"checkpoint_completion_target\": \"abc\""
        );
        assert_eq!(err("checkpoint_completion_target", "0.5s").hint, None);
        assert!(err("checkpoint_completion_target", "nan")
            .message
            .starts_with("invalid value"));
        assert_eq!(
            err("checkpoint_completion_target", "inf").message,
            "inf is outside the valid range for parameter \"checkpoint_completion_target\" (0 .. 1)"
        );
    }

    #[test]
    fn g_format() {
        assert_eq!(fmt_g(0.9), "0.9");
        assert_eq!(fmt_g(1.0), "1");
        assert_eq!(fmt_g(0.0), "0");
        assert_eq!(fmt_g(100000.0), "100000");
        assert_eq!(fmt_g(1e6), "1e+06");
        assert_eq!(fmt_g(0.0001), "0.0001");
        assert_eq!(fmt_g(0.00001), "1e-05");
        assert_eq!(fmt_g(123456789.0), "1.23457e+08");
        assert_eq!(fmt_g(0.0025), "0.0025");
        assert_eq!(fmt_g(-2.5), "-2.5");
        assert_eq!(fmt_g(f64::MAX), "1.79769e+308");
    }

    #[test]
    fn bool_values() {
        for s in ["on", "ON", "true", "t", "TR", "yes", "y", "1"] {
            assert_eq!(ok("hot_standby", s), Parsed::Bool(true), "{s}");
        }
        for s in ["off", "of", "false", "f", "fal", "no", "n", "0"] {
            assert_eq!(ok("hot_standby", s), Parsed::Bool(false), "{s}");
        }
        for s in ["o", "", "2", "onn", "yess", " on", "10", "enable"] {
            assert_eq!(
                err("hot_standby", s).message,
                "parameter \"hot_standby\" requires a Boolean value",
                "{s}"
            );
        }
        assert_eq!(show_raw("hot_standby_feedback", "yes"), "on");
    }

    #[test]
    fn enum_values() {
        let e = err("wal_level", "fancy");
        assert_eq!(
            e.message,
            "invalid value for parameter \"wal_level\": \"fancy\""
        );
        assert_eq!(
            e.hint.as_deref(),
            Some("Available values: minimal, replica, logical.")
        );
        assert_eq!(ok("wal_level", "LOGICAL"), Parsed::Text("logical".into()));
        assert_eq!(
            ok("wal_level", "hot_standby"),
            Parsed::Text("replica".into())
        );
        assert_eq!(ok("synchronous_commit", "true"), Parsed::Text("on".into()));
        assert_eq!(ok("synchronous_commit", "0"), Parsed::Text("off".into()));
        assert_eq!(
            ok("synchronous_commit", "remote_apply"),
            Parsed::Text("remote_apply".into())
        );
        assert_eq!(
            err("synchronous_commit", "maybe").hint.as_deref(),
            Some("Available values: local, remote_write, remote_apply, on, off.")
        );
        assert_eq!(
            err("archive_mode", "sometimes").hint.as_deref(),
            Some("Available values: always, on, off.")
        );
        assert_eq!(ok("archive_mode", "yes"), Parsed::Text("on".into()));
        assert_eq!(
            err("password_encryption", "on").hint.as_deref(),
            Some("Available values: md5, scram-sha-256.")
        );
        assert_eq!(
            ok("primary_conninfo", "host=a port=5432"),
            Parsed::Text("host=a port=5432".into())
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            unrecognized("foo"),
            "unrecognized configuration parameter \"foo\""
        );
        assert!(is_known_unmodelled("work_mem"));
        assert!(is_known_unmodelled("LC_Messages"));
        assert!(!is_known_unmodelled("foo"));
        assert!(is_placeholder("pg_stat_statements.track"));
    }

    #[test]
    fn initdb_conf_parses() {
        let text = initdb_postgresql_conf();
        let entries =
            parse_conf(&text).unwrap_or_else(|e| panic!("{}", e.message("postgresql.conf")));
        let got: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("max_connections", "100"),
                ("shared_buffers", "128MB"),
                ("dynamic_shared_memory_type", "posix"),
                ("max_wal_size", "1GB"),
                ("min_wal_size", "80MB"),
                ("log_timezone", "UTC"),
                ("datestyle", "iso, mdy"),
                ("timezone", "UTC"),
                ("lc_messages", "C.UTF-8"),
                ("lc_monetary", "C.UTF-8"),
                ("lc_numeric", "C.UTF-8"),
                ("lc_time", "C.UTF-8"),
                ("default_text_search_config", "pg_catalog.english"),
            ]
        );
        for e in &entries {
            assert!(
                lookup(&e.name).is_some() || is_known_unmodelled(&e.name),
                "{}",
                e.name
            );
            if let Some(def) = lookup(&e.name) {
                assert!(parse_value(def, &e.value).is_ok(), "{}", e.name);
            }
        }
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.starts_with(needle))
                .map(|i| i + 1)
        };
        assert_eq!(entries[0].line, line_of("max_connections").unwrap_or(0));
        assert!(text.contains("\n#wal_level = replica\t\t\t# minimal, replica, or logical\n"));
        assert!(text.contains(
            "\n#listen_addresses = 'localhost'\t\t# what IP address(es) to listen on;\n"
        ));
        for def in all() {
            let in_sample = !matches!(
                def.name,
                // data_directory is in the FILE LOCATIONS section, left out of the sample.
                "application_name"
                    | "data_checksums"
                    | "data_directory"
                    | "server_version"
                    | "wal_segment_size"
            );
            let listed = text.contains(&format!("\n#{} = ", def.name))
                || text.contains(&format!("\n{} = ", def.name));
            assert_eq!(listed, in_sample, "{}", def.name);
        }
        assert!(text.ends_with("default_text_search_config = 'pg_catalog.english'\n"));
    }

    fn conf(text: &str) -> Vec<(usize, String, String)> {
        match parse_conf(text) {
            Ok(v) => v.into_iter().map(|e| (e.line, e.name, e.value)).collect(),
            Err(e) => panic!("{}", e.message("t.conf")),
        }
    }

    fn conf_err(text: &str) -> String {
        match parse_conf(text) {
            Err(e) => e.message("/data/postgresql.conf"),
            Ok(v) => panic!("accepted {v:?}"),
        }
    }

    #[test]
    fn conf_syntax() {
        let t = |l: usize, n: &str, v: &str| (l, n.to_string(), v.to_string());
        assert_eq!(
            conf("\n# comment\nport 5433\nwal_level=logical # trailing\n  max_wal_size = 2GB\n"),
            vec![
                t(3, "port", "5433"),
                t(4, "wal_level", "logical"),
                t(5, "max_wal_size", "2GB")
            ]
        );
        assert_eq!(conf("a = 'it''s'"), vec![t(1, "a", "it's")]);
        assert_eq!(conf("a = 'x\\'y'\n"), vec![t(1, "a", "x'y")]);
        assert_eq!(
            conf("a = 'tab\\there\\101\\\\'\n"),
            vec![t(1, "a", "tab\thereA\\")]
        );
        assert_eq!(
            conf("a = '#not a comment'\n"),
            vec![t(1, "a", "#not a comment")]
        );
        assert_eq!(conf("a = ''\n"), vec![t(1, "a", "")]);
        assert_eq!(
            conf("a = scram-sha-256\n"),
            vec![t(1, "a", "scram-sha-256")]
        );
        assert_eq!(
            conf("a = 0.9\nb = -1\nc = 5min\nd = 0x1F\n"),
            vec![
                t(1, "a", "0.9"),
                t(2, "b", "-1"),
                t(3, "c", "5min"),
                t(4, "d", "0x1F"),
            ]
        );
        assert_eq!(
            conf("pg_stat_statements.track = all\n"),
            vec![t(1, "pg_stat_statements.track", "all")]
        );
    }

    #[test]
    fn conf_syntax_errors() {
        assert_eq!(
            conf_err("port = 5432\n\nwal_level = = replica\n"),
            "syntax error in file \"/data/postgresql.conf\" line 3, near token \"=\""
        );
        assert_eq!(
            conf_err("port = 5432\nwal_level\nfoo = 1\n"),
            "syntax error in file \"/data/postgresql.conf\" line 2, near end of line"
        );
        assert_eq!(
            conf_err("wal_level =\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near end of line"
        );
        assert_eq!(
            conf_err("listen_addresses = 10.0.0.1\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near token \".0\""
        );
        assert_eq!(
            conf_err("a = 'unterminated\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near token \"'\""
        );
        assert_eq!(
            conf_err("a = 1 2\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near token \"2\""
        );
        assert_eq!(
            conf_err("= 1\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near token \"=\""
        );
        assert_eq!(
            conf_err("a = pg_catalog.english\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near token \"pg_catalog.english\""
        );
        assert_eq!(
            conf_err("a = /tmp\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near token \"/\""
        );
        assert_eq!(
            conf_err("a.b.c = 1\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near token \"a.b.c\""
        );
        assert_eq!(
            conf_err("a = 1e5\n"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near token \"5\""
        );
        // PostgreSQL's own off-by-one at end of file without a final newline.
        assert_eq!(
            conf_err("port = 1\nwal_level"),
            "syntax error in file \"/data/postgresql.conf\" line 1, near end of line"
        );
        let (entries, errors) = parse_conf_all("a = = 1\nb = 2\nc\n");
        assert_eq!(entries.len(), 1);
        assert_eq!(
            errors,
            vec![
                SyntaxError {
                    line: 1,
                    near: Some("=".into())
                },
                SyntaxError {
                    line: 3,
                    near: None
                }
            ]
        );
    }

    #[test]
    fn auto_conf() {
        assert_eq!(
            render_auto_conf(&[("wal_level".into(), "replica".into())]),
            "# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\nwal_level = 'replica'\n"
        );
        let text = render_auto_conf(&[
            ("primary_conninfo".into(), "host=p user='rep'".into()),
            ("archive_command".into(), "cp %p /a\\b".into()),
        ]);
        assert!(text.ends_with(
            "primary_conninfo = 'host=p user=''rep'''\narchive_command = 'cp %p /a\\\\b'\n"
        ));
        let back = conf(&text);
        assert_eq!(back[0].2, "host=p user='rep'");
        assert_eq!(back[1].2, "cp %p /a\\b");
        assert_eq!(
            render_auto_conf(&[]),
            "# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n"
        );
    }
}
