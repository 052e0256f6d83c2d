//! Browser tests of what the stage and the cards say about the cluster: WAL in flight
//! on a cross-region link, split brain, the card buttons after a failover, the Config
//! tab's smallest edit, and logical replication: both kinds of link, a stopped
//! subscription's reason, and the subscriber card's buttons.
#![cfg(target_arch = "wasm32")]

use walscope::examples::EXAMPLES;
use walscope::ui::handle;
use walscope::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[path = "support/mod.rs"]
mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn wal_in_flight_shows_on_the_cross_region_link_of_the_example() {
    fresh();
    let (root, _handle, lab, ui) = mount_lab(EXAMPLES[0].1);
    // The workload's first commits reach the far side after one trip.
    handle::frame(lab, ui, 100.0);
    settle().await;
    for _ in 0..6 {
        // Frames of a class watching at 1x: WAL is on the 40 ms link in every one.
        handle::frame(lab, ui, 16.7);
        settle().await;
        let packets = root
            .query_selector_all("[data-testid='packet']")
            .unwrap()
            .length();
        assert!(packets > 0, "packets drawn on the stage");
        let label = text(&root, "inflight-label");
        assert!(label.ends_with(" in flight"), "{label}");
    }
    let net = text(&root, "edge-primary-standby3-label");
    assert!(net.contains("40 ms · 10MB/s"), "{net}");
}

#[wasm_bindgen_test]
async fn split_brain_is_marked_on_the_stage_and_in_the_log() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(EXAMPLES[1].1);
    run(
        lab,
        "lab$ workload primary 100\nlab$ crash primary\nstandby1$ pg_ctl promote\nlab$ wait 1s\n",
    )
    .await;
    assert!(try_testid(&root, "split-brain").is_none());
    // The old primary's card has no link controls for a link that carries nothing.
    assert!(try_testid(&root, "btn-partition-primary").is_none());
    assert!(try_testid(&root, "latency-primary").is_none());

    run(lab, "primary$ pg_ctl start\nlab$ wait 1s\n").await;
    let banner = text(&root, "split-brain");
    assert!(
        banner.contains("primary (timeline 1, written by workload 100 tps)"),
        "{banner}"
    );
    assert!(
        banner.contains("standby1 (timeline 2, written by no client yet)"),
        "{banner}"
    );
    assert_eq!(text(&root, "split-primary"), "split brain · tl 1");
    assert_eq!(text(&root, "split-standby1"), "split brain · tl 2");
    for n in ["primary", "standby1"] {
        assert!(
            text(&root, &format!("state-{n}")).starts_with("primary"),
            "{n}"
        );
    }
    by_testid(&root, "tab-log").click();
    settle().await;
    let log = text(&root, "event-log");
    assert!(
        log.contains("split brain: primary (timeline 1) and standby1 (timeline 2) accept writes"),
        "{log}"
    );
    assert!(log.contains("histories diverge"));
}

/// Whether `inner` lies inside `outer` on screen.
fn inside(inner: &web_sys::HtmlElement, outer: &web_sys::HtmlElement) -> bool {
    let (a, b) = (
        inner.get_bounding_client_rect(),
        outer.get_bounding_client_rect(),
    );
    a.top() >= b.top() - 0.5 && a.bottom() <= b.bottom() + 0.5
}

#[wasm_bindgen_test]
async fn card_buttons_work_after_a_failover() {
    fresh();
    with_style();
    let (root, _handle, lab, _ui) = mount_lab(EXAMPLES[1].1);
    run(lab, "lab$ crash primary\nstandby1$ pg_ctl promote\nlab$ wait 1s\nlab$ workload standby1 100\nlab$ node add standby2\n").await;
    // The new primary's card holds its workload row.
    let card = by_testid(&root, "card-standby1");
    assert!(inside(&by_testid(&root, "btn-workload-standby1"), &card));
    assert!(inside(&by_testid(&root, "rate-standby1"), &card));
    assert!(try_testid(&root, "btn-partition-standby1").is_none());

    // The clone button runs a pg_basebackup that gets in through the scram line.
    by_testid(&root, "btn-clone-standby2").click();
    settle().await;
    run(lab, "lab$ wait 3s\n").await;
    let log = text(&root, "console-log");
    assert!(
        log.contains(
            "standby2$ PGPASSWORD=secret pg_basebackup -h standby1 -U replicator -D /var/lib/pgsql/data -P -R"
        ),
        "{log}"
    );
    assert!(!log.contains("pg_basebackup: error"), "{log}");
    assert_eq!(text(&root, "state-standby2"), "standby · stopped");
}

#[wasm_bindgen_test]
async fn a_one_line_pg_hba_edit_records_one_line() {
    fresh();
    let root = new_root();
    let _handle = leptos::mount::mount_to(root.clone(), App);
    settle().await;
    by_testid(&root, "tab-config").click();
    settle().await;
    // Setting up replication starts in pg_hba.conf.
    assert_eq!(
        by_testid(&root, "file-pg_hba.conf")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );
    let ta: web_sys::HtmlTextAreaElement = by_testid(&root, "config-text").unchecked_into();
    let before = ta.value();
    assert!(before.starts_with("# PostgreSQL Client Authentication Configuration File"));
    let n = before.lines().count();
    let last = before.lines().last().unwrap().to_string();
    let after = before.replace(&last, "host replication all 10.0.0.0/24 trust");
    ta.set_value(&after);
    fire(&ta, "input");
    settle().await;
    let log_before = text(&root, "console-log");
    by_testid(&root, "config-save").click();
    settle().await;
    let log = text(&root, "console-log");
    let added = &log[log_before.len()..];
    assert_eq!(
        added.matches("primary$ ").count(),
        1,
        "one recorded line:\n{added}"
    );
    assert!(
        added.contains(&format!(
            "primary$ sed -i '{n}c\\host replication all 10.0.0.0/24 trust' pg_hba.conf"
        )),
        "{added}"
    );
    let ta: web_sys::HtmlTextAreaElement = by_testid(&root, "config-text").unchecked_into();
    assert_eq!(ta.value(), after, "the file in the model");
}

/// A RHEL lab whose standby started after `firewall-cmd --reload` dropped the runtime
/// rule that let its base backup through: primary's firewalld rejects it.
const FIREWALLED: &str = "lab$ os rhel
lab$ node add standby1
standby1$ sudo dnf install -y postgresql-server postgresql-contrib
primary=# CREATE USER replicator WITH REPLICATION PASSWORD 'secret';
primary$ echo \"listen_addresses = '*'\" >> postgresql.conf
primary$ echo \"host replication replicator 10.0.0.2/32 scram-sha-256\" >> pg_hba.conf
primary$ sudo systemctl restart postgresql
primary$ sudo firewall-cmd --add-service=postgresql
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -R
primary$ sudo firewall-cmd --reload
standby1$ sudo systemctl start postgresql
lab$ wait 1s
";

#[wasm_bindgen_test]
async fn a_link_the_firewall_blocks_is_drawn_blocked_and_heals_with_the_rule() {
    fresh();
    // Opened as a link opens it: `lab$ os rhel` only takes at virtual time 0, and a line
    // run in the page runs after the typing second.
    let (root, _handle, lab, _ui) = mount_lab("");
    let lines = walscope::script::parse(FIREWALLED).unwrap();
    lab.replace(walscope::timeline::Lab::replay(0, lines, None));
    settle().await;
    let edge = by_testid(&root, "edge-primary-standby1");
    assert_eq!(edge.get_attribute("data-blocked").as_deref(), Some("true"));
    assert_eq!(edge.get_attribute("class").as_deref(), Some("blocked"));
    assert!(
        edge.text_content()
            .unwrap_or_default()
            .contains("blocked by firewall"),
        "{:?}",
        edge.text_content()
    );
    assert!(
        try_testid(&root, "legend-firewall").is_some(),
        "the legend names it"
    );
    // A partition is drawn otherwise.
    assert!(all(&root, ".partitioned").is_empty());

    run(
        lab,
        "primary$ sudo firewall-cmd --permanent --add-service=postgresql\n\
         primary$ sudo firewall-cmd --reload\n\
         lab$ wait 10s\n",
    )
    .await;
    let edge = by_testid(&root, "edge-primary-standby1");
    assert_eq!(edge.get_attribute("data-blocked"), None);
    assert!(try_testid(&root, "legend-firewall").is_none());
    let label = text(&root, "edge-primary-standby1-label");
    assert!(label.contains("streaming"), "{label}");
}

/// A primary with a physical standby and a logical subscriber (issue 18's picture): two
/// kinds of link, row changes labelled on the logical one, and a row inserted on the
/// primary that reaches both.
#[wasm_bindgen_test]
async fn a_standby_and_a_subscriber_draw_two_kinds_of_link_and_both_get_the_row() {
    fresh();
    let script = format!(
        "{}primary=# ALTER SYSTEM SET wal_level = logical;
primary=# CREATE ROLE repuser WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host all repuser 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
primary=# CREATE TABLE t (id int primary key, v text);
primary=# CREATE PUBLICATION mypub FOR TABLE t;
lab$ node add sub
sub$ initdb -D /var/lib/pgsql/data
sub$ pg_ctl start
sub=# CREATE TABLE t (id int primary key, v text);
sub=# CREATE SUBSCRIPTION mysub CONNECTION 'host=primary dbname=postgres user=repuser password=secret' PUBLICATION mypub;
lab$ wait 8s
lab$ latency primary sub 40ms
",
        EXAMPLES[1].1
    );
    let (root, _handle, lab, ui) = mount_lab(&script);
    settle().await;
    let class = |id: &str| {
        by_testid(&root, id)
            .query_selector("path")
            .unwrap()
            .expect("the link's line")
            .get_attribute("class")
            .unwrap_or_default()
    };
    assert_eq!(class("edge-primary-standby1"), "edge async");
    assert_eq!(class("edge-primary-sub"), "edge logical");
    assert!(
        text(&root, "edge-primary-sub-label").starts_with("logical · streaming"),
        "{}",
        text(&root, "edge-primary-sub-label")
    );
    assert!(try_testid(&root, "legend-logical").is_some());
    // The row travels to the subscriber as a row change, and the packet says so.
    run(lab, "primary=# INSERT INTO t VALUES (1, 'both');\n").await;
    let mut labels = Vec::new();
    for _ in 0..12 {
        handle::frame(lab, ui, 8.0);
        settle().await;
        labels.extend(
            all(&root, "[data-testid='packet-label']")
                .iter()
                .filter_map(|e| e.text_content()),
        );
    }
    assert!(
        labels
            .iter()
            .any(|l| l.contains("INSERT") && l.contains("COMMIT")),
        "{labels:?}"
    );
    run(lab, "lab$ wait 1s\nsub=# TABLE t;\nstandby1=# TABLE t;\n").await;
    let console = text(&root, "console-log");
    assert_eq!(console.matches("  1 | both\n").count(), 2, "{console}");
}

/// A subscription whose apply worker stopped keeps its link on the stage, drawn stopped
/// with the reason: the ERROR the worker's last attempt wrote to the subscriber's log
/// (a row the subscriber already has), then `disabled`; enabled again with the row
/// deleted, it streams.
#[wasm_bindgen_test]
async fn a_stopped_apply_worker_leaves_its_link_with_the_reason() {
    fresh();
    let (root, _handle, lab, _ui) = mount_lab(
        "primary=# ALTER SYSTEM SET wal_level = logical;
primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE repuser WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host all repuser 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
primary=# CREATE TABLE t (id int primary key, v text);
primary=# CREATE PUBLICATION mypub FOR TABLE t;
lab$ node add sub
sub$ initdb -D /var/lib/pgsql/data
sub$ pg_ctl start
sub=# CREATE TABLE t (id int primary key, v text);
sub=# CREATE SUBSCRIPTION mysub CONNECTION 'host=primary dbname=postgres user=repuser password=secret' PUBLICATION mypub;
lab$ wait 8s
sub=# INSERT INTO t VALUES (3, 'here first');
primary=# INSERT INTO t VALUES (3, 'conflict');
lab$ wait 2s
",
    );
    settle().await;
    let class = || {
        by_testid(&root, "edge-primary-sub")
            .query_selector("path")
            .unwrap()
            .expect("the link's line")
            .get_attribute("class")
            .unwrap_or_default()
    };
    assert_eq!(class(), "edge logical stopped");
    // The reason is the worker's ERROR, as the subscriber's log has it.
    run(lab, "sub$ grep ERROR log/postgresql.log\n").await;
    let console = text(&root, "console-log");
    let error = console
        .lines()
        .filter_map(|l| l.split_once("ERROR:  ").map(|(_, e)| e))
        .next_back()
        .expect("the worker's ERROR in the log")
        .to_string();
    assert!(error.starts_with("duplicate key value"), "{error}");
    // Its words, in lines narrow enough for the stage, after the subscription's name.
    let label = by_testid(&root, "edge-primary-sub-label");
    let lines: Vec<String> = all(&label, "tspan")
        .iter()
        .filter_map(|t| t.text_content())
        .collect();
    assert_eq!(lines.join(" "), error, "{lines:?}");
    assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
    assert!(label
        .text_content()
        .unwrap_or_default()
        .starts_with("mysub stopped"));
    run(
        lab,
        "sub=# ALTER SUBSCRIPTION mysub DISABLE;\nlab$ wait 1s\n",
    )
    .await;
    assert_eq!(
        text(&root, "edge-primary-sub-label"),
        "mysub stoppeddisabled"
    );
    assert_eq!(class(), "edge logical stopped");
    run(
        lab,
        "sub=# DELETE FROM t WHERE id = 3;\nsub=# ALTER SUBSCRIPTION mysub ENABLE;\nlab$ wait 8s\n",
    )
    .await;
    assert_eq!(class(), "edge logical");
    assert!(
        text(&root, "edge-primary-sub-label").starts_with("logical · streaming"),
        "{}",
        text(&root, "edge-primary-sub-label")
    );
}

/// The subscriber's card in the mixed example runs the lines a class would type:
/// Disable stops the logical link with `disabled`, Enable brings `logical · streaming`
/// back, and "Cause a conflict" types an INSERT of the next key on the subscriber and
/// the same key on the publisher, after which the link shows the apply worker's
/// duplicate key ERROR, as the subscriber's log has it.
#[wasm_bindgen_test]
async fn the_subscription_buttons_run_the_lines_a_student_would_type() {
    fresh();
    let (root, _handle, lab, _ui) =
        mount_lab(walscope::examples::by_id("standby-and-subscriber").unwrap());
    settle().await;
    let class = || {
        by_testid(&root, "edge-primary-subscriber")
            .query_selector("path")
            .unwrap()
            .expect("the link's line")
            .get_attribute("class")
            .unwrap_or_default()
    };
    let label = || text(&root, "edge-primary-subscriber-label");
    assert_eq!(class(), "edge logical");
    assert!(label().starts_with("logical · streaming"), "{}", label());
    assert!(try_testid(&root, "btn-enable-subscriber-mysub").is_none());
    by_testid(&root, "btn-disable-subscriber-mysub").click();
    settle().await;
    run(lab, "lab$ wait 1s\n").await;
    assert!(
        text(&root, "console-log")
            .contains("subscriber=# ALTER SUBSCRIPTION mysub DISABLE;\nALTER SUBSCRIPTION\n"),
        "{}",
        text(&root, "console-log")
    );
    assert_eq!(class(), "edge logical stopped");
    assert_eq!(label(), "mysub stoppeddisabled");
    assert!(try_testid(&root, "btn-disable-subscriber-mysub").is_none());
    by_testid(&root, "btn-enable-subscriber-mysub").click();
    settle().await;
    run(lab, "lab$ wait 8s\n").await;
    assert!(text(&root, "console-log").contains("subscriber=# ALTER SUBSCRIPTION mysub ENABLE;\n"));
    assert_eq!(class(), "edge logical");
    assert!(label().starts_with("logical · streaming"), "{}", label());
    // The conflict: the next key (the example's rows are 1 to 3) on the subscriber first.
    by_testid(&root, "btn-conflict-subscriber-mysub").click();
    settle().await;
    let console = text(&root, "console-log");
    let local =
        "subscriber=# INSERT INTO accounts (id, owner) VALUES (4, 'subscriber');\nINSERT 0 1\n";
    let remote = "primary=# INSERT INTO accounts (id, owner) VALUES (4, 'primary');\nINSERT 0 1\n";
    assert!(console.contains(&format!("{local}{remote}")), "{console}");
    run(
        lab,
        "lab$ wait 2s\nsubscriber$ grep -A1 ERROR log/postgresql.log\n",
    )
    .await;
    let console = text(&root, "console-log");
    assert!(
        console.contains("DETAIL:  Key (id)=(4) already exists."),
        "{console}"
    );
    let error = console
        .lines()
        .filter_map(|l| l.split_once("ERROR:  ").map(|(_, e)| e))
        .next_back()
        .expect("the worker's ERROR in the log")
        .to_string();
    assert_eq!(
        error,
        "duplicate key value violates unique constraint \"accounts_pkey\""
    );
    assert_eq!(class(), "edge logical stopped");
    let lines: Vec<String> = all(&by_testid(&root, "edge-primary-subscriber-label"), "tspan")
        .iter()
        .filter_map(|t| t.text_content())
        .collect();
    // The ERROR's words, in as many lines as the stage has room for.
    let shown = lines.join(" ");
    assert!(error.starts_with(shown.trim_end_matches('…')), "{lines:?}");
    assert!(
        shown.starts_with("duplicate key value violates"),
        "{lines:?}"
    );
    assert!(label().starts_with("mysub stopped"), "{}", label());
}
