//! Owners and modes of a host's files: who owns each file and directory, its permission
//! bits and when it last changed, as `ls -l`, `stat`, `chown` and `chmod` show and change
//! them, and as PostgreSQL checks them (`checkDataDir`: the data directory must belong to
//! the server's user and have mode 0700 or 0750).
//!
//! A leaf: plain data and pure functions. A file without a recorded [`FileMeta`] has the
//! one [`default_meta`] gives it (the data directory's files belong to postgres with
//! PostgreSQL's modes, the system's directories to root).

use super::time::SimTime;
use super::{PGDATA, PGHOME};

/// A user id, with the account names of a RHEL host (postgres has the fixed id 26 that
/// Red Hat's packages give it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Uid(pub u32);

/// Superuser.
pub const ROOT: Uid = Uid(0);
/// The account PostgreSQL runs as; a shell line runs as it unless it says `sudo`.
pub const POSTGRES: Uid = Uid(26);

/// The accounts (and their groups of the same name and id) a host knows: /etc/passwd.
const ACCOUNTS: [(&str, u32); 7] = [
    ("root", 0),
    ("bin", 1),
    ("daemon", 2),
    ("adm", 3),
    ("postgres", 26),
    ("nobody", 65534),
    ("sshd", 74),
];

impl Uid {
    /// The account's name (`ls -l`'s owner column), or the number when it has none.
    pub fn name(self) -> String {
        ACCOUNTS
            .iter()
            .find(|(_, id)| *id == self.0)
            .map_or_else(|| self.0.to_string(), |(n, _)| n.to_string())
    }

    /// An account by name, or a number as chown takes one (`chown 1000 f`).
    pub fn lookup(name: &str) -> Option<Uid> {
        if let Some((_, id)) = ACCOUNTS.iter().find(|(n, _)| *n == name) {
            return Some(Uid(*id));
        }
        if !name.is_empty() && name.len() <= 10 && name.bytes().all(|b| b.is_ascii_digit()) {
            return name.parse::<u32>().ok().filter(|n| *n < u32::MAX).map(Uid);
        }
        None
    }
}

/// A file's owner, group, permission bits (the low 12 bits of `st_mode`) and times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileMeta {
    pub owner: Uid,
    pub group: Uid,
    /// Permission bits, 0o7777 at most (setuid, setgid, sticky, rwx for u, g, o).
    pub mode: u32,
    /// Last change of the contents (`ls -l`'s date, stat's Modify).
    pub mtime: SimTime,
    /// Last change of the inode: contents, owner or mode (stat's Change).
    pub ctime: SimTime,
}

impl FileMeta {
    /// A file or directory made by `owner` at `now` with `mode`.
    pub fn new(owner: Uid, mode: u32, now: SimTime) -> FileMeta {
        FileMeta {
            owner,
            group: owner,
            mode: mode & 0o7777,
            mtime: now,
            ctime: now,
        }
    }
}

/// The file creation mask of the shell's user (RHEL's default for both root and
/// postgres): mkdir gives 0755, a new file 0644.
pub const UMASK: u32 = 0o022;

/// The system directories every host has (root's, 0755, /tmp sticky and world-writable).
const SYSTEM: [(&str, u32); 14] = [
    ("/", 0o555),
    ("/var", 0o755),
    ("/var/lib", 0o755),
    ("/usr", 0o755),
    ("/usr/bin", 0o555),
    ("/usr/sbin", 0o555),
    ("/usr/local", 0o755),
    ("/usr/local/bin", 0o755),
    ("/etc", 0o755),
    ("/opt", 0o755),
    ("/tmp", 0o1777),
    ("/root", 0o550),
    ("/run", 0o755),
    ("/home", 0o755),
];

/// What a file has when nothing recorded it otherwise: the data directory and what is
/// in it belong to postgres with PostgreSQL's modes (`pg_dir_create_mode` 0700,
/// `pg_file_create_mode` 0600), so does the postgres user's home (0700 as the RHEL
/// package makes it); the system's directories belong to root; anything else is
/// postgres's with the umask's modes.
pub fn default_meta(path: &str, is_dir: bool, data_since: SimTime) -> FileMeta {
    if let Some((_, mode)) = SYSTEM.iter().find(|(p, _)| *p == path) {
        return FileMeta::new(ROOT, *mode, SimTime::ZERO);
    }
    if path == PGDATA || path.starts_with(&format!("{PGDATA}/")) {
        return FileMeta::new(POSTGRES, if is_dir { 0o700 } else { 0o600 }, data_since);
    }
    if path == PGHOME {
        return FileMeta::new(POSTGRES, 0o700, SimTime::ZERO);
    }
    let mode = if is_dir { 0o777 } else { 0o666 } & !UMASK;
    FileMeta::new(POSTGRES, mode, SimTime::ZERO)
}

/// What access a user has to a file, as the kernel decides it (root may do anything but
/// execute a file nobody may execute; a plain user gets the owner's, else the group's,
/// else the others' bits). `want` is 4 (read), 2 (write) or 1 (execute/search).
pub fn may(user: Uid, m: &FileMeta, want: u32) -> bool {
    if user == ROOT {
        return want != 1 || m.mode & 0o111 != 0;
    }
    let bits = if m.owner == user {
        m.mode >> 6
    } else if m.group == user {
        m.mode >> 3
    } else {
        m.mode
    };
    bits & want == want
}

/// `ls -l`'s mode column: the type and the nine permission letters, with setuid,
/// setgid and sticky as s/S and t/T (`drwx------`, `-rw-r--r--`, `drwxrwxrwt`).
pub fn mode_string(is_dir: bool, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    s.push(if is_dir { 'd' } else { '-' });
    for (shift, special, lower, upper) in [
        (6, 0o4000, 's', 'S'),
        (3, 0o2000, 's', 'S'),
        (0, 0o1000, 't', 'T'),
    ] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        s.push(match (mode & special != 0, x) {
            (true, true) => lower,
            (true, false) => upper,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// Why chmod refused a mode: GNU chmod prints `invalid mode: ‘MODE’`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidMode;

/// A parsed chmod mode: an octal number or a list of symbolic clauses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModeChange {
    /// `700`, `0750`; `explicit_dir_bits` when given with five digits or more (`00755`),
    /// which is how a numeric mode clears a directory's setuid and setgid bits.
    Octal { mode: u32, explicit_dir_bits: bool },
    /// `u+x,go-rwx`: each clause as (who mask, op, what).
    Symbolic(Vec<Clause>),
}

/// One `who op perms` of a symbolic mode (`go-rwx`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The bits the clause may touch (0 when no `ugoa` was given: all but the umask's).
    who: u32,
    op: char,
    perm: Perm,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Perm {
    /// rwxXst letters: the bits (as for `a`) and whether X was among them.
    Bits { bits: u32, big_x: bool },
    /// `g=u`: a copy of another class's bits.
    Copy(char),
}

/// The longest mode chmod accepts here (a symbolic list of many clauses).
const MAX_MODE_LEN: usize = 256;

/// Parses chmod's MODE argument as GNU chmod does (`mode_compile`).
pub fn parse_mode(text: &str) -> Result<ModeChange, InvalidMode> {
    if text.is_empty() || text.len() > MAX_MODE_LEN {
        return Err(InvalidMode);
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        if text.bytes().any(|b| b > b'7') {
            return Err(InvalidMode);
        }
        let mut mode: u32 = 0;
        for b in text.bytes() {
            mode = mode
                .checked_mul(8)
                .and_then(|m| m.checked_add(u32::from(b - b'0')))
                .ok_or(InvalidMode)?;
            if mode > 0o7777 {
                return Err(InvalidMode);
            }
        }
        return Ok(ModeChange::Octal {
            mode,
            explicit_dir_bits: text.len() >= 5,
        });
    }
    let mut clauses = Vec::new();
    for part in text.split(',') {
        let mut chars = part.chars().peekable();
        let mut who = 0;
        while let Some(&c) = chars.peek() {
            who |= match c {
                'u' => 0o4700,
                'g' => 0o2070,
                'o' => 0o1007,
                'a' => 0o7777,
                _ => break,
            };
            chars.next();
        }
        let mut any_op = false;
        while let Some(op) = chars.next() {
            if !matches!(op, '+' | '-' | '=') {
                return Err(InvalidMode);
            }
            any_op = true;
            let perm = match chars.peek() {
                Some(&c @ ('u' | 'g' | 'o')) => {
                    chars.next();
                    Perm::Copy(c)
                }
                _ => {
                    let (mut bits, mut big_x) = (0, false);
                    while let Some(&c) = chars.peek() {
                        bits |= match c {
                            'r' => 0o444,
                            'w' => 0o222,
                            'x' => 0o111,
                            'X' => {
                                big_x = true;
                                0
                            }
                            's' => 0o6000,
                            't' => 0o1000,
                            _ => break,
                        };
                        chars.next();
                    }
                    Perm::Bits { bits, big_x }
                }
            };
            clauses.push(Clause { who, op, perm });
        }
        if !any_op {
            return Err(InvalidMode);
        }
    }
    Ok(ModeChange::Symbolic(clauses))
}

/// The mode `change` gives a file whose mode is `old` (GNU's `mode_adjust`).
pub fn apply_mode(change: &ModeChange, old: u32, is_dir: bool) -> u32 {
    match change {
        ModeChange::Octal {
            mode,
            explicit_dir_bits,
        } => {
            // chmod keeps a directory's setuid/setgid bits under a numeric mode unless
            // it names them or is written with five digits or more.
            if is_dir && !explicit_dir_bits {
                mode | (old & 0o6000)
            } else {
                *mode
            }
        }
        ModeChange::Symbolic(clauses) => {
            let mut m = old & 0o7777;
            for cl in clauses {
                let (affected, mask) = if cl.who == 0 {
                    (0o7777, 0o7777 & !UMASK)
                } else {
                    (cl.who, cl.who)
                };
                let value = match &cl.perm {
                    Perm::Bits { bits, big_x } => {
                        let x = if *big_x && (is_dir || m & 0o111 != 0) {
                            0o111
                        } else {
                            0
                        };
                        (bits | x) & mask
                    }
                    Perm::Copy(from) => {
                        let b = match from {
                            'u' => (m >> 6) & 7,
                            'g' => (m >> 3) & 7,
                            _ => m & 7,
                        };
                        (b << 6 | b << 3 | b) & mask & 0o777
                    }
                };
                m = match cl.op {
                    '+' => m | value,
                    '-' => m & !value,
                    // `=` clears what the clause may touch (a directory's setuid/setgid
                    // bits only when named), then sets its bits.
                    _ => {
                        let mut clear = affected & 0o777 | (affected & 0o1000);
                        if !is_dir {
                            clear |= affected & 0o6000;
                        }
                        if cl.who == 0 {
                            clear &= !UMASK;
                        }
                        (m & !clear) | value
                    }
                };
            }
            m
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(mode: &str, old: u32, dir: bool) -> u32 {
        apply_mode(&parse_mode(mode).unwrap(), old, dir)
    }

    // Each figure is what GNU coreutils 9 chmod did on this machine (`runuser -u postgres
    // -- bash -c 'chmod 0OLD z; chmod MODE z; stat -c %a z'`, umask 0022).
    #[test]
    fn modes_as_gnu_chmod_sets_them() {
        assert_eq!(sym("go-rwx", 0o755, true), 0o700);
        assert_eq!(sym("u=rwx,g=rx", 0o700, true), 0o750);
        assert_eq!(sym("a+r", 0o600, false), 0o644);
        assert_eq!(sym("+x", 0o644, false), 0o755);
        assert_eq!(sym("+w", 0o444, false), 0o644);
        assert_eq!(sym("u+s,g+s", 0o755, false), 0o6755);
        assert_eq!(sym("o+t", 0o2777, true), 0o3777);
        assert_eq!(sym("g=u", 0o700, true), 0o770);
        assert_eq!(sym("u+X", 0o600, true), 0o700);
        assert_eq!(sym("u+X", 0o600, false), 0o600);
        assert_eq!(sym("700", 0o2755, true), 0o2700);
        assert_eq!(sym("000", 0o2755, true), 0o2000);
        assert_eq!(sym("00755", 0o2755, true), 0o755);
        assert_eq!(sym("2755", 0o755, true), 0o2755);
        assert_eq!(sym("4755", 0o644, false), 0o4755);
        assert_eq!(sym("g-s", 0o2755, true), 0o755);
        assert_eq!(sym("=r", 0o6755, false), 0o444);
        assert_eq!(sym("=rx", 0o2755, true), 0o2555);
        assert_eq!(sym("a=", 0o755, false), 0);
        assert_eq!(sym("o=u", 0o644, false), 0o646);
        assert_eq!(parse_mode("999"), Err(InvalidMode));
        assert_eq!(parse_mode("u+q"), Err(InvalidMode));
        assert_eq!(parse_mode("17777"), Err(InvalidMode));
        assert_eq!(parse_mode("u"), Err(InvalidMode));
        assert_eq!(parse_mode(""), Err(InvalidMode));
        assert!(parse_mode(&"7".repeat(1000)).is_err());
    }

    #[test]
    fn mode_strings_as_ls_prints_them() {
        assert_eq!(mode_string(true, 0o700), "drwx------");
        assert_eq!(mode_string(true, 0o750), "drwxr-x---");
        assert_eq!(mode_string(false, 0o644), "-rw-r--r--");
        assert_eq!(mode_string(true, 0o3777), "drwxrwsrwt");
        assert_eq!(mode_string(false, 0o6755), "-rwsr-sr-x");
        assert_eq!(mode_string(true, 0o2000), "d-----S---");
        assert_eq!(mode_string(true, 0o1776), "drwxrwxrwT");
    }

    #[test]
    fn access_as_the_kernel_grants_it() {
        let dir = FileMeta::new(ROOT, 0o755, SimTime::ZERO);
        assert!(!may(POSTGRES, &dir, 2));
        assert!(may(POSTGRES, &dir, 4));
        assert!(may(ROOT, &dir, 2));
        let own = FileMeta::new(POSTGRES, 0o500, SimTime::ZERO);
        assert!(!may(POSTGRES, &own, 2));
        assert_eq!(Uid::lookup("postgres"), Some(POSTGRES));
        assert_eq!(Uid::lookup("bob"), None);
        assert_eq!(Uid::lookup("1000").map(Uid::name).as_deref(), Some("1000"));
        assert_eq!(Uid::lookup("99999999999"), None);
    }
}
