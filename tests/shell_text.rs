//! head, grep and wc on a node's files, in the shapes GNU coreutils and grep print
//! (checked with the same commands on Debian 12 in a data directory).

use walscope::script::run_script;

fn output(script: &str) -> String {
    run_script(script).unwrap()
}

#[test]
fn head_grep_and_wc_read_the_data_directory() {
    let out = output(
        "primary$ head -n 2 postgresql.conf PG_VERSION
primary$ grep -n max_wal_size postgresql.conf
primary$ grep -c nosuchword pg_hba.conf
primary$ wc -l PG_VERSION
primary$ wc PG_VERSION
primary$ grep x nosuch
",
    );
    assert!(
        out.contains("primary$ head -n 2 postgresql.conf PG_VERSION\n==> postgresql.conf <==\n# -----------------------------\n# PostgreSQL configuration file\n\n==> PG_VERSION <==\n15\n"),
        "{out}"
    );
    assert!(
        out.contains("primary$ grep -n max_wal_size postgresql.conf\n")
            && out.contains(":max_wal_size = 1GB\n"),
        "{out}"
    );
    assert!(out.contains("pg_hba.conf\n0\n"), "{out}");
    assert!(
        out.contains("primary$ wc -l PG_VERSION\n1 PG_VERSION\n"),
        "{out}"
    );
    // Three counts of one 3-byte file: each as wide as the byte count.
    assert!(
        out.contains("primary$ wc PG_VERSION\n1 1 3 PG_VERSION\n"),
        "{out}"
    );
    assert!(
        out.contains("grep: nosuch: No such file or directory\n"),
        "{out}"
    );
}

#[test]
fn a_line_added_to_a_file_is_found_by_grep() {
    let out = output(
        "primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ grep ^host.*replicator pg_hba.conf
primary$ grep ^host pg_hba.conf
primary$ grep -v ^# pg_hba.conf
",
    );
    // Only `^` and `$` are read as anchors: `.*` is matched as written.
    assert!(
        out.contains("primary$ grep ^host.*replicator pg_hba.conf\nprimary$"),
        "{out}"
    );
    assert!(
        out.contains("host replication replicator 10.0.0.0/24 scram-sha-256\n-- virtual")
            || out.ends_with(
                "host replication replicator 10.0.0.0/24 scram-sha-256\n-- virtual time: 0.000s\n"
            ),
        "{out}"
    );
}

#[test]
fn removing_the_server_s_own_files_takes_them_away_and_the_rest_is_refused_in_words() {
    // base and postmaster.pid go (tests/data_files.rs has what PostgreSQL makes of
    // it); a directory whose removal the model does not follow is refused, not
    // pretended away.
    let out = output(
        "primary$ rm -rf base\nprimary$ rm postmaster.pid\nprimary$ rm -rf pg_stat\nprimary$ ls\n",
    );
    assert!(
        out.contains(
            "rm: cannot remove 'pg_stat': walscope does not model removing the server's own files"
        ),
        "{out}"
    );
    assert!(!out.contains("rm: cannot remove 'base'"), "{out}");
    assert!(!out.contains("rm: cannot remove 'postmaster.pid'"), "{out}");
    assert!(
        !out.contains("\nbase\n")
            && !out.contains("\npostmaster.pid\n")
            && out.contains("\npg_stat\n"),
        "{out}"
    );
}

#[test]
fn grep_prints_context_lines_as_gnu_grep_does() {
    // The same file and commands through GNU grep 3.8 (Debian 12): printf 'a LOG one\n
    // b FATAL x\n...' > g.txt; grep -A1 FATAL g.txt; grep -B 1 ...; grep -C1 -n ...
    let mut script = String::new();
    for l in [
        "a LOG one",
        "b FATAL x",
        "c DETAIL y",
        "d LOG two",
        "e LOG three",
        "f FATAL z",
        "g LOG four",
        "h LOG five",
        "i LOG six",
        "j FATAL w",
    ] {
        script.push_str(&format!("primary$ echo '{l}' >> g.txt\n"));
    }
    script.push_str(
        "primary$ grep -A1 FATAL g.txt\nprimary$ grep -B 1 FATAL g.txt\nprimary$ grep -C1 -n FATAL g.txt\nprimary$ grep -A 1 -v LOG g.txt\nprimary$ grep -A x FATAL g.txt\n",
    );
    let out = output(&script);
    let after = |cmd: &str| -> String {
        let at = out.find(&format!("primary$ {cmd}\n")).unwrap() + cmd.len() + 10;
        out[at..].split("primary$ ").next().unwrap().to_string()
    };
    assert_eq!(
        after("grep -A1 FATAL g.txt"),
        "b FATAL x\nc DETAIL y\n--\nf FATAL z\ng LOG four\n--\nj FATAL w\n"
    );
    assert_eq!(
        after("grep -B 1 FATAL g.txt"),
        "a LOG one\nb FATAL x\n--\ne LOG three\nf FATAL z\n--\ni LOG six\nj FATAL w\n"
    );
    assert_eq!(
        after("grep -C1 -n FATAL g.txt"),
        "1-a LOG one\n2:b FATAL x\n3-c DETAIL y\n--\n5-e LOG three\n6:f FATAL z\n7-g LOG four\n--\n9-i LOG six\n10:j FATAL w\n"
    );
    assert_eq!(
        after("grep -A 1 -v LOG g.txt"),
        "b FATAL x\nc DETAIL y\nd LOG two\n--\nf FATAL z\ng LOG four\n--\nj FATAL w\n"
    );
    assert!(
        after("grep -A x FATAL g.txt").starts_with("grep: x: invalid context length argument\n"),
        "{out}"
    );
}

/// A pipeline feeds the first command's output to grep, head, tail, wc or cat, as bash
/// does (shapes checked with GNU coreutils on Debian 12: `printf 'a b\nc\n' | wc` prints
/// `      2       3       6`, `| wc -l` prints `2`).
#[test]
fn a_pipeline_reads_what_the_command_before_printed() {
    let out = output(
        "primary$ pg_controldata | grep REDO
primary$ pg_controldata | grep -c TimeLineID
primary$ cat postgresql.conf | grep -n '^max_wal_size' | head -1
primary$ pg_controldata | head -2 | tail -1
primary$ echo 'a b' | wc
primary$ pg_controldata | wc -l
primary$ cat PG_VERSION | cat
primary$ pg_controldata | awk '{print $1}'
primary$ pg_controldata | ls
primary$ grep 'a|b' PG_VERSION
primary$ echo end
",
    );
    let after = |cmd: &str| {
        let start = out.find(&format!("{cmd}\n")).expect(cmd) + cmd.len() + 1;
        let rest = &out[start..];
        rest[..rest.find("primary$").unwrap_or(rest.len())].to_string()
    };
    assert_eq!(
        after("primary$ pg_controldata | grep REDO"),
        "Latest checkpoint's REDO location:    0/1707A48\nLatest checkpoint's REDO WAL file:    000000010000000000000001\n"
    );
    assert_eq!(after("primary$ pg_controldata | grep -c TimeLineID"), "2\n");
    assert!(
        after("primary$ cat postgresql.conf | grep -n '^max_wal_size' | head -1")
            .ends_with(":max_wal_size = 1GB\n")
    );
    assert_eq!(
        after("primary$ pg_controldata | head -2 | tail -1"),
        "Catalog version number:               202209061\n"
    );
    assert_eq!(
        after("primary$ echo 'a b' | wc"),
        "      1       2       4\n"
    );
    assert_eq!(after("primary$ pg_controldata | wc -l"), "50\n");
    assert_eq!(after("primary$ cat PG_VERSION | cat"), "15\n");
    assert_eq!(
        after("primary$ pg_controldata | awk '{print $1}'"),
        "bash: awk: command not found\n"
    );
    assert!(after("primary$ pg_controldata | ls").starts_with("walscope: only grep"));
    // A quoted | is part of the pattern, not a pipe.
    assert_eq!(after("primary$ grep 'a|b' PG_VERSION"), "");
}
