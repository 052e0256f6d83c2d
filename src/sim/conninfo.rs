//! libpq connection strings as PostgreSQL 15's libpq reads them (fe-connect.c):
//! `key=value` pairs (values optionally single-quoted, `\` escaping a character) and
//! `postgresql://` URIs, with several hosts (`host=a,b port=5432,5433`),
//! `target_session_attrs` and `connect_timeout`. Every error is libpq's own text.
//!
//! Used wherever a connection string is accepted: `psql` in the shell,
//! `primary_conninfo`, `pg_rewind --source-server` and the lab's applications.

mod uri;

use crate::map::Map;

/// The longest connection string walscope reads. libpq has no limit of its own; this one
/// keeps a hostile line (a link, a lesson) from making a tab walk millions of hosts.
pub const MAX_CONNINFO_BYTES: usize = 4096;

/// libpq's keywords (PQconninfoOptions in PostgreSQL 15).
const KEYWORDS: &[&str] = &[
    "service",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "replication",
    "target_session_attrs",
];

/// Whether libpq reads `text` as a connection string rather than a database name (what
/// psql's first argument and `dbname=` are): it holds `=` or starts as a URI.
pub fn is_conninfo(text: &str) -> bool {
    text.contains('=') || uri::prefix_len(text).is_some()
}

/// Parses a keyword/value connection string or a URI into its options (the last of a
/// repeated keyword wins). The error is libpq's message.
pub fn parse(text: &str) -> Result<Map<String, String>, String> {
    if text.len() > MAX_CONNINFO_BYTES {
        return Err(format!(
            "connection info string is too long (walscope reads at most {MAX_CONNINFO_BYTES} bytes)"
        ));
    }
    if uri::prefix_len(text).is_some() {
        return uri::parse(text);
    }
    parse_keywords(text)
}

/// C's isspace in the "C" locale, which libpq's parser uses.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// conninfo_parse: `key = value` pairs.
fn parse_keywords(text: &str) -> Result<Map<String, String>, String> {
    let mut out = Map::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| is_space(*c)) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || is_space(c) {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| is_space(*c)) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(format!(
                "missing \"=\" after \"{key}\" in connection info string"
            ));
        }
        while chars.peek().is_some_and(|c| is_space(*c)) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => {
                            return Err(
                                "unterminated quoted string in connection info string".into()
                            )
                        }
                    },
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => {
                        return Err("unterminated quoted string in connection info string".into())
                    }
                }
            }
        } else {
            while let Some(c) = chars.next() {
                if is_space(c) {
                    break;
                }
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                } else {
                    value.push(c);
                }
            }
        }
        store(&mut out, key, value).map_err(|k| format!("invalid connection option \"{k}\""))?;
    }
}

/// conninfo_storeval: a known keyword's value, or the keyword back when it is unknown.
fn store(out: &mut Map<String, String>, key: String, value: String) -> Result<(), String> {
    if !KEYWORDS.contains(&key.as_str()) {
        return Err(key);
    }
    out.insert(key, value);
    Ok(())
}

/// `target_session_attrs`: which server a connection will settle for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetSessionAttrs {
    Any,
    ReadWrite,
    ReadOnly,
    Primary,
    Standby,
    PreferStandby,
}

impl TargetSessionAttrs {
    fn parse(text: &str) -> Result<TargetSessionAttrs, String> {
        Ok(match text {
            "any" => TargetSessionAttrs::Any,
            "read-write" => TargetSessionAttrs::ReadWrite,
            "read-only" => TargetSessionAttrs::ReadOnly,
            "primary" => TargetSessionAttrs::Primary,
            "standby" => TargetSessionAttrs::Standby,
            "prefer-standby" => TargetSessionAttrs::PreferStandby,
            _ => return Err(format!("invalid target_session_attrs value: \"{text}\"")),
        })
    }

    /// Why a server does not suit (libpq's words), or `None` when it does. A server is
    /// read-only when it is a standby or default_transaction_read_only is on.
    /// `prefer-standby` asks for a standby on its first walk of the host list.
    pub fn refusal(self, standby: bool, read_only: bool) -> Option<&'static str> {
        match self {
            TargetSessionAttrs::Any => None,
            TargetSessionAttrs::ReadWrite => read_only.then_some("session is read-only"),
            TargetSessionAttrs::ReadOnly => (!read_only).then_some("session is not read-only"),
            TargetSessionAttrs::Primary => standby.then_some("server is in hot standby mode"),
            TargetSessionAttrs::Standby | TargetSessionAttrs::PreferStandby => {
                (!standby).then_some("server is not in hot standby mode")
            }
        }
    }
}

/// One entry of the host list: the host as given (empty for the default, the local
/// socket) and its port text (empty for 5432).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostSpec {
    pub host: String,
    pub port: String,
}

impl HostSpec {
    /// The port as libpq reads it when it gets to this host: `Err` (not a number) stops
    /// the whole connection; `Ok(Err)` is libpq's "invalid port number" for this host
    /// only (it goes on with the next).
    pub fn port_number(&self) -> Result<Result<u16, String>, String> {
        if self.port.is_empty() {
            return Ok(Ok(5432));
        }
        let n = parse_int(&self.port).ok_or_else(|| invalid_integer(&self.port, "port"))?;
        Ok(u16::try_from(n)
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| format!("invalid port number: \"{}\"", self.port)))
    }
}

/// libpq's complaint about a number it could not read.
pub fn invalid_integer(value: &str, option: &str) -> String {
    format!("invalid integer value \"{value}\" for connection option \"{option}\"")
}

/// parse_int_param: an int with optional surrounding blanks.
pub fn parse_int(text: &str) -> Option<i32> {
    let t = text.trim_matches(is_space);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A parsed connection string, with the lists libpq derives from it
/// (connectOptions2): hosts and their ports, the target, the timeout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnInfo {
    pub options: Map<String, String>,
    pub hosts: Vec<HostSpec>,
    pub target: TargetSessionAttrs,
}

impl ConnInfo {
    /// Reads a connection string (keywords or a URI) as libpq does before connecting.
    pub fn parse(text: &str) -> Result<ConnInfo, String> {
        ConnInfo::from_options(parse(text)?)
    }

    /// The host list and target of parsed options (connectOptions2).
    pub fn from_options(options: Map<String, String>) -> Result<ConnInfo, String> {
        let split = |key: &str| -> Vec<String> {
            match options.get(key).filter(|v| !v.is_empty()) {
                Some(v) => v.split(',').map(str::to_string).collect(),
                None => Vec::new(),
            }
        };
        let mut names = split("host");
        if names.is_empty() {
            names = split("hostaddr");
        }
        if names.is_empty() {
            names.push(String::new());
        }
        let ports = split("port");
        let hosts = match ports.len() {
            0 | 1 => {
                let port = ports.first().cloned().unwrap_or_default();
                names
                    .into_iter()
                    .map(|host| HostSpec {
                        host,
                        port: port.clone(),
                    })
                    .collect()
            }
            n if n == names.len() => names
                .into_iter()
                .zip(ports)
                .map(|(host, port)| HostSpec { host, port })
                .collect(),
            n => {
                return Err(format!(
                    "could not match {n} port numbers to {} hosts",
                    names.len()
                ))
            }
        };
        let target = match options.get("target_session_attrs") {
            Some(t) => TargetSessionAttrs::parse(t)?,
            None => TargetSessionAttrs::Any,
        };
        Ok(ConnInfo {
            options,
            hosts,
            target,
        })
    }

    /// An option's value, when given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }

    /// `connect_timeout` in seconds (`None`: wait as long as TCP does). libpq waits at
    /// least 2 s; zero or less means no timeout. The error is libpq's text, which it
    /// prints after the first host's "connection to server at ... failed: ".
    pub fn connect_timeout(&self) -> Result<Option<u32>, String> {
        match self.get("connect_timeout") {
            None | Some("") => Ok(None),
            Some(t) => {
                let n = parse_int(t).ok_or_else(|| invalid_integer(t, "connect_timeout"))?;
                Ok((n > 0).then_some(n.max(2) as u32))
            }
        }
    }
}

/// Quotes a value for a connection string when it needs it, as pg_basebackup -R does.
pub fn quote(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', '\'', '\\']) {
        return value.to_string();
    }
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// How libpq names the server it failed to reach: the host name as given and the
/// address it resolved to (`"primary" (10.0.0.1)`), or just the address when the host
/// was given as one.
pub fn server_at(host: &str, addr: &str, port: u16) -> String {
    if host == addr {
        format!("connection to server at \"{addr}\", port {port}")
    } else {
        format!("connection to server at \"{host}\" ({addr}), port {port}")
    }
}

/// libpq's refusal for a host where nothing listens on the port.
pub fn connection_refused(host: &str, addr: &str, port: u16) -> String {
    format!(
        "{} failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?",
        server_at(host, addr, port)
    )
}

/// libpq's line for a host that does not answer: `timeout expired` when
/// connect_timeout gave up, else the kernel's own timeout with libpq's hint.
pub fn no_answer(host: &str, addr: &str, port: u16, timeout: Option<u32>) -> String {
    match timeout {
        Some(_) => format!("{} failed: timeout expired", server_at(host, addr, port)),
        None => format!(
            "{} failed: Connection timed out\n\tIs the server running on that host and accepting TCP/IP connections?",
            server_at(host, addr, port)
        ),
    }
}

/// libpq's failure for a host whose firewall rejects the port (firewalld answers with
/// icmp-host-prohibited, which connect() reports as EHOSTUNREACH).
pub fn no_route_to_host(host: &str, addr: &str, port: u16) -> String {
    format!(
        "{} failed: No route to host\n\tIs the server running on that host and accepting TCP/IP connections?",
        server_at(host, addr, port)
    )
}

/// libpq's line for a host name the resolver does not know.
pub fn unknown_host(host: &str) -> String {
    format!("could not translate host name \"{host}\" to address: Name or service not known")
}

/// libpq's prefix for the local socket of `port`.
pub fn socket_at(port: u16) -> String {
    format!("connection to server on socket \"/run/postgresql/.s.PGSQL.{port}\"")
}

#[cfg(test)]
mod tests;
