//! The records a WAL keeps, in order, stored so that a copy of them is cheap: full
//! chunks of [`CHUNK`] records are shared (`Arc`) between copies and only the newest,
//! unfilled chunk is copied. The browser keeps a copy of the whole lab every 10 virtual
//! seconds for scrubbing, and a busy primary and its standbys each keep a few hundred
//! thousand records: copied one by one, those snapshots were a third of the time it
//! took to open a link to an hour-old lab. Shared chunks never change; removing
//! records from either end of a shared chunk copies it or skips into it.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use super::WalRecord;

/// Records in a shared chunk.
pub const CHUNK: usize = 256;

/// WAL records in LSN order, with a deque's operations.
#[derive(Clone, Default)]
pub struct Records {
    /// Full chunks of exactly [`CHUNK`] records, oldest first.
    chunks: VecDeque<Arc<Vec<WalRecord>>>,
    /// Records already removed from the front of the first chunk.
    skip: usize,
    /// The newest records, fewer than [`CHUNK`].
    tail: Vec<WalRecord>,
}

impl Records {
    pub fn new() -> Records {
        Records::default()
    }

    pub fn len(&self) -> usize {
        self.chunks.len() * CHUNK - self.skip + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record at `i` (0 is the oldest), if there is one.
    pub fn get(&self, i: usize) -> Option<&WalRecord> {
        let at = i.checked_add(self.skip)?;
        let sealed = self.chunks.len() * CHUNK;
        if at < sealed {
            Some(&self.chunks[at / CHUNK][at % CHUNK])
        } else {
            self.tail.get(at - sealed)
        }
    }

    pub fn front(&self) -> Option<&WalRecord> {
        self.get(0)
    }

    pub fn back(&self) -> Option<&WalRecord> {
        self.tail
            .last()
            .or_else(|| self.chunks.back().and_then(|c| c.last()))
    }

    pub fn push_back(&mut self, r: WalRecord) {
        self.tail.push(r);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.chunks.push_back(Arc::new(full));
        }
    }

    pub fn pop_back(&mut self) -> Option<WalRecord> {
        if self.tail.is_empty() {
            // Open the newest chunk again (a copy if a snapshot shares it).
            let last = self.chunks.pop_back()?;
            let mut records = Arc::unwrap_or_clone(last);
            if self.chunks.is_empty() {
                records.drain(..self.skip);
                self.skip = 0;
            }
            self.tail = records;
        }
        self.tail.pop()
    }

    pub fn pop_front(&mut self) -> Option<WalRecord> {
        if self.chunks.is_empty() {
            return (!self.tail.is_empty()).then(|| self.tail.remove(0));
        }
        let r = self.chunks[0][self.skip].clone();
        self.skip += 1;
        if self.skip == CHUNK {
            self.chunks.pop_front();
            self.skip = 0;
        }
        Some(r)
    }

    /// The records from the `from`-th on (none when `from` is past the end).
    pub fn iter_from(&self, from: usize) -> impl DoubleEndedIterator<Item = &WalRecord> {
        let at = from.saturating_add(self.skip);
        let sealed = self.chunks.len() * CHUNK;
        let (first_chunk, offset) = if at < sealed {
            (at / CHUNK, at % CHUNK)
        } else {
            (self.chunks.len(), 0)
        };
        let tail_from = at.saturating_sub(sealed).min(self.tail.len());
        self.chunks
            .range(first_chunk..)
            .enumerate()
            .flat_map(move |(k, c)| c[if k == 0 { offset } else { 0 }..].iter())
            .chain(self.tail[tail_from..].iter())
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &WalRecord> {
        self.iter_from(0)
    }
}

impl std::ops::Index<usize> for Records {
    type Output = WalRecord;

    fn index(&self, i: usize) -> &WalRecord {
        match self.get(i) {
            Some(r) => r,
            None => panic!("WAL record {i} of {}", self.len()),
        }
    }
}

impl Extend<WalRecord> for Records {
    fn extend<I: IntoIterator<Item = WalRecord>>(&mut self, records: I) {
        for r in records {
            self.push_back(r);
        }
    }
}

impl FromIterator<WalRecord> for Records {
    fn from_iter<I: IntoIterator<Item = WalRecord>>(records: I) -> Records {
        let mut out = Records::new();
        out.extend(records);
        out
    }
}

/// Equal when they hold the same records, however those are chunked.
impl PartialEq for Records {
    fn eq(&self, other: &Records) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Records {}

impl fmt::Debug for Records {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Lsn, RecordBody};
    use super::*;

    fn record(i: u64) -> WalRecord {
        WalRecord {
            start: Lsn(i * 8),
            end: Lsn(i * 8 + 8),
            body: RecordBody::RunningXacts,
        }
    }

    /// Every operation, against a plain deque, across chunk boundaries and with a copy
    /// that shares chunks changed on both sides.
    #[test]
    fn behaves_as_a_deque_and_copies_stay_apart() {
        let mut plain: VecDeque<WalRecord> = VecDeque::new();
        let mut chunked = Records::new();
        let mut next = 0u64;
        let check = |plain: &VecDeque<WalRecord>, chunked: &Records| {
            assert_eq!(chunked.len(), plain.len());
            assert!(chunked.iter().eq(plain.iter()));
            assert!(chunked.iter().rev().eq(plain.iter().rev()));
            assert_eq!(chunked.front(), plain.front());
            assert_eq!(chunked.back(), plain.back());
            for from in [
                0,
                1,
                CHUNK - 1,
                CHUNK,
                CHUNK + 3,
                plain.len(),
                plain.len() + 5,
            ] {
                assert!(chunked
                    .iter_from(from)
                    .eq(plain.range(from.min(plain.len())..)));
                assert_eq!(chunked.get(from), plain.get(from));
            }
        };
        // (pushes, pops from the back, pops from the front) in turn.
        for (push, back, front) in [
            (700, 3, 10),
            (300, 290, 250),
            (5, 0, 240),
            (1000, 600, 0),
            (0, 0, 900),
        ] {
            let snapshot = chunked.clone();
            let plain_snapshot = plain.clone();
            for _ in 0..push {
                plain.push_back(record(next));
                chunked.push_back(record(next));
                next += 1;
            }
            for _ in 0..back {
                assert_eq!(chunked.pop_back(), plain.pop_back());
            }
            for _ in 0..front {
                assert_eq!(chunked.pop_front(), plain.pop_front());
            }
            check(&plain, &chunked);
            check(&plain_snapshot, &snapshot);
        }
        assert_eq!(chunked.pop_back(), None);
        assert_eq!(chunked.pop_front(), None);
    }
}
