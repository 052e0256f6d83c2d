//! The configuration files: the syntax of `postgresql.conf` (guc-file.l), what
//! `ALTER SYSTEM` writes to `postgresql.auto.conf`, and the postgresql.conf initdb
//! writes (a data file, `initdb_postgresql.conf`, verbatim lines of the sample).

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
pub(super) enum Tok {
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
pub(super) struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    /// ConfigFileLineno: bumped when a newline is scanned.
    line: usize,
}

pub(super) fn is_letter(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

pub(super) fn is_letter_or_digit(c: u8) -> bool {
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
pub(super) fn deescape(tok: &[u8]) -> String {
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

/// postgresql.conf as initdb 15 writes it (C.UTF-8 locale, UTC, trust), abridged to the
/// sections the model cares about; lines are verbatim from postgresql.conf.sample.
pub(super) const INITDB_POSTGRESQL_CONF: &str = include_str!("initdb_postgresql.conf");

/// An abridged but verbatim postgresql.conf as initdb 15 writes it (locale C.UTF-8,
/// time zone UTC): the header and the sections the model uses.
pub fn initdb_postgresql_conf() -> String {
    INITDB_POSTGRESQL_CONF.to_string()
}
