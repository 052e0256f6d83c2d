//! SELinux on RHEL hosts (`lab$ os rhel`, issue 19 point 4): enforcing by default, the
//! confined server systemd starts meets the port and file-context labels, and the
//! fixes the class uses (`semanage port`, `semanage fcontext` + `restorecon`).
//!
//! The server's own messages were recorded on PostgreSQL 15.18 (Debian's build) as the
//! postgres user, with the same errno SELinux gives (EACCES):
//! - `postgres -D DIR -k DIR -p 543 -c listen_addresses=127.0.0.1 -c
//!   logging_collector=on` (a privileged port, refused to a non-root user) logged
//!   `could not bind IPv4 address "127.0.0.1": Permission denied`, `WARNING:  could
//!   not create listen socket for "127.0.0.1"`, `FATAL:  could not create any TCP/IP
//!   sockets` and `database system is shut down` in its log file, after the collector's
//!   two lines on stderr; with `listen_addresses='*'` the address is "0.0.0.0" and the
//!   warning names "*".
//! - `chmod 000 DIR; postgres -D DIR` printed `postgres: could not access the server
//!   configuration file "DIR/postgresql.conf": Permission denied` and exited with 2.

#[path = "common/transcript.rs"]
mod transcript;
use transcript::*;

#[test]
fn selinux_is_enforcing_and_only_root_changes_its_mode() {
    let t = run("lab$ os rhel
primary$ getenforce
primary$ sestatus
primary$ setenforce 0
primary$ sudo setenforce 0
primary$ getenforce
primary$ sudo setenforce permissive2
primary$ sudo setenforce 1
primary$ getenforce
");
    let (first, at) = output_after(&t, 0, "primary$ getenforce");
    assert_eq!(first, "Enforcing\n");
    let status = output_of(&t, "primary$ sestatus");
    assert!(
        status.starts_with("SELinux status:                 enabled\n"),
        "{status}"
    );
    assert!(
        status.contains("Loaded policy name:             targeted\nCurrent mode:                   enforcing\nMode from config file:          enforcing\n"),
        "{status}"
    );
    assert_eq!(
        output_of(&t, "primary$ setenforce 0"),
        "setenforce:  setenforce() failed\n"
    );
    assert_eq!(output_of(&t, "primary$ sudo setenforce 0"), "");
    let (second, at) = output_after(&t, at, "primary$ getenforce");
    assert_eq!(second, "Permissive\n");
    assert_eq!(
        output_of(&t, "primary$ sudo setenforce permissive2"),
        "usage:  setenforce [ Enforcing | Permissive | 1 | 0 ]\n"
    );
    let (third, _) = output_after(&t, at, "primary$ getenforce");
    assert_eq!(third, "Enforcing\n");
    // A default host has no SELinux tools.
    let t = run("primary$ getenforce\n");
    assert_eq!(
        output_of(&t, "primary$ getenforce"),
        "bash: getenforce: command not found\n"
    );
}

#[test]
fn a_port_not_labelled_for_postgresql_is_denied_until_semanage_labels_it() {
    let t = run("lab$ os rhel
primary$ echo \"port = 5433\" >> postgresql.conf
primary$ sudo systemctl restart postgresql
lab$ wait 2s
primary$ systemctl status postgresql
primary$ tail -5 /var/lib/pgsql/data/log/postgresql.log
primary$ grep denied /var/log/audit/audit.log
primary$ sudo grep denied /var/log/audit/audit.log
primary$ sudo semanage port -a -t postgresql_port_t -p tcp 5432
primary$ semanage port -a -t postgresql_port_t -p tcp 5433
primary$ sudo semanage port -a -t postgres_port_t -p tcp 5433
primary$ sudo semanage port -a -t postgresql_port_t -p tcp 5433
primary$ sudo semanage port -l
primary$ sudo systemctl start postgresql
primary$ systemctl is-active postgresql
primary$ ss -tlnp
");
    assert_eq!(
        output_of(&t, "primary$ sudo systemctl restart postgresql"),
        "Job for postgresql.service failed because the control process exited with error code.\nSee \"systemctl status postgresql.service\" and \"journalctl -xeu postgresql.service\" for details.\n"
    );
    let status = output_of(&t, "primary$ systemctl status postgresql");
    assert!(
        status.contains(
            "     Active: failed (Result: exit-code) since Tue 2026-11-24 09:00:00 UTC; 2s ago\n"
        ),
        "{status}"
    );
    // The collector runs already: the journal has its two lines, the log file the rest.
    assert!(
        status.contains("LOG:  redirecting log output to logging collector process\n"),
        "{status}"
    );
    assert!(
        status.contains(
            "systemd[1]: postgresql.service: Main process exited, code=exited, status=1/FAILURE\n"
        ),
        "{status}"
    );
    let log = output_of(
        &t,
        "primary$ tail -5 /var/lib/pgsql/data/log/postgresql.log",
    );
    let lines: Vec<&str> = log
        .lines()
        .map(|l| l.split_once("] ").map_or(l, |(_, m)| m))
        .collect();
    assert_eq!(
        lines,
        [
            "LOG:  starting PostgreSQL 15.18 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit",
            "LOG:  could not bind IPv4 address \"127.0.0.1\": Permission denied",
            "WARNING:  could not create listen socket for \"localhost\"",
            "FATAL:  could not create any TCP/IP sockets",
            "LOG:  database system is shut down",
        ]
    );
    assert_eq!(
        output_of(&t, "primary$ grep denied /var/log/audit/audit.log"),
        "grep: /var/log/audit/audit.log: Permission denied\n"
    );
    let avc = output_of(&t, "primary$ sudo grep denied /var/log/audit/audit.log");
    assert!(
        avc.starts_with(
            "type=AVC msg=audit(1795510800.000:401): avc:  denied  { name_bind } for  pid="
        ),
        "{avc}"
    );
    assert!(
        avc.ends_with(" comm=\"postmaster\" src=5433 scontext=system_u:system_r:postgresql_t:s0 tcontext=system_u:object_r:unreserved_port_t:s0 tclass=tcp_socket permissive=0\n"),
        "{avc}"
    );
    assert_eq!(
        output_of(
            &t,
            "primary$ sudo semanage port -a -t postgresql_port_t -p tcp 5432"
        ),
        "ValueError: Port tcp/5432 already defined\n"
    );
    assert_eq!(
        output_of(
            &t,
            "primary$ semanage port -a -t postgresql_port_t -p tcp 5433"
        ),
        "ValueError: SELinux policy is not managed or store cannot be accessed.\n"
    );
    assert_eq!(
        output_of(
            &t,
            "primary$ sudo semanage port -a -t postgres_port_t -p tcp 5433"
        ),
        "ValueError: Type postgres_port_t is invalid, must be a port type\n"
    );
    assert_eq!(
        output_of(
            &t,
            "primary$ sudo semanage port -a -t postgresql_port_t -p tcp 5433"
        ),
        ""
    );
    assert!(
        output_of(&t, "primary$ sudo semanage port -l")
            .contains("\npostgresql_port_t              tcp      5433, 5432, 9898\n"),
        "{t}"
    );
    assert_eq!(
        output_of(&t, "primary$ sudo systemctl start postgresql"),
        ""
    );
    assert_eq!(
        output_of(&t, "primary$ systemctl is-active postgresql"),
        "active\n"
    );
    assert!(
        output_of(&t, "primary$ ss -tlnp").contains("127.0.0.1:5433 "),
        "{t}"
    );
}

#[test]
fn listening_on_every_address_names_each_socket_it_could_not_bind() {
    let t = run("lab$ os rhel
primary$ echo \"listen_addresses = '*'\" >> postgresql.conf
primary$ echo \"port = 6432\" >> postgresql.conf
primary$ sudo systemctl restart postgresql
primary$ tail -4 /var/lib/pgsql/data/log/postgresql.log
");
    let log = output_of(
        &t,
        "primary$ tail -4 /var/lib/pgsql/data/log/postgresql.log",
    );
    assert!(
        log.contains("LOG:  could not bind IPv4 address \"0.0.0.0\": Permission denied\n"),
        "{log}"
    );
    assert!(
        log.contains("WARNING:  could not create listen socket for \"*\"\n"),
        "{log}"
    );
}

#[test]
fn permissive_mode_records_the_denial_and_lets_the_server_bind() {
    let t = run("lab$ os rhel
primary$ sudo setenforce 0
primary$ echo \"port = 5433\" >> postgresql.conf
primary$ sudo systemctl restart postgresql
primary$ systemctl is-active postgresql
primary$ sudo cat /var/log/audit/audit.log
primary$ sudo ausearch -m avc
");
    assert_eq!(
        output_of(&t, "primary$ systemctl is-active postgresql"),
        "active\n"
    );
    let audit = output_of(&t, "primary$ sudo cat /var/log/audit/audit.log");
    assert!(
        audit.ends_with(" tclass=tcp_socket permissive=1\n"),
        "{audit}"
    );
    let found = output_of(&t, "primary$ sudo ausearch -m avc");
    assert!(
        found.starts_with("----\ntime->Tue Nov 24 09:00:00 2026\ntype=AVC msg=audit("),
        "{found}"
    );
}

#[test]
fn pg_ctl_from_a_login_shell_runs_unconfined() {
    // The postgres user's shell is unconfined_t, and pg_ctl's postmaster stays there:
    // only the server systemd starts (postgresql_t) meets the port labels.
    let t = run("lab$ os rhel
primary$ echo \"port = 5433\" >> postgresql.conf
primary$ pg_ctl restart
primary$ ss -tlnp
");
    assert!(
        output_of(&t, "primary$ pg_ctl restart").ends_with("server started\n"),
        "{t}"
    );
    assert!(
        output_of(&t, "primary$ ss -tlnp").contains("127.0.0.1:5433 "),
        "{t}"
    );
}

/// A RHEL lab whose standby1 keeps its data on another disk, /data/pg, through a link
/// at /var/lib/pgsql/data (the unit's PGDATA), cloned from an open primary.
const MOVED_DATA: &str = "lab$ os rhel
lab$ node add standby1
standby1$ sudo dnf install -y postgresql-server postgresql-contrib
primary=# CREATE USER replicator WITH REPLICATION PASSWORD 'secret';
primary$ echo \"listen_addresses = '*'\" >> postgresql.conf
primary$ echo \"host replication replicator 10.0.0.2/32 scram-sha-256\" >> pg_hba.conf
primary$ sudo systemctl restart postgresql
primary$ sudo firewall-cmd --add-service=postgresql
standby1$ sudo mkdir -p /data/pg
standby1$ sudo chown postgres:postgres /data/pg
standby1$ sudo chmod 700 /data/pg
standby1$ sudo rm -rf /var/lib/pgsql/data
standby1$ sudo ln -s /data/pg /var/lib/pgsql/data
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
";

const START: &str = "standby1$ sudo systemctl start postgresql";

#[test]
fn a_data_directory_outside_var_lib_pgsql_is_denied_until_restorecon_labels_it() {
    let t = run(&format!(
        "{MOVED_DATA}standby1$ ls -l /var/lib/pgsql
standby1$ ls -Z /data
standby1$ ls -dZ /var/lib/pgsql
{START}
standby1$ journalctl -u postgresql
standby1$ sudo ausearch -m avc
standby1$ sudo semanage fcontext -a -t postgresql_db_t \"/data/pg(/.*)?\"
standby1$ sudo semanage fcontext -a -t postgresql_db_t \"/data/pg(/.*)?\"
standby1$ sudo semanage fcontext -l -C
{START}
standby1$ restorecon -Rv /data/pg
standby1$ sudo restorecon -Rv /data/pg
standby1$ sudo restorecon -Rv /data/pg
standby1$ ls -Z /data
{START}
lab$ wait 1s
primary=# SELECT client_addr, state FROM pg_stat_replication;
"
    ));
    assert_eq!(
        output_of(&t, "standby1$ ls -l /var/lib/pgsql"),
        "total 8\ndrwx------. 2 postgres postgres 4096 Nov 24 09:00 backups\nlrwxrwxrwx. 1 root root 8 Nov 24 09:00 data -> /data/pg\n"
    );
    let (ls, at) = output_after(&t, 0, "standby1$ ls -Z /data");
    assert_eq!(ls, "unconfined_u:object_r:default_t:s0 pg\n");
    assert_eq!(
        output_of(&t, "standby1$ ls -dZ /var/lib/pgsql"),
        "system_u:object_r:postgresql_db_t:s0 /var/lib/pgsql\n"
    );
    let (first, at_start) = output_after(&t, 0, START);
    assert!(
        first.starts_with("Job for postgresql.service failed"),
        "{first}"
    );
    let journal = output_of(&t, "standby1$ journalctl -u postgresql");
    let lines: Vec<&str> = journal.lines().collect();
    assert_eq!(
        lines,
        [
            "Nov 24 09:00:00 standby1 systemd[1]: Starting PostgreSQL database server...",
            lines[1],
            "Nov 24 09:00:00 standby1 systemd[1]: postgresql.service: Main process exited, code=exited, status=2/INVALIDARGUMENT",
            "Nov 24 09:00:00 standby1 systemd[1]: postgresql.service: Failed with result 'exit-code'.",
            "Nov 24 09:00:00 standby1 systemd[1]: Failed to start PostgreSQL database server.",
        ]
    );
    assert!(
        lines[1].ends_with("]: postgres: could not access the server configuration file \"/var/lib/pgsql/data/postgresql.conf\": Permission denied"),
        "{journal}"
    );
    let avc = output_of(&t, "standby1$ sudo ausearch -m avc");
    assert!(
        avc.contains("avc:  denied  { getattr } for  pid=")
            && avc.contains(" comm=\"postmaster\" path=\"/data/pg/postgresql.conf\" dev=\"dm-0\" ino=")
            && avc.ends_with(" scontext=system_u:system_r:postgresql_t:s0 tcontext=unconfined_u:object_r:default_t:s0 tclass=file permissive=0\n"),
        "{avc}"
    );
    let (added, after_add) = output_after(
        &t,
        0,
        "standby1$ sudo semanage fcontext -a -t postgresql_db_t \"/data/pg(/.*)?\"",
    );
    assert_eq!(added, "");
    let (again, _) = output_after(
        &t,
        after_add,
        "standby1$ sudo semanage fcontext -a -t postgresql_db_t \"/data/pg(/.*)?\"",
    );
    assert_eq!(
        again,
        "ValueError: File context for /data/pg(/.*)? already defined\n"
    );
    assert_eq!(
        output_of(&t, "standby1$ sudo semanage fcontext -l -C"),
        format!(
            "{:<50} {:<18} Context\n\n{:<50} {:<18} system_u:object_r:postgresql_db_t:s0\n",
            "SELinux fcontext", "type", "/data/pg(/.*)?", "all files"
        )
    );
    let (second, _) = output_after(&t, at_start, START);
    assert!(
        second.starts_with("Job for postgresql.service failed"),
        "a rule changes no label until restorecon: {second}"
    );
    assert_eq!(
        output_of(&t, "standby1$ restorecon -Rv /data/pg"),
        "restorecon: Could not set context for /data/pg:  Operation not permitted\n"
    );
    let (relabel, at_r) = output_after(&t, 0, "standby1$ sudo restorecon -Rv /data/pg");
    assert_eq!(
        relabel,
        "Relabeled /data/pg from unconfined_u:object_r:default_t:s0 to unconfined_u:object_r:postgresql_db_t:s0\n"
    );
    let (nothing, _) = output_after(&t, at_r, "standby1$ sudo restorecon -Rv /data/pg");
    assert_eq!(nothing, "", "already right");
    let (ls, _) = output_after(&t, at, "standby1$ ls -Z /data");
    assert_eq!(ls, "unconfined_u:object_r:postgresql_db_t:s0 pg\n");
    let rows = output_of(
        &t,
        "primary=# SELECT client_addr, state FROM pg_stat_replication;",
    );
    assert!(rows.contains(" 10.0.0.2    | streaming\n"), "{rows}");
}

#[test]
fn restorecon_on_the_link_relabels_the_link_not_the_directory() {
    let t = run(&format!(
        "{MOVED_DATA}standby1$ sudo semanage fcontext -a -t postgresql_db_t \"/data/pg(/.*)?\"
standby1$ sudo restorecon -Rv /var/lib/pgsql/data
{START}
standby1$ sudo chcon -R -t postgresql_db_t /data/pg
{START}
standby1$ systemctl is-active postgresql
"
    ));
    let (first, at) = output_after(&t, 0, START);
    assert!(
        first.starts_with("Job for postgresql.service failed"),
        "{t}"
    );
    let (second, _) = output_after(&t, at, START);
    assert_eq!(second, "", "chcon labels it by hand: {t}");
}

#[test]
fn restorecon_of_the_whole_tree_gives_each_directory_its_policy_type() {
    let t = run("lab$ os rhel
primary$ sudo mkdir -p /data/pg
primary$ sudo chcon -t tmp_t /var/lib/pgsql/data
primary$ sudo semanage fcontext -a -t postgresql_db_t \"/data/pg(/.*)?\"
primary$ sudo restorecon -R /
primary$ ls -dZ / /tmp /data /data/pg /var/lib/pgsql/data
primary$ sudo systemctl restart postgresql
primary$ systemctl is-active postgresql
");
    assert_eq!(
        output_of(
            &t,
            "primary$ ls -dZ / /tmp /data /data/pg /var/lib/pgsql/data"
        ),
        "system_u:object_r:root_t:s0 /
system_u:object_r:tmp_t:s0 /tmp
unconfined_u:object_r:default_t:s0 /data
unconfined_u:object_r:postgresql_db_t:s0 /data/pg
system_u:object_r:postgresql_db_t:s0 /var/lib/pgsql/data
"
    );
    assert_eq!(
        output_of(&t, "primary$ systemctl is-active postgresql"),
        "active\n"
    );
}
