//! Synchronous replication (syncrep.c): `synchronous_standby_names`, which standbys a
//! commit waits for, and releasing the commits that wait once enough standbys confirm.

use super::cluster::Cluster;
use super::event::{Broken, ConnId, HostId, SessionOutput};
use super::lsn::Lsn;
use super::proc::{SenderState, SyncWait};

/// How the listed standbys are chosen (`syncrep_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `FIRST n (...)`, or a plain list: the n highest-priority connected standbys.
    Priority,
    /// `ANY n (...)`: any n of the listed standbys (quorum commit).
    Quorum,
}

/// A parsed `synchronous_standby_names`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncConfig {
    pub method: Method,
    pub num_sync: usize,
    pub names: Vec<String>,
}

impl SyncConfig {
    /// Parses the setting; `Ok(None)` for an empty value (asynchronous replication).
    /// The error is the DETAIL PostgreSQL gives for a bad value.
    pub fn parse(text: &str) -> Result<Option<SyncConfig>, String> {
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return Ok(None);
        }
        let mut pos = 0;
        let mut method = Method::Priority;
        let mut num_sync = 1usize;
        let word = |t: &Token| match t {
            Token::Word(w) => Some(w.to_ascii_lowercase()),
            _ => None,
        };
        if let Some(w) = tokens.first().and_then(word) {
            if (w == "first" || w == "any")
                && tokens.get(1).is_some_and(|t| matches!(t, Token::Number(_)))
            {
                method = if w == "any" {
                    Method::Quorum
                } else {
                    Method::Priority
                };
                pos = 1;
            }
        }
        let explicit = matches!(tokens.get(pos), Some(Token::Number(_)));
        if let Some(Token::Number(n)) = tokens.get(pos) {
            num_sync = *n;
            pos += 1;
            if tokens.get(pos) != Some(&Token::Open) {
                return Err(syntax_error(tokens.get(pos)));
            }
            pos += 1;
        } else if pos > 0 {
            return Err(syntax_error(tokens.get(pos)));
        }
        let mut names = Vec::new();
        loop {
            match tokens.get(pos) {
                Some(Token::Word(w)) => names.push(w.clone()),
                Some(Token::Quoted(w)) => names.push(w.clone()),
                Some(Token::Star) => names.push("*".to_string()),
                Some(Token::Number(n)) => names.push(n.to_string()),
                other => return Err(syntax_error(other)),
            }
            pos += 1;
            match tokens.get(pos) {
                Some(Token::Comma) => pos += 1,
                Some(Token::Close) if explicit => {
                    pos += 1;
                    break;
                }
                None if !explicit => break,
                other => return Err(syntax_error(other)),
            }
        }
        if pos != tokens.len() {
            return Err(syntax_error(tokens.get(pos)));
        }
        if num_sync == 0 {
            return Err("number of synchronous standbys (0) must be greater than zero".to_string());
        }
        Ok(Some(SyncConfig {
            method,
            num_sync,
            names,
        }))
    }

    /// The priority of a standby by its application_name: its place in the list
    /// (1-based) for FIRST, 1 for any listed standby under ANY, 0 when not listed.
    pub fn priority(&self, application_name: &str) -> u32 {
        let found = self
            .names
            .iter()
            .position(|n| n == "*" || n.eq_ignore_ascii_case(application_name));
        match (found, self.method) {
            (None, _) => 0,
            (Some(_), Method::Quorum) => 1,
            (Some(i), Method::Priority) => i as u32 + 1,
        }
    }
}

/// A candidate standby: its priority and its reported positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub priority: u32,
    pub write: Lsn,
    pub flush: Lsn,
    pub apply: Lsn,
}

/// The `sync_state` of each candidate (in walsender order) and the positions a commit
/// may be acknowledged up to: `None` when too few synchronous standbys are connected.
pub fn evaluate(
    config: &SyncConfig,
    candidates: &[Candidate],
) -> (Vec<&'static str>, Option<[Lsn; 3]>) {
    let mut states = vec!["async"; candidates.len()];
    let mut listed: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].priority > 0)
        .collect();
    match config.method {
        Method::Priority => {
            listed.sort_by_key(|&i| (candidates[i].priority, i));
            for (rank, &i) in listed.iter().enumerate() {
                states[i] = if rank < config.num_sync {
                    "sync"
                } else {
                    "potential"
                };
            }
            if listed.len() < config.num_sync {
                return (states, None);
            }
            let chosen = &listed[..config.num_sync];
            let min = |f: fn(&Candidate) -> Lsn| {
                chosen
                    .iter()
                    .map(|&i| f(&candidates[i]))
                    .min()
                    .unwrap_or_default()
            };
            (
                states,
                Some([min(|c| c.write), min(|c| c.flush), min(|c| c.apply)]),
            )
        }
        Method::Quorum => {
            for &i in &listed {
                states[i] = "quorum";
            }
            if listed.len() < config.num_sync {
                return (states, None);
            }
            let nth = |f: fn(&Candidate) -> Lsn| {
                let mut v: Vec<Lsn> = listed.iter().map(|&i| f(&candidates[i])).collect();
                v.sort_unstable_by(|a, b| b.cmp(a));
                v[config.num_sync - 1]
            };
            (
                states,
                Some([nth(|c| c.write), nth(|c| c.flush), nth(|c| c.apply)]),
            )
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Number(usize),
    Open,
    Close,
    Comma,
    Star,
}

fn syntax_error(at: Option<&Token>) -> String {
    match at {
        None => "syntax error at end of input".to_string(),
        Some(t) => {
            let text = match t {
                Token::Word(w) => w.clone(),
                Token::Quoted(w) => format!("\"{w}\""),
                Token::Number(n) => n.to_string(),
                Token::Open => "(".into(),
                Token::Close => ")".into(),
                Token::Comma => ",".into(),
                Token::Star => "*".into(),
            };
            format!("syntax error at or near \"{text}\"")
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' | '*' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    ',' => Token::Comma,
                    _ => Token::Star,
                });
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            s.push('"');
                        }
                        Some('"') => break,
                        Some(ch) => s.push(ch),
                        None => return Err("unterminated quoted identifier".to_string()),
                    }
                }
                out.push(Token::Quoted(s));
            }
            c if c.is_ascii_digit() => {
                let mut s = String::new();
                while let Some(&d) = chars.peek() {
                    if !d.is_ascii_alphanumeric() && d != '_' {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                match s.parse() {
                    Ok(n) => out.push(Token::Number(n)),
                    Err(_) => out.push(Token::Word(s)),
                }
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut s = String::new();
                while let Some(&d) = chars.peek() {
                    if !(d.is_alphanumeric() || d == '_' || d == '$' || d == '-' || d == '.') {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                out.push(Token::Word(s));
            }
            other => return Err(format!("syntax error at or near \"{other}\"")),
        }
    }
    Ok(out)
}

// ---- releasing the commits that wait (SyncRepReleaseWaiters) ----------------------------

impl Cluster {
    /// The parsed synchronous_standby_names of the running server on `h`.
    pub fn sync_config(&self, h: HostId) -> Option<SyncConfig> {
        let s = self.server(h)?;
        SyncConfig::parse(&s.settings.text("synchronous_standby_names"))
            .ok()
            .flatten()
    }

    /// `sync_priority` and `sync_state` for each walsender, in order.
    pub fn sync_states(&self, h: HostId) -> Vec<(u32, &'static str)> {
        let config = self.sync_config(h);
        let candidates = self.sync_candidates(h, config.as_ref());
        match &config {
            None => candidates.iter().map(|_| (0, "async")).collect(),
            Some(c) => {
                let (states, _) = evaluate(c, &candidates);
                candidates
                    .iter()
                    .zip(states)
                    .map(|(cand, s)| (cand.priority, s))
                    .collect()
            }
        }
    }

    /// Releases commits whose WAL the synchronous standbys have confirmed.
    pub(crate) fn release_sync_waiters(&mut self, h: HostId) {
        self.release_sync_waiters_after(h, None);
    }

    /// Like [`Cluster::release_sync_waiters`], after a reply on walsender `replying`,
    /// which may announce that it now serves a synchronous standby.
    /// Each walsender of `h` as a synchronous standby candidate, in order: its
    /// positions and its priority under `config` (0 unless it streams to a standby).
    pub(super) fn sync_candidates(&self, h: HostId, config: Option<&SyncConfig>) -> Vec<Candidate> {
        let Some(server) = self.server(h) else {
            return Vec::new();
        };
        server
            .senders
            .iter()
            .map(|w| Candidate {
                priority: match (config, w.state) {
                    (Some(c), SenderState::Streaming) if !w.is_backup => {
                        c.priority(&w.application_name)
                    }
                    _ => 0,
                },
                write: w.write,
                flush: w.flush,
                apply: w.replay,
            })
            .collect()
    }

    pub(super) fn release_sync_waiters_after(&mut self, h: HostId, replying: Option<ConnId>) {
        if self.server(h).is_none() {
            return;
        }
        let config = self.sync_config(h);
        let positions = match &config {
            None => {
                if let Some(conn) = replying {
                    self.announce_sync(h, conn, &[], &[], false);
                }
                Some([Lsn(u64::MAX); 3])
            }
            Some(c) => {
                let candidates = self.sync_candidates(h, Some(c));
                let (states, positions) = evaluate(c, &candidates);
                if let Some(conn) = replying {
                    let priorities: Vec<u32> = candidates.iter().map(|k| k.priority).collect();
                    let quorum = c.method == Method::Quorum;
                    self.announce_sync(h, conn, &states, &priorities, quorum);
                }
                positions
            }
        };
        let Some([write, flush, apply]) = positions else {
            return;
        };
        let now = self.now;
        let mut done = Vec::new();
        let mut checks = Vec::new();
        if let Some(server) = self.server_mut(h) {
            for (i, s) in server.sessions.iter_mut().enumerate() {
                let Some(w) = &s.waiting else { continue };
                let reached = match w.mode {
                    SyncWait::Write => write,
                    SyncWait::Flush => flush,
                    SyncWait::Apply => apply,
                };
                if reached >= w.lsn {
                    if w.mode == SyncWait::Flush {
                        checks.push(w.lsn);
                    }
                    let console = s.app.is_none();
                    done.push((i, w.tag.clone(), w.lsn, w.query.clone(), console));
                    s.waiting = None;
                }
            }
        }
        for lsn in checks {
            self.check_durable_ack(h, lsn);
        }
        for (session, tag, lsn, query, console) in done {
            // An application's commit is acknowledged as a console's is; only the
            // console prints its tag.
            self.acknowledge_statement(h, lsn, &query);
            if !console {
                continue;
            }
            self.outputs.push(SessionOutput {
                at: now,
                host: h,
                session,
                text: format!("{tag}\n"),
            });
        }
        let mode = self
            .server(h)
            .map_or(String::new(), |s| s.settings.text("synchronous_commit"));
        let reached = match mode.as_str() {
            "remote_write" => write,
            "remote_apply" => apply,
            _ => flush,
        };
        let mut acked = Vec::new();
        if let Some(wl) = self.host_mut(h).workload.as_mut() {
            while let Some(&(lsn, at, txns)) = wl.waiting.front() {
                if lsn > reached {
                    break;
                }
                wl.waiting.pop_front();
                wl.committed += txns as u64;
                wl.last_latency = now - at;
                acked.push((lsn, txns));
            }
        }
        for (lsn, txns) in acked {
            self.acknowledge_workload(h, lsn, txns);
        }
    }
}

impl Cluster {
    /// Records a `sync_commit_durable` violation if fewer than the required number of
    /// listed standbys really have `lsn` on disk when a commit is acknowledged (for a
    /// subscriber: reported it flushed, since its WAL is its own cluster's).
    pub(super) fn check_durable_ack(&mut self, h: HostId, lsn: Lsn) {
        let Some(config) = self.sync_config(h) else {
            return;
        };
        let Some(server) = self.server(h) else { return };
        let on_disk = server
            .senders
            .iter()
            .filter(|w| !w.is_backup && config.priority(&w.application_name) > 0)
            // A physical standby holds the commit when its own WAL does; a subscriber
            // (a logical walsender's peer has WAL of its own cluster) when it reported
            // the commit flushed.
            .filter(|w| match w.logical {
                Some(_) => w.flush >= lsn,
                None => self.data(w.peer).is_some_and(|d| d.wal.flush >= lsn),
            })
            .count();
        if on_disk < config.num_sync {
            self.violations.push(Broken {
                name: "sync_commit_durable",
                detail: format!("commit at {lsn} acknowledged with {on_disk} of {} synchronous standbys holding it", config.num_sync),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form() {
        let c = SyncConfig::parse("s1").unwrap().unwrap();
        assert_eq!(
            (c.method, c.num_sync, c.names.clone()),
            (Method::Priority, 1, vec!["s1".to_string()])
        );
        let c = SyncConfig::parse("s1, s2").unwrap().unwrap();
        assert_eq!((c.num_sync, c.priority("s2")), (1, 2));
        let c = SyncConfig::parse("FIRST 2 (s1, s2, s3)").unwrap().unwrap();
        assert_eq!(
            (c.method, c.num_sync, c.priority("s3")),
            (Method::Priority, 2, 3)
        );
        let c = SyncConfig::parse("ANY 1 (s1, \"S2\")").unwrap().unwrap();
        assert_eq!(
            (c.method, c.priority("S2"), c.priority("s9")),
            (Method::Quorum, 1, 0)
        );
        let c = SyncConfig::parse("2 (a, b)").unwrap().unwrap();
        assert_eq!(c.num_sync, 2);
        assert_eq!(
            SyncConfig::parse("*")
                .unwrap()
                .unwrap()
                .priority("anything"),
            1
        );
        assert_eq!(SyncConfig::parse("  ").unwrap(), None);
        assert!(SyncConfig::parse("FIRST 1 s1").is_err());
        assert!(SyncConfig::parse("FIRST 1 (s1").is_err());
    }

    #[test]
    fn first_picks_the_highest_priority_and_any_takes_the_nth_best() {
        let c = |priority, flush| Candidate {
            priority,
            write: Lsn(flush),
            flush: Lsn(flush),
            apply: Lsn(flush),
        };
        let first = SyncConfig::parse("FIRST 1 (s1, s2)").unwrap().unwrap();
        let (states, pos) = evaluate(&first, &[c(2, 300), c(1, 100), c(0, 900)]);
        assert_eq!(states, vec!["potential", "sync", "async"]);
        assert_eq!(pos.map(|p| p[1]), Some(Lsn(100)));
        let any = SyncConfig::parse("ANY 2 (s1, s2, s3)").unwrap().unwrap();
        let (states, pos) = evaluate(&any, &[c(1, 100), c(1, 300), c(1, 200)]);
        assert_eq!(states, vec!["quorum"; 3]);
        assert_eq!(pos.map(|p| p[1]), Some(Lsn(200)));
        let (_, pos) = evaluate(&any, &[c(1, 100)]);
        assert_eq!(pos, None);
    }
}
