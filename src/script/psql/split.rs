//! psql's statement splitter (psqlscan.l): where a console line's statements end.

use crate::sql::scansup::{
    dollar_tag_end, find_bytes, is_ident_cont, is_ident_start, is_space, quote_continuation,
    skip_block_comment, skip_ident, skip_line_comment,
};

/// Splits psql input into statements at top-level semicolons.
///
/// Returns `(text without the ';', complete)` pairs; the last is incomplete when no `;`
/// ended it. As psql does, leading whitespace and `--` comments are dropped, a `;` inside
/// quotes, comments or parentheses does not end a statement, and empty statements vanish.
pub fn split_statements(input: &str) -> Vec<(String, bool)> {
    let b = input.as_bytes();
    let n = b.len();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < n {
        let c = at(i);
        if start.is_none() {
            if is_space(c) {
                i += 1;
                continue;
            }
            if c == b'-' && at(i + 1) == b'-' {
                i = skip_line_comment(b, i);
                continue;
            }
            start = Some(i);
        }
        i = match c {
            b'-' if at(i + 1) == b'-' => skip_line_comment(b, i),
            b'/' if at(i + 1) == b'*' => skip_block_comment(b, i).unwrap_or(n),
            b'\'' => skip_string(b, i + 1, is_e_prefix(b, i)),
            b'"' => skip_quoted_ident(b, i + 1),
            b'$' => skip_dollar(b, i),
            b'(' => {
                depth += 1;
                i + 1
            }
            b')' => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            b';' if depth == 0 => {
                if let Some(s) = start.take() {
                    push_piece(&mut out, input, s, i, true);
                }
                i + 1
            }
            c if is_ident_start(c) => skip_ident(b, i),
            b'0'..=b'9' => skip_digits(b, i),
            _ => i + 1,
        };
    }
    if let Some(s) = start {
        push_piece(&mut out, input, s, n, false);
    }
    out
}

/// Where psql's first backslash command starts: a `\` outside quotes and comments
/// (inside parentheses too). What comes before it is SQL for the query buffer.
pub fn meta_start(input: &str) -> Option<usize> {
    let b = input.as_bytes();
    let n = b.len();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = 0usize;
    while i < n {
        i = match at(i) {
            b'\\' => return Some(i),
            b'-' if at(i + 1) == b'-' => skip_line_comment(b, i),
            b'/' if at(i + 1) == b'*' => skip_block_comment(b, i).unwrap_or(n),
            b'\'' => skip_string(b, i + 1, is_e_prefix(b, i)),
            b'"' => skip_quoted_ident(b, i + 1),
            b'$' => skip_dollar(b, i),
            c if is_ident_start(c) => skip_ident(b, i),
            b'0'..=b'9' => skip_digits(b, i),
            _ => i + 1,
        };
    }
    None
}

fn push_piece(out: &mut Vec<(String, bool)>, input: &str, s: usize, e: usize, complete: bool) {
    let text = input.get(s..e).unwrap_or("");
    if !is_blank(text) {
        out.push((text.to_string(), complete));
    }
}

/// Only whitespace and complete comments.
fn is_blank(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if is_space(c) {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            i = skip_line_comment(b, i);
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match skip_block_comment(b, i) {
                Some(j) => i = j,
                None => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// Whether the quote at `i` opens an `E'...'` string.
pub(super) fn is_e_prefix(b: &[u8], i: usize) -> bool {
    let Some(p) = i.checked_sub(1) else {
        return false;
    };
    matches!(b.get(p), Some(b'e' | b'E'))
        && p.checked_sub(1)
            .and_then(|q| b.get(q))
            .is_none_or(|&c| !is_ident_cont(c))
}

/// Index after the string whose body starts at `i` (following continuations).
fn skip_string(b: &[u8], mut i: usize, esc: bool) -> usize {
    loop {
        match b.get(i) {
            None => return b.len(),
            Some(b'\\') if esc => i += 2,
            Some(b'\'') => {
                if b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else if let Some(j) = quote_continuation(b, i + 1) {
                    i = j;
                } else {
                    return i + 1;
                }
            }
            Some(_) => i += 1,
        }
    }
}

fn skip_quoted_ident(b: &[u8], mut i: usize) -> usize {
    loop {
        match b.get(i) {
            None => return b.len(),
            Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
            Some(b'"') => return i + 1,
            Some(_) => i += 1,
        }
    }
}

fn skip_dollar(b: &[u8], i: usize) -> usize {
    let Some(e) = dollar_tag_end(b, i) else {
        return i + 1;
    };
    let tag = b.get(i..=e).unwrap_or(&[]);
    find_bytes(b, e + 1, tag).map_or(b.len(), |p| p + tag.len())
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// The text psql sends for `input`, a last statement with a `;` added: the statement
/// up to that `;`, or, when an open quote, comment or parenthesis swallows it, the
/// whole input with another `;`.
pub fn close_tail(input: &str) -> String {
    match split_statements(input).into_iter().next() {
        Some((stmt, _)) => format!("{stmt};"),
        None => input.to_string(),
    }
}
