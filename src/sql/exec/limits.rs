//! walscope's limits on what a statement may build and what a server keeps.
//!
//! PostgreSQL's limits are its disk and its 1 GB allocations; walscope runs in a browser
//! tab, where a class's laptops have a few hundred megabytes to spare and a link may come
//! from a stranger. So every statement works within the bounds below, and one that
//! would pass them fails as a whole, before anything is applied (no row stored, no WAL
//! written), with PostgreSQL's `ERROR:  out of memory` and a DETAIL naming the limit.
//! Sizes follow the model's own accounting: a value's text length, a row's heap tuple
//! size, a server's heap pages (what `pg_database_size` counts).

use crate::sql::ServerError;

use super::value::Val;
use super::Res;

/// The longest text value a statement may build (repeat, `||`, casts), in bytes.
/// PostgreSQL's own bound, 1 GB, answers "requested length too large" first.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// PostgreSQL's largest allocation (MaxAllocSize): past it, "requested length too large".
pub(super) const MAX_ALLOC: u64 = 0x3fff_ffff;

/// The most rows one statement may produce at any stage (a set-returning function, a
/// join, a query's result, an INSERT's source). The executor holds rows whole and copies
/// them between stages, about 400 bytes a row at the peak: 200,000 rows stay under 100 MB.
pub const MAX_STATEMENT_ROWS: usize = 200_000;

/// The most bytes of rows one statement may hold at once, counted as the executor holds
/// them (a value's text plus 32 bytes per value and 24 per row).
pub const MAX_STATEMENT_BYTES: u64 = 64 << 20;

/// The most rows a server keeps in all its tables.
pub const MAX_STORED_ROWS: usize = 500_000;

/// The most table data a server keeps: heap pages, as `pg_database_size` counts them
/// (without the empty database's 7.5 MB).
pub const MAX_STORED_BYTES: u64 = 64 << 20;

/// PostgreSQL's answer when memory runs out, with walscope's reason.
pub(super) fn out_of_memory(detail: String) -> ServerError {
    let mut e = ServerError::new("out of memory");
    e.detail = Some(detail);
    e
}

/// A text value of `len` bytes is allowed: "requested length too large" past PostgreSQL's
/// 1 GB, "out of memory" past walscope's 1 MB.
pub(super) fn check_value_len(len: u64) -> Res<()> {
    if len > MAX_ALLOC {
        return Err(ServerError::new("requested length too large"));
    }
    if len > MAX_VALUE_BYTES as u64 {
        return Err(out_of_memory(format!(
            "walscope holds text values of at most {MAX_VALUE_BYTES} bytes (1 MB); this one would have {len} bytes."
        )));
    }
    Ok(())
}

/// `rows` rows are allowed in one statement.
pub(super) fn check_rows(rows: u128) -> Res<()> {
    if rows > MAX_STATEMENT_ROWS as u128 {
        return Err(out_of_memory(format!(
            "walscope handles at most {MAX_STATEMENT_ROWS} rows in one statement; this one would produce {rows}."
        )));
    }
    Ok(())
}

/// What a row costs the executor, in the units of [`MAX_STATEMENT_BYTES`].
pub(super) fn row_bytes(row: &[Val]) -> u64 {
    24 + row
        .iter()
        .map(|v| {
            32 + match v {
                Val::Text(s) => s.len() as u64,
                Val::Record(r) => row_bytes(r),
                _ => 0,
            }
        })
        .sum::<u64>()
}

/// Counts the rows a statement holds and fails when they pass [`MAX_STATEMENT_BYTES`].
#[derive(Default)]
pub(super) struct Budget {
    bytes: u64,
}

impl Budget {
    pub(super) fn add(&mut self, row: &[Val]) -> Res<()> {
        self.bytes += row_bytes(row);
        if self.bytes > MAX_STATEMENT_BYTES {
            return Err(out_of_memory(format!(
                "walscope handles at most {} MB of rows in one statement.",
                MAX_STATEMENT_BYTES >> 20
            )));
        }
        Ok(())
    }
}

/// A server may keep `rows` rows and `bytes` of table data.
pub(super) fn check_stored(rows: usize, bytes: u64) -> Res<()> {
    if rows > MAX_STORED_ROWS || bytes > MAX_STORED_BYTES {
        return Err(out_of_memory(format!(
            "walscope keeps at most {MAX_STORED_ROWS} rows and {} MB of table data per server; this statement would leave {rows} rows and {} MB.",
            MAX_STORED_BYTES >> 20,
            bytes.div_ceil(1 << 20)
        )));
    }
    Ok(())
}
