//! Scenarios as links: `#v1.` followed by base64url (no padding) of the deflated,
//! postcard-serialized scenario and a 32-bit checksum of it (so a damaged link is
//! refused rather than opened as some other scenario).
//!
//! A link carries the script and the seed, never the model's state: opening it replays
//! the script on a fresh cluster, which the model's determinism makes exact. Decoding
//! is bounded (at most [`MAX_FRAGMENT`] characters in, [`MAX_INFLATED`] bytes after
//! inflating) and every failure is a [`LinkError`], never a panic.
//!
//! To keep lesson links short, frequent phrases of lab scripts are replaced by single
//! control bytes before compression ([`PHRASES`]); the list is part of format v1 and
//! must never change (a new list needs a new version, and v1 links keep decoding).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::script::runner::MAX_EVENTS_PER_REPLAY;
use crate::script::{self, Line, Runner, Target};
use crate::sim::{SimDuration, SimTime, MAX_TIME};

/// The largest fragment decoded, in characters.
pub const MAX_FRAGMENT: usize = 512 * 1024;
/// The most a link may inflate to.
pub const MAX_INFLATED: usize = 256 * 1024;
/// The most commands a link may hold.
pub const MAX_LINES: usize = 10_000;
/// The most node names a link may hold (and nodes whose console it sets to `\x`).
pub const MAX_NODES: usize = 64;
/// The longest node name or lesson id (PostgreSQL's NAMEDATALEN - 1).
pub const MAX_NAME: usize = 63;

/// What the lag chart plots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChartUnit {
    #[default]
    Bytes,
    Seconds,
}

/// The view options a link restores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewOptions {
    /// Playback speed in thousandths (1000 = real time).
    pub speed_milli: u32,
    /// Nodes whose console is in expanded mode (`\x`).
    pub expanded: Vec<String>,
    pub chart: ChartUnit,
}

impl Default for ViewOptions {
    fn default() -> ViewOptions {
        ViewOptions {
            speed_milli: 1000,
            expanded: Vec::new(),
            chart: ChartUnit::Bytes,
        }
    }
}

/// A lesson and the step of it on screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonRef {
    pub id: String,
    pub step: u16,
}

/// Everything a link carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub seed: u64,
    pub lines: Vec<Line>,
    /// The virtual time on screen.
    pub time: SimTime,
    pub lesson: Option<LessonRef>,
    pub view: ViewOptions,
}

impl Scenario {
    /// The scenario of a runner: its seed, every line it ran, and its time.
    pub fn of(runner: &Runner) -> Scenario {
        let mut lines = runner.history.clone();
        for (i, l) in lines.iter_mut().enumerate() {
            l.number = i + 1;
        }
        Scenario {
            seed: runner.seed,
            lines,
            time: runner.now(),
            lesson: None,
            view: ViewOptions::default(),
        }
    }

    /// The scenario of a lesson step in its canonical state: no lines, so opening it
    /// replays the lesson's start and every earlier step (what `walscope link lesson`
    /// prints, and what the browser's QR code of a step carries).
    pub fn lesson_step(lesson: LessonRef) -> Scenario {
        Scenario {
            seed: 0,
            lines: Vec::new(),
            time: SimTime::ZERO,
            lesson: Some(lesson),
            view: ViewOptions::default(),
        }
    }

    /// Runs the lines on a fresh cluster, and stops when the last one has run, or when
    /// the replay has run [`MAX_EVENTS_PER_REPLAY`] events of the model.
    pub fn run_lines(&self) -> Runner {
        let mut r = Runner::new(self.seed);
        r.cluster.limit_events(MAX_EVENTS_PER_REPLAY);
        for l in &self.lines {
            if r.cluster.processed >= r.cluster.event_limit() {
                break;
            }
            r.run_line(l);
        }
        r
    }

    /// Rebuilds the state: replays the lines on a fresh cluster and runs to `time`
    /// (within the same bound as [`Scenario::run_lines`]).
    pub fn replay(&self) -> Runner {
        let mut r = self.run_lines();
        r.cluster.run_until(self.time);
        r.cluster.restore_event_limit(u64::MAX);
        for node in &self.view.expanded {
            r.psql.entry(node.clone()).or_default().expanded = true;
        }
        r
    }

    /// The scenario as script text (what `walscope link decode` prints).
    pub fn to_script(&self) -> String {
        let mut s = String::new();
        if self.seed != 0 {
            s.push_str(&format!("lab$ seed {}\n", self.seed));
        }
        s.push_str(&script::to_text(&self.lines));
        s
    }
}

/// Why a link could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Nothing after the `#`.
    Empty,
    /// Not a walscope link at all (no `vN.` prefix).
    NotALink,
    /// A format version this walscope does not know (a newer one).
    UnknownVersion(String),
    /// Longer than [`MAX_FRAGMENT`], or inflating past [`MAX_INFLATED`].
    TooLarge,
    /// Not valid base64url, not valid deflate, or not a valid scenario encoding.
    Damaged(&'static str),
    /// The scenario's script has a line that cannot be read.
    BadScript(String),
    /// A field is out of bounds or holds what a link made by walscope never holds
    /// (a newline in a shell line, a time past [`MAX_TIME`], a malformed lesson id).
    Invalid(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Empty => write!(f, "the link is empty"),
            LinkError::NotALink => {
                write!(f, "this is not a walscope link (it should start with v1.)")
            }
            LinkError::UnknownVersion(v) => {
                write!(f, "the link is from a newer walscope (format {v})")
            }
            LinkError::TooLarge => write!(
                f,
                "the link is too large (over {} KB unpacked)",
                MAX_INFLATED / 1024
            ),
            LinkError::Damaged(what) => write!(f, "the link is damaged ({what})"),
            LinkError::BadScript(e) => {
                write!(f, "the link holds a scenario that cannot be read: {e}")
            }
            LinkError::Invalid(e) => write!(f, "the link is not valid: {e}"),
        }
    }
}

impl std::error::Error for LinkError {}

impl LinkError {
    /// What the app tells a student whose link did not open.
    pub fn user_message(&self) -> String {
        match self {
            LinkError::UnknownVersion(_) => {
                "This link is from a newer walscope; here is the default lab instead.".to_string()
            }
            _ => "This link is damaged or incomplete; here is the default lab instead. Your own work is untouched.".to_string(),
        }
    }
}

/// Frequent phrases, replaced by bytes 0x01.. before compression (format v1; frozen).
pub const PHRASES: &[&str] = &[
    "PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data",
    "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '",
    "echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf",
    "ALTER SYSTEM SET listen_addresses = '*';",
    "SELECT * FROM pg_stat_replication;",
    "pg_stat_replication",
    "pg_replication_slots",
    "pg_stat_wal_receiver",
    "ALTER SYSTEM SET ",
    "synchronous_standby_names",
    "synchronous_commit",
    "pg_current_wal_lsn()",
    "pg_last_wal_replay_lsn()",
    "pg_last_wal_receive_lsn()",
    "/var/lib/pgsql/data",
    "pg_ctl restart",
    "pg_ctl start",
    "pg_ctl stop",
    "SELECT pg_reload_conf();",
    "CREATE TABLE ",
    "INSERT INTO ",
    " VALUES (",
    "SELECT ",
    " FROM ",
    "node add standby",
    "standby",
    "primary",
    "workload ",
    "partition ",
    "replicator",
];
/// The byte that escapes a literal control byte in the text.
const ESCAPE: u8 = 0x1F;

fn squeeze(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    'outer: while i < bytes.len() {
        for (k, p) in PHRASES.iter().enumerate() {
            if bytes[i..].starts_with(p.as_bytes()) {
                out.push(k as u8 + 1);
                i += p.len();
                continue 'outer;
            }
        }
        let b = bytes[i];
        if (1..=ESCAPE).contains(&b) {
            out.push(ESCAPE);
        }
        out.push(b);
        i += 1;
    }
    out
}

fn expand(bytes: &[u8]) -> Result<String, LinkError> {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == ESCAPE {
            let next = *bytes
                .get(i + 1)
                .ok_or(LinkError::Damaged("truncated text"))?;
            out.push(next);
            i += 2;
            continue;
        }
        if (1..ESCAPE).contains(&b) {
            let p = PHRASES
                .get(b as usize - 1)
                .ok_or(LinkError::Damaged("unknown phrase"))?;
            out.extend_from_slice(p.as_bytes());
        } else {
            out.push(b);
        }
        i += 1;
        if out.len() > MAX_INFLATED * 4 {
            return Err(LinkError::TooLarge);
        }
    }
    String::from_utf8(out).map_err(|_| LinkError::Damaged("text is not UTF-8"))
}

/// Format v1 on the wire.
#[derive(Serialize, Deserialize)]
struct WireV1 {
    seed: u64,
    /// Microseconds of virtual time on screen.
    time: u64,
    /// Node names, referred to by index from lines.
    nodes: Vec<String>,
    lines: Vec<WireLine>,
    lesson: Option<LessonRef>,
    view: ViewOptions,
}

#[derive(Serialize, Deserialize)]
struct WireLine {
    /// Microseconds after the previous line's time (+1), 0 for no `@TIME`.
    at: u64,
    /// 0 = SQL, 1 = shell, 2 = lab.
    kind: u8,
    node: u16,
    text: Vec<u8>,
}

/// Encodes a scenario as a link fragment (without the `#`).
pub fn encode(s: &Scenario) -> String {
    let mut nodes: Vec<String> = Vec::new();
    let mut index = |n: &str| -> u16 {
        match nodes.iter().position(|x| x == n) {
            Some(i) => i as u16,
            None => {
                nodes.push(n.to_string());
                (nodes.len() - 1) as u16
            }
        }
    };
    let mut prev = 0u64;
    let mut lines = Vec::new();
    for l in &s.lines {
        let (kind, node) = match &l.target {
            Target::Sql(n) => (0, index(n)),
            Target::Shell(n) => (1, index(n)),
            Target::Lab => (2, 0),
        };
        let at = match l.at {
            Some(t) => {
                let delta = t.0.saturating_sub(prev);
                prev = t.0;
                delta + 1
            }
            None => 0,
        };
        lines.push(WireLine {
            at,
            kind,
            node,
            text: squeeze(&l.text),
        });
    }
    let wire = WireV1 {
        seed: s.seed,
        time: s.time.0,
        nodes,
        lines,
        lesson: s.lesson.clone(),
        view: s.view.clone(),
    };
    let raw = postcard::to_allocvec(&wire).unwrap_or_default();
    let mut raw = raw;
    raw.extend_from_slice(&checksum(&raw).to_le_bytes());
    let packed = miniz_oxide::deflate::compress_to_vec(&raw, 10);
    format!("v1.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Decodes a link fragment, with or without the leading `#`, or a whole pasted link
/// (everything up to the last `#` is the page's address and is ignored).
pub fn decode(fragment: &str) -> Result<Scenario, LinkError> {
    let f = fragment.trim();
    let f = f.rsplit_once('#').map_or(f, |(_, after)| after);
    if f.is_empty() {
        return Err(LinkError::Empty);
    }
    if f.len() > MAX_FRAGMENT {
        return Err(LinkError::TooLarge);
    }
    let (version, body) = f.split_once('.').ok_or(LinkError::NotALink)?;
    let known = version.len() >= 2
        && version.starts_with('v')
        && version[1..].bytes().all(|b| b.is_ascii_digit());
    if !known {
        return Err(LinkError::NotALink);
    }
    match version {
        "v1" => decode_v1(body),
        other => Err(LinkError::UnknownVersion(other.to_string())),
    }
}

fn decode_v1(body: &str) -> Result<Scenario, LinkError> {
    let packed = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| LinkError::Damaged("not valid base64url"))?;
    let raw =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED).map_err(|e| {
            if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                LinkError::TooLarge
            } else {
                LinkError::Damaged("compressed data is corrupt")
            }
        })?;
    let split = raw
        .len()
        .checked_sub(4)
        .ok_or(LinkError::Damaged("too short"))?;
    let (raw, sum) = raw.split_at(split);
    if sum != checksum(raw).to_le_bytes() {
        return Err(LinkError::Damaged("checksum does not match"));
    }
    let (wire, rest): (WireV1, &[u8]) = postcard::take_from_bytes(raw)
        .map_err(|_| LinkError::Damaged("scenario encoding is corrupt"))?;
    if !rest.is_empty() {
        return Err(LinkError::Damaged("trailing data"));
    }
    validate_fields(&wire)?;
    let mut lines = Vec::with_capacity(wire.lines.len());
    let mut prev = 0u64;
    for (i, wl) in wire.lines.iter().enumerate() {
        let text = expand(&wl.text)?;
        let at = if wl.at == 0 {
            None
        } else {
            prev = prev
                .checked_add(wl.at - 1)
                .ok_or(LinkError::Damaged("time overflows"))?;
            Some(SimDuration(prev))
        };
        let target = match wl.kind {
            2 => Target::Lab,
            k @ (0 | 1) => {
                let node = wire
                    .nodes
                    .get(wl.node as usize)
                    .ok_or(LinkError::Damaged("unknown node"))?
                    .clone();
                if k == 0 {
                    Target::Sql(node)
                } else {
                    Target::Shell(node)
                }
            }
            _ => return Err(LinkError::Damaged("unknown line kind")),
        };
        if at.is_some_and(|t| t.0 > MAX_TIME.0) {
            return Err(LinkError::Invalid(format!(
                "line {}: its time is past the end of a lab (24h)",
                i + 1
            )));
        }
        let line = Line {
            number: i + 1,
            at,
            target,
            text,
        };
        check_line(&line)?;
        lines.push(line);
    }
    Ok(Scenario {
        seed: wire.seed,
        lines,
        time: SimTime(wire.time),
        lesson: wire.lesson,
        view: wire.view,
    })
}

/// Bounds on the fields of a decoded link, checked before anything runs.
fn validate_fields(wire: &WireV1) -> Result<(), LinkError> {
    let invalid = |m: String| Err(LinkError::Invalid(m));
    if wire.time > MAX_TIME.0 {
        return invalid(format!("its time is past the end of a lab ({MAX_TIME})"));
    }
    if wire.lines.len() > MAX_LINES {
        return invalid(format!("it holds over {MAX_LINES} commands"));
    }
    if wire.nodes.len() > MAX_NODES || wire.view.expanded.len() > MAX_NODES {
        return invalid(format!("it names over {MAX_NODES} nodes"));
    }
    for n in wire.nodes.iter().chain(&wire.view.expanded) {
        if !is_name(n) {
            return invalid(format!("\"{}\" is not a node name", n.escape_debug()));
        }
    }
    if let Some(l) = &wire.lesson {
        if !is_name(&l.id) {
            return invalid(format!("\"{}\" is not a lesson id", l.id.escape_debug()));
        }
    }
    if !(1..=1_000_000).contains(&wire.view.speed_milli) {
        return invalid("its playback speed is out of range".to_string());
    }
    Ok(())
}

/// A node name or lesson id: 1 to [`MAX_NAME`] ASCII letters, digits, `_` or `-` (what
/// a script prompt accepts as a node name).
fn is_name(s: &str) -> bool {
    (1..=MAX_NAME).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A decoded line must be one command that reads back as itself: no newline outside
/// SQL (which may span lines), no other control character, and the same target, time
/// and text when its script text is read again.
fn check_line(line: &Line) -> Result<(), LinkError> {
    let n = line.number;
    let bad = |m: &str| Err(LinkError::BadScript(format!("line {n}: {m}")));
    let sql = matches!(line.target, Target::Sql(_));
    if line
        .text
        .chars()
        .any(|c| c.is_control() && c != '\t' && !(sql && c == '\n'))
    {
        return bad("holds a control character");
    }
    let script = line.to_script();
    let reparsed = if line.text.contains('\n') {
        match script::parse(&script) {
            Ok(mut v) if v.len() == 1 => v.remove(0),
            Ok(_) => return bad("holds more than one command"),
            Err(e) => return Err(LinkError::BadScript(e.to_string())),
        }
    } else {
        script::parse_line(&script, n).map_err(|e| LinkError::BadScript(e.to_string()))?
    };
    if reparsed.target != line.target || reparsed.at != line.at || reparsed.text != line.text.trim()
    {
        return bad("does not read back the same");
    }
    Ok(())
}

/// FNV-1a over the serialized scenario.
fn checksum(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= *b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `walscope link encode`: runs the script to learn its end time and encodes it.
pub fn encode_script(text: &str) -> Result<String, String> {
    let lines = script::parse(text).map_err(|e| e.to_string())?;
    let mut seed = 0;
    let mut body = Vec::new();
    for l in lines {
        match (&l.target, crate::script::lab::parse(&l.text)) {
            (Target::Lab, Ok(crate::script::lab::LabCommand::Seed(s))) if body.is_empty() => {
                seed = s
            }
            _ => body.push(l),
        }
    }
    let mut r = Runner::new(seed);
    for l in &body {
        r.run_line(l);
    }
    let s = Scenario {
        seed,
        lines: body,
        time: r.now(),
        lesson: None,
        view: ViewOptions::default(),
    };
    Ok(encode(&s) + "\n")
}

/// `walscope link decode`: the scenario of a link as script text
/// ([`Scenario::to_file`]).
pub fn decode_to_script(fragment: &str) -> Result<String, String> {
    Ok(decode(fragment).map_err(|e| e.to_string())?.to_file())
}

impl Scenario {
    /// The scenario as a `.walscope` file (what Export downloads and `walscope link
    /// decode` prints). If it shows a moment after its last command, a closing
    /// `lab$ wait` runs on to it, so running or encoding the text again reaches the
    /// same cluster at the same moment. The lesson and view options, which a script does
    /// not hold, are noted in comments only: a link encoded from the text opens with the
    /// default view and no lesson.
    pub fn to_file(&self) -> String {
        let mut out = String::new();
        if let Some(l) = &self.lesson {
            out.push_str(&format!("# lesson {}, step {}\n", l.id, l.step));
        }
        if self.view != ViewOptions::default() {
            let v = &self.view;
            let chart = match v.chart {
                ChartUnit::Bytes => "bytes",
                ChartUnit::Seconds => "seconds",
            };
            out.push_str(&format!(
                "# view: speed {}x, lag chart in {chart}",
                f64::from(v.speed_milli) / 1000.0
            ));
            if !v.expanded.is_empty() {
                out.push_str(&format!(", \\x on {}", v.expanded.join(", ")));
            }
            out.push('\n');
        }
        out.push_str(&self.to_script());
        let end = self.run_lines();
        if self.time > end.now() {
            let rest = SimDuration(self.time.0 - end.now().0);
            out.push_str(&format!("lab$ wait {rest}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_fit_below_the_escape_byte() {
        assert!(PHRASES.len() < ESCAPE as usize);
        let text = "primary=# SELECT 1; \u{1} \u{1f} done";
        assert_eq!(expand(&squeeze(text)).unwrap(), text);
    }

    #[test]
    fn unknown_and_broken_links_are_typed_errors() {
        assert_eq!(decode(""), Err(LinkError::Empty));
        assert_eq!(
            decode("#v9.AAAA"),
            Err(LinkError::UnknownVersion("v9".into()))
        );
        assert_eq!(decode("hello"), Err(LinkError::NotALink));
        assert!(matches!(decode("v1.!!!"), Err(LinkError::Damaged(_))));
        assert!(matches!(decode("v1.AAAA"), Err(LinkError::Damaged(_))));
    }
}
