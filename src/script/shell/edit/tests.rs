//! Edits recorded as the fewest shell lines, and those lines, run by the lab's shell,
//! give back exactly the edited text.

use super::edit_commands;
use crate::sim::{Cluster, PGDATA};

/// Runs `cmds` on a fresh primary whose `file` holds `old`, and reads the file back.
fn replay(file: &str, old: &str, cmds: &[String]) -> String {
    let mut c = Cluster::new(1);
    let h = c.host_id("primary").unwrap();
    let path = format!("{PGDATA}/{file}");
    c.host_mut(h).files.insert(path.clone(), old.to_string());
    for cmd in cmds {
        let out = crate::script::shell::run(&mut c, h, cmd);
        assert_eq!(
            out,
            crate::script::shell::ShellResult::Done(String::new()),
            "{cmd}"
        );
    }
    c.host(h).files.get(&path).cloned().unwrap_or_default()
}

fn hba() -> String {
    let c = Cluster::new(1);
    let h = c.host_id("primary").unwrap();
    c.host(h).files[&format!("{PGDATA}/pg_hba.conf")].clone()
}

#[test]
fn a_one_line_change_is_one_sed_line() {
    let old = hba();
    let n = old.lines().count();
    let last = old.lines().last().unwrap().to_string();
    let new = old.replace(&last, "host replication all 10.0.0.0/24 trust");
    let cmds = edit_commands("pg_hba.conf", Some(&old), &new);
    assert_eq!(
        cmds,
        [format!(
            "sed -i '{n}c\\host replication all 10.0.0.0/24 trust' pg_hba.conf"
        )]
    );
    assert_eq!(replay("pg_hba.conf", &old, &cmds), new);
}

#[test]
fn an_added_line_is_one_echo_and_a_removed_line_one_sed() {
    let old = hba();
    let new = format!("{old}host replication replicator 10.0.0.0/24 scram-sha-256\n");
    assert_eq!(
        edit_commands("pg_hba.conf", Some(&old), &new),
        ["echo \"host replication replicator 10.0.0.0/24 scram-sha-256\" >> pg_hba.conf"]
    );
    let lines: Vec<&str> = old.lines().collect();
    let without_third: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let cmds = edit_commands("pg_hba.conf", Some(&old), &without_third);
    assert_eq!(cmds, ["sed -i '3d' pg_hba.conf"]);
    assert_eq!(replay("pg_hba.conf", &old, &cmds), without_third);
}

#[test]
fn random_edits_replay_to_the_edited_text() {
    let old = hba();
    let base: Vec<String> = old.lines().map(str::to_string).collect();
    let pool = [
        "",
        "  indented",
        "it's got 'quotes' and \"doubles\"",
        "back\\slash \\t $HOME `cmd`",
        "host all all 0.0.0.0/0 md5",
        "# comment",
    ];
    let mut rng = crate::sim::Rng::new(7);
    let mut below = |n: u64| rng.range(0, n - 1);
    for round in 0..300 {
        let mut lines = base.clone();
        for _ in 0..1 + below(4) {
            let at = below(lines.len() as u64 + 1) as usize;
            let text = pool[below(pool.len() as u64) as usize].to_string();
            match below(3) {
                0 if at < lines.len() => lines[at] = text,
                1 if at < lines.len() => {
                    lines.remove(at);
                }
                _ => lines.insert(at, text),
            }
        }
        let new: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let cmds = edit_commands("pg_hba.conf", Some(&old), &new);
        assert!(cmds.len() <= new.lines().count().max(1), "round {round}");
        assert_eq!(
            replay("pg_hba.conf", &old, &cmds),
            new,
            "round {round}: {cmds:#?}"
        );
    }
}

#[test]
fn a_new_or_unterminated_file_is_written_whole() {
    assert_eq!(
        edit_commands("standby.signal", None, ""),
        ["echo -n \"\" > standby.signal"]
    );
    let cmds = edit_commands("x.conf", Some("a\n"), "a\nb");
    assert_eq!(cmds, ["echo \"a\" > x.conf", "echo -n \"b\" >> x.conf"]);
    assert_eq!(replay("x.conf", "a\n", &cmds), "a\nb");
}
