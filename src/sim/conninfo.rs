//! libpq connection strings (`primary_conninfo`): `key=value` pairs, values optionally
//! single-quoted with `\'` or `''` escapes.

use std::collections::BTreeMap;

/// Parses a keyword/value connection string. The error is libpq's message.
pub fn parse(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(format!(
                "missing \"=\" after \"{key}\" in connection info string"
            ));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
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
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        const KNOWN: &[&str] = &[
            "host",
            "hostaddr",
            "port",
            "user",
            "password",
            "passfile",
            "dbname",
            "application_name",
            "fallback_application_name",
            "channel_binding",
            "sslmode",
            "sslcompression",
            "sslsni",
            "ssl_min_protocol_version",
            "gssencmode",
            "krbsrvname",
            "target_session_attrs",
            "connect_timeout",
            "options",
            "keepalives",
            "replication",
        ];
        if !KNOWN.contains(&key.as_str()) {
            return Err(format!("invalid connection option \"{key}\""));
        }
        out.insert(key, value);
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

/// libpq's failure for a host whose firewall rejects the port (firewalld answers with
/// icmp-host-prohibited, which connect() reports as EHOSTUNREACH).
pub fn no_route_to_host(host: &str, addr: &str, port: u16) -> String {
    format!(
        "{} failed: No route to host\n\tIs the server running on that host and accepting TCP/IP connections?",
        server_at(host, addr, port)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_plain_values() {
        let m =
            parse("host=primary port=5432 user=replicator password='a b\\'c' application_name=s1")
                .unwrap();
        assert_eq!(m["host"], "primary");
        assert_eq!(m["password"], "a b'c");
        assert_eq!(m["application_name"], "s1");
        assert_eq!(
            parse("host").unwrap_err(),
            "missing \"=\" after \"host\" in connection info string"
        );
        assert_eq!(
            parse("hots=x").unwrap_err(),
            "invalid connection option \"hots\""
        );
    }
}
