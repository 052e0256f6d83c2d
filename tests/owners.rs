//! Files have an owner and a mode (issue 12, point 10): `chown`, `chmod`, `ls -l`,
//! `ls -ld` and `stat` as GNU coreutils 9 prints them, and PostgreSQL 15.18 enforcing
//! them. A line runs as the postgres OS user, `sudo CMD` as root.
//!
//! Recorded on this machine (Debian 13, coreutils 9, PostgreSQL 15.18 from
//! /usr/lib/postgresql/15/bin, `LANG=C.UTF-8`, `TZ=UTC`), as postgres through
//! `runuser -u postgres --`, a cluster made with `initdb -D /tmp/fid/d1` and started
//! with `pg_ctl -D /tmp/fid/d1 -o "-p 57441 -k /tmp/fid" -l LOG start`:
//! - `chmod 755 d1; pg_ctl ... start` logged `FATAL:  data directory "/tmp/fid/d1" has
//!   invalid permissions` and `DETAIL:  Permissions should be u=rwx (0700) or
//!   u=rwx,g=rx (0750).`; `chown root d1` (as root, mode 0755) then start logged
//!   `FATAL:  data directory "/tmp/fid/d1" has wrong ownership` and `HINT:  The server
//!   must be started by the user that owns the data directory.`; with root's 0700,
//!   pg_ctl itself said `pg_ctl: could not open PID file "/tmp/fid/d1/postmaster.pid":
//!   Permission denied`; 0750 started.
//! - `pg_basebackup -h /tmp/fid -p 57441 -D DIR` into a root-owned 0755 DIR:
//!   `pg_basebackup: error: could not create directory "DIR/pg_wal": Permission denied`
//!   then `pg_basebackup: removing contents of data directory "DIR"` (with `-P`,
//!   `waiting for checkpoint` first; with `-v`, after `created temporary replication
//!   slot`; with `-X fetch`, `could not create file "DIR/backup_label"`); into a missing
//!   DIR under a root-owned directory, at once `could not create directory "DIR":
//!   Permission denied`; into an existing postgres-owned 0755 DIR, the clone keeps 0755.
//! - `chown root x`: `chown: changing ownership of 'x': Operation not permitted`;
//!   `chown :root x`: `chown: changing group of 'x': ...`; `chown bob x`: `chown:
//!   invalid user: ‘bob’`; `chmod 999 x`: `chmod: invalid mode: ‘999’` + `Try 'chmod
//!   --help' for more information.`; chown -R reports children first, chmod -R the
//!   directory first; `mkdir` in root's directory: `mkdir: cannot create directory
//!   ‘rootdir2/a’: Permission denied`; `stat`/`ls -l` layouts as asserted below.
//!   tests/compare/setup-datadir-mode.walscope runs the same against real servers.

use walscope::script::run_script;

const LAB: &str = "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
";

/// The output of each line of `script` after `LAB`, in order.
fn outputs(script: &str) -> Vec<(String, String)> {
    let full = format!("{LAB}{script}");
    let t = run_script(&full).unwrap();
    let t = t.split("-- virtual time").next().unwrap().to_string();
    let lines: Vec<&str> = script.lines().collect();
    let mut rest = t
        .split_once(&format!("{}\n", lines[0]))
        .unwrap()
        .1
        .to_string();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let text = match lines.get(i + 1) {
            Some(next) => {
                let (a, b) = rest.split_once(&format!("{next}\n")).unwrap();
                let a = a.to_string();
                rest = b.to_string();
                a
            }
            None => rest.clone(),
        };
        out.push((l.to_string(), text));
    }
    out
}

/// The text with the log prefix's time and pid masked.
fn masked(s: &str) -> String {
    s.lines()
        .map(|l| match l.find(" UTC [") {
            Some(i) => {
                let rest = &l[i + 6..];
                format!(
                    "{}<time> [<pid>{}",
                    &l[..i - 23],
                    &rest[rest.find(']').unwrap()..]
                )
            }
            None => l.to_string(),
        })
        .map(|l| l + "\n")
        .collect()
}

#[test]
fn whoami_and_sudo_name_the_user_a_line_runs_as() {
    let s = "standby1$ whoami\nstandby1$ sudo whoami\n";
    let o = outputs(s);
    assert_eq!(o[0].1, "postgres\n");
    assert_eq!(o[1].1, "root\n");
}

#[test]
fn mkdir_gives_0755_and_only_root_gives_a_directory_away() {
    let s = "standby1$ mkdir /var/lib/pgsql/data
standby1$ ls -ld /var/lib/pgsql/data
standby1$ chown root /var/lib/pgsql/data
standby1$ chown :root /var/lib/pgsql/data
standby1$ chown postgres:postgres /var/lib/pgsql/data
standby1$ sudo chown root:root /var/lib/pgsql/data
standby1$ stat -c '%a %U %G' /var/lib/pgsql/data
standby1$ chmod 700 /var/lib/pgsql/data
standby1$ sudo chown -R postgres: /var/lib/pgsql/data
standby1$ chown bob /var/lib/pgsql/data
standby1$ chown postgres:bob /var/lib/pgsql/data
standby1$ chown
standby1$ chown root
standby1$ chown root nothere
standby1$ mkdir /var/lib/pgsql/data
";
    let o = outputs(s);
    assert_eq!(
        o[1].1,
        "drwxr-xr-x 2 postgres postgres 4096 Nov 24 09:00 /var/lib/pgsql/data\n"
    );
    assert_eq!(
        o[2].1,
        "chown: changing ownership of '/var/lib/pgsql/data': Operation not permitted\n"
    );
    assert_eq!(
        o[3].1,
        "chown: changing group of '/var/lib/pgsql/data': Operation not permitted\n"
    );
    assert_eq!(o[4].1, "", "chown to oneself is allowed");
    assert_eq!(o[5].1, "");
    assert_eq!(o[6].1, "755 root root\n");
    assert_eq!(
        o[7].1,
        "chmod: changing permissions of '/var/lib/pgsql/data': Operation not permitted\n"
    );
    assert_eq!(o[8].1, "");
    assert_eq!(o[9].1, "chown: invalid user: ‘bob’\n");
    assert_eq!(o[10].1, "chown: invalid group: ‘postgres:bob’\n");
    assert_eq!(
        o[11].1,
        "chown: missing operand\nTry 'chown --help' for more information.\n"
    );
    assert_eq!(
        o[12].1,
        "chown: missing operand after ‘root’\nTry 'chown --help' for more information.\n"
    );
    assert_eq!(
        o[13].1,
        "chown: cannot access 'nothere': No such file or directory\n"
    );
    assert_eq!(
        o[14].1,
        "mkdir: cannot create directory ‘/var/lib/pgsql/data’: File exists\n"
    );
}

#[test]
fn chmod_takes_octal_and_symbolic_modes() {
    let s = "standby1$ mkdir /var/lib/pgsql/x
standby1$ chmod go-rwx /var/lib/pgsql/x
standby1$ stat -c '%a %A' /var/lib/pgsql/x
standby1$ chmod u=rwx,g=rx /var/lib/pgsql/x
standby1$ stat -c '%a %A' /var/lib/pgsql/x
standby1$ chmod 2755 /var/lib/pgsql/x
standby1$ chmod 700 /var/lib/pgsql/x
standby1$ stat -c '%a %A' /var/lib/pgsql/x
standby1$ chmod 999 /var/lib/pgsql/x
standby1$ chmod u+q /var/lib/pgsql/x
standby1$ chmod 700
standby1$ touch /var/lib/pgsql/x/f
standby1$ chmod +x /var/lib/pgsql/x/f
standby1$ ls -l /var/lib/pgsql/x
";
    let o = outputs(s);
    assert_eq!(o[2].1, "700 drwx------\n");
    assert_eq!(o[4].1, "750 drwxr-x---\n");
    // A numeric mode keeps a directory's setgid bit (GNU chmod).
    assert_eq!(o[7].1, "2700 drwx--S---\n");
    assert_eq!(
        o[8].1,
        "chmod: invalid mode: ‘999’\nTry 'chmod --help' for more information.\n"
    );
    assert_eq!(
        o[9].1,
        "chmod: invalid mode: ‘u+q’\nTry 'chmod --help' for more information.\n"
    );
    assert_eq!(
        o[10].1,
        "chmod: missing operand after ‘700’\nTry 'chmod --help' for more information.\n"
    );
    assert_eq!(
        o[13].1,
        "total 0\n-rwxr-xr-x 1 postgres postgres 0 Nov 24 09:00 f\n"
    );
}

#[test]
fn recursive_changes_report_in_coreutils_order() {
    // As root: a tree postgres does not own; chmod -R visits the directory first,
    // chown -R its contents first.
    let s = "standby1$ sudo mkdir -p /var/lib/pgsql/r/sub
standby1$ sudo touch /var/lib/pgsql/r/sub/f
standby1$ chmod -R 700 /var/lib/pgsql/r
standby1$ chown -R postgres /var/lib/pgsql/r
standby1$ mkdir /var/lib/pgsql/r/a
standby1$ touch /var/lib/pgsql/r/g
standby1$ echo hi > /var/lib/pgsql/r/h
standby1$ rm -f /var/lib/pgsql/r/sub/f
standby1$ sudo rm -rf /var/lib/pgsql/r
standby1$ ls /var/lib/pgsql
";
    let o = outputs(s);
    // Real: `rm -f /tmp/fid/rmt/f` as postgres in root's directory.
    assert_eq!(
        o[7].1,
        "rm: cannot remove '/var/lib/pgsql/r/sub/f': Permission denied\n"
    );
    assert_eq!(o[8].1, "");
    assert_eq!(o[9].1, "");
    assert_eq!(o[2].1, "chmod: changing permissions of '/var/lib/pgsql/r': Operation not permitted\nchmod: changing permissions of '/var/lib/pgsql/r/sub': Operation not permitted\nchmod: changing permissions of '/var/lib/pgsql/r/sub/f': Operation not permitted\n");
    assert_eq!(o[3].1, "chown: changing ownership of '/var/lib/pgsql/r/sub/f': Operation not permitted\nchown: changing ownership of '/var/lib/pgsql/r/sub': Operation not permitted\nchown: changing ownership of '/var/lib/pgsql/r': Operation not permitted\n");
    assert_eq!(
        o[4].1,
        "mkdir: cannot create directory ‘/var/lib/pgsql/r/a’: Permission denied\n"
    );
    assert_eq!(
        o[5].1,
        "touch: cannot touch '/var/lib/pgsql/r/g': Permission denied\n"
    );
    assert_eq!(o[6].1, "bash: /var/lib/pgsql/r/h: Permission denied\n");
}

#[test]
fn ls_and_stat_show_a_clone_as_postgresql_made_it() {
    let s = "standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ ls -ld /var/lib/pgsql/data
standby1$ ls -l /var/lib/pgsql/data/pg_wal
standby1$ stat /var/lib/pgsql/data/PG_VERSION
standby1$ stat /var/lib/pgsql/data/global
standby1$ ls -l /var/lib/pgsql/data/PG_VERSION nothere
";
    let o = outputs(s);
    assert!(
        o[1].1.starts_with("drwx------ ")
            && o[1]
                .1
                .contains(" postgres postgres 4096 Nov 24 09:00 /var/lib/pgsql/data\n"),
        "{}",
        o[1].1
    );
    // `total` counts 1K blocks: a 16 MiB segment is 16384, a directory 4.
    assert!(o[2].1.starts_with("total 32772\n-rw------- 1 postgres postgres 16777216 Nov 24 09:00 0000000100000000000000"), "{}", o[2].1);
    assert!(
        o[2].1
            .ends_with("\ndrwx------ 2 postgres postgres     4096 Nov 24 09:00 archive_status\n"),
        "{}",
        o[2].1
    );
    let stat = &o[3].1;
    let lines: Vec<&str> = stat.lines().collect();
    assert_eq!(lines[0], "  File: /var/lib/pgsql/data/PG_VERSION");
    assert_eq!(
        lines[1],
        "  Size: 3         \tBlocks: 8          IO Block: 4096   regular file"
    );
    assert!(lines[2].starts_with("Device: 253,0\tInode: "), "{stat}");
    assert!(lines[2].ends_with(" Links: 1"), "{stat}");
    assert_eq!(
        lines[3],
        "Access: (0600/-rw-------)  Uid: (   26/postgres)   Gid: (   26/postgres)"
    );
    assert!(
        lines[4].starts_with("Access: 2026-11-24 09:00:00."),
        "{stat}"
    );
    assert!(lines[4].ends_with("000 +0000"), "{stat}");
    assert!(lines[7].starts_with(" Birth: "), "{stat}");
    assert!(
        o[4].1.contains("IO Block: 4096   directory\n"),
        "{}",
        o[4].1
    );
    assert!(o[4].1.contains("Access: (0700/drwx------)"), "{}", o[4].1);
    assert_eq!(
        o[5].1,
        "ls: cannot access 'nothere': No such file or directory\n-rw------- 1 postgres postgres 3 Nov 24 09:00 /var/lib/pgsql/data/PG_VERSION\n"
    );
}

#[test]
fn the_server_refuses_a_data_directory_with_the_wrong_mode_or_owner() {
    let s = "standby1$ mkdir /var/lib/pgsql/data
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ stat -c '%a' /var/lib/pgsql/data
standby1$ pg_ctl start
standby1$ tail -n 2 /var/lib/pgsql/data/log/postgresql.log
standby1$ sudo chown root /var/lib/pgsql/data
standby1$ postgres -D /var/lib/pgsql/data
standby1$ sudo chmod 700 /var/lib/pgsql/data
standby1$ pg_ctl start
standby1$ sudo chown postgres /var/lib/pgsql/data
standby1$ chmod 750 /var/lib/pgsql/data
standby1$ pg_ctl start
";
    let o = outputs(s);
    // A clone into mkdir's directory keeps its 0755.
    assert_eq!(o[2].1, "755\n");
    // pg_ctl start is `pg_ctl start -l log/postgresql.log`: PostgreSQL 15.18 (`chmod 755
    // DIR; pg_ctl -D DIR start -l DIR/log/postgresql.log`) printed only `stopped waiting`
    // and logged the FATAL and its DETAIL.
    assert_eq!(
        o[3].1,
        "waiting for server to start.... stopped waiting
pg_ctl: could not start server
Examine the log output.
"
    );
    assert_eq!(
        masked(&o[4].1),
        "<time> [<pid>] FATAL:  data directory \"/var/lib/pgsql/data\" has invalid permissions
<time> [<pid>] DETAIL:  Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).
"
    );
    assert_eq!(
        masked(&o[6].1),
        "<time> [<pid>] FATAL:  data directory \"/var/lib/pgsql/data\" has wrong ownership
<time> [<pid>] HINT:  The server must be started by the user that owns the data directory.
"
    );
    assert_eq!(
        o[8].1,
        "pg_ctl: could not open PID file \"/var/lib/pgsql/data/postmaster.pid\": Permission denied\n"
    );
    assert_eq!(
        o[11].1,
        "waiting for server to start.... done\nserver started\n"
    );
}

#[test]
fn pg_basebackup_into_a_directory_postgres_cannot_write_fails_and_cleans_up() {
    let s = "standby1$ sudo mkdir /var/lib/pgsql/data
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -v
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -X fetch
standby1$ ls /var/lib/pgsql/data
standby1$ sudo rm -rf /var/lib/pgsql/data
standby1$ sudo chown root /var/lib/pgsql
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data
standby1$ sudo chown postgres /var/lib/pgsql
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data
standby1$ stat -c '%a %U' /var/lib/pgsql/data
primary=# SELECT count(*) FROM pg_replication_slots;
";
    let o = outputs(s);
    assert_eq!(o[1].1, "waiting for checkpoint\npg_basebackup: error: could not create directory \"/var/lib/pgsql/data/pg_wal\": Permission denied\npg_basebackup: removing contents of data directory \"/var/lib/pgsql/data\"\n");
    let v: Vec<&str> = o[2].1.lines().collect();
    assert_eq!(
        v[0],
        "pg_basebackup: initiating base backup, waiting for checkpoint to complete"
    );
    assert_eq!(v[1], "pg_basebackup: checkpoint completed");
    assert!(v[2].starts_with("pg_basebackup: write-ahead log start point: 0/"));
    assert_eq!(v[3], "pg_basebackup: starting background WAL receiver");
    assert!(v[4].starts_with("pg_basebackup: created temporary replication slot \"pg_basebackup_"));
    assert_eq!(v[5], "pg_basebackup: error: could not create directory \"/var/lib/pgsql/data/pg_wal\": Permission denied");
    assert_eq!(
        v[6],
        "pg_basebackup: removing contents of data directory \"/var/lib/pgsql/data\""
    );
    assert_eq!(o[3].1, "pg_basebackup: error: could not create file \"/var/lib/pgsql/data/backup_label\": Permission denied\npg_basebackup: removing contents of data directory \"/var/lib/pgsql/data\"\n");
    assert_eq!(o[4].1, "");
    assert_eq!(
        o[7].1,
        "pg_basebackup: error: could not create directory \"/var/lib/pgsql/data\": Permission denied\n"
    );
    assert_eq!(o[9].1, "");
    // Made by pg_basebackup: 0700.
    assert_eq!(o[10].1, "700 postgres\n");
    // The temporary slots went with the failed backups.
    assert!(o[11].1.contains("     0\n"), "{}", o[11].1);
}

#[test]
fn initdb_and_the_lesson_flow_give_postgresql_its_modes() {
    let s = "standby1$ mkdir /var/lib/pgsql/data
standby1$ chown postgres:postgres /var/lib/pgsql/data
standby1$ chmod 700 /var/lib/pgsql/data
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
primary$ stat -c '%a %U %G' /var/lib/pgsql/data /var/lib/pgsql/data/postgresql.conf /var/lib/pgsql
";
    let o = outputs(s);
    assert_eq!(
        o[4].1,
        "waiting for server to start.... done\nserver started\n"
    );
    assert_eq!(
        o[5].1,
        "700 postgres postgres\n600 postgres postgres\n700 postgres postgres\n"
    );
}

#[test]
fn initdb_fixes_the_mode_of_its_own_directory_only() {
    // Real: `initdb -D /tmp/fid/i1` as postgres into root's 0755 directory stopped at
    // `fixing permissions on existing directory /tmp/fid/i1 ... initdb: error: could not
    // change permissions of directory "/tmp/fid/i1": Operation not permitted`; into
    // postgres's own 0755 directory it left 0700.
    let s = "standby1$ sudo mkdir /var/lib/pgsql/data
standby1$ initdb
standby1$ sudo chown postgres /var/lib/pgsql/data
standby1$ initdb
standby1$ stat -c '%a %U' /var/lib/pgsql/data /var/lib/pgsql/data/PG_VERSION
";
    let o = outputs(s);
    assert!(o[1].1.ends_with("fixing permissions on existing directory /var/lib/pgsql/data ... initdb: error: could not change permissions of directory \"/var/lib/pgsql/data\": Operation not permitted\n"), "{}", o[1].1);
    assert!(
        o[3].1
            .contains("fixing permissions on existing directory /var/lib/pgsql/data ... ok\n"),
        "{}",
        o[3].1
    );
    assert_eq!(o[4].1, "700 postgres\n600 postgres\n");
}

#[test]
fn libpq_ignores_a_password_file_others_may_read() {
    // Real (libpq 15, HOME with `echo '127.0.0.1:57441:replication:rep:secret' >
    // .pgpass`, 0644, a scram-sha-256 line for rep): `pg_basebackup -w -h 127.0.0.1 -p
    // 57441 -U rep -D DIR` printed `WARNING: password file "HOME/.pgpass" has group or
    // world access; permissions should be u=rw (0600) or less` and `pg_basebackup:
    // error: connection to server at "127.0.0.1", port 57441 failed: fe_sendauth: no
    // password supplied`; after `chmod 600 .pgpass` it cloned. With -v the second
    // connection's warning follows `starting background WAL receiver`.
    let s = "standby1$ echo 'primary:5432:replication:replicator:secret' > ~/.pgpass
standby1$ ls -l ~/.pgpass
standby1$ pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ chmod 600 ~/.pgpass
standby1$ pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
standby1$ chmod 640 ~/.pgpass
standby1$ pg_ctl start
lab$ wait 1s
standby1$ grep -A1 WARNING log/postgresql.log
";
    let o = outputs(s);
    let warning = "WARNING: password file \"/var/lib/pgsql/.pgpass\" has group or world access; permissions should be u=rw (0600) or less\n";
    assert_eq!(
        o[1].1,
        "-rw-r--r-- 1 postgres postgres 43 Nov 24 09:00 /var/lib/pgsql/.pgpass\n"
    );
    assert_eq!(o[2].1, format!("{warning}pg_basebackup: error: connection to server at \"primary\" (10.0.0.1), port 5432 failed: fe_sendauth: no password supplied\n"));
    assert_eq!(o[4].1, "");
    // The walreceiver's libpq writes the warning to stderr, a bare line of the log, and
    // cannot log in.
    let log = &o[8].1;
    assert!(log.starts_with(warning), "{log}");
    assert!(log.contains("FATAL:  could not connect to the primary server: connection to server at \"primary\" (10.0.0.1), port 5432 failed: fe_sendauth: no password supplied\n"), "{log}");
}

#[test]
fn a_server_that_may_not_read_its_configuration_does_not_start() {
    // Real: `chmod 755 i2; chown -R root i2` (an initdb'd directory), then as postgres
    // `pg_ctl -D i2 start` and `postgres -D i2` printed `LOG:  could not open
    // configuration file "/tmp/fid/i2/postgresql.conf": Permission denied` and `FATAL:
    // configuration file "/tmp/fid/i2/postgresql.conf" contains errors` (before the
    // ownership check).
    let s = "standby1$ initdb
standby1$ chmod 755 /var/lib/pgsql/data
standby1$ sudo chown -R root /var/lib/pgsql/data
standby1$ postgres -D /var/lib/pgsql/data
standby1$ pg_ctl start
";
    let o = outputs(s);
    let expected = "<time> [<pid>] LOG:  could not open configuration file \"/var/lib/pgsql/data/postgresql.conf\": Permission denied
<time> [<pid>] FATAL:  configuration file \"/var/lib/pgsql/data/postgresql.conf\" contains errors
";
    assert_eq!(masked(&o[3].1), expected);
    // walscope's pg_ctl start is `pg_ctl start -l log/postgresql.log` (after `mkdir -p
    // log`, as scripts/compare runs it): in root's 0755 directory there is no log/ and
    // postgres cannot make one, so the shell pg_ctl runs the postmaster through cannot
    // open the log and the postmaster never runs. PostgreSQL 15.18 (Debian, dash as
    // /bin/sh), `cp -a` of an initdb'd and started directory, `chmod 755 b; chown -R root
    // b`, then as postgres `pg_ctl -D b start -l b/log/postgresql.log`: with `b/log`
    // removed, `waiting for server to start..../bin/sh: 1: cannot create
    // b/log/postgresql.log: Directory nonexistent`; with it (root's now), `...: Permission
    // denied`; both then ` stopped waiting`.
    assert_eq!(
        o[4].1,
        "waiting for server to start..../bin/sh: 1: cannot create /var/lib/pgsql/data/log/postgresql.log: Directory nonexistent\n stopped waiting\npg_ctl: could not start server\nExamine the log output.\n"
    );
    let o = outputs(
        "primary$ pg_ctl stop
primary$ sudo chmod 755 /var/lib/pgsql/data
primary$ sudo chown -R root /var/lib/pgsql/data
primary$ pg_ctl start
",
    );
    assert_eq!(
        o[3].1,
        "waiting for server to start..../bin/sh: 1: cannot create /var/lib/pgsql/data/log/postgresql.log: Permission denied\n stopped waiting\npg_ctl: could not start server\nExamine the log output.\n"
    );
}
