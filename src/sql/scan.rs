//! The scanner (scan.l): SQL text to tokens, with the server's messages for malformed
//! literals.

use super::error::ServerError;
use super::scansup::{
    char_pos, dollar_tag_end, find_bytes, is_ident_start, is_op_char, is_space, quote_continuation,
    skip_block_comment, skip_ident, skip_line_comment, utf8_len,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StrKind {
    Plain,
    National,
    Bit,
    Hex,
    Unicode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    Std,
    Esc,
    National,
    Bit,
    Hex,
    Unicode,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tk {
    /// Identifier or keyword; `text` is folded unless quoted.
    Word {
        text: String,
        quoted: bool,
    },
    /// `U&"..."`.
    UIdent,
    Int(i64),
    /// Decimal, exponent or huge integer; the text is the token's source.
    Num,
    Str {
        value: String,
        kind: StrKind,
    },
    Param,
    /// Operators, including the single-character ones (`+`, `=` ...) and `::`.
    Op(String),
    /// `( ) , ; [ ] . :`
    Punct(u8),
    Other,
    Eof,
    /// Where the lexer failed; the error is kept beside the tokens.
    Error,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tk: Tk,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Tokenizes up to the first lexical error, which ends the list as `Tk::Error`.
pub(super) fn lex(src: &str) -> (Vec<Token>, Option<ServerError>) {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        i: 0,
    };
    let mut toks = Vec::new();
    loop {
        match lx.next_token() {
            Ok(t) => {
                let eof = t.tk == Tk::Eof;
                toks.push(t);
                if eof {
                    return (toks, None);
                }
            }
            Err(e) => {
                toks.push(Token {
                    tk: Tk::Error,
                    start: lx.i,
                    end: src.len(),
                });
                return (toks, Some(e));
            }
        }
    }
}

pub(super) struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn near(&self, start: usize, end: usize, msg: &str) -> ServerError {
        let text = self.src.get(start..end.min(self.b.len())).unwrap_or("");
        ServerError {
            message: format!("{msg} at or near \"{text}\""),
            position: Some(char_pos(self.src, start)),
            ..ServerError::default()
        }
    }

    fn plain(&self, start: usize, msg: &str) -> ServerError {
        ServerError {
            message: msg.to_string(),
            position: Some(char_pos(self.src, start)),
            ..ServerError::default()
        }
    }

    fn tok(&mut self, tk: Tk, start: usize, end: usize) -> Result<Token, ServerError> {
        self.i = end;
        Ok(Token { tk, start, end })
    }

    fn next_token(&mut self) -> Result<Token, ServerError> {
        self.skip_space()?;
        let s = self.i;
        if s >= self.b.len() {
            return Ok(Token {
                tk: Tk::Eof,
                start: s,
                end: s,
            });
        }
        let c = self.at(s);
        let c1 = self.at(s + 1);
        match c {
            b'\'' => self.string(s, s + 1, Mode::Std),
            b'"' => self.quoted_ident(s, s + 1, false),
            b'$' => self.dollar(s),
            b'0'..=b'9' => self.number(s),
            b'.' if c1.is_ascii_digit() => self.number(s),
            b'.' if c1 == b'.' => self.tok(Tk::Op("..".into()), s, s + 2),
            b':' if c1 == b':' => self.tok(Tk::Op("::".into()), s, s + 2),
            b':' if c1 == b'=' => self.tok(Tk::Op(":=".into()), s, s + 2),
            b'.' | b':' | b'(' | b')' | b',' | b';' | b'[' | b']' => {
                self.tok(Tk::Punct(c), s, s + 1)
            }
            c if is_op_char(c) => self.operator(s),
            c if is_ident_start(c) => self.ident(s),
            _ => self.tok(Tk::Other, s, s + 1),
        }
    }

    /// Skips whitespace, `--` and (nested) `/* */` comments.
    fn skip_space(&mut self) -> Result<(), ServerError> {
        loop {
            let c = self.at(self.i);
            if self.i < self.b.len() && is_space(c) {
                self.i += 1;
            } else if c == b'-' && self.at(self.i + 1) == b'-' {
                self.i = skip_line_comment(self.b, self.i);
            } else if c == b'/' && self.at(self.i + 1) == b'*' {
                match skip_block_comment(self.b, self.i) {
                    Some(j) => self.i = j,
                    None => return Err(self.near(self.i, self.b.len(), "unterminated /* comment")),
                }
            } else {
                return Ok(());
            }
        }
    }

    fn digits(&self, mut i: usize) -> usize {
        while self.at(i).is_ascii_digit() {
            i += 1;
        }
        i
    }

    fn number(&mut self, s: usize) -> Result<Token, ServerError> {
        const JUNK: &str = "trailing junk after numeric literal";
        let mut int = true;
        let mut i;
        if self.at(s) == b'.' {
            i = self.digits(s + 1);
            int = false;
        } else {
            i = self.digits(s);
            if self.at(i) == b'.' {
                if self.at(i + 1) == b'.' {
                    // `1..10`: the integer, then `..`.
                    return self.int_token(s, i);
                }
                i = self.digits(i + 1);
                int = false;
            }
        }
        if matches!(self.at(i), b'e' | b'E') {
            let mut j = i + 1;
            if matches!(self.at(j), b'+' | b'-') {
                j += 1;
                if !self.at(j).is_ascii_digit() {
                    return Err(self.near(s, j, JUNK));
                }
            }
            if !self.at(j).is_ascii_digit() {
                return Err(self.near(s, i + 1, JUNK));
            }
            i = self.digits(j);
            int = false;
        }
        if is_ident_start(self.at(i)) {
            return Err(self.near(s, i + utf8_len(self.at(i)), JUNK));
        }
        if int {
            self.int_token(s, i)
        } else {
            self.tok(Tk::Num, s, i)
        }
    }

    fn int_token(&mut self, s: usize, e: usize) -> Result<Token, ServerError> {
        match self.src.get(s..e).and_then(|t| t.parse::<i64>().ok()) {
            Some(v) => self.tok(Tk::Int(v), s, e),
            None => self.tok(Tk::Num, s, e),
        }
    }

    fn operator(&mut self, s: usize) -> Result<Token, ServerError> {
        let mut e = s;
        while is_op_char(self.at(e)) {
            e += 1;
        }
        let run = self.b.get(s..e).unwrap_or(&[]);
        let mut n = run.len();
        // A comment start inside the run ends the operator.
        for k in 1..run.len() {
            let pair = (run.get(k - 1).copied(), run.get(k).copied());
            if matches!(pair, (Some(b'/'), Some(b'*')) | (Some(b'-'), Some(b'-'))) {
                n = k - 1;
                break;
            }
        }
        let n = n.max(1);
        // `=-` lexes as `=` then `-`, but `@-` stays one operator.
        let mut n = n;
        let ends_sign = |n: usize| matches!(run.get(n.wrapping_sub(1)), Some(b'+' | b'-'));
        if n > 1 && ends_sign(n) {
            let special = run.iter().take(n - 1).any(|c| b"~!@#^&|`?%".contains(c));
            if !special {
                while n > 1 && ends_sign(n) {
                    n -= 1;
                }
            }
        }
        if n >= 64 {
            return Err(self.near(s, s + n, "operator too long"));
        }
        let text = self.src.get(s..s + n).unwrap_or("").to_string();
        self.tok(Tk::Op(text), s, s + n)
    }

    fn ident(&mut self, s: usize) -> Result<Token, ServerError> {
        let c = self.at(s);
        let c1 = self.at(s + 1);
        if c1 == b'\'' {
            match c {
                b'e' | b'E' => return self.string(s, s + 2, Mode::Esc),
                b'b' | b'B' => return self.string(s, s + 2, Mode::Bit),
                b'x' | b'X' => return self.string(s, s + 2, Mode::Hex),
                b'n' | b'N' => return self.string(s, s + 2, Mode::National),
                _ => {}
            }
        }
        if matches!(c, b'u' | b'U') && c1 == b'&' {
            match self.at(s + 2) {
                b'\'' => return self.string(s, s + 3, Mode::Unicode),
                b'"' => return self.quoted_ident(s, s + 3, true),
                _ => {}
            }
        }
        let e = skip_ident(self.b, s);
        let mut text = self.src.get(s..e).unwrap_or("").to_ascii_lowercase();
        truncate_ident(&mut text);
        self.tok(
            Tk::Word {
                text,
                quoted: false,
            },
            s,
            e,
        )
    }

    fn string(&mut self, s: usize, body: usize, mode: Mode) -> Result<Token, ServerError> {
        let mut buf: Vec<u8> = Vec::new();
        let mut i = body;
        let doubling = !matches!(mode, Mode::Bit | Mode::Hex);
        loop {
            let Some(&c) = self.b.get(i) else {
                return Err(self.unterminated(s, mode));
            };
            match c {
                b'\'' => {
                    if doubling && self.at(i + 1) == b'\'' {
                        buf.push(b'\'');
                        i += 2;
                    } else if let Some(j) = quote_continuation(self.b, i + 1) {
                        i = j;
                    } else {
                        i += 1;
                        break;
                    }
                }
                b'\\' if mode == Mode::Esc => i = self.escape(s, i, &mut buf)?,
                _ => {
                    buf.push(c);
                    i += 1;
                }
            }
        }
        let value = bytes_to_string(buf)?;
        let kind = match mode {
            Mode::Std | Mode::Esc => StrKind::Plain,
            Mode::National => StrKind::National,
            Mode::Bit => StrKind::Bit,
            Mode::Hex => StrKind::Hex,
            Mode::Unicode => StrKind::Unicode,
        };
        self.tok(Tk::Str { value, kind }, s, i)
    }

    fn unterminated(&self, s: usize, mode: Mode) -> ServerError {
        match mode {
            Mode::Bit => self.near(s, self.b.len(), "unterminated bit string literal"),
            Mode::Hex => self.near(s, self.b.len(), "unterminated hexadecimal string literal"),
            // N'...' is the keyword NCHAR, then a plain string starting at the quote.
            Mode::National => self.near(s + 1, self.b.len(), "unterminated quoted string"),
            _ => self.near(s, self.b.len(), "unterminated quoted string"),
        }
    }

    /// One backslash escape in an E'' string at `i`; returns the index after it.
    fn escape(&self, s: usize, i: usize, buf: &mut Vec<u8>) -> Result<usize, ServerError> {
        if i + 1 >= self.b.len() {
            return Err(self.unterminated(s, Mode::Esc));
        }
        let c1 = self.at(i + 1);
        match c1 {
            b'u' | b'U' => {
                let Some((code, end)) = self.unicode_escape(i) else {
                    return Err(self.plain(i, "invalid Unicode escape"));
                };
                let code = if (0xD800..=0xDBFF).contains(&code) {
                    // The low half must follow at once.
                    if self.at(end) == b'\\' && matches!(self.at(end + 1), b'u' | b'U') {
                        let Some((lo, end2)) = self.unicode_escape(end) else {
                            return Err(self.plain(end, "invalid Unicode escape"));
                        };
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return Err(self.near(end, end2, "invalid Unicode surrogate pair"));
                        }
                        let cp = 0x10000 + ((code - 0xD800) << 10) + (lo - 0xDC00);
                        push_char(buf, cp);
                        return Ok(end2);
                    }
                    if end >= self.b.len() {
                        return Err(ServerError {
                            message: "invalid Unicode surrogate pair at end of input".into(),
                            position: None,
                            ..ServerError::default()
                        });
                    }
                    let width = utf8_len(self.at(end));
                    return Err(self.near(end, end + width, "invalid Unicode surrogate pair"));
                } else {
                    code
                };
                if (0xDC00..=0xDFFF).contains(&code) {
                    return Err(self.near(i, end, "invalid Unicode surrogate pair"));
                }
                if code == 0 || char::from_u32(code).is_none() {
                    return Err(self.near(i, end, "invalid Unicode escape value"));
                }
                push_char(buf, code);
                Ok(end)
            }
            b'0'..=b'7' => {
                let mut v = 0u32;
                let mut j = i + 1;
                while j < i + 4 && matches!(self.at(j), b'0'..=b'7') {
                    v = v * 8 + u32::from(self.at(j) - b'0');
                    j += 1;
                }
                buf.push((v & 0xFF) as u8);
                Ok(j)
            }
            b'x' if self.at(i + 2).is_ascii_hexdigit() => {
                let mut v = 0u32;
                let mut j = i + 2;
                while j < i + 4 && self.at(j).is_ascii_hexdigit() {
                    v = v * 16 + char::from(self.at(j)).to_digit(16).unwrap_or(0);
                    j += 1;
                }
                buf.push((v & 0xFF) as u8);
                Ok(j)
            }
            c => {
                buf.push(match c {
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    c => c,
                });
                Ok(i + 2)
            }
        }
    }

    /// `\uXXXX` or `\UXXXXXXXX` at `i`: the code and the index after it.
    fn unicode_escape(&self, i: usize) -> Option<(u32, usize)> {
        let n = if self.at(i + 1) == b'u' { 4 } else { 8 };
        let digits = self.b.get(i + 2..i + 2 + n)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let text = std::str::from_utf8(digits).ok()?;
        Some((u32::from_str_radix(text, 16).ok()?, i + 2 + n))
    }

    fn quoted_ident(&mut self, s: usize, body: usize, unicode: bool) -> Result<Token, ServerError> {
        let mut buf = Vec::new();
        let mut i = body;
        loop {
            match self.b.get(i) {
                None => return Err(self.near(s, self.b.len(), "unterminated quoted identifier")),
                Some(b'"') if self.at(i + 1) == b'"' => {
                    buf.push(b'"');
                    i += 2;
                }
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(&c) => {
                    buf.push(c);
                    i += 1;
                }
            }
        }
        if buf.is_empty() {
            return Err(self.near(s, i, "zero-length delimited identifier"));
        }
        if unicode {
            return self.tok(Tk::UIdent, s, i);
        }
        let mut text = String::from_utf8(buf).unwrap_or_default();
        truncate_ident(&mut text);
        self.tok(Tk::Word { text, quoted: true }, s, i)
    }

    fn dollar(&mut self, s: usize) -> Result<Token, ServerError> {
        if self.at(s + 1).is_ascii_digit() {
            let e = self.digits(s + 1);
            if is_ident_start(self.at(e)) {
                let end = e + utf8_len(self.at(e));
                return Err(self.near(s, end, "trailing junk after parameter"));
            }
            return self.tok(Tk::Param, s, e);
        }
        let Some(e) = dollar_tag_end(self.b, s) else {
            return self.tok(Tk::Other, s, s + 1);
        };
        let tag = self.b.get(s..=e).unwrap_or(&[]);
        match find_bytes(self.b, e + 1, tag) {
            Some(p) => {
                let value = self.src.get(e + 1..p).unwrap_or("").to_string();
                let end = p + tag.len();
                self.tok(
                    Tk::Str {
                        value,
                        kind: StrKind::Plain,
                    },
                    s,
                    end,
                )
            }
            None => Err(self.near(s, self.b.len(), "unterminated dollar-quoted string")),
        }
    }
}

pub(super) fn push_char(buf: &mut Vec<u8>, code: u32) {
    if let Some(ch) = char::from_u32(code) {
        let mut tmp = [0u8; 4];
        buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
    }
}

/// Checks a string literal's bytes as the server's encoding check does.
pub(super) fn bytes_to_string(buf: Vec<u8>) -> Result<String, ServerError> {
    let mut k = 0;
    while let Some(&c) = buf.get(k) {
        let len = match c {
            0x00..=0x7F => 1,
            _ if c & 0xE0 == 0xC0 => 2,
            _ if c & 0xF0 == 0xE0 => 3,
            _ if c & 0xF8 == 0xF0 => 4,
            _ => 1,
        };
        let end = (k + len).min(buf.len());
        let chunk = buf.get(k..end).unwrap_or(&[]);
        if c == 0 || end - k < len || std::str::from_utf8(chunk).is_err() {
            let hex: Vec<String> = chunk.iter().map(|b| format!("0x{b:02x}")).collect();
            return Err(ServerError {
                message: format!(
                    "invalid byte sequence for encoding \"UTF8\": {}",
                    hex.join(" ")
                ),
                position: None,
                ..ServerError::default()
            });
        }
        k = end;
    }
    Ok(String::from_utf8(buf).unwrap_or_default())
}

/// Identifiers are cut to NAMEDATALEN - 1 bytes.
pub(super) fn truncate_ident(s: &mut String) {
    if s.len() >= 64 {
        let mut cut = 63;
        while cut > 0 && !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}
