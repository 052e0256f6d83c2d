//! The lab's applications through a failover, in the runner: a writer whose
//! connection string lists both servers with target_session_attrs=read-write, and a
//! reader on the standby.

use proptest::prelude::*;
use walscope::script::{parse_line, run_script, Runner};
use walscope::sim::{Cluster, HostId, APP_TABLE};

const LAB: &str = "\
primary=# ALTER SYSTEM SET listen_addresses = '*';
primary$ echo 'host replication all 10.0.0.0/24 trust' >> pg_hba.conf
primary$ echo 'host all all 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ pg_basebackup -h primary -U postgres -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
";

/// The text a command printed in a transcript (up to the next echoed command).
fn output_of<'a>(t: &'a str, command: &str, nth: usize) -> &'a str {
    let start = t
        .match_indices(command)
        .nth(nth)
        .unwrap_or_else(|| panic!("{command} #{nth} not in:\n{t}"))
        .0
        + command.len()
        + 1;
    let rest = &t[start..];
    let end = rest
        .find("\nlab$ ")
        .or_else(|| rest.find("\nstandby1=# "))
        .or_else(|| rest.find("\nprimary=# "))
        .or_else(|| rest.find("\n-- virtual time"))
        .map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// Reads "N acknowledged, M failed" and "reads: R, S stale" from `app list` output for `app`.
fn counts(list: &str, app: &str) -> (u64, u64, u64, u64) {
    let para = &list[list.find(&format!("{app} (")).expect("app listed")..];
    let line = para.lines().nth(1).expect("counters line");
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[0], nums[1], nums[2], nums[3])
}

#[test]
fn a_writer_through_a_failover_fails_then_finds_the_new_primary() {
    let script = format!(
        "{LAB}lab$ app add shop 'host=primary,standby1 target_session_attrs=read-write' 10 writer\n\
         lab$ wait 5s\n\
         lab$ app list\n\
         lab$ crash primary\n\
         lab$ wait 3s\n\
         lab$ app list\n\
         standby1=# SELECT pg_promote();\n\
         lab$ wait 3s\n\
         lab$ app list\n\
         standby1=# SELECT application_name, client_addr, state FROM pg_stat_activity WHERE application_name = 'shop';\n"
    );
    let t = run_script(&script).unwrap();
    let before = output_of(&t, "lab$ app list", 0);
    let during = output_of(&t, "lab$ app list", 1);
    let after = output_of(&t, "lab$ app list", 2);
    assert!(
        before.contains("connected to primary (10.0.0.1:5432)"),
        "{before}"
    );
    let (acked0, failed0, _, _) = counts(before, "shop");
    assert!(acked0 >= 40 && failed0 == 0, "{before}");
    // The window: every attempt fails, with libpq's lines for both hosts.
    let (acked1, failed1, _, _) = counts(during, "shop");
    assert_eq!(acked1, acked0, "{during}");
    assert!(failed1 >= 3, "{during}");
    assert!(during.contains("not connected"), "{during}");
    assert!(during.contains("connection to server at \"primary\" (10.0.0.1), port 5432 failed: Connection refused\n    \tIs the server running on that host and accepting TCP/IP connections?\n    connection to server at \"standby1\" (10.0.0.2), port 5432 failed: session is read-only\n"), "{during}");
    // After the promotion it walks its list again and writes on the new primary.
    let (acked2, failed2, _, _) = counts(after, "shop");
    assert!(
        after.contains("connected to standby1 (10.0.0.2:5432)"),
        "{after}"
    );
    assert!(acked2 >= acked1 + 20, "{after}");
    assert!(failed2 <= failed1 + 1, "the errors stop: {after}");
    assert!(
        t.contains(" shop             | 10.0.0.100  | idle\n"),
        "{t}"
    );
}

#[test]
fn reads_on_an_async_standby_are_stale_and_not_under_remote_apply() {
    let script = format!(
        "{LAB}lab$ latency primary standby1 20ms\n\
         lab$ app add shop 'host=primary' 20 writer\n\
         lab$ app add report 'host=standby1' 20 reader\n\
         lab$ wait 5s\n\
         lab$ app list\n\
         primary=# ALTER SYSTEM SET synchronous_standby_names = '*';\n\
         primary=# ALTER SYSTEM SET synchronous_commit = remote_apply;\n\
         primary=# SELECT pg_reload_conf();\n\
         lab$ wait 1s\n\
         lab$ app list\n\
         lab$ wait 5s\n\
         lab$ app list\n"
    );
    let t = run_script(&script).unwrap();
    let (_, _, reads, stale) = counts(output_of(&t, "lab$ app list", 0), "report");
    assert!(reads >= 80 && stale >= 10, "asynchronous: stale reads\n{t}");
    let (_, _, reads1, stale1) = counts(output_of(&t, "lab$ app list", 1), "report");
    let list2 = output_of(&t, "lab$ app list", 2);
    let (_, _, reads2, stale2) = counts(list2, "report");
    assert!(reads2 >= reads1 + 80, "{list2}");
    assert_eq!(stale2, stale1, "remote_apply: no stale read\n{list2}");
    let (w1, _, _, _) = counts(output_of(&t, "lab$ app list", 1), "shop");
    let (w2, _, _, _) = counts(list2, "shop");
    assert!(
        w2 >= w1 + 40,
        "the writer goes on, waiting for the standby each time\n{list2}"
    );
}

/// The `n` of every row application `app` has on host `h`.
fn rows_of(c: &Cluster, h: HostId, app: &str) -> Vec<u64> {
    let Some(t) = c
        .host(h)
        .data
        .as_ref()
        .and_then(|d| d.db.tables.get(APP_TABLE))
    else {
        return Vec::new();
    };
    let mut out: Vec<u64> = t
        .rows
        .values()
        .filter(|r| matches!(&r[0], walscope::sim::db::Value::Text(a) if &**a == app))
        .filter_map(|r| match r[1] {
            walscope::sim::db::Value::Int(n) => Some(n as u64),
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out
}

fn command() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (1u64..1500).prop_map(|ms| format!("lab$ wait {ms}ms")),
        1 => (0u64..200).prop_map(|ms| format!("lab$ latency primary standby1 {ms}ms")),
        1 => (1u64..50).prop_map(|mb| format!("lab$ bandwidth primary standby1 {mb}MB/s")),
        1 => Just("lab$ partition primary standby1".to_string()),
        1 => Just("lab$ heal primary standby1".to_string()),
        1 => Just("lab$ cancel primary".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// An application's acknowledged writes are never more than the primary committed
    /// for it, each is on the primary, and after the synchronous standby is promoted
    /// none is lost.
    #[test]
    fn acknowledged_writes_are_committed_and_survive_a_sync_failover(
        rate in 1u32..=50,
        commands in prop::collection::vec(command(), 1..25),
    ) {
        let mut r = Runner::new(11);
        r.run_text(LAB).unwrap();
        r.run_text("primary=# ALTER SYSTEM SET synchronous_standby_names = '*';\nprimary=# SELECT pg_reload_conf();\nlab$ wait 1s\n").unwrap();
        r.run_text(&format!("lab$ app add shop 'host=primary,standby1 target_session_attrs=read-write' {rate} writer\n")).unwrap();
        let primary = r.cluster.host_id("primary").unwrap();
        let standby = r.cluster.host_id("standby1").unwrap();
        for (i, text) in commands.iter().enumerate() {
            r.run_line(&parse_line(text, i + 1).unwrap());
            let app = &r.cluster.apps()[0];
            prop_assert!(app.counters.writes_acked <= app.counters.writes_committed, "{:?}", app.counters);
            let on_primary = rows_of(&r.cluster, primary, "shop");
            for n in &app.acked_writes {
                prop_assert!(on_primary.binary_search(n).is_ok(), "acknowledged {} is not on the primary", n);
            }
        }
        r.run_text("lab$ crash primary\nstandby1=# SELECT pg_promote();\nlab$ wait 2s\n").unwrap();
        let app = &r.cluster.apps()[0];
        let on_new = rows_of(&r.cluster, standby, "shop");
        for n in &app.acked_writes {
            prop_assert!(on_new.binary_search(n).is_ok(), "acknowledged write {} lost in the failover", n);
        }
        prop_assert!(app.counters.writes_acked <= app.counters.writes_committed);
    }
}

#[test]
fn a_dns_name_re_pointed_after_a_failover_moves_the_writer_once_its_ttl_expires() {
    let script = format!(
        "{LAB}lab$ dns db primary 5s\n\
         lab$ app add shop 'host=db' 10 writer\n\
         lab$ wait 3s\n\
         lab$ app list\n\
         lab$ crash primary\n\
         standby1=# SELECT pg_promote();\n\
         lab$ dns db standby1 5s\n\
         lab$ wait 3s\n\
         lab$ app list\n\
         lab$ wait 4s\n\
         lab$ app list\n\
         lab$ dns\n"
    );
    let t = run_script(&script).unwrap();
    assert!(
        output_of(&t, "lab$ app list", 0).contains("connected to primary (10.0.0.1:5432)"),
        "{t}"
    );
    // Cached answers still give the old address: refused, again and again.
    let during = output_of(&t, "lab$ app list", 1);
    assert!(during.contains("not connected"), "{during}");
    assert!(
        during.contains(
            "connection to server at \"db\" (10.0.0.1), port 5432 failed: Connection refused"
        ),
        "{during}"
    );
    // Once the TTL has passed, the name gives the new primary.
    let after = output_of(&t, "lab$ app list", 2);
    assert!(
        after.contains("connected to standby1 (10.0.0.2:5432)"),
        "{after}"
    );
    let (a1, _, _, _) = counts(during, "shop");
    let (a2, _, _, _) = counts(after, "shop");
    assert!(a2 >= a1 + 5, "{after}");
    assert!(t.contains("lab$ dns\ndb -> 10.0.0.2 (TTL 5s)\n"), "{t}");
}

#[test]
fn app_list_with_a_name_shows_that_application_only() {
    let script = format!(
        "{LAB}lab$ app add shop 'host=primary' 10 writer\n\
         lab$ app add report 'host=standby1' 10 reader\n\
         lab$ wait 1s\n\
         lab$ app list report\n\
         lab$ app list nosuch\n"
    );
    let t = run_script(&script).unwrap();
    let one = output_of(&t, "lab$ app list report", 0);
    assert!(one.starts_with("report (reader, 10/s"), "{one}");
    assert!(!one.contains("shop ("), "{one}");
    let err = output_of(&t, "lab$ app list nosuch", 0);
    assert_eq!(err, "lab: no application named \"nosuch\"\n", "{t}");
}

#[test]
fn a_failover_report_names_each_applications_lost_writes() {
    // The standby is cut off while the writer goes on: the primary acknowledges writes
    // the standby never gets, and promoting it loses exactly those.
    let mut r = Runner::new(3);
    r.run_text(&format!(
        "{LAB}lab$ app add shop 'host=primary' 10 writer\n\
         lab$ app add stats 'host=standby1' 5 reader\n\
         lab$ wait 3s\n\
         lab$ partition primary standby1\n\
         lab$ wait 2s\n\
         lab$ crash primary\n\
         standby1=# SELECT pg_promote();\n\
         lab$ wait 1s\n"
    ))
    .unwrap();
    let c = &r.cluster;
    let standby = c.host_id("standby1").unwrap();
    let shop = &c.apps()[0];
    let on_new = rows_of(c, standby, "shop");
    let missing = shop
        .acked_writes
        .iter()
        .filter(|n| on_new.binary_search(n).is_err())
        .count() as u64;
    assert!(missing >= 10, "2 s at 10 writes/s were cut off: {missing}");
    let f = c.lost_commits().last().expect("a promotion was recorded");
    // The reader wrote nothing, so it lost nothing.
    assert_eq!(f.apps, vec![("shop".to_string(), missing)]);
}

/// The applications' chart, read from the timeline's samples: the writer's lane moves
/// from primary to standby1, its failed writes make one window between the crash and
/// the reconnect, and the lost count is the failover report's.
#[test]
fn the_chart_lanes_show_the_move_the_failed_window_and_the_lost_writes() {
    use walscope::timeline::{app_lanes, lost_writes, Lab};
    let script = format!(
        "{LAB}lab$ dns db primary 1s\n\
         lab$ app add shop 'host=db' 10 writer\n\
         lab$ wait 3s\n\
         lab$ partition primary standby1\n\
         lab$ wait 2s\n\
         lab$ crash primary\n\
         lab$ wait 2s\n\
         standby1=# SELECT pg_promote();\n\
         lab$ dns db standby1 1s\n\
         lab$ wait 4s\n"
    );
    let lines = walscope::script::parse(&script).unwrap();
    let lab = Lab::replay(3, lines, None);
    let c = &lab.runner().cluster;
    let lanes = app_lanes(&lab, 0.0);
    assert_eq!(lanes.len(), 1);
    let shop = &lanes[0];
    let servers: Vec<Option<&str>> = shop.runs.iter().map(|r| r.2.as_deref()).collect();
    assert_eq!(
        servers,
        vec![Some("primary"), None, Some("standby1")],
        "{:?}",
        shop.runs
    );
    assert_eq!(shop.failed.len(), 1, "{:?}", shop.failed);
    let w = &shop.failed[0];
    assert_eq!(w.writes, c.apps()[0].counters.writes_failed);
    // The window lies between the crash (the lane's first run ends) and the reconnect.
    assert!(
        w.from >= shop.runs[0].1 - 0.2 && w.to <= shop.runs[2].0 + 0.2,
        "{w:?} {:?}",
        shop.runs
    );
    let lost = lost_writes(c, "shop");
    assert!(lost >= 10, "{lost}");
    assert_eq!(shop.lost_total, lost);
    assert_eq!(shop.lost.iter().map(|l| l.1).sum::<u64>(), lost);
}
