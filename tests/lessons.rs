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
fn a_goal_on_last_lab_checks_what_the_last_lab_command_printed() {
    let text = "---
id: tiny-lab
title: Tiny lab
summary: One goal on a lab$ command.
---

## List the applications

```walscope goal
label: there are no applications
last: lab
shows: no applications
```

```walscope solution
lab$ app list
```
";
    let l = lesson::parse("lessons/99-tiny-lab.md", text).unwrap();
    let mut lab = l.canonical_lab(0);
    assert!(!l.check_goals(0, &lab)[0].met);
    lab.run_line(&parse_line("lab$ app list", 1).unwrap());
    let r = &l.check_goals(0, &lab)[0];
    assert!(r.met, "{}", r.output);
    // A node's command does not count; a later lab$ command replaces it.
    lab.run_line(&parse_line("primary=# SELECT 1;", 1).unwrap());
    assert!(l.check_goals(0, &lab)[0].met);
    lab.run_line(&parse_line("lab$ wait 1s", 1).unwrap());
    assert!(!l.check_goals(0, &lab)[0].met);
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
fn checking_goals_and_traps_never_changes_the_lab() {
    let lib = Library::builtin();
    let mut lessons: Vec<_> = lib.lessons.clone();
    lessons.push(lesson::parse("lessons/99-tiny.md", GOOD).unwrap());
    lessons.push(lesson::parse("lessons/99-trapped.md", TRAPPED).unwrap());
    for l in &lessons {
        for (i, step) in l.steps.iter().enumerate() {
            if step.goals.is_empty() && step.traps.is_empty() {
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
                    l.check_traps(i, &lab);
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

/// The PostgreSQL messages a text quotes: each `SEVERITY:  text` (PostgreSQL's two
/// spaces), up to the end of its line or of its inline code span.
fn quoted_messages(text: &str) -> Vec<String> {
    const TAGS: [&str; 7] = [
        "ERROR:  ",
        "FATAL:  ",
        "PANIC:  ",
        "LOG:  ",
        "WARNING:  ",
        "DETAIL:  ",
        "HINT:  ",
    ];
    let mut out = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some((i, tag)) = TAGS
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min()
        {
            let msg = &rest[i..];
            let end = msg.find('`').unwrap_or(msg.len());
            out.push(msg[..end].trim_end().to_string());
            rest = &rest[i + tag.len()..];
        }
    }
    out
}

#[test]
fn every_message_a_lesson_quotes_is_one_the_model_prints_in_it() {
    let lib = Library::builtin();
    let mut missing = Vec::new();
    for l in &lib.lessons {
        let transcript = lesson::show(l);
        let mut texts = vec![l.intro.clone()];
        for s in &l.steps {
            texts.push(s.prose.clone());
            texts.extend(s.hints.iter().cloned());
            if let Some(q) = &s.question {
                texts.push(q.prompt.clone());
                texts.extend(q.choices.iter().cloned());
                texts.push(q.explanation.clone());
            }
        }
        for t in &texts {
            for m in quoted_messages(t) {
                if !transcript.contains(&m) {
                    missing.push(format!("{}: {m:?}", l.file));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "quoted but never printed in the lesson's canonical run:\n{}",
        missing.join("\n")
    );
}

#[test]
fn quoted_messages_are_found_in_code_and_inline_code() {
    let q = quoted_messages("It says `ERROR:  cannot execute INSERT in a read-only transaction` here.\n2026-11-24 09:00:00.000 UTC [42] LOG:  entering standby mode\nA LOG: in prose is no quote.");
    assert_eq!(
        q,
        vec![
            "ERROR:  cannot execute INSERT in a read-only transaction",
            "LOG:  entering standby mode"
        ]
    );
}

/// The concepts of the class notes and of the replication design card: each is taught
/// in some lesson's text and exercised by some goal the model checks. (prose: every
/// needle appears in one lesson's text, case-insensitively; goal: some goal's check or
/// expected text contains one of these; `None` where the notes only ask to mention it.)
type Concept = (
    &'static str,
    &'static [&'static str],
    Option<&'static [&'static str]>,
);

const CONCEPTS: &[Concept] = &[
    (
        "asynchronous is the default",
        &["asynchronous", "default"],
        Some(&["async"]),
    ),
    ("two machines", &["two machines"], Some(&["standby1"])),
    (
        "a replication user with replication rights only",
        &["replication", "superuser"],
        Some(&["rolreplication", "replicator"]),
    ),
    ("wal_level", &["wal_level"], Some(&["wal_level"])),
    (
        "hot_standby",
        &["hot_standby"],
        Some(&["hot_standby", "pg_is_in_recovery", "read-only"]),
    ),
    (
        "wal_log_hints",
        &["wal_log_hints"],
        Some(&["wal_log_hints"]),
    ),
    (
        "max_wal_senders",
        &["max_wal_senders"],
        Some(&["max_wal_senders"]),
    ),
    (
        "wal_keep_size",
        &["wal_keep_size"],
        Some(&["wal_keep_size"]),
    ),
    (
        "pg_hba order: first match wins",
        &["pg_hba.conf", "first"],
        Some(&["pg_hba", "no pg_hba.conf entry"]),
    ),
    (
        "trust versus md5/scram",
        &["trust", "scram-sha-256"],
        Some(&["scram-sha-256", "password authentication failed", "pg_hba"]),
    ),
    (
        "restart after config changes",
        &["restart", "pending_restart"],
        Some(&["pending_restart"]),
    ),
    (
        "a clean data directory with chown/chmod",
        &["chown", "chmod"],
        Some(&["ls /var/lib/pgsql/data"]),
    ),
    (
        "pg_basebackup -P -R",
        &["pg_basebackup", "-P", "-R"],
        Some(&["standby.signal", "primary_conninfo"]),
    ),
    ("pg_basebackup -Fp -Xs", &["-Fp", "-Xs"], None),
    (
        "standby.signal and the older recovery.conf",
        &["standby.signal", "recovery.conf"],
        Some(&["standby.signal"]),
    ),
    (
        "pg_stat_wal_receiver status = streaming",
        &["pg_stat_wal_receiver", "streaming"],
        Some(&["pg_stat_wal_receiver"]),
    ),
    (
        "pg_stat_replication sync_state",
        &["pg_stat_replication", "sync_state"],
        Some(&["sync_state"]),
    ),
    (
        "CREATE TABLE / INSERT, then read on the standby",
        &["create table", "insert"],
        Some(&["standby1=# select id from test"]),
    ),
    (
        "extensions must exist on the standby",
        &["extension", "standby"],
        None,
    ),
    (
        "the standby is read-only",
        &["read-only"],
        Some(&["read-only transaction"]),
    ),
    (
        "network access: firewall and SELinux",
        &["firewall", "selinux"],
        None,
    ),
    (
        "physical versus logical",
        &["physical", "logical"],
        Some(&["wal_level"]),
    ),
    (
        "slots and their disk risk",
        &["slot", "disk"],
        Some(&["pg_replication_slots"]),
    ),
    (
        "sync versus async and synchronous_commit levels",
        &["synchronous_commit", "remote_apply"],
        Some(&["synchronous_commit", "sync"]),
    ),
    (
        "pg_last_wal_receive_lsn / pg_last_wal_replay_lsn",
        &["pg_last_wal_receive_lsn", "pg_last_wal_replay_lsn"],
        Some(&["pg_last_wal_re"]),
    ),
    ("replay_lag growing", &["replay_lag"], Some(&["replay_lag"])),
    (
        "promote with pg_ctl promote or pg_promote()",
        &["pg_ctl promote", "pg_promote()"],
        Some(&["pg_is_in_recovery", "promote"]),
    ),
    ("redirecting clients", &["client"], None),
];

/// A lesson's text, lowercased: intro, prose, hints and questions.
fn lesson_text(l: &walscope::lesson::Lesson) -> String {
    let mut t = l.intro.clone();
    for s in &l.steps {
        t.push_str(&s.prose);
        t.push_str(&s.hints.join("\n"));
        if let Some(q) = &s.question {
            t.push_str(&q.prompt);
            t.push_str(&q.choices.join("\n"));
            t.push_str(&q.explanation);
        }
    }
    t.to_lowercase()
}

/// A goal's check and expected texts, lowercased.
fn goal_text(g: &lesson::Goal) -> String {
    let mut t = match &g.check {
        lesson::GoalCheck::Run(l) => format!("{} {}", l.prompt(), l.text),
        lesson::GoalCheck::Last(n) => format!("last {n}"),
        lesson::GoalCheck::Events(n) => format!("events {n:?}"),
    };
    for e in &g.expect {
        match e {
            lesson::Expect::Shows(s) | lesson::Expect::Lacks(s) => {
                t.push(' ');
                t.push_str(s);
            }
        }
    }
    t.to_lowercase()
}

#[test]
fn the_course_teaches_and_exercises_every_concept_of_the_class_notes() {
    let lib = Library::builtin();
    let texts: Vec<String> = lib.lessons.iter().map(lesson_text).collect();
    let goals: Vec<String> = lib
        .lessons
        .iter()
        .flat_map(|l| l.steps.iter().flat_map(|s| s.goals.iter().map(goal_text)))
        .collect();
    let mut missing = Vec::new();
    for (concept, prose, goal) in CONCEPTS {
        if !texts
            .iter()
            .any(|t| prose.iter().all(|n| t.contains(&n.to_lowercase())))
        {
            missing.push(format!("{concept}: no lesson's text has all of {prose:?}"));
        }
        if let Some(needles) = goal {
            if !goals
                .iter()
                .any(|g| needles.iter().any(|n| g.contains(&n.to_lowercase())))
            {
                missing.push(format!("{concept}: no goal checks any of {needles:?}"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// A step with a trap: the table it asks for can be had by dropping another one.
const TRAPPED: &str = "---
id: trapped
title: A table, safely
summary: One step with a trap.
start: |
  primary=# CREATE TABLE keep (id int);
---

## Make room for t

```walscope goal
label: t exists
primary=# SELECT count(*) FROM t;
shows: (1 row)
```

```walscope trap
label: you dropped keep
primary=# SELECT count(*) FROM keep;
shows: does not exist
reason: Another team's table is gone, with its rows.
```

```walscope trap-path
primary=# DROP TABLE keep;
primary=# CREATE TABLE t (id int);
```

```walscope solution
primary=# CREATE TABLE t (id int);
```
";

#[test]
fn a_trap_is_checked_like_a_goal_and_springs_only_on_the_unsafe_path() {
    let l = lesson::parse("lessons/99-trapped.md", TRAPPED).unwrap();
    let t = &l.steps[0].traps[0];
    assert_eq!(t.goal.label, "you dropped keep");
    assert_eq!(t.reason, "Another team's table is gone, with its rows.");
    assert_eq!(t.path.len(), 2);
    assert_eq!(lesson::check(&l), Ok(1));
    // The solution meets the goal cleanly; the trap's path meets it too, with the trap.
    let mut clean = l.canonical_lab(0);
    assert!(!l.check_traps(0, &clean)[0].met);
    for line in &l.steps[0].solution {
        clean.run_line(line);
    }
    assert!(l.check_goals(0, &clean)[0].met);
    assert!(!l.check_traps(0, &clean)[0].met);
    let mut trapped = l.canonical_lab(0);
    for line in &t.path {
        trapped.run_line(line);
    }
    assert!(l.check_goals(0, &trapped)[0].met);
    assert!(l.check_traps(0, &trapped)[0].met);
    // "Try again cleanly" is the step's canonical state: no trap there.
    assert!(!l.check_traps(0, &l.canonical_lab(0))[0].met);
    let show = lesson::show(&l);
    assert!(
        show.contains("-- trap \"you dropped keep\": not sprung after the solution, sprung after its trap-path"),
        "{show}"
    );
}

#[test]
fn the_author_check_refuses_a_trap_the_solution_springs_or_its_path_misses() {
    // The solution itself drops keep.
    let bad = TRAPPED.replace(
        "```walscope solution\nprimary=# CREATE TABLE t (id int);",
        "```walscope solution\nprimary=# DROP TABLE keep;\nprimary=# CREATE TABLE t (id int);",
    );
    let e = lesson::check(&lesson::parse("lessons/99-trapped.md", &bad).unwrap()).unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "lessons/99-trapped.md:17: step 1 \"Make room for t\", trap \"you dropped keep\" springs on the step's solution: the safe way must not walk into it"
    );
    // The recorded path forgets the unsafe move.
    let bad = TRAPPED.replace("primary=# DROP TABLE keep;\n", "");
    let e = lesson::check(&lesson::parse("lessons/99-trapped.md", &bad).unwrap()).unwrap_err();
    assert!(
        e[0].to_string().starts_with("lessons/99-trapped.md:17: step 1 \"Make room for t\", trap \"you dropped keep\" does not spring on its trap-path; the check printed:"),
        "{}",
        e[0]
    );
}

#[test]
fn malformed_traps_name_file_and_line() {
    let no_path = TRAPPED.replace(
        "```walscope trap-path\nprimary=# DROP TABLE keep;\nprimary=# CREATE TABLE t (id int);\n```\n",
        "",
    );
    assert!(errors_of(&no_path).iter().any(|e| e.starts_with(
        "lessons/99-broken.md:17: trap \"you dropped keep\" has no walscope trap-path block after it"
    )), "{:#?}", errors_of(&no_path));
    let no_reason = TRAPPED.replace("reason: Another team's table is gone, with its rows.\n", "");
    assert!(errors_of(&no_reason)[0]
        .starts_with("lessons/99-broken.md:17: trap block has no \"reason:\""));
    let no_expect = TRAPPED.replace("shows: does not exist\n", "");
    assert!(errors_of(&no_expect)[0]
        .starts_with("lessons/99-broken.md:17: trap block has no expected output"));
    let orphan = "---\nid: x\ntitle: X\nsummary: S\n---\n## S\n\n```walscope trap-path\nprimary=# SELECT 1;\n```\n";
    assert!(errors_of(orphan)[0].starts_with(
        "lessons/99-broken.md:8: a trap-path block follows the trap block it springs"
    ));
}

#[test]
fn an_events_check_reads_the_labs_event_log() {
    let text = "---
id: ev
title: Events
summary: S
start: one-standby
---
## Promote

```walscope goal
label: standby1 was promoted
events: standby1
shows: standby1 promoted: now the primary on timeline 2
```

```walscope solution
standby1$ pg_ctl promote
```
";
    let l = lesson::parse("lessons/99-ev.md", text).unwrap();
    assert_eq!(
        l.steps[0].goals[0].check,
        lesson::GoalCheck::Events(Some("standby1".into()))
    );
    assert_eq!(lesson::check(&l), Ok(1));
    // Another host's log does not hold it.
    let other = lesson::parse(
        "lessons/99-ev.md",
        &text.replace("events: standby1", "events: primary"),
    )
    .unwrap();
    assert!(lesson::check(&other).is_err());
}

/// The app's start reads only the lesson it opens: that lesson, read alone from its
/// front matter's id, is the one the whole library holds; a lesson that is not built in
/// is not guessed (the app then reads everything, the teacher's lessons too).
#[test]
fn the_start_reads_the_lesson_it_opens_alone() {
    let all = Library::builtin();
    let slots = Library::builtin_one(Some("slots")).expect("a built-in lesson");
    assert_eq!(slots.lessons.len(), 1);
    assert_eq!(Some(&slots.lessons[0]), all.get("slots"));
    let first = Library::builtin_one(None).expect("a first lesson");
    assert_eq!(first.lessons, all.lessons[..1]);
    assert!(Library::builtin_one(Some("my-own-lesson")).is_none());
}
