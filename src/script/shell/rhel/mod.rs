//! The shell of a RHEL 9 host (`lab$ os rhel`): the commands the class notes type on
//! their two Red Hat machines (dnf, rpm, postgresql-setup, systemctl, journalctl,
//! firewall-cmd, SELinux's getenforce, semanage and restorecon, ln) and the network tools a class finds a blocked standby with (ping,
//! ss, nc, ip, hostname -I). Whatever this module does not answer goes on to the shell
//! every host has.
//!
//! The user convention is the shell's: a line runs as the postgres OS user, and
//! `sudo CMD` runs CMD as root (`sudo -u postgres CMD` as postgres).

mod files;
mod firewall;
mod net;
mod packages;
mod selinux;
mod systemd;

use super::ShellResult;
use crate::sim::selinux::AUDIT_LOG;
use crate::sim::{Cluster, HostId};

/// Which package provides each PostgreSQL program (Red Hat's split: the client tools
/// in `postgresql`, the server and its tools in `postgresql-server`).
const PROGRAMS: [(&str, &str); 14] = [
    ("psql", "postgresql"),
    ("pg_basebackup", "postgresql"),
    ("pg_dump", "postgresql"),
    ("pg_dumpall", "postgresql"),
    ("pg_restore", "postgresql"),
    ("pg_isready", "postgresql"),
    ("pg_ctl", "postgresql-server"),
    ("pg_rewind", "postgresql-server"),
    ("pg_controldata", "postgresql-server"),
    ("initdb", "postgresql-server"),
    ("postgres", "postgresql-server"),
    ("postmaster", "postgresql-server"),
    ("postgresql-setup", "postgresql-server"),
    ("pg_upgrade", "postgresql-upgrade"),
];

/// The package that installs `/usr/bin/NAME`, for a PostgreSQL program.
pub(super) fn package_of(program: &str) -> Option<&'static str> {
    PROGRAMS
        .iter()
        .find(|(p, _)| *p == program)
        .map(|(_, pkg)| *pkg)
}

/// Runs `cmd` on a RHEL host if this module answers it; `None` leaves it to the common
/// shell. `root` is whether the line ran under `sudo`.
pub(super) fn run(
    c: &mut Cluster,
    h: HostId,
    cmd: &str,
    args: &[String],
    root: bool,
) -> Option<ShellResult> {
    let os = c.os(h)?;
    // A program is found by its path too (/usr/bin/psql), and through a link.
    if cmd.contains('/') {
        let path = super::resolve_path(cmd);
        let is_link = os.links.contains_key(&path);
        if (is_link || path.starts_with("/usr/")) && files::follow(c, h, &path).is_none() {
            return Some(done(not_found(cmd)));
        }
    }
    let name = program_name(c, h, cmd);
    let name = name.as_str();
    if let Some(pkg) = package_of(name) {
        if !os.has(pkg) {
            return Some(done(not_found(cmd)));
        }
        if root && matches!(name, "pg_ctl" | "initdb" | "postgres" | "postmaster") {
            return Some(done(format!("{name}: cannot be run as root\nPlease log in (using, e.g., \"su\") as the (unprivileged) user that will\nown the server process.\n")));
        }
    }
    let out = match name {
        "dnf" | "yum" => packages::dnf(c, h, args, root),
        "rpm" => packages::rpm(c, h, args),
        "postgresql-setup" => packages::postgresql_setup(c, h, args, root),
        "systemctl" => systemd::systemctl(c, h, args, root),
        "journalctl" => systemd::journalctl(c, h, args),
        "firewall-cmd" => firewall::firewall_cmd(c, h, args, root),
        "ln" => files::ln(c, h, args, root),
        "ls" if args
            .iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('Z')) =>
        {
            selinux::ls_z(c, h, args)
        }
        "ls" if args.iter().any(|a| a.starts_with('-') && a.contains('l')) => {
            files::ls_long(c, h, args)?
        }
        "getenforce" => selinux::getenforce(c, h),
        "sestatus" => selinux::sestatus(c, h),
        "setenforce" => selinux::setenforce(c, h, args, root),
        "semanage" => selinux::semanage(c, h, args, root),
        "restorecon" => selinux::restorecon(c, h, args, root),
        "chcon" => selinux::chcon(c, h, args, root),
        "ausearch" => selinux::ausearch(c, h, args, root),
        // The audit log is root's (mode 0600).
        "cat" | "tail" | "head" | "grep" if !root && names_audit_log(args) => match name {
            "tail" | "head" => {
                format!("{name}: cannot open '{AUDIT_LOG}' for reading: Permission denied\n")
            }
            _ => format!("{name}: {AUDIT_LOG}: Permission denied\n"),
        },
        "ping" => net::ping(c, h, args),
        "ss" => net::ss(c, h, args),
        "nc" | "ncat" => net::nc(c, h, args),
        "ip" => net::ip(c, h, args),
        "hostname" if !args.is_empty() => net::hostname(c, h, args),
        "whoami" if root => "root\n".to_string(),
        _ => return None,
    };
    Some(done(out))
}

fn names_audit_log(args: &[String]) -> bool {
    args.iter().any(|a| super::resolve_path(a) == AUDIT_LOG)
}

/// The program a command names: a path through links to /usr/bin/NAME is NAME.
pub(super) fn program_name(c: &Cluster, h: HostId, cmd: &str) -> String {
    if !cmd.contains('/') {
        return cmd.to_string();
    }
    match files::follow(c, h, &super::resolve_path(cmd)) {
        Some(p) => p.rsplit('/').next().unwrap_or(cmd).to_string(),
        None => cmd.to_string(),
    }
}

fn done(s: String) -> ShellResult {
    ShellResult::Done(s)
}

fn not_found(cmd: &str) -> String {
    if cmd.contains('/') {
        format!("bash: {cmd}: No such file or directory\n")
    } else {
        format!("bash: {cmd}: command not found\n")
    }
}

/// What a command that needs root says to a plain user, where walscope knows it.
fn needs_root(cmd: &str) -> String {
    match cmd {
        "dnf" => "Error: This command has to be run with superuser privileges (under the root user on most systems).\n".to_string(),
        "firewall-cmd" => "Authorization failed.\n    Make sure polkit agent is running or run the application as superuser.\n".to_string(),
        _ => format!("{cmd}: Permission denied\n"),
    }
}

#[cfg(test)]
mod tests;
