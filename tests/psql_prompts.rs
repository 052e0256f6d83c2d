//! What a class sees when a statement runs over several lines: psql's continuation
//! prompts, and a forgotten `;` that does not swallow the next command.

use walscope::script::run_script;

#[test]
fn continuation_lines_show_psql_s_prompt_for_where_the_statement_stands() {
    // psql 15 in a terminal (`script -qc 'psql -X'` fed these lines) shows
    // postgres'#, postgres(#, postgres$#, postgres*# and postgres-#.
    let out = run_script("primary=# SELECT 'a\nb', (1\n+ 2), $$x\ny$$ /* c\nd */\n;\n").unwrap();
    let prompts: Vec<&str> = out
        .lines()
        .take(6)
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        prompts,
        [
            "primary=#",
            "primary'#",
            "primary(#",
            "primary$#",
            "primary*#",
            "primary-#"
        ]
    );
    assert!(out.contains(" a       +|        3 | x       +\n"), "{out}");
}

#[test]
fn a_forgotten_semicolon_is_sent_when_the_next_command_comes() {
    // psql sends what its buffer holds when its input ends (`psql -f` on a file whose
    // last statement has no `;`); the script's next command is not read as SQL.
    let out = run_script("primary=# SELECT 41 + 1\nprimary=# SELECT 'next';\n").unwrap();
    assert!(
        out.starts_with("primary=# SELECT 41 + 1\n ?column? \n----------\n       42\n"),
        "{out}"
    );
    assert!(
        out.contains("primary=# SELECT 'next';\n ?column? \n----------\n next\n"),
        "{out}"
    );
    assert!(!out.contains("ERROR"), "{out}");
}
