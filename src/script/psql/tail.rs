//! Where psql's scanner stands at the end of a query buffer that grows line by line.
//!
//! [`crate::script::sql_complete`] rescans the whole buffer; a script whose statement
//! runs over many lines, each with a `;` inside an open quote, would then cost the
//! square of its length. A [`Tail`] keeps the scanner's state between lines (inside a
//! string, a quoted identifier, a dollar quote, a comment, or between tokens with the
//! parenthesis depth), so each appended line costs its own length. It answers exactly
//! what `sql_complete` answers for the same text (a property test holds it to that).

use super::split::is_e_prefix;
use crate::sql::scansup::{dollar_tag_end, find_bytes, is_ident_cont, is_ident_start, is_space};

/// The scanner's state after the text fed so far.
#[derive(Clone, Debug, Default)]
pub struct Tail {
    /// The next byte to scan.
    i: usize,
    /// Parenthesis depth (a `;` inside parentheses does not end a statement).
    depth: usize,
    /// Text other than spaces and comments since the last statement-ending `;`.
    content: bool,
    /// A backslash command began outside quotes: psql runs the buffer at once.
    meta: bool,
    inside: Inside,
}

#[derive(Clone, Debug, Default)]
enum Inside {
    #[default]
    Tokens,
    LineComment,
    /// A block comment, nested this deep below its first level.
    Block(usize),
    /// A string; `escapes` for `E'...'`.
    Str {
        escapes: bool,
    },
    /// Just after a string's closing quote, which a continuation may reopen; `newline`
    /// once a line break has been passed.
    AfterQuote {
        escapes: bool,
        newline: bool,
    },
    QuotedIdent,
    /// A dollar-quoted string closed by this tag.
    Dollar(Vec<u8>),
}

/// Where the scan of one construct got to.
enum Step {
    /// Go on from this index in this state.
    Go(usize, Inside),
    /// The text ends before the state after this index is decided: resume here.
    Wait(usize, Inside),
}

impl Tail {
    /// Scans what `text` has beyond what earlier calls saw. `text` must be the text of
    /// the previous call (if any) followed by a line break and more lines, as a script's
    /// statement grows.
    pub fn feed(&mut self, text: &str) {
        let b = text.as_bytes();
        let n = b.len();
        while self.i < n && !self.meta {
            let i = self.i;
            let step = match std::mem::take(&mut self.inside) {
                Inside::Tokens => {
                    self.token(b);
                    continue;
                }
                Inside::LineComment => {
                    match b[i..].iter().position(|&c| c == b'\n' || c == b'\r') {
                        Some(p) => Step::Go(i + p, Inside::Tokens),
                        None => Step::Wait(n, Inside::LineComment),
                    }
                }
                Inside::Block(depth) => block_comment(b, i, depth),
                Inside::Str { escapes } => string(b, i, escapes),
                Inside::AfterQuote { escapes, newline } => after_quote(b, i, escapes, newline),
                Inside::QuotedIdent => quoted_ident(b, i),
                Inside::Dollar(tag) => match find_bytes(b, i, &tag) {
                    Some(p) => Step::Go(p + tag.len(), Inside::Tokens),
                    // A tag holds no line break, so none starts in these bytes and ends later.
                    None => Step::Wait(n, Inside::Dollar(tag)),
                },
            };
            match step {
                Step::Go(j, inside) => {
                    self.i = j;
                    self.inside = inside;
                }
                Step::Wait(j, inside) => {
                    self.i = j;
                    self.inside = inside;
                    break;
                }
            }
        }
    }

    /// Whether psql would run the text fed so far (as [`crate::script::sql_complete`]).
    pub fn complete(&self) -> bool {
        self.meta || (matches!(self.inside, Inside::Tokens | Inside::LineComment) && !self.content)
    }

    /// The character psql's continuation prompt (`%R` in `PROMPT2`) shows on the next
    /// line: `'` inside a string, `"` inside a quoted identifier, `$` inside a dollar
    /// quote, `*` inside a comment, `(` inside parentheses, `-` otherwise.
    pub fn prompt(&self) -> char {
        match self.inside {
            Inside::Str { .. } => '\'',
            Inside::QuotedIdent => '"',
            Inside::Dollar(_) => '$',
            Inside::Block(_) => '*',
            Inside::Tokens | Inside::LineComment | Inside::AfterQuote { .. } if self.depth > 0 => {
                '('
            }
            Inside::Tokens | Inside::LineComment | Inside::AfterQuote { .. } => '-',
        }
    }

    /// Scans one token between tokens, entering a quoted construct where one opens.
    fn token(&mut self, b: &[u8]) {
        let i = self.i;
        let at = |k: usize| b.get(k).copied().unwrap_or(0);
        let c = at(i);
        if is_space(c) {
            self.i += 1;
            return;
        }
        if c == b'-' && at(i + 1) == b'-' {
            self.i += 2;
            self.inside = Inside::LineComment;
            return;
        }
        if c == b'/' && at(i + 1) == b'*' {
            self.i += 2;
            self.inside = Inside::Block(0);
            return;
        }
        self.content = true;
        self.i = match c {
            b'\\' => {
                self.meta = true;
                i + 1
            }
            b'\'' => {
                self.inside = Inside::Str {
                    escapes: is_e_prefix(b, i),
                };
                i + 1
            }
            b'"' => {
                self.inside = Inside::QuotedIdent;
                i + 1
            }
            b'$' => match dollar_tag_end(b, i) {
                Some(e) => {
                    self.inside = Inside::Dollar(b[i..=e].to_vec());
                    e + 1
                }
                None => i + 1,
            },
            b'(' => {
                self.depth += 1;
                i + 1
            }
            b')' => {
                self.depth = self.depth.saturating_sub(1);
                i + 1
            }
            b';' if self.depth == 0 => {
                self.content = false;
                i + 1
            }
            c if is_ident_start(c) => skip_while(b, i, is_ident_cont),
            b'0'..=b'9' => skip_while(b, i, |c| c.is_ascii_digit()),
            _ => i + 1,
        };
    }
}

fn skip_while(b: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while b.get(i).is_some_and(|&c| keep(c)) {
        i += 1;
    }
    i
}

fn block_comment(b: &[u8], mut j: usize, mut depth: usize) -> Step {
    loop {
        let Some(&c) = b.get(j) else {
            return Step::Wait(j, Inside::Block(depth));
        };
        let d = b.get(j + 1).copied().unwrap_or(0);
        if c == b'/' && d == b'*' {
            depth += 1;
            j += 2;
        } else if c == b'*' && d == b'/' {
            if depth == 0 {
                return Step::Go(j + 2, Inside::Tokens);
            }
            depth -= 1;
            j += 2;
        } else {
            j += 1;
        }
    }
}

/// A string body from `i`: a doubled quote stays inside; a closing quote may still be
/// continued (spaces with a newline, then another quote), which the text after it tells.
fn string(b: &[u8], mut i: usize, escapes: bool) -> Step {
    let here = |i: usize| Step::Wait(i, Inside::Str { escapes });
    loop {
        match b.get(i) {
            None => return here(i),
            Some(b'\\') if escapes => {
                if i + 1 >= b.len() {
                    return here(i);
                }
                i += 2;
            }
            Some(b'\'') if i + 1 == b.len() => return here(i),
            Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
            Some(b'\'') => {
                let newline = false;
                return Step::Go(i + 1, Inside::AfterQuote { escapes, newline });
            }
            Some(_) => i += 1,
        }
    }
}

/// After a closing quote (as [`crate::sql::scansup::quote_continuation`]): spaces and
/// `--` comments, then either another quote after a newline (the string goes on) or
/// anything else (it ended, and the scan goes on between tokens from there).
fn after_quote(b: &[u8], mut j: usize, escapes: bool, mut newline: bool) -> Step {
    loop {
        match b.get(j) {
            Some(b' ' | b'\t' | 0x0c) => j += 1,
            Some(b'\n' | b'\r') => {
                newline = true;
                j += 1;
            }
            Some(b'-') if b.get(j + 1) == Some(&b'-') => {
                let end = skip_while(b, j, |c| c != b'\n' && c != b'\r');
                if end == b.len() {
                    return Step::Wait(j, Inside::AfterQuote { escapes, newline });
                }
                j = end;
            }
            None => return Step::Wait(j, Inside::AfterQuote { escapes, newline }),
            Some(b'-') if j + 1 == b.len() => {
                return Step::Wait(j, Inside::AfterQuote { escapes, newline })
            }
            Some(b'\'') if newline => return Step::Go(j + 1, Inside::Str { escapes }),
            Some(_) => return Step::Go(j, Inside::Tokens),
        }
    }
}

fn quoted_ident(b: &[u8], mut i: usize) -> Step {
    let here = |i: usize| Step::Wait(i, Inside::QuotedIdent);
    loop {
        match b.get(i) {
            None => return here(i),
            Some(b'"') if i + 1 == b.len() => return here(i),
            Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
            Some(b'"') => return Step::Go(i + 1, Inside::Tokens),
            Some(_) => i += 1,
        }
    }
}
