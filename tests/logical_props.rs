//! Logical replication under random schedules (issue 18, evidence): writes on the
//! publisher (published and unpublished tables), partitions, a disabled and enabled
//! subscription, restarts and crashes of both servers, checkpoints. After every
//! command a logical slot's confirmed_flush_lsn never moves backwards and never passes
//! what the subscriber reported as applied; once everything is healed, enabled and
//! caught up with no conflict, the published table on the subscriber equals the
//! publisher's.

use proptest::prelude::*;
use walscope::script::{parse_line, Runner};
use walscope::sim::Lsn;

const SETUP: &str = "primary=# ALTER SYSTEM SET wal_level = logical;
primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE repuser WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host all repuser 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
primary=# CREATE TABLE t (id int primary key, v text);
primary=# CREATE TABLE x (id int primary key);
primary=# INSERT INTO t VALUES (1000001, 'a'), (1000002, 'b');
primary=# CREATE PUBLICATION mypub FOR TABLE t;
lab$ node add sub
sub$ initdb -D /var/lib/pgsql/data
sub$ pg_ctl start
sub=# CREATE TABLE t (id int primary key, v text);
sub=# CREATE TABLE x (id int primary key);
sub=# CREATE SUBSCRIPTION mysub CONNECTION 'host=primary dbname=postgres user=repuser password=secret' PUBLICATION mypub;
";

/// One command; `{i}` becomes the command's position (unique keys for INSERT).
fn command() -> impl Strategy<Value = String> {
    let node = prop_oneof![Just("primary"), Just("sub")];
    prop_oneof![
        6 => Just("primary=# INSERT INTO t VALUES ({i}, 'v{i}');".to_string()),
        3 => (0u32..60).prop_map(|k| format!("primary=# UPDATE t SET v = 'u{{i}}' WHERE id = {k};")),
        1 => (0u32..60).prop_map(|k| format!("primary=# UPDATE t SET id = id + {{i}}000000 WHERE id = {k};")),
        2 => (0u32..60).prop_map(|k| format!("primary=# DELETE FROM t WHERE id = {k};")),
        1 => Just("primary=# TRUNCATE t;".to_string()),
        2 => Just("primary=# INSERT INTO x VALUES ({i});".to_string()),
        4 => (1u64..3000).prop_map(|ms| format!("lab$ wait {ms}ms")),
        1 => (5u64..70).prop_map(|s| format!("lab$ wait {s}s")),
        1 => Just("lab$ partition primary sub".to_string()),
        1 => Just("lab$ heal primary sub".to_string()),
        1 => (0u64..200).prop_map(|ms| format!("lab$ latency primary sub {ms}ms")),
        1 => Just("sub=# ALTER SUBSCRIPTION mysub DISABLE;".to_string()),
        1 => Just("sub=# ALTER SUBSCRIPTION mysub ENABLE;".to_string()),
        1 => node.clone().prop_map(|n| format!("{n}$ pg_ctl restart")),
        1 => node.clone().prop_map(|n| format!("lab$ crash {n}")),
        2 => node.clone().prop_map(|n| format!("{n}$ pg_ctl start")),
        1 => Just("primary=# CHECKPOINT;".to_string()),
        1 => Just("primary=# SELECT pg_switch_wal();".to_string()),
    ]
}

fn table_rows(r: &Runner, host: &str) -> Vec<Vec<walscope::sim::db::Value>> {
    let h = r.cluster.host_id(host).expect("host");
    let mut rows: Vec<Vec<_>> = r
        .cluster
        .host(h)
        .data
        .as_ref()
        .and_then(|d| d.db.tables.get("t"))
        .map(|t| t.rows.values().map(|row| row.to_vec()).collect())
        .unwrap_or_default();
    rows.sort();
    rows
}

fn confirmed(r: &Runner) -> Option<Lsn> {
    let p = r.cluster.host_id("primary")?;
    r.cluster
        .host(p)
        .data
        .as_ref()?
        .slots
        .get("mysub")?
        .logical
        .as_ref()
        .map(|l| l.confirmed_flush)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_subscriber_converges_and_confirmed_flush_never_runs_ahead(commands in prop::collection::vec(command(), 1..120)) {
        let mut r = Runner::new(11);
        r.run_text(SETUP).expect("setup parses");
        let sub = r.cluster.host_id("sub").expect("sub");
        let mut last = confirmed(&r).expect("the subscription made its slot");
        for (i, text) in commands.iter().enumerate() {
            let text = text.replace("{i}", &(i + 1).to_string());
            let line = parse_line(&text, i + 1).expect("generated lines parse");
            r.run_line(&line);
            if let Err(broken) = r.cluster.check_invariants() {
                prop_assert!(false, "after {:?}: {}", text, broken);
            }
            let now = confirmed(&r).expect("the slot stays");
            prop_assert!(now >= last, "confirmed_flush_lsn went back from {} to {} at {:?}", last, now, text);
            let reported = r.cluster.subscription_reported(sub, "mysub");
            prop_assert!(now <= reported.max(last), "confirmed_flush_lsn {} passed what the subscriber applied, {}, at {:?}", now, reported, text);
            last = now;
        }
        r.run_text("lab$ heal primary sub\nprimary$ pg_ctl start\nsub$ pg_ctl start\nsub=# ALTER SUBSCRIPTION mysub ENABLE;\nlab$ wait 90s\n").expect("parses");
        let log = r
            .cluster
            .host(sub)
            .files
            .get("/var/lib/pgsql/data/log/postgresql.log")
            .cloned()
            .unwrap_or_default();
        prop_assert!(!log.contains("duplicate key"), "no conflict was made");
        prop_assert_eq!(table_rows(&r, "sub"), table_rows(&r, "primary"), "\n{}", commands.join("\n"));
        let p = r.cluster.host_id("primary").unwrap();
        let flush = r.cluster.host(p).data.as_ref().unwrap().wal.flush;
        prop_assert!(confirmed(&r).unwrap() <= flush);
    }
}
