//! Log sequence numbers, timelines and WAL segment file names, printed PostgreSQL's way.

use std::fmt;
use std::str::FromStr;

/// The WAL segment size, `wal_segment_size` (16MB, fixed at initdb).
pub const SEGMENT_SIZE: u64 = 16 * 1024 * 1024;
/// The WAL page size, `wal_block_size` (8kB).
pub const PAGE_SIZE: u64 = 8192;
/// A page header in the middle of a segment (`SizeOfXLogShortPHD`).
pub const SHORT_PAGE_HEADER: u64 = 24;
/// The header of a segment's first page (`SizeOfXLogLongPHD`).
pub const LONG_PAGE_HEADER: u64 = 40;

/// A position in the write-ahead log: a byte offset into the WAL stream.
///
/// `Display` prints it as PostgreSQL does, the high and low 32 bits in upper-case hex
/// separated by a slash: `0/3000060`. `FromStr` accepts the same text (as `pg_lsn` does).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Lsn(pub u64);

impl Lsn {
    /// The segment number this position falls in.
    pub fn segment(self) -> u64 {
        self.0 / SEGMENT_SIZE
    }

    /// The first byte of this position's segment (what `receive_start_lsn` shows).
    pub fn segment_start(self) -> Lsn {
        Lsn(self.segment() * SEGMENT_SIZE)
    }

    /// The WAL file holding this position on `tli`, as `pg_walfile_name()` names it.
    ///
    /// Like PostgreSQL, a position exactly on a segment boundary belongs to the
    /// previous segment (the one that ends there).
    pub fn walfile_name(self, tli: TimelineId) -> String {
        let seg = if self.0 > 0 {
            (self.0 - 1) / SEGMENT_SIZE
        } else {
            0
        };
        segment_file_name(tli, seg)
    }

    /// Bytes from `other` to `self` (`pg_wal_lsn_diff`).
    pub fn diff(self, other: Lsn) -> i64 {
        self.0 as i64 - other.0 as i64
    }

    /// Where the next record written at `self` starts: after the page header when
    /// `self` is the start of a page (PostgreSQL's redo point after a WAL switch is
    /// `0/3000028`, not `0/3000000`).
    pub fn record_start(self) -> Lsn {
        Lsn(skip_header(self.0))
    }

    /// Where a record of `len` bytes starting at or after `self` ends, skipping the page
    /// headers PostgreSQL puts at every 8kB page and every segment start. Returns the
    /// record's start (after any header) and the position after its last byte.
    pub fn allocate(self, len: u64) -> (Lsn, Lsn) {
        let mut pos = skip_header(self.0);
        let start = pos;
        let mut remaining = len;
        while remaining > 0 {
            let page_end = (pos / PAGE_SIZE + 1) * PAGE_SIZE;
            let room = page_end - pos;
            if remaining <= room {
                pos += remaining;
                remaining = 0;
            } else {
                remaining -= room;
                pos = skip_header(page_end);
            }
        }
        (Lsn(start), Lsn(align8(pos)))
    }
}

fn skip_header(pos: u64) -> u64 {
    if pos.is_multiple_of(SEGMENT_SIZE) {
        pos + LONG_PAGE_HEADER
    } else if pos.is_multiple_of(PAGE_SIZE) {
        pos + SHORT_PAGE_HEADER
    } else {
        pos
    }
}

/// Whole 16MB segments in a size setting given in MB (ConvertToXSegs).
pub fn mb_to_segments(mb: u64) -> u64 {
    mb / (SEGMENT_SIZE / (1024 * 1024))
}

/// Rounds up to PostgreSQL's MAXALIGN (8 bytes).
pub fn align8(n: u64) -> u64 {
    (n + 7) & !7
}

/// The name of WAL segment number `seg` on timeline `tli`: `000000010000000000000003`.
pub fn segment_file_name(tli: TimelineId, seg: u64) -> String {
    let per_log = 0x1_0000_0000 / SEGMENT_SIZE;
    format!("{:08X}{:08X}{:08X}", tli.0, seg / per_log, seg % per_log)
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// The text could not be read as an LSN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLsn(pub String);

impl fmt::Display for BadLsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid input syntax for type pg_lsn: \"{}\"", self.0)
    }
}

impl FromStr for Lsn {
    type Err = BadLsn;

    fn from_str(s: &str) -> Result<Lsn, BadLsn> {
        let bad = || BadLsn(s.to_string());
        let (hi, lo) = s.split_once('/').ok_or_else(bad)?;
        let ok =
            |p: &str| !p.is_empty() && p.len() <= 8 && p.bytes().all(|b| b.is_ascii_hexdigit());
        if !ok(hi) || !ok(lo) {
            return Err(bad());
        }
        let hi = u64::from_str_radix(hi, 16).map_err(|_| bad())?;
        let lo = u64::from_str_radix(lo, 16).map_err(|_| bad())?;
        Ok(Lsn(hi << 32 | lo))
    }
}

/// A timeline: a history of WAL that forks at each promotion. Prints as a number.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TimelineId(pub u32);

impl fmt::Display for TimelineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_postgresql() {
        assert_eq!(Lsn(0x3000060).to_string(), "0/3000060");
        assert_eq!(Lsn(0x1_2000_00D8).to_string(), "1/200000D8");
        assert_eq!("0/120000D8".parse::<Lsn>(), Ok(Lsn(0x1200_00D8)));
        assert!("0/12G".parse::<Lsn>().is_err());
        assert!("3000060".parse::<Lsn>().is_err());
    }

    #[test]
    fn walfile_names_match_pg_walfile_name() {
        assert_eq!(
            Lsn(0x3000060).walfile_name(TimelineId(1)),
            "000000010000000000000003"
        );
        assert_eq!(
            Lsn(0x26000000).walfile_name(TimelineId(2)),
            "000000020000000000000025"
        );
        assert_eq!(
            Lsn(0x1_0000_0001).walfile_name(TimelineId(1)),
            "000000010000000100000000"
        );
    }

    #[test]
    fn records_skip_page_headers() {
        // After pg_switch_wal the next record starts past the segment's long header.
        let (start, end) = Lsn(0x3000000).allocate(24);
        assert_eq!(start, Lsn(0x3000028));
        assert_eq!(end, Lsn(0x3000040));
        // 1,000 rows of 64 bytes cross 7 or 8 page boundaries: about 64,200 bytes.
        let mut pos = Lsn(0x3000100);
        let begin = pos;
        for _ in 0..1000 {
            pos = pos.allocate(64).1;
        }
        let used = pos.diff(begin);
        assert!(
            (64_000 + 7 * 24..=64_000 + 8 * 24).contains(&used),
            "{used}"
        );
    }
}
