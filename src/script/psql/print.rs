//! psql-compatible text rendering for query results. The text output of timestamps and
//! intervals lives in the model ([`crate::sim::datetime`]).
//!
//! Everything here mirrors PostgreSQL 15 byte for byte under default settings:
//! `\pset format aligned`, `\pset border 1`, `\pset linestyle ascii`, `\pset null ''`,
//! footers on, `IntervalStyle = postgres`, `DateStyle = ISO`, `TimeZone = UTC`,
//! and a server `log_timezone = UTC`.
//!
//! The table printers follow `print_aligned_text` and `print_aligned_vertical` in
//! PostgreSQL's `src/fe_utils/print.c`, and the cell formatting follows `pg_wcsformat`
//! in `src/fe_utils/mbprint.c` (newlines split a cell into lines, `\r` prints as `\r`,
//! tabs expand to the next multiple of 8 columns, other control characters print as
//! `\xNN` or `\uNNNN`).

use crate::sql::{Align, ResultSet};

// ---------------------------------------------------------------------------
// Cell formatting (pg_wcssize / pg_wcsformat)
// ---------------------------------------------------------------------------

/// One display line of a cell or header after psql's escaping, with its width.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    text: String,
    width: usize,
}

/// Display width of a printable character, as psql's `ucs_wcwidth` sees it.
///
/// ASCII and most scripts are 1 column wide. Combining marks are 0 and East Asian
/// wide/fullwidth characters are 2; these two classes are approximated with the main
/// Unicode blocks rather than PostgreSQL's full generated tables.
fn char_width(c: char) -> usize {
    let u = c as u32;
    let combining = matches!(
        u,
        0x0300..=0x036F
            | 0x0483..=0x0489
            | 0x0591..=0x05BD
            | 0x0610..=0x061A
            | 0x064B..=0x065F
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x200B..=0x200F
            | 0x20D0..=0x20FF
            | 0xFE00..=0xFE0F
            | 0xFE20..=0xFE2F
    );
    if combining {
        return 0;
    }
    let wide = matches!(
        u,
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x2FFFD
            | 0x30000..=0x3FFFD
    );
    if wide {
        2
    } else {
        1
    }
}

/// Splits a value into display lines the way `pg_wcsformat` does.
///
/// The value ends at its first NUL (psql sees C strings). `\n` starts a new line,
/// `\r` prints as the two characters `\r`, a tab pads with spaces to the next
/// multiple of 8 columns, C0 controls and DEL print as `\xNN`, C1 controls as
/// `\uNNNN`. An empty value is one empty line.
fn format_lines(value: &str) -> Vec<Line> {
    let value = value.split('\0').next().unwrap_or("");
    let mut lines = Vec::new();
    let mut text = String::new();
    let mut width = 0usize;
    for c in value.chars() {
        let u = c as u32;
        match c {
            '\n' => {
                lines.push(Line {
                    text: std::mem::take(&mut text),
                    width,
                });
                width = 0;
            }
            '\r' => {
                text.push_str("\\r");
                width += 2;
            }
            '\t' => loop {
                text.push(' ');
                width += 1;
                if width.is_multiple_of(8) {
                    break;
                }
            },
            _ if u < 0x20 || u == 0x7F => {
                text.push_str(&format!("\\x{u:02X}"));
                width += 4;
            }
            _ if (0x80..0xA0).contains(&u) => {
                text.push_str(&format!("\\u{u:04X}"));
                width += 6;
            }
            _ => {
                text.push(c);
                width += char_width(c);
            }
        }
    }
    lines.push(Line { text, width });
    lines
}

/// Widest line of a formatted value.
fn max_width(lines: &[Line]) -> usize {
    lines.iter().map(|l| l.width).max().unwrap_or(0)
}

/// The cell at `row[col]` as psql prints it: NULL (or a missing cell) is empty.
fn cell_text(row: &[Option<String>], col: usize) -> &str {
    row.get(col).and_then(|c| c.as_deref()).unwrap_or("")
}

fn push_spaces(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn push_dashes(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('-');
    }
}

/// psql's default footer: "(1 row)" for exactly one row, "(N rows)" otherwise.
fn row_count_footer(n: usize) -> String {
    if n == 1 {
        "(1 row)".to_string()
    } else {
        format!("({n} rows)")
    }
}

// ---------------------------------------------------------------------------
// Aligned format (print_aligned_text)
// ---------------------------------------------------------------------------

/// Renders as psql's default aligned format, including the "(N rows)" footer and the
/// blank line psql prints after it.
///
/// Mirrors `print_aligned_text` with border 1: headers centred (odd padding goes to the
/// right), a `-`/`+` rule, left-aligned values padded on the right except in the last
/// column, right-aligned values padded on the left. A value with newlines spans several
/// output lines; every line but its last is padded to the column width and marked
/// with `+`, and the other columns print blanks beside the extra lines. With no
/// columns psql prints only the rule `--` and the footer.
pub fn render_aligned(rs: &ResultSet) -> String {
    let ncols = rs.columns.len();
    let headers: Vec<Vec<Line>> = rs.columns.iter().map(|c| format_lines(&c.name)).collect();
    let cells: Vec<Vec<Vec<Line>>> = rs
        .rows
        .iter()
        .map(|row| {
            (0..ncols)
                .map(|j| format_lines(cell_text(row, j)))
                .collect()
        })
        .collect();

    let mut widths: Vec<usize> = headers.iter().map(|h| max_width(h)).collect();
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(max_width(cell));
        }
    }

    let mut out = String::new();

    // Header lines: each column " " + centred text + (" " or "+" if more lines follow).
    let header_height = headers.iter().map(Vec::len).max().unwrap_or(0);
    for k in 0..header_height {
        for (j, lines) in headers.iter().enumerate() {
            out.push(' ');
            match lines.get(k) {
                Some(line) => {
                    let nbspace = widths[j] - line.width;
                    push_spaces(&mut out, nbspace / 2);
                    out.push_str(&line.text);
                    push_spaces(&mut out, nbspace.div_ceil(2));
                    out.push(if k + 1 < lines.len() { '+' } else { ' ' });
                }
                None => {
                    push_spaces(&mut out, widths[j]);
                    out.push(' ');
                }
            }
            if j + 1 < ncols {
                out.push('|');
            }
        }
        out.push('\n');
    }

    // Rule under the header: "-" + width dashes per column joined by "-+-" + "-".
    out.push('-');
    for (j, w) in widths.iter().enumerate() {
        push_dashes(&mut out, *w);
        if j + 1 < ncols {
            out.push_str("-+-");
        }
    }
    out.push_str("-\n");

    // Data rows (psql prints none when there are no columns).
    if ncols > 0 {
        for row in &cells {
            render_aligned_row(&mut out, rs, row, &widths);
        }
    }

    out.push_str(&row_count_footer(rs.rows.len()));
    out.push_str("\n\n");
    out
}

/// Prints one row of the aligned format, one output line per line of its tallest cell.
fn render_aligned_row(out: &mut String, rs: &ResultSet, row: &[Vec<Line>], widths: &[usize]) {
    let ncols = widths.len();
    let mut curr = vec![0usize; ncols];
    loop {
        let mut more_lines = false;
        for (j, lines) in row.iter().enumerate() {
            let last_col = j + 1 == ncols;
            let right = rs.columns[j].align == Align::Right;
            // Left mark: a space (psql's ascii newline/left marks are spaces too).
            out.push(' ');
            let mut chars = widths[j];
            match lines.get(curr[j]) {
                None => {
                    // This cell has run out of lines: blank it unless it is last.
                    if !last_col {
                        push_spaces(out, widths[j]);
                    }
                }
                Some(line) => {
                    chars = line.width;
                    if right {
                        push_spaces(out, widths[j] - chars);
                    }
                    out.push_str(&line.text);
                    curr[j] += 1;
                    if curr[j] < lines.len() {
                        more_lines = true;
                    }
                }
            }
            let continues = curr[j] < lines.len();
            if !right && (!last_col || continues) {
                push_spaces(out, widths[j] - chars);
            }
            if continues {
                out.push('+');
            } else if !last_col {
                out.push(' ');
            }
            if !last_col {
                out.push('|');
            }
        }
        out.push('\n');
        if !more_lines {
            break;
        }
    }
}

// ---------------------------------------------------------------------------
// Expanded format (print_aligned_vertical)
// ---------------------------------------------------------------------------

/// Renders as psql's expanded mode (\x on).
///
/// Mirrors `print_aligned_vertical` with border 1: every record starts with a
/// `-[ RECORD n ]` rule whose `+` sits above the `|` of the field lines, then one
/// `name | value` line per column (names padded to the widest name, values never
/// padded; a NULL leaves the line ending in `| `). Records follow each other directly
/// and one empty line ends the output. There is no row-count footer, except that an
/// empty result (no rows, or no columns) prints just "(N rows)" and the empty line.
pub fn render_expanded(rs: &ResultSet) -> String {
    let ncols = rs.columns.len();
    let nrows = rs.rows.len();
    if ncols == 0 || nrows == 0 {
        return format!("{}\n\n", row_count_footer(nrows));
    }

    let headers: Vec<Vec<Line>> = rs.columns.iter().map(|c| format_lines(&c.name)).collect();
    let cells: Vec<Vec<Vec<Line>>> = rs
        .rows
        .iter()
        .map(|row| {
            (0..ncols)
                .map(|j| format_lines(cell_text(row, j)))
                .collect()
        })
        .collect();

    let hwidth = headers.iter().map(|h| max_width(h)).max().unwrap_or(0);
    let mut dwidth = 0usize;
    let mut dmultiline = false;
    for cell in cells.iter().flatten() {
        dwidth = dwidth.max(max_width(cell));
        dmultiline |= cell.len() > 1;
    }

    // PostgreSQL 15 widens the data column so the rule is at least as wide as the
    // longest record label ("-[ RECORD N ]" for the last record): swidth is the
    // " | " between name and value plus the "+" column of multi-line values.
    let swidth = if dmultiline { 4 } else { 3 };
    let rwidth = decimal_digits(nrows) + 12;
    dwidth = (hwidth + swidth + dwidth).max(rwidth) - hwidth - swidth;

    let mut out = String::new();
    for (r, row) in cells.iter().enumerate() {
        record_rule(&mut out, r + 1, hwidth, dwidth);
        for (j, cell) in row.iter().enumerate() {
            render_expanded_field(&mut out, &headers[j], cell, hwidth, dwidth, dmultiline);
        }
    }
    out.push('\n');
    out
}

/// Number of decimal digits of `n` (1 for 0), as `1 + (int) log10(n)` for n > 0.
fn decimal_digits(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// The record rule, as `print_aligned_vertical_line` draws it with border 1.
///
/// `-[ RECORD n ]` then dashes up to column `hwidth`, then `-+-` (whose characters are
/// dropped one by one while the label still covers them), then dashes so that the part
/// after the `+` is `dwidth + 1` long, less whatever the label overran.
fn record_rule(out: &mut String, record: usize, hwidth: usize, dwidth: usize) {
    let label = format!("[ RECORD {record} ]");
    out.push('-');
    out.push_str(&label);
    let hwidth = hwidth as i64;
    let dwidth = dwidth as i64;
    let mut reclen = label.len() as i64 + 1;
    for _ in reclen..hwidth {
        out.push('-');
    }
    reclen -= hwidth;
    for mark in ['-', '+', '-'] {
        if reclen <= 0 {
            out.push(mark);
        }
        reclen -= 1;
    }
    for _ in reclen.max(0)..dwidth {
        out.push('-');
    }
    out.push('\n');
}

/// One field of an expanded record: the name (and its continuation lines) beside the
/// value (and its continuation lines).
fn render_expanded_field(
    out: &mut String,
    header: &[Line],
    data: &[Line],
    hwidth: usize,
    dwidth: usize,
    dmultiline: bool,
) {
    let mut hline = 0usize;
    let mut dline = 0usize;
    let mut hcomplete = false;
    let mut dcomplete = false;
    while !hcomplete || !dcomplete {
        match header.get(hline).filter(|_| !hcomplete) {
            Some(line) => {
                out.push_str(&line.text);
                push_spaces(out, hwidth.saturating_sub(line.width));
                if hline + 1 < header.len() {
                    out.push('+');
                    hline += 1;
                } else {
                    out.push(' ');
                    hcomplete = true;
                }
            }
            None => {
                hcomplete = true;
                push_spaces(out, hwidth + 1);
            }
        }
        out.push('|');
        match data.get(dline).filter(|_| !dcomplete) {
            Some(line) => {
                out.push(' ');
                out.push_str(&line.text);
                if dline + 1 < data.len() {
                    if dmultiline {
                        push_spaces(out, dwidth.saturating_sub(line.width));
                        out.push('+');
                    }
                    dline += 1;
                } else {
                    dcomplete = true;
                }
            }
            None => dcomplete = true,
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Column;

    fn col(name: &str, align: Align) -> Column {
        Column {
            name: name.to_string(),
            align,
        }
    }

    fn rs(columns: Vec<Column>, rows: Vec<Vec<Option<&str>>>) -> ResultSet {
        ResultSet {
            columns,
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(|c| c.map(str::to_string)).collect())
                .collect(),
        }
    }

    // --- aligned -----------------------------------------------------------

    #[test]
    fn aligned_single_row() {
        let r = rs(
            vec![col("a", Align::Right), col("bb", Align::Left)],
            vec![vec![Some("1"), Some("xx")]],
        );
        assert_eq!(
            render_aligned(&r),
            " a | bb \n---+----\n 1 | xx\n(1 row)\n\n"
        );
    }

    #[test]
    fn aligned_single_column() {
        let r = rs(
            vec![col("pg_current_wal_lsn", Align::Left)],
            vec![vec![Some("0/3000060")]],
        );
        assert_eq!(
            render_aligned(&r),
            " pg_current_wal_lsn \n--------------------\n 0/3000060\n(1 row)\n\n"
        );
    }

    #[test]
    fn aligned_two_rows_right_aligned_numbers() {
        let r = rs(
            vec![col("pid", Align::Right), col("state", Align::Left)],
            vec![
                vec![Some("12345"), Some("streaming")],
                vec![Some("7"), Some("catchup")],
            ],
        );
        let expected = "  pid  |   state   \n\
                        -------+-----------\n \
                        12345 | streaming\n     \
                        7 | catchup\n\
                        (2 rows)\n\n";
        assert_eq!(render_aligned(&r), expected);
    }

    #[test]
    fn aligned_right_aligned_last_column_has_no_trailing_space() {
        let r = rs(
            vec![col("name", Align::Left), col("n", Align::Right)],
            vec![vec![Some("x"), Some("5")], vec![Some("y"), Some("1234")]],
        );
        let expected = " name |  n   \n\
                        ------+------\n \
                        x    |    5\n \
                        y    | 1234\n\
                        (2 rows)\n\n";
        assert_eq!(render_aligned(&r), expected);
    }

    #[test]
    fn aligned_zero_rows() {
        let r = rs(
            vec![col("slot_name", Align::Left), col("active", Align::Left)],
            vec![],
        );
        assert_eq!(
            render_aligned(&r),
            " slot_name | active \n-----------+--------\n(0 rows)\n\n"
        );
    }

    #[test]
    fn aligned_null_in_last_column_keeps_the_space_after_the_bar() {
        let r = rs(
            vec![
                col("slot_name", Align::Left),
                col("restart_lsn", Align::Left),
            ],
            vec![vec![Some("s1"), None], vec![Some("s2"), Some("0/5000000")]],
        );
        let expected = " slot_name | restart_lsn \n\
                        -----------+-------------\n \
                        s1        | \n \
                        s2        | 0/5000000\n\
                        (2 rows)\n\n";
        assert_eq!(render_aligned(&r), expected);
    }

    #[test]
    fn aligned_null_in_right_aligned_last_column() {
        let r = rs(
            vec![col("a", Align::Left), col("lag", Align::Right)],
            vec![vec![Some("x"), None]],
        );
        assert_eq!(
            render_aligned(&r),
            " a | lag \n---+-----\n x |    \n(1 row)\n\n"
        );
    }

    #[test]
    fn aligned_centred_header_odd_padding_goes_right() {
        let r = rs(vec![col("a", Align::Left)], vec![vec![Some("xxxx")]]);
        assert_eq!(render_aligned(&r), "  a   \n------\n xxxx\n(1 row)\n\n");
        let r = rs(vec![col("ab", Align::Left)], vec![vec![Some("xxxxx")]]);
        assert_eq!(render_aligned(&r), "  ab   \n-------\n xxxxx\n(1 row)\n\n");
    }

    #[test]
    fn aligned_multiline_value() {
        let r = rs(vec![col("v", Align::Left)], vec![vec![Some("ab\ncde")]]);
        assert_eq!(render_aligned(&r), "  v  \n-----\n ab +\n cde\n(1 row)\n\n");
    }

    #[test]
    fn aligned_multiline_value_beside_other_columns() {
        let r = rs(
            vec![
                col("a", Align::Left),
                col("b", Align::Left),
                col("n", Align::Right),
            ],
            vec![vec![Some("x\nyy"), Some("z"), Some("1")]],
        );
        let expected = " a  | b | n \n\
                        ----+---+---\n \
                        x +| z | 1\n \
                        yy |   | \n\
                        (1 row)\n\n";
        assert_eq!(render_aligned(&r), expected);
    }

    #[test]
    fn aligned_multiline_last_column_only() {
        let r = rs(
            vec![col("a", Align::Left), col("b", Align::Left)],
            vec![vec![Some("1"), Some("p\nq")]],
        );
        assert_eq!(
            render_aligned(&r),
            " a | b \n---+---\n 1 | p+\n   | q\n(1 row)\n\n"
        );
    }

    #[test]
    fn aligned_no_columns() {
        let r = ResultSet {
            columns: vec![],
            rows: vec![vec![]],
        };
        assert_eq!(render_aligned(&r), "--\n(1 row)\n\n");
    }

    #[test]
    fn aligned_escapes_control_characters() {
        let r = rs(
            vec![col("v", Align::Left)],
            vec![vec![Some("a\tb\rc\u{1}")]],
        );
        // "a" + 7 spaces (tab to column 8) + "b" + "\r" + "c" + "\x01" = width 16.
        let expected = [
            "        v         ",
            "------------------",
            " a       b\\rc\\x01",
            "(1 row)",
            "",
            "",
        ]
        .join("\n");
        assert_eq!(render_aligned(&r), expected);
    }

    #[test]
    fn aligned_counts_chars_not_bytes() {
        let r = rs(vec![col("é", Align::Left)], vec![vec![Some("ñé")]]);
        assert_eq!(render_aligned(&r), " é  \n----\n ñé\n(1 row)\n\n");
    }

    // --- expanded ----------------------------------------------------------

    #[test]
    fn expanded_replication_example() {
        let r = rs(
            vec![
                col("pid", Align::Right),
                col("application_name", Align::Left),
            ],
            vec![vec![Some("12345"), Some("walreceiver")]],
        );
        let expected = "-[ RECORD 1 ]----+------------\n\
                        pid              | 12345\n\
                        application_name | walreceiver\n\n";
        assert_eq!(render_expanded(&r), expected);
    }

    #[test]
    fn expanded_two_records_and_null() {
        let r = rs(
            vec![
                col("slot_name", Align::Left),
                col("active_pid", Align::Right),
            ],
            vec![vec![Some("s1"), None], vec![Some("s2"), Some("4242")]],
        );
        let expected = "-[ RECORD 1 ]----\n\
                        slot_name  | s1\n\
                        active_pid | \n\
                        -[ RECORD 2 ]----\n\
                        slot_name  | s2\n\
                        active_pid | 4242\n\n";
        assert_eq!(render_expanded(&r), expected);
    }

    #[test]
    fn expanded_label_wider_than_names() {
        // hwidth 1, dwidth 1: the label overruns the '+', and PostgreSQL 15 widens the
        // data column to the label's width.
        let r = rs(vec![col("a", Align::Left)], vec![vec![Some("x")]]);
        assert_eq!(render_expanded(&r), "-[ RECORD 1 ]\na | x\n\n");
        let r = rs(vec![col("abcdefghij", Align::Left)], vec![vec![Some("x")]]);
        assert_eq!(render_expanded(&r), "-[ RECORD 1 ]-\nabcdefghij | x\n\n");
        let r = rs(vec![col("abcdefghijk", Align::Left)], vec![vec![Some("x")]]);
        assert_eq!(render_expanded(&r), "-[ RECORD 1 ]--\nabcdefghijk | x\n\n");
        let r = rs(
            vec![col("abcdefghijkl", Align::Left)],
            vec![vec![Some("x")]],
        );
        assert_eq!(
            render_expanded(&r),
            "-[ RECORD 1 ]+--\nabcdefghijkl | x\n\n"
        );
        let r = rs(
            vec![col("abcdefghijklm", Align::Left)],
            vec![vec![Some("x")]],
        );
        assert_eq!(
            render_expanded(&r),
            "-[ RECORD 1 ]-+--\nabcdefghijklm | x\n\n"
        );
    }

    #[test]
    fn expanded_label_width_follows_row_count() {
        let rows: Vec<Vec<Option<&str>>> = (0..10).map(|_| vec![Some("x")]).collect();
        let out = render_expanded(&rs(vec![col("a", Align::Left)], rows));
        assert!(out.starts_with("-[ RECORD 1 ]-\na | x\n-[ RECORD 2 ]-\n"));
        assert!(out.ends_with("-[ RECORD 10 ]\na | x\n\n"));
    }

    #[test]
    fn expanded_multiline_value() {
        let r = rs(
            vec![col("name", Align::Left), col("query", Align::Left)],
            vec![vec![Some("n"), Some("select 1\nfrom t")]],
        );
        // psql does not count the "+" column in the rule, so the rule is one shorter.
        let expected = [
            "-[ RECORD 1 ]---",
            "name  | n",
            "query | select 1+",
            "      | from t",
            "",
            "",
        ]
        .join("\n");
        assert_eq!(render_expanded(&r), expected);
    }

    #[test]
    fn expanded_zero_rows() {
        let r = rs(vec![col("pid", Align::Right)], vec![]);
        assert_eq!(render_expanded(&r), "(0 rows)\n\n");
    }
}
