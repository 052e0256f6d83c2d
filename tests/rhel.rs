//! RHEL hosts (`lab$ os rhel`, issue 19): packages, systemd, firewalld and the network
//! tools, as the class notes use them on two Red Hat machines.

use walscope::script::run_script;

fn run(script: &str) -> String {
    match run_script(script) {
        Ok(t) => t,
        Err(e) => panic!("script does not parse: {e}"),
    }
}

/// The output printed for the first occurrence of `command` after `from` (up to the
/// next echoed prompt).
fn output_after<'a>(transcript: &'a str, from: usize, command: &str) -> (&'a str, usize) {
    let start = from
        + transcript[from..]
            .find(&format!("{command}\n"))
            .unwrap_or_else(|| panic!("{command} not in transcript:\n{transcript}"));
    let rest = &transcript[start + command.len() + 1..];
    let end = std::iter::once(0)
        .chain(rest.match_indices('\n').map(|(i, _)| i + 1))
        .find(|&i| is_prompt(rest[i..].lines().next().unwrap_or("")))
        .unwrap_or(rest.len());
    (&rest[..end], start + command.len() + 1 + end)
}

fn output_of<'a>(transcript: &'a str, command: &str) -> &'a str {
    output_after(transcript, 0, command).0
}

fn is_prompt(line: &str) -> bool {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    (name_end > 0 && (line[name_end..].starts_with("=# ") || line[name_end..].starts_with("$ ")))
        || line.starts_with("-- virtual time")
}

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
fn a_console_on_a_bare_host_has_no_psql() {
    let t = run("lab$ os rhel\nlab$ node add standby1\nstandby1=# SELECT 1;\n");
    assert_eq!(
        output_of(&t, "standby1=# SELECT 1;"),
        "bash: psql: command not found\n"
    );
}
