//! `synchronous_standby_names` as syncrep_gram.y reads it: `FIRST n (...)`, `ANY n (...)`,
//! `n (...)` or a plain list. A leaf: the settings keep the parsed value (PostgreSQL's
//! check hook stores it the same way), so a commit or a standby's reply never parses it.

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
}
