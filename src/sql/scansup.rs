//! Byte-level helpers the scanner shares with psql's statement splitter: what counts as
//! a space, an identifier or an operator character, and how comments, dollar quotes and
//! string continuations end (scansup.c and the rules psqlscan.l repeats from scan.l).

pub(crate) fn skip_line_comment(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        if c == b'\n' || c == b'\r' {
            break;
        }
        i += 1;
    }
    i
}

/// Index after the `*/` closing the (nested) comment at `i`; `None` if unterminated.
pub(crate) fn skip_block_comment(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i + 2;
    loop {
        let c = *b.get(j)?;
        let d = b.get(j + 1).copied().unwrap_or(0);
        if c == b'/' && d == b'*' {
            depth += 1;
            j += 2;
        } else if c == b'*' && d == b'/' {
            if depth == 0 {
                return Some(j + 2);
            }
            depth -= 1;
            j += 2;
        } else {
            j += 1;
        }
    }
}

pub(crate) fn skip_ident(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_ident_cont(c)) {
        i += 1;
    }
    i
}

/// If `$tag$` opens at `i`, the index of its closing `$`.
pub(crate) fn dollar_tag_end(b: &[u8], i: usize) -> Option<usize> {
    let mut e = i + 1;
    if b.get(e).is_some_and(|&c| is_ident_start(c)) {
        e += 1;
        while b
            .get(e)
            .is_some_and(|&c| is_ident_start(c) || c.is_ascii_digit())
        {
            e += 1;
        }
    }
    (b.get(e) == Some(&b'$')).then_some(e)
}

/// After a closing quote at `j - 1`: if whitespace with a newline and another quote follow
/// (SQL string continuation), the index just after that quote.
pub(crate) fn quote_continuation(b: &[u8], mut j: usize) -> Option<usize> {
    loop {
        match b.get(j) {
            Some(b' ' | b'\t' | 0x0c) => j += 1,
            Some(b'-') if b.get(j + 1) == Some(&b'-') => j = skip_line_comment(b, j),
            Some(b'\n' | b'\r') => {
                j += 1;
                break;
            }
            _ => return None,
        }
    }
    loop {
        match b.get(j) {
            Some(&c) if is_space(c) => j += 1,
            Some(b'-') if b.get(j + 1) == Some(&b'-') => {
                j = skip_line_comment(b, j);
                if !matches!(b.get(j), Some(b'\n' | b'\r')) {
                    return None;
                }
            }
            Some(b'\'') => return Some(j + 1),
            _ => return None,
        }
    }
}

pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

pub(crate) fn is_ident_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

pub(crate) fn is_op_char(c: u8) -> bool {
    b"~!@#^&|`?+-*/%<>=".contains(&c)
}

/// libpq sends a C string: text after a NUL never reaches the server.
pub(crate) fn until_nul(s: &str) -> &str {
    s.split('\0').next().unwrap_or("")
}

pub(crate) fn char_pos(src: &str, byte: usize) -> usize {
    src.char_indices().take_while(|(i, _)| *i < byte).count()
}

/// Length of the UTF-8 sequence a lead byte starts.
pub(crate) fn utf8_len(c: u8) -> usize {
    match c {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The first index at or after `from` where `pat` occurs in `b`.
pub(crate) fn find_bytes(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    if pat.is_empty() {
        return None;
    }
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| p + from)
}
