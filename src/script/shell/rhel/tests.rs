use crate::script::shell::{run, ShellResult};
use crate::sim::Cluster;

fn rhel() -> Cluster {
    let mut c = Cluster::new(0);
    c.set_os_rhel();
    c
}

fn sh(c: &mut Cluster, line: &str) -> String {
    let h = c.host_id("primary").expect("primary");
    match run(c, h, line) {
        ShellResult::Done(s) => s,
        ShellResult::BaseBackup(_) => panic!("no backup expected"),
    }
}

#[test]
fn dnf_names_what_it_cannot_find() {
    let mut c = rhel();
    assert_eq!(
        sh(&mut c, "sudo dnf install -y pgaudit15"),
        "Last metadata expiration check: 1:00:00 ago on Tue 24 Nov 2026 08:00:00 AM UTC.\nNo match for argument: pgaudit15\nError: Unable to find a match: pgaudit15\n"
    );
    let again = sh(&mut c, "sudo dnf install -y postgresql-server");
    assert!(
        again.ends_with("Package postgresql-server-15.18-1.module+el9.7.0+23811+1f3c2b7e.x86_64 is already installed.\nDependencies resolved.\nNothing to do.\nComplete!\n"),
        "{again}"
    );
}

#[test]
fn firewall_cmd_checks_its_arguments_and_its_user() {
    let mut c = rhel();
    assert_eq!(
        sh(&mut c, "firewall-cmd --add-service=postgresql"),
        "Authorization failed.\n    Make sure polkit agent is running or run the application as superuser.\n"
    );
    assert_eq!(
        sh(&mut c, "sudo firewall-cmd --add-port=5432"),
        "Error: INVALID_PORT: bad port (most likely missing protocol), correct syntax is portid[-portid]/protocol\n"
    );
    assert_eq!(
        sh(&mut c, "sudo firewall-cmd --add-service=postgres"),
        "Error: INVALID_SERVICE: 'postgres' not among existing services\n"
    );
    assert_eq!(
        sh(&mut c, "sudo firewall-cmd --add-service=ssh"),
        "Warning: ALREADY_ENABLED: ssh\nsuccess\n"
    );
    assert_eq!(sh(&mut c, "sudo systemctl stop firewalld"), "");
    assert_eq!(
        sh(&mut c, "firewall-cmd --list-all"),
        "FirewallD is not running\n"
    );
    assert_eq!(sh(&mut c, "sudo systemctl start firewalld"), "");
    assert_eq!(sh(&mut c, "firewall-cmd --state"), "running\n");
}

#[test]
fn server_programs_refuse_root_and_units_not_installed_are_not_found() {
    let mut c = rhel();
    assert_eq!(
        sh(&mut c, "sudo pg_ctl status"),
        "pg_ctl: cannot be run as root\nPlease log in (using, e.g., \"su\") as the (unprivileged) user that will\nown the server process.\n"
    );
    assert_eq!(
        sh(&mut c, "systemctl status mariadb"),
        "Unit mariadb.service could not be found.\n"
    );
    assert_eq!(sh(&mut c, "sudo whoami"), "root\n");
    assert_eq!(sh(&mut c, "whoami"), "postgres\n");
    assert_eq!(
        sh(&mut c, "sudo systemctl enable postgresql"),
        "",
        "already enabled on the primary"
    );
    assert_eq!(
        sh(&mut c, "sudo systemctl disable postgresql"),
        "Removed \"/etc/systemd/system/multi-user.target.wants/postgresql.service\".\n"
    );
}
