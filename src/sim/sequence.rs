//! Sequences (sequence.c): the one row a sequence holds, and nextval's rule for when
//! it writes WAL.
//!
//! nextval logs 32 values ahead (SEQ_LOG_VALS) and hands out the next 32 without WAL;
//! it logs again when those run out, or on the first call after a checkpoint (the page
//! would otherwise be replayed from its image at an older value). A standby, which
//! only sees the WAL, therefore reads a sequence up to 32 values ahead of the primary,
//! and a crash or a failover skips the values logged but not handed out. Sequences are
//! not replicated by logical replication.
//!
//! Simplified: every sequence has CACHE 1 and NO CYCLE (the options that change them
//! are refused); `pg_sequence`'s catalog is kept with the row.

/// Values nextval logs ahead of the one it returns (SEQ_LOG_VALS).
pub const SEQ_LOG_VALS: i64 = 32;

/// A sequence: its row (`last_value`, `log_cnt`, `is_called`) and its options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sequence {
    pub last_value: i64,
    pub log_cnt: i64,
    pub is_called: bool,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    /// `bigint` for CREATE SEQUENCE, `integer` for a serial column's.
    pub type_name: &'static str,
    /// The table and serial column that own it: DROP TABLE drops it too.
    pub owned_by: Option<(String, String)>,
    /// Its OID (and file, `base/5/OID`).
    pub oid: u32,
    /// The end of the WAL record that last logged it (the page's LSN, as a byte
    /// position): a checkpoint after it makes the next nextval log again.
    pub page_lsn: u64,
    /// What that record logged (`last_value`, `is_called`): what crash recovery and a
    /// standby read.
    pub logged: (i64, bool),
}

/// What one nextval did: the value, and the row to log when it must write WAL.
pub struct Next {
    pub value: i64,
    pub logged: Option<Sequence>,
}

impl Sequence {
    /// A new sequence starting at `start` (CREATE SEQUENCE's defaults otherwise).
    pub fn new(start: i64, increment: i64, max: i64, type_name: &'static str, oid: u32) -> Self {
        let min = if increment > 0 { 1 } else { min_of(type_name) };
        let max = if increment > 0 { max } else { -1 };
        Sequence {
            last_value: start,
            log_cnt: 0,
            is_called: false,
            start,
            increment,
            min,
            max,
            type_name,
            owned_by: None,
            oid,
            page_lsn: 0,
            logged: (start, false),
        }
    }

    /// nextval_internal with CACHE 1: the value it returns, the row it logs (when it
    /// logs), or the error at the end of the range. `checkpointed` says whether a
    /// checkpoint's redo point has passed the page's LSN. Changes `self` to what the
    /// primary's buffer holds after the call.
    pub fn nextval(&mut self, name: &str, checkpointed: bool) -> Result<Next, String> {
        let cache = 1;
        let mut fetch = cache;
        let mut log = self.log_cnt;
        let mut rescnt = 0;
        let (mut last, mut next, mut result) = (self.last_value, self.last_value, self.last_value);
        if !self.is_called {
            rescnt += 1;
            fetch -= 1;
        }
        let logit = log < fetch || !self.is_called || checkpointed;
        if logit {
            fetch += SEQ_LOG_VALS;
            log = fetch;
        }
        while fetch > 0 {
            match next
                .checked_add(self.increment)
                .filter(|n| (self.min..=self.max).contains(n))
            {
                Some(n) => next = n,
                None if rescnt > 0 => break,
                None => {
                    let (word, bound) = if self.increment > 0 {
                        ("maximum", self.max)
                    } else {
                        ("minimum", self.min)
                    };
                    return Err(format!(
                        "nextval: reached {word} value of sequence \"{name}\" ({bound})"
                    ));
                }
            }
            fetch -= 1;
            if rescnt < cache {
                log -= 1;
                rescnt += 1;
                last = next;
                if rescnt == 1 {
                    result = next;
                }
            }
        }
        log -= fetch;
        let logged = logit.then(|| Sequence {
            last_value: next,
            log_cnt: 0,
            is_called: true,
            logged: (next, true),
            ..self.clone()
        });
        if logit {
            self.logged = (next, true);
        }
        self.last_value = last;
        self.log_cnt = log;
        self.is_called = true;
        Ok(Next {
            value: result,
            logged,
        })
    }

    /// setval: the row it logs, or the out-of-bounds error.
    pub fn setval(&mut self, name: &str, value: i64, is_called: bool) -> Result<Sequence, String> {
        if !(self.min..=self.max).contains(&value) {
            return Err(format!(
                "setval: value {value} is out of bounds for sequence \"{name}\" ({}..{})",
                self.min, self.max
            ));
        }
        self.last_value = value;
        self.is_called = is_called;
        self.log_cnt = 0;
        self.logged = (value, is_called);
        Ok(self.clone())
    }

    /// The row as crash recovery leaves it: what the last record logged.
    pub fn as_logged(&mut self) {
        self.last_value = self.logged.0;
        self.is_called = self.logged.1;
        self.log_cnt = 0;
    }
}

/// The largest value of a sequence of type `type_name`.
pub fn max_of(type_name: &str) -> i64 {
    if type_name == "integer" {
        i64::from(i32::MAX)
    } else {
        i64::MAX
    }
}

fn min_of(type_name: &str) -> i64 {
    if type_name == "integer" {
        i64::from(i32::MIN)
    } else {
        i64::MIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL 15.18: `CREATE SEQUENCE s1`, then `SELECT nextval('s1')` twice and
    /// `SELECT * FROM s1` printed `2 | 31 | t`; the first nextval wrote 144 bytes of WAL
    /// (its record and a commit), the second none.
    #[test]
    fn nextval_logs_32_ahead_then_hands_out_values_without_wal() {
        let mut s = Sequence::new(1, 1, i64::MAX, "bigint", 16500);
        let first = s.nextval("s1", false).unwrap();
        assert_eq!(first.value, 1);
        let logged = first.logged.expect("the first call logs");
        assert_eq!(
            (logged.last_value, logged.log_cnt, logged.is_called),
            (33, 0, true)
        );
        assert_eq!((s.last_value, s.log_cnt, s.is_called), (1, 32, true));
        let second = s.nextval("s1", false).unwrap();
        assert_eq!(second.value, 2);
        assert!(second.logged.is_none());
        assert_eq!((s.last_value, s.log_cnt), (2, 31));
        for _ in 0..31 {
            assert!(s.nextval("s1", false).unwrap().logged.is_none());
        }
        let again = s.nextval("s1", false).unwrap();
        assert_eq!(again.value, 34);
        assert_eq!(again.logged.map(|l| l.last_value), Some(66));
        // After a checkpoint the next call logs even with values left.
        let after = s.nextval("s1", true).unwrap();
        assert_eq!(
            (after.value, after.logged.map(|l| l.last_value)),
            (35, Some(67))
        );
    }

    /// PostgreSQL 15.18: `setval('s1', 100)` then `nextval` printed 101, and the row
    /// `101 | 32 | t`; `CREATE SEQUENCE sm MAXVALUE 2` gave 1, 2 and then `ERROR:
    /// nextval: reached maximum value of sequence "sm" (2)`; `setval('sprobe', 0)`:
    /// `setval: value 0 is out of bounds for sequence "sprobe" (1..9223372036854775807)`.
    #[test]
    fn setval_and_the_end_of_the_range() {
        let mut s = Sequence::new(1, 1, i64::MAX, "bigint", 1);
        s.setval("s1", 100, true).unwrap();
        let n = s.nextval("s1", false).unwrap();
        assert_eq!((n.value, s.last_value, s.log_cnt), (101, 101, 32));
        assert_eq!(
            s.setval("sprobe", 0, true).unwrap_err(),
            "setval: value 0 is out of bounds for sequence \"sprobe\" (1..9223372036854775807)"
        );
        let mut sm = Sequence::new(1, 1, 2, "bigint", 2);
        assert_eq!(sm.nextval("sm", false).unwrap().value, 1);
        assert_eq!(sm.nextval("sm", false).unwrap().value, 2);
        assert_eq!(
            sm.nextval("sm", false).err().unwrap(),
            "nextval: reached maximum value of sequence \"sm\" (2)"
        );
    }
}
