//! pg_hba.conf: parsing as PostgreSQL 15's hba.c does it (tokenize_auth_file,
//! parse_hba_line, with its LOG texts) and finding the line a connection matches
//! (check_hba).

use std::fmt;

mod inet;
use inet::{cidr_bits, mask_bits, numeric_host, Numeric};

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
    /// The authentication options as written (`name`, `value`), in the file's order.
    pub options: Vec<(String, String)>,
    /// The line as it is in the file (comment included, no line break), for the
    /// server log's `DETAIL:  Connection matched pg_hba.conf line N: "..."`.
    pub raw: String,
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
    let mut options = Vec::new();
    for tok in it.flatten() {
        let Some((name, value)) = tok.text.split_once('=') else {
            return Err(plain(format!(
                "authentication option not in name=value format: {}",
                tok.text
            )));
        };
        check_option(name, value, conn_type, method)?;
        options.push((name.to_string(), value.to_string()));
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
        options,
        raw: String::new(),
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

/// One row of `pg_hba_file_rules`: a line that is not empty or a comment, parsed,
/// or the error that parse_hba_line found in it (then the other columns are NULL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRule {
    pub line: usize,
    pub rule: Result<HbaLine, HbaError>,
}

/// Every non-empty line of pg_hba.conf, parsed or with its error, in file order, as
/// fill_hba_view reads the file (the file on disk, not the loaded copy).
pub fn file_rules(text: &str) -> Vec<FileRule> {
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let parsed = tokenize_line(raw).map_err(plain).and_then(|fields| {
            if fields.is_empty() {
                Ok(None)
            } else {
                parse_line(n, &fields).map(Some)
            }
        });
        let rule = match parsed {
            Ok(Some(mut l)) => {
                l.raw = raw.strip_suffix('\r').unwrap_or(raw).to_string();
                Ok(l)
            }
            Ok(None) => continue,
            Err((message, hint)) => Err(HbaError {
                line: n,
                message,
                hint,
            }),
        };
        out.push(FileRule { line: n, rule });
    }
    out
}

/// Parses pg_hba.conf as load_hba does: every line is checked and every bad line
/// reported (PostgreSQL then refuses the whole file).
pub fn parse_hba(text: &str) -> Result<Vec<HbaLine>, Vec<HbaError>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for r in file_rules(text) {
        match r.rule {
            Ok(l) => lines.push(l),
            Err(e) => errors.push(e),
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

/// pg_hba.conf as initdb 15 writes it with trust authentication: the file a
/// PostgreSQL 15.18 `initdb -D DIR` wrote, byte for byte, so line numbers in the server's
/// messages and in pg_hba_file_rules are PostgreSQL's (the replication lines are 96-98).
const INITDB_PG_HBA_CONF: &str = include_str!("initdb_pg_hba.conf");

/// pg_hba.conf as initdb 15 writes it with `trust`.
pub fn initdb_pg_hba_conf() -> String {
    INITDB_PG_HBA_CONF.to_string()
}

#[cfg(test)]
mod tests;
