//! What `ls pg_wal` and `pg_ls_waldir()` show, and the file counts of the
//! `checkpoint complete` line: a checkpoint renames old segments to future names
//! (recycling, up to min_wal_size/max_wal_size and the checkpoint distance estimate)
//! and preallocates the next segment when the current one is three quarters written.
//!
//! The expected values were printed by a real PostgreSQL 15.18 server, fresh from
//! `initdb -U postgres` with `log_checkpoints = on` and nothing else changed, running
//! the same lines through `psql -c` and `ls pg_wal` (timestamps and the buffer counts
//! of the log lines differ; the file names and counts are the server's).

use walscope::script::Runner;

/// The WAL file names in `out` (what `ls pg_wal` or pg_ls_waldir printed).
fn wal_names(out: &str) -> Vec<&str> {
    out.lines()
        .map(str::trim)
        .filter(|l| l.len() == 24 && l.chars().all(|c| c.is_ascii_hexdigit()))
        .collect()
}

/// The primary's server log.
fn primary_log(r: &Runner) -> &str {
    let p = r.cluster.host_id("primary").unwrap();
    r.cluster
        .host(p)
        .files
        .get("/var/lib/pgsql/data/log/postgresql.log")
        .unwrap()
}

/// The "N WAL file(s) added, M removed, K recycled" part of each checkpoint line.
fn file_counts(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains("checkpoint complete:"))
        .filter_map(|l| {
            let from = l.find("; ")? + 2;
            let to = l.find(" recycled")?;
            Some(l[from..to].to_string())
        })
        .collect()
}

/// The "distance=... kB, estimate=... kB" part of each checkpoint line.
fn estimates(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains("checkpoint complete:"))
        .filter_map(|l| Some(l[l.find("distance=")?..].to_string()))
        .collect()
}

#[test]
fn checkpoints_recycle_old_segments_into_the_next_names() {
    let mut r = Runner::new(1);
    let ls = |r: &mut Runner, lines: &str| -> Vec<String> {
        let out = r.run_text(lines).expect("parses");
        wal_names(&out).into_iter().map(String::from).collect()
    };
    // Right after initdb, pg_wal holds the one segment written so far.
    assert_eq!(
        ls(&mut r, "primary$ ls pg_wal\n"),
        ["000000010000000000000001"]
    );
    // A switch and a checkpoint: segment 1 is no longer needed, and is renamed to 3,
    // ahead of segment 2 where the checkpoint record went.
    let round = "primary=# SELECT pg_switch_wal();\nprimary=# CHECKPOINT;\nprimary$ ls pg_wal\n";
    assert_eq!(
        ls(&mut r, round),
        ["000000010000000000000002", "000000010000000000000003"]
    );
    assert_eq!(
        ls(&mut r, round),
        ["000000010000000000000003", "000000010000000000000004"]
    );
    // pg_ls_waldir() lists the same files.
    assert_eq!(
        ls(
            &mut r,
            "primary=# SELECT pg_switch_wal();\nprimary=# CHECKPOINT;\nprimary=# SELECT name FROM pg_ls_waldir() ORDER BY 1;\n"
        ),
        ["000000010000000000000004", "000000010000000000000005"]
    );
    // About 33 MB of inserts write into the recycled segment 5 and create segment 6
    // when they first reach it.
    assert_eq!(
        ls(
            &mut r,
            "primary=# CREATE TABLE big (id int, pad text);
primary=# INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 60000) g;
primary$ ls pg_wal
"
        ),
        [
            "000000010000000000000004",
            "000000010000000000000005",
            "000000010000000000000006"
        ]
    );
    // The checkpoint recycles 4 and 5 to 7 and 8.
    assert_eq!(
        ls(&mut r, "primary=# CHECKPOINT;\nprimary$ ls pg_wal\n"),
        [
            "000000010000000000000006",
            "000000010000000000000007",
            "000000010000000000000008"
        ]
    );
    assert_eq!(
        ls(
            &mut r,
            "primary=# INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 60000) g;
primary=# CHECKPOINT;
primary$ ls pg_wal
"
        ),
        [
            "000000010000000000000008",
            "000000010000000000000009",
            "00000001000000000000000A"
        ]
    );
    assert_eq!(
        ls(&mut r, round),
        [
            "000000010000000000000009",
            "00000001000000000000000A",
            "00000001000000000000000B"
        ]
    );
    let log = primary_log(&r);
    assert_eq!(
        file_counts(log),
        [
            "0 WAL file(s) added, 0 removed, 1",
            "0 WAL file(s) added, 0 removed, 1",
            "0 WAL file(s) added, 0 removed, 1",
            "0 WAL file(s) added, 0 removed, 2",
            "0 WAL file(s) added, 0 removed, 2",
            "0 WAL file(s) added, 0 removed, 1",
        ]
    );
    // The estimate follows UpdateCheckPointDistanceEstimate: a larger distance
    // replaces it, a smaller one moves it by a tenth. PostgreSQL printed
    // "distance=33503 kB, estimate=33503 kB", "distance=33379 kB, estimate=33491 kB" and
    // "distance=15037 kB, estimate=31645 kB" for the last three (its inserts write a
    // little more WAL than the model's).
    assert_eq!(
        estimates(log)[3..],
        [
            "distance=33487 kB, estimate=33487 kB",
            "distance=33379 kB, estimate=33476 kB",
            "distance=15053 kB, estimate=31634 kB",
        ]
    );
}

#[test]
fn a_checkpoint_three_quarters_into_a_segment_adds_the_next_file() {
    let mut r = Runner::new(1);
    let out = r
        .run_text(
            "primary=# CREATE TABLE big (id int, pad text);
primary=# INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, 15000) g;
primary$ ls pg_wal
",
        )
        .expect("parses");
    // PostgreSQL 15.18: insert position 0/1D45B68, still one file.
    assert_eq!(wal_names(&out), ["000000010000000000000001"]);
    let out = r
        .run_text("primary=# CHECKPOINT;\nprimary$ ls pg_wal\n")
        .expect("parses");
    assert_eq!(
        wal_names(&out),
        ["000000010000000000000001", "000000010000000000000002"]
    );
    let log = primary_log(&r);
    assert_eq!(file_counts(log), ["1 WAL file(s) added, 0 removed, 0"]);
}

#[test]
fn without_wal_recycle_old_segments_are_removed() {
    let mut r = Runner::new(1);
    let out = r
        .run_text(
            "primary=# ALTER SYSTEM SET wal_recycle = off;
primary=# SELECT pg_reload_conf();
primary=# SELECT pg_switch_wal();
primary=# CHECKPOINT;
primary$ ls pg_wal
",
        )
        .expect("parses");
    assert_eq!(wal_names(&out), ["000000010000000000000002"]);
    let log = primary_log(&r);
    assert_eq!(file_counts(log), ["0 WAL file(s) added, 1 removed, 0"]);
}

#[test]
fn recycled_segments_take_room_on_the_disk_and_the_retention_view_lists_them() {
    let mut r = Runner::new(1);
    r.run_text(
        "primary=# SELECT pg_switch_wal();
primary=# CHECKPOINT;
",
    )
    .expect("parses");
    let p = r.cluster.host_id("primary").unwrap();
    assert_eq!(r.cluster.disk_usage(p).wal, 2 * 16 * 1024 * 1024);
    let ret = r.cluster.wal_retention(p).expect("a data directory");
    assert_eq!(ret.recycled, ["000000010000000000000003"]);
    assert_eq!(ret.file(ret.current), Some("000000010000000000000002"));
}

#[test]
fn rm_of_a_recycled_segment_removes_it() {
    let mut r = Runner::new(1);
    let out = r
        .run_text(
            "primary=# SELECT pg_switch_wal();
primary=# CHECKPOINT;
primary$ rm pg_wal/000000010000000000000003
primary$ ls pg_wal
",
        )
        .expect("parses");
    assert_eq!(wal_names(&out), ["000000010000000000000002"]);
}
