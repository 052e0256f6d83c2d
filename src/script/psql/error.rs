//! How psql shows an error the server sent: the ERROR line, the statement's line with a
//! caret under the error's position (libpq's reportErrorPosition), DETAIL, HINT and
//! CONTEXT.

use crate::sql::scansup::until_nul;
use crate::sql::ServerError;

/// What psql prints for `e`, an error the server sent about the statement `sql`.
pub fn render(e: &ServerError, sql: &str) -> String {
    let mut out = format!("ERROR:  {}\n", e.message);
    if let Some(pos) = e.position {
        let chars: Vec<char> = until_nul(sql).chars().collect();
        for l in position_lines(&chars, pos) {
            out.push_str(&l);
            out.push('\n');
        }
    }
    if let Some(d) = &e.detail {
        out.push_str(&format!("DETAIL:  {d}\n"));
    }
    if let Some(h) = &e.hint {
        out.push_str(&format!("HINT:  {h}\n"));
    }
    if let Some(c) = &e.context {
        out.push_str(&format!("CONTEXT:  {c}\n"));
    }
    out
}

/// The `LINE n:` line and the caret line under character `loc` of the query `q`, cut
/// to psql's 60 display columns around the error.
fn position_lines(q: &[char], loc: usize) -> Vec<String> {
    const DISPLAY_SIZE: usize = 60;
    const MIN_RIGHT_CUT: usize = 10;
    let mut scr: Vec<usize> = Vec::with_capacity(q.len() + 1);
    let mut line = 1usize;
    let mut ibeg = 0usize;
    let mut iend = None;
    let mut col = 0usize;
    let mut prev = None;
    for (cno, &ch) in q.iter().enumerate() {
        scr.push(col);
        if ch == '\r' || ch == '\n' {
            if cno < loc {
                if ch == '\r' || prev != Some('\r') {
                    line += 1;
                }
                ibeg = cno + 1;
            } else {
                iend = Some(cno);
                break;
            }
        }
        col += display_width(ch);
        prev = Some(ch);
    }
    let mut iend = match iend {
        Some(e) => e,
        None => {
            scr.push(col);
            q.len()
        }
    };
    if loc > iend {
        return Vec::new();
    }
    let s = |i: usize| scr.get(i).copied().unwrap_or(0);
    let (mut beg_trunc, mut end_trunc) = (false, false);
    if s(iend).saturating_sub(s(ibeg)) > DISPLAY_SIZE {
        if s(ibeg) + DISPLAY_SIZE >= s(loc) + MIN_RIGHT_CUT {
            while iend > ibeg && s(iend).saturating_sub(s(ibeg)) > DISPLAY_SIZE {
                iend -= 1;
            }
            end_trunc = true;
        } else {
            while iend > loc && s(loc) + MIN_RIGHT_CUT < s(iend) {
                iend -= 1;
                end_trunc = true;
            }
            while ibeg < loc && s(iend).saturating_sub(s(ibeg)) > DISPLAY_SIZE {
                ibeg += 1;
                beg_trunc = true;
            }
        }
    }
    let mut first = format!("LINE {line}: ");
    if beg_trunc {
        first.push_str("...");
    }
    let prefix = first.chars().count();
    for &ch in q.get(ibeg..iend).unwrap_or(&[]) {
        first.push(if ch == '\t' { ' ' } else { ch });
    }
    if end_trunc {
        first.push_str("...");
    }
    let caret = format!("{}^", " ".repeat(prefix + s(loc).saturating_sub(s(ibeg))));
    vec![first, caret]
}

/// Screen columns psql gives a character (East Asian wide ones take two).
fn display_width(c: char) -> usize {
    const WIDE: &[(u32, u32)] = &[
        (0x1100, 0x115F),
        (0x231A, 0x231B),
        (0x2329, 0x232A),
        (0x2E80, 0x303E),
        (0x3041, 0x33FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xA000, 0xA4CF),
        (0xA960, 0xA97F),
        (0xAC00, 0xD7A3),
        (0xF900, 0xFAFF),
        (0xFE10, 0xFE19),
        (0xFE30, 0xFE6F),
        (0xFF00, 0xFF60),
        (0xFFE0, 0xFFE6),
        (0x1F300, 0x1F64F),
        (0x1F900, 0x1F9FF),
        (0x20000, 0x2FFFD),
        (0x30000, 0x3FFFD),
    ];
    let u = u32::from(c);
    if WIDE.iter().any(|&(a, b)| (a..=b).contains(&u)) {
        2
    } else {
        1
    }
}
