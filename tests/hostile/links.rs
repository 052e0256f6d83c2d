//! Links are input from strangers: decode refuses what walscope never writes, and
//! what it accepts replays (as the browser opens it) within the lab's bounds.

use proptest::prelude::*;

use super::{check_budgets, guarded, Outcome};
use walscope::script::{parse, Line, Target};
use walscope::share::{self, LessonRef, LinkError, Scenario, ViewOptions};
use walscope::sim::{SimDuration, SimTime};
use walscope::timeline::Lab;

/// The bound the cases replay with (lower than the app's, for the debug build).
const EVENTS: u64 = 400_000;

fn scenario(lines: Vec<Line>) -> Scenario {
    Scenario {
        seed: 0,
        lines,
        time: SimTime::ZERO,
        lesson: None,
        view: ViewOptions::default(),
    }
}

fn line(target: Target, text: &str) -> Line {
    Line {
        number: 1,
        at: None,
        target,
        text: text.to_string(),
    }
}

/// Decodes a link and, if it decodes, replays it as the browser does; a refusal must
/// be a typed error with the plain-language message for the banner.
fn open(link: &str) -> Result<Outcome, LinkError> {
    open_within(link, EVENTS)
}

fn open_within(link: &str, events: u64) -> Result<Outcome, LinkError> {
    let owned = link.to_string();
    let (r, peak) = guarded(&super::short(link), move || {
        let s = share::decode(&owned)?;
        let lab = Lab::replay_within(s.seed, s.lines.clone(), Some(s.time), events);
        Ok((
            lab.runner().cluster.processed,
            lab.replay_stopped().map(str::to_string),
        ))
    });
    let (events, stopped) = r.map_err(|e: LinkError| {
        assert!(
            e.user_message()
                .ends_with("here is the default lab instead. Your own work is untouched.")
                || e.user_message().contains("newer walscope"),
            "{e:?}"
        );
        e
    })?;
    let o = Outcome {
        text: stopped.unwrap_or_default(),
        parsed: true,
        events,
        peak,
    };
    // A command inside a replay stays within the replay's bound.
    check_budgets(link, &o, events + 10_000);
    Ok(o)
}

#[test]
fn a_line_with_a_newline_outside_sql_is_refused() {
    for (t, text) in [
        (Target::Lab, "wait 1s\nlab$ crash primary"),
        (
            Target::Shell("primary".into()),
            "echo hi\nprimary$ rm -rf /var/lib/pgsql/data",
        ),
        (
            Target::Sql("primary".into()),
            "SELECT 1;\nlab$ crash primary",
        ),
        (Target::Lab, "wait 1s\u{0}"),
    ] {
        let link = share::encode(&scenario(vec![line(t, text)]));
        assert!(
            matches!(share::decode(&link), Err(LinkError::BadScript(_))),
            "{text:?}: {:?}",
            share::decode(&link)
        );
    }
    // SQL over several lines, as the console records it, still opens.
    let ok = share::encode(&scenario(vec![line(
        Target::Sql("primary".into()),
        "SELECT\n  1;",
    )]));
    assert!(share::decode(&ok).is_ok());
}

#[test]
fn a_lesson_id_that_would_inject_script_lines_is_refused() {
    let mut s = scenario(Vec::new());
    s.lesson = Some(LessonRef {
        id: "01-first\nlab$ crash primary".into(),
        step: 0,
    });
    let e = share::decode(&share::encode(&s)).unwrap_err();
    assert!(matches!(e, LinkError::Invalid(_)), "{e:?}");
    assert!(e.to_string().contains("is not a lesson id"), "{e}");
}

#[test]
fn times_past_the_end_of_a_lab_are_refused() {
    let mut s = scenario(Vec::new());
    s.time = SimTime(u64::MAX - 1);
    let e = share::decode(&share::encode(&s)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the link is not valid: its time is past the end of a lab (86400.000s)"
    );
    let mut l = line(Target::Lab, "wait 1s");
    l.at = Some(SimDuration(90_000_000_000));
    let e = share::decode(&share::encode(&scenario(vec![l]))).unwrap_err();
    assert!(matches!(e, LinkError::Invalid(_)), "{e:?}");
}

#[test]
fn bounded_counts_and_names() {
    let many = vec![line(Target::Lab, "wait 1ms"); share::MAX_LINES + 1];
    assert!(matches!(
        share::decode(&share::encode(&scenario(many))),
        Err(LinkError::Invalid(_) | LinkError::TooLarge)
    ));
    let mut s = scenario(vec![]);
    s.view.expanded = vec!["a b".into()];
    assert!(matches!(
        share::decode(&share::encode(&s)),
        Err(LinkError::Invalid(_))
    ));
    let mut s = scenario(vec![]);
    s.view.speed_milli = 0;
    assert!(matches!(
        share::decode(&share::encode(&s)),
        Err(LinkError::Invalid(_))
    ));
}

#[test]
fn a_link_whose_replay_runs_past_the_bound_stops_and_says_so() {
    let lines = parse(include_str!("../scenarios/two_standbys.walscope")).unwrap();
    let mut more =
        parse("lab$ workload primary 1000\nlab$ wait 1h\nprimary=# SELECT 1;\n").unwrap();
    let mut lines = lines;
    lines.append(&mut more);
    let o = open_within(&share::encode(&scenario(lines)), 30_000).unwrap();
    assert!(
        o.text.starts_with("walscope stopped replaying at ")
            && o.text.contains("later command(s) were not run"),
        "{}",
        o.text
    );
}

#[test]
fn the_reproducers_of_issue_11_open_in_bounded_work() {
    // `@277777h lab$ wait 1s` cannot be written as a script any more; as a link it is
    // refused; a link at the last moment of the clock opens.
    let mut l = line(Target::Lab, "wait 1s");
    l.at = Some(SimDuration(277_777 * 3_600_000_000));
    assert!(open(&share::encode(&scenario(vec![l]))).is_err());
    let mut s = scenario(parse("lab$ wait 1s\n").unwrap());
    s.time = walscope::sim::MAX_TIME;
    open(&share::encode(&s)).unwrap();
    let s = scenario(vec![line(Target::Lab, "latency primary s2 10000h")]);
    // A line the runner refuses replays as that refusal.
    open(&share::encode(&s)).unwrap();
}

fn real_link() -> String {
    let lines = parse(include_str!("../scenarios/two_standbys.walscope")).unwrap();
    let mut s = scenario(lines);
    s.time = SimTime(20_000_000);
    share::encode(&s)
}

/// A hostile script line, as a link can carry it without going through the parser.
fn hostile_line() -> impl Strategy<Value = Line> {
    let target = prop_oneof![
        Just(Target::Lab),
        Just(Target::Sql("primary".into())),
        Just(Target::Shell("primary".into())),
        "[a-z0-9\u{0}\n -]{0,8}".prop_map(Target::Shell),
    ];
    let text = prop_oneof![
        Just("wait 24h".to_string()),
        Just("workload primary 100000".to_string()),
        Just("latency primary standby1 10min".to_string()),
        Just("rm -rf /var/lib/pgsql/data".to_string()),
        Just("SELECT 1;".to_string()),
        "[ -~\n\u{0}\u{feff}🐘]{0,40}",
    ];
    (target, text, prop::option::of(any::<u64>())).prop_map(|(target, text, at)| Line {
        number: 1,
        at: at.map(SimDuration),
        target,
        text,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_open_as_anything_but_a_refusal_or_a_bounded_lab(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let text = String::from_utf8_lossy(&bytes).to_string();
        let _ = open(&text);
        let _ = open(&format!("v1.{text}"));
    }

    #[test]
    fn mutated_real_links_are_refused_or_open_within_bounds(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut link = real_link().into_bytes();
        for (i, b) in edits {
            let i = i.index(link.len());
            link[i] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[b as usize % 64];
        }
        let _ = open(&String::from_utf8(link).unwrap());
    }

    #[test]
    fn links_encoding_hostile_scripts_are_refused_or_open_within_bounds(
        lines in prop::collection::vec(hostile_line(), 0..8),
        time in any::<u64>(),
        id in "[a-z0-9\n$ ]{0,10}",
    ) {
        let mut s = scenario(lines);
        s.time = SimTime(time % (30 * 3_600_000_000));
        s.lesson = (!id.is_empty()).then_some(LessonRef { id, step: 3 });
        let _ = open(&share::encode(&s));
    }
}
