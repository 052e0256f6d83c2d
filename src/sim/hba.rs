//! pg_hba.conf: parsing as PostgreSQL 15's hba.c does it (tokenize_auth_file,
//! parse_hba_line, with its LOG texts) and finding the line a connection matches
//! (check_hba).

use std::fmt;

/// The TYPE column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnType {
    Local,
    Host,
    HostSsl,
    HostNoSsl,
    /// GSSAPI-encrypted TCP; the model has no GSSAPI encryption, so it never matches.
    HostGssEnc,
    /// TCP without GSSAPI encryption; in the model the same as `host`.
    HostNoGssEnc,
}

impl ConnType {
    /// The keyword as written in pg_hba.conf (and `pg_hba_file_rules.type`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConnType::Local => "local",
            ConnType::Host => "host",
            ConnType::HostSsl => "hostssl",
            ConnType::HostNoSsl => "hostnossl",
            ConnType::HostGssEnc => "hostgssenc",
            ConnType::HostNoGssEnc => "hostnogssenc",
        }
    }
}

/// The ADDRESS column (with its netmask column, if any).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Address {
    All,
    /// Any of the server's own addresses.
    SameHost,
    /// Any address on a subnet the server is directly connected to.
    SameNet,
    /// An IPv4 range; a separate contiguous netmask column is folded into `bits`.
    Cidr {
        addr: [u8; 4],
        bits: u8,
    },
    /// An IPv4 address with a non-contiguous netmask column (PostgreSQL allows it).
    Netmask {
        addr: [u8; 4],
        mask: [u8; 4],
    },
    /// Anything that is not a numeric address: a host name (`.suffix` allowed).
    Hostname(String),
    /// An IPv6 address or range as written (`::1/128`); never matches an IPv4 client.
    Ipv6(String),
}

/// The METHOD column (the methods the model supports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Trust,
    Reject,
    Md5,
    ScramSha256,
    Password,
    Peer,
    Ident,
}

impl Method {
    /// The keyword as written in pg_hba.conf.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Trust => "trust",
            Method::Reject => "reject",
            Method::Md5 => "md5",
            Method::ScramSha256 => "scram-sha-256",
            Method::Password => "password",
            Method::Peer => "peer",
            Method::Ident => "ident",
        }
    }
}

/// One parsed pg_hba.conf record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HbaLine {
    /// 1-based line number.
    pub line: usize,
    pub conn_type: ConnType,
    /// Database names and keywords, unquoted.
    pub databases: Vec<String>,
    /// Role names and keywords (`+group` included), unquoted.
    pub users: Vec<String>,
    /// `None` for `local` lines.
    pub address: Option<Address>,
    /// As PostgreSQL does, `ident` on a `local` line becomes `peer`.
    pub method: Method,
    /// Which `databases` entries were double-quoted (quoting strips a keyword's meaning).
    pub databases_quoted: Vec<bool>,
    /// Which `users` entries were double-quoted.
    pub users_quoted: Vec<bool>,
}

/// A bad pg_hba.conf line; the caller adds `CONTEXT:  line N of configuration file "PATH"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HbaError {
    pub line: usize,
    /// The LOG message text.
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for HbaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HbaError {}

/// hba.c's MAX_TOKEN.
const MAX_TOKEN: usize = 256;

/// One token of a field, as next_token returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    text: String,
    quoted: bool,
}

impl Token {
    /// token_is_keyword: unquoted and equal.
    fn is_keyword(&self, kw: &str) -> bool {
        !self.quoted && self.text == kw
    }
}

fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r')
}

/// next_token: the next token (up to unquoted blank, comma or `#`), whether it began with
/// a quote, and whether a comma ended it; `None` if the line has no more tokens.
fn next_token(b: &[u8], pos: &mut usize) -> Result<Option<(Token, bool)>, String> {
    while *pos < b.len() && (is_blank(b[*pos]) || b[*pos] == b',') {
        *pos += 1;
    }
    let mut buf: Vec<u8> = Vec::new();
    let (mut in_quote, mut was_quote, mut saw_quote) = (false, false, false);
    let mut initial_quote = false;
    let mut comma = false;
    while *pos < b.len() && (!is_blank(b[*pos]) || in_quote) {
        let c = b[*pos];
        if c == b'#' && !in_quote {
            *pos = b.len();
            break;
        }
        if buf.len() >= MAX_TOKEN - 1 {
            *pos = b.len();
            return Err(format!(
                "authentication file token too long, skipping: \"{}\"",
                String::from_utf8_lossy(&buf)
            ));
        }
        if c == b',' && !in_quote {
            comma = true;
            *pos += 1;
            break;
        }
        if c != b'"' || was_quote {
            buf.push(c);
        }
        was_quote = in_quote && c == b'"' && !was_quote;
        if c == b'"' {
            in_quote = !in_quote;
            saw_quote = true;
            if buf.is_empty() {
                initial_quote = true;
            }
        }
        *pos += 1;
    }
    if !saw_quote && buf.is_empty() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(Some((
        Token {
            text,
            quoted: initial_quote,
        },
        comma,
    )))
}

/// tokenize_auth_file for one line: fields, each a comma-separated list of tokens.
fn tokenize_line(line: &str) -> Result<Vec<Vec<Token>>, String> {
    let b = line.as_bytes();
    let mut pos = 0;
    let mut fields = Vec::new();
    while pos < b.len() {
        let mut field = Vec::new();
        while let Some((tok, comma)) = next_token(b, &mut pos)? {
            field.push(tok);
            if !comma {
                break;
            }
        }
        if !field.is_empty() {
            fields.push(field);
        }
    }
    Ok(fields)
}

/// A parse failure: the message and its hint.
type LineError = (String, Option<String>);

fn plain(msg: impl Into<String>) -> LineError {
    (msg.into(), None)
}

/// The single token of a field, or PostgreSQL's "multiple values" error.
fn single<'t>(field: &'t [Token], what: &str, hint: Option<&str>) -> Result<&'t Token, LineError> {
    match field {
        [tok] => Ok(tok),
        _ => Err((
            format!("multiple values specified for {what}"),
            hint.map(str::to_string),
        )),
    }
}

/// getaddrinfo(AI_NUMERICHOST): an IPv4 address (inet_aton syntax) or an IPv6 one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Numeric {
    V4([u8; 4]),
    V6([u8; 16]),
}

fn numeric_host(s: &str) -> Option<Numeric> {
    if let Some(a) = inet_aton(s) {
        return Some(Numeric::V4(a));
    }
    let (addr, scope) = match s.split_once('%') {
        Some((a, scope)) => (a, Some(scope)),
        None => (s, None),
    };
    if scope.is_some_and(str::is_empty) {
        return None;
    }
    inet_pton6(addr.as_bytes()).map(Numeric::V6)
}

/// glibc's inet_aton (exact): 1 to 4 parts, each decimal, octal (0...) or hex (0x...),
/// the last part filling the remaining bytes.
fn inet_aton(s: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut vals = Vec::with_capacity(4);
    for (i, part) in parts.iter().enumerate() {
        let (val, digit) = aton_part(part)?;
        let last = i + 1 == parts.len();
        if (last && !digit) || (!last && val > 0xff) {
            return None;
        }
        vals.push(val);
    }
    let (&last, front) = vals.split_last()?;
    let bits = if vals.len() == 1 {
        32
    } else {
        8 * (5 - vals.len() as u32)
    };
    if bits < 32 && last >> bits != 0 {
        return None;
    }
    let mut addr = last;
    for (i, v) in front.iter().enumerate() {
        addr |= v << (24 - 8 * i as u32);
    }
    Some(addr.to_be_bytes())
}

/// One inet_aton part: its value and whether it had a digit.
fn aton_part(p: &str) -> Option<(u32, bool)> {
    let b = p.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (base, mut i, mut digit) = match b {
        [b'0', b'x' | b'X', ..] => (16, 2, false),
        [b'0', ..] => (8, 1, true),
        _ => (10, 0, false),
    };
    let mut val: u64 = 0;
    while i < b.len() {
        let d = (b[i] as char).to_digit(base)?;
        val = val * u64::from(base) + u64::from(d);
        if val > u64::from(u32::MAX) {
            return None;
        }
        digit = true;
        i += 1;
    }
    Some((val as u32, digit))
}

/// glibc's inet_pton for AF_INET6 (with an optional trailing dotted IPv4 part).
fn inet_pton6(src: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut i = 0;
    if src.is_empty() {
        return None;
    }
    if src[0] == b':' {
        i = 1;
        if src.get(1) != Some(&b':') {
            return None;
        }
    }
    let mut curtok = i;
    let mut xdigits = 0;
    let mut val: u32 = 0;
    while i < src.len() {
        let ch = src[i];
        i += 1;
        if let Some(d) = (ch as char).to_digit(16) {
            if xdigits == 4 {
                return None;
            }
            val = (val << 4) | d;
            xdigits += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits == 0 {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == src.len() || tp + 2 > 16 {
                return None;
            }
            tmp[tp] = (val >> 8) as u8;
            tmp[tp + 1] = val as u8;
            tp += 2;
            xdigits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            let v4 = inet_pton4(&src[curtok..])?;
            tmp[tp..tp + 4].copy_from_slice(&v4);
            tp += 4;
            xdigits = 0;
            break;
        }
        return None;
    }
    if xdigits > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp] = (val >> 8) as u8;
        tmp[tp + 1] = val as u8;
        tp += 2;
    }
    if let Some(c) = colonp {
        if tp == 16 {
            return None;
        }
        let n = tp - c;
        let moved: Vec<u8> = tmp[c..tp].to_vec();
        tmp[c..].fill(0);
        tmp[16 - n..].copy_from_slice(&moved);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

/// glibc's inet_pton for AF_INET: four decimal octets, no leading zeros.
fn inet_pton4(src: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &ch in src {
        if ch.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return None;
            }
            cur = cur * 10 + u32::from(ch - b'0');
            if cur > 255 {
                return None;
            }
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
            out[octets - 1] = cur as u8;
        } else if ch == b'.' && saw_digit {
            if octets == 4 {
                return None;
            }
            cur = 0;
            saw_digit = false;
        } else {
            return None;
        }
    }
    (octets == 4).then_some(out)
}

/// pg_sockaddr_cidr_mask's strtol: the prefix length, if valid for the family.
fn cidr_bits(s: &str, max: i64) -> Option<u8> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().unwrap_or(i64::MAX);
    let v = if neg { -v } else { v };
    u8::try_from(v).ok().filter(|b| i64::from(*b) <= max)
}

fn mask_bits(mask: [u8; 4]) -> Option<u8> {
    let m = u32::from_be_bytes(mask);
    let ones = m.leading_ones();
    (m.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
}

/// parse_hba_line's ADDRESS (and netmask) handling; consumes the fields it uses.
fn parse_address(fields: &mut std::slice::Iter<'_, Vec<Token>>) -> Result<Address, LineError> {
    let Some(field) = fields.next() else {
        return Err(plain("end-of-line before IP address specification"));
    };
    let tok = single(
        field,
        "host address",
        Some("Specify one address range per line."),
    )?;
    if tok.is_keyword("all") {
        return Ok(Address::All);
    }
    if tok.is_keyword("samehost") {
        return Ok(Address::SameHost);
    }
    if tok.is_keyword("samenet") {
        return Ok(Address::SameNet);
    }
    let (host, cidr) = match tok.text.split_once('/') {
        Some((h, c)) => (h, Some(c)),
        None => (tok.text.as_str(), None),
    };
    let Some(addr) = numeric_host(host) else {
        if cidr.is_some() {
            return Err(plain(format!(
                "specifying both host name and CIDR mask is invalid: \"{}\"",
                tok.text
            )));
        }
        return Ok(Address::Hostname(host.to_string()));
    };
    if let Some(c) = cidr {
        let max = if matches!(addr, Numeric::V4(_)) {
            32
        } else {
            128
        };
        let Some(bits) = cidr_bits(c, max) else {
            return Err(plain(format!(
                "invalid CIDR mask in address \"{}\"",
                tok.text
            )));
        };
        return Ok(match addr {
            Numeric::V4(a) => Address::Cidr { addr: a, bits },
            Numeric::V6(_) => Address::Ipv6(tok.text.clone()),
        });
    }
    let Some(field) = fields.next() else {
        return Err((
            "end-of-line before netmask specification".to_string(),
            Some(
                "Specify an address range in CIDR notation, or provide a separate netmask."
                    .to_string(),
            ),
        ));
    };
    let mtok = single(field, "netmask", None)?;
    let Some(mask) = numeric_host(&mtok.text) else {
        return Err(plain(format!(
            "invalid IP mask \"{}\": Name or service not known",
            mtok.text
        )));
    };
    match (addr, mask) {
        (Numeric::V4(a), Numeric::V4(m)) => Ok(match mask_bits(m) {
            Some(bits) => Address::Cidr { addr: a, bits },
            None => Address::Netmask { addr: a, mask: m },
        }),
        (Numeric::V6(_), Numeric::V6(_)) => Ok(Address::Ipv6(tok.text.clone())),
        _ => Err(plain("IP address and mask do not match")),
    }
}

/// Methods PostgreSQL knows but the model (like a build without them) does not support.
const UNSUPPORTED_METHODS: &[&str] = &["gss", "sspi", "pam", "bsd", "ldap", "cert", "radius"];

/// Option names parse_hba_auth_opt knows.
const KNOWN_OPTIONS: &[&str] = &[
    "clientcert",
    "clientname",
    "compat_realm",
    "include_realm",
    "krb_realm",
    "ldapbasedn",
    "ldapbinddn",
    "ldapbindpasswd",
    "ldapport",
    "ldapprefix",
    "ldapscheme",
    "ldapsearchattribute",
    "ldapsearchfilter",
    "ldapserver",
    "ldapsuffix",
    "ldaptls",
    "ldapurl",
    "map",
    "pam_use_hostname",
    "pamservice",
    "radiusidentifiers",
    "radiusports",
    "radiussecrets",
    "radiusservers",
    "upn_username",
];

/// parse_hba_line for one tokenized line.
fn parse_line(line: usize, fields: &[Vec<Token>]) -> Result<HbaLine, LineError> {
    let mut it = fields.iter();
    let Some(first) = it.next() else {
        return Err(plain("empty line"));
    };
    let tok = single(
        first,
        "connection type",
        Some("Specify exactly one connection type per line."),
    )?;
    let conn_type = match tok.text.as_str() {
        "local" => ConnType::Local,
        "host" => ConnType::Host,
        "hostssl" => ConnType::HostSsl,
        "hostnossl" => ConnType::HostNoSsl,
        "hostgssenc" => ConnType::HostGssEnc,
        "hostnogssenc" => ConnType::HostNoGssEnc,
        other => return Err(plain(format!("invalid connection type \"{other}\""))),
    };
    let Some(dbs) = it.next() else {
        return Err(plain("end-of-line before database specification"));
    };
    let Some(roles) = it.next() else {
        return Err(plain("end-of-line before role specification"));
    };
    let address = if conn_type == ConnType::Local {
        None
    } else {
        Some(parse_address(&mut it)?)
    };
    let Some(field) = it.next() else {
        return Err(plain("end-of-line before authentication method"));
    };
    let tok = single(
        field,
        "authentication type",
        Some("Specify exactly one authentication type per line."),
    )?;
    let mut method = match tok.text.as_str() {
        "trust" => Method::Trust,
        "reject" => Method::Reject,
        "md5" => Method::Md5,
        "scram-sha-256" => Method::ScramSha256,
        "password" => Method::Password,
        "peer" => Method::Peer,
        "ident" => Method::Ident,
        other if UNSUPPORTED_METHODS.contains(&other) => {
            return Err(plain(format!(
                "invalid authentication method \"{other}\": not supported by this build"
            )))
        }
        other => return Err(plain(format!("invalid authentication method \"{other}\""))),
    };
    if conn_type == ConnType::Local && method == Method::Ident {
        method = Method::Peer;
    }
    if conn_type != ConnType::Local && method == Method::Peer {
        return Err(plain(
            "peer authentication is only supported on local sockets",
        ));
    }
    for tok in it.flatten() {
        let Some((name, value)) = tok.text.split_once('=') else {
            return Err(plain(format!(
                "authentication option not in name=value format: {}",
                tok.text
            )));
        };
        check_option(name, value, conn_type, method)?;
    }
    let split = |field: &[Token]| -> (Vec<String>, Vec<bool>) {
        field.iter().map(|t| (t.text.clone(), t.quoted)).unzip()
    };
    let (databases, databases_quoted) = split(dbs);
    let (users, users_quoted) = split(roles);
    Ok(HbaLine {
        line,
        conn_type,
        databases,
        users,
        address,
        method,
        databases_quoted,
        users_quoted,
    })
}

/// parse_hba_auth_opt, for the options that matter to the modelled methods.
fn check_option(name: &str, value: &str, conn: ConnType, method: Method) -> Result<(), LineError> {
    match name {
        "map" if !matches!(method, Method::Ident | Method::Peer) => Err(plain(
            "authentication option \"map\" is only valid for authentication methods ident, peer, gssapi, sspi, and cert",
        )),
        "clientcert" if conn != ConnType::HostSsl => {
            Err(plain("clientcert can only be configured for \"hostssl\" rows"))
        }
        "clientcert" if value != "verify-full" && value != "verify-ca" => {
            Err(plain(format!("invalid value for clientcert: \"{value}\"")))
        }
        _ if KNOWN_OPTIONS.contains(&name) => Ok(()),
        _ => Err(plain(format!("unrecognized authentication option name: \"{name}\""))),
    }
}

/// Parses pg_hba.conf as load_hba does: every line is checked and every bad line
/// reported (PostgreSQL then refuses the whole file).
pub fn parse_hba(text: &str) -> Result<Vec<HbaLine>, Vec<HbaError>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let parsed = tokenize_line(raw).map_err(plain).and_then(|fields| {
            if fields.is_empty() {
                Ok(None)
            } else {
                parse_line(n, &fields).map(Some)
            }
        });
        match parsed {
            Ok(Some(l)) => lines.push(l),
            Ok(None) => {}
            Err((message, hint)) => errors.push(HbaError {
                line: n,
                message,
                hint,
            }),
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// What is connecting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// Over the Unix-domain socket.
    pub local: bool,
    pub ssl: bool,
    pub database: &'a str,
    /// A physical replication connection (only the `replication` keyword matches it).
    pub replication: bool,
    pub user: &'a str,
    pub client_addr: [u8; 4],
}

/// The server's default interface for `samehost`/`samenet`: loopback 127.0.0.1/8.
const LOOPBACK: [([u8; 4], u8); 1] = [([127, 0, 0, 1], 8)];

/// First matching line, top to bottom, as PostgreSQL's check_hba does. `resolve` turns a
/// host name into its address (the model has a fixed host table); a Hostname entry
/// matches when the name resolves to the client address. `samehost`/`samenet` see only
/// the loopback interface here; use [`find_match_on`] to give the server's addresses.
pub fn find_match<'l>(
    lines: &'l [HbaLine],
    req: &Request,
    resolve: &dyn Fn(&str) -> Option<[u8; 4]>,
) -> Option<&'l HbaLine> {
    find_match_on(lines, req, resolve, &LOOPBACK)
}

/// [`find_match`] for a server whose interfaces are `server` (address, prefix length),
/// which `samehost` and `samenet` compare against.
pub fn find_match_on<'l>(
    lines: &'l [HbaLine],
    req: &Request,
    resolve: &dyn Fn(&str) -> Option<[u8; 4]>,
    server: &[([u8; 4], u8)],
) -> Option<&'l HbaLine> {
    lines.iter().find(|l| line_matches(l, req, resolve, server))
}

fn line_matches(
    l: &HbaLine,
    req: &Request,
    resolve: &dyn Fn(&str) -> Option<[u8; 4]>,
    server: &[([u8; 4], u8)],
) -> bool {
    if (l.conn_type == ConnType::Local) != req.local {
        return false;
    }
    match l.conn_type {
        ConnType::HostSsl if !req.ssl => return false,
        ConnType::HostNoSsl if req.ssl => return false,
        ConnType::HostGssEnc => return false,
        _ => {}
    }
    if !req.local {
        let Some(addr) = &l.address else { return false };
        if !address_matches(addr, req.client_addr, resolve, server) {
            return false;
        }
    }
    db_matches(l, req) && role_matches(l, req.user)
}

fn in_range(client: [u8; 4], addr: [u8; 4], mask: u32) -> bool {
    (u32::from_be_bytes(client) ^ u32::from_be_bytes(addr)) & mask == 0
}

fn prefix_mask(bits: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(bits.min(32)))
        .unwrap_or(0)
}

fn address_matches(
    addr: &Address,
    client: [u8; 4],
    resolve: &dyn Fn(&str) -> Option<[u8; 4]>,
    server: &[([u8; 4], u8)],
) -> bool {
    match addr {
        Address::All => true,
        Address::SameHost => server.iter().any(|(a, _)| *a == client),
        Address::SameNet => server
            .iter()
            .any(|(a, bits)| in_range(client, *a, prefix_mask(*bits))),
        Address::Cidr { addr, bits } => in_range(client, *addr, prefix_mask(*bits)),
        Address::Netmask { addr, mask } => in_range(client, *addr, u32::from_be_bytes(*mask)),
        // A ".suffix" entry needs a reverse lookup, which the model's host table lacks.
        Address::Hostname(name) => !name.starts_with('.') && resolve(name) == Some(client),
        Address::Ipv6(_) => false,
    }
}

/// check_db. `samerole`/`samegroup` match a database named like the user (a role is a
/// member of itself; the model has no group membership).
fn db_matches(l: &HbaLine, req: &Request) -> bool {
    tokens(&l.databases, &l.databases_quoted).any(|tok| {
        if req.replication {
            tok.is_keyword("replication")
        } else if tok.is_keyword("all") {
            true
        } else if tok.is_keyword("sameuser")
            || tok.is_keyword("samerole")
            || tok.is_keyword("samegroup")
        {
            req.database == req.user
        } else if tok.is_keyword("replication") {
            false
        } else {
            tok.text == req.database
        }
    })
}

/// check_role. `+group` matches only the role of that name (no group membership).
fn role_matches(l: &HbaLine, user: &str) -> bool {
    tokens(&l.users, &l.users_quoted).any(|tok| {
        if let Some(group) = tok.text.strip_prefix('+').filter(|_| !tok.quoted) {
            group == user
        } else {
            tok.text == user || tok.is_keyword("all")
        }
    })
}

fn tokens<'a>(texts: &'a [String], quoted: &'a [bool]) -> impl Iterator<Item = Token> + 'a {
    texts.iter().enumerate().map(move |(i, t)| Token {
        text: t.clone(),
        quoted: quoted.get(i).copied().unwrap_or(false),
    })
}

/// pg_hba.conf as initdb 15 writes it with trust authentication (header abridged).
const INITDB_PG_HBA_CONF: &str = "\
# PostgreSQL Client Authentication Configuration File
# ===================================================
#
# Refer to the \"Client Authentication\" section in the PostgreSQL
# documentation for a complete description of this file.  A short
# synopsis follows.
#
# This file controls: which hosts are allowed to connect, how clients
# are authenticated, which PostgreSQL user names they can use, which
# databases they can access.  Records take one of these forms:
#
# local         DATABASE  USER  METHOD  [OPTIONS]
# host          DATABASE  USER  ADDRESS  METHOD  [OPTIONS]
# hostssl       DATABASE  USER  ADDRESS  METHOD  [OPTIONS]
# hostnossl     DATABASE  USER  ADDRESS  METHOD  [OPTIONS]
# hostgssenc    DATABASE  USER  ADDRESS  METHOD  [OPTIONS]
# hostnogssenc  DATABASE  USER  ADDRESS  METHOD  [OPTIONS]
#
# (The uppercase items must be replaced by actual values.)
#
# This file is read on server startup and when the server receives a
# SIGHUP signal.  If you edit the file on a running system, you have to
# SIGHUP the server for the changes to take effect, run \"pg_ctl reload\",
# or execute \"SELECT pg_reload_conf()\".

# CAUTION: Configuring the system for local \"trust\" authentication
# allows any local user to connect as any PostgreSQL user, including
# the database superuser.  If you do not trust all your local users,
# use another authentication method.


# TYPE  DATABASE        USER            ADDRESS                 METHOD

# \"local\" is for Unix domain socket connections only
local   all             all                                     trust
# IPv4 local connections:
host    all             all             127.0.0.1/32            trust
# IPv6 local connections:
host    all             all             ::1/128                 trust
# Allow replication connections from localhost, by a user with the
# replication privilege.
local   replication     all                                     trust
host    replication     all             127.0.0.1/32            trust
host    replication     all             ::1/128                 trust
";

/// pg_hba.conf as initdb 15 writes it with `trust` (its long header comment abridged).
pub fn initdb_pg_hba_conf() -> String {
    INITDB_PG_HBA_CONF.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<HbaLine> {
        match parse_hba(text) {
            Ok(l) => l,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn errors(text: &str) -> Vec<(usize, String)> {
        match parse_hba(text) {
            Ok(l) => panic!("accepted {l:?}"),
            Err(e) => e.into_iter().map(|e| (e.line, e.message)).collect(),
        }
    }

    fn one_error(text: &str) -> String {
        let e = errors(text);
        assert_eq!(e.len(), 1, "{e:?}");
        e[0].1.clone()
    }

    fn hosts(name: &str) -> Option<[u8; 4]> {
        match name {
            "standby1" => Some([10, 0, 0, 2]),
            "localhost" => Some([127, 0, 0, 1]),
            _ => None,
        }
    }

    fn req<'a>(db: &'a str, user: &'a str, replication: bool, addr: [u8; 4]) -> Request<'a> {
        Request {
            local: false,
            ssl: false,
            database: db,
            replication,
            user,
            client_addr: addr,
        }
    }

    fn matched(lines: &[HbaLine], r: &Request) -> Option<usize> {
        find_match(lines, r, &hosts).map(|l| l.line)
    }

    #[test]
    fn initdb_file() {
        let text = initdb_pg_hba_conf();
        let lines = parsed(&text);
        assert_eq!(lines.len(), 6);
        assert!(lines.iter().all(|l| l.method == Method::Trust));
        assert_eq!(lines[0].conn_type, ConnType::Local);
        assert_eq!(lines[0].address, None);
        assert_eq!(
            lines[1].address,
            Some(Address::Cidr {
                addr: [127, 0, 0, 1],
                bits: 32
            })
        );
        assert_eq!(lines[2].address, Some(Address::Ipv6("::1/128".into())));
        assert_eq!(lines[3].databases, vec!["replication".to_string()]);
        assert_eq!(lines[5].users, vec!["all".to_string()]);
        assert!(text.contains(
            "\n# TYPE  DATABASE        USER            ADDRESS                 METHOD\n"
        ));
        assert!(text
            .ends_with("host    replication     all             ::1/128                 trust\n"));
    }

    #[test]
    fn replication_matching() {
        let mut text = initdb_pg_hba_conf();
        let lines = parsed(&text);
        let r = req("replication", "replicator", true, [10, 0, 0, 2]);
        assert_eq!(matched(&lines, &r), None);
        let local_rep = req("replication", "replicator", true, [127, 0, 0, 1]);
        let n = text
            .lines()
            .position(|l| l.starts_with("host    replication"))
            .map(|i| i + 1);
        assert_eq!(matched(&lines, &local_rep), n);
        text.push_str("host replication replicator 10.0.0.0/24 scram-sha-256\n");
        let lines = parsed(&text);
        let last = text.lines().count();
        let m = find_match(&lines, &r, &hosts);
        assert_eq!(
            m.map(|l| (l.line, l.method)),
            Some((last, Method::ScramSha256))
        );
        assert_eq!(
            matched(&lines, &req("replication", "other", true, [10, 0, 0, 2])),
            None
        );
        assert_eq!(
            matched(
                &lines,
                &req("replication", "replicator", true, [10, 0, 1, 2])
            ),
            None
        );
        // A normal connection to a database called "replication" does not use that line.
        assert_eq!(
            matched(
                &lines,
                &req("replication", "replicator", false, [10, 0, 0, 2])
            ),
            None
        );
    }

    #[test]
    fn all_does_not_match_replication() {
        let lines = parsed("host all all 0.0.0.0/0 trust\n");
        assert_eq!(
            matched(&lines, &req("postgres", "u", false, [10, 0, 0, 9])),
            Some(1)
        );
        assert_eq!(
            matched(&lines, &req("replication", "u", true, [10, 0, 0, 9])),
            None
        );
        let lines = parsed("host \"replication\" all all trust\n");
        assert_eq!(lines[0].databases_quoted, vec![true]);
        assert_eq!(
            matched(&lines, &req("replication", "u", true, [1, 2, 3, 4])),
            None
        );
        assert_eq!(
            matched(&lines, &req("replication", "u", false, [1, 2, 3, 4])),
            Some(1)
        );
    }

    #[test]
    fn first_match_wins() {
        let lines = parsed(
            "# comment\n\nhost all bad 10.0.0.0/8 reject\nhost all all 10.0.0.0/8 trust\nhost all all all md5\n",
        );
        assert_eq!(
            matched(&lines, &req("db", "bad", false, [10, 1, 1, 1])),
            Some(3)
        );
        assert_eq!(
            matched(&lines, &req("db", "good", false, [10, 1, 1, 1])),
            Some(4)
        );
        assert_eq!(
            matched(&lines, &req("db", "good", false, [192, 168, 0, 1])),
            Some(5)
        );
        assert_eq!(lines[0].method, Method::Reject);
    }

    #[test]
    fn host_names_and_keywords() {
        let lines = parsed("host all all standby1 trust\nhost all all samehost md5\nhost all all .example.com md5\n");
        assert_eq!(lines[0].address, Some(Address::Hostname("standby1".into())));
        assert_eq!(
            matched(&lines, &req("db", "u", false, [10, 0, 0, 2])),
            Some(1)
        );
        assert_eq!(matched(&lines, &req("db", "u", false, [10, 0, 0, 3])), None);
        assert_eq!(
            matched(&lines, &req("db", "u", false, [127, 0, 0, 1])),
            Some(2)
        );
        let server = [([10, 0, 0, 1], 24)];
        let samenet = parsed("host all all samenet trust\n");
        let r = req("db", "u", false, [10, 0, 0, 7]);
        assert_eq!(
            find_match_on(&samenet, &r, &hosts, &server).map(|l| l.line),
            Some(1)
        );
        assert_eq!(find_match(&samenet, &r, &hosts).map(|l| l.line), None);
        // An invalid dotted quad is a host name to PostgreSQL.
        let lines = parsed("host all all 10.0.0.300 trust\n");
        assert_eq!(
            lines[0].address,
            Some(Address::Hostname("10.0.0.300".into()))
        );
    }

    #[test]
    fn databases_users_and_types() {
        let lines = parsed(
            "local all all ident\nhost db1,\"db 2\" alice,+admins 10.0.0.0 255.255.255.0 md5\nhostssl sameuser all 10.0.0.0/8 password\nhostnossl all \"all\" 127.1/32 trust\n",
        );
        assert_eq!(lines[0].method, Method::Peer);
        assert_eq!(
            lines[1].databases,
            vec!["db1".to_string(), "db 2".to_string()]
        );
        assert_eq!(
            lines[1].users,
            vec!["alice".to_string(), "+admins".to_string()]
        );
        assert_eq!(
            lines[1].address,
            Some(Address::Cidr {
                addr: [10, 0, 0, 0],
                bits: 24
            })
        );
        assert_eq!(
            lines[3].address,
            Some(Address::Cidr {
                addr: [127, 0, 0, 1],
                bits: 32
            })
        );
        let local = Request {
            local: true,
            ..req("x", "y", false, [0; 4])
        };
        assert_eq!(matched(&lines, &local), Some(1));
        assert_eq!(
            matched(&lines, &req("db 2", "alice", false, [10, 0, 0, 5])),
            Some(2)
        );
        assert_eq!(
            matched(&lines, &req("db1", "admins", false, [10, 0, 0, 5])),
            Some(2)
        );
        assert_eq!(
            matched(&lines, &req("db1", "bob", false, [10, 0, 0, 5])),
            None
        );
        let ssl = Request {
            ssl: true,
            ..req("bob", "bob", false, [10, 9, 9, 9])
        };
        assert_eq!(matched(&lines, &ssl), Some(3));
        assert_eq!(
            matched(&lines, &req("bob", "bob", false, [10, 9, 9, 9])),
            None
        );
        assert_eq!(
            matched(&lines, &req("x", "all", false, [127, 0, 0, 1])),
            Some(4)
        );
        assert_eq!(
            matched(&lines, &req("x", "bob", false, [127, 0, 0, 1])),
            None
        );
        let odd = parsed("host all all 10.0.0.0 255.0.255.0 trust\n");
        assert_eq!(
            odd[0].address,
            Some(Address::Netmask {
                addr: [10, 0, 0, 0],
                mask: [255, 0, 255, 0]
            })
        );
        assert_eq!(matched(&odd, &req("d", "u", false, [10, 7, 0, 7])), Some(1));
        let v6 = parsed(
            "host all all fe80::1 ffff:ffff:: trust\nhost all all ::ffff:10.0.0.1/128 trust\n",
        );
        assert_eq!(v6.len(), 2);
        assert_eq!(matched(&v6, &req("d", "u", false, [10, 0, 0, 1])), None);
    }

    #[test]
    fn error_texts() {
        assert_eq!(
            one_error("hots all all 10.0.0.0/8 trust"),
            "invalid connection type \"hots\""
        );
        assert_eq!(
            one_error("host\n"),
            "end-of-line before database specification"
        );
        assert_eq!(
            one_error("host all # comment\n"),
            "end-of-line before role specification"
        );
        assert_eq!(
            one_error("host all all\n"),
            "end-of-line before IP address specification"
        );
        assert_eq!(
            one_error("host all all 10.0.0.0/33 trust\n"),
            "invalid CIDR mask in address \"10.0.0.0/33\""
        );
        assert_eq!(
            one_error("host all all 10.0.0.0/ trust\n"),
            "invalid CIDR mask in address \"10.0.0.0/\""
        );
        assert_eq!(
            one_error("host all all ::1/129 trust\n"),
            "invalid CIDR mask in address \"::1/129\""
        );
        assert_eq!(
            one_error("host all all 10.0.0.300/32 trust\n"),
            "specifying both host name and CIDR mask is invalid: \"10.0.0.300/32\""
        );
        assert_eq!(
            one_error("host all all 10.0.0.0/8\n"),
            "end-of-line before authentication method"
        );
        assert_eq!(
            one_error("local all all\n"),
            "end-of-line before authentication method"
        );
        assert_eq!(
            one_error("host all all 10.0.0.0/8 foo\n"),
            "invalid authentication method \"foo\""
        );
        assert_eq!(
            one_error("host all all 10.0.0.0/8 ldap\n"),
            "invalid authentication method \"ldap\": not supported by this build"
        );
        assert_eq!(
            one_error("host all all 10.0.0.1 trust\n"),
            "invalid IP mask \"trust\": Name or service not known"
        );
        assert_eq!(
            one_error("host all all 10.0.0.1\n"),
            "end-of-line before netmask specification"
        );
        assert_eq!(
            one_error("host all all 10.0.0.1 ::1 trust\n"),
            "IP address and mask do not match"
        );
        assert_eq!(
            one_error("host all all 10.0.0.0/8 peer\n"),
            "peer authentication is only supported on local sockets"
        );
        assert_eq!(
            one_error("host,local all all all trust\n"),
            "multiple values specified for connection type"
        );
        assert_eq!(
            one_error("host all all a,b trust\n"),
            "multiple values specified for host address"
        );
        assert_eq!(
            one_error("host all all all trust,md5\n"),
            "multiple values specified for authentication type"
        );
        assert_eq!(
            one_error("host all all all trust junk\n"),
            "authentication option not in name=value format: junk"
        );
        assert_eq!(
            one_error("host all all all trust foo=bar\n"),
            "unrecognized authentication option name: \"foo\""
        );
        assert_eq!(
            one_error("host all all all md5 clientcert=verify-full\n"),
            "clientcert can only be configured for \"hostssl\" rows"
        );
        assert!(parse_hba(
            "local all all peer map=omicron\nhostssl all all all md5 clientcert=verify-ca\n"
        )
        .is_ok());
        let long = format!("host {} all all trust\n", "d".repeat(300));
        assert!(one_error(&long).starts_with("authentication file token too long, skipping: \"ddd"));
        let e = parse_hba("host all all 10.0.0.1\n")
            .err()
            .unwrap_or_default();
        assert_eq!(
            e.first().and_then(|e| e.hint.clone()).as_deref(),
            Some("Specify an address range in CIDR notation, or provide a separate netmask.")
        );
    }

    #[test]
    fn every_bad_line_is_reported() {
        let text =
            "local all all trust\nhots all all all trust\nhost all all all trust\nhost all\n";
        assert_eq!(
            errors(text),
            vec![
                (2, "invalid connection type \"hots\"".to_string()),
                (4, "end-of-line before role specification".to_string()),
            ]
        );
    }

    #[test]
    fn address_parsing() {
        assert_eq!(inet_aton("10.1"), Some([10, 0, 0, 1]));
        assert_eq!(inet_aton("0x7f.1"), Some([127, 0, 0, 1]));
        assert_eq!(inet_aton("010.0.0.1"), Some([8, 0, 0, 1]));
        assert_eq!(inet_aton("1.2.3.256"), None);
        assert_eq!(inet_aton("1.2.3.4.5"), None);
        assert_eq!(inet_aton("1.2.3."), None);
        assert_eq!(inet_aton("09.1.1.1"), None);
        assert!(inet_pton6(b"::").is_some());
        assert!(inet_pton6(b"::1").is_some());
        assert!(inet_pton6(b"2001:db8::8:800:200c:417a").is_some());
        assert!(inet_pton6(b"::ffff:1.2.3.4").is_some());
        assert!(inet_pton6(b"1:2:3:4:5:6:7:8").is_some());
        assert!(inet_pton6(b"1:2:3:4:5:6:7:8:9").is_none());
        assert!(inet_pton6(b"1::2::3").is_none());
        assert!(inet_pton6(b":1").is_none());
        assert!(inet_pton6(b"12345::").is_none());
        assert_eq!(mask_bits([255, 255, 255, 0]), Some(24));
        assert_eq!(mask_bits([0, 0, 0, 0]), Some(0));
        assert_eq!(mask_bits([255, 255, 255, 255]), Some(32));
        assert_eq!(mask_bits([255, 0, 255, 0]), None);
        assert_eq!(cidr_bits("+24", 32), Some(24));
        assert_eq!(cidr_bits("-1", 32), None);
        let all = parsed("host all all 0.0.0.0/0 trust\n");
        assert_eq!(matched(&all, &req("d", "u", false, [8, 8, 8, 8])), Some(1));
    }
}
