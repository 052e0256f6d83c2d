//! psql-compatible text rendering for query results, and PostgreSQL's text output
//! for intervals and timestamps.
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

/// How a column's values line up, as psql does: numbers right, everything else left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text, dates, LSNs and anything non-numeric: padded on the right.
    Left,
    /// Numeric types (int, float, numeric, oid...): padded on the left.
    Right,
}

/// One column header of a result, with the alignment psql picks from its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column name as the server reports it.
    pub name: String,
    /// Where psql puts the values of this column.
    pub align: Align,
}

/// A query result: column headers and rows of already-formatted text values
/// (None = SQL NULL, printed empty).
///
/// A row shorter than `columns` is treated as having NULLs in its missing cells;
/// cells beyond `columns.len()` are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultSet {
    /// The column headers, in output order.
    pub columns: Vec<Column>,
    /// The rows, each a list of cells in column order.
    pub rows: Vec<Vec<Option<String>>>,
}

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

// ---------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;

/// PostgreSQL's interval output (IntervalStyle postgres) for a span in microseconds.
///
/// This is an interval whose whole value sits in the time field, as the server builds
/// the `*_lag` columns of `pg_stat_replication`: days are never split out, so hours can
/// exceed 24 ("26:00:00"). The fraction of a second loses its trailing zeros and a
/// negative span prints as "-HH:MM:SS[.ffffff]".
pub fn format_interval(micros: i64) -> String {
    format_interval_parts(0, 0, micros)
}

/// PostgreSQL's interval output (IntervalStyle postgres) for an interval's three
/// fields: months, days and microseconds, as `interval_out` prints them.
///
/// For example `(0, 1, 3_661_000_000)` is "1 day 01:01:01", `(0, 2, 0)` is "2 days",
/// `(14, 0, 0)` is "1 year 2 mons" and `(0, -1, -3_600_000_000)` is
/// "-1 days -01:00:00". Use [`format_interval_justified`] for timestamp differences.
pub fn format_interval_parts(months: i32, days: i32, micros: i64) -> String {
    let years = i64::from(months / 12);
    let mons = i64::from(months % 12);
    let hours = micros / USECS_PER_HOUR;
    let mut rest = micros - hours * USECS_PER_HOUR;
    let mins = rest / USECS_PER_MINUTE;
    rest -= mins * USECS_PER_MINUTE;
    let secs = rest / USECS_PER_SEC;
    let fsec = rest - secs * USECS_PER_SEC;

    let mut out = String::new();
    let mut is_zero = true;
    let mut is_before = false;
    add_postgres_int_part(&mut out, years, "year", &mut is_zero, &mut is_before);
    add_postgres_int_part(&mut out, mons, "mon", &mut is_zero, &mut is_before);
    add_postgres_int_part(
        &mut out,
        i64::from(days),
        "day",
        &mut is_zero,
        &mut is_before,
    );
    if is_zero || hours != 0 || mins != 0 || secs != 0 || fsec != 0 {
        let minus = hours < 0 || mins < 0 || secs < 0 || fsec < 0;
        if !is_zero {
            out.push(' ');
        }
        if minus {
            out.push('-');
        } else if is_before {
            out.push('+');
        }
        out.push_str(&format!(
            "{:02}:{:02}:{:02}",
            hours.unsigned_abs(),
            mins.unsigned_abs(),
            secs.unsigned_abs()
        ));
        out.push_str(&fraction_digits(fsec.unsigned_abs()));
    }
    out
}

/// PostgreSQL's interval output for a difference of two timestamps in microseconds, as
/// `timestamptz - timestamptz` returns it: the difference goes through `justify_hours`,
/// so whole days are split out ("1 day 02:00:00", "-1 days -02:00:00").
pub fn format_interval_justified(micros: i64) -> String {
    let days = micros / USECS_PER_DAY;
    let time = micros - days * USECS_PER_DAY;
    // |days| <= i64::MAX / 86_400_000_000, far inside i32.
    let days = i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX });
    format_interval_parts(0, days, time)
}

/// `AddPostgresIntPart`: "N unit[s]", separated by a space from what precedes it, with a
/// "+" when the previous part was negative and this one is positive.
fn add_postgres_int_part(
    out: &mut String,
    value: i64,
    unit: &str,
    is_zero: &mut bool,
    is_before: &mut bool,
) {
    if value == 0 {
        return;
    }
    if !*is_zero {
        out.push(' ');
    }
    if *is_before && value > 0 {
        out.push('+');
    }
    out.push_str(&format!("{value} {unit}"));
    if value != 1 {
        out.push('s');
    }
    *is_before = value < 0;
    *is_zero = false;
}

/// ".ffffff" for a fraction of a second in microseconds, trailing zeros trimmed;
/// empty when the fraction is zero (PostgreSQL's `AppendSeconds`).
fn fraction_digits(frac_micros: u64) -> String {
    if frac_micros == 0 {
        return String::new();
    }
    let digits = format!("{frac_micros:06}");
    format!(".{}", digits.trim_end_matches('0'))
}

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

/// A broken-down UTC time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
}

/// The proleptic Gregorian date of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`), as (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day and month are within 1..=31 and 1..=12 by construction.
    (year, month as u32, day as u32)
}

fn civil_from_unix_micros(unix_micros: i64) -> Civil {
    let days = unix_micros.div_euclid(USECS_PER_DAY);
    let in_day = unix_micros.rem_euclid(USECS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: in_day / USECS_PER_HOUR,
        minute: in_day % USECS_PER_HOUR / USECS_PER_MINUTE,
        second: in_day % USECS_PER_MINUTE / USECS_PER_SEC,
        micros: in_day % USECS_PER_SEC,
    }
}

/// timestamptz output with TimeZone=UTC, e.g. "2026-11-24 21:10:52.039123+00"
/// (trailing zeros of the fraction trimmed, no fraction when zero).
///
/// Mirrors `EncodeDateTime` with DateStyle ISO; years before 1 AD print as PostgreSQL
/// does, with the year counted back from 1 and " BC" at the end.
pub fn format_timestamptz(unix_micros: i64) -> String {
    let t = civil_from_unix_micros(unix_micros);
    let (year, bc) = if t.year > 0 {
        (t.year, "")
    } else {
        (1 - t.year, " BC")
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}+00{}",
        year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        fraction_digits(t.micros.unsigned_abs()),
        bc
    )
}

/// The server log's timestamp (log_line_prefix '%m'), e.g. "2026-11-24 21:10:52.039 UTC"
/// (always 3 digits of milliseconds).
///
/// Mirrors `setup_formatted_log_time` with log_timezone UTC: milliseconds are the
/// microseconds truncated, not rounded.
pub fn format_log_timestamp(unix_micros: i64) -> String {
    let t = civil_from_unix_micros(unix_micros);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC",
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.micros / 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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

    // --- intervals ---------------------------------------------------------

    #[test]
    fn interval_values() {
        assert_eq!(format_interval(0), "00:00:00");
        assert_eq!(format_interval(783), "00:00:00.000783");
        assert_eq!(format_interval(1_500_000), "00:00:01.5");
        assert_eq!(format_interval(61_000_000), "00:01:01");
        assert_eq!(format_interval(26 * USECS_PER_HOUR), "26:00:00");
        assert_eq!(format_interval(90_061_000_000), "25:01:01");
        assert_eq!(format_interval(-1_500_000), "-00:00:01.5");
        assert_eq!(format_interval(-783), "-00:00:00.000783");
        assert_eq!(format_interval(10_000), "00:00:00.01");
        assert_eq!(format_interval(i64::MIN), "-2562047788:00:54.775808");
    }

    #[test]
    fn interval_with_days_and_months() {
        assert_eq!(format_interval_parts(0, 1, 3_661_000_000), "1 day 01:01:01");
        assert_eq!(format_interval_parts(0, 2, 0), "2 days");
        assert_eq!(format_interval_parts(14, 0, 0), "1 year 2 mons");
        assert_eq!(format_interval_parts(1, 1, 0), "1 mon 1 day");
        assert_eq!(
            format_interval_parts(0, -1, -3_600_000_000),
            "-1 days -01:00:00"
        );
        assert_eq!(
            format_interval_parts(0, -1, 3_600_000_000),
            "-1 days +01:00:00"
        );
        assert_eq!(
            format_interval_parts(0, 1, -3_600_000_000),
            "1 day -01:00:00"
        );
        assert_eq!(format_interval_parts(-1, 1, 0), "-1 mons +1 day");
        assert_eq!(format_interval_justified(90_061_000_000), "1 day 01:01:01");
        assert_eq!(
            format_interval_justified(-93_600_000_000),
            "-1 days -02:00:00"
        );
        assert_eq!(format_interval_justified(3_600_000_000), "01:00:00");
    }

    // --- timestamps --------------------------------------------------------

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(20_781), (2026, 11, 24));
        assert_eq!(civil_from_days(21_243), (2028, 2, 29));
        assert_eq!(civil_from_days(21_244), (2028, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1)); // 2100 is not a leap year
        assert_eq!(civil_from_days(84_005), (2199, 12, 31));
        assert_eq!(civil_from_days(84_006), (2200, 1, 1));
    }

    #[test]
    fn civil_dates_round_trip_1970_to_2200() {
        // Walk every day and check it follows the previous one.
        let mut prev = civil_from_days(0);
        for d in 1..=84_006 {
            let cur = civil_from_days(d);
            let (y, m, dd) = prev;
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let mlen = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let next = if dd < mlen {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            assert_eq!(cur, next, "day {d}");
            prev = cur;
        }
        assert_eq!(prev, (2200, 1, 1));
    }

    #[test]
    fn timestamptz_output() {
        assert_eq!(
            format_timestamptz(1_795_554_652_039_123),
            "2026-11-24 21:10:52.039123+00"
        );
        assert_eq!(
            format_timestamptz(1_795_554_652_000_000),
            "2026-11-24 21:10:52+00"
        );
        assert_eq!(
            format_timestamptz(1_795_554_652_039_000),
            "2026-11-24 21:10:52.039+00"
        );
        assert_eq!(
            format_timestamptz(1_835_395_200_000_000),
            "2028-02-29 00:00:00+00"
        );
        assert_eq!(format_timestamptz(0), "1970-01-01 00:00:00+00");
        assert_eq!(format_timestamptz(-1), "1969-12-31 23:59:59.999999+00");
        // 0001-01-01 BC is the day before 0001-01-01 AD.
        assert_eq!(
            format_timestamptz(-62_135_596_800_000_000 - USECS_PER_DAY),
            "0001-12-31 00:00:00+00 BC"
        );
    }

    #[test]
    fn log_timestamp_output() {
        assert_eq!(
            format_log_timestamp(1_795_554_652_039_123),
            "2026-11-24 21:10:52.039 UTC"
        );
        assert_eq!(
            format_log_timestamp(1_795_554_652_999_999),
            "2026-11-24 21:10:52.999 UTC"
        );
        assert_eq!(
            format_log_timestamp(1_835_395_200_000_000),
            "2028-02-29 00:00:00.000 UTC"
        );
        assert_eq!(format_log_timestamp(-1), "1969-12-31 23:59:59.999 UTC");
    }
}
