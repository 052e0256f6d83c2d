//! `pg_controldata`, `pg_isready` and `ps` (issue 12, point 11), as PostgreSQL 15.18's
//! tools print them. Recorded on a real server (Debian, 127.0.0.1):
//! `pg_controldata -D DATA` on a running primary (`in production`), a streaming
//! standby (`in archive recovery`, Minimum recovery ending location 0/3000000 on
//! timeline 1 after streaming from 0/3000000), the standby stopped (`shut down in
//! recovery`) and a cluster after a clean shutdown (`shut down`, oldestActiveXID 0),
//! each label padded to 38 columns; `pg_controldata -D` with no argument; `pg_isready
//! -h 127.0.0.1 -p 56432` (`127.0.0.1:56432 - accepting connections`, exit 0), a port
//! nobody listens on (`no response`, 2), a standby with hot_standby = off
//! (`rejecting connections`, 1), with no -h the socket directory; `ps -ef` and
//! `ps aux` with a primary and a streaming standby: `postgres: checkpointer `,
//! `postgres: walsender replicator 127.0.0.1(38160) streaming 0/30F33F8`,
//! `postgres: startup recovering 000000010000000000000003`,
//! `postgres: walreceiver streaming 0/30F33F8`, `postgres: postgres postgres [local] SELECT`.

use walscope::script::run_script;

const LAB: &str = "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
lab$ wait 1s
";

/// The output of the last line of `script`.
fn last_output(script: &str) -> String {
    let t = run_script(script).unwrap();
    let last = script.lines().last().unwrap();
    let out = t.rsplit(&format!("{last}\n")).next().unwrap();
    out.split("-- virtual time").next().unwrap().to_string()
}

fn field(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label} in {out}"))
        .to_string()
}

#[test]
fn pg_controldata_prints_the_control_file_in_its_layout() {
    let out = last_output("primary$ pg_controldata\n");
    let labels: Vec<&str> = out.lines().map(|l| &l[..38.min(l.len())]).collect();
    assert_eq!(out.lines().count(), 50, "{out}");
    assert_eq!(labels[0], "pg_control version number:            ");
    assert_eq!(
        field(&out, "pg_control version number:            "),
        "1300"
    );
    assert_eq!(
        field(&out, "Catalog version number:               "),
        "202209061"
    );
    assert_eq!(
        field(&out, "Database cluster state:               "),
        "in production"
    );
    assert_eq!(
        field(&out, "Latest checkpoint's REDO WAL file:    "),
        "000000010000000000000001"
    );
    assert_eq!(field(&out, "Latest checkpoint's TimeLineID:       "), "1");
    assert!(
        out.contains("\nLatest checkpoint's oldestCommitTsXid:0\n"),
        "{out}"
    );
    assert_eq!(
        field(&out, "Bytes per WAL segment:                "),
        "16777216"
    );
    assert_eq!(
        field(&out, "wal_level setting:                    "),
        "replica"
    );
    // Its values are the model's: the same as pg_control_checkpoint().
    let t = run_script("primary=# SELECT checkpoint_lsn, redo_lsn FROM pg_control_checkpoint();\nprimary$ pg_controldata\n").unwrap();
    let row = t
        .lines()
        .find(|l| l.contains(" | ") && l.contains("0/"))
        .unwrap();
    let (cp, redo) = row.split_once('|').unwrap();
    assert_eq!(
        field(&t, "Latest checkpoint location:           "),
        cp.trim()
    );
    assert_eq!(
        field(&t, "Latest checkpoint's REDO location:    "),
        redo.trim()
    );
}

#[test]
fn pg_controldata_follows_the_cluster_state() {
    let standby = last_output(&format!("{LAB}standby1$ pg_controldata\n"));
    assert_eq!(
        field(&standby, "Database cluster state:               "),
        "in archive recovery"
    );
    assert_eq!(
        field(&standby, "Minimum recovery ending location:     "),
        "0/3000000"
    );
    assert_eq!(
        field(&standby, "Min recovery ending loc's timeline:   "),
        "1"
    );
    let stopped = last_output(&format!(
        "{LAB}standby1$ pg_ctl stop\nstandby1$ pg_controldata\n"
    ));
    assert_eq!(
        field(&stopped, "Database cluster state:               "),
        "shut down in recovery"
    );
    let primary = last_output(&format!(
        "{LAB}primary$ pg_ctl stop\nprimary$ pg_controldata\n"
    ));
    assert_eq!(
        field(&primary, "Database cluster state:               "),
        "shut down"
    );
    assert_eq!(
        field(&primary, "Latest checkpoint's oldestActiveXID:  "),
        "0"
    );
    assert_eq!(
        field(&primary, "Minimum recovery ending location:     "),
        "0/0"
    );
    assert_eq!(
        last_output("primary$ pg_controldata -D\n"),
        "pg_controldata: option requires an argument -- 'D'\npg_controldata: hint: Try \"pg_controldata --help\" for more information.\n"
    );
    assert_eq!(
        last_output("primary$ pg_controldata /tmp/x\n"),
        "pg_controldata: error: could not open file \"/tmp/x/global/pg_control\" for reading: No such file or directory\n"
    );
}

#[test]
fn pg_isready_says_accepting_rejecting_or_no_response() {
    assert_eq!(
        last_output("primary$ pg_isready\n"),
        "/run/postgresql:5432 - accepting connections\n"
    );
    assert_eq!(
        last_output(&format!("{LAB}standby1$ pg_isready -h primary -p 5432\n")),
        "primary:5432 - accepting connections\n"
    );
    assert_eq!(
        last_output("primary$ pg_isready -h localhost -p 5433\n"),
        "localhost:5433 - no response\n"
    );
    assert_eq!(
        last_output("primary$ pg_ctl stop\nprimary$ pg_isready\n"),
        "/run/postgresql:5432 - no response\n"
    );
    assert_eq!(
        last_output(&format!("{LAB}standby1$ echo \"hot_standby = off\" >> postgresql.conf\nstandby1$ pg_ctl restart\nprimary$ pg_isready -h standby1\n")),
        "standby1:5432 - rejecting connections\n"
    );
    assert_eq!(last_output("primary$ pg_isready -q\n"), "");
}

#[test]
fn ps_shows_the_process_titles_postgresql_sets() {
    let primary = last_output(&format!("{LAB}primary$ ps -ef\n"));
    let mut lines = primary.lines();
    assert_eq!(
        lines.next(),
        Some("UID        PID  PPID  C STIME TTY          TIME CMD")
    );
    let cmds: Vec<&str> = primary.lines().skip(1).map(|l| &l[48..]).collect();
    assert_eq!(cmds[0], "/usr/bin/postgres -D /var/lib/pgsql/data");
    for title in [
        "postgres: checkpointer ",
        "postgres: background writer ",
        "postgres: walwriter ",
        "postgres: autovacuum launcher ",
        "postgres: logical replication launcher ",
    ] {
        assert!(cmds.contains(&title), "{title}: {primary}");
    }
    assert!(
        cmds.iter().any(
            |c| c.starts_with("postgres: walsender replicator 10.0.0.2(")
                && c.contains(") streaming 0/")
        ),
        "{primary}"
    );
    let standby = last_output(&format!(
        "{LAB}standby1$ ps aux | grep postgres: | grep -v writer\n"
    ));
    assert!(
        standby.contains(" postgres: startup recovering 000000010000000000000003\n"),
        "{standby}"
    );
    assert!(
        standby.contains(" postgres: walreceiver streaming 0/3000000\n"),
        "{standby}"
    );
    assert!(
        !standby.contains("background writer") && !standby.contains("USER"),
        "{standby}"
    );
    assert!(standby.starts_with("postgres  "), "{standby}");
    // The header of ps aux, and cluster_name in every child's title.
    let named = last_output(&format!("{LAB}standby1$ echo \"cluster_name = 'standby1'\" >> postgresql.conf\nstandby1$ pg_ctl restart\nlab$ wait 1s\nstandby1$ ps aux\n"));
    assert!(
        named.starts_with(
            "USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
        ),
        "{named}"
    );
    assert!(
        named.contains(" postgres: standby1: checkpointer \n"),
        "{named}"
    );
    assert!(
        named.contains(" postgres: standby1: walreceiver streaming 0/"),
        "{named}"
    );
}

#[test]
fn pg_control_checkpoint_agrees_with_pg_controldata_after_a_restart() {
    // Both read pg_control: after a clean restart its checkpoint is the shutdown one,
    // with no running transaction (oldestActiveXID 0).
    let t = run_script("primary$ pg_ctl restart\nprimary=# SELECT oldest_active_xid, checkpoint_lsn FROM pg_control_checkpoint();\nprimary$ pg_controldata\n").unwrap();
    assert!(t.contains("\n                 0 | "), "{t}");
    assert_eq!(field(&t, "Latest checkpoint's oldestActiveXID:  "), "0");
}

#[test]
fn pg_stat_activity_lists_a_primarys_processes_in_postgresqls_order() {
    // PostgreSQL 15.18, `select pid, usesysid, usename, ..., backend_type from
    // pg_stat_activity` on a primary: autovacuum launcher, logical replication launcher
    // (usesysid 10, postgres), the client backend, background writer, checkpointer,
    // walwriter.
    let t = run_script("primary=# SELECT pid, usesysid, usename, backend_type FROM pg_stat_activity;\nprimary$ ps -ef\n").unwrap();
    let rows: Vec<&str> = t
        .lines()
        .filter(|l| l.contains(" | ") && !l.contains("backend_type"))
        .collect();
    let kinds: Vec<&str> = rows
        .iter()
        .map(|r| r.rsplit('|').next().unwrap().trim())
        .collect();
    assert_eq!(
        kinds,
        [
            "autovacuum launcher",
            "logical replication launcher",
            "client backend",
            "background writer",
            "checkpointer",
            "walwriter"
        ]
    );
    assert!(rows[1].contains("|       10 | postgres |"), "{t}");
    // The same pids as ps shows for those titles.
    for (row, title) in rows
        .iter()
        .zip(["autovacuum launcher ", "logical replication launcher "])
    {
        let pid = row.split('|').next().unwrap().trim();
        assert!(
            t.contains(&format!("postgres  {pid} "))
                && t.contains(&format!(" postgres: {title}\n")),
            "{t}"
        );
    }
}
