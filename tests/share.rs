//! Links: round trips, bounded decoding of hostile input, and the length targets.

use proptest::prelude::*;
use walscope::script::{parse, parse_line, Runner};
use walscope::share::{
    decode, encode, ChartUnit, LessonRef, LinkError, Scenario, ViewOptions, MAX_INFLATED,
};
use walscope::sim::SimTime;

const SETUP: &str = include_str!("scenarios/two_standbys.walscope");

/// A typical lesson step: ten commands.
const LESSON_STEP: &str = "\
lab$ node add standby1
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary=# ALTER SYSTEM SET listen_addresses = '*';
primary$ pg_ctl restart
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
standby1$ pg_ctl start
primary=# CREATE TABLE test (id INT);
primary=# INSERT INTO test VALUES (1);
standby1=# SELECT * FROM test;
";

fn scenario_of(script: &str) -> (Scenario, Runner) {
    let mut r = Runner::new(3);
    r.run_text(script).expect("script parses");
    (Scenario::of(&r), r)
}

#[test]
fn a_lesson_step_link_is_under_300_characters() {
    let (s, _) = scenario_of(LESSON_STEP);
    let link = format!("#{}", encode(&s));
    assert!(link.len() < 300, "{} characters: {link}", link.len());
}

#[test]
fn a_ten_minute_sandbox_link_is_under_2000_characters() {
    // 100 commands over ten minutes: setup, workload changes, faults, queries.
    let mut script = String::from(SETUP);
    let extra = [
        "lab$ workload primary 200",
        "lab$ latency primary standby2 80ms",
        "primary=# SELECT application_name, state, sent_lsn, replay_lsn, replay_lag FROM pg_stat_replication;",
        "lab$ partition primary standby1",
        "standby1=# SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn();",
        "lab$ heal primary standby1",
        "primary=# INSERT INTO t VALUES (42);",
        "lab$ bandwidth primary standby2 5MB/s",
        "primary=# SELECT * FROM pg_replication_slots;",
        "primary=# CHECKPOINT;",
    ];
    script.push_str("primary=# CREATE TABLE t (id int);\n");
    let mut n = parse(&script).unwrap().len();
    let mut i = 0;
    while n < 100 {
        script.push_str(&format!("@{}s {}\n", 5 + i * 7, extra[i % extra.len()]));
        i += 1;
        n += 1;
    }
    let (s, r) = scenario_of(&script);
    assert_eq!(s.lines.len(), 100);
    assert!(r.now() >= SimTime(590_000_000), "{}", r.now());
    let link = format!("#{}", encode(&s));
    assert!(link.len() < 2000, "{} characters", link.len());
}

#[test]
fn a_link_replays_to_the_same_state_and_view() {
    let (mut s, r) = scenario_of(&format!("{SETUP}lab$ workload primary 100\nlab$ wait 2s\n"));
    s.time = SimTime(r.now().0 + 1_500_000);
    s.lesson = Some(LessonRef {
        id: "sync-replication".into(),
        step: 3,
    });
    s.view = ViewOptions {
        speed_milli: 10_000,
        expanded: vec!["primary".into()],
        chart: ChartUnit::Seconds,
    };
    let back = decode(&encode(&s)).expect("decodes");
    assert_eq!(back, s);
    let replayed = back.replay();
    let mut original = r;
    original.cluster.run_until(s.time);
    assert_eq!(
        replayed.cluster.fingerprint(),
        original.cluster.fingerprint()
    );
    assert!(replayed.psql.get("primary").unwrap().expanded);
}

#[test]
fn damaged_truncated_and_unknown_links_are_typed_errors() {
    let (s, _) = scenario_of(LESSON_STEP);
    let link = encode(&s);
    for cut in [link.len() / 2, link.len() - 1, 4] {
        assert!(
            matches!(decode(&link[..cut]), Err(LinkError::Damaged(_))),
            "cut at {cut}"
        );
    }
    assert_eq!(
        decode("#v2.AAAA"),
        Err(LinkError::UnknownVersion("v2".into()))
    );
    assert!(decode("#v2.AAAA")
        .unwrap_err()
        .user_message()
        .contains("newer walscope"));
    assert!(LinkError::Damaged("x").user_message().contains("damaged"));
    // A bomb: a small link that inflates past the cap.
    let huge = vec![b'a'; MAX_INFLATED + 1];
    let bomb = format!(
        "v1.{}",
        base64_url(&miniz_oxide::deflate::compress_to_vec(&huge, 10))
    );
    assert!(bomb.len() < 2000);
    assert_eq!(decode(&bomb), Err(LinkError::TooLarge));
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Random script lines of every kind, for round trips.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u64..5000).prop_map(|ms| format!("lab$ wait {ms}ms")),
        (0u32..2000).prop_map(|t| format!("lab$ workload primary {t}")),
        Just("lab$ partition primary standby1".to_string()),
        Just("lab$ heal primary standby1".to_string()),
        (0u64..500).prop_map(|ms| format!("lab$ latency primary standby2 {ms}ms")),
        "[a-z ]{0,20}".prop_map(|t| format!("primary=# SELECT '{t}';")),
        "[ -~]{1,30}".prop_map(|t| format!("standby1$ echo {t}")),
        Just("standby1$ pg_ctl stop".to_string()),
        Just("standby1$ pg_ctl start".to_string()),
        Just("lab$ crash standby2".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_scenarios_round_trip_to_the_same_state(lines in prop::collection::vec(line(), 1..30), extra_us in 0u64..3_000_000) {
        let mut r = Runner::new(11);
        r.run_text(SETUP).expect("setup parses");
        for (i, text) in lines.iter().enumerate() {
            if let Ok(l) = parse_line(text, i + 1) {
                r.run_line(&l);
            }
        }
        let mut s = Scenario::of(&r);
        s.time = SimTime(r.now().0 + extra_us);
        let back = decode(&encode(&s)).expect("a link we made decodes");
        prop_assert_eq!(&back, &s);
        r.cluster.run_until(s.time);
        prop_assert_eq!(back.replay().cluster.fingerprint(), r.cluster.fingerprint());
    }
}

/// SplitMix64, for the fuzz loop below.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn a_hundred_thousand_random_and_mutated_links_never_panic() {
    let (s, _) = scenario_of(LESSON_STEP);
    let good = encode(&s);
    let alphabet: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.#v1=+/%"
            .chars()
            .collect();
    let mut seed = 0x5EED;
    let (mut ok, mut errors) = (0, 0);
    for i in 0..100_000 {
        let candidate: String = match i % 4 {
            // Random text from the link alphabet, sometimes with the right prefix.
            0 => {
                let n = (next(&mut seed) % 300) as usize;
                let body: String = (0..n)
                    .map(|_| alphabet[(next(&mut seed) % alphabet.len() as u64) as usize])
                    .collect();
                if next(&mut seed).is_multiple_of(2) {
                    format!("v1.{body}")
                } else {
                    body
                }
            }
            // The good link with a few characters replaced.
            1 => {
                let mut chars: Vec<char> = good.chars().collect();
                for _ in 0..1 + next(&mut seed) % 4 {
                    let at = (next(&mut seed) % chars.len() as u64) as usize;
                    chars[at] = alphabet[(next(&mut seed) % alphabet.len() as u64) as usize];
                }
                chars.into_iter().collect()
            }
            // Truncated.
            2 => good[..(next(&mut seed) % good.len() as u64) as usize].to_string(),
            // Valid base64 of mutated compressed bytes.
            _ => {
                use base64::Engine;
                let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(&good[3..])
                    .unwrap();
                let at = (next(&mut seed) % bytes.len() as u64) as usize;
                bytes[at] ^= 1 << (next(&mut seed) % 8);
                format!("v1.{}", base64_url(&bytes))
            }
        };
        match decode(&candidate) {
            // What decodes is a whole, readable scenario (the checksum lets nothing
            // half-damaged through; an unchanged or equivalent link may still decode).
            Ok(s) => {
                ok += 1;
                for l in &s.lines {
                    assert!(parse_line(&l.to_script(), 1).is_ok(), "{candidate}");
                }
            }
            Err(_) => errors += 1,
        }
    }
    assert_eq!(ok + errors, 100_000);
    assert!(
        ok < 2_000,
        "damaged links are refused: {ok} of 100,000 decoded"
    );
}

/// Links as walscope format v1 wrote them. Whatever later versions change (the wire
/// struct, the phrase table, the compression), these must keep opening to exactly
/// these scenarios: they are pasted in course notes and class chats.
const PUBLISHED_V1: [&str; 2] = [
    "v1.NYxPCoJAFMbfGwVzERS0afd2rrKUNhV5iC4go00qTDMyMyHeoZO06lgdo0GKD37fn8UHEES96e7cjDPruLpWY_YP-RwAMPSImRW1ES45AQIGHgdRt5qSVltHXErqfWiMsJTt0knbfE_OPKxLqCiob8q24mmt1c3freKBy1JqP3bKWTqTVtPzAhiwdTYxB8QQaXMBZD9HXPriwSAaeOcos_CJAI7v5-sL",
    "v1.AX8AgP8q0MC6AwIHcHJpbWFyeQhzdGFuZGJ5MQUAAgACGTGhy5gBAAAGFXQWMSk7ocIeAQEOcGdfY3RsIHByb21vdGXBhD0CAAUdGyAaMQAAARUXcGdfaXNfaW5fcmVjb3ZlcnkoKTsBCGZhaWxvdmVyApBOAQhzdGFuZGJ5MQFdsXJn",
];

#[test]
fn links_published_in_format_v1_keep_opening() {
    let setup = decode(PUBLISHED_V1[0]).expect("a v1 link opens");
    assert_eq!(setup.seed, 0);
    assert_eq!(setup.lines, parse(SETUP).unwrap());
    assert_eq!(setup.time, SimTime::ZERO);
    assert_eq!(setup.lesson, None);
    assert_eq!(setup.view, ViewOptions::default());

    let failover = decode(&format!("#{}", PUBLISHED_V1[1])).expect("a v1 link opens");
    let script = "\
lab$ node add standby1
@2500ms primary=# INSERT INTO t VALUES (1);
@3s standby1$ pg_ctl promote
@4s lab$ partition primary standby1
standby1=# SELECT pg_is_in_recovery();
";
    let lines = parse(script).unwrap();
    assert_eq!(
        failover,
        Scenario {
            seed: 42,
            lines,
            time: SimTime(7_250_000),
            lesson: Some(LessonRef {
                id: "failover".into(),
                step: 2
            }),
            view: ViewOptions {
                speed_milli: 10_000,
                expanded: vec!["standby1".into()],
                chart: ChartUnit::Seconds,
            },
        }
    );
}
