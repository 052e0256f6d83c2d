//! `df`: the host's filesystems, the data directory's disk among them (its size from
//! `lab$ disk`, its use from the model: initdb's catalogs, tables, pg_wal, files).

use crate::sim::disk::human;
use crate::sim::{Cluster, HostId, GIB, PGHOME};

/// The root filesystem: the operating system and PostgreSQL's binaries, the same on
/// every host and never filling.
const ROOT_SIZE: u64 = 20 * GIB;
const ROOT_USED: u64 = 2_469_606_195;

/// `df [-h] [PATH...]`, with coreutils' columns.
pub(super) fn df(c: &Cluster, h: HostId, args: &[String]) -> String {
    let human_sizes = args
        .iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('h'))
        || args.iter().any(|a| a == "--human-readable");
    if let Some(bad) = args.iter().find(|a| {
        a.starts_with('-')
            && a.trim_start_matches('-').chars().any(|ch| ch != 'h')
            && *a != "--human-readable"
    }) {
        return format!(
            "df: invalid option -- '{}'\nTry 'df --help' for more information.\n",
            bad.trim_start_matches('-')
                .chars()
                .find(|ch| *ch != 'h')
                .unwrap_or('-')
        );
    }
    let u = c.disk_usage(h);
    let data = ("/dev/vdb", u.size, u.used(), PGHOME);
    let root = ("/dev/vda1", ROOT_SIZE, ROOT_USED, "/");
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let rows: Vec<_> = if paths.is_empty() {
        vec![root, data]
    } else {
        paths
            .iter()
            .map(|p| {
                let abs = if p.starts_with('/') {
                    p.to_string()
                } else {
                    format!("{}/{p}", crate::sim::PGDATA)
                };
                if abs == PGHOME || abs.starts_with(&format!("{PGHOME}/")) {
                    data
                } else {
                    root
                }
            })
            .collect()
    };
    let mut table: Vec<[String; 6]> = vec![if human_sizes {
        ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"].map(String::from)
    } else {
        [
            "Filesystem",
            "1K-blocks",
            "Used",
            "Available",
            "Use%",
            "Mounted on",
        ]
        .map(String::from)
    }];
    for (dev, size, used, mount) in rows {
        let size_k = size / 1024;
        let used_k = used.div_ceil(1024);
        let avail_k = size_k.saturating_sub(used_k);
        let pct = (used_k.saturating_mul(100))
            .div_ceil((used_k + avail_k).max(1))
            .min(100);
        let show = |k: u64| {
            if human_sizes {
                human(k.saturating_mul(1024))
            } else {
                k.to_string()
            }
        };
        table.push([
            dev.to_string(),
            show(size_k),
            show(used_k),
            show(avail_k),
            format!("{pct}%"),
            mount.to_string(),
        ]);
    }
    let mins = if human_sizes {
        [14, 5, 5, 5, 4]
    } else {
        [14, 9, 5, 9, 4]
    };
    let mut width = mins;
    for row in &table {
        for (w, cell) in width.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.len());
        }
    }
    table
        .iter()
        .map(|r| {
            format!(
                "{:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {}\n",
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                w0 = width[0],
                w1 = width[1],
                w2 = width[2],
                w3 = width[3],
                w4 = width[4]
            )
        })
        .collect()
}
