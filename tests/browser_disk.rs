//! Browser tests of what a failure costs on the stage (issue 15): the primary's WAL
//! retention marks and slot cards equal what SQL says, the disk gauge equals
//! `lab$ disk`, and after an asynchronous failover the old primary's card counts the
//! commits `lab$ lost` counts.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

#[path = "support/mod.rs"]
mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A standby stopped with its slot s1 holding WAL while the primary switches segments.
fn slot_holding_wal() -> String {
    "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R -C -S s1
standby1$ pg_ctl start
lab$ wait 1s
standby1$ pg_ctl stop
primary=# ALTER SYSTEM SET wal_keep_size = '32MB';
primary=# ALTER SYSTEM SET max_slot_wal_keep_size = '160MB';
primary=# SELECT pg_reload_conf();
primary=# CREATE TABLE t (id int);
"
    .to_string()
        + &"primary=# INSERT INTO t VALUES (1);\nprimary=# SELECT pg_switch_wal();\n".repeat(7)
        + "primary=# CHECKPOINT;\n"
}

/// The fields of the console's row that starts with `first`.
fn row(console: &str, first: &str) -> Vec<String> {
    console
        .lines()
        .find(|l| l.trim_start().starts_with(first))
        .unwrap_or_else(|| panic!("no row {first} in {console}"))
        .split('|')
        .map(|f| f.trim().to_string())
        .collect()
}

#[wasm_bindgen_test]
async fn retention_marks_and_slot_cards_equal_what_sql_says() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(&slot_holding_wal());
    run(
        lab,
        "primary=# SELECT slot_name, active, restart_lsn, wal_status, safe_wal_size FROM pg_replication_slots;
primary=# SELECT min(name) AS oldest, pg_walfile_name(pg_current_wal_lsn()) AS newest FROM pg_ls_waldir();
lab$ disk primary
",
    )
    .await;
    let console = text(&root, "console-log");
    // The slot card shows pg_replication_slots' own values.
    let slot = row(&console, "s1 ");
    let active = if slot[1] == "t" { "active" } else { "inactive" };
    assert_eq!(text(&root, "slot-active-s1"), active);
    assert_eq!(text(&root, "slot-restart-s1"), slot[2]);
    assert_eq!(text(&root, "slot-type-s1"), "physical");
    assert!(try_testid(&root, "slot-confirmed-s1").is_none());
    assert_eq!(text(&root, "slot-status-s1"), slot[3]);
    let safe = by_testid(&root, "slot-safe-s1").get_attribute("data-bytes");
    assert_eq!(safe.as_deref(), Some(slot[4].as_str()));
    // The segments drawn as kept are pg_wal's files from the oldest to the one being
    // written (a file a checkpoint recycled or created ahead is not kept WAL), and one
    // before them is greyed.
    let files = row(&console, "0000000");
    let kept: Vec<String> = all(&root, "[data-state='kept']")
        .iter()
        .filter_map(|e| e.get_attribute("data-testid"))
        .collect();
    assert_eq!(kept.first(), Some(&format!("retention-seg-{}", files[0])));
    assert_eq!(kept.last(), Some(&format!("retention-seg-{}", files[1])));
    let removed = all(&root, "[data-state='removed']");
    assert_eq!(
        removed.len(),
        1,
        "one removed segment before the oldest kept"
    );
    // The slot's span starts in the segment of its restart_lsn, as the oldest kept one.
    let span = by_testid(&root, "retention-slot-s1");
    assert!(span.text_content().unwrap().contains("slot s1"));
    let seg = by_testid(&root, &format!("retention-seg-{}", files[0]));
    let left = |e: &web_sys::HtmlElement| {
        let s = e.get_attribute("style").unwrap();
        px(s.trim_start_matches("left:").split('%').next().unwrap())
    };
    assert!((left(&span) - left(&seg)).abs() < 0.01, "{span:?}");
    assert!(try_testid(&root, "retention-keep").is_some());
    // The disk gauge says what lab$ disk says.
    let disk = console
        .lines()
        .find(|l| l.starts_with("primary: data disk"))
        .unwrap()
        .to_string();
    let size = disk.split_whitespace().nth(3).unwrap().to_string();
    let used = disk.split(", ").nth(1).unwrap().split(' ').next().unwrap();
    assert_eq!(text(&root, "disk-primary"), format!("disk {used}/{size}"));
}

/// A logical slot's card says so, with its plugin and the confirmed_flush_lsn that
/// pg_replication_slots shows, and the position moves when the changes are consumed.
#[wasm_bindgen_test]
async fn a_logical_slot_card_shows_its_plugin_and_confirmed_flush_lsn() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(
        "primary=# ALTER SYSTEM SET wal_level = logical;
primary$ pg_ctl restart
primary=# SELECT 'ok' FROM pg_create_logical_replication_slot('ld', 'test_decoding');
primary=# CREATE TABLE t (id int);
primary=# INSERT INTO t VALUES (1);
lab$ disk primary
",
    );
    let query = "primary=# SELECT slot_name, slot_type, plugin, confirmed_flush_lsn FROM pg_replication_slots;\n";
    run(lab, query).await;
    let before = row(&text(&root, "console-log"), "ld ");
    assert_eq!(
        (before[1].as_str(), before[2].as_str()),
        ("logical", "test_decoding")
    );
    assert_eq!(text(&root, "slot-type-ld"), "logical · test_decoding");
    assert_eq!(text(&root, "slot-confirmed-ld"), before[3]);
    run(
        lab,
        &format!("primary=# SELECT count(*) FROM pg_logical_slot_get_changes('ld', NULL, NULL);\n{query}"),
    )
    .await;
    let console = text(&root, "console-log");
    let after = console
        .lines()
        .rfind(|l| l.trim_start().starts_with("ld "))
        .expect("the second row of ld")
        .split('|')
        .map(|f| f.trim().to_string())
        .collect::<Vec<_>>();
    assert_ne!(after[3], before[3], "consuming the changes confirms them");
    assert_eq!(text(&root, "slot-confirmed-ld"), after[3]);
}

#[wasm_bindgen_test]
async fn the_old_primary_shows_the_commits_lab_lost_counts() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(include_str!("scenarios/lost_async.walscope"));
    run(lab, "lab$ lost\n").await;
    let console = text(&root, "console-log");
    let line = console
        .lines()
        .find(|l| l.contains("acknowledged to clients are not on the new primary"))
        .expect("lab$ lost counts them");
    let n = line.split_whitespace().next().unwrap().to_string();
    let badge = by_testid(&root, "lost-primary");
    assert_eq!(
        badge.get_attribute("data-count").as_deref(),
        Some(n.as_str())
    );
    assert_eq!(
        badge.text_content().unwrap(),
        format!("{n} acknowledged commits not on the new primary")
    );
    // The new primary has lost nothing; the old one's timeline diverged from it.
    assert!(try_testid(&root, "lost-standby1").is_none());
    assert!(text(&root, "diverged-primary").starts_with("diverged: tl 1"));
}

/// The card's and the slot card's buttons type the lines a student could type, and the
/// model does what those lines do.
#[wasm_bindgen_test]
async fn the_cost_buttons_run_the_lines_a_student_would_type() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(&slot_holding_wal());
    settle().await;
    // Shrink disk: a size a little over what the disk holds, as `lab$ disk`.
    let title = by_testid(&root, "btn-shrink-primary")
        .get_attribute("title")
        .unwrap();
    let size = title.rsplit(' ').next().unwrap().to_string();
    by_testid(&root, "btn-shrink-primary").click();
    settle().await;
    assert!(
        text(&root, "console-log").contains(&format!("lab$ disk primary {size}")),
        "title {title:?}: {}",
        text(&root, "console-log")
    );
    let gauge = text(&root, "disk-primary");
    assert!(
        gauge.ends_with(&format!("/{}", size.trim_end_matches('B'))),
        "{gauge} after {size}"
    );
    // Drop slot: the inactive slot goes from the view and its card.
    by_testid(&root, "btn-drop-s1").click();
    settle().await;
    assert!(text(&root, "console-log").contains("primary=# SELECT pg_drop_replication_slot('s1');"));
    run(
        lab,
        "primary=# SELECT count(*) FROM pg_replication_slots;\n",
    )
    .await;
    assert!(
        text(&root, "console-log")
            .trim_end()
            .ends_with(" count \n-------\n     0\n(1 row)"),
        "{}",
        text(&root, "console-log")
    );
    assert!(try_testid(&root, "slot-card-s1").is_none());
    // Fill disk: a burst of writes on the primary.
    by_testid(&root, "btn-fill-primary").click();
    settle().await;
    assert!(text(&root, "console-log").contains("lab$ workload primary 5000"));
    assert!(
        try_testid(&root, "btn-fill-primary").is_none(),
        "a primary with a workload has nothing to fill"
    );
}

/// Rewind, on an old primary stopped cleanly after an asynchronous failover, types
/// pg_rewind from the new primary, and the rewind succeeds.
#[wasm_bindgen_test]
async fn the_rewind_button_rewinds_a_stopped_diverged_server() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(include_str!("scenarios/lost_async.walscope"));
    assert!(try_testid(&root, "btn-rewind-standby1").is_none());
    // pg_rewind's conditions: the target stopped cleanly with wal_log_hints and still
    // holding the WAL back to the last checkpoint before the fork (its shutdown
    // checkpoint would otherwise recycle that segment, and pg_rewind could not read it),
    // the source reachable and letting postgres in.
    run(
        lab,
        "lab$ heal primary standby1\n\
         primary$ echo \"wal_log_hints = on\" >> postgresql.conf\n\
         primary$ echo \"wal_keep_size = 256MB\" >> postgresql.conf\n\
         primary$ pg_ctl start\n\
         primary$ pg_ctl stop\n\
         standby1$ echo 'host all postgres 10.0.0.0/24 trust' >> pg_hba.conf\n\
         standby1$ pg_ctl reload\n",
    )
    .await;
    by_testid(&root, "btn-rewind-primary").click();
    settle().await;
    let console = text(&root, "console-log");
    assert!(
        console.contains("primary$ pg_rewind -D /var/lib/pgsql/data --source-server='host=standby1 user=postgres' -P"),
        "{console}"
    );
    assert!(console.contains("pg_rewind: Done!"), "{console}");
}

/// Slow disk on a standby's card types `lab$ disk-speed`, the gauge says the speed, and
/// the standby's flush falls behind while its write keeps up; Fast disk undoes it.
#[wasm_bindgen_test]
async fn the_slow_disk_button_slows_the_standbys_flush() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(walscope::examples::EXAMPLES[1].1);
    run(lab, "lab$ workload primary 1000\n").await;
    settle().await;
    assert_eq!(text(&root, "btn-disk-speed-standby1"), "Slow disk");
    by_testid(&root, "btn-disk-speed-standby1").click();
    settle().await;
    assert!(text(&root, "console-log").contains("lab$ disk-speed standby1 50kB/s"));
    run(
        lab,
        "lab$ wait 5s\nstandby1=# SELECT pg_wal_lsn_diff(written_lsn, flushed_lsn) > 0 AS flushing FROM pg_stat_wal_receiver;\n",
    )
    .await;
    settle().await;
    assert!(
        text(&root, "console-log").contains(" flushing \n----------\n t\n"),
        "{}",
        text(&root, "console-log")
    );
    assert!(
        text(&root, "disk-standby1").ends_with("/s"),
        "{}",
        text(&root, "disk-standby1")
    );
    assert_eq!(text(&root, "btn-disk-speed-standby1"), "Fast disk");
    by_testid(&root, "btn-disk-speed-standby1").click();
    settle().await;
    assert!(text(&root, "console-log").contains("lab$ disk-speed standby1 off"));
    assert!(!text(&root, "disk-standby1").ends_with("/s"));
    assert!(
        try_testid(&root, "btn-disk-speed-primary").is_none(),
        "a primary has no such button"
    );
}
