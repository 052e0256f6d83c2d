//! RHEL hosts (`lab$ os rhel`, issue 19): packages, systemd, firewalld and the network
//! tools, as the class notes use them on two Red Hat machines.

#[path = "common/transcript.rs"]
mod transcript;
use transcript::*;

/// A RHEL lab whose standby1 has the packages, an open primary and a replication user.
const OPEN_PRIMARY: &str = "lab$ os rhel
lab$ node add standby1
standby1$ sudo dnf install -y postgresql-server postgresql-contrib
primary=# CREATE USER replicator WITH REPLICATION PASSWORD 'secret';
primary$ echo \"listen_addresses = '*'\" >> postgresql.conf
primary$ echo \"host replication replicator 10.0.0.2/32 scram-sha-256\" >> pg_hba.conf
primary$ sudo systemctl restart postgresql
";

const NO_ROUTE: &str = "pg_basebackup: error: connection to server at \"primary\" (10.0.0.1), port 5432 failed: No route to host\n\tIs the server running on that host and accepting TCP/IP connections?\n";

const BACKUP: &str =
    "standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R";

#[test]
fn os_rhel_is_set_on_the_first_lines_only() {
    let t = run("lab$ node add standby1\nlab$ os rhel\nstandby1$ dnf install -y postgresql\n");
    assert!(
        output_of(&t, "lab$ os rhel")
            .starts_with("lab: os can only be set on a script's first lines"),
        "{t}"
    );
    // The lab stays the default one: dnf is not there, standby1 has PostgreSQL.
    assert_eq!(
        output_of(&t, "standby1$ dnf install -y postgresql"),
        "bash: dnf: command not found\n"
    );
    let t = run("lab$ seed 7\nlab$ os rhel\nlab$ os windows\n");
    assert!(
        output_of(&t, "lab$ os rhel").starts_with("hosts run Red Hat Enterprise Linux 9"),
        "{t}"
    );
    assert!(
        output_of(&t, "lab$ os windows").starts_with("lab: unknown operating system \"windows\""),
        "{t}"
    );
}

#[test]
fn a_bare_host_has_no_postgresql_until_dnf_installs_it() {
    let t = run("lab$ os rhel
lab$ node add standby1
standby1$ psql -c 'SELECT 1'
standby1$ pg_basebackup -h primary -D /var/lib/pgsql/data
standby1$ pg_ctl status
standby1$ ls /var/lib/pgsql
standby1$ rpm -q postgresql-server
standby1$ dnf install -y postgresql-server postgresql-contrib
standby1$ sudo dnf install postgresql-server postgresql-contrib
standby1$ sudo dnf install -y postgresql-server postgresql-contrib
standby1$ rpm -q postgresql-server postgresql-contrib
standby1$ pg_ctl status
standby1$ sudo postgresql-setup --initdb
standby1$ sudo postgresql-setup --initdb
standby1$ ls /var/lib/pgsql
");
    assert!(t.contains("host standby1 added (10.0.0.2): Red Hat Enterprise Linux 9, no PostgreSQL packages yet\n"), "{t}");
    assert_eq!(
        output_of(&t, "standby1$ psql -c 'SELECT 1'"),
        "bash: psql: command not found\n"
    );
    assert_eq!(
        output_of(
            &t,
            "standby1$ pg_basebackup -h primary -D /var/lib/pgsql/data"
        ),
        "bash: pg_basebackup: command not found\n"
    );
    let (first, at) = output_after(&t, 0, "standby1$ pg_ctl status");
    assert_eq!(first, "bash: pg_ctl: command not found\n");
    assert_eq!(
        output_of(&t, "standby1$ ls /var/lib/pgsql"),
        "ls: cannot access '/var/lib/pgsql': No such file or directory\n"
    );
    assert_eq!(
        output_of(&t, "standby1$ rpm -q postgresql-server"),
        "package postgresql-server is not installed\n"
    );
    assert_eq!(
        output_of(&t, "standby1$ dnf install -y postgresql-server postgresql-contrib"),
        "Error: This command has to be run with superuser privileges (under the root user on most systems).\n"
    );
    let asked = output_of(
        &t,
        "standby1$ sudo dnf install postgresql-server postgresql-contrib",
    );
    assert!(
        asked.ends_with("Install  4 Packages\n\nIs this ok [y/N]: Operation aborted.\n"),
        "{asked}"
    );
    let dnf = output_of(
        &t,
        "standby1$ sudo dnf install -y postgresql-server postgresql-contrib",
    );
    for part in [
        "Last metadata expiration check: 1:00:00 ago on Tue 24 Nov 2026 08:00:00 AM UTC.\nDependencies resolved.\n",
        "\nInstalling:\n postgresql-contrib ",
        "\nInstalling dependencies:\n postgresql  ",
        "\nTransaction Summary\n",
        "Install  4 Packages\n",
        "Installed:\n  postgresql-15.18-1.module+el9.7.0+23811+1f3c2b7e.x86_64\n",
        "  postgresql-server-15.18-1.module+el9.7.0+23811+1f3c2b7e.x86_64\n\nComplete!\n",
    ] {
        assert!(dnf.contains(part), "{part:?} not in:\n{dnf}");
    }
    assert_eq!(
        output_of(&t, "standby1$ rpm -q postgresql-server postgresql-contrib"),
        "postgresql-server-15.18-1.module+el9.7.0+23811+1f3c2b7e.x86_64\npostgresql-contrib-15.18-1.module+el9.7.0+23811+1f3c2b7e.x86_64\n"
    );
    let (second, _) = output_after(&t, at, "standby1$ pg_ctl status");
    assert_eq!(second, "pg_ctl: no server running\n");
    let (init, at) = output_after(&t, 0, "standby1$ sudo postgresql-setup --initdb");
    assert_eq!(
        init,
        " * Initializing database in '/var/lib/pgsql/data'\n * Initialized, logs are in /var/lib/pgsql/initdb_postgresql.log\n"
    );
    let (again, at) = output_after(&t, at, "standby1$ sudo postgresql-setup --initdb");
    assert!(again.contains("is not empty"), "{again}");
    let (ls, _) = output_after(&t, at, "standby1$ ls /var/lib/pgsql");
    assert_eq!(ls, "backups\ndata\ninitdb_postgresql.log\n");
}

#[test]
fn links_are_made_with_ln_and_shown_by_ls_l() {
    let t = run("lab$ os rhel
primary$ ln -s /usr/bin/pg_ctl /usr/local/bin/pg_ctl
primary$ sudo ln -s /usr/pgsql-15/bin/pg_ctl /usr/bin/pg_ctl
primary$ sudo ln -s /usr/bin/pg_ctl /usr/local/bin/pg_ctl
primary$ sudo ln -s /usr/pgsql-15/bin/psql /usr/local/bin/psql
primary$ ls -l /usr/local/bin/pg_ctl
primary$ /usr/local/bin/pg_ctl status
primary$ /usr/local/bin/psql -c 'SELECT 1'
");
    assert_eq!(
        output_of(&t, "primary$ ln -s /usr/bin/pg_ctl /usr/local/bin/pg_ctl"),
        "ln: failed to create symbolic link '/usr/local/bin/pg_ctl': Permission denied\n"
    );
    assert_eq!(
        output_of(
            &t,
            "primary$ sudo ln -s /usr/pgsql-15/bin/pg_ctl /usr/bin/pg_ctl"
        ),
        "ln: failed to create symbolic link '/usr/bin/pg_ctl': File exists\n"
    );
    assert_eq!(
        output_of(&t, "primary$ ls -l /usr/local/bin/pg_ctl"),
        "lrwxrwxrwx. 1 root root 15 Nov 24 09:00 /usr/local/bin/pg_ctl -> /usr/bin/pg_ctl\n"
    );
    assert!(
        output_of(&t, "primary$ /usr/local/bin/pg_ctl status")
            .starts_with("pg_ctl: server is running (PID: "),
        "{t}"
    );
    assert_eq!(
        output_of(&t, "primary$ /usr/local/bin/psql -c 'SELECT 1'"),
        "bash: /usr/local/bin/psql: No such file or directory\n"
    );
}

#[test]
fn systemd_shows_a_running_and_a_failed_server() {
    let t = run("lab$ os rhel
lab$ wait 5s
primary$ systemctl status postgresql
primary$ echo \"shared_buffers = lots\" >> postgresql.conf
primary$ sudo systemctl restart postgresql
lab$ wait 3s
primary$ systemctl status postgresql
primary$ journalctl -u postgresql -n 4
primary$ systemctl is-active postgresql
");
    let running = output_of(&t, "primary$ systemctl status postgresql");
    assert!(running.starts_with("\u{25cf} postgresql.service - PostgreSQL database server\n     Loaded: loaded (/usr/lib/systemd/system/postgresql.service; enabled; preset: disabled)\n     Active: active (running) since Tue 2026-11-24 09:00:00 UTC; 5s ago\n   Main PID: "), "{running}");
    assert!(running.contains(" (postmaster)\n"), "{running}");
    assert!(
        running.ends_with("systemd[1]: Started PostgreSQL database server.\n"),
        "{running}"
    );
    let restart = output_of(&t, "primary$ sudo systemctl restart postgresql");
    assert_eq!(restart, "Job for postgresql.service failed because the control process exited with error code.\nSee \"systemctl status postgresql.service\" and \"journalctl -xeu postgresql.service\" for details.\n");
    let (_, at) = output_after(&t, 0, "primary$ systemctl status postgresql");
    let (failed, _) = output_after(&t, at, "primary$ systemctl status postgresql");
    assert!(
        failed.starts_with("\u{d7} postgresql.service - PostgreSQL database server\n"),
        "{failed}"
    );
    assert!(
        failed.contains(
            "     Active: failed (Result: exit-code) since Tue 2026-11-24 09:00:05 UTC; 3s ago\n"
        ),
        "{failed}"
    );
    let journal = output_of(&t, "primary$ journalctl -u postgresql -n 4");
    let lines: Vec<&str> = journal.lines().collect();
    assert_eq!(lines.len(), 4, "{journal}");
    assert!(
        lines[0].contains(
            "FATAL:  configuration file \"/var/lib/pgsql/data/postgresql.conf\" contains errors"
        ),
        "{journal}"
    );
    assert_eq!(lines[1], "Nov 24 09:00:05 primary systemd[1]: postgresql.service: Main process exited, code=exited, status=1/FAILURE");
    assert_eq!(
        lines[3],
        "Nov 24 09:00:05 primary systemd[1]: Failed to start PostgreSQL database server."
    );
    assert!(
        journal.contains("invalid value for parameter \"shared_buffers\": \"lots\"")
            || t.contains("shared_buffers"),
        "{t}"
    );
    assert_eq!(
        output_of(&t, "primary$ systemctl is-active postgresql"),
        "failed\n"
    );
}

#[test]
fn the_firewall_blocks_a_base_backup_until_the_rule_is_loaded() {
    let t = run(&format!(
        "{OPEN_PRIMARY}primary$ firewall-cmd --state
primary$ sudo firewall-cmd --list-all
{BACKUP}
primary$ sudo firewall-cmd --permanent --add-service=postgresql
{BACKUP}
primary$ sudo firewall-cmd --reload
primary$ firewall-cmd --list-services
{BACKUP}
"
    ));
    assert_eq!(output_of(&t, "primary$ firewall-cmd --state"), "running\n");
    assert!(
        output_of(&t, "primary$ sudo firewall-cmd --list-all").starts_with(
            "public (active)\n  target: default\n  icmp-block-inversion: no\n  interfaces: eth0\n  sources: \n  services: cockpit dhcpv6-client ssh\n  ports: \n"
        ),
        "{t}"
    );
    let (first, at) = output_after(&t, 0, BACKUP);
    assert_eq!(first, NO_ROUTE);
    let (second, at) = output_after(&t, at, BACKUP);
    assert_eq!(
        second, NO_ROUTE,
        "a permanent rule does nothing before --reload"
    );
    assert_eq!(
        output_of(&t, "primary$ firewall-cmd --list-services"),
        "cockpit dhcpv6-client postgresql ssh\n"
    );
    let (third, _) = output_after(&t, at, BACKUP);
    assert_eq!(third, "", "{t}");
}

#[test]
fn a_runtime_rule_is_lost_on_reload_and_the_walreceiver_retries() {
    let t = run(&format!(
        "{OPEN_PRIMARY}primary$ sudo firewall-cmd --add-port=5432/tcp
{BACKUP}
primary$ sudo firewall-cmd --reload
standby1$ sudo systemctl start postgresql
lab$ wait 11s
standby1$ cat /var/lib/pgsql/data/log/postgresql.log
primary$ sudo systemctl stop firewalld
lab$ wait 5s
primary=# SELECT client_addr, state FROM pg_stat_replication;
"
    ));
    let (backup, _) = output_after(&t, 0, BACKUP);
    assert_eq!(backup, "", "{t}");
    let log = output_of(&t, "standby1$ cat /var/lib/pgsql/data/log/postgresql.log");
    let fatal = "FATAL:  could not connect to the primary server: connection to server at \"primary\" (10.0.0.1), port 5432 failed: No route to host";
    assert!(log.matches(fatal).count() >= 2, "retried:\n{log}");
    assert!(
        log.contains(
            "\n\t\tIs the server running on that host and accepting TCP/IP connections?\n"
        ),
        "{log}"
    );
    let rows = output_of(
        &t,
        "primary=# SELECT client_addr, state FROM pg_stat_replication;",
    );
    assert!(rows.contains(" 10.0.0.2    | streaming\n"), "{rows}");
}

#[test]
fn the_network_tools_find_the_cause() {
    let t = run("lab$ os rhel
lab$ node add standby1
primary$ ss -tlnp
standby1$ ping -c 2 primary
standby1$ nc -zv primary 5432
primary$ echo \"listen_addresses = '*'\" >> postgresql.conf
primary$ sudo systemctl restart postgresql
primary$ ss -tlnp
standby1$ nc -zv primary 5432
primary$ sudo firewall-cmd --add-service=postgresql
standby1$ nc -zv primary 5432
standby1$ nc -zv primary 5433
standby1$ ip addr
standby1$ hostname -I
lab$ partition primary standby1
standby1$ ping -c 2 primary
");
    let (before, at) = output_after(&t, 0, "primary$ ss -tlnp");
    assert!(
        before.starts_with("State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n"),
        "{before}"
    );
    assert!(before.contains("        127.0.0.1:5432 "), "{before}");
    assert!(!before.contains("0.0.0.0:5432"), "{before}");
    let (after, _) = output_after(&t, at, "primary$ ss -tlnp");
    assert!(after.contains("          0.0.0.0:5432 "), "{after}");
    assert!(after.contains("users:((\"postmaster\",pid="), "{after}");
    let (ping, at2) = output_after(&t, 0, "standby1$ ping -c 2 primary");
    assert_eq!(ping, "PING primary (10.0.0.1) 56(84) bytes of data.\n64 bytes from primary (10.0.0.1): icmp_seq=1 ttl=64 time=1.00 ms\n64 bytes from primary (10.0.0.1): icmp_seq=2 ttl=64 time=1.00 ms\n\n--- primary ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 1001ms\nrtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms\n");
    let head = "Ncat: Version 7.92 ( https://nmap.org/ncat )\n";
    let (nc1, at) = output_after(&t, 0, "standby1$ nc -zv primary 5432");
    assert_eq!(nc1, format!("{head}Ncat: No route to host.\n"));
    let (nc2, at) = output_after(&t, at, "standby1$ nc -zv primary 5432");
    assert_eq!(
        nc2,
        format!("{head}Ncat: No route to host.\n"),
        "listening now, still blocked"
    );
    let (nc3, _) = output_after(&t, at, "standby1$ nc -zv primary 5432");
    assert_eq!(nc3, format!("{head}Ncat: Connected to 10.0.0.1:5432.\nNcat: 0 bytes sent, 0 bytes received in 0.01 seconds.\n"));
    assert_eq!(
        output_of(&t, "standby1$ nc -zv primary 5433"),
        format!("{head}Ncat: No route to host.\n")
    );
    assert!(
        output_of(&t, "standby1$ ip addr")
            .contains("    inet 10.0.0.2/24 brd 10.0.0.255 scope global noprefixroute eth0\n"),
        "{t}"
    );
    assert_eq!(output_of(&t, "standby1$ hostname -I"), "10.0.0.2 \n");
    let (cut, _) = output_after(&t, at2, "standby1$ ping -c 2 primary");
    assert!(
        cut.contains("2 packets transmitted, 0 received, 100% packet loss"),
        "{cut}"
    );
}

#[test]
fn psql_from_another_host_meets_the_firewall_then_the_server() {
    let t = run("lab$ os rhel
lab$ node add standby1
standby1$ sudo dnf install -y postgresql
standby1$ psql -h primary -c 'SELECT 1'
primary$ sudo firewall-cmd --add-port=5432/tcp
standby1$ psql -h primary -c 'SELECT 1'
");
    let (blocked, at) = output_after(&t, 0, "standby1$ psql -h primary -c 'SELECT 1'");
    assert_eq!(blocked, "psql: error: connection to server at \"primary\" (10.0.0.1), port 5432 failed: No route to host\n\tIs the server running on that host and accepting TCP/IP connections?\n");
    let (refused, _) = output_after(&t, at, "standby1$ psql -h primary -c 'SELECT 1'");
    assert_eq!(refused, "psql: error: connection to server at \"primary\" (10.0.0.1), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n");
}

#[test]
fn a_console_on_a_bare_host_has_no_psql() {
    let t = run("lab$ os rhel\nlab$ node add standby1\nstandby1=# SELECT 1;\n");
    assert_eq!(
        output_of(&t, "standby1=# SELECT 1;"),
        "bash: psql: command not found\n"
    );
}

#[test]
fn the_model_names_the_links_a_firewall_blocks() {
    use walscope::script::Runner;
    let mut r = Runner::new(0);
    r.run_text(&format!(
        "{OPEN_PRIMARY}primary$ sudo firewall-cmd --add-service=postgresql
{BACKUP}
primary$ sudo firewall-cmd --reload
standby1$ sudo systemctl start postgresql
lab$ wait 1s
"
    ))
    .unwrap();
    let c = &r.cluster;
    let (s, p) = (
        c.host_id("standby1").unwrap(),
        c.host_id("primary").unwrap(),
    );
    assert_eq!(c.firewall_blocked_links(), vec![(s, p)]);
    r.run_text("primary$ sudo systemctl stop firewalld\n")
        .unwrap();
    assert_eq!(r.cluster.firewall_blocked_links(), vec![]);
}
