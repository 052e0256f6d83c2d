//! `postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]`, as
//! libpq's conninfo_uri_parse_options reads it.

use crate::map::Map;

use super::store;

/// The length of the URI designator `text` starts with, if any.
pub fn prefix_len(text: &str) -> Option<usize> {
    ["postgresql://", "postgres://"]
        .iter()
        .find(|p| text.starts_with(**p))
        .map(|p| p.len())
}

/// Parses a URI into connection options. Errors are libpq's.
pub fn parse(uri: &str) -> Result<Map<String, String>, String> {
    let mut out = Map::new();
    let start = prefix_len(uri).unwrap_or(0);
    let b = uri.as_bytes();
    let mut p = start;
    // user[:password]@, looked for before the first '/'.
    let mut q = p;
    while q < b.len() && b[q] != b'@' && b[q] != b'/' {
        q += 1;
    }
    if q < b.len() && b[q] == b'@' {
        let cred = &uri[p..q];
        let (user, password) = match cred.split_once(':') {
            Some((u, pw)) => (u, Some(pw)),
            None => (cred, None),
        };
        if !user.is_empty() {
            store_decoded(&mut out, "user", user)?;
        }
        if let Some(pw) = password.filter(|pw| !pw.is_empty()) {
            store_decoded(&mut out, "password", pw)?;
        }
        p = q + 1;
    }
    let mut hosts = String::new();
    let mut ports = String::new();
    let mut prevchar;
    loop {
        if p < b.len() && b[p] == b'[' {
            p += 1;
            let host_start = p;
            while p < b.len() && b[p] != b']' {
                p += 1;
            }
            if p >= b.len() {
                return Err(format!("end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"{uri}\""));
            }
            if p == host_start {
                return Err(format!(
                    "IPv6 host address may not be empty in URI: \"{uri}\""
                ));
            }
            hosts.push_str(&uri[host_start..p]);
            p += 1;
            if p < b.len() && !matches!(b[p], b':' | b'/' | b'?' | b',') {
                let c = uri[p..].chars().next().unwrap_or(' ');
                return Err(format!("unexpected character \"{c}\" at position {} in URI (expected \":\" or \"/\"): \"{uri}\"", p + 1));
            }
        } else {
            let host_start = p;
            while p < b.len() && !matches!(b[p], b':' | b'/' | b'?' | b',') {
                p += 1;
            }
            hosts.push_str(&uri[host_start..p]);
        }
        prevchar = b.get(p).copied();
        if prevchar == Some(b':') {
            p += 1;
            let port_start = p;
            while p < b.len() && !matches!(b[p], b'/' | b'?' | b',') {
                p += 1;
            }
            ports.push_str(&uri[port_start..p]);
            prevchar = b.get(p).copied();
        }
        if prevchar != Some(b',') {
            break;
        }
        p += 1;
        hosts.push(',');
        ports.push(',');
    }
    if !hosts.is_empty() {
        store_decoded(&mut out, "host", &hosts)?;
    }
    if !ports.is_empty() {
        store_decoded(&mut out, "port", &ports)?;
    }
    if prevchar.is_some() && prevchar != Some(b'?') {
        p += 1;
        let db_start = p;
        while p < b.len() && b[p] != b'?' {
            p += 1;
        }
        prevchar = b.get(p).copied();
        if p > db_start {
            store_decoded(&mut out, "dbname", &uri[db_start..p])?;
        }
    }
    if prevchar.is_some() {
        parse_params(&uri[p + 1..], &mut out)?;
    }
    Ok(out)
}

/// Stores a value that is percent-decoded first.
fn store_decoded(out: &mut Map<String, String>, key: &str, raw: &str) -> Result<(), String> {
    let value = decode(raw)?;
    out.insert(key.to_string(), value);
    Ok(())
}

/// `?key=value&...`.
fn parse_params(params: &str, out: &mut Map<String, String>) -> Result<(), String> {
    if params.is_empty() {
        return Ok(());
    }
    for part in params.split('&') {
        let (keyword, value) = match part.split_once('=') {
            Some((k, v)) => {
                if v.contains('=') {
                    return Err(format!(
                        "extra key/value separator \"=\" in URI query parameter: \"{k}\""
                    ));
                }
                (k, v)
            }
            None => {
                return Err(format!(
                    "missing key/value separator \"=\" in URI query parameter: \"{part}\""
                ))
            }
        };
        let mut keyword = decode(keyword)?;
        let mut value = decode(value)?;
        // JDBC's ssl=true, as libpq accepts it.
        if keyword == "ssl" && value == "true" {
            keyword = "sslmode".to_string();
            value = "require".to_string();
        }
        store(out, keyword, value).map_err(|k| format!("invalid URI query parameter: \"{k}\""))?;
    }
    Ok(())
}

/// conninfo_uri_decode: `%XX` escapes.
fn decode(text: &str) -> Result<String, String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(b.get(i + 1)), hex(b.get(i + 2))) else {
                return Err(format!("invalid percent-encoded token: \"{text}\""));
            };
            let v = (hi * 16 + lo) as u8;
            if v == 0 {
                return Err(format!(
                    "forbidden value %00 in percent-encoded value: \"{text}\""
                ));
            }
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
