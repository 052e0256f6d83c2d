//! What wal_level = logical adds to a transaction's WAL.
//!
//! Measured on PostgreSQL 15.18 with `pg_current_wal_insert_lsn()` before and after each
//! statement, once with `wal_level = replica` and once after `ALTER SYSTEM SET wal_level
//! = logical` and a restart (tests/logical.rs names the commands):
//!
//! - every commit record grows from 34 to 46 bytes (the database info `xl_xact_dbinfo` is
//!   always logged), 40 to 48 once MAXALIGNed: `INSERT INTO test VALUES (1)` 104 -> 112;
//! - an UPDATE or DELETE of a table with a primary key also logs the old key (the
//!   replica identity): 8 bytes more per row (`UPDATE w ...` 112 -> 128, `DELETE FROM w
//!   ...` 96 -> 112); without a key (REPLICA IDENTITY DEFAULT and no index) only the
//!   commit grows (112 -> 120, 96 -> 104);
//! - ALTER TABLE logs the catalog tuples' command ids for decoding (XLOG_HEAP2_NEW_CID):
//!   `ADD COLUMN c int` 576 -> 880, `ADD COLUMN d2 int DEFAULT 7` 1,544 -> 2,408, `ADD
//!   COLUMN f text` (a new TOAST table) 16,968 -> 19,304 and `DROP COLUMN c` 560 -> 808.

use crate::cluster::Cluster;
use crate::db::Change;
use crate::event::HostId;
use crate::wal;

/// Bytes a logical commit record adds.
pub const LOGICAL_COMMIT_EXTRA: u64 = 8;
/// Bytes the old key adds to an UPDATE or DELETE record of a table with a primary key.
pub const LOGICAL_OLD_KEY_EXTRA: u64 = 8;
/// What ALTER TABLE ... ADD COLUMN adds, and its DEFAULT, and a new TOAST table.
pub const LOGICAL_ADD_COLUMN_EXTRA: u64 = 296;
pub const LOGICAL_DEFAULT_EXTRA: u64 = 560;
pub const LOGICAL_TOAST_EXTRA: u64 = 2_032;
/// What ALTER TABLE ... DROP COLUMN adds.
pub const LOGICAL_DROP_COLUMN_EXTRA: u64 = 240;

impl Cluster {
    /// Whether the server on `h` runs with wal_level = logical.
    pub fn wal_level_logical(&self, h: HostId) -> bool {
        self.server(h)
            .is_some_and(|s| s.settings.text("wal_level") == "logical")
    }

    /// What each change's records and the commit record weigh beyond what
    /// wal_level = replica writes: (extra bytes per change, commit record length).
    /// A CREATE TABLE's commit carries its invalidation messages, whatever wal_level is.
    pub fn logical_wal_sizes(&self, h: HostId, changes: &[(u64, Change)]) -> (Vec<u64>, u64) {
        let ddl_commit = changes.iter().find_map(|(_, c)| match c {
            Change::CreateTable { columns, .. } => Some(
                if columns.iter().any(|c| crate::db::toastable(&c.type_name)) {
                    wal::CREATE_TABLE_TOAST_COMMIT
                } else {
                    wal::CREATE_TABLE_COMMIT
                },
            ),
            _ => None,
        });
        if !self.wal_level_logical(h) {
            return (
                vec![0; changes.len()],
                ddl_commit.unwrap_or(wal::COMMIT_RECORD),
            );
        }
        let keyed = |table: &str| {
            self.data(h)
                .and_then(|d| d.db.tables.get(table))
                .is_some_and(|t| t.columns.iter().any(|c| c.primary_key))
        };
        let extra = changes
            .iter()
            .map(|(_, c)| match c {
                Change::Update { table, rows, .. } if keyed(table) => {
                    LOGICAL_OLD_KEY_EXTRA * rows.len() as u64
                }
                Change::Delete { table, ids, .. } if keyed(table) => {
                    LOGICAL_OLD_KEY_EXTRA * ids.len() as u64
                }
                Change::AddColumn { table, column, .. } => {
                    let toast = crate::db::toastable(&column.type_name)
                        && !self
                            .data(h)
                            .and_then(|d| d.db.tables.get(table))
                            .is_some_and(|t| {
                                t.columns.iter().any(|c| crate::db::toastable(&c.type_name))
                            });
                    LOGICAL_ADD_COLUMN_EXTRA
                        + if column.default.is_some() {
                            LOGICAL_DEFAULT_EXTRA
                        } else {
                            0
                        }
                        + if toast { LOGICAL_TOAST_EXTRA } else { 0 }
                }
                Change::DropColumn { .. } => LOGICAL_DROP_COLUMN_EXTRA,
                _ => 0,
            })
            .collect();
        (
            extra,
            ddl_commit.unwrap_or(wal::COMMIT_RECORD + LOGICAL_COMMIT_EXTRA),
        )
    }
}
