//! Unsafe moves: the model names a fix that works in the lab but would hurt on real
//! servers in its event log (kind `Unsafe`), and stays quiet about the safe way.

use walscope::examples::EXAMPLES;
use walscope::script::Runner;
use walscope::sim::EventKind;

/// Primary and one asynchronous standby, plus `extra`.
fn lab(extra: &str) -> Runner {
    let mut r = Runner::new(0);
    r.run_text(EXAMPLES[1].1).unwrap();
    r.run_text(extra).unwrap();
    r
}

fn unsafe_notes(r: &Runner) -> Vec<String> {
    r.cluster
        .events()
        .iter()
        .filter(|e| e.kind == EventKind::Unsafe)
        .map(|e| e.text.clone())
        .collect()
}

const TWO_STANDBYS: &str = "primary=# ALTER SYSTEM SET wal_keep_size = '128MB';
primary=# SELECT pg_reload_conf();
lab$ node add standby2
standby2$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby2$ pg_ctl start
primary=# CREATE TABLE t (id int);
lab$ wait 1s
lab$ partition primary standby2
primary=# INSERT INTO t VALUES (1);
primary=# INSERT INTO t VALUES (2);
lab$ wait 1s
";

#[test]
fn promoting_a_standby_that_lacks_acknowledged_commits_names_them() {
    // standby1 has every commit: promoting it after the crash loses nothing.
    let r = lab(&format!(
        "{TWO_STANDBYS}lab$ crash primary\nstandby1$ pg_ctl promote\nlab$ wait 1s\n"
    ));
    assert_eq!(unsafe_notes(&r), Vec::<String>::new());
    // standby2 was cut off before the two INSERTs: they were acknowledged and are lost,
    // and standby1 had received more.
    let r = lab(&format!(
        "{TWO_STANDBYS}lab$ crash primary\nstandby2$ pg_ctl promote\nlab$ wait 1s\n"
    ));
    let notes = unsafe_notes(&r);
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert!(
        notes.iter().any(|n| n.contains("behind standby standby1")),
        "{notes:#?}"
    );
    assert!(
        notes.iter().any(|n| n
            .contains("behind the commits primary acknowledged: 2 committed transactions up to")
            && n.ends_with("are not on standby2")),
        "{notes:#?}"
    );
}

#[test]
fn dropping_a_slot_a_standby_still_names_is_unsafe() {
    let setup = "primary=# SELECT pg_create_physical_replication_slot('s1');
standby1=# ALTER SYSTEM SET primary_slot_name = 's1';
standby1$ pg_ctl stop
lab$ wait 1s
";
    let r = lab(&format!(
        "{setup}primary=# SELECT pg_drop_replication_slot('s1');\n"
    ));
    let notes = unsafe_notes(&r);
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(
        notes[0].starts_with("slot \"s1\" dropped on primary while standby1 still needs it"),
        "{}",
        notes[0]
    );
    // A slot nobody names goes quietly.
    let r = lab("primary=# SELECT pg_create_physical_replication_slot('spare');\nprimary=# SELECT pg_drop_replication_slot('spare');\n");
    assert!(unsafe_notes(&r).is_empty());
}

#[test]
fn emptying_synchronous_standby_names_while_a_commit_waits_is_unsafe() {
    let sync = "primary=# ALTER SYSTEM SET synchronous_standby_names = 'walreceiver';
primary=# SELECT pg_reload_conf();
lab$ wait 1s
primary=# CREATE TABLE t (id int);
lab$ partition primary standby1
primary=# INSERT INTO t VALUES (1);
";
    let off = "primary=# ALTER SYSTEM SET synchronous_standby_names = '';
primary$ pg_ctl reload
lab$ wait 1s
";
    let r = lab(&format!("{sync}{off}"));
    assert_eq!(
        unsafe_notes(&r),
        ["synchronous_standby_names emptied on primary while 1 commit waited for a synchronous standby"]
    );
    // The same change with nothing waiting is a configuration change, not a trap.
    let r = lab(&format!(
        "primary=# ALTER SYSTEM SET synchronous_standby_names = 'walreceiver';\nprimary=# SELECT pg_reload_conf();\nlab$ wait 1s\n{off}"
    ));
    assert!(unsafe_notes(&r).is_empty());
}

#[test]
fn rm_of_wal_segments_under_a_running_server_is_unsafe() {
    let mut r = lab("primary=# SELECT pg_switch_wal();\nprimary=# SELECT pg_switch_wal();\n");
    let oldest = r
        .cluster
        .host(walscope::sim::HostId(0))
        .data
        .as_ref()
        .unwrap()
        .wal
        .segment_files()[0]
        .clone();
    let out = r
        .run_text(&format!(
            "primary$ rm pg_wal/{oldest}\nprimary$ ls pg_wal\n"
        ))
        .unwrap();
    let listed = out.split("ls pg_wal\n").nth(1).unwrap();
    assert!(!listed.contains(&oldest), "{out}");
    assert!(listed.contains("archive_status"), "{out}");
    let notes = unsafe_notes(&r);
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(notes[0].starts_with(
        "1 WAL segment file removed with rm from primary's pg_wal while its server runs"
    ));
}
