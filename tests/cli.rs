//! The `walscope` binary: run, link encode/decode/lesson, lesson check/show, example.

use std::io::Write;
use std::process::{Command, Stdio};

fn walscope(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_walscope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("the binary finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn run_prints_a_transcript_and_exits_0_even_on_sql_errors() {
    let (code, out, _) = walscope(
        &["run", "-"],
        "primary=# SELECT 1 AS one;\nprimary=# SELECT * FROM missing;\n",
    );
    assert_eq!(code, 0);
    assert!(
        out.starts_with("primary=# SELECT 1 AS one;\n one \n-----\n   1\n(1 row)\n\n"),
        "{out}"
    );
    assert!(
        out.contains("ERROR:  relation \"missing\" does not exist\n"),
        "{out}"
    );
    assert!(out.ends_with("-- virtual time: 0.000s\n"), "{out}");
}

#[test]
fn a_malformed_line_reports_its_number_and_runs_nothing() {
    let (code, out, err) = walscope(
        &["run", "-"],
        "lab$ node add standby1\nprimary=# SELECT 1;\nthis is not a command\n",
    );
    assert_eq!(code, 2);
    assert!(out.is_empty(), "nothing ran: {out}");
    assert!(err.contains("line 3: expected"), "{err}");
}

#[test]
fn links_round_trip_through_the_terminal() {
    let script = "lab$ node add standby1\n@2s primary=# CREATE TABLE t (id int);\n";
    let (code, fragment, _) = walscope(&["link", "encode", "-"], script);
    assert_eq!(code, 0);
    assert!(fragment.starts_with("v1."), "{fragment}");
    let (code, back, _) = walscope(&["link", "decode", fragment.trim()], "");
    assert_eq!(code, 0);
    assert_eq!(back, script);
    // A whole link pasted from the class chat decodes too.
    let url = format!("https://walscope.example/lab/#{}", fragment.trim());
    let (code, back, _) = walscope(&["link", "decode", &url], "");
    assert_eq!(code, 0);
    assert_eq!(back, script);
    let (code, _, err) = walscope(&["link", "decode", "v1.garbage!!"], "");
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "one-line reason: {err}");
    assert!(err.contains("damaged"), "{err}");
}

#[test]
fn a_decoded_link_encodes_back_to_the_same_screen() {
    use walscope::script::parse;
    use walscope::share::{encode, ChartUnit, LessonRef, Scenario, ViewOptions};
    use walscope::sim::SimTime;
    // A link shared 7.25 s in, while the last command ran at 4 s.
    let s = Scenario {
        seed: 42,
        lines: parse("lab$ node add standby1\n@4s primary=# CREATE TABLE t (id int);\n").unwrap(),
        time: SimTime(7_250_000),
        lesson: Some(LessonRef {
            id: "failover".into(),
            step: 2,
        }),
        view: ViewOptions {
            speed_milli: 2_500,
            expanded: vec!["standby1".into()],
            chart: ChartUnit::Seconds,
        },
    };
    let (code, text, _) = walscope(&["link", "decode", &encode(&s)], "");
    assert_eq!(code, 0);
    assert_eq!(
        text,
        "# lesson failover, step 2\n\
         # view: speed 2.5x, lag chart in seconds, \\x on standby1\n\
         lab$ seed 42\n\
         lab$ node add standby1\n\
         @4s primary=# CREATE TABLE t (id int);\n\
         lab$ wait 3250ms\n"
    );
    let (code, again, _) = walscope(&["link", "encode", "-"], &text);
    assert_eq!(code, 0);
    let back = walscope::share::decode(again.trim()).unwrap();
    assert_eq!(back.seed, 42);
    assert_eq!(back.time, s.time, "the same moment on screen");
    assert_eq!(
        back.replay().cluster.fingerprint(),
        s.replay().cluster.fingerprint()
    );
}

#[test]
fn an_example_lab_prints_as_a_script_that_runs_like_the_menu_loads_it() {
    let (code, list, _) = walscope(&["example"], "");
    assert_eq!(code, 0);
    assert!(
        list.starts_with("three-standbys   Primary + 3 standbys"),
        "{list}"
    );
    assert_eq!(list.lines().count(), walscope::examples::EXAMPLES.len());
    let (code, script, _) = walscope(&["example", "class-notes"], "");
    assert_eq!(code, 0);
    assert_eq!(script, walscope::examples::by_id("class-notes").unwrap());
    let (_, ran, _) = walscope(&["run", "-"], &script);
    assert!(
        ran.contains("pg1$ sudo systemctl restart postgresql"),
        "{ran}"
    );
    assert!(ran.contains("pg2$ sudo dnf install"), "{ran}");
    let (code, _, err) = walscope(&["example", "nope"], "");
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "walscope: no example lab named nope (walscope example lists them)\n"
    );
}

#[test]
fn each_lesson_step_has_a_link_that_opens_it() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
    let (code, out, err) = walscope(&["link", "lesson", dir], "");
    assert_eq!(code, 0, "{err}");
    let library = walscope::lesson::Library::builtin();
    let steps: usize = library.lessons.iter().map(|l| l.steps.len()).sum();
    assert_eq!(out.lines().count(), steps);
    for line in out.lines() {
        let mut f = line.split(' ');
        let (id, step, link) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let s = walscope::share::decode(link.trim_start_matches('#')).expect("a valid link");
        let opened = s.lesson.expect("the link names a lesson step");
        assert_eq!(opened.id, id);
        assert_eq!(usize::from(opened.step) + 1, step.parse::<usize>().unwrap());
        assert!(s.lines.is_empty(), "a step link opens the canonical state");
    }
}
