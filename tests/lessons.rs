//! Lessons: every lesson in `lessons/` loads and passes the author's check (each goal
//! unmet before its solution, met after it); malformed lessons give errors that name
//! file and line without stopping the others; checking goals never changes the lab.

use std::path::Path;

use walscope::lesson::{self, Library, Progress};
use walscope::script::parse_line;
use walscope::timeline::Lab;

const GOOD: &str = "---
id: tiny
title: A table and a refusal
summary: Two steps.
---

The introduction.

## Make a table

Create it.

```walscope goal
label: the table exists
primary=# SELECT count(*) FROM t;
shows: (1 row)
```

```walscope hint
CREATE TABLE.
```

```walscope question
What does psql answer?
- [ ] INSERT 0 1
- [x] CREATE TABLE
It names the command.
```

```walscope solution
primary=# CREATE TABLE t (id int);
```

## Make it again

```sql
CREATE TABLE t (id int);
```

```walscope goal
label: PostgreSQL refuses a second table t
last: primary
shows: ERROR:  relation \"t\" already exists
```

```walscope solution
primary=# CREATE TABLE t (id int);
```
";

fn errors_of(text: &str) -> Vec<String> {
    match lesson::parse("lessons/99-broken.md", text) {
        Ok(_) => panic!("lesson parsed:\n{text}"),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn every_lesson_file_is_compiled_in_loads_and_passes_its_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .map(|n| format!("lessons/{n}"))
        .collect();
    on_disk.sort();
    let builtin: Vec<String> = lesson::BUILTIN.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(builtin, on_disk);
    let lib = Library::builtin();
    assert!(lib.errors.is_empty(), "{:#?}", lib.errors);
    assert_eq!(lib.lessons.len(), on_disk.len());
    for l in &lib.lessons {
        assert!(!l.steps.is_empty(), "{}", l.file);
        if let Err(errors) = lesson::check(l) {
            panic!(
                "{}",
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}

#[test]
fn the_course_has_the_lessons_of_the_issue_with_questions() {
    let lib = Library::builtin();
    for id in ["wal-and-lsn", "basebackup"] {
        let l = lib.get(id).unwrap_or_else(|| panic!("no lesson {id}"));
        assert!(
            l.steps.iter().any(|s| s.question.is_some()),
            "{id} has no question"
        );
        for s in &l.steps {
            if !s.goals.is_empty() {
                assert!(!s.hints.is_empty(), "{id}: step {:?} has no hint", s.title);
            }
        }
    }
}

#[test]
fn a_lesson_reads_into_steps_goals_hints_and_questions() {
    let l = lesson::parse("lessons/99-tiny.md", GOOD).unwrap();
    assert_eq!(l.id, "tiny");
    assert_eq!(l.intro, "The introduction.");
    assert_eq!(l.steps.len(), 2);
    let s = &l.steps[0];
    assert_eq!(s.title, "Make a table");
    assert_eq!(s.prose, "Create it.");
    assert_eq!(s.hints, vec!["CREATE TABLE.".to_string()]);
    let q = s.question.as_ref().unwrap();
    assert_eq!(q.choices, vec!["INSERT 0 1", "CREATE TABLE"]);
    assert_eq!(q.answer, 1);
    assert_eq!(q.explanation, "It names the command.");
    assert_eq!(s.goals[0].label, "the table exists");
    assert_eq!(s.goals[0].line, 13);
    // An ordinary code block stays in the prose.
    assert!(l.steps[1].prose.contains("```sql"), "{}", l.steps[1].prose);
    assert_eq!(lesson::check(&l), Ok(2));
}

#[test]
fn goals_are_unmet_before_the_solution_and_met_after_it() {
    let l = lesson::parse("lessons/99-tiny.md", GOOD).unwrap();
    let mut lab = l.canonical_lab(0);
    assert!(!l.check_goals(0, &lab)[0].met);
    lab.run_line(&parse_line("primary=# CREATE TABLE t (id int);", 1).unwrap());
    let r = &l.check_goals(0, &lab)[0];
    assert!(r.met, "{}", r.output);
    // The student's own way to the same state meets the goal too.
    let mut own = l.canonical_lab(0);
    own.run_line(
        &parse_line(
            "primary=# CREATE TABLE IF NOT EXISTS t (id int, note text);",
            1,
        )
        .unwrap(),
    );
    assert!(l.check_goals(0, &own)[0].met);
    // A goal on the last command looks at what the student ran, not at a fresh command.
    let mut lab = l.canonical_lab(1);
    assert!(!l.check_goals(1, &lab)[0].met);
    lab.run_line(&parse_line("primary=# CREATE TABLE t (x int);", 1).unwrap());
    assert!(l.check_goals(1, &lab)[0].met);
    lab.run_line(&parse_line("primary=# SELECT 1;", 1).unwrap());
    assert!(
        !l.check_goals(1, &lab)[0].met,
        "a later command on the node replaces it"
    );
}

#[test]
fn a_steps_canonical_state_is_the_start_and_every_earlier_solution() {
    let l = lesson::parse("lessons/99-tiny.md", GOOD).unwrap();
    assert!(l.canonical_lines(0).is_empty());
    let lines = l.canonical_lines(1);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].text, "CREATE TABLE t (id int);");
    // Opening step 2 directly lands where solving step 1 by hand does.
    let mut by_hand = l.canonical_lab(0);
    for line in &l.steps[0].solution {
        by_hand.run_line(line);
    }
    assert_eq!(
        l.canonical_lab(1).runner().cluster.fingerprint(),
        by_hand.runner().cluster.fingerprint()
    );
}

#[test]
fn checking_goals_never_changes_the_lab() {
    let lib = Library::builtin();
    let mut lessons: Vec<_> = lib.lessons.clone();
    lessons.push(lesson::parse("lessons/99-tiny.md", GOOD).unwrap());
    for l in &lessons {
        for (i, step) in l.steps.iter().enumerate() {
            if step.goals.is_empty() {
                continue;
            }
            let mut lab = l.canonical_lab(i);
            let mut untouched = l.canonical_lab(i);
            for line in step.solution.iter().take(3) {
                let (script, time, fp) =
                    (lab.script(), lab.now(), lab.runner().cluster.fingerprint());
                let shown = lab.transcript().len();
                for _ in 0..100 {
                    l.check_goals(i, &lab);
                }
                assert_eq!(lab.script(), script, "{} step {}", l.id, i + 1);
                assert_eq!(lab.now(), time);
                assert_eq!(lab.runner().cluster.fingerprint(), fp);
                assert_eq!(lab.transcript().len(), shown);
                lab.run_line(line);
                untouched.run_line(line);
            }
            // No session the checks opened shows anywhere: the lab answers exactly as
            // one that was never checked.
            let q = parse_line("primary=# SELECT count(*) FROM pg_stat_activity;", 1).unwrap();
            lab.run_line(&q);
            untouched.run_line(&q);
            assert_eq!(lab.transcript(), untouched.transcript());
            assert_eq!(
                lab.runner().cluster.fingerprint(),
                untouched.runner().cluster.fingerprint()
            );
        }
    }
}

#[test]
fn malformed_lessons_name_file_and_line() {
    let front = "---\nid: x\ntitle: X\nsummary: S\n---\n";
    let cases: [(String, &str); 9] = [
        ("---\nid: x\ntitle: X\n---\n## S\n".to_string(), "lessons/99-broken.md:1: front matter has no summary"),
        ("## No front matter\n".to_string(), "lessons/99-broken.md:1: a lesson starts with front matter"),
        (format!("{front}## S\n\n```walscope goal\nprimary=# SELECT 1;\n```\n"), "lessons/99-broken.md:8: goal block has no expected output"),
        (format!("{front}## S\n\n```walscope teardown\nlab$ wait 1s\n```\n"), "lessons/99-broken.md:8: unknown block kind \"walscope teardown\""),
        (format!("{front}## S\n\n```walscope solution\nprimary=# SELECT 1;\nthis is not a command\n```\n"), "lessons/99-broken.md:10: solution block: expected"),
        (format!("{front}## S\n\n```walscope goal\nshows: 1\n```\n\n```walscope solution\nprimary=# SELECT 1;\n```\n"), "lessons/99-broken.md:8: goal block has no check"),
        (format!("{front}## S\n\n```walscope goal\nprimary=# SELECT 1;\nshows: 1\n```\n"), "lessons/99-broken.md:6: step \"S\" has a goal but no solution block"),
        (format!("{front}## S\n\n```walscope question\nWhy?\n- [ ] a\n- [ ] b\n```\n"), "lessons/99-broken.md:8: question marks no choice as right"),
        ("---\nid: x\ntitle: X\nsummary: S\nstart: nowhere\n---\n## S\n".to_string(), "lessons/99-broken.md:5: start: no example lab named \"nowhere\""),
    ];
    for (text, want) in cases {
        let errors = errors_of(&text);
        assert!(
            errors.iter().any(|e| e.starts_with(want)),
            "want {want:?}, got {errors:#?}\n{text}"
        );
    }
    assert!(errors_of(front)[0].contains("the lesson has no steps"));
}

#[test]
fn a_broken_lesson_never_stops_the_others() {
    let broken = "---\nid: broken\ntitle: B\nsummary: S\n---\n## S\n\n```walscope goal\nprimary=# SELECT 1;\n```\n";
    let lib = Library::load([
        ("lessons/01-a.md", broken),
        ("lessons/02-tiny.md", GOOD),
        ("lessons/03-again.md", GOOD),
    ]);
    assert_eq!(lib.lessons.len(), 1);
    assert_eq!(lib.lessons[0].file, "lessons/02-tiny.md");
    assert_eq!(lib.errors.len(), 2, "{:#?}", lib.errors);
    assert!(lib.errors[0]
        .to_string()
        .starts_with("lessons/01-a.md:8: goal block has no expected output"));
    assert_eq!(
        lib.errors[1].to_string(),
        "lessons/03-again.md:2: another lesson already has the id \"tiny\""
    );
}

#[test]
fn the_author_check_says_which_goal_teaches_nothing_or_is_never_met() {
    let already = GOOD.replace("shows: (1 row)", "lacks: no such text");
    let l = lesson::parse("lessons/99-tiny.md", &already).unwrap();
    let e = lesson::check(&l).unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "lessons/99-tiny.md:13: step 1 \"Make a table\", goal \"the table exists\" is already met before the solution runs: it teaches nothing"
    );
    let never = GOOD.replace("already exists", "is already there");
    let l = lesson::parse("lessons/99-tiny.md", &never).unwrap();
    let e = lesson::check(&l).unwrap_err();
    assert!(e[0].to_string().starts_with("lessons/99-tiny.md:40: step 2 \"Make it again\", goal \"PostgreSQL refuses a second table t\" is not met after the solution; the check printed:\n    ERROR:  relation \"t\" already exists"), "{}", e[0]);
}

#[test]
fn an_oversized_lesson_is_refused_before_it_is_read() {
    let huge = format!("{GOOD}{}", "x".repeat(lesson::MAX_LESSON_BYTES));
    assert!(errors_of(&huge)[0].contains("a lesson may have at most"));
}

#[test]
fn progress_survives_a_round_trip_and_ignores_damage() {
    let mut p = Progress::default();
    p.done.insert(1);
    p.answers.insert(0, 1);
    assert_eq!(Progress::from_text(&p.to_text()), p);
    assert_eq!(Progress::from_text("garbage"), Progress::default());
}

#[test]
fn lesson_prose_renders_without_raw_html() {
    let l = lesson::parse(
        "dropped.md",
        &GOOD.replace(
            "Create it.",
            "Create it. <script>alert(1)</script><img src=x onerror=alert(1)>",
        ),
    )
    .unwrap();
    let html = lesson::to_html(&l.steps[0].prose);
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
}

#[test]
fn canonical_labs_replay_like_a_link() {
    // A step's canonical lab is what a link to it rebuilds.
    let l = lesson::parse("lessons/99-tiny.md", GOOD).unwrap();
    let lab = l.canonical_lab(1);
    let replayed = Lab::from_scenario(&lab.scenario(Default::default()));
    assert_eq!(
        replayed.runner().cluster.fingerprint(),
        lab.runner().cluster.fingerprint()
    );
}
